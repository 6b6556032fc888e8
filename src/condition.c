/*
 * condition.c - Condition (Python's multiprocessing.Condition): a condition
 * variable with a lock of its own, a Lock or an RLock chosen at create, an
 * object built of parts (src/object.c). Portable.
 *
 * Parts: mutex 0 is the user's lock (lent to the user as an xipc_lock
 * handle); four wake-up channels; the words below; then a table of waiting
 * parties in the object's extra bytes, whose size the creator chooses.
 *
 * Every waiter owns one slot of the table while it waits. A slot is two
 * 64-bit words: `word` = party << 2 | state and `ticket`, the order in which
 * waiters began (so that notify wakes the oldest first, as Python's
 * threading.Condition does). The states:
 *
 *   FREE 0       the word is 0: no one;
 *   WAITING 1    party waits; it claimed the slot under the lock;
 *   NOTIFIED 2   a notifier (or a passer, below) chose party: it returns 0
 *                once it holds the lock again, then frees the slot;
 *   PASSING 3    party is handing on a notification whose receiver left
 *                (died, or gave up on the lock): it finds another waiter,
 *                notifies it, then frees the slot.
 *
 * Claims (FREE -> WAITING) and notifies happen under the lock; everything
 * else is a compare-exchange on one slot word, so that the waiter that
 * times out (WAITING -> FREE, without the lock) and the notifier
 * (WAITING -> NOTIFIED) cannot both win, and a notification is never
 * counted twice or lost:
 *  - a waiter killed while WAITING may be chosen by a notify: its slot is
 *    then NOTIFIED with a dead party, and a live waiter, which looks at the
 *    table every RESCUE_NS or so while it waits (the slow path: it asks the
 *    kernel whether each such party lives), takes it over (PASSING) and
 *    passes it to the oldest live waiter - maybe itself;
 *  - a waiter killed after it was notified but before it held the lock
 *    again leaves the same NOTIFIED slot behind: passed on likewise;
 *  - a waiter that cannot retake the lock by its deadline hands its own
 *    notification on before it returns;
 *  - a passer that dies between notifying the next waiter and freeing its
 *    PASSING slot makes a later passer deliver it again: one extra wake-up
 *    (spurious, which Python allows), never a lost one.
 * A waiter sleeps on channel (slot & 3); a notify wakes every sleeper of
 * the channels of the slots it chose, and each looks at its own slot.
 */
#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COND_FREE 0u
#define COND_WAITING 1u
#define COND_NOTIFIED 2u
#define COND_PASSING 3u

/* "XCND": the words are a Condition's. */
#define COND_MAGIC 0x444e4358u

/* The words' flags: the lock is a plain Lock (else an RLock). */
#define COND_FLAG_LOCK 1u

#define COND_CHANNELS 4u

/* How often a waiter looks for notifications left to dead parties. */
#define RESCUE_NS (50 * INT64_C(1000000))

/* How long a waiter spins before it gives its processor away between
 * looks (see notified()): at once. */
#define YIELD_AFTER_NS 0

/* The kind's own words, behind the parts. Written by the creator: magic,
 * flags, nslots; changed under the lock: ticket, hwm (a hint read without
 * it, always clamped to nslots). */
struct cond_words {
    uint32_t magic;
    uint32_t flags;
    uint32_t nslots;         /* slots in the table */
    _Atomic uint32_t hwm;    /* every slot in use lies below this */
    _Atomic uint64_t ticket; /* the next waiter's ticket */
    uint64_t reserved[5];
};
_Static_assert(sizeof(struct cond_words) == 64, "one cache line of words");

struct cond_slot {
    _Atomic uint64_t word;   /* party << 2 | state */
    _Atomic uint64_t ticket; /* meaningful while WAITING */
};
_Static_assert(sizeof(struct cond_slot) == 16, "slots are 16 bytes");

static int cond_init(void *words, const void *ctx);
static int cond_check_r(const void *words, const char *name);
static int cond_check_l(const void *words, const char *name);

