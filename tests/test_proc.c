/*
 * test_proc.c - the spawn-style process API: exit codes (one rule on every
 * platform, crashes included), arguments, waiting with a timeout, killing,
 * pids, several threads waiting on and killing one child, and a child whose
 * exit status someone else collected.
 */
#include "test.h"

#include <stdlib.h>

/* Helper: exits with code argv[1]. */
int helper_exit_with(int argc, char **argv)
{
    HCHECK(argc == 2);
    return atoi(argv[1]);
}

/* Helper: sleeps argv[1] milliseconds, then exits with code argv[2]. */
int helper_sleep_then_exit(int argc, char **argv)
{
    HCHECK(argc == 3);
    xipc_sleep_ms(atoll(argv[1]));
    return atoi(argv[2]);
}

static const char *const tricky_args[] = {
    "plain",
    "with space",
    "",
    "quote\"inside",
    "\"quoted\"",
    "back\\slash",
    "trailing\\",
    "trailing space\\ ",
    "\\\\\"mixed\\\\",
    "tab\there",
    "--xipc-run",
    "-",
    "a&b|c>d<e^f%PATH%",
    "'single'",
};
#define N_TRICKY (int)(sizeof tricky_args / sizeof tricky_args[0])

/* Helper: exits 0 if its arguments are exactly tricky_args, else 1 + the
 * index of the first difference (or 50 for a wrong count). */
int helper_check_args(int argc, char **argv)
{
    int i;
    if (argc != N_TRICKY + 1)
        return 50;
    for (i = 0; i < N_TRICKY; i++)
        if (strcmp(argv[i + 1], tricky_args[i]) != 0) {
            fprintf(stderr, "arg %d: got [%s] want [%s]\n", i, argv[i + 1],
                    tricky_args[i]);
            return 1 + i;
        }
    return 0;
}

/* Helper: stores its pid in value[0] of control block argv[1]. */
int helper_report_pid(int argc, char **argv)
{
    xipc_shm *cs;
    t_ctl *ctl;
    HCHECK(argc == 2);
    HCHECK((ctl = t_ctl_open(argv[1], &cs)) != NULL);
    atomic_store(&ctl->value[0], xipc_getpid());
    xipc_shm_close(cs);
    return 0;
}

int test_proc_exit_codes(void)
{
    static const char *const codes[] = {"0", "1", "42", "200", "255"};
    xipc_proc *p[5];
    int i;

    for (i = 0; i < 5; i++)
        p[i] = t_spawn("exit_with", codes[i], NULL);
    for (i = 0; i < 5; i++)
        CHECK_EQ(t_join(p[i], 20000), atoi(codes[i]));
    return 0;
}

int test_proc_arguments(void)
{
    xipc_proc *p;
    int code;

    CHECK_OK(xipc_proc_spawn(&p, "check_args", N_TRICKY, tricky_args));
    CHECK_OK(xipc_proc_wait(p, 20000 * t_slow(), &code));
    CHECK_EQ(code, 0);
    CHECK_OK(xipc_proc_free(p));
    /* The check can fail: one argument fewer is noticed. */
    CHECK_OK(xipc_proc_spawn(&p, "check_args", N_TRICKY - 1, tricky_args));
    CHECK_OK(xipc_proc_wait(p, 20000 * t_slow(), &code));
    CHECK_EQ(code, 50);
    CHECK_OK(xipc_proc_free(p));
    /* Bad arguments are refused before anything starts. */
    {
        const char *with_null[2] = {"x", NULL};
        p = NULL;
        CHECK_RC(xipc_proc_spawn(NULL, "exit_with", 0, NULL), XIPC_EINVAL);
        CHECK_RC(xipc_proc_spawn(&p, NULL, 0, NULL), XIPC_EINVAL);
        CHECK_RC(xipc_proc_spawn(&p, "", 0, NULL), XIPC_EINVAL);
        CHECK_RC(xipc_proc_spawn(&p, "exit_with", -1, NULL), XIPC_EINVAL);
        CHECK_RC(xipc_proc_spawn(&p, "exit_with", 1, NULL), XIPC_EINVAL);
        CHECK_RC(xipc_proc_spawn(&p, "exit_with", 2, with_null), XIPC_EINVAL);
        CHECK(p == NULL);
        CHECK_RC(xipc_proc_wait(NULL, 0, &code), XIPC_EINVAL);
        CHECK_RC(xipc_proc_kill(NULL), XIPC_EINVAL);
        CHECK_RC(xipc_proc_free(NULL), XIPC_EINVAL);
    }
    return 0;
}

