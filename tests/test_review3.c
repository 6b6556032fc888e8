/*
 * test_review3.c - a third fresh-eyes review: undo semaphores under many
 * threads of several processes at once, with processes killed at random
 * instructions while the others keep going. It found help() completing a
 * record's pending operation on an old copy of the value word whose 8-bit
 * sequence tag matched by wrap-around: a process killed right after lost a
 * unit or had one given back twice (about one run in fifty).
 */
#include "test.h"

#include <stdlib.h>

struct r3_churn {
    xipc_semaphore *s;
    t_ctl *ctl;
    int64_t until; /* 0: until killed */
    int bad;
};

/* Takes one unit and gives it back, over and over (two at once could
 * deadlock: hold and wait), counting turns in flag 0 when it has a control
 * block. */
static int r3_churn_thread(void *arg)
{
    struct r3_churn *c = arg;
    int rc;

    while (c->until == 0 || t_ms() < c->until) {
        rc = xipc_semaphore_acquire(c->s, 20000);
        if (rc != 0 && rc != XIPC_EOWNERDEAD) {
            fprintf(stderr, "r3 acquire: %s: %s\n", xipc_err_name(rc),
                    xipc_last_error());
            c->bad = 1;
            return 1;
        }
        if (c->ctl != NULL)
            atomic_fetch_add(&c->ctl->flag[0], 1);
        if ((rc = xipc_semaphore_release(c->s)) != 0) {
            fprintf(stderr, "r3 release: %s: %s\n", xipc_err_name(rc),
                    xipc_last_error());
            c->bad = 2;
            return 2;
        }
    }
    return 0;
}

/* Helper: opens semaphore argv[1] and control block argv[2] and churns in
 * argv[3] threads (1..8) until it is killed. */
int helper_r3_churn(int argc, char **argv)
{
    struct r3_churn c[8];
    xipc__thread *th[8];
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    int i, n;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_semaphore_open(&s, argv[1]) == 0);
    n = atoi(argv[3]);
    HCHECK(n >= 1 && n <= 8);
    for (i = 0; i < n; i++) {
        c[i].s = s;
        c[i].ctl = ctl;
        c[i].until = 0;
        c[i].bad = 0;
        HCHECK(xipc__thread_start(&th[i], r3_churn_thread, &c[i]) == 0);
    }
    for (i = 0; i < n; i++)
        HCHECK(xipc__thread_join(th[i]) == 0);
    return 0;
}

static uint64_t r3_rng = 0x2545f4914f6cdd1du;

static uint64_t r3_rnd(void)
{
    r3_rng ^= r3_rng << 13;
    r3_rng ^= r3_rng >> 7;
    r3_rng ^= r3_rng << 17;
    return r3_rng;
}

/* Three processes of 4..8 threads churn an undo semaphore of k units with
 * the test's own threads; one of them is killed at a random instruction
 * and replaced, over and over. Afterwards exactly k units are there to
 * take: none lost, none given back twice. */
int test_review3_sem_undo_threads_kills(void)
{
    enum { P = 3, T = 4, K = 3 };
    char name[XIPC_NAME_MAX + 1];
    const char *ctl_name;
    xipc_semaphore *s;
    xipc_shm *cs;
    t_ctl *ctl;
    xipc_proc *p[P];
    xipc__thread *th[T];
    struct r3_churn c[T];
    int i, j, rc, got = 0, kills = 0;
    int64_t end, until;
    int32_t seen;

    snprintf(name, sizeof name, "%s", t_name("r3kill"));
    /* Room for every thread's record (threads whose first acquires race
     * may claim one each: include/xipc.h), so that dead processes' records
     * are still reused often. */
    CHECK_OK(xipc_semaphore_create(&s, name, K,
                                   XIPC_SEM_UNDO |
                                       XIPC_SEM_UNDO_PROCESSES(P * 8 + T + 4)));
    ctl = t_ctl_create(&ctl_name, &cs);
    for (i = 0; i < P; i++)
        p[i] = t_spawn("r3_churn", name, ctl_name, i % 2 ? "8" : "4", NULL);
    until = t_ms() + 4000;
    for (i = 0; i < T; i++) {
        c[i].s = s;
        c[i].ctl = NULL;
        c[i].until = until;
        c[i].bad = 0;
        CHECK_OK(xipc__thread_start(&th[i], r3_churn_thread, &c[i]));
    }
    while (t_ms() < until - 200) {
        i = (int)(r3_rnd() % P);
        seen = atomic_load(&ctl->flag[0]);
        t_ctl_wait(ctl, 0, seen + 1, 20000);
        end = xipc_now_ns() + (int64_t)(r3_rnd() % 5000) * 1000;
        while (xipc_now_ns() < end)
            ;
        t_kill(p[i]);
        kills++;
        p[i] = t_spawn("r3_churn", name, ctl_name, kills % 2 ? "8" : "4", NULL);
    }
    for (i = 0; i < T; i++) {
        CHECK_EQ(xipc__thread_join(th[i]), 0);
        CHECK_EQ(c[i].bad, 0);
    }
    for (i = 0; i < P; i++)
        t_kill(p[i]);
    /* Every unit must come back exactly once. */
    for (j = 0; j < K + 2; j++) {
        rc = xipc_semaphore_acquire(s, j < K ? 10000 * t_slow() : 300);
        if (rc == 0 || rc == XIPC_EOWNERDEAD)
            got++;
        else
            CHECK_RC(rc, XIPC_ETIMEDOUT);
    }
    printf("%d processes killed; %d units to take of %d\n", kills, got, K);
    for (j = 0; j < got; j++)
        CHECK_OK(xipc_semaphore_release(s));
    CHECK_EQ(got, K);
    CHECK_OK(xipc_shm_close(cs));
    CHECK_OK(xipc_semaphore_close(s));
    xipc_semaphore_unlink(name);
    return 0;
}
