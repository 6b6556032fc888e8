/*
 * semaphore.c - Semaphore and BoundedSemaphore, one kind with a bound, and
 * their undo on death. Portable: an object built of parts (src/object.c):
 * one wake-up channel, a few words and, with undo, a creator-sized table
 * of records in the extra bytes.
 *
 * The semaphore is one 64-bit word, changed by compare-exchange only:
 *
 *     bits  0..30  value: the free units, 0..XIPC_SEM_VALUE_MAX
 *     bit  31      died: units of a dead process were given back since
 *                  the last acquire (undo), which that acquire reports
 *     bits 32..43  waiting: acquirers counted as waiting (a hint that
 *                  saturates at 4095), so that a release with nobody
 *                  waiting makes no call into the channel at all
 *     bits 44..63  tag (undo): the record and operation that made the last
 *                  change, (record + 1) << 8 | its sequence number & 0xff
 *
 * Without undo an acquire is one compare-exchange of value - 1, a release
 * one of value + 1 followed, if the word counted waiters, by a wake of one
 * sleeper of the channel: the uncontended pair makes no system call, and a
 * release never wakes more than one waiter. An acquirer that finds no unit
 * counts itself in the word and waits through the one wait helper
 * (src/wait.c); its successful compare-exchange uncounts it in the same
 * instruction.
 *
 * Undo. Every process that acquires gets a record of the table (its
 * process identity, xipc__party_process, claimed by compare-exchange) and
 * the record counts the units it holds. The record's state is one 64-bit
 * word too - units, a pending operation (ACQ, REL or GIVE) and a sequence
 * number - and an operation is three steps, each one compare-exchange:
 *
 *   1. the record: NONE(u, q) -> op(u, q + 1)           "pending"
 *   2. the value word, tagged (record, q + 1)           "landed"
 *   3. the record: op(u, q + 1) -> NONE(u +/- 1, q + 1) "completed"
 *
 * Whoever changes the value word while its tag names a pending operation
 * first completes that operation's record ("helping", in help()), so a tag
 * in the word always means that the operation it names has landed and is
 * either completed or about to be. Hence, for a dead process, the record
 * and the word together say exactly what happened, and a kill at any
 * instruction leaves nothing ambiguous:
 *  - before step 1, or after step 3: the record counts its units exactly;
 *  - between 1 and 2: the record is pending and the word does not carry
 *    its tag (nobody else writes it): the operation did not happen, and
 *    the recoverer cancels it;
 *  - between 2 and 3: the word carries its tag, or someone overwrote the
 *    tag and completed the record first: it happened, and the recoverer
 *    completes it (if the helper has not).
 * A live acquirer that finds a dead process's record (xipc__party_alive,
 * at most once a millisecond per handle, when it would otherwise wait, and
 * once per slice while it sleeps) takes the record over by one
 * compare-exchange of its owner, so only one process gives the units
 * back, and gives them back by the same three steps under its own
 * identity with operation GIVE: the value rises by the units (at most to
 * the bound) and the died bit is set in one compare-exchange, so the
 * report cannot be lost or given twice; a recoverer killed on the way is
 * itself dead, and the next one finishes its GIVE exactly. Nothing is ever
 * given back twice, and nothing held is lost. Threads of one process share
 * its record; step 1 excludes them from each other for the few
 * instructions of an operation (a second thread that finds the record
 * pending waits for it; only one stuck for about 10 s - a thread ended
 * alone in the middle, or damage - makes it take another record).
 */
#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the words ------------------------------------------------------------
 */

#define V_MASK UINT64_C(0x7fffffff)
#define V_DIED (UINT64_C(1) << 31)
#define W_SHIFT 32
#define W_ONE (UINT64_C(1) << W_SHIFT)
#define W_MAX UINT64_C(0xfff)
#define W_MASK (W_MAX << W_SHIFT)
#define T_SHIFT 44
#define T_MASK (UINT64_C(0xfffff) << T_SHIFT)
#define TAG(i, seq)                                                            \
    ((uint64_t)(((uint32_t)(i) + 1) << 8 | ((uint32_t)(seq)&0xffu)) << T_SHIFT)

/* The largest table: record numbers + 1 fill the tag's 12 bits. */
#define REC_MAX 4095u
#define FLAG_KNOWN (XIPC_SEM_BOUNDED | XIPC_SEM_UNDO)
#define FLAG_PROCS(f) (((unsigned)(f) >> 16) & 0xfffu)

/* "XSEM" */
#define SEM_MAGIC 0x4d455358u

struct sem_words {
    _Atomic uint64_t word; /* see above */
    uint32_t magic;        /* SEM_MAGIC, written once by init */
    uint32_t flags;        /* XIPC_SEM_BOUNDED | XIPC_SEM_UNDO, written once */
    uint32_t bound;        /* a BoundedSemaphore's bound, written once */
    uint32_t nrec;         /* records in the table (undo), written once */
};

