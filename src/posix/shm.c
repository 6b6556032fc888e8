/*
 * shm.c - named segments for the POSIX backend (Linux): shm_open/mmap, with
 * the lifetime of include/xipc.h kept by the kernel.
 *
 * POSIX shared memory outlives its processes: a segment stays in /dev/shm
 * until someone calls shm_unlink, even when every process that used it has
 * been killed. xipc wants the Windows rule (an object lives while it is
 * held), so each handle holds a shared open-file-description (OFD) lock on
 * byte 0 of its segment. The kernel drops that lock when the handle's
 * descriptor is closed, however the process ends, so "no OFD lock on the
 * segment" means "no live holder", never a guess from a counter that a crash
 * left wrong. OFD locks (not classic fcntl locks) are used because classic
 * locks belong to the whole process and vanish when any descriptor of the
 * file is closed.
 *
 * Create, open, close and unlink are serialised across processes by flock on
 * the /dev/shm directory (held only for the duration of those calls, dropped
 * by the kernel if the process dies), so "look for holders, then act" never
 * races with a peer. Every descriptor is close-on-exec, so a spawned child
 * never inherits a parent's hold.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SHM_DIR "/dev/shm"
#define SHM_PREFIX "xipc."

struct xipc__seg {
    int fd; /* holds the OFD read lock that marks us as a holder */
    void *base;
    uint64_t len; /* mapped bytes, as fstat reported them */
    dev_t dev;    /* identity, to tell our segment from a later one */
    ino_t ino;
    char path[sizeof "/" SHM_PREFIX + XIPC__NAME_BUF];
};

static void seg_path(char *path, size_t len, const char *name)
{
    snprintf(path, len, "/" SHM_PREFIX "%s", name);
}

static int errno_rc(int e)
{
    switch (e) {
    case ENOENT:
        return XIPC_ENOENT;
    case EEXIST:
        return XIPC_EEXIST;
    case EACCES:
    case EPERM:
    case EROFS:
        return XIPC_EACCES;
    case ENOMEM:
        return XIPC_ENOMEM;
    case ENOSPC:
    case EFBIG:
    case EDQUOT:
        return XIPC_ENOSPC;
    case ENAMETOOLONG:
    case EINVAL:
        return XIPC_EINVAL;
    default:
        return XIPC_ESYS;
    }
}

/* Records the failed call with errno's text and returns the xipc code. */
static int sys_fail(const char *what, const char *path, int e)
{
    return xipc__fail(errno_rc(e), what, path, strerror(e));
}

/* Takes the cross-process lock that serialises create/open/close/unlink.
 * Returns the locked directory descriptor, or a negative xipc code. */
static int names_lock(void)
{
    int fd = open(SHM_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return sys_fail("open", SHM_DIR, errno);
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int e = errno;
            close(fd);
            return sys_fail("flock", SHM_DIR, e);
        }
    }
    return fd;
}

static void names_unlock(int fd)
{
    close(fd); /* closing the only descriptor releases the flock */
}

/* The lock a holder keeps: byte 0 of the segment. */
static struct flock hold_range(short type)
{
    struct flock l;
    memset(&l, 0, sizeof l);
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = 0;
    l.l_len = 1;
    return l;
}

/* Returns 1 if a descriptor other than fd's own holds the segment, 0 if
 * none does, or a negative xipc code. */
static int other_holders(int fd, const char *path)
{
    struct flock q = hold_range(F_WRLCK);
    if (fcntl(fd, F_OFD_GETLK, &q) != 0)
        return sys_fail("fcntl(F_OFD_GETLK)", path, errno);
    return q.l_type != F_UNLCK;
}

/* Marks fd's open file description as a holder of the segment. */
static int hold(int fd, const char *path)
{
    struct flock l = hold_range(F_RDLCK);
    if (fcntl(fd, F_OFD_SETLK, &l) != 0)
        return sys_fail("fcntl(F_OFD_SETLK)", path, errno);
    return 0;
}

enum { PROBE_NONE = 0, PROBE_LIVE = 1, PROBE_STALE = 2 };

/* With the names lock held: opens `path` with `flags` and reports whether
 * it has a live holder. A stale segment (no holder) is removed. Returns
 * PROBE_LIVE, PROBE_NONE (no such segment), PROBE_STALE (there was one and
 * it has just been removed) or a negative code. If live and fdp is not NULL,
 * the descriptor is returned in *fdp. */
static int probe(const char *path, int flags, int *fdp)
{
    int fd, rc;

    fd = shm_open(path, flags, 0);
    if (fd < 0)
        return errno == ENOENT ? PROBE_NONE : sys_fail("shm_open", path, errno);
    rc = other_holders(fd, path);
    if (rc == 0)
        rc = shm_unlink(path) == 0 || errno == ENOENT
                 ? PROBE_STALE
                 : sys_fail("shm_unlink", path, errno);
    if (rc == PROBE_LIVE && fdp != NULL)
        *fdp = fd;
    else
        close(fd);
    return rc;
}

