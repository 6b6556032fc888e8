/*
 * test_array.c - Array: element and range copies, overflow-safe bounds,
 * the string view of a byte array, open checks, processes updating one
 * Array under its lock, read-only sharing of one physical copy, and the
 * owner-death path of its lock.
 */
#include "test.h"

#include <stdlib.h>

int test_array_create_open_rw(void)
{
    enum { N = 1000 };
    const char *name = t_name("arr");
    int32_t init[N], got[N], x;
    xipc_array *a, *b;
    int i;

    for (i = 0; i < N; i++)
        init[i] = i * 3 - 500;
    CHECK_OK(xipc_array_create(&a, name, XIPC_I32, N, init, sizeof init, 0));
    CHECK_STR(xipc_array_name(a), name);
    CHECK_EQ(xipc_array_length(a), N);
    CHECK_EQ(xipc_array_elem_size(a), 4);
    CHECK_EQ(xipc_array_type(a), XIPC_I32);
    CHECK_EQ(xipc_array_readonly(a), 0);
    CHECK(xipc_array_lock(a) != NULL);
    CHECK((uintptr_t)xipc_array_data(a) % 64 == 0);
    CHECK_OK(xipc_array_open(&b, name, XIPC_I32, XIPC_RDWR));
    CHECK_EQ(xipc_array_length(b), N); /* the opener learns the length */
    CHECK_OK(xipc_array_read(b, 0, N, got, sizeof got));
    CHECK(memcmp(got, init, sizeof got) == 0);
    CHECK_OK(xipc_array_get(b, 999, &x, sizeof x));
    CHECK_EQ(x, 999 * 3 - 500);
    x = 123456;
    CHECK_OK(xipc_array_set(b, 17, &x, sizeof x));
    CHECK_EQ(((int32_t *)xipc_array_data(a))[17], 123456);
    for (i = 0; i < 10; i++)
        got[i] = -i;
    CHECK_OK(xipc_array_write(a, 990, 10, got, 10 * sizeof got[0]));
    CHECK_OK(xipc_array_read(b, 985, 15, got, 15 * sizeof got[0]));
    CHECK_EQ(got[0], 985 * 3 - 500);
    CHECK_EQ(got[4], 989 * 3 - 500);
    CHECK_EQ(got[5], 0);
    CHECK_EQ(got[14], -9);
    /* Ranges of nothing are fine, at either end. */
    CHECK_OK(xipc_array_read(a, 0, 0, NULL, 0));
    CHECK_OK(xipc_array_write(a, N, 0, NULL, 0));
    CHECK_OK(xipc_array_close(b));
    CHECK_OK(xipc_array_close(a));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

int test_array_zeroed_raw_and_empty(void)
{
    const char *name = t_name("zraw"), *ename = t_name("empty");
    xipc_array *a, *e;
    double d[4] = {1, 1, 1, 1};
    int i;

    CHECK_OK(xipc_array_create(&a, name, XIPC_F64, 4, NULL, 0, XIPC_RAW));
    CHECK(xipc_array_lock(a) == NULL);
    CHECK_OK(xipc_array_read(a, 0, 4, d, sizeof d));
    for (i = 0; i < 4; i++)
        CHECK(d[i] == 0.0);
    d[2] = 2.5;
    CHECK_OK(xipc_array_write(a, 0, 4, d, sizeof d));
    CHECK(((double *)xipc_array_data(a))[2] == 2.5);
    /* Python allows Array('i', 0); so does xipc. */
    CHECK_OK(xipc_array_create(&e, ename, XIPC_U8, 0, NULL, 0, 0));
    CHECK_EQ(xipc_array_length(e), 0);
    CHECK_RC(xipc_array_get(e, 0, d, 1), XIPC_EINVAL);
    CHECK_OK(xipc_array_close(e));
    /* Sizes that overflow are refused before any system call. */
    CHECK_RC(
        xipc_array_create(&e, t_name("huge"), XIPC_I64, SIZE_MAX, NULL, 0, 0),
        XIPC_EINVAL);
    CHECK_RC(xipc_array_create(&e, t_name("huge"), XIPC_I64, SIZE_MAX / 8 + 2,
                               NULL, 0, 0),
             XIPC_EINVAL);
    CHECK_OK(xipc_array_close(a));
    return 0;
}

int test_array_bounds(void)
{
    enum { N = 10 };
    const char *name = t_name("bnd");
    int16_t buf[N + 4], x = 7;
    xipc_array *a;
    int i;

    CHECK_OK(xipc_array_create(&a, name, XIPC_I16, N, NULL, 0, 0));
    for (i = 0; i < N; i++)
        ((int16_t *)xipc_array_data(a))[i] = (int16_t)(100 + i);
    for (i = 0; i < N + 4; i++)
        buf[i] = -1;
    CHECK_RC(xipc_array_get(a, N, &x, sizeof x), XIPC_EINVAL);
    CHECK_RC(xipc_array_get(a, SIZE_MAX, &x, sizeof x), XIPC_EINVAL);
    CHECK_RC(xipc_array_set(a, N, &x, sizeof x), XIPC_EINVAL);
    CHECK_EQ(x, 7);
    CHECK_RC(xipc_array_read(a, 8, 3, buf, 3 * sizeof x), XIPC_EINVAL);
    CHECK_RC(xipc_array_read(a, N + 1, 0, buf, 0), XIPC_EINVAL);
    CHECK_RC(xipc_array_read(a, 1, SIZE_MAX, buf, sizeof buf), XIPC_EINVAL);
    CHECK_RC(xipc_array_read(a, SIZE_MAX, 2, buf, 2 * sizeof x), XIPC_EINVAL);
    CHECK_RC(xipc_array_read(a, 2, SIZE_MAX - 1, buf, sizeof buf), XIPC_EINVAL);
    for (i = 0; i < N + 4; i++)
        CHECK_EQ(buf[i], -1); /* nothing was copied */
    CHECK_RC(xipc_array_write(a, 8, 3, buf, 3 * sizeof x), XIPC_EINVAL);
    CHECK_RC(xipc_array_write(a, SIZE_MAX, 1, buf, sizeof x), XIPC_EINVAL);
    for (i = 0; i < N; i++)
        CHECK_EQ(((int16_t *)xipc_array_data(a))[i], 100 + i);
    CHECK(strstr(xipc_last_error(), "outside") != NULL);
    CHECK_RC(xipc_array_read(a, 0, 1, NULL, sizeof x), XIPC_EINVAL);
    CHECK_RC(xipc_array_get(NULL, 0, &x, sizeof x), XIPC_EINVAL);
    CHECK_RC(xipc_array_write(NULL, 0, 0, buf, 0), XIPC_EINVAL);
    CHECK_RC(xipc_array_close(NULL), XIPC_EINVAL);
    CHECK(xipc_array_data(NULL) == NULL && xipc_array_length(NULL) == 0);
    CHECK_OK(xipc_array_close(a));
    return 0;
}

int test_array_string(void)
{
    const char *name = t_name("str");
    xipc_array *a, *w;
    char buf[32];

    CHECK_OK(xipc_array_create(&a, name, XIPC_CHAR, 8, "xxxxxxxx", 8, 0));
    CHECK_EQ(xipc_array_get_string(a, buf, sizeof buf), 8); /* no NUL */
    CHECK_STR(buf, "xxxxxxxx");
    CHECK_RC(xipc_array_get_string(a, buf, 8), XIPC_EMSGSIZE);
    CHECK_OK(xipc_array_set_string(a, "hello"));
    CHECK_EQ(xipc_array_get_string(a, buf, sizeof buf), 5);
    CHECK_STR(buf, "hello");
    /* .raw still has what lies behind the NUL. */
    CHECK_OK(xipc_array_read(a, 0, 8, buf, 8));
    CHECK(memcmp(buf, "hello\0xx", 8) == 0);
    CHECK_EQ(xipc_array_get_string(a, buf, 6), 5);
    CHECK_RC(xipc_array_get_string(a, buf, 5), XIPC_EMSGSIZE);
    CHECK_OK(xipc_array_set_string(a, "12345678")); /* fills it: no NUL */
    CHECK_EQ(xipc_array_get_string(a, buf, sizeof buf), 8);
    CHECK_STR(buf, "12345678");
    CHECK_RC(xipc_array_set_string(a, "123456789"), XIPC_EMSGSIZE);
    CHECK_EQ(xipc_array_get_string(a, buf, sizeof buf), 8); /* unchanged */
    CHECK_STR(buf, "12345678");
    CHECK_OK(xipc_array_set_string(a, ""));
    CHECK_EQ(xipc_array_get_string(a, buf, sizeof buf), 0);
    CHECK_RC(xipc_array_get_string(a, NULL, 4), XIPC_EINVAL);
    CHECK_RC(xipc_array_set_string(a, NULL), XIPC_EINVAL);
    /* Only for one-byte elements. */
    CHECK_OK(xipc_array_create(&w, t_name("wide"), XIPC_I32, 4, NULL, 0, 0));
    CHECK_RC(xipc_array_set_string(w, "a"), XIPC_EINVAL);
    CHECK_RC(xipc_array_get_string(w, buf, sizeof buf), XIPC_EINVAL);
    CHECK_OK(xipc_array_close(w));
    CHECK_OK(xipc_array_close(a));
    return 0;
}

int test_array_open_checks(void)
{
    const char *name = t_name("achk"), *sname = t_name("ashm");
    xipc_array *a, *x = NULL;
    xipc_shm *s;
    xipc__hdr *h;

    CHECK_OK(xipc_array_create(&a, name, XIPC_U16, 10, NULL, 0, 0));
    CHECK_OK(xipc_shm_create(&s, sname, 200));
    CHECK_RC(xipc_array_open(&x, name, XIPC_I16, XIPC_RDWR), XIPC_EKIND);
    CHECK_RC(xipc_array_open(&x, name, XIPC_CHAR, XIPC_RDONLY), XIPC_EKIND);
    CHECK_RC(xipc_array_open(&x, sname, XIPC_U16, XIPC_RDWR), XIPC_EKIND);
    CHECK_RC(xipc_array_create(&x, name, XIPC_U16, 10, NULL, 0, 0),
             XIPC_EEXIST);
    CHECK_RC(xipc_array_open(&x, t_name("none"), XIPC_U16, XIPC_RDWR),
             XIPC_ENOENT);
    CHECK_RC(xipc_array_create(&x, t_name("f"), XIPC_U16, 1, NULL, 0, 4),
             XIPC_EINVAL);
    CHECK_RC(xipc_array_create(NULL, t_name("f"), XIPC_U16, 1, NULL, 0, 0),
             XIPC_EINVAL);
    CHECK(x == NULL);
    h = xipc__seg_base(xipc__array_seg(a));
    h->user_size = 19; /* not a whole number of u16 */
    h->total_size = h->data_off + 19;
    CHECK_RC(xipc_array_open(&x, name, XIPC_U16, XIPC_RDWR), XIPC_ECORRUPT);
    h->user_size = 1u << 30; /* larger than the mapping */
    h->total_size = h->data_off + h->user_size;
    CHECK_RC(xipc_array_open(&x, name, XIPC_U16, XIPC_RDWR), XIPC_ECORRUPT);
    h->user_size = 20;
    h->total_size = h->data_off + 20;
    h->kind = 99;
    CHECK_RC(xipc_array_open(&x, name, XIPC_U16, XIPC_RDWR), XIPC_EKIND);
    h->kind = XIPC_KIND_ARRAY;
    CHECK_OK(xipc_array_open(&x, name, XIPC_U16, XIPC_RDONLY));
    CHECK_EQ(xipc_array_length(x), 10);
    CHECK_EQ(xipc_array_readonly(x), 1);
    CHECK(xipc_array_lock(x) == NULL);
    CHECK_RC(xipc_array_set(x, 0, &(uint16_t){1}, 2), XIPC_EACCES);
    CHECK_RC(xipc_array_write(x, 0, 1, &(uint16_t){1}, 2), XIPC_EACCES);
    CHECK_RC(xipc_array_set_string(x, ""), XIPC_EINVAL); /* not bytes */
    CHECK_OK(xipc_array_close(x));
    /* A read-only byte Array refuses the string write too. */
    {
        const char *cname = t_name("achr");
        xipc_array *c, *r;
        char buf[8];
        CHECK_OK(xipc_array_create(&c, cname, XIPC_CHAR, 4, "abc", 4, 0));
        CHECK_OK(xipc_array_open(&r, cname, XIPC_CHAR, XIPC_RDONLY));
        CHECK_RC(xipc_array_set_string(r, "x"), XIPC_EACCES);
        CHECK_EQ(xipc_array_get_string(r, buf, sizeof buf), 3);
        CHECK_STR(buf, "abc");
        CHECK_OK(xipc_array_close(r));
        CHECK_OK(xipc_array_close(c));
    }
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_array_close(a));
    return 0;
}

