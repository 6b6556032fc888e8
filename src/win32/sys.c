/*
 * sys.c - clock, sleep, pid, page size, platform facts and test support for
 * the Windows backend.
 */
#include "../internal.h"
#include "../platform.h"
#include "w32.h"

#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t xipc__sys_getpid(void)
{
    return (int64_t)GetCurrentProcessId();
}

int64_t xipc__sys_now_ns(void)
{
    LARGE_INTEGER count, freq;

    QueryPerformanceCounter(&count);
    QueryPerformanceFrequency(&freq);
    /* Whole seconds and the remainder apart: count * 10^9 would overflow
     * 64 bits after about 15 minutes of uptime at a 10 MHz counter, while
     * remainder * 10^9 fits for any counter below 9 GHz. */
    return count.QuadPart / freq.QuadPart * 1000000000 +
           count.QuadPart % freq.QuadPart * 1000000000 / freq.QuadPart;
}

void xipc__sys_sleep_ms(int64_t ms)
{
    int64_t end, left;

    if (ms <= 0) {
        Sleep(0);
        return;
    }
    /* Sleep can return up to a clock tick early, so the time still to go is
     * measured on the monotonic clock and slept again. */
    if (ms > INT64_MAX / 2000000)
        ms = INT64_MAX / 2000000; /* about 146 years */
    end = xipc__sys_now_ns() + ms * 1000000;
    while ((left = end - xipc__sys_now_ns()) > 0) {
        left = (left + 999999) / 1000000;
        Sleep(left > 0x7fffffff ? 0x7fffffff : (DWORD)left);
    }
}

uint64_t xipc__sys_page_size(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return (uint64_t)si.dwPageSize;
}

const char *xipc__sys_backend(void)
{
    return "win32";
}

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);
typedef const char *(CDECL *wine_get_version_fn)(void);

void xipc__sys_facts(char *buf, size_t len)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    rtl_get_version_fn get_version = NULL;
    wine_get_version_fn wine_version = NULL;
    OSVERSIONINFOW v;

    /* GetVersionEx reports 6.2 to a program without a compatibility
     * manifest; RtlGetVersion tells the truth. Wine is recognised by the
     * function its ntdll adds. The casts go through a generic function
     * pointer type, the way GetProcAddress's result must be used. */
    if (ntdll != NULL) {
        get_version = (rtl_get_version_fn)(void (*)(void))GetProcAddress(
            ntdll, "RtlGetVersion");
        wine_version = (wine_get_version_fn)(void (*)(void))GetProcAddress(
            ntdll, "wine_get_version");
    }
    memset(&v, 0, sizeof v);
    v.dwOSVersionInfoSize = sizeof v;
    if (get_version == NULL || get_version(&v) != 0)
        v.dwMajorVersion = v.dwMinorVersion = v.dwBuildNumber = 0;
    snprintf(buf, len,
             "backend=win32 os=Windows %lu.%lu build %lu page=%llu "
             "holders=handles wine=%s",
             (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion,
             (unsigned long)v.dwBuildNumber,
             (unsigned long long)xipc__sys_page_size(),
             wine_version != NULL ? wine_version() : "no");
}

int xipc__sys_set_umask(int mask)
{
    (void)mask; /* Windows has no file-creation mask. */
    return -1;
}

void xipc__sys_die(int code)
{
    /* Not ExitProcess, which would run DLL detach routines, nor exit(),
     * which would run atexit handlers and flush streams: a crash runs
     * nothing. */
    TerminateProcess(GetCurrentProcess(), (UINT)code);
}

struct xipc__thread {
    HANDLE h;
    int (*fn)(void *);
    void *arg;
    int result;
};

static DWORD WINAPI thread_main(LPVOID p)
{
    xipc__thread *t = p;
    t->result = t->fn(t->arg);
    return 0;
}

int xipc__thread_start(xipc__thread **out, int (*fn)(void *), void *arg)
{
    xipc__thread *t = calloc(1, sizeof *t);

    if (t == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    t->fn = fn;
    t->arg = arg;
    t->h = CreateThread(NULL, 0, thread_main, t, 0, NULL);
    if (t->h == NULL) {
        free(t);
        return xipc__fail(XIPC_ESYS, "CreateThread", NULL, NULL);
    }
    *out = t;
    return 0;
}

int xipc__thread_join(xipc__thread *t)
{
    int r;
    WaitForSingleObject(t->h, INFINITE);
    CloseHandle(t->h);
    r = t->result;
    free(t);
    return r;
}

int xipc__thread_terminate(xipc__thread *t)
{
    if (!TerminateThread(t->h, 0))
        return xipc__fail(XIPC_ESYS, "TerminateThread", NULL, NULL);
    WaitForSingleObject(t->h, INFINITE);
    return 0;
}

struct at_end {
    void (*fn)(void *);
    void *arg;
};

static void WINAPI at_end_run(void *p)
{
    struct at_end *a = p;
    if (a != NULL) {
        a->fn(a->arg);
        free(a);
    }
}

int xipc__thread_at_end(void (*fn)(void *), void *arg)
{
    struct at_end *a = malloc(sizeof *a);
    DWORD k;

    if (a == NULL)
        return xipc__fail(XIPC_ENOMEM, "malloc", NULL, NULL);
    a->fn = fn;
    a->arg = arg;
    if ((k = FlsAlloc(at_end_run)) == FLS_OUT_OF_INDEXES ||
        !FlsSetValue(k, a)) {
        free(a);
        return xipc__fail(XIPC_ESYS, "FlsAlloc", NULL, NULL);
    }
    return 0;
}

/* Windows tells a process's private bytes and its working set, but not its
 * share of pages mapped by several processes, which is what a proportional
 * set size counts. */
int xipc__sys_pss(uint64_t *bytes)
{
    (void)bytes;
    return xipc__fail(XIPC_ENOTSUP, "xipc__sys_pss", NULL,
                      "Windows keeps no proportional set size");
}

volatile LONG64 xipc__w32_calls;

int xipc__sys_can_fork(void)
{
    return 0;
}

int64_t xipc__sys_fork(void)
{
    return xipc__fail(XIPC_ENOTSUP, "fork", NULL,
                      "Windows has no fork(): processes are spawned");
}

uint64_t xipc__sys_calls(void)
{
    return (uint64_t)InterlockedCompareExchange64(&xipc__w32_calls, 0, 0);
}

int xipc__sys_wait_forked(int64_t pid, int64_t timeout_ms, int *exit_code)
{
    (void)pid;
    (void)timeout_ms;
    (void)exit_code;
    return XIPC_ENOTSUP;
}

int xipc__sys_kill_forked(int64_t pid)
{
    (void)pid;
    return XIPC_ENOTSUP;
}

int xipc__sys_new_pid_namespace(void)
{
    return XIPC_ENOTSUP;
}

int xipc__sys_become_user(int64_t uid)
{
    (void)uid;
    return XIPC_ENOTSUP;
}

int xipc__sys_fd_limit(uint64_t n, uint64_t *open_now)
{
    (void)n;
    (void)open_now;
    return XIPC_ENOTSUP;
}
