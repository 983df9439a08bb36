/* The fixed part of the mutants' shim (xtask/src/mutants/shim.rs writes the wrappers around
 * it): which mutant is selected (and every how many calls, ABI_HARNESS_MUTANT_EVERY overriding
 * the generated default), whether a call comes from the probe, the counts written to
 * ABI_HARNESS_MUTANT_LOG, and one function per result class that breaks a result the way the
 * selected kind says. Only successful calls are broken: a result that already reports an
 * error is left as it is, so every injection is a fault the caller could not have expected.
 *
 * Kinds (shim.rs, Kind::code): 1 wrong, 2 error without exception, 3 exception without error,
 * 4 new reference returned as borrowed, 5 borrowed returned as new, 10+N out-parameter N
 * not written. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int selected = -1;
static unsigned long every = SHIM_EVERY;
static int selected_kind;
static int counting;
static unsigned long calls[SHIM_FUNCTIONS];
static int log_fd = -1;
/* The interpreter's own code (libpython's executable segment): its calls are never broken,
 * and need no dladdr. */
static uintptr_t python_lo, python_hi;

static void *(*py_occurred)(void);
static void *(*py_tstate)(void);
static void (*py_set_string)(void *, const char *);
static void (*py_incref)(void *);
static void (*py_decref)(void *);
static void **exc_runtime_error;
static void *none_object, *true_object, *bool_type, *long_type;
static const char wrong_text[] = "abi-harness mutant";

static void *shim_real(const char *name)
{
    void *real = dlsym(RTLD_NEXT, name);
    if (!real) {
        fprintf(stderr, "abi-harness mutant shim: the interpreter does not export %s\n", name);
        abort();
    }
    return real;
}

static void shim_log(const char *line)
{
    if (log_fd >= 0) {
        ssize_t written = write(log_fd, line, strlen(line));
        (void)written;
    }
}

static int find_python(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    if (!info->dlpi_name || !strstr(info->dlpi_name, "libpython"))
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type == PT_LOAD && (segment->p_flags & PF_X)) {
            python_lo = info->dlpi_addr + segment->p_vaddr;
            python_hi = python_lo + segment->p_memsz;
        }
    }
    return 1;
}

__attribute__((constructor)) static void shim_init(void)
{
    const char *mutant = getenv("ABI_HARNESS_MUTANT");
    if (!mutant)
        return;
    if (strcmp(mutant, "count") == 0) {
        counting = 1;
    } else {
        char *end;
        selected = (int)strtol(mutant, &end, 10);
        selected_kind = *end == ':' ? atoi(end + 1) : 0;
    }
    const char *period = getenv("ABI_HARNESS_MUTANT_EVERY");
    if (period && atoi(period) > 0)
        every = (unsigned long)atoi(period);
    const char *log = getenv("ABI_HARNESS_MUTANT_LOG");
    if (log)
        log_fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    dl_iterate_phdr(find_python, NULL);
    py_occurred = (void *(*)(void))shim_real("PyErr_Occurred");
    py_tstate = (void *(*)(void))dlsym(RTLD_NEXT, "_PyThreadState_UncheckedGet");
    if (!py_tstate)
        py_tstate = (void *(*)(void))shim_real("PyThreadState_GetUnchecked");
    py_set_string = (void (*)(void *, const char *))shim_real("PyErr_SetString");
    py_incref = (void (*)(void *))shim_real("Py_IncRef");
    py_decref = (void (*)(void *))shim_real("Py_DecRef");
    exc_runtime_error = (void **)shim_real("PyExc_RuntimeError");
    none_object = shim_real("_Py_NoneStruct");
    true_object = shim_real("_Py_TrueStruct");
    bool_type = shim_real("PyBool_Type");
    long_type = shim_real("PyLong_Type");
}

__attribute__((destructor)) static void shim_fini(void)
{
    char line[200];
    for (int i = 0; i < SHIM_FUNCTIONS; i++) {
        if (calls[i]) {
            snprintf(line, sizeof line, "calls %s %lu\n", names[i], calls[i]);
            shim_log(line);
        }
    }
}