static int seg_map(xipc__seg *s, int prot)
{
    struct stat st;
    if (fstat(s->fd, &st) != 0)
        return sys_fail("fstat", s->path, errno);
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->len = (uint64_t)st.st_size;
    if (s->len == 0)
        return 0; /* nothing to map; the caller's check rejects it */
    s->base = mmap(NULL, (size_t)s->len, prot, MAP_SHARED, s->fd, 0);
    if (s->base == MAP_FAILED) {
        s->base = NULL;
        return sys_fail("mmap", s->path, errno);
    }
    return 0;
}

static void seg_free(xipc__seg *s)
{
    if (s->base != NULL)
        munmap(s->base, (size_t)s->len);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}

static xipc__seg *seg_new(const char *name)
{
    xipc__seg *s = calloc(1, sizeof *s);
    if (s != NULL) {
        s->fd = -1;
        seg_path(s->path, sizeof s->path, name);
    }
    return s;
}

int xipc__seg_create(xipc__seg **out, const char *name, uint64_t size,
                     xipc__seg_init_fn init, void *ctx)
{
    xipc__seg *s;
    int lk, rc, e;

    if ((uint64_t)(off_t)size != size || (uint64_t)(size_t)size != size)
        return xipc__fail(XIPC_EINVAL, "xipc__seg_create", name,
                          "size too large for this system");
    if ((s = seg_new(name)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    if ((lk = names_lock()) < 0) {
        free(s);
        return lk;
    }
    /* A stale segment of this name is removed by probe() and does not
     * count; a live one makes the name taken. */
    rc = probe(s->path, O_RDONLY, NULL);
    if (rc == PROBE_LIVE)
        rc = xipc__fail(XIPC_EEXIST, "create", name, NULL);
    if (rc < 0)
        goto fail;
    rc = 0;
    s->fd = shm_open(s->path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (s->fd < 0) {
        rc = sys_fail("shm_open", s->path, errno);
        goto fail;
    }
    /* Owner-only whatever the umask: the mode given to shm_open is masked by
     * it, and a umask could have left the segment unreadable to us too. */
    if (fchmod(s->fd, 0600) != 0 || (rc = hold(s->fd, s->path)) != 0) {
        if (rc == 0)
            rc = sys_fail("fchmod", s->path, errno);
        goto fail_unlink;
    }
    /* Reserve every page now: tmpfs allocates lazily, and a page it cannot
     * allocate later would be a SIGBUS in whoever touches it. */
    if ((e = posix_fallocate(s->fd, 0, (off_t)size)) != 0) {
        rc = sys_fail("posix_fallocate", s->path, e);
        goto fail_unlink;
    }
    if ((rc = seg_map(s, PROT_READ | PROT_WRITE)) != 0)
        goto fail_unlink;
    if ((rc = init(s->base, size, ctx)) != 0)
        goto fail_unlink;
    names_unlock(lk);
    *out = s;
    return 0;

fail_unlink:
    shm_unlink(s->path);
fail:
    names_unlock(lk);
    seg_free(s);
    return rc;
}

int xipc__seg_open(xipc__seg **out, const char *name, int readonly,
                   xipc__seg_check_fn check, void *ctx)
{
    static const unsigned char empty[64];
    xipc__seg *s;
    int lk, rc;

    if ((s = seg_new(name)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    if ((lk = names_lock()) < 0) {
        free(s);
        return lk;
    }
    rc = probe(s->path, readonly ? O_RDONLY : O_RDWR, &s->fd);
    if (rc == PROBE_NONE || rc == PROBE_STALE)
        rc = xipc__fail(XIPC_ENOENT, "open", name, NULL);
    if (rc < 0)
        goto fail;
    if ((rc = hold(s->fd, s->path)) != 0 ||
        (rc = seg_map(s, readonly ? PROT_READ : PROT_READ | PROT_WRITE)) != 0)
        goto fail;
    rc = check(s->base ? s->base : empty, s->len, ctx);
    if (rc != 0)
        goto fail;
    names_unlock(lk);
    *out = s;
    return 0;

fail:
    names_unlock(lk);
    seg_free(s);
    return rc;
}

void xipc__seg_close(xipc__seg *s)
{
    int lk = names_lock();

    /* Without the names lock (which only fails if /dev/shm is gone) the
     * segment is left to the next create/open/sweep to reclaim. */
    if (lk >= 0 && other_holders(s->fd, s->path) == 0) {
        /* We are the last holder: free the name, but only if it still
         * refers to our segment and not to a newer one after an unlink. */
        struct stat st;
        int fd = shm_open(s->path, O_RDONLY, 0);
        if (fd >= 0) {
            if (fstat(fd, &st) == 0 && st.st_dev == s->dev &&
                st.st_ino == s->ino)
                shm_unlink(s->path);
            close(fd);
        }
    }
    seg_free(s);
    if (lk >= 0)
        names_unlock(lk);
}

void *xipc__seg_base(const xipc__seg *s)
{
    return s->base;
}

int xipc__seg_unlink(const char *name)
{
    char path[sizeof "/" SHM_PREFIX + XIPC__NAME_BUF];
    int lk, rc;

    seg_path(path, sizeof path, name);
    if ((lk = names_lock()) < 0)
        return lk;
    rc = probe(path, O_RDONLY, NULL);
    if (rc == PROBE_NONE || rc == PROBE_STALE)
        rc = xipc__fail(XIPC_ENOENT, "unlink", name, NULL);
    else if (rc == PROBE_LIVE)
        rc = shm_unlink(path) == 0 ? 0 : sys_fail("shm_unlink", path, errno);
    names_unlock(lk);
    return rc;
}

/* Returns 1 if the segment at `path` has a live holder, 0 if it is stale,
 * or a negative code (XIPC_ENOENT if it has gone). */
static int has_holder(const char *path)
{
    int fd = shm_open(path, O_RDONLY, 0), rc;

    if (fd < 0)
        return errno == ENOENT ? XIPC_ENOENT
                               : sys_fail("shm_open", path, errno);
    rc = other_holders(fd, path);
    close(fd);
    return rc;
}

/* With the names lock held, walks /dev/shm for xipc segments whose names
 * start with `prefix`: sweeping, removes the stale ones and reports each;
 * listing, reports every one with whether it is live. Returns the number
 * reported or a negative code. */
static int scan(const char *prefix, int sweep,
                void (*cb)(const char *name, int live, void *ctx), void *ctx)
{
    char path[sizeof "/" SHM_PREFIX + XIPC__NAME_BUF];
    char canon[XIPC__NAME_BUF];
    struct dirent *d;
    DIR *dir;
    int lk, n = 0, live;

    if ((lk = names_lock()) < 0)
        return lk;
    if ((dir = opendir(SHM_DIR)) == NULL) {
        n = sys_fail("opendir", SHM_DIR, errno);
        goto out;
    }
    while ((d = readdir(dir)) != NULL) {
        const char *name = d->d_name + strlen(SHM_PREFIX);
        if (strncmp(d->d_name, SHM_PREFIX, strlen(SHM_PREFIX)) != 0 ||
            xipc__name_canon(name, canon) != 0 || strcmp(canon, name) != 0)
            continue; /* not a name xipc could have made */
        if (strncmp(name, prefix, strlen(prefix)) != 0)
            continue;
        seg_path(path, sizeof path, name);
        if (sweep)
            live = probe(path, O_RDONLY, NULL) == PROBE_STALE ? 0 : -1;
        else
            live = has_holder(path);
        if (live < 0 || (sweep && live != 0))
            continue;
        n++;
        if (cb)
            cb(name, live, ctx);
    }
    closedir(dir);
out:
    names_unlock(lk);
    return n;
}

/* Adapts a sweep's callback to scan's. */
struct sweep_cb {
    void (*cb)(const char *name, void *ctx);
    void *ctx;
};

static void sweep_report(const char *name, int live, void *arg)
{
    struct sweep_cb *s = arg;
    (void)live;
    if (s->cb)
        s->cb(name, s->ctx);
}

int xipc__seg_sweep(const char *prefix, void (*cb)(const char *name, void *ctx),
                    void *ctx)
{
    struct sweep_cb s;
    s.cb = cb;
    s.ctx = ctx;
    return scan(prefix, 1, sweep_report, &s);
}

int xipc__seg_list(const char *prefix,
                   void (*cb)(const char *name, int live, void *ctx), void *ctx)
{
    return scan(prefix, 0, cb, ctx);
}

int xipc__seg_present(const char *name)
{
    char path[sizeof "/" SHM_PREFIX + XIPC__NAME_BUF];
    int fd;

    seg_path(path, sizeof path, name);
    fd = shm_open(path, O_RDONLY, 0);
    if (fd < 0)
        return errno != ENOENT;
    close(fd);
    return 1;
}

int xipc__seg_owner_only(const xipc__seg *s)
{
    struct stat st;
    if (fstat(s->fd, &st) != 0)
        return sys_fail("fstat", s->path, errno);
    return (st.st_mode & 07777) == 0600;
}
