/*
 * bench_cond.c - xipc's Condition next to the condition variables a
 * programmer would otherwise use across processes on this platform
 * (bench/cond_peers_*.c), in one run, reported as ratios:
 *
 *   cond.pingpong   two processes pass a turn back and forth: each takes
 *                   the lock, waits while the turn is the other's, gives it
 *                   over, notifies one and lets go; hand-overs per second
 *                   (the count is checked)
 *
 * Peers: this platform's (a pshared pthread condition and Boost's
 * interprocess_condition natively; a condition of named kernel objects on
 * Windows) and Python's multiprocessing.Condition (bench/peer_cond.py)
 * where Python runs.
 *
 * Each figure is the median of several repetitions, with min and max.
 * Usage: xipc_bench_cond [--quick]   (--quick: fewer, shorter repetitions;
 * it checks that every scenario runs and is sane, it does not judge speed).
 * Besides the table, one CSV line per result:
 *   csv,scenario,implementation,unit,median,min,max,ratio_vs_xipc
 */
#include "bench.h"
#include "bench_cond.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xipc.h>

/* ---- xipc's Condition behind the peers' interface ------------------------ */

static int x_create2(const char *name, void **h, int flags)
{
    return xipc_condition_create((xipc_condition **)h, name, flags, 0);
}

static int x_create(const char *name, void **h)
{
    return x_create2(name, h, 0);
}

static int x_create_lock(const char *name, void **h)
{
    return x_create2(name, h, XIPC_COND_LOCK);
}

static int x_open(const char *name, void **h)
{
    return xipc_condition_open((xipc_condition **)h, name);
}

static void x_lock(void *h)
{
    xipc_condition_acquire(h, XIPC_FOREVER);
}

static void x_unlock(void *h)
{
    xipc_condition_release(h);
}

static void x_wait(void *h)
{
    xipc_condition_wait(h, XIPC_FOREVER);
}

static void x_notify(void *h)
{
    xipc_condition_notify(h, 1);
}

static void x_close(void *h)
{
    xipc_condition_close(h);
}

static const bench_cond_ops xipc_ops = {"xipc Condition (RLock)",
                                        x_create,
                                        x_open,
                                        x_lock,
                                        x_unlock,
                                        x_wait,
                                        x_notify,
                                        x_close};
static const bench_cond_ops xipc_lock_ops = {"xipc Condition (Lock)",
                                             x_create_lock,
                                             x_open,
                                             x_lock,
                                             x_unlock,
                                             x_wait,
                                             x_notify,
                                             x_close};

static const bench_cond_ops *impl(int i)
{
    return i == 0   ? &xipc_ops
           : i == 1 ? &xipc_lock_ops
                    : bench_cond_peers[i - 2];
}

/* ---- the ping-pong --------------------------------------------------------
 */

struct ctl {
    _Atomic int ready, go, done;
    volatile int turn;
    volatile int64_t count;
    _Atomic int64_t end[2]; /* when each player finished (monotonic ns) */
};

static int reps = 5;
static int64_t run_ms = 300;

/* Child: argv = {"player", impl index, cond name, ctl name, me, n}. */
static int player(int argc, char **argv)
{
    const bench_cond_ops *o;
    xipc_shm *cs;
    struct ctl *c;
    void *h;
    long i, n;
    int me;

    if (argc != 6)
        return 2;
    o = impl(atoi(argv[1]));
    me = atoi(argv[4]);
    n = atol(argv[5]);
    if (xipc_shm_open(&cs, argv[3], XIPC_RDWR) != 0 || o->open(argv[2], &h))
        return 3;
    c = xipc_shm_data(cs);
    atomic_fetch_add(&c->ready, 1);
    while (!atomic_load(&c->go))
        bench_relax();
    for (i = 0; i < n; i++) {
        o->lock(h);
        while (c->turn != me)
            o->wait(h);
        c->turn = 1 - me;
        c->count = c->count + 1;
        o->notify(h);
        o->unlock(h);
    }
    /* The players time their own end: the parent only polls. */
    atomic_store(&c->end[me], xipc_now_ns());
    atomic_fetch_add(&c->done, 1);
    o->close(h);
    xipc_shm_close(cs);
    return 0;
}