int test_proc_wait_timeout_and_kill(void)
{
    xipc_proc *p = t_spawn("sleep_then_exit", "60000", "0", NULL);
    int64_t t0;
    int code = -1;

    t0 = t_ms();
    CHECK_RC(xipc_proc_wait(p, 300, &code), XIPC_ETIMEDOUT);
    CHECK(t_ms() - t0 >= 299);                    /* not early */
    CHECK(t_ms() - t0 < 300 + 5000LL * t_slow()); /* not stuck */
    CHECK_EQ(code, -1);
    CHECK_RC(xipc_proc_wait(p, 0, &code), XIPC_ETIMEDOUT);
    CHECK_OK(xipc_proc_kill(p));
    t0 = t_ms();
    CHECK_OK(xipc_proc_wait(p, 10000 * t_slow(), &code));
    CHECK_EQ(code, XIPC_PROC_KILLED);
    CHECK(t_ms() - t0 < 10000LL * t_slow());
    /* Killing and waiting again are harmless and repeat the result. */
    CHECK_OK(xipc_proc_kill(p));
    code = -1;
    CHECK_OK(xipc_proc_wait(p, 0, &code));
    CHECK_EQ(code, XIPC_PROC_KILLED);
    CHECK_EQ(t_join(p, 1000), XIPC_PROC_KILLED);
    return 0;
}

int test_proc_kill_after_exit(void)
{
    xipc_proc *p = t_spawn("exit_with", "3", NULL);
    int code = -1;

    CHECK_OK(xipc_proc_wait(p, 20000 * t_slow(), &code));
    CHECK_EQ(code, 3);
    CHECK_OK(xipc_proc_kill(p));
    code = -1;
    CHECK_OK(xipc_proc_wait(p, 0, &code));
    CHECK_EQ(code, 3); /* the kill came too late to change anything */
    CHECK_EQ(t_join(p, 1000), 3);
    /* A child that sleeps briefly and exits is seen to exit on its own. */
    CHECK_EQ(t_join(t_spawn("sleep_then_exit", "50", "4", NULL), 20000), 4);
    return 0;
}

int test_proc_unknown_function(void)
{
    CHECK_EQ(t_join(t_spawn("no_such_helper", NULL), 20000), 127);
    return 0;
}

int test_proc_pid(void)
{
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p = t_spawn("report_pid", ctl_name, NULL);
    int64_t pid = xipc_proc_pid(p);

    CHECK(pid > 0);
    CHECK(pid != xipc_getpid());
    CHECK_EQ(t_join(p, 20000), 0);
    CHECK_EQ(atomic_load(&ctl->value[0]), pid);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* ---- exit codes: one rule on every platform ------------------------------ */

/* Helper: calls exit(argv[1]) itself, past xipc_proc_dispatch. */
int helper_exit_call(int argc, char **argv)
{
    HCHECK(argc == 2);
    fflush(NULL);
    exit(atoi(argv[1]));
}

/* Helper: crashes as argv[1] says: "segv" writes through a pointer into the
 * first page (as a field of a NULL struct pointer would; an address other
 * than NULL itself, so that UBSan's null check lets the fault happen),
 * "ill" executes an illegal instruction, "abort" calls abort(). */
int helper_crash(int argc, char **argv)
{
    volatile uintptr_t near_null = 8;

    HCHECK(argc == 2);
    fflush(NULL);
    if (strcmp(argv[1], "segv") == 0)
        *(volatile int *)near_null = 1;
    else if (strcmp(argv[1], "ill") == 0)
        __builtin_trap();
    else if (strcmp(argv[1], "abort") == 0)
        abort();
    return 98; /* reached only if the crash did not happen */
}

int test_proc_exit_code_range(void)
{
    /* What the child's function returns, and what exit() is given, reach
     * the parent as their low 8 bits on every platform. */
    static const struct {
        const char *helper, *code;
        int want;
    } cases[] = {
        {"exit_with", "-2", 254},  {"exit_with", "-1", 255},
        {"exit_with", "256", 0},   {"exit_with", "300", 44},
        {"exit_with", "137", 137}, {"exit_call", "-2", 254},
        {"exit_call", "-255", 1},  {"exit_call", "300", 44},
        {"exit_call", "255", 255}, {"exit_call", "0", 0},
    };
    xipc_proc *p[sizeof cases / sizeof cases[0]];
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        p[i] = t_spawn(cases[i].helper, cases[i].code, NULL);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int code = t_join(p[i], 20000);
        if (code != cases[i].want)
            t_fail(__FILE__, __LINE__, "%s(%s) reported %d, expected %d",
                   cases[i].helper, cases[i].code, code, cases[i].want);
    }
    return 0;
}

