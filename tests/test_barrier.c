/*
 * test_barrier.c - the Barrier: CPython's test_multiprocessing Barrier
 * checks (indexes, several passes, a thousand rounds in order, action,
 * abort, reset, abort and reset, timeout, single party, n_waiting) with the
 * parties as processes, and once as threads; wait timeouts; parties killed
 * while others wait (all others get XIPC_EBROKEN within a second, then
 * reset makes it usable); a party killed at each step of a wait and at
 * random moments of a stream of rounds (a round completes for all or
 * breaks for all); damaged words fuzzed; open checks; what xipc_stat and
 * the tool say.
 */
#include "test.h"
#include "cli.h"

#include <stdlib.h>

/* ---- the board that parties report on ------------------------------------ */

#define BB_P 8    /* parties at most */
#define BB_R 1000 /* passes recorded at most */

typedef struct bboard {
    _Atomic int32_t started, bad, go;
    _Atomic int32_t a, b; /* CPython's multipass counters */
    _Atomic int32_t actions;
    _Atomic int64_t action_pid;
    _Atomic int32_t logpos;
    _Atomic int32_t rc[BB_P];     /* each party's last result */
    _Atomic int64_t ret_ms[BB_P]; /* when it came */
    _Atomic int64_t ok[BB_P];     /* waits that returned an index */
    _Atomic int32_t phase[BB_P];  /* each party's progress */
    _Atomic int32_t inwait[BB_P];
    _Atomic int32_t r1, r2, r3; /* CPython's results1..3 */
    _Atomic uint8_t hits[BB_R][BB_P];
    _Atomic int32_t log[BB_R * BB_P];
    char why[256];
} bboard;

static bboard *board_create(const char **name, xipc_shm **shm)
{
    *name = t_name("bboard");
    CHECK_OK(xipc_shm_create(shm, *name, sizeof(bboard)));
    return xipc_shm_data(*shm);
}

static bboard *board_open(const char *name, xipc_shm **shm)
{
    if (xipc_shm_open(shm, name, XIPC_RDWR) != 0)
        return NULL;
    if (xipc_shm_size(*shm) != sizeof(bboard)) {
        xipc_shm_close(*shm);
        return NULL;
    }
    return xipc_shm_data(*shm);
}

/* Records the first failure of a party on the board. */
static void bad(bboard *bb, const char *what, int p, long long v)
{
    if (atomic_fetch_add(&bb->bad, 1) == 0)
        snprintf(bb->why, sizeof bb->why, "party %d: %s (%lld: %s)", p, what, v,
                 xipc_last_error());
}

