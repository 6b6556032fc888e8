/*
 * test_condition.c - Condition: the checks CPython's test_multiprocessing
 * makes of multiprocessing.Condition (notify, notify(n) wakes exactly n,
 * notify_all, wait timeouts, wait_for with and without a timeout), with the
 * waiters as separate processes; the RLock's levels given back; a full
 * table of waiters; kill trials (a waiter killed before and after it was
 * notified loses no notify, a notifier killed holding the lock gives
 * XIPC_EOWNERDEAD to the waiter); damaged words; a producer/consumer
 * stress; what xipc_stat and the tool say.
 */
#include "test.h"
#include "cli.h"

#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------- */

/* Helper: argv = {fn, condition, control block, k, timeout_ms}. Opens the
 * Condition, acquires its lock and sets flag[k] = 1 while holding it (so
 * that once the test has taken the lock after seeing the flag, this waiter
 * is inside wait), waits (timeout < 0: T_HELPER_MAX_MS), stores the code
 * in value[k], adds 1 to value[0] if it was notified, sets flag[k] = 2 and
 * lets go of the lock if it holds it. */
int helper_cond_waiter(int argc, char **argv)
{
    xipc_condition *c;
    xipc_shm *cs;
    t_ctl *ctl;
    int k, rc;
    int64_t timeout;

    HCHECK(argc == 5);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_condition_open(&c, argv[1]) == 0);
    k = atoi(argv[3]);
    timeout = atoll(argv[4]);
    if (timeout < 0)
        timeout = T_HELPER_MAX_MS;
    HCHECK(xipc_condition_acquire(c, T_HELPER_MAX_MS) == 0);
    atomic_store(&ctl->flag[k], 1);
    rc = xipc_condition_wait(c, timeout);
    atomic_store(&ctl->value[k], rc);
    if (rc == 0)
        atomic_fetch_add(&ctl->value[0], 1);
    atomic_store(&ctl->flag[k], 2);
    if (rc == XIPC_EOWNERDEAD)
        xipc_lock_consistent(xipc_condition_lock(c));
    while (xipc_lock_count(xipc_condition_lock(c)) > 0)
        HCHECK(xipc_condition_release(c) == 0);
    HCHECK(xipc_condition_close(c) == 0);
    xipc_shm_close(cs);
    return 0;
}

/* Helper: argv = {fn, condition, control block, how}. Waits for flag[1],
 * acquires the lock (its code in value[1]), notifies one waiter if how is
 * "notify" or "poke" (the count in value[2]) and sets flag[2]; then "poke"
 * releases the lock and ends, the others hold it until they are killed. */
int helper_cond_notifier(int argc, char **argv)
{
    xipc_condition *c;
    xipc_shm *cs;
    t_ctl *ctl;
    int64_t end = t_ms() + T_HELPER_MAX_MS;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_condition_open(&c, argv[1]) == 0);
    t_ctl_wait(ctl, 1, 1, T_HELPER_MAX_MS);
    atomic_store(&ctl->value[1], xipc_condition_acquire(c, T_HELPER_MAX_MS));
    if (strcmp(argv[3], "hold") != 0)
        atomic_store(&ctl->value[2], xipc_condition_notify(c, 1));
    atomic_store(&ctl->flag[2], 1);
    if (strcmp(argv[3], "poke") == 0) {
        HCHECK(xipc_condition_release(c) == 0);
        HCHECK(xipc_condition_close(c) == 0);
        xipc_shm_close(cs);
        return 0;
    }
    while (t_ms() < end)
        xipc_sleep_ms(10);
    return 98;
}

/* The shared state of the wait_for and producer/consumer tests. */
enum { PC_K = 8 };
struct pc {
    int64_t state;
    int64_t head, tail, count, taken, total, sum_in, sum_out;
    int64_t buf[PC_K];
};

/* Helper: argv = {fn, condition, shm}: four times, after 50 ms, adds one
 * to state under the lock and notifies everyone. */
int helper_cond_counter(int argc, char **argv)
{
    xipc_condition *c;
    xipc_shm *s;
    struct pc *p;
    int i;

    HCHECK(argc == 3);
    HCHECK(xipc_condition_open(&c, argv[1]) == 0);
    HCHECK(xipc_shm_open(&s, argv[2], XIPC_RDWR) == 0);
    p = xipc_shm_data(s);
    for (i = 0; i < 4; i++) {
        xipc_sleep_ms(50);
        HCHECK(xipc_condition_acquire(c, T_HELPER_MAX_MS) == 0);
        p->state++;
        HCHECK(xipc_condition_notify_all(c) >= 0);
        HCHECK(xipc_condition_release(c) == 0);
    }
    HCHECK(xipc_condition_close(c) == 0);
    xipc_shm_close(s);
    return 0;
}

/* Helper: argv = {fn, condition, shm, "put" or "take", n, id}: a producer
 * puts n items (id * 1000000 + i) into the bounded buffer, a consumer takes
 * items until all `total` have been taken. */
