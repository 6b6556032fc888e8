/*
 * notify.c - wake-up channels for the POSIX backend (Linux): a futex on a
 * 32-bit generation word in the segment, and the futex calls the mutexes
 * use too. The futex is a shared one (no FUTEX_PRIVATE_FLAG), since
 * waiters and wakers are separate processes; the kernel keys it by the
 * physical page, so every mapping of the segment meets on it. A second
 * word counts the announced waiters, so that a wake with nobody waiting is
 * one load and no system call.
 *
 * A wake of n bumps the generation, then wakes n sleepers in the kernel:
 * the kernel wakes the longest-sleeping ones first, and a waiter that
 * announced itself before the bump but is not asleep yet finds the
 * generation moved and does not sleep, so no wake is lost and none is
 * taken by a waiter that came after it.
 */
#define _GNU_SOURCE
#include "../internal.h"
#include "../platform.h"
#include "posix.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

_Atomic uint64_t xipc__psx_calls;

#if !defined(SYS_futex) && defined(SYS_futex_time64)
#define SYS_futex SYS_futex_time64 /* 32-bit ABIs born with 64-bit time */
#endif

/* The kernel's timespecs, spelled out: libc's struct timespec need not be
 * the one a raw call takes (a 32-bit program built with 64-bit time_t has a
 * 64-bit tv_sec that the 32-bit futex call would read as whole seconds
 * only, its sub-second waits then ending at once, every sleep a spin). */
struct kernel_ts64 { /* the 64-bit ABIs' and x32's, and futex_time64's */
    int64_t tv_sec, tv_nsec;
};

static long futex_wait_call(_Atomic uint32_t *word, uint32_t val, int64_t ms)
{
    struct kernel_ts64 t64;
    long r;

    if (ms < 0)
        return syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
    if (ms > (int64_t)0x7fffffff * 1000) /* 68 years: what 32 bits hold */
        ms = (int64_t)0x7fffffff * 1000;
    t64.tv_sec = ms / 1000;
    t64.tv_nsec = (ms % 1000) * 1000000;
#if defined(SYS_futex_time64)
    /* A 32-bit ABI (only they have the call): the 64-bit-time call (Linux
     * 5.1 on), else the old one, which takes two 32-bit longs. */
    r = syscall(SYS_futex_time64, word, FUTEX_WAIT, val, &t64, NULL, 0);
    if (r == 0 || errno != ENOSYS)
        return r;
    {
        struct {
            long tv_sec, tv_nsec;
        } t32;

        t32.tv_sec = (long)t64.tv_sec;
        t32.tv_nsec = (long)t64.tv_nsec;
        return syscall(SYS_futex, word, FUTEX_WAIT, val, &t32, NULL, 0);
    }
#else
    r = syscall(SYS_futex, word, FUTEX_WAIT, val, &t64, NULL, 0);
    return r;
#endif
}

int xipc__psx_futex_wait(_Atomic uint32_t *word, uint32_t val, int64_t ms)
{
    long r;

    atomic_fetch_add_explicit(&xipc__psx_calls, 1, memory_order_relaxed);
    /* FUTEX_WAIT measures a relative timeout on CLOCK_MONOTONIC and sleeps
     * only if the word still holds `val` when the kernel looks. */
    r = futex_wait_call(word, val, ms);
    if (r == 0)
        return 0;
    switch (errno) {
    case ETIMEDOUT:
        return XIPC_ETIMEDOUT;
    case EAGAIN: /* the word had already changed */
    case EINTR:
        return 0;
    default:
        return xipc__fail(XIPC_ESYS, "futex(FUTEX_WAIT)", NULL,
                          strerror(errno));
    }
}

void xipc__psx_futex_wake(_Atomic uint32_t *word, int n)
{
    atomic_fetch_add_explicit(&xipc__psx_calls, 1, memory_order_relaxed);
    syscall(SYS_futex, word, FUTEX_WAKE, n, NULL, NULL, 0);
}

/* The shared bytes: the generation the futex waits on, bumped by each wake
 * that found a waiter announced, and the number of announced waiters. */
struct shared {
    _Atomic uint32_t gen;
    _Atomic uint32_t sleepers;
};
_Static_assert(sizeof(struct shared) <= XIPC__NOTIFY_SHARED_SIZE &&
                   offsetof(struct shared, gen) == 0 &&
                   offsetof(struct shared, sleepers) == 4,
               "the channel fits its shared bytes, laid out the same in "
               "every build");

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

int xipc__notify_attach(xipc__notify **out, void *shared, xipc__seg *seg,
                        unsigned index)
{
    xipc__notify *n;

    (void)index;
    if ((uintptr_t)shared % 8 != 0)
        return xipc__fail(XIPC_ECORRUPT, "attach", seg->name,
                          "the channel's shared bytes are misaligned");
    if ((n = calloc(1, sizeof *n)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", seg->name, NULL);
    n->sh = shared;
    *out = n;
    return 0;
}

void xipc__notify_detach(xipc__notify *n)
{
    free(n);
}

void xipc__notify_announce(xipc__notify *n)
{
    atomic_fetch_add_explicit(&n->sh->sleepers, 1, memory_order_seq_cst);
}

uint32_t xipc__notify_prepare(xipc__notify *n)
{
    full_barrier();
    return atomic_load_explicit(&n->sh->gen, memory_order_acquire);
}

int xipc__notify_wait(xipc__notify *n, uint32_t gen, int64_t timeout_ms)
{
    return xipc__psx_futex_wait(&n->sh->gen, gen,
                                timeout_ms < 0 ? 0 : timeout_ms);
}

void xipc__notify_done(xipc__notify *n)
{
    /* A damaged count is only a hint: never below zero. */
    uint32_t s = atomic_load_explicit(&n->sh->sleepers, memory_order_relaxed);
    while (s != 0 && !atomic_compare_exchange_weak_explicit(
                         &n->sh->sleepers, &s, s - 1, memory_order_relaxed,
                         memory_order_relaxed))
        ;
}

void xipc__notify_wake(xipc__notify *n, int count)
{
    struct shared *sh = n->sh;

    full_barrier();
    if (atomic_load_explicit(&sh->sleepers, memory_order_relaxed) == 0)
        return;
    atomic_fetch_add_explicit(&sh->gen, 1, memory_order_seq_cst);
    xipc__psx_futex_wake(&sh->gen, count < 1 ? 1 : count);
}

void xipc__cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
