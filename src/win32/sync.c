/*
 * sync.c - process-shared robust mutexes for the Windows backend, built in
 * the segment's bytes rather than on a Windows mutex. A named mutex would
 * cost a kernel (under Wine, a wineserver) round trip on every acquire and
 * release, is recursive by nature and reports an abandoned owner only to
 * the one waiter that inherits it; here the whole state is one 64-bit word
 * in shared memory, changed by interlocked instructions, so the uncontended
 * acquire and release make no system call. Kernel objects serve only to
 * sleep and to wake: one auto-reset event per mutex, and the owner thread's
 * own handle, which the kernel signals when that thread ends.
 *
 * The word holds the lock state in its two low bits (Drepper's "futexes are
 * tricky" mutex: FREE, LOCKED, LOCKED with maybe-sleepers) and the owner's
 * identity in the other 62: its thread id (bits 32-63) and a 30-bit hash of
 * the thread's creation time and process id (bits 2-31). The owner is
 * published by the same compare-exchange that takes the lock, so a waiter
 * never sees a half-written owner. Windows reuses thread ids, so the id
 * alone cannot tell a dead owner from a new thread that got its id; the
 * creation time, which a waiter can read from any thread it can open, can.
 *
 * A locker that finds the word held spins briefly, then sleeps on the event.
 * If no wake comes within FIRST_SLICE_MS it looks at the owner, and from
 * then on also sleeps on the owner's thread handle, so the death of an owner
 * it knows wakes it at once; it still wakes every SLICE_MS to look again
 * (the mutex may have changed hands without waking it), so a dead owner is
 * found within about SLICE_MS. A dead owner's word is taken over by one
 * compare-exchange, which only one of several waiters can win.
 */
#include "../internal.h"
#include "../platform.h"
#include "w32.h"

#include <windows.h>

#include <stdlib.h>
#include <string.h>

/* The two low bits of the word. */
#define ST_MASK INT64_C(3)
#define ST_FREE INT64_C(0)
#define ST_LOCKED INT64_C(1)  /* held, no thread sleeps on it */
#define ST_WAITERS INT64_C(2) /* held, threads may sleep on it */

/* The word of a mutex that is not recoverable: state 3 and no owner, a
 * value no owner can have, so every compare-exchange from FREE fails. */
#define WORD_LOST INT64_C(3)

/* How long a sleeping waiter goes without looking at the owner: a short
 * first sleep, since most waits end sooner (and looking costs several system
 * calls), and longer ones once the waiter also sleeps on the owner's
 * handle. */
#define FIRST_SLICE_MS 10
#define SLICE_MS 200

/* How many times a locker re-reads a held word before it sleeps. */
#define SPINS 200

/* "XIPCWMTX" in the shared bytes once init has run. */
#define SHARED_MAGIC UINT64_C(0x58544d5743504958)

/* The shared bytes. `word` is changed by interlocked instructions only;
 * `robust` and `depth` are read and written only by the thread holding the
 * mutex; `magic` is written once, by init. */
struct shared {
    volatile LONG64 word;
    uint64_t magic;
    volatile LONG robust; /* CONSISTENT or OWNER_DIED (not yet repaired) */
    volatile LONG depth;  /* the owner's recursion depth */
};
enum { CONSISTENT = 0, OWNER_DIED = 1 };
_Static_assert(sizeof(struct shared) <= XIPC__MUTEX_SHARED_SIZE,
               "the mutex fits its shared bytes");

struct xipc__mutex {
    struct shared *sh;
    HANDLE wake;             /* the auto-reset event sleepers wait on */
    int recursive;           /* as the core said at attach */
    char ename[SUBNAME_BUF]; /* the event's kernel name, for messages */
    /* The last owner a try found alive and a handle to its thread, so that
     * tries against one live owner cost one wait of zero each rather than
     * opening and questioning its thread every time; under `cache_lock`. */
    SRWLOCK cache_lock;
    LONG64 cache_owner;
    HANDLE cache_thread;
};

/* Reads the word. A 64-bit load is atomic on 64-bit Windows but not on
 * 32-bit x86, where only an interlocked instruction reads all 8 bytes at
 * once. */
