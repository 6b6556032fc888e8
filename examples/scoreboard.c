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
    xipc_lock *lock;
    int32_t total;
    int rc, i;

    if (argc != 2)
        return 2;
    if ((rc = xipc_value_open(&wins, argv[1], XIPC_I32, XIPC_RDWR)) != 0)
        return fail("open", rc);
    /* NULL only for a Value created XIPC_RAW (Python's RawValue) or opened
     * read-only: then there is no lock to take. */
    if ((lock = xipc_value_lock(wins)) == NULL)
        return fail("lock", XIPC_EINVAL);
    for (i = 0; i < WINS; i++) {
        xipc_sleep_ms(10);
        /* with shared_total.get_lock(): shared_total.value += 1
         * The lock is robust: had a worker died holding it, this acquire
         * would say XIPC_EOWNERDEAD (and hold it) instead of hanging. A
         * lone increment needs no repair, so we declare it consistent. */
        rc = xipc_lock_acquire(lock, XIPC_FOREVER);
        if (rc == XIPC_EOWNERDEAD)
            rc = xipc_lock_consistent(lock);
        if (rc != 0)
            return fail("acquire", rc);
        if ((rc = xipc_value_get(wins, &total, sizeof total)) == 0) {
            total += 1;
            rc = xipc_value_set(wins, &total, sizeof total);
        }
        if (rc != 0 || (rc = xipc_lock_release(lock)) != 0)
            return fail("update", rc);
    }
    return (rc = xipc_value_close(wins)) == 0 ? 0 : fail("close", rc);
}

static const xipc_proc_entry entries[] = {{"record_win", record_win},
                                          {NULL, NULL}};

int main(int argc, char **argv)
{
    xipc_proc *workers[WORKERS];
    const char *args[1];
    xipc_value *wins;
    int32_t total = 0;
    int code, rc, i, bad = 0;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code; /* we were a worker */

    /* global_wins = Value('i', 0), under a fresh name ("scoreboard-" and a
     * unique ending), which the workers are told. */
    if ((rc = xipc_value_create(&wins, "scoreboard-*", XIPC_I32, &total,
                                sizeof total, 0)) != 0)
        return fail("create", rc);
    args[0] = xipc_value_name(wins);
    for (i = 0; i < WORKERS; i++)
        if ((rc = xipc_proc_spawn(&workers[i], "record_win", 1, args)) != 0)
            return fail("spawn", rc);
    for (i = 0; i < WORKERS; i++) {
        if (xipc_proc_wait(workers[i], XIPC_FOREVER, &code) != 0 || code != 0)
            bad = 1;
        if (xipc_proc_free(workers[i]) != 0)
            bad = 1;
    }
    if ((rc = xipc_value_get(wins, &total, sizeof total)) != 0)
        return fail("get", rc);
    printf("Final Global Wins: %d\n", (int)total);
    /* The last holder: the scoreboard is gone. */
    if ((rc = xipc_value_close(wins)) != 0)
        return fail("close", rc);
    return bad;
}