/* Helper: opens Array argv[1] (i64) and argv[2] times increments every
 * element by a read-modify-write of the whole range under the lock, then
 * sets element argv[3] + length / 2 with set. */
int helper_array_bumper(int argc, char **argv)
{
    xipc_array *a;
    int64_t *buf;
    size_t n, j;
    long i, rounds;

    HCHECK(argc == 4);
    rounds = atol(argv[2]);
    HCHECK(xipc_array_open(&a, argv[1], XIPC_I64, XIPC_RDWR) == 0);
    n = xipc_array_length(a) / 2;
    HCHECK((buf = malloc(n * sizeof *buf)) != NULL);
    for (i = 0; i < rounds; i++) {
        xipc_lock *l = xipc_array_lock(a);
        HCHECK(xipc_lock_acquire(l, XIPC_FOREVER) == 0);
        HCHECK(xipc_array_read(a, 0, n, buf, n * sizeof *buf) == 0);
        for (j = 0; j < n; j++)
            buf[j]++;
        HCHECK(xipc_array_write(a, 0, n, buf, n * sizeof *buf) == 0);
        HCHECK(xipc_lock_release(l) == 0);
    }
    {
        int64_t mark = 1000 + atol(argv[3]);
        HCHECK(xipc_array_set(a, n + (size_t)atol(argv[3]), &mark,
                              sizeof mark) == 0);
    }
    free(buf);
    HCHECK(xipc_array_close(a) == 0);
    return 0;
}

