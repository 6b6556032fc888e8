/*
 * party.c - who takes part in an object, for the Windows backend: every
 * thread's identity and the kernel's answer to "is that thread alive?".
 *
 * A thread that first needs an identity draws 62 random bits (never 0 nor
 * XIPC__PARTY_DEAD) and creates the named mutex "Local\xipc.t.<id>",
 * owned by itself, which it never releases. Windows abandons a mutex whose
 * owner thread ends, however it ends (a return, ExitThread,
 * TerminateThread, its process's exit or kill), and destroys a named
 * object with its last handle, so a prober that opens the name finds no
 * object, or one it can take at once (WAIT_ABANDONED), exactly when the
 * thread has ended; a waiter that holds the handle is woken by the death
 * itself. An identity is never the same as a dead thread's, as thread ids
 * are: a clash of 62 random bits with a thread whose mutex is still known
 * to the system is refused by CreateMutexW (ERROR_ALREADY_EXISTS), and a
 * clash with a thread forgotten by the system has a chance of 2^-62.
 * Identities do not depend on the segment: a thread is the same party of
 * every object.
 *
 * A thread that sleeps on a wake-up channel also gets an auto-reset event,
 * "Local\xipc.e.<id>", which wakers set (notify.c). The process keeps the
 * identities of its live threads, so that it can tell its own threads from
 * others' without a system call; a fiber-local-storage callback forgets a
 * thread, and closes its handles, when it ends.
 */
#include "../internal.h"
#include "../platform.h"
#include "w32.h"

#include <windows.h>
#include <ntsecapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The calling thread's identity, in a fiber-local-storage slot whose
 * callback runs when the thread ends. */
static DWORD fls_slot = FLS_OUT_OF_INDEXES;
/* The same pointer in a thread-local-storage slot, which the fast path
 * reads: TlsGetValue only reads the thread's environment block, where
 * FlsGetValue costs tens of nanoseconds under Wine. */
DWORD xipc__w32_tls_slot = TLS_OUT_OF_INDEXES;
int64_t xipc__w32_pid;
#define tls_slot xipc__w32_tls_slot
static INIT_ONCE once = INIT_ONCE_STATIC_INIT;

/* The process's live threads that have an identity. */
static SRWLOCK live_lock = SRWLOCK_INIT;
static struct xipc__w32_self *live;

static void WINAPI thread_end(void *p)
{
    struct xipc__w32_self *me = p, **pp;

    if (me == NULL)
        return;
    if (tls_slot != TLS_OUT_OF_INDEXES)
        TlsSetValue(tls_slot, NULL);
    AcquireSRWLockExclusive(&live_lock);
    for (pp = &live; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == me) {
            *pp = me->next;
            break;
        }
    }
    ReleaseSRWLockExclusive(&live_lock);
    /* The thread still owns its life mutex until it has ended; closing
     * the last handle to it now only lets the system forget the name. */
    if (me->life != NULL)
        CloseHandle(me->life);
    if (me->wake != NULL)
        CloseHandle(me->wake);
    if (me->probe_life != NULL)
        CloseHandle(me->probe_life);
    free(me);
}

static BOOL CALLBACK init_once(PINIT_ONCE o, PVOID param, PVOID *ctx)
{
    (void)o;
    (void)param;
    (void)ctx;
    fls_slot = FlsAlloc(thread_end);
    tls_slot = TlsAlloc();
    xipc__w32_pid = (int64_t)GetCurrentProcessId();
    return TRUE;
}

void xipc__w32_party_name(char *out, size_t len, char kind, uint64_t id)
{
    snprintf(out, len, "Local\\xipc.%c.%016llx", kind, (unsigned long long)id);
}

/* Widens an ASCII kernel name. */
static void widen(wchar_t *w, const char *s)
{
    size_t i;
    for (i = 0; (w[i] = (wchar_t)(unsigned char)s[i]) != 0; i++)
        ;
}

/* Makes the calling thread's identity and its life mutex. */
static struct xipc__w32_self *self_make(void)
{
    struct xipc__w32_self *me;
    SECURITY_ATTRIBUTES sa;
    SECURITY_DESCRIPTOR sd;
    TOKEN_DEFAULT_DACL *dd = NULL;
    char name[XIPC__W32_PARTY_NAME];
    wchar_t wname[XIPC__W32_PARTY_NAME];
    uint64_t r;
    int tries;
    DWORD e = 0;

