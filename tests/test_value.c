/*
 * test_value.c - element types, and Value: get/set under the lock, the raw
 * variant, lock-free atomics (one process and several), open checks,
 * read-only handles and the owner-death path of its lock.
 */
#include "test.h"

#include <stdlib.h>

int test_types_and_codes(void)
{
    static const struct {
        char code;
        xipc_type type;
        size_t size;
        const char *name;
    } want[] = {
        {'b', XIPC_I8, 1, "i8"},     {'B', XIPC_U8, 1, "u8"},
        {'h', XIPC_I16, 2, "i16"},   {'H', XIPC_U16, 2, "u16"},
        {'i', XIPC_I32, 4, "i32"},   {'I', XIPC_U32, 4, "u32"},
        {'q', XIPC_I64, 8, "i64"},   {'Q', XIPC_U64, 8, "u64"},
        {'f', XIPC_F32, 4, "f32"},   {'d', XIPC_F64, 8, "f64"},
        {'c', XIPC_CHAR, 1, "char"},
    };
    const char refused[] = "lLu";
    xipc_type t = (xipc_type)0;
    size_t i;

    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK_OK(xipc_type_from_code(want[i].code, &t));
        CHECK_EQ(t, want[i].type);
        CHECK_EQ(xipc_type_size(t), want[i].size);
        CHECK_STR(xipc_type_name(t), want[i].name);
    }
    /* The widths that differ between Windows and Linux are refused, with a
     * reason, and *out is left alone. */
    for (i = 0; refused[i]; i++) {
        t = XIPC_I8;
        CHECK_RC(xipc_type_from_code(refused[i], &t), XIPC_EINVAL);
        CHECK_EQ(t, XIPC_I8);
        CHECK(strstr(xipc_last_error(), "Windows") != NULL);
    }
    CHECK_RC(xipc_type_from_code('x', &t), XIPC_EINVAL);
    CHECK_RC(xipc_type_from_code('\0', &t), XIPC_EINVAL);
    CHECK_RC(xipc_type_from_code('i', NULL), XIPC_EINVAL);
    CHECK_EQ(xipc_type_size((xipc_type)0), 0);
    CHECK_EQ(xipc_type_size((xipc_type)12), 0);
    CHECK_STR(xipc_type_name((xipc_type)99), "?");
    return 0;
}

int test_value_get_set_every_type(void)
{
    /* One initial and one later value of every type, as bytes. */
    union v {
        int8_t i8;
        uint8_t u8;
        int16_t i16;
        uint16_t u16;
        int32_t i32;
        uint32_t u32;
        int64_t i64;
        uint64_t u64;
        float f32;
        double f64;
        char c;
        unsigned char bytes[8];
    };
    xipc_type t;

    for (t = XIPC_I8; t <= XIPC_CHAR; t = (xipc_type)(t + 1)) {
        const char *name = t_name("val");
        size_t size = xipc_type_size(t), i;
        union v init, later, got;
        xipc_value *a, *b;

        for (i = 0; i < 8; i++) {
            init.bytes[i] = (unsigned char)(0x11 * (i + 1) + t);
            later.bytes[i] = (unsigned char)(0xa0 + i + t);
        }
        if (t == XIPC_F32) {
            init.f32 = 1.5f;
            later.f32 = -2.25f;
        } else if (t == XIPC_F64) {
            init.f64 = 3.125;
            later.f64 = -1e300;
        }
        CHECK_OK(xipc_value_create(&a, name, t, &init, size, 0));
        CHECK_EQ(xipc_value_type(a), t);
        CHECK_STR(xipc_value_name(a), name);
        CHECK(xipc_value_lock(a) != NULL);
        CHECK((uintptr_t)xipc_value_data(a) % 8 == 0);
        CHECK_OK(xipc_value_open(&b, name, t, XIPC_RDWR));
        memset(&got, 0, sizeof got);
        CHECK_OK(xipc_value_get(b, &got, size));
        CHECK(memcmp(&got, &init, size) == 0);
        CHECK_OK(xipc_value_set(b, &later, size));
        memset(&got, 0, sizeof got);
        CHECK_OK(xipc_value_get(a, &got, size));
        CHECK(memcmp(&got, &later, size) == 0);
        /* get_obj(): both handles reach the same bytes. */
        CHECK(memcmp(xipc_value_data(a), &later, size) == 0);
        CHECK(memcmp(xipc_value_data(b), &later, size) == 0);
        /* Exactly `size` bytes were written by get. */
        memset(&got, 0x5a, sizeof got);
        CHECK_OK(xipc_value_get(a, &got, size));
        for (i = size; i < 8; i++)
            CHECK_EQ(got.bytes[i], 0x5a);
        CHECK_OK(xipc_value_close(b));
        CHECK_OK(xipc_value_close(a));
        CHECK_EQ(xipc__seg_present(name), 0);
    }
    return 0;
}

