/*
 * notify.c - wake-up channels for the Windows backend: a generation word in
 * the segment, as on POSIX, and a named semaphore to sleep on, since
 * Windows has no futex that works across processes (WaitOnAddress is
 * per-process). Sleepers count themselves in the segment, and a wake
 * releases the semaphore once per counted sleeper. A sleeper killed while
 * counted leaves the count too high: later wakes then release a surplus
 * that the next sleepers take as spurious wake-ups and drop, since the
 * generation they wait for has not moved. A wake lost to a waker killed
 * between its bump and its release costs a waiter one slice of the
 * caller's (the core waits in bounded slices), never a hang.
 */
#include "../internal.h"
#include "../platform.h"
#include "w32.h"

#include <windows.h>

#include <stdlib.h>
#include <string.h>

/* "XIPCWNTF" in the shared bytes once init has run. */
#define SHARED_MAGIC UINT64_C(0x46544e5743504958)

/* How many sleepers one wake releases at most: the count is a hint and
 * must not let a damaged segment make the semaphore overflow. */
#define MAX_RELEASE 1024

/* The shared bytes, changed by interlocked instructions only. */
struct shared {
    volatile LONG gen;
    volatile LONG sleepers; /* 1 if a waiter announced itself */
    volatile LONG waiting;  /* threads inside xipc__notify_wait, roughly */
    LONG pad;
    uint64_t magic;
};
_Static_assert(sizeof(struct shared) <= XIPC__NOTIFY_SHARED_SIZE,
               "the channel fits its shared bytes");

struct xipc__notify {
    struct shared *sh;
    HANDLE sem;
    char sname[SUBNAME_BUF];
};

int xipc__notify_init(void *shared)
{
    struct shared *sh = shared;

    sh->gen = 0;
    sh->sleepers = 0;
    sh->waiting = 0;
    sh->magic = SHARED_MAGIC;
    return 0;
}

static HANDLE make_semaphore(SECURITY_ATTRIBUTES *sa, const wchar_t *name)
{
    return CreateSemaphoreW(sa, 0, 0x7fffffff, name);
}

int xipc__notify_attach(xipc__notify **out, void *shared, const xipc__seg *seg,
                        unsigned index)
{
    struct shared *sh = shared;
    xipc__notify *n;
    int rc;

    if ((uintptr_t)shared % 8 != 0 || sh->magic != SHARED_MAGIC)
        return xipc__fail(XIPC_ECORRUPT, "attach", seg->name,
                          "the channel's shared bytes are not a channel");
    if ((n = calloc(1, sizeof *n)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", seg->name, NULL);
    n->sh = sh;
    /* The semaphore's kind letter is "s". */
    rc = xipc__w32_seg_object(seg, 's', index, make_semaphore,
                              "CreateSemaphoreW", &n->sem, n->sname);
    if (rc != 0) {
        free(n);
        return rc;
    }
    *out = n;
    return 0;
}

void xipc__notify_detach(xipc__notify *n)
{
    CloseHandle(n->sem);
    free(n);
}

uint32_t xipc__notify_prepare(xipc__notify *n)
{
    /* Interlocked instructions are full barriers. */
    InterlockedExchange(&n->sh->sleepers, 1);
    return (uint32_t)InterlockedCompareExchange(&n->sh->gen, 0, 0);
}

int xipc__notify_wait(xipc__notify *n, uint32_t gen, int64_t timeout_ms)
{
    struct shared *sh = n->sh;
    int64_t deadline = xipc__sys_now_ns() + timeout_ms * 1000000, left;
    DWORD r;
    int rc = 0;

    InterlockedIncrement(&sh->waiting);
    /* A token taken while the generation still reads `gen` is a surplus
     * (see the top of this file): drop it and sleep on. */
    while ((uint32_t)InterlockedCompareExchange(&sh->gen, 0, 0) == gen) {
        left = (deadline - xipc__sys_now_ns() + 999999) / 1000000;
        if (left <= 0) {
            rc = XIPC_ETIMEDOUT;
            break;
        }
        r = WaitForSingleObject(n->sem, (DWORD)left);
        if (r == WAIT_TIMEOUT) {
            rc = XIPC_ETIMEDOUT;
            break;
        }
        if (r != WAIT_OBJECT_0) {
            rc = xipc__w32_fail("WaitForSingleObject", n->sname, GetLastError(),
                                XIPC_ENOMEM);
            break;
        }
    }
    InterlockedDecrement(&sh->waiting);
    return rc;
}

void xipc__notify_wake(xipc__notify *n)
{
    struct shared *sh = n->sh;
    LONG w;

    MemoryBarrier();
    if (sh->sleepers == 0)
        return;
    if (InterlockedExchange(&sh->sleepers, 0) == 0)
        return; /* another waker took the announcement */
    InterlockedIncrement(&sh->gen);
    w = InterlockedCompareExchange(&sh->waiting, 0, 0);
    if (w > 0)
        ReleaseSemaphore(n->sem, w > MAX_RELEASE ? MAX_RELEASE : w, NULL);
}

void xipc__cpu_relax(void)
{
    YieldProcessor();
}
