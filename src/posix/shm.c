/*
 * shm.c - named segments for the POSIX backend (Linux): files in a
 * directory of the calling user's own under /dev/shm, mapped with mmap,
 * with the lifetime of include/xipc.h kept by the kernel.
 *
 * Names are the user's own. Every object of user U lives in
 * /dev/shm/xipc-U/ (mode 0700, owned by U), so no other user can see,
 * open, create, squat or block a name of U's. If another user has taken
 * that directory's name first, the next candidate (xipc-U.1 ... .7) is
 * used, the first one that is U's own; an object file must be a regular
 * file of U's with mode 0600, or it is refused (XIPC_EACCES, with the
 * reason in xipc_last_error). The directory is removed when its last object
 * goes and made again by the next create.
 *
 * POSIX shared memory outlives its processes, while xipc wants the Windows
 * rule (an object lives while it is held), so every handle holds a shared
 * OFD lock on byte XIPC__LK_HOLD of its file. The kernel drops that lock
 * when the handle's descriptor is closed, however the process ends, so "no
 * lock there" means "no live holder", never a guess from a counter that a
 * crash left wrong. OFD locks (not classic fcntl locks) are used because
 * classic locks belong to the whole process and vanish when any descriptor
 * of the file is closed.
 *
 * No lock wider than one name is ever taken, and none while memory is
 * reserved. A new segment is built unnamed (O_TMPFILE), its memory
 * reserved and its contents initialised, and only then given its name by
 * linkat(), which fails if the name exists: an opener never sees a
 * half-made object, and a creator killed half-way leaves nothing behind.
 * Removing a name (unlink, the last close, the reclaim of a stale object)
 * takes the file's flock exclusively and checks that the name still leads
 * to that file; an open takes it shared while it makes its hold and checks
 * the same. So "look for holders, then remove" never races with an open,
 * and a stopped process can delay only the one name it was working on
 * (for at most NAME_WAIT_MS, then XIPC_EBUSY). Every descriptor is
 * close-on-exec, so a spawned child never inherits a parent's hold; a
 * forked child's handles get descriptions of their own (party.c).
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include "../internal.h"
#include "../platform.h"
#include "posix.h"

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

#define SHM_ROOT "/dev/shm"
#define DIR_CANDIDATES 8
#define DIR_BUF XIPC__PSX_DIR_BUF
#define PATH_BUF XIPC__PSX_PATH_BUF

/* The longest an operation waits for another process's few calls on the
 * same name (a process stopped in the middle of them blocks that name). */
#define NAME_WAIT_MS 5000

/* Named temporary files, used only where O_TMPFILE or /proc is missing,
 * start with this (never a valid object name: it starts with a dot). */
#define TMP_PREFIX ".tmp-"

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
    case ELOOP:
        return XIPC_EACCES;
    case ENOMEM:
    case EMFILE:
    case ENFILE:
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

/* ---- the user's directory ------------------------------------------------ */

static void dir_name(char out[DIR_BUF], int k)
{
    unsigned long uid = (unsigned long)geteuid();
    if (k == 0)
        snprintf(out, DIR_BUF, SHM_ROOT "/xipc-%lu", uid);
    else
        snprintf(out, DIR_BUF, SHM_ROOT "/xipc-%lu.%c", uid, '0' + k % 10);
}

/* Finds the calling user's directory: the first candidate that is a
 * directory of the user's with mode 0700. If there is none, creates the
 * first free candidate when `create`, else returns XIPC_ENOENT (quietly:
 * no object exists). Returns 0 with the path in out, or an xipc code. */
