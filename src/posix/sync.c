/*
 * sync.c - process-shared mutexes for the POSIX backend: a robust,
 * process-shared pthread mutex in the segment (error-checking or recursive),
 * whose owner-death reporting the kernel does through the robust futex list.
 * The uncontended lock and unlock are glibc's futex fast path: no system
 * call. Robustness was found at configure time (CMakeLists.txt), since
 * PTHREAD_MUTEX_ROBUST is an enum on glibc and #ifdef cannot see it.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The shared bytes. Everything but the mutex is written only by the thread
 * holding it. Who holds it is read from the mutex's futex word (holder()). */
struct shared {
    pthread_mutex_t mutex;
    int32_t depth;          /* recursion depth of the holder (RLock) */
    _Atomic int32_t health; /* HEALTHY, INCONSISTENT or LOST */
};
_Static_assert(sizeof(struct shared) <= XIPC__MUTEX_SHARED_SIZE,
               "the mutex fits its shared bytes");

/* health: INCONSISTENT from a lock that found the owner dead until
 * consistent; LOST, for good, once released while INCONSISTENT. */
enum { HEALTHY = 0, INCONSISTENT = 1, LOST = 2 };

struct xipc__mutex {
    struct shared *sh;
    int recursive;
};

/* The calling thread's kernel id, asked of the kernel once per thread. */
static _Thread_local int32_t my_tid;

static __attribute__((noinline, cold)) int32_t ask_tid(void)
{
    return my_tid = (int32_t)gettid();
}

static inline int32_t self_tid(void)
{
    int32_t t = my_tid;
    return __builtin_expect(t != 0, 1) ? t : ask_tid();
}

/* The kernel thread id of the mutex's holder, 0 if none: the thread id in
 * the futex word of the robust mutex, which is the kernel's own record. When
 * a holder dies the kernel clears the id there (setting FUTEX_OWNER_DIED)
 * before the id can be given to another thread, so a thread that inherits a
 * dead holder's id is never taken for the holder, as a copy of the id kept
 * beside the mutex would be. */
static inline int32_t holder(const struct shared *sh)
{
    return __atomic_load_n(&sh->mutex.__data.__lock, __ATOMIC_RELAXED) &
           FUTEX_TID_MASK;
}

int xipc__mutex_init(void *shared, int recursive)
{
    struct shared *sh = shared;
    pthread_mutexattr_t a;
    int e;

    if ((e = pthread_mutexattr_init(&a)) != 0)
        return xipc__fail(XIPC_ESYS, "pthread_mutexattr_init", NULL,
                          strerror(e));
    e = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (e == 0)
        e = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (e == 0)
        e = pthread_mutexattr_settype(&a, recursive ? PTHREAD_MUTEX_RECURSIVE
                                                    : PTHREAD_MUTEX_ERRORCHECK);
    if (e == 0)
        e = pthread_mutex_init(&sh->mutex, &a);
    pthread_mutexattr_destroy(&a);
    if (e != 0)
        return xipc__fail(XIPC_ESYS, "pthread_mutex_init", NULL, strerror(e));
    atomic_store_explicit(&sh->health, HEALTHY, memory_order_relaxed);
    sh->depth = 0;
    return 0;
}

