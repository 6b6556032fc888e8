/*
 * test_event.c - Event: CPython's test_multiprocessing checks (is_set,
 * wait with and without timeouts, a set from another process), a set
 * wakes every waiter in every process, a set and clear in a blink is not
 * missed, damaged words, open checks, no system call on a set event; and
 * what xipc_stat and `xipc info` say of semaphores and events.
 */
#include "test.h"
#include "cli.h"

#include <stdlib.h>

static int64_t bound_ms(void)
{
    return 250 * t_slow();
}

/* Helper: opens event argv[1], sleeps argv[2] ms, then sets it (argv[3]
 * "pulse": sets and clears at once). */
int helper_ev_setter(int argc, char **argv)
{
    xipc_event *e;

    HCHECK(argc == 4);
    HCHECK(xipc_event_open(&e, argv[1]) == 0);
    xipc_sleep_ms(atoll(argv[2]));
    HCHECK(xipc_event_set(e) == 0);
    if (strcmp(argv[3], "pulse") == 0)
        HCHECK(xipc_event_clear(e) == 0);
    HCHECK(xipc_event_close(e) == 0);
    return 0;
}

struct ev_thread {
    xipc_event *e;
    t_ctl *ctl;
};

static int ev_wait_thread(void *arg)
{
    struct ev_thread *a = arg;
    int rc;

    atomic_fetch_add(&a->ctl->flag[0], 1);
    rc = xipc_event_wait(a->e, T_HELPER_MAX_MS);
    /* The latest return, in ns after the set. */
    {
        int64_t late = xipc_now_ns() - atomic_load(&a->ctl->value[0]),
                top = atomic_load(&a->ctl->value[2]);
        while (late > top &&
               !atomic_compare_exchange_weak(&a->ctl->value[2], &top, late))
            ;
    }
    if (rc == 0)
        atomic_fetch_add(&a->ctl->value[1], 1);
    atomic_fetch_add(&a->ctl->flag[1], 1);
    return rc;
}

/* Helper: opens event argv[1] and control block argv[2] and waits on the
 * event in argv[3] threads; each adds 1 to flag 0 before it waits, and to
 * value[1] when its wait returned 0. Exits 0 if every wait returned 0. */
int helper_ev_waiters(int argc, char **argv)
{
    struct ev_thread a;
    xipc__thread *th[8];
    xipc_event *e;
    xipc_shm *cs;
    t_ctl *ctl;
    int i, n, bad = 0;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_event_open(&e, argv[1]) == 0);
    n = atoi(argv[3]);
    HCHECK(n >= 1 && n <= 8);
    a.e = e;
    a.ctl = ctl;
    for (i = 0; i < n; i++)
        HCHECK(xipc__thread_start(&th[i], ev_wait_thread, &a) == 0);
    for (i = 0; i < n; i++)
        bad |= xipc__thread_join(th[i]) != 0;
    HCHECK(xipc_event_close(e) == 0);
    xipc_shm_close(cs);
    return bad;
}

