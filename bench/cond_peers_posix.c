/*
 * cond_peers_posix.c - the POSIX peers of the Condition benchmark: a
 * process-shared pthread condition variable with a process-shared mutex in
 * shared memory (what a C programmer writes by hand; neither robust nor
 * checked), and Boost.Interprocess's interprocess_condition when its
 * headers are here (bench/cond_peers_boost.cpp).
 */
#define _GNU_SOURCE
#include "bench_cond.h"

#include <pthread.h>
#include <stdlib.h>
#include <xipc.h>

struct pcv {
    xipc_shm *shm;
    struct pcv_shared {
        pthread_mutex_t m;
        pthread_cond_t cv;
    } * s;
};

static int pcv_open2(const char *name, void **h, int create)
{
    struct pcv *p = calloc(1, sizeof *p);
    int rc;

    if (p == NULL)
        return -1;
    rc = create ? xipc_shm_create(&p->shm, name, sizeof *p->s)
                : xipc_shm_open(&p->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(p);
        return rc;
    }
    p->s = xipc_shm_data(p->shm);
    if (create) {
        pthread_mutexattr_t ma;
        pthread_condattr_t ca;
        pthread_mutexattr_init(&ma);
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_mutex_init(&p->s->m, &ma);
        pthread_mutexattr_destroy(&ma);
        pthread_condattr_init(&ca);
        pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
        pthread_cond_init(&p->s->cv, &ca);
        pthread_condattr_destroy(&ca);
    }
    *h = p;
    return 0;
}

static int pcv_create(const char *name, void **h)
{
    return pcv_open2(name, h, 1);
}

static int pcv_open(const char *name, void **h)
{
    return pcv_open2(name, h, 0);
}

static void pcv_lock(void *h)
{
    pthread_mutex_lock(&((struct pcv *)h)->s->m);
}

static void pcv_unlock(void *h)
{
    pthread_mutex_unlock(&((struct pcv *)h)->s->m);
}

static void pcv_wait(void *h)
{
    struct pcv *p = h;
    pthread_cond_wait(&p->s->cv, &p->s->m);
}

static void pcv_notify(void *h)
{
    pthread_cond_signal(&((struct pcv *)h)->s->cv);
}

static void pcv_close(void *h)
{
    struct pcv *p = h;
    xipc_shm_close(p->shm);
    free(p);
}

static const bench_cond_ops pthread_cond = {"pthread cond pshared",
                                            pcv_create,
                                            pcv_open,
                                            pcv_lock,
                                            pcv_unlock,
                                            pcv_wait,
                                            pcv_notify,
                                            pcv_close};

#ifdef XIPC_BENCH_BOOST
extern const bench_cond_ops bench_boost_cond; /* bench/cond_peers_boost.cpp */
#endif

const bench_cond_ops *const bench_cond_peers[] = {&pthread_cond,
#ifdef XIPC_BENCH_BOOST
                                                  &bench_boost_cond,
#endif
                                                  NULL};