static int user_dir(char out[DIR_BUF], int create)
{
    uid_t uid = geteuid();
    struct stat st;
    int k, round, first_free;

    for (round = 0; round < 4; round++) {
        first_free = -1;
        for (k = 0; k < DIR_CANDIDATES; k++) {
            dir_name(out, k);
            if (lstat(out, &st) != 0) {
                if (errno != ENOENT)
                    return sys_fail("lstat", out, errno);
                if (first_free < 0)
                    first_free = k;
                continue;
            }
            if (S_ISDIR(st.st_mode) && st.st_uid == uid) {
                if ((st.st_mode & 07777) == 0700)
                    return 0;
                /* Ours but not owner-only: made by a process of ours a
                 * moment ago, with the mode given to mkdir masked by its
                 * umask, before its chmod (no other user can make a
                 * directory that is ours). Made owner-only, it is ours to
                 * use; taking the next candidate instead would put objects
                 * where no one looks for them. */
                if (chmod(out, 0700) == 0)
                    return 0;
                if (errno != ENOENT)
                    return sys_fail("chmod", out, errno);
                /* Removed meanwhile: a free candidate. */
                if (first_free < 0)
                    first_free = k;
                continue;
            }
            /* Another user's, or not a directory: not ours to use. */
        }
        if (!create)
            return XIPC_ENOENT;
        if (first_free < 0)
            return xipc__fail(XIPC_EACCES, "mkdir", SHM_ROOT,
                              "every directory name xipc may use for this "
                              "user under /dev/shm is taken by someone else");
        dir_name(out, first_free);
        if (mkdir(out, 0700) == 0) {
            /* The mode given to mkdir is masked by the umask. (ENOENT: a
             * peer's last close removed it already; look again.) */
            if (chmod(out, 0700) != 0 && errno != ENOENT)
                return sys_fail("chmod", out, errno);
        } else if (errno != EEXIST) {
            return sys_fail("mkdir", out, errno);
        }
        /* Look again: made by us or by a peer just now. */
    }
    return xipc__fail(XIPC_ESYS, "mkdir", out,
                      "the directory keeps disappearing");
}

/* Removes the user's directory if it is empty (a create that finds it gone
 * makes it again). */
static void dir_tidy(const char *path)
{
    char dir[PATH_BUF], *slash;
    size_t n = strlen(path);

    if (n >= sizeof dir)
        return;
    memcpy(dir, path, n + 1);
    if ((slash = strrchr(dir, '/')) != NULL) {
        *slash = '\0';
        rmdir(dir); /* ENOTEMPTY in the common case */
    }
}

/* ---- locks on a segment file --------------------------------------------- */

static int range_lock(int fd, int cmd, short type, off_t start)
{
    struct flock l;

    memset(&l, 0, sizeof l);
    l.l_type = type;
    l.l_whence = SEEK_SET;
    l.l_start = start;
    l.l_len = 1;
    return fcntl(fd, cmd, &l);
}

/* Returns 1 if a description other than fd's own holds the file, 0 if none
 * does, or a negative xipc code. */
static int other_holders(int fd, const char *path)
{
    struct flock q;

    memset(&q, 0, sizeof q);
    q.l_type = F_WRLCK;
    q.l_whence = SEEK_SET;
    q.l_start = XIPC__LK_HOLD;
    q.l_len = 1;
    if (fcntl(fd, F_OFD_GETLK, &q) != 0)
        return sys_fail("fcntl(F_OFD_GETLK)", path, errno);
    return q.l_type != F_UNLCK;
}

/* Marks fd's description as a holder of the file. */
static int hold(int fd, const char *path)
{
    if (range_lock(fd, F_OFD_SETLK, F_RDLCK, XIPC__LK_HOLD) != 0)
        return sys_fail("fcntl(F_OFD_SETLK)", path, errno);
    return 0;
}

/* Takes the name lock of fd's file (LOCK_SH or LOCK_EX), waiting at most
 * NAME_WAIT_MS for another process's few calls on the same name. Returns
 * 0, XIPC_EBUSY or another xipc code. */
static int name_lock(int fd, int how, const char *path)
{
    int64_t start = 0;
    useconds_t nap = 20;

    for (;;) {
        if (flock(fd, how | LOCK_NB) == 0)
            return 0;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return sys_fail("flock", path, errno);
        if (start == 0)
            start = xipc__sys_now_ns();
        else if (xipc__sys_now_ns() - start > (int64_t)NAME_WAIT_MS * 1000000)
            return xipc__fail(XIPC_EBUSY, "flock", path,
                              "another process has kept this name locked "
                              "for seconds (stopped in the middle of a "
                              "create, close or unlink?)");
        usleep(nap);
        if (nap < 5000)
            nap *= 2;
    }
}

