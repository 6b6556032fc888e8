/*
 * test_lifetime.c - the lifetime model of include/xipc.h on every platform:
 * last close destroys, unlink frees the name while holders keep the object,
 * killed holders leave no object that blocks the name, concurrent creators
 * and openers never see each other's half-done work, and sweep.
 */
#include "test.h"

#include <stdlib.h>

/* Waits, at most T_HELPER_MAX_MS, for flag i of the control block. */
static void hold_until(t_ctl *ctl, int i)
{
    int64_t end = t_ms() + T_HELPER_MAX_MS;
    while (atomic_load(&ctl->flag[i]) == 0 && t_ms() < end)
        xipc_sleep_ms(1);
}

/* Helper: creates object argv[1] (4096 bytes, its pid in the first eight),
 * sets flag argv[3] of control block argv[2], then holds it until flag 15
 * is set. With argv[4] "die" it then ends at once without closing. */
int helper_create_and_hold(int argc, char **argv)
{
    xipc_shm *s, *cs;
    t_ctl *ctl;

    HCHECK(argc >= 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_shm_create(&s, argv[1], 4096) == 0);
    *(int64_t *)xipc_shm_data(s) = xipc_getpid();
    atomic_store(&ctl->flag[atoi(argv[3])], 1);
    hold_until(ctl, 15);
    if (argc >= 5 && strcmp(argv[4], "die") == 0)
        xipc__sys_die(0);
    xipc_shm_close(s);
    xipc_shm_close(cs);
    return 0;
}

/* Helper: opens object argv[1], sets flag argv[3] of control block argv[2]
 * and holds it until flag 15 is set. */
int helper_open_and_hold(int argc, char **argv)
{
    xipc_shm *s, *cs;
    t_ctl *ctl;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_shm_open(&s, argv[1], XIPC_RDWR) == 0);
    atomic_store(&ctl->flag[atoi(argv[3])], 1);
    hold_until(ctl, 15);
    xipc_shm_close(s);
    xipc_shm_close(cs);
    return 0;
}

