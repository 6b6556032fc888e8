/*
 * barrier.c - Barrier: Python's multiprocessing.Barrier for threads of any
 * processes, which breaks instead of hanging when a party dies. Portable.
 *
 * The object is built of parts (src/object.c): one wake-up channel, the
 * words below, and a table of `parties` slots in its extra bytes.
 *
 * One 64-bit word, changed only by compare-exchange, is the barrier's
 * state:
 *
 *   bits  0..16  k, the calls of this round that have arrived (0..parties)
 *   bits 17..18  the phase: FILLING, BROKEN or RESETTING
 *   bit  19      DOOMED: break the barrier once this (full) round completes
 *   bits 20..63  e, the round number (modulo 2^44)
 *
 * A call arrives by one compare-exchange of (e, k) into (e, k + 1) and gets
 * index k; the last arrival (k = parties - 1) turns (e, parties - 1)
 * straight into (e + 1, 0) and wakes every sleeper: one store releases the
 * round. With an action, the last arrival first makes (e, parties), runs
 * the action, then makes (e + 1, 0). Breaking turns (e, k, FILLING) into
 * (e, 0, BROKEN); every call of round e sees the phase and leaves with
 * XIPC_EBROKEN, and so does every later call.
 *
 * Only a completion makes e + 1 out of a FILLING round e, and a reset the
 * only other way out of round e. A waiter that sees the round number move
 * on must tell which of the two ended its round, even if many more rounds
 * have passed since (more threads than parties may use a barrier). Reset
 * therefore runs in two steps: (e, RESETTING) stops every arrival, then the
 * slot of every party that arrived in round e is marked "reset", then
 * (e + 1, 0, FILLING). A waiter that finds its round over looks at its own
 * slot: marked, its round was reset (XIPC_EBROKEN); not marked, it
 * completed (its index). Any call that finds the barrier RESETTING does
 * the marking and the last step itself, so a resetter that dies half-way
 * leaves nothing stuck.
 *
 * The slots record who is inside wait: a slot is claimed (its `who` set to
 * the caller's party identity, xipc__party_self) at the start of a wait and
 * freed at its end, and its `round` says the round its party is in: the
 * round at the claim, then e just before the compare-exchange that arrives
 * in round e (e + 1 while it waits for a full round to end). A waiter that
 * has waited for a while looks, at most every SCAN_NS between all waiters,
 * at whether the parties of the slots are alive. A dead party died inside
 * wait; it breaks the barrier if the round can no longer complete: its slot
 * says the current round (it began to arrive, or arrived, and the round
 * still fills), or the previous one (that round completed, but the party
 * died before it left, so it will never arrive in this one) while this
 * round still waits for arrivals. Other dead parties only have their slots
 * freed. So a party killed at any instruction of wait leaves a round that
 * completed for all (every party gets its index) or that breaks for all
 * within a bounded time (every party gets XIPC_EBROKEN); only a death
 * before its first step (the claim) or after its last (the free, or the
 * compare-exchange of a last arrival, which takes no slot: it completes
 * the round in one step) goes unseen, as a death outside wait does.
 *
 * The identity is the calling thread's, not its process's: two threads of
 * one process are two parties, and a thread ended alone (TerminateThread on
 * Windows) is seen as dead. Every word read from the segment is checked
 * before use.
 */
#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state word. */
#define K_BITS 17
#define K_MASK ((UINT64_C(1) << K_BITS) - 1)
#define PH_SHIFT 17
#define PH_FILLING 0u
#define PH_BROKEN 1u
#define PH_RESETTING 2u
#define DOOMED (UINT64_C(1) << 19)
#define R_SHIFT 20
#define R_MASK ((UINT64_C(1) << 44) - 1)

/* The mark that a reset puts on the slot of a party of its round. */
#define R_MARK (UINT64_C(1) << 62)

/* How often, at most, the waiting parties look at each other's lives
 * (between them all), and how long a waiter waits before its first look. */
