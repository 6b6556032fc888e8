/*
 * test_api.c - the API as a newcomer meets it (issue 14): fresh names for
 * every kind, buffer sizes checked by every call that copies, a child's
 * own arguments forwarded to a grandchild, C strings through a Queue and
 * its sizing, the loud failure of a raw object's NULL lock, a Queue's
 * close that concerns one process against its shutdown for all, and the
 * exit codes of the process API at the edge of their range.
 */
#include "test.h"

#include <stdlib.h>

/* ---- fresh names --------------------------------------------------------- */

/* Checks that `got` is a fresh name drawn from `prefix`: the prefix, this
 * process's id in decimal, '-' and 8 hexadecimal digits. */
static void check_fresh(const char *got, const char *prefix)
{
    char want[XIPC_NAME_MAX + 1];
    size_t n = strlen(prefix), i;

    CHECK(got != NULL);
    CHECK_OK(xipc_name_check(got));
    CHECK(strncmp(got, prefix, n) == 0);
    snprintf(want, sizeof want, "%s%lld-", prefix, (long long)xipc_getpid());
    CHECK(strncmp(got, want, strlen(want)) == 0);
    CHECK_EQ(strlen(got), strlen(want) + 8);
    for (i = strlen(want); got[i] != '\0'; i++)
        CHECK((got[i] >= '0' && got[i] <= '9') ||
              (got[i] >= 'a' && got[i] <= 'f'));
}

/* A kind built of parts (src/object.c), as the synchronisation objects
 * are: one mutex, one channel and a word. */
static const xipc__parts_spec test_parts = {
    XIPC_KIND_SHM, "test_parts", 1, {0, 0}, 1, 8, NULL, NULL};

