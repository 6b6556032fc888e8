/*
 * proc.c - child processes for the POSIX backend (Linux): posix_spawn of
 * this same executable (found through /proc/self/exe), never fork() without
 * exec, so a child starts as fresh as a Windows one. Descriptors other than
 * the three standard streams are closed in the child, so it inherits no
 * hold on any segment, and every signal starts with its default disposition
 * and unblocked.
 *
 * A child is addressed through a pidfd (Linux 5.4 and later): a descriptor
 * that names exactly that process, so a kill or a wait can never reach
 * another process that reuses the pid after the child was reaped elsewhere
 * (by a waitpid(-1) of the program, or by the kernel when the program
 * ignores SIGCHLD). Where the kernel offers no pidfd (older kernels, a
 * seccomp filter, no descriptor left), the child is addressed by its pid
 * and known by its start time as well (/proc/PID/stat): before every look
 * at the child and every kill, the backend checks that the pid still names
 * a process that started when the child did, and is still an unreaped
 * child of this process. Only a reap elsewhere and the reuse of the pid
 * between that check and the next system call, or within the clock tick
 * (10 ms) in which the child started, could then misdirect it.
 *
 * Reaping happens under the handle's mutex, without blocking, so several
 * threads may wait on one child: each sleeps on its own (in poll() on the
 * pidfd, or in short naps) with its own deadline, and whichever finds the
 * child ended first reaps it and records the code for all.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* waitid's P_PIDFD (Linux 5.4), spelled out for C libraries whose
 * idtype_t does not name it yet. */
#define PIDFD_IDTYPE ((idtype_t)3)

enum child_state {
    RUNNING, /* not known to have ended */
    ENDED,   /* reaped by this handle; `code` is final */
    LOST     /* ended, and reaped by someone else: the code is gone */
};

struct xipc__child {
    pthread_mutex_t lock; /* serialises reaping and killing */
    pid_t pid;
    int pidfd;       /* -1: addressed by pid */
    long long start; /* without a pidfd: start time, or -2 if unknown */
    enum child_state state;
    int code;
};

/* Test support: spawn without a pidfd, as on a kernel that has none. */
static atomic_int force_fallback;

static const char lost_msg[] = "the child's exit status was collected "
                               "elsewhere (SIGCHLD ignored, or waitpid(-1))";

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

static int pidfd_kill(int pidfd)
{
#ifdef SYS_pidfd_send_signal
    return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
#else
    (void)pidfd;
    errno = ENOSYS;
    return -1;
#endif
}

/* Returns the start time of process `pid` (field 22 of /proc/PID/stat, in
 * clock ticks since boot), -1 if no process has that pid, or -2 if it
 * cannot be read. A pid and a start time name one process: a process that
 * reuses the pid starts later. */
static long long start_time(pid_t pid)
{
    char path[64], buf[1024], *p;
    long long t;
    ssize_t n;
    int fd, i;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return errno == ENOENT || errno == ESRCH ? -1 : -2;
    do
        n = read(fd, buf, sizeof buf - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == ESRCH)
        n = 0; /* the process went away since the open */
    close(fd);
    if (n <= 0)
        return n == 0 ? -1 : -2;
    buf[n] = '\0';
    /* Field 2, the command name, is in parentheses and may hold spaces and
     * parentheses itself, so the fields are counted from its last ')'. */
    if ((p = strrchr(buf, ')')) == NULL)
        return -2;
    for (i = 3; i <= 22 && p != NULL; i++)
        p = strchr(p + 1, ' ');
    if (p == NULL || sscanf(p + 1, "%lld", &t) != 1)
        return -2;
    return t;
}

/* Without a pidfd: returns 1 if c->pid still names the child (or that
 * cannot be told), 0 if it names another process or none. */
static int still_ours(const xipc__child *c)
{
    long long t;

    if (c->start == -2)
        return 1;
    t = start_time(c->pid);
    return t == -2 || t == c->start;
}

/* Finds out how to address the fresh child c->pid. posix_spawn returns a
 * pid, and the pidfd is opened after it, so the child may already have
 * ended, and even been reaped elsewhere, in between. A pidfd that waitid
 * accepts names an unreaped child of this process: the right one, since
 * the pid cannot have been reused before the child was reaped. */