#define SCAN_NS (150 * INT64_C(1000000))

/* The longest a waiter spins, beyond the wait helper's own spin, when
 * rounds have been ending shortly after it went to sleep: a few of Wine's
 * server round trips, loaded (OpenMP's runtimes spin as long before they
 * sleep). */
#define SPIN_MAX_NS (1000 * INT64_C(1000))

_Static_assert(XIPC_BARRIER_MAX_PARTIES <= K_MASK, "k holds parties");

/* The barrier's own words, behind the channel. */
struct words {
    _Atomic uint64_t state;
    uint32_t parties; /* written at create, then only read */
    uint32_t zero;
    _Atomic int64_t scan_ns;  /* when a party last looked at the others */
    _Atomic uint64_t handles; /* handles made so far (their first slots) */
    uint64_t spare[4];
};

/* One slot of the table in the extra bytes, a cache line of its own: a
 * handle keeps to one slot while it is free, so that the claim, the
 * release and the looks of its party stay in its own core's cache. */
struct slot {
    _Atomic uint64_t who;   /* a party identity, 0 when free */
    _Atomic uint64_t round; /* the party's round, | R_MARK if reset */
    uint64_t spare[6];
};

_Static_assert(sizeof(struct slot) == 64, "a slot is a cache line");

struct xipc_barrier {
    xipc__parts p;
    _Atomic uint64_t *state;
    _Atomic int64_t *scan_ns;
    struct slot *slots;
    uint32_t parties;
    uint32_t hint;           /* where to look for a free slot first */
    _Atomic int64_t spin_ns; /* extra spin before a wait (see learn) */
    xipc_barrier_action_fn action;
    void *action_ctx;
};

static int words_init(void *w, const void *ctx)
{
    struct words *bw = w;
    bw->parties = *(const uint32_t *)ctx;
    return 0;
}

static int words_check(const void *w, const char *name)
{
    const struct words *bw = w;
    uint32_t parties = bw->parties;

    if (parties < 1 || parties > XIPC_BARRIER_MAX_PARTIES || bw->zero != 0)
        return xipc__fail(XIPC_ECORRUPT, "xipc_barrier_open", name,
                          "the barrier's number of parties is damaged");
    return 0;
}

static const xipc__parts_spec spec = {
    XIPC_KIND_BARRIER,    "xipc_barrier", 0,          {0, 0}, 1,
    sizeof(struct words), words_init,     words_check};

/* ---- the state word ------------------------------------------------------ */

static uint32_t st_k(uint64_t s)
{
    return (uint32_t)(s & K_MASK);
}

static unsigned st_phase(uint64_t s)
{
    return (unsigned)(s >> PH_SHIFT) & 3u;
}

static uint64_t st_round(uint64_t s)
{
    return s >> R_SHIFT;
}

static uint64_t st_make(uint64_t round, unsigned phase, uint32_t k)
{
    return (round & R_MASK) << R_SHIFT | (uint64_t)phase << PH_SHIFT | k;
}

/* Whether an honest barrier of `parties` could hold state s. */
static int st_valid(uint64_t s, uint32_t parties)
{
    unsigned ph = st_phase(s);
    uint32_t k = st_k(s);

    /* DOOMED only marks a full round. */
    if (ph == PH_FILLING)
        return k < parties ? (s & DOOMED) == 0 : k == parties;
    return (ph == PH_BROKEN || ph == PH_RESETTING) && k == 0 &&
           (s & DOOMED) == 0;
}

static int corrupt(const xipc_barrier *b)
{
    return xipc__fail(XIPC_ECORRUPT, "xipc_barrier", b->p.name,
                      "the barrier's round word is damaged");
}

/* Loads the state into *s and checks it: 0, or XIPC_ECORRUPT. */
static int load(const xipc_barrier *b, uint64_t *s)
{
    *s = atomic_load_explicit(b->state, memory_order_acquire);
    return st_valid(*s, b->parties) ? 0 : corrupt(b);
}