int test_value_zero_init_and_raw(void)
{
    const char *name = t_name("raw");
    xipc_value *v, *w;
    int64_t x = -1;

    CHECK_OK(xipc_value_create(&v, name, XIPC_I64, NULL, 0, XIPC_RAW));
    CHECK_OK(xipc_value_get(v, &x, sizeof x));
    CHECK_EQ(x, 0);
    CHECK(xipc_value_lock(v) == NULL); /* Python's RawValue: no lock */
    CHECK_OK(xipc_value_open(&w, name, XIPC_I64, XIPC_RDWR));
    CHECK(xipc_value_lock(w) == NULL); /* the opener learns it */
    x = 42;
    CHECK_OK(xipc_value_set(w, &x, sizeof x));
    x = 0;
    CHECK_OK(xipc_value_get(v, &x, sizeof x));
    CHECK_EQ(x, 42);
    CHECK_OK(xipc_value_add(v, 1, NULL, NULL));
    CHECK_EQ(*(int64_t *)xipc_value_data(w), 43);
    CHECK_OK(xipc_value_close(w));
    CHECK_OK(xipc_value_close(v));
    return 0;
}

int test_value_open_checks(void)
{
    const char *name = t_name("vchk"), *lname = t_name("vlock"),
               *aname = t_name("varr");
    xipc_value *v, *x = NULL;
    xipc_lock *l, *y = NULL;
    xipc_array *a;
    int32_t one = 1;
    xipc__hdr *h;

    CHECK_OK(xipc_value_create(&v, name, XIPC_I32, &one, sizeof one, 0));
    CHECK_OK(xipc_lock_create(&l, lname, 0));
    CHECK_OK(xipc_array_create(&a, aname, XIPC_I32, 1, NULL, 0, 0));
    CHECK_RC(xipc_value_open(&x, name, XIPC_U32, XIPC_RDWR), XIPC_EKIND);
    CHECK(strstr(xipc_last_error(), "i32") != NULL);
    CHECK_RC(xipc_value_open(&x, name, XIPC_I64, XIPC_RDWR), XIPC_EKIND);
    CHECK_RC(xipc_value_open(&x, lname, XIPC_I32, XIPC_RDWR), XIPC_EKIND);
    /* An Array of one element is still not a Value, nor the reverse. */
    CHECK_RC(xipc_value_open(&x, aname, XIPC_I32, XIPC_RDWR), XIPC_EKIND);
    {
        xipc_array *z = NULL;
        CHECK_RC(xipc_array_open(&z, name, XIPC_I32, XIPC_RDWR), XIPC_EKIND);
        CHECK(z == NULL);
    }
    CHECK_RC(xipc_lock_open(&y, name, 1), XIPC_EKIND);
    CHECK_RC(xipc_value_create(&x, name, XIPC_I32, NULL, 0, 0), XIPC_EEXIST);
    CHECK_RC(xipc_value_open(&x, t_name("none"), XIPC_I32, XIPC_RDWR),
             XIPC_ENOENT);
    CHECK_RC(xipc_value_open(&x, "no/such", XIPC_I32, XIPC_RDWR), XIPC_EINVAL);
    CHECK_RC(xipc_value_open(&x, name, (xipc_type)0, XIPC_RDWR), XIPC_EINVAL);
    CHECK_RC(xipc_value_open(&x, name, (xipc_type)12, XIPC_RDWR), XIPC_EINVAL);
    CHECK_RC(xipc_value_open(&x, name, XIPC_I32, 7), XIPC_EINVAL);
    CHECK_RC(xipc_value_open(NULL, name, XIPC_I32, XIPC_RDWR), XIPC_EINVAL);
    CHECK_RC(xipc_value_create(&x, t_name("v2"), (xipc_type)0, NULL, 0, 0),
             XIPC_EINVAL);
    CHECK_RC(xipc_value_create(&x, t_name("v3"), XIPC_I32, NULL, 0, 1),
             XIPC_EINVAL);
    CHECK(x == NULL && y == NULL);
    /* NULL handles are refused, not dereferenced. */
    CHECK_RC(xipc_value_get(NULL, &one, sizeof one), XIPC_EINVAL);
    CHECK_RC(xipc_value_get(v, NULL, 4), XIPC_EINVAL);
    /* The buffer must be exactly the type's size: an int64_t for an i32
     * Value is refused, not half-written. */
    {
        int64_t wide = -1;
        int16_t narrow = -1;
        CHECK_RC(xipc_value_get(v, &wide, sizeof wide), XIPC_EINVAL);
        CHECK_EQ(wide, -1);
        CHECK(strstr(xipc_last_error(), "size") != NULL);
        CHECK_RC(xipc_value_set(v, &narrow, sizeof narrow), XIPC_EINVAL);
        CHECK_OK(xipc_value_get(v, &one, sizeof one));
        CHECK_EQ(one, 1);
    }
    CHECK_RC(xipc_value_set(NULL, &one, sizeof one), XIPC_EINVAL);
    CHECK_RC(xipc_value_add(NULL, 1, NULL, NULL), XIPC_EINVAL);
    CHECK_RC(xipc_value_close(NULL), XIPC_EINVAL);
    CHECK(xipc_value_lock(NULL) == NULL && xipc_value_data(NULL) == NULL);
    /* A damaged header is refused before anything behind it is used. */
    h = xipc__seg_base(xipc__value_seg(v));
    h->elem_size = 8; /* an i32 of 8 bytes */
    CHECK_RC(xipc_value_open(&x, name, XIPC_I32, XIPC_RDWR), XIPC_ECORRUPT);
    h->elem_size = 4;
    h->elem_type = 77; /* no such type */
    CHECK_RC(xipc_value_open(&x, name, XIPC_I32, XIPC_RDWR), XIPC_ECORRUPT);
    h->elem_type = XIPC_I32;
    ((uint32_t *)((unsigned char *)h + 64))[0] = 0x80; /* unknown flag */
    CHECK_RC(xipc_value_open(&x, name, XIPC_I32, XIPC_RDWR), XIPC_ECORRUPT);
    ((uint32_t *)((unsigned char *)h + 64))[0] = 1;
    h->data_off = 128; /* another layout */
    CHECK_RC(xipc_value_open(&x, name, XIPC_I32, XIPC_RDWR), XIPC_ECORRUPT);
    h->data_off = 192;
    CHECK_OK(xipc_value_open(&x, name, XIPC_I32, XIPC_RDWR));
    CHECK_OK(xipc_value_close(x));
    CHECK_OK(xipc_value_unlink(name));
    CHECK_RC(xipc_value_open(&x, name, XIPC_I32, XIPC_RDWR), XIPC_ENOENT);
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_value_close(v));
    return 0;
}

