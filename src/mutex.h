/*
 * mutex.h - the robust process-shared mutex that both backends share: its
 * words in shared memory and its algorithm. Portable: it names no platform.
 *
 * src/posix/sync.c and src/win32/sync.c each define the backend's part
 * first (struct mx_os and the mx_os_* functions listed below: how a thread
 * knows itself, sleeps, wakes a sleeper and asks whether an owner lives),
 * then include this file, which defines the seam's xipc__mutex_* functions
 * (src/platform.h) from them. The fast paths are inline in each backend,
 * so the uncontended acquire and release cost one atomic instruction each
 * and no call.
 *
 * The shared bytes hold xipc's own fixed-width words only: no libc object
 * and no pointer, so nothing a peer writes there can make this process
 * write outside the segment. The state is one 64-bit word, changed only by
 * atomic instructions:
 *
 *     word = owner << 2 | state      state: FREE 0, LOCKED 1, SLEEPERS 2
 *
 * `owner` is the holding thread's party identity (src/platform.h,
 * "Parties"): unique among every thread that ever used the segment, so
 * "is the owner me?" is one comparison, exact across PID namespaces and
 * forks, and a dead owner's identity is never given to a new thread. The
 * owner is published by the same compare-exchange that takes the lock, so
 * no one ever sees a half-written owner. FREE is the word 0; the word
 * MX_LOST (state 3, no owner) marks a mutex that is not recoverable; any
 * other word with state 3, or with state FREE and an owner, is damage.
 *
 * Acquiring is a compare-exchange from FREE. A locker that finds the word
 * held spins briefly, asks the kernel whether the owner is alive, then sets
 * SLEEPERS and sleeps in the kernel until the word changes (POSIX: a futex
 * on the word; Windows: an event), in slices: after each slice it asks
 * again whether the owner is alive, and a
 * dead owner's word is taken over by one compare-exchange, which only one
 * of several waiters can win; the winner gets XIPC_EOWNERDEAD. Releasing is
 * one exchange to FREE (or to MX_LOST if the owner-died state was never
 * repaired), which tells whether anyone sleeps and must be woken. A thread
 * that ends holding mutexes is handled by its backend: on POSIX its
 * thread-exit hook marks them held by XIPC__PARTY_DEAD and wakes their
 * sleepers; on Windows the kernel abandons the thread's life mutex.
 *
 * Everything else is written by the holder only and read only by it (and
 * by inspection): the recursion depth, the health (CONSISTENT, or
 * OWNER_DIED until xipc__mutex_consistent) and, for diagnostics, the
 * holder's process id. Each is read once into a local and checked: a
 * damaged depth is XIPC_ECORRUPT, a damaged health makes the mutex not
 * recoverable, never a crash.
 *
 * What the backend defines before including this file:
 *   struct mx_os                 per-handle backend state, a member of
 *                                every xipc__mutex;
 *   MX_SLICE_FIRST_MS, MX_SLICE_MS
 *                                how long a sleeper sleeps before its first
 *                                look at the owner, and at most between two
 *                                later ones (the slices double in between);
 *   MX_TRY_TRUST_NS              how long a try trusts an owner it found
 *                                alive;
 *   int mx_os_self(xipc__mutex *m, uint64_t *me)
 *                                the calling thread's word form, owner << 2
 *                                (inline; 0 or an xipc code);
 *   int64_t mx_os_pid(void)      the calling process's id (inline, cheap);
 *   int mx_os_attach(xipc__mutex *m, xipc__seg *seg, unsigned index)
 *   void mx_os_detach(xipc__mutex *m)
 *   int mx_os_sleep(xipc__mutex *m, uint64_t w, int64_t ms)
 *                                sleeps while the word is w, at most ms:
 *                                0 (woken, maybe spuriously), MX_SLICE (the
 *                                time ran out, or the owner's death was
 *                                signalled: look at the owner), or an xipc
 *                                code;
 *   void mx_os_wake(xipc__mutex *m, int all)
 *                                wakes one sleeper (or all);
 *   int mx_os_alive(xipc__mutex *m, uint64_t owner)
 *                                whether party `owner` lives: 1, 0 or a
 *                                negative code (counts as alive);
 *   uint64_t mx_os_party_key(uint64_t owner)
 *                                what the kernel's answer about `owner`
 *                                depends on (its process on POSIX, its
 *                                thread on Windows), for the tries' memory;
 *   int mx_os_same_process(xipc__mutex *m, uint64_t owner, uint64_t me)
 *                                whether party `owner` is a live thread of
 *                                the calling process (whose own identity is
 *                                `me`); makes no system call.
 */
