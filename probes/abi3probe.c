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
 * import check is abi3link's job). A routine that needs a second weak entry checks it with
 * REQUIRE first.
 *
 * Routines for entries added to the limited API after 3.6 are compiled only when the build's
 * Py_LIMITED_API is at least that version (LIMITED_AT_LEAST), both the routine and its table row.
 *
 * The infrastructure (dispatch, argument conversion, result contracts) uses only
 * PyTuple_GetItem/GetSlice/Size, PyUnicode_CompareWithASCIIString, PyList_New/Append/Size/GetItem,
 * PyUnicode_FromString, PyUnicode_AsUTF8String, PyBytes_AsString, Py_BuildValue, PyArg_Parse,
 * PyErr_*, PyLong_AsSsize_t and PyLong_AsLongLong, so that a fault injected into any other entry
 * shows up only in that entry's own routines. Some routines also use helpers no property is
 * about (PyImport_ImportModule, PyObject_GetAttrString, PyObject_CallObject, PySet_New,
 * PyWeakref_NewRef). PyLong_AsLong, PyLong_AsDouble, PyNumber_Multiply, PyNumber_Subtract and
 * PyUnicode_Contains are called only by their own routines (the harness's fault-injection
 * targets).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#define LIMITED_AT_LEAST(hex) (Py_LIMITED_API + 0 >= (hex))

/* These names are also object-like macros for their newer spelling (PyObject_Length is
 * PyObject_Size, ...); undefine them so the routines reach the exported entries themselves. */
#undef PyObject_Length
#undef PySequence_Length
#undef PySequence_In

static PyObject *ContractError;

/* --- error contracts ------------------------------------------------------------------- */

/* A new reference to None. The infrastructure does not use Py_RETURN_NONE/TRUE/FALSE: those
 * header macros are under test themselves (see the refcount routines), and a build whose
 * macros get the count wrong should fail only there. */
static PyObject *new_none(void)
{
    return Py_BuildValue("");
}

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
    return Py_BuildValue("L", value);
}

/* An unsigned C integer result whose error value is `error`. */
static PyObject *ulong_result(unsigned long long value, unsigned long long error)
{
    if (PyErr_Occurred()) {
        if (value == error)
            return NULL;
        PyErr_Clear();
        return contract("returned a non-error value with an exception set");
    }
    return Py_BuildValue("K", value);
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
    return new_none();
}

/* A predicate that cannot fail (returns 0 or 1, never sets an exception): an int. */
static PyObject *flag_result(int value)
{
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("a predicate that cannot fail set an exception");
    }
    if (value != 0 && value != 1)
        return contract("a predicate returned neither 0 nor 1");
    return Py_BuildValue("i", value);
}

/* A predicate that can fail: 0 or 1, or -1 with an exception set. */
static PyObject *bool_result(int value)
{
    if (value == -1 && PyErr_Occurred())
        return NULL;
    if (value == -1)
        return contract("returned -1 without setting an exception");
    return flag_result(value);
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
    return Py_BuildValue("d", value);
}

/* A void procedure must not set an exception. */
static PyObject *void_result(void)
{
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("a procedure that cannot fail set an exception");
    }
    return new_none();
}

/* Helpers marked unused serve the generated contract routines (probes/generated/contracts.c);
 * a build whose contracts happen not to need one should not warn about it. */

/* A C integer that cannot fail: any exception breaks the contract. */
static __attribute__((unused)) PyObject *signed_value_result(long long value)
{
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("a function that cannot fail set an exception");
    }
    return Py_BuildValue("L", value);
}

static __attribute__((unused)) PyObject *unsigned_value_result(unsigned long long value)
{
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("a function that cannot fail set an exception");
    }
    return Py_BuildValue("K", value);
}

/* A C string result, as bytes: NULL exactly when an exception is set, or, when `optional`,
 * NULL for "none" (None) and never an exception. */
static __attribute__((unused)) PyObject *cstr_result(const char *value, int optional)
{
    if (PyErr_Occurred()) {
        if (value == NULL && !optional)
            return NULL;
        PyErr_Clear();
        return contract(optional ? "a function that cannot fail set an exception"
                                 : "returned a string with an exception set");
    }
    if (value == NULL)
        return optional ? new_none() : contract("returned NULL without setting an exception");
    return PyBytes_FromStringAndSize(value, (Py_ssize_t)strlen(value));
}

/* An object result where NULL without an exception means "none" (None); `owned`: a new
 * reference, else a borrowed one. */
static __attribute__((unused)) PyObject *optional_object_result(PyObject *obj, int owned)
{
    if (obj == NULL)
        return PyErr_Occurred() ? NULL : new_none();
    if (!owned)
        Py_INCREF(obj);
    return new_result(obj);
}

/* Out-parameters live in the middle of three slots whose outer two are filled with CANARY:
 * a function that writes past its out-parameter changes them. */
#define CANARY 0xA5

static __attribute__((unused)) int canaries_intact(const void *slots, size_t slot_size)
{
    const unsigned char *bytes = (const unsigned char *)slots;
    for (size_t i = 0; i < slot_size; i++)
        if (bytes[i] != CANARY || bytes[2 * slot_size + i] != CANARY)
            return 0;
    return 1;
}

/* An object out-parameter as a new reference (None for NULL); `owned`: the caller owned it. */
static __attribute__((unused)) PyObject *out_object(PyObject *obj, int owned)
{
    if (obj == NULL)
        return new_none();
    if (!owned)
        Py_INCREF(obj);
    return obj;
}

/* A lookup that returns NULL without an exception for "absent": [] or [value] (borrowed). */
static PyObject *optional_result(PyObject *borrowed)
{
    if (borrowed == NULL && PyErr_Occurred())
        return NULL;
    if (borrowed != NULL && PyErr_Occurred()) {
        PyErr_Clear();
        return contract("returned a result with an exception set");
    }
    if (borrowed == NULL)
        return Py_BuildValue("[]");
    return Py_BuildValue("[O]", borrowed);
}

/* --- argument helpers ------------------------------------------------------------------- */

typedef PyObject *(*routine_fn)(PyObject *args);

#define ARG(n) PyTuple_GetItem(args, (n))