/* Two specs with the same layout: the mutex is recursive (an RLock) or
 * not (a Lock). */
static const xipc__parts_spec spec_rlock = {
    XIPC_KIND_CONDITION, "xipc_condition",          1,         {1, 0},
    COND_CHANNELS,       sizeof(struct cond_words), cond_init, cond_check_r};
static const xipc__parts_spec spec_lock = {
    XIPC_KIND_CONDITION, "xipc_condition",          1,         {0, 0},
    COND_CHANNELS,       sizeof(struct cond_words), cond_init, cond_check_l};

/* A check's answer when the words are sound but say the other flavour of
 * lock: positive, so no xipc code. */
#define OTHER_FLAVOUR 1

struct xipc_condition {
    xipc__parts p;
    const xipc__parts_spec *spec;
    xipc_lock *lock; /* owns mutex 0 */
    xipc__mutex *m;  /* the lock's mutex */
    struct cond_words *w;
    struct cond_slot *slot;
    uint32_t nslots; /* validated at open; the shared copy is not trusted */
};

struct cond_create {
    uint32_t flags, nslots;
};

static int cond_init(void *words, const void *ctx)
{
    const struct cond_create *c = ctx;
    struct cond_words *w = words;

    w->magic = COND_MAGIC;
    w->flags = c->flags;
    w->nslots = c->nslots;
    atomic_store_explicit(&w->hwm, 0, memory_order_relaxed);
    atomic_store_explicit(&w->ticket, 1, memory_order_relaxed);
    return 0;
}

static int cond_check(const void *words, const char *name, uint32_t want)
{
    const volatile struct cond_words *w = words;
    uint32_t magic = w->magic, flags = w->flags, n = w->nslots;

    if (magic != COND_MAGIC || (flags & ~COND_FLAG_LOCK) != 0 || n == 0 ||
        n > XIPC_COND_WAITERS_MAX)
        return xipc__fail(XIPC_ECORRUPT, "xipc_condition_open", name,
                          "damaged words");
    return flags == want ? 0 : OTHER_FLAVOUR;
}

static int cond_check_r(const void *words, const char *name)
{
    return cond_check(words, name, 0);
}

static int cond_check_l(const void *words, const char *name)
{
    return cond_check(words, name, COND_FLAG_LOCK);
}

/* ---- handles ------------------------------------------------------------- */

/* Finishes a handle whose parts are made: checks the table against the
 * extra bytes and lends mutex 0 to a lock handle. Frees the parts on
 * failure. */
static int cond_attach(xipc_condition *c, const char *api)
{
    unsigned char *base = xipc__seg_base(c->p.seg);
    uint32_t n;
    int rc;

    c->w = (struct cond_words *)c->p.words;
    c->slot = (struct cond_slot *)c->p.extra;
    n = *(volatile uint32_t *)&c->w->nslots;
    if (n == 0 || n > XIPC_COND_WAITERS_MAX ||
        (uint64_t)n * sizeof(struct cond_slot) > c->p.extra_size) {
        xipc__parts_free(&c->p, c->spec);
        return xipc__fail(XIPC_ECORRUPT, api, c->p.name,
                          "a table of waiters that does not fit");
    }
    c->nslots = n;
    /* The parts attached mutex 0; the lock handle takes its place, so
     * that the user's xipc_lock and this handle share one attachment. */
    xipc__mutex_detach(c->p.mutex[0], 1);
    c->p.mutex[0] = NULL;
    rc = xipc__lock_embed(&c->lock, c->p.seg,
                          base + xipc__parts_mutex_off(c->spec, 0), 0,
                          c->spec->recursive[0], c->p.name);
    if (rc != 0) {
        xipc__parts_free(&c->p, c->spec);
        return rc;
    }
    c->m = xipc__lock_mutex(c->lock);
    return 0;
}

