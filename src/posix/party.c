/*
 * party.c - who takes part in a segment, for the POSIX backend (Linux): the
 * identities of processes and threads, the kernel's answer to "is that
 * party alive?", and what a fork() or a thread's end does to them.
 *
 * A process that takes part in a segment (it locks one of its mutexes, or
 * waits on one of its objects) gets a party number k of that segment: the
 * next number of a counter in the segment's prefix, confirmed by taking a
 * write OFD lock on byte XIPC__LK_PARTY + k of the segment file through a
 * descriptor of its own. The kernel drops that lock when the process
 * exits, however it exits, so "no lock on byte PARTY + k" is the kernel's
 * own word that party k has ended. Numbers only go up, so a dead party's
 * number is never given to another process. A counter that a peer damaged
 * can lead to a number that is taken (the lock then refuses it, and the
 * next is tried) or, set back, to a dead party's number: the new process
 * then takes the dead one's place as the owner of whatever it held (it
 * gets XIPC_EDEADLK, or releases, where it would have got
 * XIPC_EOWNERDEAD) - damage of the kind a peer that writes a lock's word
 * can do anyway (include/xipc.h, "Threat model").
 * A thread's identity is its process's party number and a thread number of
 * that process: (k << 32) | t. Neither depends on PID namespaces or on
 * thread ids that the system recycles.
 *
 * A thread that ends (returns, or calls pthread_exit) while holding
 * mutexes cannot be seen by the kernel, since its process lives on, so a
 * thread-specific-data destructor tells sync.c, which marks those mutexes
 * held by a dead party and wakes their sleepers.
 *
 * fork(): the child is a new process with new identities. pthread_atfork
 * handlers bump a fork generation (which voids every identity a handle had
 * cached), forget the parent's parts, and give each of the child's
 * inherited handles an open file description of its own with its own hold,
 * so that closing it in the child never destroys what the parent holds,
 * nor the parent's close what the child holds.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include "../internal.h"
#include "../platform.h"
#include "posix.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The largest party number: (k << 32 | t) must stay below
 * XIPC__PARTY_DEAD. */
#define PARTY_MAX ((UINT32_C(1) << 30) - 2)

struct xipc__psx_part {
    dev_t dev;
    ino_t ino;
    int fd; /* holds the write lock on byte PARTY + party */
    uint32_t party;
    unsigned refs;
    struct xipc__psx_part *next;
};

_Atomic unsigned xipc__psx_forkgen;
_Thread_local uint32_t xipc__psx_tno __attribute__((tls_model("initial-exec")));
pid_t xipc__psx_pid;

static pthread_mutex_t parts_mu = PTHREAD_MUTEX_INITIALIZER;
static struct xipc__psx_part *parts;
static pthread_mutex_t segs_mu = PTHREAD_MUTEX_INITIALIZER;
static xipc__seg *segs;
static _Atomic uint32_t next_tno;
/* The numbers of this process's live threads, so that a word naming a
 * thread of this process that does not exist (damage) is found dead. */
static pthread_mutex_t tnos_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *tnos;
static size_t ntnos, captnos;
static pthread_key_t exit_key;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ---- fork ---------------------------------------------------------------- */

static void fork_prepare(void)
{
    pthread_mutex_lock(&segs_mu);
    pthread_mutex_lock(&parts_mu);
    pthread_mutex_lock(&tnos_mu);
    xipc__psx_sync_fork(0);
}

static void fork_parent(void)
{
    xipc__psx_sync_fork(1);
    pthread_mutex_unlock(&tnos_mu);
    pthread_mutex_unlock(&parts_mu);
    pthread_mutex_unlock(&segs_mu);
}

/* Gives an inherited handle an open file description of its own, holding
 * the segment as the parent's does; the inherited one is closed (the
 * parent keeps it). On failure the handle keeps the shared one, and
 * shm.c's close, seeing another process's descriptor, does not trust its
 * own hold to tell whether others remain. */
static void adopt(xipc__seg *s)
{
    struct flock l;
    int fd = xipc__psx_reopen(s, s->readonly ? O_RDONLY : O_RDWR);

    s->part = NULL;
    s->party = 0;
    if (fd < 0)
        return;
    memset(&l, 0, sizeof l);
    l.l_type = F_RDLCK;
    l.l_whence = SEEK_SET;
    l.l_start = XIPC__LK_HOLD;
    l.l_len = 1;
    if (fcntl(fd, F_OFD_SETLK, &l) != 0 || dup2(fd, s->fd) < 0) {
        close(fd);
        return;
    }
    close(fd);
    s->pid = xipc__psx_pid;
}

