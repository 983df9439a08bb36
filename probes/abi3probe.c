/* abi3probe: the semantic probe, one C extension compiled per build.
 *
 * The build supplies Py_LIMITED_API (never define it here): every macro and static inline
 * function below (Py_INCREF, Py_TYPE, Py_RETURN_NONE, ...) is the one that build's headers give
 * a real abi3 extension. Routines are reached through `abi3probe.call(name, *args)`; each one
 * calls one API entry and enforces its error contract, so the worker can compare the outcome
 * with the Python-level oracle.
 *
 * API functions are referenced weakly: a symbol the interpreter does not export makes only its
 * own routines report `missing symbol`, instead of failing the whole import (the strong-linking
 * import check is abi3link's job).
 */
#include <Python.h>
#include <dlfcn.h>
#include <string.h>

#define LIMITED_AT_LEAST(hex) (Py_LIMITED_API + 0 >= (hex))

static PyObject *ContractError;

/* --- error contracts ------------------------------------------------------------------- */

static PyObject *contract(const char *message)
{
    PyErr_SetString(ContractError, message);
    return NULL;
}

/* An object result: NULL if and only if an exception is set. Takes ownership of `result`. */
static PyObject *new_result(PyObject *result)
{
    if (result == NULL && !PyErr_Occurred())
        return contract("returned NULL without setting an exception");
    if (result != NULL && PyErr_Occurred()) {
        Py_DECREF(result);
        PyErr_Clear();
        return contract("returned a result with an exception set");
    }
    return result;
}

/* A borrowed object result: same contract, and the caller gets its own reference. */
static PyObject *borrowed_result(PyObject *result)
{
    Py_XINCREF(result);
    return new_result(result);
}

/* A C integer result whose error value is `error`: the error value with an exception set means
 * failure; any other value with an exception set breaks the contract. */
static PyObject *long_result(long long value, long long error)
{
    if (PyErr_Occurred()) {
        if (value == error)
            return NULL;
        PyErr_Clear();
        return contract("returned a non-error value with an exception set");
    }
    return PyLong_FromLongLong(value);
}

/* An int status (0 ok, -1 error) of a procedure: None on success. */
static PyObject *status_result(int status)
{
    if (status == -1 && PyErr_Occurred())
        return NULL;
    if (status == -1)
        return contract("returned -1 without setting an exception");
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("returned success with an exception set");
    }
    if (status != 0)
        return contract("returned a status other than 0 or -1");
    Py_RETURN_NONE;
}

/* A double result whose error value is -1.0. */
static PyObject *double_result(double value)
{
    if (PyErr_Occurred()) {
        if (value == -1.0)
            return NULL;
        PyErr_Clear();
        return contract("returned a non-error value with an exception set");
    }
    return PyFloat_FromDouble(value);
}

/* --- routines ---------------------------------------------------------------------------
 * Each routine receives the call's arguments (already checked to be `nargs` of them) and
 * returns a new reference or NULL with an exception set.
 */

typedef PyObject *(*routine_fn)(PyObject *args);

#define ARG(n) PyTuple_GetItem(args, (n))

static PyObject *r_PyNumber_Add(PyObject *args) { return new_result(PyNumber_Add(ARG(0), ARG(1))); }
static PyObject *r_PyObject_Repr(PyObject *args) { return new_result(PyObject_Repr(ARG(0))); }
static PyObject *r_PyLong_AsLong(PyObject *args) { return long_result(PyLong_AsLong(ARG(0)), -1); }
static PyObject *r_PyFloat_AsDouble(PyObject *args) { return double_result(PyFloat_AsDouble(ARG(0))); }
static PyObject *r_PyList_Append(PyObject *args) { return status_result(PyList_Append(ARG(0), ARG(1))); }
static PyObject *r_PyList_GetItem(PyObject *args)
{
    Py_ssize_t index = PyLong_AsSsize_t(ARG(1));
    if (index == -1 && PyErr_Occurred())
        return NULL;
    return borrowed_result(PyList_GetItem(ARG(0), index));
}

/* Header macros: compiled from this build's headers, run against the interpreter's objects.
 * Returns (refcount before, after Py_INCREF, after Py_DECREF) of a fresh reference. */
static PyObject *r_Py_INCREF_Py_DECREF(PyObject *args)
{
    PyObject *obj = ARG(0);
    Py_ssize_t before = Py_REFCNT(obj);
    Py_INCREF(obj);
    Py_ssize_t raised = Py_REFCNT(obj);
    Py_DECREF(obj);
    Py_ssize_t after = Py_REFCNT(obj);
    return Py_BuildValue("(nnn)", before, raised, after);
}