#define BCHECK(bb, cond, p, v)                                                 \
    do {                                                                       \
        if (!(cond)) {                                                         \
            bad(bb, #cond, p, (long long)(v));                                 \
            return 1;                                                          \
        }                                                                      \
    } while (0)

static void board_verdict(bboard *bb)
{
    if (atomic_load(&bb->bad) != 0)
        t_fail(__FILE__, __LINE__, "%d failures on the board; first: %s",
               (int)atomic_load(&bb->bad), bb->why);
}

/* The action of the tests: counts, and says who ran it. */
static int count_action(void *ctx)
{
    bboard *bb = ctx;
    atomic_fetch_add(&bb->actions, 1);
    atomic_store(&bb->action_pid, xipc_getpid());
    return 0;
}

/* ---- many passes: indexes, multipass, thousand, action ------------------- */

/* One party's passes (CPython's multipass and test_thousand, and the
 * indexes of test_wait_return, in one loop): pass i increments a, checks
 * that b counts i full passes, waits; records its index and logs i;
 * increments b, checks that a counts i + 1 passes, waits again. With an
 * action, the count of actions after each wait is the number of rounds
 * so far, and the party that got index m - 1 ran the last one. */
static int party_rounds(xipc_barrier *bar, bboard *bb, int p, int n, int action)
{
    int m = xipc_barrier_parties(bar), i, idx, w;

    BCHECK(bb, m >= 1 && m <= BB_P, p, m);
    if (action)
        xipc_barrier_set_action(bar, count_action, bb);
    for (i = 0; i < n; i++) {
        for (w = 0; w < 2; w++) {
            if (w == 0) {
                atomic_fetch_add(&bb->a, 1);
                BCHECK(bb, atomic_load(&bb->b) == i * m, p,
                       atomic_load(&bb->b));
            } else {
                atomic_fetch_add(&bb->b, 1);
                BCHECK(bb, atomic_load(&bb->a) == (i + 1) * m, p,
                       atomic_load(&bb->a));
            }
            idx = xipc_barrier_wait(bar, T_HELPER_MAX_MS);
            BCHECK(bb, idx >= 0 && idx < m, p, idx);
            if (action) {
                BCHECK(bb, atomic_load(&bb->actions) == 2 * i + w + 1, p,
                       atomic_load(&bb->actions));
                if (idx == m - 1)
                    BCHECK(bb, atomic_load(&bb->action_pid) == xipc_getpid(), p,
                           atomic_load(&bb->action_pid));
            }
            if (w == 0 && i < BB_R) {
                atomic_fetch_add(&bb->hits[i][idx], 1);
                bb->log[atomic_fetch_add(&bb->logpos, 1)] = i;
            }
        }
        atomic_fetch_add(&bb->ok[p], 1);
    }
    return 0;
}

/* Helper: party argv[3] of barrier argv[1] runs argv[4] passes on board
 * argv[2], with the counting action if argv[5] is "action". */
int helper_bar_rounds(int argc, char **argv)
{
    xipc_barrier *bar;
    xipc_shm *bs;
    bboard *bb;
    int rc;

    HCHECK(argc == 6);
    HCHECK((bb = board_open(argv[2], &bs)) != NULL);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    atomic_fetch_add(&bb->started, 1);
    rc = party_rounds(bar, bb, atoi(argv[3]), atoi(argv[4]),
                      strcmp(argv[5], "action") == 0);
    HCHECK(xipc_barrier_close(bar) == 0);
    xipc_shm_close(bs);
    return rc;
}

/* Every pass gave each index to exactly one party, and the log holds the
 * passes in order: m zeros, m ones, ... */
static void check_passes(bboard *bb, int m, int n)
{
    int i, j;

    board_verdict(bb);
    if (n > BB_R)
        n = BB_R;
    for (i = 0; i < n; i++)
        for (j = 0; j < m; j++)
            if (atomic_load(&bb->hits[i][j]) != 1)
                t_fail(__FILE__, __LINE__, "pass %d: index %d given %d times",
                       i, j, (int)atomic_load(&bb->hits[i][j]));
    CHECK_EQ(atomic_load(&bb->logpos), m * n);
    for (i = 0; i < m * n; i++)
        if (bb->log[i] != i / m)
            t_fail(__FILE__, __LINE__, "log[%d] = %d, expected %d", i,
                   (int)bb->log[i], i / m);
    CHECK_EQ(atomic_load(&bb->a), m * n);
    CHECK_EQ(atomic_load(&bb->b), m * n);
}

static void passes_in_processes(int m, int n, int action)
{
    const char *bname = t_name("bpass"), *bdname;
    char sp[16], sn[16];
    xipc_proc *kids[BB_P];
    xipc_barrier *bar;
    xipc_shm *bs;
    xipc_info in;
    bboard *bb;
    int i;

    bb = board_create(&bdname, &bs);
    CHECK_OK(xipc_barrier_create(&bar, bname, m));
    snprintf(sn, sizeof sn, "%d", n);
    for (i = 0; i < m; i++) {
        snprintf(sp, sizeof sp, "%d", i);
        kids[i] = t_spawn("bar_rounds", bname, bdname, sp, sn,
                          action ? "action" : "-", NULL);
    }
    for (i = 0; i < m; i++)
        CHECK_EQ(t_join(kids[i], 120000), 0);
    check_passes(bb, m, n);
    if (action)
        CHECK_EQ(atomic_load(&bb->actions), 2 * n);
    /* Two rounds per pass, none reset. */
    CHECK_OK(xipc_stat(bname, &in));
    CHECK_EQ(in.round, 2 * n);
    CHECK_EQ(in.parties, m);
    CHECK_EQ(in.waiting, 0);
    CHECK_EQ(in.broken, 0);
    CHECK_OK(xipc_barrier_close(bar));
    CHECK_OK(xipc_shm_close(bs));
}

/* CPython's test_barrier, test_wait_return and test_thousand (1000
 * passes), with 4 processes. */
int test_barrier_passes_processes(void)
{
    int n = t_slow() > 1 ? 100 : 1000;
    int64_t t0 = t_ms();

    passes_in_processes(4, n, 0);
    printf("4 processes, %d passes of 2 rounds: every index once per round, "
           "rounds in order (%lld ms)\n",
           n, (long long)(t_ms() - t0));
    passes_in_processes(2, n, 0);
    return 0;
}

/* CPython's test_action: the action runs once per round, in the last
 * arrival, before anyone is released. */
int test_barrier_action_processes(void)
{
    passes_in_processes(3, t_slow() > 1 ? 50 : 300, 1);
    return 0;
}

struct tparty {
    xipc_barrier *bar;
    bboard *bb;
    int p, n, action;
};

static int thread_rounds(void *v)
{
    struct tparty *t = v;
    return party_rounds(t->bar, t->bb, t->p, t->n, t->action);
}

/* The same passes with the parties as threads of this process, through
 * one handle and through handles of their own. */
int test_barrier_passes_threads(void)
{
    const char *bname = t_name("bthr");
    int m = 4, n = t_slow() > 1 ? 100 : 1000, i, own;
    struct tparty t[BB_P];
    xipc__thread *th[BB_P];
    xipc_barrier *bar, *h[BB_P];
    bboard *bb;

    CHECK_OK(xipc_barrier_create(&bar, bname, m));
    for (own = 0; own < 2; own++) {
        CHECK((bb = calloc(1, sizeof *bb)) != NULL);
        for (i = 0; i < m; i++) {
            h[i] = bar;
            if (own)
                CHECK_OK(xipc_barrier_open(&h[i], bname));
            t[i].bar = h[i];
            t[i].bb = bb;
            t[i].p = i;
            t[i].n = n;
            t[i].action = own; /* every handle its own action */
            CHECK_OK(xipc__thread_start(&th[i], thread_rounds, &t[i]));
        }
        for (i = 0; i < m; i++)
            CHECK_EQ(xipc__thread_join(th[i]), 0);
        check_passes(bb, m, n);
        if (own) {
            CHECK_EQ(atomic_load(&bb->actions), 2 * n);
            for (i = 0; i < m; i++)
                CHECK_OK(xipc_barrier_close(h[i]));
        }
        free(bb);
    }
    CHECK_OK(xipc_barrier_close(bar));
    return 0;
}

/* ---- the action: failure, and a caller beyond a full round ----------------
 */

struct act {
    _Atomic int started, fail;
    int sleep_ms;
};

static int slow_action(void *ctx)
{
    struct act *a = ctx;
    atomic_store(&a->started, 1);
    xipc_sleep_ms(a->sleep_ms);
    return atomic_load(&a->fail);
}

struct waiter {
    xipc_barrier *b;
    int64_t timeout;
    int rc;
};

static int wait_thread(void *v)
{
    struct waiter *w = v;
    w->rc = xipc_barrier_wait(w->b, w->timeout);
    return 0;
}

/* An action that fails breaks its round for every party; a caller that
 * times out while a full round runs its action lets that round complete
 * (indexes for its parties) and leaves the barrier broken after it. */
int test_barrier_action_edges(void)
{
    const char *name = t_name("bact");
    xipc_barrier *h[3];
    struct act a = {0, 1, 50};
    struct waiter w = {NULL, 10000, 0};
    xipc__thread *th;
    int i, rc;
    int64_t t0;

    for (i = 0; i < 3; i++) {
        if (i == 0)
            CHECK_OK(xipc_barrier_create(&h[i], name, 2));
        else
            CHECK_OK(xipc_barrier_open(&h[i], name));
    }
    CHECK_OK(xipc_barrier_set_action(h[1], slow_action, &a));
    /* The action fails: both parties get XIPC_EBROKEN. */
    w.b = h[0];
    CHECK_OK(xipc__thread_start(&th, wait_thread, &w));
    while (xipc_barrier_n_waiting(h[0]) < 1)
        xipc_sleep_ms(1);
    CHECK_RC(xipc_barrier_wait(h[1], 10000), XIPC_EBROKEN);
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_RC(w.rc, XIPC_EBROKEN);
    CHECK_EQ(xipc_barrier_broken(h[2]), 1);
    CHECK_OK(xipc_barrier_reset(h[2]));

    /* It succeeds, slowly; meanwhile a third caller times out. */
    atomic_store(&a.fail, 0);
    atomic_store(&a.started, 0);
    a.sleep_ms = 400 * t_slow();
    CHECK_OK(xipc__thread_start(&th, wait_thread, &w));
    while (xipc_barrier_n_waiting(h[0]) < 1)
        xipc_sleep_ms(1);
    {
        struct waiter runner = {h[1], 10000, 0};
        xipc__thread *rt;
        CHECK_OK(xipc__thread_start(&rt, wait_thread, &runner));
        while (!atomic_load(&a.started))
            xipc_sleep_ms(1);
        CHECK_EQ(xipc_barrier_n_waiting(h[2]), 2);
        t0 = t_ms();
        rc = xipc_barrier_wait(h[2], 50);
        CHECK_RC(rc, XIPC_EBROKEN);
        CHECK(t_ms() - t0 >= 49);
        CHECK(t_ms() - t0 < 350 * t_slow());    /* not after the action */
        CHECK_EQ(xipc_barrier_broken(h[2]), 0); /* not yet */
        CHECK_EQ(xipc__thread_join(rt), 0);
        CHECK_EQ(runner.rc, 1);
    }
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_EQ(w.rc, 0);
    CHECK_EQ(xipc_barrier_broken(h[0]), 1);
    CHECK_RC(xipc_barrier_wait(h[0], 0), XIPC_EBROKEN);
    for (i = 2; i >= 0; i--)
        CHECK_OK(xipc_barrier_close(h[i]));
    return 0;
}

/* ---- the basics, in one process ------------------------------------------ */

int test_barrier_basic(void)
{
    const char *name = t_name("bbasic"), *one = t_name("bone");
    xipc_barrier *b, *b2, *b1;
    xipc_info in;
    uint64_t calls;
    int i;

    CHECK_RC(xipc_barrier_create(&b, name, 0), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_create(&b, name, -3), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_create(&b, name, XIPC_BARRIER_MAX_PARTIES + 1),
             XIPC_EINVAL);
    CHECK_RC(xipc_barrier_create(NULL, name, 2), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_create(&b, "bad name", 2), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_open(&b, name), XIPC_ENOENT);
    CHECK_OK(xipc_barrier_create(&b, name, 3));
    CHECK_RC(xipc_barrier_create(&b2, name, 3), XIPC_EEXIST);
    CHECK_OK(xipc_barrier_open(&b2, name));
    CHECK_EQ(xipc_barrier_parties(b), 3);
    CHECK_EQ(xipc_barrier_parties(b2), 3);
    CHECK_EQ(xipc_barrier_n_waiting(b), 0);
    CHECK_EQ(xipc_barrier_broken(b), 0);
    CHECK_STR(xipc_barrier_name(b2), name);
    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.kind, XIPC_KIND_BARRIER);
    CHECK_STR(xipc_kind_name(in.kind), "barrier");
    CHECK_EQ(in.parties, 3);
    CHECK_EQ(in.round, 0);
    CHECK_EQ(in.waiting, 0);
    CHECK_EQ(in.broken, 0);
    CHECK_EQ(in.holder, -1);

    /* NULL handles. */
    CHECK_RC(xipc_barrier_wait(NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_abort(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_reset(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_n_waiting(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_parties(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_broken(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_set_action(NULL, NULL, NULL), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_close(NULL), XIPC_EINVAL);

    /* A wait that cannot wait (timeout 0) breaks it, as in Python. */
    CHECK_RC(xipc_barrier_wait(b, 0), XIPC_EBROKEN);
    CHECK_EQ(xipc_barrier_broken(b2), 1);
    CHECK_EQ(xipc_barrier_n_waiting(b), 0);
    CHECK_RC(xipc_barrier_wait(b2, 0), XIPC_EBROKEN);
    CHECK_RC(xipc_barrier_wait(b2, 100), XIPC_EBROKEN);
    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.broken, 1);
    CHECK(strstr(in.state, "broken") != NULL);
    CHECK_OK(xipc_barrier_abort(b)); /* idempotent */
    CHECK_OK(xipc_barrier_reset(b));
    CHECK_EQ(xipc_barrier_broken(b2), 0);
    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.broken, 0);
    CHECK_EQ(in.round, 1); /* a reset of a broken barrier ends its round */
    CHECK_OK(xipc_barrier_reset(b)); /* nothing to reset: no change */
    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.round, 1);
    CHECK_OK(xipc_barrier_abort(b2));
    CHECK_EQ(xipc_barrier_broken(b), 1);
    CHECK_OK(xipc_barrier_reset(b2));
    CHECK_EQ(xipc_barrier_broken(b), 0);

    /* CPython's test_single_thread: Barrier(1); its rounds, and the
     * looks at a barrier, make no system call. */
    CHECK_OK(xipc_barrier_create(&b1, one, 1));
    calls = xipc__sys_calls();
    for (i = 0; i < 1000; i++)
        CHECK_EQ(xipc_barrier_wait(b1, 0), 0);
    CHECK_EQ(xipc_barrier_n_waiting(b1), 0);
    CHECK_EQ(xipc_barrier_broken(b1), 0);
    CHECK_EQ(xipc__sys_calls(), calls);
    CHECK_OK(xipc_stat(one, &in));
    CHECK_EQ(in.round, 1000);
    CHECK_OK(xipc_barrier_close(b1));

    CHECK_OK(xipc_barrier_close(b2));
    CHECK_OK(xipc_barrier_unlink(name));
    CHECK_RC(xipc_barrier_open(&b2, name), XIPC_ENOENT);
    CHECK_OK(xipc_barrier_close(b));
    return 0;
}

/* ---- CPython's abort, reset, abort-and-reset, timeout -------------------- */

#define N_CPY 4

/* Helper: party argv[3] of barrier argv[1] (board argv[2]) runs CPython's
 * scenario argv[4], with barrier2 argv[5] where the scenario has one. */
int helper_bar_cpython(int argc, char **argv)
{
    xipc_barrier *bar, *bar2 = NULL;
    const char *what;
    xipc_shm *bs;
    bboard *bb;
    int i, rc;

    HCHECK(argc == 6);
    HCHECK((bb = board_open(argv[2], &bs)) != NULL);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    what = argv[4];
    if (strcmp(argv[5], "-") != 0)
        HCHECK(xipc_barrier_open(&bar2, argv[5]) == 0);
    atomic_fetch_add(&bb->started, 1);
    if (strcmp(what, "abort") == 0 || strcmp(what, "abort_reset") == 0) {
        /* _test_abort_f: the middle party aborts instead of its second
         * wait; every other gets broken there. */
        i = xipc_barrier_wait(bar, T_HELPER_MAX_MS);
        HCHECK(i >= 0 && i < N_CPY);
        if (i == N_CPY / 2) {
            HCHECK(xipc_barrier_abort(bar) == 0);
        } else {
            rc = xipc_barrier_wait(bar, T_HELPER_MAX_MS);
            if (rc >= 0)
                atomic_fetch_add(&bb->r1, 1);
            else if (rc == XIPC_EBROKEN)
                atomic_fetch_add(&bb->r2, 1);
            else
                HCHECK(!"unexpected code");
        }
        if (strcmp(what, "abort_reset") == 0) {
            /* Synchronise, reset in one party, synchronise, pass. */
            if (xipc_barrier_wait(bar2, T_HELPER_MAX_MS) == N_CPY / 2)
                HCHECK(xipc_barrier_reset(bar) == 0);
            HCHECK(xipc_barrier_wait(bar2, T_HELPER_MAX_MS) >= 0);
            HCHECK(xipc_barrier_wait(bar, T_HELPER_MAX_MS) >= 0);
            atomic_fetch_add(&bb->r3, 1);
        }
    } else if (strcmp(what, "reset") == 0) {
        /* _test_reset_f */
        i = xipc_barrier_wait(bar, T_HELPER_MAX_MS);
        HCHECK(i >= 0 && i < N_CPY);
        if (i == N_CPY / 2) {
            while (xipc_barrier_n_waiting(bar) < N_CPY - 1)
                xipc_sleep_ms(1);
            HCHECK(xipc_barrier_reset(bar) == 0);
        } else {
            rc = xipc_barrier_wait(bar, T_HELPER_MAX_MS);
            if (rc >= 0)
                atomic_fetch_add(&bb->r1, 1);
            else if (rc == XIPC_EBROKEN)
                atomic_fetch_add(&bb->r2, 1);
            else
                HCHECK(!"unexpected code");
        }
        HCHECK(xipc_barrier_wait(bar, T_HELPER_MAX_MS) >= 0);
        atomic_fetch_add(&bb->r3, 1);
    } else if (strcmp(what, "timeout") == 0) {
        /* _test_timeout_f: one party is late; the others' 500 ms wait
         * times out and breaks the barrier for all. */
        i = xipc_barrier_wait(bar, T_HELPER_MAX_MS);
        HCHECK(i >= 0 && i < N_CPY);
        if (i == N_CPY / 2)
            xipc_sleep_ms(1000);
        rc = xipc_barrier_wait(bar, 500);
        if (rc == XIPC_EBROKEN)
            atomic_fetch_add(&bb->r2, 1);
        else
            HCHECK(!"expected XIPC_EBROKEN");
    } else {
        HCHECK(!"unknown scenario");
    }
    if (bar2 != NULL)
        HCHECK(xipc_barrier_close(bar2) == 0);
    HCHECK(xipc_barrier_close(bar) == 0);
    xipc_shm_close(bs);
    return 0;
}

struct cpy {
    xipc_barrier *b;
    xipc_shm *bs;
    bboard *bb;
};

/* Runs CPython's scenario `what` with N_CPY processes on a fresh barrier
 * (and a second one if with2), which c->b keeps, with the board. */
static void run_cpython(struct cpy *c, const char *what, int with2)
{
    const char *bname = t_name("bcpy"), *b2name = t_name("bcpy2"), *bdname;
    char bn[XIPC_NAME_MAX + 1], b2n[XIPC_NAME_MAX + 1], sp[16];
    xipc_proc *kids[N_CPY];
    xipc_barrier *b2 = NULL;
    int i;

    snprintf(bn, sizeof bn, "%s", bname);
    snprintf(b2n, sizeof b2n, "%s", b2name);
    c->bb = board_create(&bdname, &c->bs);
    CHECK_OK(xipc_barrier_create(&c->b, bn, N_CPY));
    if (with2)
        CHECK_OK(xipc_barrier_create(&b2, b2n, N_CPY));
    for (i = 0; i < N_CPY; i++) {
        snprintf(sp, sizeof sp, "%d", i);
        kids[i] = t_spawn("bar_cpython", bn, bdname, sp, what,
                          with2 ? b2n : "-", NULL);
    }
    for (i = 0; i < N_CPY; i++)
        CHECK_EQ(t_join(kids[i], 60000), 0);
    if (b2 != NULL)
        CHECK_OK(xipc_barrier_close(b2));
}

static void cpy_done(struct cpy *c)
{
    CHECK_OK(xipc_barrier_close(c->b));
    CHECK_OK(xipc_shm_close(c->bs));
}

int test_barrier_abort(void)
{
    struct cpy c;

    run_cpython(&c, "abort", 0);
    CHECK_EQ(atomic_load(&c.bb->r1), 0);
    CHECK_EQ(atomic_load(&c.bb->r2), N_CPY - 1);
    CHECK_EQ(xipc_barrier_broken(c.b), 1);
    CHECK_RC(xipc_barrier_wait(c.b, 0), XIPC_EBROKEN);
    cpy_done(&c);
    return 0;
}

int test_barrier_reset(void)
{
    struct cpy c;

    run_cpython(&c, "reset", 0);
    CHECK_EQ(atomic_load(&c.bb->r1), 0);
    CHECK_EQ(atomic_load(&c.bb->r2), N_CPY - 1);
    CHECK_EQ(atomic_load(&c.bb->r3), N_CPY);
    CHECK_EQ(xipc_barrier_broken(c.b), 0);
    cpy_done(&c);
    return 0;
}

int test_barrier_abort_and_reset(void)
{
    struct cpy c;

    run_cpython(&c, "abort_reset", 1);
    CHECK_EQ(atomic_load(&c.bb->r1), 0);
    CHECK_EQ(atomic_load(&c.bb->r2), N_CPY - 1);
    CHECK_EQ(atomic_load(&c.bb->r3), N_CPY);
    CHECK_EQ(xipc_barrier_broken(c.b), 0);
    cpy_done(&c);
    return 0;
}

int test_barrier_timeout_breaks(void)
{
    struct cpy c;

    run_cpython(&c, "timeout", 0);
    CHECK_EQ(atomic_load(&c.bb->r2), N_CPY);
    CHECK_EQ(xipc_barrier_broken(c.b), 1);
    CHECK_RC(xipc_barrier_wait(c.b, XIPC_FOREVER), XIPC_EBROKEN);
    CHECK_OK(xipc_barrier_reset(c.b));
    CHECK_EQ(xipc_barrier_broken(c.b), 0);
    cpy_done(&c);
    return 0;
}

/* ---- timeouts and n_waiting ---------------------------------------------- */

/* Helper: waits once on barrier argv[1] with timeout argv[4] ms as party
 * argv[3] of board argv[2], and reports the result and its time. */
int helper_bar_once(int argc, char **argv)
{
    xipc_barrier *bar;
    xipc_shm *bs;
    bboard *bb;
    int p, rc;

    HCHECK(argc == 5);
    HCHECK((bb = board_open(argv[2], &bs)) != NULL);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    p = atoi(argv[3]);
    HCHECK(p >= 0 && p < BB_P);
    atomic_store(&bb->inwait[p], 1);
    rc = xipc_barrier_wait(bar, atoll(argv[4]));
    atomic_store(&bb->ret_ms[p], t_ms());
    atomic_store(&bb->rc[p], rc);
    atomic_fetch_add(&bb->phase[p], 1);
    HCHECK(xipc_barrier_close(bar) == 0);
    xipc_shm_close(bs);
    return 0;
}

/* A wait returns after at least its timeout (and not much later), and
 * the barrier is then broken for the other waiters at once; n_waiting
 * counts the arrivals of the round. */
int test_barrier_wait_timeouts(void)
{
    const char *bname = t_name("btmo"), *bdname;
    int64_t t0, took, bound = 250 * t_slow();
    xipc_proc *k[2];
    xipc_barrier *b;
    xipc_shm *bs;
    xipc_info in;
    bboard *bb = board_create(&bdname, &bs);

    CHECK_OK(xipc_barrier_create(&b, bname, 4));
    /* Alone: every timeout is kept. */
    {
        static const int64_t tmo[] = {1, 20, 150};
        int i;
        for (i = 0; i < 3; i++) {
            t0 = t_ms();
            CHECK_RC(xipc_barrier_wait(b, tmo[i]), XIPC_EBROKEN);
            took = t_ms() - t0;
            CHECK(took >= tmo[i] - 1);
            CHECK(took <= tmo[i] + bound);
            CHECK_OK(xipc_barrier_reset(b));
        }
    }
    /* Two processes wait for ever, the third party times out. */
    k[0] = t_spawn("bar_once", bname, bdname, "0", "-1", NULL);
    while (xipc_barrier_n_waiting(b) < 1)
        xipc_sleep_ms(1);
    CHECK_EQ(xipc_barrier_n_waiting(b), 1);
    k[1] = t_spawn("bar_once", bname, bdname, "1", "-1", NULL);
    while (xipc_barrier_n_waiting(b) < 2)
        xipc_sleep_ms(1);
    CHECK_EQ(xipc_barrier_n_waiting(b), 2);
    CHECK_OK(xipc_stat(bname, &in));
    CHECK_EQ(in.waiting, 2);
    CHECK(strstr(in.state, "2 of 4 parties waiting") != NULL);
    t0 = t_ms();
    CHECK_RC(xipc_barrier_wait(b, 200), XIPC_EBROKEN);
    took = t_ms() - t0;
    CHECK(took >= 199 && took <= 200 + bound);
    CHECK_EQ(t_join(k[0], 10000), 0);
    CHECK_EQ(t_join(k[1], 10000), 0);
    CHECK_RC(atomic_load(&bb->rc[0]), XIPC_EBROKEN);
    CHECK_RC(atomic_load(&bb->rc[1]), XIPC_EBROKEN);
    /* Woken by the break, not by a timeout of their own. */
    CHECK(atomic_load(&bb->ret_ms[0]) - (t0 + 200) <= bound);
    CHECK(atomic_load(&bb->ret_ms[1]) - (t0 + 200) <= bound);
    CHECK_EQ(xipc_barrier_n_waiting(b), 0);
    CHECK_EQ(xipc_barrier_broken(b), 1);
    CHECK_OK(xipc_barrier_close(b));
    CHECK_OK(xipc_shm_close(bs));
    return 0;
}

/* ---- parties killed while others wait ------------------------------------ */

/* Helper: survivor argv[3] of barrier argv[1] (board argv[2]) for argv[4]
 * trials: waits, reports what it got and when, then waits for the parent
 * to reset the barrier (go > trial) before the next; last, one more round
 * that must complete. */
int helper_bar_survivor(int argc, char **argv)
{
    xipc_barrier *bar;
    xipc_shm *bs;
    bboard *bb;
    int p, t, n, rc;
    int64_t end;

    HCHECK(argc == 5);
    HCHECK((bb = board_open(argv[2], &bs)) != NULL);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    p = atoi(argv[3]);
    n = atoi(argv[4]);
    HCHECK(p >= 0 && p < BB_P);
    atomic_fetch_add(&bb->started, 1);
    for (t = 0; t <= n; t++) {
        rc = xipc_barrier_wait(bar, T_HELPER_MAX_MS);
        atomic_store(&bb->ret_ms[p], t_ms());
        atomic_store(&bb->rc[p], rc);
        atomic_fetch_add(&bb->phase[p], 1);
        if (t == n)
            break;
        end = t_ms() + T_HELPER_MAX_MS;
        while (atomic_load(&bb->go) <= t) {
            HCHECK(t_ms() < end);
            xipc_sleep_ms(1);
        }
    }
    HCHECK(xipc_barrier_close(bar) == 0);
    xipc_shm_close(bs);
    return 0;
}

/* Helper: a party that waits on barrier argv[1] until killed. */
int helper_bar_victim(int argc, char **argv)
{
    xipc_barrier *bar;

    HCHECK(argc == 2);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    xipc_barrier_wait(bar, T_HELPER_MAX_MS);
    HCHECK(xipc_barrier_close(bar) == 0);
    return 0;
}

/* Waits until the barrier counts n arrivals. */
static void wait_arrivals(xipc_barrier *b, int n)
{
    int64_t end = t_ms() + 10000 * t_slow();
    while (xipc_barrier_n_waiting(b) < n) {
        if (t_ms() > end)
            t_fail(__FILE__, __LINE__, "%d arrivals, expected %d",
                   xipc_barrier_n_waiting(b), n);
        xipc_sleep_ms(1);
    }
}

/* Waits until party p has reported `count` results; a hang fails. */
static void wait_report(bboard *bb, int p, int count, int64_t ms)
{
    int64_t end = t_ms() + ms;
    while (atomic_load(&bb->phase[p]) < count) {
        if (t_ms() > end)
            t_fail(__FILE__, __LINE__,
                   "party %d hangs: %d results after %lld ms", p,
                   (int)atomic_load(&bb->phase[p]), (long long)ms);
        xipc_sleep_ms(1);
    }
}

/* A Barrier(4) with 2 survivors and a victim waiting; the victim is killed
 * at a random moment: both survivors return XIPC_EBROKEN within a second
 * of the kill; the parent resets, and the next trial goes on. Last, a full
 * round completes. */
int test_barrier_kill_trials(void)
{
    const char *bname = t_name("bkill"), *bdname;
    int trials = t_slow() > 1 ? 10 : 100, t, p;
    int64_t t0, worst = 0, late, sum = 0;
    xipc_proc *s[2], *v;
    xipc_barrier *b;
    xipc_shm *bs;
    bboard *bb = board_create(&bdname, &bs);
    char sn[16];

    srand((unsigned)xipc_getpid());
    snprintf(sn, sizeof sn, "%d", trials);
    CHECK_OK(xipc_barrier_create(&b, bname, 4));
    s[0] = t_spawn("bar_survivor", bname, bdname, "0", sn, NULL);
    s[1] = t_spawn("bar_survivor", bname, bdname, "1", sn, NULL);
    for (t = 0; t < trials; t++) {
        wait_arrivals(b, 2);
        v = t_spawn("bar_victim", bname, NULL);
        wait_arrivals(b, 3);
        xipc_sleep_ms(rand() % 40);
        t0 = t_ms();
        t_kill(v);
        for (p = 0; p < 2; p++) {
            wait_report(bb, p, t + 1, 5000 * t_slow());
            CHECK_RC(atomic_load(&bb->rc[p]), XIPC_EBROKEN);
            late = atomic_load(&bb->ret_ms[p]) - t0;
            sum += late;
            if (late > worst)
                worst = late;
            if (late > 1000)
                t_fail(__FILE__, __LINE__,
                       "trial %d: survivor %d saw the death after %lld ms", t,
                       p, (long long)late);
        }
        CHECK_EQ(xipc_barrier_broken(b), 1);
        CHECK_RC(xipc_barrier_wait(b, 0), XIPC_EBROKEN);
        CHECK_OK(xipc_barrier_reset(b));
        CHECK_EQ(xipc_barrier_broken(b), 0);
        atomic_store(&bb->go, t + 1);
    }
    /* Usable after the last reset: the survivors, this process and one
     * more party complete a round. */
    wait_arrivals(b, 2);
    v = t_spawn("bar_once", bname, bdname, "2", "-1", NULL);
    wait_arrivals(b, 3);
    p = xipc_barrier_wait(b, 10000 * t_slow());
    CHECK(p >= 0 && p < 4);
    CHECK_EQ(t_join(v, 10000), 0);
    CHECK_EQ(t_join(s[0], 10000), 0);
    CHECK_EQ(t_join(s[1], 10000), 0);
    CHECK(atomic_load(&bb->rc[0]) >= 0 && atomic_load(&bb->rc[1]) >= 0 &&
          atomic_load(&bb->rc[2]) >= 0);
    CHECK_EQ(p + atomic_load(&bb->rc[0]) + atomic_load(&bb->rc[1]) +
                 atomic_load(&bb->rc[2]),
             0 + 1 + 2 + 3);
    printf("%d victims killed while 2 parties waited: both got XIPC_EBROKEN "
           "after %lld ms on average, %lld ms at worst\n",
           trials, (long long)(sum / (2 * trials)), (long long)worst);
    CHECK_OK(xipc_barrier_close(b));
    CHECK_OK(xipc_shm_close(bs));
    return 0;
}

/* ---- a party killed at each step of a wait ------------------------------- */

static const char *die_at;

static void die_hook(const char *where)
{
    if (die_at != NULL && strcmp(where, die_at) == 0)
        xipc__sys_die(42);
}

static int die_action(void *ctx)
{
    (void)ctx;
    xipc__sys_die(42);
    return 0;
}

/* Helper: on barrier argv[1], dies (exit 42) at fault point argv[2] of its
 * next wait ("action": in the action), or of a reset if argv[3] is
 * "reset". */
int helper_bar_die_at(int argc, char **argv)
{
    xipc_barrier *bar;

    HCHECK(argc == 4);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    if (strcmp(argv[2], "action") == 0) {
        xipc_barrier_set_action(bar, die_action, NULL);
    } else {
        die_at = argv[2];
        xipc__fault_hook = die_hook;
    }
    if (strcmp(argv[3], "reset") == 0)
        xipc_barrier_reset(bar);
    else
        xipc_barrier_wait(bar, T_HELPER_MAX_MS);
    return 0; /* not reached */
}

/* One step: `waiters` parties wait (reporting on the board), then the
 * victim dies at `point`; each waiter must get `want` (an index: >= 0)
 * within `limit` ms. */
static void die_step(const char *point, int parties, int waiters,
                     const char *verb, int want_index, int64_t limit)
{
    const char *bname = t_name("bdie"), *bdname;
    char bn[XIPC_NAME_MAX + 1], sp[16];
    xipc_proc *w[4], *v;
    xipc_barrier *b;
    xipc_shm *bs;
    bboard *bb = board_create(&bdname, &bs);
    int64_t t0;
    int i, sum = 0;

    snprintf(bn, sizeof bn, "%s", bname);
    CHECK_OK(xipc_barrier_create(&b, bn, parties));
    for (i = 0; i < waiters; i++) {
        snprintf(sp, sizeof sp, "%d", i);
        w[i] = t_spawn("bar_once", bn, bdname, sp, "-1", NULL);
        wait_arrivals(b, i + 1);
    }
    t0 = t_ms();
    v = t_spawn("bar_die_at", bn, point, verb, NULL);
    CHECK_EQ(t_join(v, 10000), 42);
    for (i = 0; i < waiters; i++) {
        wait_report(bb, i, 1, limit + 5000 * t_slow());
        if (want_index) {
            CHECK(atomic_load(&bb->rc[i]) >= 0);
            sum += atomic_load(&bb->rc[i]);
        } else {
            CHECK_RC(atomic_load(&bb->rc[i]), XIPC_EBROKEN);
        }
        if (atomic_load(&bb->ret_ms[i]) - t0 > limit)
            t_fail(__FILE__, __LINE__, "%s: waiter %d answered after %lld ms",
                   point, i, (long long)(atomic_load(&bb->ret_ms[i]) - t0));
        CHECK_EQ(t_join(w[i], 10000), 0);
    }
    /* The victim was the last party, index parties - 1. */
    if (want_index)
        CHECK_EQ(sum, (parties - 1) * (parties - 2) / 2);
    /* Whatever it left, a reset and a full round work. */
    CHECK_OK(xipc_barrier_reset(b));
    for (i = 0; i < parties - 1; i++) {
        snprintf(sp, sizeof sp, "%d", i);
        w[i] = t_spawn("bar_once", bn, bdname, sp, "-1", NULL);
    }
    wait_arrivals(b, parties - 1);
    CHECK(xipc_barrier_wait(b, 10000 * t_slow()) >= 0);
    for (i = 0; i < parties - 1; i++) {
        CHECK_EQ(t_join(w[i], 10000), 0);
        CHECK(atomic_load(&bb->rc[i]) >= 0);
    }
    printf("died at %-20s: %d waiters got %s\n", point, waiters,
           want_index ? "their indexes" : "XIPC_EBROKEN");
    CHECK_OK(xipc_barrier_close(b));
    CHECK_OK(xipc_shm_close(bs));
}

int test_barrier_died_at_each_step(void)
{
    int64_t limit = 1000 * t_slow();

    /* Began to arrive, or arrived: the round can never complete. */
    die_step("barrier:registered", 4, 2, "wait", 0, limit);
    die_step("barrier:arrived", 3, 1, "wait", 0, limit);
    /* Completed the round, then died before waking anyone: the round
     * stands, the waiters see it within a slice. */
    die_step("barrier:released", 3, 2, "wait", 1, limit);
    /* Died in the action, before the round completed. */
    die_step("action", 3, 2, "wait", 0, limit);
    /* A reset half done: its waiters are broken, the next caller
     * finishes it. */
    die_step("barrier:resetting", 3, 2, "reset", 0, limit);
    return 0;
}

/* Helper: a party that leaves a round it waited in and dies before it
 * frees its slot (argv[1] the barrier): its slot is garbage that the
 * others must reclaim. */
int helper_bar_die_leaving(int argc, char **argv)
{
    xipc_barrier *bar;

    HCHECK(argc == 2);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    die_at = "barrier:leaving";
    xipc__fault_hook = die_hook;
    xipc_barrier_wait(bar, T_HELPER_MAX_MS);
    return 0;
}

/* A party that dies after its round completed, before it left: the round
 * completed for everyone, and the next one, which the dead party will
 * never arrive in, breaks within a second; a reset makes the barrier
 * usable, with the dead party's slot reclaimed (a Barrier(2) has 2 slots:
 * without reclaiming, waits would soon find none). */
int test_barrier_died_leaving(void)
{
    const char *bname = t_name("bleave");
    xipc_barrier *b;
    xipc_proc *v;
    int i, n = t_slow() > 1 ? 3 : 6;
    int64_t t0, late, worst = 0;

    CHECK_OK(xipc_barrier_create(&b, bname, 2));
    for (i = 0; i < n; i++) {
        v = t_spawn("bar_die_leaving", bname, NULL);
        wait_arrivals(b, 1);
        CHECK_EQ(xipc_barrier_wait(b, 10000 * t_slow()), 1);
        CHECK_EQ(t_join(v, 10000), 42);
        t0 = t_ms();
        CHECK_RC(xipc_barrier_wait(b, 10000 * t_slow()), XIPC_EBROKEN);
        late = t_ms() - t0;
        if (late > worst)
            worst = late;
        CHECK(late <= 1000);
        CHECK_OK(xipc_barrier_reset(b));
        v = t_spawn("bar_victim", bname, NULL);
        CHECK(xipc_barrier_wait(b, 10000 * t_slow()) >= 0);
        CHECK_EQ(t_join(v, 10000), 0);
    }
    printf("%d parties died leaving a completed round: the next round broke "
           "within %lld ms, and a reset made it usable\n",
           n, (long long)worst);
    CHECK_OK(xipc_barrier_close(b));
    return 0;
}

/* ---- killed at random moments of a stream of rounds ---------------------- */

/* Helper: party argv[3] of barrier argv[1] (board argv[2]) waits round
 * after round with timeout argv[4] ms until a wait returns XIPC_EBROKEN,
 * counting the rounds it completed. */
int helper_bar_stream(int argc, char **argv)
{
    xipc_barrier *bar;
    xipc_shm *bs;
    bboard *bb;
    int p, rc, m;
    int64_t tmo;

    HCHECK(argc == 5);
    HCHECK((bb = board_open(argv[2], &bs)) != NULL);
    HCHECK(xipc_barrier_open(&bar, argv[1]) == 0);
    p = atoi(argv[3]);
    tmo = atoll(argv[4]);
    m = xipc_barrier_parties(bar);
    atomic_fetch_add(&bb->started, 1);
    for (;;) {
        atomic_store(&bb->inwait[p], 1);
        rc = xipc_barrier_wait(bar, tmo);
        atomic_store(&bb->inwait[p], 0);
        if (rc < 0)
            break;
        HCHECK(rc < m);
        atomic_fetch_add(&bb->ok[p], 1);
    }
    atomic_store(&bb->ret_ms[p], t_ms());
    atomic_store(&bb->rc[p], rc);
    atomic_fetch_add(&bb->phase[p], 1);
    HCHECK(xipc_barrier_close(bar) == 0);
    xipc_shm_close(bs);
    return 0;
}

/* Three parties stream rounds of a Barrier(3); one is killed at a random
 * moment, anywhere in or between its waits. The two others end with
 * XIPC_EBROKEN, never hang, and agree on the number of rounds completed:
 * no round completed for one and broke for the other. */
int test_barrier_kill_mid_stream(void)
{
    int trials = t_slow() > 1 ? 10 : 100, t, in_wait = 0, fast = 0;
    int64_t tmo = 1500 + 500 * t_slow(), okv = 0;
    char sp[16], st[24];
    xipc_proc *k[3];
    int64_t t0, late;

    srand((unsigned)xipc_getpid() * 7u);
    snprintf(st, sizeof st, "%lld", (long long)tmo);
    for (t = 0; t < trials; t++) {
        const char *bname = t_name("bstream"), *bdname;
        char bn[XIPC_NAME_MAX + 1];
        xipc_barrier *b;
        xipc_shm *bs;
        bboard *bb = board_create(&bdname, &bs);
        int i, was_in;

        snprintf(bn, sizeof bn, "%s", bname);
        CHECK_OK(xipc_barrier_create(&b, bn, 3));
        for (i = 0; i < 3; i++) {
            snprintf(sp, sizeof sp, "%d", i);
            k[i] = t_spawn("bar_stream", bn, bdname, sp, st, NULL);
        }
        while (atomic_load(&bb->started) < 3)
            xipc_sleep_ms(1);
        /* Let them stream for 0 to 30 ms, spinning so they run. */
        t0 = xipc_now_ns() + (int64_t)(rand() % 30000) * 1000;
        while (xipc_now_ns() < t0)
            ;
        was_in = atomic_load(&bb->inwait[2]);
        t0 = t_ms();
        t_kill(k[2]);
        for (i = 0; i < 2; i++) {
            wait_report(bb, i, 1, tmo + 5000 * t_slow());
            CHECK_EQ(t_join(k[i], 10000), 0);
            CHECK_RC(atomic_load(&bb->rc[i]), XIPC_EBROKEN);
            late = atomic_load(&bb->ret_ms[i]) - t0;
            if (late <= 1000)
                fast++;
        }
        if (atomic_load(&bb->ok[0]) != atomic_load(&bb->ok[1]))
            t_fail(__FILE__, __LINE__,
                   "trial %d: the survivors completed %lld and %lld rounds", t,
                   (long long)atomic_load(&bb->ok[0]),
                   (long long)atomic_load(&bb->ok[1]));
        /* The victim completed as many, or one fewer (it died between
         * the round's end and its own count). */
        CHECK(atomic_load(&bb->ok[2]) == atomic_load(&bb->ok[0]) ||
              atomic_load(&bb->ok[2]) + 1 == atomic_load(&bb->ok[0]));
        okv += atomic_load(&bb->ok[0]);
        in_wait += was_in;
        CHECK_OK(xipc_barrier_close(b));
        CHECK_OK(xipc_shm_close(bs));
    }
    printf("%d parties killed mid-stream (%d inside a wait) after %lld "
           "rounds on average: survivors agreed every time, %d of %d "
           "answers within 1 s\n",
           trials, in_wait, (long long)(okv / trials), fast, 2 * trials);
    /* A death inside wait is seen within a second; one outside wait (or
     * a last arrival's, after its one step) waits for the timeout. Most
     * of a streaming party's time is spent inside wait. */
    CHECK(fast >= trials);
    return 0;
}

/* ---- damaged words ------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define TIMED(call, timeout)                                                   \
    do {                                                                       \
        int64_t t0_ = t_ms();                                                  \
        rc = (call);                                                           \
        if (t_ms() - t0_ > (timeout) + 250 * t_slow())                         \
            t_fail(__FILE__, __LINE__, "%s took %lld ms", #call,               \
                   (long long)(t_ms() - t0_));                                 \
    } while (0)

#define CHECK_ONE_OF(rc, ...)                                                  \
    do {                                                                       \
        static const int ok_[] = {__VA_ARGS__};                                \
        size_t i_;                                                             \
        for (i_ = 0; i_ < sizeof ok_ / sizeof ok_[0] && ok_[i_] != (rc); i_++) \
            ;                                                                  \
        if (i_ == sizeof ok_ / sizeof ok_[0])                                  \
            t_fail(__FILE__, __LINE__, "unexpected %s (%d): %s",               \
                   xipc_err_name(rc), rc, xipc_last_error());                  \
    } while (0)

/* The state word's layout (src/barrier.c), to make honest-looking
 * damage. */
static uint64_t fake_state(uint64_t round, unsigned phase, uint32_t k)
{
    return (round & ((UINT64_C(1) << 44) - 1)) << 20 | (uint64_t)phase << 17 |
           k;
}

/* Words of a Barrier(3) overwritten with generated patterns - the round
 * word (honest-looking and garbage) and the table of slots (this thread,
 * dead parties, garbage) - and every verb called with short timeouts:
 * codes, never a crash, never a wait past its timeout. Also the number of
 * parties, at open. */
int test_barrier_damaged_words(void)
{
    const char *name = t_name("bfuzz");
    int n = t_slow() > 1 ? 300 : 1500, i, j, rc;
    xipc_barrier *b, *b2;
    unsigned char *base, *words, *table;
    _Atomic uint64_t *state;
    uint64_t me, st;
    xipc_info in;
    int counts[4] = {0, 0, 0, 0};

    CHECK_OK(xipc_barrier_create(&b, name, 3));
    base = xipc__seg_base(xipc__barrier_seg(b));
    words = base + ((xipc__hdr *)base)->data_off - 64;
    table = base + ((xipc__hdr *)base)->data_off;
    state = (_Atomic uint64_t *)words;
    CHECK_EQ(*(uint32_t *)(words + 8), 3);
    CHECK_OK(xipc__party_self(xipc__barrier_seg(b), &me));
    for (i = 0; i < n; i++) {
        switch (rnd() % 4) {
        case 0:
            st = rnd();
            break;
        case 1:
            st =
                fake_state(rnd(), (unsigned)(rnd() % 4), (uint32_t)(rnd() % 5));
            break;
        default:
            st = fake_state(rnd() % 4, (unsigned)(rnd() % 3),
                            (uint32_t)(rnd() % 4)) |
                 (rnd() % 8 == 0 ? UINT64_C(1) << 19 : 0);
        }
        atomic_store(state, st);
        for (j = 0; j < 3; j++) {
            uint64_t *slot = (uint64_t *)(table + 64 * j);
            switch (rnd() % 6) {
            case 0:
                slot[0] = 0;
                break;
            case 1:
                slot[0] = me;
                break;
            case 2:
                slot[0] = XIPC__PARTY_DEAD;
                break;
            case 3:
                slot[0] = (me & ~(uint64_t)0xffffffffu) | (rnd() & 0xffff);
                break;
            default:
                slot[0] = rnd();
            }
            slot[1] = rnd() % 3 == 0   ? rnd()
                      : rnd() % 2 == 0 ? st >> 20
                                       : UINT64_MAX;
        }
        /* Every verb; each answer is one the header allows. */
        TIMED(xipc_barrier_wait(b, (int64_t)(rnd() % 3) * 10), 20);
        if (rc >= 0)
            CHECK(rc < 3);
        else
            CHECK_ONE_OF(rc, XIPC_EBROKEN, XIPC_ECORRUPT);
        counts[rc >= 0 ? 0 : rc == XIPC_EBROKEN ? 1 : 2]++;
        rc = xipc_barrier_n_waiting(b);
        CHECK(rc == XIPC_ECORRUPT || (rc >= 0 && rc <= 3));
        rc = xipc_barrier_broken(b);
        CHECK(rc == XIPC_ECORRUPT || rc == 0 || rc == 1);
        CHECK_EQ(xipc_barrier_parties(b), 3);
        rc = xipc_stat(name, &in);
        CHECK_ONE_OF(rc, 0, XIPC_ECORRUPT);
        if (rnd() % 2)
            CHECK_ONE_OF(xipc_barrier_abort(b), 0, XIPC_ECORRUPT);
        rc = xipc_barrier_reset(b);
        CHECK_ONE_OF(rc, 0, XIPC_ECORRUPT);
        if (rc == 0) {
            TIMED(xipc_barrier_wait(b, 0), 0);
            CHECK_ONE_OF(rc, XIPC_EBROKEN, 0, 1, 2, XIPC_ECORRUPT);
        }
        rc = xipc_barrier_open(&b2, name);
        CHECK_ONE_OF(rc, 0, XIPC_ECORRUPT);
        if (rc == 0)
            CHECK_OK(xipc_barrier_close(b2));
    }
    /* Repaired, it works. */
    atomic_store(state, 0);
    memset(table, 0, 3 * 64);
    CHECK_OK(xipc_barrier_open(&b2, name));
    CHECK_RC(xipc_barrier_wait(b2, 0), XIPC_EBROKEN);
    CHECK_OK(xipc_barrier_close(b2));
    CHECK_OK(xipc_barrier_reset(b));
    /* The number of parties, damaged: refused at open and by xipc_stat. */
    {
        static const uint32_t bad_p[] = {0, 2, 4, 65537, 0xffffffffu};
        for (i = 0; i < 5; i++) {
            *(uint32_t *)(words + 8) = bad_p[i];
            CHECK_RC(xipc_barrier_open(&b2, name), XIPC_ECORRUPT);
            CHECK_RC(xipc_stat(name, &in), XIPC_ECORRUPT);
        }
        *(uint32_t *)(words + 8) = 3;
        *(uint32_t *)(words + 12) = 1;
        CHECK_RC(xipc_barrier_open(&b2, name), XIPC_ECORRUPT);
        *(uint32_t *)(words + 12) = 0;
    }
    CHECK_OK(xipc_barrier_open(&b2, name));
    CHECK_OK(xipc_barrier_close(b2));
    printf("%d damaged states: %d waits returned an index, %d "
           "XIPC_EBROKEN, %d XIPC_ECORRUPT\n",
           n, counts[0], counts[1], counts[2]);
    CHECK_OK(xipc_barrier_close(b));
    return 0;
}

/* ---- open checks and what the tool says ---------------------------------- */

int test_barrier_open_checks(void)
{
    const char *bname = t_name("bopen"), *lname = t_name("block");
    xipc_barrier *b, *b2;
    xipc_lock *l;
    xipc__hdr *h;
    uint32_t kind;

    CHECK_OK(xipc_barrier_create(&b, bname, 2));
    CHECK_OK(xipc_lock_create(&l, lname, 0));
    CHECK_RC(xipc_barrier_open(&b2, lname), XIPC_EKIND);
    CHECK_RC(xipc_lock_open(&l, bname, 0), XIPC_EKIND);
    CHECK_RC(xipc_barrier_open(&b2, "no-such-barrier-here"), XIPC_ENOENT);
    CHECK_RC(xipc_barrier_open(NULL, bname), XIPC_EINVAL);
    CHECK_RC(xipc_barrier_open(&b2, ""), XIPC_EINVAL);
    h = xipc__seg_base(xipc__barrier_seg(b));
    /* A header of another layout behind the same kind. */
    h->data_off += 64;
    CHECK_RC(xipc_barrier_open(&b2, bname), XIPC_ECORRUPT);
    h->data_off -= 64;
    kind = h->kind;
    h->kind = 77;
    CHECK_RC(xipc_barrier_open(&b2, bname), XIPC_EKIND);
    h->kind = kind;
    h->magic ^= 1;
    CHECK_RC(xipc_barrier_open(&b2, bname), XIPC_ECORRUPT);
    h->magic ^= 1;
    h->version += 1;
    CHECK_RC(xipc_barrier_open(&b2, bname), XIPC_EVERSION);
    h->version -= 1;
    CHECK_OK(xipc_barrier_open(&b2, bname));
    CHECK_OK(xipc_barrier_close(b2));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_barrier_close(b));
    return 0;
}

/* `xipc ls` and `xipc info` of a barrier waiting, then broken. */
int test_barrier_tool(void)
{
    const char *bname = t_name("btool"), *bdname;
    char cmd_out[4096], cmd_err[4096];
    xipc_barrier *b;
    xipc_proc *k;
    xipc_shm *bs;
    bboard *bb = board_create(&bdname, &bs);
    char *argv[4];
    FILE *fo, *fe;
    size_t n;
    int i;

    CHECK_OK(xipc_barrier_create(&b, bname, 3));
    for (i = 0; i < 4; i++)
        CHECK_EQ(xipc_barrier_reset(b), 0);
    k = t_spawn("bar_once", bname, bdname, "0", "-1", NULL);
    wait_arrivals(b, 1);
    for (i = 0; i < 2; i++) {
        fo = tmpfile();
        fe = tmpfile();
        CHECK(fo != NULL && fe != NULL);
        argv[0] = "xipc";
        argv[1] = i == 0 ? "info" : "ls";
        argv[2] = (char *)bname;
        argv[3] = NULL;
        CHECK_EQ(xipc_cli(3, argv, fo, fe), 0);
        rewind(fo);
        n = fread(cmd_out, 1, sizeof cmd_out - 1, fo);
        cmd_out[n] = '\0';
        fclose(fo);
        fclose(fe);
        if (i == 0) {
            CHECK(strstr(cmd_out, "kind:     barrier\n") != NULL);
            CHECK(strstr(cmd_out,
                         "state:    round 0, 1 of 3 parties waiting\n") !=
                  NULL);
        } else {
            CHECK(strstr(cmd_out, "barrier") != NULL);
            CHECK(strstr(cmd_out, "live: round 0, 1 of 3 parties waiting") !=
                  NULL);
        }
    }
    CHECK_OK(xipc_barrier_abort(b));
    CHECK_EQ(t_join(k, 10000), 0);
    CHECK_RC(atomic_load(&bb->rc[0]), XIPC_EBROKEN);
    fo = tmpfile();
    fe = tmpfile();
    CHECK(fo != NULL && fe != NULL);
    argv[1] = "info";
    CHECK_EQ(xipc_cli(3, argv, fo, fe), 0);
    rewind(fo);
    n = fread(cmd_out, 1, sizeof cmd_out - 1, fo);
    cmd_out[n] = '\0';
    (void)cmd_err;
    fclose(fo);
    fclose(fe);
    CHECK(strstr(cmd_out, "state:    broken in round 0\n") != NULL);
    CHECK_OK(xipc_barrier_reset(b));
    fo = tmpfile();
    fe = tmpfile();
    CHECK(fo != NULL && fe != NULL);
    CHECK_EQ(xipc_cli(3, argv, fo, fe), 0);
    rewind(fo);
    n = fread(cmd_out, 1, sizeof cmd_out - 1, fo);
    cmd_out[n] = '\0';
    fclose(fo);
    fclose(fe);
    CHECK(strstr(cmd_out, "state:    round 1, 0 of 3 parties waiting\n") !=
          NULL);
    CHECK_OK(xipc_barrier_close(b));
    CHECK_OK(xipc_shm_close(bs));
    return 0;
}
