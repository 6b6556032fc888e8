/*
 * test_lock.c - Lock and RLock: owner checks, recursion, timeouts, threads
 * and processes contending, and the robust contract when a holder dies.
 */
#include "test.h"

#include <stdlib.h>

/* What a protected pair looks like: the invariant is a == b. */
typedef struct pair {
    volatile int64_t a, b;
    volatile int64_t counter;
} pair;

/* Helper: opens lock argv[1] (argv[2] "r" for an RLock), acquires it, sets
 * flag 0 of control block argv[3], then:
 *  argv[4] "half":  writes half of the pair in object argv[5] (a = a + 1)
 *                   and waits to be killed;
 *  argv[4] "hold":  holds until flag 15, then releases;
 *  argv[4] "exit":  ends the process at once, still holding. */
int helper_lock_holder(int argc, char **argv)
{
    xipc_lock *l;
    xipc_shm *cs, *ps = NULL;
    t_ctl *ctl;
    int64_t end = t_ms() + T_HELPER_MAX_MS;

    HCHECK(argc >= 5);
    HCHECK((ctl = t_ctl_open(argv[3], &cs)) != NULL);
    HCHECK(xipc_lock_open(&l, argv[1], strcmp(argv[2], "r") == 0) == 0);
    if (argc >= 6)
        HCHECK(xipc_shm_open(&ps, argv[5], XIPC_RDWR) == 0);
    {
        int rc = xipc_lock_acquire(l, XIPC_FOREVER);
        HCHECK(rc == 0 || rc == XIPC_EOWNERDEAD);
        atomic_store(&ctl->value[0], rc);
    }
    if (strcmp(argv[4], "half") == 0) {
        pair *p = xipc_shm_data(ps);
        p->a = p->a + 1; /* b is not updated: the invariant is broken */
    }
    atomic_store(&ctl->flag[0], 1);
    if (strcmp(argv[4], "exit") == 0)
        xipc__sys_die(0);
    while (atomic_load(&ctl->flag[15]) == 0 && t_ms() < end)
        xipc_sleep_ms(1);
    HCHECK(xipc_lock_release(l) == 0);
    xipc_lock_close(l);
    if (ps)
        xipc_shm_close(ps);
    xipc_shm_close(cs);
    return 0;
}

/* Helper: argv[3] times, acquires lock argv[1] and increments the counter
 * of the pair in object argv[2]. */
int helper_lock_counter(int argc, char **argv)
{
    xipc_lock *l;
    xipc_shm *ps;
    pair *p;
    long i, n;

    HCHECK(argc == 4);
    n = atol(argv[3]);
    HCHECK(xipc_lock_open(&l, argv[1], 0) == 0);
    HCHECK(xipc_shm_open(&ps, argv[2], XIPC_RDWR) == 0);
    p = xipc_shm_data(ps);
    for (i = 0; i < n; i++) {
        HCHECK(xipc_lock_acquire(l, XIPC_FOREVER) == 0);
        p->counter = p->counter + 1;
        HCHECK(xipc_lock_release(l) == 0);
    }
    xipc_shm_close(ps);
    HCHECK(xipc_lock_close(l) == 0);
    return 0;
}

/* Helper: tries lock argv[1] (an RLock if argv[2] is "r") once and exits
 * with 100 + its return code (100 for success). */
int helper_lock_try(int argc, char **argv)
{
    xipc_lock *l;
    int rc;

    HCHECK(argc == 3);
    HCHECK(xipc_lock_open(&l, argv[1], strcmp(argv[2], "r") == 0) == 0);
    rc = xipc_lock_acquire(l, 0);
    if (rc == 0 || rc == XIPC_EOWNERDEAD)
        xipc_lock_release(l);
    xipc_lock_close(l);
    return 100 + rc;
}