int test_value_atomics(void)
{
    xipc_value *v;
    int64_t old = 0, now = 0, e;
    double dold = 0, dnow = 0;

    /* i8 wraps as int8_t arithmetic does, and reads back signed. */
    CHECK_OK(xipc_value_create(&v, t_name("a8"), XIPC_I8, &(int8_t){126},
                               sizeof(int8_t), XIPC_RAW));
    CHECK_OK(xipc_value_add(v, 3, &old, &now));
    CHECK_EQ(old, 126);
    CHECK_EQ(now, -127);
    CHECK_EQ(*(int8_t *)xipc_value_data(v), -127);
    CHECK_OK(xipc_value_close(v));
    /* u16 reads back unsigned. */
    CHECK_OK(xipc_value_create(&v, t_name("a16"), XIPC_U16, &(uint16_t){1},
                               sizeof(uint16_t), 0));
    CHECK_OK(xipc_value_add(v, -2, &old, &now));
    CHECK_EQ(old, 1);
    CHECK_EQ(now, 65535);
    CHECK_OK(xipc_value_exchange(v, 7, &old));
    CHECK_EQ(old, 65535);
    e = 6;
    CHECK_EQ(xipc_value_compare_exchange(v, &e, 9), 0); /* not 6: no swap */
    CHECK_EQ(e, 7);
    CHECK_EQ(xipc_value_compare_exchange(v, &e, 9), 1);
    CHECK_EQ(*(uint16_t *)xipc_value_data(v), 9);
    CHECK_RC(xipc_value_add_float(v, 1.0, NULL, NULL), XIPC_EINVAL);
    /* An expected value no u16 can hold matches none, even one that would
     * truncate to the current value (65536 + 9). */
    e = 65536 + 9;
    CHECK_EQ(xipc_value_compare_exchange(v, &e, 1), 0);
    CHECK_EQ(e, 9);
    e = -65527; /* also 9 once truncated to 16 bits */
    CHECK_EQ(xipc_value_compare_exchange(v, &e, 1), 0);
    CHECK_EQ(e, 9);
    CHECK_EQ(*(uint16_t *)xipc_value_data(v), 9);
    /* load and store: atomic, widened and truncated as add does. */
    CHECK_OK(xipc_value_store(v, 65535 + 3)); /* truncated to 2 */
    CHECK_OK(xipc_value_load(v, &e));
    CHECK_EQ(e, 2);
    CHECK_RC(xipc_value_load(v, NULL), XIPC_EINVAL);
    CHECK_EQ(xipc_value_readonly(v), 0);
    CHECK_OK(xipc_value_close(v));
    /* i32 and u64, old and new. */
    CHECK_OK(xipc_value_create(&v, t_name("a32"), XIPC_I32, NULL, 0, 0));
    CHECK_OK(xipc_value_add(v, 5, NULL, &now));
    CHECK_EQ(now, 5);
    CHECK_OK(xipc_value_add(v, -10, &old, NULL));
    CHECK_EQ(old, 5);
    CHECK_EQ(*(int32_t *)xipc_value_data(v), -5);
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_value_create(&v, t_name("a64"), XIPC_U64,
                               &(uint64_t){UINT64_MAX}, sizeof(uint64_t), 0));
    CHECK_OK(xipc_value_add(v, 2, &old, &now));
    CHECK_EQ(old, -1); /* UINT64_MAX reinterpreted */
    CHECK_EQ(now, 1);
    e = 1;
    CHECK_EQ(xipc_value_compare_exchange(v, &e, INT64_MIN), 1);
    CHECK(*(uint64_t *)xipc_value_data(v) == UINT64_C(1) << 63);
    CHECK_RC(xipc_value_compare_exchange(v, NULL, 1), XIPC_EINVAL);
    CHECK_OK(xipc_value_close(v));
    /* Floating values: add only. */
    CHECK_OK(xipc_value_create(&v, t_name("af64"), XIPC_F64, &(double){0.5},
                               sizeof(double), 0));
    CHECK_OK(xipc_value_add_float(v, 0.25, &dold, &dnow));
    CHECK(dold == 0.5 && dnow == 0.75);
    CHECK(*(double *)xipc_value_data(v) == 0.75);
    CHECK_RC(xipc_value_add(v, 1, NULL, NULL), XIPC_EINVAL);
    CHECK_RC(xipc_value_exchange(v, 1, NULL), XIPC_EINVAL);
    CHECK_RC(xipc_value_load(v, &e), XIPC_EINVAL);
    CHECK_RC(xipc_value_store(v, 1), XIPC_EINVAL);
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_value_create(&v, t_name("af32"), XIPC_F32, &(float){1.0f},
                               sizeof(float), 0));
    CHECK_OK(xipc_value_add_float(v, -0.5, &dold, &dnow));
    CHECK(dold == 1.0 && dnow == 0.5);
    CHECK(*(float *)xipc_value_data(v) == 0.5f);
    CHECK_OK(xipc_value_close(v));
    /* A char Value is no integer for the atomics. */
    CHECK_OK(xipc_value_create(&v, t_name("ac"), XIPC_CHAR, NULL, 0, 0));
    CHECK_RC(xipc_value_add(v, 1, NULL, NULL), XIPC_EINVAL);
    CHECK_OK(xipc_value_close(v));
    return 0;
}

