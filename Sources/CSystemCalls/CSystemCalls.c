#define _GNU_SOURCE
#include "CSystemCalls.h"
#include <sys/syscall.h>
#include <malloc.h>
#include <unistd.h>

long credmon_getdents64(int fd, void *buffer, size_t size) {
    return syscall(SYS_getdents64, fd, buffer, size);
}

long credmon_getrandom(void *buffer, size_t size) {
    return syscall(SYS_getrandom, buffer, size, 0);
}

int credmon_fix_mmap_threshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}

int credmon_malloc_trim(void) {
    return malloc_trim(0);
}
