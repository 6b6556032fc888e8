/*
 * test_harden.c - the promises that users of peer libraries found broken
 * there, kept here: fork() without exec (a child's handles are its own, its
 * closes destroy nothing of the parent's), names that belong to their user
 * and one name that never blocks another, the last close that destroys even
 * out of descriptors, every blocking call that keeps its timeout against a
 * stalled peer, wake-ups that are neither lost nor stolen, and owners that
 * a recycled thread id never impersonates.
 */
#include "test.h"

#include <stdlib.h>

/* ---- fork ------------------------------------------------------------------
 */

int test_fork_child_closes_inherited(void)
{
    const char *sn = t_name("fs"), *ln = t_name("fl"), *qn = t_name("fq");
    xipc_shm *s, *s2;
    xipc_lock *l;
    xipc_queue *q;
    xipc_info info;
    char buf[16];
    size_t len;
    int64_t pid;
    int code = -1;

    if (!xipc__sys_can_fork())
        return t_skip("no fork() on this platform: children are spawned");
    CHECK_OK(xipc_shm_create(&s, sn, 4096));
    CHECK_OK(xipc_lock_create(&l, ln, 0));
    CHECK_OK(xipc_queue_create(&q, qn, 256, 16));
    CHECK_OK(xipc_queue_put(q, "kept", 4, 0));
    memcpy(xipc_shm_data(s), "parent", 7);
    pid = xipc__sys_fork();
    if (pid == 0) {
        int bad = xipc_shm_close(s) != 0;
        bad |= xipc_lock_close(l) != 0;
        bad |= xipc_queue_close(q) != 0;
        xipc__sys_die(bad);
    }
    CHECK(pid > 0);
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    CHECK_EQ(code, 0);
    /* Every object is still the parent's, under its name. */
    CHECK_OK(xipc_stat(sn, &info));
    CHECK_OK(xipc_stat(ln, &info));
    CHECK_OK(xipc_stat(qn, &info));
    CHECK_EQ(info.messages, 1);
    CHECK_RC(xipc_shm_create(&s2, sn, 4096), XIPC_EEXIST);
    CHECK_OK(xipc_shm_open(&s2, sn, XIPC_RDONLY));
    CHECK_STR((const char *)xipc_shm_data(s2), "parent");
    CHECK_OK(xipc_shm_close(s2));
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
    CHECK(len == 4 && memcmp(buf, "kept", 4) == 0);
    CHECK_OK(xipc_lock_acquire(l, 0));
    CHECK_OK(xipc_lock_release(l));
    /* And the parent's own closes still destroy them. */
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_queue_close(q));
    CHECK_EQ(xipc__seg_present(sn), 0);
    CHECK_EQ(xipc__seg_present(ln), 0);
    CHECK_EQ(xipc__seg_present(qn), 0);
    return 0;
}

/* The child's part: uses every inherited handle while the parent uses
 * them too. Returns 0 or a bit of what went wrong. */
static int forked_user(xipc_lock *l, xipc_value *v, xipc_array *a,
                       xipc_queue *q, t_ctl *ctl)
{
    int32_t e;
    int64_t x;
    char buf[16];
    size_t len;
    int i, bad = 0;

    for (i = 0; i < 1000; i++) {
        if (xipc_lock_acquire(l, 20000) != 0)
            bad |= 1;
        ctl->value[5]++; /* counted under the lock, with the parent */
        if (xipc_lock_release(l) != 0)
            bad |= 2;
        if (xipc_value_add(v, 1, NULL, NULL) != 0)
            bad |= 4;
        if (xipc_lock_acquire(xipc_value_lock(v), 20000) != 0 ||
            xipc_value_get(v, &x, sizeof x) != 0 ||
            xipc_lock_release(xipc_value_lock(v)) != 0)
            bad |= 8;
        e = i;
        if (xipc_array_set(a, 1, &e, sizeof e) != 0 || xipc_array_get(a, 0, &e, sizeof e) != 0)
            bad |= 16;
        if (xipc_queue_put(q, "c", 1, 20000) != 0)
            bad |= 32;
    }
    /* The parent's message, if it sent one, or anyone's. */
    if (xipc_queue_get(q, buf, sizeof buf, &len, 20000) != 0)
        bad |= 64;
    if (xipc_lock_close(l) != 0 || xipc_value_close(v) != 0 ||
        xipc_array_close(a) != 0 || xipc_queue_close(q) != 0)
        bad |= 128;
    return bad;
}

