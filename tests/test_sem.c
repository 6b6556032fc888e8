/*
 * test_sem.c - Semaphore and BoundedSemaphore: CPython's test_multiprocessing
 * checks (values after acquires and releases, the bound, timeouts), with
 * the parties as separate processes; a release wakes one waiter; many
 * processes never more than k inside; undo on death (holders killed, kills
 * at every step of an operation and at random instructions, a full
 * table); damaged words; open checks; no system call when uncontended.
 */
#include "test.h"

#include <stdlib.h>

/* The longest any call may overrun its timeout. */
static int64_t bound_ms(void)
{
    return 250 * t_slow();
}

/* ---- helpers ------------------------------------------------------------- */

/* Helper: opens semaphore argv[1] and control block argv[2], acquires
 * argv[3] units (FOREVER, within T_HELPER_MAX_MS), stores the codes in
 * value[0] (the worst) and sets flag 0, then by argv[4]:
 *  "wait":    waits to be killed;
 *  "release": waits for flag 15, releases the units and exits 0;
 *  "exit":    ends at once, holding. */
int helper_sem_hold(int argc, char **argv)
{
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    int64_t end = t_ms() + T_HELPER_MAX_MS;
    int i, n, rc, worst = 0;

    HCHECK(argc == 5);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    n = atoi(argv[3]);
    for (i = 0; i < n; i++) {
        rc = xipc_semaphore_acquire(s, T_HELPER_MAX_MS);
        HCHECK(rc == 0 || rc == XIPC_EOWNERDEAD);
        if (rc != 0)
            worst = rc;
    }
    atomic_store(&ctl->value[0], worst);
    atomic_store(&ctl->flag[0], 1);
    if (strcmp(argv[4], "exit") == 0)
        xipc__sys_die(0);
    if (strcmp(argv[4], "wait") == 0)
        for (;;)
            xipc_sleep_ms(1000);
    while (atomic_load(&ctl->flag[15]) == 0 && t_ms() < end)
        xipc_sleep_ms(1);
    for (i = 0; i < n; i++)
        HCHECK(xipc_semaphore_release(s) == 0);
    HCHECK(xipc_semaphore_close(s) == 0);
    xipc_shm_close(cs);
    return 0;
}

/* Helper: opens semaphore argv[1] and control block argv[2], adds 1 to
 * flag 0, acquires with timeout argv[3] ms, adds 1 to flag 1 when it
 * returns (value[1] when it took a unit), waits for flag 15 before it
 * releases what it took, and exits with 100 + the acquire's code. */
int helper_sem_waiter(int argc, char **argv)
{
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    int64_t end = t_ms() + T_HELPER_MAX_MS;
    int rc;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    atomic_fetch_add(&ctl->flag[0], 1);
    rc = xipc_semaphore_acquire(s, atoll(argv[3]));
    if (rc == 0 || rc == XIPC_EOWNERDEAD)
        atomic_fetch_add(&ctl->value[1], 1);
    atomic_fetch_add(&ctl->flag[1], 1);
    while (atomic_load(&ctl->flag[15]) == 0 && t_ms() < end)
        xipc_sleep_ms(1);
    if (rc == 0 || rc == XIPC_EOWNERDEAD)
        HCHECK(xipc_semaphore_release(s) == 0);
    HCHECK(xipc_semaphore_close(s) == 0);
    xipc_shm_close(cs);
    return 100 + rc;
}

/* Helper: opens semaphore argv[1], releases it argv[2] times and exits
 * with 100 + the last code. */
int helper_sem_release(int argc, char **argv)
{
    xipc_semaphore *s;
    int i, n, rc = 0;

    HCHECK(argc == 3);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    n = atoi(argv[2]);
    for (i = 0; i < n; i++)
        rc = xipc_semaphore_release(s);
    HCHECK(xipc_semaphore_close(s) == 0);
    return 100 + rc;
}

/* Where the k-processes stress counts (in a control block's values):
 * value[0] inside now, value[1] the most ever inside, value[2] entries. */
static void enter_leave(t_ctl *ctl, int64_t k, int64_t *bad)
{
    int64_t in = atomic_fetch_add(&ctl->value[0], 1) + 1, top;

    top = atomic_load(&ctl->value[1]);
    while (in > top && !atomic_compare_exchange_weak(&ctl->value[1], &top, in))
        ;
    if (in > k)
        (*bad)++;
    atomic_fetch_add(&ctl->value[2], 1);
    xipc__cpu_relax();
    atomic_fetch_sub(&ctl->value[0], 1);
}

/* Helper: opens semaphore argv[1] (of k = argv[4] units) and control block
 * argv[2]; argv[3] times acquires a unit, counts itself inside and checks
 * that at most k are, leaves and releases. Exits 0, or 1 if it ever saw
 * more than k inside. */
int helper_sem_stress(int argc, char **argv)
{
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    long i, n;
    int64_t bad = 0, k;
    int rc;

    HCHECK(argc == 5);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    n = atol(argv[3]);
    k = atoll(argv[4]);
    atomic_fetch_add(&ctl->flag[0], 1);
    while (atomic_load(&ctl->flag[1]) == 0)
        xipc_sleep_ms(0);
    for (i = 0; i < n; i++) {
        rc = xipc_semaphore_acquire(s, T_HELPER_MAX_MS);
        HCHECK(rc == 0);
        enter_leave(ctl, k, &bad);
        HCHECK(xipc_semaphore_release(s) == 0);
    }
    HCHECK(xipc_semaphore_close(s) == 0);
    xipc_shm_close(cs);
    return bad != 0;
}

/* ---- Python's checks ------------------------------------------------------
 */

/* CPython's _test_semaphore: two units taken, a third try fails, both
 * given back, get_value exact after each step. */