static void open_handle(xipc__child *c)
{
    siginfo_t si;
    int fd;

    c->pidfd = -1;
    c->start = -2;
    errno = 0;
    fd = atomic_load(&force_fallback) ? -1 : pidfd_open_(c->pid);
    if (fd < 0) {
        /* ESRCH: no process has that pid any more, so the child has ended
         * and was reaped elsewhere. Anything else (ENOSYS, EPERM from a
         * seccomp filter, EMFILE, the fallback forced): fall back to the
         * pid, and the start time that tells the child from a process
         * reusing its pid later. */
        if (errno == ESRCH || (c->start = start_time(c->pid)) == -1)
            c->state = LOST;
        return;
    }
    memset(&si, 0, sizeof si);
    if (waitid(PIDFD_IDTYPE, (id_t)fd, &si, WEXITED | WNOHANG | WNOWAIT) == 0) {
        c->pidfd = fd;
        return;
    }
    /* ECHILD: the pid now names a process that is not our child, so ours
     * was reaped elsewhere. EINVAL: a kernel with pidfd_open (5.3) but no
     * P_PIDFD (5.4); the pid will do. */
    if (errno == ECHILD || (c->start = start_time(c->pid)) == -1)
        c->state = LOST;
    close(fd);
}

/* Makes the child close every descriptor above the standard streams (all
 * of xipc's are close-on-exec already; this is for the program's own):
 * glibc 2.34 and later do it in one action; elsewhere (musl) each
 * descriptor open now is named, from /proc/self/fd. */
