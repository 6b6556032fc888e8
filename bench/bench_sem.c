/*
 * bench_sem.c - xipc's Semaphore and Event next to what a programmer would
 * otherwise use on this platform (bench/sem_peers_*.c), in one run,
 * reported as ratios:
 *
 *   sem.uncontended   acquire + release by one thread, ns per pair: xipc's
 *                     Semaphore (and with undo), a process-shared POSIX
 *                     sem_t and Boost's interprocess_semaphore (Linux), a
 *                     named kernel semaphore (Windows), Python's;
 *   sem.handoff       two processes passing a unit back and forth through
 *                     two Semaphore(0), round trips per second: the sleep
 *                     and wake-one path;
 *   event.wait_set    a wait on an event that is set, ns per wait: xipc's
 *                     Event, a plain atomic load behind the same call (the
 *                     floor), a flag under a pthread mutex (Linux), a named
 *                     kernel event (Windows), Python's.
 *
 * The peers' rows carry xipc/peer: for a time (ns/op) below 1 means xipc
 * is faster, for a rate above 1. Each figure is the median of several
 * repetitions, with min and max. Usage: xipc_bench_sem [--quick]
 * (--quick checks that every scenario runs and is sane; it judges no
 * speed). Besides the table, one CSV line per result:
 *   csv,scenario,implementation,unit,median,min,max,ratio_vs_xipc
 */
#include "bench.h"
#include "bench_sem.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xipc.h>

/* ---- xipc behind the peers' interfaces ----------------------------------- */

static int x_create(const char *name, unsigned value, void **h)
{
    return xipc_semaphore_create((xipc_semaphore **)h, name, value, 0);
}

static int xu_create(const char *name, unsigned value, void **h)
{
    return xipc_semaphore_create((xipc_semaphore **)h, name, value,
                                 XIPC_SEM_UNDO);
}

static int x_open(const char *name, void **h)
{
    return xipc_semaphore_open((xipc_semaphore **)h, name);
}

static void x_acquire(void *h)
{
    xipc_semaphore_acquire(h, XIPC_FOREVER);
}

static void x_release(void *h)
{
    xipc_semaphore_release(h);
}

static void x_close(void *h)
{
    xipc_semaphore_close(h);
}

static const bench_sem_ops xipc_sem = {"xipc Semaphore", x_create,  x_open,
                                       x_acquire,        x_release, x_close};
static const bench_sem_ops xipc_sem_undo = {
    "xipc Semaphore, undo", xu_create, x_open, x_acquire, x_release, x_close};

static int xe_create(const char *name, void **h)
{
    return xipc_event_create((xipc_event **)h, name);
}

static int xe_open(const char *name, void **h)
{
    return xipc_event_open((xipc_event **)h, name);
}

static void xe_set(void *h)
{
    xipc_event_set(h);
}

static void xe_clear(void *h)
{
    xipc_event_clear(h);
}

static void xe_wait(void *h)
{
    xipc_event_wait(h, XIPC_FOREVER);
}

static void xe_close(void *h)
{
    xipc_event_close(h);
}

static const bench_event_ops xipc_ev = {
    "xipc Event", xe_create, xe_open, xe_set, xe_clear, xe_wait, xe_close};

/* The floor of a wait on a set event: one atomic load of a word of shared
 * memory, in a function of its own (the call xipc_event_wait costs too). */
struct fl {
    xipc_shm *shm;
    _Atomic uint32_t *w;
};

static int fl_get(const char *name, void **h, int create)
{
    struct fl *f = calloc(1, sizeof *f);
    int rc;

    if (f == NULL)
        return -1;
    rc = create ? xipc_shm_create(&f->shm, name, 64)
                : xipc_shm_open(&f->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(f);
        return rc;
    }
    f->w = xipc_shm_data(f->shm);
    *h = f;
    return 0;
}

static int fl_create(const char *name, void **h)
{
    return fl_get(name, h, 1);
}

static int fl_open(const char *name, void **h)
{
    return fl_get(name, h, 0);
}

