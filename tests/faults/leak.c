/* Reference-leak injection for the harness's own tests: preloaded into a debug interpreter by a
 * wrapper script, it makes PyNumber_Add return one extra reference.
 *
 * Debian links its interpreters statically, and the executable comes first in symbol lookup,
 * before any preload: the test runs a copy of the executable whose dynamic symbol table no
 * longer has the name PyNumber_Add, so extensions bind to this definition while the
 * interpreter's own calls stay internal. The real function is then unreachable by name, so
 * this one computes `operator.add(a, b)`, the same operation, and adds one reference too many
 * through Py_IncRef, which the debug build's total reference count sees.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

typedef struct _object PyObject;

PyObject *PyNumber_Add(PyObject *a, PyObject *b)
{
    static PyObject *add;
    PyObject *(*import)(const char *) = (PyObject * (*)(const char *)) dlsym(RTLD_DEFAULT, "PyImport_ImportModule");
    PyObject *(*getattr)(PyObject *, const char *) = (PyObject * (*)(PyObject *, const char *)) dlsym(RTLD_DEFAULT, "PyObject_GetAttrString");
    PyObject *(*call)(PyObject *, ...) = (PyObject * (*)(PyObject *, ...)) dlsym(RTLD_DEFAULT, "PyObject_CallFunctionObjArgs");
    void (*incref)(PyObject *) = (void (*)(PyObject *))dlsym(RTLD_DEFAULT, "Py_IncRef");
    if (!add) {
        PyObject *operator_module = import("operator");
        if (!operator_module)
            return NULL;
        add = getattr(operator_module, "add");
        if (!add)
            return NULL;
    }
    PyObject *result = call(add, a, b, NULL);
    if (result)
        incref(result);
    return result;
}