int test_array_processes_update(void)
{
    enum { P = 4, N = 64 };
    const char *name = t_name("bump");
    long rounds = t_slow() > 1 ? 500 : 5000;
    char sr[24], si[P][8];
    int64_t got[2 * N];
    xipc_proc *p[P];
    xipc_array *a;
    int i;

    snprintf(sr, sizeof sr, "%ld", rounds);
    CHECK_OK(xipc_array_create(&a, name, XIPC_I64, 2 * N, NULL, 0, 0));
    for (i = 0; i < P; i++) {
        snprintf(si[i], sizeof si[i], "%d", i);
        p[i] = t_spawn("array_bumper", name, sr, si[i], NULL);
    }
    for (i = 0; i < P; i++)
        CHECK_EQ(t_join(p[i], 120000), 0);
    CHECK_OK(xipc_array_read(a, 0, 2 * N, got, sizeof got));
    for (i = 0; i < N; i++)
        CHECK_EQ(got[i], P * rounds); /* no update was lost */
    for (i = 0; i < P; i++)
        CHECK_EQ(got[N + i], 1000 + i); /* each child's own element */
    for (i = P; i < N; i++)
        CHECK_EQ(got[N + i], 0);
    printf("%d processes x %ld locked whole-range updates: exact\n", P, rounds);
    CHECK_OK(xipc_array_close(a));
    return 0;
}