int test_fork_child_uses_handles(void)
{
    const char *ln = t_name("ful"), *vn = t_name("fuv"), *an = t_name("fua"),
               *qn = t_name("fuq"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_lock *l;
    xipc_value *v;
    xipc_array *a;
    xipc_queue *q;
    int64_t pid, x;
    int32_t e;
    char buf[16];
    size_t len;
    int i, code = -1, got = 0;

    if (!xipc__sys_can_fork())
        return t_skip("no fork() on this platform: children are spawned");
    ctl = t_ctl_create(&ctl_name, &cs);
    CHECK_OK(xipc_lock_create(&l, ln, 0));
    CHECK_OK(xipc_value_create(&v, vn, XIPC_I64, NULL, 0, 0));
    CHECK_OK(xipc_array_create(&a, an, XIPC_I32, 4, NULL, 0, 0));
    CHECK_OK(xipc_queue_create(&q, qn, 64 * 1024, 16));
    /* The parent holds the lock across the fork: the child must wait. */
    CHECK_OK(xipc_lock_acquire(l, 0));
    pid = xipc__sys_fork();
    if (pid == 0)
        xipc__sys_die(forked_user(l, v, a, q, ctl));
    CHECK(pid > 0);
    xipc_sleep_ms(20);
    CHECK_EQ(atomic_load(&ctl->value[5]), 0); /* still waiting for us */
    CHECK_OK(xipc_lock_release(l));
    for (i = 0; i < 1000; i++) {
        CHECK_OK(xipc_lock_acquire(l, 20000));
        ctl->value[5]++;
        CHECK_OK(xipc_lock_release(l));
        CHECK_OK(xipc_value_add(v, 1, NULL, NULL));
        e = -i;
        CHECK_OK(xipc_array_set(a, 0, &e, sizeof e));
        if (xipc_queue_get(q, buf, sizeof buf, &len, 0) == 0)
            got++;
    }
    CHECK_OK(xipc__sys_wait_forked(pid, 60000, &code));
    CHECK_EQ(code, 0);
    while (xipc_queue_get(q, buf, sizeof buf, &len, 0) == 0)
        got++;
    CHECK_EQ(got, 999); /* 1000 put, one taken back by the child */
    CHECK_EQ(atomic_load(&ctl->value[5]), 2000);
    CHECK_OK(xipc_value_get(v, &x, sizeof x));
    CHECK_EQ(x, 2000);
    CHECK_OK(xipc_array_get(a, 1, &e, sizeof e));
    CHECK_EQ(e, 999);
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_queue_close(q));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- names
 * ------------------------------------------------------------------- */

/* In a forked child that becomes user `uid`: creates Value `name` and
 * checks it is there. Exits 0, or the step that failed. */
static void as_user(int64_t uid, const char *name, int64_t val)
{
    xipc_value *v, *w;
    int64_t x = 0;

    if (xipc__sys_become_user(uid) != 0)
        xipc__sys_die(T_SKIP);
    if (xipc_value_create(&v, name, XIPC_I64, &val, sizeof val, 0) != 0)
        xipc__sys_die(81);
    if (xipc_value_open(&w, name, XIPC_I64, XIPC_RDWR) != 0 ||
        xipc_value_get(w, &x, sizeof x) != 0 || x != val)
        xipc__sys_die(82);
    xipc_value_close(w);
    xipc_value_close(v);
    xipc__sys_die(0);
}

int test_names_belong_to_their_user(void)
{
    const char *name = t_name("jobs");
    xipc_value *mine, *w;
    xipc_shm *s;
    int64_t pid, x = 0, seven = 7;
    int code = -1;

    if (!xipc__sys_can_fork())
        return t_skip("Windows keeps names per session (Local\\): no second "
                      "user to act as here");
    CHECK_OK(xipc_value_create(&mine, name, XIPC_I64, &seven, sizeof seven, 0));
    /* Another user makes an object of the same name: it is theirs, in
     * their own namespace; ours is untouched and theirs invisible. */
    pid = xipc__sys_fork();
    if (pid == 0)
        as_user(65534, name, 1234);
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    if (code == T_SKIP) {
        CHECK_OK(xipc_value_close(mine));
        return t_skip("this process may not become another user");
    }
    CHECK_EQ(code, 0);
    CHECK_OK(xipc_value_open(&w, name, XIPC_I64, XIPC_RDWR));
    CHECK_OK(xipc_value_get(w, &x, sizeof x));
    CHECK_EQ(x, 7);
    CHECK_OK(xipc_value_close(w));
    /* A squatter (here: this user) takes the directory name of user 65533
     * first; that user's objects live on in the next candidate. */
    CHECK_OK(xipc__seg_test_squat(65533, 0));
    pid = xipc__sys_fork();
    if (pid == 0)
        as_user(65533, name, 99);
    code = -1;
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    CHECK_OK(xipc__seg_test_squat(65533, 1));
    CHECK_EQ(code, 0); /* it could make, open and read its object */
    /* An object that is not owner-only is refused, and says why. */
    CHECK_OK(xipc_shm_create(&s, t_name("mode"), 64));
    CHECK_OK(xipc__seg_test_chmod(xipc__shm_seg(s), 0666));
    CHECK_RC(xipc_shm_open(&s, xipc_shm_name(s), XIPC_RDWR), XIPC_EACCES);
    printf("refused: %s\n", xipc_last_error());
    CHECK(strstr(xipc_last_error(), "owner-only") != NULL);
    CHECK_OK(xipc__seg_test_chmod(xipc__shm_seg(s), 0600));
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_value_close(mine));
    return 0;
}