#ifndef XIPC_MUTEX_H
#define XIPC_MUTEX_H

#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MX_FREE UINT64_C(0)
#define MX_LOCKED UINT64_C(1)
#define MX_SLEEPERS UINT64_C(2)
#define MX_STATE UINT64_C(3)
#define MX_LOST UINT64_C(3)

/* "XMTX": the shared bytes are a mutex. */
#define MX_MAGIC 0x58544d58u

enum { MX_CONSISTENT = 0, MX_OWNER_DIED = 1 };

/* mx_os_sleep's answer when the caller should look at the owner. */
#define MX_SLICE 1

/* How long a spinning locker re-reads a held word before it sleeps: about
 * a microsecond. Longer spins cost two processes that take turns on one
 * lock a quarter of their throughput (each re-read takes the word's cache
 * line from the holder) and gained nothing elsewhere (bench/: the Queue,
 * Value and Condition scenarios at 30, 100 and 300). */
#define MX_SPINS 30

/* A try asks the kernel about an owner the first time it meets it, and
 * then trusts the answer "alive" for MX_TRY_TRUST_NS (the backend's, a
 * small multiple of what asking costs): failed tries against the holder
 * of a moment ago, in a loop, make no system call but one per that time,
 * and a try still finds a dead owner at once, or within that time of its
 * last look. The answers about the last MX_TRY_SEEN parties met are kept
 * per handle. */
#define MX_TRY_SEEN 4

/* The shared bytes: 64, identical for 32- and 64-bit builds. */
struct mx_shared {
    _Atomic uint64_t word;   /* owner << 2 | state */
    _Atomic int64_t pid;     /* the holder's process id, for diagnostics */
    uint32_t magic;          /* MX_MAGIC, written once by init */
    uint32_t recursive;      /* 0: Lock, 1: RLock, written once by init */
    _Atomic uint32_t depth;  /* the holder's recursion depth */
    _Atomic uint32_t health; /* MX_CONSISTENT or MX_OWNER_DIED */
    uint32_t reserved[8];
};
_Static_assert(sizeof(struct mx_shared) == XIPC__MUTEX_SHARED_SIZE,
               "the mutex fills its shared bytes");
_Static_assert(offsetof(struct mx_shared, word) == 0 &&
                   offsetof(struct mx_shared, pid) == 8 &&
                   offsetof(struct mx_shared, magic) == 16 &&
                   offsetof(struct mx_shared, depth) == 24 &&
                   offsetof(struct mx_shared, health) == 28,
               "the mutex's layout is the same on every build");

struct xipc__mutex {
    struct mx_shared *sh;
    xipc__seg *seg;
    int recursive;
    /* A try's memory of the owners it found alive (see MX_TRY_TRUST_NS):
     * their parties (mx_os_party_key) and when. */
    uint64_t try_key[MX_TRY_SEEN];
    int64_t try_at[MX_TRY_SEEN];
    unsigned try_next;
    struct mx_os os;
};

static inline uint64_t mx_owner(uint64_t w)
{
    return w >> 2;
}

/* ---- the fast paths ------------------------------------------------------ */

static int mx_lock_slow(xipc__mutex *m, int64_t deadline);

/* The caller has just taken the mutex (depth 0 -> 1). */
static inline int mx_took(xipc__mutex *m)
{
    atomic_store_explicit(&m->sh->depth, 1, memory_order_relaxed);
    atomic_store_explicit(&m->sh->pid, mx_os_pid(), memory_order_relaxed);
    return 0;
}

static inline int mx_lock(xipc__mutex *m, int64_t deadline)
{
    uint64_t me, free_word = MX_FREE;

    if (__builtin_expect(mx_os_self(m, &me) == 0, 1) &&
        __builtin_expect(atomic_compare_exchange_strong_explicit(
                             &m->sh->word, &free_word, me | MX_LOCKED,
                             memory_order_acquire, memory_order_relaxed),
                         1)) {
        /* A Lock's depth is 1 whenever it is held: only an RLock keeps
         * count. */
        if (m->recursive)
            atomic_store_explicit(&m->sh->depth, 1, memory_order_relaxed);
        atomic_store_explicit(&m->sh->pid, mx_os_pid(), memory_order_relaxed);
        return 0;
    }
    return mx_lock_slow(m, deadline);
}

