/*
 * sem_peers_win32.c - the Windows peers of the semaphore and event
 * benchmark: a named kernel semaphore and a named manual-reset event, what
 * a Windows programmer reaches for. Every operation on either is a trip
 * into the kernel (to wineserver under Wine).
 */
#include "bench_sem.h"

#include <stdio.h>
#include <windows.h>

static int ws_get(const char *name, unsigned value, void **h, int create)
{
    char k[128];
    HANDLE s;

    snprintf(k, sizeof k, "Local\\xipc-bench-ws.%s", name);
    s = create ? CreateSemaphoreA(NULL, (LONG)value, 0x7fffffff, k)
               : OpenSemaphoreA(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, k);
    if (s == NULL)
        return -1;
    *h = s;
    return 0;
}

static int ws_create(const char *name, unsigned value, void **h)
{
    return ws_get(name, value, h, 1);
}

static int ws_open(const char *name, void **h)
{
    return ws_get(name, 0, h, 0);
}

static void ws_acquire(void *h)
{
    WaitForSingleObject((HANDLE)h, INFINITE);
}

static void ws_release(void *h)
{
    ReleaseSemaphore((HANDLE)h, 1, NULL);
}

static void w_close(void *h)
{
    CloseHandle((HANDLE)h);
}

static const bench_sem_ops named_sem = {"win32 named semaphore",
                                        ws_create,
                                        ws_open,
                                        ws_acquire,
                                        ws_release,
                                        w_close};

static int we_get(const char *name, void **h, int create)
{
    char k[128];
    HANDLE e;

    snprintf(k, sizeof k, "Local\\xipc-bench-we.%s", name);
    e = create ? CreateEventA(NULL, TRUE, FALSE, k)
               : OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, k);
    if (e == NULL)
        return -1;
    *h = e;
    return 0;
}

static int we_create(const char *name, void **h)
{
    return we_get(name, h, 1);
}

static int we_open(const char *name, void **h)
{
    return we_get(name, h, 0);
}

static void we_set(void *h)
{
    SetEvent((HANDLE)h);
}

static void we_clear(void *h)
{
    ResetEvent((HANDLE)h);
}

static const bench_event_ops named_event = {
    "win32 named event", we_create, we_open, we_set, we_clear,
    ws_acquire,          w_close};

const bench_sem_ops *const bench_sem_peers[] = {&named_sem, NULL};
const bench_event_ops *const bench_event_peers[] = {&named_event, NULL};
