// System calls glibc declares only under _GNU_SOURCE (which Swift's Glibc module does not set), for the engine's
// directory listing and random bytes: one `getdents64(2)` loop on a descriptor the engine already holds, instead of `opendir`'s
// dup, fstat, fcntl and lseek around the same reads. And glibc malloc's settings (<malloc.h>, not in that module).
#ifndef CREDMON_CSYSTEMCALLS_H
#define CREDMON_CSYSTEMCALLS_H

#include <stddef.h>
#include <sys/types.h>

/// `getdents64(2)`: fills `buffer` with `struct linux_dirent64` records; returns the bytes used, 0 at the end, -1
/// with errno set on error.
long credmon_getdents64(int fd, void *buffer, size_t size);

/// `getrandom(2)` with no flags: fills `buffer` from the kernel's CSPRNG; returns the bytes written or -1.
long credmon_getrandom(void *buffer, size_t size);

/// glibc's `mallopt(M_MMAP_THRESHOLD, bytes)` (in <malloc.h>, which Swift's Glibc module leaves out): allocations of
/// `bytes` and more are mapped on their own, and the threshold no longer moves. Returns 1 on success, 0 on error.
int credmon_fix_mmap_threshold(int bytes);

/// glibc's `malloc_trim(0)`: gives the free pages of every heap back to the system. Returns 1 when some were.
int credmon_malloc_trim(void);

#endif
