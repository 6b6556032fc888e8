/*
 * test_review2.c - faults found by a second fresh-eyes review, of the
 * synchronisation objects (Semaphore, Event, Condition, Barrier): one test
 * per fault, each failing on the code it was found in.
 */
#include "test.h"

#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------- */

/* Helper: opens semaphore argv[1], acquires one unit with timeout argv[2]
 * ms and exits with 100 + the negated code (100: it took a unit), holding
 * what it took (an undo semaphore gives it back). */
int helper_r2_sem_take(int argc, char **argv)
{
    xipc_semaphore *s;
    int rc;

    HCHECK(argc == 3);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    rc = xipc_semaphore_acquire(s, atoll(argv[2]));
    if (rc != 0 && rc != XIPC_EOWNERDEAD)
        fprintf(stderr, "r2_sem_take: %s: %s\n", xipc_err_name(rc),
                xipc_last_error());
    xipc__sys_die(100 - rc);
    return 0;
}

/* ---- undo: one process, one record ----------------------------------------
 *
 * Undo counts units per process in a table sized for a number of processes
 * ("each process that acquires gets a record"). But an acquirer that finds
 * its process's record in the middle of a sibling thread's operation spins
 * 200 times and then claims another free record, and a live process never
 * gives a record back: the threads of one busy process take record after
 * record until the table is full, and then a second process's acquire is
 * refused with XIPC_EBUSY although only two processes ever used a table
 * sized for two. */

struct r2_churn {
    xipc_semaphore *s;
    int64_t until;
    int bad;
};

static int r2_churn_thread(void *arg)
{
    struct r2_churn *c = arg;
    int rc;

    while (t_ms() < c->until) {
        if ((rc = xipc_semaphore_acquire(c->s, 10000)) != 0) {
            fprintf(stderr, "acquire: %s: %s\n", xipc_err_name(rc),
                    xipc_last_error());
            c->bad = 1;
            return 1;
        }
        if ((rc = xipc_semaphore_release(c->s)) != 0) {
            fprintf(stderr, "release: %s: %s\n", xipc_err_name(rc),
                    xipc_last_error());
            c->bad = 1;
            return 1;
        }
    }
    return 0;
}