static LONG64 load_word(const struct shared *sh)
{
#ifdef _WIN64
    return sh->word;
#else
    return InterlockedCompareExchange64((volatile LONG64 *)&sh->word, 0, 0);
#endif
}

static LONG64 cas_word(struct shared *sh, LONG64 desired, LONG64 expected)
{
    return InterlockedCompareExchange64(&sh->word, desired, expected);
}

/* Mixes a thread's creation time and its process id into the 30 bits of
 * the word between the state and the thread id (splitmix64's finaliser).
 * Windows stamps a thread's creation time with the coarse system clock
 * (one tick, up to 15.6 ms), so a thread id reused within one tick could
 * carry the same time; the process id makes that a match only if the new
 * thread also runs in the same process. */
static LONG64 identity(DWORD tid, const FILETIME *created, DWORD pid)
{
    uint64_t x =
        ((uint64_t)created->dwHighDateTime << 32 | created->dwLowDateTime) ^
        ((uint64_t)pid << 20);

    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return (LONG64)((uint64_t)tid << 32 | (x >> 34) << 2);
}

/* The slot of Windows' thread-local storage that caches the low half of the
 * calling thread's identity (with bit 0 set, so that it is never NULL). */
static volatile DWORD tls_slot = TLS_OUT_OF_INDEXES;
static INIT_ONCE tls_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK tls_slot_alloc(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    (void)once;
    (void)param;
    (void)ctx;
    tls_slot = TlsAlloc();
    return TRUE;
}

/* self_id() the first time a thread asks: computes the identity and keeps
 * it in the thread's slot. */
static LONG64 self_id_slow(void)
{
    /* Only if the process ran out of TLS slots. */
    static _Thread_local LONG64 fallback;
    FILETIME created, exited, kernel, user;
    LONG64 me = fallback;

    InitOnceExecuteOnce(&tls_once, tls_slot_alloc, NULL, NULL);
    if (me == 0) {
        /* GetThreadTimes on the calling thread's own pseudo-handle does not
         * fail; a zero time would only weaken the hash. */
        if (!GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel,
                            &user))
            memset(&created, 0, sizeof created);
        me = identity(GetCurrentThreadId(), &created, GetCurrentProcessId());
    }
    if (tls_slot == TLS_OUT_OF_INDEXES)
        fallback = me;
    else
        TlsSetValue(tls_slot, (LPVOID)(uintptr_t)((uint32_t)me | 1));
    return me;
}

/* The calling thread's identity, asked of the system once per thread so
 * that the fast path makes no system call: GetCurrentThreadId and
 * TlsGetValue only read the thread's environment block. A TlsAlloc slot is
 * used rather than C11 _Thread_local, which mingw-w64 emulates through a
 * function call and a lookup that cost more than the interlocked
 * instructions themselves. */
static LONG64 self_id(void)
{
    DWORD slot = tls_slot;
    uintptr_t low;

    if (slot != TLS_OUT_OF_INDEXES && (low = (uintptr_t)TlsGetValue(slot)) != 0)
        return (LONG64)((uint64_t)GetCurrentThreadId() << 32 |
                        (low & 0xfffffffc));
    return self_id_slow();
}

/* The owner bits of a word: its identity without the state. */
static LONG64 owner_of(LONG64 w)
{
    return w & ~ST_MASK;
}

enum { OWNER_ALIVE, OWNER_DEAD, OWNER_UNKNOWN };

/* Looks at the owner `owner` of a word: OWNER_DEAD if its thread has ended
 * (or its id now belongs to another thread), OWNER_ALIVE if it runs, and
 * then *out (if out is not NULL) receives a handle to it that the kernel
 * signals when it ends (or NULL if only a handle that cannot be waited on
 * could be opened) and *owner_pid its process id; OWNER_UNKNOWN if the
 * system would not say, which counts as alive. While the caller keeps *out
 * open the thread's id cannot be reused. */