static void fl_set(void *h)
{
    atomic_store(((struct fl *)h)->w, 1);
}

static void fl_clear(void *h)
{
    atomic_store(((struct fl *)h)->w, 0);
}

__attribute__((noinline)) static int fl_is_set(_Atomic uint32_t *w)
{
    return (int)(atomic_load_explicit(w, memory_order_acquire) & 1);
}

static void fl_wait(void *h)
{
    while (!fl_is_set(((struct fl *)h)->w))
        bench_relax();
}

static void fl_close(void *h)
{
    struct fl *f = h;
    xipc_shm_close(f->shm);
    free(f);
}

static const bench_event_ops floor_event = {"atomic load + call (floor)",
                                            fl_create,
                                            fl_open,
                                            fl_set,
                                            fl_clear,
                                            fl_wait,
                                            fl_close};

static const bench_sem_ops *sem_impl(int i)
{
    return i == 0   ? &xipc_sem
           : i == 1 ? &xipc_sem_undo
                    : bench_sem_peers[i - 2];
}

static const bench_event_ops *ev_impl(int i)
{
    return i == 0 ? &xipc_ev : i == 1 ? &floor_event : bench_event_peers[i - 2];
}

/* ---- common ----------------------------------------------------------------
 */

static int reps = 5;
static int64_t run_ms = 300;

static void name_of(char *out, size_t len, const char *what, int i)
{
    snprintf(out, len, "bench-%lld-%s%d", (long long)xipc_getpid(), what, i);
}

/* ---- sem.uncontended
 * --------------------------------------------------------- */

static double sem_uncontended_once(const bench_sem_ops *o, void *h)
{
    int64_t t0 = xipc_now_ns(), t, ops = 0;
    int i;

    do {
        for (i = 0; i < 1000; i++) {
            o->acquire(h);
            o->release(h);
        }
        ops += 1000;
        t = xipc_now_ns();
    } while (t - t0 < run_ms * 1000000);
    return (double)(t - t0) / (double)ops;
}

/* ---- sem.handoff
 * --------------------------------------------------------------- */

struct ctl {
    _Atomic int ready, go;
};

/* Child: argv = {"pong", impl, s1, s2, ctl, n}: n times takes a unit of
 * s1 and gives one to s2. */
static int pong_child(int argc, char **argv)
{
    const bench_sem_ops *o;
    xipc_shm *cs;
    struct ctl *c;
    void *s1, *s2;
    long i, n;

    if (argc != 6)
        return 2;
    o = sem_impl(atoi(argv[1]));
    n = atol(argv[5]);
    if (xipc_shm_open(&cs, argv[4], XIPC_RDWR) != 0 ||
        o->open(argv[2], &s1) != 0 || o->open(argv[3], &s2) != 0)
        return 3;
    c = xipc_shm_data(cs);
    atomic_fetch_add(&c->ready, 1);
    for (i = 0; i < n; i++) {
        o->acquire(s1);
        o->release(s2);
    }
    o->close(s2);
    o->close(s1);
    xipc_shm_close(cs);
    return 0;
}

/* Round trips per second, or -1 if the run failed. */
static double handoff_once(int idx, long n)
{
    const bench_sem_ops *o = sem_impl(idx);
    char n1[64], n2[64], cn[64], si[8], sn[24];
    const char *args[5];
    xipc_proc *p;
    xipc_shm *cs;
    struct ctl *c;
    void *s1, *s2;
    int64_t t0, t1;
    long i;
    int code, ok;

    name_of(n1, sizeof n1, "h1-", idx);
    name_of(n2, sizeof n2, "h2-", idx);
    name_of(cn, sizeof cn, "hc-", idx);
    snprintf(si, sizeof si, "%d", idx);
    snprintf(sn, sizeof sn, "%ld", n);
    if (o->create(n1, 0, &s1) != 0)
        return -1;
    if (o->create(n2, 0, &s2) != 0 || xipc_shm_create(&cs, cn, sizeof *c) != 0)
        return -1;
    c = xipc_shm_data(cs);
    args[0] = si;
    args[1] = n1;
    args[2] = n2;
    args[3] = cn;
    args[4] = sn;
    if (xipc_proc_spawn(&p, "pong", 5, args) != 0)
        return -1;
    while (atomic_load(&c->ready) < 1)
        xipc_sleep_ms(1);
    t0 = xipc_now_ns();
    for (i = 0; i < n; i++) {
        o->release(s1);
        o->acquire(s2);
    }
    t1 = xipc_now_ns();
    ok = xipc_proc_wait(p, 60000, &code) == 0 && code == 0;
    xipc_proc_free(p);
    xipc_shm_close(cs);
    o->close(s2);
    o->close(s1);
    return ok ? (double)n / ((double)(t1 - t0) / 1e9) : -1;
}