int helper_cond_pc(int argc, char **argv)
{
    xipc_condition *c;
    xipc_shm *s;
    struct pc *p;
    int64_t i, n, id, item;
    int rc;

    HCHECK(argc == 6);
    HCHECK(xipc_condition_open(&c, argv[1]) == 0);
    HCHECK(xipc_shm_open(&s, argv[2], XIPC_RDWR) == 0);
    p = xipc_shm_data(s);
    n = atoll(argv[4]);
    id = atoll(argv[5]);
    if (strcmp(argv[3], "put") == 0) {
        for (i = 0; i < n; i++) {
            HCHECK(xipc_condition_acquire(c, T_HELPER_MAX_MS) == 0);
            while (p->count == PC_K) {
                rc = xipc_condition_wait(c, T_HELPER_MAX_MS);
                HCHECK(rc == 0);
            }
            item = id * 1000000 + i;
            p->buf[p->tail++ % PC_K] = item;
            p->count++;
            p->sum_in += item;
            HCHECK(xipc_condition_notify_all(c) >= 0);
            HCHECK(xipc_condition_release(c) == 0);
        }
    } else {
        for (;;) {
            HCHECK(xipc_condition_acquire(c, T_HELPER_MAX_MS) == 0);
            while (p->count == 0 && p->taken < p->total) {
                rc = xipc_condition_wait(c, T_HELPER_MAX_MS);
                HCHECK(rc == 0);
            }
            if (p->count == 0) {
                HCHECK(xipc_condition_release(c) == 0);
                break;
            }
            p->sum_out += p->buf[p->head++ % PC_K];
            p->count--;
            p->taken++;
            HCHECK(xipc_condition_notify_all(c) >= 0);
            HCHECK(xipc_condition_release(c) == 0);
        }
    }
    HCHECK(xipc_condition_close(c) == 0);
    xipc_shm_close(s);
    return 0;
}

/* Waits until waiter k (a helper_cond_waiter) is inside its wait: it set
 * its flag holding the lock, so the lock is free again only once it waits. */
static void in_wait(xipc_condition *c, t_ctl *ctl, int k)
{
    t_ctl_wait(ctl, k, 1, 20000);
    CHECK_OK(xipc_condition_acquire(c, 20000 * t_slow()));
    CHECK_OK(xipc_condition_release(c));
}

static xipc_proc *spawn_waiter(const char *name, const char *ctl_name, int k,
                               int64_t timeout)
{
    char ks[8], ts[24];

    snprintf(ks, sizeof ks, "%d", k);
    snprintf(ts, sizeof ts, "%lld", (long long)timeout);
    return t_spawn("cond_waiter", name, ctl_name, ks, ts, NULL);
}

/* Waits up to ms (stretched) for value[0] to reach want. */
static void woken_reach(t_ctl *ctl, int64_t want, int64_t ms)
{
    int64_t end = t_ms() + ms * t_slow();

    while (atomic_load(&ctl->value[0]) < want && t_ms() < end)
        xipc_sleep_ms(1);
    CHECK_EQ(atomic_load(&ctl->value[0]), want);
}

static int64_t waiting_now(const char *name)
{
    xipc_info in;

    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.kind, XIPC_KIND_CONDITION);
    return in.waiting;
}

/* ---- the API and its checks ---------------------------------------------- */