/* A routine that calls a second weak entry checks it is there first. */
#define REQUIRE(symbol)                                                         \
    do {                                                                        \
        if ((const void *)&symbol == NULL) {                                    \
            PyErr_SetString(ContractError, "missing symbol: " #symbol);         \
            return NULL;                                                        \
        }                                                                       \
    } while (0)

static int arg_ssize(PyObject *args, Py_ssize_t n, Py_ssize_t *out)
{
    *out = PyLong_AsSsize_t(ARG(n));
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

static int arg_llong(PyObject *args, Py_ssize_t n, long long *out)
{
    *out = PyLong_AsLongLong(ARG(n));
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* An int argument; the strategies keep it in range, so out of range is a harness error. */
static int arg_int(PyObject *args, Py_ssize_t n, int *out)
{
    long long value;
    if (arg_llong(args, n, &value) < 0)
        return -1;
    if (value < -2147483647LL - 1 || value > 2147483647LL) {
        PyErr_SetString(PyExc_OverflowError, "probe: C int argument out of range");
        return -1;
    }
    *out = (int)value;
    return 0;
}

/* An unsigned argument (Python ints of any sign wrap, as PyArg_Parse's "K" does). */
static __attribute__((unused)) int arg_ullong(PyObject *args, Py_ssize_t n, unsigned long long *out)
{
    return PyArg_Parse(ARG(n), "K", out) ? 0 : -1;
}

static __attribute__((unused)) void arg_out_of_range(void)
{
    PyErr_SetString(PyExc_OverflowError, "probe: C integer argument out of range");
}

static int arg_double(PyObject *args, Py_ssize_t n, double *out)
{
    return PyArg_Parse(ARG(n), "d", out) ? 0 : -1;
}

/* A bytes argument as a C buffer (embedded NULs kept; always NUL-terminated). */
static const char *arg_bytes(PyObject *args, Py_ssize_t n, Py_ssize_t *length)
{
    PyObject *obj = ARG(n);
    const char *data = PyBytes_AsString(obj);
    if (data != NULL && length != NULL)
        *length = Py_SIZE(obj);
    return data;
}

/* A str argument as UTF-8 (None gives NULL when none_ok); *holder keeps the buffer alive. */
static int arg_utf8(PyObject *args, Py_ssize_t n, int none_ok, PyObject **holder, const char **out)
{
    PyObject *obj = ARG(n);
    *holder = NULL;
    *out = NULL;
    if (none_ok && obj == Py_None)
        return 0;
    *holder = PyUnicode_AsUTF8String(obj);
    if (*holder == NULL)
        return -1;
    *out = PyBytes_AsString(*holder);
    return *out == NULL ? -1 : 0;
}

/* A builtin by name, looked up in the builtins module: a new reference. */
static PyObject *builtin(const char *name)
{
    PyObject *module = PyImport_ImportModule("builtins");
    if (module == NULL)
        return NULL;
    PyObject *obj = PyObject_GetAttrString(module, name);
    Py_DECREF(module);
    return obj;
}

/* A buffer as bytes. Not Py_BuildValue("y#"): 3.13's headers no longer map Py_BuildValue to
 * _Py_BuildValue_SizeT under PY_SSIZE_T_CLEAN, even for an older Py_LIMITED_API, so with those
 * headers a '#' format fails on 3.10-3.12; that is the Py_BuildValue property's finding, not
 * these routines'. */
static PyObject *sized_bytes(const char *data, Py_ssize_t size)
{
    return PyBytes_FromStringAndSize(data, size);
}

/* --- routines ---------------------------------------------------------------------------
 * Each routine receives the call's arguments (already checked to be `nargs` of them) and
 * returns a new reference or NULL with an exception set.
 */

/* ---- object protocol ---- */

static PyObject *r_PyObject_Repr(PyObject *args) { return new_result(PyObject_Repr(ARG(0))); }
static PyObject *r_PyObject_Str(PyObject *args) { return new_result(PyObject_Str(ARG(0))); }
static PyObject *r_PyObject_ASCII(PyObject *args) { return new_result(PyObject_ASCII(ARG(0))); }
static PyObject *r_PyObject_Bytes(PyObject *args) { return new_result(PyObject_Bytes(ARG(0))); }
static PyObject *r_PyObject_Type(PyObject *args) { return new_result(PyObject_Type(ARG(0))); }
static PyObject *r_PyObject_Hash(PyObject *args) { return long_result(PyObject_Hash(ARG(0)), -1); }
static PyObject *r_PyObject_IsTrue(PyObject *args) { return bool_result(PyObject_IsTrue(ARG(0))); }
static PyObject *r_PyObject_Not(PyObject *args) { return bool_result(PyObject_Not(ARG(0))); }
static PyObject *r_PyObject_Size(PyObject *args) { return long_result(PyObject_Size(ARG(0)), -1); }
static PyObject *r_PyObject_Length(PyObject *args) { return long_result(PyObject_Length(ARG(0)), -1); }

/* op is Py_LT..Py_GE (0..5); anything else is refused before the call (it would be UB). */
static int arg_compare_op(PyObject *args, Py_ssize_t n, int *op)
{
    if (arg_int(args, n, op) < 0)
        return -1;
    if (*op < Py_LT || *op > Py_GE) {
        PyErr_SetString(PyExc_ValueError, "probe: comparison op out of range");
        return -1;
    }
    return 0;
}

static PyObject *r_PyObject_RichCompare(PyObject *args)
{
    int op;
    if (arg_compare_op(args, 2, &op) < 0)
        return NULL;
    return new_result(PyObject_RichCompare(ARG(0), ARG(1), op));
}

static PyObject *r_PyObject_RichCompareBool(PyObject *args)
{
    int op;
    if (arg_compare_op(args, 2, &op) < 0)
        return NULL;
    return bool_result(PyObject_RichCompareBool(ARG(0), ARG(1), op));
}

static PyObject *r_PyObject_GetItem(PyObject *args) { return new_result(PyObject_GetItem(ARG(0), ARG(1))); }
static PyObject *r_PyObject_SetItem(PyObject *args) { return status_result(PyObject_SetItem(ARG(0), ARG(1), ARG(2))); }
static PyObject *r_PyObject_DelItem(PyObject *args) { return status_result(PyObject_DelItem(ARG(0), ARG(1))); }

/* Drains an iterator with PyIter_Next into a list: NULL without an exception ends it. */
static PyObject *drain(PyObject *iterator)
{
    PyObject *items = PyList_New(0);
    if (items == NULL)
        return NULL;
    for (;;) {
        PyObject *item = PyIter_Next(iterator);
        if (item == NULL) {
            if (PyErr_Occurred()) {
                Py_DECREF(items);
                return NULL;
            }
            return items;
        }
        if (PyErr_Occurred()) {
            Py_DECREF(item);
            Py_DECREF(items);
            PyErr_Clear();
            return contract("PyIter_Next returned an item with an exception set");
        }
        int failed = PyList_Append(items, item) < 0;
        Py_DECREF(item);
        if (failed) {
            Py_DECREF(items);
            return NULL;
        }
    }
}

/* (type of the iterator, the items it yields) */
static PyObject *r_PyObject_GetIter(PyObject *args)
{
    REQUIRE(PyIter_Next);
    PyObject *iterator = new_result(PyObject_GetIter(ARG(0)));
    if (iterator == NULL)
        return NULL;
    PyObject *items = drain(iterator);
    PyObject *result = items ? Py_BuildValue("(ON)", (PyObject *)Py_TYPE(iterator), items) : NULL;
    Py_DECREF(iterator);
    return result;
}

static PyObject *r_PyIter_Next(PyObject *args)
{
    REQUIRE(PyObject_GetIter);
    PyObject *iterator = PyObject_GetIter(ARG(0));
    if (iterator == NULL)
        return NULL;
    PyObject *items = drain(iterator);
    Py_DECREF(iterator);
    return items;
}

/* (callable(x), callable(type(x))): the values themselves are never callable. */
static PyObject *r_PyCallable_Check(PyObject *args)
{
    int value = PyCallable_Check(ARG(0));
    int type = PyCallable_Check((PyObject *)Py_TYPE(ARG(0)));
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("PyCallable_Check set an exception");
    }
    return Py_BuildValue("(ii)", value, type);
}

/* isinstance(x, type(y)) */
static PyObject *r_PyObject_IsInstance(PyObject *args)
{
    return bool_result(PyObject_IsInstance(ARG(0), (PyObject *)Py_TYPE(ARG(1))));
}

/* issubclass(type(x), type(y)) */
static PyObject *r_PyObject_IsSubclass(PyObject *args)
{
    return bool_result(PyObject_IsSubclass((PyObject *)Py_TYPE(ARG(0)), (PyObject *)Py_TYPE(ARG(1))));
}

static PyObject *r_PyObject_HasAttr(PyObject *args) { return flag_result(PyObject_HasAttr(ARG(0), ARG(1))); }
static PyObject *r_PyObject_GetAttr(PyObject *args) { return new_result(PyObject_GetAttr(ARG(0), ARG(1))); }
static PyObject *r_PyObject_Format(PyObject *args) { return new_result(PyObject_Format(ARG(0), ARG(1))); }

/* (bytes, n): Py_BuildValue("(y#L)"), a '#' format, whose length type depends on
 * PY_SSIZE_T_CLEAN (defined here) and on how the headers map Py_BuildValue. */
static PyObject *r_Py_BuildValue(PyObject *args)
{
    Py_ssize_t length;
    long long n;
    const char *data = arg_bytes(args, 0, &length);
    if (data == NULL || arg_llong(args, 1, &n) < 0)
        return NULL;
    return new_result(Py_BuildValue("(y#L)", data, length, n));
}

/* Data entries: the object an exported symbol holds, and whether it is the builtin of that
 * name (identity, not just an equal name). */
static PyObject *data_result(PyObject *obj, const char *builtin_name)
{
    if (obj == NULL)
        return contract("the data symbol holds NULL");
    if (builtin_name == NULL)
        return Py_BuildValue("O", obj);
    PyObject *expected = builtin(builtin_name);
    if (expected == NULL)
        return NULL;
    PyObject *result = Py_BuildValue("(OO)", obj, obj == expected ? Py_True : Py_False);
    Py_DECREF(expected);
    return result;
}

#define TYPE_DATA(symbol, name) \
    static PyObject *r_##symbol(PyObject *args) { return data_result((PyObject *)&symbol, name); }

TYPE_DATA(PyBaseObject_Type, "object")
TYPE_DATA(PyType_Type, "type")
TYPE_DATA(PyBool_Type, "bool")
TYPE_DATA(PyLong_Type, "int")
TYPE_DATA(PyFloat_Type, "float")
TYPE_DATA(PyUnicode_Type, "str")
TYPE_DATA(PyBytes_Type, "bytes")
TYPE_DATA(PyByteArray_Type, "bytearray")
TYPE_DATA(PyList_Type, "list")
TYPE_DATA(PyTuple_Type, "tuple")
TYPE_DATA(PyDict_Type, "dict")
TYPE_DATA(_Py_NoneStruct, NULL)
TYPE_DATA(_Py_TrueStruct, NULL)
TYPE_DATA(_Py_FalseStruct, NULL)
TYPE_DATA(_Py_EllipsisObject, "Ellipsis")
TYPE_DATA(_Py_NotImplementedStruct, "NotImplemented")

/* ---- number protocol ---- */

#define BINARY(name) \
    static PyObject *r_##name(PyObject *args) { return new_result(name(ARG(0), ARG(1))); }
#define UNARY(name) \
    static PyObject *r_##name(PyObject *args) { return new_result(name(ARG(0))); }

BINARY(PyNumber_Add)
BINARY(PyNumber_Subtract)
BINARY(PyNumber_Multiply)
BINARY(PyNumber_FloorDivide)
BINARY(PyNumber_TrueDivide)
BINARY(PyNumber_Remainder)
BINARY(PyNumber_Divmod)
BINARY(PyNumber_And)
BINARY(PyNumber_Or)
BINARY(PyNumber_Xor)
BINARY(PyNumber_Lshift)
BINARY(PyNumber_Rshift)
BINARY(PyNumber_InPlaceAdd)
BINARY(PyNumber_InPlaceOr)
BINARY(PyNumber_InPlaceSubtract)
BINARY(PyNumber_InPlaceMultiply)
BINARY(PyNumber_InPlaceFloorDivide)
BINARY(PyNumber_InPlaceTrueDivide)
BINARY(PyNumber_InPlaceRemainder)
BINARY(PyNumber_InPlaceAnd)
BINARY(PyNumber_InPlaceXor)
BINARY(PyNumber_InPlaceLshift)
BINARY(PyNumber_InPlaceRshift)
BINARY(PyNumber_MatrixMultiply)
BINARY(PyNumber_InPlaceMatrixMultiply)
UNARY(PyNumber_Negative)
UNARY(PyNumber_Positive)
UNARY(PyNumber_Absolute)
UNARY(PyNumber_Invert)
UNARY(PyNumber_Index)
UNARY(PyNumber_Long)
UNARY(PyNumber_Float)

static PyObject *r_PyNumber_Power(PyObject *args)
{
    return new_result(PyNumber_Power(ARG(0), ARG(1), ARG(2)));
}

static PyObject *r_PyNumber_InPlacePower(PyObject *args)
{
    return new_result(PyNumber_InPlacePower(ARG(0), ARG(1), ARG(2)));
}

static PyObject *r_PyNumber_Check(PyObject *args) { return flag_result(PyNumber_Check(ARG(0))); }

/* (o, raise_overflow): exc is PyExc_OverflowError when raise_overflow, else NULL (clamp). */
static PyObject *r_PyNumber_AsSsize_t(PyObject *args)
{
    Py_ssize_t raise_overflow;
    if (arg_ssize(args, 1, &raise_overflow) < 0)
        return NULL;
    return long_result(PyNumber_AsSsize_t(ARG(0), raise_overflow ? PyExc_OverflowError : NULL), -1);
}

static PyObject *r_PyNumber_ToBase(PyObject *args)
{
    int base;
    if (arg_int(args, 1, &base) < 0)
        return NULL;
    return new_result(PyNumber_ToBase(ARG(0), base));
}

/* ---- int and float ---- */

static PyObject *r_PyLong_FromLong(PyObject *args)
{
    long long v;
    if (arg_llong(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromLong((long)v));
}

/* The unsigned conversions get the bits of a signed argument: the oracle is x mod 2**64. */
static PyObject *r_PyLong_FromUnsignedLong(PyObject *args)
{
    long long v;
    if (arg_llong(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromUnsignedLong((unsigned long)v));
}

static PyObject *r_PyLong_FromLongLong(PyObject *args)
{
    long long v;
    if (arg_llong(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromLongLong(v));
}

static PyObject *r_PyLong_FromUnsignedLongLong(PyObject *args)
{
    long long v;
    if (arg_llong(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromUnsignedLongLong((unsigned long long)v));
}

static PyObject *r_PyLong_FromSsize_t(PyObject *args)
{
    Py_ssize_t v;
    if (arg_ssize(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromSsize_t(v));
}

static PyObject *r_PyLong_FromSize_t(PyObject *args)
{
    Py_ssize_t v;
    if (arg_ssize(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromSize_t((size_t)v));
}

static PyObject *r_PyLong_FromVoidPtr(PyObject *args)
{
    long long v;
    if (arg_llong(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromVoidPtr((void *)(size_t)(unsigned long long)v));
}

static PyObject *r_PyLong_FromDouble(PyObject *args)
{
    double v;
    if (arg_double(args, 0, &v) < 0)
        return NULL;
    return new_result(PyLong_FromDouble(v));
}

/* (text, base): the text is a bytes argument, read as the C string it holds (up to a NUL). */
static PyObject *r_PyLong_FromString(PyObject *args)
{
    int base;
    const char *text = arg_bytes(args, 0, NULL);
    if (text == NULL || arg_int(args, 1, &base) < 0)
        return NULL;
    return new_result(PyLong_FromString(text, NULL, base));
}

static PyObject *r_PyLong_AsLong(PyObject *args) { return long_result(PyLong_AsLong(ARG(0)), -1); }
static PyObject *r_PyLong_AsLongLong(PyObject *args) { return long_result(PyLong_AsLongLong(ARG(0)), -1); }
static PyObject *r_PyLong_AsSsize_t(PyObject *args) { return long_result(PyLong_AsSsize_t(ARG(0)), -1); }

static PyObject *r_PyLong_AsUnsignedLong(PyObject *args)
{
    return ulong_result(PyLong_AsUnsignedLong(ARG(0)), (unsigned long)-1);
}

static PyObject *r_PyLong_AsUnsignedLongLong(PyObject *args)
{
    return ulong_result(PyLong_AsUnsignedLongLong(ARG(0)), (unsigned long long)-1);
}

static PyObject *r_PyLong_AsSize_t(PyObject *args)
{
    return ulong_result(PyLong_AsSize_t(ARG(0)), (size_t)-1);
}

static PyObject *r_PyLong_AsUnsignedLongMask(PyObject *args)
{
    return ulong_result(PyLong_AsUnsignedLongMask(ARG(0)), (unsigned long)-1);
}

static PyObject *r_PyLong_AsUnsignedLongLongMask(PyObject *args)
{
    return ulong_result(PyLong_AsUnsignedLongLongMask(ARG(0)), (unsigned long long)-1);
}

static PyObject *r_PyLong_AsDouble(PyObject *args) { return double_result(PyLong_AsDouble(ARG(0))); }

/* The pointer's value as an unsigned int; NULL is a legitimate result for 0. */
static PyObject *r_PyLong_AsVoidPtr(PyObject *args)
{
    void *p = PyLong_AsVoidPtr(ARG(0));
    if (PyErr_Occurred()) {
        if (p == NULL)
            return NULL;
        PyErr_Clear();
        return contract("returned a non-NULL pointer with an exception set");
    }
    return Py_BuildValue("K", (unsigned long long)(size_t)p);
}

/* The out-parameter sits between canary bytes: a write of the wrong width or place shows. */
struct canaried_int {
    unsigned char before[16];
    int value;
    unsigned char after[16];
};

static void canary_fill(struct canaried_int *c)
{
    memset(c, 0xA5, sizeof *c);
}

static int canary_intact(const struct canaried_int *c)
{
    for (size_t i = 0; i < sizeof c->before; i++)
        if (c->before[i] != 0xA5 || c->after[i] != 0xA5)
            return 0;
    return 1;
}

/* (value, overflow) */
static PyObject *and_overflow_result(long long value, struct canaried_int *overflow)
{
    if (!canary_intact(overflow)) {
        PyErr_Clear();
        return contract("wrote outside the overflow out-parameter");
    }
    if (PyErr_Occurred()) {
        if (value == -1)
            return NULL;
        PyErr_Clear();
        return contract("returned a non-error value with an exception set");
    }
    if (overflow->value < -1 || overflow->value > 1)
        return contract("set *overflow to something other than -1, 0 or 1");
    if (overflow->value != 0 && value != -1)
        return contract("set *overflow but did not return -1");
    return Py_BuildValue("(Li)", value, overflow->value);
}

static PyObject *r_PyLong_AsLongAndOverflow(PyObject *args)
{
    struct canaried_int overflow;
    canary_fill(&overflow);
    long value = PyLong_AsLongAndOverflow(ARG(0), &overflow.value);
    return and_overflow_result(value, &overflow);
}

static PyObject *r_PyLong_AsLongLongAndOverflow(PyObject *args)
{
    struct canaried_int overflow;
    canary_fill(&overflow);
    long long value = PyLong_AsLongLongAndOverflow(ARG(0), &overflow.value);
    return and_overflow_result(value, &overflow);
}

#if LIMITED_AT_LEAST(0x030D0000)
static PyObject *r_PyLong_AsInt(PyObject *args) { return long_result(PyLong_AsInt(ARG(0)), -1); }
#endif

static PyObject *r_PyLong_GetInfo(PyObject *args) { return new_result(PyLong_GetInfo()); }

static PyObject *r_PyBool_FromLong(PyObject *args)
{
    long long v;
    if (arg_llong(args, 0, &v) < 0)
        return NULL;
    return new_result(PyBool_FromLong((long)v));
}

static PyObject *r_PyFloat_FromDouble(PyObject *args)
{
    double v;
    if (arg_double(args, 0, &v) < 0)
        return NULL;
    return new_result(PyFloat_FromDouble(v));
}

static PyObject *r_PyFloat_AsDouble(PyObject *args) { return double_result(PyFloat_AsDouble(ARG(0))); }
static PyObject *r_PyFloat_FromString(PyObject *args) { return new_result(PyFloat_FromString(ARG(0))); }
static PyObject *r_PyFloat_GetMax(PyObject *args) { return Py_BuildValue("d", PyFloat_GetMax()); }
static PyObject *r_PyFloat_GetMin(PyObject *args) { return Py_BuildValue("d", PyFloat_GetMin()); }
static PyObject *r_PyFloat_GetInfo(PyObject *args) { return new_result(PyFloat_GetInfo()); }

/* ---- str ---- */

/* The C string a bytes argument holds (up to its first NUL). */
static PyObject *r_PyUnicode_FromString(PyObject *args)
{
    const char *text = arg_bytes(args, 0, NULL);
    return text ? new_result(PyUnicode_FromString(text)) : NULL;
}

/* (bytes, size): the size is clamped to the buffer so a shrunk counterexample stays in bounds;
 * a negative size is passed through. */
static PyObject *r_PyUnicode_FromStringAndSize(PyObject *args)
{
    Py_ssize_t length, size;
    const char *text = arg_bytes(args, 0, &length);
    if (text == NULL || arg_ssize(args, 1, &size) < 0)
        return NULL;
    return new_result(PyUnicode_FromStringAndSize(text, size > length ? length : size));
}

static PyObject *r_PyUnicode_InternFromString(PyObject *args)
{
    const char *text = arg_bytes(args, 0, NULL);
    return text ? new_result(PyUnicode_InternFromString(text)) : NULL;
}

#if LIMITED_AT_LEAST(0x03070000)
static PyObject *r_PyUnicode_GetLength(PyObject *args) { return long_result(PyUnicode_GetLength(ARG(0)), -1); }

static PyObject *r_PyUnicode_ReadChar(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return ulong_result(PyUnicode_ReadChar(ARG(0), index), (Py_UCS4)-1);
}

static PyObject *r_PyUnicode_Substring(PyObject *args)
{
    Py_ssize_t start, end;
    if (arg_ssize(args, 1, &start) < 0 || arg_ssize(args, 2, &end) < 0)
        return NULL;
    return new_result(PyUnicode_Substring(ARG(0), start, end));
}

/* The code points, from a PyMem_Malloc'd copy that ends with a 0. */
static PyObject *r_PyUnicode_AsUCS4Copy(PyObject *args)
{
    REQUIRE(PyUnicode_GetLength);
    Py_UCS4 *buffer = PyUnicode_AsUCS4Copy(ARG(0));
    if (buffer == NULL)
        return new_result(NULL);
    Py_ssize_t length = PyUnicode_GetLength(ARG(0));
    PyObject *result = length < 0 ? NULL : PyList_New(0);
    for (Py_ssize_t i = 0; result != NULL && i < length; i++) {
        PyObject *item = Py_BuildValue("k", (unsigned long)buffer[i]);
        if (item == NULL || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(result);
            break;
        }
        Py_DECREF(item);
    }
    int terminated = result == NULL || buffer[length] == 0;
    PyMem_Free(buffer);
    if (!terminated) {
        Py_DECREF(result);
        return contract("the UCS4 copy is not NUL-terminated");
    }
    return result;
}

/* The wchar_t units (with the size out-parameter, so embedded NULs are allowed). */
static PyObject *r_PyUnicode_AsWideCharString(PyObject *args)
{
    Py_ssize_t size = -12345;
    wchar_t *buffer = PyUnicode_AsWideCharString(ARG(0), &size);
    if (buffer == NULL)
        return new_result(NULL);
    PyObject *result = PyList_New(0);
    for (Py_ssize_t i = 0; result != NULL && i < size; i++) {
        PyObject *item = Py_BuildValue("k", (unsigned long)buffer[i]);
        if (item == NULL || PyList_Append(result, item) < 0) {
            Py_XDECREF(item);
            Py_CLEAR(result);
            break;
        }
        Py_DECREF(item);
    }
    int terminated = size >= 0 && buffer[size] == 0;
    PyMem_Free(buffer);
    if (result != NULL && !terminated) {
        Py_DECREF(result);
        return contract("bad size, or the wide string is not NUL-terminated");
    }
    return result;
}
#endif

static PyObject *r_PyUnicode_Concat(PyObject *args) { return new_result(PyUnicode_Concat(ARG(0), ARG(1))); }
static PyObject *r_PyUnicode_Contains(PyObject *args) { return bool_result(PyUnicode_Contains(ARG(0), ARG(1))); }

static PyObject *r_PyUnicode_Compare(PyObject *args)
{
    int value = PyUnicode_Compare(ARG(0), ARG(1));
    if (PyErr_Occurred()) {
        if (value == -1)
            return NULL;
        PyErr_Clear();
        return contract("returned a non-error value with an exception set");
    }
    return Py_BuildValue("i", value < 0 ? -1 : value > 0 ? 1 : 0);
}

/* (str, ascii bytes): the sign of the comparison. */
static PyObject *r_PyUnicode_CompareWithASCIIString(PyObject *args)
{
    const char *text = arg_bytes(args, 1, NULL);
    if (text == NULL)
        return NULL;
    int value = PyUnicode_CompareWithASCIIString(ARG(0), text);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("PyUnicode_CompareWithASCIIString set an exception");
    }
    return Py_BuildValue("i", value < 0 ? -1 : value > 0 ? 1 : 0);
}

static PyObject *r_PyUnicode_RichCompare(PyObject *args)
{
    int op;
    if (arg_compare_op(args, 2, &op) < 0)
        return NULL;
    return new_result(PyUnicode_RichCompare(ARG(0), ARG(1), op));
}

static PyObject *r_PyUnicode_Split(PyObject *args)
{
    Py_ssize_t maxsplit;
    if (arg_ssize(args, 2, &maxsplit) < 0)
        return NULL;
    PyObject *sep = ARG(1) == Py_None ? NULL : ARG(1);
    return new_result(PyUnicode_Split(ARG(0), sep, maxsplit));
}

static PyObject *r_PyUnicode_RSplit(PyObject *args)
{
    Py_ssize_t maxsplit;
    if (arg_ssize(args, 2, &maxsplit) < 0)
        return NULL;
    PyObject *sep = ARG(1) == Py_None ? NULL : ARG(1);
    return new_result(PyUnicode_RSplit(ARG(0), sep, maxsplit));
}

static PyObject *r_PyUnicode_Splitlines(PyObject *args)
{
    int keepends;
    if (arg_int(args, 1, &keepends) < 0)
        return NULL;
    return new_result(PyUnicode_Splitlines(ARG(0), keepends));
}

static PyObject *r_PyUnicode_Partition(PyObject *args) { return new_result(PyUnicode_Partition(ARG(0), ARG(1))); }
static PyObject *r_PyUnicode_RPartition(PyObject *args) { return new_result(PyUnicode_RPartition(ARG(0), ARG(1))); }
static PyObject *r_PyUnicode_Join(PyObject *args) { return new_result(PyUnicode_Join(ARG(0), ARG(1))); }

static PyObject *r_PyUnicode_FromOrdinal(PyObject *args)
{
    int ordinal;
    if (arg_int(args, 0, &ordinal) < 0)
        return NULL;
    return new_result(PyUnicode_FromOrdinal(ordinal));
}

static PyObject *r_PyUnicode_AsUTF8String(PyObject *args) { return new_result(PyUnicode_AsUTF8String(ARG(0))); }
static PyObject *r_PyUnicode_AsASCIIString(PyObject *args) { return new_result(PyUnicode_AsASCIIString(ARG(0))); }
static PyObject *r_PyUnicode_AsLatin1String(PyObject *args) { return new_result(PyUnicode_AsLatin1String(ARG(0))); }
static PyObject *r_PyUnicode_FromObject(PyObject *args) { return new_result(PyUnicode_FromObject(ARG(0))); }
static PyObject *r_PyUnicode_Format(PyObject *args) { return new_result(PyUnicode_Format(ARG(0), ARG(1))); }

/* (bytes, errors or None) into name(data, size, errors EXTRA): EXTRA is empty, or
 * NULL_BYTE_ORDER for the UTF-16/32 decoders (a BOM decides, else the native order). */
#define DECODER_WITH(name, extra)                                                 \
    static PyObject *r_##name(PyObject *args)                                     \
    {                                                                             \
        Py_ssize_t length;                                                        \
        PyObject *holder;                                                         \
        const char *errors;                                                       \
        const char *data = arg_bytes(args, 0, &length);                           \
        if (data == NULL || arg_utf8(args, 1, 1, &holder, &errors) < 0)           \
            return NULL;                                                          \
        PyObject *result = new_result(name(data, length, errors extra));          \
        Py_XDECREF(holder);                                                       \
        return result;                                                            \
    }
#define NULL_BYTE_ORDER , NULL
#define DECODER(name) DECODER_WITH(name, )
#define BOM_DECODER(name) DECODER_WITH(name, NULL_BYTE_ORDER)

DECODER(PyUnicode_DecodeUTF8)
DECODER(PyUnicode_DecodeLatin1)
DECODER(PyUnicode_DecodeASCII)
DECODER(PyUnicode_DecodeUTF7)
DECODER(PyUnicode_DecodeUnicodeEscape)
DECODER(PyUnicode_DecodeRawUnicodeEscape)

BOM_DECODER(PyUnicode_DecodeUTF16)
BOM_DECODER(PyUnicode_DecodeUTF32)

static PyObject *r_PyUnicode_AsUTF16String(PyObject *args) { return new_result(PyUnicode_AsUTF16String(ARG(0))); }
static PyObject *r_PyUnicode_AsUTF32String(PyObject *args) { return new_result(PyUnicode_AsUTF32String(ARG(0))); }
static PyObject *r_PyUnicode_AsUnicodeEscapeString(PyObject *args) { return new_result(PyUnicode_AsUnicodeEscapeString(ARG(0))); }
static PyObject *r_PyUnicode_AsRawUnicodeEscapeString(PyObject *args) { return new_result(PyUnicode_AsRawUnicodeEscapeString(ARG(0))); }

/* (object, encoding, errors or None) into f(object, encoding, errors); a None encoding is
 * NULL where `encoding_none_ok`. */
static PyObject *codec_call(PyObject *args, int encoding_none_ok, PyObject *(*f)(PyObject *, const char *, const char *))
{
    PyObject *encoding_holder, *errors_holder;
    const char *encoding, *errors;
    if (arg_utf8(args, 1, encoding_none_ok, &encoding_holder, &encoding) < 0)
        return NULL;
    if (arg_utf8(args, 2, 1, &errors_holder, &errors) < 0) {
        Py_XDECREF(encoding_holder);
        return NULL;
    }
    PyObject *result = new_result(f(ARG(0), encoding, errors));
    Py_XDECREF(encoding_holder);
    Py_XDECREF(errors_holder);
    return result;
}

static PyObject *r_PyUnicode_AsEncodedString(PyObject *args) { return codec_call(args, 1, PyUnicode_AsEncodedString); }

/* (bytes, encoding or None, errors or None) */
static PyObject *r_PyUnicode_FromEncodedObject(PyObject *args)
{
    PyObject *encoding_holder, *errors_holder = NULL;
    const char *encoding, *errors;
    if (arg_utf8(args, 1, 1, &encoding_holder, &encoding) < 0)
        return NULL;
    if (arg_utf8(args, 2, 1, &errors_holder, &errors) < 0) {
        Py_XDECREF(encoding_holder);
        return NULL;
    }
    PyObject *result = new_result(PyUnicode_FromEncodedObject(ARG(0), encoding, errors));
    Py_XDECREF(encoding_holder);
    Py_XDECREF(errors_holder);
    return result;
}

static PyObject *r_PyUnicode_Find(PyObject *args)
{
    Py_ssize_t start, end, direction;
    if (arg_ssize(args, 2, &start) < 0 || arg_ssize(args, 3, &end) < 0 || arg_ssize(args, 4, &direction) < 0)
        return NULL;
    return long_result(PyUnicode_Find(ARG(0), ARG(1), start, end, (int)direction), -2);
}

static PyObject *r_PyUnicode_Tailmatch(PyObject *args)
{
    Py_ssize_t start, end, direction;
    if (arg_ssize(args, 2, &start) < 0 || arg_ssize(args, 3, &end) < 0 || arg_ssize(args, 4, &direction) < 0)
        return NULL;
    return long_result(PyUnicode_Tailmatch(ARG(0), ARG(1), start, end, (int)direction), -1);
}

static PyObject *r_PyUnicode_Replace(PyObject *args)
{
    Py_ssize_t count;
    if (arg_ssize(args, 3, &count) < 0)
        return NULL;
    return new_result(PyUnicode_Replace(ARG(0), ARG(1), ARG(2), count));
}

static PyObject *r_PyUnicode_IsIdentifier(PyObject *args) { return bool_result(PyUnicode_IsIdentifier(ARG(0))); }

static PyObject *r_PyUnicode_DecodeFSDefault(PyObject *args)
{
    const char *text = arg_bytes(args, 0, NULL);
    return text ? new_result(PyUnicode_DecodeFSDefault(text)) : NULL;
}

static PyObject *r_PyUnicode_EncodeFSDefault(PyObject *args) { return new_result(PyUnicode_EncodeFSDefault(ARG(0))); }

/* (n, ordinal, obj, text, cstring): one varargs call covering the common conversions. */
static PyObject *r_PyUnicode_FromFormat(PyObject *args)
{
    long long n;
    int ordinal;
    const char *cstring = arg_bytes(args, 4, NULL);
    if (cstring == NULL || arg_llong(args, 0, &n) < 0 || arg_int(args, 1, &ordinal) < 0)
        return NULL;
    return new_result(PyUnicode_FromFormat("%lld|%zd|%c|%R|%S|%U|%s|%%|%d", n, (Py_ssize_t)n, ordinal,
                                           ARG(2), ARG(2), ARG(3), cstring, (int)(n & 0x7fff)));
}

#if LIMITED_AT_LEAST(0x030A0000)
/* The UTF-8 buffer as bytes; it must be NUL-terminated at the reported size. */
static PyObject *r_PyUnicode_AsUTF8AndSize(PyObject *args)
{
    Py_ssize_t size = -12345;
    const char *data = PyUnicode_AsUTF8AndSize(ARG(0), &size);
    if (data == NULL)
        return new_result(NULL);
    if (size < 0 || data[size] != '\0')
        return contract("bad size, or the UTF-8 buffer is not NUL-terminated");
    return sized_bytes(data, size);
}
#endif

#if LIMITED_AT_LEAST(0x030D0000)
/* (str, bytes): the C string the bytes hold (up to a NUL). */
static PyObject *r_PyUnicode_EqualToUTF8(PyObject *args)
{
    const char *text = arg_bytes(args, 1, NULL);
    return text ? flag_result(PyUnicode_EqualToUTF8(ARG(0), text)) : NULL;
}

/* (str, bytes): the whole buffer, embedded NULs included. */
static PyObject *r_PyUnicode_EqualToUTF8AndSize(PyObject *args)
{
    Py_ssize_t length;
    const char *text = arg_bytes(args, 1, &length);
    return text ? flag_result(PyUnicode_EqualToUTF8AndSize(ARG(0), text, length)) : NULL;
}
#endif

/* ---- bytes and bytearray ---- */

/* (bytes, size): the size is clamped to the buffer; a negative size is passed through. */
static PyObject *r_PyBytes_FromStringAndSize(PyObject *args)
{
    Py_ssize_t length, size;
    const char *data = arg_bytes(args, 0, &length);
    if (data == NULL || arg_ssize(args, 1, &size) < 0)
        return NULL;
    return new_result(PyBytes_FromStringAndSize(data, size > length ? length : size));
}

static PyObject *r_PyBytes_FromString(PyObject *args)
{
    const char *data = arg_bytes(args, 0, NULL);
    return data ? new_result(PyBytes_FromString(data)) : NULL;
}

static PyObject *r_PyBytes_Size(PyObject *args) { return long_result(PyBytes_Size(ARG(0)), -1); }

/* The buffer up to its terminating NUL, which must sit at the object's size. */
static PyObject *r_PyBytes_AsString(PyObject *args)
{
    char *data = PyBytes_AsString(ARG(0));
    if (data == NULL)
        return new_result(NULL);
    if (data[Py_SIZE(ARG(0))] != '\0')
        return contract("the bytes buffer is not NUL-terminated");
    return Py_BuildValue("y", data);
}

static PyObject *r_PyBytes_AsStringAndSize(PyObject *args)
{
    char *data = (char *)"canary";
    Py_ssize_t size = -12345;
    if (PyBytes_AsStringAndSize(ARG(0), &data, &size) < 0)
        return status_result(-1);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("returned success with an exception set");
    }
    if (size < 0 || data[size] != '\0')
        return contract("bad size, or the bytes buffer is not NUL-terminated");
    return sized_bytes(data, size);
}

static PyObject *r_PyBytes_FromObject(PyObject *args) { return new_result(PyBytes_FromObject(ARG(0))); }

/* PyBytes_Concat(&left, right) on our own reference to left; the arguments are unchanged. */
static PyObject *r_PyBytes_Concat(PyObject *args)
{
    PyObject *left = ARG(0);
    Py_INCREF(left);
    PyBytes_Concat(&left, ARG(1));
    return new_result(left);
}

/* PyBytes_ConcatAndDel(&left, right) steals right: give it a reference of its own. */
static PyObject *r_PyBytes_ConcatAndDel(PyObject *args)
{
    PyObject *left = ARG(0), *right = ARG(1);
    Py_INCREF(left);
    Py_INCREF(right);
    PyBytes_ConcatAndDel(&left, right);
    return new_result(left);
}

static PyObject *r_PyBytes_Repr(PyObject *args) { return new_result(PyBytes_Repr(ARG(0), 1)); }

/* (bytes, errors or None); the last two parameters are unused and must be 0 and NULL. */
static PyObject *r_PyBytes_DecodeEscape(PyObject *args)
{
    Py_ssize_t length;
    PyObject *holder;
    const char *errors;
    const char *data = arg_bytes(args, 0, &length);
    if (data == NULL || arg_utf8(args, 1, 1, &holder, &errors) < 0)
        return NULL;
    PyObject *result = new_result(PyBytes_DecodeEscape(data, length, errors, 0, NULL));
    Py_XDECREF(holder);
    return result;
}

/* (n, byte, cstring). PyBytes_FromFormat has no %lld (an unknown conversion copies the rest of
 * the format as-is), so n goes through %ld. */
static PyObject *r_PyBytes_FromFormat(PyObject *args)
{
    long long n;
    int byte;
    const char *cstring = arg_bytes(args, 2, NULL);
    if (cstring == NULL || arg_llong(args, 0, &n) < 0 || arg_int(args, 1, &byte) < 0)
        return NULL;
    return new_result(PyBytes_FromFormat("%ld|%zd|%c|%s|%%|%d", (long)n, (Py_ssize_t)n, byte, cstring, (int)(n & 0x7fff)));
}

static PyObject *r_PyByteArray_FromObject(PyObject *args) { return new_result(PyByteArray_FromObject(ARG(0))); }

static PyObject *r_PyByteArray_FromStringAndSize(PyObject *args)
{
    Py_ssize_t length, size;
    const char *data = arg_bytes(args, 0, &length);
    if (data == NULL || arg_ssize(args, 1, &size) < 0)
        return NULL;
    return new_result(PyByteArray_FromStringAndSize(data, size > length ? length : size));
}

/* A fresh bytearray with the contents of a bytes argument (PyByteArray_* need a bytearray). */
static PyObject *fresh_bytearray(PyObject *args, Py_ssize_t n)
{
    Py_ssize_t length;
    const char *data = arg_bytes(args, n, &length);
    return data ? PyByteArray_FromStringAndSize(data, length) : NULL;
}

static PyObject *r_PyByteArray_Size(PyObject *args)
{
    REQUIRE(PyByteArray_FromStringAndSize);
    PyObject *array = fresh_bytearray(args, 0);
    if (array == NULL)
        return NULL;
    PyObject *result = long_result(PyByteArray_Size(array), -1);
    Py_DECREF(array);
    return result;
}

/* The buffer (as bytes), which must be NUL-terminated at its size. */
static PyObject *r_PyByteArray_AsString(PyObject *args)
{
    REQUIRE(PyByteArray_FromStringAndSize);
    PyObject *array = fresh_bytearray(args, 0);
    if (array == NULL)
        return NULL;
    Py_ssize_t size = Py_SIZE(array);
    const char *data = PyByteArray_AsString(array);
    PyObject *result;
    if (data == NULL)
        result = new_result(NULL);
    else if (data[size] != '\0')
        result = contract("the bytearray buffer is not NUL-terminated");
    else
        result = sized_bytes(data, size);
    Py_DECREF(array);
    return result;
}

static PyObject *r_PyByteArray_Concat(PyObject *args) { return new_result(PyByteArray_Concat(ARG(0), ARG(1))); }

/* (bytes, size): resizes a fresh bytearray; (new length, the preserved prefix). Bytes past the
 * old length are uninitialised, so only the prefix is compared. */
static PyObject *r_PyByteArray_Resize(PyObject *args)
{
    REQUIRE(PyByteArray_FromStringAndSize);
    REQUIRE(PyByteArray_AsString);
    Py_ssize_t size;
    if (arg_ssize(args, 1, &size) < 0)
        return NULL;
    PyObject *array = fresh_bytearray(args, 0);
    if (array == NULL)
        return NULL;
    Py_ssize_t old = Py_SIZE(array);
    PyObject *status = status_result(PyByteArray_Resize(array, size));
    PyObject *result = NULL;
    if (status != NULL) {
        Py_ssize_t now = Py_SIZE(array);
        Py_ssize_t keep = now < old ? now : old;
        result = Py_BuildValue("(nN)", now, sized_bytes(PyByteArray_AsString(array), keep));
        Py_DECREF(status);
    }
    Py_DECREF(array);
    return result;
}

/* ---- list, tuple and the sequence protocol ---- */

/* PyList_New(len(items)) filled with PyList_SetItem (which steals: INCREF first). */
static PyObject *r_PyList_New(PyObject *args)
{
    REQUIRE(PyList_SetItem);
    PyObject *items = ARG(0);
    Py_ssize_t n = PyList_Size(items);
    if (n < 0)
        return NULL;
    PyObject *list = new_result(PyList_New(n));
    for (Py_ssize_t i = 0; list != NULL && i < n; i++) {
        PyObject *item = PyList_GetItem(items, i);
        Py_INCREF(item);
        if (PyList_SetItem(list, i, item) < 0)
            Py_CLEAR(list);
    }
    return list;
}

/* (list, index, item): PyList_SetItem steals the item even on failure, so INCREF first. */
static PyObject *r_PyList_SetItem(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    PyObject *item = ARG(2);
    Py_INCREF(item);
    return status_result(PyList_SetItem(ARG(0), index, item));
}

static PyObject *r_PyList_Size(PyObject *args) { return long_result(PyList_Size(ARG(0)), -1); }

static PyObject *r_PyList_GetItem(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return borrowed_result(PyList_GetItem(ARG(0), index));
}

static PyObject *r_PyList_Append(PyObject *args) { return status_result(PyList_Append(ARG(0), ARG(1))); }

static PyObject *r_PyList_Insert(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return status_result(PyList_Insert(ARG(0), index, ARG(2)));
}

static PyObject *r_PyList_Reverse(PyObject *args) { return status_result(PyList_Reverse(ARG(0))); }
static PyObject *r_PyList_Sort(PyObject *args) { return status_result(PyList_Sort(ARG(0))); }
static PyObject *r_PyList_AsTuple(PyObject *args) { return new_result(PyList_AsTuple(ARG(0))); }

static PyObject *r_PyList_GetSlice(PyObject *args)
{
    Py_ssize_t low, high;
    if (arg_ssize(args, 1, &low) < 0 || arg_ssize(args, 2, &high) < 0)
        return NULL;
    return new_result(PyList_GetSlice(ARG(0), low, high));
}

/* (list, low, high, items or None): None deletes the slice. */
static PyObject *r_PyList_SetSlice(PyObject *args)
{
    Py_ssize_t low, high;
    if (arg_ssize(args, 1, &low) < 0 || arg_ssize(args, 2, &high) < 0)
        return NULL;
    PyObject *items = ARG(3) == Py_None ? NULL : ARG(3);
    return status_result(PyList_SetSlice(ARG(0), low, high, items));
}

#if LIMITED_AT_LEAST(0x030D0000)
/* [item] or an exception: a strong reference, unlike PyList_GetItem. */
static PyObject *r_PyList_GetItemRef(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return new_result(PyList_GetItemRef(ARG(0), index));
}
#endif

/* A fresh tuple holding the items of a list argument, built with PyTuple_New + SetItem. */
static PyObject *fresh_tuple(PyObject *items)
{
    Py_ssize_t n = PyList_Size(items);
    if (n < 0)
        return NULL;
    PyObject *tuple = new_result(PyTuple_New(n));
    for (Py_ssize_t i = 0; tuple != NULL && i < n; i++) {
        PyObject *item = PyList_GetItem(items, i);
        Py_INCREF(item);
        if (PyTuple_SetItem(tuple, i, item) < 0)
            Py_CLEAR(tuple);
    }
    return tuple;
}

static PyObject *r_PyTuple_New(PyObject *args)
{
    REQUIRE(PyTuple_SetItem);
    return fresh_tuple(ARG(0));
}

/* (items, index, item): sets an item of a fresh tuple (refcount 1, as required) built from the
 * items. The empty tuple is a shared singleton, so setting into it must fail. */
static PyObject *r_PyTuple_SetItem(PyObject *args)
{
    REQUIRE(PyTuple_New);
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    PyObject *tuple = fresh_tuple(ARG(0));
    if (tuple == NULL)
        return NULL;
    PyObject *item = ARG(2);
    Py_INCREF(item);
    PyObject *status = status_result(PyTuple_SetItem(tuple, index, item));
    if (status == NULL) {
        Py_DECREF(tuple);
        return NULL;
    }
    Py_DECREF(status);
    return tuple;
}

static PyObject *r_PyTuple_Size(PyObject *args) { return long_result(PyTuple_Size(ARG(0)), -1); }

static PyObject *r_PyTuple_GetItem(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return borrowed_result(PyTuple_GetItem(ARG(0), index));
}

static PyObject *r_PyTuple_GetSlice(PyObject *args)
{
    Py_ssize_t low, high;
    if (arg_ssize(args, 1, &low) < 0 || arg_ssize(args, 2, &high) < 0)
        return NULL;
    return new_result(PyTuple_GetSlice(ARG(0), low, high));
}

/* PyTuple_Pack(n, ...) with the items of a list of up to 4. */
static PyObject *r_PyTuple_Pack(PyObject *args)
{
    PyObject *items = ARG(0);
    PyObject *a[4] = {NULL, NULL, NULL, NULL};
    Py_ssize_t n = PyList_Size(items);
    if (n < 0)
        return NULL;
    if (n > 4) {
        PyErr_SetString(PyExc_ValueError, "probe: PyTuple_Pack takes up to 4 items here");
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        a[i] = PyList_GetItem(items, i);
    switch (n) {
    case 0: return new_result(PyTuple_Pack(0));
    case 1: return new_result(PyTuple_Pack(1, a[0]));
    case 2: return new_result(PyTuple_Pack(2, a[0], a[1]));
    case 3: return new_result(PyTuple_Pack(3, a[0], a[1], a[2]));
    default: return new_result(PyTuple_Pack(4, a[0], a[1], a[2], a[3]));
    }
}

static PyObject *r_PySequence_Check(PyObject *args) { return flag_result(PySequence_Check(ARG(0))); }
static PyObject *r_PySequence_Size(PyObject *args) { return long_result(PySequence_Size(ARG(0)), -1); }
static PyObject *r_PySequence_Length(PyObject *args) { return long_result(PySequence_Length(ARG(0)), -1); }

static PyObject *r_PySequence_GetItem(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return new_result(PySequence_GetItem(ARG(0), index));
}

static PyObject *r_PySequence_SetItem(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return status_result(PySequence_SetItem(ARG(0), index, ARG(2)));
}

static PyObject *r_PySequence_DelItem(PyObject *args)
{
    Py_ssize_t index;
    if (arg_ssize(args, 1, &index) < 0)
        return NULL;
    return status_result(PySequence_DelItem(ARG(0), index));
}

static PyObject *r_PySequence_GetSlice(PyObject *args)
{
    Py_ssize_t low, high;
    if (arg_ssize(args, 1, &low) < 0 || arg_ssize(args, 2, &high) < 0)
        return NULL;
    return new_result(PySequence_GetSlice(ARG(0), low, high));
}

static PyObject *r_PySequence_SetSlice(PyObject *args)
{
    Py_ssize_t low, high;
    if (arg_ssize(args, 1, &low) < 0 || arg_ssize(args, 2, &high) < 0)
        return NULL;
    return status_result(PySequence_SetSlice(ARG(0), low, high, ARG(3)));
}

static PyObject *r_PySequence_DelSlice(PyObject *args)
{
    Py_ssize_t low, high;
    if (arg_ssize(args, 1, &low) < 0 || arg_ssize(args, 2, &high) < 0)
        return NULL;
    return status_result(PySequence_DelSlice(ARG(0), low, high));
}

static PyObject *r_PySequence_Concat(PyObject *args) { return new_result(PySequence_Concat(ARG(0), ARG(1))); }
static PyObject *r_PySequence_InPlaceConcat(PyObject *args) { return new_result(PySequence_InPlaceConcat(ARG(0), ARG(1))); }

static PyObject *r_PySequence_Repeat(PyObject *args)
{
    Py_ssize_t count;
    if (arg_ssize(args, 1, &count) < 0)
        return NULL;
    return new_result(PySequence_Repeat(ARG(0), count));
}

static PyObject *r_PySequence_Contains(PyObject *args) { return bool_result(PySequence_Contains(ARG(0), ARG(1))); }
static PyObject *r_PySequence_In(PyObject *args) { return bool_result(PySequence_In(ARG(0), ARG(1))); }
static PyObject *r_PySequence_Index(PyObject *args) { return long_result(PySequence_Index(ARG(0), ARG(1)), -1); }
static PyObject *r_PySequence_Count(PyObject *args) { return long_result(PySequence_Count(ARG(0), ARG(1)), -1); }
static PyObject *r_PySequence_List(PyObject *args) { return new_result(PySequence_List(ARG(0))); }
static PyObject *r_PySequence_Tuple(PyObject *args) { return new_result(PySequence_Tuple(ARG(0))); }
static PyObject *r_PySequence_Fast(PyObject *args) { return new_result(PySequence_Fast(ARG(0), "probe: not iterable")); }

/* ---- dict ---- */

static PyObject *r_PyDict_New(PyObject *args) { return new_result(PyDict_New()); }
static PyObject *r_PyDict_SetItem(PyObject *args) { return status_result(PyDict_SetItem(ARG(0), ARG(1), ARG(2))); }
static PyObject *r_PyDict_DelItem(PyObject *args) { return status_result(PyDict_DelItem(ARG(0), ARG(1))); }

/* PyDict_GetItem never raises: absent keys and errors alike give NULL. [] or [value]. */
static PyObject *r_PyDict_GetItem(PyObject *args)
{
    PyObject *value = PyDict_GetItem(ARG(0), ARG(1));
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("PyDict_GetItem set an exception");
    }
    return optional_result(value);
}

/* [] (absent), [value], or the exception. */
static PyObject *r_PyDict_GetItemWithError(PyObject *args)
{
    return optional_result(PyDict_GetItemWithError(ARG(0), ARG(1)));
}

/* (dict, bytes key): the key is the C string the bytes hold, decoded as UTF-8. */
static PyObject *r_PyDict_GetItemString(PyObject *args)
{
    const char *key = arg_bytes(args, 1, NULL);
    if (key == NULL)
        return NULL;
    PyObject *value = PyDict_GetItemString(ARG(0), key);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        return contract("PyDict_GetItemString set an exception");
    }
    return optional_result(value);
}

static PyObject *r_PyDict_SetItemString(PyObject *args)
{
    const char *key = arg_bytes(args, 1, NULL);
    return key ? status_result(PyDict_SetItemString(ARG(0), key, ARG(2))) : NULL;
}

static PyObject *r_PyDict_DelItemString(PyObject *args)
{
    const char *key = arg_bytes(args, 1, NULL);
    return key ? status_result(PyDict_DelItemString(ARG(0), key)) : NULL;
}

#if LIMITED_AT_LEAST(0x030D0000)
/* (status, value or None): 1 found, 0 absent (*result NULL), -1 error (*result NULL). */
static PyObject *ref_lookup_result(int status, PyObject *value)
{
    if (status == -1) {
        Py_XDECREF(value);
        if (value != NULL)
            return contract("returned -1 but set *result");
        return status_result(-1);
    }
    if (PyErr_Occurred()) {
        Py_XDECREF(value);
        PyErr_Clear();
        return contract("returned success with an exception set");
    }
    if ((status == 1) != (value != NULL)) {
        Py_XDECREF(value);
        return contract("*result does not agree with the return value");
    }
    if (status != 0 && status != 1)
        return contract("returned something other than -1, 0 or 1");
    return Py_BuildValue("(iN)", status, value ? value : (Py_INCREF(Py_None), Py_None));
}

static PyObject *r_PyDict_GetItemRef(PyObject *args)
{
    PyObject *value = (PyObject *)&ContractError; /* a poison value: must be overwritten */
    int status = PyDict_GetItemRef(ARG(0), ARG(1), &value);
    if (value == (PyObject *)&ContractError)
        return contract("did not set *result");
    return ref_lookup_result(status, value);
}

static PyObject *r_PyDict_GetItemStringRef(PyObject *args)
{
    const char *key = arg_bytes(args, 1, NULL);
    if (key == NULL)
        return NULL;
    PyObject *value = (PyObject *)&ContractError;
    int status = PyDict_GetItemStringRef(ARG(0), key, &value);
    if (value == (PyObject *)&ContractError)
        return contract("did not set *result");
    return ref_lookup_result(status, value);
}
#endif

static PyObject *r_PyDict_Contains(PyObject *args) { return bool_result(PyDict_Contains(ARG(0), ARG(1))); }
static PyObject *r_PyDict_Size(PyObject *args) { return long_result(PyDict_Size(ARG(0)), -1); }
static PyObject *r_PyDict_Keys(PyObject *args) { return new_result(PyDict_Keys(ARG(0))); }
static PyObject *r_PyDict_Values(PyObject *args) { return new_result(PyDict_Values(ARG(0))); }
static PyObject *r_PyDict_Items(PyObject *args) { return new_result(PyDict_Items(ARG(0))); }
static PyObject *r_PyDict_Copy(PyObject *args) { return new_result(PyDict_Copy(ARG(0))); }
static PyObject *r_PyDict_Update(PyObject *args) { return status_result(PyDict_Update(ARG(0), ARG(1))); }

static PyObject *r_PyDict_Merge(PyObject *args)
{
    int override;
    if (arg_int(args, 2, &override) < 0)
        return NULL;
    return status_result(PyDict_Merge(ARG(0), ARG(1), override));
}

static PyObject *r_PyDict_MergeFromSeq2(PyObject *args)
{
    int override;
    if (arg_int(args, 2, &override) < 0)
        return NULL;
    return status_result(PyDict_MergeFromSeq2(ARG(0), ARG(1), override));
}

static PyObject *r_PyDict_Clear(PyObject *args)
{
    PyDict_Clear(ARG(0));
    return void_result();
}

/* The (key, value) pairs PyDict_Next walks through. */
static PyObject *r_PyDict_Next(PyObject *args)
{
    PyObject *pairs = PyList_New(0);
    Py_ssize_t pos = 0;
    PyObject *key = NULL, *value = NULL;
    while (pairs != NULL && PyDict_Next(ARG(0), &pos, &key, &value)) {
        PyObject *pair = Py_BuildValue("(OO)", key, value);
        if (pair == NULL || PyList_Append(pairs, pair) < 0)
            Py_CLEAR(pairs);
        Py_XDECREF(pair);
    }
    if (pairs != NULL && PyErr_Occurred()) {
        Py_DECREF(pairs);
        PyErr_Clear();
        return contract("PyDict_Next set an exception");
    }
    return pairs;
}

/* ---- exceptions ---- */

/* Exception classes by index: the same list, in the same order, as EXCEPTIONS in oracles.py.
 * (Only classes that take any arguments; KeyboardInterrupt and SystemExit would stop the
 * worker.) */
static PyObject **const exception_table[] = {
    &PyExc_BaseException, &PyExc_Exception, &PyExc_TypeError, &PyExc_ValueError,
    &PyExc_KeyError, &PyExc_IndexError, &PyExc_LookupError, &PyExc_ArithmeticError,
    &PyExc_ZeroDivisionError, &PyExc_OverflowError, &PyExc_RuntimeError,
    &PyExc_NotImplementedError, &PyExc_OSError, &PyExc_AttributeError, &PyExc_StopIteration,
    &PyExc_SystemError, &PyExc_MemoryError, &PyExc_AssertionError, &PyExc_ImportError,
    &PyExc_UserWarning, &PyExc_DeprecationWarning, &PyExc_NameError, &PyExc_EOFError,
    &PyExc_BufferError, &PyExc_GeneratorExit,
};

#define EXCEPTION_COUNT ((Py_ssize_t)(sizeof(exception_table) / sizeof(exception_table[0])))

/* The exception class an int argument names (borrowed). */
static PyObject *arg_exception(PyObject *args, Py_ssize_t n)
{
    Py_ssize_t index;
    if (arg_ssize(args, n, &index) < 0)
        return NULL;
    if (index < 0 || index >= EXCEPTION_COUNT) {
        PyErr_SetString(PyExc_IndexError, "probe: no such exception index");
        return NULL;
    }
    PyObject *exc = *exception_table[index];
    if (exc == NULL)
        return contract("an exception class symbol holds NULL");
    return exc;
}

/* (class index, message): raises. */
static PyObject *r_PyErr_SetString(PyObject *args)
{
    PyObject *holder;
    const char *message;
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL || arg_utf8(args, 1, 0, &holder, &message) < 0)
        return NULL;
    PyErr_SetString(exc, message);
    Py_DECREF(holder);
    return NULL;
}

/* (class index, value): raises. */
static PyObject *r_PyErr_SetObject(PyObject *args)
{
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL)
        return NULL;
    PyErr_SetObject(exc, ARG(1));
    return NULL;
}

static PyObject *r_PyErr_SetNone(PyObject *args)
{
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL)
        return NULL;
    PyErr_SetNone(exc);
    return NULL;
}

/* (class index): (PyErr_Occurred() before, after PyErr_SetNone). */
static PyObject *r_PyErr_Occurred(PyObject *args)
{
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL)
        return NULL;
    PyObject *before = PyErr_Occurred();
    PyErr_SetNone(exc);
    PyObject *after = PyErr_Occurred();
    PyErr_Clear();
    return Py_BuildValue("(OO)", before ? before : Py_None, after ? after : Py_None);
}

/* (class index, message): sets, then fetches: (type, value, traceback, cleared). */
static PyObject *r_PyErr_Fetch(PyObject *args)
{
    PyObject *holder;
    const char *message;
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL || arg_utf8(args, 1, 0, &holder, &message) < 0)
        return NULL;
    PyErr_SetString(exc, message);
    Py_DECREF(holder);
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    int cleared = PyErr_Occurred() == NULL;
    PyErr_Clear();
    PyObject *result = Py_BuildValue("(OOOi)", type ? type : Py_None, value ? value : Py_None,
                                     traceback ? traceback : Py_None, cleared);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return result;
}

/* (class index, value): PyErr_Restore(type, value, NULL) then return NULL: raises. */
static PyObject *r_PyErr_Restore(PyObject *args)
{
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL)
        return NULL;
    Py_INCREF(exc);
    Py_INCREF(ARG(1));
    PyErr_Restore(exc, ARG(1), NULL);
    return NULL;
}

