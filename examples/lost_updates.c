/*
 * lost_updates.c - why a shared counter needs a lock (or an atomic).
 *
 * The seed's Python program shows `shared_num.value += 1` from several
 * processes losing updates, and the Lock that fixes it. Here four worker
 * processes each add 1 to a shared i32 Value 100 000 times, three ways:
 *
 *   unsafe   through the raw pointer, no lock: read, add, write back, so
 *            two processes can read the same old value and one update is
 *            lost (the total is usually short of 400 000);
 *   locked   under the Value's lock (Python's `with v.get_lock():`);
 *   atomic   with xipc_value_add, one lock-free atomic instruction.
 *
 * The locked and atomic totals are always exactly 400 000. Each line also
 * says how long the four workers took.
 */
#include <xipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 4
#define ADDS 100000

static int fail(const char *what, int rc)
{
    fprintf(stderr, "lost_updates: %s: %s (%s)\n", what, xipc_strerror(rc),
            xipc_last_error());
    return 1;
}

/* Runs in each worker: argv[1] the Value's name, argv[2] the way,
 * argv[3] the name of the start gate. */
static int worker(int argc, char **argv)
{
    xipc_value *v, *gate;
    int64_t arrived = 0;
    int i, rc;

    if (argc != 4)
        return 2;
    if ((rc = xipc_value_open(&v, argv[1], XIPC_I32, XIPC_RDWR)) != 0 ||
        (rc = xipc_value_open(&gate, argv[3], XIPC_I32, XIPC_RDWR)) != 0)
        return fail("open", rc);
    /* Start together: 100 000 adds take about a millisecond, less than it
     * takes to start a process, so without the gate they barely overlap. */
    if ((rc = xipc_value_add(gate, 1, NULL, NULL)) != 0)
        return fail("add", rc);
    while (arrived < WORKERS)
        if ((rc = xipc_value_load(gate, &arrived)) != 0)
            return fail("load", rc);
    if ((rc = xipc_value_close(gate)) != 0)
        return fail("close", rc);
    if (strcmp(argv[2], "unsafe") == 0) {
        volatile int32_t *n = xipc_value_data(v);
        for (i = 0; i < ADDS; i++)
            *n = *n + 1; /* read, add, write: not one step */
    } else if (strcmp(argv[2], "locked") == 0) {
        xipc_lock *lock = xipc_value_lock(v); /* NULL if created XIPC_RAW */
        int32_t n;
        for (i = 0; i < ADDS; i++) {
            /* Fails for a NULL lock, or when a worker died holding it. */
            if ((rc = xipc_lock_acquire(lock, XIPC_FOREVER)) != 0)
                return fail("acquire", rc);
            if ((rc = xipc_value_get(v, &n, sizeof n)) == 0) {
                n += 1;
                rc = xipc_value_set(v, &n, sizeof n);
            }
            if (rc != 0 || (rc = xipc_lock_release(lock)) != 0)
                return fail("update", rc);
        }
    } else {
        for (i = 0; i < ADDS; i++)
            if ((rc = xipc_value_add(v, 1, NULL, NULL)) != 0)
                return fail("add", rc);
    }
    return (rc = xipc_value_close(v)) == 0 ? 0 : fail("close", rc);
}

static const xipc_proc_entry entries[] = {{"worker", worker}, {NULL, NULL}};

/* Runs the workers one way; returns 0 and prints the total. */
static int run(const char *way)
{
    xipc_proc *p[WORKERS];
    const char *args[3];
    xipc_value *v, *gate;
    int32_t total;
    int64_t t0, t1;
    int i, rc, code, bad = 0;

    /* Fresh names: two runs at once never meet. */
    if ((rc = xipc_value_create(&v, "lost-*", XIPC_I32, NULL, 0, 0)) != 0 ||
        (rc = xipc_value_create(&gate, "lost-gate-*", XIPC_I32, NULL, 0,
                                XIPC_RAW)) != 0)
        return fail("create", rc);
    args[0] = xipc_value_name(v);
    args[1] = way;
    args[2] = xipc_value_name(gate);
    t0 = xipc_now_ns();
    for (i = 0; i < WORKERS; i++)
        if ((rc = xipc_proc_spawn(&p[i], "worker", 3, args)) != 0)
            return fail("spawn", rc);
    for (i = 0; i < WORKERS; i++) {
        if (xipc_proc_wait(p[i], XIPC_FOREVER, &code) != 0 || code != 0)
            bad = 1;
        if (xipc_proc_free(p[i]) != 0)
            bad = 1;
    }
    t1 = xipc_now_ns();
    if ((rc = xipc_value_get(v, &total, sizeof total)) != 0)
        return fail("get", rc);
    printf("%-7s final value: %6d of %d  (%.1f ms)\n", way, (int)total,
           WORKERS * ADDS, (double)(t1 - t0) / 1e6);
    if ((rc = xipc_value_close(gate)) != 0 || (rc = xipc_value_close(v)) != 0)
        return fail("close", rc);
    return bad;
}

int main(int argc, char **argv)
{
    int code;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    return run("unsafe") | run("locked") | run("atomic");
}