/* Helper: stops, for ever (until killed), in the middle of a create of
 * argv[1] (just before it is published) or of an unlink of argv[1] (with
 * the name's lock held), as a stopped or debugged process would; sets flag
 * 0 of control block argv[3] when it is there. */
static t_ctl *stall_ctl;

static void stall_here(const char *where)
{
    if (strcmp(where, "create:init") == 0 ||
        strcmp(where, "unlink:locked") == 0) {
        atomic_store(&stall_ctl->flag[0], 1);
        for (;;)
            xipc_sleep_ms(1000);
    }
}

int helper_stall_in(int argc, char **argv)
{
    xipc_shm *cs, *s;

    HCHECK(argc == 4);
    HCHECK((stall_ctl = t_ctl_open(argv[3], &cs)) != NULL);
    xipc__fault_hook = stall_here;
    if (strcmp(argv[2], "create") == 0)
        xipc_shm_create(&s, argv[1], 1 << 20);
    else
        xipc_unlink(argv[1]);
    return 0; /* not reached */
}

/* Runs every name operation on `name`; each must answer within `ms`. */
#define QUICK(call)                                                            \
    do {                                                                       \
        int64_t t0_ = t_ms();                                                  \
        call;                                                                  \
        if (t_ms() - t0_ > ms)                                                 \
            t_fail(__FILE__, __LINE__, "%s took %lld ms", #call,               \
                   (long long)(t_ms() - t0_));                                 \
    } while (0)

