/*
 * cond_peers_win32.c - the Windows peer of the Condition benchmark: a
 * condition built from named kernel objects, as a Windows programmer
 * without xipc would build one across processes - a named mutex for the
 * lock, a named semaphore the waiters sleep on, and the count of waiters
 * in shared memory under the mutex. A wait releases the mutex and starts
 * to sleep in one call (SignalObjectAndWait), then takes the mutex again;
 * a notify releases one unit if someone waits. Every step is a trip into
 * the kernel (to wineserver under Wine).
 */
#include "bench_cond.h"

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>
#include <xipc.h>

struct wcv {
    HANDLE m, s;
    xipc_shm *shm;
    volatile LONG *waiters;
};

static int wcv_open2(const char *name, void **h, int create)
{
    struct wcv *w = calloc(1, sizeof *w);
    char k[128];
    int rc;

    if (w == NULL)
        return -1;
    rc = create ? xipc_shm_create(&w->shm, name, 64)
                : xipc_shm_open(&w->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(w);
        return rc;
    }
    w->waiters = xipc_shm_data(w->shm);
    snprintf(k, sizeof k, "Local\\xipc-bench-cm.%s", name);
    w->m = create ? CreateMutexA(NULL, FALSE, k)
                  : OpenMutexA(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, k);
    snprintf(k, sizeof k, "Local\\xipc-bench-cs.%s", name);
    w->s = create
               ? CreateSemaphoreA(NULL, 0, 0x7fffffff, k)
               : OpenSemaphoreA(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, k);
    if (w->m == NULL || w->s == NULL) {
        if (w->m != NULL)
            CloseHandle(w->m);
        if (w->s != NULL)
            CloseHandle(w->s);
        xipc_shm_close(w->shm);
        free(w);
        return -1;
    }
    *h = w;
    return 0;
}

static int wcv_create(const char *name, void **h)
{
    return wcv_open2(name, h, 1);
}

static int wcv_open(const char *name, void **h)
{
    return wcv_open2(name, h, 0);
}

static void wcv_lock(void *h)
{
    WaitForSingleObject(((struct wcv *)h)->m, INFINITE);
}

static void wcv_unlock(void *h)
{
    ReleaseMutex(((struct wcv *)h)->m);
}

static void wcv_wait(void *h)
{
    struct wcv *w = h;
    *w->waiters += 1;
    SignalObjectAndWait(w->m, w->s, INFINITE, FALSE);
    WaitForSingleObject(w->m, INFINITE);
}

static void wcv_notify(void *h)
{
    struct wcv *w = h;
    if (*w->waiters > 0) {
        *w->waiters -= 1;
        ReleaseSemaphore(w->s, 1, NULL);
    }
}

static void wcv_close(void *h)
{
    struct wcv *w = h;
    CloseHandle(w->m);
    CloseHandle(w->s);
    xipc_shm_close(w->shm);
    free(w);
}

static const bench_cond_ops named = {"win32 named mutex+semaphore",
                                     wcv_create,
                                     wcv_open,
                                     wcv_lock,
                                     wcv_unlock,
                                     wcv_wait,
                                     wcv_notify,
                                     wcv_close};

const bench_cond_ops *const bench_cond_peers[] = {&named, NULL};