/* CPython's _TestEvent.test_event. */
int test_event_python_checks(void)
{
    const char *name = t_name("ev");
    xipc_event *e, *o;
    xipc_proc *p;
    int64_t t0, el;

    CHECK_OK(xipc_event_create(&e, name));
    CHECK_STR(xipc_event_name(e), name);
    CHECK_EQ(xipc_event_is_set(e), 0);
    t0 = t_ms();
    CHECK_RC(xipc_event_wait(e, 0), XIPC_ETIMEDOUT);
    CHECK(t_ms() - t0 <= bound_ms());
    t0 = t_ms();
    CHECK_RC(xipc_event_wait(e, 100), XIPC_ETIMEDOUT);
    el = t_ms() - t0;
    CHECK(el >= 100 && el <= 100 + bound_ms());

    CHECK_OK(xipc_event_set(e));
    CHECK_EQ(xipc_event_is_set(e), 1);
    t0 = t_ms();
    CHECK_OK(xipc_event_wait(e, XIPC_FOREVER));
    CHECK_OK(xipc_event_wait(e, 100));
    CHECK_OK(xipc_event_wait(e, 0));
    CHECK(t_ms() - t0 <= bound_ms());
    CHECK_OK(xipc_event_set(e)); /* twice: still set */
    CHECK_EQ(xipc_event_is_set(e), 1);
    CHECK_OK(xipc_event_open(&o, name));
    CHECK_EQ(xipc_event_is_set(o), 1);

    CHECK_OK(xipc_event_clear(e));
    CHECK_EQ(xipc_event_is_set(o), 0);
    CHECK_OK(xipc_event_clear(e)); /* twice: still clear */
    CHECK_EQ(xipc_event_is_set(e), 0);

    /* Another process sets it while we wait. */
    t0 = t_ms();
    p = t_spawn("ev_setter", name, "200", "set", NULL);
    CHECK_OK(xipc_event_wait(o, XIPC_FOREVER));
    CHECK(t_ms() - t0 >= 200);
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_EQ(xipc_event_is_set(e), 1);
    CHECK_OK(xipc_event_close(o));
    CHECK_OK(xipc_event_close(e));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

/* A set wakes every waiter of every process: 3 processes x 4 threads
 * wait; one set; all return 0, promptly. */
int test_event_set_wakes_all(void)
{
    const char *name = t_name("evall"), *ctl_name;
    xipc_event *e;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p[3];
    xipc_info in;
    int i, round;
    int64_t end;

    for (round = 0; round < 3; round++) {
        ctl = t_ctl_create(&ctl_name, &cs);
        CHECK_OK(xipc_event_create(&e, name));
        for (i = 0; i < 3; i++)
            p[i] = t_spawn("ev_waiters", name, ctl_name, "4", NULL);
        t_ctl_wait(ctl, 0, 12, 20000);
        /* Until every one of them is counted as waiting. */
        end = t_ms() + 10000 * t_slow();
        do {
            CHECK_OK(xipc_stat(name, &in));
            xipc_sleep_ms(1);
        } while (in.waiting < 12 && t_ms() < end);
        CHECK_EQ(in.waiting, 12);
        CHECK_EQ(in.value, 0);
        xipc_sleep_ms(20 * t_slow()); /* asleep in the kernel by now */
        atomic_store(&ctl->value[0], xipc_now_ns());
        CHECK_OK(xipc_event_set(e));
        for (i = 0; i < 3; i++)
            CHECK_EQ(t_join(p[i], 20000), 0);
        CHECK_EQ(atomic_load(&ctl->value[1]), 12);
        printf("12 waiters in 3 processes: the last returned %.2f ms after "
               "the set\n",
               (double)atomic_load(&ctl->value[2]) / 1e6);
        CHECK(atomic_load(&ctl->value[2]) / 1000000 <= bound_ms());
        CHECK_OK(xipc_stat(name, &in));
        CHECK_EQ(in.waiting, 0);
        CHECK_EQ(in.value, 1);
        CHECK_OK(xipc_event_close(e));
        CHECK_OK(xipc_shm_close(cs));
    }
    return 0;
}

/* A set followed at once by a clear still releases every waiter that was
 * waiting (as threading.Event does). */
int test_event_pulse_not_missed(void)
{
    const char *name = t_name("evpulse"), *ctl_name;
    xipc_event *e;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *w, *p;
    int round;

    for (round = 0; round < 5; round++) {
        ctl = t_ctl_create(&ctl_name, &cs);
        CHECK_OK(xipc_event_create(&e, name));
        w = t_spawn("ev_waiters", name, ctl_name, "3", NULL);
        t_ctl_wait(ctl, 0, 3, 20000);
        xipc_sleep_ms(20 * t_slow());
        atomic_store(&ctl->value[0], xipc_now_ns());
        if (round % 2 == 0) {
            CHECK_OK(xipc_event_set(e));
            CHECK_OK(xipc_event_clear(e));
        } else {
            p = t_spawn("ev_setter", name, "0", "pulse", NULL);
            CHECK_EQ(t_join(p, 20000), 0);
        }
        CHECK_EQ(t_join(w, 20000), 0);
        CHECK_EQ(atomic_load(&ctl->value[1]), 3);
        CHECK_EQ(xipc_event_is_set(e), 0);
        CHECK_OK(xipc_event_close(e));
        CHECK_OK(xipc_shm_close(cs));
    }
    return 0;
}

int test_event_open_checks(void)
{
    const char *en = t_name("evo"), *sn = t_name("evs");
    xipc_event *e, *o;
    xipc_semaphore *s;
    xipc_queue *q;
    unsigned char *words;
    uint32_t save, bad = 0xdeadbeef;

    CHECK_RC(xipc_event_create(NULL, en), XIPC_EINVAL);
    CHECK_RC(xipc_event_create(&e, "no/such"), XIPC_EINVAL);
    CHECK_RC(xipc_event_open(&e, en), XIPC_ENOENT);
    CHECK_RC(xipc_event_open(NULL, en), XIPC_EINVAL);
    CHECK_RC(xipc_event_set(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_event_clear(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_event_is_set(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_event_wait(NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_event_close(NULL), XIPC_EINVAL);
    CHECK(xipc_event_name(NULL) == NULL);
    CHECK_OK(xipc_event_create(&e, en));
    CHECK_RC(xipc_event_create(&o, en), XIPC_EEXIST);
    CHECK_OK(xipc_semaphore_create(&s, sn, 1, 0));
    CHECK_RC(xipc_event_open(&o, sn), XIPC_EKIND);
    CHECK_RC(xipc_queue_open(&q, en), XIPC_EKIND);
    CHECK_RC(xipc_semaphore_open(&s, en), XIPC_EKIND);
    words = (unsigned char *)xipc__seg_base(xipc__event_seg(e)) + 64 +
            XIPC__NOTIFY_SHARED_SIZE;
    memcpy(&save, words + 8, 4); /* the magic */
    memcpy(words + 8, &bad, 4);
    CHECK_RC(xipc_event_open(&o, en), XIPC_ECORRUPT);
    memcpy(words + 8, &save, 4);
    CHECK_OK(xipc_event_open(&o, en));
    CHECK_OK(xipc_event_close(o));
    CHECK_OK(xipc_semaphore_close(s));
    CHECK_OK(xipc_event_close(e));
    {
        /* Fresh names, as every kind makes them. */
        char prefix[XIPC_NAME_MAX + 1];
        snprintf(prefix, sizeof prefix, "%sfresh-*", t_prefix());
        CHECK_OK(xipc_event_create(&e, prefix));
        CHECK(strncmp(xipc_event_name(e), prefix, strlen(prefix) - 1) == 0);
        CHECK_OK(xipc_event_open(&o, xipc_event_name(e)));
        CHECK_OK(xipc_event_set(o));
        CHECK_EQ(xipc_event_is_set(e), 1);
        CHECK_OK(xipc_event_close(o));
        CHECK_OK(xipc_event_close(e));
    }
    return 0;
}

/* Any pattern in the state word is a state: every call answers, on time,
 * and is_set says bit 0. The waiters' count is a hint. */
int test_event_damaged_words(void)
{
    const char *en = t_name("evd");
    xipc_event *e, *o;
    uint32_t *words, x = 0x9e3779b9u;
    int i, rc;
    int64_t t0;

    CHECK_OK(xipc_event_create(&e, en));
    words = (uint32_t *)((unsigned char *)xipc__seg_base(xipc__event_seg(e)) +
                         64 + XIPC__NOTIFY_SHARED_SIZE);
    for (i = 0; i < 2000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        words[0] = x;
        words[1] = x * 7u;
        CHECK_OK(xipc_event_open(&o, en));
        CHECK_EQ(xipc_event_is_set(o), (int)(x & 1));
        t0 = t_ms();
        rc = xipc_event_wait(o, i % 50 == 0 ? 5 : 0);
        CHECK_RC(rc, (x & 1) ? 0 : XIPC_ETIMEDOUT);
        CHECK(t_ms() - t0 <= 5 + bound_ms());
        CHECK_OK(xipc_event_set(o));
        CHECK_EQ(xipc_event_is_set(e), 1);
        CHECK_OK(xipc_event_clear(o));
        CHECK_EQ(xipc_event_is_set(e), 0);
        CHECK_OK(xipc_event_close(o));
    }
    CHECK_OK(xipc_event_close(e));
    return 0;
}

/* A wait on a set event, is_set, and set and clear with nobody waiting
 * make no system call. */
int test_event_no_syscall(void)
{
    xipc_event *e;
    uint64_t before;
    int i;

    CHECK_OK(xipc_event_create(&e, t_name("evns")));
    before = xipc__sys_calls();
    for (i = 0; i < 100000; i++) {
        CHECK_OK(xipc_event_set(e));
        CHECK_OK(xipc_event_wait(e, XIPC_FOREVER));
        CHECK_EQ(xipc_event_is_set(e), 1);
        CHECK_OK(xipc_event_clear(e));
        CHECK_RC(xipc_event_wait(e, 0), XIPC_ETIMEDOUT);
    }
    CHECK_EQ(xipc__sys_calls() - before, 0);
    CHECK_OK(xipc_event_close(e));
    return 0;
}

/* ---- what xipc_stat and the tool say ------------------------------------- */

/* Runs `xipc info NAME` and returns its exit status; out gets its output. */
static int info(const char *name, char out[4096])
{
    char *argv[4];
    FILE *fo = tmpfile(), *fe = tmpfile();
    size_t n;
    int rc;

    CHECK(fo != NULL && fe != NULL);
    argv[0] = "xipc";
    argv[1] = "info";
    argv[2] = (char *)name;
    argv[3] = NULL;
    rc = xipc_cli(3, argv, fo, fe);
    rewind(fo);
    n = fread(out, 1, 4095, fo);
    out[n] = '\0';
    fclose(fo);
    fclose(fe);
    return rc;
}

static int ls_has(const char *name, const char *want)
{
    char *argv[4], out[8192], *line;
    FILE *fo = tmpfile(), *fe = tmpfile();
    size_t n;

    CHECK(fo != NULL && fe != NULL);
    argv[0] = "xipc";
    argv[1] = "ls";
    argv[2] = (char *)name;
    argv[3] = NULL;
    CHECK_EQ(xipc_cli(3, argv, fo, fe), 0);
    rewind(fo);
    n = fread(out, 1, sizeof out - 1, fo);
    out[n] = '\0';
    fclose(fo);
    fclose(fe);
    line = strstr(out, name);
    if (line == NULL)
        return 0;
    if (strchr(line, '\n') != NULL)
        *strchr(line, '\n') = '\0';
    return strstr(line, want) != NULL;
}

struct asleep {
    xipc_semaphore *s;
    xipc_event *e;
};

static int sleep_on_both(void *arg)
{
    struct asleep *a = arg;
    int rc = xipc_semaphore_acquire(a->s, 10000 * t_slow());
    if (rc == 0)
        rc = xipc_event_wait(a->e, 10000 * t_slow());
    return rc;
}

int test_tool_sync_objects(void)
{
    const char *sn = t_name("toolsem"), *bn = t_name("toolbsem"),
               *en = t_name("toolev");
    xipc_semaphore *s, *b;
    xipc_event *e;
    xipc__thread *th;
    struct asleep a;
    xipc_info in;
    char out[4096];
    int64_t end;

    CHECK_OK(xipc_semaphore_create(&s, sn, 0, XIPC_SEM_UNDO));
    CHECK_OK(xipc_semaphore_create(&b, bn, 5, XIPC_SEM_BOUNDED));
    CHECK_OK(xipc_event_create(&e, en));
    CHECK_OK(xipc_semaphore_acquire(b, 0));
    CHECK_OK(xipc_semaphore_acquire(b, 0));

    CHECK_OK(xipc_stat(bn, &in));
    CHECK_EQ(in.kind, XIPC_KIND_SEMAPHORE);
    CHECK_STR(xipc_kind_name(in.kind), "semaphore");
    CHECK_EQ(in.value, 3);
    CHECK_EQ(in.max_value, 5);
    CHECK_EQ(in.waiting, 0);
    CHECK_EQ(in.holder, -1);
    CHECK_STR(in.state, "value 3 of 5, 0 waiting");
    CHECK_EQ(info(bn, out), 0);
    CHECK(strstr(out, "kind:     semaphore") != NULL);
    CHECK(strstr(out, "state:    value 3 of 5, 0 waiting") != NULL);
    CHECK(ls_has(bn, "semaphore"));
    CHECK(ls_has(bn, "value 3 of 5"));

    /* A waiter on each: counted while it sleeps. */
    a.s = s;
    a.e = e;
    CHECK_OK(xipc__thread_start(&th, sleep_on_both, &a));
    end = t_ms() + 10000 * t_slow();
    do {
        CHECK_OK(xipc_stat(sn, &in));
        xipc_sleep_ms(1);
    } while (in.waiting != 1 && t_ms() < end);
    CHECK_EQ(in.waiting, 1);
    CHECK_EQ(in.value, 0);
    CHECK_EQ(in.max_value, 0);
    CHECK_STR(in.state, "value 0, 1 waiting, undo: 0 of 64 processes hold 0 "
                        "units");
    CHECK_OK(xipc_semaphore_release(s));
    do {
        CHECK_OK(xipc_stat(en, &in));
        xipc_sleep_ms(1);
    } while (in.waiting != 1 && t_ms() < end);
    CHECK_EQ(in.kind, XIPC_KIND_EVENT);
    CHECK_STR(xipc_kind_name(in.kind), "event");
    CHECK_EQ(in.value, 0);
    CHECK_STR(in.state, "clear, 1 waiting");
    CHECK_EQ(info(en, out), 0);
    CHECK(strstr(out, "state:    clear, 1 waiting") != NULL);
    CHECK(ls_has(en, "clear"));
    CHECK_OK(xipc_event_set(e));
    CHECK_EQ(xipc__thread_join(th), 0);
    CHECK_OK(xipc_stat(en, &in));
    CHECK_EQ(in.value, 1);
    CHECK_STR(in.state, "set, 0 waiting");
    /* The thread took the unit with undo: its process holds it. */
    CHECK_OK(xipc_stat(sn, &in));
    CHECK_EQ(in.value, 0);
    CHECK(strstr(in.state, "1 of 64 processes hold 1 units") != NULL);
    CHECK_OK(xipc_semaphore_release(s));

    CHECK_OK(xipc_event_close(e));
    CHECK_OK(xipc_semaphore_close(b));
    CHECK_OK(xipc_semaphore_close(s));
    return 0;
}
