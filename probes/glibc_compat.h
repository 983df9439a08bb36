/* Force-included (-include) into every probe: binds the C-library symbols whose default version
 * moved in newer glibc to their oldest version, so a probe built here loads on the oldest
 * platform of the matrix (bullseye, glibc 2.31), the way manylinux builds on an old base.
 * dlsym and friends moved from libdl into libc in glibc 2.34 with a new version (each
 * architecture's oldest version is its own: the first glibc that supported it); so did
 * pthread_create and pthread_join, from libpthread (which every interpreter of the matrix links,
 * so the old versions resolve there). The harness
 * checks every built probe's versioned imports against each platform's glibc before running.
 */
#if defined(__GLIBC__) || defined(__linux__)
#if defined(__x86_64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2.5");
__asm__(".symver dladdr,dladdr@GLIBC_2.2.5");
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2.5");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.2.5");
#elif defined(__aarch64__)
__asm__(".symver dlsym,dlsym@GLIBC_2.17");
__asm__(".symver dladdr,dladdr@GLIBC_2.17");
__asm__(".symver pthread_create,pthread_create@GLIBC_2.17");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.17");
#elif defined(__i386__)
__asm__(".symver dlsym,dlsym@GLIBC_2.0");
__asm__(".symver dladdr,dladdr@GLIBC_2.0");
__asm__(".symver pthread_create,pthread_create@GLIBC_2.1");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.0");
#elif defined(__s390x__)
__asm__(".symver dlsym,dlsym@GLIBC_2.2");
__asm__(".symver dladdr,dladdr@GLIBC_2.2");
__asm__(".symver pthread_create,pthread_create@GLIBC_2.2");
__asm__(".symver pthread_join,pthread_join@GLIBC_2.2");
#endif
#endif