/* ---- event.wait_set
 * ------------------------------------------------------------ */

static double wait_set_once(const bench_event_ops *o, void *h)
{
    int64_t t0 = xipc_now_ns(), t, ops = 0;
    int i;

    do {
        for (i = 0; i < 1000; i++)
            o->wait(h);
        ops += 1000;
        t = xipc_now_ns();
    } while (t - t0 < run_ms * 1000000);
    return (double)(t - t0) / (double)ops;
}

/* ---- the targets, as ratios of this run ------------------------- */

/* Prints how xipc compares with one peer of a scenario: a peer of a time
 * (ns/op) or a rate (ops/s) with median peer_med against xipc's xipc_med,
 * with the target where the issue set one. */
static void ratio_line(const char *scenario, const char *peer, int is_time,
                       double xipc_med, double peer_med)
{
    double faster = is_time ? peer_med / xipc_med : xipc_med / peer_med;

    if (peer_med <= 0 || xipc_med <= 0)
        return;
    if (strncmp(peer, "POSIX sem_t", 11) == 0 && is_time)
        printf("ratio: %-16s xipc / %-30s = %8.2f   target <= 1.5: %s\n",
               scenario, peer, 1 / faster,
               1 / faster <= 1.5 ? "met" : "MISSED");
    else if (strncmp(peer, "atomic load", 11) == 0)
        printf("ratio: %-16s xipc / %-30s = %8.2f   target <= 2: %s\n",
               scenario, peer, 1 / faster, 1 / faster <= 2 ? "met" : "MISSED");
    else if (strncmp(peer, "win32 named", 11) == 0 && is_time)
        printf("ratio: %-16s %-30s / xipc = %8.0f   target >= 100: %s\n",
               scenario, peer, faster, faster >= 100 ? "met" : "MISSED");
    else if (strstr(peer, "undo") != NULL)
        printf("ratio: %-16s %s takes %.2fx the time of the plain one\n",
               scenario, peer, faster);
    else
        printf("ratio: %-16s xipc is %.2fx as fast as %s\n", scenario, faster,
               peer);
}

static const xipc_proc_entry entries[] = {{"pong", pong_child}, {NULL, NULL}};