static void fork_child(void)
{
    struct xipc__psx_part *p;
    xipc__seg *s;

    atomic_fetch_add_explicit(&xipc__psx_forkgen, 1, memory_order_relaxed);
    xipc__psx_pid = getpid();
    /* Only the forking thread lives on in the child. */
    ntnos = 0;
    if (xipc__psx_tno != 0 && captnos > 0)
        tnos[ntnos++] = xipc__psx_tno;
    pthread_mutex_unlock(&tnos_mu);
    /* The parent's parts are the parent's: their descriptors are closed
     * here (the parent's copies keep the locks) and the records dropped
     * without free(), which a forked child of a threaded program should
     * not call. */
    for (p = parts; p != NULL; p = p->next)
        close(p->fd);
    parts = NULL;
    for (s = segs; s != NULL; s = s->next)
        adopt(s);
    xipc__psx_sync_fork(2);
    pthread_mutex_unlock(&parts_mu);
    pthread_mutex_unlock(&segs_mu);
}

/* ---- threads ------------------------------------------------------------- */

int xipc__psx_tno_live(uint32_t t)
{
    size_t i;
    int found = 0;

    pthread_mutex_lock(&tnos_mu);
    for (i = 0; i < ntnos && !found; i++)
        found = tnos[i] == t;
    pthread_mutex_unlock(&tnos_mu);
    return found;
}

static int tno_add(uint32_t t)
{
    uint32_t *bigger;
    int rc = 0;

    pthread_mutex_lock(&tnos_mu);
    if (ntnos == captnos) {
        bigger = realloc(tnos, (captnos ? 2 * captnos : 16) * sizeof *tnos);
        if (bigger == NULL)
            rc = -1;
        else {
            tnos = bigger;
            captnos = captnos ? 2 * captnos : 16;
        }
    }
    if (rc == 0)
        tnos[ntnos++] = t;
    pthread_mutex_unlock(&tnos_mu);
    return rc;
}

static void tno_remove(uint32_t t)
{
    size_t i;

    pthread_mutex_lock(&tnos_mu);
    for (i = 0; i < ntnos; i++) {
        if (tnos[i] == t) {
            tnos[i] = tnos[--ntnos];
            break;
        }
    }
    pthread_mutex_unlock(&tnos_mu);
}

/* The thread-specific-data destructor: runs when a thread that has a
 * number ends, while its thread-local variables are still there. The
 * number is forgotten, not only removed: a destructor of the user's that
 * runs after this one and locks again gets a new number, which sets the
 * key again, so that this destructor runs once more after it (the system
 * repeats its rounds while keys are set) and marks what it left held. */
static void thread_end(void *unused)
{
    (void)unused;
    tno_remove(xipc__psx_tno);
    xipc__psx_sync_thread_exit();
    xipc__psx_tno = 0;
}

