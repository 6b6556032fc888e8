/*
 * scoreboard.c - four worker processes share one scoreboard.
 *
 * The C version of the seed's Python program:
 *
 *     global_wins = Value('i', 0)
 *     def record_win(shared_total, lock):
 *         for _ in range(100):
 *             time.sleep(0.01)
 *             with lock:
 *                 shared_total.value += 1
 *
 * The parent creates a shared Value of type i32 (Python's 'i'), starts four
 * workers (this same program, running the function "record_win"), and each
 * adds 100 wins under the Value's own lock (Python's get_lock()). The total
 * is exactly 400, every time.
 */
#include <xipc.h>

#include <stdio.h>

#define WORKERS 4
#define WINS 100

/* Prints what failed and returns 1, for `return fail("...", rc);`. */
static int fail(const char *what, int rc)
{
    fprintf(stderr, "scoreboard: %s: %s (%s)\n", what, xipc_strerror(rc),
            xipc_last_error());
    return 1;
}

/* Runs in each worker: argv[1] is the scoreboard's name. */
static int record_win(int argc, char **argv)
{
    xipc_value *wins;
    int32_t total;
    int rc, i;

    if (argc != 2)
        return 2;
    if ((rc = xipc_value_open(&wins, argv[1], XIPC_I32, XIPC_RDWR)) != 0)
        return fail("open", rc);
    for (i = 0; i < WINS; i++) {
        xipc_sleep_ms(10);
        /* with shared_total.get_lock(): shared_total.value += 1
         * The lock is robust: had a worker died holding it, this acquire
         * would say XIPC_EOWNERDEAD (and hold it) instead of hanging. A
         * lone increment needs no repair, so we declare it consistent. */
        rc = xipc_lock_acquire(xipc_value_lock(wins), XIPC_FOREVER);
        if (rc == XIPC_EOWNERDEAD)
            rc = xipc_lock_consistent(xipc_value_lock(wins));
        if (rc != 0)
            return fail("acquire", rc);
        xipc_value_get(wins, &total, sizeof total);
        total += 1;
        xipc_value_set(wins, &total, sizeof total);
        xipc_lock_release(xipc_value_lock(wins));
    }
    return xipc_value_close(wins) == 0 ? 0 : 1;
}

static const xipc_proc_entry entries[] = {{"record_win", record_win},
                                          {NULL, NULL}};

int main(int argc, char **argv)
{
    xipc_proc *workers[WORKERS];
    const char *args[1];
    xipc_value *wins;
    char name[64];
    int32_t total;
    int code, rc, i, bad = 0;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code; /* we were a worker */

    /* global_wins = Value('i', 0); one name per run. */
    snprintf(name, sizeof name, "scoreboard-%lld", (long long)xipc_getpid());
    if ((rc = xipc_value_create(&wins, name, XIPC_I32, &(int32_t){0}, sizeof(int32_t), 0)) != 0)
        return fail("create", rc);
    args[0] = name;
    for (i = 0; i < WORKERS; i++)
        if ((rc = xipc_proc_spawn(&workers[i], "record_win", 1, args)) != 0)
            return fail("spawn", rc);
    for (i = 0; i < WORKERS; i++) {
        if (xipc_proc_wait(workers[i], XIPC_FOREVER, &code) != 0 || code != 0)
            bad = 1;
        xipc_proc_free(workers[i]);
    }
    xipc_value_get(wins, &total, sizeof total);
    printf("Final Global Wins: %d\n", (int)total);
    xipc_value_close(wins); /* the last holder: the scoreboard is gone */
    return bad;
}