int test_api_fresh_names_every_kind(void)
{
    char prefix[XIPC_NAME_MAX + 1], p2[XIPC_NAME_MAX + 2];
    xipc_shm *s1, *s2, *s3, *so;
    xipc_lock *l1, *l2, *lo;
    xipc_value *v1, *vo;
    xipc_array *a1, *ao;
    xipc_queue *q1, *qo;
    xipc__parts pa, pb, po;
    xipc_info info;

    snprintf(prefix, sizeof prefix, "%sfresh-", t_prefix());
    snprintf(p2, sizeof p2, "%s*", prefix);

    /* Named shared memory: two creates of one pattern never collide, NULL
     * draws from "xipc-", and the name read back opens the object. */
    CHECK_OK(xipc_shm_create(&s1, p2, 64));
    CHECK_OK(xipc_shm_create(&s2, p2, 64));
    check_fresh(xipc_shm_name(s1), prefix);
    check_fresh(xipc_shm_name(s2), prefix);
    CHECK(strcmp(xipc_shm_name(s1), xipc_shm_name(s2)) != 0);
    CHECK_OK(xipc_shm_create(&s3, NULL, 64));
    check_fresh(xipc_shm_name(s3), "xipc-");
    CHECK_OK(xipc_shm_open(&so, xipc_shm_name(s1), XIPC_RDWR));
    ((char *)xipc_shm_data(s1))[0] = 'x';
    CHECK_EQ(((char *)xipc_shm_data(so))[0], 'x');
    CHECK_OK(xipc_shm_close(so));
    CHECK_OK(xipc_stat(xipc_shm_name(s2), &info));
    CHECK_EQ(info.kind, XIPC_KIND_SHM);

    /* Lock and RLock. */
    CHECK_OK(xipc_lock_create(&l1, p2, 0));
    CHECK_OK(xipc_lock_create(&l2, p2, 1));
    check_fresh(xipc_lock_name(l1), prefix);
    check_fresh(xipc_lock_name(l2), prefix);
    CHECK(strcmp(xipc_lock_name(l1), xipc_lock_name(l2)) != 0);
    CHECK_OK(xipc_lock_open(&lo, xipc_lock_name(l2), 1));
    CHECK_OK(xipc_lock_close(lo));

    /* Value and Array (src/typed.c). */
    CHECK_OK(xipc_value_create(&v1, p2, XIPC_I64, NULL, 0, 0));
    check_fresh(xipc_value_name(v1), prefix);
    CHECK_OK(xipc_value_open(&vo, xipc_value_name(v1), XIPC_I64, XIPC_RDWR));
    CHECK_OK(xipc_value_close(vo));
    CHECK_OK(xipc_array_create(&a1, p2, XIPC_U8, 10, NULL, 0, XIPC_RAW));
    check_fresh(xipc_array_name(a1), prefix);
    CHECK_OK(xipc_array_open(&ao, xipc_array_name(a1), XIPC_U8, XIPC_RDONLY));
    CHECK_OK(xipc_array_close(ao));

    /* Queue. */
    CHECK_OK(xipc_queue_create(&q1, p2, 1024, 16));
    check_fresh(xipc_queue_name(q1), prefix);
    CHECK_OK(xipc_queue_open(&qo, xipc_queue_name(q1)));
    CHECK_OK(xipc_queue_close(qo));

    /* A kind built of parts gets them from the one create path too. */
    CHECK_OK(xipc__parts_make(&pa, &test_parts, p2, 1, NULL, 0));
    CHECK_OK(xipc__parts_make(&pb, &test_parts, p2, 1, NULL, 0));
    check_fresh(pa.name, prefix);
    check_fresh(pb.name, prefix);
    CHECK(strcmp(pa.name, pb.name) != 0);
    CHECK_OK(xipc__parts_make(&po, &test_parts, pa.name, 0, NULL, 0));
    xipc__parts_free(&po, &test_parts);
    CHECK_RC(xipc__parts_make(&po, &test_parts, NULL, 0, NULL, 0), XIPC_EINVAL);

    /* Every name made is distinct, and all are gone with their holders. */
    {
        const char *all[] = {xipc_shm_name(s1),
                             xipc_shm_name(s2),
                             xipc_shm_name(s3),
                             xipc_lock_name(l1),
                             xipc_lock_name(l2),
                             xipc_value_name(v1),
                             xipc_array_name(a1),
                             xipc_queue_name(q1),
                             pa.name,
                             pb.name};
        char copy[10][XIPC_NAME_MAX + 1];
        size_t n = sizeof all / sizeof all[0], i, j;
        for (i = 0; i < n; i++) {
            snprintf(copy[i], sizeof copy[i], "%s", all[i]);
            for (j = 0; j < i; j++)
                CHECK(strcmp(copy[i], copy[j]) != 0);
        }
        CHECK_OK(xipc_shm_close(s1));
        CHECK_OK(xipc_shm_close(s2));
        CHECK_OK(xipc_shm_close(s3));
        CHECK_OK(xipc_lock_close(l1));
        CHECK_OK(xipc_lock_close(l2));
        CHECK_OK(xipc_value_close(v1));
        CHECK_OK(xipc_array_close(a1));
        CHECK_OK(xipc_queue_close(q1));
        xipc__parts_free(&pa, &test_parts);
        xipc__parts_free(&pb, &test_parts);
        for (i = 0; i < n; i++)
            CHECK_EQ(xipc__seg_present(copy[i]), 0);
    }
    return 0;
}

