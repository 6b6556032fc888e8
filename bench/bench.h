/*
 * bench.h - what the portable benchmarks (bench/bench_*.c) share: their
 * platform-specific peers (bench/peers_posix.c, bench/peers_win32.c, picked
 * by bench/CMakeLists.txt) - the lock a programmer would otherwise use on
 * that platform, and Python where it runs - and one way of reporting.
 */
#ifndef XIPC_BENCH_H
#define XIPC_BENCH_H

#include <stdint.h>

/* A cross-process lock under test. `create` makes it under `name` (an xipc
 * name) in the first process, `open` attaches a second one. */
typedef struct bench_lock_ops {
    const char *name; /* as printed in the table */
    int (*create)(const char *name, void **h);
    int (*open)(const char *name, void **h);
    void (*lock)(void *h);
    void (*unlock)(void *h);
    void (*close)(void *h);
} bench_lock_ops;

/* The floor of every platform (bench/peer_spin.c): a CAS spinlock. */
extern const bench_lock_ops bench_spin_lock;

/* A pause in a spin loop. */
static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The peers of this platform, NULL-terminated. */
extern const bench_lock_ops *const bench_lock_peers[];

/* Runs the Python peer script bench/<script> with arguments `args` and
 * reads the number it prints after "ops_per_s ". Returns 0 and *rate, or
 * -1 if Python is absent here (Windows) or the script failed. */
int bench_python(const char *script, const char *args, double *rate);

/* ---- reporting (bench/report.c) ----------------------------------------- */

typedef struct bench_stat {
    double med, min, max;
} bench_stat;

/* The median, min and max of v[0..n-1] (n >= 1; sorts v). */
bench_stat bench_summarise(double *v, int n);

/* Prints the table's heading. */
void bench_table_head(void);

/* Prints one result as a table row and a CSV line
 *   csv,scenario,implementation,unit,median,min,max,ratio_vs_xipc
 * where the ratio is xipc_med over this median: for a time (ns/op) below 1
 * means xipc is faster, for a rate (ops/s, GB/s) above 1. */
void bench_row(const char *scenario, const char *name, const char *unit,
               bench_stat s, double xipc_med);

/* Runs the Python peer script `reps` times with `args`, and prints its row
 * (as ns per operation if per_op, else ops/s) against xipc's median, or a
 * line saying it is absent. Returns the median, or -1 if absent. */
double bench_python_row(const char *scenario, const char *name,
                        const char *script, const char *args, int reps,
                        int per_op, double xipc_med);

#endif
