/*
 * proc.c - child processes for the POSIX backend: posix_spawn of this same
 * executable (found through /proc/self/exe), never fork() without exec, so
 * a child starts as fresh as a Windows one. Descriptors other than the three
 * standard streams are closed in the child, so it inherits no hold on any
 * segment.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct xipc__child {
    pid_t pid;
    int reaped; /* waitpid has returned its status; pid may be reused */
    int code;
};

int xipc__child_spawn(xipc__child **out, int nargs, const char *const *args)
{
    posix_spawn_file_actions_t fa;
    char self[PATH_MAX];
    xipc__child *c;
    char **argv;
    ssize_t n;
    int i, e;

    n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        return xipc__fail(XIPC_ESYS, "readlink", "/proc/self/exe",
                          strerror(errno));
    self[n] = '\0';
    argv = calloc((size_t)nargs + 2, sizeof *argv);
    c = calloc(1, sizeof *c);
    if (argv == NULL || c == NULL) {
        free(argv);
        free(c);
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    }
    argv[0] = self;
    for (i = 0; i < nargs; i++)
        argv[i + 1] = (char *)args[i];
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    e = posix_spawn(&c->pid, self, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(argv);
    if (e != 0) {
        free(c);
        return xipc__fail(e == ENOMEM ? XIPC_ENOMEM : XIPC_ESYS,
                          "posix_spawn", self, strerror(e));
    }
    *out = c;
    return 0;
}

void xipc__child_prepare(void)
{
    /* A crash already ends a POSIX process at once, with 128 + the signal
     * as its status. */
}

/* Reaps the child if it has ended. Returns 1 if reaped, 0 if still
 * running, or a negative code. */
static int reap(xipc__child *c)
{
    int st;
    pid_t r;

    if (c->reaped)
        return 1;
    do
        r = waitpid(c->pid, &st, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return xipc__fail(XIPC_ESYS, "waitpid", NULL, strerror(errno));
    if (r == 0)
        return 0;
    c->reaped = 1;
    c->code = WIFEXITED(st) ? WEXITSTATUS(st)
              : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
                                : 255;
    return 1;
}

int xipc__child_wait(xipc__child *c, int64_t timeout_ms, int *exit_code)
{
    int64_t deadline = 0, nap_us = 50;
    int rc;

    /* Beyond about 146 years a timeout is forever (and would overflow). */
    if (timeout_ms > INT64_MAX / 2000000)
        timeout_ms = -1;
    if (timeout_ms >= 0)
        deadline = xipc__sys_now_ns() + timeout_ms * 1000000;

    for (;;) {
        if ((rc = reap(c)) < 0)
            return rc;
        if (rc == 1) {
            *exit_code = c->code;
            return 0;
        }
        if (timeout_ms >= 0 && xipc__sys_now_ns() >= deadline)
            return XIPC_ETIMEDOUT;
        /* Poll with a growing nap: a child that ends soon is seen within
         * tens of microseconds, a long wait costs at most 200 wake-ups/s. */
        usleep((useconds_t)nap_us);
        if (nap_us < 5000)
            nap_us *= 2;
    }
}

int xipc__child_kill(xipc__child *c)
{
    if (c->reaped)
        return 0;
    if (kill(c->pid, SIGKILL) != 0 && errno != ESRCH)
        return xipc__fail(XIPC_ESYS, "kill", NULL, strerror(errno));
    return 0;
}

int64_t xipc__child_pid(const xipc__child *c)
{
    return (int64_t)c->pid;
}

void xipc__child_free(xipc__child *c)
{
    free(c);
}