int main(int argc, char **argv)
{
    enum { MAXI = 8, MAXR = 9 };
    double v[MAXI][MAXR], per_pair[MAXI], py[3];
    bench_stat st[MAXI], su[MAXI], sh[MAXI], se[MAXI];
    int nsem, nev;
    char name[64], pyargs[64];
    int code, n, i, r, bad = 0;
    long trips;
    void *h;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
        reps = 3;
        run_ms = 40;
    }
    printf("xipc %s, %d repetitions of %lld ms each\n", xipc_version(), reps,
           (long long)run_ms);
    bench_table_head();

    /* sem.uncontended */
    for (n = 2; n < MAXI && sem_impl(n) != NULL; n++)
        ;
    for (i = 0; i < n; i++) {
        const bench_sem_ops *o = sem_impl(i);
        name_of(name, sizeof name, "u", i);
        if (o->create(name, 1, &h) != 0) {
            printf("%s: could not be created: peer missing\n", o->name);
            return 1;
        }
        for (r = 0; r < reps; r++)
            v[i][r] = sem_uncontended_once(o, h);
        o->close(h);
        st[i] = bench_summarise(v[i], reps);
        per_pair[i] = st[i].med;
    }
    for (i = 0; i < n; i++)
        bench_row("sem.uncontended", sem_impl(i)->name, "ns/op", st[i],
                  st[0].med);
    snprintf(pyargs, sizeof pyargs, "sem %ld", (long)(run_ms * 5000));
    py[0] =
        bench_python_row("sem.uncontended", "Python multiprocessing.Semaphore",
                         "peer_sem.py", pyargs, reps, 1, st[0].med);
    memcpy(su, st, sizeof st);
    nsem = n;

    /* sem.handoff (not the undo row: its units change processes) */
    for (i = 0; i < n; i++) {
        if (i == 1)
            continue;
        /* About run_ms of round trips at a guess of 5 us each (kernel
         * objects under Wine are slower: fewer of them). */
        trips = (long)(run_ms * 200);
        if (per_pair[i] > 1000)
            trips = (long)(run_ms * 1e6 / (per_pair[i] * 4));
        trips = trips < 200 ? 200 : trips;
        for (r = 0; r < reps; r++) {
            v[i][r] = handoff_once(i, trips);
            if (v[i][r] <= 0) {
                printf("%s: handoff run failed\n", sem_impl(i)->name);
                bad = 1;
                v[i][r] = 0;
            }
        }
        st[i] = bench_summarise(v[i], reps);
    }
    for (i = 0; i < n; i++)
        if (i != 1)
            bench_row("sem.handoff", sem_impl(i)->name, "ops/s", st[i],
                      st[0].med);
    snprintf(pyargs, sizeof pyargs, "handoff %ld", (long)(run_ms * 20));
    py[1] = bench_python_row("sem.handoff", "Python multiprocessing.Semaphore",
                             "peer_sem.py", pyargs, reps, 0, st[0].med);
    memcpy(sh, st, sizeof st);

    /* event.wait_set */
    for (n = 2; n < MAXI && ev_impl(n) != NULL; n++)
        ;
    for (i = 0; i < n; i++) {
        const bench_event_ops *o = ev_impl(i);
        name_of(name, sizeof name, "e", i);
        if (o->create(name, &h) != 0) {
            printf("%s: could not be created: peer missing\n", o->name);
            return 1;
        }
        o->set(h);
        for (r = 0; r < reps; r++)
            v[i][r] = wait_set_once(o, h);
        o->clear(h);
        o->close(h);
        st[i] = bench_summarise(v[i], reps);
    }
    for (i = 0; i < n; i++)
        bench_row("event.wait_set", ev_impl(i)->name, "ns/op", st[i],
                  st[0].med);
    snprintf(pyargs, sizeof pyargs, "event %ld", (long)(run_ms * 10000));
    py[2] = bench_python_row("event.wait_set", "Python multiprocessing.Event",
                             "peer_sem.py", pyargs, reps, 1, st[0].med);
    memcpy(se, st, sizeof st);
    nev = n;

    for (i = 1; i < nsem; i++)
        ratio_line("sem.uncontended", sem_impl(i)->name, 1, su[0].med,
                   su[i].med);
    ratio_line("sem.uncontended", "Python multiprocessing.Semaphore", 1,
               su[0].med, py[0]);
    for (i = 2; i < nsem; i++)
        ratio_line("sem.handoff", sem_impl(i)->name, 0, sh[0].med, sh[i].med);
    ratio_line("sem.handoff", "Python multiprocessing.Semaphore", 0, sh[0].med,
               py[1]);
    for (i = 1; i < nev; i++)
        ratio_line("event.wait_set", ev_impl(i)->name, 1, se[0].med, se[i].med);
    ratio_line("event.wait_set", "Python multiprocessing.Event", 1, se[0].med,
               py[2]);
    return bad;
}
