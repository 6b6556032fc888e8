/*
 * bench_sem.h - what the semaphore and event benchmark (bench/bench_sem.c)
 * needs from its platform-specific peers (bench/sem_peers_posix.c,
 * bench/sem_peers_win32.c, bench/sem_peers_boost.cpp, picked by
 * bench/CMakeLists.txt): the semaphores and events a programmer would
 * otherwise use on that platform, driven through one small interface.
 */
#ifndef XIPC_BENCH_SEM_H
#define XIPC_BENCH_SEM_H

/* A cross-process semaphore. `create` makes it under `name` (an xipc name)
 * with `value` units in the first process, `open` attaches another. */
typedef struct bench_sem_ops {
    const char *name; /* as printed in the table */
    int (*create)(const char *name, unsigned value, void **h);
    int (*open)(const char *name, void **h);
    void (*acquire)(void *h);
    void (*release)(void *h);
    void (*close)(void *h);
} bench_sem_ops;

/* A cross-process event (a flag that waiters wait for), created clear. */
typedef struct bench_event_ops {
    const char *name;
    int (*create)(const char *name, void **h);
    int (*open)(const char *name, void **h);
    void (*set)(void *h);
    void (*clear)(void *h);
    void (*wait)(void *h); /* returns once the event is set */
    void (*close)(void *h);
} bench_event_ops;

/* The peers of this platform, NULL-terminated. */
extern const bench_sem_ops *const bench_sem_peers[];
extern const bench_event_ops *const bench_event_peers[];

#endif
