/* abi3probe: the semantic probe, one C extension compiled per build.
 *
 * The build supplies Py_LIMITED_API (never define it here): every macro and static inline
 * function below (Py_INCREF, Py_TYPE, Py_RETURN_NONE, ...) is the one that build's headers give
 * a real abi3 extension. Routines are reached through `abi3probe.call(name, *args)`; each one
 * calls one API entry and enforces its error contract, so the worker can compare the outcome
 * with the Python-level oracle. This file is the infrastructure (result contracts, argument
 * conversion, shared helpers, dispatch); every routine is a contract in
 * harness/data/contracts/, generated with its table row, weak reference and version guard into
 * generated/contracts.c (`cargo xtask codegen`), which is included at the end.
 *
 * API functions are referenced weakly: a symbol the interpreter does not export makes only its
 * own routines report `missing symbol`, instead of failing the whole import (the strong-linking
 * import check is abi3link's job). A routine that needs a second weak entry checks it with
 * REQUIRE first.
 *
 * Routines for entries added to the limited API after 3.6 are compiled only when the build's
 * Py_LIMITED_API is at least that version (LIMITED_AT_LEAST), both the routine and its table row;
 * helpers here that only such routines use carry the same guard.
 *
 * The infrastructure (dispatch, argument conversion, result contracts) uses only
 * PyTuple_GetItem/GetSlice/Size, PyUnicode_CompareWithASCIIString, PyList_New/Append/Size/GetItem,
 * PyUnicode_FromString, PyUnicode_AsUTF8String, PyBytes_AsString, Py_BuildValue, PyArg_Parse,
 * PyErr_*, PyLong_AsSsize_t and PyLong_AsLongLong, so that a fault injected into any other entry
 * shows up only in that entry's own routines. Module set-up calls PyModuleDef_Init,
 * PyErr_NewException and PyModule_AddObject, each marked for the crash handler and each with
 * another way (PyModule_Create2, PyErr_NewExceptionWithDoc, PyObject_SetAttrString) that the
 * harness asks for when the first crashed; the routine list and the presence check go through
 * ctypes in the worker and call no API entry at all. Some routines also use helpers no property is
 * about (PyImport_ImportModule, PyObject_GetAttrString, PyObject_CallObject, PySet_New,
 * PyWeakref_NewRef). PyLong_AsLong, PyLong_AsDouble, PyNumber_Multiply, PyNumber_Subtract and
 * PyUnicode_Contains are called only by their own routines (the harness's fault-injection
 * targets).
 */
/* The build variant `no-clean` leaves it out, as extensions did before 3.10 (see below). */
#ifndef ABI3PROBE_NO_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The source is C and C++ alike (a build variant compiles it as C++). As C++ it keeps C linkage
 * throughout: the symbols it exports and the API entries it (or a contract) declares itself
 * must have their C names, or the interpreter, ctypes and the dynamic linker miss them. */
#ifdef __cplusplus
extern "C" {
#endif

#define LIMITED_AT_LEAST(hex) (Py_LIMITED_API + 0 >= (hex))

/* The length type of a '#' format given to the plain PyArg_Parse*, Py_BuildValue and
 * PyObject_Call* names: int in a build without PY_SSIZE_T_CLEAN with headers before 3.13 (the
 * `no-clean` variant links the plain symbols), else Py_ssize_t. The _SizeT names always take
 * Py_ssize_t. */
#if defined(PY_SSIZE_T_CLEAN) || PY_VERSION_HEX >= 0x030d0000
typedef Py_ssize_t probe_hash_len;
#else
typedef int probe_hash_len;
#endif

/* These names are also object-like macros for their newer spelling (PyObject_Length is
 * PyObject_Size, ...); undefine them so the routines reach the exported entries themselves. */
#undef PyObject_Length
#undef PySequence_Length
#undef PySequence_In

static PyObject *ContractError;

/* --- crashes charged to their entry ---------------------------------------------------------
 * When the process dies of a signal, the harness knows which request was running but not which
 * API entry took it down. These say it: the entry the probe's own code (set-up, dispatch) was
 * calling, and the routine running. A handler installed at import writes them to stderr, where
 * the harness reads them (harness/src/worker.rs, `Breadcrumb`), then lets the signal go on to
 * faulthandler and the default action. A hang ends with the harness's SIGABRT: the same. */
static const char *volatile current_phase = "set-up";
static const char *volatile current_call;
static const char *volatile current_routine;

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
#define FATAL_SIGNALS (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction previous_handlers[FATAL_SIGNALS];

static void say(const char *text)
{
    ssize_t ignored = write(2, text, strlen(text));
    (void)ignored;
}

static void on_fatal_signal(int signal)
{
    const char *call = current_call, *routine = current_routine;
    if (call != NULL) {
        say("\nabi3probe: fatal signal in the probe's ");
        say(current_phase);
        say(" call to ");
        say(call);
        say("\n");
    }
    if (routine != NULL) {
        say("\nabi3probe: fatal signal in routine ");
        say(routine);
        say("\n");
    }
    for (size_t i = 0; i < FATAL_SIGNALS; i++)
        if (fatal_signals[i] == signal)
            sigaction(signal, &previous_handlers[i], NULL);
    raise(signal);
}

static void install_crash_handler(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fatal_signal;
    action.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < FATAL_SIGNALS; i++)
        sigaction(fatal_signals[i], &action, &previous_handlers[i]);
}