/* Lets the name lock go. Always explicitly, never by closing the
 * descriptor: a flock belongs to the open file description, and a fork()
 * by another thread while it is held gives the child a copy of the
 * descriptor, which would keep the name locked for as long as the child
 * lives. */
static void name_unlock(int fd)
{
    flock(fd, LOCK_UN);
}

/* Returns 1 if `path` still leads to the file (dev, ino), 0 if it leads
 * nowhere or to another file, or a negative xipc code. */
static int name_leads_to(const char *path, dev_t dev, ino_t ino)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : sys_fail("lstat", path, errno);
    return S_ISREG(st.st_mode) && st.st_dev == dev && st.st_ino == ino;
}

/* Checks an object file opened as fd: a regular file of the calling user,
 * owner-only. Fills *st. Returns 0 or XIPC_EACCES with the reason. */
static int file_check(int fd, const char *path, struct stat *st)
{
    char why[80];

    if (fstat(fd, st) != 0)
        return sys_fail("fstat", path, errno);
    if (!S_ISREG(st->st_mode))
        return xipc__fail(XIPC_EACCES, "open", path,
                          "not a regular file: no xipc object");
    if (st->st_uid != geteuid()) {
        snprintf(why, sizeof why, "owned by uid %lu, not by this user",
                 (unsigned long)st->st_uid);
        return xipc__fail(XIPC_EACCES, "open", path, why);
    }
    if ((st->st_mode & 07777) != 0600) {
        snprintf(why, sizeof why, "mode %04o, not owner-only 0600",
                 (unsigned)(st->st_mode & 07777));
        return xipc__fail(XIPC_EACCES, "open", path, why);
    }
    return 0;
}

enum { RECLAIM_REMOVED, RECLAIM_VANISHED, RECLAIM_LIVE };

/* Removes the file at `path` if no one holds it (a stale object: every
 * holder died). Returns RECLAIM_REMOVED, RECLAIM_VANISHED (there is no
 * such file, or the name changed meanwhile: look again), RECLAIM_LIVE, or
 * a negative xipc code. */
static int reclaim(const char *path)
{
    struct stat st;
    int fd, rc;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? RECLAIM_VANISHED
                               : sys_fail("open", path, errno);
    if (fstat(fd, &st) != 0) {
        rc = sys_fail("fstat", path, errno);
        goto out;
    }
    if ((rc = name_lock(fd, LOCK_EX, path)) != 0)
        goto out;
    if ((rc = other_holders(fd, path)) != 0) {
        rc = rc == 1 ? RECLAIM_LIVE : rc;
        goto out;
    }
    if ((rc = name_leads_to(path, st.st_dev, st.st_ino)) == 1) {
        rc = unlink(path) == 0 || errno == ENOENT
                 ? RECLAIM_REMOVED
                 : sys_fail("unlink", path, errno);
    } else if (rc == 0) {
        rc = RECLAIM_VANISHED;
    }
out:
    name_unlock(fd); /* a description of our own: unlocked or not */
    close(fd);
    return rc;
}

/* ---- handles ------------------------------------------------------------- */

static xipc__seg *seg_new(const char *name)
{
    xipc__seg *s = calloc(1, sizeof *s);
    if (s != NULL) {
        s->fd = -1;
        snprintf(s->name, sizeof s->name, "%s", name);
    }
    return s;
}

static void seg_free(xipc__seg *s)
{
    if (s->map != NULL)
        munmap(s->map, (size_t)s->maplen);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}

/* Maps the whole file of s->fd, whose size is `size`. */
static int seg_map(xipc__seg *s, uint64_t size, int prot)
{
    s->maplen = size;
    if (size == 0)
        return 0; /* nothing to map; the caller's checks reject it */
    if ((uint64_t)(size_t)size != size)
        return xipc__fail(XIPC_ENOMEM, "mmap", s->path,
                          "larger than this process's address space");
    s->map = mmap(NULL, (size_t)size, prot, MAP_SHARED, s->fd, 0);
    if (s->map == MAP_FAILED) {
        s->map = NULL;
        return sys_fail("mmap", s->path, errno);
    }
    if (size >= XIPC__PSX_PREFIX) {
        s->base = s->map + XIPC__PSX_PREFIX;
        s->len = size - XIPC__PSX_PREFIX;
    }
    return 0;
}

