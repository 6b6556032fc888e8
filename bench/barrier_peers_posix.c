/*
 * barrier_peers_posix.c - the POSIX peer of the barrier benchmark: a
 * pthread_barrier_t made process-shared (PTHREAD_PROCESS_SHARED) in a
 * block of shared memory, what a C programmer on Linux reaches for first.
 * It sleeps in the kernel (glibc: a futex) from the first moment, spins
 * never, and has no answer for a party that dies: the others wait for
 * ever.
 */
#define _POSIX_C_SOURCE 200809L
#include "bench_barrier.h"

#include <pthread.h>
#include <stdlib.h>
#include <xipc.h>

struct pbar {
    xipc_shm *shm;
    pthread_barrier_t *b;
};

static int pb_get(const char *name, int parties, void **h, int create)
{
    struct pbar *p = calloc(1, sizeof *p);
    pthread_barrierattr_t a;
    int rc;

    if (p == NULL)
        return -1;
    rc = create ? xipc_shm_create(&p->shm, name, sizeof(pthread_barrier_t))
                : xipc_shm_open(&p->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(p);
        return -1;
    }
    p->b = xipc_shm_data(p->shm);
    if (create) {
        pthread_barrierattr_init(&a);
        pthread_barrierattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
        rc = pthread_barrier_init(p->b, &a, (unsigned)parties);
        pthread_barrierattr_destroy(&a);
        if (rc != 0) {
            xipc_shm_close(p->shm);
            free(p);
            return -1;
        }
    }
    *h = p;
    return 0;
}

static int pb_create(const char *name, int parties, void **h)
{
    return pb_get(name, parties, h, 1);
}

static int pb_open(const char *name, int parties, void **h)
{
    return pb_get(name, parties, h, 0);
}

static int pb_wait(void *h)
{
    int rc = pthread_barrier_wait(((struct pbar *)h)->b);
    return rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : -1;
}

static void pb_close(void *h)
{
    struct pbar *p = h;
    xipc_shm_close(p->shm);
    free(p);
}

static const bench_barrier_ops pthread_barrier = {
    "pthread_barrier (pshared)", pb_create, pb_open, pb_wait, pb_close};

const bench_barrier_ops *const bench_barrier_peers[] = {&pthread_barrier, NULL};