/* True when the harness asked set-up not to call `entry` (ABI3PROBE_AVOID=",A,,B,"): a crash
 * there was charged to it earlier in the cell, and set-up takes another way. */
static int setup_avoids(const char *entry)
{
    const char *avoid = getenv("ABI3PROBE_AVOID");
    if (avoid == NULL)
        return 0;
    size_t length = strlen(entry);
    for (const char *at = strstr(avoid, entry); at != NULL; at = strstr(at + 1, entry))
        if (at > avoid && at[-1] == ',' && at[length] == ',')
            return 1;
    return 0;
}

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

/* An exported function the limited-API headers do not declare (abi_only), or declare with a
 * prototype that changed between versions: a weak marker bound to its symbol by an assembler
 * label, whose address is the function's (NULL where it is missing). No prototype is declared:
 * C++ would need one, and it would have to match each header version's. A family defines the
 * entry's name to its marker for the routine table and REQUIRE, and calls it through a typed
 * alias of the same symbol. */
#define ABI_ONLY_SYMBOL(name) extern const char abi_only_##name __asm__(#name) __attribute__((weak))

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

/* --- helpers shared by the routines --------------------------------------------------------
 * The routines themselves are contracts (harness/data/contracts/FAMILY.toml), generated into
 * generated/contracts.c; what several of them share lives here.
 */

/* ---- object protocol ---- */

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

/* ---- int and float ---- */

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

/* ---- str ---- */

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

/* ---- bytes and bytearray ---- */

/* A fresh bytearray with the contents of a bytes argument (PyByteArray_* need a bytearray). */
static PyObject *fresh_bytearray(PyObject *args, Py_ssize_t n)
{
    Py_ssize_t length;
    const char *data = arg_bytes(args, n, &length);
    return data ? PyByteArray_FromStringAndSize(data, length) : NULL;
}

/* ---- list, tuple and the sequence protocol ---- */

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

/* ---- dict ---- */

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

#endif

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

/* ---- sets, slices, complex numbers ----
 * Set routines build their set from a list argument with PySet_New (its own property), then
 * return the set after the call, so mutation is compared too. */

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

/* --- the routine table ------------------------------------------------------------------
 * Generated from the contracts (harness/data/contracts/FAMILY.toml) into generated/contracts.c,
 * included at the end of this file: one row per routine, ended by a row whose name is NULL.
 * `symbol` is the exported entry the routine is about (NULL for header consts, macros,
 * structs and typedefs); it is declared weak, so its address is NULL when the interpreter does
 * not export it. Data entries (PyExc_TypeError, PyLong_Type, ...) are exported symbols too.
 */

struct routine {
    const char *name;
    int nargs;
    routine_fn fn;
    const void *symbol;
    const char *symbol_name;
};

static const struct routine *routine_table(void);

/* The routine of that name, or NULL. */
static const struct routine *find_routine(PyObject *name)
{
    for (const struct routine *r = routine_table(); r->name != NULL; r++) {
        current_call = "PyUnicode_CompareWithASCIIString";
        int different = PyUnicode_CompareWithASCIIString(name, r->name);
        current_call = NULL;
        if (different == 0)
            return r;
    }
    return NULL;
}

/* --- module functions ------------------------------------------------------------------- */