int test_review2_sem_undo_threads_one_record(void)
{
    enum { N = 8 };
    xipc_semaphore *s;
    xipc__thread *th[N];
    struct r2_churn c[N];
    const char *name = t_name("r2rec");
    int i;

    CHECK_OK(xipc_semaphore_create(&s, name, 2,
                                   XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(2)));
    for (i = 0; i < N; i++) {
        c[i].s = s;
        c[i].until = t_ms() + 1500;
        c[i].bad = 0;
        CHECK_OK(xipc__thread_start(&th[i], r2_churn_thread, &c[i]));
    }
    for (i = 0; i < N; i++) {
        CHECK_EQ(xipc__thread_join(th[i]), 0);
        CHECK_EQ(c[i].bad, 0);
    }
    CHECK_EQ(xipc_semaphore_get_value(s), 2);
    /* A second process: the table has room for two. */
    CHECK_EQ(t_join(t_spawn("r2_sem_take", name, "2000", NULL), 20000), 100);
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

/* ---- undo: a release over the bound judged on a stale value ----------------
 *
 * release_undo_in reads the value word, then looks for its process's
 * record - which may wait for a sibling thread's operation on it - and then
 * decides on the value read before: "at the bound, so every unit is free
 * and one this process counts was released for it: drop it". If the
 * sibling was acquiring, the value is no longer at the bound when the
 * release decides, and the unit dropped is the one just acquired: the
 * process holds a unit its record no longer counts, so its death would not
 * give it back (and close does not refuse). */

static _Atomic int r2_stall_on;   /* stall at sem:acquire:pending */
static _Atomic int r2_stalled;    /* a thread is stalled there */
static _Atomic int r2_stall_free; /* let it go */

static void r2_stall_hook(const char *where)
{
    if (atomic_load(&r2_stall_on) &&
        strcmp(where, "sem:acquire:pending") == 0) {
        atomic_store(&r2_stall_on, 0);
        atomic_store(&r2_stalled, 1);
        while (!atomic_load(&r2_stall_free))
            xipc_sleep_ms(1);
    }
}

static int r2_acquire_thread(void *arg)
{
    return xipc_semaphore_acquire(arg, 10000);
}

static int r2_release_thread(void *arg)
{
    return xipc_semaphore_release(arg);
}

int test_review2_sem_undo_stale_overflow(void)
{
    xipc_semaphore *s;
    xipc__thread *acq, *rel;
    int rc_acq, rc_rel, close_rc;

    CHECK_OK(xipc_semaphore_create(&s, t_name("r2ovf"), 2,
                                   XIPC_SEM_BOUNDED | XIPC_SEM_UNDO));
    atomic_store(&r2_stalled, 0);
    atomic_store(&r2_stall_free, 0);
    atomic_store(&r2_stall_on, 1);
    xipc__fault_hook = r2_stall_hook;
    /* A thread acquires and stops with its record pending, the value
     * still at the bound. */
    CHECK_OK(xipc__thread_start(&acq, r2_acquire_thread, s));
    while (!atomic_load(&r2_stalled))
        xipc_sleep_ms(1);
    CHECK_EQ(xipc_semaphore_get_value(s), 2);
    /* Another releases (one too many, at that moment): it reads the value
     * at the bound, then waits for the sibling's operation. */
    CHECK_OK(xipc__thread_start(&rel, r2_release_thread, s));
    xipc_sleep_ms(200 * t_slow());
    atomic_store(&r2_stall_free, 1);
    rc_acq = xipc__thread_join(acq);
    rc_rel = xipc__thread_join(rel);
    xipc__fault_hook = NULL;
    CHECK_RC(rc_acq, 0);
    printf("release: %s, value %d\n", xipc_err_name(rc_rel),
           xipc_semaphore_get_value(s));
    /* Either the release came first (refused, nothing to drop: the
     * acquirer's unit stays counted) or after the acquire (it gives that
     * unit back: the value is at the bound again). */
    if (rc_rel == XIPC_EOVERFLOW) {
        CHECK_EQ(xipc_semaphore_get_value(s), 1);
        close_rc = xipc_semaphore_close(s);
        CHECK_RC(close_rc, XIPC_EBUSY); /* it still holds the unit */
        CHECK_OK(xipc_semaphore_release(s));
    } else {
        CHECK_RC(rc_rel, 0);
        CHECK_EQ(xipc_semaphore_get_value(s), 2);
    }
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

/* ---- Condition: the RLock's depth after a wait whose notifier died --------
 */

struct r2_cw {
    xipc_condition *c;
    t_ctl *ctl;
    int rc, depth;
};

static int r2_deep_waiter(void *arg)
{
    struct r2_cw *w = arg;
    int i;

    for (i = 0; i < 3; i++)
        if (xipc_condition_acquire(w->c, 10000) != 0)
            return 1;
    atomic_store(&w->ctl->flag[1], 1);
    w->rc = xipc_condition_wait(w->c, 10000 * t_slow());
    w->depth = xipc_lock_count(xipc_condition_lock(w->c));
    if (w->rc == XIPC_EOWNERDEAD)
        xipc_lock_consistent(xipc_condition_lock(w->c));
    while (xipc_lock_count(xipc_condition_lock(w->c)) > 0)
        if (xipc_condition_release(w->c) != 0)
            return 2;
    return 0;
}

int test_review2_cond_rlock_depth_ownerdead(void)
{
    const char *ctl_name, *name = t_name("r2cd");
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_condition *c;
    xipc__thread *th;
    struct r2_cw w;
    xipc_proc *p;

    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    w.c = c;
    w.ctl = ctl;
    w.rc = w.depth = -1;
    CHECK_OK(xipc__thread_start(&th, r2_deep_waiter, &w));
    p = t_spawn("cond_notifier", name, ctl_name, "notify", NULL);
    t_ctl_wait(ctl, 2, 1, 10000);
    CHECK_EQ(atomic_load(&ctl->value[2]), 1);
    t_kill(p);
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_RC(w.rc, XIPC_EOWNERDEAD);
    CHECK_EQ(w.depth, 3);
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- Condition: notify(n) wakes exactly n of many threads ------------------
 */

struct r2_nw {
    xipc_condition *c;
    _Atomic int *in, *woke;
    int rc;
};

static int r2_notify_waiter(void *arg)
{
    struct r2_nw *w = arg;

    if (xipc_condition_acquire(w->c, 10000) != 0)
        return 1;
    atomic_fetch_add(w->in, 1);
    w->rc = xipc_condition_wait(w->c, 20000 * t_slow());
    if (w->rc == 0)
        atomic_fetch_add(w->woke, 1);
    if (xipc_lock_count(xipc_condition_lock(w->c)) > 0)
        xipc_condition_release(w->c);
    return 0;
}

int test_review2_cond_notify_exact(void)
{
    enum { N = 12 };
    xipc_condition *c;
    xipc__thread *th[N];
    struct r2_nw w[N];
    _Atomic int in = 0, woke = 0;
    int i, round, k, total = 0;

    CHECK_OK(xipc_condition_create(&c, t_name("r2ne"), 0, 0));
    for (i = 0; i < N; i++) {
        w[i].c = c;
        w[i].in = &in;
        w[i].woke = &woke;
        w[i].rc = -1;
        CHECK_OK(xipc__thread_start(&th[i], r2_notify_waiter, &w[i]));
    }
    for (;;) {
        CHECK_OK(xipc_condition_acquire(c, 10000));
        k = atomic_load(&in);
        CHECK_OK(xipc_condition_release(c));
        if (k == N)
            break;
        xipc_sleep_ms(1);
    }
    for (round = 1; round <= 4; round++) {
        CHECK_OK(xipc_condition_acquire(c, 10000));
        CHECK_EQ(xipc_condition_notify(c, round), round);
        CHECK_OK(xipc_condition_release(c));
        total += round;
        xipc_sleep_ms(300 * t_slow());
        CHECK_EQ(atomic_load(&woke), total);
    }
    CHECK_OK(xipc_condition_acquire(c, 10000));
    CHECK_EQ(xipc_condition_notify_all(c), N - total);
    CHECK_OK(xipc_condition_release(c));
    for (i = 0; i < N; i++) {
        CHECK_EQ(xipc__thread_join(th[i]), 0);
        CHECK_RC(w[i].rc, 0);
    }
    CHECK_OK(xipc_condition_close(c));
    return 0;
}

/* ---- Barrier: one of each index per round, threads beyond parties ---------
 */

struct r2_bw {
    xipc_barrier *b;
    int64_t count[4];
    int last;
};

/* Waits until the barrier breaks, counting the indexes it got. */
static int r2_barrier_thread(void *arg)
{
    struct r2_bw *w = arg;
    int rc;

    for (;;) {
        rc = xipc_barrier_wait(w->b, 30000);
        if (rc < 0 || rc >= 4) {
            w->last = rc;
            return 0;
        }
        w->count[rc]++;
    }
}

int test_review2_barrier_indexes_exact(void)
{
    enum { P = 4, T = 8 };
    xipc_barrier *b[T];
    xipc__thread *th[T];
    struct r2_bw w[T];
    const char *name = t_name("r2bi");
    int64_t sum[P] = {0};
    int i, j;

    CHECK_OK(xipc_barrier_create(&b[0], name, P));
    for (i = 1; i < T; i++)
        CHECK_OK(xipc_barrier_open(&b[i], name));
    for (i = 0; i < T; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].b = b[i];
        CHECK_OK(xipc__thread_start(&th[i], r2_barrier_thread, &w[i]));
    }
    xipc_sleep_ms(1500);
    CHECK_OK(xipc_barrier_abort(b[0]));
    for (i = 0; i < T; i++) {
        CHECK_EQ(xipc__thread_join(th[i]), 0);
        CHECK_RC(w[i].last, XIPC_EBROKEN);
        for (j = 0; j < P; j++)
            sum[j] += w[i].count[j];
    }
    printf("%lld rounds\n", (long long)sum[0]);
    /* A round completes or breaks for all its parties. */
    CHECK(sum[0] > 0);
    for (j = 1; j < P; j++)
        CHECK_EQ(sum[j], sum[0]);
    for (i = 0; i < T; i++)
        CHECK_OK(xipc_barrier_close(b[i]));
    return 0;
}

/* ---- Barrier: resets and aborts racing with full rounds --------------------
 */

struct r2_br {
    xipc_barrier *b;
    _Atomic int *stop;
    int64_t count[4], broken;
    int bad;
};

static int r2_reset_thread(void *arg)
{
    struct r2_br *w = arg;
    int rc;

    while (!atomic_load(w->stop)) {
        rc = xipc_barrier_wait(w->b, 30000);
        if (rc >= 0 && rc < 4)
            w->count[rc]++;
        else if (rc == XIPC_EBROKEN)
            w->broken++;
        else {
            fprintf(stderr, "wait: %s: %s\n", xipc_err_name(rc),
                    xipc_last_error());
            w->bad = 1;
            return 1;
        }
    }
    return 0;
}

int test_review2_barrier_reset_races(void)
{
    enum { P = 3, T = 6 };
    xipc_barrier *b[T], *main_b;
    xipc__thread *th[T];
    struct r2_br w[T];
    _Atomic int stop = 0;
    const char *name = t_name("r2br");
    int64_t sum[P] = {0}, broken = 0, end;
    int i, j, n = 0;

    CHECK_OK(xipc_barrier_create(&main_b, name, P));
    for (i = 0; i < T; i++)
        CHECK_OK(xipc_barrier_open(&b[i], name));
    for (i = 0; i < T; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].b = b[i];
        w[i].stop = &stop;
        CHECK_OK(xipc__thread_start(&th[i], r2_reset_thread, &w[i]));
    }
    end = t_ms() + 2000;
    while (t_ms() < end) {
        xipc_sleep_ms(1 + n % 3);
        if (n % 5 == 4)
            CHECK_OK(xipc_barrier_abort(main_b));
        CHECK_OK(xipc_barrier_reset(main_b));
        n++;
    }
    atomic_store(&stop, 1);
    for (i = 0; i < 20; i++) {
        xipc_sleep_ms(50);
        CHECK_OK(xipc_barrier_abort(main_b));
    }
    for (i = 0; i < T; i++) {
        CHECK_EQ(xipc__thread_join(th[i]), 0);
        CHECK_EQ(w[i].bad, 0);
        for (j = 0; j < P; j++)
            sum[j] += w[i].count[j];
        broken += w[i].broken;
    }
    printf("%d resets, %lld rounds completed, %lld broken calls\n", n,
           (long long)sum[0], (long long)broken);
    CHECK(sum[0] > 0);
    for (j = 1; j < P; j++)
        CHECK_EQ(sum[j], sum[0]);
    for (i = 0; i < T; i++)
        CHECK_OK(xipc_barrier_close(b[i]));
    CHECK_OK(xipc_barrier_close(main_b));
    return 0;
}

/* ---- fork(): children use the parent's handles (POSIX) ---------------------
 */

int test_review2_fork_children(void)
{
    xipc_semaphore *s;
    xipc_barrier *b;
    xipc_event *e;
    int64_t pid, t0;
    int code = -1, rc, r;

    if (!xipc__sys_can_fork())
        return t_skip("no fork() on this platform: children are spawned");
    /* Semaphore with undo: the parent holds a unit; a forked child takes
     * the other and dies holding it; it comes back, reported once. */
    CHECK_OK(xipc_semaphore_create(&s, t_name("r2fs"), 2, XIPC_SEM_UNDO));
    CHECK_OK(xipc_semaphore_acquire(s, 0));
    pid = xipc__sys_fork();
    if (pid == 0) {
        /* Holds nothing yet: its close would go; it takes a unit. */
        r = xipc_semaphore_acquire(s, 0);
        xipc__sys_die(r == 0 ? 0 : 50 - r);
    }
    CHECK(pid > 0);
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    CHECK_EQ(code, 0);
    CHECK_EQ(xipc_semaphore_get_value(s), 0);
    CHECK_RC(xipc_semaphore_acquire(s, 5000), XIPC_EOWNERDEAD);
    /* The parent's own unit is still counted as the parent's. */
    CHECK_RC(xipc_semaphore_close(s), XIPC_EBUSY);
    /* A child that inherited a handle of a process holding units closes
     * its copy: it holds none itself. */
    pid = xipc__sys_fork();
    if (pid == 0)
        xipc__sys_die(xipc_semaphore_close(s) == 0 ? 0 : 51);
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    CHECK_EQ(code, 0);
    CHECK_EQ(xipc_semaphore_get_value(s), 0);
    CHECK_OK(xipc_semaphore_release(s));
    CHECK_OK(xipc_semaphore_release(s));
    CHECK_OK(xipc_semaphore_close(s));

    /* Event: a forked child waits, the parent sets. */
    CHECK_OK(xipc_event_create(&e, t_name("r2fe")));
    pid = xipc__sys_fork();
    if (pid == 0)
        xipc__sys_die(xipc_event_wait(e, 10000) == 0 ? 0 : 52);
    xipc_sleep_ms(50);
    CHECK_OK(xipc_event_set(e));
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    CHECK_EQ(code, 0);
    CHECK_OK(xipc_event_close(e));

    /* Barrier of 3: a forked child arrives and is killed inside wait; the
     * parent's wait breaks within a second. */
    CHECK_OK(xipc_barrier_create(&b, t_name("r2fb"), 3));
    pid = xipc__sys_fork();
    if (pid == 0) {
        xipc_barrier_wait(b, 30000);
        xipc__sys_die(53);
    }
    while (xipc_barrier_n_waiting(b) != 1)
        xipc_sleep_ms(1);
    CHECK_OK(xipc__sys_kill_forked(pid));
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    t0 = t_ms();
    rc = xipc_barrier_wait(b, 10000);
    printf("barrier wait after the child's death: %s in %lld ms\n",
           xipc_err_name(rc), (long long)(t_ms() - t0));
    CHECK_RC(rc, XIPC_EBROKEN);
    CHECK(t_ms() - t0 < 1000 * t_slow());
    CHECK_OK(xipc_barrier_close(b));
    return 0;
}

/* ---- every blocking call keeps its timeout ----------------------------------
 */

struct r2_holder {
    xipc_condition *c;
    _Atomic int phase;
};

/* Takes the lock once the waiter waits, notifies it, and holds the lock
 * for 2 s. */
static int r2_cond_hog(void *arg)
{
    struct r2_holder *h = arg;

    while (atomic_load(&h->phase) == 0)
        xipc_sleep_ms(1);
    if (xipc_condition_acquire(h->c, 10000) != 0)
        return 1;
    xipc_condition_notify(h->c, 1);
    atomic_store(&h->phase, 2);
    xipc_sleep_ms(2000);
    return xipc_condition_release(h->c) != 0;
}

int test_review2_timeouts_kept(void)
{
    xipc_condition *c;
    xipc_semaphore *s;
    xipc_event *e;
    xipc_barrier *b;
    xipc__thread *th;
    struct r2_holder h;
    int64_t t0, took, slack = 150 * t_slow();
    int rc;

    /* Condition: notified, but the lock is held past the deadline. */
    CHECK_OK(xipc_condition_create(&c, t_name("r2tc"), 0, 0));
    h.c = c;
    atomic_store(&h.phase, 0);
    CHECK_OK(xipc__thread_start(&th, r2_cond_hog, &h));
    CHECK_OK(xipc_condition_acquire(c, 0));
    atomic_store(&h.phase, 1);
    t0 = t_ms();
    rc = xipc_condition_wait(c, 300);
    took = t_ms() - t0;
    printf("condition wait(300) with the lock hogged: %s in %lld ms\n",
           xipc_err_name(rc), (long long)took);
    CHECK_RC(rc, XIPC_EBUSY);
    CHECK(took >= 300 && took < 300 + slack);
    CHECK_EQ(xipc__thread_join(th), 0);
    /* wait_for likewise. */
    CHECK_OK(xipc_condition_close(c));

    CHECK_OK(xipc_semaphore_create(&s, t_name("r2ts"), 0, XIPC_SEM_UNDO));
    t0 = t_ms();
    CHECK_RC(xipc_semaphore_acquire(s, 300), XIPC_ETIMEDOUT);
    took = t_ms() - t0;
    CHECK(took >= 300 && took < 300 + slack);
    CHECK_OK(xipc_semaphore_close(s));

    CHECK_OK(xipc_event_create(&e, t_name("r2te")));
    t0 = t_ms();
    CHECK_RC(xipc_event_wait(e, 300), XIPC_ETIMEDOUT);
    took = t_ms() - t0;
    CHECK(took >= 300 && took < 300 + slack);
    CHECK_OK(xipc_event_close(e));

    CHECK_OK(xipc_barrier_create(&b, t_name("r2tb"), 2));
    t0 = t_ms();
    CHECK_RC(xipc_barrier_wait(b, 300), XIPC_EBROKEN);
    took = t_ms() - t0;
    CHECK(took >= 300 && took < 300 + slack);
    CHECK_OK(xipc_barrier_close(b));
    return 0;
}

/* ---- undo: threads of one process keep its count exact --------------------
 */

int test_review2_sem_undo_threads_count(void)
{
    enum { N = 8 };
    xipc_semaphore *s;
    xipc__thread *th[N];
    struct r2_churn c[N];
    int i, rep, rc;

    for (rep = 0; rep < 4; rep++) {
        CHECK_OK(xipc_semaphore_create(&s, t_name("r2cnt"), 2, XIPC_SEM_UNDO));
        for (i = 0; i < N; i++) {
            c[i].s = s;
            c[i].until = t_ms() + 500;
            c[i].bad = 0;
            CHECK_OK(xipc__thread_start(&th[i], r2_churn_thread, &c[i]));
        }
        for (i = 0; i < N; i++) {
            CHECK_EQ(xipc__thread_join(th[i]), 0);
            CHECK_EQ(c[i].bad, 0);
        }
        CHECK_EQ(xipc_semaphore_get_value(s), 2);
        /* Every unit went back: the process holds none. */
        rc = xipc_semaphore_close(s);
        if (rc != 0) {
            xipc_info info;
            if (xipc_stat(xipc_semaphore_name(s), &info) == 0)
                printf("%s\n", info.state);
        }
        CHECK_RC(rc, 0);
    }
    return 0;
}
