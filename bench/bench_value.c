/*
 * bench_value.c - Value and Array next to what a programmer would use
 * instead, in one run, reported as rates (higher is better) and ratios:
 *
 *   value.incr.1p      one process adding 1 to a shared counter, ops/s:
 *                      xipc's atomic add, xipc's lock around a pointer
 *                      update, xipc's lock around get + set (Python's
 *                      `with v.get_lock(): v.value += 1` word for word),
 *                      Python's own Value, and a bare C11 atomic on shared
 *                      memory as the floor;
 *   value.incr.2p      the same by 2 processes at once, total ops/s (the
 *                      final count is checked);
 *   array.write/read   64 MiB copied into / out of an Array under its lock,
 *                      GB/s, against memcpy between private buffers (warm);
 *   array.create.1024M a 1 GiB Array created, every page written, closed:
 *                      ms, against malloc + memset of private memory.
 *
 * Each figure is the median of several repetitions, with min and max, as
 * bench/report.c prints them. Usage: xipc_bench_value [--quick]
 * (--quick checks that every scenario runs and is sane; it judges no speed).
 */
#include "bench.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xipc.h>

enum method { M_ATOMIC, M_LOCK_PTR, M_LOCK_GETSET, M_C11, NMETHODS };

static const char *const method_name[NMETHODS] = {
    "xipc atomic add", "xipc lock; *ptr += 1; unlock",
    "xipc lock; get; set; unlock", "C11 atomic (floor)"};

static int reps = 5;
static int64_t run_ms = 300;

/* n increments of Value v by method m. */
static void increment(xipc_value *v, enum method m, long n)
{
    xipc_lock *l = xipc_value_lock(v);
    int64_t *p = xipc_value_data(v), x;
    long i;

    for (i = 0; i < n; i++) {
        switch (m) {
        case M_ATOMIC:
            xipc_value_add(v, 1, NULL, NULL);
            break;
        case M_LOCK_PTR:
            xipc_lock_acquire(l, XIPC_FOREVER);
            *p += 1;
            xipc_lock_release(l);
            break;
        case M_LOCK_GETSET:
            xipc_lock_acquire(l, XIPC_FOREVER);
            xipc_value_get(v, &x, sizeof x);
            x += 1;
            xipc_value_set(v, &x, sizeof x);
            xipc_lock_release(l);
            break;
        default:
            atomic_fetch_add((_Atomic int64_t *)p, 1);
        }
    }
}

static char vname[64];

/* One process, about run_ms of increments: ops/s. */
static double incr_1p(enum method m)
{
    xipc_value *v;
    int64_t t0, t, ops = 0;

    if (xipc_value_create(&v, vname, XIPC_I64, NULL, 0, 0) != 0)
        return -1;
    t0 = xipc_now_ns();
    do {
        increment(v, m, 1000);
        ops += 1000;
        t = xipc_now_ns();
    } while (t - t0 < run_ms * 1000000);
    xipc_value_close(v);
    return (double)ops / ((double)(t - t0) / 1e9);
}

/* Child of incr_2p: argv = {"incr", method, value name, gate name, n}. */
static int incr_child(int argc, char **argv)
{
    xipc_value *v, *gate;
    int64_t arrived = 0;

    if (argc != 5 || xipc_value_open(&v, argv[2], XIPC_I64, XIPC_RDWR) != 0 ||
        xipc_value_open(&gate, argv[3], XIPC_I64, XIPC_RDWR) != 0)
        return 3;
    xipc_value_add(gate, 1, NULL, NULL);
    while (arrived < 3) /* both children and the parent's go */
        xipc_value_load(gate, &arrived);
    increment(v, (enum method)atoi(argv[1]), atol(argv[4]));
    xipc_value_close(gate);
    return xipc_value_close(v) == 0 ? 0 : 4;
}