/* Helper: opens Value argv[1] (i64) and adds 1 argv[3] times, by the method
 * argv[2]: "atomic" (xipc_value_add), "locked" (lock, get, +1, set,
 * unlock), "float" (xipc_value_add_float on an f64). */
int helper_value_adder(int argc, char **argv)
{
    xipc_value *v;
    long i, n;
    int f;

    HCHECK(argc == 4);
    n = atol(argv[3]);
    f = strcmp(argv[2], "float") == 0;
    HCHECK(xipc_value_open(&v, argv[1], f ? XIPC_F64 : XIPC_I64, XIPC_RDWR) ==
           0);
    for (i = 0; i < n; i++) {
        if (strcmp(argv[2], "atomic") == 0) {
            HCHECK(xipc_value_add(v, 1, NULL, NULL) == 0);
        } else if (f) {
            HCHECK(xipc_value_add_float(v, 1.0, NULL, NULL) == 0);
        } else {
            xipc_lock *l = xipc_value_lock(v);
            int64_t x;
            HCHECK(xipc_lock_acquire(l, XIPC_FOREVER) == 0);
            HCHECK(xipc_value_get(v, &x, sizeof x) ==
                   0); /* the RLock lets us in */
            x++;
            HCHECK(xipc_value_set(v, &x, sizeof x) == 0);
            HCHECK(xipc_lock_release(l) == 0);
        }
    }
    HCHECK(xipc_value_close(v) == 0);
    return 0;
}

