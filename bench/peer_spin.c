/*
 * peer_spin.c - the floor of the lock benchmark, on every platform: a
 * compare-and-swap spinlock on shared memory (test-and-test-and-set, with
 * a pause in the spin). It owns nothing, detects no dead holder and sleeps
 * never; a robust lock can only approach its speed.
 */
#include "bench.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <xipc.h>

struct spin {
    xipc_shm *shm;
    _Atomic uint32_t *word;
};

static int spin_open2(const char *name, void **h, int create)
{
    struct spin *s = calloc(1, sizeof *s);
    int rc;

    if (s == NULL)
        return -1;
    rc = create ? xipc_shm_create(&s->shm, name, 64)
                : xipc_shm_open(&s->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(s);
        return rc;
    }
    s->word = xipc_shm_data(s->shm);
    *h = s;
    return 0;
}

static int spin_create(const char *name, void **h)
{
    return spin_open2(name, h, 1);
}

static int spin_open(const char *name, void **h)
{
    return spin_open2(name, h, 0);
}

static void spin_lock(void *h)
{
    _Atomic uint32_t *w = ((struct spin *)h)->word;
    uint32_t free_word = 0;

    while (!atomic_compare_exchange_weak_explicit(
        w, &free_word, 1, memory_order_acquire, memory_order_relaxed)) {
        while (atomic_load_explicit(w, memory_order_relaxed) != 0)
            bench_relax();
        free_word = 0;
    }
}

static void spin_unlock(void *h)
{
    atomic_store_explicit(((struct spin *)h)->word, 0, memory_order_release);
}

static void spin_close(void *h)
{
    struct spin *s = h;
    xipc_shm_close(s->shm);
    free(s);
}

const bench_lock_ops bench_spin_lock = {"CAS spinlock (floor)",
                                        spin_create,
                                        spin_open,
                                        spin_lock,
                                        spin_unlock,
                                        spin_close};