static void python_semaphore(xipc_semaphore *s)
{
    CHECK_EQ(xipc_semaphore_get_value(s), 2);
    CHECK_OK(xipc_semaphore_acquire(s, XIPC_FOREVER));
    CHECK_EQ(xipc_semaphore_get_value(s), 1);
    CHECK_OK(xipc_semaphore_acquire(s, XIPC_FOREVER));
    CHECK_EQ(xipc_semaphore_get_value(s), 0);
    CHECK_RC(xipc_semaphore_acquire(s, 0), XIPC_ETIMEDOUT);
    CHECK_EQ(xipc_semaphore_get_value(s), 0);
    CHECK_OK(xipc_semaphore_release(s));
    CHECK_EQ(xipc_semaphore_get_value(s), 1);
    CHECK_OK(xipc_semaphore_release(s));
    CHECK_EQ(xipc_semaphore_get_value(s), 2);
}

int test_sem_python_checks(void)
{
    xipc_semaphore *s, *b, *z, *o;
    int undo;

    for (undo = 0; undo < 2; undo++) {
        int u = undo ? XIPC_SEM_UNDO : 0;
        /* test_semaphore: a Semaphore goes past its initial value. */
        CHECK_OK(xipc_semaphore_create(&s, t_name("sem"), 2, u));
        CHECK_EQ(xipc_semaphore_bound(s), XIPC_SEM_VALUE_MAX);
        CHECK_EQ(xipc_semaphore_flags(s),
                 undo ? XIPC_SEM_UNDO |
                            XIPC_SEM_UNDO_PROCESSES(XIPC_SEM_UNDO_DEFAULT)
                      : 0);
        python_semaphore(s);
        CHECK_OK(xipc_semaphore_release(s));
        CHECK_EQ(xipc_semaphore_get_value(s), 3);
        CHECK_OK(xipc_semaphore_release(s));
        CHECK_EQ(xipc_semaphore_get_value(s), 4);
        CHECK_OK(xipc_semaphore_open(&o, xipc_semaphore_name(s)));
        CHECK_EQ(xipc_semaphore_get_value(o), 4);
        CHECK_OK(xipc_semaphore_close(o));
        CHECK_OK(xipc_semaphore_close(s));

        /* test_bounded_semaphore, with the check CPython leaves out on
         * macOS: a release over the bound is refused and changes nothing. */
        CHECK_OK(
            xipc_semaphore_create(&b, t_name("bsem"), 2, XIPC_SEM_BOUNDED | u));
        CHECK_EQ(xipc_semaphore_bound(b), 2);
        CHECK_EQ(xipc_semaphore_flags(b) & XIPC_SEM_BOUNDED, XIPC_SEM_BOUNDED);
        python_semaphore(b);
        CHECK_RC(xipc_semaphore_release(b), XIPC_EOVERFLOW);
        CHECK_EQ(xipc_semaphore_get_value(b), 2);
        CHECK_OK(xipc_semaphore_acquire(b, 0));
        CHECK_OK(xipc_semaphore_release(b));
        CHECK_RC(xipc_semaphore_release(b), XIPC_EOVERFLOW);
        CHECK_EQ(xipc_semaphore_get_value(b), 2);
        CHECK_OK(xipc_semaphore_close(b));

        /* BoundedSemaphore(0): nothing to take, nothing to give. */
        CHECK_OK(
            xipc_semaphore_create(&z, t_name("zsem"), 0, XIPC_SEM_BOUNDED | u));
        CHECK_RC(xipc_semaphore_acquire(z, 0), XIPC_ETIMEDOUT);
        CHECK_RC(xipc_semaphore_release(z), XIPC_EOVERFLOW);
        CHECK_EQ(xipc_semaphore_get_value(z), 0);
        CHECK_OK(xipc_semaphore_close(z));
    }

    /* The largest value, and a release past it. */
    CHECK_OK(
        xipc_semaphore_create(&s, t_name("maxsem"), XIPC_SEM_VALUE_MAX, 0));
    CHECK_EQ(xipc_semaphore_get_value(s), XIPC_SEM_VALUE_MAX);
    CHECK_RC(xipc_semaphore_release(s), XIPC_EOVERFLOW);
    CHECK_OK(xipc_semaphore_acquire(s, 0));
    CHECK_EQ(xipc_semaphore_get_value(s), XIPC_SEM_VALUE_MAX - 1);
    CHECK_OK(xipc_semaphore_release(s));
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

/* CPython's test_timeout: a try returns at once, a timed acquire after at
 * least its timeout (and not much more), here and in another process. */
int test_sem_timeouts(void)
{
    const char *name = t_name("tsem"), *ctl_name;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p;
    int64_t t0, el;
    static const int64_t timeouts[] = {0, 100, 200};
    int i, undo;

    for (undo = 0; undo < 2; undo++) {
        CHECK_OK(xipc_semaphore_create(&s, name, 0, undo ? XIPC_SEM_UNDO : 0));
        for (i = 0; i < 3; i++) {
            t0 = t_ms();
            CHECK_RC(xipc_semaphore_acquire(s, timeouts[i]), XIPC_ETIMEDOUT);
            el = t_ms() - t0;
            CHECK(el >= timeouts[i]);
            CHECK(el <= timeouts[i] + bound_ms());
        }
        /* A waiter in another process keeps its timeout too. */
        ctl = t_ctl_create(&ctl_name, &cs);
        t0 = t_ms();
        p = t_spawn("sem_waiter", name, ctl_name, "300", NULL);
        t_ctl_wait(ctl, 1, 1, 20000);
        el = t_ms() - t0;
        atomic_store(&ctl->flag[15], 1);
        CHECK_EQ(t_join(p, 20000), 100 + XIPC_ETIMEDOUT);
        CHECK(el >= 300);
        CHECK_OK(xipc_shm_close(cs));
        CHECK_OK(xipc_semaphore_close(s));
    }
    return 0;
}

int test_sem_bad_arguments(void)
{
    xipc_semaphore *s;
    const char *name = t_name("badsem");

    CHECK_RC(xipc_semaphore_create(NULL, name, 1, 0), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_create(&s, name, -1, 0), XIPC_EINVAL);
    CHECK_RC(
        xipc_semaphore_create(&s, name, (int64_t)XIPC_SEM_VALUE_MAX + 1, 0),
        XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_create(&s, name, 1, 4), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_create(&s, name, 1, 1 << 30), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_create(&s, name, 1, XIPC_SEM_UNDO_PROCESSES(8)),
             XIPC_EINVAL); /* a table without undo */
    CHECK_RC(xipc_semaphore_create(
                 &s, name, 1, XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(4096)),
             XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_create(&s, name, 1,
                                   XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(-1)),
             XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_create(&s, "bad/name", 1, 0), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_open(&s, name), XIPC_ENOENT);
    CHECK_RC(xipc_semaphore_open(NULL, name), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_acquire(NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_release(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_get_value(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_bound(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_flags(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_semaphore_close(NULL), XIPC_EINVAL);
    CHECK(xipc_semaphore_name(NULL) == NULL);
    /* The table's size is the creator's. */
    CHECK_OK(xipc_semaphore_create(
        &s, name, 1, XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(4095)));
    CHECK_EQ(xipc_semaphore_flags(s),
             XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(4095));
    CHECK_RC(xipc_semaphore_create(&s, name, 1, 0), XIPC_EEXIST);
    CHECK_OK(xipc_semaphore_close(s));
    CHECK_EQ(xipc__seg_present(name), 0);
    {
        /* Fresh names, as every kind makes them. */
        char prefix[XIPC_NAME_MAX + 1];
        xipc_semaphore *o;
        snprintf(prefix, sizeof prefix, "%sfresh-*", t_prefix());
        CHECK_OK(xipc_semaphore_create(&s, prefix, 2, 0));
        CHECK(strncmp(xipc_semaphore_name(s), prefix, strlen(prefix) - 1) == 0);
        CHECK_OK(xipc_semaphore_open(&o, xipc_semaphore_name(s)));
        CHECK_EQ(xipc_semaphore_get_value(o), 2);
        CHECK_OK(xipc_semaphore_close(o));
        CHECK_OK(xipc_semaphore_close(s));
        CHECK_RC(xipc_semaphore_open(&o, prefix), XIPC_EINVAL);
    }
    return 0;
}

int test_sem_open_checks(void)
{
    const char *sn = t_name("osem"), *ln = t_name("olock"), *en = t_name("oev");
    xipc_semaphore *s, *o;
    xipc_value *v;
    xipc_lock *l;
    xipc_event *e;
    unsigned char *words;
    uint32_t save;

    CHECK_OK(xipc_semaphore_create(&s, sn, 3, XIPC_SEM_UNDO));
    CHECK_OK(xipc_lock_create(&l, ln, 0));
    CHECK_OK(xipc_event_create(&e, en));
    CHECK_RC(xipc_semaphore_open(&o, ln), XIPC_EKIND);
    CHECK_RC(xipc_semaphore_open(&o, en), XIPC_EKIND);
    CHECK_RC(xipc_lock_open(&l, sn, 0), XIPC_EKIND);
    CHECK_RC(xipc_event_open(&e, sn), XIPC_EKIND);
    CHECK_RC(xipc_value_open(&v, sn, XIPC_I32, XIPC_RDWR), XIPC_EKIND);
    /* The words behind the header and the channel: the magic, the flags,
     * the bound and the table's size are each checked. */
    words = (unsigned char *)xipc__seg_base(xipc__semaphore_seg(s)) + 64 +
            XIPC__NOTIFY_SHARED_SIZE;
    {
        static const struct {
            unsigned off;
            uint32_t bad;
        } damage[] = {{8, 0x12345678u},  /* magic */
                      {12, 0x80u},       /* flags: unknown bit */
                      {12, 0u},          /* flags: no undo, but a table */
                      {16, 0x80000000u}, /* bound beyond the largest value */
                      {20, 0u},          /* undo with no table */
                      {20, 5000u},       /* more records than fit */
                      {20, 65u}};        /* more records than were made */
        size_t i;
        for (i = 0; i < sizeof damage / sizeof damage[0]; i++) {
            memcpy(&save, words + damage[i].off, 4);
            memcpy(words + damage[i].off, &damage[i].bad, 4);
            CHECK_RC(xipc_semaphore_open(&o, sn), XIPC_ECORRUPT);
            memcpy(words + damage[i].off, &save, 4);
        }
    }
    CHECK_OK(xipc_semaphore_open(&o, sn));
    CHECK_EQ(xipc_semaphore_get_value(o), 3);
    CHECK_OK(xipc_semaphore_close(o));
    CHECK_OK(xipc_event_close(e));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

/* ---- processes ------------------------------------------------------------
 */

/* Any process may release, and a release wakes one waiter, not every one:
 * three processes wait on Semaphore(0); one release lets exactly one
 * through, the next another. get_value is exact all along. */
int test_sem_release_wakes_one(void)
{
    const char *name = t_name("w1sem"), *ctl_name;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *w[3], *r;
    int i, round, undo;
    int64_t end;

    for (undo = 0; undo < 2; undo++) {
        ctl = t_ctl_create(&ctl_name, &cs);
        CHECK_OK(xipc_semaphore_create(&s, name, 0, undo ? XIPC_SEM_UNDO : 0));
        for (i = 0; i < 3; i++)
            w[i] = t_spawn("sem_waiter", name, ctl_name, "30000", NULL);
        t_ctl_wait(ctl, 0, 3, 20000);
        xipc_sleep_ms(100 * t_slow()); /* all asleep by now */
        for (round = 1; round <= 3; round++) {
            /* Another process releases. */
            r = t_spawn("sem_release", name, "1", NULL);
            CHECK_EQ(t_join(r, 20000), 100);
            end = t_ms() + 10000 * t_slow();
            while (atomic_load(&ctl->flag[1]) < round && t_ms() < end)
                xipc_sleep_ms(1);
            CHECK_EQ(atomic_load(&ctl->flag[1]), round);
            /* ...and nobody else comes through meanwhile. */
            xipc_sleep_ms(150 * t_slow());
            CHECK_EQ(atomic_load(&ctl->flag[1]), round);
            CHECK_EQ(atomic_load(&ctl->value[1]), round);
            CHECK_EQ(xipc_semaphore_get_value(s), 0);
        }
        atomic_store(&ctl->flag[15], 1);
        for (i = 0; i < 3; i++)
            CHECK_EQ(t_join(w[i], 20000), 100);
        CHECK_EQ(xipc_semaphore_get_value(s), 3);
        CHECK_OK(xipc_semaphore_close(s));
        CHECK_OK(xipc_shm_close(cs));
    }
    return 0;
}

/* The same in threads, counting wake-ups: each acquirer's look at the
 * word (a fault point of the library) right after a release. A release
 * wakes one sleeper; waking all would make every sleeper look. */
static _Atomic int looks, counting;

static void count_looks(const char *where)
{
    if (atomic_load(&counting) && strcmp(where, "sem:ready") == 0)
        atomic_fetch_add(&looks, 1);
}

static int wait_unit(void *arg)
{
    return xipc_semaphore_acquire(arg, 20000 * t_slow());
}

int test_sem_release_wakes_one_thread(void)
{
    xipc_semaphore *s;
    xipc__thread *th[4];
    int i, round, worst = 0;

    CHECK_OK(xipc_semaphore_create(&s, t_name("w1thr"), 0, 0));
    for (i = 0; i < 4; i++)
        CHECK_OK(xipc__thread_start(&th[i], wait_unit, s));
    xipc__fault_hook = count_looks;
    /* Every thread waits (on a busy machine a thread may start late, and
     * one still spinning looks hundreds of times), then 50 ms into the
     * sleepers' first slices, then one slice apart, so that no slice ends
     * in the window. */
    {
        xipc_info in;
        int64_t end = t_ms() + 10000 * t_slow();
        do {
            xipc_sleep_ms(1);
            CHECK_OK(xipc_stat(xipc_semaphore_name(s), &in));
        } while (in.waiting < 4 && t_ms() < end);
        CHECK_EQ(in.waiting, 4);
    }
    xipc_sleep_ms(50);
    for (round = 0; round < 4; round++) {
        atomic_store(&looks, 0);
        atomic_store(&counting, 1);
        CHECK_OK(xipc_semaphore_release(s));
        xipc_sleep_ms(20);
        atomic_store(&counting, 0);
        if (atomic_load(&looks) > worst)
            worst = atomic_load(&looks);
        xipc_sleep_ms(XIPC__SLICE_MS - 20);
    }
    for (i = 0; i < 4; i++)
        CHECK_EQ(xipc__thread_join(th[i]), 0);
    xipc__fault_hook = NULL;
    printf("a release made at most %d sleeper(s) look\n", worst);
    /* One woken; a slice ending in the window on a slow machine makes
     * another look now and then, never all. */
    CHECK(worst >= 1 && worst <= 2);
    CHECK_EQ(xipc_semaphore_get_value(s), 0);
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

/* get_value after acquires made by other processes. */
int test_sem_value_across_processes(void)
{
    const char *name = t_name("vsem"), *ctl_name;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p[3];
    char units[4];
    int i;

    ctl = t_ctl_create(&ctl_name, &cs);
    CHECK_OK(xipc_semaphore_create(&s, name, 10, XIPC_SEM_BOUNDED));
    for (i = 0; i < 3; i++) {
        snprintf(units, sizeof units, "%d", i + 1);
        atomic_store(&ctl->flag[0], 0);
        p[i] = t_spawn("sem_hold", name, ctl_name, units, "release", NULL);
        t_ctl_wait(ctl, 0, 1, 20000);
    }
    CHECK_EQ(xipc_semaphore_get_value(s), 10 - 6);
    atomic_store(&ctl->flag[15], 1);
    for (i = 0; i < 3; i++)
        CHECK_EQ(t_join(p[i], 20000), 0);
    CHECK_EQ(xipc_semaphore_get_value(s), 10);
    CHECK_RC(xipc_semaphore_release(s), XIPC_EOVERFLOW);
    CHECK_OK(xipc_semaphore_close(s));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Many processes and Semaphore(k): never more than k inside at once. */
static void stress(int procs, long per, int k, int flags)
{
    const char *name = t_name("ksem"), *ctl_name;
    char sn[16], sk[8];
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p[8];
    int i;

    ctl = t_ctl_create(&ctl_name, &cs);
    CHECK_OK(xipc_semaphore_create(&s, name, k, flags));
    snprintf(sn, sizeof sn, "%ld", per);
    snprintf(sk, sizeof sk, "%d", k);
    for (i = 0; i < procs; i++)
        p[i] = t_spawn("sem_stress", name, ctl_name, sn, sk, NULL);
    t_ctl_wait(ctl, 0, procs, 30000);
    atomic_store(&ctl->flag[1], 1);
    for (i = 0; i < procs; i++)
        CHECK_EQ(t_join(p[i], 120000), 0);
    printf("%d processes x %ld, %s(%d)%s: at most %lld inside\n", procs, per,
           (flags & XIPC_SEM_BOUNDED) ? "BoundedSemaphore" : "Semaphore", k,
           (flags & XIPC_SEM_UNDO) ? " with undo" : "",
           (long long)atomic_load(&ctl->value[1]));
    CHECK(atomic_load(&ctl->value[1]) <= k);
    CHECK(atomic_load(&ctl->value[1]) >= 1);
    CHECK_EQ(atomic_load(&ctl->value[2]), (int64_t)procs * per);
    CHECK_EQ(xipc_semaphore_get_value(s), k);
    CHECK_OK(xipc_semaphore_close(s));
    CHECK_OK(xipc_shm_close(cs));
}

int test_sem_stress_processes(void)
{
    long per = t_slow() > 1 ? 20000 : 50000;

    stress(6, per, 2, 0);
    stress(6, per, 3, XIPC_SEM_UNDO);
    stress(4, per, 1, XIPC_SEM_BOUNDED);
    return 0;
}

struct th_stress {
    xipc_semaphore *s;
    t_ctl *ctl;
    long n;
    int k;
    int64_t bad;
};

static int stress_thread(void *arg)
{
    struct th_stress *a = arg;
    long i;
    int rc;

    for (i = 0; i < a->n; i++) {
        if ((rc = xipc_semaphore_acquire(a->s, 60000)) != 0) {
            fprintf(stderr, "acquire: %s: %s\n", xipc_err_name(rc),
                    xipc_last_error());
            return 1;
        }
        enter_leave(a->ctl, a->k, &a->bad);
        if ((rc = xipc_semaphore_release(a->s)) != 0) {
            fprintf(stderr, "release: %s: %s\n", xipc_err_name(rc),
                    xipc_last_error());
            return 2;
        }
    }
    return 0;
}

/* Threads of one process contend as processes do, undo or not. */
int test_sem_threads(void)
{
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_semaphore *s;
    xipc__thread *th[6];
    struct th_stress a[6];
    int i, undo;
    long per = t_slow() > 1 ? 5000 : 50000;

    for (undo = 0; undo < 2; undo++) {
        CHECK_OK(xipc_semaphore_create(&s, t_name("thsem"), 2,
                                       undo ? XIPC_SEM_UNDO : 0));
        memset(ctl->value, 0, sizeof ctl->value);
        for (i = 0; i < 6; i++) {
            a[i].s = s;
            a[i].ctl = ctl;
            a[i].n = per;
            a[i].k = 2;
            a[i].bad = 0;
            CHECK_OK(xipc__thread_start(&th[i], stress_thread, &a[i]));
        }
        for (i = 0; i < 6; i++) {
            CHECK_EQ(xipc__thread_join(th[i]), 0);
            CHECK_EQ(a[i].bad, 0);
        }
        CHECK(atomic_load(&ctl->value[1]) <= 2);
        CHECK_EQ(atomic_load(&ctl->value[2]), 6 * per);
        CHECK_EQ(xipc_semaphore_get_value(s), 2);
        /* Every unit went back: the process holds none, close goes. */
        CHECK_OK(xipc_semaphore_close(s));
    }
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* The uncontended acquire and release, and a failed try, make no system
 * call; neither does a release with nobody waiting. */
int test_sem_no_syscall(void)
{
    xipc_semaphore *s;
    uint64_t before;
    int i;

    CHECK_OK(xipc_semaphore_create(&s, t_name("nosys"), 1, XIPC_SEM_BOUNDED));
    CHECK_OK(xipc_semaphore_acquire(s, 0));
    CHECK_OK(xipc_semaphore_release(s));
    before = xipc__sys_calls();
    for (i = 0; i < 100000; i++) {
        CHECK_OK(xipc_semaphore_acquire(s, XIPC_FOREVER));
        CHECK_RC(xipc_semaphore_acquire(s, 0), XIPC_ETIMEDOUT);
        CHECK_OK(xipc_semaphore_release(s));
    }
    CHECK_EQ(xipc__sys_calls() - before, 0);
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

/* ---- undo on death ---------------------------------------------------------
 */

/* Takes every one of the k units of s, each within `ms` (stretched);
 * returns how many of the acquires answered XIPC_EOWNERDEAD, and checks
 * that no unit more is there. */
static int take_all(xipc_semaphore *s, int k, int64_t ms)
{
    int i, rc, dead = 0;

    for (i = 0; i < k; i++) {
        rc = xipc_semaphore_acquire(s, ms * t_slow());
        if (rc == XIPC_EOWNERDEAD)
            dead++;
        else
            CHECK_RC(rc, 0);
    }
    CHECK_EQ(xipc_semaphore_get_value(s), 0);
    CHECK_RC(xipc_semaphore_acquire(s, 0), XIPC_ETIMEDOUT);
    return dead;
}

static void give_all(xipc_semaphore *s, int k)
{
    int i;
    for (i = 0; i < k; i++)
        CHECK_OK(xipc_semaphore_release(s));
    CHECK_EQ(xipc_semaphore_get_value(s), k);
}

/* A holder of j of k units is killed (every fifth ends by itself,
 * holding): its units come back, and the acquire that gets the first of
 * them is told, once. */
int test_sem_undo_killed_holder_trials(void)
{
    char name[XIPC_NAME_MAX + 1];
    const char *ctl_name;
    int trials = t_slow() > 1 ? 20 : 120, i, j, k = 3, dead;
    int64_t t0, worst = 0;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p;
    char units[4];

    snprintf(name, sizeof name, "%s", t_name("ksem"));
    CHECK_OK(xipc_semaphore_create(&s, name, k, XIPC_SEM_UNDO));
    ctl = t_ctl_create(&ctl_name, &cs);
    for (i = 0; i < trials; i++) {
        j = 1 + i % k;
        snprintf(units, sizeof units, "%d", j);
        atomic_store(&ctl->flag[0], 0);
        p = t_spawn("sem_hold", name, ctl_name, units,
                    i % 5 == 4 ? "exit" : "wait", NULL);
        t_ctl_wait(ctl, 0, 1, 20000);
        CHECK_EQ(xipc_semaphore_get_value(s), k - j);
        if (i % 5 == 4)
            CHECK_EQ(t_join(p, 20000), 0);
        else
            t_kill(p);
        t0 = t_ms();
        dead = take_all(s, k, 10000);
        if (t_ms() - t0 > worst)
            worst = t_ms() - t0;
        CHECK_EQ(dead, 1);
        give_all(s, k);
    }
    printf("%d holders killed: every unit came back, each death reported "
           "once; slowest recovery %lld ms\n",
           trials, (long long)worst);
    CHECK_OK(xipc_shm_close(cs));
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

struct sleeper {
    xipc_semaphore *s;
    int rc;
    int64_t returned;
};

static int sleep_acquire(void *arg)
{
    struct sleeper *z = arg;
    z->rc = xipc_semaphore_acquire(z->s, 20000 * t_slow());
    z->returned = t_ms();
    return 0;
}

/* Acquirers already asleep get a killed holder's units within about a
 * slice, one each, and one of them is told. */
int test_sem_undo_sleepers_get_units(void)
{
    const char *name = t_name("slsem"), *ctl_name;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc__thread *th[2];
    struct sleeper z[2];
    xipc_proc *p;
    int64_t killed;
    int i, trial, told;

    CHECK_OK(xipc_semaphore_create(&s, name, 2, XIPC_SEM_UNDO));
    for (trial = 0; trial < (t_slow() > 1 ? 3 : 10); trial++) {
        atomic_store(&ctl->flag[0], 0);
        p = t_spawn("sem_hold", name, ctl_name, "2", "wait", NULL);
        t_ctl_wait(ctl, 0, 1, 20000);
        for (i = 0; i < 2; i++) {
            z[i].s = s;
            CHECK_OK(xipc__thread_start(&th[i], sleep_acquire, &z[i]));
        }
        xipc_sleep_ms(50 * t_slow()); /* both asleep */
        killed = t_ms();
        t_kill(p);
        told = 0;
        for (i = 0; i < 2; i++) {
            CHECK_EQ(xipc__thread_join(th[i]), 0);
            if (z[i].rc == XIPC_EOWNERDEAD)
                told++;
            else
                CHECK_RC(z[i].rc, 0);
            /* About a slice, with room for a busy machine. */
            CHECK(z[i].returned - killed <= XIPC__SLICE_MS + 400 * t_slow());
        }
        CHECK_EQ(told, 1);
        CHECK_RC(xipc_semaphore_acquire(s, 0), XIPC_ETIMEDOUT);
        give_all(s, 2);
    }
    CHECK_OK(xipc_semaphore_close(s));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- kills at random instructions, and at every step ----------------------
 */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

struct churn {
    xipc_semaphore *s;
    t_ctl *ctl;
    uint64_t seed;
};

static int churn_thread(void *arg)
{
    struct churn *c = arg;
    uint64_t x = c->seed;
    int j, i, rc;

    for (;;) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        j = 1 + (int)(x % 2);
        for (i = 0; i < j; i++) {
            rc = xipc_semaphore_acquire(c->s, T_HELPER_MAX_MS);
            if (rc != 0 && rc != XIPC_EOWNERDEAD)
                return 1;
        }
        atomic_store(&c->ctl->flag[0], 1);
        for (i = 0; i < j; i++)
            if (xipc_semaphore_release(c->s) != 0)
                return 2;
    }
}

/* Helper: opens semaphore argv[1] and control block argv[2] and, in
 * argv[3] threads, takes 1 or 2 units and gives them back, over and over,
 * until it is killed. */
int helper_sem_churn(int argc, char **argv)
{
    struct churn c[2];
    xipc__thread *th[2];
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    int i, n;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    n = atoi(argv[3]);
    HCHECK(n >= 1 && n <= 2);
    for (i = 0; i < n; i++) {
        c[i].s = s;
        c[i].ctl = ctl;
        c[i].seed = (uint64_t)xipc_getpid() * 2654435761u + (uint64_t)i + 1;
        HCHECK(xipc__thread_start(&th[i], churn_thread, &c[i]) == 0);
    }
    for (i = 0; i < n; i++)
        HCHECK(xipc__thread_join(th[i]) == 0);
    return 0;
}

/* A process taking and giving units as fast as it can, in one or two
 * threads, is killed at a random instruction: afterwards exactly the k
 * units are there to take - none lost, none given back twice. */
int test_sem_undo_kill_anywhere(void)
{
    char name[XIPC_NAME_MAX + 1];
    const char *ctl_name;
    int trials = t_slow() > 1 ? 20 : 150, i, k = 4, told = 0;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p;
    int64_t end;

    snprintf(name, sizeof name, "%s", t_name("anysem"));
    /* A small table: dead processes' records are reused as trials go. */
    CHECK_OK(xipc_semaphore_create(&s, name, k,
                                   XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(8)));
    ctl = t_ctl_create(&ctl_name, &cs);
    for (i = 0; i < trials; i++) {
        atomic_store(&ctl->flag[0], 0);
        p = t_spawn("sem_churn", name, ctl_name, i % 2 ? "2" : "1", NULL);
        t_ctl_wait(ctl, 0, 1, 20000);
        end = xipc_now_ns() + (int64_t)(rnd() % 3000) * 1000;
        while (xipc_now_ns() < end)
            ;
        t_kill(p);
        told += take_all(s, k, 10000);
        give_all(s, k);
    }
    printf("%d churning processes killed: exactly %d units after each, %d "
           "deaths with units reported\n",
           trials, k, told);
    CHECK_OK(xipc_shm_close(cs));
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}

static const char *die_point;

static void die_at(const char *where)
{
    if (die_point != NULL && strcmp(where, die_point) == 0)
        xipc__sys_die(42);
}

/* Helper: opens semaphore argv[1]; acquires argv[3] units first; then
 * arranges to die at fault point argv[2] and does argv[4] ("acquire" or
 * "release", with timeout argv[5] for an acquire). Exits 0 if it did not
 * die. */
int helper_sem_die_at(int argc, char **argv)
{
    xipc_semaphore *s;
    int i;

    HCHECK(argc == 6);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    for (i = 0; i < atoi(argv[3]); i++)
        HCHECK(xipc_semaphore_acquire(s, 0) == 0);
    die_point = argv[2];
    xipc__fault_hook = die_at;
    if (strcmp(argv[4], "acquire") == 0)
        xipc_semaphore_acquire(s, atoll(argv[5]));
    else
        xipc_semaphore_release(s);
    xipc__fault_hook = NULL;
    return 0;
}

/* A process dies at each step of an operation, and of giving back another
 * dead process's units: the units there afterwards are exactly k, and the
 * deaths whose units came back are reported exactly once. */
int test_sem_undo_fault_points(void)
{
    static const struct {
        const char *point, *pre, *op;
        int value_after; /* the value right after the death */
        int told;        /* EOWNERDEAD answers while taking all */
    } cases[] = {
        {"sem:acquire:pending", "0", "acquire", 3, 0},
        {"sem:acquire:landed", "0", "acquire", 2, 1},
        {"sem:release:pending", "1", "release", 2, 1},
        {"sem:release:landed", "1", "release", 3, 0},
    };
    static const struct {
        const char *point;
        int value_after, told;
    } gives[] = {
        {"sem:give:pending", 0, 1},
        {"sem:give:landed", 3, 1},
    };
    char ctl_name[XIPC_NAME_MAX + 1];
    const char *cn;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&cn, &cs);
    xipc_proc *p;
    size_t i;
    int rep;

    /* A copy: the loop takes many fresh names from t_name's ring. */
    snprintf(ctl_name, sizeof ctl_name, "%s", cn);

    for (rep = 0; rep < 3; rep++) {
        for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            const char *name = t_name("fsem");
            CHECK_OK(xipc_semaphore_create(&s, name, 3, XIPC_SEM_UNDO));
            p = t_spawn("sem_die_at", name, cases[i].point, cases[i].pre,
                        cases[i].op, "0", NULL);
            CHECK_EQ(t_join(p, 20000), 42);
            CHECK_EQ(xipc_semaphore_get_value(s), cases[i].value_after);
            CHECK_EQ(take_all(s, 3, 10000), cases[i].told);
            give_all(s, 3);
            CHECK_OK(xipc_semaphore_close(s));
        }
        /* A recoverer dies while giving back a killed holder's units; the
         * next one finishes the job exactly. */
        for (i = 0; i < sizeof gives / sizeof gives[0]; i++) {
            const char *name = t_name("gsem");
            CHECK_OK(xipc_semaphore_create(&s, name, 3, XIPC_SEM_UNDO));
            atomic_store(&ctl->flag[0], 0);
            p = t_spawn("sem_hold", name, ctl_name, "3", "wait", NULL);
            t_ctl_wait(ctl, 0, 1, 20000);
            t_kill(p);
            p = t_spawn("sem_die_at", name, gives[i].point, "0", "acquire",
                        "10000", NULL);
            CHECK_EQ(t_join(p, 20000), 42);
            CHECK_EQ(xipc_semaphore_get_value(s), gives[i].value_after);
            CHECK_EQ(take_all(s, 3, 10000), gives[i].told);
            give_all(s, 3);
            CHECK_OK(xipc_semaphore_close(s));
        }
    }
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* The table is full of live processes: a newcomer's acquire is refused
 * and takes nothing; once one of them dies, its record is reused. A
 * process holding units cannot close its handle. */
int test_sem_undo_table_full(void)
{
    const char *name = t_name("fullsem"), *ctl_name;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p[2];
    int i;

    CHECK_OK(xipc_semaphore_create(&s, name, 5,
                                   XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(2)));
    for (i = 0; i < 2; i++) {
        atomic_store(&ctl->flag[0], 0);
        p[i] = t_spawn("sem_hold", name, ctl_name, "1", "wait", NULL);
        t_ctl_wait(ctl, 0, 1, 20000);
    }
    CHECK_EQ(xipc_semaphore_get_value(s), 3);
    CHECK_RC(xipc_semaphore_acquire(s, 0), XIPC_EBUSY);
    CHECK_RC(xipc_semaphore_acquire(s, 100), XIPC_EBUSY);
    CHECK_EQ(xipc_semaphore_get_value(s), 3);
    /* A release by a process with no record is a plain one. */
    CHECK_OK(xipc_semaphore_release(s));
    CHECK_EQ(xipc_semaphore_get_value(s), 4);
    t_kill(p[0]);
    /* The dead one's record is reused, its unit given back first. */
    CHECK_RC(xipc_semaphore_acquire(s, 0), XIPC_EOWNERDEAD);
    CHECK_EQ(xipc_semaphore_get_value(s), 4);
    CHECK_RC(xipc_semaphore_close(s), XIPC_EBUSY);
    CHECK_OK(xipc_semaphore_release(s));
    t_kill(p[1]);
    CHECK_OK(xipc_semaphore_close(s));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Under undo a unit released by another process stays owed by its
 * acquirer: when that one dies, it is given back again. A
 * BoundedSemaphore's value still never passes its bound: the release
 * that would is refused. */
int test_sem_undo_release_by_another(void)
{
    const char *ctl_name;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p, *r;
    int bounded;

    for (bounded = 0; bounded < 2; bounded++) {
        const char *name = t_name("rbsem");
        CHECK_OK(xipc_semaphore_create(
            &s, name, 2, XIPC_SEM_UNDO | (bounded ? XIPC_SEM_BOUNDED : 0)));
        atomic_store(&ctl->flag[0], 0);
        p = t_spawn("sem_hold", name, ctl_name, "1", "wait", NULL);
        t_ctl_wait(ctl, 0, 1, 20000);
        r = t_spawn("sem_release", name, "1", NULL);
        CHECK_EQ(t_join(r, 20000), 100);
        CHECK_EQ(xipc_semaphore_get_value(s), 2);
        t_kill(p);
        CHECK_EQ(take_all(s, 3, 10000), 1);
        if (bounded) {
            CHECK_OK(xipc_semaphore_release(s));
            CHECK_OK(xipc_semaphore_release(s));
            /* The third unit was released for this process by the other
             * one: refused, and no longer owed. */
            CHECK_RC(xipc_semaphore_release(s), XIPC_EOVERFLOW);
            CHECK_EQ(xipc_semaphore_get_value(s), 2);
        } else {
            give_all(s, 3);
        }
        CHECK_OK(xipc_semaphore_close(s));
    }
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- damaged words
 * ------------------------------------------------------------ */

#define TIMED(call, timeout)                                                   \
    do {                                                                       \
        int64_t t0_ = t_ms();                                                  \
        (void)(call);                                                          \
        if (t_ms() - t0_ > (timeout) + bound_ms())                             \
            t_fail(__FILE__, __LINE__, "%s took %lld ms", #call,               \
                   (long long)(t_ms() - t0_));                                 \
    } while (0)

/* Words and records overwritten with generated patterns (structured ones
 * an honest semaphore could almost have, and garbage): every open and
 * every call answers a code, on time, and never crashes. */
int test_sem_damaged_words_fuzz(void)
{
    unsigned char good[64 + 16 * 8], *words;
    size_t size;
    uint64_t w[6];
    xipc_semaphore *s, *o;
    unsigned i, j, n = t_slow() > 1 ? 100 : 1000;
    int rc, f, opened = 0, refused = 0, flags[3];
    uint64_t me;

    flags[0] = 0;
    flags[1] = XIPC_SEM_BOUNDED;
    flags[2] = XIPC_SEM_UNDO | XIPC_SEM_UNDO_PROCESSES(8);
    for (f = 0; f < 3; f++) {
        const char *name = t_name("fzsem");
        CHECK_OK(xipc_semaphore_create(&s, name, 3, flags[f]));
        words = (unsigned char *)xipc__seg_base(xipc__semaphore_seg(s)) + 64 +
                XIPC__NOTIFY_SHARED_SIZE;
        CHECK_OK(xipc__party_process(xipc__semaphore_seg(s), &me));
        /* The words, and the table behind them (undo only). */
        size = (flags[f] & XIPC_SEM_UNDO) ? sizeof good : 24;
        memcpy(good, words, size);
        for (i = 0; i < n; i++) {
            /* The value word: a value, the died bit, a count of waiters
             * and a tag naming a record (or beyond the table). */
            w[0] = (rnd() % 8) | (rnd() % 2) << 31 | (rnd() % 4) << 32 |
                   (uint64_t)(rnd() % 12 << 8 | rnd() % 4) << 44;
            if (i % 7 == 0)
                w[0] = rnd();
            memcpy(words, &w[0], 8);
            if (i % 5 == 0) { /* the creator's words */
                uint32_t x = (uint32_t)rnd();
                memcpy(words + 8 + 4 * (rnd() % 4), &x, 4);
            }
            if (flags[f] & XIPC_SEM_UNDO) { /* records, behind the words */
                for (j = 0; j < 8; j++) {
                    uint64_t rec[2];
                    rec[0] = rnd() % 4 == 0   ? 0
                             : rnd() % 3 == 0 ? me
                             : rnd() % 2      ? XIPC__PARTY_DEAD
                                              : rnd() >> 1;
                    rec[1] =
                        (rnd() % 5) | (rnd() % 4) << 32 | (rnd() % 300) << 34;
                    if (rnd() % 9 == 0)
                        rec[1] = rnd();
                    memcpy(words + 64 + 16 * j, rec, 16);
                }
            }
            rc = xipc_semaphore_open(&o, name);
            if (rc == 0) {
                opened++;
                TIMED(rc = xipc_semaphore_acquire(o, 10), 10);
                CHECK(rc == 0 || rc == XIPC_EOWNERDEAD ||
                      rc == XIPC_ETIMEDOUT || rc == XIPC_EBUSY ||
                      rc == XIPC_ECORRUPT);
                TIMED(xipc_semaphore_acquire(o, 0), 0);
                TIMED(xipc_semaphore_release(o), 0);
                TIMED(xipc_semaphore_release(o), 0);
                CHECK(xipc_semaphore_get_value(o) >= 0);
                if (size > 64)
                    memcpy(words + 64, good + 64, size - 64);
                /* Healthy records: nothing of this process is held, so
                 * the handle closes. */
                CHECK_OK(xipc_semaphore_close(o));
            } else {
                CHECK_RC(rc, XIPC_ECORRUPT);
                refused++;
            }
            memcpy(words, good, size);
        }
        CHECK_OK(xipc_semaphore_close(s));
    }
    printf("%u patterns x 3 kinds: %d opens went through, %d refused\n", n,
           opened, refused);
    CHECK(opened > 0 && refused > 0);
    return 0;
}