/* Runs n rounds per player; returns the seconds they took, or -1 if the
 * run failed or miscounted. */
static double pingpong_once(int idx, long n)
{
    const bench_cond_ops *o = impl(idx);
    char cname[64], sname[64], si[8], sn[24], sme[4];
    const char *args[5];
    xipc_proc *p[2];
    xipc_shm *cs;
    struct ctl *c;
    void *h;
    int i, code, ok = 1;
    int64_t t0, t1;

    snprintf(cname, sizeof cname, "bench-%lld-cv%d", (long long)xipc_getpid(),
             idx);
    snprintf(sname, sizeof sname, "bench-%lld-cc", (long long)xipc_getpid());
    snprintf(si, sizeof si, "%d", idx);
    snprintf(sn, sizeof sn, "%ld", n);
    if (o->create(cname, &h) != 0)
        return -1;
    if (xipc_shm_create(&cs, sname, sizeof *c) != 0) {
        o->close(h);
        return -1;
    }
    c = xipc_shm_data(cs);
    args[0] = si;
    args[1] = cname;
    args[2] = sname;
    args[4] = sn;
    for (i = 0; i < 2; i++) {
        snprintf(sme, sizeof sme, "%d", i);
        args[3] = sme;
        if (xipc_proc_spawn(&p[i], "player", 5, args) != 0)
            return -1;
    }
    while (atomic_load(&c->ready) < 2)
        xipc_sleep_ms(1);
    t0 = xipc_now_ns();
    atomic_store(&c->go, 1);
    /* Sleep, not spin: the two players need both cores. */
    while (atomic_load(&c->done) < 2)
        xipc_sleep_ms(1);
    t1 = atomic_load(&c->end[0]) > atomic_load(&c->end[1])
             ? atomic_load(&c->end[0])
             : atomic_load(&c->end[1]);
    for (i = 0; i < 2; i++) {
        ok &= xipc_proc_wait(p[i], 60000, &code) == 0 && code == 0;
        xipc_proc_free(p[i]);
    }
    ok &= c->count == 2 * (int64_t)n; /* every hand-over happened once */
    xipc_shm_close(cs);
    o->close(h);
    return ok && t1 > t0 ? (double)(t1 - t0) / 1e9 : -1;
}

static const xipc_proc_entry entries[] = {{"player", player}, {NULL, NULL}};

int main(int argc, char **argv)
{
    enum { MAXI = 8, MAXR = 9 };
    double runs[MAXI][MAXR];
    bench_stat st[MAXI];
    int code, n, i, r, bad = 0;
    char pyargs[64];

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
        reps = 3;
        run_ms = 40;
    }
    for (n = 2; n < MAXI && impl(n) != NULL; n++)
        ;
    printf("xipc %s, %d repetitions of about %lld ms each\n", xipc_version(),
           reps, (long long)run_ms);
    bench_table_head();
    for (i = 0; i < n; i++) {
        /* Short runs first tell how many rounds fill run_ms. */
        double secs;
        long rounds = 100;

        while ((secs = pingpong_once(i, rounds)) > 0 &&
               secs < (double)run_ms / 4000.0 && rounds < 2000000)
            rounds *= 8;
        if (secs <= 0) {
            printf("%s: ping-pong failed or miscounted\n", impl(i)->name);
            bad = 1;
            secs = 1;
        }
        rounds = (long)((double)rounds * (double)run_ms / 1000.0 / secs);
        rounds = rounds < 100 ? 100 : rounds > 4000000 ? 4000000 : rounds;
        for (r = 0; r < reps; r++) {
            secs = pingpong_once(i, rounds);
            runs[i][r] = secs > 0 ? 2.0 * (double)rounds / secs : 0;
            if (secs <= 0) {
                printf("%s: ping-pong failed or miscounted\n", impl(i)->name);
                bad = 1;
            }
        }
        st[i] = bench_summarise(runs[i], reps);
    }
    for (i = 0; i < n; i++)
        bench_row("cond.pingpong", impl(i)->name, "ops/s", st[i], st[0].med);
    snprintf(pyargs, sizeof pyargs, "%ld", (long)(run_ms * 10));
    bench_python_row("cond.pingpong", "Python multiprocessing.Condition",
                     "peer_cond.py", pyargs, reps, 0, st[0].med);
    return bad;
}
