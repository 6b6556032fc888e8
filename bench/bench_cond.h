/*
 * bench_cond.h - what the portable Condition benchmark (bench/bench_cond.c)
 * needs from its platform-specific peers (bench/cond_peers_posix.c,
 * bench/cond_peers_win32.c and, natively with Boost's headers,
 * bench/cond_peers_boost.cpp): the condition variables a programmer would
 * otherwise use across processes on that platform, through one interface.
 */
#ifndef XIPC_BENCH_COND_H
#define XIPC_BENCH_COND_H

/* A condition variable shared by processes, with its lock. `create` makes
 * it under `name` (an xipc name) in the parent, which keeps it until the
 * children are done; `open` attaches a child. wait and notify are called
 * with the lock held; notify wakes one waiter. */
typedef struct bench_cond_ops {
    const char *name; /* as printed in the table */
    int (*create)(const char *name, void **h);
    int (*open)(const char *name, void **h);
    void (*lock)(void *h);
    void (*unlock)(void *h);
    void (*wait)(void *h);
    void (*notify)(void *h);
    void (*close)(void *h);
} bench_cond_ops;

/* The peers of this platform, NULL-terminated. */
extern const bench_cond_ops *const bench_cond_peers[];

#endif
