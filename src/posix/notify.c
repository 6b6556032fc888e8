/*
 * notify.c - wake-up channels for the POSIX backend: a futex on a 32-bit
 * generation word in the segment. The futex is a shared one (no
 * FUTEX_PRIVATE_FLAG), since waiters and wakers are separate processes; the
 * kernel keys it by the physical page, so every mapping of the segment
 * meets on it. A second word records whether anyone announced a sleep, so
 * that a wake with nobody waiting is one load and no system call. Linux
 * only (futex(2)), as is the rest of this backend's robust-mutex support.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The shared bytes: the generation the futex waits on, bumped by each wake
 * that found a sleeper announced, and the announcement itself. */
struct shared {
    _Atomic uint32_t gen;
    _Atomic uint32_t sleepers; /* 1 if a waiter announced itself */
};
_Static_assert(sizeof(struct shared) <= XIPC__NOTIFY_SHARED_SIZE,
               "the channel fits its shared bytes");

struct xipc__notify {
    struct shared *sh;
};

/* A full memory barrier. On x86-64 a locked add to the stack orders every
 * earlier store before every later load as mfence does, at a fraction of
 * its cost (Linux's smp_mb() made the same choice); a wake runs one per
 * put or get, so it shows. */
static inline void full_barrier(void)
{
#if defined(__x86_64__)
    __asm__ __volatile__("lock; addl $0, -4(%%rsp)" ::: "memory", "cc");
#else
    atomic_thread_fence(memory_order_seq_cst);
#endif
}

int xipc__notify_init(void *shared)
{
    struct shared *sh = shared;
    atomic_store_explicit(&sh->gen, 0, memory_order_relaxed);
    atomic_store_explicit(&sh->sleepers, 0, memory_order_relaxed);
    return 0;
}

int xipc__notify_attach(xipc__notify **out, void *shared, const xipc__seg *seg,
                        unsigned index)
{
    xipc__notify *n;

    (void)seg;
    (void)index;
    if ((uintptr_t)shared % 4 != 0)
        return xipc__fail(XIPC_ECORRUPT, "attach", NULL,
                          "the channel's shared bytes are misaligned");
    if ((n = calloc(1, sizeof *n)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    n->sh = shared;
    *out = n;
    return 0;
}

void xipc__notify_detach(xipc__notify *n)
{
    free(n);
}

uint32_t xipc__notify_prepare(xipc__notify *n)
{
    atomic_store_explicit(&n->sh->sleepers, 1, memory_order_seq_cst);
    full_barrier();
    return atomic_load_explicit(&n->sh->gen, memory_order_acquire);
}

int xipc__notify_wait(xipc__notify *n, uint32_t gen, int64_t timeout_ms)
{
    struct timespec ts;
    long r;

    if (timeout_ms < 0)
        timeout_ms = 0;
    ts.tv_sec = (time_t)(timeout_ms / 1000);
    ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
    /* FUTEX_WAIT measures a relative timeout on CLOCK_MONOTONIC and sleeps
     * only if the word still holds `gen` when the kernel looks. */
    r = syscall(SYS_futex, &n->sh->gen, FUTEX_WAIT, gen, &ts, NULL, 0);
    if (r == 0)
        return 0;
    switch (errno) {
    case ETIMEDOUT:
        return XIPC_ETIMEDOUT;
    case EAGAIN: /* the generation had already moved on */
    case EINTR:
        return 0;
    default:
        return xipc__fail(XIPC_ESYS, "futex(FUTEX_WAIT)", NULL,
                          strerror(errno));
    }
}

void xipc__notify_wake(xipc__notify *n)
{
    struct shared *sh = n->sh;

    full_barrier();
    if (atomic_load_explicit(&sh->sleepers, memory_order_relaxed) == 0)
        return;
    if (atomic_exchange_explicit(&sh->sleepers, 0, memory_order_seq_cst) == 0)
        return; /* another waker took the announcement */
    atomic_fetch_add_explicit(&sh->gen, 1, memory_order_seq_cst);
    syscall(SYS_futex, &sh->gen, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
}

void xipc__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