int test_proc_crash_codes(void)
{
    /* A crash reports 128 + the POSIX signal of the fault on every
     * platform, and ends the child at once: no dialog, no debugger (CTest
     * fails this test if a debugger's dump appears in its output). */
    static const struct {
        const char *how;
        int want;
    } cases[] = {{"segv", 128 + 11}, {"ill", 128 + 4}, {"abort", 128 + 6}};
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t0 = t_ms();
        int code = t_join(t_spawn("crash", cases[i].how, NULL), 10000);
        if (code != cases[i].want)
            t_fail(__FILE__, __LINE__, "crash %s reported %d, expected %d",
                   cases[i].how, code, cases[i].want);
        printf("crash %s: code %d after %lld ms\n", cases[i].how, code,
               (long long)(t_ms() - t0));
    }
    return 0;
}

/* ---- several threads on one child ---------------------------------------- */

struct waiter {
    xipc_proc *p;
    int64_t timeout_ms;
    int rc, code;
    int64_t took_ms;
    xipc__thread *t;
};

static int waiter_main(void *arg)
{
    struct waiter *w = arg;
    int64_t t0 = t_ms();

    w->code = -1;
    w->rc = xipc_proc_wait(w->p, w->timeout_ms, &w->code);
    w->took_ms = t_ms() - t0;
    return 0;
}

static int killer_main(void *arg)
{
    return xipc_proc_kill(arg);
}

#define N_RACERS 16
#define N_ROUNDS 50
#define N_WAITERS 6

/* Every thread waiting on one child gets its exit code, round after round:
 * the child ends while they all wait, so they race to collect it. (Before
 * the fix, a loser of the race got XIPC_ESYS in about every other run of
 * this many rounds.) */
static void waiters_all_get_the_code(void)
{
    struct waiter w[N_RACERS];
    char code[8];
    int round, i;

    for (round = 0; round < N_ROUNDS; round++) {
        xipc_proc *p;
        snprintf(code, sizeof code, "%d", 10 + round);
        p = t_spawn("sleep_then_exit", round % 2 ? "5" : "0", code, NULL);
        for (i = 0; i < N_RACERS; i++) {
            w[i].p = p;
            w[i].timeout_ms = 20000LL * t_slow();
            CHECK_OK(xipc__thread_start(&w[i].t, waiter_main, &w[i]));
        }
        for (i = 0; i < N_RACERS; i++) {
            xipc__thread_join(w[i].t);
            if (w[i].rc != 0)
                t_fail(__FILE__, __LINE__,
                       "round %d: waiter %d got %s instead of the code", round,
                       i, xipc_err_name(w[i].rc));
            CHECK_EQ(w[i].code, 10 + round);
        }
        CHECK_EQ(t_join(p, 1000), 10 + round);
    }
}

/* Each waiter keeps its own timeout while others wait longer, and a kill
 * from several threads at once reaches every waiter as XIPC_PROC_KILLED. */
static void waiters_keep_their_timeouts(void)
{
    static const int64_t timeouts[N_WAITERS] = {-2, -2, -2, 200, 200, 0};
    struct waiter w[N_WAITERS];
    xipc__thread *k[2];
    xipc_proc *p = t_spawn("sleep_then_exit", "60000", "0", NULL);
    int i;

    for (i = 0; i < N_WAITERS; i++) {
        w[i].p = p;
        w[i].timeout_ms = timeouts[i] == -2 ? 30000LL * t_slow() : timeouts[i];
        CHECK_OK(xipc__thread_start(&w[i].t, waiter_main, &w[i]));
    }
    for (i = 3; i < N_WAITERS; i++) {
        xipc__thread_join(w[i].t);
        CHECK_RC(w[i].rc, XIPC_ETIMEDOUT);
        CHECK_EQ(w[i].code, -1);
        CHECK(w[i].took_ms >= w[i].timeout_ms - 1); /* not early */
        CHECK(w[i].took_ms < w[i].timeout_ms + 3000LL * t_slow()); /* own */
    }
    for (i = 0; i < 2; i++)
        CHECK_OK(xipc__thread_start(&k[i], killer_main, p));
    CHECK_OK(xipc_proc_kill(p));
    for (i = 0; i < 2; i++)
        CHECK_OK(xipc__thread_join(k[i]));
    for (i = 0; i < 3; i++) {
        xipc__thread_join(w[i].t);
        CHECK_OK(w[i].rc);
        CHECK_EQ(w[i].code, XIPC_PROC_KILLED);
    }
    CHECK_EQ(t_join(p, 1000), XIPC_PROC_KILLED);
}

int test_proc_wait_threads(void)
{
    waiters_all_get_the_code();
    waiters_keep_their_timeouts();
    return 0;
}