int test_lock_basic(void)
{
    const char *name = t_name("lock");
    xipc_lock *a, *b;

    CHECK_OK(xipc_lock_create(&a, name, 0));
    CHECK_STR(xipc_lock_name(a), name);
    CHECK_OK(xipc_lock_open(&b, name, 0));
    CHECK_EQ(xipc_lock_count(a), 0);
    CHECK_OK(xipc_lock_acquire(a, XIPC_FOREVER));
    CHECK_EQ(xipc_lock_count(a), 1);
    CHECK_EQ(xipc_lock_count(b), 1); /* the same lock, held by this thread */
    CHECK_OK(xipc_lock_release(b));  /* any handle of the owner releases */
    CHECK_OK(xipc_lock_acquire(b, 0));
    CHECK_OK(xipc_lock_release(b));
    CHECK_OK(xipc_lock_acquire(a, 100));
    CHECK_OK(xipc_lock_release(a));
    CHECK_OK(xipc_lock_close(b));
    CHECK_OK(xipc_lock_close(a));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

int test_lock_edeadlk_and_eperm(void)
{
    const char *name = t_name("dead");
    xipc_lock *l;

    CHECK_OK(xipc_lock_create(&l, name, 0));
    CHECK_RC(xipc_lock_release(l), XIPC_EPERM); /* not held at all */
    CHECK_OK(xipc_lock_acquire(l, XIPC_FOREVER));
    CHECK_RC(xipc_lock_acquire(l, 0), XIPC_EDEADLK);
    CHECK_RC(xipc_lock_acquire(l, 50), XIPC_EDEADLK);
    CHECK_RC(xipc_lock_acquire(l, XIPC_FOREVER), XIPC_EDEADLK);
    CHECK_EQ(xipc_lock_count(l), 1);
    CHECK_RC(xipc_lock_close(l), XIPC_EBUSY); /* held through this handle */
    CHECK_OK(xipc_lock_release(l));
    CHECK_RC(xipc_lock_release(l), XIPC_EPERM);
    CHECK_RC(xipc_lock_consistent(l), XIPC_EPERM); /* not held */
    CHECK_OK(xipc_lock_acquire(l, 0));
    CHECK_RC(xipc_lock_consistent(l), XIPC_EINVAL); /* nobody died */
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_lock_close(l));
    return 0;
}