/* The byte every position of the shared buffer holds. */
static unsigned char pattern_at(size_t i)
{
    return (unsigned char)((i * 2654435761u) >> 13);
}

/* Helper: reader argv[3] of Array argv[1] (u8, read-only): sums the whole
 * Array through its pointer, reports the sum in value[reader] of control
 * block argv[2] and the growth of its proportional set size in
 * value[8 + reader] (-1 where the platform cannot tell), in step with its
 * peers: flag 0 counts readers done reading, flag 1 lets them measure,
 * flag 2 counts readers done measuring, flag 3 lets them go. */
int helper_array_reader(int argc, char **argv)
{
    const unsigned char *d;
    uint64_t before = 0, after = 0, sum = 0;
    xipc_array *a;
    xipc_shm *cs;
    t_ctl *ctl;
    size_t i, n;
    int me, pss;

    HCHECK(argc == 4);
    me = atoi(argv[3]);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    pss = xipc__sys_pss(&before);
    HCHECK(pss == 0 || pss == XIPC_ENOTSUP);
    HCHECK(xipc_array_open(&a, argv[1], XIPC_U8, XIPC_RDONLY) == 0);
    HCHECK(xipc_array_readonly(a) == 1);
    d = xipc_array_data(a);
    n = xipc_array_length(a);
    for (i = 0; i < n; i++)
        sum += d[i] ^ (i & 7);
    atomic_store(&ctl->value[me], (int64_t)sum);
    atomic_fetch_add(&ctl->flag[0], 1);
    t_ctl_wait(ctl, 1, 1, 60000);
    if (pss == 0)
        HCHECK(xipc__sys_pss(&after) == 0);
    atomic_store(&ctl->value[8 + me],
                 pss == 0 ? (int64_t)(after - before) : -1);
    atomic_fetch_add(&ctl->flag[2], 1);
    t_ctl_wait(ctl, 3, 1, 60000);
    HCHECK(xipc_array_close(a) == 0);
    xipc_shm_close(cs);
    return 0;
}