int xipc_condition_create(xipc_condition **out, const char *name, int flags,
                          size_t max_waiters)
{
    struct cond_create cc;
    xipc_condition *c;
    int rc;

    xipc__clear_error();
    if (out == NULL || (flags & ~XIPC_COND_LOCK) != 0 ||
        max_waiters > XIPC_COND_WAITERS_MAX)
        return xipc__fail(XIPC_EINVAL, "xipc_condition_create", NULL,
                          "NULL out, unknown flags or too many waiters");
    if ((c = calloc(1, sizeof *c)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    cc.flags = (flags & XIPC_COND_LOCK) ? COND_FLAG_LOCK : 0;
    cc.nslots =
        max_waiters == 0 ? XIPC_COND_WAITERS_DEFAULT : (uint32_t)max_waiters;
    c->spec = cc.flags ? &spec_lock : &spec_rlock;
    rc = xipc__parts_make(&c->p, c->spec, name, 1, &cc,
                          (uint64_t)cc.nslots * sizeof(struct cond_slot));
    if (rc == 0)
        rc = cond_attach(c, "xipc_condition_create");
    if (rc != 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int xipc_condition_open(xipc_condition **out, const char *name)
{
    xipc_condition *c;
    int rc = OTHER_FLAVOUR, tries;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_condition_open", NULL, "NULL out");
    if ((c = calloc(1, sizeof *c)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    /* The flavour of the lock is in the words: an open as an RLock finds
     * out, and one as a Lock follows if it must. The name may be unlinked
     * and made again in between, so a few rounds are allowed. */
    for (tries = 0; tries < 4 && rc == OTHER_FLAVOUR; tries++) {
        c->spec = tries % 2 ? &spec_lock : &spec_rlock;
        rc = xipc__parts_make(&c->p, c->spec, name, 0, NULL, 0);
    }
    if (rc == OTHER_FLAVOUR)
        rc = xipc__fail(XIPC_ECORRUPT, "xipc_condition_open", NULL,
                        "its lock changes flavour");
    if (rc == 0)
        rc = cond_attach(c, "xipc_condition_open");
    if (rc != 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int xipc_condition_close(xipc_condition *c)
{
    int rc;

    if (c == NULL)
        return XIPC_EINVAL;
    if ((rc = xipc__lock_drop(c->lock)) != 0)
        return rc;
    xipc__parts_free(&c->p, c->spec);
    free(c);
    return 0;
}

int xipc_condition_unlink(const char *name)
{
    return xipc_unlink(name);
}

int xipc_condition_acquire(xipc_condition *c, int64_t timeout_ms)
{
    if (c == NULL)
        return XIPC_EINVAL;
    return xipc__mutex_lock(c->m, xipc__deadline(timeout_ms));
}

int xipc_condition_release(xipc_condition *c)
{
    if (c == NULL)
        return XIPC_EINVAL;
    return xipc__mutex_unlock(c->m);
}

xipc_lock *xipc_condition_lock(const xipc_condition *c)
{
    return c != NULL ? c->lock : NULL;
}

const char *xipc_condition_name(const xipc_condition *c)
{
    return c != NULL ? c->p.name : NULL;
}

size_t xipc_condition_max_waiters(const xipc_condition *c)
{
    return c != NULL ? c->nslots : 0;
}

/* ---- the table ----------------------------------------------------------- */

static inline uint64_t slot_load(const xipc_condition *c, uint32_t i)
{
    return atomic_load_explicit(&c->slot[i].word, memory_order_acquire);
}

static inline int slot_cas(xipc_condition *c, uint32_t i, uint64_t want,
                           uint64_t to)
{
    return atomic_compare_exchange_strong_explicit(&c->slot[i].word, &want, to,
                                                   memory_order_acq_rel,
                                                   memory_order_acquire);
}

/* The slots that may be in use: the shared hint, clamped. */
static inline uint32_t hwm(const xipc_condition *c)
{
    uint32_t h = atomic_load_explicit(&c->w->hwm, memory_order_acquire);
    return h < c->nslots ? h : c->nslots;
}

static inline xipc__notify *channel(const xipc_condition *c, uint32_t i)
{
    return c->p.notify[i % COND_CHANNELS];
}

/* Whether party p (from a slot word) is dead: 1 if the kernel says so. A
 * party that cannot be asked about counts as alive. Slow: a system call. */
static int party_dead(xipc_condition *c, uint64_t p, uint64_t me)
{
    if (p == me)
        return 0;
    return xipc__party_alive(c->p.seg, p) == 0;
}

/* Notifies the oldest waiter - without the lock, so every step is a
 * compare-exchange - and wakes its channel. With `check`, a waiter found
 * dead on the way is taken out of the table (the slow paths only).
 * Returns 1 if one was notified, 0 if there was none. */
static int deliver(xipc_condition *c, uint64_t me, int check)
{
    uint32_t h, i, best, attempts;
    uint64_t w, bw = 0, t, bt = 0;

    for (attempts = 0; attempts < 2 * c->nslots + 8; attempts++) {
        h = hwm(c);
        best = UINT32_MAX;
        for (i = 0; i < h; i++) {
            w = slot_load(c, i);
            if (w == 0 || (w & 3) != COND_WAITING)
                continue;
            t = atomic_load_explicit(&c->slot[i].ticket, memory_order_relaxed);
            if (best == UINT32_MAX || t < bt) {
                best = i;
                bw = w;
                bt = t;
            }
        }
        if (best == UINT32_MAX)
            return 0;
        if (check && party_dead(c, bw >> 2, me)) {
            slot_cas(c, best, bw, 0); /* a waiter killed while waiting */
            continue;
        }
        if (slot_cas(c, best, bw, (bw & ~(uint64_t)3) | COND_NOTIFIED)) {
            xipc__notify_wake(channel(c, best), XIPC__WAKE_ALL);
            return 1;
        }
    }
    return 0;
}

/* Hands on the notification of slot i, which the caller holds as
 * PASSING(me), then frees the slot. */
static void pass_on(xipc_condition *c, uint32_t i, uint64_t me)
{
    deliver(c, me, 1);
    slot_cas(c, i, me << 2 | COND_PASSING, 0);
}

/* The slow path of every waiter (and of a claim that finds the table
 * full): takes over each notification left to a dead party (NOTIFIED or
 * PASSING) and passes it on; with `reclaim`, frees the slots of dead
 * waiters and damaged free words too. */
static void rescue(xipc_condition *c, uint64_t me, int reclaim)
{
    uint32_t h = hwm(c), i;
    uint64_t w;

    for (i = 0; i < h; i++) {
        w = slot_load(c, i);
        if (w == 0)
            continue;
        if ((w & 3) == COND_FREE) {
            if (reclaim)
                slot_cas(c, i, w, 0); /* damage: no party is FREE */
            continue;
        }
        if ((w & 3) == COND_WAITING && !reclaim)
            continue;
        if (!party_dead(c, w >> 2, me))
            continue;
        if ((w & 3) == COND_WAITING)
            slot_cas(c, i, w, 0);
        else if (slot_cas(c, i, w, me << 2 | COND_PASSING))
            pass_on(c, i, me);
    }
}

/* Claims a slot for the caller, who holds the lock. Returns its index,
 * or XIPC_ENOSPC. */
static int claim(xipc_condition *c, uint64_t me)
{
    uint64_t t;
    uint32_t i, h;
    int round;

    for (round = 0; round < 2; round++) {
        for (i = 0; i < c->nslots; i++) {
            if (slot_load(c, i) != 0)
                continue;
            h = atomic_load_explicit(&c->w->hwm, memory_order_relaxed);
            if (h > c->nslots)
                atomic_store_explicit(&c->w->hwm, c->nslots,
                                      memory_order_release);
            else if (h < i + 1)
                atomic_store_explicit(&c->w->hwm, i + 1, memory_order_release);
            t = atomic_fetch_add_explicit(&c->w->ticket, 1,
                                          memory_order_relaxed);
            atomic_store_explicit(&c->slot[i].ticket, t, memory_order_relaxed);
            if (slot_cas(c, i, 0, me << 2 | COND_WAITING))
                return (int)i;
        }
        /* Full: the slow path frees what dead parties left, once. */
        if (round == 0) {
            atomic_store_explicit(&c->w->hwm, c->nslots, memory_order_release);
            rescue(c, me, 1);
        }
    }
    return xipc__fail(XIPC_ENOSPC, "xipc_condition_wait", c->p.name,
                      "the table of waiters is full (see max_waiters)");
}

/* Lowers the hint past free slots at the top; the caller holds the lock,
 * so no slot becomes busy meanwhile. */
static void shrink(xipc_condition *c)
{
    uint32_t h = hwm(c), h0 = h;

    while (h > 0 && slot_load(c, h - 1) == 0)
        h--;
    if (h != h0)
        atomic_store_explicit(&c->w->hwm, h, memory_order_release);
}

/* ---- wait and notify ----------------------------------------------------- */

struct waiting {
    xipc_condition *c;
    uint32_t i;
    uint64_t me;
    int64_t start;   /* when it began to wait */
    int64_t scanned; /* when it last looked for dead parties' notifies */
};

/* The waiter's condition for xipc__wait: its slot NOTIFIED. */
static int notified(void *arg)
{
    struct waiting *wt = arg;
    xipc_condition *c = wt->c;
    uint64_t w = slot_load(c, wt->i);
    int64_t now;

    if (w == (wt->me << 2 | COND_NOTIFIED))
        return 1;
    if (w != (wt->me << 2 | COND_WAITING))
        return xipc__fail(XIPC_ECORRUPT, "xipc_condition_wait", c->p.name,
                          "the waiter's slot was overwritten");
    now = xipc__sys_now_ns();
    /* While the wait helper spins (about 30 us, before it sleeps in the
     * kernel), every look that finds no notification first gives the
     * processor away: a partner that shares this processor could not run
     * otherwise, and one on another processor is kept waiting by one
     * system call at most. A ping-pong of two processes on a loaded
     * machine went from 9,000-20,000 hand-overs a second with a plain spin
     * to 50,000-80,000 with a yield after 5 us of spin and 580,000 with a
     * yield at each look. */
    if (now - wt->start > YIELD_AFTER_NS)
        xipc__sys_sleep_ms(0);
    if (now - wt->scanned >= RESCUE_NS) {
        wt->scanned = now;
        rescue(c, wt->me, 0);
        if (slot_load(c, wt->i) == (wt->me << 2 | COND_NOTIFIED))
            return 1;
    }
    return 0;
}

/* Condition.wait with an absolute deadline (see xipc_condition_wait). */
static int cond_wait(xipc_condition *c, int64_t deadline)
{
    struct waiting wt;
    int depth, k, r, lrc, got = 0, err = 0, idx;
    uint64_t me, w;

    depth = xipc__mutex_depth(c->m);
    if (depth <= 0)
        return xipc__fail(XIPC_EPERM, "xipc_condition_wait", c->p.name,
                          "the caller does not hold the condition's lock");
    if ((r = xipc__party_self(c->p.seg, &me)) != 0)
        return r == XIPC_EBUSY ? XIPC_ENOMEM : r;
    if ((idx = claim(c, me)) < 0)
        return idx;
    wt.c = c;
    wt.i = (uint32_t)idx;
    wt.me = me;
    wt.start = wt.scanned = xipc__sys_now_ns();
    /* Every level of an RLock goes (Python's rule); a failure means the
     * lock's words were damaged and it is released completely. */
    for (k = 0; k < depth; k++)
        if (xipc__mutex_unlock(c->m) != 0)
            break;
    r = xipc__wait(channel(c, wt.i), deadline, notified, &wt);
    if (r == 1) {
        got = 1;
    } else if (slot_cas(c, wt.i, me << 2 | COND_WAITING, 0)) {
        err = r == XIPC_ETIMEDOUT ? 0 : r;
    } else if (slot_load(c, wt.i) == (me << 2 | COND_NOTIFIED)) {
        got = 1; /* notified as the time ran out: it counts */
    } else {
        err = r == XIPC_ETIMEDOUT || r >= 0
                  ? xipc__fail(XIPC_ECORRUPT, "xipc_condition_wait", c->p.name,
                               "the waiter's slot was overwritten")
                  : r;
    }
    /* The lock again, within the same deadline. */
    lrc = xipc__mutex_lock(c->m, deadline);
    if (lrc != 0 && lrc != XIPC_EOWNERDEAD) {
        /* Leaving without the lock: a notification this waiter took is
         * handed to another. */
        if (got &&
            slot_cas(c, wt.i, me << 2 | COND_NOTIFIED, me << 2 | COND_PASSING))
            pass_on(c, wt.i, me);
        if (lrc == XIPC_ETIMEDOUT)
            return xipc__fail(XIPC_EBUSY, "xipc_condition_wait", c->p.name,
                              "the lock was held by another thread until "
                              "the deadline: not held on return");
        return lrc;
    }
    /* From here on the notification is this waiter's. */
    if (got) {
        w = me << 2 | COND_NOTIFIED;
        slot_cas(c, wt.i, w, 0);
    }
    shrink(c);
    for (k = 1; k < depth; k++)
        if ((r = xipc__mutex_lock(c->m, deadline)) != 0)
            return r;
    if (lrc == XIPC_EOWNERDEAD)
        return XIPC_EOWNERDEAD;
    if (err != 0)
        return err;
    return got ? 0 : XIPC_ETIMEDOUT;
}

int xipc_condition_wait(xipc_condition *c, int64_t timeout_ms)
{
    if (c == NULL)
        return XIPC_EINVAL;
    xipc__clear_error();
    return cond_wait(c, xipc__deadline(timeout_ms));
}

int xipc_condition_wait_for(xipc_condition *c, xipc_predicate predicate,
                            void *ctx, int64_t timeout_ms)
{
    int64_t deadline;
    int r;

    if (c == NULL || predicate == NULL)
        return XIPC_EINVAL;
    xipc__clear_error();
    if (xipc__mutex_depth(c->m) <= 0)
        return xipc__fail(XIPC_EPERM, "xipc_condition_wait_for", c->p.name,
                          "the caller does not hold the condition's lock");
    deadline = xipc__deadline(timeout_ms);
    /* As Python's: the predicate first, then wait while it is false and
     * time is left. */
    while ((r = predicate(ctx)) == 0) {
        if (deadline != XIPC__NEVER && xipc__sys_now_ns() >= deadline)
            return XIPC_ETIMEDOUT;
        r = cond_wait(c, deadline);
        if (r != 0 && r != XIPC_ETIMEDOUT)
            return r;
    }
    return r;
}

/* Notifies up to n waiters, oldest first; the caller holds the lock. */
static int cond_notify(xipc_condition *c, int n, const char *api)
{
    uint32_t h, i, best, mask = 0, attempts = 0;
    uint64_t w, bw = 0, t, bt = 0;
    int done = 0, waiting = 0;

    if (c == NULL || n < 0)
        return XIPC_EINVAL;
    if (xipc__mutex_depth(c->m) <= 0)
        return xipc__fail(XIPC_EPERM, api, c->p.name,
                          "the caller does not hold the condition's lock");
    h = hwm(c);
    for (i = 0; i < h; i++)
        if (((w = slot_load(c, i)) & 3) == COND_WAITING && w != 0)
            waiting++;
    if (waiting <= n) {
        /* Everyone waiting: one pass. */
        for (i = 0; i < h; i++) {
            w = slot_load(c, i);
            if ((w & 3) == COND_WAITING &&
                slot_cas(c, i, w, (w & ~(uint64_t)3) | COND_NOTIFIED)) {
                done++;
                mask |= 1u << (i % COND_CHANNELS);
            }
        }
    } else {
        /* The n oldest. A waiter timing out meanwhile makes a
         * compare-exchange fail: look again, a bounded number of times
         * (damaged words could change for ever). */
        while (done < n && attempts++ < 4 * h + 8) {
            best = UINT32_MAX;
            for (i = 0; i < h; i++) {
                w = slot_load(c, i);
                if ((w & 3) != COND_WAITING)
                    continue;
                t = atomic_load_explicit(&c->slot[i].ticket,
                                         memory_order_relaxed);
                if (best == UINT32_MAX || t < bt) {
                    best = i;
                    bw = w;
                    bt = t;
                }
            }
            if (best == UINT32_MAX)
                break;
            if (slot_cas(c, best, bw, (bw & ~(uint64_t)3) | COND_NOTIFIED)) {
                done++;
                mask |= 1u << (best % COND_CHANNELS);
            }
        }
    }
    for (i = 0; i < COND_CHANNELS; i++)
        if (mask & (1u << i))
            xipc__notify_wake(c->p.notify[i], XIPC__WAKE_ALL);
    return done;
}

int xipc_condition_notify(xipc_condition *c, int n)
{
    return cond_notify(c, n, "xipc_condition_notify");
}

int xipc_condition_notify_all(xipc_condition *c)
{
    return cond_notify(c, INT32_MAX, "xipc_condition_notify_all");
}

/* ---- inspection ---------------------------------------------------------- */

struct xipc__seg *xipc__condition_seg(const xipc_condition *c)
{
    return c->p.seg;
}

void xipc__condition_parts(const xipc_condition *c, unsigned char **mutex,
                           unsigned char **words, unsigned char **table,
                           uint64_t *table_bytes)
{
    unsigned char *base = xipc__seg_base(c->p.seg);

    *mutex = base + xipc__parts_mutex_off(c->spec, 0);
    *words = c->p.words;
    *table = c->p.extra;
    *table_bytes = c->p.extra_size;
}

/* Where the table starts: the parts' end, as src/object.c lays it out. */
static uint64_t cond_table_off(void)
{
    return (xipc__parts_words_off(&spec_rlock) + sizeof(struct cond_words) +
            63) &
           ~(uint64_t)63;
}

int xipc__describe_CONDITION(struct xipc__seg *seg, const void *base,
                             const xipc__hdr *h, xipc_info *out)
{
    const unsigned char *b = base;
    const volatile struct cond_words *w;
    const struct cond_slot *s;
    uint32_t magic, flags, n, top, i;
    uint64_t word;
    int64_t waiting = 0;
    size_t len;

    if (h->data_off != cond_table_off())
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "not the layout of a Condition");
    w = (const volatile struct cond_words *)(b + xipc__parts_words_off(
                                                     &spec_rlock));
    magic = w->magic;
    flags = w->flags;
    n = w->nslots;
    top = *(const volatile uint32_t *)&w->hwm;
    if (magic != COND_MAGIC || (flags & ~COND_FLAG_LOCK) != 0 || n == 0 ||
        n > XIPC_COND_WAITERS_MAX ||
        (uint64_t)n * sizeof(struct cond_slot) > h->user_size)
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "damaged words of a Condition");
    if (top > n)
        top = n;
    s = (const struct cond_slot *)(b + h->data_off);
    for (i = 0; i < top; i++) {
        word = xipc__load_u64_ro(&s[i].word);
        if (word != 0 && (word & 3) == COND_WAITING &&
            xipc__party_alive(seg, word >> 2) != 0)
            waiting++;
    }
    out->waiting = waiting;
    xipc__mutex_holder(b + xipc__parts_mutex_off(&spec_rlock, 0), seg,
                       &out->holder, &out->holder_pid);
    xipc__holder_text(out);
    len = strlen(out->state);
    snprintf(out->state + len, sizeof out->state - len,
             " (%s), %lld waiting (room for %u)", flags ? "lock" : "rlock",
             (long long)waiting, (unsigned)n);
    return 0;
}
