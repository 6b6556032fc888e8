/*
 * notify.c - wake-up channels for the Windows backend. Windows has no futex
 * that works across processes (WaitOnAddress is per-process), and an
 * anonymous semaphore lets a waiter that came later take the wake meant for
 * one that was about to sleep. So a channel keeps, in the segment, a table
 * of its sleeping threads: a sleeper claims a slot, writes its identity
 * (party.c) and the generation it waits on, and sleeps on its own
 * auto-reset event, "Local\xipc.e.<id>". A wake bumps the generation, then
 * sets the events of up to n sleepers whose slots carry an older
 * generation, marking each slot woken by an interlocked exchange, so one
 * wake reaches one sleeper. A sleeper that registers after the bump carries
 * the new generation, is not counted, and finds the generation moved
 * before it sleeps: no wake is lost, and none is taken by a newer waiter.
 *
 * Wakers open a sleeper's event (and its life mutex) by name and keep the
 * last few handles. A wake of fewer than all asks each sleeper's life mutex
 * whether it lives before counting it, so a sleeper killed in its slot does
 * not take a wake meant for a live one; its slot is freed by the waker that
 * finds it dead, or by a sleeper that finds no slot free. A channel has
 * SLOTS slots: a sleeper that still finds none free sleeps in 1 ms naps,
 * re-checking the generation.
 *
 * One known window: a slot that a sleeper frees and claims again, for a
 * newer wait of its own, between a waker's read of it and the waker's
 * compare-exchange can take a wake of one meant for an older sleeper, which
 * then sleeps out its slice (XIPC__SLICE_MS). It needs the same thread to
 * end one wait and start the next within those few instructions.
 */
#include "../internal.h"
#include "../platform.h"
#include "w32.h"

#include <windows.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* "XIPCWNT2" in the shared bytes once init has run. */
#define SHARED_MAGIC UINT64_C(0x32544e5743504958)

#define SLOTS 32

/* A slot's word: the sleeper's identity << 2 | its state. */
#define SLOT_FREE 0
#define SLOT_CLAIMED 1 /* being filled in: not yet to be woken */
#define SLOT_WAITING 2
#define SLOT_WOKEN 3

/* The shared bytes, changed by interlocked instructions only. */
struct slot {
    volatile LONG64 word;
    volatile LONG gen; /* the generation its sleeper waits to see change */
    LONG pad;
};
struct shared {
    volatile LONG gen;
    volatile LONG sleepers; /* announced waiters */
    uint64_t magic;
    struct slot slot[SLOTS];
};
_Static_assert(sizeof(struct shared) <= XIPC__NOTIFY_SHARED_SIZE &&
                   sizeof(struct slot) == 16 &&
                   offsetof(struct shared, gen) == 0 &&
                   offsetof(struct shared, sleepers) == 4 &&
                   offsetof(struct shared, magic) == 8 &&
                   offsetof(struct shared, slot) == 16,
               "the channel fits its shared bytes, laid out the same in "
               "32- and 64-bit builds");

/* Handles of sleepers' events a waker keeps. */
#define CACHE 8

struct xipc__notify {
    struct shared *sh;
    SRWLOCK lock; /* guards the cache */
    uint64_t cache_id[CACHE];
    HANDLE cache_ev[CACHE];
    HANDLE cache_life[CACHE];
    unsigned next;
};

int xipc__notify_init(void *shared)
{
    struct shared *sh = shared;

    memset(sh, 0, sizeof *sh);
    sh->magic = SHARED_MAGIC;
    return 0;
}