/* (class index, value): sets, fetches, normalizes: (type, args of the instance). */
static PyObject *r_PyErr_NormalizeException(PyObject *args)
{
    REQUIRE(PyErr_Fetch);
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL)
        return NULL;
    PyErr_SetObject(exc, ARG(1));
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    if (PyErr_Occurred()) {
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(traceback);
        return NULL;
    }
    PyObject *exc_args = value ? PyObject_GetAttrString(value, "args") : NULL;
    PyObject *result = exc_args ? Py_BuildValue("(ON)", type ? type : Py_None, exc_args) : NULL;
    if (value == NULL && !PyErr_Occurred())
        result = contract("normalization left no value");
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return result;
}

/* (class index, message): PyErr_Clear() after setting leaves no exception. */
static PyObject *r_PyErr_Clear(PyObject *args)
{
    PyObject *holder;
    const char *message;
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL || arg_utf8(args, 1, 0, &holder, &message) < 0)
        return NULL;
    PyErr_SetString(exc, message);
    Py_DECREF(holder);
    PyErr_Clear();
    if (PyErr_Occurred())
        return contract("PyErr_Clear left an exception set");
    return Py_BuildValue("O", Py_True);
}

/* (given index, match index, given as an instance) */
static PyObject *r_PyErr_GivenExceptionMatches(PyObject *args)
{
    Py_ssize_t as_instance;
    PyObject *given = arg_exception(args, 0);
    PyObject *match = given ? arg_exception(args, 1) : NULL;
    if (match == NULL || arg_ssize(args, 2, &as_instance) < 0)
        return NULL;
    if (!as_instance)
        return flag_result(PyErr_GivenExceptionMatches(given, match));
    PyObject *instance = PyObject_CallObject(given, NULL);
    if (instance == NULL)
        return NULL;
    PyObject *result = flag_result(PyErr_GivenExceptionMatches(instance, match));
    Py_DECREF(instance);
    return result;
}

