/* Fault injection for the harness's own tests: preloaded into a real interpreter by a wrapper
 * script, it breaks one API function in one way, selected by ABI_HARNESS_FAULT:
 *
 *   crash  PyLong_AsDouble     dereferences NULL (SIGSEGV)
 *   hang   PyNumber_Multiply   never returns
 *   wrong  PyLong_AsLong       returns value + 1 for values >= 1000
 *   noexc  PyUnicode_Contains  returns -1 without setting an exception where the element is
 *                              absent from a container of 4 or more code points
 *
 * and the set-up and reference faults listed further down.
 *
 * Only calls made from the probe (abi3probe) are broken: the interpreter's own calls through
 * its PLT pass straight to the real function, so the interpreter itself keeps working.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct _object PyObject;

static int from_probe(void *return_address)
{
    Dl_info info;
    return dladdr(return_address, &info) && info.dli_fname && strstr(info.dli_fname, "abi3probe");
}

static int fault_is(const char *name)
{
    const char *fault = getenv("ABI_HARNESS_FAULT");
    return fault && strstr(fault, name);
}

double PyLong_AsDouble(PyObject *obj)
{
    static double (*real)(PyObject *);
    if (!real)
        real = (double (*)(PyObject *))dlsym(RTLD_NEXT, "PyLong_AsDouble");
    if (fault_is("crash") && from_probe(__builtin_return_address(0)))
        *(volatile int *)0 = 1;
    return real(obj);
}

PyObject *PyNumber_Multiply(PyObject *a, PyObject *b)
{
    static PyObject *(*real)(PyObject *, PyObject *);
    if (!real)
        real = (PyObject * (*)(PyObject *, PyObject *)) dlsym(RTLD_NEXT, "PyNumber_Multiply");
    if (fault_is("hang") && from_probe(__builtin_return_address(0)))
        for (;;)
            pause();
    return real(a, b);
}

long PyLong_AsLong(PyObject *obj)
{
    static long (*real)(PyObject *);
    if (!real)
        real = (long (*)(PyObject *))dlsym(RTLD_NEXT, "PyLong_AsLong");
    long value = real(obj);
    if (fault_is("wrong") && value >= 1000 && from_probe(__builtin_return_address(0)))
        return value + 1;
    return value;
}

int PyUnicode_Contains(PyObject *container, PyObject *element)
{
    static int (*real)(PyObject *, PyObject *);
    static long (*length)(PyObject *);
    if (!real) {
        real = (int (*)(PyObject *, PyObject *))dlsym(RTLD_NEXT, "PyUnicode_Contains");
        length = (long (*)(PyObject *))dlsym(RTLD_NEXT, "PyUnicode_GetLength");
    }
    int found = real(container, element);
    if (fault_is("noexc") && found == 0 && from_probe(__builtin_return_address(0)) && length(container) >= 4)
        return -1;
    return found;
}

/*   setup     PyModule_AddObject   dereferences NULL (SIGSEGV): the probe calls it while it sets
 *                                  itself up, before any property runs
 *   borrowed  PySequence_GetItem   returns its result without the caller's reference (a
 *                                  borrowed reference returned as new)
 *   newref    PyList_GetItem       returns its result with an extra reference (a new reference
 *                                  returned as borrowed)
 */
typedef long Py_ssize_t_;

static void (*py_incref)(PyObject *);
static void (*py_decref)(PyObject *);

static void bind_refcount(void)
{
    if (!py_incref) {
        py_incref = (void (*)(PyObject *))dlsym(RTLD_NEXT, "Py_IncRef");
        py_decref = (void (*)(PyObject *))dlsym(RTLD_NEXT, "Py_DecRef");
    }
}

int PyModule_AddObject(PyObject *module, const char *name, PyObject *value)
{
    static int (*real)(PyObject *, const char *, PyObject *);
    if (!real)
        real = (int (*)(PyObject *, const char *, PyObject *))dlsym(RTLD_NEXT, "PyModule_AddObject");
    if (fault_is("setup") && from_probe(__builtin_return_address(0)))
        *(volatile int *)0 = 1;
    return real(module, name, value);
}

PyObject *PySequence_GetItem(PyObject *sequence, Py_ssize_t_ index)
{
    static PyObject *(*real)(PyObject *, Py_ssize_t_);
    if (!real)
        real = (PyObject * (*)(PyObject *, Py_ssize_t_)) dlsym(RTLD_NEXT, "PySequence_GetItem");
    PyObject *item = real(sequence, index);
    if (item && fault_is("borrowed") && from_probe(__builtin_return_address(0))) {
        bind_refcount();
        py_decref(item);
    }
    return item;
}

PyObject *PyList_GetItem(PyObject *list, Py_ssize_t_ index)
{
    static PyObject *(*real)(PyObject *, Py_ssize_t_);
    if (!real)
        real = (PyObject * (*)(PyObject *, Py_ssize_t_)) dlsym(RTLD_NEXT, "PyList_GetItem");
    PyObject *item = real(list, index);
    if (item && fault_is("newref") && from_probe(__builtin_return_address(0))) {
        bind_refcount();
        py_incref(item);
    }
    return item;
}

/*   intwidth  PyArg_VaParse        after a '#' format unit, writes the length back as a
 *                                  Py_ssize_t where the caller passed an int (a build without
 *                                  PY_SSIZE_T_CLEAN calls this plain symbol; a clean build calls
 *                                  _PyArg_VaParse_SizeT and is not touched): what an interpreter
 *                                  that forgot the int lengths of the old ABI would do
 */
#include <stdarg.h>

int PyArg_VaParse(PyObject *args, const char *format, va_list va)
{
    static int (*real)(PyObject *, const char *, va_list);
    if (!real)
        real = (int (*)(PyObject *, const char *, va_list))dlsym(RTLD_NEXT, "PyArg_VaParse");
    va_list pointers;
    va_copy(pointers, va);
    int rc = real(args, format, va);
    /* The probe's '#' programs are one unit: "s#..." or "y#..." (data, then the length). */
    if (fault_is("intwidth") && from_probe(__builtin_return_address(0)) && format[0] && format[1] == '#') {
        (void)va_arg(pointers, const char **);
        int *length = va_arg(pointers, int *);
        *(Py_ssize_t_ *)length = *length;
    }
    va_end(pointers);
    return rc;
}