int test_api_fresh_names_bad(void)
{
    static const char *const bad[] = {
        "*x",
        "a*b",
        "**",
        "-*",
        ".*",
        "a b*",
        "a/*",
        "a\\*",
        "*a*",
        "a**",
        "\xff*",
        /* 45 characters before the '*': one over XIPC_FRESH_PREFIX_MAX */
        "a12345678901234567890123456789012345678901234*",
    };
    char longest[XIPC_FRESH_PREFIX_MAX + 2];
    xipc_shm *s = NULL;
    xipc_queue *q = NULL;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_RC(xipc_shm_create(&s, bad[i], 8), XIPC_EINVAL);
        CHECK_RC(xipc_queue_create(&q, bad[i], 64, 8), XIPC_EINVAL);
    }
    CHECK(strstr(xipc_last_error(), "*") != NULL ||
          strstr(xipc_last_error(), "XIPC_FRESH_PREFIX_MAX") != NULL);
    /* '*' asks for a fresh name in a create only. */
    CHECK_RC(xipc_shm_open(&s, "a*", XIPC_RDWR), XIPC_EINVAL);
    CHECK(strstr(xipc_last_error(), "fresh") != NULL);
    CHECK_RC(xipc_unlink("a*"), XIPC_EINVAL);
    CHECK_RC(xipc_name_check("a*"), XIPC_EINVAL);
    CHECK_RC(xipc_shm_open(&s, NULL, XIPC_RDWR), XIPC_EINVAL);
    CHECK(s == NULL && q == NULL);
    /* The longest prefix leaves room for the longest id and random part. */
    snprintf(longest, sizeof longest, "%s", t_prefix());
    for (i = strlen(longest); i < XIPC_FRESH_PREFIX_MAX; i++)
        longest[i] = 'p';
    longest[XIPC_FRESH_PREFIX_MAX] = '*';
    longest[XIPC_FRESH_PREFIX_MAX + 1] = '\0';
    CHECK_OK(xipc_shm_create(&s, longest, 8));
    CHECK(strlen(xipc_shm_name(s)) <= XIPC_NAME_MAX);
    CHECK_OK(xipc_shm_close(s));
    /* "*" alone makes a name that starts with the process id. */
    CHECK_OK(xipc_shm_create(&s, "*", 8));
    check_fresh(xipc_shm_name(s), "");
    CHECK_OK(xipc_shm_close(s));
    return 0;
}

/* Threads that create fresh names of one pattern at once. */
enum { FT_THREADS = 4, FT_EACH = 40 };

struct fresh_thread {
    const char *pattern;
    xipc_value *v[FT_EACH];
    int rc;
    char why[256];
};

static int fresh_thread_run(void *arg)
{
    struct fresh_thread *ft = arg;
    int i, rc;

    for (i = 0; i < FT_EACH; i++)
        if ((rc = xipc_value_create(&ft->v[i], ft->pattern, XIPC_I32, NULL, 0,
                                    XIPC_RAW)) != 0) {
            snprintf(ft->why, sizeof ft->why, "%s", xipc_last_error());
            return ft->rc = rc;
        }
    return 0;
}

int test_api_fresh_names_concurrent(void)
{
    char pattern[XIPC_NAME_MAX + 1];
    struct fresh_thread ft[FT_THREADS];
    xipc__thread *th[FT_THREADS];
    const char *names[FT_THREADS * FT_EACH];
    int i, j, n = 0;

    snprintf(pattern, sizeof pattern, "%sconc-*", t_prefix());
    memset(ft, 0, sizeof ft);
    for (i = 0; i < FT_THREADS; i++) {
        ft[i].pattern = pattern;
        CHECK_OK(xipc__thread_start(&th[i], fresh_thread_run, &ft[i]));
    }
    for (i = 0; i < FT_THREADS; i++)
        if (xipc__thread_join(th[i]) != 0)
            t_fail(__FILE__, __LINE__, "thread %d: %s: %s", i,
                   xipc_err_name(ft[i].rc), ft[i].why);
    for (i = 0; i < FT_THREADS; i++)
        for (j = 0; j < FT_EACH; j++)
            names[n++] = xipc_value_name(ft[i].v[j]);
    for (i = 0; i < n; i++)
        for (j = 0; j < i; j++)
            CHECK(strcmp(names[i], names[j]) != 0);
    for (i = 0; i < FT_THREADS; i++)
        for (j = 0; j < FT_EACH; j++)
            CHECK_OK(xipc_value_close(ft[i].v[j]));
    return 0;
}