int test_proc_wait_threads_fallback(void)
{
    /* The same with the backend's fallback (POSIX: the child addressed by
     * its pid, as on a kernel without pidfd). Windows has one way only,
     * which this runs again. */
    int rc = xipc__child_force_fallback(1);

    CHECK(rc == 0 || rc == XIPC_ENOTSUP);
    waiters_all_get_the_code();
    waiters_keep_their_timeouts();
    if (rc == 0)
        CHECK_OK(xipc__child_force_fallback(0));
    return 0;
}

/* ---- kill never reaches a process that is not the child ---------------- */

static atomic_int signals_sent;

static void count_signals(const char *where)
{
    if (strcmp(where, "proc:kill:signal") == 0)
        atomic_fetch_add(&signals_sent, 1);
}

int test_proc_kill_sends_nothing_after_end(void)
{
    xipc_proc *p = t_spawn("exit_with", "3", NULL);
    int code = -1;

    xipc__fault_hook = count_signals;
    /* The fault point does count a kill that is sent. */
    {
        xipc_proc *q = t_spawn("sleep_then_exit", "60000", "0", NULL);
        t_kill(q);
        CHECK_EQ(atomic_load(&signals_sent), 1);
    }
    /* Once the child's end is known, a kill sends nothing at all: its pid
     * may belong to another process by now. */
    CHECK_OK(xipc_proc_wait(p, 20000 * t_slow(), &code));
    CHECK_EQ(code, 3);
    CHECK_OK(xipc_proc_kill(p));
    CHECK_OK(xipc_proc_kill(p));
    CHECK_EQ(atomic_load(&signals_sent), 1);
    CHECK_EQ(t_join(p, 1000), 3);
    xipc__fault_hook = NULL;
    return 0;
}

/* Helper: spawns exit_with 9 itself and stores what its wait said in
 * value[0] (rc) and value[1] (code) of control block argv[1]: a parent that
 * ignores SIGCHLD must not make its child ignore it too. */
int helper_spawn_nested(int argc, char **argv)
{
    const char *args[1] = {"9"};
    xipc_shm *cs;
    xipc_proc *p;
    t_ctl *ctl;
    int code = -1, rc;

    HCHECK(argc == 2);
    HCHECK((ctl = t_ctl_open(argv[1], &cs)) != NULL);
    HCHECK(xipc_proc_spawn(&p, "exit_with", 1, args) == 0);
    rc = xipc_proc_wait(p, T_HELPER_MAX_MS, &code);
    xipc_proc_free(p);
    atomic_store(&ctl->value[0], rc);
    atomic_store(&ctl->value[1], code);
    atomic_store(&ctl->flag[0], 1);
    xipc_shm_close(cs);
    return 0;
}

int test_proc_children_reaped_elsewhere(void)
{
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl;
    int rc = xipc__child_autoreap(1), mode;

    if (rc == XIPC_ENOTSUP)
        return t_skip("no program can make the system collect a child's exit "
                      "code here (no SIGCHLD): xipc_proc_wait always gets it");
    CHECK_OK(rc);
    xipc__fault_hook = count_signals;
    ctl = t_ctl_create(&ctl_name, &cs);
    /* Both ways of addressing a child: pidfd, then pid. */
    for (mode = 0; mode < 2; mode++) {
        int64_t t0 = t_ms();
        xipc_proc *p;
        int code = -1;

        CHECK_OK(xipc__child_force_fallback(mode));
        p = t_spawn("sleep_then_exit", "300", "5", NULL);
        /* While it runs, it is simply running. */
        CHECK_RC(xipc_proc_wait(p, 0, &code), XIPC_ETIMEDOUT);
        /* Its end is waited for, then reported as collected elsewhere. */
        CHECK_RC(xipc_proc_wait(p, 20000 * t_slow(), &code), XIPC_ECHILD);
        CHECK(t_ms() - t0 >= 300);
        CHECK_EQ(code, -1);
        CHECK_RC(xipc_proc_wait(p, 0, &code), XIPC_ECHILD);
        /* A kill now has nothing to reach and sends nothing. */
        CHECK_OK(xipc_proc_kill(p));
        CHECK_EQ(atomic_load(&signals_sent), 0);
        t_release(p);
    }
    CHECK_OK(xipc__child_force_fallback(0));
    /* The child does not inherit the ignored SIGCHLD: its own children's
     * codes reach it. */
    {
        xipc_proc *p = t_spawn("spawn_nested", ctl_name, NULL);
        int code = -1;
        CHECK_RC(xipc_proc_wait(p, 20000 * t_slow(), &code), XIPC_ECHILD);
        t_release(p);
    }
    CHECK_EQ(atomic_load(&ctl->flag[0]), 1);
    CHECK_EQ(atomic_load(&ctl->value[0]), 0);
    CHECK_EQ(atomic_load(&ctl->value[1]), 9);
    CHECK_OK(xipc__child_autoreap(0));
    xipc__fault_hook = NULL;
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