static int cas(xipc_barrier *b, uint64_t *s, uint64_t want)
{
    return atomic_compare_exchange_strong_explicit(
        b->state, s, want, memory_order_acq_rel, memory_order_acquire);
}

static void wake_all(xipc_barrier *b)
{
    xipc__notify_wake(b->p.notify[0], XIPC__WAKE_ALL);
}

static int broken(const xipc_barrier *b, const char *why)
{
    return xipc__fail(XIPC_EBROKEN, "xipc_barrier_wait", b->p.name, why);
}

/* ---- reset --------------------------------------------------------------- */

/* Finishes the reset that state s = (e, RESETTING) began: marks the slot
 * of every party that arrived in round e, then opens round e + 1. Any
 * number of threads may do it at once; the marks are idempotent. */
static void finish_reset(xipc_barrier *b, uint64_t s)
{
    uint64_t e = st_round(s), r;
    uint32_t i;

    for (i = 0; i < b->parties; i++) {
        r = e;
        atomic_compare_exchange_strong(&b->slots[i].round, &r, e | R_MARK);
    }
    if (cas(b, &s, st_make(e + 1, PH_FILLING, 0)))
        wake_all(b);
}

/* ---- liveness ------------------------------------------------------------ */

/* Whether a party that died inside wait with `r` in its slot leaves the
 * round of state s (FILLING) unable to complete: it was in this round, or
 * in the previous one (which completed, and it did not leave) while this
 * one still needs arrivals. A mark says its round was reset: the reset
 * has told everyone. */
static int death_breaks(uint64_t r, uint64_t s, uint32_t parties)
{
    uint64_t c = st_round(s);

    return r == c || (st_k(s) < parties && r == ((c - 1) & R_MASK));
}

/* Looks at the party of every slot but the caller's (me): a dead one that
 * death_breaks() the current round breaks the barrier; any dead one has
 * its slot freed. Returns 1 if this call broke it. */
static int scan(xipc_barrier *b, uint64_t me)
{
    uint64_t who, r, s;
    uint32_t i;
    int did = 0;

    for (i = 0; i < b->parties; i++) {
        who = atomic_load(&b->slots[i].who);
        if (who == 0 || who == me)
            continue;
        /* Alive, or unknown (treated as alive). A dead party writes
         * nothing more, so what its slot says now is final. */
        if (xipc__party_alive(b->p.seg, who) != 0)
            continue;
        r = atomic_load(&b->slots[i].round);
        if (atomic_load(&b->slots[i].who) != who)
            continue; /* freed by someone else meanwhile */
        s = atomic_load_explicit(b->state, memory_order_acquire);
        while (st_valid(s, b->parties) && st_phase(s) == PH_FILLING &&
               death_breaks(r, s, b->parties)) {
            if (cas(b, &s, st_make(st_round(s), PH_BROKEN, 0))) {
                wake_all(b);
                did = 1;
                break;
            }
        }
        atomic_compare_exchange_strong(&b->slots[i].who, &who, 0);
    }
    return did;
}

/* The rate limit of the looks: at most one per SCAN_NS between every
 * waiter of the barrier (a shared timestamp), and none in a waiter's first
 * SCAN_NS (a round that completes fast costs no system call). */
struct pace {
    int64_t next; /* 0: not yet timed */
    unsigned calls;
    int64_t first, last; /* the first and the last clock reading */
};

static int maybe_scan(xipc_barrier *b, struct pace *pc, uint64_t me)
{
    int64_t now, last;

    /* The first calls are the spin: no clock for them. */
    if (pc->calls < 64) {
        pc->calls++;
        return 0;
    }
    now = xipc__sys_now_ns();
    pc->last = now;
    if (pc->next == 0) {
        pc->first = now;
        pc->next = now + SCAN_NS;
    }
    if (now < pc->next)
        return 0;
    pc->next = now + SCAN_NS;
    last = atomic_load(b->scan_ns);
    /* A time in the future is damage: it does not stop the look. */
    if (last <= now && now - last < SCAN_NS)
        return 0;
    if (!atomic_compare_exchange_strong(b->scan_ns, &last, now))
        return 0;
    return scan(b, me);
}