/* (raised index, match index) */
static PyObject *r_PyErr_ExceptionMatches(PyObject *args)
{
    PyObject *raised = arg_exception(args, 0);
    PyObject *match = raised ? arg_exception(args, 1) : NULL;
    if (match == NULL)
        return NULL;
    PyErr_SetNone(raised);
    int matches = PyErr_ExceptionMatches(match);
    PyErr_Clear();
    return Py_BuildValue("i", matches);
}

/* (dotted name as bytes, base index): (the class, its __bases__). */
static PyObject *r_PyErr_NewException(PyObject *args)
{
    const char *name = arg_bytes(args, 0, NULL);
    PyObject *base = name ? arg_exception(args, 1) : NULL;
    if (base == NULL)
        return NULL;
    PyObject *cls = new_result(PyErr_NewException(name, base, NULL));
    if (cls == NULL)
        return NULL;
    PyObject *bases = PyObject_GetAttrString(cls, "__bases__");
    PyObject *result = bases ? Py_BuildValue("(ON)", cls, bases) : NULL;
    Py_DECREF(cls);
    return result;
}

/* (dotted name as bytes, doc as bytes, base index): (the class, its __doc__). */
static PyObject *r_PyErr_NewExceptionWithDoc(PyObject *args)
{
    const char *name = arg_bytes(args, 0, NULL);
    const char *doc = name ? arg_bytes(args, 1, NULL) : NULL;
    PyObject *base = doc ? arg_exception(args, 2) : NULL;
    if (base == NULL)
        return NULL;
    PyObject *cls = new_result(PyErr_NewExceptionWithDoc(name, doc, base, NULL));
    if (cls == NULL)
        return NULL;
    PyObject *cls_doc = PyObject_GetAttrString(cls, "__doc__");
    PyObject *result = cls_doc ? Py_BuildValue("(ON)", cls, cls_doc) : NULL;
    Py_DECREF(cls);
    return result;
}

static PyObject *r_PyErr_BadArgument(PyObject *args)
{
    if (PyErr_BadArgument() != 0)
        return contract("PyErr_BadArgument returned nonzero");
    return new_result(NULL);
}

/* The header turns PyErr_BadInternalCall() into _PyErr_BadInternalCall(__FILE__, __LINE__);
 * the parentheses reach the exported function itself. */
static PyObject *r_PyErr_BadInternalCall(PyObject *args)
{
    (PyErr_BadInternalCall)();
    return new_result(NULL);
}

static PyObject *r_PyErr_NoMemory(PyObject *args) { return new_result(PyErr_NoMemory()); }

/* (class index, n, obj): PyErr_Format, then the message of the normalized exception. */
static PyObject *r_PyErr_Format(PyObject *args)
{
    REQUIRE(PyErr_Fetch);
    REQUIRE(PyErr_NormalizeException);
    long long n;
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL || arg_llong(args, 1, &n) < 0)
        return NULL;
    PyObject *returned = PyErr_Format(exc, "%lld|%R|%S|%%", n, ARG(2), ARG(2));
    if (returned != NULL)
        return contract("PyErr_Format returned non-NULL");
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    PyObject *exc_args = value ? PyObject_GetAttrString(value, "args") : NULL;
    PyObject *result = exc_args ? Py_BuildValue("(ON)", type ? type : Py_None, exc_args) : NULL;
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return result;
}

