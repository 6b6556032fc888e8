/*
 * bench.h - what the portable benchmark (bench/bench_lock.c) needs from its
 * platform-specific peers (bench/peers_posix.c, bench/peers_win32.c, picked
 * by bench/CMakeLists.txt): the lock a programmer would otherwise use on
 * that platform, driven through one small interface.
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

/* The peers of this platform, NULL-terminated. */
extern const bench_lock_ops *const bench_lock_peers[];

#endif