/* ---- slots --------------------------------------------------------------- */

/* Claims a free slot for party `me`, waiting (in 1 ms naps, freeing dead
 * parties' slots) while every one is taken, and records in it `round`,
 * the round the barrier was in when the caller looked. Returns 0 and *out,
 * or XIPC_ETIMEDOUT. */
static int claim(xipc_barrier *b, uint64_t me, uint64_t round, int64_t deadline,
                 uint32_t *out)
{
    uint32_t i, j;
    struct pace pc = {0, 64, 0, 0};
    uint64_t zero;

    for (;;) {
        for (j = 0; j < b->parties; j++) {
            i = (b->hint + j) % b->parties;
            zero = 0;
            if (atomic_load_explicit(&b->slots[i].who, memory_order_relaxed) ==
                    0 &&
                atomic_compare_exchange_strong(&b->slots[i].who, &zero, me)) {
                atomic_store_explicit(&b->slots[i].round, round,
                                      memory_order_relaxed);
                *out = i;
                return 0;
            }
        }
        if (deadline != XIPC__NEVER && xipc__sys_now_ns() >= deadline)
            return XIPC_ETIMEDOUT;
        maybe_scan(b, &pc, me);
        xipc__sys_sleep_ms(1);
    }
}

/* Frees the caller's slot: its last step in wait. The round stays as it
 * was until the next claimer records its own. */
static void release_slot(xipc_barrier *b, uint32_t i, uint64_t me)
{
    XIPC__FAULT_POINT("barrier:leaving");
    atomic_compare_exchange_strong(&b->slots[i].who, &me, 0);
}

/* ---- timeouts ------------------------------------------------------------ */

/* A call that timed out before it arrived: it breaks the barrier, but a
 * full round (its action running) first completes. */
static int timeout_outside(xipc_barrier *b)
{
    uint64_t s;
    int rc;

    for (;;) {
        if ((rc = load(b, &s)) != 0)
            return rc;
        if (st_phase(s) == PH_BROKEN)
            break;
        if (st_phase(s) == PH_FILLING && st_k(s) == b->parties) {
            if ((s & DOOMED) != 0 || cas(b, &s, s | DOOMED))
                break;
            continue;
        }
        if (cas(b, &s, st_make(st_round(s), PH_BROKEN, 0))) {
            wake_all(b);
            break;
        }
    }
    return broken(b, "timed out: the barrier is now broken");
}

/* ---- waiting in a round -------------------------------------------------- */

struct member {
    xipc_barrier *b;
    uint32_t slot;
    uint32_t index;
    uint64_t round;
    uint64_t me;
    struct pace pc;
};

/* What a party of round m->round gets once the round number moved on:
 * its index + 1 if the round completed, XIPC_EBROKEN if it was reset. */
static int outcome(const struct member *m)
{
    uint64_t r = atomic_load(&m->b->slots[m->slot].round);

    if (r == m->round)
        return (int)m->index + 1;
    if (r == (m->round | R_MARK))
        return broken(m->b, "the barrier was reset");
    return corrupt(m->b);
}

/* The state for a party of round m->round: > 0 done (index + 1), 0 still
 * waiting, < 0 an error. */
static int member_look(struct member *m, uint64_t *sp)
{
    uint64_t s;
    int rc;

    if ((rc = load(m->b, &s)) != 0)
        return rc;
    *sp = s;
    if (st_round(s) != m->round)
        return outcome(m);
    if (st_phase(s) == PH_BROKEN)
        return broken(m->b, "the barrier is broken (aborted, timed out, or "
                            "a party died)");
    if (st_phase(s) == PH_RESETTING)
        return broken(m->b, "the barrier was reset");
    return 0;
}

