/*
 * barrier_peers_win32.c - the Windows peer of the barrier benchmark: the
 * textbook reusable barrier built of named kernel objects (a named mutex
 * guarding a count in a named file mapping, and two named semaphores as
 * turnstiles, as in "The Little Book of Semaphores"). Every party's wait
 * costs about six kernel calls (under Wine, six wineserver round trips),
 * and a party that dies leaves the others waiting for ever.
 */
#include "bench_barrier.h"

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

struct kbar {
    HANDLE map, mutex, t1, t2;
    volatile LONG *count; /* under the mutex */
    LONG parties;
};

static int kb_get(const char *name, int parties, void **h, int create)
{
    struct kbar *k = calloc(1, sizeof *k);
    char n[160];

    if (k == NULL)
        return -1;
    k->parties = parties;
    snprintf(n, sizeof n, "Local\\xipc-bench-bmap.%s", name);
    k->map = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL,
                                         PAGE_READWRITE, 0, 64, n)
                    : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, n);
    snprintf(n, sizeof n, "Local\\xipc-bench-bmutex.%s", name);
    k->mutex = create ? CreateMutexA(NULL, FALSE, n)
                      : OpenMutexA(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, n);
    snprintf(n, sizeof n, "Local\\xipc-bench-bt1.%s", name);
    k->t1 = create ? CreateSemaphoreA(NULL, 0, parties, n)
                   : OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, n);
    snprintf(n, sizeof n, "Local\\xipc-bench-bt2.%s", name);
    k->t2 = create ? CreateSemaphoreA(NULL, 0, parties, n)
                   : OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, n);
    if (k->map == NULL || k->mutex == NULL || k->t1 == NULL || k->t2 == NULL)
        return -1;
    k->count = MapViewOfFile(k->map, FILE_MAP_ALL_ACCESS, 0, 0, 64);
    if (k->count == NULL)
        return -1;
    *h = k;
    return 0;
}

static int kb_create(const char *name, int parties, void **h)
{
    return kb_get(name, parties, h, 1);
}

static int kb_open(const char *name, int parties, void **h)
{
    return kb_get(name, parties, h, 0);
}

/* Two phases, so that a fast party cannot lap a slow one: all arrive
 * (the last lets everyone through the first turnstile), then all leave
 * (the last lets everyone through the second). */
static int kb_wait(void *h)
{
    struct kbar *k = h;

    if (WaitForSingleObject(k->mutex, INFINITE) != WAIT_OBJECT_0)
        return -1;
    if (++*k->count == k->parties)
        ReleaseSemaphore(k->t1, k->parties, NULL);
    ReleaseMutex(k->mutex);
    if (WaitForSingleObject(k->t1, INFINITE) != WAIT_OBJECT_0)
        return -1;
    if (WaitForSingleObject(k->mutex, INFINITE) != WAIT_OBJECT_0)
        return -1;
    if (--*k->count == 0)
        ReleaseSemaphore(k->t2, k->parties, NULL);
    ReleaseMutex(k->mutex);
    return WaitForSingleObject(k->t2, INFINITE) == WAIT_OBJECT_0 ? 0 : -1;
}

static void kb_close(void *h)
{
    struct kbar *k = h;
    UnmapViewOfFile((void *)k->count);
    CloseHandle(k->t2);
    CloseHandle(k->t1);
    CloseHandle(k->mutex);
    CloseHandle(k->map);
    free(k);
}

static const bench_barrier_ops kernel_barrier = {
    "win32 named mutex+semaphores", kb_create, kb_open, kb_wait, kb_close};

const bench_barrier_ops *const bench_barrier_peers[] = {&kernel_barrier, NULL};
