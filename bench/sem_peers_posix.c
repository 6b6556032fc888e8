/*
 * sem_peers_posix.c - the POSIX peers of the semaphore and event benchmark:
 * an unnamed process-shared POSIX semaphore (sem_t in shared memory, what
 * a C programmer reaches for; a futex too, with no undo and no bound), and
 * for the event, a flag under a process-shared pthread mutex with a
 * condition variable (there is no POSIX event). Boost.Interprocess's
 * semaphore comes from bench/sem_peers_boost.cpp where its headers are.
 */
#define _GNU_SOURCE
#include "bench_sem.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <xipc.h>

struct psem {
    xipc_shm *shm;
    sem_t *s;
};

static int psem_get(const char *name, unsigned value, void **h, int create)
{
    struct psem *p = calloc(1, sizeof *p);
    int rc;

    if (p == NULL)
        return -1;
    rc = create ? xipc_shm_create(&p->shm, name, sizeof(sem_t))
                : xipc_shm_open(&p->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(p);
        return rc;
    }
    p->s = xipc_shm_data(p->shm);
    if (create && sem_init(p->s, 1, value) != 0) {
        xipc_shm_close(p->shm);
        free(p);
        return -1;
    }
    *h = p;
    return 0;
}

static int psem_create(const char *name, unsigned value, void **h)
{
    return psem_get(name, value, h, 1);
}

static int psem_open(const char *name, void **h)
{
    return psem_get(name, 0, h, 0);
}

static void psem_acquire(void *h)
{
    while (sem_wait(((struct psem *)h)->s) != 0)
        ; /* EINTR */
}

static void psem_release(void *h)
{
    sem_post(((struct psem *)h)->s);
}

static void psem_close(void *h)
{
    struct psem *p = h;
    xipc_shm_close(p->shm);
    free(p);
}

static const bench_sem_ops posix_sem = {
    "POSIX sem_t pshared", psem_create,  psem_open,
    psem_acquire,          psem_release, psem_close};

/* An event as a C programmer writes it with pthreads: a flag, a mutex and
 * a condition variable, all process-shared. */
struct cev {
    pthread_mutex_t m;
    pthread_cond_t c;
    int flag;
};

struct pev {
    xipc_shm *shm;
    struct cev *e;
};

static int pev_get(const char *name, void **h, int create)
{
    struct pev *p = calloc(1, sizeof *p);
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    int rc;

    if (p == NULL)
        return -1;
    rc = create ? xipc_shm_create(&p->shm, name, sizeof(struct cev))
                : xipc_shm_open(&p->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(p);
        return rc;
    }
    p->e = xipc_shm_data(p->shm);
    if (create) {
        pthread_mutexattr_init(&ma);
        pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
        pthread_mutex_init(&p->e->m, &ma);
        pthread_mutexattr_destroy(&ma);
        pthread_condattr_init(&ca);
        pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
        pthread_cond_init(&p->e->c, &ca);
        pthread_condattr_destroy(&ca);
    }
    *h = p;
    return 0;
}

static int pev_create(const char *name, void **h)
{
    return pev_get(name, h, 1);
}

static int pev_open(const char *name, void **h)
{
    return pev_get(name, h, 0);
}

static void pev_set(void *h)
{
    struct cev *e = ((struct pev *)h)->e;
    pthread_mutex_lock(&e->m);
    e->flag = 1;
    pthread_cond_broadcast(&e->c);
    pthread_mutex_unlock(&e->m);
}

static void pev_clear(void *h)
{
    struct cev *e = ((struct pev *)h)->e;
    pthread_mutex_lock(&e->m);
    e->flag = 0;
    pthread_mutex_unlock(&e->m);
}

static void pev_wait(void *h)
{
    struct cev *e = ((struct pev *)h)->e;
    pthread_mutex_lock(&e->m);
    while (!e->flag)
        pthread_cond_wait(&e->c, &e->m);
    pthread_mutex_unlock(&e->m);
}

static void pev_close(void *h)
{
    struct pev *p = h;
    xipc_shm_close(p->shm);
    free(p);
}

static const bench_event_ops pthread_event = {"pthread mutex+cond+flag",
                                              pev_create,
                                              pev_open,
                                              pev_set,
                                              pev_clear,
                                              pev_wait,
                                              pev_close};

#ifdef XIPC_BENCH_BOOST
extern const bench_sem_ops bench_boost_sem; /* bench/sem_peers_boost.cpp */
#endif

const bench_sem_ops *const bench_sem_peers[] = {&posix_sem,
#ifdef XIPC_BENCH_BOOST
                                                &bench_boost_sem,
#endif
                                                NULL};

const bench_event_ops *const bench_event_peers[] = {&pthread_event, NULL};