/* (errno): PyErr_SetFromErrno(PyExc_OSError), then (type, args) of the exception. */
static PyObject *r_PyErr_SetFromErrno(PyObject *args)
{
    REQUIRE(PyErr_Fetch);
    REQUIRE(PyErr_NormalizeException);
    int number;
    if (arg_int(args, 0, &number) < 0)
        return NULL;
    errno = number;
    if (PyErr_SetFromErrno(PyExc_OSError) != NULL)
        return contract("PyErr_SetFromErrno returned non-NULL");
    PyObject *type = NULL, *value = NULL, *traceback = NULL;
    PyErr_Fetch(&type, &value, &traceback);
    PyErr_NormalizeException(&type, &value, &traceback);
    PyObject *exc_args = value ? PyObject_GetAttrString(value, "args") : NULL;
    PyObject *result = exc_args ? Py_BuildValue("(ON)", type ? type : Py_None, exc_args) : NULL;
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(traceback);
    return result;
}

#if LIMITED_AT_LEAST(0x030C0000)
/* (class index, message): (type, args, cleared) of what PyErr_GetRaisedException takes. */
static PyObject *r_PyErr_GetRaisedException(PyObject *args)
{
    PyObject *holder;
    const char *message;
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL || arg_utf8(args, 1, 0, &holder, &message) < 0)
        return NULL;
    PyErr_SetString(exc, message);
    Py_DECREF(holder);
    PyObject *raised = PyErr_GetRaisedException();
    int cleared = PyErr_Occurred() == NULL;
    PyErr_Clear();
    if (raised == NULL)
        return contract("PyErr_GetRaisedException returned NULL with an exception set");
    PyObject *exc_args = PyObject_GetAttrString(raised, "args");
    PyObject *result = exc_args ? Py_BuildValue("(ONi)", (PyObject *)Py_TYPE(raised), exc_args, cleared) : NULL;
    Py_DECREF(raised);
    return result;
}

/* (class index, value): raises the instance exc(value). */
static PyObject *r_PyErr_SetRaisedException(PyObject *args)
{
    PyObject *exc = arg_exception(args, 0);
    if (exc == NULL)
        return NULL;
    PyObject *instance = PyObject_CallFunctionObjArgs(exc, ARG(1), NULL);
    if (instance == NULL)
        return NULL;
    PyErr_SetRaisedException(instance);
    return NULL;
}
#endif

/* Exception class data entries: (the object, whether it is builtins.<name>). */
#define EXC_DATA(name) \
    static PyObject *r_PyExc_##name(PyObject *args) { return data_result(PyExc_##name, #name); }

EXC_DATA(BaseException)
EXC_DATA(Exception)
EXC_DATA(TypeError)
EXC_DATA(ValueError)
EXC_DATA(KeyError)
EXC_DATA(IndexError)
EXC_DATA(LookupError)
EXC_DATA(ArithmeticError)
EXC_DATA(ZeroDivisionError)
EXC_DATA(OverflowError)
EXC_DATA(RuntimeError)
EXC_DATA(NotImplementedError)
EXC_DATA(OSError)
EXC_DATA(EnvironmentError)
EXC_DATA(IOError)
EXC_DATA(AttributeError)
EXC_DATA(StopIteration)
EXC_DATA(SystemError)
EXC_DATA(MemoryError)
EXC_DATA(UnicodeDecodeError)
EXC_DATA(UnicodeEncodeError)
EXC_DATA(KeyboardInterrupt)
EXC_DATA(SystemExit)
EXC_DATA(DeprecationWarning)
EXC_DATA(UserWarning)
EXC_DATA(ModuleNotFoundError)
#if LIMITED_AT_LEAST(0x03070000)
EXC_DATA(RecursionError)
EXC_DATA(FileNotFoundError)
EXC_DATA(TimeoutError)
EXC_DATA(StopAsyncIteration)
#endif
#if LIMITED_AT_LEAST(0x030A0000)
EXC_DATA(EncodingWarning)
#endif
#if LIMITED_AT_LEAST(0x030B0000)
EXC_DATA(BaseExceptionGroup)
#endif

/* ---- sets, slices, complex numbers ----
 * Set routines build their set from a list argument with PySet_New (its own property), then
 * return the set after the call, so mutation is compared too. */

static PyObject *r_PySet_New(PyObject *args) { return new_result(PySet_New(ARG(0))); }
static PyObject *r_PyFrozenSet_New(PyObject *args) { return new_result(PyFrozenSet_New(ARG(0))); }

static PyObject *set_after(PyObject *set, int status)
{
    PyObject *none = status_result(status);
    if (none == NULL) {
        Py_DECREF(set);
        return NULL;
    }
    Py_DECREF(none);
    return set;
}

static PyObject *r_PySet_Size(PyObject *args)
{
    PyObject *set = PySet_New(ARG(0));
    if (set == NULL)
        return NULL;
    PyObject *result = long_result(PySet_Size(set), -1);
    Py_DECREF(set);
    return result;
}

static PyObject *r_PySet_Add(PyObject *args)
{
    PyObject *set = PySet_New(ARG(0));
    return set ? set_after(set, PySet_Add(set, ARG(1))) : NULL;
}

static PyObject *r_PySet_Discard(PyObject *args)
{
    PyObject *set = PySet_New(ARG(0));
    if (set == NULL)
        return NULL;
    int found = PySet_Discard(set, ARG(1));
    PyObject *flag = bool_result(found);
    if (flag == NULL) {
        Py_DECREF(set);
        return NULL;
    }
    PyObject *result = Py_BuildValue("(NN)", flag, set);
    return result;
}

static PyObject *r_PySet_Contains(PyObject *args)
{
    PyObject *set = PySet_New(ARG(0));
    if (set == NULL)
        return NULL;
    PyObject *result = bool_result(PySet_Contains(set, ARG(1)));
    Py_DECREF(set);
    return result;
}

static PyObject *r_PySet_Clear(PyObject *args)
{
    PyObject *set = PySet_New(ARG(0));
    return set ? set_after(set, PySet_Clear(set)) : NULL;
}

static PyObject *r_PySet_Pop(PyObject *args)
{
    PyObject *set = PySet_New(ARG(0));
    if (set == NULL)
        return NULL;
    PyObject *item = new_result(PySet_Pop(set));
    if (item == NULL) {
        Py_DECREF(set);
        return NULL;
    }
    return Py_BuildValue("(NN)", item, set);
}

static PyObject *r_PySlice_New(PyObject *args) { return new_result(PySlice_New(ARG(0), ARG(1), ARG(2))); }

static PyObject *r_PyComplex_FromDoubles(PyObject *args)
{
    double real, imag;
    if (arg_double(args, 0, &real) < 0 || arg_double(args, 1, &imag) < 0)
        return NULL;
    return new_result(PyComplex_FromDoubles(real, imag));
}

/* ---- lookups by C string, the interpreter's identity, imports, codecs ----
 * A C-string argument comes as a str and is passed as its UTF-8 (arg_utf8). */

#define WITH_NAME(n, expr)                                                        \
    PyObject *holder;                                                             \
    const char *name;                                                             \
    if (arg_utf8(args, (n), 0, &holder, &name) < 0)                               \
        return NULL;                                                              \
    PyObject *result = (expr);                                                    \
    Py_XDECREF(holder);                                                           \
    return result;

static PyObject *r_PyObject_GetAttrString(PyObject *args) { WITH_NAME(1, new_result(PyObject_GetAttrString(ARG(0), name))) }
static PyObject *r_PyObject_HasAttrString(PyObject *args) { WITH_NAME(1, flag_result(PyObject_HasAttrString(ARG(0), name))) }
static PyObject *r_PyObject_SetAttrString(PyObject *args) { WITH_NAME(1, status_result(PyObject_SetAttrString(ARG(0), name, ARG(2)))) }
static PyObject *r_PyObject_SetAttr(PyObject *args) { return status_result(PyObject_SetAttr(ARG(0), ARG(1), ARG(2))); }
static PyObject *r_PyObject_Dir(PyObject *args) { return new_result(PyObject_Dir(ARG(0))); }
static PyObject *r_PyObject_GenericGetAttr(PyObject *args) { return new_result(PyObject_GenericGetAttr(ARG(0), ARG(1))); }
static PyObject *r_PyObject_SelfIter(PyObject *args) { return new_result(PyObject_SelfIter(ARG(0))); }
static PyObject *r_PyObject_HashNotImplemented(PyObject *args) { return long_result(PyObject_HashNotImplemented(ARG(0)), -1); }
static PyObject *r_PyMapping_Check(PyObject *args) { return flag_result(PyMapping_Check(ARG(0))); }
static PyObject *r_PyMapping_Size(PyObject *args) { return long_result(PyMapping_Size(ARG(0)), -1); }
static PyObject *r_PyMapping_HasKey(PyObject *args) { return flag_result(PyMapping_HasKey(ARG(0), ARG(1))); }
static PyObject *r_PyMapping_HasKeyString(PyObject *args) { WITH_NAME(1, flag_result(PyMapping_HasKeyString(ARG(0), name))) }
static PyObject *r_PyMapping_GetItemString(PyObject *args) { WITH_NAME(1, new_result(PyMapping_GetItemString(ARG(0), name))) }
static PyObject *r_PySequence_InPlaceRepeat(PyObject *args)
{
    Py_ssize_t count;
    if (arg_ssize(args, 1, &count) < 0)
        return NULL;
    return new_result(PySequence_InPlaceRepeat(ARG(0), count));
}
static PyObject *r_PySys_GetObject(PyObject *args) { WITH_NAME(0, optional_result(PySys_GetObject(name))) }
static PyObject *r_Py_GetVersion(PyObject *args) { return new_result(PyUnicode_FromString(Py_GetVersion())); }
static PyObject *r_Py_GetPlatform(PyObject *args) { return new_result(PyUnicode_FromString(Py_GetPlatform())); }
static PyObject *r_Py_GetCopyright(PyObject *args) { return new_result(PyUnicode_FromString(Py_GetCopyright())); }
static PyObject *r_Py_GetRecursionLimit(PyObject *args) { return Py_BuildValue("i", Py_GetRecursionLimit()); }
static PyObject *r_Py_IsInitialized(PyObject *args) { return flag_result(Py_IsInitialized()); }
static PyObject *r_PyImport_ImportModule(PyObject *args) { WITH_NAME(0, new_result(PyImport_ImportModule(name))) }
static PyObject *r_PyImport_Import(PyObject *args) { return new_result(PyImport_Import(ARG(0))); }
static PyObject *r_PyImport_GetMagicNumber(PyObject *args) { return long_result(PyImport_GetMagicNumber(), -1); }
static PyObject *r_PyImport_GetMagicTag(PyObject *args) { return new_result(PyUnicode_FromString(PyImport_GetMagicTag())); }
static PyObject *r_PyCodec_KnownEncoding(PyObject *args) { WITH_NAME(0, flag_result(PyCodec_KnownEncoding(name))) }

static PyObject *r_PyCodec_Encode(PyObject *args) { return codec_call(args, 0, PyCodec_Encode); }
static PyObject *r_PyCodec_Decode(PyObject *args) { return codec_call(args, 0, PyCodec_Decode); }

/* More data entries: exception classes and the types of builtins (their iterators, views and
 * descriptors included), each checked against the object Python code reaches. */
EXC_DATA(AssertionError)
EXC_DATA(BufferError)
EXC_DATA(BytesWarning)
EXC_DATA(EOFError)
EXC_DATA(FloatingPointError)
EXC_DATA(FutureWarning)
EXC_DATA(GeneratorExit)
EXC_DATA(ImportError)
EXC_DATA(ImportWarning)
EXC_DATA(IndentationError)
EXC_DATA(NameError)
EXC_DATA(PendingDeprecationWarning)
EXC_DATA(ReferenceError)
EXC_DATA(RuntimeWarning)
EXC_DATA(SyntaxError)
EXC_DATA(SyntaxWarning)
EXC_DATA(TabError)
EXC_DATA(UnboundLocalError)
EXC_DATA(UnicodeError)
EXC_DATA(UnicodeTranslateError)
EXC_DATA(UnicodeWarning)
EXC_DATA(Warning)
TYPE_DATA(PyComplex_Type, "complex")
TYPE_DATA(PySet_Type, "set")
TYPE_DATA(PyFrozenSet_Type, "frozenset")
TYPE_DATA(PySlice_Type, "slice")
TYPE_DATA(PyRange_Type, "range")
TYPE_DATA(PyMemoryView_Type, "memoryview")
TYPE_DATA(PyProperty_Type, "property")
TYPE_DATA(PyEnum_Type, "enumerate")
TYPE_DATA(PyFilter_Type, "filter")
TYPE_DATA(PyMap_Type, "map")
TYPE_DATA(PyZip_Type, "zip")
TYPE_DATA(PyReversed_Type, "reversed")
TYPE_DATA(PySuper_Type, "super")
TYPE_DATA(PyByteArrayIter_Type, NULL)
TYPE_DATA(PyBytesIter_Type, NULL)
TYPE_DATA(PyCallIter_Type, NULL)
TYPE_DATA(PyCapsule_Type, NULL)
TYPE_DATA(PyClassMethodDescr_Type, NULL)
TYPE_DATA(PyDictItems_Type, NULL)
TYPE_DATA(PyDictKeys_Type, NULL)
TYPE_DATA(PyDictValues_Type, NULL)
TYPE_DATA(PyDictIterItem_Type, NULL)
TYPE_DATA(PyDictIterKey_Type, NULL)
TYPE_DATA(PyDictIterValue_Type, NULL)
TYPE_DATA(PyDictProxy_Type, NULL)
TYPE_DATA(PyEllipsis_Type, NULL)
TYPE_DATA(PyGetSetDescr_Type, NULL)
TYPE_DATA(PyMemberDescr_Type, NULL)
TYPE_DATA(PyMethodDescr_Type, NULL)
TYPE_DATA(PyWrapperDescr_Type, NULL)
TYPE_DATA(PyCFunction_Type, NULL)
TYPE_DATA(PyListIter_Type, NULL)
TYPE_DATA(PyListRevIter_Type, NULL)
TYPE_DATA(PyLongRangeIter_Type, NULL)
TYPE_DATA(PyRangeIter_Type, NULL)
TYPE_DATA(PyModule_Type, NULL)
TYPE_DATA(PySeqIter_Type, NULL)
TYPE_DATA(PySetIter_Type, NULL)
TYPE_DATA(PyTupleIter_Type, NULL)
TYPE_DATA(PyUnicodeIter_Type, NULL)
TYPE_DATA(PyTraceBack_Type, NULL)
TYPE_DATA(_PyWeakref_RefType, NULL)
TYPE_DATA(_PyWeakref_ProxyType, NULL)
TYPE_DATA(_PyWeakref_CallableProxyType, NULL)
#if LIMITED_AT_LEAST(0x03070000)
EXC_DATA(BlockingIOError)
EXC_DATA(BrokenPipeError)
EXC_DATA(ChildProcessError)
EXC_DATA(ConnectionAbortedError)
EXC_DATA(ConnectionError)
EXC_DATA(ConnectionRefusedError)
EXC_DATA(ConnectionResetError)
EXC_DATA(FileExistsError)
EXC_DATA(InterruptedError)
EXC_DATA(IsADirectoryError)
EXC_DATA(NotADirectoryError)
EXC_DATA(PermissionError)
EXC_DATA(ProcessLookupError)
EXC_DATA(ResourceWarning)
#endif
#if LIMITED_AT_LEAST(0x03080000)
TYPE_DATA(PyDictRevIterItem_Type, NULL)
TYPE_DATA(PyDictRevIterKey_Type, NULL)
TYPE_DATA(PyDictRevIterValue_Type, NULL)
#endif
#if LIMITED_AT_LEAST(0x03090000)
TYPE_DATA(Py_GenericAliasType, NULL)
#endif

/* ---- reference counting: header macros compiled from this build's headers ----
 *
 * What a routine can state exactly on every interpreter: on 3.12+ immortal objects (None, small
 * ints, interned and one-character strings, ...) keep their count under the new headers'
 * Py_INCREF/Py_DECREF, while old headers' macros still add and subtract 1 on the raw field. So
 * each routine reports booleans: "the increment was +1, or 0 on an immortal object", "the
 * decrement restored the count", and whether the count looks immortal (oracles.py's
 * is_immortal() says the same from Python).
 */

#define IMMORTAL_THRESHOLD ((Py_ssize_t)1 << 30)
#define LOOKS_IMMORTAL(count) ((count) >= IMMORTAL_THRESHOLD)
#define BOOL(condition) ((condition) ? Py_True : Py_False)

static int increment_ok(Py_ssize_t before, Py_ssize_t after)
{
    return after == before + 1 || (after == before && LOOKS_IMMORTAL(before));
}

/* A fresh object that supports weak references, and a weak reference to it. */
static PyObject *fresh_referent(PyObject **weak)
{
    PyObject *obj = PySet_New(NULL);
    if (obj == NULL)
        return NULL;
    *weak = PyWeakref_NewRef(obj, NULL);
    if (*weak == NULL) {
        Py_DECREF(obj);
        return NULL;
    }
    return obj;
}

/* Whether the weak reference's referent is gone (calling it gives None). */
static int referent_dead(PyObject *weak)
{
    PyObject *referent = PyObject_CallObject(weak, NULL);
    Py_DECREF(weak);
    if (referent == NULL)
        return -1;
    int dead = referent == Py_None;
    Py_DECREF(referent);
    return dead;
}

/* (incremented ok, restored, looks immortal) */
static PyObject *r_Py_INCREF(PyObject *args)
{
    PyObject *obj = ARG(0);
    Py_ssize_t before = Py_REFCNT(obj);
    Py_INCREF(obj);
    Py_ssize_t raised = Py_REFCNT(obj);
    Py_DECREF(obj);
    Py_ssize_t after = Py_REFCNT(obj);
    return Py_BuildValue("(OOO)", BOOL(increment_ok(before, raised)),
                         BOOL(after == before), BOOL(LOOKS_IMMORTAL(before)));
}