int xipc__notify_attach(xipc__notify **out, void *shared, xipc__seg *seg,
                        unsigned index)
{
    struct shared *sh = shared;
    xipc__notify *n;

    (void)index;
    if ((uintptr_t)shared % 8 != 0 || sh->magic != SHARED_MAGIC)
        return xipc__fail(XIPC_ECORRUPT, "attach", seg->name,
                          "the channel's shared bytes are not a channel");
    if ((n = calloc(1, sizeof *n)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", seg->name, NULL);
    n->sh = sh;
    InitializeSRWLock(&n->lock);
    *out = n;
    return 0;
}

void xipc__notify_detach(xipc__notify *n)
{
    unsigned i;

    for (i = 0; i < CACHE; i++) {
        if (n->cache_ev[i] != NULL)
            CloseHandle(n->cache_ev[i]);
        if (n->cache_life[i] != NULL)
            CloseHandle(n->cache_life[i]);
    }
    free(n);
}

void xipc__notify_announce(xipc__notify *n)
{
    InterlockedIncrement(&n->sh->sleepers);
}

uint32_t xipc__notify_prepare(xipc__notify *n)
{
    /* Interlocked instructions are full barriers. */
    return (uint32_t)InterlockedCompareExchange(&n->sh->gen, 0, 0);
}

void xipc__notify_done(xipc__notify *n)
{
    LONG s = n->sh->sleepers;

    /* A damaged count is only a hint: never below zero. */
    while (s > 0) {
        LONG seen = InterlockedCompareExchange(&n->sh->sleepers, s - 1, s);
        if (seen == s)
            break;
        s = seen;
    }
}

/* Sleeps without a slot: naps of at most 1 ms until the generation moves
 * or the time runs out. */
static int nap_wait(struct shared *sh, uint32_t gen, int64_t timeout_ms)
{
    int64_t end = xipc__sys_now_ns() + timeout_ms * 1000000;

    while ((uint32_t)InterlockedCompareExchange(&sh->gen, 0, 0) == gen) {
        if (xipc__sys_now_ns() >= end)
            return XIPC_ETIMEDOUT;
        Sleep(1);
    }
    return 0;
}

/* Claims a free slot for the word `mine`: returns its index, or -1. */
static int claim(struct shared *sh, LONG64 mine)
{
    int i;

    for (i = 0; i < SLOTS; i++)
        if (sh->slot[i].word == SLOT_FREE &&
            InterlockedCompareExchange64(&sh->slot[i].word, mine | SLOT_CLAIMED,
                                         SLOT_FREE) == SLOT_FREE)
            return i;
    return -1;
}

/* Frees the slots of sleepers that have died (every slot was taken). */
static void reclaim_dead(struct shared *sh)
{
    LONG64 w;
    int i;

    for (i = 0; i < SLOTS; i++) {
        w = sh->slot[i].word;
        if (w != SLOT_FREE &&
            xipc__w32_party_probe((uint64_t)w >> 2, NULL) == 0)
            InterlockedCompareExchange64(&sh->slot[i].word, SLOT_FREE, w);
    }
}

int xipc__notify_wait(xipc__notify *n, uint32_t gen, int64_t timeout_ms)
{
    struct shared *sh = n->sh;
    struct xipc__w32_self *me = xipc__w32_self();
    HANDLE ev;
    LONG64 mine, w;
    DWORD r;
    int k;

    if (timeout_ms < 0)
        timeout_ms = 0;
    if (me == NULL || xipc__w32_self_wake(&ev) != 0)
        return nap_wait(sh, gen, timeout_ms);
    mine = (LONG64)(me->id << 2);
    if ((k = claim(sh, mine)) < 0) {
        reclaim_dead(sh);
        if ((k = claim(sh, mine)) < 0)
            return nap_wait(sh, gen, timeout_ms);
    }
    InterlockedExchange(&sh->slot[k].gen, (LONG)gen);
    InterlockedExchange64(&sh->slot[k].word, mine | SLOT_WAITING);
    /* After the slot is published, a wake either sees it or has already
     * moved the generation. */
    if ((uint32_t)InterlockedCompareExchange(&sh->gen, 0, 0) != gen) {
        r = WAIT_OBJECT_0;
    } else {
        XIPC__W32_CALL();
        r = WaitForSingleObject(ev, (DWORD)timeout_ms);
    }
    w = InterlockedCompareExchange64(&sh->slot[k].word, SLOT_FREE,
                                     mine | SLOT_WAITING);
    if (w != (mine | SLOT_WAITING))
        InterlockedCompareExchange64(&sh->slot[k].word, SLOT_FREE, w);
    if (r == WAIT_OBJECT_0 || (w & 3) == SLOT_WOKEN)
        return 0;
    if (r == WAIT_TIMEOUT)
        return XIPC_ETIMEDOUT;
    return xipc__w32_fail("WaitForSingleObject", "wake-up event",
                          GetLastError(), XIPC_ENOMEM);
}

/* Finds (or opens and keeps) party id's wake-up event and life mutex, with
 * n->lock held. Returns the cache index, or -1 if it has no event any more
 * (it ended). */
static int cached(xipc__notify *n, uint64_t id)
{
    char name[XIPC__W32_PARTY_NAME];
    wchar_t wname[XIPC__W32_PARTY_NAME];
    HANDLE ev, life;
    unsigned i;
    size_t j;

    for (i = 0; i < CACHE; i++)
        if (n->cache_ev[i] != NULL && n->cache_id[i] == id)
            return (int)i;
    xipc__w32_party_name(name, sizeof name, 'e', id);
    for (j = 0; (wname[j] = (wchar_t)(unsigned char)name[j]) != 0; j++)
        ;
    if ((ev = OpenEventW(EVENT_MODIFY_STATE, FALSE, wname)) == NULL)
        return -1;
    xipc__w32_party_name(name, sizeof name, 't', id);
    for (j = 0; (wname[j] = (wchar_t)(unsigned char)name[j]) != 0; j++)
        ;
    life = OpenMutexW(SYNCHRONIZE, FALSE, wname);
    i = n->next++ % CACHE;
    if (n->cache_ev[i] != NULL)
        CloseHandle(n->cache_ev[i]);
    if (n->cache_life[i] != NULL)
        CloseHandle(n->cache_life[i]);
    n->cache_ev[i] = ev;
    n->cache_life[i] = life;
    n->cache_id[i] = id;
    return (int)i;
}

/* Sets the wake-up event of party id; if `check`, first asks its life
 * mutex whether it lives. Returns 0, or -1 if it has ended. */
static int set_event(xipc__notify *n, uint64_t id, int check)
{
    int i, rc = -1;
    DWORD r;

    XIPC__W32_CALL();
    AcquireSRWLockExclusive(&n->lock);
    if ((i = cached(n, id)) >= 0) {
        rc = 0;
        if (check && n->cache_life[i] != NULL) {
            r = WaitForSingleObject(n->cache_life[i], 0);
            if (r == WAIT_OBJECT_0 || r == WAIT_ABANDONED) {
                /* Ended: it never releases its life mutex while it runs. */
                ReleaseMutex(n->cache_life[i]);
                rc = -1;
            }
        }
        if (rc == 0)
            SetEvent(n->cache_ev[i]);
    }
    ReleaseSRWLockExclusive(&n->lock);
    return rc;
}

void xipc__notify_wake(xipc__notify *n, int count)
{
    struct shared *sh = n->sh;
    LONG now;
    LONG64 w, woke;
    int i, j, woken = 0;

    MemoryBarrier();
    if (sh->sleepers <= 0)
        return;
    now = InterlockedIncrement(&sh->gen);
    /* Start at a different slot each time, so no slot is always last. */
    for (j = 0; j < SLOTS && woken < count; j++) {
        i = (int)(((uint32_t)now + (uint32_t)j) % SLOTS);
        w = sh->slot[i].word;
        if ((w & 3) != SLOT_WAITING || sh->slot[i].gen == now)
            continue;
        woke = (w & ~(LONG64)3) | SLOT_WOKEN;
        if (InterlockedCompareExchange64(&sh->slot[i].word, woke, w) != w)
            continue;
        if (set_event(n, (uint64_t)w >> 2, count < XIPC__WAKE_ALL) != 0) {
            /* A sleeper killed in its slot: free it, and wake another. */
            InterlockedCompareExchange64(&sh->slot[i].word, SLOT_FREE, woke);
            continue;
        }
        woken++;
    }
}

void xipc__cpu_relax(void)
{
    YieldProcessor();
}