static int member_ready(void *ctx)
{
    struct member *m = ctx;
    uint64_t s;
    int r = member_look(m, &s);

    if (r != 0)
        return r;
    if (maybe_scan(m->b, &m->pc, m->me))
        return member_look(m, &s);
    return 0;
}

/* Waits for round m->round to end. Returns the index or a code. */
/* Spins for up to ns nanoseconds (read once per 64 looks) for the round
 * to end. Returns as member_look(), 0 if it did not end in time. */
static int prespin(struct member *m, int64_t ns, int64_t deadline)
{
    int64_t end = xipc__sys_now_ns() + ns, now;
    uint64_t s;
    int i, r;

    if (end > deadline)
        end = deadline;
    for (i = 1;; i++) {
        if ((r = member_look(m, &s)) != 0)
            return r;
        xipc__cpu_relax();
        if (i % 64 == 0 && ((now = xipc__sys_now_ns()) >= end))
            return 0;
    }
}

/* Learns from a wait, which had spun `spun` ns before the helper's, how
 * long to spin before the next. Two parties that take turns can fall into
 * step so that each sleeps in every round: the one that releases the
 * other is still in its wake-up call (under Wine a server round trip,
 * longer than the helper's spin) when that one arrives at the next round
 * and, finding itself first, spins, then sleeps before its partner
 * arrives. So a wait that slept and was ended soon after spins long
 * enough next time; one caught while spinning lets the extra spin wane;
 * one that slept long (a party that was busy) halves it. */
static void learn(xipc_barrier *b, const struct pace *pc, int64_t spun)
{
    int64_t spin = atomic_load_explicit(&b->spin_ns, memory_order_relaxed);
    int64_t d = pc->last - pc->first + spun;

    if (pc->first == 0 || d <= XIPC__SPIN_NS)
        spin -= spin >> 6;
    else if (d < SPIN_MAX_NS)
        spin = 2 * d < SPIN_MAX_NS ? 2 * d : SPIN_MAX_NS;
    else
        spin /= 2;
    atomic_store_explicit(&b->spin_ns, spin, memory_order_relaxed);
}

static int member_wait(struct member *m, int64_t deadline)
{
    int64_t spin = atomic_load_explicit(&m->b->spin_ns, memory_order_relaxed);
    uint64_t s;
    int i, r = 0;

    /* A partner in the next core arrives within a few hundred
     * nanoseconds: a look or a hundred, without reading the clock. */
    for (i = 0; i < 128 && deadline != 0; i++) {
        uint64_t s0;
        if ((r = member_look(m, &s0)) != 0)
            return r > 0 ? r - 1 : r;
        xipc__cpu_relax();
    }
    if (spin > 0 && deadline != 0)
        r = prespin(m, spin, deadline);
    else
        spin = 0;
    if (r == 0) {
        r = xipc__wait(m->b->p.notify[0], deadline, member_ready, m);
        learn(m->b, &m->pc, spin);
    }
    while (r == XIPC_ETIMEDOUT) {
        /* Python's rule: a wait that times out breaks the barrier - unless
         * the round completed meanwhile. */
        if ((r = member_look(m, &s)) != 0)
            break;
        if (cas(m->b, &s, st_make(m->round, PH_BROKEN, 0))) {
            wake_all(m->b);
            return broken(m->b, "timed out: the barrier is now broken");
        }
        r = XIPC_ETIMEDOUT;
    }
    return r > 0 ? r - 1 : r;
}

