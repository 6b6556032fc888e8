/*
 * peers_posix.c - the POSIX peers of the benchmarks: a raw robust,
 * process-shared pthread mutex in shared memory (the robust lock a C
 * programmer would otherwise use), an unnamed
 * process-shared semaphore, and Python's multiprocessing, run as a
 * script.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xipc.h>

struct raw {
    xipc_shm *shm;
    pthread_mutex_t *m;
};

static int raw_open2(const char *name, void **h, int create)
{
    struct raw *r = calloc(1, sizeof *r);
    int rc;

    rc = create ? xipc_shm_create(&r->shm, name, sizeof(pthread_mutex_t))
                : xipc_shm_open(&r->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(r);
        return rc;
    }
    r->m = xipc_shm_data(r->shm);
    if (create) {
        pthread_mutexattr_t a;
        pthread_mutexattr_init(&a);
        pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
        pthread_mutex_init(r->m, &a);
        pthread_mutexattr_destroy(&a);
    }
    *h = r;
    return 0;
}

static int raw_create(const char *name, void **h)
{
    return raw_open2(name, h, 1);
}

static int raw_open(const char *name, void **h)
{
    return raw_open2(name, h, 0);
}

static void raw_lock(void *h)
{
    pthread_mutex_lock(((struct raw *)h)->m);
}

static void raw_unlock(void *h)
{
    pthread_mutex_unlock(((struct raw *)h)->m);
}

static void raw_close(void *h)
{
    struct raw *r = h;
    xipc_shm_close(r->shm);
    free(r);
}

static const bench_lock_ops raw_robust = {"pthread robust pshared",
                                          raw_create,
                                          raw_open,
                                          raw_lock,
                                          raw_unlock,
                                          raw_close};

/* An unnamed POSIX semaphore of one unit in shared memory, used as a lock:
 * a futex too, but with no owner (not robust, not owner-checked). */
struct psem {
    xipc_shm *shm;
    sem_t *s;
};

static int psem_open2(const char *name, void **h, int create)
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
    if (create)
        sem_init(p->s, 1, 1);
    *h = p;
    return 0;
}

static int psem_create(const char *name, void **h)
{
    return psem_open2(name, h, 1);
}

static int psem_open(const char *name, void **h)
{
    return psem_open2(name, h, 0);
}

static void psem_lock(void *h)
{
    while (sem_wait(((struct psem *)h)->s) != 0)
        ; /* EINTR */
}

static void psem_unlock(void *h)
{
    sem_post(((struct psem *)h)->s);
}

static void psem_close(void *h)
{
    struct psem *p = h;
    xipc_shm_close(p->shm);
    free(p);
}

static const bench_lock_ops posix_sem = {"POSIX semaphore pshared",
                                         psem_create,
                                         psem_open,
                                         psem_lock,
                                         psem_unlock,
                                         psem_close};

#ifdef XIPC_BENCH_BOOST
extern const bench_lock_ops bench_boost_mutex; /* bench/peers_boost.cpp */
#endif

const bench_lock_ops *const bench_lock_peers[] = {&bench_spin_lock,
                                                  &raw_robust, &posix_sem,
#ifdef XIPC_BENCH_BOOST
                                                  &bench_boost_mutex,
#endif
                                                  NULL};

/* Python runs here if `python3` is on the PATH; the scripts sit beside this
 * file (XIPC_BENCH_DIR, set by bench/CMakeLists.txt). */
int bench_python(const char *script, const char *args, double *rate)
{
    char cmd[1024], line[256];
    int found = 0;
    FILE *f;

    snprintf(cmd, sizeof cmd, "python3 '%s/%s' %s 2>&1", XIPC_BENCH_DIR, script,
             args);
    if ((f = popen(cmd, "r")) == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "ops_per_s %lf", rate) == 1)
            found = 1;
    return pclose(f) == 0 && found ? 0 : -1;
}
