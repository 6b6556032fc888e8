/*
 * peers_win32.c - the Windows peers of the lock benchmark: a named kernel
 * mutex, what a Windows programmer reaches for first, and a named
 * semaphore (what every acquire and release of either costs: a trip into
 * the kernel, or to wineserver under Wine).
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

static int mx_open2(const char *name, void **h, int create)
{
    char k[128];
    HANDLE m;

    snprintf(k, sizeof k, "Local\\xipc-bench.%s", name);
    m = create ? CreateMutexA(NULL, FALSE, k)
               : OpenMutexA(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, k);
    if (m == NULL)
        return -1;
    *h = m;
    return 0;
}

static int mx_create(const char *name, void **h)
{
    return mx_open2(name, h, 1);
}

static int mx_open(const char *name, void **h)
{
    return mx_open2(name, h, 0);
}

static void mx_lock(void *h)
{
    WaitForSingleObject((HANDLE)h, INFINITE);
}

static void mx_unlock(void *h)
{
    ReleaseMutex((HANDLE)h);
}

static void mx_close(void *h)
{
    CloseHandle((HANDLE)h);
}

static const bench_lock_ops named_mutex = {
    "win32 named mutex", mx_create, mx_open, mx_lock, mx_unlock, mx_close};

/* A named semaphore of one unit used as a lock: the other kernel object a
 * Windows programmer reaches for (it has no owner, so it is not robust). */
static int sem_open2(const char *name, void **h, int create)
{
    char k[128];
    HANDLE s;

    snprintf(k, sizeof k, "Local\\xipc-bench-sem.%s", name);
    s = create ? CreateSemaphoreA(NULL, 1, 1, k)
               : OpenSemaphoreA(SYNCHRONIZE | SEMAPHORE_MODIFY_STATE, FALSE, k);
    if (s == NULL)
        return -1;
    *h = s;
    return 0;
}

static int sm_create(const char *name, void **h)
{
    return sem_open2(name, h, 1);
}

static int sm_open(const char *name, void **h)
{
    return sem_open2(name, h, 0);
}

static void sm_unlock(void *h)
{
    ReleaseSemaphore((HANDLE)h, 1, NULL);
}

static const bench_lock_ops named_sem = {
    "win32 named semaphore", sm_create, sm_open, mx_lock, sm_unlock, mx_close};

const bench_lock_ops *const bench_lock_peers[] = {
    &bench_spin_lock, &named_mutex, &named_sem, NULL};

/* The Windows build runs under Wine here, where no Windows Python is
 * installed: the Python peers are measured by the native run. */
int bench_python(const char *script, const char *args, double *rate)
{
    (void)script;
    (void)args;
    (void)rate;
    return -1;
}