/* The last arrival with an action: runs it, then ends the round. */
static int run_action(struct member *m)
{
    xipc_barrier *b = m->b;
    uint64_t s, next;
    int failed, rc;

    failed = b->action(b->action_ctx) != 0;
    for (;;) {
        if ((rc = load(b, &s)) != 0)
            return rc;
        /* Broken, reset or timed out by a waiter meanwhile. */
        if (st_round(s) != m->round || st_phase(s) != PH_FILLING ||
            st_k(s) != b->parties)
            return broken(b, "the barrier broke while its action ran");
        if (failed) {
            if (cas(b, &s, st_make(m->round, PH_BROKEN, 0))) {
                wake_all(b);
                return broken(b, "the barrier's action failed");
            }
            continue;
        }
        next = st_make(m->round + 1, (s & DOOMED) ? PH_BROKEN : PH_FILLING, 0);
        if (cas(b, &s, next)) {
            XIPC__FAULT_POINT("barrier:released");
            wake_all(b);
            return (int)b->parties - 1;
        }
    }
}

/* A caller that found the round full (its action running) waits for the
 * state to change. */
struct outside {
    xipc_barrier *b;
    uint64_t seen, me;
    struct pace pc;
};

static int outside_ready(void *ctx)
{
    struct outside *o = ctx;

    if (atomic_load_explicit(o->b->state, memory_order_acquire) != o->seen)
        return 1;
    maybe_scan(o->b, &o->pc, o->me);
    return atomic_load_explicit(o->b->state, memory_order_acquire) != o->seen;
}

/* Arrives (the caller holds slot i) and waits for its round to end; s is
 * the state as the caller last saw it, tried first. */
static int arrive(xipc_barrier *b, uint32_t i, uint64_t me, int64_t deadline,
                  uint64_t s)
{
    struct member m;
    struct outside o;
    uint64_t e;
    uint32_t k, n;
    int rc;

    for (n = 1;; n++) {
        if (!st_valid(s, b->parties))
            return corrupt(b);
        /* A peer that rewrites the word for ever cannot keep a call
         * past its timeout. */
        if (n % 1024 == 0 && deadline != XIPC__NEVER &&
            xipc__sys_now_ns() >= deadline)
            return timeout_outside(b);
        if (st_phase(s) == PH_BROKEN)
            return broken(b, "the barrier is broken");
        if (st_phase(s) == PH_RESETTING) {
            finish_reset(b, s);
            s = atomic_load_explicit(b->state, memory_order_acquire);
            continue;
        }
        k = st_k(s);
        e = st_round(s);
        if (k == b->parties) {
            /* Waiting to be in the next round. */
            atomic_store_explicit(&b->slots[i].round, (e + 1) & R_MASK,
                                  memory_order_relaxed);
            memset(&o, 0, sizeof o);
            o.b = b;
            o.seen = s;
            o.me = me;
            rc = xipc__wait(b->p.notify[0], deadline, outside_ready, &o);
            if (rc == XIPC_ETIMEDOUT)
                return timeout_outside(b);
            if (rc < 0)
                return rc;
            s = atomic_load_explicit(b->state, memory_order_acquire);
            continue;
        }
        /* Recorded as arriving in round e before the arrival itself
         * (whose compare-exchange releases the store; a failed one hands
         * back the state as it is now). */
        atomic_store_explicit(&b->slots[i].round, e, memory_order_relaxed);
        XIPC__FAULT_POINT("barrier:registered");
        if (k + 1 == b->parties && b->action == NULL) {
            if (!cas(b, &s, st_make(e + 1, PH_FILLING, 0)))
                continue;
            XIPC__FAULT_POINT("barrier:released");
            wake_all(b);
            return (int)k;
        }
        if (!cas(b, &s, st_make(e, PH_FILLING, k + 1)))
            continue;
        memset(&m, 0, sizeof m);
        m.b = b;
        m.slot = i;
        m.index = k;
        m.round = e;
        m.me = me;
        if (k + 1 == b->parties)
            return run_action(&m);
        XIPC__FAULT_POINT("barrier:arrived");
        return member_wait(&m, deadline);
    }
}

