/*
 * bench_lock.c - xipc's Lock next to the lock a programmer would otherwise
 * use on this platform (bench/peers_*.c), in one run, reported as ratios:
 *
 *   lock.uncontended   acquire + release by one thread, ns per pair
 *   lock.contended     2 processes each incrementing a shared counter under
 *                      the lock, total ops per second (the count is checked)
 *
 * Peers: this platform's (bench/peers_*.c) and Python's
 * multiprocessing.Lock (bench/peer_lock.py) where Python runs.
 *
 * Each figure is the median of several repetitions, with min and max.
 * Usage: xipc_bench_lock [--quick]   (--quick: fewer, shorter repetitions;
 * it checks that every scenario runs and is sane, it does not judge speed).
 * Besides the table, one CSV line per result:
 *   csv,scenario,implementation,unit,median,min,max,ratio_vs_xipc
 */
#include "bench.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xipc.h>

/* ---- xipc's Lock behind the peers' interface ---------------------------- */

static int x_create(const char *name, void **h)
{
    return xipc_lock_create((xipc_lock **)h, name, 0);
}

static int x_open(const char *name, void **h)
{
    return xipc_lock_open((xipc_lock **)h, name, 0);
}

static void x_lock(void *h)
{
    xipc_lock_acquire(h, XIPC_FOREVER);
}

static void x_unlock(void *h)
{
    xipc_lock_release(h);
}

static void x_close(void *h)
{
    xipc_lock_close(h);
}

static const bench_lock_ops xipc_ops = {"xipc Lock", x_create, x_open,
                                        x_lock,      x_unlock, x_close};

static const bench_lock_ops *impl(int i)
{
    return i == 0 ? &xipc_ops : bench_lock_peers[i - 1];
}

/* ---- shared control block for the contended runs ------------------------ */

struct ctl {
    _Atomic int ready, go, done;
    volatile int64_t counter;
};

static int reps = 5;
static int64_t run_ms = 300;

static int64_t now_ns(void)
{
    return xipc_now_ns();
}

/* ---- scenario: uncontended ---------------------------------------------- */

static double uncontended_once(const bench_lock_ops *o, void *h)
{
    int64_t t0 = now_ns(), t, ops = 0;
    do {
        int i;
        for (i = 0; i < 1000; i++) {
            o->lock(h);
            o->unlock(h);
        }
        ops += 1000;
        t = now_ns();
    } while (t - t0 < run_ms * 1000000);
    return (double)(t - t0) / (double)ops;
}

/* ---- scenario: contended by 2 processes --------------------------------- */

/* Child: argv = {"contend", impl index, lock name, ctl name, n}. */
static int contend_child(int argc, char **argv)
{
    const bench_lock_ops *o;
    xipc_shm *cs;
    struct ctl *c;
    void *h;
    long i, n;

    if (argc != 5)
        return 2;
    o = impl(atoi(argv[1]));
    n = atol(argv[4]);
    if (xipc_shm_open(&cs, argv[3], XIPC_RDWR) != 0 || o->open(argv[2], &h))
        return 3;
    c = xipc_shm_data(cs);
    atomic_fetch_add(&c->ready, 1);
    while (!atomic_load(&c->go))
        ;
    for (i = 0; i < n; i++) {
        o->lock(h);
        c->counter = c->counter + 1;
        o->unlock(h);
    }
    atomic_fetch_add(&c->done, 1);
    o->close(h);
    xipc_shm_close(cs);
    return 0;
}