static void close_from_3(posix_spawn_file_actions_t *fa)
{
#ifdef XIPC_HAVE_ADDCLOSEFROM
    posix_spawn_file_actions_addclosefrom_np(fa, 3);
#else
    struct dirent *d;
    DIR *dir = opendir("/proc/self/fd");
    int fd, self;

    if (dir == NULL)
        return;
    self = dirfd(dir);
    while ((d = readdir(dir)) != NULL) {
        fd = atoi(d->d_name);
        if (d->d_name[0] >= '0' && d->d_name[0] <= '9' && fd > 2 &&
            fd != self && (fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0)
            posix_spawn_file_actions_addclose(fa, fd);
    }
    closedir(dir);
#endif
}

int xipc__child_spawn(xipc__child **out, int nargs, const char *const *args)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t all, none;
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
    if ((e = pthread_mutex_init(&c->lock, NULL)) != 0) {
        free(argv);
        free(c);
        return xipc__fail(XIPC_ESYS, "pthread_mutex_init", NULL, strerror(e));
    }
    argv[0] = self;
    for (i = 0; i < nargs; i++)
        argv[i + 1] = (char *)args[i];
    posix_spawn_file_actions_init(&fa);
    close_from_3(&fa);
    /* An ignored signal stays ignored across exec, and the signal mask is
     * inherited: a parent that ignores SIGCHLD would otherwise make its
     * child lose its own children's exit codes. */
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr,
                             POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    e = posix_spawn(&c->pid, self, &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    free(argv);
    if (e != 0) {
        pthread_mutex_destroy(&c->lock);
        free(c);
        return xipc__fail(e == ENOMEM ? XIPC_ENOMEM : XIPC_ESYS, "posix_spawn",
                          self, strerror(e));
    }
    c->state = RUNNING;
    open_handle(c);
    *out = c;
    return 0;
}

void xipc__child_prepare(void)
{
    /* A crash already ends a POSIX process at once, with 128 + the signal
     * as its status, and the spawn reset every signal to its default. */
}

/* Asks the kernel about the child, reaping it if it has ended (wait = 1) or
 * only looking (wait = 0, WNOWAIT). Caller holds c->lock and has checked
 * that c->state is RUNNING. Returns 1 if the child has ended (c->state is
 * then LOST if it was reaped elsewhere, else, with wait = 1, ENDED), 0 if
 * it is still running, or a negative code. */
static int ask(xipc__child *c, int wait)
{
    int flags = WEXITED | WNOHANG | (wait ? 0 : WNOWAIT);
    siginfo_t si;
    int r;

    if (c->pidfd < 0 && !still_ours(c)) {
        /* The pid names another process, or none: reaped elsewhere. */
        c->state = LOST;
        return 1;
    }
    do {
        /* si_pid stays 0 if no child has changed state. */
        memset(&si, 0, sizeof si);
        if (c->pidfd >= 0)
            r = waitid(PIDFD_IDTYPE, (id_t)c->pidfd, &si, flags);
        else
            r = waitid(P_PID, (id_t)c->pid, &si, flags);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        if (errno != ECHILD)
            return xipc__fail(XIPC_ESYS, "waitid", NULL, strerror(errno));
        /* Not (or no longer) our child: reaped elsewhere. */
        c->state = LOST;
        return 1;
    }
    if (si.si_pid == 0)
        return 0;
    if (wait) {
        c->state = ENDED;
        c->code = si.si_code == CLD_EXITED ? (si.si_status & 0xff)
                  : si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED
                      ? 128 + si.si_status
                      : 255;
    }
    return 1;
}

/* Sleeps until the child may have ended, for at most ms milliseconds (ms
 * >= 0; -1: no limit); *nap_us carries the growing nap of the pid
 * fallback. */
static void doze(xipc__child *c, int64_t ms, int64_t *nap_us)
{
    if (c->pidfd >= 0) {
        /* A pidfd becomes readable when the process ends, and stays so; a
         * signal or an early return only makes the caller look again. */
        struct pollfd pf;
        pf.fd = c->pidfd;
        pf.events = POLLIN;
        pf.revents = 0;
        (void)poll(&pf, 1, ms < 0 ? -1 : ms > INT_MAX ? INT_MAX : (int)ms);
        return;
    }
    /* Without a pidfd nothing can sleep until the child ends (waitpid would
     * hold the mutex and a timeout would be lost), so poll with a growing
     * nap: a child that ends soon is seen within tens of microseconds, a
     * long wait costs at most 200 wake-ups/s. */
    if (ms >= 0 && ms * 1000 < *nap_us)
        *nap_us = ms * 1000 + 1;
    usleep((useconds_t)*nap_us);
    if (*nap_us < 5000)
        *nap_us *= 2;
}

int xipc__child_wait(xipc__child *c, int64_t timeout_ms, int *exit_code)
{
    int64_t deadline = 0, nap_us = 50, left = -1;
    enum child_state state;
    int rc = 0, code = 0;

    /* Beyond about 146 years a timeout is forever (and would overflow). */
    if (timeout_ms > INT64_MAX / 2000000)
        timeout_ms = -1;
    if (timeout_ms >= 0)
        deadline = xipc__sys_now_ns() + timeout_ms * 1000000;

    for (;;) {
        pthread_mutex_lock(&c->lock);
        if (c->state == RUNNING)
            rc = ask(c, 1);
        state = c->state;
        code = c->code;
        pthread_mutex_unlock(&c->lock);
        if (rc < 0)
            return rc;
        if (state == ENDED) {
            *exit_code = code;
            return 0;
        }
        if (state == LOST)
            return xipc__fail(XIPC_ECHILD, "waitid", NULL, lost_msg);
        if (timeout_ms >= 0) {
            int64_t now = xipc__sys_now_ns();
            if (now >= deadline)
                return XIPC_ETIMEDOUT;
            left = (deadline - now + 999999) / 1000000;
        }
        doze(c, left, &nap_us);
    }
}

int xipc__child_kill(xipc__child *c)
{
    int rc = 0, r;

    pthread_mutex_lock(&c->lock);
    if (c->state != RUNNING)
        goto out;
    /* Under the mutex no waiter on this handle can reap the child between
     * this look and the kill, and an unreaped child keeps its pid. */
    if (c->pidfd >= 0) {
        struct pollfd pf;
        pf.fd = c->pidfd;
        pf.events = POLLIN;
        pf.revents = 0;
        if (poll(&pf, 1, 0) > 0)
            goto out; /* it has ended */
    } else if ((rc = ask(c, 0)) != 0) {
        rc = rc > 0 ? 0 : rc; /* it has ended, or was reaped elsewhere */
        goto out;
    }
    XIPC__FAULT_POINT("proc:kill:signal");
    r = c->pidfd >= 0 ? pidfd_kill(c->pidfd) : kill(c->pid, SIGKILL);
    /* ESRCH: it ended in the meantime, which is what was wanted. */
    if (r != 0 && errno != ESRCH)
        rc = xipc__fail(XIPC_ESYS, c->pidfd >= 0 ? "pidfd_send_signal" : "kill",
                        NULL, strerror(errno));
out:
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int64_t xipc__child_pid(const xipc__child *c)
{
    return (int64_t)c->pid;
}

void xipc__child_free(xipc__child *c)
{
    if (c->pidfd >= 0)
        close(c->pidfd);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

int xipc__child_autoreap(int on)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on ? SIG_IGN : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, NULL) != 0)
        return xipc__fail(XIPC_ESYS, "sigaction", "SIGCHLD", strerror(errno));
    return 0;
}

int xipc__child_force_fallback(int on)
{
    atomic_store(&force_fallback, on != 0);
    return 0;
}
