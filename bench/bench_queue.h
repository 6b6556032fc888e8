/*
 * bench_queue.h - what the portable queue benchmark (bench/bench_queue.c)
 * needs from its platform-specific peers (bench/queue_peers_posix.c,
 * bench/queue_peers_win32.c, picked by bench/CMakeLists.txt): the message
 * channels a programmer would otherwise use on that platform, driven
 * through one small interface.
 */
#ifndef XIPC_BENCH_QUEUE_H
#define XIPC_BENCH_QUEUE_H

#include <stddef.h>

/* Which end of a channel a process opens. */
enum { BENCH_SENDER = 0, BENCH_RECEIVER = 1 };

/* A channel of messages between processes. `create` makes it under `name`
 * (an xipc name) in the parent, which keeps it until every child is done;
 * `open` attaches a child as a sender or a receiver. send and recv block
 * and return 0 on success. */
typedef struct bench_chan_ops {
    const char *name; /* as printed in the table */
    int mpmc;         /* several senders and receivers may share it */
    int (*create)(const char *name, size_t max_msg, void **h);
    int (*open)(const char *name, size_t max_msg, int role, void **h);
    int (*send)(void *h, const void *msg, size_t len);
    int (*recv)(void *h, void *buf, size_t size, size_t *len);
    void (*close)(void *h);
} bench_chan_ops;

/* The peers of this platform, NULL-terminated. */
extern const bench_chan_ops *const bench_chan_peers[];

/* A peer that runs whole scenarios in processes of its own (Python's
 * multiprocessing.Queue, through python3). run starts nprod producers and
 * nprod consumers (nprod 0: a ping and a pong) passing n messages of `size`
 * bytes and returns 0 with *rate (messages per second) or *med and *p99
 * (round trip, ns); -1 if it failed or miscounted; 1 if the peer is not
 * available on this machine. */
typedef struct bench_ext_ops {
    const char *name;
    int mpmc;
    int (*run)(int nprod, unsigned n, size_t size, double *rate, double *med,
               double *p99);
} bench_ext_ops;

/* The external peers of this platform, NULL-terminated. */
extern const bench_ext_ops *const bench_ext_peers[];

#endif
