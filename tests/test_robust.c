/*
 * test_robust.c - the lock as shared memory that others can damage and
 * owner death make it: lock bytes overwritten with generated patterns
 * (before open, and while held) in a Lock, an RLock, a Value, an Array and
 * a Queue; a peer process scribbling on live locks; a holder of 3000 locks
 * killed; holders in two PID namespaces; a forked child; the race of a try
 * with the release that loses a lock; tries and uncontended pairs that make
 * no system call.
 */
#include "test.h"

#include <stdlib.h>

/* ---- a small generator ------------------------------------------------- */

static uint64_t rng = 0x243f6a8885a308d3u;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Fills the 64 shared bytes of a mutex with pattern number i: structured
 * words (a state, an owner, a depth, a health that an honest lock could
 * almost have) or plain garbage, with the magic kept in most patterns so
 * that the attach goes through and the algorithm itself meets the damage.
 * `me` is the caller's own party identity, to name it (or a dead thread of
 * its own process) now and then. */
static void pattern(unsigned char *b, unsigned i, uint64_t me)
{
    uint64_t w[8];
    uint64_t owner;
    unsigned j;

    for (j = 0; j < 8; j++)
        w[j] = rnd();
    if (i % 5 != 4) {
        switch (rnd() % 6) {
        case 0:
            owner = me;
            break;
        case 1:
            owner = (me & ~(uint64_t)0xffffffffu) | (rnd() & 0xffff);
            break;
        case 2:
            owner = rnd() % 4;
            break;
        case 3:
            owner = XIPC__PARTY_DEAD;
            break;
        default:
            owner = rnd() >> 2;
        }
        w[0] = owner << 2 | (rnd() & 3);
        if (rnd() % 4 == 0)
            w[0] = rnd() % 8; /* free, lost, or an owner-less state */
        /* magic "XMTX" and a kind of 0 or 1 (or damage) */
        w[2] = (uint64_t)(rnd() % 3) << 32 | 0x58544d58u;
        w[3] = (rnd() % 4 == 0 ? rnd() : rnd() % 4) |
               (rnd() % 4 == 0 ? rnd() : rnd() % 3) << 32;
    }
    memcpy(b, w, 64);
}

/* ---- the fuzz test ------------------------------------------------------ */

enum { K_LOCK, K_RLOCK, K_VALUE, K_ARRAY, K_QUEUE, K_N };

struct obj {
    int kind;
    const char *name;
    xipc_lock *lock;
    xipc_value *value;
    xipc_array *array;
    xipc_queue *queue;
};

static int obj_create(struct obj *o, int kind, const char *name)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->name = name;
    switch (kind) {
    case K_LOCK:
    case K_RLOCK:
        return xipc_lock_create(&o->lock, name, kind == K_RLOCK);
    case K_VALUE:
        return xipc_value_create(&o->value, name, XIPC_I64, NULL, 0, 0);
    case K_ARRAY:
        return xipc_array_create(&o->array, name, XIPC_I32, 16, NULL, 0, 0);
    default:
        return xipc_queue_create(&o->queue, name, 256, 32);
    }
}

static int obj_open(struct obj *o, int kind, const char *name)
{
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->name = name;
    switch (kind) {
    case K_LOCK:
    case K_RLOCK:
        return xipc_lock_open(&o->lock, name, kind == K_RLOCK);
    case K_VALUE:
        return xipc_value_open(&o->value, name, XIPC_I64, XIPC_RDWR);
    case K_ARRAY:
        return xipc_array_open(&o->array, name, XIPC_I32, XIPC_RDWR);
    default:
        return xipc_queue_open(&o->queue, name);
    }
}

static void obj_close(struct obj *o)
{
    if (o->lock != NULL)
        CHECK_OK(xipc_lock_close(o->lock));
    if (o->value != NULL)
        CHECK_OK(xipc_value_close(o->value));
    if (o->array != NULL)
        CHECK_OK(xipc_array_close(o->array));
    if (o->queue != NULL)
        CHECK_OK(xipc_queue_close(o->queue));
}