    InitOnceExecuteOnce(&once, init_once, NULL, NULL);
    if (fls_slot == FLS_OUT_OF_INDEXES || tls_slot == TLS_OUT_OF_INDEXES) {
        xipc__fail(XIPC_ENOMEM, "FlsAlloc", NULL, "no fiber-local slot left");
        return NULL;
    }
    if ((me = calloc(1, sizeof *me)) == NULL) {
        xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
        return NULL;
    }
    if (xipc__w32_default_security(&sa, &sd, &dd, "party") != 0) {
        free(dd);
        free(me);
        return NULL;
    }
    for (tries = 0; tries < 16; tries++) {
        if (!RtlGenRandom(&r, sizeof r)) {
            e = GetLastError();
            break;
        }
        r &= XIPC__PARTY_DEAD;
        if (r == 0 || r == XIPC__PARTY_DEAD)
            continue;
        xipc__w32_party_name(name, sizeof name, 't', r);
        widen(wname, name);
        me->life = CreateMutexW(&sa, TRUE, wname);
        if (me->life == NULL) {
            e = GetLastError();
            break;
        }
        if (GetLastError() != ERROR_ALREADY_EXISTS) {
            me->id = r;
            break;
        }
        CloseHandle(me->life); /* another thread's: draw again */
        me->life = NULL;
    }
    free(dd);
    if (me->id == 0) {
        xipc__w32_fail("CreateMutexW", "Local\\xipc.t",
                       e ? e : ERROR_ALREADY_EXISTS, XIPC_ENOMEM);
        if (me->life != NULL)
            CloseHandle(me->life);
        free(me);
        return NULL;
    }
    AcquireSRWLockExclusive(&live_lock);
    me->next = live;
    live = me;
    ReleaseSRWLockExclusive(&live_lock);
    FlsSetValue(fls_slot, me);
    TlsSetValue(tls_slot, me);
    return me;
}

struct xipc__w32_self *xipc__w32_self_slow(void)
{
    struct xipc__w32_self *me = NULL;

    InitOnceExecuteOnce(&once, init_once, NULL, NULL);
    if (tls_slot != TLS_OUT_OF_INDEXES)
        me = TlsGetValue(tls_slot);
    return me != NULL ? me : self_make();
}

int xipc__w32_self_wake(HANDLE *out)
{
    struct xipc__w32_self *me = xipc__w32_self();
    SECURITY_ATTRIBUTES sa;
    SECURITY_DESCRIPTOR sd;
    TOKEN_DEFAULT_DACL *dd = NULL;
    char name[XIPC__W32_PARTY_NAME];
    wchar_t wname[XIPC__W32_PARTY_NAME];
    int rc;

    if (me == NULL)
        return XIPC_ENOMEM;
    if (me->wake == NULL) {
        if ((rc = xipc__w32_default_security(&sa, &sd, &dd, "party")) != 0) {
            free(dd);
            return rc;
        }
        xipc__w32_party_name(name, sizeof name, 'e', me->id);
        widen(wname, name);
        me->wake = CreateEventW(&sa, FALSE, FALSE, wname);
        free(dd);
        if (me->wake == NULL)
            return xipc__w32_fail("CreateEventW", name, GetLastError(),
                                  XIPC_ENOMEM);
    }
    *out = me->wake;
    return 0;
}

int xipc__w32_is_live_here(uint64_t id)
{
    struct xipc__w32_self *p;
    int found = 0;

    AcquireSRWLockShared(&live_lock);
    for (p = live; p != NULL && !found; p = p->next)
        found = p->id == id;
    ReleaseSRWLockShared(&live_lock);
    return found;
}

/* Whether id, if it is a thread of this process, lives: 1, 0, or 2 if it
 * is none of this process's. A thread ended by TerminateThread runs no
 * fiber-local-storage callback and stays on the list: its life mutex,
 * abandoned, tells. */