/* Returns total ops/s, or -1 if the run failed or miscounted. */
static double contended_once(int idx, double ns_per_op)
{
    const bench_lock_ops *o = impl(idx);
    char lname[64], cname[64], si[8], sn[24];
    const char *args[4];
    xipc_proc *p[2];
    xipc_shm *cs;
    struct ctl *c;
    void *h;
    long n;
    int i, code, ok = 1;
    int64_t t0, t1;

    /* Enough work for about run_ms of contention, whatever the lock costs. */
    n = (long)((double)run_ms * 1e6 / (ns_per_op * 4));
    n = n < 200 ? 200 : n > 3000000 ? 3000000 : n;
    snprintf(lname, sizeof lname, "bench-%lld-l%d", (long long)xipc_getpid(),
             idx);
    snprintf(cname, sizeof cname, "bench-%lld-c", (long long)xipc_getpid());
    snprintf(si, sizeof si, "%d", idx);
    snprintf(sn, sizeof sn, "%ld", n);
    if (o->create(lname, &h) != 0 ||
        xipc_shm_create(&cs, cname, sizeof *c) != 0)
        return -1;
    c = xipc_shm_data(cs);
    args[0] = si;
    args[1] = lname;
    args[2] = cname;
    args[3] = sn;
    for (i = 0; i < 2; i++)
        if (xipc_proc_spawn(&p[i], "contend", 4, args) != 0)
            return -1;
    while (atomic_load(&c->ready) < 2)
        xipc_sleep_ms(1);
    t0 = now_ns();
    atomic_store(&c->go, 1);
    /* Sleep, not spin: the two children need both cores. */
    while (atomic_load(&c->done) < 2)
        xipc_sleep_ms(1);
    t1 = now_ns();
    for (i = 0; i < 2; i++) {
        ok &= xipc_proc_wait(p[i], 60000, &code) == 0 && code == 0;
        xipc_proc_free(p[i]);
    }
    ok &= c->counter == 2 * (int64_t)n; /* the lock really excluded */
    xipc_shm_close(cs);
    o->close(h);
    return ok ? 2.0 * (double)n / ((double)(t1 - t0) / 1e9) : -1;
}

static const xipc_proc_entry entries[] = {{"contend", contend_child},
                                          {NULL, NULL}};

int main(int argc, char **argv)
{
    enum { MAXI = 8, MAXR = 9 };
    double unc[MAXI][MAXR], con[MAXI][MAXR], unc_med[MAXI];
    bench_stat su[MAXI], sc[MAXI];
    int code, n, i, r, bad = 0;
    char facts[64], pyargs[64];

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
        reps = 3;
        run_ms = 40;
    }
    for (n = 1; n < MAXI && impl(n) != NULL; n++)
        ;
    snprintf(facts, sizeof facts, "xipc %s", xipc_version());
    printf("%s, %d repetitions of %lld ms each\n", facts, reps,
           (long long)run_ms);
    bench_table_head();
    for (i = 0; i < n; i++) {
        const bench_lock_ops *o = impl(i);
        char name[64];
        void *h;
        snprintf(name, sizeof name, "bench-%lld-u%d", (long long)xipc_getpid(),
                 i);
        if (o->create(name, &h) != 0) {
            printf("%s: could not be created: peer missing\n", o->name);
            return 1;
        }
        for (r = 0; r < reps; r++)
            unc[i][r] = uncontended_once(o, h);
        o->close(h);
        su[i] = bench_summarise(unc[i], reps);
        unc_med[i] = su[i].med;
    }
    for (i = 0; i < n; i++)
        bench_row("lock.uncontended", impl(i)->name, "ns/op", su[i], su[0].med);
    snprintf(pyargs, sizeof pyargs, "1 %ld", (long)(run_ms * 10000));
    bench_python_row("lock.uncontended", "Python multiprocessing.Lock",
                     "peer_lock.py", pyargs, reps, 1, su[0].med);
    for (i = 0; i < n; i++) {
        for (r = 0; r < reps; r++) {
            con[i][r] = contended_once(i, unc_med[i]);
            if (con[i][r] <= 0) {
                printf("%s: contended run failed or miscounted\n",
                       impl(i)->name);
                bad = 1;
                con[i][r] = 0;
            }
        }
        sc[i] = bench_summarise(con[i], reps);
    }
    for (i = 0; i < n; i++)
        bench_row("lock.contended", impl(i)->name, "ops/s", sc[i], sc[0].med);
    snprintf(pyargs, sizeof pyargs, "2 %ld", (long)(run_ms * 3000));
    bench_python_row("lock.contended", "Python multiprocessing.Lock",
                     "peer_lock.py", pyargs, reps, 0, sc[0].med);
    return bad;
}