/* (incremented ok, restored, looks immortal, a last Py_DECREF deallocates) */
static PyObject *r_Py_DECREF(PyObject *args)
{
    PyObject *obj = ARG(0), *weak;
    Py_ssize_t before = Py_REFCNT(obj);
    Py_INCREF(obj);
    Py_ssize_t raised = Py_REFCNT(obj);
    Py_DECREF(obj);
    Py_ssize_t after = Py_REFCNT(obj);
    PyObject *fresh = fresh_referent(&weak);
    if (fresh == NULL)
        return NULL;
    Py_DECREF(fresh);
    int freed = referent_dead(weak);
    if (freed < 0)
        return NULL;
    return Py_BuildValue("(OOOO)", BOOL(increment_ok(before, raised)),
                         BOOL(after == before), BOOL(LOOKS_IMMORTAL(before)),
                         BOOL(freed));
}

/* (incremented ok, restored, looks immortal, a last Py_XDECREF deallocates); NULL is a no-op. */
static PyObject *r_Py_XINCREF(PyObject *args)
{
    PyObject *obj = ARG(0), *null = NULL, *weak;
    Py_XINCREF(null);
    Py_ssize_t before = Py_REFCNT(obj);
    Py_XINCREF(obj);
    Py_ssize_t raised = Py_REFCNT(obj);
    Py_XDECREF(obj);
    Py_ssize_t after = Py_REFCNT(obj);
    Py_XDECREF(null);
    PyObject *fresh = fresh_referent(&weak);
    if (fresh == NULL)
        return NULL;
    Py_XDECREF(fresh);
    int freed = referent_dead(weak);
    if (freed < 0)
        return NULL;
    return Py_BuildValue("(OOOO)", BOOL(increment_ok(before, raised)),
                         BOOL(after == before), BOOL(LOOKS_IMMORTAL(before)),
                         BOOL(freed));
}

static PyObject *r_Py_XDECREF(PyObject *args) { return r_Py_XINCREF(args); }

/* (pointer cleared, restored, looks immortal, a last Py_CLEAR deallocates) */
static PyObject *r_Py_CLEAR(PyObject *args)
{
    PyObject *obj = ARG(0), *ref = ARG(0), *null = NULL, *weak;
    Py_ssize_t before = Py_REFCNT(obj);
    Py_INCREF(ref);
    Py_CLEAR(ref);
    Py_ssize_t after = Py_REFCNT(obj);
    Py_CLEAR(null);
    PyObject *fresh = fresh_referent(&weak);
    if (fresh == NULL)
        return NULL;
    Py_CLEAR(fresh);
    int freed = referent_dead(weak);
    if (freed < 0)
        return NULL;
    return Py_BuildValue("(OOOO)", BOOL(ref == NULL && null == NULL && fresh == NULL),
                         BOOL(after == before), BOOL(LOOKS_IMMORTAL(before)),
                         BOOL(freed));
}

/* (count positive, the exported Py_IncRef moves it by +1 (or 0 if immortal), looks immortal) */
static PyObject *r_Py_REFCNT(PyObject *args)
{
    REQUIRE(Py_IncRef);
    REQUIRE(Py_DecRef);
    PyObject *obj = ARG(0);
    Py_ssize_t before = Py_REFCNT(obj);
    Py_IncRef(obj);
    Py_ssize_t raised = Py_REFCNT(obj);
    Py_DecRef(obj);
    return Py_BuildValue("(OOO)", BOOL(before > 0), BOOL(increment_ok(before, raised)),
                         BOOL(LOOKS_IMMORTAL(before)));
}

/* The exported functions: (incremented ok, restored, looks immortal) */
static PyObject *r_Py_IncRef(PyObject *args)
{
    PyObject *obj = ARG(0);
    Py_ssize_t before = Py_REFCNT(obj);
    Py_IncRef(obj);
    Py_ssize_t raised = Py_REFCNT(obj);
    Py_DecRef(obj);
    Py_ssize_t after = Py_REFCNT(obj);
    Py_IncRef(NULL);
    Py_DecRef(NULL);
    return Py_BuildValue("(OOO)", BOOL(increment_ok(before, raised)),
                         BOOL(after == before), BOOL(LOOKS_IMMORTAL(before)));
}

static PyObject *r_Py_DecRef(PyObject *args)
{
    REQUIRE(Py_IncRef);
    return r_Py_IncRef(args);
}

static PyObject *r_Py_TYPE(PyObject *args)
{
    PyObject *type = (PyObject *)Py_TYPE(ARG(0));
    Py_INCREF(type);
    return type;
}

/* Only for list, tuple and bytes (ob_size is their length). */
static PyObject *r_Py_SIZE(PyObject *args) { return Py_BuildValue("n", Py_SIZE(ARG(0))); }

/* Py_IS_TYPE(x, type(y)): the headers define it from 3.9 on. */
#if PY_VERSION_HEX >= 0x03090000
static PyObject *r_Py_IS_TYPE(PyObject *args)
{
    return Py_BuildValue("i", Py_IS_TYPE(ARG(0), Py_TYPE(ARG(1))) ? 1 : 0);
}
#endif

static PyObject *return_none(void) { Py_RETURN_NONE; }
static PyObject *return_true(void) { Py_RETURN_TRUE; }
static PyObject *return_false(void) { Py_RETURN_FALSE; }

/* (the object returned, the count went up by one or the object is immortal) */
static PyObject *returned_with_reference(PyObject *(*fn)(void), PyObject *expected)
{
    Py_ssize_t before = Py_REFCNT(expected);
    PyObject *result = fn();
    Py_ssize_t after = Py_REFCNT(expected);
    if (result != expected) {
        Py_XDECREF(result);
        return contract("returned a different object");
    }
    int ok = increment_ok(before, after);
    /* A macro that returned a borrowed reference to a mortal object (3.12+ headers used for an
     * older limited API on an older interpreter): report it, but repair the count so the
     * worker does not go on to deallocate None, True or False. */
    if (after == before && !LOOKS_IMMORTAL(before))
        Py_IncRef(result);
    return Py_BuildValue("(NO)", result, BOOL(ok));
}

static PyObject *r_Py_RETURN_NONE(PyObject *args)
{
    REQUIRE(Py_IncRef);
    return returned_with_reference(return_none, Py_None);
}
static PyObject *r_Py_RETURN_TRUE(PyObject *args)
{
    REQUIRE(Py_IncRef);
    return returned_with_reference(return_true, Py_True);
}
static PyObject *r_Py_RETURN_FALSE(PyObject *args)
{
    REQUIRE(Py_IncRef);
    return returned_with_reference(return_false, Py_False);
}

#if LIMITED_AT_LEAST(0x030A0000)
/* The exported functions (the headers map the names to inline versions; parentheses reach the
 * exports): (result, result is x, incremented ok) */
static PyObject *r_Py_NewRef(PyObject *args)
{
    PyObject *obj = ARG(0);
    Py_ssize_t before = Py_REFCNT(obj);
    PyObject *ref = (Py_NewRef)(obj);
    Py_ssize_t after = Py_REFCNT(obj);
    return Py_BuildValue("(NOO)", ref, BOOL(ref == obj), BOOL(increment_ok(before, after)));
}

/* (result, result is x, incremented ok, Py_XNewRef(NULL) is NULL) */
static PyObject *r_Py_XNewRef(PyObject *args)
{
    PyObject *obj = ARG(0);
    Py_ssize_t before = Py_REFCNT(obj);
    PyObject *ref = (Py_XNewRef)(obj);
    Py_ssize_t after = Py_REFCNT(obj);
    PyObject *null = (Py_XNewRef)(NULL);
    return Py_BuildValue("(NOOO)", ref, BOOL(ref == obj), BOOL(increment_ok(before, after)),
                         BOOL(null == NULL));
}

static PyObject *r_Py_Is(PyObject *args) { return flag_result((Py_Is)(ARG(0), ARG(1))); }
static PyObject *r_Py_IsNone(PyObject *args) { return flag_result((Py_IsNone)(ARG(0))); }
static PyObject *r_Py_IsTrue(PyObject *args) { return flag_result((Py_IsTrue)(ARG(0))); }
static PyObject *r_Py_IsFalse(PyObject *args) { return flag_result((Py_IsFalse)(ARG(0))); }
#endif