int test_lifetime_last_close_destroys(void)
{
    const char *name = t_name("last");
    xipc_shm *a, *b, *c;

    CHECK_OK(xipc_shm_create(&a, name, 64));
    CHECK_OK(xipc_shm_open(&b, name, XIPC_RDWR));
    CHECK_EQ(xipc__seg_present(name), 1);
    CHECK_OK(xipc_shm_close(a));
    CHECK_OK(xipc_shm_open(&c, name, XIPC_RDONLY)); /* b still holds it */
    CHECK_OK(xipc_shm_close(b));
    CHECK_EQ(xipc__seg_present(name), 1); /* c still holds it */
    CHECK_OK(xipc_shm_close(c));
    CHECK_EQ(xipc__seg_present(name), 0);
    CHECK_RC(xipc_shm_open(&a, name, XIPC_RDWR), XIPC_ENOENT);
    /* The name is free again at once, for a new and zeroed object. */
    CHECK_OK(xipc_shm_create(&a, name, 64));
    CHECK_EQ(((char *)xipc_shm_data(a))[0], 0);
    CHECK_OK(xipc_shm_close(a));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

int test_lifetime_unlink_while_held(void)
{
    const char *name = t_name("unl");
    xipc_shm *a, *b, *c, *d;

    CHECK_OK(xipc_shm_create(&a, name, 64));
    CHECK_OK(xipc_shm_open(&b, name, XIPC_RDWR));
    ((char *)xipc_shm_data(a))[0] = 'A';
    CHECK_OK(xipc_unlink(name));
    CHECK_RC(xipc_shm_open(&c, name, XIPC_RDWR), XIPC_ENOENT);
    CHECK_RC(xipc_unlink(name), XIPC_ENOENT);
    /* The holders keep using the old object together. */
    ((char *)xipc_shm_data(b))[1] = 'b';
    CHECK_EQ(((char *)xipc_shm_data(a))[1], 'b');
    /* The name makes a new, separate object. */
    CHECK_OK(xipc_shm_create(&c, name, 128));
    CHECK_EQ(((char *)xipc_shm_data(c))[0], 0);
    ((char *)xipc_shm_data(c))[0] = 'C';
    CHECK_EQ(((char *)xipc_shm_data(a))[0], 'A');
    CHECK_OK(xipc_shm_open(&d, name, XIPC_RDWR));
    CHECK_EQ(xipc_shm_size(d), 128);
    CHECK_EQ(((char *)xipc_shm_data(d))[0], 'C');
    /* The old object's last close must not remove the new one's name. */
    CHECK_OK(xipc_shm_close(a));
    CHECK_OK(xipc_shm_close(b));
    CHECK_OK(xipc_shm_close(d));
    CHECK_OK(xipc_shm_open(&d, name, XIPC_RDONLY));
    CHECK_EQ(((char *)xipc_shm_data(d))[0], 'C');
    CHECK_OK(xipc_shm_close(d));
    CHECK_OK(xipc_shm_close(c));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

int test_lifetime_unlink_errors(void)
{
    const char *name = t_name("unlerr");
    xipc_shm *a;

    CHECK_RC(xipc_unlink(name), XIPC_ENOENT);
    CHECK_RC(xipc_shm_unlink(name), XIPC_ENOENT);
    CHECK_RC(xipc_unlink(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_unlink(""), XIPC_EINVAL);
    CHECK_OK(xipc_shm_create(&a, name, 8));
    CHECK_OK(xipc_shm_close(a));
    CHECK_RC(xipc_unlink(name), XIPC_ENOENT); /* the last close destroyed it */
    CHECK_OK(xipc_shm_create(&a, name, 8));
    CHECK_OK(xipc_shm_unlink(name));
    CHECK_OK(xipc_shm_close(a));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

int test_lifetime_child_exit_keeps_parent_hold(void)
{
    const char *name = t_name("keep"), *ctl_name;
    xipc_shm *s, *s2, *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p = t_spawn("create_and_hold", name, ctl_name, "0", "die", NULL);

    t_ctl_wait(ctl, 0, 1, 20000);
    int64_t pid = xipc_proc_pid(p);

    CHECK_OK(xipc_shm_open(&s, name, XIPC_RDWR));
    CHECK_EQ(*(int64_t *)xipc_shm_data(s), pid);
    atomic_store(&ctl->flag[15], 1);
    CHECK_EQ(t_join(p, 20000), 0); /* ended without closing anything */
    /* The parent's hold keeps the object, and the name, alive. */
    CHECK_OK(xipc_shm_open(&s2, name, XIPC_RDONLY));
    CHECK_EQ(*(int64_t *)xipc_shm_data(s2), pid);
    CHECK_OK(xipc_shm_close(s2));
    CHECK_OK(xipc_shm_close(s));
    CHECK_EQ(xipc__seg_present(name), 0);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_lifetime_killed_holders(void)
{
    const char *name = t_name("killed"), *ctl_name;
    xipc_shm *s, *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *creator, *opener;

    creator = t_spawn("create_and_hold", name, ctl_name, "0", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    opener = t_spawn("open_and_hold", name, ctl_name, "1", NULL);
    t_ctl_wait(ctl, 1, 1, 20000);
    CHECK_RC(xipc_shm_create(&s, name, 64), XIPC_EEXIST); /* live */
    t_kill(creator);
    CHECK_RC(xipc_shm_create(&s, name, 64), XIPC_EEXIST); /* still held */
    t_kill(opener);
    /* Every holder was killed: the object is gone and the name is free. */
    CHECK_RC(xipc_shm_open(&s, name, XIPC_RDWR), XIPC_ENOENT);
    CHECK_EQ(xipc__seg_present(name), 0);
    CHECK_OK(xipc_shm_create(&s, name, 64));
    CHECK_EQ(*(int64_t *)xipc_shm_data(s), 0); /* a fresh object */
    CHECK_OK(xipc_shm_close(s));
    CHECK_EQ(xipc__seg_present(name), 0);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_lifetime_killed_creator_name_free(void)
{
    const char *name = t_name("kcreat"), *ctl_name;
    xipc_shm *s, *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p = t_spawn("create_and_hold", name, ctl_name, "0", NULL);

    t_ctl_wait(ctl, 0, 1, 20000);
    t_kill(p);
    /* Straight to create: it must reclaim the dead object by itself. */
    CHECK_OK(xipc_shm_create(&s, name, 4096));
    CHECK_EQ(*(int64_t *)xipc_shm_data(s), 0);
    CHECK_OK(xipc_shm_close(s));
    CHECK_EQ(xipc__seg_present(name), 0);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

static void die_now(const char *where)
{
    if (strcmp(where, "create:init") == 0)
        xipc__sys_die(7);
}

/* Helper: starts creating object argv[1] and dies (exit code 7) after the
 * segment exists but before it is published. */
int helper_die_during_create(int argc, char **argv)
{
    xipc_shm *s;

    HCHECK(argc == 2);
    xipc__fault_hook = die_now;
    xipc_shm_create(&s, argv[1], 4096);
    return 0; /* not reached if the fault point works */
}

int test_lifetime_died_during_create(void)
{
    const char *name = t_name("halfmade");
    xipc_shm *s;

    CHECK_EQ(t_join(t_spawn("die_during_create", name, NULL), 20000), 7);
    /* The half-made object is nobody's: not openable, not blocking. */
    CHECK_RC(xipc_shm_open(&s, name, XIPC_RDONLY), XIPC_ENOENT);
    CHECK_RC(xipc_unlink(name), XIPC_ENOENT);
    CHECK_EQ(t_join(t_spawn("die_during_create", name, NULL), 20000), 7);
    CHECK_OK(xipc_shm_create(&s, name, 64));
    CHECK_OK(xipc_shm_close(s));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

struct reported {
    char names[8][XIPC_NAME_MAX + 1];
    int n;
};

static void collect(const char *name, void *ctx)
{
    struct reported *r = ctx;
    if (r->n < 8)
        snprintf(r->names[r->n], sizeof r->names[0], "%s", name);
    r->n++;
}

static int times_reported(const struct reported *r, const char *name)
{
    int i, k = 0;
    for (i = 0; i < r->n && i < 8; i++)
        k += strcmp(r->names[i], name) == 0;
    return k;
}

int test_lifetime_sweep_reports_stale(void)
{
    char names[3][XIPC_NAME_MAX + 1], prefix[40], live_name[XIPC_NAME_MAX + 1];
    const char *ctl_name;
    xipc_shm *cs, *live, *s;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    struct reported rep;
    int present[3], i, expected = 0, n;

    snprintf(prefix, sizeof prefix, "%ssweep-", t_prefix());
    for (i = 0; i < 3; i++) {
        char slot[4];
        xipc_proc *p;
        snprintf(names[i], sizeof names[i], "%sstale%d", prefix, i);
        snprintf(slot, sizeof slot, "%d", i);
        p = t_spawn("create_and_hold", names[i], ctl_name, slot, NULL);
        t_ctl_wait(ctl, i, 1, 20000);
        t_kill(p);
    }
    snprintf(live_name, sizeof live_name, "%slive", prefix);
    CHECK_OK(xipc_shm_create(&live, live_name, 64));
    for (i = 0; i < 3; i++)
        expected += present[i] = xipc__seg_present(names[i]);
    memset(&rep, 0, sizeof rep);
    /* Upper case: the prefix is matched like names, without case. */
    for (i = 0; prefix[i]; i++)
        if (prefix[i] >= 'a' && prefix[i] <= 'z')
            prefix[i] = (char)(prefix[i] - 32);
    n = xipc_sweep(prefix, collect, &rep);
    CHECK_EQ(n, rep.n);
    CHECK_EQ(n, expected);
    for (i = 0; i < 3; i++) {
        /* Whatever the system still had of a dead object is reported once
         * and then gone. (POSIX keeps a stale entry until reclaimed; the
         * Windows kernel has already freed it, leaving nothing to report.) */
        CHECK_EQ(times_reported(&rep, names[i]), present[i]);
        CHECK_EQ(xipc__seg_present(names[i]), 0);
    }
    /* The live object was not touched. */
    CHECK_EQ(times_reported(&rep, live_name), 0);
    CHECK_OK(xipc_shm_open(&s, live_name, XIPC_RDWR));
    CHECK_OK(xipc_shm_close(s));
    CHECK_EQ(xipc_sweep(prefix, collect, &rep), 0);
    CHECK_OK(xipc_shm_close(live));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Helper: waits for flag 0 (go), tries to create object argv[1], stores the
 * result in value[argv[3]] of control block argv[2]; a winner holds the
 * object until flag 1. */
int helper_race_create(int argc, char **argv)
{
    xipc_shm *s, *cs;
    t_ctl *ctl;
    int slot, rc;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    slot = atoi(argv[3]);
    atomic_fetch_add(&ctl->flag[2], 1); /* ready */
    hold_until(ctl, 0);
    rc = xipc_shm_create(&s, argv[1], 4096);
    if (rc == 0)
        *(int64_t *)xipc_shm_data(s) = slot + 100;
    atomic_store(&ctl->value[slot], rc);
    atomic_fetch_add(&ctl->flag[3], 1); /* done */
    if (rc == 0) {
        hold_until(ctl, 1);
        xipc_shm_close(s);
    }
    xipc_shm_close(cs);
    return 0;
}

int test_lifetime_create_race(void)
{
    enum { N = 6 };
    const char *ctl_name;
    xipc_shm *cs, *s;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p[N];
    int round, i;

    for (round = 0; round < 3; round++) {
        const char *name = t_name("race");
        int winners = 0, winner = -1;

        memset(ctl, 0, sizeof *ctl);
        for (i = 0; i < N; i++) {
            char slot[4];
            snprintf(slot, sizeof slot, "%d", i);
            atomic_store(&ctl->value[i], 1);
            p[i] = t_spawn("race_create", name, ctl_name, slot, NULL);
        }
        t_ctl_wait(ctl, 2, N, 30000);
        atomic_store(&ctl->flag[0], 1); /* go */
        t_ctl_wait(ctl, 3, N, 30000);
        for (i = 0; i < N; i++) {
            int64_t rc = atomic_load(&ctl->value[i]);
            if (rc == 0) {
                winners++;
                winner = i;
            } else {
                CHECK_RC((int)rc, XIPC_EEXIST);
            }
        }
        CHECK_EQ(winners, 1);
        CHECK_OK(xipc_shm_open(&s, name, XIPC_RDONLY));
        CHECK_EQ(*(int64_t *)xipc_shm_data(s), winner + 100);
        CHECK_OK(xipc_shm_close(s));
        atomic_store(&ctl->flag[1], 1);
        for (i = 0; i < N; i++)
            CHECK_EQ(t_join(p[i], 20000), 0);
        CHECK_EQ(xipc__seg_present(name), 0);
    }
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Helper: argv[3] times, opens shared object argv[1] and checks its marker,
 * and creates and closes a private object named argv[2]. */
int helper_churn_open_close(int argc, char **argv)
{
    int i, n;

    HCHECK(argc == 4);
    n = atoi(argv[3]);
    for (i = 0; i < n; i++) {
        xipc_shm *s, *mine;
        HCHECK(xipc_shm_open(&s, argv[1], (i & 1) ? XIPC_RDONLY : XIPC_RDWR) == 0);
        HCHECK(*(uint64_t *)xipc_shm_data(s) == UINT64_C(0x600d600d));
        HCHECK(xipc_shm_create(&mine, argv[2], 1000) == 0);
        HCHECK(xipc_shm_close(s) == 0);
        HCHECK(xipc_shm_close(mine) == 0);
    }
    return 0;
}

int test_lifetime_open_close_churn(void)
{
    const char *name = t_name("churn");
    char mine[2][XIPC_NAME_MAX + 1], count[16];
    xipc_shm *s;
    xipc_proc *p[2];
    int i;

    snprintf(count, sizeof count, "%d", 400 / t_slow());
    CHECK_OK(xipc_shm_create(&s, name, 64));
    *(uint64_t *)xipc_shm_data(s) = UINT64_C(0x600d600d);
    for (i = 0; i < 2; i++) {
        snprintf(mine[i], sizeof mine[i], "%s", t_name("own"));
        p[i] = t_spawn("churn_open_close", name, mine[i], count, NULL);
    }
    for (i = 0; i < 2; i++)
        CHECK_EQ(t_join(p[i], 50000), 0);
    for (i = 0; i < 2; i++)
        CHECK_EQ(xipc__seg_present(mine[i]), 0);
    CHECK_OK(xipc_shm_close(s));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

int test_lifetime_no_inherited_hold(void)
{
    const char *name = t_name("noinherit"), *ctl_name;
    xipc_shm *s, *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p;

    CHECK_OK(xipc_shm_create(&s, name, 64));
    /* A child started while we hold the object... */
    p = t_spawn("open_and_hold", ctl_name, ctl_name, "0", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    /* ...has not inherited our hold: our close destroys it. */
    CHECK_OK(xipc_shm_close(s));
    CHECK_EQ(xipc__seg_present(name), 0);
    CHECK_RC(xipc_shm_open(&s, name, XIPC_RDWR), XIPC_ENOENT);
    atomic_store(&ctl->flag[15], 1);
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