/* Helper: opens Value argv[1] (i64) by the name it was told and adds 5. */
int helper_fresh_add(int argc, char **argv)
{
    xipc_value *v;

    HCHECK(argc == 2);
    HCHECK(xipc_value_open(&v, argv[1], XIPC_I64, XIPC_RDWR) == 0);
    HCHECK(xipc_value_add(v, 5, NULL, NULL) == 0);
    HCHECK(xipc_value_close(v) == 0);
    return 0;
}

int test_api_fresh_name_told_to_child(void)
{
    char pattern[XIPC_NAME_MAX + 1];
    xipc_value *v;
    int64_t x = 0;

    snprintf(pattern, sizeof pattern, "%schild-*", t_prefix());
    CHECK_OK(xipc_value_create(&v, pattern, XIPC_I64, &x, sizeof x, 0));
    CHECK_EQ(t_join(t_spawn("fresh_add", xipc_value_name(v), NULL), 30000), 0);
    CHECK_OK(xipc_value_load(v, &x));
    CHECK_EQ(x, 5);
    CHECK_OK(xipc_value_close(v));
    return 0;
}

/* ---- sizes --------------------------------------------------------------- */

int test_api_sizes_checked(void)
{
    const char *vname = t_name("szv"), *aname = t_name("sza");
    int64_t init64[4] = {1, 2, 3, 4};
    int32_t guard[4] = {-1, -1, -1, -1}, i32 = 7;
    int16_t i16 = 3;
    int64_t x;
    xipc_value *v = NULL;
    xipc_array *a = NULL;
    int i;

    /* An initial value of the wrong size is refused, and nothing is
     * created: an int for an XIPC_I64 Value is not read as 8 bytes. */
    CHECK_RC(xipc_value_create(&v, vname, XIPC_I64, &i32, sizeof i32, 0),
             XIPC_EINVAL);
    CHECK(strstr(xipc_last_error(), "4 bytes") != NULL);
    CHECK_RC(xipc_value_create(&v, vname, XIPC_I64, NULL, 8, 0), XIPC_EINVAL);
    CHECK_RC(xipc_value_create(&v, vname, XIPC_I64, &x, 0, 0), XIPC_EINVAL);
    CHECK(v == NULL);
    CHECK_EQ(xipc__seg_present(vname), 0);
    x = 42;
    CHECK_OK(xipc_value_create(&v, vname, XIPC_I64, &x, sizeof x, 0));
    CHECK_OK(xipc_value_load(v, &x));
    CHECK_EQ(x, 42);

    /* An Array's initial elements must be exactly its elements. */
    CHECK_RC(xipc_array_create(&a, aname, XIPC_I64, 4, guard, sizeof guard, 0),
             XIPC_EINVAL);
    CHECK_RC(
        xipc_array_create(&a, aname, XIPC_I64, 5, init64, sizeof init64, 0),
        XIPC_EINVAL);
    CHECK_RC(xipc_array_create(&a, aname, XIPC_I64, 4, NULL, sizeof init64, 0),
             XIPC_EINVAL);
    CHECK(a == NULL);
    CHECK_EQ(xipc__seg_present(aname), 0);
    CHECK_OK(
        xipc_array_create(&a, aname, XIPC_I64, 4, init64, sizeof init64, 0));

    /* An int32_t cannot receive an element of an XIPC_I64 Array, nor give
     * one: refused, and the buffer is untouched. */
    CHECK_RC(xipc_array_get(a, 1, &guard[1], sizeof guard[1]), XIPC_EINVAL);
    CHECK(strstr(xipc_last_error(), "i64") != NULL);
    CHECK_RC(xipc_array_get(a, 1, &i16, sizeof i16), XIPC_EINVAL);
    CHECK_RC(xipc_array_set(a, 1, &i32, sizeof i32), XIPC_EINVAL);
    CHECK_RC(xipc_array_get(a, 1, &x, 0), XIPC_EINVAL);
    CHECK_RC(xipc_array_get(a, 1, &x, 16), XIPC_EINVAL);
    /* A range's buffer must be exactly the range's elements. */
    CHECK_RC(xipc_array_read(a, 0, 3, guard, sizeof guard), XIPC_EINVAL);
    CHECK_RC(xipc_array_read(a, 0, 4, guard, sizeof guard), XIPC_EINVAL);
    CHECK_RC(xipc_array_write(a, 0, 4, guard, sizeof guard), XIPC_EINVAL);
    CHECK_RC(xipc_array_write(a, 0, 1, init64, sizeof init64), XIPC_EINVAL);
    for (i = 0; i < 4; i++)
        CHECK_EQ(guard[i], -1);
    CHECK_EQ(i16, 3);
    for (i = 0; i < 4; i++)
        CHECK_EQ(((int64_t *)xipc_array_data(a))[i], i + 1);
    /* The right sizes work. */
    CHECK_OK(xipc_array_get(a, 3, &x, sizeof x));
    CHECK_EQ(x, 4);
    x = -9;
    CHECK_OK(xipc_array_set(a, 0, &x, sizeof x));
    CHECK_OK(xipc_array_read(a, 0, 2, init64, 2 * sizeof init64[0]));
    CHECK_EQ(init64[0], -9);
    CHECK_EQ(init64[1], 2);
    CHECK_OK(xipc_array_write(a, 2, 2, init64, 2 * sizeof init64[0]));
    CHECK_EQ(((int64_t *)xipc_array_data(a))[3], 2);
    /* Value: get/set as before. */
    CHECK_RC(xipc_value_get(v, &i32, sizeof i32), XIPC_EINVAL);
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_value_close(v));
    return 0;
}