/* A record of the undo table. */
struct rec {
    _Atomic uint64_t owner; /* 0: free; a process's party identity; with
                             * REC_TAKEN: being given back by that one */
    _Atomic uint64_t state; /* units | op << 32 | seq << 34 */
};
_Static_assert(sizeof(struct rec) == 16, "a record is 16 bytes");

#define REC_TAKEN (UINT64_C(1) << 63)
#define OP_NONE 0u
#define OP_ACQ 1u
#define OP_REL 2u
#define OP_GIVE 3u
#define R_UNITS(st) ((uint32_t)(st))
#define R_OP(st) ((unsigned)((st) >> 32) & 3u)
#define R_SEQ(st) ((uint32_t)((st) >> 34))
#define R_MAKE(units, op, seq)                                                 \
    ((uint64_t)(uint32_t)(units) | (uint64_t)(op) << 32 |                      \
     (uint64_t)((seq)&0x3fffffffu) << 34)

/* The slow paths stay out of line, so that the fast ones - a load and a
 * compare-exchange - pay for no saved registers. */
#if defined(__GNUC__)
#define SLOW_PATH __attribute__((noinline, cold))
#else
#define SLOW_PATH
#endif

/* The calling process's threads inside an undo operation now, so that a
 * record of this process found mid-operation with no other thread inside
 * one is known to be damaged, not a sibling's work in progress. */
static _Atomic int inflight;

/* How often a handle looks for dead processes' records while it cannot
 * acquire (each look asks the kernel about every record holding units). */
#define SCAN_NS 1000000

/* How long a release waits for a sibling thread's operation on the
 * record it needs (a few instructions, unless that thread is preempted):
 * SIBLING_NAP spins and yields, then 1 ms naps up to about 10 s. */
#define SIBLING_NAP 4096
#define SIBLING_SPINS (SIBLING_NAP + 10000)

struct xipc_semaphore {
    xipc__parts p;
    struct sem_words *w;
    struct rec *rec; /* the undo table, NULL without undo */
    uint32_t nrec;
    uint32_t flags;          /* validated copies of the creator's words */
    uint32_t cap;            /* the highest value a release reaches */
    _Atomic uint32_t mine;   /* hint: this process's record + 1 */
    _Atomic int64_t scan_at; /* when this handle last looked */
};

struct sem_init {
    uint32_t value, flags, bound, nrec;
};

static int sem_init(void *words, const void *ctx)
{
    struct sem_words *w = words;
    const struct sem_init *in = ctx;

    atomic_store_explicit(&w->word, in->value, memory_order_relaxed);
    w->magic = SEM_MAGIC;
    w->flags = in->flags;
    w->bound = in->bound;
    w->nrec = in->nrec;
    return 0;
}

/* Checks the creator's words (read once each): 0 or XIPC_ECORRUPT. */
static int words_check(uint32_t magic, uint32_t flags, uint32_t bound,
                       uint32_t nrec, const char *name)
{
    if (magic != SEM_MAGIC || (flags & ~(uint32_t)FLAG_KNOWN) != 0 ||
        bound > V_MASK ||
        ((flags & XIPC_SEM_UNDO) ? nrec == 0 || nrec > REC_MAX : nrec != 0))
        return xipc__fail(XIPC_ECORRUPT, "xipc_semaphore", name,
                          "the semaphore's words are damaged");
    return 0;
}

static int sem_check(const void *words, const char *name)
{
    const volatile struct sem_words *w = words;
    return words_check(w->magic, w->flags, w->bound, w->nrec, name);
}

static const xipc__parts_spec sem_spec = {
    XIPC_KIND_SEMAPHORE,      "xipc_semaphore", 0,        {0, 0}, 1,
    sizeof(struct sem_words), sem_init,         sem_check};

/* ---- create, open, close ----------------------------------------------------
 */