/* The object's mutex bytes (the put mutex of a Queue). */
static unsigned char *obj_mutex(struct obj *o)
{
    switch (o->kind) {
    case K_LOCK:
    case K_RLOCK:
        return (unsigned char *)xipc__seg_base(xipc__lock_seg(o->lock)) +
               XIPC__LOCK_MUTEX_OFF;
    case K_VALUE:
        return (unsigned char *)xipc__seg_base(xipc__value_seg(o->value)) +
               XIPC__TYPED_MUTEX_OFF;
    case K_ARRAY:
        return (unsigned char *)xipc__seg_base(xipc__array_seg(o->array)) +
               XIPC__TYPED_MUTEX_OFF;
    default:
        return (unsigned char *)xipc__seg_base(xipc__queue_seg(o->queue)) +
               XIPC__Q_PUT_MUTEX_OFF;
    }
}

static xipc_lock *obj_lock(struct obj *o)
{
    return o->lock    ? o->lock
           : o->value ? xipc_value_lock(o->value)
           : o->array ? xipc_array_lock(o->array)
                      : NULL;
}

/* The longest any call may overrun its timeout. */
static int64_t bound_ms(void)
{
    return 250 * t_slow();
}

#define TIMED(call, timeout)                                                   \
    do {                                                                       \
        int64_t t0_ = t_ms();                                                  \
        (void)(call);                                                          \
        if (t_ms() - t0_ > (timeout) + bound_ms())                             \
            t_fail(__FILE__, __LINE__, "%s took %lld ms", #call,               \
                   (long long)(t_ms() - t0_));                                 \
    } while (0)

/* Every operation of the object with a short timeout; none may crash,
 * abort or overrun. A lock obtained is released (with or without
 * consistent). */
static void exercise(struct obj *o, unsigned i)
{
    xipc_lock *l = obj_lock(o);
    int64_t v = 7;
    int32_t e = 5;
    char buf[64];
    size_t len;
    int rc;

    if (l != NULL) {
        TIMED(rc = xipc_lock_acquire(l, 20), 20);
        if (rc == 0 || rc == XIPC_EOWNERDEAD) {
            if (rc == XIPC_EOWNERDEAD && i % 2 == 0)
                xipc_lock_consistent(l);
            /* With the lock held, get and set go straight in. */
            if (o->value != NULL) {
                TIMED(xipc_value_get(o->value, &v, sizeof v), 0);
                TIMED(xipc_value_set(o->value, &v, sizeof v), 0);
            }
            if (o->array != NULL)
                TIMED(xipc_array_get(o->array, 3, &e, sizeof e), 0);
            TIMED(xipc_lock_count(l), 0);
            TIMED(xipc_lock_release(l), 0);
            TIMED(xipc_lock_release(l), 0); /* one too many: EPERM */
        }
        TIMED(xipc_lock_acquire(l, 0), 0);
        TIMED(xipc_lock_release(l), 0);
    }
    if (o->queue != NULL) {
        TIMED(xipc_queue_put(o->queue, "abc", 3, 20), 20);
        TIMED(xipc_queue_get(o->queue, buf, sizeof buf, &len, 20), 20);
        TIMED(xipc_queue_put(o->queue, "abc", 3, 0), 0);
        TIMED(xipc_queue_shutdown(o->queue, 20), 20);
        TIMED(xipc_queue_qsize(o->queue), 0);
    }
}

struct holder {
    xipc_lock *lock;
    _Atomic int phase; /* 1: holds; 2: told to release; 3: done */
    int rc;
};

static int hold_until_told(void *arg)
{
    struct holder *h = arg;
    int rc = xipc_lock_acquire(h->lock, 10000);
    h->rc = rc;
    atomic_store(&h->phase, 1);
    while (atomic_load(&h->phase) == 1)
        xipc_sleep_ms(1);
    if (rc == 0 || rc == XIPC_EOWNERDEAD)
        xipc_lock_release(h->lock); /* whatever the damage says */
    atomic_store(&h->phase, 3);
    return 0;
}

