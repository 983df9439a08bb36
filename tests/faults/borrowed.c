/* Reference-contract injection for the harness's own tests: preloaded into a debug interpreter
 * by a wrapper script, it makes PySequence_GetItem return a borrowed reference as if it were
 * new (the caller's Py_DECREF then releases a reference it never owned).
 *
 * Like leak.c, it runs in a copy of the statically linked executable whose dynamic symbol
 * table spells the name PySequence_GetIteX, so extensions bind to this definition while the
 * interpreter's own calls stay internal. The hash tables no longer lead to the renamed
 * symbol, so the real function is found by scanning the executable's dynamic symbols.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

typedef struct _object PyObject;

static int find_in_executable(struct dl_phdr_info *info, size_t size, void *out)
{
    (void)size;
    const ElfW(Sym) *symbols = NULL;
    const char *names = NULL;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_DYNAMIC)
            continue;
        for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr); d->d_tag != DT_NULL; d++) {
            if (d->d_tag == DT_SYMTAB)
                symbols = (const ElfW(Sym) *)d->d_un.d_ptr;
            if (d->d_tag == DT_STRTAB)
                names = (const char *)d->d_un.d_ptr;
        }
    }
    if (symbols == NULL || names == NULL)
        return 1; /* the executable comes first: stop either way */
    /* .dynsym lies just before .dynstr in the executables linkers produce. */
    for (const ElfW(Sym) *s = symbols; (const char *)s < names; s++)
        if (s->st_name && strcmp(names + s->st_name, "PySequence_GetIteX") == 0 && s->st_value)
            *(void **)out = (void *)(info->dlpi_addr + s->st_value);
    return 1;
}

PyObject *PySequence_GetItem(PyObject *o, ssize_t i)
{
    static PyObject *(*real)(PyObject *, ssize_t);
    static void (*decref)(PyObject *);
    if (!real) {
        void *address = NULL;
        dl_iterate_phdr(find_in_executable, &address);
        real = (PyObject * (*)(PyObject *, ssize_t)) address;
        decref = (void (*)(PyObject *))dlsym(RTLD_DEFAULT, "Py_DecRef");
    }
    PyObject *result = real(o, i);
    if (result)
        decref(result); /* what is left is the container's own reference */
    return result;
}
