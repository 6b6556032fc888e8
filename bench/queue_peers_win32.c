/*
 * queue_peers_win32.c - the Windows peer of the queue benchmark: the
 * textbook cross-process queue, a ring of fixed slots in a named file
 * mapping guarded by a named mutex, with a named semaphore counting free
 * slots and one counting filled ones. Every send and receive costs three
 * kernel calls (under Wine, three wineserver round trips).
 */
#include "bench_queue.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#define SLOTS 64

struct ring_hdr {
    uint32_t head, tail; /* slot indexes, under the mutex */
    uint32_t slot_size;
};

struct msring {
    HANDLE map, mutex, free_slots, filled;
    struct ring_hdr *hdr;
    unsigned char *slots;
};

static int ms_get(const char *name, size_t max_msg, int create, void **h)
{
    struct msring *r = calloc(1, sizeof *r);
    size_t slot = (max_msg + 8 + 63) & ~(size_t)63;
    size_t size = 64 + SLOTS * slot;
    char k[160];

    if (r == NULL)
        return -1;
    snprintf(k, sizeof k, "Local\\xipc-bench-ring.%s", name);
    r->map = create ? CreateFileMappingA(INVALID_HANDLE_VALUE, NULL,
                                         PAGE_READWRITE, 0, (DWORD)size, k)
                    : OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, k);
    snprintf(k, sizeof k, "Local\\xipc-bench-mutex.%s", name);
    r->mutex = create ? CreateMutexA(NULL, FALSE, k)
                      : OpenMutexA(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, k);
    snprintf(k, sizeof k, "Local\\xipc-bench-free.%s", name);
    r->free_slots = create ? CreateSemaphoreA(NULL, SLOTS, SLOTS, k)
                           : OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, k);
    snprintf(k, sizeof k, "Local\\xipc-bench-filled.%s", name);
    r->filled = create ? CreateSemaphoreA(NULL, 0, SLOTS, k)
                       : OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, k);
    if (r->map == NULL || r->mutex == NULL || r->free_slots == NULL ||
        r->filled == NULL)
        return -1;
    r->hdr = MapViewOfFile(r->map, FILE_MAP_ALL_ACCESS, 0, 0, size);
    if (r->hdr == NULL)
        return -1;
    r->slots = (unsigned char *)r->hdr + 64;
    if (create)
        r->hdr->slot_size = (uint32_t)slot;
    *h = r;
    return 0;
}

static int ms_create(const char *name, size_t max_msg, void **h)
{
    return ms_get(name, max_msg, 1, h);
}

static int ms_open(const char *name, size_t max_msg, int role, void **h)
{
    (void)role;
    return ms_get(name, max_msg, 0, h);
}

static int ms_send(void *h, const void *msg, size_t len)
{
    struct msring *r = h;
    unsigned char *s;
    uint32_t n = (uint32_t)len;

    WaitForSingleObject(r->free_slots, INFINITE);
    WaitForSingleObject(r->mutex, INFINITE);
    s = r->slots + (size_t)r->hdr->tail * r->hdr->slot_size;
    memcpy(s, &n, 4);
    memcpy(s + 8, msg, len);
    r->hdr->tail = (r->hdr->tail + 1) % SLOTS;
    ReleaseMutex(r->mutex);
    ReleaseSemaphore(r->filled, 1, NULL);
    return 0;
}

static int ms_recv(void *h, void *buf, size_t size, size_t *len)
{
    struct msring *r = h;
    unsigned char *s;
    uint32_t n;
    int rc = 0;

    WaitForSingleObject(r->filled, INFINITE);
    WaitForSingleObject(r->mutex, INFINITE);
    s = r->slots + (size_t)r->hdr->head * r->hdr->slot_size;
    memcpy(&n, s, 4);
    if (n <= size)
        memcpy(buf, s + 8, n);
    else
        rc = -1;
    r->hdr->head = (r->hdr->head + 1) % SLOTS;
    ReleaseMutex(r->mutex);
    ReleaseSemaphore(r->free_slots, 1, NULL);
    *len = n;
    return rc;
}

static void ms_close(void *h)
{
    struct msring *r = h;

    UnmapViewOfFile(r->hdr);
    CloseHandle(r->map);
    CloseHandle(r->mutex);
    CloseHandle(r->free_slots);
    CloseHandle(r->filled);
    free(r);
}

static const bench_chan_ops ms_ops = {"named mutex+semaphore ring",
                                      1,
                                      ms_create,
                                      ms_open,
                                      ms_send,
                                      ms_recv,
                                      ms_close};

const bench_chan_ops *const bench_chan_peers[] = {&ms_ops, NULL};

/* No Python under Wine. */
const bench_ext_ops *const bench_ext_peers[] = {NULL};