int test_array_readonly_shared_once(void)
{
    enum { R = 4 };
    const char *name = t_name("big"), *ctl_name;
    size_t size = (t_slow() > 1 ? 16u : 64u) << 20, i;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    char si[R][8];
    xipc_proc *p[R];
    xipc_array *a;
    unsigned char *d;
    uint64_t sum = 0;
    int64_t grown = 0;
    int r, measured = 1;

    CHECK_OK(xipc_array_create(&a, name, XIPC_U8, size, NULL, 0, 0));
    d = xipc_array_data(a);
    for (i = 0; i < size; i++) {
        d[i] = pattern_at(i);
        sum += d[i] ^ (i & 7);
    }
    for (r = 0; r < R; r++) {
        snprintf(si[r], sizeof si[r], "%d", r);
        p[r] = t_spawn("array_reader", name, ctl_name, si[r], NULL);
    }
    t_ctl_wait(ctl, 0, R, 60000);
    atomic_store(&ctl->flag[1], 1);
    t_ctl_wait(ctl, 2, R, 60000);
    for (r = 0; r < R; r++) {
        int64_t g = atomic_load(&ctl->value[8 + r]);
        CHECK_EQ(atomic_load(&ctl->value[r]), (int64_t)sum);
        if (g < 0)
            measured = 0;
        else
            grown += g;
    }
    if (measured) {
        /* N private copies would add R * size; one shared copy adds each
         * reader's share of it, about R * size / (R + 1) in all. */
        printf("%d readers of %zu MiB grew by %lld MiB in all (PSS)\n", R,
               size >> 20, (long long)(grown >> 20));
        CHECK(grown < (int64_t)(size + size / 2));
    } else {
        printf("%d readers agree on the checksum; this platform does not "
               "report shared memory per process\n",
               R);
    }
    atomic_store(&ctl->flag[3], 1);
    for (r = 0; r < R; r++)
        CHECK_EQ(t_join(p[r], 60000), 0);
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Helper: opens Array argv[1] (i32), takes its lock, overwrites the first
 * half of it with -1, sets flag 0 of control block argv[2] and waits to be
 * killed. */
int helper_array_die_holding(int argc, char **argv)
{
    xipc_array *a;
    xipc_shm *cs;
    t_ctl *ctl;
    size_t i;

    HCHECK(argc == 3);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_array_open(&a, argv[1], XIPC_I32, XIPC_RDWR) == 0);
    HCHECK(xipc_lock_acquire(xipc_array_lock(a), XIPC_FOREVER) == 0);
    for (i = 0; i < xipc_array_length(a) / 2; i++)
        ((int32_t *)xipc_array_data(a))[i] = -1;
    atomic_store(&ctl->flag[0], 1);
    xipc_sleep_ms(T_HELPER_MAX_MS);
    return 0;
}