int test_lock_eperm_other_process(void)
{
    const char *name = t_name("eperm"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_lock *l;
    xipc_proc *p;

    CHECK_OK(xipc_lock_create(&l, name, 0));
    p = t_spawn("lock_holder", name, "-", ctl_name, "hold", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    CHECK_RC(xipc_lock_release(l), XIPC_EPERM);
    CHECK_RC(xipc_lock_consistent(l), XIPC_EPERM);
    CHECK_RC(xipc_lock_acquire(l, 0), XIPC_ETIMEDOUT);
    CHECK_EQ(xipc_lock_count(l), 0);
    atomic_store(&ctl->flag[15], 1);
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_OK(xipc_lock_acquire(l, 0));
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_rlock_counting(void)
{
    const char *name = t_name("rlock");
    xipc_lock *r;
    int i;

    CHECK_OK(xipc_lock_create(&r, name, 1));
    for (i = 1; i <= 5; i++) {
        CHECK_OK(xipc_lock_acquire(r, i % 2 ? 0 : XIPC_FOREVER));
        CHECK_EQ(xipc_lock_count(r), i);
    }
    /* Another process cannot take it until every level is released. */
    for (i = 5; i >= 1; i--) {
        CHECK_EQ(t_join(t_spawn("lock_try", name, "r", NULL), 20000),
                 100 + XIPC_ETIMEDOUT);
        CHECK_OK(xipc_lock_release(r));
        CHECK_EQ(xipc_lock_count(r), i - 1);
    }
    CHECK_RC(xipc_lock_release(r), XIPC_EPERM);
    CHECK_OK(xipc_lock_close(r));
    return 0;
}

/* Thread body: holds `l` for 300 ms, counting in *(int *) the phases. */
struct thread_arg {
    xipc_lock *lock;
    _Atomic int phase;
    int result;
};

static int hold_briefly(void *p)
{
    struct thread_arg *t = p;
    if (xipc_lock_acquire(t->lock, XIPC_FOREVER) != 0)
        return 1;
    atomic_store(&t->phase, 1);
    xipc_sleep_ms(300);
    atomic_store(&t->phase, 2);
    return xipc_lock_release(t->lock) != 0;
}

int test_rlock_other_holder_waits(void)
{
    const char *name = t_name("rwait");
    struct thread_arg t;
    xipc__thread *th;
    xipc_lock *r;
    int64_t t0;

    CHECK_OK(xipc_lock_create(&r, name, 1));
    memset(&t, 0, sizeof t);
    t.lock = r;
    CHECK_OK(xipc__thread_start(&th, hold_briefly, &t));
    while (atomic_load(&t.phase) == 0)
        xipc_sleep_ms(1);
    /* Held by another thread: no recursion for us, we wait. */
    CHECK_RC(xipc_lock_acquire(r, 0), XIPC_ETIMEDOUT);
    CHECK_EQ(xipc_lock_count(r), 0);
    CHECK_RC(xipc_lock_release(r), XIPC_EPERM);
    t0 = t_ms();
    CHECK_OK(xipc_lock_acquire(r, 10000 * t_slow()));
    CHECK_EQ(atomic_load(&t.phase), 2);
    CHECK(t_ms() - t0 < 10000LL * t_slow());
    CHECK_OK(xipc_lock_acquire(r, 0));
    CHECK_EQ(xipc_lock_count(r), 2);
    CHECK_OK(xipc_lock_release(r));
    CHECK_OK(xipc_lock_release(r));
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_OK(xipc_lock_close(r));
    return 0;
}

int test_lock_timeouts(void)
{
    const char *name = t_name("timeo"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_lock *l;
    xipc_proc *p;
    int64_t t0, el;

    CHECK_OK(xipc_lock_create(&l, name, 0));
    p = t_spawn("lock_holder", name, "-", ctl_name, "hold", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    t0 = t_ms();
    CHECK_RC(xipc_lock_acquire(l, 0), XIPC_ETIMEDOUT);
    CHECK(t_ms() - t0 < 1000LL * t_slow()); /* a try does not wait */
    t0 = t_ms();
    CHECK_RC(xipc_lock_acquire(l, 250), XIPC_ETIMEDOUT);
    el = t_ms() - t0;
    CHECK(el >= 250); /* never early */
    CHECK(el < 250 + 500LL * t_slow()); /* nor much late */
    /* Released while we wait: we get it well before the timeout. */
    atomic_store(&ctl->flag[15], 1);
    t0 = t_ms();
    CHECK_OK(xipc_lock_acquire(l, 30000));
    CHECK(t_ms() - t0 < 30000);
    CHECK_OK(xipc_lock_release(l));
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_lock_kind_checks(void)
{
    const char *lname = t_name("klock"), *sname = t_name("kshm");
    xipc_lock *l, *x = NULL;
    xipc_shm *s, *y = NULL;

    CHECK_OK(xipc_lock_create(&l, lname, 0));
    CHECK_OK(xipc_shm_create(&s, sname, 64));
    CHECK_RC(xipc_lock_open(&x, lname, 1), XIPC_EKIND);
    CHECK_RC(xipc_lock_open(&x, sname, 0), XIPC_EKIND);
    CHECK_RC(xipc_shm_open(&y, lname, XIPC_RDWR), XIPC_EKIND);
    CHECK_RC(xipc_lock_create(&x, lname, 1), XIPC_EEXIST);
    CHECK_RC(xipc_lock_create(&x, sname, 0), XIPC_EEXIST);
    CHECK_RC(xipc_lock_open(&x, t_name("nolock"), 0), XIPC_ENOENT);
    CHECK_RC(xipc_lock_open(&x, "bad/name", 0), XIPC_EINVAL);
    CHECK_RC(xipc_lock_create(&x, t_name("r2"), 2), XIPC_EINVAL);
    CHECK_RC(xipc_lock_create(NULL, t_name("r3"), 0), XIPC_EINVAL);
    CHECK(x == NULL && y == NULL);
    CHECK_RC(xipc_lock_acquire(NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_lock_release(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_lock_consistent(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_lock_count(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_lock_close(NULL), XIPC_EINVAL);
    /* A damaged header is refused before the mutex is touched. */
    {
        xipc__hdr *h = xipc__seg_base(xipc__lock_seg(l));
        h->version = 99;
        CHECK_RC(xipc_lock_open(&x, lname, 0), XIPC_EVERSION);
        h->version = XIPC__LAYOUT_VERSION;
    }
    CHECK_OK(xipc_lock_open(&x, lname, 0));
    CHECK_OK(xipc_lock_close(x));
    CHECK_OK(xipc_lock_unlink(lname));
    CHECK_RC(xipc_lock_open(&x, lname, 0), XIPC_ENOENT);
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(s));
    return 0;
}

int test_lock_contended_counter(void)
{
    enum { P = 4 };
    const char *name = t_name("count"), *pname = t_name("pair");
    long per = t_slow() > 1 ? 5000 : 100000;
    char n[16];
    xipc_lock *l;
    xipc_shm *ps;
    xipc_proc *p[P];
    int i;

    snprintf(n, sizeof n, "%ld", per);
    CHECK_OK(xipc_lock_create(&l, name, 0));
    CHECK_OK(xipc_shm_create(&ps, pname, sizeof(pair)));
    for (i = 0; i < P; i++)
        p[i] = t_spawn("lock_counter", name, pname, n, NULL);
    for (i = 0; i < P; i++)
        CHECK_EQ(t_join(p[i], 120000), 0);
    CHECK_EQ(((pair *)xipc_shm_data(ps))->counter, P * per);
    printf("%d processes x %ld increments: %lld\n", P, per,
           (long long)((pair *)xipc_shm_data(ps))->counter);
    CHECK_OK(xipc_shm_close(ps));
    CHECK_OK(xipc_lock_close(l));
    return 0;
}

struct count_arg {
    xipc_lock *lock;
    pair *p;
    long n;
};

static int count_in_thread(void *v)
{
    struct count_arg *c = v;
    long i;
    for (i = 0; i < c->n; i++) {
        if (xipc_lock_acquire(c->lock, XIPC_FOREVER) != 0)
            return 1;
        c->p->counter = c->p->counter + 1;
        if (xipc_lock_release(c->lock) != 0)
            return 2;
    }
    return 0;
}

int test_lock_threads_contend(void)
{
    const char *name = t_name("thr"), *pname = t_name("tpair");
    struct count_arg c[2];
    xipc__thread *th[2];
    xipc_lock *l[2];
    xipc_shm *ps;
    long per = t_slow() > 1 ? 20000 : 200000;
    int i;

    CHECK_OK(xipc_lock_create(&l[0], name, 0));
    CHECK_OK(xipc_lock_open(&l[1], name, 0));
    CHECK_OK(xipc_shm_create(&ps, pname, sizeof(pair)));
    for (i = 0; i < 2; i++) {
        /* One thread uses each handle: two handles, one lock. */
        c[i].lock = l[i];
        c[i].p = xipc_shm_data(ps);
        c[i].n = per;
        CHECK_OK(xipc__thread_start(&th[i], count_in_thread, &c[i]));
    }
    for (i = 0; i < 2; i++)
        CHECK_EQ(xipc__thread_join(th[i]), 0);
    CHECK_EQ(((pair *)xipc_shm_data(ps))->counter, 2 * per);
    CHECK_OK(xipc_shm_close(ps));
    CHECK_OK(xipc_lock_close(l[1]));
    CHECK_OK(xipc_lock_close(l[0]));
    return 0;
}

/* One owner-death trial: a child takes the lock, breaks the invariant and
 * is killed (or exits) inside the critical section; we must get the lock
 * with EOWNERDEAD, find the damage, repair it and carry on. */
static void death_trial(xipc_lock *l, const char *name, const char *pname,
                        pair *p, const char *how)
{
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *c = t_spawn("lock_holder", name, "-", ctl_name, how, pname,
                           NULL);

    t_ctl_wait(ctl, 0, 1, 20000);
    if (strcmp(how, "exit") == 0)
        CHECK_EQ(t_join(c, 20000), 0);
    else
        t_kill(c);
    CHECK_RC(xipc_lock_acquire(l, 10000 * t_slow()), XIPC_EOWNERDEAD);
    CHECK_EQ(xipc_lock_count(l), 1);
    CHECK_EQ(p->a, p->b + 1); /* the half-done update is visible */
    p->b = p->a;              /* repair */
    CHECK_OK(xipc_lock_consistent(l));
    CHECK_RC(xipc_lock_consistent(l), XIPC_EINVAL);
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_lock_acquire(l, 0)); /* healthy again */
    CHECK_EQ(p->a, p->b);
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_shm_close(cs));
}

int test_lock_owner_killed_trials(void)
{
    char name[XIPC_NAME_MAX + 1], pname[XIPC_NAME_MAX + 1];
    int trials = t_slow() > 1 ? 20 : 200, i;
    xipc_lock *l;
    xipc_shm *ps;
    pair *p;

    /* Copies: every trial takes fresh names from t_name's ring. */
    snprintf(name, sizeof name, "%s", t_name("kill"));
    snprintf(pname, sizeof pname, "%s", t_name("kpair"));
    CHECK_OK(xipc_lock_create(&l, name, 0));
    CHECK_OK(xipc_shm_create(&ps, pname, sizeof(pair)));
    p = xipc_shm_data(ps);
    for (i = 0; i < trials; i++)
        death_trial(l, name, pname, p, "half");
    CHECK_EQ(p->a, trials);
    CHECK_EQ(p->b, trials);
    printf("%d kill trials: every one recovered\n", trials);
    CHECK_OK(xipc_shm_close(ps));
    CHECK_OK(xipc_lock_close(l));
    return 0;
}

int test_lock_owner_exit_holding(void)
{
    const char *name = t_name("exitl"), *pname = t_name("epair");
    xipc_lock *l;
    xipc_shm *ps;
    pair *p;

    CHECK_OK(xipc_lock_create(&l, name, 0));
    CHECK_OK(xipc_shm_create(&ps, pname, sizeof(pair)));
    p = xipc_shm_data(ps);
    p->a = 1; /* as if the holder had done half its update */
    death_trial(l, name, pname, p, "exit");
    CHECK_OK(xipc_shm_close(ps));
    CHECK_OK(xipc_lock_close(l));
    return 0;
}

struct killer {
    xipc_proc *victim;
    int64_t killed_at;
};

static int kill_later(void *v)
{
    struct killer *k = v;
    xipc_sleep_ms(300);
    k->killed_at = t_ms();
    return xipc_proc_kill(k->victim);
}

int test_lock_waiter_woken_by_death(void)
{
    const char *name = t_name("wake"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    struct killer k;
    xipc__thread *th;
    xipc_lock *l;
    int64_t woke;

    CHECK_OK(xipc_lock_create(&l, name, 0));
    k.victim = t_spawn("lock_holder", name, "-", ctl_name, "hold", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    /* We block forever; another thread kills the holder meanwhile. */
    CHECK_OK(xipc__thread_start(&th, kill_later, &k));
    CHECK_RC(xipc_lock_acquire(l, XIPC_FOREVER), XIPC_EOWNERDEAD);
    woke = t_ms();
    CHECK_EQ(xipc__thread_join(th), 0);
    printf("woken %lld ms after the holder was killed\n",
           (long long)(woke - k.killed_at));
    CHECK(woke - k.killed_at < 1000);
    CHECK_OK(xipc_lock_consistent(l));
    CHECK_OK(xipc_lock_release(l));
    CHECK_EQ(t_join(k.victim, 10000), XIPC_PROC_KILLED);
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

static int acquire_forever(void *v)
{
    struct thread_arg *t = v;
    atomic_store(&t->phase, 1);
    t->result = xipc_lock_acquire(t->lock, XIPC_FOREVER);
    atomic_store(&t->phase, 2);
    return 0;
}

int test_lock_not_recoverable(void)
{
    const char *name = t_name("norec"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    struct thread_arg t;
    xipc__thread *th;
    xipc_lock *l, *l2;
    xipc_proc *p;

    CHECK_OK(xipc_lock_create(&l, name, 0));
    CHECK_OK(xipc_lock_open(&l2, name, 0));
    p = t_spawn("lock_holder", name, "-", ctl_name, "hold", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    t_kill(p);
    CHECK_RC(xipc_lock_acquire(l, 10000 * t_slow()), XIPC_EOWNERDEAD);
    /* A second thread queues up behind us... */
    memset(&t, 0, sizeof t);
    t.lock = l2;
    CHECK_OK(xipc__thread_start(&th, acquire_forever, &t));
    while (atomic_load(&t.phase) == 0)
        xipc_sleep_ms(1);
    xipc_sleep_ms(100);
    CHECK_EQ(atomic_load(&t.phase), 1);
    /* ...and we give up without repairing: the lock is lost for good. */
    CHECK_OK(xipc_lock_release(l));
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_RC(t.result, XIPC_ENOTRECOVERABLE); /* the waiter is told */
    CHECK_RC(xipc_lock_acquire(l, 0), XIPC_ENOTRECOVERABLE);
    CHECK_RC(xipc_lock_acquire(l, XIPC_FOREVER), XIPC_ENOTRECOVERABLE);
    CHECK_EQ(xipc_lock_count(l), 0);
    CHECK_EQ(t_join(t_spawn("lock_try", name, "-", NULL), 20000),
             100 + XIPC_ENOTRECOVERABLE);
    CHECK_OK(xipc_lock_close(l2));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