int xipc_barrier_wait(xipc_barrier *b, int64_t timeout_ms)
{
    int64_t deadline;
    uint64_t s, me;
    uint32_t i;
    int rc;

    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_wait", NULL,
                          "NULL handle");
    /* The last arrival of a round without an action needs no slot: it
     * completes the round in one step, which a death cannot split. */
    s = atomic_load_explicit(b->state, memory_order_acquire);
    if (b->action == NULL && st_valid(s, b->parties) &&
        st_phase(s) == PH_FILLING && st_k(s) + 1 == b->parties &&
        cas(b, &s, st_make(st_round(s) + 1, PH_FILLING, 0))) {
        XIPC__FAULT_POINT("barrier:released");
        wake_all(b);
        return (int)b->parties - 1;
    }
    deadline = xipc__deadline(timeout_ms);
    if ((rc = xipc__party_self(b->p.seg, &me)) != 0)
        return rc;
    if (claim(b, me, st_round(s), deadline, &i) != 0)
        return timeout_outside(b);
    rc = arrive(b, i, me, deadline, s);
    release_slot(b, i, me);
    return rc;
}

/* ---- the other verbs ----------------------------------------------------- */

int xipc_barrier_abort(xipc_barrier *b)
{
    uint64_t s;
    int rc;

    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_abort", NULL,
                          "NULL handle");
    for (;;) {
        if ((rc = load(b, &s)) != 0)
            return rc;
        if (st_phase(s) == PH_BROKEN)
            return 0;
        if (cas(b, &s, st_make(st_round(s), PH_BROKEN, 0))) {
            wake_all(b);
            return 0;
        }
    }
}

int xipc_barrier_reset(xipc_barrier *b)
{
    uint64_t s, want;
    int rc;

    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_reset", NULL,
                          "NULL handle");
    for (;;) {
        if ((rc = load(b, &s)) != 0)
            return rc;
        /* Nobody waits and it is whole: nothing to do (as in Python). */
        if (st_phase(s) == PH_FILLING && st_k(s) == 0)
            return 0;
        if (st_phase(s) != PH_RESETTING) {
            want = st_make(st_round(s), PH_RESETTING, 0);
            if (!cas(b, &s, want))
                continue;
            s = want;
            XIPC__FAULT_POINT("barrier:resetting");
        }
        finish_reset(b, s);
        return 0;
    }
}

int xipc_barrier_n_waiting(const xipc_barrier *b)
{
    uint64_t s;
    int rc;

    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_n_waiting", NULL,
                          "NULL handle");
    if ((rc = load(b, &s)) != 0)
        return rc;
    return st_phase(s) == PH_FILLING ? (int)st_k(s) : 0;
}

int xipc_barrier_parties(const xipc_barrier *b)
{
    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_parties", NULL,
                          "NULL handle");
    return (int)b->parties;
}

int xipc_barrier_broken(const xipc_barrier *b)
{
    uint64_t s;
    int rc;

    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_broken", NULL,
                          "NULL handle");
    if ((rc = load(b, &s)) != 0)
        return rc;
    return st_phase(s) == PH_BROKEN;
}

int xipc_barrier_set_action(xipc_barrier *b, xipc_barrier_action_fn fn,
                            void *ctx)
{
    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_set_action", NULL,
                          "NULL handle");
    b->action = fn;
    b->action_ctx = ctx;
    return 0;
}

const char *xipc_barrier_name(const xipc_barrier *b)
{
    return b != NULL ? b->p.name : "";
}

/* ---- creating and opening ------------------------------------------------ */