static void quick_name_ops(const char *name, int64_t ms)
{
    xipc_shm *s, *o;
    xipc_info info;

    QUICK(CHECK_OK(xipc_shm_create(&s, name, 4096)));
    QUICK(CHECK_OK(xipc_shm_open(&o, name, XIPC_RDWR)));
    QUICK(CHECK_OK(xipc_stat(name, &info)));
    QUICK(CHECK(xipc_list(t_prefix(), NULL, NULL) >= 1));
    QUICK(CHECK_OK(xipc_shm_close(o)));
    QUICK(CHECK_OK(xipc_unlink(name)));
    QUICK(CHECK_OK(xipc_shm_close(s)));
    QUICK(CHECK(xipc_sweep(name, NULL, NULL) >= 0));
}

int test_names_stalled_peer_blocks_one_name(void)
{
    const char *a = t_name("stall"), *b = t_name("free"), *ctl_name;
    xipc_shm *cs, *s;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p;
    int64_t t0;

    /* A process stopped in the middle of a create holds no lock at all:
     * every other name works, and the stalled name is simply not there
     * yet. */
    p = t_spawn("stall_in", a, "create", ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    quick_name_ops(b, 1000 * t_slow());
    CHECK_RC(xipc_shm_open(&s, a, XIPC_RDWR), XIPC_ENOENT);
    t_kill(p);
    /* Killed half-way, it leaves nothing: the name is free. */
    CHECK_OK(xipc_shm_create(&s, a, 4096));
    /* A process stopped in the middle of an unlink of that name holds its
     * lock: other names work at once, that one answers XIPC_EBUSY after a
     * bounded wait instead of hanging. */
    atomic_store(&ctl->flag[0], 0);
    p = t_spawn("stall_in", a, "unlink", ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    quick_name_ops(b, 1000 * t_slow());
    t0 = t_ms();
    {
        xipc_shm *o;
        int rc = xipc_shm_open(&o, a, XIPC_RDWR);
        printf("open of the stalled name: %s after %lld ms\n",
               xipc_err_name(rc), (long long)(t_ms() - t0));
        CHECK_RC(rc, XIPC_EBUSY);
        CHECK(t_ms() - t0 < 20000);
    }
    t_kill(p);
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_names_last_close_out_of_descriptors(void)
{
    const char *name = t_name("nofd");
    xipc_shm *s, *o;
    xipc_lock *l;
    uint64_t open_now;
    int rc;

    CHECK_OK(xipc_shm_create(&s, name, 4096));
    CHECK_OK(xipc_shm_open(&o, name, XIPC_RDONLY));
    CHECK_OK(xipc_lock_create(&l, t_name("nofdl"), 0));
    CHECK_OK(xipc_lock_acquire(l, 0)); /* a party of the lock too */
    CHECK_OK(xipc_lock_release(l));
    rc = xipc__sys_fd_limit(0, &open_now);
    if (rc == XIPC_ENOTSUP) {
        xipc_lock_close(l);
        xipc_shm_close(o);
        xipc_shm_close(s);
        return t_skip("this platform has no limit on open descriptors");
    }
    CHECK_OK(rc);
    /* No descriptor left to open: the closes must still destroy. */
    CHECK_OK(xipc__sys_fd_limit(open_now, NULL));
    CHECK_OK(xipc_shm_close(o));
    CHECK_OK(xipc__sys_fd_limit(open_now - 1, NULL));
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc__sys_fd_limit(0, NULL));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

/* ---- every blocking call keeps its timeout
 * ----------------------------------- */

static t_ctl *stall_q_ctl;

static void stall_in_queue(const char *where)
{
    if (strcmp(where, "queue:put:copied") == 0 ||
        strcmp(where, "queue:get:copied") == 0) {
        atomic_fetch_add(&stall_q_ctl->flag[0], 1);
        for (;;)
            xipc_sleep_ms(1000);
    }
}

/* Helper: stops for ever in the middle of a put (argv[2] "put") or a get
 * of queue argv[1], holding that side's internal mutex; or (argv[2]
 * "lock" or "condition") holds Lock or Condition argv[1] for ever. Counts in flag 0 of control block
 * argv[3]. */
int helper_stall_holder(int argc, char **argv)
{
    xipc_shm *cs;
    xipc_queue *q;
    xipc_lock *l;
    char buf[64];
    size_t len;

    HCHECK(argc == 4);
    HCHECK((stall_q_ctl = t_ctl_open(argv[3], &cs)) != NULL);
    if (strcmp(argv[2], "condition") == 0) {
        xipc_condition *c;

        HCHECK(xipc_condition_open(&c, argv[1]) == 0);
        HCHECK(xipc_condition_acquire(c, 0) == 0);
        atomic_fetch_add(&stall_q_ctl->flag[0], 1);
        for (;;)
            xipc_sleep_ms(1000);
    }
    if (strcmp(argv[2], "lock") == 0) {
        HCHECK(xipc_lock_open(&l, argv[1], 0) == 0);
        HCHECK(xipc_lock_acquire(l, 0) == 0);
        atomic_fetch_add(&stall_q_ctl->flag[0], 1);
        for (;;)
            xipc_sleep_ms(1000);
    }
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    xipc__fault_hook = stall_in_queue;
    if (strcmp(argv[2], "put") == 0)
        xipc_queue_put(q, "stalled", 7, 0);
    else
        xipc_queue_get(q, buf, sizeof buf, &len, 0);
    return 0; /* not reached */
}

/* Keeps its timeout, and sleeps while it waits: at most one kernel call of
 * the locks and channels per millisecond waited (a wait that spins, such
 * as a sleep whose timeout the kernel reads as zero, makes thousands). */
#define KEEPS(call, timeout, want)                                             \
    do {                                                                       \
        int64_t t0_ = t_ms(), took_;                                           \
        uint64_t calls_ = xipc__sys_calls();                                   \
        CHECK_RC(call, want);                                                  \
        took_ = t_ms() - t0_;                                                  \
        calls_ = xipc__sys_calls() - calls_;                                   \
        if (took_ < (timeout) || took_ > (timeout) + 250 * t_slow())           \
            t_fail(__FILE__, __LINE__, "%s took %lld ms for %d", #call,        \
                   (long long)took_, (int)(timeout));                          \
        if (calls_ > (uint64_t)(16 + took_))                                   \
            t_fail(__FILE__, __LINE__, "%s made %llu kernel calls in %lld ms", \
                   #call, (unsigned long long)calls_, (long long)took_);       \
    } while (0)

int test_every_blocking_call_keeps_timeout(void)
{
    const char *qn = t_name("kq"), *ln = t_name("kl"), *cn = t_name("kc"),
               *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *put_stall, *get_stall, *lock_stall, *cond_stall;
    xipc_queue *q;
    xipc_lock *l;
    xipc_semaphore *sem;
    xipc_event *e;
    xipc_condition *c;
    xipc_barrier *b;
    void *m;
    char buf[64];
    size_t len;

    CHECK_OK(xipc_queue_create(&q, qn, 256, 16));
    CHECK_OK(xipc_lock_create(&l, ln, 0));
    CHECK_OK(xipc_condition_create(&c, cn, 0, 4));
    CHECK_OK(xipc_queue_put(q, "one", 3, 0));
    /* The waits of the objects no peer holds: each sleeps to its
     * deadline. */
    CHECK_OK(xipc_semaphore_create(&sem, NULL, 0, 0));
    KEEPS(xipc_semaphore_acquire(sem, 0), 0, XIPC_ETIMEDOUT);
    KEEPS(xipc_semaphore_acquire(sem, 100), 100, XIPC_ETIMEDOUT);
    CHECK_OK(xipc_semaphore_close(sem));
    CHECK_OK(xipc_event_create(&e, NULL));
    KEEPS(xipc_event_wait(e, 0), 0, XIPC_ETIMEDOUT);
    KEEPS(xipc_event_wait(e, 100), 100, XIPC_ETIMEDOUT);
    CHECK_OK(xipc_event_close(e));
    CHECK_OK(xipc_condition_acquire(c, 0));
    KEEPS(xipc_condition_wait(c, 100), 100, XIPC_ETIMEDOUT);
    CHECK_OK(xipc_condition_release(c));
    CHECK_OK(xipc_barrier_create(&b, NULL, 2));
    KEEPS(xipc_barrier_wait(b, 100), 100, XIPC_EBROKEN);
    CHECK_OK(xipc_barrier_close(b));
    /* A producer and a consumer, each stopped with its side's internal
     * mutex held, and a Lock's and a Condition's holders stopped. */
    put_stall = t_spawn("stall_holder", qn, "put", ctl_name, NULL);
    get_stall = t_spawn("stall_holder", qn, "get", ctl_name, NULL);
    lock_stall = t_spawn("stall_holder", ln, "lock", ctl_name, NULL);
    cond_stall = t_spawn("stall_holder", cn, "condition", ctl_name, NULL);
    t_ctl_wait(ctl, 0, 4, 20000);
    KEEPS(xipc_queue_put(q, "x", 1, 0), 0, XIPC_ETIMEDOUT);
    KEEPS(xipc_queue_put(q, "x", 1, 100), 100, XIPC_ETIMEDOUT);
    KEEPS(xipc_queue_get(q, buf, sizeof buf, &len, 0), 0, XIPC_ETIMEDOUT);
    KEEPS(xipc_queue_get(q, buf, sizeof buf, &len, 100), 100, XIPC_ETIMEDOUT);
    KEEPS(xipc_queue_get_alloc(q, &m, &len, 100), 100, XIPC_ETIMEDOUT);
    KEEPS(xipc_queue_shutdown(q, 100), 100, XIPC_ETIMEDOUT);
    KEEPS(xipc_lock_acquire(l, 0), 0, XIPC_ETIMEDOUT);
    KEEPS(xipc_lock_acquire(l, 100), 100, XIPC_ETIMEDOUT);
    KEEPS(xipc_condition_acquire(c, 0), 0, XIPC_ETIMEDOUT);
    KEEPS(xipc_condition_acquire(c, 100), 100, XIPC_ETIMEDOUT);
    /* Dead peers, not stalled ones, are recovered from. */
    t_kill(put_stall);
    t_kill(get_stall);
    t_kill(lock_stall);
    t_kill(cond_stall);
    CHECK_RC(xipc_condition_acquire(c, 10000 * t_slow()), XIPC_EOWNERDEAD);
    CHECK_OK(xipc_lock_consistent(xipc_condition_lock(c)));
    CHECK_OK(xipc_condition_release(c));
    CHECK_OK(xipc_condition_close(c));
    CHECK_OK(xipc_queue_put(q, "two", 3, 10000 * t_slow()));
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 10000 * t_slow()));
    CHECK(len == 3 && memcmp(buf, "one", 3) == 0);
    CHECK_OK(xipc_queue_shutdown(q, 10000 * t_slow()));
    CHECK_RC(xipc_lock_acquire(l, 10000 * t_slow()), XIPC_EOWNERDEAD);
    CHECK_OK(xipc_lock_consistent(l));
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_queue_close(q));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- wake-ups
 * ------------------------------------------------------------------ */

struct waiter {
    xipc__notify *n;
    _Atomic int phase; /* 1: prepared; 2: told to wait; 3: returned */
    uint32_t gen;
    int64_t timeout_ms;
    int rc;
    int64_t returned_at;
};

static int prepared_waiter(void *arg)
{
    struct waiter *w = arg;

    xipc__notify_announce(w->n);
    w->gen = xipc__notify_prepare(w->n);
    atomic_store(&w->phase, 1);
    while (atomic_load(&w->phase) == 1)
        xipc_sleep_ms(0);
    w->rc = xipc__notify_wait(w->n, w->gen, w->timeout_ms);
    w->returned_at = t_ms();
    xipc__notify_done(w->n);
    atomic_store(&w->phase, 3);
    return 0;
}

int test_notify_wake_not_stolen(void)
{
    const char *qn = t_name("wk");
    xipc_queue *q;
    xipc__seg *seg;
    xipc__notify *n1, *n2, *nw;
    struct waiter older, newer;
    xipc__thread *t1, *t2;
    unsigned char *base;
    int64_t told;
    int round;

    CHECK_OK(xipc_queue_create(&q, qn, 256, 16));
    seg = xipc__queue_seg(q);
    base = xipc__seg_base(seg);
    /* Three handles of the queue's data channel, one per party. */
    CHECK_OK(xipc__notify_attach(&n1, base + XIPC__Q_DATA_NOTIFY_OFF, seg, 1));
    CHECK_OK(xipc__notify_attach(&n2, base + XIPC__Q_DATA_NOTIFY_OFF, seg, 1));
    CHECK_OK(xipc__notify_attach(&nw, base + XIPC__Q_DATA_NOTIFY_OFF, seg, 1));
    for (round = 0; round < 20; round++) {
        /* An older waiter has announced itself but not slept yet... */
        memset(&older, 0, sizeof older);
        older.n = n1;
        older.timeout_ms = 5000;
        CHECK_OK(xipc__thread_start(&t1, prepared_waiter, &older));
        while (atomic_load(&older.phase) == 0)
            xipc_sleep_ms(0);
        /* ...a wake of one comes, meant for it... */
        xipc__notify_wake(nw, 1);
        /* ...and a newer waiter sleeps before it does. */
        memset(&newer, 0, sizeof newer);
        newer.n = n2;
        newer.timeout_ms = 300;
        CHECK_OK(xipc__thread_start(&t2, prepared_waiter, &newer));
        while (atomic_load(&newer.phase) == 0)
            xipc_sleep_ms(0);
        atomic_store(&newer.phase, 2);
        xipc_sleep_ms(50); /* the newer one is asleep by now */
        told = t_ms();
        atomic_store(&older.phase, 2);
        CHECK_EQ(xipc__thread_join(t1), 0);
        CHECK_EQ(xipc__thread_join(t2), 0);
        /* The older one had its wake at once (a lost one would keep it
         * for its whole 5 s); the newer took nothing. The bound leaves
         * room for a busy machine's scheduling. */
        CHECK_EQ(older.rc, 0);
        CHECK(older.returned_at - told < 1000);
        CHECK_RC(newer.rc, XIPC_ETIMEDOUT);
    }
    xipc__notify_detach(n1);
    xipc__notify_detach(n2);
    xipc__notify_detach(nw);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

/* Tokens handed one at a time to several sleeping takers, each hand-over
 * a wake of one: if a wake were lost or stolen, a taker would sleep out a
 * whole slice (XIPC__SLICE_MS) with a token waiting. */
struct tokens {
    _Atomic int64_t tokens, taken, stop;
    _Atomic int64_t given_at;
    _Atomic int64_t slow; /* hand-overs that took a slice or more */
};

struct taker_arg {
    struct tokens *t;
    xipc__notify *n; /* each taker its own handle of the channel */
};

static int token_ready(void *arg)
{
    struct tokens *t = arg;
    int64_t k = atomic_load(&t->tokens);
    while (k > 0) {
        if (atomic_compare_exchange_weak(&t->tokens, &k, k - 1))
            return 1;
    }
    return atomic_load(&t->stop) ? 2 : 0;
}

static int taker(void *arg)
{
    struct taker_arg *a = arg;
    int rc;

    for (;;) {
        rc = xipc__wait(a->n, XIPC__NEVER, token_ready, a->t);
        if (rc != 1)
            return rc == 2 ? 0 : 1;
        if (t_ms() - atomic_load(&a->t->given_at) >= XIPC__SLICE_MS)
            atomic_fetch_add(&a->t->slow, 1);
        atomic_fetch_add(&a->t->taken, 1);
    }
}

int test_notify_wake_one_never_lost(void)
{
    const char *qn = t_name("wk1");
    xipc_queue *q;
    xipc__seg *seg;
    unsigned char *chan;
    xipc__notify *nw;
    struct tokens t;
    struct taker_arg a[4];
    xipc__thread *th[4];
    int i, round, rounds = 300;
    int64_t end;

    CHECK_OK(xipc_queue_create(&q, qn, 256, 16));
    seg = xipc__queue_seg(q);
    chan = (unsigned char *)xipc__seg_base(seg) + XIPC__Q_DATA_NOTIFY_OFF;
    CHECK_OK(xipc__notify_attach(&nw, chan, seg, 1));
    memset(&t, 0, sizeof t);
    for (i = 0; i < 4; i++) {
        a[i].t = &t;
        CHECK_OK(xipc__notify_attach(&a[i].n, chan, seg, 1));
        CHECK_OK(xipc__thread_start(&th[i], taker, &a[i]));
    }
    for (round = 0; round < rounds; round++) {
        xipc_sleep_ms(round % 3); /* sometimes the takers are asleep */
        atomic_store(&t.given_at, t_ms());
        atomic_fetch_add(&t.tokens, 1);
        xipc__notify_wake(nw, 1);
        end = t_ms() + 10000 * t_slow();
        while (atomic_load(&t.taken) <= round && t_ms() < end)
            xipc_sleep_ms(0);
        CHECK_EQ(atomic_load(&t.taken), round + 1);
    }
    atomic_store(&t.stop, 1);
    xipc__notify_wake(nw, XIPC__WAKE_ALL);
    for (i = 0; i < 4; i++) {
        CHECK_EQ(xipc__thread_join(th[i]), 0);
        xipc__notify_detach(a[i].n);
    }
    printf("%d hand-overs, %lld took a slice or more\n", rounds,
           (long long)atomic_load(&t.slow));
    /* A lost wake costs a whole slice; a busy machine may make a few. */
    CHECK(atomic_load(&t.slow) <= rounds / 50);
    xipc__notify_detach(nw);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

/* ---- recycled thread ids
 * ---------------------------------------------------------- */

static int acquire_then_end(void *arg)
{
    return xipc_lock_acquire(arg, 0);
}

struct newcomer {
    xipc_lock *lock;
    int count, rc;
};

static int newcomer_tries(void *arg)
{
    struct newcomer *c = arg;
    /* A new thread, maybe with the dead owner's thread id: it holds
     * nothing. */
    c->count = xipc_lock_count(c->lock);
    c->rc = xipc_lock_acquire(c->lock, 10000);
    if (c->rc == XIPC_EOWNERDEAD)
        xipc_lock_consistent(c->lock);
    if (c->rc == 0 || c->rc == XIPC_EOWNERDEAD)
        xipc_lock_release(c->lock);
    return 0;
}

int test_lock_owner_never_a_recycled_thread(void)
{
    xipc__thread *t;
    xipc_lock *l, *r;
    struct newcomer c;
    int i, k, deaths = 0;

    CHECK_OK(xipc_lock_create(&l, t_name("recyc"), 0));
    CHECK_OK(xipc_lock_create(&r, t_name("recycr"), 1));
    for (i = 0; i < 50; i++) {
        xipc_lock *x = i % 2 ? r : l;
        /* A thread ends holding the lock; new threads follow at once,
         * often with its thread id (Windows hands ids out again soon). */
        CHECK_OK(xipc__thread_start(&t, acquire_then_end, x));
        CHECK_EQ(xipc__thread_join(t), 0);
        for (k = 0; k < 3; k++) {
            memset(&c, 0, sizeof c);
            c.lock = x;
            CHECK_OK(xipc__thread_start(&t, newcomer_tries, &c));
            CHECK_EQ(xipc__thread_join(t), 0);
            CHECK_EQ(c.count, 0);
            if (k == 0) {
                CHECK_RC(c.rc, XIPC_EOWNERDEAD);
                deaths++;
            } else {
                CHECK_RC(c.rc, 0);
            }
        }
    }
    CHECK_EQ(deaths, 50);
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_lock_close(r));
    return 0;
}