/* Two processes, n increments each: total ops/s, or -1 if miscounted. */
static double incr_2p(enum method m, long n)
{
    char gname[80], sm[8], sn[24];
    const char *args[4];
    xipc_value *v, *gate;
    xipc_proc *p[2];
    int64_t t0, t1, total = 0, arrived = 0;
    int i, code, ok = 1;

    snprintf(gname, sizeof gname, "%s-gate", vname);
    snprintf(sm, sizeof sm, "%d", (int)m);
    snprintf(sn, sizeof sn, "%ld", n);
    if (xipc_value_create(&v, vname, XIPC_I64, NULL, 0, 0) != 0 ||
        xipc_value_create(&gate, gname, XIPC_I64, NULL, 0, XIPC_RAW) != 0)
        return -1;
    args[0] = sm;
    args[1] = vname;
    args[2] = gname;
    args[3] = sn;
    for (i = 0; i < 2; i++)
        if (xipc_proc_spawn(&p[i], "incr", 4, args) != 0)
            return -1;
    while (arrived < 2) {
        xipc_sleep_ms(1);
        xipc_value_load(gate, &arrived);
    }
    t0 = xipc_now_ns();
    xipc_value_add(gate, 1, NULL, NULL);
    for (i = 0; i < 2; i++) {
        ok &= xipc_proc_wait(p[i], 120000, &code) == 0 && code == 0;
        xipc_proc_free(p[i]);
    }
    t1 = xipc_now_ns();
    xipc_value_get(v, &total, sizeof total);
    ok &= total == 2 * (int64_t)n;
    xipc_value_close(gate);
    xipc_value_close(v);
    return ok ? 2.0 * (double)n / ((double)(t1 - t0) / 1e9) : -1;
}

/* ---- Array bulk copies ----------------------------------------------------
 */

enum copy { C_ARRAY_WRITE, C_ARRAY_READ, C_MEMCPY, NCOPIES };

static const char *const copy_name[NCOPIES] = {
    "xipc_array_write", "xipc_array_read", "memcpy (private buffers)"};

/* GB/s of one copy of `size` bytes, best of a few passes (warm). */
static double copy_once(enum copy c, xipc_array *a, unsigned char *src,
                        unsigned char *dst, size_t size)
{
    double best = 0;
    int pass;

    for (pass = 0; pass < 3; pass++) {
        int64_t t0 = xipc_now_ns(), t1;
        if (c == C_ARRAY_WRITE) {
            if (xipc_array_write(a, 0, size, src, size) != 0)
                return 0;
        } else if (c == C_ARRAY_READ) {
            if (xipc_array_read(a, 0, size, dst, size) != 0)
                return 0;
        } else
            memcpy(dst, src, size);
        t1 = xipc_now_ns();
        if (best == 0 || (double)size / (double)(t1 - t0) > best)
            best = (double)size / (double)(t1 - t0);
    }
    return best; /* bytes per ns = GB/s */
}

/* ---- creating a large object ----------------------------------------------
 */

/* Milliseconds to make `size` bytes and write every page of them: as a
 * named Array (create reserves and maps; closing destroys it), or with
 * malloc and memset, the private floor. Returns -1 on failure. */
static double touch_once(int array, size_t size)
{
    int64_t t0 = xipc_now_ns(), t1;
    unsigned char *p;
    xipc_array *a = NULL;
    char name[64];

    snprintf(name, sizeof name, "bench-%lld-big", (long long)xipc_getpid());
    if (array) {
        if (xipc_array_create(&a, name, XIPC_U8, size, NULL, 0, XIPC_RAW) != 0)
            return -1;
        p = xipc_array_data(a);
    } else if ((p = malloc(size)) == NULL) {
        return -1;
    }
    memset(p, 1, size);
    t1 = xipc_now_ns();
    if (array)
        xipc_array_close(a);
    else
        free(p);
    return (double)(t1 - t0) / 1e6;
}

static int create_and_touch(size_t size)
{
    double runs[9], xipc_med = 0;
    char scenario[32];
    bench_stat s;
    int k, r;

    snprintf(scenario, sizeof scenario, "array.create.%zuM", size >> 20);
    /* Three runs: each takes seconds where page faults are slow. */
    for (k = 1; k >= 0; k--) {
        for (r = 0; r < 3; r++) {
            if ((runs[r] = touch_once(k, size)) < 0) {
                printf("%s: could not make %zu MiB: failed\n", scenario,
                       size >> 20);
                return 1;
            }
        }
        s = bench_summarise(runs, 3);
        if (k)
            xipc_med = s.med;
        bench_row(scenario, k ? "xipc_array_create + touch" : "malloc + touch",
                  "ms", s, xipc_med);
    }
    return 0;
}

