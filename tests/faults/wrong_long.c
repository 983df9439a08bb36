/* A shim for the foreign-architecture fault test (tests/it/arch.rs), cross-compiled for the
 * architecture under test and preloaded into an interpreter whose executable no longer exports
 * PyLong_AsLong: the probe's PyLong_AsLong binds here and returns value + 1 for values >= 1000.
 * Debian links libpython into the executable, whose own exports come before any preloaded
 * library, so the real function is hidden rather than wrapped, and the shim computes the value
 * through PyLong_AsLongLong (long is 64 bits on the 64-bit architectures it is built for).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

typedef struct _object PyObject;
extern long long PyLong_AsLongLong(PyObject *);

static int from_probe(void *return_address)
{
    Dl_info info;
    return dladdr(return_address, &info) && info.dli_fname && strstr(info.dli_fname, "abi3probe");
}

long PyLong_AsLong(PyObject *obj)
{
    long value = (long)PyLong_AsLongLong(obj);
    if (value >= 1000 && from_probe(__builtin_return_address(0)))
        return value + 1;
    return value;
}