static DWORD here_alive(uint64_t id)
{
    struct xipc__w32_self *p, *me = NULL;
    DWORD r, st = 2;

    if (fls_slot != FLS_OUT_OF_INDEXES)
        me = FlsGetValue(fls_slot);
    AcquireSRWLockShared(&live_lock);
    for (p = live; p != NULL; p = p->next) {
        if (p->id != id)
            continue;
        st = 1;
        if (p != me && p->life != NULL) {
            r = WaitForSingleObject(p->life, 0);
            if (r == WAIT_OBJECT_0 || r == WAIT_ABANDONED) {
                /* Ended: it never lets its life mutex go while it runs. */
                ReleaseMutex(p->life);
                st = 0;
            }
        }
        break;
    }
    ReleaseSRWLockShared(&live_lock);
    return st;
}

int xipc__w32_party_probe(uint64_t id, HANDLE *keep)
{
    char name[XIPC__W32_PARTY_NAME];
    wchar_t wname[XIPC__W32_PARTY_NAME];
    HANDLE h;
    DWORD r, e;

    if (keep != NULL)
        *keep = NULL;
    if (id == 0 || id >= XIPC__PARTY_DEAD)
        return 0;
    if ((r = here_alive(id)) != 2)
        return (int)r;
    xipc__w32_party_name(name, sizeof name, 't', id);
    widen(wname, name);
    if ((h = OpenMutexW(SYNCHRONIZE, FALSE, wname)) == NULL) {
        e = GetLastError();
        /* No such object: the thread has ended and nothing remembers it. */
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_INVALID_HANDLE)
            return 0;
        return xipc__w32_fail("OpenMutexW", name, e, XIPC_ENOMEM);
    }
    r = WaitForSingleObject(h, 0);
    if (r == WAIT_ABANDONED || r == WAIT_OBJECT_0) {
        /* Its owner has ended (it never releases it while it lives): the
         * mutex is ours for a moment; give it back. */
        ReleaseMutex(h);
        CloseHandle(h);
        return 0;
    }
    if (r != WAIT_TIMEOUT) {
        e = GetLastError();
        CloseHandle(h);
        return xipc__w32_fail("WaitForSingleObject", name, e, XIPC_ENOMEM);
    }
    if (keep != NULL)
        *keep = h;
    else
        CloseHandle(h);
    return 1;
}

/* The process's own identity: the identity of a keeper thread that the
 * process starts once and that never ends before the process does, so its
 * life mutex is abandoned exactly when the process dies. */
static INIT_ONCE keeper_once = INIT_ONCE_STATIC_INIT;
static uint64_t keeper_id;
static HANDLE keeper_ready;

static DWORD WINAPI keeper_main(void *arg)
{
    struct xipc__w32_self *me = xipc__w32_self();
    HANDLE never = CreateEventW(NULL, TRUE, FALSE, NULL);

    (void)arg;
    keeper_id = me != NULL ? me->id : 0;
    SetEvent(keeper_ready);
    if (never != NULL)
        WaitForSingleObject(never, INFINITE);
    for (;;)
        Sleep(INFINITE);
    return 0;
}

static BOOL CALLBACK keeper_start(PINIT_ONCE o, PVOID param, PVOID *ctx)
{
    HANDLE t;

    (void)o;
    (void)param;
    (void)ctx;
    if ((keeper_ready = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
        return TRUE;
    if ((t = CreateThread(NULL, 64 * 1024, keeper_main, NULL,
                          STACK_SIZE_PARAM_IS_A_RESERVATION, NULL)) == NULL)
        return TRUE;
    CloseHandle(t);
    WaitForSingleObject(keeper_ready, INFINITE);
    return TRUE;
}

int xipc__party_process(xipc__seg *seg, uint64_t *id)
{
    (void)seg;
    InitOnceExecuteOnce(&keeper_once, keeper_start, NULL, NULL);
    if (keeper_id == 0)
        return xipc__fail(XIPC_ESYS, "CreateThread", NULL,
                          "the process's keeper thread could not start");
    *id = keeper_id;
    return 0;
}

int xipc__party_self(xipc__seg *seg, uint64_t *id)
{
    struct xipc__w32_self *me = xipc__w32_self();

    (void)seg;
    if (me == NULL)
        return XIPC_ENOMEM;
    *id = me->id;
    return 0;
}

int xipc__party_alive(xipc__seg *seg, uint64_t id)
{
    (void)seg;
    return xipc__w32_party_probe(id, NULL);
}