/* Runs P helpers adding n each by `how` to a fresh Value; returns the
 * final value. */
static double add_in_processes(const char *how, long n)
{
    enum { P = 4 };
    const char *name = t_name("adder");
    char sn[24];
    xipc_proc *p[P];
    xipc_value *v;
    double result;
    int i, f = strcmp(how, "float") == 0;

    snprintf(sn, sizeof sn, "%ld", n);
    CHECK_OK(xipc_value_create(&v, name, f ? XIPC_F64 : XIPC_I64, NULL, 0, 0));
    for (i = 0; i < P; i++)
        p[i] = t_spawn("value_adder", name, how, sn, NULL);
    for (i = 0; i < P; i++)
        CHECK_EQ(t_join(p[i], 120000), 0);
    if (f) {
        CHECK_OK(xipc_value_get(v, &result, sizeof result));
    } else {
        int64_t x;
        CHECK_OK(xipc_value_get(v, &x, sizeof x));
        result = (double)x;
    }
    CHECK_OK(xipc_value_close(v));
    printf("%d processes x %ld %s adds: %.0f\n", P, n, how, result);
    return result;
}

int test_value_atomic_add_processes(void)
{
    long n = t_slow() > 1 ? 20000 : 200000;
    CHECK(add_in_processes("atomic", n) == 4.0 * n);
    CHECK(add_in_processes("float", n / 4) == 4.0 * (n / 4));
    return 0;
}

int test_value_locked_update_processes(void)
{
    long n = t_slow() > 1 ? 5000 : 50000;
    CHECK(add_in_processes("locked", n) == 4.0 * n);
    return 0;
}

/* Helper: opens Value argv[1] (i64) read-only and checks what such a handle
 * may and may not do, then writes through its pointer, which must fault:
 * flag 0 of control block argv[2] is set just before. */