/* --- the routine table ------------------------------------------------------------------
 * `symbol` is the exported entry the routine is about (NULL for pure header macros); it is
 * declared weak below, so its address is NULL when the interpreter does not export it. Data
 * entries (PyExc_TypeError, PyLong_Type, ...) are exported symbols too and use FUNCTION rows.
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

#pragma weak PyObject_Repr
#pragma weak PyObject_Str
#pragma weak PyObject_ASCII
#pragma weak PyObject_Bytes
#pragma weak PyObject_Type
#pragma weak PyObject_Hash
#pragma weak PyObject_IsTrue
#pragma weak PyObject_Not
#pragma weak PyObject_Size
#pragma weak PyObject_Length
#pragma weak PyObject_RichCompare
#pragma weak PyObject_RichCompareBool
#pragma weak PyObject_GetItem
#pragma weak PyObject_SetItem
#pragma weak PyObject_DelItem
#pragma weak PyObject_GetIter
#pragma weak PyIter_Next
#pragma weak PyCallable_Check
#pragma weak PyObject_IsInstance
#pragma weak PyObject_IsSubclass
#pragma weak PyObject_HasAttr
#pragma weak PyObject_GetAttr
#pragma weak PyObject_Format
#pragma weak Py_BuildValue
#pragma weak PyBaseObject_Type
#pragma weak PyType_Type
#pragma weak PyBool_Type
#pragma weak PyLong_Type
#pragma weak PyFloat_Type
#pragma weak PyUnicode_Type
#pragma weak PyBytes_Type
#pragma weak PyByteArray_Type
#pragma weak PyList_Type
#pragma weak PyTuple_Type
#pragma weak PyDict_Type
#pragma weak _Py_NoneStruct
#pragma weak _Py_TrueStruct
#pragma weak _Py_FalseStruct
#pragma weak _Py_EllipsisObject
#pragma weak _Py_NotImplementedStruct
#pragma weak PyNumber_Add
#pragma weak PyNumber_Subtract
#pragma weak PyNumber_Multiply
#pragma weak PyNumber_FloorDivide
#pragma weak PyNumber_TrueDivide
#pragma weak PyNumber_Remainder
#pragma weak PyNumber_Divmod
#pragma weak PyNumber_And
#pragma weak PyNumber_Or
#pragma weak PyNumber_Xor
#pragma weak PyNumber_Lshift
#pragma weak PyNumber_Rshift
#pragma weak PyNumber_InPlaceAdd
#pragma weak PyNumber_InPlaceOr
#pragma weak PyNumber_InPlaceSubtract
#pragma weak PyNumber_InPlaceMultiply
#pragma weak PyNumber_InPlaceFloorDivide
#pragma weak PyNumber_InPlaceTrueDivide
#pragma weak PyNumber_InPlaceRemainder
#pragma weak PyNumber_InPlaceAnd
#pragma weak PyNumber_InPlaceXor
#pragma weak PyNumber_InPlaceLshift
#pragma weak PyNumber_InPlaceRshift
#pragma weak PyNumber_MatrixMultiply
#pragma weak PyNumber_InPlaceMatrixMultiply
#pragma weak PyNumber_InPlacePower
#pragma weak PyNumber_Negative
#pragma weak PyNumber_Positive
#pragma weak PyNumber_Absolute
#pragma weak PyNumber_Invert
#pragma weak PyNumber_Index
#pragma weak PyNumber_Long
#pragma weak PyNumber_Float
#pragma weak PyNumber_Power
#pragma weak PyNumber_Check
#pragma weak PyNumber_AsSsize_t
#pragma weak PyNumber_ToBase
#pragma weak PyLong_FromLong
#pragma weak PyLong_FromUnsignedLong
#pragma weak PyLong_FromLongLong
#pragma weak PyLong_FromUnsignedLongLong
#pragma weak PyLong_FromSsize_t
#pragma weak PyLong_FromSize_t
#pragma weak PyLong_FromVoidPtr
#pragma weak PyLong_FromDouble
#pragma weak PyLong_FromString
#pragma weak PyLong_AsLong
#pragma weak PyLong_AsLongLong
#pragma weak PyLong_AsSsize_t
#pragma weak PyLong_AsUnsignedLong
#pragma weak PyLong_AsUnsignedLongLong
#pragma weak PyLong_AsSize_t
#pragma weak PyLong_AsUnsignedLongMask
#pragma weak PyLong_AsUnsignedLongLongMask
#pragma weak PyLong_AsDouble
#pragma weak PyLong_AsVoidPtr
#pragma weak PyLong_AsLongAndOverflow
#pragma weak PyLong_AsLongLongAndOverflow
#if LIMITED_AT_LEAST(0x030D0000)
#pragma weak PyLong_AsInt
#endif
#pragma weak PyLong_GetInfo
#pragma weak PyBool_FromLong
#pragma weak PyFloat_FromDouble
#pragma weak PyFloat_AsDouble
#pragma weak PyFloat_FromString
#pragma weak PyFloat_GetMax
#pragma weak PyFloat_GetMin
#pragma weak PyFloat_GetInfo
#pragma weak PyUnicode_FromString
#pragma weak PyUnicode_FromStringAndSize
#pragma weak PyUnicode_InternFromString
#if LIMITED_AT_LEAST(0x03070000)
#pragma weak PyUnicode_GetLength
#pragma weak PyUnicode_ReadChar
#pragma weak PyUnicode_Substring
#pragma weak PyUnicode_AsUCS4Copy
#pragma weak PyUnicode_AsWideCharString
#endif
#pragma weak PyUnicode_Concat
#pragma weak PyUnicode_Contains
#pragma weak PyUnicode_Compare
#pragma weak PyUnicode_CompareWithASCIIString
#pragma weak PyUnicode_RichCompare
#pragma weak PyUnicode_Split
#pragma weak PyUnicode_RSplit
#pragma weak PyUnicode_Splitlines
#pragma weak PyUnicode_Partition
#pragma weak PyUnicode_RPartition
#pragma weak PyUnicode_Join
#pragma weak PyUnicode_FromOrdinal
#pragma weak PyUnicode_AsUTF8String
#pragma weak PyUnicode_AsASCIIString
#pragma weak PyUnicode_AsLatin1String
#pragma weak PyUnicode_FromObject
#pragma weak PyUnicode_Format
#pragma weak PyUnicode_DecodeUTF8
#pragma weak PyUnicode_DecodeLatin1
#pragma weak PyUnicode_DecodeASCII
#pragma weak PyUnicode_DecodeUTF7
#pragma weak PyUnicode_DecodeUnicodeEscape
#pragma weak PyUnicode_DecodeRawUnicodeEscape
#pragma weak PyUnicode_DecodeUTF16
#pragma weak PyUnicode_DecodeUTF32
#pragma weak PyUnicode_AsUTF16String
#pragma weak PyUnicode_AsUTF32String
#pragma weak PyUnicode_AsUnicodeEscapeString
#pragma weak PyUnicode_AsRawUnicodeEscapeString
#pragma weak PyUnicode_AsEncodedString
#pragma weak PyUnicode_FromEncodedObject
#pragma weak PyUnicode_Find
#pragma weak PyUnicode_Tailmatch
#pragma weak PyUnicode_Replace
#pragma weak PyUnicode_IsIdentifier
#pragma weak PyUnicode_DecodeFSDefault
#pragma weak PyUnicode_EncodeFSDefault
#pragma weak PyUnicode_FromFormat
#if LIMITED_AT_LEAST(0x030A0000)
#pragma weak PyUnicode_AsUTF8AndSize
#endif
#if LIMITED_AT_LEAST(0x030D0000)
#pragma weak PyUnicode_EqualToUTF8
#pragma weak PyUnicode_EqualToUTF8AndSize
#endif
#pragma weak PyBytes_FromStringAndSize
#pragma weak PyBytes_FromString
#pragma weak PyBytes_Size
#pragma weak PyBytes_AsString
#pragma weak PyBytes_AsStringAndSize
#pragma weak PyBytes_FromObject
#pragma weak PyBytes_Concat
#pragma weak PyBytes_ConcatAndDel
#pragma weak PyBytes_Repr
#pragma weak PyBytes_DecodeEscape
#pragma weak PyBytes_FromFormat
#pragma weak PyByteArray_FromObject
#pragma weak PyByteArray_FromStringAndSize
#pragma weak PyByteArray_Size
#pragma weak PyByteArray_AsString
#pragma weak PyByteArray_Concat
#pragma weak PyByteArray_Resize
#pragma weak PyList_New
#pragma weak PyList_SetItem
#pragma weak PyList_Size
#pragma weak PyList_GetItem
#pragma weak PyList_Append
#pragma weak PyList_Insert
#pragma weak PyList_Reverse
#pragma weak PyList_Sort
#pragma weak PyList_AsTuple
#pragma weak PyList_GetSlice
#pragma weak PyList_SetSlice
#if LIMITED_AT_LEAST(0x030D0000)
#pragma weak PyList_GetItemRef
#endif
#pragma weak PyTuple_New
#pragma weak PyTuple_SetItem
#pragma weak PyTuple_Size
#pragma weak PyTuple_GetItem
#pragma weak PyTuple_GetSlice
#pragma weak PyTuple_Pack
#pragma weak PySequence_Check
#pragma weak PySequence_Size
#pragma weak PySequence_Length
#pragma weak PySequence_GetItem
#pragma weak PySequence_SetItem
#pragma weak PySequence_DelItem
#pragma weak PySequence_GetSlice
#pragma weak PySequence_SetSlice
#pragma weak PySequence_DelSlice
#pragma weak PySequence_Concat
#pragma weak PySequence_InPlaceConcat
#pragma weak PySequence_Repeat
#pragma weak PySequence_Contains
#pragma weak PySequence_In
#pragma weak PySequence_Index
#pragma weak PySequence_Count
#pragma weak PySequence_List
#pragma weak PySequence_Tuple
#pragma weak PySequence_Fast
#pragma weak PyDict_New
#pragma weak PyDict_SetItem
#pragma weak PyDict_DelItem
#pragma weak PyDict_GetItem
#pragma weak PyDict_GetItemWithError
#pragma weak PyDict_GetItemString
#pragma weak PyDict_SetItemString
#pragma weak PyDict_DelItemString
#if LIMITED_AT_LEAST(0x030D0000)
#pragma weak PyDict_GetItemRef
#pragma weak PyDict_GetItemStringRef
#endif
#pragma weak PyDict_Contains
#pragma weak PyDict_Size
#pragma weak PyDict_Keys
#pragma weak PyDict_Values
#pragma weak PyDict_Items
#pragma weak PyDict_Copy
#pragma weak PyDict_Update
#pragma weak PyDict_Merge
#pragma weak PyDict_MergeFromSeq2
#pragma weak PyDict_Clear
#pragma weak PyDict_Next
#pragma weak PyErr_SetString
#pragma weak PyErr_SetObject
#pragma weak PyErr_SetNone
#pragma weak PyErr_Occurred
#pragma weak PyErr_Fetch
#pragma weak PyErr_Restore
#pragma weak PyErr_NormalizeException
#pragma weak PyErr_Clear
#pragma weak PyErr_GivenExceptionMatches
#pragma weak PyErr_ExceptionMatches
#pragma weak PyErr_NewException
#pragma weak PyErr_NewExceptionWithDoc
#pragma weak PyErr_BadArgument
#pragma weak PyErr_BadInternalCall
#pragma weak PyErr_NoMemory
#pragma weak PyErr_Format
#pragma weak PyErr_SetFromErrno
#if LIMITED_AT_LEAST(0x030C0000)
#pragma weak PyErr_GetRaisedException
#pragma weak PyErr_SetRaisedException
#endif
#pragma weak PyExc_BaseException
#pragma weak PyExc_Exception
#pragma weak PyExc_TypeError
#pragma weak PyExc_ValueError
#pragma weak PyExc_KeyError
#pragma weak PyExc_IndexError
#pragma weak PyExc_LookupError
#pragma weak PyExc_ArithmeticError
#pragma weak PyExc_ZeroDivisionError
#pragma weak PyExc_OverflowError
#pragma weak PyExc_RuntimeError
#pragma weak PyExc_NotImplementedError
#pragma weak PyExc_OSError
#pragma weak PyExc_EnvironmentError
#pragma weak PyExc_IOError
#pragma weak PyExc_AttributeError
#pragma weak PyExc_StopIteration
#pragma weak PyExc_SystemError
#pragma weak PyExc_MemoryError
#pragma weak PyExc_UnicodeDecodeError
#pragma weak PyExc_UnicodeEncodeError
#pragma weak PyExc_KeyboardInterrupt
#pragma weak PyExc_SystemExit
#pragma weak PyExc_DeprecationWarning
#pragma weak PyExc_UserWarning
#pragma weak PyExc_ModuleNotFoundError
#if LIMITED_AT_LEAST(0x03070000)
#pragma weak PyExc_RecursionError
#pragma weak PyExc_FileNotFoundError
#pragma weak PyExc_TimeoutError
#pragma weak PyExc_StopAsyncIteration
#endif
#if LIMITED_AT_LEAST(0x030A0000)
#pragma weak PyExc_EncodingWarning
#endif
#if LIMITED_AT_LEAST(0x030B0000)
#pragma weak PyExc_BaseExceptionGroup
#endif
#pragma weak PyExc_AssertionError
#pragma weak PyExc_BufferError
#pragma weak PyExc_BytesWarning
#pragma weak PyExc_EOFError
#pragma weak PyExc_FloatingPointError
#pragma weak PyExc_FutureWarning
#pragma weak PyExc_GeneratorExit
#pragma weak PyExc_ImportError
#pragma weak PyExc_ImportWarning
#pragma weak PyExc_IndentationError
#pragma weak PyExc_NameError
#pragma weak PyExc_PendingDeprecationWarning
#pragma weak PyExc_ReferenceError
#pragma weak PyExc_RuntimeWarning
#pragma weak PyExc_SyntaxError
#pragma weak PyExc_SyntaxWarning
#pragma weak PyExc_TabError
#pragma weak PyExc_UnboundLocalError
#pragma weak PyExc_UnicodeError
#pragma weak PyExc_UnicodeTranslateError
#pragma weak PyExc_UnicodeWarning
#pragma weak PyExc_Warning
#pragma weak PyComplex_Type
#pragma weak PySet_Type
#pragma weak PyFrozenSet_Type
#pragma weak PySlice_Type
#pragma weak PyRange_Type
#pragma weak PyMemoryView_Type
#pragma weak PyProperty_Type
#pragma weak PyEnum_Type
#pragma weak PyFilter_Type
#pragma weak PyMap_Type
#pragma weak PyZip_Type
#pragma weak PyReversed_Type
#pragma weak PySuper_Type
#pragma weak PyByteArrayIter_Type
#pragma weak PyBytesIter_Type
#pragma weak PyCallIter_Type
#pragma weak PyCapsule_Type
#pragma weak PyClassMethodDescr_Type
#pragma weak PyDictItems_Type
#pragma weak PyDictKeys_Type
#pragma weak PyDictValues_Type
#pragma weak PyDictIterItem_Type
#pragma weak PyDictIterKey_Type
#pragma weak PyDictIterValue_Type
#pragma weak PyDictProxy_Type
#pragma weak PyEllipsis_Type
#pragma weak PyGetSetDescr_Type
#pragma weak PyMemberDescr_Type
#pragma weak PyMethodDescr_Type
#pragma weak PyWrapperDescr_Type
#pragma weak PyCFunction_Type
#pragma weak PyListIter_Type
#pragma weak PyListRevIter_Type
#pragma weak PyLongRangeIter_Type
#pragma weak PyRangeIter_Type
#pragma weak PyModule_Type
#pragma weak PySeqIter_Type
#pragma weak PySetIter_Type
#pragma weak PyTupleIter_Type
#pragma weak PyUnicodeIter_Type
#pragma weak PyTraceBack_Type
#pragma weak _PyWeakref_RefType
#pragma weak _PyWeakref_ProxyType
#pragma weak _PyWeakref_CallableProxyType
#if LIMITED_AT_LEAST(0x03070000)
#pragma weak PyExc_BlockingIOError
#pragma weak PyExc_BrokenPipeError
#pragma weak PyExc_ChildProcessError
#pragma weak PyExc_ConnectionAbortedError
#pragma weak PyExc_ConnectionError
#pragma weak PyExc_ConnectionRefusedError
#pragma weak PyExc_ConnectionResetError
#pragma weak PyExc_FileExistsError
#pragma weak PyExc_InterruptedError
#pragma weak PyExc_IsADirectoryError
#pragma weak PyExc_NotADirectoryError
#pragma weak PyExc_PermissionError
#pragma weak PyExc_ProcessLookupError
#pragma weak PyExc_ResourceWarning
#endif
#if LIMITED_AT_LEAST(0x03080000)
#pragma weak PyDictRevIterItem_Type
#pragma weak PyDictRevIterKey_Type
#pragma weak PyDictRevIterValue_Type
#endif
#if LIMITED_AT_LEAST(0x03090000)
#pragma weak Py_GenericAliasType
#endif
#pragma weak PySet_New
#pragma weak PyFrozenSet_New
#pragma weak PySet_Size
#pragma weak PySet_Add
#pragma weak PySet_Discard
#pragma weak PySet_Contains
#pragma weak PySet_Clear
#pragma weak PySet_Pop
#pragma weak PySlice_New
#pragma weak PyComplex_FromDoubles
#pragma weak PyObject_GetAttrString
#pragma weak PyObject_HasAttrString
#pragma weak PyObject_SetAttrString
#pragma weak PyObject_SetAttr
#pragma weak PyObject_Dir
#pragma weak PyObject_GenericGetAttr
#pragma weak PyObject_SelfIter
#pragma weak PyObject_HashNotImplemented
#pragma weak PyMapping_Check
#pragma weak PyMapping_Size
#pragma weak PyMapping_HasKey
#pragma weak PyMapping_HasKeyString
#pragma weak PyMapping_GetItemString
#pragma weak PySequence_InPlaceRepeat
#pragma weak PySys_GetObject
#pragma weak Py_GetVersion
#pragma weak Py_GetPlatform
#pragma weak Py_GetCopyright
#pragma weak Py_GetRecursionLimit
#pragma weak Py_IsInitialized
#pragma weak PyImport_ImportModule
#pragma weak PyImport_Import
#pragma weak PyImport_GetMagicNumber
#pragma weak PyImport_GetMagicTag
#pragma weak PyCodec_KnownEncoding
#pragma weak PyCodec_Encode
#pragma weak PyCodec_Decode
#pragma weak Py_IncRef
#pragma weak Py_DecRef
#if LIMITED_AT_LEAST(0x030A0000)
#pragma weak Py_NewRef
#pragma weak Py_XNewRef
#pragma weak Py_Is
#pragma weak Py_IsNone
#pragma weak Py_IsTrue
#pragma weak Py_IsFalse
#endif

static const struct routine routines[] = {
    FUNCTION(PyObject_Repr, 1),
    FUNCTION(PyObject_Str, 1),
    FUNCTION(PyObject_ASCII, 1),
    FUNCTION(PyObject_Bytes, 1),
    FUNCTION(PyObject_Type, 1),
    FUNCTION(PyObject_Hash, 1),
    FUNCTION(PyObject_IsTrue, 1),
    FUNCTION(PyObject_Not, 1),
    FUNCTION(PyObject_Size, 1),
    FUNCTION(PyObject_Length, 1),
    FUNCTION(PyObject_RichCompare, 3),
    FUNCTION(PyObject_RichCompareBool, 3),
    FUNCTION(PyObject_GetItem, 2),
    FUNCTION(PyObject_SetItem, 3),
    FUNCTION(PyObject_DelItem, 2),
    FUNCTION(PyObject_GetIter, 1),
    FUNCTION(PyIter_Next, 1),
    FUNCTION(PyCallable_Check, 1),
    FUNCTION(PyObject_IsInstance, 2),
    FUNCTION(PyObject_IsSubclass, 2),
    FUNCTION(PyObject_HasAttr, 2),
    FUNCTION(PyObject_GetAttr, 2),
    FUNCTION(PyObject_Format, 2),
    FUNCTION(Py_BuildValue, 2),
    FUNCTION(PyBaseObject_Type, 0),
    FUNCTION(PyType_Type, 0),
    FUNCTION(PyBool_Type, 0),
    FUNCTION(PyLong_Type, 0),
    FUNCTION(PyFloat_Type, 0),
    FUNCTION(PyUnicode_Type, 0),
    FUNCTION(PyBytes_Type, 0),
    FUNCTION(PyByteArray_Type, 0),
    FUNCTION(PyList_Type, 0),
    FUNCTION(PyTuple_Type, 0),
    FUNCTION(PyDict_Type, 0),
    FUNCTION(_Py_NoneStruct, 0),
    FUNCTION(_Py_TrueStruct, 0),
    FUNCTION(_Py_FalseStruct, 0),
    FUNCTION(_Py_EllipsisObject, 0),
    FUNCTION(_Py_NotImplementedStruct, 0),
    FUNCTION(PyNumber_Add, 2),
    FUNCTION(PyNumber_Subtract, 2),
    FUNCTION(PyNumber_Multiply, 2),
    FUNCTION(PyNumber_FloorDivide, 2),
    FUNCTION(PyNumber_TrueDivide, 2),
    FUNCTION(PyNumber_Remainder, 2),
    FUNCTION(PyNumber_Divmod, 2),
    FUNCTION(PyNumber_And, 2),
    FUNCTION(PyNumber_Or, 2),
    FUNCTION(PyNumber_Xor, 2),
    FUNCTION(PyNumber_Lshift, 2),
    FUNCTION(PyNumber_Rshift, 2),
    FUNCTION(PyNumber_InPlaceAdd, 2),
    FUNCTION(PyNumber_InPlaceOr, 2),
    FUNCTION(PyNumber_InPlaceSubtract, 2),
    FUNCTION(PyNumber_InPlaceMultiply, 2),
    FUNCTION(PyNumber_InPlaceFloorDivide, 2),
    FUNCTION(PyNumber_InPlaceTrueDivide, 2),
    FUNCTION(PyNumber_InPlaceRemainder, 2),
    FUNCTION(PyNumber_InPlaceAnd, 2),
    FUNCTION(PyNumber_InPlaceXor, 2),
    FUNCTION(PyNumber_InPlaceLshift, 2),
    FUNCTION(PyNumber_InPlaceRshift, 2),
    FUNCTION(PyNumber_MatrixMultiply, 2),
    FUNCTION(PyNumber_InPlaceMatrixMultiply, 2),
    FUNCTION(PyNumber_InPlacePower, 3),
    FUNCTION(PyNumber_Negative, 1),
    FUNCTION(PyNumber_Positive, 1),
    FUNCTION(PyNumber_Absolute, 1),
    FUNCTION(PyNumber_Invert, 1),
    FUNCTION(PyNumber_Index, 1),
    FUNCTION(PyNumber_Long, 1),
    FUNCTION(PyNumber_Float, 1),
    FUNCTION(PyNumber_Power, 3),
    FUNCTION(PyNumber_Check, 1),
    FUNCTION(PyNumber_AsSsize_t, 2),
    FUNCTION(PyNumber_ToBase, 2),
    FUNCTION(PyLong_FromLong, 1),
    FUNCTION(PyLong_FromUnsignedLong, 1),
    FUNCTION(PyLong_FromLongLong, 1),
    FUNCTION(PyLong_FromUnsignedLongLong, 1),
    FUNCTION(PyLong_FromSsize_t, 1),
    FUNCTION(PyLong_FromSize_t, 1),
    FUNCTION(PyLong_FromVoidPtr, 1),
    FUNCTION(PyLong_FromDouble, 1),
    FUNCTION(PyLong_FromString, 2),
    FUNCTION(PyLong_AsLong, 1),
    FUNCTION(PyLong_AsLongLong, 1),
    FUNCTION(PyLong_AsSsize_t, 1),
    FUNCTION(PyLong_AsUnsignedLong, 1),
    FUNCTION(PyLong_AsUnsignedLongLong, 1),
    FUNCTION(PyLong_AsSize_t, 1),
    FUNCTION(PyLong_AsUnsignedLongMask, 1),
    FUNCTION(PyLong_AsUnsignedLongLongMask, 1),
    FUNCTION(PyLong_AsDouble, 1),
    FUNCTION(PyLong_AsVoidPtr, 1),
    FUNCTION(PyLong_AsLongAndOverflow, 1),
    FUNCTION(PyLong_AsLongLongAndOverflow, 1),
#if LIMITED_AT_LEAST(0x030D0000)
    FUNCTION(PyLong_AsInt, 1),
#endif
    FUNCTION(PyLong_GetInfo, 0),
    FUNCTION(PyBool_FromLong, 1),
    FUNCTION(PyFloat_FromDouble, 1),
    FUNCTION(PyFloat_AsDouble, 1),
    FUNCTION(PyFloat_FromString, 1),
    FUNCTION(PyFloat_GetMax, 0),
    FUNCTION(PyFloat_GetMin, 0),
    FUNCTION(PyFloat_GetInfo, 0),
    FUNCTION(PyUnicode_FromString, 1),
    FUNCTION(PyUnicode_FromStringAndSize, 2),
    FUNCTION(PyUnicode_InternFromString, 1),
#if LIMITED_AT_LEAST(0x03070000)
    FUNCTION(PyUnicode_GetLength, 1),
    FUNCTION(PyUnicode_ReadChar, 2),
    FUNCTION(PyUnicode_Substring, 3),
    FUNCTION(PyUnicode_AsUCS4Copy, 1),
    FUNCTION(PyUnicode_AsWideCharString, 1),
#endif
    FUNCTION(PyUnicode_Concat, 2),
    FUNCTION(PyUnicode_Contains, 2),
    FUNCTION(PyUnicode_Compare, 2),
    FUNCTION(PyUnicode_CompareWithASCIIString, 2),
    FUNCTION(PyUnicode_RichCompare, 3),
    FUNCTION(PyUnicode_Split, 3),
    FUNCTION(PyUnicode_RSplit, 3),
    FUNCTION(PyUnicode_Splitlines, 2),
    FUNCTION(PyUnicode_Partition, 2),
    FUNCTION(PyUnicode_RPartition, 2),
    FUNCTION(PyUnicode_Join, 2),
    FUNCTION(PyUnicode_FromOrdinal, 1),
    FUNCTION(PyUnicode_AsUTF8String, 1),
    FUNCTION(PyUnicode_AsASCIIString, 1),
    FUNCTION(PyUnicode_AsLatin1String, 1),
    FUNCTION(PyUnicode_FromObject, 1),
    FUNCTION(PyUnicode_Format, 2),
    FUNCTION(PyUnicode_DecodeUTF8, 2),
    FUNCTION(PyUnicode_DecodeLatin1, 2),
    FUNCTION(PyUnicode_DecodeASCII, 2),
    FUNCTION(PyUnicode_DecodeUTF7, 2),
    FUNCTION(PyUnicode_DecodeUnicodeEscape, 2),
    FUNCTION(PyUnicode_DecodeRawUnicodeEscape, 2),
    FUNCTION(PyUnicode_DecodeUTF16, 2),
    FUNCTION(PyUnicode_DecodeUTF32, 2),
    FUNCTION(PyUnicode_AsUTF16String, 1),
    FUNCTION(PyUnicode_AsUTF32String, 1),
    FUNCTION(PyUnicode_AsUnicodeEscapeString, 1),
    FUNCTION(PyUnicode_AsRawUnicodeEscapeString, 1),
    FUNCTION(PyUnicode_AsEncodedString, 3),
    FUNCTION(PyUnicode_FromEncodedObject, 3),
    FUNCTION(PyUnicode_Find, 5),
    FUNCTION(PyUnicode_Tailmatch, 5),
    FUNCTION(PyUnicode_Replace, 4),
    FUNCTION(PyUnicode_IsIdentifier, 1),
    FUNCTION(PyUnicode_DecodeFSDefault, 1),
    FUNCTION(PyUnicode_EncodeFSDefault, 1),
    FUNCTION(PyUnicode_FromFormat, 5),
#if LIMITED_AT_LEAST(0x030A0000)
    FUNCTION(PyUnicode_AsUTF8AndSize, 1),
#endif
#if LIMITED_AT_LEAST(0x030D0000)
    FUNCTION(PyUnicode_EqualToUTF8, 2),
    FUNCTION(PyUnicode_EqualToUTF8AndSize, 2),
#endif
    FUNCTION(PyBytes_FromStringAndSize, 2),
    FUNCTION(PyBytes_FromString, 1),
    FUNCTION(PyBytes_Size, 1),
    FUNCTION(PyBytes_AsString, 1),
    FUNCTION(PyBytes_AsStringAndSize, 1),
    FUNCTION(PyBytes_FromObject, 1),
    FUNCTION(PyBytes_Concat, 2),
    FUNCTION(PyBytes_ConcatAndDel, 2),
    FUNCTION(PyBytes_Repr, 1),
    FUNCTION(PyBytes_DecodeEscape, 2),
    FUNCTION(PyBytes_FromFormat, 3),
    FUNCTION(PyByteArray_FromObject, 1),
    FUNCTION(PyByteArray_FromStringAndSize, 2),
    FUNCTION(PyByteArray_Size, 1),
    FUNCTION(PyByteArray_AsString, 1),
    FUNCTION(PyByteArray_Concat, 2),
    FUNCTION(PyByteArray_Resize, 2),
    FUNCTION(PyList_New, 1),
    FUNCTION(PyList_SetItem, 3),
    FUNCTION(PyList_Size, 1),
    FUNCTION(PyList_GetItem, 2),
    FUNCTION(PyList_Append, 2),
    FUNCTION(PyList_Insert, 3),
    FUNCTION(PyList_Reverse, 1),
    FUNCTION(PyList_Sort, 1),
    FUNCTION(PyList_AsTuple, 1),
    FUNCTION(PyList_GetSlice, 3),
    FUNCTION(PyList_SetSlice, 4),
#if LIMITED_AT_LEAST(0x030D0000)
    FUNCTION(PyList_GetItemRef, 2),
#endif
    FUNCTION(PyTuple_New, 1),
    FUNCTION(PyTuple_SetItem, 3),
    FUNCTION(PyTuple_Size, 1),
    FUNCTION(PyTuple_GetItem, 2),
    FUNCTION(PyTuple_GetSlice, 3),
    FUNCTION(PyTuple_Pack, 1),
    FUNCTION(PySequence_Check, 1),
    FUNCTION(PySequence_Size, 1),
    FUNCTION(PySequence_Length, 1),
    FUNCTION(PySequence_GetItem, 2),
    FUNCTION(PySequence_SetItem, 3),
    FUNCTION(PySequence_DelItem, 2),
    FUNCTION(PySequence_GetSlice, 3),
    FUNCTION(PySequence_SetSlice, 4),
    FUNCTION(PySequence_DelSlice, 3),
    FUNCTION(PySequence_Concat, 2),
    FUNCTION(PySequence_InPlaceConcat, 2),
    FUNCTION(PySequence_Repeat, 2),
    FUNCTION(PySequence_Contains, 2),
    FUNCTION(PySequence_In, 2),
    FUNCTION(PySequence_Index, 2),
    FUNCTION(PySequence_Count, 2),
    FUNCTION(PySequence_List, 1),
    FUNCTION(PySequence_Tuple, 1),
    FUNCTION(PySequence_Fast, 1),
    FUNCTION(PyDict_New, 0),
    FUNCTION(PyDict_SetItem, 3),
    FUNCTION(PyDict_DelItem, 2),
    FUNCTION(PyDict_GetItem, 2),
    FUNCTION(PyDict_GetItemWithError, 2),
    FUNCTION(PyDict_GetItemString, 2),
    FUNCTION(PyDict_SetItemString, 3),
    FUNCTION(PyDict_DelItemString, 2),
#if LIMITED_AT_LEAST(0x030D0000)
    FUNCTION(PyDict_GetItemRef, 2),
    FUNCTION(PyDict_GetItemStringRef, 2),
#endif
    FUNCTION(PyDict_Contains, 2),
    FUNCTION(PyDict_Size, 1),
    FUNCTION(PyDict_Keys, 1),
    FUNCTION(PyDict_Values, 1),
    FUNCTION(PyDict_Items, 1),
    FUNCTION(PyDict_Copy, 1),
    FUNCTION(PyDict_Update, 2),
    FUNCTION(PyDict_Merge, 3),
    FUNCTION(PyDict_MergeFromSeq2, 3),
    FUNCTION(PyDict_Clear, 1),
    FUNCTION(PyDict_Next, 1),
    FUNCTION(PyErr_SetString, 2),
    FUNCTION(PyErr_SetObject, 2),
    FUNCTION(PyErr_SetNone, 1),
    FUNCTION(PyErr_Occurred, 1),
    FUNCTION(PyErr_Fetch, 2),
    FUNCTION(PyErr_Restore, 2),
    FUNCTION(PyErr_NormalizeException, 2),
    FUNCTION(PyErr_Clear, 2),
    FUNCTION(PyErr_GivenExceptionMatches, 3),
    FUNCTION(PyErr_ExceptionMatches, 2),
    FUNCTION(PyErr_NewException, 2),
    FUNCTION(PyErr_NewExceptionWithDoc, 3),
    FUNCTION(PyErr_BadArgument, 0),
    FUNCTION(PyErr_BadInternalCall, 0),
    FUNCTION(PyErr_NoMemory, 0),
    FUNCTION(PyErr_Format, 3),
    FUNCTION(PyErr_SetFromErrno, 1),
#if LIMITED_AT_LEAST(0x030C0000)
    FUNCTION(PyErr_GetRaisedException, 2),
    FUNCTION(PyErr_SetRaisedException, 2),
#endif
    FUNCTION(PyExc_BaseException, 0),
    FUNCTION(PyExc_Exception, 0),
    FUNCTION(PyExc_TypeError, 0),
    FUNCTION(PyExc_ValueError, 0),
    FUNCTION(PyExc_KeyError, 0),
    FUNCTION(PyExc_IndexError, 0),
    FUNCTION(PyExc_LookupError, 0),
    FUNCTION(PyExc_ArithmeticError, 0),
    FUNCTION(PyExc_ZeroDivisionError, 0),
    FUNCTION(PyExc_OverflowError, 0),
    FUNCTION(PyExc_RuntimeError, 0),
    FUNCTION(PyExc_NotImplementedError, 0),
    FUNCTION(PyExc_OSError, 0),
    FUNCTION(PyExc_EnvironmentError, 0),
    FUNCTION(PyExc_IOError, 0),
    FUNCTION(PyExc_AttributeError, 0),
    FUNCTION(PyExc_StopIteration, 0),
    FUNCTION(PyExc_SystemError, 0),
    FUNCTION(PyExc_MemoryError, 0),
    FUNCTION(PyExc_UnicodeDecodeError, 0),
    FUNCTION(PyExc_UnicodeEncodeError, 0),
    FUNCTION(PyExc_KeyboardInterrupt, 0),
    FUNCTION(PyExc_SystemExit, 0),
    FUNCTION(PyExc_DeprecationWarning, 0),
    FUNCTION(PyExc_UserWarning, 0),
    FUNCTION(PyExc_ModuleNotFoundError, 0),
#if LIMITED_AT_LEAST(0x03070000)
    FUNCTION(PyExc_RecursionError, 0),
    FUNCTION(PyExc_FileNotFoundError, 0),
    FUNCTION(PyExc_TimeoutError, 0),
    FUNCTION(PyExc_StopAsyncIteration, 0),
#endif
#if LIMITED_AT_LEAST(0x030A0000)
    FUNCTION(PyExc_EncodingWarning, 0),
#endif
#if LIMITED_AT_LEAST(0x030B0000)
    FUNCTION(PyExc_BaseExceptionGroup, 0),
#endif
    FUNCTION(PyExc_AssertionError, 0),
    FUNCTION(PyExc_BufferError, 0),
    FUNCTION(PyExc_BytesWarning, 0),
    FUNCTION(PyExc_EOFError, 0),
    FUNCTION(PyExc_FloatingPointError, 0),
    FUNCTION(PyExc_FutureWarning, 0),
    FUNCTION(PyExc_GeneratorExit, 0),
    FUNCTION(PyExc_ImportError, 0),
    FUNCTION(PyExc_ImportWarning, 0),
    FUNCTION(PyExc_IndentationError, 0),
    FUNCTION(PyExc_NameError, 0),
    FUNCTION(PyExc_PendingDeprecationWarning, 0),
    FUNCTION(PyExc_ReferenceError, 0),
    FUNCTION(PyExc_RuntimeWarning, 0),
    FUNCTION(PyExc_SyntaxError, 0),
    FUNCTION(PyExc_SyntaxWarning, 0),
    FUNCTION(PyExc_TabError, 0),
    FUNCTION(PyExc_UnboundLocalError, 0),
    FUNCTION(PyExc_UnicodeError, 0),
    FUNCTION(PyExc_UnicodeTranslateError, 0),
    FUNCTION(PyExc_UnicodeWarning, 0),
    FUNCTION(PyExc_Warning, 0),
    FUNCTION(PyComplex_Type, 0),
    FUNCTION(PySet_Type, 0),
    FUNCTION(PyFrozenSet_Type, 0),
    FUNCTION(PySlice_Type, 0),
    FUNCTION(PyRange_Type, 0),
    FUNCTION(PyMemoryView_Type, 0),
    FUNCTION(PyProperty_Type, 0),
    FUNCTION(PyEnum_Type, 0),
    FUNCTION(PyFilter_Type, 0),
    FUNCTION(PyMap_Type, 0),
    FUNCTION(PyZip_Type, 0),
    FUNCTION(PyReversed_Type, 0),
    FUNCTION(PySuper_Type, 0),
    FUNCTION(PyByteArrayIter_Type, 0),
    FUNCTION(PyBytesIter_Type, 0),
    FUNCTION(PyCallIter_Type, 0),
    FUNCTION(PyCapsule_Type, 0),
    FUNCTION(PyClassMethodDescr_Type, 0),
    FUNCTION(PyDictItems_Type, 0),
    FUNCTION(PyDictKeys_Type, 0),
    FUNCTION(PyDictValues_Type, 0),
    FUNCTION(PyDictIterItem_Type, 0),
    FUNCTION(PyDictIterKey_Type, 0),
    FUNCTION(PyDictIterValue_Type, 0),
    FUNCTION(PyDictProxy_Type, 0),
    FUNCTION(PyEllipsis_Type, 0),
    FUNCTION(PyGetSetDescr_Type, 0),
    FUNCTION(PyMemberDescr_Type, 0),
    FUNCTION(PyMethodDescr_Type, 0),
    FUNCTION(PyWrapperDescr_Type, 0),
    FUNCTION(PyCFunction_Type, 0),
    FUNCTION(PyListIter_Type, 0),
    FUNCTION(PyListRevIter_Type, 0),
    FUNCTION(PyLongRangeIter_Type, 0),
    FUNCTION(PyRangeIter_Type, 0),
    FUNCTION(PyModule_Type, 0),
    FUNCTION(PySeqIter_Type, 0),
    FUNCTION(PySetIter_Type, 0),
    FUNCTION(PyTupleIter_Type, 0),
    FUNCTION(PyUnicodeIter_Type, 0),
    FUNCTION(PyTraceBack_Type, 0),
    FUNCTION(_PyWeakref_RefType, 0),
    FUNCTION(_PyWeakref_ProxyType, 0),
    FUNCTION(_PyWeakref_CallableProxyType, 0),
#if LIMITED_AT_LEAST(0x03070000)
    FUNCTION(PyExc_BlockingIOError, 0),
    FUNCTION(PyExc_BrokenPipeError, 0),
    FUNCTION(PyExc_ChildProcessError, 0),
    FUNCTION(PyExc_ConnectionAbortedError, 0),
    FUNCTION(PyExc_ConnectionError, 0),
    FUNCTION(PyExc_ConnectionRefusedError, 0),
    FUNCTION(PyExc_ConnectionResetError, 0),
    FUNCTION(PyExc_FileExistsError, 0),
    FUNCTION(PyExc_InterruptedError, 0),
    FUNCTION(PyExc_IsADirectoryError, 0),
    FUNCTION(PyExc_NotADirectoryError, 0),
    FUNCTION(PyExc_PermissionError, 0),
    FUNCTION(PyExc_ProcessLookupError, 0),
    FUNCTION(PyExc_ResourceWarning, 0),
#endif
#if LIMITED_AT_LEAST(0x03080000)
    FUNCTION(PyDictRevIterItem_Type, 0),
    FUNCTION(PyDictRevIterKey_Type, 0),
    FUNCTION(PyDictRevIterValue_Type, 0),
#endif
#if LIMITED_AT_LEAST(0x03090000)
    FUNCTION(Py_GenericAliasType, 0),
#endif
    FUNCTION(PySet_New, 1),
    FUNCTION(PyFrozenSet_New, 1),
    FUNCTION(PySet_Size, 1),
    FUNCTION(PySet_Add, 2),
    FUNCTION(PySet_Discard, 2),
    FUNCTION(PySet_Contains, 2),
    FUNCTION(PySet_Clear, 1),
    FUNCTION(PySet_Pop, 1),
    FUNCTION(PySlice_New, 3),
    FUNCTION(PyComplex_FromDoubles, 2),
    FUNCTION(PyObject_GetAttrString, 2),
    FUNCTION(PyObject_HasAttrString, 2),
    FUNCTION(PyObject_SetAttrString, 3),
    FUNCTION(PyObject_SetAttr, 3),
    FUNCTION(PyObject_Dir, 1),
    FUNCTION(PyObject_GenericGetAttr, 2),
    FUNCTION(PyObject_SelfIter, 1),
    FUNCTION(PyObject_HashNotImplemented, 1),
    FUNCTION(PyMapping_Check, 1),
    FUNCTION(PyMapping_Size, 1),
    FUNCTION(PyMapping_HasKey, 2),
    FUNCTION(PyMapping_HasKeyString, 2),
    FUNCTION(PyMapping_GetItemString, 2),
    FUNCTION(PySequence_InPlaceRepeat, 2),
    FUNCTION(PySys_GetObject, 1),
    FUNCTION(Py_GetVersion, 0),
    FUNCTION(Py_GetPlatform, 0),
    FUNCTION(Py_GetCopyright, 0),
    FUNCTION(Py_GetRecursionLimit, 0),
    FUNCTION(Py_IsInitialized, 0),
    FUNCTION(PyImport_ImportModule, 1),
    FUNCTION(PyImport_Import, 1),
    FUNCTION(PyImport_GetMagicNumber, 0),
    FUNCTION(PyImport_GetMagicTag, 0),
    FUNCTION(PyCodec_KnownEncoding, 1),
    FUNCTION(PyCodec_Encode, 3),
    FUNCTION(PyCodec_Decode, 3),
    MACRO(Py_INCREF, 1),
    MACRO(Py_DECREF, 1),
    MACRO(Py_XINCREF, 1),
    MACRO(Py_XDECREF, 1),
    MACRO(Py_CLEAR, 1),
    MACRO(Py_REFCNT, 1),
    FUNCTION(Py_IncRef, 1),
    FUNCTION(Py_DecRef, 1),
    MACRO(Py_TYPE, 1),
    MACRO(Py_SIZE, 1),
#if PY_VERSION_HEX >= 0x03090000
    MACRO(Py_IS_TYPE, 2),
#endif
    MACRO(Py_RETURN_NONE, 0),
    MACRO(Py_RETURN_TRUE, 0),
    MACRO(Py_RETURN_FALSE, 0),
#if LIMITED_AT_LEAST(0x030A0000)
    FUNCTION(Py_NewRef, 1),
    FUNCTION(Py_XNewRef, 1),
    FUNCTION(Py_Is, 2),
    FUNCTION(Py_IsNone, 1),
    FUNCTION(Py_IsTrue, 1),
    FUNCTION(Py_IsFalse, 1),
#endif
};

#define ROUTINE_COUNT ((Py_ssize_t)(sizeof(routines) / sizeof(routines[0])))

/* The routines generated from harness/data/contracts/*.toml: `contract_routines`, ended by a
 * row whose name is NULL. */