int xipc__psx_reopen(const xipc__seg *s, int flags)
{
    char proc[40];
    struct stat st;
    int fd;

    snprintf(proc, sizeof proc, "/proc/self/fd/%d", s->fd);
    if ((fd = open(proc, flags | O_CLOEXEC)) >= 0 || errno != ENOENT)
        return fd;
    /* No /proc: by name, if the name still leads to the file. */
    if ((fd = open(s->path, flags | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return -1;
    if (fstat(fd, &st) != 0 || st.st_dev != s->dev || st.st_ino != s->ino) {
        close(fd);
        errno = ENOENT;
        return -1;
    }
    return fd;
}

/* Whether this system lets a file made with O_TMPFILE be named through
 * /proc/self/fd: 1, 0, or -1 until the first create finds out. */
static int tmpfile_works = -1;

/* Makes the unnamed file of a new segment in `dir`, or, where the system
 * cannot name an unnamed file, a file with a temporary name (in tmp).
 * Returns the descriptor or a negative xipc code. */
static int make_file(const char *dir, char tmp[PATH_BUF])
{
    static _Atomic unsigned counter;
    int fd;

    tmp[0] = '\0';
    if (tmpfile_works != 0) {
        fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0) {
            if (tmpfile_works < 0)
                tmpfile_works = access("/proc/self/fd", F_OK) == 0;
            if (tmpfile_works)
                return fd;
            close(fd);
        } else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
            tmpfile_works = 0;
        } else {
            return sys_fail("open(O_TMPFILE)", dir, errno);
        }
    }
    snprintf(tmp, PATH_BUF, "%s/" TMP_PREFIX "%ld-%u", dir, (long)getpid(),
             atomic_fetch_add(&counter, 1));
    fd = open(tmp, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return sys_fail("open", tmp, errno);
    return fd;
}

/* Gives the finished file of fd (or the temporary name tmp) the name
 * `path`. Returns 0, or -1 with errno (EEXIST: the name is taken; ENOENT:
 * the directory has gone). */
static int publish(int fd, const char *tmp, const char *path)
{
    char proc[40];

    if (tmp[0] != '\0')
        return link(tmp, path);
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

int xipc__seg_create(xipc__seg **out, const char *name, uint64_t size,
                     xipc__seg_init_fn init, void *ctx)
{
    char dir[DIR_BUF], tmp[PATH_BUF];
    struct xipc__psx_prefix *pre;
    struct stat st;
    uint64_t total = size + XIPC__PSX_PREFIX;
    xipc__seg *s;
    int rc, e, tries;

    if (size > (UINT64_C(1) << 62) || (uint64_t)(off_t)total != total ||
        (uint64_t)(size_t)total != total)
        return xipc__fail(XIPC_EINVAL, "xipc__seg_create", name,
                          "size too large for this system");
    dir[0] = tmp[0] = '\0';
    if ((s = seg_new(name)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    if ((rc = user_dir(dir, 1)) != 0) {
        dir[0] = '\0';
        goto fail;
    }
    snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
    /* A live object of this name makes the create fail before anything is
     * reserved; a stale one is removed. The link below decides races. */
    if ((rc = reclaim(s->path)) == RECLAIM_LIVE)
        rc = xipc__fail(XIPC_EEXIST, "create", name, NULL);
    if (rc < 0)
        goto fail;
    for (tries = 0;; tries++) {
        if ((s->fd = make_file(dir, tmp)) >= 0)
            break;
        rc = s->fd;
        s->fd = -1;
        /* A peer's last close removed the empty directory meanwhile: make
         * it again. */
        if (rc != XIPC_ENOENT || tries == 16)
            goto fail;
        if ((rc = user_dir(dir, 1)) != 0)
            goto fail;
        snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
    }
    /* Owner-only whatever the umask: the mode given to open is masked by
     * it, and a umask could have left the file unreadable to us too. */
    if (fchmod(s->fd, 0600) != 0) {
        rc = sys_fail("fchmod", s->path, errno);
        goto fail;
    }
    if ((rc = hold(s->fd, s->path)) != 0)
        goto fail;
    /* Reserve every page now: tmpfs allocates lazily, and a page it cannot
     * allocate later would be a SIGBUS in whoever touches it. */
    if ((e = posix_fallocate(s->fd, 0, (off_t)total)) != 0) {
        rc = sys_fail("posix_fallocate", s->path, e);
        goto fail;
    }
    if ((rc = seg_map(s, total, PROT_READ | PROT_WRITE)) != 0)
        goto fail;
    pre = (struct xipc__psx_prefix *)s->map;
    pre->magic = XIPC__PSX_MAGIC;
    if ((rc = init(s->base, size, ctx)) != 0)
        goto fail;
    for (tries = 0;; tries++) {
        if (publish(s->fd, tmp, s->path) == 0)
            break;
        e = errno;
        if (e == EEXIST && tries < 16) {
            /* Taken meanwhile: by a live object, or a stale one that a
             * reclaim removes. */
            if ((rc = reclaim(s->path)) == RECLAIM_LIVE)
                rc = xipc__fail(XIPC_EEXIST, "create", name, NULL);
            if (rc < 0)
                goto fail;
            continue;
        }
        if (e == ENOENT && tries < 16) {
            /* A peer removed the empty directory: make it again. */
            if ((rc = user_dir(dir, 1)) != 0)
                goto fail;
            snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
            continue;
        }
        rc = sys_fail(tmp[0] ? "link" : "linkat", s->path, e);
        goto fail;
    }
    if (tmp[0] != '\0') {
        unlink(tmp);
        tmp[0] = '\0';
    }
    if (fstat(s->fd, &st) != 0) {
        rc = sys_fail("fstat", s->path, errno);
        goto fail;
    }
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->pid = getpid();
    xipc__psx_seg_register(s);
    *out = s;
    return 0;

fail:
    if (tmp[0] != '\0')
        unlink(tmp);
    seg_free(s);
    /* The directory may have been made for this create: it goes if it is
     * empty, as after a last close. */
    if (dir[0] != '\0')
        rmdir(dir);
    return rc;
}

int xipc__seg_open(xipc__seg **out, const char *name, int readonly,
                   xipc__seg_check_fn check, void *ctx)
{
    static const unsigned char empty[64];
    char dir[DIR_BUF];
    struct stat st;
    xipc__seg *s;
    uint64_t magic;
    int rc, tries, locked = 0;

    if ((s = seg_new(name)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    s->readonly = readonly != 0;
    s->peek = readonly == XIPC__SEG_PEEK;
    if ((rc = user_dir(dir, 0)) != 0) {
        if (rc == XIPC_ENOENT)
            rc = xipc__fail(XIPC_ENOENT, "open", name, NULL);
        goto fail;
    }
    snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
    for (tries = 0;; tries++) {
        s->fd = open(s->path,
                     (readonly ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC);
        if (s->fd < 0) {
            rc = errno == ENOENT ? xipc__fail(XIPC_ENOENT, "open", name, NULL)
                                 : sys_fail("open", s->path, errno);
            goto fail;
        }
        if ((rc = file_check(s->fd, s->path, &st)) != 0)
            goto fail;
        if (s->peek) {
            /* A look: a live object is one with a holder, and nothing is
             * held, reclaimed or waited for. */
            if ((rc = other_holders(s->fd, s->path)) < 0)
                goto fail;
            if (rc == 0) {
                rc = xipc__fail(XIPC_ENOENT, "open", name, NULL);
                goto fail;
            }
            break;
        }
        if ((rc = name_lock(s->fd, LOCK_SH, s->path)) != 0)
            goto fail;
        locked = 1;
        if ((rc = other_holders(s->fd, s->path)) < 0)
            goto fail;
        if (rc == 0) {
            /* Stale: every holder died. It is removed, and the name is
             * free. */
            name_unlock(s->fd);
            locked = 0;
            close(s->fd);
            s->fd = -1;
            reclaim(s->path);
            rc = xipc__fail(XIPC_ENOENT, "open", name, NULL);
            goto fail;
        }
        if ((rc = hold(s->fd, s->path)) != 0 ||
            (rc = name_leads_to(s->path, st.st_dev, st.st_ino)) < 0)
            goto fail;
        name_unlock(s->fd);
        locked = 0;
        if (rc == 1)
            break;
        /* The name was removed, or moved to a newer object, before we held
         * this one: let it go and look again. */
        close(s->fd);
        s->fd = -1;
        if (tries == 8) {
            rc = xipc__fail(XIPC_ENOENT, "open", name, NULL);
            goto fail;
        }
    }
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    s->pid = getpid();
    if ((uint64_t)st.st_size < XIPC__PSX_PREFIX) {
        rc = check(empty, 0, ctx);
        goto fail;
    }
    if ((rc = seg_map(s, (uint64_t)st.st_size,
                      readonly ? PROT_READ : PROT_READ | PROT_WRITE)) != 0)
        goto fail;
    memcpy(&magic, s->map, sizeof magic);
    if (magic != XIPC__PSX_MAGIC) {
        rc = magic == XIPC__MAGIC
                 ? xipc__fail(XIPC_EVERSION, "open", name,
                              "made by an xipc with another layout version")
                 : xipc__fail(XIPC_ECORRUPT, "open", name,
                              "not an xipc object (foreign magic)");
        goto fail;
    }
    if ((rc = check(s->base, s->len, ctx)) != 0)
        goto fail;
    if (!s->peek)
        xipc__psx_seg_register(s);
    *out = s;
    return 0;

fail:
    if (locked)
        name_unlock(s->fd);
    seg_free(s);
    return rc;
}

/* Removes the name of the file (dev, ino) at `path` if no description but
 * fd's own holds it; fd is a descriptor of that file. If `own`, fd's
 * description is the caller's alone and its hold is let go first, under
 * the name lock: two last holders closing at once would otherwise each
 * see the other's hold, and neither destroy. */
static void destroy_if_last(int fd, const char *path, dev_t dev, ino_t ino,
                            int own)
{
    if (name_lock(fd, LOCK_EX, path) != 0)
        return; /* left stale, for a later open, create or sweep */
    if (own)
        range_lock(fd, F_OFD_SETLK, F_UNLCK, XIPC__LK_HOLD);
    if (other_holders(fd, path) == 0 && name_leads_to(path, dev, ino) == 1 &&
        unlink(path) == 0)
        dir_tidy(path);
    name_unlock(fd);
}

void xipc__seg_close(xipc__seg *s)
{
    struct stat st;
    int fd;

    if (s->peek) {
        seg_free(s);
        return;
    }
    xipc__psx_seg_forget(s);
    xipc__psx_part_put(s);
    if (s->map != NULL) {
        munmap(s->map, (size_t)s->maplen);
        s->map = NULL;
    }
    if (s->pid == getpid()) {
        /* The description is this process's alone, so a hold on any other
         * one is another holder. No new descriptor is needed: the last
         * close works even when the process is out of descriptors. */
        destroy_if_last(s->fd, s->path, s->dev, s->ino, 1);
        close(s->fd);
    } else {
        /* Shared with another process (a fork whose child could not be
         * given a description of its own): let ours go first, then ask
         * through a fresh one whether anyone still holds the file. */
        close(s->fd);
        fd = open(s->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            if (fstat(fd, &st) == 0 && st.st_dev == s->dev &&
                st.st_ino == s->ino)
                destroy_if_last(fd, s->path, s->dev, s->ino, 0);
            close(fd);
        }
    }
    s->fd = -1;
    seg_free(s);
}

void *xipc__seg_base(const xipc__seg *s)
{
    return s->base;
}

int xipc__seg_unlink(const char *name)
{
    char dir[DIR_BUF], path[PATH_BUF];
    struct stat st;
    uint64_t magic;
    int fd, rc;

    if ((rc = user_dir(dir, 0)) != 0)
        return rc == XIPC_ENOENT ? xipc__fail(XIPC_ENOENT, "unlink", name, NULL)
                                 : rc;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return errno == ENOENT ? xipc__fail(XIPC_ENOENT, "unlink", name, NULL)
                               : sys_fail("open", path, errno);
    if ((rc = file_check(fd, path, &st)) != 0 ||
        (rc = name_lock(fd, LOCK_EX, path)) != 0)
        goto out;
    XIPC__FAULT_POINT("unlink:locked");
    if (pread(fd, &magic, sizeof magic, 0) != (ssize_t)sizeof magic ||
        magic != XIPC__PSX_MAGIC) {
        rc = xipc__fail(XIPC_ECORRUPT, "unlink", name,
                        "the name holds something that is not an xipc "
                        "object");
        goto out;
    }
    if ((rc = name_leads_to(path, st.st_dev, st.st_ino)) < 0)
        goto out;
    if (rc == 0) {
        rc = xipc__fail(XIPC_ENOENT, "unlink", name, NULL);
        goto out;
    }
    /* A stale object is removed all the same, and reported as absent. */
    rc = other_holders(fd, path);
    if (rc >= 0) {
        if (unlink(path) != 0)
            rc = sys_fail("unlink", path, errno);
        else
            rc = rc == 1 ? 0 : xipc__fail(XIPC_ENOENT, "unlink", name, NULL);
    }
    dir_tidy(path);
out:
    name_unlock(fd);
    close(fd);
    return rc;
}

/* Walks the user's directory for objects whose names start with `prefix`:
 * sweeping, removes the stale ones (and stale temporary files) and reports
 * each object removed; listing, reports every one with whether it is live.
 * Returns the number reported or a negative code. */
static int scan(const char *prefix, int sweep,
                void (*cb)(const char *name, int live, void *ctx), void *ctx)
{
    char dir[DIR_BUF], path[PATH_BUF], canon[XIPC__NAME_BUF];
    struct dirent *d;
    DIR *dp;
    int n = 0, rc, fd;

    if ((rc = user_dir(dir, 0)) != 0)
        return rc == XIPC_ENOENT ? 0 : rc;
    if ((dp = opendir(dir)) == NULL)
        return errno == ENOENT ? 0 : sys_fail("opendir", dir, errno);
    while ((d = readdir(dp)) != NULL) {
        const char *name = d->d_name;
        if (strlen(name) >= XIPC__NAME_BUF)
            continue; /* longer than any name xipc makes */
        if (sweep && strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
            snprintf(path, sizeof path, "%s/%.*s", dir, XIPC_NAME_MAX, name);
            reclaim(path); /* a creator's leftover, if it died */
            continue;
        }
        if (xipc__name_canon(name, canon) != 0 || strcmp(canon, name) != 0)
            continue; /* not a name xipc could have made */
        if (strncmp(name, prefix, strlen(prefix)) != 0)
            continue;
        snprintf(path, sizeof path, "%s/%.*s", dir, XIPC_NAME_MAX, name);
        if (sweep) {
            if (reclaim(path) != RECLAIM_REMOVED)
                continue;
            rc = 0;
        } else {
            if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
                continue; /* gone meanwhile */
            rc = other_holders(fd, path);
            close(fd);
            if (rc < 0)
                continue;
        }
        n++;
        if (cb)
            cb(name, rc, ctx);
    }
    closedir(dp);
    if (sweep)
        rmdir(dir);
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
    char dir[DIR_BUF], path[PATH_BUF];
    struct stat st;

    if (user_dir(dir, 0) != 0)
        return 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &st) == 0 || errno != ENOENT;
}

int xipc__seg_owner_only(const xipc__seg *s)
{
    struct stat st;
    if (fstat(s->fd, &st) != 0)
        return sys_fail("fstat", s->path, errno);
    return S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
           (st.st_mode & 07777) == 0600;
}

int xipc__seg_test_chmod(const xipc__seg *s, int mode)
{
    if (fchmod(s->fd, (mode_t)mode) != 0)
        return sys_fail("fchmod", s->path, errno);
    return 0;
}

int xipc__seg_test_squat(int64_t uid, int undo)
{
    char dir[DIR_BUF];

    snprintf(dir, sizeof dir, SHM_ROOT "/xipc-%lu", (unsigned long)uid);
    if (undo)
        return rmdir(dir) == 0 ? 0 : sys_fail("rmdir", dir, errno);
    if (mkdir(dir, 0777) != 0 || chmod(dir, 0777) != 0)
        return sys_fail("mkdir", dir, errno);
    return 0;
}