static int mx_unlock_slow(xipc__mutex *m, uint64_t w);

static inline int mx_unlock(xipc__mutex *m)
{
    struct mx_shared *sh = m->sh;
    uint64_t me, w = atomic_load_explicit(&sh->word, memory_order_relaxed);
    uint64_t old;

    if (mx_os_self(m, &me) != 0 || (w & ~MX_STATE) != me ||
        (w & MX_STATE) == MX_FREE)
        return XIPC_EPERM;
    if (__builtin_expect(
            m->recursive ||
                atomic_load_explicit(&sh->health, memory_order_relaxed) !=
                    MX_CONSISTENT ||
                (w & MX_STATE) != MX_LOCKED,
            0))
        return mx_unlock_slow(m, w);
    old = atomic_exchange_explicit(&sh->word, MX_FREE, memory_order_release);
    if (__builtin_expect((old & MX_STATE) != MX_LOCKED, 0))
        mx_os_wake(m, 0);
    return 0;
}

int xipc__mutex_lock(xipc__mutex *m, int64_t deadline)
{
    return mx_lock(m, deadline);
}

int xipc__mutex_unlock(xipc__mutex *m)
{
    return mx_unlock(m);
}

/* Lock's two fast verbs (the rest is in src/lock.c), here so that the fast
 * paths above inline into them. */
int xipc_lock_acquire(xipc_lock *l, int64_t timeout_ms)
{
    if (l == NULL)
        return xipc__lock_null("xipc_lock_acquire");
    return mx_lock(l->mutex, xipc__deadline(timeout_ms));
}

int xipc_lock_release(xipc_lock *l)
{
    if (l == NULL)
        return xipc__lock_null("xipc_lock_release");
    return mx_unlock(l->mutex);
}

/* ---- the slow paths ------------------------------------------------------ */

/* Releases completely (depth already checked): to FREE, or to MX_LOST if
 * the owner-died state was not repaired (or the health word is damaged);
 * wakes one sleeper, or every one when the mutex is lost. Returns rc. */
static int mx_release(xipc__mutex *m, int rc)
{
    struct mx_shared *sh = m->sh;
    uint64_t now = MX_FREE, old;

    if (atomic_load_explicit(&sh->health, memory_order_relaxed) !=
        MX_CONSISTENT)
        now = MX_LOST;
    atomic_store_explicit(&sh->depth, 0, memory_order_relaxed);
    atomic_store_explicit(&sh->pid, 0, memory_order_relaxed);
    old = atomic_exchange_explicit(&sh->word, now, memory_order_release);
    if (now == MX_LOST || (old & MX_STATE) == MX_SLEEPERS)
        mx_os_wake(m, now == MX_LOST);
    return rc;
}

static int mx_unlock_slow(xipc__mutex *m, uint64_t w)
{
    struct mx_shared *sh = m->sh;
    uint32_t d;

    if ((w & MX_STATE) == MX_LOST)
        return xipc__fail(XIPC_ECORRUPT, "release", NULL,
                          "the lock's word is damaged");
    if (m->recursive) {
        d = atomic_load_explicit(&sh->depth, memory_order_relaxed);
        if (d > 1 && d <= INT32_MAX) {
            atomic_store_explicit(&sh->depth, d - 1, memory_order_relaxed);
            return 0;
        }
        if (d != 1)
            return mx_release(m, xipc__fail(XIPC_ECORRUPT, "release", NULL,
                                            "the lock's recursion count was "
                                            "damaged: released completely"));
    }
    return mx_release(m, 0);
}

/* Takes over the word w of a dead owner. Returns XIPC_EOWNERDEAD, or 1 if
 * the word changed meanwhile (the caller looks again). */
static int mx_take_over(xipc__mutex *m, uint64_t me, uint64_t w)
{
    struct mx_shared *sh = m->sh;

    /* SLEEPERS stays set: others may sleep on the word. */
    if (!atomic_compare_exchange_strong_explicit(
            &sh->word, &w, me | MX_SLEEPERS, memory_order_acquire,
            memory_order_relaxed))
        return 1;
    atomic_store_explicit(&sh->health, MX_OWNER_DIED, memory_order_relaxed);
    mx_took(m);
    return XIPC_EOWNERDEAD;
}