#include "generated/contracts.c"

/* The routine of that name, from either table, or NULL. */
static const struct routine *find_routine(PyObject *name)
{
    for (Py_ssize_t i = 0; i < ROUTINE_COUNT; i++)
        if (PyUnicode_CompareWithASCIIString(name, routines[i].name) == 0)
            return &routines[i];
    for (const struct routine *r = contract_routines; r->name != NULL; r++)
        if (PyUnicode_CompareWithASCIIString(name, r->name) == 0)
            return r;
    return NULL;
}

/* --- module functions ------------------------------------------------------------------- */

static PyObject *probe_call(PyObject *self, PyObject *args)
{
    Py_ssize_t nargs = PyTuple_Size(args);
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "call(routine, *args) needs a routine name");
        return NULL;
    }
    const struct routine *r = find_routine(PyTuple_GetItem(args, 0));
    if (r == NULL) {
        PyErr_SetString(PyExc_LookupError, "no such routine in this build");
        return NULL;
    }
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

/* Appends a routine's name to `list`; -1 on failure. */
static int append_name(PyObject *list, const char *text)
{
    PyObject *name = PyUnicode_FromString(text);
    if (name == NULL || PyList_Append(list, name) < 0) {
        Py_XDECREF(name);
        return -1;
    }
    Py_DECREF(name);
    return 0;
}

static PyObject *probe_routines(PyObject *self, PyObject *unused)
{
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < ROUTINE_COUNT; i++) {
        if (append_name(list, routines[i].name) < 0) {
            Py_DECREF(list);
            return NULL;
        }
    }
    for (const struct routine *r = contract_routines; r->name != NULL; r++) {
        if (append_name(list, r->name) < 0) {
            Py_DECREF(list);
            return NULL;
        }
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