int test_lock_damaged_bytes_fuzz(void)
{
    unsigned char good[64];
    struct obj a, b;
    struct holder h;
    xipc__thread *th;
    uint64_t me;
    /* Under Wine every open is a few wineserver round trips: fewer
     * patterns there. */
    unsigned i, n = t_slow() > 1 ? 80 : 300;
    int kind, held, rc, opened = 0, refused = 0;

    for (kind = 0; kind < K_N; kind++) {
        const char *name = t_name("fuzz");
        CHECK_OK(obj_create(&a, kind, name));
        memcpy(good, obj_mutex(&a), 64);
        CHECK_OK(xipc__party_self(kind == K_LOCK || kind == K_RLOCK
                                      ? xipc__lock_seg(a.lock)
                                  : kind == K_VALUE ? xipc__value_seg(a.value)
                                  : kind == K_ARRAY ? xipc__array_seg(a.array)
                                                    : xipc__queue_seg(a.queue),
                                  &me));
        for (i = 0; i < n; i++) {
            for (held = 0; held < 2; held++) {
                h.phase = 0;
                th = NULL;
                if (held && obj_lock(&a) != NULL) {
                    /* Another thread holds the lock while the bytes are
                     * damaged under it. */
                    h.lock = obj_lock(&a);
                    CHECK_OK(xipc__thread_start(&th, hold_until_told, &h));
                    while (atomic_load(&h.phase) == 0)
                        xipc_sleep_ms(0);
                }
                pattern(obj_mutex(&a), i, me);
                rc = obj_open(&b, kind, name);
                if (rc == 0) {
                    opened++;
                    exercise(&b, i);
                } else {
                    CHECK_RC(rc, XIPC_ECORRUPT);
                    refused++;
                }
                exercise(&a, i);
                if (th != NULL) {
                    atomic_store(&h.phase, 2);
                    CHECK_EQ(xipc__thread_join(th), 0);
                }
                memcpy(obj_mutex(&a), good, 64);
                /* A close is refused only while the (damaged) word names a
                 * thread of this process; healthy bytes let it go. */
                if (rc == 0)
                    obj_close(&b);
            }
        }
        /* Healthy again once the bytes are. */
        exercise(&a, 0);
        obj_close(&a);
    }
    printf("%u patterns x %d kinds x 2: %d opens went through, %d refused\n", n,
           K_N, opened, refused);
    CHECK(opened > 0 && refused > 0);
    return 0;
}

/* ---- a peer scribbling on live locks --------------------------------------
 */

/* Helper: opens Lock argv[1], Value argv[2] and Queue argv[3] and writes
 * random words over their mutexes until flag 15 of control block argv[4];
 * every so often it puts back a free word, so that lockers get through. */
int helper_scribbler(int argc, char **argv)
{
    xipc_lock *l;
    xipc_value *v;
    xipc_queue *q;
    xipc_shm *cs;
    t_ctl *ctl;
    _Atomic uint64_t *words[3];
    int64_t end = t_ms() + T_HELPER_MAX_MS;
    uint64_t n = 0;

    HCHECK(argc == 5);
    HCHECK((ctl = t_ctl_open(argv[4], &cs)) != NULL);
    HCHECK(xipc_lock_open(&l, argv[1], 0) == 0);
    HCHECK(xipc_value_open(&v, argv[2], XIPC_I64, XIPC_RDWR) == 0);
    HCHECK(xipc_queue_open(&q, argv[3]) == 0);
    words[0] = (_Atomic uint64_t *)((unsigned char *)xipc__seg_base(
                                        xipc__lock_seg(l)) +
                                    XIPC__LOCK_MUTEX_OFF);
    words[1] = (_Atomic uint64_t *)((unsigned char *)xipc__seg_base(
                                        xipc__value_seg(v)) +
                                    XIPC__TYPED_MUTEX_OFF);
    words[2] = (_Atomic uint64_t *)((unsigned char *)xipc__seg_base(
                                        xipc__queue_seg(q)) +
                                    XIPC__Q_GET_MUTEX_OFF);
    rng ^= (uint64_t)xipc_getpid() << 20;
    atomic_store(&ctl->flag[0], 1);
    while (atomic_load(&ctl->flag[15]) == 0 && t_ms() < end) {
        int k = (int)(rnd() % 3), j = (int)(rnd() % 8);
        uint64_t x = rnd();
        /* The word, or another field of the 64 bytes. */
        if (j == 0 && x % 3 == 0)
            x = 0; /* free, so that lockers get through */
        atomic_store(&words[k][j], x);
        if (++n % 64 == 0)
            xipc_sleep_ms(0);
    }
    atomic_store(&ctl->value[1], (int64_t)n);
    xipc_queue_close(q);
    xipc_value_close(v);
    xipc_lock_close(l);
    xipc_shm_close(cs);
    return 0;
}