int test_array_owner_died(void)
{
    enum { N = 8 };
    const char *name = t_name("adie"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    int32_t init[N] = {1, 2, 3, 4, 5, 6, 7, 8}, got[N];
    xipc_array *a;
    xipc_lock *l;
    xipc_proc *p;
    int i;

    CHECK_OK(xipc_array_create(&a, name, XIPC_I32, N, init, sizeof init, 0));
    l = xipc_array_lock(a);
    p = t_spawn("array_die_holding", name, ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    t_kill(p);
    memset(got, 0, sizeof got);
    CHECK_RC(xipc_array_read(a, 0, N, got, sizeof got), XIPC_EOWNERDEAD);
    for (i = 0; i < N; i++)
        CHECK_EQ(got[i], 0); /* nothing copied */
    CHECK_EQ(xipc_lock_count(l), 1);
    /* The half-done update is there to see and repair. */
    CHECK_OK(xipc_array_read(a, 0, N, got, sizeof got));
    CHECK_EQ(got[0], -1);
    CHECK_EQ(got[N / 2], N / 2 + 1);
    CHECK_OK(xipc_array_write(a, 0, N, init, sizeof init));
    CHECK_OK(xipc_lock_consistent(l));
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_array_read(a, 0, N, got, sizeof got));
    CHECK(memcmp(got, init, sizeof got) == 0);
    CHECK_EQ(xipc_lock_count(l), 0);
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_array_not_recoverable(void)
{
    const char *name = t_name("anrec"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    int32_t x = 0, init[4] = {1, 2, 3, 4};
    xipc_array *a;
    xipc_proc *p;

    CHECK_OK(xipc_array_create(&a, name, XIPC_I32, 4, init, sizeof init, 0));
    p = t_spawn("array_die_holding", name, ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    t_kill(p);
    CHECK_RC(xipc_array_get(a, 3, &x, sizeof x), XIPC_EOWNERDEAD);
    CHECK_EQ(x, 0);
    /* Releasing without repair loses the Array's lock for good. */
    CHECK_OK(xipc_lock_release(xipc_array_lock(a)));
    CHECK_RC(xipc_array_get(a, 3, &x, sizeof x), XIPC_ENOTRECOVERABLE);
    CHECK_RC(xipc_array_set(a, 3, &x, sizeof x), XIPC_ENOTRECOVERABLE);
    CHECK_RC(xipc_array_read(a, 0, 1, &x, sizeof x), XIPC_ENOTRECOVERABLE);
    CHECK_EQ(x, 0);
    /* The data stays reachable through the pointer. */
    CHECK_EQ(((int32_t *)xipc_array_data(a))[3], 4);
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Helper: opens byte Array argv[1], takes its lock, sets flag 0 of control
 * block argv[2] and waits to be killed. */
int helper_array_die_holding_bytes(int argc, char **argv)
{
    xipc_array *a;
    xipc_shm *cs;
    t_ctl *ctl;

    HCHECK(argc == 3);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_array_open(&a, argv[1], XIPC_CHAR, XIPC_RDWR) == 0);
    HCHECK(xipc_lock_acquire(xipc_array_lock(a), XIPC_FOREVER) == 0);
    atomic_store(&ctl->flag[0], 1);
    xipc_sleep_ms(T_HELPER_MAX_MS);
    return 0;
}

int test_array_string_owner_died(void)
{
    const char *name = t_name("sdie"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_array *a;
    xipc_proc *p;
    char buf[16] = "untouched", init[8] = "before";

    CHECK_OK(xipc_array_create(&a, name, XIPC_CHAR, 8, init, sizeof init, 0));
    p = t_spawn("array_die_holding_bytes", name, ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    t_kill(p);
    CHECK_RC(xipc_array_get_string(a, buf, sizeof buf), XIPC_EOWNERDEAD);
    CHECK_STR(buf, "untouched");
    CHECK_EQ(xipc_lock_count(xipc_array_lock(a)), 1);
    CHECK_OK(xipc_array_set_string(a, "after")); /* the holder repairs */
    CHECK_OK(xipc_lock_consistent(xipc_array_lock(a)));
    CHECK_OK(xipc_lock_release(xipc_array_lock(a)));
    CHECK_EQ(xipc_array_get_string(a, buf, sizeof buf), 5);
    CHECK_STR(buf, "after");
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
