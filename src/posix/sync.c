/*
 * sync.c - the POSIX backend's part of the robust mutex of src/mutex.h
 * (Linux): a thread's identity is its process's party number in the
 * segment and its thread number (party.c); sleepers sleep on a futex on the
 * low half of the mutex's word, so that any change of the word (a release,
 * a take-over) ends their sleep; an owner is alive while its process keeps
 * its party lock on the segment file. A sleeper looks at the owner every
 * MX_SLICE_MS at most, so a waiter finds a holder killed while it sleeps within
 * milliseconds. A thread that ends holding mutexes has them marked held by
 * a dead party, at once, by its thread-exit hook (party.c calls
 * xipc__psx_sync_thread_exit), which finds them in this process's registry
 * of attached handles.
 */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include "../internal.h"
#include "../platform.h"
#include "posix.h"

#include <pthread.h>
#include <stdatomic.h>

struct mx_os {
    uint64_t hi;  /* this process's party number << 32, 0 until known */
    unsigned gen; /* the fork generation hi belongs to */
    struct xipc__mutex *next, *prev; /* the registry of attached handles */
};

#define MX_SLICE_FIRST_MS 2
#define MX_SLICE_MS 16
/* Asking is one fcntl (well under a microsecond). */
#define MX_TRY_TRUST_NS INT64_C(100000)

static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct xipc__mutex *reg;

struct xipc__mutex;
static int mx_self_slow(struct xipc__mutex *m, uint64_t *me);

#define mx_os_self(m, me) mx_os_self_(m, me)
#define mx_os_pid() ((int64_t)xipc__psx_pid)

static int mx_os_self_(struct xipc__mutex *m, uint64_t *me);
static int mx_os_attach(struct xipc__mutex *m, xipc__seg *seg, unsigned index);
static void mx_os_detach(struct xipc__mutex *m);
static int mx_os_sleep(struct xipc__mutex *m, uint64_t w, int64_t ms);
static void mx_os_wake(struct xipc__mutex *m, int all);
static int mx_os_alive(struct xipc__mutex *m, uint64_t owner);
static int mx_os_same_process(struct xipc__mutex *m, uint64_t owner,
                              uint64_t me);
/* A process is alive or not as a whole (its party lock): the answer about
 * any of its threads holds for all. */
#define mx_os_party_key(owner) ((owner) >> 32)

#include "../mutex.h"

static inline int mx_os_self_(xipc__mutex *m, uint64_t *me)
{
    uint32_t t = xipc__psx_tno;

    if (__builtin_expect(t != 0 && m->os.hi != 0 &&
                             m->os.gen ==
                                 atomic_load_explicit(&xipc__psx_forkgen,
                                                      memory_order_relaxed),
                         1)) {
        *me = (m->os.hi | t) << 2;
        return 0;
    }
    return mx_self_slow(m, me);
}

static __attribute__((noinline, cold)) int mx_self_slow(xipc__mutex *m,
                                                        uint64_t *me)
{
    unsigned gen =
        atomic_load_explicit(&xipc__psx_forkgen, memory_order_relaxed);
    uint64_t id;
    int rc;

    if ((rc = xipc__party_self(m->seg, &id)) != 0)
        return rc;
    m->os.hi = id & ~(uint64_t)UINT32_MAX;
    m->os.gen = gen;
    *me = id << 2;
    return 0;
}

/* The futex word: the low half of the mutex's word, where the state is. */
static _Atomic uint32_t *futex_word(xipc__mutex *m)
{
    unsigned char *p = (unsigned char *)&m->sh->word;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    p += 4;
#endif
    return (_Atomic uint32_t *)(void *)p;
}

static int mx_os_attach(xipc__mutex *m, xipc__seg *seg, unsigned index)
{
    (void)index;
    if (seg->readonly)
        return xipc__fail(XIPC_EACCES, "attach", seg->name,
                          "a read-only handle cannot lock");
    pthread_mutex_lock(&reg_mu);
    m->os.prev = NULL;
    m->os.next = reg;
    if (reg != NULL)
        reg->os.prev = m;
    reg = m;
    pthread_mutex_unlock(&reg_mu);
    return 0;
}

static void mx_os_detach(xipc__mutex *m)
{
    pthread_mutex_lock(&reg_mu);
    if (m->os.prev != NULL)
        m->os.prev->os.next = m->os.next;
    else if (reg == m)
        reg = m->os.next;
    if (m->os.next != NULL)
        m->os.next->os.prev = m->os.prev;
    pthread_mutex_unlock(&reg_mu);
}

static int mx_os_sleep(xipc__mutex *m, uint64_t w, int64_t ms)
{
    int rc = xipc__psx_futex_wait(futex_word(m), (uint32_t)w, ms);
    return rc == XIPC_ETIMEDOUT ? MX_SLICE : rc;
}

static void mx_os_wake(xipc__mutex *m, int all)
{
    xipc__psx_futex_wake(futex_word(m), all ? XIPC__WAKE_ALL : 1);
}

static int mx_os_alive(xipc__mutex *m, uint64_t owner)
{
    return xipc__party_alive(m->seg, owner);
}

static int mx_os_same_process(xipc__mutex *m, uint64_t owner, uint64_t me)
{
    (void)m;
    return (owner >> 32) == (me >> 32) &&
           (owner == me || xipc__psx_tno_live((uint32_t)owner));
}

void xipc__psx_sync_thread_exit(void)
{
    const uint64_t dead = XIPC__PARTY_DEAD << 2 | MX_SLEEPERS;
    uint32_t t = xipc__psx_tno;
    xipc__mutex *m;
    uint64_t w, me;

    pthread_mutex_lock(&reg_mu);
    for (m = reg; m != NULL; m = m->os.next) {
        if (m->seg->party == 0)
            continue;
        me = ((uint64_t)m->seg->party << 32 | t) << 2;
        w = atomic_load_explicit(&m->sh->word, memory_order_relaxed);
        if ((w & ~MX_STATE) != me || (w & MX_STATE) == MX_FREE ||
            (w & MX_STATE) == MX_STATE)
            continue;
        /* Held by the ending thread: handed to the next locker as held by
         * a dead party, which it takes over with XIPC_EOWNERDEAD. */
        if (atomic_compare_exchange_strong_explicit(&m->sh->word, &w, dead,
                                                    memory_order_release,
                                                    memory_order_relaxed))
            mx_os_wake(m, 1);
    }
    pthread_mutex_unlock(&reg_mu);
}

void xipc__psx_sync_fork(int phase)
{
    if (phase == 0)
        pthread_mutex_lock(&reg_mu);
    else
        pthread_mutex_unlock(&reg_mu);
}
