/*
 * sync.c - the Windows backend's part of the robust mutex of src/mutex.h.
 * A named mutex would cost a kernel (under Wine, a wineserver) round trip
 * on every acquire and release, is recursive by nature and reports an
 * abandoned owner only to the one waiter that inherits it; here, as on
 * POSIX, the whole state is xipc's own word in shared memory, so the
 * uncontended acquire and release make no system call, and kernel objects
 * serve only to sleep and to wake: one auto-reset event per mutex, named
 * after the segment and the mutex's index, and the owner's life mutex
 * (party.c), which the kernel abandons when the owner thread ends.
 *
 * A thread's identity is its party identity (party.c), the same for every
 * segment. A sleeper first sleeps MX_SLICE_FIRST_MS on the event alone
 * (most waits end sooner, and looking at the owner costs system calls);
 * then it opens the owner's life mutex and sleeps on both, so the death of
 * the owner wakes it at once; it still looks again every MX_SLICE_MS, since
 * the mutex may have changed hands without waking it.
 */
#include "../internal.h"
#include "../platform.h"
#include "w32.h"

#include <windows.h>

struct mx_os {
    HANDLE wake;             /* the auto-reset event sleepers wait on */
    char ename[SUBNAME_BUF]; /* its kernel name, for messages */
};

#define MX_SLICE_FIRST_MS 10
#define MX_SLICE_MS 200
/* Asking opens, waits on and closes a named mutex: a few kernel calls,
 * tens of microseconds under Wine. */
#define MX_TRY_TRUST_NS INT64_C(2000000)

struct xipc__mutex;
static int mx_os_self(struct xipc__mutex *m, uint64_t *me);
static int64_t mx_os_pid(void);
static int mx_os_attach(struct xipc__mutex *m, xipc__seg *seg, unsigned index);
static void mx_os_detach(struct xipc__mutex *m);
static int mx_os_sleep(struct xipc__mutex *m, uint64_t w, int64_t ms);
static void mx_os_wake(struct xipc__mutex *m, int all);
static int mx_os_alive(struct xipc__mutex *m, uint64_t owner);
static int mx_os_same_process(struct xipc__mutex *m, uint64_t owner,
                              uint64_t me);
/* Each thread has its own life mutex. */
#define mx_os_party_key(owner) (owner)

#include "../mutex.h"

static inline int mx_os_self(xipc__mutex *m, uint64_t *me)
{
    struct xipc__w32_self *s = xipc__w32_self();

    (void)m;
    if (s == NULL)
        return XIPC_ENOMEM;
    *me = s->id << 2;
    return 0;
}

static inline int64_t mx_os_pid(void)
{
    /* Kept by party.c: a process's id never changes (no fork here). */
    return xipc__w32_pid;
}

/* Auto-reset: SetEvent releases one sleeper, or, if none sleeps yet,
 * stays set until one comes, so a wake sent just before its waiter sleeps
 * is not lost. */
static HANDLE make_event(SECURITY_ATTRIBUTES *sa, const wchar_t *name)
{
    return CreateEventW(sa, FALSE, FALSE, name);
}

static int mx_os_attach(xipc__mutex *m, xipc__seg *seg, unsigned index)
{
    /* The event's kind letter is "w". */
    return xipc__w32_seg_object(seg, 'w', index, make_event, "CreateEventW",
                                &m->os.wake, m->os.ename);
}

static void mx_os_detach(xipc__mutex *m)
{
    CloseHandle(m->os.wake);
}

/* The life mutex of `owner` if the calling thread looked at that owner
 * last (each thread keeps its own, so no other thread closes it under a
 * wait), else NULL. */
static HANDLE cached_life(uint64_t owner)
{
    struct xipc__w32_self *s = xipc__w32_self();
    return s != NULL && s->probe_owner == owner ? s->probe_life : NULL;
}

static int mx_os_sleep(xipc__mutex *m, uint64_t w, int64_t ms)
{
    HANDLE waits[2];
    DWORD n = 0, r;

    waits[n++] = m->os.wake;
    if ((waits[1] = cached_life(mx_owner(w))) != NULL)
        n++;
    XIPC__W32_CALL();
    r = WaitForMultipleObjects(n, waits, FALSE, (DWORD)ms);
    if (r == WAIT_OBJECT_0)
        return 0;
    if (r == WAIT_OBJECT_0 + 1 || r == WAIT_ABANDONED_0 + 1) {
        /* The owner's life mutex: it has ended. The mutex is ours for a
         * moment; give it back, and look at the owner. */
        ReleaseMutex(waits[1]);
        return MX_SLICE;
    }
    if (r == WAIT_TIMEOUT)
        return MX_SLICE;
    return xipc__w32_fail("WaitForMultipleObjects", m->os.ename, GetLastError(),
                          XIPC_ENOMEM);
}

static void mx_os_wake(xipc__mutex *m, int all)
{
    /* One sleeper; for "all" (the mutex is lost), each one woken passes
     * the wake on (mx_lock_slow). */
    (void)all;
    XIPC__W32_CALL();
    SetEvent(m->os.wake);
}

static int mx_os_alive(xipc__mutex *m, uint64_t owner)
{
    struct xipc__w32_self *s = xipc__w32_self();
    HANDLE h = cached_life(owner), keep = NULL;
    DWORD r;
    int st;

    (void)m;
    XIPC__W32_CALL();
    if (h != NULL) {
        r = WaitForSingleObject(h, 0);
        if (r == WAIT_TIMEOUT)
            return 1;
        if (r == WAIT_OBJECT_0 || r == WAIT_ABANDONED) {
            ReleaseMutex(h);
            return 0;
        }
    }
    st = xipc__w32_party_probe(owner, &keep);
    if (keep != NULL) {
        if (s != NULL) {
            if (s->probe_life != NULL)
                CloseHandle(s->probe_life);
            s->probe_life = keep;
            s->probe_owner = owner;
        } else {
            CloseHandle(keep);
        }
    }
    return st;
}

static int mx_os_same_process(xipc__mutex *m, uint64_t owner, uint64_t me)
{
    (void)m;
    return owner == me || xipc__w32_is_live_here(owner);
}