/* ---- forwarding arguments ------------------------------------------------ */

/* Helper: exits 0 if its arguments are exactly "one", "two words", "", else
 * 1. */
int helper_args_are(int argc, char **argv)
{
    return argc == 4 && strcmp(argv[1], "one") == 0 &&
                   strcmp(argv[2], "two words") == 0 && argv[3][0] == '\0'
               ? 0
               : 1;
}

/* Helper: forwards its own arguments but the first to helper args_are, as
 * a child's entry function does (argv is char **: no cast), and exits with
 * that grandchild's code. */
int helper_forward_args(int argc, char **argv)
{
    xipc_proc *p;
    int code = -1;

    HCHECK(argc >= 2);
    HCHECK(xipc_proc_spawn(&p, "args_are", argc - 2, argv + 2) == 0);
    HCHECK(xipc_proc_wait(p, T_HELPER_MAX_MS, &code) == 0);
    HCHECK(xipc_proc_free(p) == 0);
    return code;
}

int test_api_spawn_forwards_argv(void)
{
    char *const mutable_args[] = {(char[]){"one"}, (char[]){"two words"},
                                  (char[]){""}};
    xipc_proc *p;
    int code = -1;

    CHECK_EQ(
        t_join(t_spawn("forward_args", "skipped", "one", "two words", "", NULL),
               30000),
        0);
    /* char *const * and char ** are taken as they are, too. */
    CHECK_OK(xipc_proc_spawn(&p, "args_are", 3, mutable_args));
    CHECK_OK(xipc_proc_wait(p, 30000 * t_slow(), &code));
    CHECK_OK(xipc_proc_free(p));
    CHECK_EQ(code, 0);
    return 0;
}

/* ---- text through a Queue, and its sizing -------------------------------- */