/* --- the routine table ------------------------------------------------------------------
 * `symbol` is the exported entry the routine needs (NULL for pure header macros); it is
 * declared weak below, so its address is NULL when the interpreter does not export it.
 */

struct routine {
    const char *name;
    int nargs;
    routine_fn fn;
    const void *symbol;
    const char *symbol_name;
};

#define FUNCTION(name, nargs) {#name, nargs, r_##name, (const void *)&name, #name}
#define MACRO(name, nargs) {#name, nargs, r_##name, NULL, NULL}

#pragma weak PyNumber_Add
#pragma weak PyObject_Repr
#pragma weak PyLong_AsLong
#pragma weak PyFloat_AsDouble
#pragma weak PyList_Append
#pragma weak PyList_GetItem

static const struct routine routines[] = {
    FUNCTION(PyNumber_Add, 2),
    FUNCTION(PyObject_Repr, 1),
    FUNCTION(PyLong_AsLong, 1),
    FUNCTION(PyFloat_AsDouble, 1),
    FUNCTION(PyList_Append, 2),
    FUNCTION(PyList_GetItem, 2),
    MACRO(Py_INCREF_Py_DECREF, 1),
};

#define ROUTINE_COUNT ((Py_ssize_t)(sizeof(routines) / sizeof(routines[0])))

/* --- module functions ------------------------------------------------------------------- */

static PyObject *probe_call(PyObject *self, PyObject *args)
{
    Py_ssize_t nargs = PyTuple_Size(args);
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "call(routine, *args) needs a routine name");
        return NULL;
    }
    PyObject *name = PyTuple_GetItem(args, 0);
    for (Py_ssize_t i = 0; i < ROUTINE_COUNT; i++) {
        const struct routine *r = &routines[i];
        if (PyUnicode_CompareWithASCIIString(name, r->name) != 0)
            continue;
        if (r->symbol_name != NULL && r->symbol == NULL) {
            PyErr_Format(ContractError, "missing symbol: %s", r->symbol_name);
            return NULL;
        }
        if (nargs - 1 != r->nargs) {
            PyErr_Format(PyExc_TypeError, "routine %s takes %d arguments", r->name, r->nargs);
            return NULL;
        }
        PyObject *rest = PyTuple_GetSlice(args, 1, nargs);
        if (rest == NULL)
            return NULL;
        PyObject *result = r->fn(rest);
        Py_DECREF(rest);
        return result;
    }
    PyErr_SetString(PyExc_LookupError, "no such routine in this build");
    return NULL;
}

static PyObject *probe_routines(PyObject *self, PyObject *unused)
{
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < ROUTINE_COUNT; i++) {
        PyObject *name = PyUnicode_FromString(routines[i].name);
        if (name == NULL || PyList_Append(list, name) < 0) {
            Py_XDECREF(name);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(name);
    }
    return list;
}

/* resolve(names) -> the names the dynamic linker cannot find in this process. */
static PyObject *probe_resolve(PyObject *self, PyObject *names)
{
    PyObject *missing = PyList_New(0);
    if (missing == NULL)
        return NULL;
    Py_ssize_t count = PyList_Size(names);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *name = PyList_GetItem(names, i);
        PyObject *encoded = name ? PyUnicode_AsUTF8String(name) : NULL;
        if (encoded == NULL) {
            Py_DECREF(missing);
            return NULL;
        }
        void *address = dlsym(RTLD_DEFAULT, PyBytes_AsString(encoded));
        Py_DECREF(encoded);
        if (address == NULL && PyList_Append(missing, name) < 0) {
            Py_DECREF(missing);
            return NULL;
        }
    }
    return missing;
}

static PyMethodDef probe_methods[] = {
    {"call", probe_call, METH_VARARGS, NULL},
    {"routines", probe_routines, METH_NOARGS, NULL},
    {"resolve", probe_resolve, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef probe_module = {
    PyModuleDef_HEAD_INIT, "abi3probe", NULL, -1, probe_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit_abi3probe(void)
{
    PyObject *module = PyModule_Create(&probe_module);
    if (module == NULL)
        return NULL;
    ContractError = PyErr_NewException("abi3probe.ContractError", NULL, NULL);
    if (ContractError == NULL || PyModule_AddObject(module, "ContractError", ContractError) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    Py_INCREF(ContractError);
    return module;
}