static PyObject *probe_call(PyObject *self, PyObject *args)
{
    current_phase = "dispatch";
    current_call = "PyTuple_Size";
    Py_ssize_t nargs = PyTuple_Size(args);
    current_call = NULL;
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "call(routine, *args) needs a routine name");
        return NULL;
    }
    current_call = "PyTuple_GetItem";
    PyObject *name = PyTuple_GetItem(args, 0);
    current_call = NULL;
    const struct routine *r = find_routine(name);
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
    current_call = "PyTuple_GetSlice";
    PyObject *rest = PyTuple_GetSlice(args, 1, nargs);
    current_call = NULL;
    if (rest == NULL)
        return NULL;
    /* Routines may call back into Python, and Python into another routine. */
    const char *outer = current_routine;
    current_routine = r->name;
    PyObject *result = r->fn(rest);
    current_routine = outer;
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
    for (const struct routine *r = routine_table(); r->name != NULL; r++) {
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

/* The routine names, separated by spaces, for the worker to read through ctypes: listing them
 * calls no API entry, so a broken one cannot take the listing down. */
__attribute__((visibility("default"))) const char *abi3probe_routine_names(void)
{
    static char *names;
    if (names == NULL) {
        size_t size = 1;
        for (const struct routine *r = routine_table(); r->name != NULL; r++)
            size += strlen(r->name) + 1;
        char *text = (char *)malloc(size), *end = text;
        if (text == NULL)
            return "";
        for (const struct routine *r = routine_table(); r->name != NULL; r++) {
            size_t length = strlen(r->name);
            memcpy(end, r->name, length);
            end[length] = ' ';
            end += length + 1;
        }
        *end = '\0';
        names = text;
    }
    return names;
}

/* The module's own set-up: ContractError, made and added with the first of two ways that set-up
 * is not asked to avoid; each call marked for the crash handler. */
static int probe_exec(PyObject *module)
{
    current_phase = "set-up";
    if (ContractError == NULL) {
        if (!setup_avoids("PyErr_NewException")) {
            current_call = "PyErr_NewException";
            ContractError = PyErr_NewException("abi3probe.ContractError", NULL, NULL);
        } else {
            current_call = "PyErr_NewExceptionWithDoc";
            ContractError = PyErr_NewExceptionWithDoc("abi3probe.ContractError", NULL, NULL, NULL);
        }
        current_call = NULL;
        if (ContractError == NULL)
            return -1;
    }
    Py_INCREF(ContractError);
    int status;
    if (!setup_avoids("PyModule_AddObject")) {
        current_call = "PyModule_AddObject";
        status = PyModule_AddObject(module, "ContractError", ContractError); /* steals on success */
        current_call = NULL;
        if (status < 0)
            Py_DECREF(ContractError);
    } else {
        current_call = "PyObject_SetAttrString";
        status = PyObject_SetAttrString(module, "ContractError", ContractError);
        current_call = NULL;
        Py_DECREF(ContractError);
    }
    return status;
}

#ifdef _Py_OPAQUE_PYOBJECT
/* abi3t (PEP 803, the `abi3t` build variant): a PyModuleDef cannot be built, so the module
 * comes from PEP 793's export hook, whose slots the interpreter reads; no API entry is called
 * before the exec slot. */
PyABIInfo_VAR(probe_abi_info);

static PySlot probe_export_slots[] = {
    PySlot_PTR(Py_mod_name, "abi3probe"),
    PySlot_PTR(Py_mod_abi, &probe_abi_info),
    PySlot_PTR_STATIC(Py_mod_methods, probe_methods), /* the interpreter refuses it non-static */
    PySlot_PTR(Py_mod_exec, probe_exec),
    PySlot_END,
};

PyMODEXPORT_FUNC PyModExport_abi3probe(void)
{
    install_crash_handler();
    return probe_export_slots;
}
#else
static PyModuleDef_Slot probe_slots[] = {
    {Py_mod_exec, (void *)probe_exec},
    {0, NULL},
};

/* Multi-phase: the interpreter makes the module object itself, so set-up calls one entry fewer
 * under test; a single-phase definition is the other way, for when PyModuleDef_Init is avoided. */
static struct PyModuleDef probe_module = {
    PyModuleDef_HEAD_INIT, "abi3probe", NULL, 0, probe_methods, probe_slots, NULL, NULL, NULL,
};

static struct PyModuleDef probe_module_single_phase = {
    PyModuleDef_HEAD_INIT, "abi3probe", NULL, -1, probe_methods, NULL, NULL, NULL, NULL,
};

static PyObject *probe_init(void)
{
    install_crash_handler();
    current_phase = "set-up";
    if (!setup_avoids("PyModuleDef_Init")) {
        current_call = "PyModuleDef_Init";
        PyObject *definition = PyModuleDef_Init(&probe_module);
        current_call = NULL;
        return definition;
    }
    current_call = "PyModule_Create2";
    PyObject *module = PyModule_Create(&probe_module_single_phase);
    current_call = NULL;
    if (module != NULL && probe_exec(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}

/* Set-up is a static function, so clang compiles it at the end of the file: an exported
 * function it compiles where it stands, binding the entries it calls (and those of the headers'
 * inline Py_DECREF) strongly before the generated `#pragma weak` list below has made them weak. */
PyMODINIT_FUNC PyInit_abi3probe(void)
{
    return probe_init();
}
#endif

/* The routines and their table, generated from harness/data/contracts/FAMILY.toml (`cargo xtask
 * codegen`); last, so that the `#line` directives in it point only into the contracts. */
#include "generated/contracts.c"

#ifdef __cplusplus
}
#endif
