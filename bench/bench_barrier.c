/*
 * bench_barrier.c - xipc's Barrier next to the barriers a programmer would
 * otherwise use, in one run, reported as ratios:
 *
 *   barrier.rounds2   2 processes each waiting round after round on one
 *                     Barrier(2): nanoseconds per round (both parties)
 *
 * Peers: a spinning barrier on shared memory (a sense-reversing counter:
 * the floor, which sleeps never and notices no dead party), this
 * platform's (bench/barrier_peers_*.c: a process-shared pthread_barrier_t
 * on POSIX; named kernel objects on Windows), and Python's
 * multiprocessing.Barrier (bench/peer_barrier.py) where Python runs.
 *
 * Each figure is the median of several repetitions, with min and max.
 * Usage: xipc_bench_barrier [--quick]   (--quick: fewer, shorter
 * repetitions; it checks that every scenario runs and is sane, it does not
 * judge speed). Besides the table, one CSV line per result:
 *   csv,scenario,implementation,unit,median,min,max,ratio_vs_xipc
 */
#include "bench.h"
#include "bench_barrier.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xipc.h>

/* ---- xipc's Barrier behind the peers' interface -------------------------- */

static int x_create(const char *name, int parties, void **h)
{
    return xipc_barrier_create((xipc_barrier **)h, name, parties);
}

static int x_open(const char *name, int parties, void **h)
{
    (void)parties;
    return xipc_barrier_open((xipc_barrier **)h, name);
}

static int x_wait(void *h)
{
    return xipc_barrier_wait(h, XIPC_FOREVER) >= 0 ? 0 : -1;
}

static void x_close(void *h)
{
    xipc_barrier_close(h);
}

static const bench_barrier_ops xipc_ops = {"xipc Barrier", x_create, x_open,
                                           x_wait, x_close};

/* ---- the floor: a sense-reversing spinning barrier ----------------------- */

struct spin_shared {
    _Atomic uint32_t count, sense;
    uint32_t parties;
};

struct spinbar {
    xipc_shm *shm;
    struct spin_shared *s;
    uint32_t local; /* this party's sense */
};

static int sp_get(const char *name, int parties, void **h, int create)
{
    struct spinbar *b = calloc(1, sizeof *b);
    int rc;

    if (b == NULL)
        return -1;
    rc = create ? xipc_shm_create(&b->shm, name, sizeof *b->s)
                : xipc_shm_open(&b->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(b);
        return -1;
    }
    b->s = xipc_shm_data(b->shm);
    if (create)
        b->s->parties = (uint32_t)parties;
    *h = b;
    return 0;
}

static int sp_create(const char *name, int parties, void **h)
{
    return sp_get(name, parties, h, 1);
}

static int sp_open(const char *name, int parties, void **h)
{
    return sp_get(name, parties, h, 0);
}

/* The last to arrive resets the count and flips the shared sense; the
 * others spin until the sense is theirs. */
static int sp_wait(void *h)
{
    struct spinbar *b = h;

    b->local ^= 1;
    if (atomic_fetch_add(&b->s->count, 1) + 1 == b->s->parties) {
        atomic_store_explicit(&b->s->count, 0, memory_order_relaxed);
        atomic_store(&b->s->sense, b->local);
    } else {
        while (atomic_load(&b->s->sense) != b->local)
            bench_relax();
    }
    return 0;
}

static void sp_close(void *h)
{
    struct spinbar *b = h;
    xipc_shm_close(b->shm);
    free(b);
}

static const bench_barrier_ops spin_ops = {
    "spinning barrier (floor)", sp_create, sp_open, sp_wait, sp_close};

static const bench_barrier_ops *impl(int i)
{
    if (i == 0)
        return &xipc_ops;
    if (i == 1)
        return &spin_ops;
    return bench_barrier_peers[i - 2];
}

/* ---- scenario: rounds of 2 processes ------------------------------------- */

struct ctl {
    _Atomic int ready, go, done, bad;
};

static int reps = 5, quick = 0;
static int64_t run_ms = 300;

/* Child: argv = {"party", impl index, barrier name, ctl name, rounds}. */
static int party_child(int argc, char **argv)
{
    const bench_barrier_ops *o;
    xipc_shm *cs;
    struct ctl *c;
    void *h;
    long i, n;

    if (argc != 5)
        return 2;
    o = impl(atoi(argv[1]));
    n = atol(argv[4]);
    if (xipc_shm_open(&cs, argv[3], XIPC_RDWR) != 0 ||
        o->open(argv[2], 2, &h) != 0)
        return 3;
    c = xipc_shm_data(cs);
    atomic_fetch_add(&c->ready, 1);
    while (!atomic_load(&c->go))
        bench_relax();
    for (i = 0; i < n; i++) {
        if (o->wait(h) != 0) {
            atomic_fetch_add(&c->bad, 1);
            break;
        }
    }
    atomic_fetch_add(&c->done, 1);
    o->close(h);
    xipc_shm_close(cs);
    return 0;
}

