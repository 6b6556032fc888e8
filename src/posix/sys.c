/*
 * sys.c - clock, sleep, pid, page size, platform facts and test support for
 * the POSIX backend.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int64_t xipc__sys_getpid(void)
{
    return (int64_t)getpid();
}

int64_t xipc__sys_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void xipc__sys_sleep_ms(int64_t ms)
{
    struct timespec ts;
    if (ms <= 0) {
        sched_yield();
        return;
    }
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

uint64_t xipc__sys_page_size(void)
{
    return (uint64_t)sysconf(_SC_PAGESIZE);
}

const char *xipc__sys_backend(void)
{
    return "posix";
}

void xipc__sys_facts(char *buf, size_t len)
{
    struct utsname u;
    if (uname(&u) != 0)
        snprintf(u.sysname, sizeof u.sysname, "?");
    snprintf(buf, len, "backend=posix os=%s %s %s page=%llu holders=ofd-lock",
             u.sysname, u.release, u.machine,
             (unsigned long long)xipc__sys_page_size());
}

int xipc__sys_set_umask(int mask)
{
    return (int)umask((mode_t)mask);
}

void xipc__sys_die(int code)
{
    _exit(code);
}
