/*
 * report.c - what every benchmark of bench/ prints the same way: the
 * median, min and max of repeated runs, a table row with the ratio to
 * xipc, and one CSV line per result. Portable.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_stat bench_summarise(double *v, int n)
{
    bench_stat s;
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    s.min = v[0];
    s.max = v[n - 1];
    s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

void bench_table_head(void)
{
    printf("%-18s %-30s %14s %14s %14s %-8s %9s\n", "scenario",
           "implementation", "median", "min", "max", "unit", "xipc/peer");
}

void bench_row(const char *scenario, const char *name, const char *unit,
               bench_stat s, double xipc_med)
{
    double ratio = xipc_med / s.med;
    printf("%-18s %-30s %14.1f %14.1f %14.1f %-8s %9.3f\n", scenario, name,
           s.med, s.min, s.max, unit, ratio);
    printf("csv,%s,%s,%s,%.3f,%.3f,%.3f,%.4f\n", scenario, name, unit, s.med,
           s.min, s.max, ratio);
}

double bench_python_row(const char *scenario, const char *name,
                        const char *script, const char *args, int reps,
                        int per_op, double xipc_med)
{
    double runs[16], rate;
    bench_stat st;
    int r;

    if (reps > 16)
        reps = 16;
    for (r = 0; r < reps; r++) {
        if (bench_python(script, args, &rate) != 0 || rate <= 0) {
            printf("%-18s %-30s absent (python3 is not here, or its script did "
                   "not finish)\n",
                   scenario, name);
            return -1;
        }
        runs[r] = per_op ? 1e9 / rate : rate;
    }
    st = bench_summarise(runs, reps);
    bench_row(scenario, name, per_op ? "ns/op" : "ops/s", st, xipc_med);
    return st.med;
}