static int sem_make(xipc_semaphore **out, const char *name, int create,
                    const struct sem_init *in)
{
    xipc_semaphore *s;
    uint32_t magic, flags, bound, nrec;
    int rc;

    if ((s = calloc(1, sizeof *s)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    if ((rc = xipc__parts_make(&s->p, &sem_spec, name, create, in,
                               create ? (uint64_t)in->nrec * sizeof(struct rec)
                                      : 0)) != 0) {
        free(s);
        return rc;
    }
    s->w = (struct sem_words *)s->p.words;
    magic = s->w->magic;
    flags = s->w->flags;
    bound = s->w->bound;
    nrec = s->w->nrec;
    /* Checked again, read once: the copies are what this handle trusts. */
    if ((rc = words_check(magic, flags, bound, nrec, s->p.name)) != 0)
        goto fail;
    if ((uint64_t)nrec * sizeof(struct rec) > s->p.extra_size) {
        rc = xipc__fail(XIPC_ECORRUPT, "xipc_semaphore_open", s->p.name,
                        "the undo table does not fit the object");
        goto fail;
    }
    s->flags = flags;
    s->nrec = nrec;
    s->rec = nrec != 0 ? (struct rec *)s->p.extra : NULL;
    s->cap = (flags & XIPC_SEM_BOUNDED) ? bound : (uint32_t)V_MASK;
    atomic_init(&s->mine, 0);
    atomic_init(&s->scan_at, xipc__sys_now_ns() - 2 * SCAN_NS);
    *out = s;
    return 0;

fail:
    xipc__parts_free(&s->p, &sem_spec);
    free(s);
    return rc;
}

int xipc_semaphore_create(xipc_semaphore **out, const char *name, int64_t value,
                          int flags)
{
    struct sem_init in;
    unsigned procs = FLAG_PROCS(flags);

    xipc__clear_error();
    if (out == NULL || value < 0 || value > XIPC_SEM_VALUE_MAX ||
        ((unsigned)flags & ~((unsigned)FLAG_KNOWN | 0xfffu << 16)) != 0 ||
        (procs != 0 && !(flags & XIPC_SEM_UNDO)))
        return xipc__fail(XIPC_EINVAL, "xipc_semaphore_create", NULL,
                          "NULL out, value out of range or unknown flags");
    in.value = (uint32_t)value;
    in.flags = (uint32_t)flags & FLAG_KNOWN;
    in.bound = (flags & XIPC_SEM_BOUNDED) ? (uint32_t)value : 0;
    in.nrec = (flags & XIPC_SEM_UNDO)
                  ? (procs != 0 ? procs : XIPC_SEM_UNDO_DEFAULT)
                  : 0;
    return sem_make(out, name, 1, &in);
}

int xipc_semaphore_open(xipc_semaphore **out, const char *name)
{
    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_semaphore_open", NULL, "NULL out");
    return sem_make(out, name, 0, NULL);
}

/* The calling process's units (and operations in progress) in the table:
 * 1 if it holds any, 0 if not. */
static int holds_units(xipc_semaphore *s, uint64_t me)
{
    uint64_t st;
    uint32_t i;

    for (i = 0; i < s->nrec; i++) {
        if (atomic_load_explicit(&s->rec[i].owner, memory_order_acquire) != me)
            continue;
        st = atomic_load_explicit(&s->rec[i].state, memory_order_acquire);
        if (R_UNITS(st) != 0 || R_OP(st) != OP_NONE)
            return 1;
    }
    return 0;
}

int xipc_semaphore_close(xipc_semaphore *s)
{
    uint64_t me;

    if (s == NULL)
        return XIPC_EINVAL;
    if (s->rec != NULL && xipc__party_process(s->p.seg, &me) == 0 &&
        holds_units(s, me))
        return xipc__fail(XIPC_EBUSY, "xipc_semaphore_close", s->p.name,
                          "this process holds units of the semaphore: "
                          "release them first");
    xipc__parts_free(&s->p, &sem_spec);
    free(s);
    return 0;
}

int xipc_semaphore_unlink(const char *name)
{
    return xipc_unlink(name);
}

/* ---- undo: records, helping, giving back ------------------------------------
 */

/* The state of a record once its pending operation is done. */
static uint64_t completed(uint64_t st)
{
    uint32_t u = R_UNITS(st);

    switch (R_OP(st)) {
    case OP_ACQ:
        u = u < V_MASK ? u + 1 : u;
        break;
    case OP_REL:
        u = u > 0 ? u - 1 : 0;
        break;
    case OP_GIVE:
        u = 0;
        break;
    default:
        break;
    }
    return R_MAKE(u, OP_NONE, R_SEQ(st));
}

/* Whether the value word w carries the tag of record i's operation st:
 * that operation has landed. */
static int landed(uint64_t w, uint32_t i, uint64_t st)
{
    return (w & T_MASK) == TAG(i, R_SEQ(st));
}

/* Before a change of the value word w: completes the record of the
 * operation its tag names, if that is still pending, so that the change
 * may erase the tag. */
static void help(xipc_semaphore *s, uint64_t w)
{
    uint32_t tag = (uint32_t)(w >> T_SHIFT), i;
    uint64_t st;

    if (tag == 0 || s->rec == NULL)
        return;
    i = (tag >> 8) - 1;
    if (i >= s->nrec) /* damage: nothing to complete */
        return;
    st = atomic_load_explicit(&s->rec[i].state, memory_order_acquire);
    /* The tag keeps 8 bits of the sequence number: an old w may name an
     * operation of the record 256 (or k * 256) before the pending one,
     * which has not landed. Only the word as it is now, read after the
     * record, says that the pending operation landed (once the record is
     * pending, its own operations cannot tag the word but this one; and a
     * changed w fails the caller's compare-exchange anyway). */
    if (R_OP(st) != OP_NONE && landed(w, i, st) &&
        atomic_load_explicit(&s->w->word, memory_order_acquire) == w)
        atomic_compare_exchange_strong_explicit(
            &s->rec[i].state, &st, completed(st), memory_order_acq_rel,
            memory_order_acquire);
}

/* Gives back the units of record i, which the caller has taken over (its
 * owner is the caller | REC_TAKEN): settles the operation its dead owner
 * left pending, then moves its units into the value (at most up to the
 * cap) with the died bit, by the three steps. Returns the units given. */
static uint32_t give_back(xipc_semaphore *s, uint32_t i)
{
    _Atomic uint64_t *state = &s->rec[i].state;
    uint64_t st = atomic_load_explicit(state, memory_order_acquire), gst, w, nw;
    uint32_t u, v, g;

    while (R_OP(st) != OP_NONE) {
        w = atomic_load_explicit(&s->w->word, memory_order_acquire);
        gst = landed(w, i, st) ? completed(st)
                               : R_MAKE(R_UNITS(st), OP_NONE, R_SEQ(st));
        if (atomic_compare_exchange_strong_explicit(
                state, &st, gst, memory_order_acq_rel, memory_order_acquire))
            st = gst;
    }
    if ((u = R_UNITS(st)) == 0)
        return 0;
    gst = R_MAKE(u, OP_GIVE, R_SEQ(st) + 1);
    if (!atomic_compare_exchange_strong_explicit(
            state, &st, gst, memory_order_acq_rel, memory_order_acquire))
        return 0; /* only damage changes a record taken over */
    XIPC__FAULT_POINT("sem:give:pending");
    w = atomic_load_explicit(&s->w->word, memory_order_acquire);
    for (;;) {
        help(s, w);
        v = (uint32_t)(w & V_MASK);
        g = v >= s->cap ? 0 : (u < s->cap - v ? u : s->cap - v);
        if (g == 0) {
            /* Everything it held was released by others already. */
            atomic_compare_exchange_strong_explicit(
                state, &gst, R_MAKE(0, OP_NONE, R_SEQ(gst)),
                memory_order_acq_rel, memory_order_acquire);
            return 0;
        }
        nw = ((w + g) & ~T_MASK) | V_DIED | TAG(i, R_SEQ(gst));
        if (atomic_compare_exchange_weak_explicit(&s->w->word, &w, nw,
                                                  memory_order_acq_rel,
                                                  memory_order_acquire)) {
            XIPC__FAULT_POINT("sem:give:landed");
            atomic_compare_exchange_strong_explicit(state, &gst, completed(gst),
                                                    memory_order_acq_rel,
                                                    memory_order_acquire);
            return g;
        }
    }
}

/* Takes over record i from its owner o, if o is dead, and gives its units
 * back. Returns the units given, 0 if there was nothing to take over. On
 * success the record stays the caller's (*taken = 1): it frees it or
 * keeps it. */
static uint32_t take_over(xipc_semaphore *s, uint32_t i, uint64_t o,
                          uint64_t me, int *taken)
{
    *taken = 0;
    if (o == 0 || (o & ~REC_TAKEN) == me ||
        xipc__party_alive(s->p.seg, o & ~REC_TAKEN) != 0)
        return 0;
    if (!atomic_compare_exchange_strong_explicit(
            &s->rec[i].owner, &o, me | REC_TAKEN, memory_order_acq_rel,
            memory_order_acquire))
        return 0;
    *taken = 1;
    return give_back(s, i);
}

static void wake_for(xipc_semaphore *s, uint32_t units)
{
    if (units != 0)
        xipc__notify_wake(s->p.notify[0], units >= XIPC__WAKE_ALL
                                              ? XIPC__WAKE_ALL
                                              : (int)units);
}

/* Gives back the units of every dead process's record that holds some
 * (or has an operation pending). Returns the units given back. */
static uint32_t scan_dead(xipc_semaphore *s, uint64_t me)
{
    uint64_t o, st, mine;
    uint32_t i, gave = 0;
    int taken;

    for (i = 0; i < s->nrec; i++) {
        o = atomic_load_explicit(&s->rec[i].owner, memory_order_acquire);
        if (o == 0 || (o & ~REC_TAKEN) == me)
            continue;
        st = atomic_load_explicit(&s->rec[i].state, memory_order_acquire);
        if (R_UNITS(st) == 0 && R_OP(st) == OP_NONE)
            continue; /* nothing to give: left for claimers to reuse */
        gave += take_over(s, i, o, me, &taken);
        if (taken) {
            mine = me | REC_TAKEN;
            atomic_compare_exchange_strong_explicit(&s->rec[i].owner, &mine, 0,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire);
        }
    }
    wake_for(s, gave);
    return gave;
}

/* Whether this handle may look for dead processes now (rate limit). */
static int scan_due(xipc_semaphore *s)
{
    int64_t now = xipc__sys_now_ns(),
            at = atomic_load_explicit(&s->scan_at, memory_order_relaxed);

    return now - at >= SCAN_NS &&
           atomic_compare_exchange_strong_explicit(&s->scan_at, &at, now,
                                                   memory_order_relaxed,
                                                   memory_order_relaxed);
}

/* Finds a record of the calling process `me` with no operation pending -
 * for a release, one that holds units - and stores its number and state.
 * For an acquire, claims a free record if the process has none (or all of
 * its records stay busy with other threads' operations), or takes one over
 * from a dead process. Returns 0; 1 (release: the process holds no units);
 * or XIPC_EBUSY (the table is full). */
static int my_record(xipc_semaphore *s, uint64_t me, int release, uint32_t *out,
                     uint64_t *out_st)
{
    uint32_t hint = atomic_load_explicit(&s->mine, memory_order_relaxed) - 1, i,
             gave;
    uint64_t st, o, want;
    uint32_t bi = 0, ci = UINT32_MAX;
    uint64_t bst = 0, cst = 0, sig, prev = 0;
    int spins, busy, stuck, taken, owned, looked = 0;

    if (hint < s->nrec &&
        atomic_load_explicit(&s->rec[hint].owner, memory_order_acquire) == me) {
        st = atomic_load_explicit(&s->rec[hint].state, memory_order_acquire);
        if (R_OP(st) == OP_NONE && (!release || R_UNITS(st) != 0)) {
            *out = hint;
            *out_st = st;
            return 0;
        }
    }
    for (spins = 0;; spins++) {
        busy = 0;
        stuck = 0;
        owned = 0;
        sig = 0;
        for (i = 0; i < s->nrec; i++) {
            if (atomic_load_explicit(&s->rec[i].owner, memory_order_acquire) !=
                me)
                continue;
            st = atomic_load_explicit(&s->rec[i].state, memory_order_acquire);
            owned++;
            sig += xipc__mix64(st ^ xipc__mix64((uint64_t)i + 1));
            if (R_OP(st) == OP_NONE && (!release || R_UNITS(st) != 0)) {
                atomic_store_explicit(&s->mine, i + 1, memory_order_relaxed);
                *out = i;
                *out_st = st;
                return 0;
            }
            if (R_OP(st) == OP_NONE)
                continue;
            /* Mid-operation: another thread of this process at work. */
            if (!busy) {
                busy = 1;
                bi = i;
                bst = st;
            }
            stuck |= i == ci && st == cst;
        }
        /* A release that found no units in several records has not seen
         * them at one moment: a sibling may have moved its units from a
         * record not yet looked at to one already passed (an acquire into
         * the first, a release from the second). Two looks that saw the
         * same owners and states did (every operation changes a record's
         * sequence number), so the process held none. */
        if (!busy && release && owned > 1 && (!looked || sig != prev) &&
            spins < SIBLING_SPINS) {
            looked = 1;
            prev = sig;
            xipc__cpu_relax();
            continue;
        }
        /* A sibling's operation lasts a few instructions: wait for it, a
         * release as long as it takes (it may free a unit held), an
         * acquire as well, rather than take another record: a process
         * keeps to the record it has (only threads whose first acquires
         * race, each finding none, may claim one each). */
        if (!busy || stuck || spins >= SIBLING_SPINS)
            break;
        /* With no other thread of this process inside an operation, the
         * operation seen must be over at the next look (a thread completes
         * its record before it leaves the count): one still there, the
         * very same, is damage. */
        if (atomic_load_explicit(&inflight, memory_order_acquire) <= 1) {
            ci = bi;
            cst = bst;
            continue;
        }
        ci = UINT32_MAX;
        if (spins >= SIBLING_NAP)
            xipc__sys_sleep_ms(1);
        else if (spins % 64 == 63)
            xipc__sys_sleep_ms(0);
        else
            xipc__cpu_relax();
    }
    if (release)
        return busy ? xipc__fail(XIPC_ECORRUPT, "xipc_semaphore_release",
                                 s->p.name,
                                 "a record of this process stays "
                                 "mid-operation: damaged")
                    : 1;
    for (i = 0; i < s->nrec; i++) {
        want = 0;
        if (atomic_load_explicit(&s->rec[i].owner, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong_explicit(&s->rec[i].owner, &want, me,
                                                    memory_order_acq_rel,
                                                    memory_order_acquire))
            goto claimed;
    }
    /* Full: reuse the record of a dead process, giving back its units. */
    for (i = 0; i < s->nrec; i++) {
        o = atomic_load_explicit(&s->rec[i].owner, memory_order_acquire);
        gave = take_over(s, i, o, me, &taken);
        if (taken) {
            wake_for(s, gave);
            atomic_store_explicit(&s->rec[i].owner, me, memory_order_release);
            goto claimed;
        }
    }
    return xipc__fail(XIPC_EBUSY, "xipc_semaphore_acquire", s->p.name,
                      "the undo table is full: every record belongs to a "
                      "live process (XIPC_SEM_UNDO_PROCESSES)");
claimed:
    atomic_store_explicit(&s->mine, i + 1, memory_order_relaxed);
    *out = i;
    *out_st = atomic_load_explicit(&s->rec[i].state, memory_order_acquire);
    return 0;
}

/* ---- acquire ----------------------------------------------------------------
 */

struct acq {
    xipc_semaphore *s;
    uint64_t me; /* the process's identity (undo) */
    int counted; /* this waiter is counted in the word */
};

/* Takes a unit, uncounting the waiter in the same instruction. Returns 1
 * (taken), 2 (taken; report XIPC_EOWNERDEAD), 0 (no unit) or an error. */
static int take_plain(struct acq *a)
{
    _Atomic uint64_t *word = &a->s->w->word;
    uint64_t w = atomic_load_explicit(word, memory_order_relaxed), nw;

    for (;;) {
        if ((w & V_MASK) == 0)
            return 0;
        nw = w - 1;
        if (a->counted && (w & W_MASK) != 0)
            nw -= W_ONE;
        if (atomic_compare_exchange_weak_explicit(
                word, &w, nw, memory_order_acquire, memory_order_relaxed)) {
            a->counted = 0;
            return 1;
        }
    }
}

static int take_undo_in(struct acq *a)
{
    xipc_semaphore *s = a->s;
    _Atomic uint64_t *word = &s->w->word, *state;
    uint64_t w = atomic_load_explicit(word, memory_order_acquire), st, nst, nw;
    uint32_t i;
    int rc, pending = 0;

    if ((w & V_MASK) == 0)
        return 0;
    if ((rc = my_record(s, a->me, 0, &i, &st)) != 0)
        return rc;
    state = &s->rec[i].state;
    for (;;) {
        if ((w & V_MASK) == 0) {
            if (pending) /* not landed: nobody else touches it */
                atomic_store_explicit(state,
                                      R_MAKE(R_UNITS(st), OP_NONE, R_SEQ(st)),
                                      memory_order_release);
            return 0;
        }
        if (!pending) {
            nst = R_MAKE(R_UNITS(st), OP_ACQ, R_SEQ(st) + 1);
            if (!atomic_compare_exchange_strong_explicit(
                    state, &st, nst, memory_order_acq_rel,
                    memory_order_acquire)) {
                /* Another thread of this process took the record. */
                if ((rc = my_record(s, a->me, 0, &i, &st)) != 0)
                    return rc;
                state = &s->rec[i].state;
                w = atomic_load_explicit(word, memory_order_acquire);
                continue;
            }
            st = nst;
            pending = 1;
            XIPC__FAULT_POINT("sem:acquire:pending");
        }
        help(s, w);
        nw = ((w - 1) & ~(V_DIED | T_MASK)) | TAG(i, R_SEQ(st));
        if (a->counted && (w & W_MASK) != 0)
            nw -= W_ONE;
        if (atomic_compare_exchange_weak_explicit(
                word, &w, nw, memory_order_acq_rel, memory_order_acquire)) {
            XIPC__FAULT_POINT("sem:acquire:landed");
            atomic_compare_exchange_strong_explicit(state, &st, completed(st),
                                                    memory_order_acq_rel,
                                                    memory_order_acquire);
            a->counted = 0;
            return (w & V_DIED) ? 2 : 1;
        }
    }
}

static int take_undo(struct acq *a)
{
    int r;

    atomic_fetch_add_explicit(&inflight, 1, memory_order_acq_rel);
    r = take_undo_in(a);
    atomic_fetch_sub_explicit(&inflight, 1, memory_order_acq_rel);
    return r;
}

static int take(struct acq *a)
{
    return a->s->rec != NULL ? take_undo(a) : take_plain(a);
}

/* The wait helper's condition: a unit taken. While none is free, an undo
 * semaphore looks for dead processes' units (rate-limited). */
static int acq_ready(void *arg)
{
    struct acq *a = arg;
    int r;

    XIPC__FAULT_POINT("sem:ready"); /* the tests count wake-ups here */
    r = take(a);

    if (r == 0 && a->s->rec != NULL && scan_due(a->s) &&
        scan_dead(a->s, a->me) != 0)
        r = take(a);
    return r;
}

/* Counts (add = 1) or uncounts (add = 0) a waiter in the word; returns
 * whether it did (the count saturates). */
static int count_waiter(xipc_semaphore *s, int add)
{
    uint64_t w = atomic_load_explicit(&s->w->word, memory_order_relaxed);

    for (;;) {
        uint64_t n = (w & W_MASK) >> W_SHIFT;
        if (add ? n == W_MAX : n == 0)
            return 0;
        if (atomic_compare_exchange_weak_explicit(
                &s->w->word, &w, add ? w + W_ONE : w - W_ONE,
                memory_order_seq_cst, memory_order_relaxed))
            return 1;
    }
}

SLOW_PATH static int acquire_slow(xipc_semaphore *s, int64_t timeout_ms)
{
    int64_t deadline = xipc__deadline(timeout_ms);
    struct acq a;
    int r;

    a.s = s;
    a.me = 0;
    a.counted = 0;
    if (s->rec != NULL && (r = xipc__party_process(s->p.seg, &a.me)) != 0)
        return r;
    if ((r = acq_ready(&a)) == 0 && deadline != 0) {
        /* Counted before the helper's checks: a release either sees the
         * count and wakes, or is seen by the next check. */
        a.counted = count_waiter(s, 1);
        r = xipc__wait(s->p.notify[0], deadline, acq_ready, &a);
        if (a.counted)
            count_waiter(s, 0);
    }
    return r == 1 ? 0 : r == 2 ? XIPC_EOWNERDEAD : r == 0 ? XIPC_ETIMEDOUT : r;
}

int xipc_semaphore_acquire(xipc_semaphore *s, int64_t timeout_ms)
{
    uint64_t w;

    if (s == NULL)
        return XIPC_EINVAL;
    if (s->rec == NULL) {
        w = atomic_load_explicit(&s->w->word, memory_order_relaxed);
        if ((w & V_MASK) != 0 &&
            atomic_compare_exchange_weak_explicit(&s->w->word, &w, w - 1,
                                                  memory_order_acquire,
                                                  memory_order_relaxed))
            return 0;
    }
    return acquire_slow(s, timeout_ms);
}

/* ---- release ----------------------------------------------------------------
 */

static int release_undo_in(xipc_semaphore *s, uint64_t *old)
{
    _Atomic uint64_t *word = &s->w->word, *state;
    uint64_t w, st, nst, nw, me;
    uint32_t i;
    int rc;

    if ((rc = xipc__party_process(s->p.seg, &me)) != 0)
        return rc;
again:
    if ((rc = my_record(s, me, 1, &i, &st)) < 0)
        return rc;
    /* Read after the record: my_record may have waited for a sibling's
     * operation, which changed the value (an acquire's unit, judged on
     * the value before it, would be dropped below as released for it). */
    w = atomic_load_explicit(word, memory_order_acquire);
    if ((w & V_MASK) >= s->cap) {
        /* Every unit is free, so a unit this process counts was released
         * for it by another process: it owes it no more. */
        if (rc == 0 && !atomic_compare_exchange_strong_explicit(
                           &s->rec[i].state, &st,
                           R_MAKE(R_UNITS(st) - 1, OP_NONE, R_SEQ(st)),
                           memory_order_acq_rel, memory_order_acquire))
            goto again;
        return XIPC_EOVERFLOW;
    }
    if (rc == 1) {
        /* This process holds no units: a plain release. */
        for (;;) {
            if ((w & V_MASK) >= s->cap)
                return XIPC_EOVERFLOW;
            help(s, w);
            if (atomic_compare_exchange_weak_explicit(
                    word, &w, (w + 1) & ~T_MASK, memory_order_acq_rel,
                    memory_order_acquire)) {
                *old = w;
                return 0;
            }
        }
    }
    state = &s->rec[i].state;
    nst = R_MAKE(R_UNITS(st), OP_REL, R_SEQ(st) + 1);
    if (!atomic_compare_exchange_strong_explicit(
            state, &st, nst, memory_order_acq_rel, memory_order_acquire))
        goto again; /* another thread of this process took the record */
    st = nst;
    XIPC__FAULT_POINT("sem:release:pending");
    for (;;) {
        if ((w & V_MASK) >= s->cap) {
            /* Not landed; and owed no more, as above. */
            atomic_store_explicit(state,
                                  R_MAKE(R_UNITS(st) - 1, OP_NONE, R_SEQ(st)),
                                  memory_order_release);
            return XIPC_EOVERFLOW;
        }
        help(s, w);
        nw = ((w + 1) & ~T_MASK) | TAG(i, R_SEQ(st));
        if (atomic_compare_exchange_weak_explicit(
                word, &w, nw, memory_order_acq_rel, memory_order_acquire)) {
            XIPC__FAULT_POINT("sem:release:landed");
            atomic_compare_exchange_strong_explicit(state, &st, completed(st),
                                                    memory_order_acq_rel,
                                                    memory_order_acquire);
            *old = w;
            return 0;
        }
    }
}

SLOW_PATH static int release_undo(xipc_semaphore *s)
{
    uint64_t w = 0;
    int r;

    atomic_fetch_add_explicit(&inflight, 1, memory_order_acq_rel);
    r = release_undo_in(s, &w);
    atomic_fetch_sub_explicit(&inflight, 1, memory_order_acq_rel);
    if (r == 0 && (w & W_MASK) != 0)
        xipc__notify_wake(s->p.notify[0], 1);
    return r;
}

int xipc_semaphore_release(xipc_semaphore *s)
{
    _Atomic uint64_t *word;
    uint64_t w;

    if (s == NULL)
        return XIPC_EINVAL;
    if (s->rec != NULL)
        return release_undo(s);
    word = &s->w->word;
    w = atomic_load_explicit(word, memory_order_relaxed);
    do {
        if ((w & V_MASK) >= s->cap)
            return XIPC_EOVERFLOW;
    } while (!atomic_compare_exchange_weak_explicit(
        word, &w, w + 1, memory_order_release, memory_order_relaxed));
    /* Someone waits: wake one of them (a unit serves one acquirer). */
    if ((w & W_MASK) != 0)
        xipc__notify_wake(s->p.notify[0], 1);
    return 0;
}

/* ---- the rest ---------------------------------------------------------------
 */

int xipc_semaphore_get_value(const xipc_semaphore *s)
{
    if (s == NULL)
        return XIPC_EINVAL;
    return (int)(atomic_load_explicit(&s->w->word, memory_order_acquire) &
                 V_MASK);
}

int xipc_semaphore_bound(const xipc_semaphore *s)
{
    return s != NULL ? (int)s->cap : XIPC_EINVAL;
}

int xipc_semaphore_flags(const xipc_semaphore *s)
{
    if (s == NULL)
        return XIPC_EINVAL;
    return (int)s->flags |
           (s->rec != NULL ? XIPC_SEM_UNDO_PROCESSES(s->nrec) : 0);
}

const char *xipc_semaphore_name(const xipc_semaphore *s)
{
    return s != NULL ? s->p.name : NULL;
}

/* What xipc_info says of a semaphore: its value, bound, waiters and, with
 * undo, the processes holding units. Reads a read-only mapping. */
int xipc__describe_SEMAPHORE(xipc__seg *seg, const void *base,
                             const xipc__hdr *h, xipc_info *out)
{
    const unsigned char *b = base;
    uint64_t off = xipc__parts_words_off(&sem_spec), w, st;
    const volatile struct sem_words *sw;
    const struct rec *r;
    uint32_t magic, flags, bound, nrec, i, holders = 0;
    uint64_t units = 0;
    int n;

    (void)seg;
    if (h->data_off != ((off + sizeof(struct sem_words) + 63) & ~(uint64_t)63))
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "a semaphore of another layout");
    sw = (const volatile struct sem_words *)(b + off);
    magic = sw->magic;
    flags = sw->flags;
    bound = sw->bound;
    nrec = sw->nrec;
    if (words_check(magic, flags, bound, nrec, "describe") != 0 ||
        (uint64_t)nrec * sizeof(struct rec) > h->user_size)
        return XIPC_ECORRUPT;
    w = xipc__load_u64_ro(&sw->word);
    r = (const struct rec *)(b + h->data_off);
    for (i = 0; i < nrec; i++) {
        st = xipc__load_u64_ro(&r[i].state);
        if (xipc__load_u64_ro(&r[i].owner) != 0 && R_UNITS(st) != 0) {
            holders++;
            units += R_UNITS(st);
        }
    }
    out->value = (int64_t)(w & V_MASK);
    out->max_value = (flags & XIPC_SEM_BOUNDED) ? bound : 0;
    out->waiting = (int64_t)((w & W_MASK) >> W_SHIFT);
    if (flags & XIPC_SEM_BOUNDED)
        n = snprintf(out->state, sizeof out->state,
                     "value %lld of %u, %lld waiting", (long long)out->value,
                     bound, (long long)out->waiting);
    else
        n = snprintf(out->state, sizeof out->state, "value %lld, %lld waiting",
                     (long long)out->value, (long long)out->waiting);
    if (nrec != 0 && n > 0 && (size_t)n < sizeof out->state)
        snprintf(out->state + n, sizeof out->state - (size_t)n,
                 ", undo: %u of %u processes hold %llu units", holders, nrec,
                 (unsigned long long)units);
    return 0;
}

xipc__seg *xipc__semaphore_seg(const xipc_semaphore *s)
{
    return s->p.seg;
}