static int make(xipc_barrier **out, const char *name, int create, int parties)
{
    const char *fn = create ? "xipc_barrier_create" : "xipc_barrier_open";
    uint32_t np = (uint32_t)parties;
    struct words *w;
    xipc_barrier *b;
    uint64_t s;
    int rc;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, fn, NULL, "NULL out");
    if (create && (parties < 1 || parties > XIPC_BARRIER_MAX_PARTIES))
        return xipc__fail(XIPC_EINVAL, fn, name,
                          "parties must be 1 to XIPC_BARRIER_MAX_PARTIES");
    if ((b = calloc(1, sizeof *b)) == NULL)
        return xipc__fail(XIPC_ENOMEM, fn, name, NULL);
    if ((rc = xipc__parts_make(&b->p, &spec, name, create, &np,
                               create ? (uint64_t)np * sizeof(struct slot)
                                      : 0)) != 0) {
        free(b);
        return rc;
    }
    w = (struct words *)b->p.words;
    /* Read once more, so checked once more: against the table the
     * creator sized, which the header (validated) tells. */
    b->parties = w->parties;
    b->state = &w->state;
    b->scan_ns = &w->scan_ns;
    b->slots = (struct slot *)b->p.extra;
    if (b->parties < 1 || b->parties > XIPC_BARRIER_MAX_PARTIES ||
        b->p.extra_size != (uint64_t)b->parties * sizeof(struct slot)) {
        rc = xipc__fail(XIPC_ECORRUPT, fn, b->p.name,
                        "the barrier's table does not fit its parties");
        goto fail;
    }
    if ((rc = load(b, &s)) != 0)
        goto fail;
    /* Each handle starts its search at a slot of its own, and keeps to it:
     * two parties that took turns in one slot would pass its cache line to
     * and fro in every round. */
    b->hint = (uint32_t)(atomic_fetch_add(&w->handles, 1) % b->parties);
    *out = b;
    return 0;

fail:
    xipc__parts_free(&b->p, &spec);
    free(b);
    return rc;
}

int xipc_barrier_create(xipc_barrier **out, const char *name, int parties)
{
    return make(out, name, 1, parties);
}

int xipc_barrier_open(xipc_barrier **out, const char *name)
{
    return make(out, name, 0, 0);
}

int xipc_barrier_close(xipc_barrier *b)
{
    if (b == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_barrier_close", NULL,
                          "NULL handle");
    xipc__parts_free(&b->p, &spec);
    free(b);
    return 0;
}

int xipc_barrier_unlink(const char *name)
{
    return xipc_unlink(name);
}

struct xipc__seg *xipc__barrier_seg(const xipc_barrier *b)
{
    return b->p.seg;
}

/* ---- description --------------------------------------------------------- */

int xipc__describe_BARRIER(struct xipc__seg *seg, const void *base,
                           const xipc__hdr *h, xipc_info *out)
{
    const unsigned char *w =
        (const unsigned char *)base + xipc__parts_words_off(&spec);
    uint64_t end = (xipc__parts_words_off(&spec) + sizeof(struct words) + 63) &
                   ~(uint64_t)63;
    uint32_t parties;
    uint64_t s;

    (void)seg;
    if (h->data_off != end)
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "a barrier of another layout");
    parties = *(const volatile uint32_t *)(w + offsetof(struct words, parties));
    if (parties < 1 || parties > XIPC_BARRIER_MAX_PARTIES ||
        h->user_size != (uint64_t)parties * sizeof(struct slot))
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "the barrier's number of parties is damaged");
    s = xipc__load_u64_ro(w + offsetof(struct words, state));
    if (!st_valid(s, parties))
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "the barrier's round word is damaged");
    out->parties = parties;
    out->round = (int64_t)st_round(s);
    out->waiting = st_phase(s) == PH_FILLING ? st_k(s) : 0;
    out->broken = st_phase(s) == PH_BROKEN;
    if (out->broken)
        snprintf(out->state, sizeof out->state, "broken in round %lld",
                 (long long)out->round);
    else if (st_phase(s) == PH_RESETTING)
        snprintf(out->state, sizeof out->state, "being reset in round %lld",
                 (long long)out->round);
    else
        snprintf(out->state, sizeof out->state,
                 "round %lld, %lld of %lld parties waiting%s",
                 (long long)out->round, (long long)out->waiting,
                 (long long)parties,
                 st_k(s) == parties ? " (action running)" : "");
    return 0;
}