/* Asks whether the owner of word w lives, for a locker that is about to
 * give up or to sleep, or has slept a slice; before it has slept
 * (`trusting`), an answer "alive" given less than MX_TRY_TRUST_NS ago is
 * trusted. Returns 1 (alive) or 0. */
static int mx_owner_alive(xipc__mutex *m, uint64_t w, int trusting)
{
    uint64_t owner = mx_owner(w), key;
    int64_t now = 0;
    unsigned i;
    int alive;

    if (owner == 0 || owner >= XIPC__PARTY_DEAD)
        return 0;
    key = mx_os_party_key(owner);
    if (trusting) {
        now = xipc__sys_now_ns();
        for (i = 0; i < MX_TRY_SEEN; i++)
            if (m->try_key[i] == key && now - m->try_at[i] < MX_TRY_TRUST_NS)
                return 1;
    }
    alive = mx_os_alive(m, owner) != 0;
    if (trusting && alive) {
        i = m->try_next++ % MX_TRY_SEEN;
        m->try_key[i] = key;
        m->try_at[i] = now;
    }
    return alive;
}

static int mx_lock_slow(xipc__mutex *m, int64_t deadline)
{
    struct mx_shared *sh = m->sh;
    uint64_t me, w, want;
    int64_t now, left, slice = MX_SLICE_FIRST_MS;
    /* A locker looks at the owner once before it first sleeps (a lock
     * whose holder is already dead is taken at once), then after every
     * slice of sleep. */
    int spins = deadline == 0 ? 0 : MX_SPINS, slept = 0, look = 1, rc;
    uint32_t d;

    if ((rc = mx_os_self(m, &me)) != 0)
        return rc;
    want = me | MX_LOCKED;
    for (;;) {
        w = atomic_load_explicit(&sh->word, memory_order_acquire);
        if (w == MX_LOST) {
            /* The release that lost the mutex woke sleepers; where it could
             * wake only one, each passes the wake on, so that none sleeps
             * on. */
            if (slept)
                mx_os_wake(m, 1);
            return XIPC_ENOTRECOVERABLE;
        }
        if ((w & MX_STATE) == MX_STATE ||
            ((w & MX_STATE) == MX_FREE && w != MX_FREE))
            return xipc__fail(XIPC_ECORRUPT, "acquire", NULL,
                              "the lock's word is damaged");
        if (w == MX_FREE) {
            if (atomic_compare_exchange_weak_explicit(&sh->word, &w, want,
                                                      memory_order_acquire,
                                                      memory_order_relaxed))
                return mx_took(m);
            continue;
        }
        if ((w & ~MX_STATE) == me) {
            if (!m->recursive)
                return XIPC_EDEADLK;
            d = atomic_load_explicit(&sh->depth, memory_order_relaxed);
            if (d == 0 || d >= INT32_MAX)
                return xipc__fail(XIPC_ECORRUPT, "acquire", NULL,
                                  "the lock's recursion count is damaged");
            atomic_store_explicit(&sh->depth, d + 1, memory_order_relaxed);
            return 0;
        }
        if (spins > 0) {
            spins--;
            xipc__cpu_relax();
            continue;
        }
        now = deadline == 0 ? 0 : xipc__sys_now_ns();
        if (now >= deadline || look) {
            look = 0;
            /* Before any sleep (a try, or the look before the first
             * sleep), a recent answer "alive" is trusted. */
            if (!mx_owner_alive(m, w, !slept)) {
                if ((rc = mx_take_over(m, me, w)) != 1)
                    return rc;
                continue;
            }
            if (now >= deadline)
                return XIPC_ETIMEDOUT;
        }
        /* From here on this thread counts as a sleeper: it marks the word
         * so that the owner's release wakes one, and takes the mutex
         * marked too, since other sleepers may remain. */
        if ((w & MX_STATE) == MX_LOCKED) {
            uint64_t marked = (w & ~MX_STATE) | MX_SLEEPERS;
            if (!atomic_compare_exchange_strong_explicit(&sh->word, &w, marked,
                                                         memory_order_relaxed,
                                                         memory_order_relaxed))
                continue;
            w = marked;
        }
        want = me | MX_SLEEPERS;
        /* Slices double from the first to the longest: a short wait is
         * looked at often, a long one costs few wake-ups. */
        if (slept)
            slice = 2 * slice < MX_SLICE_MS ? 2 * slice : MX_SLICE_MS;
        left = deadline == XIPC__NEVER ? slice
                                       : (deadline - now + 999999) / 1000000;
        rc = mx_os_sleep(m, w, left < slice ? left : slice);
        slept = 1;
        if (rc == MX_SLICE)
            look = 1;
        else if (rc < 0)
            return rc;
    }
}