int xipc__mutex_attach(xipc__mutex **out, void *shared, const xipc__seg *seg,
                       unsigned index, int recursive)
{
    xipc__mutex *m = calloc(1, sizeof *m);
    (void)seg;
    (void)index;
    if (m == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    m->sh = shared;
    m->recursive = recursive;
    *out = m;
    return 0;
}

int xipc__mutex_detach(xipc__mutex *m)
{
    char task[64];
    int32_t owner = holder(m->sh);

    /* glibc links a held robust mutex into its owner thread's robust list
     * by its address in this process; unmapping it while a thread of this
     * process holds it would let the kernel write into whatever is mapped
     * there later (glibc bug 14485). Whether the owner is one of our
     * threads is a question for /proc, asked only here. */
    snprintf(task, sizeof task, "/proc/self/task/%d", (int)owner);
    if (owner != 0 && access(task, F_OK) == 0)
        return xipc__fail(XIPC_EBUSY, "close", NULL,
                          "a thread of this process holds the lock");
    free(m);
    return 0;
}
/* An absolute CLOCK_MONOTONIC time timeout_ms from now. */
static struct timespec deadline(int64_t timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000);
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

/* The waits other than "forever": a try, or a deadline on the monotonic
 * clock. Returns pthread's code. */
static int lock_timed(struct shared *sh, int64_t timeout_ms)
{
    struct timespec ts;
    int e;

    if (timeout_ms > 0) {
        ts = deadline(timeout_ms);
        return pthread_mutex_clocklock(&sh->mutex, CLOCK_MONOTONIC, &ts);
    }
    /* glibc's trylock of a not-recoverable mutex leaves it locked by the
     * caller (a later lock then says EDEADLK), so xipc keeps its own record
     * of the loss and answers a try from it. */
    if (atomic_load_explicit(&sh->health, memory_order_acquire) == LOST)
        return ENOTRECOVERABLE;
    e = pthread_mutex_trylock(&sh->mutex);
    /* trylock says EBUSY even to the owner of an error-checking mutex; a
     * wait that has already expired tells EDEADLK from ETIMEDOUT. */
    if (e == EBUSY) {
        ts = deadline(0);
        e = pthread_mutex_clocklock(&sh->mutex, CLOCK_MONOTONIC, &ts);
    }
    return e;
}

/* Counts one level more for the caller, which holds the mutex. */
static inline void took(xipc__mutex *m, struct shared *sh)
{
    if (m->recursive)
        sh->depth++;
}

/* Everything but a plain success, kept out of the fast path. */
static __attribute__((noinline, cold)) int lock_outcome(xipc__mutex *m, int e)
{
    struct shared *sh = m->sh;

    switch (e) {
    case EOWNERDEAD:
        sh->depth = 0; /* the dead owner's levels died with it */
        atomic_store_explicit(&sh->health, INCONSISTENT, memory_order_relaxed);
        took(m, sh);
        return XIPC_EOWNERDEAD;
    case EBUSY:
    case ETIMEDOUT:
        return XIPC_ETIMEDOUT;
    case EDEADLK:
        /* What a not-recoverable mutex says to a thread whose earlier try
         * glibc left holding it (see lock_timed). */
        if (atomic_load_explicit(&sh->health, memory_order_acquire) == LOST)
            return XIPC_ENOTRECOVERABLE;
        return XIPC_EDEADLK;
    case ENOTRECOVERABLE:
        return XIPC_ENOTRECOVERABLE;
    default:
        return xipc__fail(XIPC_ESYS, "pthread_mutex_lock", NULL, strerror(e));
    }
}

int xipc__mutex_lock(xipc__mutex *m, int64_t timeout_ms)
{
    struct shared *sh = m->sh;
    int e = timeout_ms < 0 ? pthread_mutex_lock(&sh->mutex)
                           : lock_timed(sh, timeout_ms);

    if (__builtin_expect(e == 0, 1)) {
        took(m, sh);
        return 0;
    }
    return lock_outcome(m, e);
}

static __attribute__((noinline, cold)) int unlock_failed(int e)
{
    return e == EPERM ? XIPC_EPERM
                      : xipc__fail(XIPC_ESYS, "pthread_mutex_unlock", NULL,
                                   strerror(e));
}

int xipc__mutex_unlock(xipc__mutex *m)
{
    struct shared *sh = m->sh;
    int e;

    if (holder(sh) != self_tid())
        return XIPC_EPERM;
    if (!m->recursive || --sh->depth == 0) {
        if (atomic_load_explicit(&sh->health, memory_order_relaxed) ==
            INCONSISTENT)
            atomic_store_explicit(&sh->health, LOST, memory_order_release);
    }
    e = pthread_mutex_unlock(&sh->mutex);
    return __builtin_expect(e == 0, 1) ? 0 : unlock_failed(e);
}

int xipc__mutex_consistent(xipc__mutex *m)
{
    struct shared *sh = m->sh;
    int e;

    if (holder(sh) != self_tid())
        return XIPC_EPERM;
    e = pthread_mutex_consistent(&sh->mutex);
    if (e != 0)
        return XIPC_EINVAL;
    atomic_store_explicit(&sh->health, HEALTHY, memory_order_relaxed);
    return 0;
}

int xipc__mutex_depth(const xipc__mutex *m)
{
    const struct shared *sh = m->sh;
    if (holder(sh) != self_tid())
        return 0;
    return m->recursive ? sh->depth : 1;
}

int64_t xipc__mutex_holder(const void *shared)
{
    return holder(shared);
}