static const xipc_proc_entry entries[] = {{"incr", incr_child}, {NULL, NULL}};

int main(int argc, char **argv)
{
    enum { MAXR = 9 };
    double runs[MAXR], one_proc[NMETHODS] = {0}, xipc_med = 0, rate;
    bench_stat s;
    size_t size;
    int code, m, r, bad = 0, procs;
    long n2;
    char pyargs[64];

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
        reps = 3;
        run_ms = 40;
    }
    snprintf(vname, sizeof vname, "bench-%lld-v", (long long)xipc_getpid());
    printf("xipc %s, %d repetitions of about %lld ms each\n", xipc_version(),
           reps, (long long)run_ms);
    bench_table_head();

    for (procs = 1; procs <= 2; procs++) {
        const char *scenario = procs == 1 ? "value.incr.1p" : "value.incr.2p";
        double xipc_atomic = 0, xipc_locked = 0;
        for (m = 0; m < NMETHODS; m++) {
            /* Enough work for about run_ms of contention, at a quarter of
             * what one process alone did (one_proc is measured first). */
            n2 = (long)(one_proc[m] * (double)run_ms / 4000.0);
            n2 = n2 < 1000 ? 1000 : n2 > 20000000 ? 20000000 : n2;
            for (r = 0; r < reps; r++) {
                runs[r] = procs == 1 ? incr_1p((enum method)m)
                                     : incr_2p((enum method)m, n2);
                if (runs[r] <= 0) {
                    printf("%s: %s run failed or miscounted\n", scenario,
                           method_name[m]);
                    bad = 1;
                    runs[r] = 1;
                }
            }
            s = bench_summarise(runs, reps);
            if (procs == 1)
                one_proc[m] = s.med;
            if (m == M_ATOMIC)
                xipc_atomic = s.med;
            if (m == M_LOCK_GETSET)
                xipc_locked = s.med;
            xipc_med = m == M_C11 ? xipc_atomic : s.med;
            bench_row(scenario, method_name[m], "ops/s", s, xipc_med);
        }
        /* Python's locked increment: the peer both xipc ways are held to. */
        snprintf(pyargs, sizeof pyargs, "%d %ld", procs,
                 (long)(run_ms * (procs == 1 ? 1500 : 600)));
        rate = bench_python_row(scenario, "Python Value + get_lock()",
                                "peer_value.py", pyargs, reps, 0, xipc_locked);
        if (rate > 0) {
            printf("%-18s %-30s %14s %14s %14s %-8s %9.1f\n", scenario,
                   "  (xipc atomic add / Python)", "", "", "", "",
                   xipc_atomic / rate);
            printf("csv,%s,xipc atomic add vs Python,ratio,,,,%.4f\n", scenario,
                   xipc_atomic / rate);
        }
    }

    size = (run_ms >= 300 ? 64u : 8u) << 20;
    {
        xipc_array *a;
        unsigned char *src = malloc(size), *dst = malloc(size);
        char aname[64];
        int c;

        snprintf(aname, sizeof aname, "bench-%lld-a", (long long)xipc_getpid());
        if (src == NULL || dst == NULL ||
            xipc_array_create(&a, aname, XIPC_U8, size, NULL, 0, 0) != 0) {
            printf("array: could not allocate %zu MiB: failed\n", size >> 20);
            return 1;
        }
        memset(src, 0x5a, size);
        memset(dst, 0, size);
        for (c = 0; c < NCOPIES; c++) {
            for (r = 0; r < reps; r++)
                runs[r] = copy_once((enum copy)c, a, src, dst, size);
            s = bench_summarise(runs, reps);
            if (c == C_ARRAY_WRITE)
                xipc_med = s.med;
            bench_row(c == C_ARRAY_READ ? "array.read" : "array.write",
                      copy_name[c], "GB/s", s,
                      c == C_MEMCPY ? xipc_med : s.med);
        }
        if (memcmp(dst, src, size) != 0) {
            printf("array: the copies differ: failed\n");
            bad = 1;
        }
        xipc_array_close(a);
        free(src);
        free(dst);
    }
    bad |= create_and_touch(run_ms >= 300 ? (size_t)1 << 30 : (size_t)64 << 20);
    return bad;
}
