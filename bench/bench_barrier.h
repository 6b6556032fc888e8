/*
 * bench_barrier.h - what the portable barrier benchmark (bench/bench_barrier.c)
 * needs from its platform-specific peers (bench/barrier_peers_posix.c,
 * bench/barrier_peers_win32.c, picked by bench/CMakeLists.txt): the
 * cross-process barriers a programmer would otherwise use on that
 * platform, driven through one small interface.
 */
#ifndef XIPC_BENCH_BARRIER_H
#define XIPC_BENCH_BARRIER_H

/* A reusable barrier shared by processes. `create` makes it for `parties`
 * under `name` (an xipc name) in the parent, which keeps it until every
 * child is done; `open` attaches a child. wait returns 0 once every party
 * has arrived, -1 on an error. */
typedef struct bench_barrier_ops {
    const char *name; /* as printed in the table */
    int (*create)(const char *name, int parties, void **h);
    int (*open)(const char *name, int parties, void **h);
    int (*wait)(void *h);
    void (*close)(void *h);
} bench_barrier_ops;

/* The peers of this platform, NULL-terminated. */
extern const bench_barrier_ops *const bench_barrier_peers[];

#endif