int helper_value_readonly(int argc, char **argv)
{
    xipc_value *v;
    xipc_shm *cs;
    t_ctl *ctl;
    int64_t x = 0;

    HCHECK(argc == 3);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_value_open(&v, argv[1], XIPC_I64, XIPC_RDONLY) == 0);
    HCHECK(xipc_value_get(v, &x, sizeof x) == 0 && x == 1234);
    HCHECK(xipc_value_set(v, &x, sizeof x) == XIPC_EACCES);
    HCHECK(xipc_value_add(v, 1, NULL, NULL) == XIPC_EACCES);
    HCHECK(xipc_value_exchange(v, 1, NULL) == XIPC_EACCES);
    HCHECK(xipc_value_store(v, 1) == XIPC_EACCES);
    {
        int64_t e = 1234;
        HCHECK(xipc_value_compare_exchange(v, &e, 1) == XIPC_EACCES);
    }
    HCHECK(xipc_value_load(v, &x) == 0 && x == 1234); /* a read may */
    HCHECK(xipc_value_readonly(v) == 1);
    HCHECK(xipc_value_lock(v) == NULL);
    atomic_store(&ctl->flag[0], 1);
    *(volatile int64_t *)xipc_value_data(v) = 99;
    atomic_store(&ctl->flag[1], 1); /* not reached */
    return 0;
}

