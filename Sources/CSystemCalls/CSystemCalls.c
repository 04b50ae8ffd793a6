#define _GNU_SOURCE
#include "CSystemCalls.h"
#include <sys/syscall.h>
#include <unistd.h>

long credmon_getdents64(int fd, void *buffer, size_t size) {
    return syscall(SYS_getdents64, fd, buffer, size);
}

long credmon_getrandom(void *buffer, size_t size) {
    return syscall(SYS_getrandom, buffer, size, 0);
}