int test_lock_scribbler_peer(void)
{
    const char *ln = t_name("scr-l"), *vn = t_name("scr-v"),
               *qn = t_name("scr-q"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_lock *l;
    xipc_value *v;
    xipc_queue *q;
    xipc_proc *p;
    long calls = 0, got = 0, target = 1000000;
    int64_t x = 0, t0;
    char buf[64];
    size_t len;
    int rc, k;

    CHECK_OK(xipc_lock_create(&l, ln, 0));
    CHECK_OK(xipc_value_create(&v, vn, XIPC_I64, NULL, 0, 0));
    CHECK_OK(xipc_queue_create(&q, qn, 4096, 32));
    p = t_spawn("scribbler", ln, vn, qn, ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    while (calls < target) {
        k = (int)(calls % 4);
        t0 = t_ms();
        if (k == 0) {
            rc = xipc_lock_acquire(l, calls % 1000 == 0 ? 1 : 0);
            if (rc == 0 || rc == XIPC_EOWNERDEAD) {
                got++;
                if (rc == XIPC_EOWNERDEAD)
                    xipc_lock_consistent(l);
                xipc_lock_release(l);
                calls += 2;
            }
        } else if (k == 1) {
            xipc_lock *vl = xipc_value_lock(v);
            rc = xipc_lock_acquire(vl, 0);
            if (rc == 0 || rc == XIPC_EOWNERDEAD) {
                xipc_value_get(v, &x, sizeof x);
                xipc_lock_release(vl);
                calls += 2;
            }
        } else if (k == 2) {
            rc = xipc_queue_put(q, "m", 1, 0);
        } else {
            rc = xipc_queue_get(q, buf, sizeof buf, &len, 0);
        }
        (void)rc;
        if (t_ms() - t0 > 1 + bound_ms())
            t_fail(__FILE__, __LINE__, "a call took %lld ms",
                   (long long)(t_ms() - t0));
        calls++;
    }
    atomic_store(&ctl->flag[15], 1);
    CHECK_EQ(t_join(p, 30000), 0);
    printf("%ld calls against %lld scribbles, %ld acquires went through\n",
           calls, (long long)atomic_load(&ctl->value[1]), got);
    CHECK(got > 0);
    /* The scribbler's last bytes may say anything, such as a recursion
     * depth written while this thread held the Value's RLock (its release
     * then only counts down, and the lock stays this thread's, so close
     * would rightly refuse): free the three words, as a repair would. */
    atomic_store((_Atomic uint64_t *)((unsigned char *)xipc__seg_base(
                                          xipc__lock_seg(l)) +
                                      XIPC__LOCK_MUTEX_OFF),
                 0);
    atomic_store((_Atomic uint64_t *)((unsigned char *)xipc__seg_base(
                                          xipc__value_seg(v)) +
                                      XIPC__TYPED_MUTEX_OFF),
                 0);
    atomic_store((_Atomic uint64_t *)((unsigned char *)xipc__seg_base(
                                          xipc__queue_seg(q)) +
                                      XIPC__Q_GET_MUTEX_OFF),
                 0);
    CHECK_OK(xipc_queue_close(q));
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- a holder of 3000 locks killed -----------------------------------------
 */

#define MANY 3000

/* Helper: opens the MANY locks named argv[1]-0 .. argv[1]-2999, acquires
 * every one, sets flag 0 of control block argv[2] and waits to be
 * killed. */
int helper_hold_many(int argc, char **argv)
{
    static xipc_lock *locks[MANY];
    char name[XIPC_NAME_MAX + 1];
    xipc_shm *cs;
    t_ctl *ctl;
    int64_t end = t_ms() + T_HELPER_MAX_MS;
    int i;

    HCHECK(argc == 3);
    xipc__sys_fd_limit(0, NULL); /* a descriptor or two per object */
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    for (i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "%s-%d", argv[1], i);
        HCHECK(xipc_lock_open(&locks[i], name, 0) == 0);
        HCHECK(xipc_lock_acquire(locks[i], 0) == 0);
    }
    atomic_store(&ctl->flag[0], 1);
    while (t_ms() < end)
        xipc_sleep_ms(10);
    return 0;
}

int test_lock_holder_of_3000_killed(void)
{
    static xipc_lock *locks[MANY];
    const char *base = t_name("many"), *ctl_name;
    char name[XIPC_NAME_MAX + 8], keep[XIPC_NAME_MAX + 1];
    uint64_t open_now;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p;
    int i, rc;

    rc = xipc__sys_fd_limit(0, &open_now);
    CHECK(rc == 0 || rc == XIPC_ENOTSUP);
    snprintf(keep, sizeof keep, "%s", base);
    ctl = t_ctl_create(&ctl_name, &cs);
    for (i = 0; i < MANY; i++) {
        snprintf(name, sizeof name, "%s-%d", keep, i);
        CHECK_OK(xipc_lock_create(&locks[i], name, 0));
    }
    p = t_spawn("hold_many", keep, ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 120000);
    CHECK_RC(xipc_lock_acquire(locks[0], 0), XIPC_ETIMEDOUT);
    CHECK_RC(xipc_lock_acquire(locks[MANY - 1], 0), XIPC_ETIMEDOUT);
    t_kill(p);
    for (i = 0; i < MANY; i++) {
        rc = xipc_lock_acquire(locks[i], 10000 * t_slow());
        if (rc != XIPC_EOWNERDEAD)
            t_fail(__FILE__, __LINE__, "lock %d: %s, not XIPC_EOWNERDEAD", i,
                   xipc_err_name(rc));
        CHECK_OK(xipc_lock_consistent(locks[i]));
        CHECK_OK(xipc_lock_release(locks[i]));
        CHECK_OK(xipc_lock_close(locks[i]));
    }
    printf("all %d locks of the killed holder recovered\n", MANY);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- two PID namespaces
 * ------------------------------------------------------ */

/* Runs in a forked child that is process 1 of a new PID namespace (as is
 * its peer in another one): the holder takes RLock `name` and holds it
 * until told, the other checks it cannot get in. */
static int pidns_party(const char *name, const char *ctl_name, int holder)
{
    xipc_lock *l;
    xipc_shm *cs;
    t_ctl *ctl;
    int64_t end = t_ms() + T_HELPER_MAX_MS;
    int rc;

    if ((ctl = t_ctl_open(ctl_name, &cs)) == NULL)
        return 90;
    atomic_store(&ctl->value[holder ? 2 : 3], xipc_getpid());
    if (xipc_lock_open(&l, name, 1) != 0)
        return 91;
    if (holder) {
        if (xipc_lock_acquire(l, 0) != 0)
            return 92;
        atomic_store(&ctl->flag[1], 1);
        while (atomic_load(&ctl->flag[2]) == 0 && t_ms() < end)
            xipc_sleep_ms(1);
        xipc__sys_die(0); /* dies holding it */
    }
    t_ctl_wait(ctl, 1, 1, 20000);
    /* Both are process 1 of their namespace, and their first threads have
     * the same thread id: neither may be taken for the other. */
    if ((rc = xipc_lock_acquire(l, 0)) != XIPC_ETIMEDOUT)
        return 100 - rc;
    if (xipc_lock_count(l) != 0)
        return 93;
    if ((rc = xipc_lock_release(l)) != XIPC_EPERM)
        return 110 - rc;
    atomic_store(&ctl->flag[2], 1); /* the holder dies now */
    if ((rc = xipc_lock_acquire(l, 10000)) != XIPC_EOWNERDEAD)
        return 120 - rc;
    if (xipc_lock_consistent(l) != 0 || xipc_lock_release(l) != 0)
        return 94;
    xipc_lock_close(l);
    xipc_shm_close(cs);
    return 0;
}

/* Forks a child that makes a new PID namespace and forks the party into
 * it; returns the first child's pid (its exit code is the party's). */
static int64_t fork_into_pidns(const char *name, const char *ctl_name,
                               int holder, int *refused)
{
    int64_t pid = xipc__sys_fork(), inner;
    int code = 1;

    if (pid != 0)
        return pid;
    if (xipc__sys_new_pid_namespace() != 0)
        xipc__sys_die(T_SKIP);
    inner = xipc__sys_fork();
    if (inner == 0)
        xipc__sys_die(pidns_party(name, ctl_name, holder));
    if (inner < 0 || xipc__sys_wait_forked(inner, 60000, &code) != 0)
        xipc__sys_die(95);
    (void)refused;
    xipc__sys_die(code);
    return -1;
}

int test_lock_pid_namespaces(void)
{
    const char *name = t_name("pidns"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_lock *l;
    int64_t a, b;
    int ca = -1, cb = -1;

    if (!xipc__sys_can_fork())
        return t_skip("no fork() and no PID namespaces on this platform");
    ctl = t_ctl_create(&ctl_name, &cs);
    CHECK_OK(xipc_lock_create(&l, name, 1));
    a = fork_into_pidns(name, ctl_name, 1, NULL);
    b = fork_into_pidns(name, ctl_name, 0, NULL);
    CHECK(a > 0 && b > 0);
    CHECK_OK(xipc__sys_wait_forked(b, 60000 * t_slow(), &cb));
    CHECK_OK(xipc__sys_wait_forked(a, 60000 * t_slow(), &ca));
    if (ca == T_SKIP || cb == T_SKIP) {
        CHECK_OK(xipc_lock_close(l));
        CHECK_OK(xipc_shm_close(cs));
        return t_skip("unshare(CLONE_NEWPID) refused in the child");
    }
    printf("holder was pid %lld, waiter pid %lld, each in its namespace\n",
           (long long)atomic_load(&ctl->value[2]),
           (long long)atomic_load(&ctl->value[3]));
    CHECK_EQ(atomic_load(&ctl->value[2]), 1);
    CHECK_EQ(atomic_load(&ctl->value[3]), 1);
    CHECK_EQ(ca, 0);
    CHECK_EQ(cb, 0);
    CHECK_OK(xipc_lock_acquire(l, 0));
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- a forked child
 * ------------------------------------------------------------ */

int test_lock_forked_child(void)
{
    const char *name = t_name("fork"), *rname = t_name("forkr"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_lock *l, *r;
    int64_t pid, t0;
    int code = -1;

    if (!xipc__sys_can_fork())
        return t_skip("no fork() on this platform: children are spawned");
    ctl = t_ctl_create(&ctl_name, &cs);
    CHECK_OK(xipc_lock_create(&l, name, 0));
    CHECK_OK(xipc_lock_create(&r, rname, 1));
    CHECK_OK(xipc_lock_acquire(l, 0));
    CHECK_OK(xipc_lock_acquire(r, 0));
    CHECK_OK(xipc_lock_acquire(r, 0));
    pid = xipc__sys_fork();
    if (pid == 0) {
        /* The child is another process, not the parent's thread: it holds
         * nothing, cannot release the parent's locks, waits for them. */
        int bad = 0;
        bad |= xipc_lock_count(l) != 0;
        bad |= (xipc_lock_count(r) != 0) << 1;
        bad |= (xipc_lock_acquire(l, 0) != XIPC_ETIMEDOUT) << 2;
        bad |= (xipc_lock_acquire(r, 0) != XIPC_ETIMEDOUT) << 3;
        bad |= (xipc_lock_release(l) != XIPC_EPERM) << 4;
        bad |= (xipc_lock_release(r) != XIPC_EPERM) << 5;
        atomic_store(&ctl->flag[0], 1);
        /* Blocks until the parent lets go. */
        bad |= (xipc_lock_acquire(l, 20000) != 0) << 6;
        bad |= (xipc_lock_acquire(r, 20000) != 0) << 7;
        bad |= (xipc_lock_acquire(r, 0) != 0) << 8; /* recursion: its own */
        atomic_store(&ctl->flag[1], 1);
        t_ctl_wait(ctl, 2, 1, 20000); /* the parent now waits for us */
        xipc_sleep_ms(50);
        bad |= (xipc_lock_release(r) != 0) << 9;
        bad |= (xipc_lock_release(r) != 0) << 10;
        bad |= (xipc_lock_release(l) != 0) << 11;
        bad |= (xipc_lock_close(l) != 0) << 12;
        bad |= (xipc_lock_close(r) != 0) << 13;
        xipc_shm_close(cs);
        xipc__sys_die(bad == 0 ? 0 : 100 + (bad & 0x7f));
    }
    CHECK(pid > 0);
    t_ctl_wait(ctl, 0, 1, 20000);
    CHECK_EQ(xipc_lock_count(r), 2); /* still the parent's, twice */
    CHECK_OK(xipc_lock_release(r));
    CHECK_OK(xipc_lock_release(r));
    CHECK_OK(xipc_lock_release(l));
    t_ctl_wait(ctl, 1, 1, 20000);
    CHECK_RC(xipc_lock_acquire(l, 0), XIPC_ETIMEDOUT);
    atomic_store(&ctl->flag[2], 1);
    t0 = t_ms();
    CHECK_OK(xipc_lock_acquire(l, 20000)); /* the child releases it */
    CHECK_OK(xipc_lock_acquire(r, 20000));
    printf("the parent waited %lld ms for its child\n",
           (long long)(t_ms() - t0));
    CHECK_OK(xipc__sys_wait_forked(pid, 20000, &code));
    CHECK_EQ(code, 0);
    /* The child's closes destroyed nothing of the parent's. */
    CHECK_EQ(xipc__seg_present(name), 1);
    CHECK_EQ(xipc__seg_present(rname), 1);
    CHECK_OK(xipc_lock_release(r));
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_lock_close(r));
    CHECK_EQ(xipc__seg_present(name), 0);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- the try race
 * ------------------------------------------------------------- */

struct racer {
    xipc_lock *lock;
    _Atomic int go, stop;
    long tries, lost;
    int bad;
};

static int try_in_loop(void *arg)
{
    struct racer *r = arg;
    int rc;

    while (atomic_load(&r->go) == 0)
        ;
    while (atomic_load(&r->stop) == 0) {
        rc = xipc_lock_acquire(r->lock, 0);
        r->tries++;
        if (rc == XIPC_ENOTRECOVERABLE) {
            r->lost++;
            break;
        }
        if (rc == 0 || rc == XIPC_EOWNERDEAD) {
            /* The lock was not lost yet: let it go again, unrepaired, so it
             * becomes lost now. */
            xipc_lock_release(r->lock);
            continue;
        }
        if (rc != XIPC_ETIMEDOUT) {
            r->bad = rc;
            break;
        }
    }
    return 0;
}

static int acquire_and_exit(void *arg)
{
    return xipc_lock_acquire(arg, 0); /* and ends holding it */
}

int test_lock_try_race_not_recoverable(void)
{
    int rounds = 4000 / t_slow(), i, rc;
    struct racer r;
    xipc__thread *t1, *t2;
    xipc_lock *l;

    for (i = 0; i < rounds; i++) {
        const char *name = t_name("race");
        CHECK_OK(xipc_lock_create(&l, name, 0));
        /* A thread ends holding it: the next acquirer is told. */
        CHECK_OK(xipc__thread_start(&t1, acquire_and_exit, l));
        CHECK_EQ(xipc__thread_join(t1), 0);
        memset(&r, 0, sizeof r);
        r.lock = l;
        CHECK_OK(xipc__thread_start(&t2, try_in_loop, &r));
        rc = xipc_lock_acquire(l, 10000);
        if (rc == XIPC_EOWNERDEAD) {
            atomic_store(&r.go, 1);
            /* Released unrepaired while the other thread tries. */
            CHECK_OK(xipc_lock_release(l));
        } else {
            /* The trier may not even have started: it must end the same. */
            CHECK_RC(rc, XIPC_EOWNERDEAD);
        }
        /* It must see the loss promptly, whatever the interleaving. */
        {
            int64_t end = t_ms() + 10000 * t_slow();
            while (r.lost == 0 && r.bad == 0 && t_ms() < end)
                xipc_sleep_ms(0);
        }
        atomic_store(&r.stop, 1);
        CHECK_EQ(xipc__thread_join(t2), 0);
        CHECK_EQ(r.bad, 0);
        CHECK_EQ(r.lost, 1);
        CHECK_RC(xipc_lock_acquire(l, 0), XIPC_ENOTRECOVERABLE);
        CHECK_RC(xipc_lock_acquire(l, 10), XIPC_ENOTRECOVERABLE);
        CHECK_OK(xipc_lock_close(l));
    }
    printf("%d rounds, never wedged\n", rounds);
    return 0;
}

/* ---- no system call
 * ------------------------------------------------------------- */

int test_lock_try_makes_no_syscall(void)
{
    const char *name = t_name("nosys"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_lock *l;
    xipc_proc *p;
    uint64_t before;
    int64_t t0, ms;
    long i, n = 200000;

    CHECK_OK(xipc_lock_create(&l, name, 0));
    /* Uncontended pairs: none at all. */
    before = xipc__sys_calls();
    for (i = 0; i < n; i++) {
        CHECK_OK(xipc_lock_acquire(l, XIPC_FOREVER));
        CHECK_OK(xipc_lock_release(l));
    }
    CHECK_EQ(xipc__sys_calls() - before, 0);
    /* Failed tries against a live holder in another process: a try asks
     * the kernel about an owner when it first meets it, then trusts it for
     * a while (0.1 ms on POSIX, 2 ms on Windows), so in a loop of tries,
     * at most one call per 0.1 ms of trying. */
    p = t_spawn("lock_holder", name, "-", ctl_name, "hold", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    before = xipc__sys_calls();
    t0 = t_ms();
    for (i = 0; i < n; i++)
        CHECK_RC(xipc_lock_acquire(l, 0), XIPC_ETIMEDOUT);
    ms = t_ms() - t0;
    printf("%ld failed tries in %lld ms made %llu system calls\n", n,
           (long long)ms, (unsigned long long)(xipc__sys_calls() - before));
    /* ms is counted in whole milliseconds at both ends: up to one more
     * has passed. */
    CHECK(xipc__sys_calls() - before <= (uint64_t)(1 + (ms + 1) * 10));
    CHECK(xipc__sys_calls() - before < (uint64_t)n / 100);
    /* And a try meets a dead holder at once, once the trust in the last
     * look has run out (2 ms at most: a kill and a wait can take less
     * under Wine, and the try then still trusts the answer "alive"). */
    t_kill(p);
    xipc_sleep_ms(5);
    CHECK_RC(xipc_lock_acquire(l, 0), XIPC_EOWNERDEAD);
    CHECK_OK(xipc_lock_consistent(l));
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