/* Returns nanoseconds per round of n rounds, or -1 if the run failed. */
static double rounds_once(int idx, long n)
{
    const bench_barrier_ops *o = impl(idx);
    char bname[64], cname[64], si[8], sn[24];
    const char *args[4];
    xipc_proc *p[2];
    xipc_shm *cs;
    struct ctl *c;
    void *h;
    int i, code, ok = 1;
    int64_t t0, t1;

    snprintf(bname, sizeof bname, "bench-%lld-b%d", (long long)xipc_getpid(),
             idx);
    snprintf(cname, sizeof cname, "bench-%lld-bc", (long long)xipc_getpid());
    snprintf(si, sizeof si, "%d", idx);
    snprintf(sn, sizeof sn, "%ld", n);
    if (o->create(bname, 2, &h) != 0)
        return -1;
    if (xipc_shm_create(&cs, cname, sizeof *c) != 0) {
        o->close(h);
        return -1;
    }
    c = xipc_shm_data(cs);
    args[0] = si;
    args[1] = bname;
    args[2] = cname;
    args[3] = sn;
    for (i = 0; i < 2; i++)
        if (xipc_proc_spawn(&p[i], "party", 4, args) != 0)
            return -1;
    while (atomic_load(&c->ready) < 2)
        xipc_sleep_ms(1);
    t0 = xipc_now_ns();
    atomic_store(&c->go, 1);
    /* Sleep, not spin: the two children need both cores. */
    while (atomic_load(&c->done) < 2)
        xipc_sleep_ms(1);
    t1 = xipc_now_ns();
    for (i = 0; i < 2; i++) {
        ok &= xipc_proc_wait(p[i], 60000, &code) == 0 && code == 0;
        xipc_proc_free(p[i]);
    }
    ok &= atomic_load(&c->bad) == 0;
    xipc_shm_close(cs);
    o->close(h);
    return ok ? (double)(t1 - t0) / (double)n : -1;
}

static const xipc_proc_entry entries[] = {{"party", party_child}, {NULL, NULL}};

int main(int argc, char **argv)
{
    enum { MAXI = 8, MAXR = 9 };
    double v[MAXR];
    bench_stat st[MAXI];
    int have[MAXI];
    int code, n, i, r, bad = 0;
    char pyargs[64];

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
        quick = 1;
        reps = 3;
        run_ms = 40;
    }
    for (n = 2; n < MAXI && impl(n) != NULL; n++)
        ;
    printf("xipc %s, %d repetitions of about %lld ms each; both parties "
           "spawned per run\n",
           xipc_version(), reps, (long long)run_ms);
    for (i = 0; i < n; i++) {
        const long pilot = 200;
        double per;
        long rounds;

        have[i] = 0;
        /* A pilot run sizes the real ones to about run_ms each. */
        if ((per = rounds_once(i, pilot)) <= 0) {
            printf("%s: run failed\n", impl(i)->name);
            bad = 1;
            continue;
        }
        rounds = (long)((double)run_ms * 1e6 / per);
        rounds = rounds < pilot ? pilot : rounds > 20000000 ? 20000000 : rounds;
        for (r = 0; r < reps; r++) {
            if ((v[r] = rounds_once(i, rounds)) <= 0) {
                printf("%s: run failed\n", impl(i)->name);
                bad = 1;
                break;
            }
        }
        if (r < reps)
            continue;
        st[i] = bench_summarise(v, reps);
        have[i] = 1;
    }
    printf("\n");
    bench_table_head();
    if (!have[0])
        return 1;
    for (i = 0; i < n; i++)
        if (have[i])
            bench_row("barrier.rounds2", impl(i)->name, "ns/op", st[i],
                      st[0].med);
    /* About a second of Python's rounds; its interpreter costs about as
     * much to start, so a quick run measures it once. */
    snprintf(pyargs, sizeof pyargs, "2 %ld", quick ? 2000L : 20000L);
    bench_python_row("barrier.rounds2", "Python multiprocessing.Barrier",
                     "peer_barrier.py", pyargs, quick ? 1 : reps, 1, st[0].med);
    return bad;
}
