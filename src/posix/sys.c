/*
 * sys.c - clock, sleep, pid, page size, platform facts and test support for
 * the POSIX backend.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"
#include "posix.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <stdatomic.h>
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
    snprintf(
        buf, len,
        "backend=posix os=%s %s %s page=%llu holders=ofd-lock lock=xipc-futex",
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

struct xipc__thread {
    pthread_t t;
    int (*fn)(void *);
    void *arg;
    int result;
};

static void *thread_main(void *p)
{
    xipc__thread *t = p;
    t->result = t->fn(t->arg);
    return NULL;
}

int xipc__thread_start(xipc__thread **out, int (*fn)(void *), void *arg)
{
    xipc__thread *t = calloc(1, sizeof *t);
    int e;

    if (t == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    t->fn = fn;
    t->arg = arg;
    if ((e = pthread_create(&t->t, NULL, thread_main, t)) != 0) {
        free(t);
        return xipc__fail(XIPC_ESYS, "pthread_create", NULL, strerror(e));
    }
    *out = t;
    return 0;
}

int xipc__thread_join(xipc__thread *t)
{
    int r;
    pthread_join(t->t, NULL);
    r = t->result;
    free(t);
    return r;
}

int xipc__thread_terminate(xipc__thread *t)
{
    (void)t;
    return xipc__fail(XIPC_ENOTSUP, "xipc__thread_terminate", NULL,
                      "a POSIX thread cannot be ended alone");
}

struct at_end {
    void (*fn)(void *);
    void *arg;
};

static void at_end_run(void *p)
{
    struct at_end *a = p;
    a->fn(a->arg);
    free(a);
}

int xipc__thread_at_end(void (*fn)(void *), void *arg)
{
    struct at_end *a = malloc(sizeof *a);
    pthread_key_t k;
    int e;

    if (a == NULL)
        return xipc__fail(XIPC_ENOMEM, "malloc", NULL, NULL);
    a->fn = fn;
    a->arg = arg;
    if ((e = pthread_key_create(&k, at_end_run)) != 0 ||
        (e = pthread_setspecific(k, a)) != 0) {
        free(a);
        return xipc__fail(XIPC_ESYS, "pthread_key_create", NULL, strerror(e));
    }
    return 0;
}

int xipc__sys_pss(uint64_t *bytes)
{
    char line[256];
    unsigned long long kb;
    FILE *f = fopen("/proc/self/smaps_rollup", "r");

    if (f == NULL)
        return xipc__fail(errno == ENOENT ? XIPC_ENOTSUP : XIPC_ESYS, "fopen",
                          "/proc/self/smaps_rollup", strerror(errno));
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "Pss: %llu kB", &kb) == 1) {
            fclose(f);
            *bytes = (uint64_t)kb * 1024;
            return 0;
        }
    }
    fclose(f);
    return xipc__fail(XIPC_ESYS, "read", "/proc/self/smaps_rollup",
                      "no Pss line");
}

int xipc__sys_can_fork(void)
{
    return 1;
}

int64_t xipc__sys_fork(void)
{
    pid_t p = fork();
    if (p < 0)
        return xipc__fail(XIPC_ESYS, "fork", NULL, strerror(errno));
    return (int64_t)p;
}

uint64_t xipc__sys_calls(void)
{
    return atomic_load(&xipc__psx_calls);
}

int xipc__sys_wait_forked(int64_t pid, int64_t timeout_ms, int *exit_code)
{
    int64_t end = xipc__sys_now_ns() + timeout_ms * 1000000;
    int st;
    pid_t r;

    for (;;) {
        r = waitpid((pid_t)pid, &st, WNOHANG);
        if (r < 0 && errno != EINTR)
            return xipc__fail(XIPC_ESYS, "waitpid", NULL, strerror(errno));
        if (r == (pid_t)pid) {
            *exit_code = WIFEXITED(st)     ? WEXITSTATUS(st)
                         : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
                                           : 255;
            return 0;
        }
        if (timeout_ms >= 0 && xipc__sys_now_ns() >= end)
            return XIPC_ETIMEDOUT;
        usleep(1000);
    }
}

int xipc__sys_kill_forked(int64_t pid)
{
    if (kill((pid_t)pid, SIGKILL) != 0 && errno != ESRCH)
        return xipc__fail(XIPC_ESYS, "kill", NULL, strerror(errno));
    return 0;
}

int xipc__sys_new_pid_namespace(void)
{
    if (unshare(CLONE_NEWPID) != 0)
        return xipc__fail(errno == EPERM || errno == EACCES ? XIPC_EACCES
                          : errno == EINVAL                 ? XIPC_ENOTSUP
                                                            : XIPC_ESYS,
                          "unshare(CLONE_NEWPID)", NULL, strerror(errno));
    return 0;
}

int xipc__sys_become_user(int64_t uid)
{
    if (setgid((gid_t)uid) != 0 || setuid((uid_t)uid) != 0)
        return xipc__fail(XIPC_EACCES, "setuid", NULL, strerror(errno));
    return 0;
}

int xipc__sys_fd_limit(uint64_t n, uint64_t *open_now)
{
    struct rlimit r;
    DIR *d;
    uint64_t count = 0;

    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        return xipc__fail(XIPC_ESYS, "getrlimit", NULL, strerror(errno));
    r.rlim_cur = n == 0 || n > r.rlim_max ? r.rlim_max : (rlim_t)n;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0)
        return xipc__fail(XIPC_EACCES, "setrlimit", NULL, strerror(errno));
    if (open_now != NULL) {
        if ((d = opendir("/proc/self/fd")) == NULL)
            return xipc__fail(XIPC_ENOTSUP, "opendir", "/proc/self/fd",
                              strerror(errno));
        while (readdir(d) != NULL)
            count++;
        closedir(d);
        *open_now = count - 3; /* ".", ".." and the directory's own */
    }
    return 0;
}