/* ---- the rest of the seam ------------------------------------------------ */

int xipc__mutex_init(void *shared, int recursive)
{
    struct mx_shared *sh = shared;

    memset(sh, 0, sizeof *sh);
    sh->magic = MX_MAGIC;
    sh->recursive = recursive != 0;
    return 0;
}

int xipc__mutex_attach(xipc__mutex **out, void *shared, xipc__seg *seg,
                       unsigned index, int recursive)
{
    struct mx_shared *sh = shared;
    xipc__mutex *m;
    int rc;

    if ((uintptr_t)shared % 8 != 0 || sh->magic != MX_MAGIC ||
        sh->recursive != (uint32_t)(recursive != 0))
        return xipc__fail(XIPC_ECORRUPT, "attach", NULL,
                          "the lock's shared bytes are not a lock of this "
                          "kind");
    if ((m = calloc(1, sizeof *m)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    m->sh = sh;
    m->seg = seg;
    m->recursive = recursive != 0;
    if ((rc = mx_os_attach(m, seg, index)) != 0) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* Whether a live thread of this process holds the mutex. */
static int mx_held_here(xipc__mutex *m);

int xipc__mutex_detach(xipc__mutex *m, int force)
{
    if (!force && mx_held_here(m))
        return xipc__fail(XIPC_EBUSY, "close", NULL,
                          "a thread of this process holds the lock");
    mx_os_detach(m);
    free(m);
    return 0;
}

int xipc__mutex_consistent(xipc__mutex *m)
{
    struct mx_shared *sh = m->sh;
    uint64_t me, w = atomic_load_explicit(&sh->word, memory_order_relaxed);

    if (mx_os_self(m, &me) != 0 || (w & ~MX_STATE) != me ||
        (w & MX_STATE) == MX_FREE)
        return XIPC_EPERM;
    if (atomic_load_explicit(&sh->health, memory_order_relaxed) !=
        MX_OWNER_DIED)
        return XIPC_EINVAL;
    atomic_store_explicit(&sh->health, MX_CONSISTENT, memory_order_relaxed);
    return 0;
}

int xipc__mutex_depth(const xipc__mutex *m)
{
    const struct mx_shared *sh = m->sh;
    uint64_t me, w = atomic_load_explicit(&sh->word, memory_order_relaxed);
    uint32_t d;

    if (mx_os_self((xipc__mutex *)m, &me) != 0 || (w & ~MX_STATE) != me ||
        (w & MX_STATE) == MX_FREE || (w & MX_STATE) == MX_STATE)
        return 0;
    if (!m->recursive)
        return 1;
    d = atomic_load_explicit(&sh->depth, memory_order_relaxed);
    return d >= 1 && d <= INT32_MAX ? (int)d : 1;
}

void xipc__mutex_holder(const void *shared, xipc__seg *seg, int64_t *holder,
                        int64_t *pid)
{
    const struct mx_shared *sh = shared;
    /* The bytes may be mapped read-only: plain loads only (a 64-bit atomic
     * load can be a compare-exchange on 32-bit x86, which would fault). */
    uint64_t w = xipc__load_u64_ro(&sh->word);
    int64_t p = (int64_t)xipc__load_u64_ro(&sh->pid);

    *holder = 0;
    *pid = 0;
    if ((w & MX_STATE) == MX_FREE || (w & MX_STATE) == MX_STATE)
        return;
    /* A dead holder holds nothing. */
    if (mx_owner(w) == 0 || mx_owner(w) >= XIPC__PARTY_DEAD ||
        xipc__party_alive(seg, mx_owner(w)) == 0)
        return;
    *holder = (int64_t)mx_owner(w);
    *pid = p;
}

static int mx_held_here(xipc__mutex *m)
{
    uint64_t w = atomic_load_explicit(&m->sh->word, memory_order_relaxed);
    uint64_t me;

    if ((w & MX_STATE) == MX_FREE || (w & MX_STATE) == MX_STATE)
        return 0;
    if (mx_os_self(m, &me) != 0)
        return 0;
    return mx_os_same_process(m, mx_owner(w), mx_owner(me));
}

#endif /* XIPC_MUTEX_H */