static inline int shim_watching(int index)
{
    return index == selected || counting;
}

static int shim_from_probe(void *return_address)
{
    uintptr_t address = (uintptr_t)return_address;
    if (address >= python_lo && address < python_hi)
        return 0;
    Dl_info info;
    return dladdr(return_address, &info) && info.dli_fname && strstr(info.dli_fname, "abi3probe");
}

/* Counts a call from the probe; true when this one is to be broken. */
static int shim_call(int index)
{
    unsigned long n = ++calls[index];
    if (n == 1) {
        char line[200];
        snprintf(line, sizeof line, "called %s\n", names[index]);
        shim_log(line);
    }
    return index == selected && n % every == 0;
}

/* One line per injection, written at once: a fact that survives the crash it may cause. */
static void shim_injected(void)
{
    shim_log("injected\n");
}

static int shim_has_state(void)
{
    return py_tstate() != NULL;
}

/* The pending exception, where the calling thread has a thread state. */
static void *shim_occurred(void)
{
    return shim_has_state() ? py_occurred() : NULL;
}

/* The call did not raise: no exception, or the one that was pending before it. */
static int shim_succeeded(void *before)
{
    void *after = shim_occurred();
    return !after || after == before;
}

/* Exception without error: the result stays, an exception appears. */
static int shim_raise(int ok)
{
    if (!ok || !shim_has_state() || py_occurred())
        return 0;
    py_set_string(*exc_runtime_error, "abi-harness mutant: an exception without an error result");
    shim_injected();
    return 1;
}

static void shim_void(int ok)
{
    if (selected_kind == 3)
        shim_raise(ok);
}

static int64_t shim_signed(int64_t r, int ok)
{
    if (!ok)
        return r;
    switch (selected_kind) {
    case 1:
        shim_injected();
        return r == 0 ? 1 : r == 1 ? 0 : r + 1;
    case 2:
        if (r == -1)
            return r;
        shim_injected();
        return -1;
    case 3:
        shim_raise(ok);
        return r;
    }
    return r;
}

static uint64_t shim_unsigned(uint64_t r, int ok, uint64_t max)
{
    if (!ok)
        return r;
    switch (selected_kind) {
    case 1:
        shim_injected();
        return r == 0 ? 1 : r == 1 ? 0 : (r + 1) & max;
    case 2:
        if (r == max)
            return r;
        shim_injected();
        return max;
    case 3:
        shim_raise(ok);
        return r;
    }
    return r;
}

static double shim_double(double r, int ok)
{
    if (!ok)
        return r;
    switch (selected_kind) {
    case 1:
        shim_injected();
        if (r != r)
            return 0.0;
        return r + 1.0 != r ? r + 1.0 : -r;
    case 2:
        if (r == -1.0)
            return r;
        shim_injected();
        return -1.0;
    case 3:
        shim_raise(ok);
        return r;
    }
    return r;
}

static void *shim_object(void *r, int ok, int is_type)
{
    if (!r || !ok)
        return r;
    switch (selected_kind) {
    case 1:
        /* Immortal objects (3.12+): returning one needs no reference. */
        shim_injected();
        if (is_type)
            return r == bool_type ? long_type : bool_type;
        return r == none_object ? true_object : none_object;
    case 2:
        shim_injected();
        return NULL;
    case 3:
        shim_raise(ok);
        return r;
    case 4:
        shim_injected();
        py_decref(r);
        return r;
    case 5:
        shim_injected();
        py_incref(r);
        return r;
    }
    return r;
}

static void *shim_cstr(void *r, int ok)
{
    if (!r || !ok)
        return r;
    switch (selected_kind) {
    case 1:
        shim_injected();
        return strcmp((const char *)r, wrong_text) ? (void *)wrong_text : (void *)"";
    case 2:
        shim_injected();
        return NULL;
    case 3:
        shim_raise(ok);
        return r;
    }
    return r;
}

static void *shim_pointer(void *r, int ok)
{
    if (!r || !ok)
        return r;
    switch (selected_kind) {
    case 2:
        shim_injected();
        return NULL;
    case 3:
        shim_raise(ok);
        return r;
    }
    return r;
}