int test_value_readonly(void)
{
    const char *name = t_name("vro"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_value *v;
    int64_t x = 1234;

    CHECK_OK(xipc_value_create(&v, name, XIPC_I64, &x, sizeof x, 0));
    CHECK_EQ(t_join(t_spawn("value_readonly", name, ctl_name, NULL), 20000),
             128 + 11);
    CHECK_EQ(atomic_load(&ctl->flag[0]), 1);
    CHECK_EQ(atomic_load(&ctl->flag[1]), 0);
    CHECK_OK(xipc_value_get(v, &x, sizeof x));
    CHECK_EQ(x, 1234);
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

struct lock_thread {
    xipc_value *v;
    _Atomic int phase;
    int64_t seen;
};

/* Thread body: a get that must wait for the main thread's lock. */
static int get_in_thread(void *p)
{
    struct lock_thread *t = p;
    atomic_store(&t->phase, 1);
    if (xipc_value_get(t->v, &t->seen, sizeof t->seen) != 0)
        return 1;
    atomic_store(&t->phase, 2);
    return 0;
}

int test_value_lock_excludes(void)
{
    const char *name = t_name("vlx");
    struct lock_thread t;
    xipc__thread *th;
    xipc_value *v;
    xipc_lock *l;
    int64_t x = 1;

    CHECK_OK(xipc_value_create(&v, name, XIPC_I64, &x, sizeof x, 0));
    l = xipc_value_lock(v);
    CHECK_OK(xipc_lock_acquire(l, XIPC_FOREVER));
    /* Python's `with v.get_lock(): v.value += 1`: the holder may get/set. */
    CHECK_OK(xipc_value_get(v, &x, sizeof x));
    x = 2;
    CHECK_OK(xipc_value_set(v, &x, sizeof x));
    CHECK_EQ(xipc_lock_count(l), 1);
    /* Another thread's get waits for the lock. */
    memset(&t, 0, sizeof t);
    t.v = v;
    CHECK_OK(xipc__thread_start(&th, get_in_thread, &t));
    while (atomic_load(&t.phase) == 0)
        xipc_sleep_ms(1);
    xipc_sleep_ms(100);
    CHECK_EQ(atomic_load(&t.phase), 1);
    x = 3;
    CHECK_OK(xipc_value_set(v, &x, sizeof x));
    /* The lock belongs to the Value: it cannot be closed on its own, and
     * the Value cannot be closed while this thread holds it. */
    CHECK_RC(xipc_lock_close(l), XIPC_EINVAL);
    CHECK_RC(xipc_value_close(v), XIPC_EBUSY);
    CHECK_OK(xipc_lock_release(l));
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_EQ(t.seen, 3); /* it saw the update completed under the lock */
    CHECK_OK(xipc_value_close(v));
    return 0;
}

/* Helper: opens Value argv[1] (i64), takes its lock, stores argv[3] with
 * set, sets flag 0 of control block argv[2] and waits to be killed. */
int helper_value_die_holding(int argc, char **argv)
{
    xipc_value *v;
    xipc_shm *cs;
    t_ctl *ctl;
    int64_t x;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_value_open(&v, argv[1], XIPC_I64, XIPC_RDWR) == 0);
    HCHECK(xipc_lock_acquire(xipc_value_lock(v), XIPC_FOREVER) == 0);
    x = atoll(argv[3]);
    HCHECK(xipc_value_set(v, &x, sizeof x) == 0);
    atomic_store(&ctl->flag[0], 1);
    xipc_sleep_ms(T_HELPER_MAX_MS);
    return 0;
}

int test_value_owner_died(void)
{
    const char *name = t_name("vdie"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_value *v;
    xipc_lock *l;
    int64_t x = 5, y = -1;

    CHECK_OK(xipc_value_create(&v, name, XIPC_I64, &x, sizeof x, 0));
    l = xipc_value_lock(v);
    {
        xipc_proc *p = t_spawn("value_die_holding", name, ctl_name, "77", NULL);
        t_ctl_wait(ctl, 0, 1, 20000);
        t_kill(p);
    }
    /* The next locked operation is told, copies nothing, and leaves us
     * holding the lock; the data is still reachable. */
    CHECK_RC(xipc_value_get(v, &y, sizeof y), XIPC_EOWNERDEAD);
    CHECK_EQ(y, -1);
    CHECK_EQ(xipc_lock_count(l), 1);
    CHECK_EQ(*(int64_t *)xipc_value_data(v), 77);
    CHECK_OK(
        xipc_value_get(v, &y, sizeof y)); /* the holder may read to repair */
    CHECK_EQ(y, 77);
    x = 6;
    CHECK_OK(xipc_value_set(v, &x, sizeof x));
    CHECK_OK(xipc_lock_consistent(l));
    CHECK_OK(xipc_lock_release(l));
    CHECK_EQ(xipc_lock_count(l), 0);
    CHECK_OK(xipc_value_get(v, &y, sizeof y));
    CHECK_EQ(y, 6);
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_value_not_recoverable(void)
{
    const char *name = t_name("vnrec"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_value *v;
    xipc_proc *p;
    int64_t x = 1;

    CHECK_OK(xipc_value_create(&v, name, XIPC_I64, &x, sizeof x, 0));
    p = t_spawn("value_die_holding", name, ctl_name, "5", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    t_kill(p);
    CHECK_RC(xipc_value_set(v, &x, sizeof x), XIPC_EOWNERDEAD);
    CHECK_EQ(*(int64_t *)xipc_value_data(v), 5); /* not set */
    /* Released without repair: the Value's lock is lost for everyone. */
    CHECK_OK(xipc_lock_release(xipc_value_lock(v)));
    CHECK_RC(xipc_value_get(v, &x, sizeof x), XIPC_ENOTRECOVERABLE);
    CHECK_RC(xipc_value_set(v, &x, sizeof x), XIPC_ENOTRECOVERABLE);
    CHECK_RC(xipc_lock_acquire(xipc_value_lock(v), 0), XIPC_ENOTRECOVERABLE);
    /* The atomics take no lock and still work. */
    CHECK_OK(xipc_value_add(v, 1, NULL, &x));
    CHECK_EQ(x, 6);
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Thread body: takes the Value's lock and ends without releasing it. */
static int take_and_exit(void *p)
{
    return xipc_lock_acquire(xipc_value_lock(p), XIPC_FOREVER);
}

int test_value_owner_thread_exited(void)
{
    const char *name = t_name("vthr");
    xipc__thread *th;
    xipc_value *v;
    int64_t x = 7;

    CHECK_OK(xipc_value_create(&v, name, XIPC_I64, &x, sizeof x, 0));
    /* A holder that is a thread of this very process, and ends. */
    CHECK_OK(xipc__thread_start(&th, take_and_exit, v));
    CHECK_EQ(xipc__thread_join(th), 0);
    x = 0;
    CHECK_RC(xipc_value_get(v, &x, sizeof x), XIPC_EOWNERDEAD);
    CHECK_EQ(x, 0);
    CHECK_OK(xipc_lock_consistent(xipc_value_lock(v)));
    CHECK_OK(xipc_lock_release(xipc_value_lock(v)));
    CHECK_OK(xipc_value_get(v, &x, sizeof x));
    CHECK_EQ(x, 7);
    CHECK_OK(xipc_value_close(v));
    return 0;
}