int test_cond_basic(void)
{
    const char *name = t_name("cond"), *lname = t_name("clock");
    xipc_condition *c, *d, *x = NULL;
    xipc_lock *l;
    int64_t t0;

    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    CHECK_STR(xipc_condition_name(c), name);
    CHECK_EQ(xipc_condition_max_waiters(c), XIPC_COND_WAITERS_DEFAULT);
    CHECK_OK(xipc_condition_open(&d, name));
    CHECK_EQ(xipc_condition_max_waiters(d), XIPC_COND_WAITERS_DEFAULT);
    /* Without the lock: refused, as Python raises RuntimeError. */
    CHECK_RC(xipc_condition_wait(c, 0), XIPC_EPERM);
    CHECK_RC(xipc_condition_notify(c, 1), XIPC_EPERM);
    CHECK_RC(xipc_condition_notify_all(c), XIPC_EPERM);
    CHECK_RC(xipc_condition_release(c), XIPC_EPERM);
    /* An RLock (Python's default), found so by the opener too. */
    CHECK_OK(xipc_condition_acquire(c, 0));
    CHECK_OK(xipc_condition_acquire(d, 0));
    CHECK_EQ(xipc_lock_count(xipc_condition_lock(d)), 2);
    CHECK_RC(xipc_condition_notify(c, -1), XIPC_EINVAL);
    CHECK_EQ(xipc_condition_notify(c, 1), 0); /* nobody waits */
    CHECK_EQ(xipc_condition_notify_all(d), 0);
    t0 = t_ms();
    CHECK_RC(xipc_condition_wait(c, 0), XIPC_ETIMEDOUT);
    CHECK(t_ms() - t0 < 1000 * t_slow());
    CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 2);
    CHECK_RC(xipc_condition_close(d), XIPC_EBUSY); /* held here */
    CHECK_RC(xipc_lock_close(xipc_condition_lock(c)), XIPC_EINVAL);
    CHECK_OK(xipc_condition_release(d));
    CHECK_OK(xipc_lock_release(xipc_condition_lock(c)));
    CHECK_RC(xipc_condition_release(c), XIPC_EPERM);
    CHECK_OK(xipc_condition_close(d));
    CHECK_OK(xipc_condition_close(c));
    CHECK_EQ(xipc__seg_present(name), 0);

    /* A Lock: not recursive, for the opener too. */
    name = t_name("condl");
    CHECK_OK(xipc_condition_create(&c, name, XIPC_COND_LOCK, 3));
    CHECK_EQ(xipc_condition_max_waiters(c), 3);
    CHECK_OK(xipc_condition_open(&d, name));
    CHECK_EQ(xipc_condition_max_waiters(d), 3);
    CHECK_OK(xipc_condition_acquire(d, XIPC_FOREVER));
    CHECK_RC(xipc_condition_acquire(c, 0), XIPC_EDEADLK);
    CHECK_RC(xipc_condition_acquire(c, 50), XIPC_EDEADLK);
    CHECK_RC(xipc_condition_wait(c, 20), XIPC_ETIMEDOUT);
    CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 1);
    CHECK_OK(xipc_condition_release(c));

    /* Open checks. */
    CHECK_OK(xipc_lock_create(&l, lname, 0));
    CHECK_RC(xipc_condition_open(&x, lname), XIPC_EKIND);
    CHECK_RC(xipc_lock_open(&l, name, 0), XIPC_EKIND);
    CHECK_RC(xipc_condition_create(&x, name, 0, 0), XIPC_EEXIST);
    CHECK_RC(xipc_condition_open(&x, t_name("nocond")), XIPC_ENOENT);
    CHECK_RC(xipc_condition_open(&x, "bad/name"), XIPC_EINVAL);
    CHECK_RC(xipc_condition_create(&x, t_name("c2"), 2, 0), XIPC_EINVAL);
    CHECK_RC(
        xipc_condition_create(&x, t_name("c3"), 0, XIPC_COND_WAITERS_MAX + 1),
        XIPC_EINVAL);
    CHECK_RC(xipc_condition_create(NULL, t_name("c4"), 0, 0), XIPC_EINVAL);
    CHECK_RC(xipc_condition_open(NULL, name), XIPC_EINVAL);
    CHECK(x == NULL);
    CHECK_RC(xipc_condition_acquire(NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_condition_release(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_condition_wait(NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_condition_wait_for(NULL, NULL, NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_condition_wait_for(c, NULL, NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_condition_notify(NULL, 1), XIPC_EINVAL);
    CHECK_RC(xipc_condition_notify_all(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_condition_close(NULL), XIPC_EINVAL);
    CHECK(xipc_condition_lock(NULL) == NULL);
    CHECK(xipc_condition_name(NULL) == NULL);
    CHECK_EQ(xipc_condition_max_waiters(NULL), 0);
    {
        xipc__hdr *h = xipc__seg_base(xipc__condition_seg(c));
        unsigned char *mx, *words, *table;
        uint64_t tb, saved;

        xipc__condition_parts(c, &mx, &words, &table, &tb);
        CHECK_EQ(tb, 3 * 16);
        h->version = 99;
        CHECK_RC(xipc_condition_open(&x, name), XIPC_EVERSION);
        h->version = XIPC__LAYOUT_VERSION;
        words[0] ^= 1; /* the magic */
        CHECK_RC(xipc_condition_open(&x, name), XIPC_ECORRUPT);
        words[0] ^= 1;
        memcpy(&saved, words + 8, 8);
        words[8] = 4; /* 4 slots: more than the table holds */
        CHECK_RC(xipc_condition_open(&x, name), XIPC_ECORRUPT);
        words[8] = 0;
        CHECK_RC(xipc_condition_open(&x, name), XIPC_ECORRUPT);
        memcpy(words + 8, &saved, 8);
        words[4] = 7; /* unknown flags */
        CHECK_RC(xipc_condition_open(&x, name), XIPC_ECORRUPT);
        words[4] = 1;
        mx[20] ^= 1; /* the mutex says RLock, the words Lock */
        CHECK_RC(xipc_condition_open(&x, name), XIPC_ECORRUPT);
        mx[20] ^= 1;
    }
    CHECK_OK(xipc_condition_open(&x, name));
    CHECK_OK(xipc_condition_close(x));
    CHECK_OK(xipc_condition_unlink(name));
    CHECK_RC(xipc_condition_open(&x, name), XIPC_ENOENT);
    CHECK_OK(xipc_condition_close(d));
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_lock_close(l));
    return 0;
}

/* A waiting thread of this process, for the tests that mix them in. */
struct twaiter {
    xipc_condition *c;
    int64_t timeout;
    _Atomic int phase; /* 1: holds the lock, about to wait; 2: returned */
    int rc, depth;
};

static int thread_wait(void *arg)
{
    struct twaiter *t = arg;
    if (xipc_condition_acquire(t->c, 20000) != 0)
        return 1;
    atomic_store(&t->phase, 1);
    t->rc = xipc_condition_wait(t->c, t->timeout);
    t->depth = xipc_lock_count(xipc_condition_lock(t->c));
    atomic_store(&t->phase, 2);
    if (t->depth > 0)
        xipc_condition_release(t->c);
    return 0;
}

/* CPython's test_notify: a waiter in another process and one in a thread;
 * each notify wakes one of them. */
int test_cond_notify(void)
{
    const char *name = t_name("cnot"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    struct twaiter tw;
    xipc__thread *th;
    xipc_condition *c;
    xipc_proc *p;
    int got;

    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    p = spawn_waiter(name, ctl_name, 1, -1);
    in_wait(c, ctl, 1);
    memset(&tw, 0, sizeof tw);
    tw.c = c;
    tw.timeout = 20000 * t_slow();
    CHECK_OK(xipc__thread_start(&th, thread_wait, &tw));
    while (atomic_load(&tw.phase) == 0)
        xipc_sleep_ms(1);
    CHECK_OK(xipc_condition_acquire(c, 20000)); /* the thread waits now */
    CHECK_OK(xipc_condition_release(c));
    CHECK_EQ(waiting_now(name), 2);
    xipc_sleep_ms(100);
    CHECK_EQ(atomic_load(&ctl->value[0]) + (atomic_load(&tw.phase) == 2), 0);

    /* The process waited first: the first notify wakes it. */
    CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
    CHECK_EQ(xipc_condition_notify(c, 1), 1);
    CHECK_OK(xipc_condition_release(c));
    woken_reach(ctl, 1, 10000);
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_EQ(atomic_load(&ctl->value[1]), 0);
    xipc_sleep_ms(100);
    CHECK_EQ(atomic_load(&tw.phase), 1); /* still waiting */
    CHECK_EQ(waiting_now(name), 1);

    CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
    CHECK_EQ(xipc_condition_notify(c, 1), 1);
    CHECK_OK(xipc_condition_release(c));
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_RC(tw.rc, 0);
    CHECK_EQ(tw.depth, 1);
    CHECK_EQ(waiting_now(name), 0);
    got = atomic_load(&ctl->flag[1]);
    CHECK_EQ(got, 2);
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* CPython's test_notify_n: notify(n) wakes exactly n of the waiters. */
int test_cond_notify_n(void)
{
    enum { W = 6 };
    const char *name = t_name("cnn"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_condition *c;
    xipc_proc *p[W];
    int k;

    CHECK_OK(xipc_condition_create(&c, name, XIPC_COND_LOCK, 0));
    for (k = 1; k <= W; k++) {
        p[k - 1] = spawn_waiter(name, ctl_name, k, -1);
        in_wait(c, ctl, k);
    }
    CHECK_EQ(waiting_now(name), W);
    CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
    CHECK_EQ(xipc_condition_notify(c, 2), 2);
    CHECK_OK(xipc_condition_release(c));
    woken_reach(ctl, 2, 10000);
    xipc_sleep_ms(200);
    CHECK_EQ(atomic_load(&ctl->value[0]), 2); /* exactly 2 */
    CHECK_EQ(waiting_now(name), W - 2);
    /* The oldest first. */
    CHECK_EQ(atomic_load(&ctl->flag[1]), 2);
    CHECK_EQ(atomic_load(&ctl->flag[2]), 2);
    CHECK_EQ(atomic_load(&ctl->flag[3]), 1);

    CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
    CHECK_EQ(xipc_condition_notify(c, 3), 3);
    CHECK_OK(xipc_condition_release(c));
    woken_reach(ctl, 5, 10000);
    xipc_sleep_ms(200);
    CHECK_EQ(atomic_load(&ctl->value[0]), 5);
    CHECK_EQ(waiting_now(name), 1);

    /* More than wait: all of them, and the count says how many. */
    CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
    CHECK_EQ(xipc_condition_notify(c, 10), 1);
    CHECK_EQ(xipc_condition_notify(c, 10), 0);
    CHECK_OK(xipc_condition_release(c));
    woken_reach(ctl, W, 10000);
    for (k = 0; k < W; k++) {
        CHECK_EQ(t_join(p[k], 20000), 0);
        CHECK_EQ(atomic_load(&ctl->value[k + 1]), 0);
    }
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* CPython's test_notify_all: waiters with a short timeout time out; then
 * notify_all wakes every waiter left. */
int test_cond_notify_all(void)
{
    enum { W = 6 };
    const char *name = t_name("cna"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_condition *c;
    xipc_proc *p[W];
    int k;

    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    /* Three with a timeout of 200 ms: they time out, holding the lock
     * again when they return. */
    for (k = 1; k <= 3; k++)
        p[k - 1] = spawn_waiter(name, ctl_name, k, 200);
    for (k = 1; k <= 3; k++) {
        CHECK_EQ(t_join(p[k - 1], 20000), 0);
        CHECK_RC((int)atomic_load(&ctl->value[k]), XIPC_ETIMEDOUT);
    }
    CHECK_EQ(atomic_load(&ctl->value[0]), 0);
    for (k = 4; k <= W; k++) {
        p[k - 1] = spawn_waiter(name, ctl_name, k, k == 4 ? -1 : 30000);
        in_wait(c, ctl, k);
    }
    CHECK_EQ(waiting_now(name), 3);
    CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
    CHECK_EQ(xipc_condition_notify_all(c), 3);
    CHECK_EQ(xipc_condition_notify_all(c), 0);
    CHECK_OK(xipc_condition_release(c));
    woken_reach(ctl, 3, 10000);
    for (k = 4; k <= W; k++) {
        CHECK_EQ(t_join(p[k - 1], 20000), 0);
        CHECK_EQ(atomic_load(&ctl->value[k]), 0);
    }
    CHECK_EQ(waiting_now(name), 0);
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* A thread that takes the lock while the test waits, maybe notifies one
 * waiter, and holds the lock for hold_ms or until flag[k] of ctl is 2. */
struct grabber {
    xipc_condition *c;
    int notify;
    int64_t hold_ms;
    t_ctl *ctl;
    int k;
    _Atomic int phase;
};

static int grab(void *arg)
{
    struct grabber *g = arg;
    int64_t end;

    if (xipc_condition_acquire(g->c, 20000 * t_slow()) != 0)
        return 1;
    if (g->notify && xipc_condition_notify(g->c, 1) != 1)
        return 2;
    atomic_store(&g->phase, 1);
    end = t_ms() + g->hold_ms;
    while (t_ms() < end &&
           (g->ctl == NULL || atomic_load(&g->ctl->flag[g->k]) != 2))
        xipc_sleep_ms(1);
    atomic_store(&g->phase, 2);
    return xipc_condition_release(g->c) != 0;
}

/* CPython's test_timeout, and one deadline for the sleep and the lock. */
int test_cond_wait_timeout(void)
{
    const char *name = t_name("cto"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    int64_t t0, el, bound = 500 * t_slow();
    struct grabber g;
    xipc__thread *th;
    xipc_condition *c;
    xipc_proc *p;
    int notify;

    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    CHECK_OK(xipc_condition_acquire(c, 0));
    t0 = t_ms();
    CHECK_RC(xipc_condition_wait(c, 250), XIPC_ETIMEDOUT);
    el = t_ms() - t0;
    CHECK(el >= 250);
    CHECK(el < 250 + bound);
    CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 1);

    /* Another thread holds the lock at the deadline: the wait returns on
     * time, without the lock - notified or not. */
    for (notify = 0; notify < 2; notify++) {
        memset(&g, 0, sizeof g);
        g.c = c;
        g.notify = notify;
        g.hold_ms = 20000 * t_slow();
        g.ctl = ctl;
        g.k = 3; /* it lets go once flag[3] is 2 */
        atomic_store(&ctl->flag[3], 0);
        CHECK_OK(xipc__thread_start(&th, grab, &g));
        t0 = t_ms();
        CHECK_RC(xipc_condition_wait(c, 300), XIPC_EBUSY);
        el = t_ms() - t0;
        CHECK(el >= 300);
        CHECK(el < 300 + bound);
        CHECK_EQ(atomic_load(&g.phase), 1);
        atomic_store(&ctl->flag[3], 2);
        CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 0);
        CHECK_EQ(xipc__thread_join(th), 0);
        CHECK_OK(xipc_condition_acquire(c, 0));
    }
    CHECK_EQ(waiting_now(name), 0);

    /* A waiter that gives up passes its notification on: the helper waits
     * first, this thread second; the grabber notifies one (the helper) and
     * holds the lock past the helper's deadline; the helper returns
     * XIPC_EBUSY and this thread gets the notification. */
    p = spawn_waiter(name, ctl_name, 1, 1000 + 200 * t_slow());
    CHECK_OK(xipc_condition_release(c));
    in_wait(c, ctl, 1);
    CHECK_OK(xipc_condition_acquire(c, 0));
    memset(&g, 0, sizeof g);
    g.c = c;
    g.notify = 1;
    g.hold_ms = 20000 * t_slow();
    g.ctl = ctl;
    g.k = 1;
    CHECK_OK(xipc__thread_start(&th, grab, &g));
    CHECK_OK(xipc_condition_wait(c, 30000 * t_slow()));
    CHECK_EQ(atomic_load(&g.phase), 2);
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_RC((int)atomic_load(&ctl->value[1]), XIPC_EBUSY);
    CHECK_OK(xipc_condition_release(c));
    CHECK_EQ(waiting_now(name), 0);
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Predicates for wait_for: state has reached want; counts calls and
 * checks that the lock is held at each. */
struct pred {
    xipc_condition *c;
    struct pc *p;
    int64_t want;
    int calls, unlocked, ret;
};

static int reached(void *arg)
{
    struct pred *q = arg;
    q->calls++;
    if (xipc_lock_count(xipc_condition_lock(q->c)) <= 0)
        q->unlocked++;
    if (q->ret != 0)
        return q->ret;
    return q->p->state >= q->want ? 7 : 0;
}

/* CPython's test_waitfor and test_waitfor_timeout. */
int test_cond_wait_for(void)
{
    const char *name = t_name("cwf"), *sname = t_name("cwfs");
    xipc_condition *c;
    xipc_shm *s;
    xipc_proc *p;
    struct pred q;
    int64_t t0, el;

    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    CHECK_OK(xipc_shm_create(&s, sname, sizeof(struct pc)));
    memset(&q, 0, sizeof q);
    q.c = c;
    q.p = xipc_shm_data(s);
    q.want = 4;
    CHECK_RC(xipc_condition_wait_for(c, reached, &q, 0), XIPC_EPERM);
    CHECK_EQ(q.calls, 0);
    CHECK_OK(xipc_condition_acquire(c, 0));
    CHECK_OK(xipc_condition_acquire(c, 0)); /* depth 2, given back */
    /* Already true: no wait. */
    q.want = 0;
    CHECK_EQ(xipc_condition_wait_for(c, reached, &q, 0), 7);
    CHECK_EQ(q.calls, 1);
    /* Without a timeout: true once a child has counted to 4. */
    q.want = 4;
    q.calls = 0;
    p = t_spawn("cond_counter", name, sname, NULL);
    CHECK_EQ(xipc_condition_wait_for(c, reached, &q, XIPC_FOREVER), 7);
    CHECK_EQ(q.p->state, 4);
    CHECK(q.calls >= 2 && q.calls <= 5);
    CHECK_EQ(q.unlocked, 0);
    CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 2);
    CHECK_EQ(t_join(p, 20000), 0);
    /* With a timeout that runs out: the predicate stays false. */
    q.want = 99;
    q.calls = 0;
    t0 = t_ms();
    CHECK_RC(xipc_condition_wait_for(c, reached, &q, 300), XIPC_ETIMEDOUT);
    el = t_ms() - t0;
    CHECK(el >= 300);
    CHECK(el < 300 + 500 * t_slow());
    CHECK(q.calls >= 2);
    CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 2);
    /* A timeout of 0: the predicate once, no wait. */
    q.calls = 0;
    CHECK_RC(xipc_condition_wait_for(c, reached, &q, 0), XIPC_ETIMEDOUT);
    CHECK_EQ(q.calls, 1);
    /* The predicate's own error ends the wait at once. */
    q.ret = -1000;
    CHECK_EQ(xipc_condition_wait_for(c, reached, &q, XIPC_FOREVER), -1000);
    CHECK_EQ(q.unlocked, 0);
    CHECK_OK(xipc_condition_release(c));
    CHECK_OK(xipc_condition_release(c));
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_condition_close(c));
    return 0;
}

/* wait gives back every level of an RLock (the notifier in another
 * process could not take the lock otherwise), and restores them. */
int test_cond_rlock_levels(void)
{
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_condition *c;
    xipc_proc *p;
    int flavour, i;

    for (flavour = 0; flavour < 2; flavour++) {
        const char *name = t_name("clev");
        int depth = flavour ? 1 : 3;
        CHECK_OK(
            xipc_condition_create(&c, name, flavour ? XIPC_COND_LOCK : 0, 0));
        for (i = 0; i < depth; i++)
            CHECK_OK(xipc_condition_acquire(c, 0));
        atomic_store(&ctl->flag[1], 1);
        atomic_store(&ctl->flag[2], 0);
        p = t_spawn("cond_notifier", name, ctl_name, "poke", NULL);
        CHECK_OK(xipc_condition_wait(c, 20000 * t_slow()));
        CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), depth);
        CHECK_EQ(atomic_load(&ctl->value[1]), 0);
        CHECK_EQ(atomic_load(&ctl->value[2]), 1);
        CHECK_EQ(t_join(p, 20000), 0);
        for (i = 0; i < depth; i++)
            CHECK_OK(xipc_condition_release(c));
        CHECK_RC(xipc_condition_release(c), XIPC_EPERM);
        CHECK_OK(xipc_condition_close(c));
    }
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* A full table refuses a wait, lock held and nothing changed; the entry
 * of a waiter that died is taken back when the table is full. */
int test_cond_table_full(void)
{
    const char *name = t_name("cfull"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_condition *c;
    xipc_proc *p[2];
    int k;

    CHECK_OK(xipc_condition_create(&c, name, 0, 2));
    for (k = 1; k <= 2; k++) {
        p[k - 1] = spawn_waiter(name, ctl_name, k, -1);
        in_wait(c, ctl, k);
    }
    CHECK_OK(xipc_condition_acquire(c, 0));
    CHECK_RC(xipc_condition_wait(c, 100), XIPC_ENOSPC);
    CHECK_RC(xipc_condition_wait(c, 0), XIPC_ENOSPC);
    CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 1);
    CHECK_RC(xipc_condition_wait_for(c, NULL, NULL, 0), XIPC_EINVAL);
    CHECK_EQ(waiting_now(name), 2);
    t_kill(p[0]);
    CHECK_EQ(waiting_now(name), 1);
    /* The dead waiter's entry is free again. */
    CHECK_RC(xipc_condition_wait(c, 100), XIPC_ETIMEDOUT);
    CHECK_RC(xipc_condition_wait(c, 0), XIPC_ETIMEDOUT);
    CHECK_EQ(xipc_condition_notify_all(c), 1);
    CHECK_OK(xipc_condition_release(c));
    CHECK_EQ(t_join(p[1], 20000), 0);
    CHECK_EQ(atomic_load(&ctl->value[2]), 0);
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- kill trials --------------------------------------------------------- */

/* One trial: waiters A (k = 1, the older) and B (k = 2) wait; A is killed
 * before (before != 0) or after it is notified, by a notify(1) that chooses
 * it (the oldest); B must get the notification. Returns how long B took
 * after the notify was released, in ms. */
static int64_t waiter_trial(const char *name, int before)
{
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_condition *c;
    xipc_proc *a, *b;
    int64_t t0, took;

    CHECK_OK(xipc_condition_open(&c, name));
    a = spawn_waiter(name, ctl_name, 1, -1);
    in_wait(c, ctl, 1);
    b = spawn_waiter(name, ctl_name, 2, -1);
    in_wait(c, ctl, 2);
    if (before)
        t_kill(a);
    CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
    CHECK_EQ(xipc_condition_notify(c, 1), 1);
    if (!before)
        t_kill(a); /* notified, never to hold the lock again */
    t0 = t_ms();
    CHECK_OK(xipc_condition_release(c));
    CHECK_EQ(t_join(b, 20000), 0);
    took = t_ms() - t0;
    CHECK_EQ(atomic_load(&ctl->value[2]), 0);
    CHECK_EQ(atomic_load(&ctl->value[0]), 1);
    CHECK_EQ(waiting_now(name), 0);
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return took;
}

int test_cond_waiter_killed_trials(void)
{
    char name[XIPC_NAME_MAX + 1];
    int trials = t_slow() > 1 ? 10 : 100, i, before;
    int64_t worst[2] = {0, 0}, took;
    xipc_condition *c;

    snprintf(name, sizeof name, "%s", t_name("ckill"));
    CHECK_OK(xipc_condition_create(&c, name, 0, 4));
    for (before = 0; before < 2; before++) {
        for (i = 0; i < trials; i++) {
            took = waiter_trial(name, before);
            if (took > worst[before])
                worst[before] = took;
        }
    }
    printf("%d trials each: the live waiter got the notify of one killed "
           "after it was notified within %lld ms, of one killed while it "
           "waited within %lld ms\n",
           trials, (long long)worst[0], (long long)worst[1]);
    CHECK(worst[0] < 2000 * t_slow() && worst[1] < 2000 * t_slow());
    CHECK_OK(xipc_condition_close(c));
    return 0;
}

struct killer {
    xipc_proc *victim;
    t_ctl *ctl;
};

/* Kills the notifier once it has notified and holds the lock. */
static int kill_notifier(void *arg)
{
    struct killer *k = arg;
    t_ctl_wait(k->ctl, 2, 1, 20000);
    return xipc_proc_kill(k->victim);
}

int test_cond_notifier_killed_trials(void)
{
    char name[XIPC_NAME_MAX + 1];
    int trials = t_slow() > 1 ? 10 : 100, i, rc;
    xipc_condition *c;
    xipc__thread *th;
    struct killer k;
    int64_t t0;

    snprintf(name, sizeof name, "%s", t_name("cnkill"));
    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    for (i = 0; i < trials; i++) {
        const char *ctl_name;
        xipc_shm *cs;
        t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
        /* Odd trials: the notifier dies holding the lock without having
         * notified; the waiter times out and is told too. */
        int notify = i % 2 == 0;

        CHECK_OK(xipc_condition_acquire(c, XIPC_FOREVER));
        CHECK_OK(xipc_condition_acquire(c, 0)); /* an RLock, depth 2 */
        k.victim = t_spawn("cond_notifier", name, ctl_name,
                           notify ? "notify" : "hold", NULL);
        k.ctl = ctl;
        atomic_store(&ctl->flag[1], 1);
        CHECK_OK(xipc__thread_start(&th, kill_notifier, &k));
        t0 = t_ms();
        rc = xipc_condition_wait(c, notify ? 30000 * t_slow() : 400 * t_slow());
        CHECK_RC(rc, XIPC_EOWNERDEAD);
        CHECK(t_ms() - t0 < (notify ? 5000 : 2000) * t_slow());
        CHECK_EQ(xipc_lock_count(xipc_condition_lock(c)), 2);
        CHECK_EQ(xipc__thread_join(th), 0);
        CHECK_EQ(atomic_load(&ctl->value[1]), 0);
        if (notify)
            CHECK_EQ(atomic_load(&ctl->value[2]), 1);
        CHECK_OK(xipc_lock_consistent(xipc_condition_lock(c)));
        CHECK_OK(xipc_condition_release(c));
        CHECK_OK(xipc_condition_release(c));
        CHECK_EQ(t_join(k.victim, 20000), XIPC_PROC_KILLED);
        CHECK_OK(xipc_shm_close(cs));
    }
    printf("%d notifiers killed holding the lock: every waiter was told\n",
           trials);
    CHECK_EQ(waiting_now(name), 0);
    CHECK_OK(xipc_condition_close(c));
    return 0;
}

/* ---- damaged words --------------------------------------------------------
 */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A slot word an honest table could almost hold. */
static uint64_t slot_word(uint64_t me)
{
    uint64_t party;

    switch (rnd() % 6) {
    case 0:
        party = me;
        break;
    case 1:
        party = (me & ~(uint64_t)0xffffffffu) | (rnd() & 0xff);
        break;
    case 2:
        party = rnd() % 4;
        break;
    case 3:
        party = XIPC__PARTY_DEAD;
        break;
    case 4:
        return rnd() % 2 ? 0 : rnd();
    default:
        party = rnd() >> 2;
    }
    return party << 2 | (rnd() & 3);
}

#define TIMED(call, timeout)                                                   \
    do {                                                                       \
        int64_t t0_ = t_ms();                                                  \
        (void)(call);                                                          \
        if (t_ms() - t0_ > (timeout) + 250 * t_slow())                         \
            t_fail(__FILE__, __LINE__, "%s took %lld ms", #call,               \
                   (long long)(t_ms() - t0_));                                 \
    } while (0)

static int never(void *arg)
{
    (void)arg;
    return 0;
}

/* Every operation, with short timeouts: none may crash or overrun. */
static void exercise(xipc_condition *c)
{
    xipc_lock *l = xipc_condition_lock(c);
    int rc;

    TIMED(rc = xipc_condition_acquire(c, 20), 20);
    if (rc == 0 || rc == XIPC_EOWNERDEAD) {
        if (rc == XIPC_EOWNERDEAD)
            xipc_lock_consistent(l);
        TIMED(xipc_condition_notify(c, 1), 0);
        TIMED(xipc_condition_notify(c, 3), 0);
        TIMED(rc = xipc_condition_wait(c, 20), 20);
        if (xipc_lock_count(l) > 0) {
            TIMED(xipc_condition_notify_all(c), 0);
            TIMED(xipc_condition_wait_for(c, never, NULL, 20), 20);
        }
        if (xipc_lock_count(l) > 0 &&
            xipc_condition_release(c) == XIPC_ENOTRECOVERABLE)
            return;
        while (xipc_lock_count(l) > 0)
            if (xipc_condition_release(c) != 0)
                break;
    }
    TIMED(xipc_condition_wait(c, 0), 0);
}

int test_cond_damaged_fuzz(void)
{
    unsigned char *mx, *words, *table;
    unsigned char good_words[64], good_mx[64];
    uint64_t tb, me, w[8];
    xipc_condition *a, *b;
    xipc_info in;
    unsigned i, j, n = t_slow() > 1 ? 40 : 200;
    int rc, opened = 0, refused = 0;
    const char *name = t_name("cfuzz");

    CHECK_OK(xipc_condition_create(&a, name, 0, 8));
    xipc__condition_parts(a, &mx, &words, &table, &tb);
    CHECK_EQ(tb, 8 * 16);
    memcpy(good_words, words, 64);
    memcpy(good_mx, mx, 64);
    CHECK_OK(xipc__party_self(xipc__condition_seg(a), &me));
    for (i = 0; i < n; i++) {
        /* The table: every slot some word, tickets anything. */
        for (j = 0; j < 8; j++) {
            w[0] = slot_word(me);
            w[1] = rnd() % 3 ? rnd() % 16 : rnd();
            memcpy(table + 16 * j, w, 16);
        }
        /* The words: the hint and the ticket often, the rest sometimes. */
        memcpy(words, good_words, 64);
        w[0] = rnd() % 3 ? rnd() % 12 : rnd();
        memcpy(words + 12, w, 4);
        w[0] = rnd();
        memcpy(words + 16, w, 8);
        if (i % 5 == 4) {
            w[0] = rnd() % 4 == 0 ? rnd() : rnd() % 12;
            memcpy(words + 8, w, 4);
            w[0] = rnd() % 3;
            memcpy(words + 4, w, 4);
        }
        if (i % 7 == 6) {
            for (j = 0; j < 8; j++)
                w[j] = rnd();
            memcpy(mx, w, 64);
            if (i % 2)
                memcpy(mx + 16, good_mx + 16, 8); /* the magic, the kind */
        }
        rc = xipc_stat(name, &in);
        CHECK(rc == 0 || rc == XIPC_ECORRUPT);
        rc = xipc_condition_open(&b, name);
        if (rc == 0) {
            opened++;
            exercise(b);
        } else {
            CHECK_RC(rc, XIPC_ECORRUPT);
            refused++;
        }
        exercise(a);
        memcpy(mx, good_mx, 64);
        memcpy(words, good_words, 64);
        memset(table, 0, 8 * 16);
        if (rc == 0)
            CHECK_OK(xipc_condition_close(b));
    }
    /* Healthy again once the bytes are. */
    CHECK_OK(xipc_condition_acquire(a, 0));
    CHECK_RC(xipc_condition_wait(a, 10), XIPC_ETIMEDOUT);
    CHECK_OK(xipc_condition_release(a));
    CHECK_OK(xipc_condition_close(a));
    printf("%u patterns: %d opens went through, %d refused\n", n, opened,
           refused);
    CHECK(opened > 0 && refused > 0);
    return 0;
}

/* A waiter whose own entry is overwritten while it waits returns an error
 * within its timeout, never hangs. */
int test_cond_slot_overwritten(void)
{
    const char *name = t_name("cover");
    unsigned char *mx, *words, *table;
    struct twaiter tw;
    xipc__thread *th;
    xipc_condition *c;
    uint64_t tb, junk;
    int64_t t0;
    int trial;

    CHECK_OK(xipc_condition_create(&c, name, 0, 4));
    xipc__condition_parts(c, &mx, &words, &table, &tb);
    for (trial = 0; trial < 4; trial++) {
        memset(&tw, 0, sizeof tw);
        tw.c = c;
        tw.timeout = 2000 * t_slow();
        CHECK_OK(xipc__thread_start(&th, thread_wait, &tw));
        while (atomic_load(&tw.phase) == 0)
            xipc_sleep_ms(1);
        CHECK_OK(xipc_condition_acquire(c, 20000));
        CHECK_OK(xipc_condition_release(c));
        junk = trial == 0 ? 0 : trial == 1 ? 5 : trial == 2 ? ~(uint64_t)0 : 6;
        memcpy(table, &junk, 8); /* slot 0: the waiter's */
        t0 = t_ms();
        CHECK_EQ(xipc__thread_join(th), 0);
        CHECK(t_ms() - t0 < 2000 * t_slow() + 500);
        CHECK_RC(tw.rc, XIPC_ECORRUPT);
        CHECK_EQ(tw.depth, 1);
        memset(table, 0, tb);
    }
    CHECK_OK(xipc_condition_close(c));
    return 0;
}

/* ---- stress ---------------------------------------------------------------
 */

/* Producers and consumers in separate processes share a bounded buffer
 * under one Condition: every item is taken exactly once. */
int test_cond_producer_consumer(void)
{
    enum { P = 3, C = 3 };
    const char *name = t_name("cpc"), *sname = t_name("cpcs");
    int64_t per = t_slow() > 1 ? 300 : 3000;
    char ns[24], ids[8];
    xipc_condition *c;
    xipc_proc *p[P + C];
    xipc_shm *s;
    struct pc *q;
    int i;

    CHECK_OK(xipc_condition_create(&c, name, 0, 0));
    CHECK_OK(xipc_shm_create(&s, sname, sizeof(struct pc)));
    q = xipc_shm_data(s);
    q->total = P * per;
    snprintf(ns, sizeof ns, "%lld", (long long)per);
    for (i = 0; i < P + C; i++) {
        snprintf(ids, sizeof ids, "%d", i + 1);
        p[i] = t_spawn("cond_pc", name, sname, i < P ? "put" : "take", ns, ids,
                       NULL);
    }
    for (i = 0; i < P + C; i++)
        CHECK_EQ(t_join(p[i], 120000), 0);
    CHECK_EQ(q->taken, P * per);
    CHECK_EQ(q->count, 0);
    CHECK_EQ(q->sum_in, q->sum_out);
    printf("%d producers, %d consumers: %lld items, each taken once\n", P, C,
           (long long)q->taken);
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_condition_close(c));
    return 0;
}

/* ---- what xipc_stat and the tool say ------------------------------------- */

static int cli(char out[4096], const char *a1, const char *a2)
{
    char *argv[4];
    FILE *fo = tmpfile(), *fe = tmpfile();
    size_t n;
    int rc;

    CHECK(fo != NULL && fe != NULL);
    argv[0] = "xipc";
    argv[1] = (char *)a1;
    argv[2] = (char *)a2;
    argv[3] = NULL;
    rc = xipc_cli(3, argv, fo, fe);
    rewind(fo);
    n = fread(out, 1, 4095, fo);
    out[n] = '\0';
    fclose(fo);
    fclose(fe);
    return rc;
}

int test_cond_info(void)
{
    const char *name = t_name("cinfo"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    char out[4096], want[128];
    xipc_condition *c;
    xipc_info in;
    xipc_proc *p;

    CHECK_OK(xipc_condition_create(&c, name, XIPC_COND_LOCK, 16));
    CHECK_STR(xipc_kind_name(XIPC_KIND_CONDITION), "condition");
    p = spawn_waiter(name, ctl_name, 1, -1);
    in_wait(c, ctl, 1);
    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.kind, XIPC_KIND_CONDITION);
    CHECK_EQ(in.holder, 0);
    CHECK_EQ(in.waiting, 1);
    CHECK_EQ(in.size, 16 * 16);
    CHECK_STR(in.state, "free (lock), 1 waiting (room for 16)");
    CHECK_EQ(cli(out, "info", name), 0);
    CHECK(strstr(out, "kind:     condition\n") != NULL);
    CHECK(strstr(out, "lock:     free\n") != NULL);
    CHECK(strstr(out, "waiting:  1\n") != NULL);
    CHECK_OK(xipc_condition_acquire(c, 0));
    CHECK_OK(xipc_stat(name, &in));
    CHECK(in.holder > 0);
    CHECK_EQ(in.holder_pid, xipc_getpid());
    CHECK_EQ(cli(out, "info", name), 0);
    snprintf(want, sizeof want, "of process %lld\n", (long long)xipc_getpid());
    CHECK(strstr(out, "lock:     held by thread ") != NULL);
    CHECK(strstr(out, want) != NULL);
    CHECK_EQ(cli(out, "ls", t_prefix()), 0);
    CHECK(strstr(out, "condition") != NULL);
    CHECK_EQ(xipc_condition_notify_all(c), 1);
    CHECK_OK(xipc_condition_release(c));
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.waiting, 0);
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