static void init_once(void)
{
    xipc__psx_pid = getpid();
    if (pthread_key_create(&exit_key, thread_end) != 0)
        abort(); /* only EAGAIN, at the first call of a process: no keys */
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

uint32_t xipc__psx_tno_init(void)
{
    uint32_t t;

    pthread_once(&once, init_once);
    if (xipc__psx_tno != 0)
        return xipc__psx_tno;
    do
        t = atomic_fetch_add_explicit(&next_tno, 1, memory_order_relaxed) + 1;
    while (t == 0 || t == UINT32_MAX);
    /* A non-NULL value makes the destructor run at the thread's end. */
    if (tno_add(t) != 0 || pthread_setspecific(exit_key, (void *)1) != 0) {
        tno_remove(t);
        xipc__fail(XIPC_ENOMEM, "pthread_setspecific", NULL, NULL);
        return 0;
    }
    xipc__psx_tno = t;
    return t;
}

/* ---- handles ------------------------------------------------------------- */

void xipc__psx_seg_register(xipc__seg *s)
{
    pthread_once(&once, init_once);
    pthread_mutex_lock(&segs_mu);
    s->prev = NULL;
    s->next = segs;
    if (segs != NULL)
        segs->prev = s;
    segs = s;
    pthread_mutex_unlock(&segs_mu);
}

void xipc__psx_seg_forget(xipc__seg *s)
{
    pthread_mutex_lock(&segs_mu);
    if (s->prev != NULL)
        s->prev->next = s->next;
    else if (segs == s)
        segs = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
    pthread_mutex_unlock(&segs_mu);
}

/* ---- parts --------------------------------------------------------------- */

/* Makes this process a party of s: a descriptor of its own on the file and
 * the write lock on the next free party byte. Called with parts_mu held. */
static int part_new(xipc__seg *s, struct xipc__psx_part **out)
{
    struct xipc__psx_prefix *pre = (struct xipc__psx_prefix *)s->map;
    struct xipc__psx_part *p = calloc(1, sizeof *p);
    struct flock l;
    uint32_t k;
    int tries, e;

    if (p == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", s->name, NULL);
    if ((p->fd = xipc__psx_reopen(s, O_RDWR)) < 0) {
        e = errno;
        free(p);
        /* Out of descriptors is what xipc_lock_acquire documents as
         * XIPC_ENOMEM, not a failure of the system. */
        return xipc__fail(
            e == EMFILE || e == ENFILE || e == ENOMEM ? XIPC_ENOMEM : XIPC_ESYS,
            "open", s->name, strerror(e));
    }
    for (tries = 0;; tries++) {
        k = atomic_fetch_add_explicit(&pre->next_party, 1,
                                      memory_order_relaxed) +
            1;
        if (k == 0 || k > PARTY_MAX || tries == 64) {
            close(p->fd);
            free(p);
            return xipc__fail(XIPC_EBUSY, "take part", s->name,
                              "the segment has no party number left");
        }
        memset(&l, 0, sizeof l);
        l.l_type = F_WRLCK;
        l.l_whence = SEEK_SET;
        l.l_start = XIPC__LK_PARTY + (off_t)k;
        l.l_len = 1;
        if (fcntl(p->fd, F_OFD_SETLK, &l) == 0)
            break;
        if (errno != EAGAIN && errno != EACCES) {
            e = errno;
            close(p->fd);
            free(p);
            return xipc__fail(XIPC_ESYS, "fcntl(F_OFD_SETLK)", s->name,
                              strerror(e));
        }
        /* Taken: the counter was set back by someone. Try the next. */
    }
    p->dev = s->dev;
    p->ino = s->ino;
    p->party = k;
    *out = p;
    return 0;
}

int xipc__psx_part_get(xipc__seg *s)
{
    unsigned gen =
        atomic_load_explicit(&xipc__psx_forkgen, memory_order_relaxed);
    struct xipc__psx_part *p;
    int rc = 0;

    if (s->readonly)
        return xipc__fail(XIPC_EACCES, "take part", s->name,
                          "a read-only handle cannot take part");
    pthread_once(&once, init_once);
    pthread_mutex_lock(&parts_mu);
    if (s->part != NULL && s->part_gen == gen)
        goto out;
    s->part = NULL;
    for (p = parts; p != NULL; p = p->next)
        if (p->dev == s->dev && p->ino == s->ino)
            break;
    if (p == NULL) {
        if ((rc = part_new(s, &p)) != 0)
            goto out;
        p->next = parts;
        parts = p;
    }
    p->refs++;
    s->part = p;
    s->part_gen = gen;
    s->party = p->party;
out:
    pthread_mutex_unlock(&parts_mu);
    return rc;
}

void xipc__psx_part_put(xipc__seg *s)
{
    struct xipc__psx_part **pp, *p = s->part;

    if (p == NULL)
        return;
    pthread_mutex_lock(&parts_mu);
    if (s->part_gen ==
        atomic_load_explicit(&xipc__psx_forkgen, memory_order_relaxed)) {
        if (--p->refs == 0) {
            for (pp = &parts; *pp != NULL; pp = &(*pp)->next) {
                if (*pp == p) {
                    *pp = p->next;
                    break;
                }
            }
            close(p->fd);
            free(p);
        }
    }
    s->part = NULL;
    s->party = 0;
    pthread_mutex_unlock(&parts_mu);
}

/* ---- the seam ------------------------------------------------------------ */

int xipc__party_self(xipc__seg *s, uint64_t *id)
{
    uint32_t t = xipc__psx_tno;
    int rc;

    if (t == 0 && (t = xipc__psx_tno_init()) == 0)
        return XIPC_ENOMEM;
    if ((rc = xipc__psx_part_get(s)) != 0)
        return rc;
    *id = (uint64_t)s->party << 32 | t;
    return 0;
}

int xipc__party_process(xipc__seg *s, uint64_t *id)
{
    int rc;

    /* Thread number 0 is no thread's: the process as a whole. */
    if ((rc = xipc__psx_part_get(s)) != 0)
        return rc;
    *id = (uint64_t)s->party << 32;
    return 0;
}

int xipc__party_alive(xipc__seg *s, uint64_t id)
{
    uint32_t k = (uint32_t)(id >> 32);
    struct flock q;

    if (id == 0 || id >= XIPC__PARTY_DEAD || k == 0 || k > PARTY_MAX)
        return 0;
    /* Another process's thread: its process's lock answers for it (a
     * thread that ends holding a mutex has it marked dead by its own
     * process). */
    if (s->party == k &&
        s->part_gen ==
            atomic_load_explicit(&xipc__psx_forkgen, memory_order_relaxed))
        return (uint32_t)id == 0 ||
               xipc__psx_tno_live((uint32_t)id); /* this process */
    /* The handle's own descriptor is no party's, so every party's lock,
     * this process's included, conflicts with the question. */
    memset(&q, 0, sizeof q);
    q.l_type = F_WRLCK;
    q.l_whence = SEEK_SET;
    q.l_start = XIPC__LK_PARTY + (off_t)k;
    q.l_len = 1;
    atomic_fetch_add_explicit(&xipc__psx_calls, 1, memory_order_relaxed);
    if (fcntl(s->fd, F_OFD_GETLK, &q) != 0)
        return xipc__fail(XIPC_ESYS, "fcntl(F_OFD_GETLK)", s->name,
                          strerror(errno));
    return q.l_type != F_UNLCK;
}