int test_api_queue_strings(void)
{
    const char *name = t_name("qstr");
    char buf[16], small[4];
    xipc_queue *q;
    void *m;
    size_t len;

    CHECK_OK(xipc_queue_create(&q, name, 4096, 10));
    CHECK_OK(xipc_queue_put_string(q, "hello", 0));
    CHECK_OK(xipc_queue_put_string(q, "", 0));
    CHECK_OK(xipc_queue_put_string(q, "0123456789", 0));
    CHECK_RC(xipc_queue_put_string(q, "0123456789a", 0), XIPC_EMSGSIZE);
    CHECK_OK(xipc_queue_put(q, "a\0b", 3, 0));
    CHECK_OK(xipc_queue_put_string(q, "abc", 0));
    CHECK_EQ(xipc_queue_qsize(q), 5);
    /* The bytes travel without the NUL (as Python's s.encode()). */
    CHECK_EQ(xipc_queue_bytes_used(q),
             XIPC_QUEUE_MSG_COST(5) + XIPC_QUEUE_MSG_COST(0) +
                 XIPC_QUEUE_MSG_COST(10) + XIPC_QUEUE_MSG_COST(3) +
                 XIPC_QUEUE_MSG_COST(3));
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(xipc_queue_get_string(q, buf, sizeof buf, 0), 5);
    CHECK_STR(buf, "hello");
    CHECK_EQ(xipc_queue_get_string(q, buf, sizeof buf, 0), 0);
    CHECK_STR(buf, "");
    /* Room for the message but not its NUL: refused, the message stays. */
    memset(buf, 'x', sizeof buf);
    CHECK_RC(xipc_queue_get_string(q, buf, 10, 0), XIPC_EMSGSIZE);
    CHECK_EQ(buf[0], 'x');
    CHECK_EQ(xipc_queue_qsize(q), 3);
    CHECK_EQ(xipc_queue_get_string(q, buf, 11, 0), 10);
    CHECK_STR(buf, "0123456789");
    /* A message with a NUL of its own is copied whole. */
    CHECK_EQ(xipc_queue_get_string(q, buf, sizeof buf, 0), 3);
    CHECK(memcmp(buf, "a\0b\0", 4) == 0);
    /* get_alloc ends its block with a NUL too. */
    CHECK_OK(xipc_queue_get_alloc(q, &m, &len, 0));
    CHECK_EQ(len, 3);
    CHECK_STR((const char *)m, "abc");
    xipc_free(m);
    CHECK_RC(xipc_queue_get_string(q, small, sizeof small, 0), XIPC_ETIMEDOUT);
    CHECK_RC(xipc_queue_get_string(q, small, 0, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get_string(q, NULL, 4, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get_string(NULL, small, 4, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_put_string(q, NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_put_string(NULL, "x", 0), XIPC_EINVAL);
    CHECK_OK(xipc_queue_shutdown(q, 0));
    CHECK_RC(xipc_queue_put_string(q, "late", 0), XIPC_ECLOSED);
    CHECK_RC(xipc_queue_get_string(q, buf, sizeof buf, 0), XIPC_ECLOSED);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_api_queue_sizing(void)
{
    const char *name = t_name("qsz");
    uint64_t cost_max = XIPC_QUEUE_MSG_COST(SIZE_MAX);
    xipc_queue *q;
    int i;

    /* The cost never wraps around to a small number. */
    CHECK(cost_max == UINT64_MAX);
    CHECK(XIPC_QUEUE_MSG_COST(UINT64_MAX) == UINT64_MAX);
    CHECK(XIPC_QUEUE_MSG_COST((uint64_t)XIPC_QUEUE_CAPACITY_MAX + 1) ==
          UINT64_MAX);
    CHECK_EQ(XIPC_QUEUE_MSG_COST(XIPC_QUEUE_CAPACITY_MAX),
             8 + (uint64_t)XIPC_QUEUE_CAPACITY_MAX);
    CHECK_EQ(XIPC_QUEUE_MSG_COST(0), 8);
    CHECK_EQ(XIPC_QUEUE_MSG_COST(1), 16);
    CHECK_EQ(XIPC_QUEUE_MSG_COST(8), 16);
    CHECK_EQ(XIPC_QUEUE_MSG_COST(9), 24);
    /* Four 8-byte messages need 64 bytes, not 32. */
    CHECK_EQ(xipc_queue_capacity_for(4, 8), 64);
    CHECK_EQ(xipc_queue_capacity_for(0, 8), 0);
    CHECK_EQ(xipc_queue_capacity_for(3, 0), 24);
    CHECK(xipc_queue_capacity_for(SIZE_MAX, 8) == SIZE_MAX);
    CHECK(xipc_queue_capacity_for(2, SIZE_MAX) == SIZE_MAX);
    CHECK(xipc_queue_capacity_for(SIZE_MAX / 16 + 1, 8) == SIZE_MAX);
    /* A queue of that capacity holds exactly that many. */
    CHECK_OK(xipc_queue_create(&q, name, xipc_queue_capacity_for(4, 8), 8));
    for (i = 0; i < 4; i++)
        CHECK_OK(xipc_queue_put(q, "12345678", 8, 0));
    CHECK_RC(xipc_queue_put(q, "12345678", 8, 0), XIPC_ETIMEDOUT);
    CHECK_EQ(xipc_queue_full(q), 1);
    CHECK_OK(xipc_queue_close(q));
    /* Too much for any queue is refused by the create. */
    CHECK_RC(
        xipc_queue_create(&q, name, xipc_queue_capacity_for(SIZE_MAX, 8), 8),
        XIPC_EINVAL);
    CHECK_RC(xipc_queue_create(&q, name, 1024, SIZE_MAX), XIPC_EINVAL);
    return 0;
}

/* ---- a raw object's lock ------------------------------------------------- */

int test_api_raw_lock_loud(void)
{
    const char *vname = t_name("rawv"), *aname = t_name("rawa");
    xipc_value *v, *vr;
    xipc_array *a;
    xipc_lock *l;

    CHECK_OK(xipc_value_create(&v, vname, XIPC_I32, NULL, 0, XIPC_RAW));
    CHECK(xipc_value_lock(v) == NULL);
    CHECK(strstr(xipc_last_error(), vname) != NULL);
    CHECK(strstr(xipc_last_error(), "XIPC_RAW") != NULL);
    /* The README's counter on a RawValue: the acquire says why it fails. */
    CHECK_RC(xipc_lock_acquire(xipc_value_lock(v), XIPC_FOREVER), XIPC_EINVAL);
    CHECK(strstr(xipc_last_error(), "xipc_lock_acquire") != NULL);
    CHECK(strstr(xipc_last_error(), vname) != NULL);
    CHECK(strstr(xipc_last_error(), "XIPC_RAW") != NULL);
    CHECK_RC(xipc_lock_release(xipc_value_lock(v)), XIPC_EINVAL);
    CHECK(strstr(xipc_last_error(), "XIPC_RAW") != NULL);
    CHECK_RC(xipc_lock_consistent(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_lock_count(NULL), XIPC_EINVAL);
    CHECK(strstr(xipc_last_error(), "NULL lock") != NULL);

    CHECK_OK(xipc_array_create(&a, aname, XIPC_U8, 4, NULL, 0, XIPC_RAW));
    CHECK(xipc_array_lock(a) == NULL);
    CHECK_RC(xipc_lock_acquire(xipc_array_lock(a), 0), XIPC_EINVAL);
    CHECK(strstr(xipc_last_error(), aname) != NULL);
    CHECK(strstr(xipc_last_error(), "Array") != NULL);
    CHECK_OK(xipc_array_close(a));

    /* A read-only handle has no lock either, and says so. */
    CHECK_OK(xipc_value_open(&vr, vname, XIPC_I32, XIPC_RDONLY));
    CHECK(xipc_value_lock(vr) == NULL);
    CHECK(strstr(xipc_last_error(), "XIPC_RDONLY") != NULL);
    CHECK_OK(xipc_value_close(vr));
    CHECK(xipc_value_lock(NULL) == NULL);
    CHECK(strstr(xipc_last_error(), "NULL") != NULL);

    /* A Value with a lock lends it, with nothing recorded against it. */
    CHECK_OK(xipc_value_close(v));
    CHECK_OK(xipc_value_create(&v, vname, XIPC_I32, NULL, 0, 0));
    CHECK((l = xipc_value_lock(v)) != NULL);
    CHECK_OK(xipc_lock_acquire(l, 0));
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_value_close(v));
    return 0;
}

/* ---- close is per process, shutdown is for everyone ---------------------- */

/* Helper: opens queue argv[1], puts "from child", closes its handle (as
 * Python's q.close() in a producer), and exits. */
int helper_queue_put_close(int argc, char **argv)
{
    xipc_queue *q;

    HCHECK(argc == 2);
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    HCHECK(xipc_queue_put_string(q, "from child", 20000) == 0);
    HCHECK(xipc_queue_close(q) == 0);
    return 0;
}

/* Helper: opens queue argv[1] and shuts it down for every process. */
int helper_queue_shut(int argc, char **argv)
{
    xipc_queue *q;

    HCHECK(argc == 2);
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    HCHECK(xipc_queue_shutdown(q, 20000) == 0);
    HCHECK(xipc_queue_close(q) == 0);
    return 0;
}

int test_api_queue_close_vs_shutdown(void)
{
    char buf[32], pattern[XIPC_NAME_MAX + 1];
    xipc_queue *q;

    snprintf(pattern, sizeof pattern, "%sqcs-*", t_prefix());
    CHECK_OK(xipc_queue_create(&q, pattern, 1024, 16));
    CHECK_EQ(
        t_join(t_spawn("queue_put_close", xipc_queue_name(q), NULL), 30000), 0);
    /* The child's close ended only its own use: the queue goes on. */
    CHECK_EQ(xipc_queue_get_string(q, buf, sizeof buf, 0), 10);
    CHECK_STR(buf, "from child");
    CHECK_OK(xipc_queue_put_string(q, "still open", 0));
    /* A shutdown by another process ends it for this one too. */
    CHECK_EQ(t_join(t_spawn("queue_shut", xipc_queue_name(q), NULL), 30000), 0);
    CHECK_RC(xipc_queue_put_string(q, "late", 0), XIPC_ECLOSED);
    CHECK_EQ(xipc_queue_get_string(q, buf, sizeof buf, 0), 10);
    CHECK_RC(xipc_queue_get_string(q, buf, sizeof buf, XIPC_FOREVER),
             XIPC_ECLOSED);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

/* ---- exit codes at the edge of their range ------------------------------- */

int test_api_exit_code_edges(void)
{
    /* exit(n) for n >= -2^29 gives n & 0xff on every platform; a smaller n
     * has the shape of a Windows exception code (README's platform
     * differences): there, one with a POSIX twin gives 128 + its signal and
     * any other 255, as a crash that ended with it does. */
    int win = strcmp(xipc__sys_backend(), "win32") == 0;
    static const struct {
        const char *code;
        int posix, win32;
    } cases[] = {
        {"-536870912", 0, 0},     /* -2^29: 0xE0000000 */
        {"-536870657", 255, 255}, /* 0xE00000FF */
        {"-1073741801", 23, 255}, /* 0xC0000017, no twin */
        {"-1073741819", 5, 139},  /* 0xC0000005, an access violation */
        {"-2147483627", 21, 255}, /* 0x80000015, warning severity */
    };
    xipc_proc *p[sizeof cases / sizeof cases[0]];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        p[i] = t_spawn("exit_call", cases[i].code, NULL);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int code = t_join(p[i], 20000),
            want = win ? cases[i].win32 : cases[i].posix;
        if (code != want)
            t_fail(__FILE__, __LINE__, "exit(%s) reported %d, expected %d",
                   cases[i].code, code, want);
    }
    return 0;
}