static int owner_probe(LONG64 owner, HANDLE *out, DWORD *owner_pid)
{
    DWORD tid = (DWORD)((uint64_t)owner >> 32), pid;
    FILETIME created, exited, kernel, user;
    HANDLE h;
    int waitable = 1, st;

    if (out != NULL)
        *out = NULL;
    *owner_pid = 0;
    h = OpenThread(SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
    if (h == NULL && GetLastError() == ERROR_ACCESS_DENIED) {
        /* Windows grants THREAD_QUERY_LIMITED_INFORMATION across integrity
         * levels where it refuses SYNCHRONIZE; the exit time then tells
         * whether the thread has ended. */
        waitable = 0;
        h = OpenThread(THREAD_QUERY_LIMITED_INFORMATION, FALSE, tid);
    }
    if (h == NULL)
        /* ERROR_INVALID_PARAMETER is Windows' answer for a thread id that
         * names no thread: the owner ended and nothing keeps its thread
         * object. */
        return GetLastError() == ERROR_INVALID_PARAMETER ? OWNER_DEAD
                                                         : OWNER_UNKNOWN;
    if (!GetThreadTimes(h, &created, &exited, &kernel, &user) ||
        (pid = GetProcessIdOfThread(h)) == 0)
        st = OWNER_UNKNOWN;
    else if (identity(tid, &created, pid) != owner)
        st = OWNER_DEAD; /* the id was reused by a newer thread */
    else if (waitable)
        st = WaitForSingleObject(h, 0) == WAIT_OBJECT_0 ? OWNER_DEAD
                                                        : OWNER_ALIVE;
    else
        st = exited.dwLowDateTime != 0 || exited.dwHighDateTime != 0
                 ? OWNER_DEAD
                 : OWNER_ALIVE;
    if (st == OWNER_ALIVE)
        *owner_pid = pid;
    if (st == OWNER_ALIVE && out != NULL && waitable)
        *out = h;
    else
        CloseHandle(h);
    return st;
}

/* owner_probe for a try: answers from the handle's cache when it holds the
 * same owner. */
static int probe_cached(xipc__mutex *m, LONG64 owner)
{
    HANDLE h;
    DWORD pid;
    int st;

    AcquireSRWLockExclusive(&m->cache_lock);
    if (m->cache_thread != NULL && m->cache_owner == owner) {
        st = WaitForSingleObject(m->cache_thread, 0) == WAIT_OBJECT_0
                 ? OWNER_DEAD
                 : OWNER_ALIVE;
    } else {
        st = owner_probe(owner, &h, &pid);
        if (h != NULL) {
            if (m->cache_thread != NULL)
                CloseHandle(m->cache_thread);
            m->cache_thread = h;
            m->cache_owner = owner;
        }
    }
    ReleaseSRWLockExclusive(&m->cache_lock);
    return st;
}

int xipc__mutex_init(void *shared, int recursive)
{
    struct shared *sh = shared;

    sh->word = ST_FREE;
    sh->robust = CONSISTENT;
    sh->depth = 0;
    sh->magic = SHARED_MAGIC;
    (void)recursive; /* the core repeats it to every attach */
    return 0;
}

/* Auto-reset: SetEvent releases one sleeper, or, if none sleeps yet,
 * stays set until one comes, so a wake sent just before its waiter sleeps
 * is not lost. */
static HANDLE make_event(SECURITY_ATTRIBUTES *sa, const wchar_t *name)
{
    return CreateEventW(sa, FALSE, FALSE, name);
}

int xipc__mutex_attach(xipc__mutex **out, void *shared, const xipc__seg *seg,
                       unsigned index, int recursive)
{
    struct shared *sh = shared;
    xipc__mutex *m;
    int rc;

    if ((uintptr_t)shared % 8 != 0 || sh->magic != SHARED_MAGIC)
        return xipc__fail(XIPC_ECORRUPT, "attach", seg->name,
                          "the lock's shared bytes are not a lock");
    if ((m = calloc(1, sizeof *m)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", seg->name, NULL);
    m->sh = sh;
    m->recursive = recursive != 0;
    InitializeSRWLock(&m->cache_lock);
    /* The event's kind letter is "w". */
    rc = xipc__w32_seg_object(seg, 'w', index, make_event, "CreateEventW",
                              &m->wake, m->ename);
    if (rc != 0) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int xipc__mutex_detach(xipc__mutex *m)
{
    LONG64 w = load_word(m->sh);
    DWORD pid;

    /* Detaching cannot hurt a Windows process as it can a POSIX one (glibc
     * bug 14485), but the contract is the same on both: a handle stays
     * attached while a live thread of this process holds the mutex. */
    if (w != WORD_LOST && (w & ST_MASK) != ST_FREE &&
        (owner_of(w) == self_id() ||
         (owner_probe(owner_of(w), NULL, &pid) == OWNER_ALIVE &&
          pid == GetCurrentProcessId())))
        return xipc__fail(XIPC_EBUSY, "close", m->ename,
                          "a thread of this process holds the lock");
    if (m->cache_thread != NULL)
        CloseHandle(m->cache_thread);
    CloseHandle(m->wake);
    free(m);
    return 0;
}

/* The contended part of xipc__mutex_lock: the word was not FREE. */
static int lock_slow(xipc__mutex *m, LONG64 me, int64_t timeout_ms)
{
    struct shared *sh = m->sh;
    LONG64 w, want = me | ST_LOCKED, seen = 0;
    HANDLE waits[2], oh = NULL;
    int64_t deadline = 0, left;
    int spins = timeout_ms == 0 ? 0 : SPINS;
    int slept = 0, look = 0, expired, st, rc;
    DWORD n, ms, r, pid;

    w = load_word(sh);
    if (owner_of(w) == me) {
        if (!m->recursive)
            return XIPC_EDEADLK;
        if (sh->depth >= 0x7fffffff)
            return xipc__fail(XIPC_ESYS, "lock", NULL, "recursion too deep");
        sh->depth++;
        return 0;
    }
    /* Beyond about 146 years a timeout is as good as none. */
    if (timeout_ms > INT64_MAX / 2000000)
        timeout_ms = -1;
    if (timeout_ms > 0)
        deadline = xipc__sys_now_ns() + timeout_ms * 1000000;

    for (;;) {
        w = load_word(sh);
        if (w == WORD_LOST) {
            rc = XIPC_ENOTRECOVERABLE;
            break;
        }
        if ((w & ST_MASK) == ST_FREE) {
            if (cas_word(sh, want, w) == w) {
                sh->depth = 1;
                rc = 0;
                break;
            }
            continue;
        }
        if (spins > 0) {
            spins--;
            YieldProcessor();
            continue;
        }
        expired = timeout_ms == 0 ||
                  (timeout_ms > 0 && xipc__sys_now_ns() >= deadline);

        /* Look at the owner when a slice passed without a wake, when its
         * handle was signalled, or before giving up: a lock whose owner has
         * died is taken, even by a try. */
        if (look || expired) {
            look = 0;
            if (oh != NULL && owner_of(w) == seen)
                st = WaitForSingleObject(oh, 0) == WAIT_OBJECT_0 ? OWNER_DEAD
                                                                 : OWNER_ALIVE;
            else if (expired && !slept)
                st = probe_cached(m, owner_of(w));
            else {
                if (oh != NULL)
                    CloseHandle(oh);
                seen = owner_of(w);
                st = owner_probe(seen, &oh, &pid);
            }
            if (st == OWNER_DEAD) {
                /* Lost the race for the word: look again at whoever holds
                 * it now (maybe the same dead owner, newly marked). */
                if (cas_word(sh, me | ST_WAITERS, w) != w) {
                    look = 1;
                    continue;
                }
                sh->depth = 1;
                sh->robust = OWNER_DIED;
                rc = XIPC_EOWNERDEAD;
                break;
            }
        }
        if (expired && !slept) {
            rc = XIPC_ETIMEDOUT;
            break;
        }
        /* From here on this thread counts as a sleeper: it marks the word
         * so the owner's release wakes one, and takes the mutex marked too,
         * since other sleepers may remain (a wake it consumed was maybe
         * meant for them). A sleeper that gives up leaves the mark set for
         * the same reason. */
        if ((w & ST_MASK) == ST_LOCKED &&
            cas_word(sh, owner_of(w) | ST_WAITERS, w) != w)
            continue;
        want = me | ST_WAITERS;
        if (expired) {
            rc = XIPC_ETIMEDOUT;
            break;
        }
        ms = owner_of(w) == seen ? SLICE_MS : FIRST_SLICE_MS;
        if (timeout_ms > 0) {
            /* Whole milliseconds, rounded up: a wait that ends early is
             * only retried, one that ends late is late. */
            left = (deadline - xipc__sys_now_ns() + 999999) / 1000000;
            if (left < (int64_t)ms)
                ms = left > 0 ? (DWORD)left : 0;
        }
        n = 0;
        waits[n++] = m->wake;
        if (oh != NULL && owner_of(w) == seen)
            waits[n++] = oh;
        r = WaitForMultipleObjects(n, waits, FALSE, ms);
        slept = 1;
        if (r == WAIT_OBJECT_0 + 1 || r == WAIT_TIMEOUT)
            look = 1;
        else if (r != WAIT_OBJECT_0) {
            rc = xipc__w32_fail("WaitForMultipleObjects", m->ename,
                                GetLastError(), XIPC_ENOMEM);
            break;
        }
    }
    if (oh != NULL)
        CloseHandle(oh);
    /* The release that made the mutex not recoverable woke one sleeper;
     * each passes the wake on, so that none sleeps on. */
    if (rc == XIPC_ENOTRECOVERABLE && slept)
        SetEvent(m->wake);
    return rc;
}

int xipc__mutex_lock(xipc__mutex *m, int64_t timeout_ms)
{
    LONG64 me = self_id();

    if (cas_word(m->sh, me | ST_LOCKED, ST_FREE) == ST_FREE) {
        m->sh->depth = 1;
        return 0;
    }
    return lock_slow(m, me, timeout_ms);
}

int xipc__mutex_unlock(xipc__mutex *m)
{
    struct shared *sh = m->sh;
    LONG64 me = self_id(), old, now = ST_FREE;

    if (owner_of(load_word(sh)) != me)
        return XIPC_EPERM;
    if (m->recursive && sh->depth > 1) {
        sh->depth--;
        return 0;
    }
    sh->depth = 0;
    if (sh->robust != CONSISTENT)
        now = WORD_LOST;
    old = InterlockedExchange64(&sh->word, now);
    if ((old & ST_MASK) == ST_WAITERS)
        SetEvent(m->wake);
    return 0;
}

int xipc__mutex_consistent(xipc__mutex *m)
{
    struct shared *sh = m->sh;

    if (owner_of(load_word(sh)) != self_id())
        return XIPC_EPERM;
    if (sh->robust != OWNER_DIED)
        return XIPC_EINVAL;
    sh->robust = CONSISTENT;
    return 0;
}

int xipc__mutex_depth(const xipc__mutex *m)
{
    const struct shared *sh = m->sh;
    LONG d;

    if (owner_of(load_word(sh)) != self_id())
        return 0;
    d = sh->depth;
    return d < 1 ? 1 : (int)d;
}

int64_t xipc__mutex_holder(const void *shared)
{
    const volatile LONG64 *word = &((const struct shared *)shared)->word;
    LONG64 w;
    DWORD pid;

    /* The bytes may be mapped read-only, where load_word's interlocked read
     * (32-bit x86) would fault: a plain 64-bit load on Win64; elsewhere the
     * two halves, read until two readings agree. */
#ifdef _WIN64
    w = *word;
#else
    {
        const volatile LONG *half = (const volatile LONG *)word;
        LONG lo, hi;
        do {
            hi = half[1];
            lo = half[0];
        } while (half[1] != hi);
        w = (LONG64)((uint64_t)(uint32_t)hi << 32 | (uint32_t)lo);
    }
#endif
    if (w == WORD_LOST || (w & ST_MASK) == ST_FREE)
        return 0;
    /* A dead owner holds nothing, as on POSIX, where the kernel clears a
     * dead holder's id from the futex word. */
    if (owner_probe(owner_of(w), NULL, &pid) == OWNER_DEAD)
        return 0;
    return (int64_t)(uint32_t)((uint64_t)w >> 32); /* the owner's thread id */
}
