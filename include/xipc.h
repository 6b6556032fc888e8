/*
 * xipc.h - the whole public API of xipc.
 *
 * xipc gives separate processes the shared objects of Python's multiprocessing
 * (named shared memory, Lock and RLock, Value and Array, Queue, Semaphore and
 * BoundedSemaphore, Event, Condition, Barrier, and a spawn-style process API)
 * with one API and identical behaviour on POSIX and Windows. This header includes no platform header: every handle is
 * opaque and every type is fixed-width or standard C.
 *
 * Conventions, for every function below:
 *  - The return value is an int: 0 (or a documented non-negative count) on
 *    success, a negative XIPC_E* code on failure. xipc_strerror() and
 *    xipc_err_name() describe a code; xipc_last_error() gives the calling
 *    thread's detail of its last failure (which system call, on what name).
 *  - Output pointers are written only on success.
 *  - Handles may be used from any thread, but one handle must not be closed
 *    while another thread still uses it.
 *  - Names follow one grammar on every platform (see xipc_name_check()).
 */
#ifndef XIPC_H
#define XIPC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* XIPC_API marks the exported functions. A static build (the default) needs
 * nothing; the shared build defines XIPC_BUILDING_SHARED while compiling the
 * library and users of the DLL define XIPC_SHARED. */
#if defined(XIPC_BUILDING_SHARED)
#  if defined(_WIN32) || defined(__CYGWIN__)
#    define XIPC_API __declspec(dllexport)
#  else
#    define XIPC_API __attribute__((visibility("default")))
#  endif
#elif defined(XIPC_SHARED) && (defined(_WIN32) || defined(__CYGWIN__))
#  define XIPC_API __declspec(dllimport)
#else
#  define XIPC_API
#endif

/* ------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------ */

#define XIPC_VERSION_MAJOR 0
#define XIPC_VERSION_MINOR 2
#define XIPC_VERSION_PATCH 0

/* Returns the library's version as "MAJOR.MINOR.PATCH". */
XIPC_API const char *xipc_version(void);

/* ------------------------------------------------------------------------
 * Errors
 *
 * One table gives every code, its name and its message; the numbers are the
 * same on every platform and never overlap with errno or Win32 codes.
 * ------------------------------------------------------------------------ */

#define XIPC_ERRNO_MAP(XX)                                                     \
    XX(EINVAL, -1, "invalid argument (bad name, size, flag or handle)")       \
    XX(ENOENT, -2, "no such object")                                          \
    XX(EEXIST, -3, "an object of that name already exists")                   \
    XX(ENOMEM, -4, "out of memory")                                           \
    XX(ENOSPC, -5, "not enough shared memory to create the object")           \
    XX(EACCES, -6, "permission denied")                                       \
    XX(EKIND, -7, "the name holds an object of another kind or type")         \
    XX(EVERSION, -8, "the object has an incompatible layout version")         \
    XX(ECORRUPT, -9, "the object is corrupted, truncated or not an xipc object") \
    XX(ETIMEDOUT, -10, "the timeout expired")                                 \
    XX(EDEADLK, -11, "the calling thread already holds the lock")             \
    XX(EPERM, -12, "the calling thread does not hold the lock")               \
    XX(EOWNERDEAD, -13, "acquired, but the previous holder died holding it")  \
    XX(ENOTRECOVERABLE, -14, "the lock is not recoverable")                   \
    XX(EBUSY, -15, "resource busy")                                           \
    XX(ECLOSED, -16, "the object has been closed")                            \
    XX(EMSGSIZE, -17, "message too large")                                    \
    XX(ENOTSUP, -18, "operation not supported on this platform")              \
    XX(ECHILD, -19, "no such child process, or it was already waited for")    \
    XX(ESYS, -20, "unexpected operating system error (see xipc_last_error)")  \
    XX(EOVERFLOW, -21, "released more times than acquired (the bound of a BoundedSemaphore)") \
    XX(EBROKEN, -22, "the barrier is broken (aborted, timed out, or a party died)")

enum xipc_errno {
#define XIPC__ERR_ENUM(name, value, msg) XIPC_##name = (value),
    XIPC_ERRNO_MAP(XIPC__ERR_ENUM)
#undef XIPC__ERR_ENUM
    XIPC__ERR_LAST = -23
};

/* Returns a static English sentence for an error code ("success" for 0,
 * "unknown error" for a value that is no XIPC_E* code). Never NULL. */
XIPC_API const char *xipc_strerror(int rc);

/* Returns the code's symbolic name, e.g. "XIPC_ENOENT" ("XIPC_OK" for 0,
 * "XIPC_E?" for an unknown value). Never NULL. */
XIPC_API const char *xipc_err_name(int rc);

/* Returns the calling thread's description of its most recent failure, e.g.
 * "shm_open(/xipc.jobs): Permission denied", or "" if there was none. The
 * text stays valid until the thread's next xipc call. Never NULL. */
XIPC_API const char *xipc_last_error(void);

/* ------------------------------------------------------------------------
 * Names
 *
 * Every named object uses one grammar: 1 to XIPC_NAME_MAX characters from
 * [A-Za-z0-9._-], starting with a letter or a digit. Names are
 * case-insensitive on every platform (as Windows kernel names are): "Job" and
 * "job" name the same object, and xipc reports the lower-case form. All
 * kinds of object share one namespace: a name holds at most one object, and
 * opening it as another kind is XIPC_EKIND. A bad name is XIPC_EINVAL before
 * any system call is made.
 *
 * Fresh names. The create of every kind, given NULL or a name that ends in
 * '*', makes a name that no live object has (as Python's
 * SharedMemory(create=True) does when given no name): the part before the
 * '*' (up to XIPC_FRESH_PREFIX_MAX characters of the grammar; "xipc-" for
 * NULL), the creating process's id in decimal, '-' and 8 random hexadecimal
 * digits: "jobs-*" gives e.g. "jobs-4711-9f3a0c2e". A draw that is taken
 * is drawn again, so any number of creates of "jobs-*", in any processes
 * at once, never collide (XIPC_EEXIST only if 64 draws in a row were
 * taken). The handle's xipc_<kind>_name() gives the name made: pass it to
 * the processes that open the object. Fixed names are for unrelated
 * processes that meet by name; fresh ones for everything a program hands
 * to its own children. '*' is allowed only there: anywhere else, and in
 * an open, unlink or stat, it is XIPC_EINVAL.
 * ------------------------------------------------------------------------ */

#define XIPC_NAME_MAX 63

/* The most characters before the '*' of a fresh name (see above): room is
 * left for the longest process id (10 digits), '-' and 8 digits. */
#define XIPC_FRESH_PREFIX_MAX 44

/* Returns 0 if name is a valid xipc name, else XIPC_EINVAL. */
XIPC_API int xipc_name_check(const char *name);

/* ------------------------------------------------------------------------
 * Lifetime (the same for every kind of named object, on every platform)
 *
 *  - create(name) makes a new object exclusively: XIPC_EEXIST if a live
 *    object of that name exists, never a silent adoption.
 *  - open(name) attaches to the live object: XIPC_ENOENT if there is none.
 *    Each create or open gives a handle; the process "holds" the object until
 *    it closes that handle or exits, however it exits.
 *  - An object lives while at least one handle to it is held. When the last
 *    holder closes it, exits or is killed, the object is destroyed and its
 *    name is free again. The kernel keeps this count (a lock the kernel drops
 *    when a process dies), so a crash never leaves a wrong count behind.
 *  - unlink(name) frees the name at once: later opens get XIPC_ENOENT and a
 *    later create makes a new, separate object, while processes that still
 *    hold the old one keep using it until they close it.
 *  - On POSIX, an object whose holders were all killed leaves its memory in
 *    /dev/shm until the next create, open or unlink of that name, or
 *    xipc_sweep(), reclaims it; on Windows the kernel frees it at once. In
 *    both cases the name behaves as free.
 *  - Names belong to their user: on POSIX each user's objects live in a
 *    directory of their own (/dev/shm/xipc-<uid>, mode 0700), on Windows in
 *    the session's Local\ namespace with the creator's default security.
 *    Another user can neither see, open, create, squat nor block a name of
 *    yours; an object that is not yours, or not owner-only, is refused with
 *    XIPC_EACCES and xipc_last_error() says why.
 *  - Threat model: other users are kept out by the system. Your own
 *    processes share the objects' bytes, so a buggy one can damage them:
 *    every byte read from an object is checked, and damage gives an error
 *    code (XIPC_ECORRUPT, or XIPC_EOWNERDEAD / XIPC_ENOTRECOVERABLE for a
 *    lock), never a crash, a write outside the object or a wait past a
 *    timeout. What such a process can still do: change the data itself,
 *    break a lock's exclusion by writing its word, or truncate a segment
 *    file on POSIX (others then fault on the lost pages).
 *  - One name never blocks another: create, open, close and unlink wait
 *    for each other per name only, and only for a few system calls (a
 *    create reserves and fills its memory before its name appears). A
 *    process stopped in the middle of its own create, close or unlink of a
 *    name delays other operations on that name by at most about 5 seconds
 *    (then XIPC_EBUSY), and on no other name.
 *  - fork() without exec (POSIX): a forked child may use every handle it
 *    inherited as its own (it is a new process: its threads have their own
 *    identities, hold none of the parent's locks and must acquire them),
 *    and may close them: a child's close never destroys what the parent
 *    still holds, nor the parent's close what the child holds. Do not fork
 *    while another thread is inside an xipc call.
 * ------------------------------------------------------------------------ */

/* Frees the name of the live object called `name`, whatever its kind (see
 * above). Returns 0, or XIPC_EINVAL, XIPC_ENOENT, XIPC_ECORRUPT (the name
 * holds something that is not an xipc object), XIPC_EACCES, XIPC_EBUSY (a
 * process stopped in the middle of its own work on this name), XIPC_ESYS. */
XIPC_API int xipc_unlink(const char *name);

/* Called by xipc_sweep() for each stale object it removed. */
typedef void (*xipc_sweep_cb)(const char *name, void *ctx);

/* Removes every stale xipc object (one whose holders have all exited or been
 * killed) whose name starts with `prefix` (case-insensitive; NULL or "" for
 * every name) and reports each by calling cb(name, ctx) if cb is not NULL.
 * Live objects are never touched. Returns the number removed (>= 0), or
 * XIPC_EINVAL (prefix longer than XIPC_NAME_MAX), XIPC_ESYS, XIPC_EACCES. */
XIPC_API int xipc_sweep(const char *prefix, xipc_sweep_cb cb, void *ctx);

/* ------------------------------------------------------------------------
 * Inspection: what lives under which name (the `xipc` tool is built on it).
 * ------------------------------------------------------------------------ */

/* The kinds of object, one line each: XX(NAME, number, "name"). The
 * numbers are part of the shared layout. One list gives the enum, the names
 * (xipc_kind_name) and, inside the library, each kind's description. */
#define XIPC_KIND_MAP(XX)                                                      \
    XX(SHM, 1, "shm")     /* xipc_shm */                                       \
    XX(LOCK, 2, "lock")   /* xipc_lock, recursive = 0 */                       \
    XX(RLOCK, 3, "rlock") /* xipc_lock, recursive = 1 */                       \
    XX(VALUE, 4, "value") /* xipc_value */                                     \
    XX(ARRAY, 5, "array") /* xipc_array */                                     \
    XX(QUEUE, 6, "queue") /* xipc_queue */                                     \
    XX(SEMAPHORE, 7, "semaphore") /* xipc_semaphore, bounded or not */         \
    XX(EVENT, 8, "event")         /* xipc_event */                             \
    XX(CONDITION, 9, "condition") /* xipc_condition */                         \
    XX(BARRIER, 10, "barrier")    /* xipc_barrier */

typedef enum xipc_kind {
#define XIPC__KIND_ENUM(name, value, str) XIPC_KIND_##name = (value),
    XIPC_KIND_MAP(XIPC__KIND_ENUM)
#undef XIPC__KIND_ENUM
    XIPC__KIND_END
} xipc_kind;

/* Returns the kind's name (the third column of XIPC_KIND_MAP: "shm",
 * "lock", "rlock", "value", "array", "queue", ...), or "?" for another
 * number. Never NULL. */
XIPC_API const char *xipc_kind_name(int kind);

/* What xipc_stat() and xipc_list() report about one object: a snapshot,
 * which may be out of date by the time it is read. */
typedef struct xipc_info {
    char name[XIPC_NAME_MAX + 1]; /* canonical name */
    int live;            /* 1: held by a live process. 0: stale (every
                          * holder died; POSIX only): nothing else is known */
    int kind;            /* xipc_kind */
    int type;            /* xipc_type of a Value or Array, else 0 */
    uint64_t size;       /* bytes of the object's data (a Value's or
                          * Array's elements, a block's size) */
    uint64_t length;     /* elements of a Value (1) or an Array, else 0 */
    int64_t creator_pid; /* process that created it */
    int64_t holder;      /* for objects with a lock: an opaque id of the
                          * thread holding it (unique among the threads
                          * that ever used the object), 0 if free or held
                          * by a thread that died; -1 for objects without */
    int64_t holder_pid;  /* the holder's process id as that process saw it
                          * (in its own PID namespace), 0 if none */
    /* For a Queue (size is then its capacity in bytes): */
    uint64_t max_msg;    /* the largest message */
    int64_t messages;    /* messages in it now */
    uint64_t used;       /* bytes of its capacity they occupy */
    int closed;          /* 1 once shut down (xipc_queue_shutdown) */
    /* For the synchronisation objects (see each one's section): */
    int64_t value;       /* a Semaphore's value; an Event: 1 set, 0 clear */
    int64_t max_value;   /* a BoundedSemaphore's bound, else 0 */
    int64_t waiting;     /* threads waiting on it now (a snapshot) */
    int64_t parties;     /* a Barrier's parties */
    int64_t round;       /* a Barrier's round number (see Barrier) */
    int broken;          /* 1 if a Barrier is broken */
    /* The object's state in words, as `xipc info` prints it ("free",
     * "held by thread 123 of process 45", "value 2 of 5, 1 waiting"...). */
    char state[96];
} xipc_info;

/* Describes the live object `name`, of any kind, without changing it: it
 * is mapped read-only for a look, holds nothing, waits for no other process
 * and reclaims nothing. A stale object (see Lifetime) is XIPC_ENOENT.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EVERSION,
 * XIPC_ECORRUPT (damaged, or of a kind this xipc does not know),
 * XIPC_EACCES, XIPC_ESYS. */
XIPC_API int xipc_stat(const char *name, xipc_info *out);

/* Called by xipc_list() for each object. */
typedef void (*xipc_list_cb)(const xipc_info *info, void *ctx);

/* Calls cb(info, ctx) for every xipc object whose name starts with `prefix`
 * (case-insensitive; NULL or "" for all), live or stale, in no particular
 * order. Every object that lives for the whole call is reported, once,
 * however other processes create and destroy objects meanwhile; one created
 * or destroyed during the call may or may not be. It removes nothing and
 * waits for no other process (see xipc_stat); one whose last holder dies in
 * between, or that cannot be described (damaged), is skipped. Returns the
 * number reported (>= 0), or XIPC_EINVAL (prefix too long), XIPC_ENOMEM,
 * XIPC_ESYS, XIPC_EACCES, or XIPC_EBUSY (under Wine before 9.11 only: the
 * system's directory of named objects changed too fast to be read whole;
 * see README's platform differences). */
XIPC_API int xipc_list(const char *prefix, xipc_list_cb cb, void *ctx);

/* ------------------------------------------------------------------------
 * Named shared memory: Python's multiprocessing.shared_memory.SharedMemory.
 *
 * A block of bytes that several processes map at once. The size a user sees
 * is exactly the size asked for. The memory is zero-filled at creation,
 * reserved up front (a full system gives XIPC_ENOSPC at create, not a crash
 * later) and accessible to the creating user only (mode 0600 whatever the
 * umask on POSIX; the creator's default security on Windows).
 * ------------------------------------------------------------------------ */

typedef struct xipc_shm xipc_shm;

/* Flags for xipc_shm_open(). */
#define XIPC_RDWR 0   /* map readable and writable */
#define XIPC_RDONLY 1 /* map read-only: a write through the pointer faults */

/* Creates the block `name` (NULL or "prefix*": a fresh name, see Names;
 * xipc_shm_name() tells it) of `size` bytes (size >= 1) and maps it
 * read-write, as Python's SharedMemory(name, create=True, size=size).
 * Returns 0 and *out, or XIPC_EINVAL (bad name, size 0 or too large),
 * XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS, or
 * XIPC_EBUSY when 16 earlier objects of this name were unlinked and are
 * still held (see README's platform differences). */
XIPC_API int xipc_shm_create(xipc_shm **out, const char *name, size_t size);

/* Opens the live named block, mapped read-write (XIPC_RDWR) or read-only
 * (XIPC_RDONLY). The object's header is validated against the size of the
 * mapping before anything else is read.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND (another kind of
 * object), XIPC_EVERSION (another layout version), XIPC_ECORRUPT (foreign,
 * truncated, half-initialised or damaged), XIPC_EACCES, XIPC_ENOMEM,
 * XIPC_ESYS. */
XIPC_API int xipc_shm_open(xipc_shm **out, const char *name, int flags);

/* Unmaps the block and releases the handle; the last holder's close destroys
 * the object. Pointers from xipc_shm_data() are invalid afterwards.
 * Returns 0, or XIPC_EINVAL for a NULL handle. */
XIPC_API int xipc_shm_close(xipc_shm *shm);

/* Frees the name (see Lifetime), as xipc_unlink(). Returns 0, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EACCES, XIPC_ESYS. */
XIPC_API int xipc_shm_unlink(const char *name);

/* Returns the block's name in its canonical lower-case form. */
XIPC_API const char *xipc_shm_name(const xipc_shm *shm);

/* Returns the block's size in bytes, exactly as given to create. */
XIPC_API size_t xipc_shm_size(const xipc_shm *shm);

/* Returns the address of the block's first byte in this process (aligned to
 * 64 bytes). Valid until xipc_shm_close(). */
XIPC_API void *xipc_shm_data(const xipc_shm *shm);

/* Returns 1 if the handle maps the block read-only, 0 otherwise. */
XIPC_API int xipc_shm_readonly(const xipc_shm *shm);

/* ------------------------------------------------------------------------
 * Lock and RLock: Python's multiprocessing.Lock / RLock, robust.
 *
 * A named lock owned by a thread: threads of one process contend exactly as
 * processes do. An RLock counts up to 2^31 - 1 levels. The lock is xipc's
 * own word in shared memory on every
 * platform (no libc object, no pointer): the uncontended acquire and release
 * make no system call, and neither does a failed try, but for a look at a
 * holder it meets for the first time (whether it is alive) and then at most
 * one look per 0.1 ms (POSIX) or 2 ms (Windows) of trying. A waiter sleeps in
 * the kernel. A thread's identity as owner is exact: the same in every PID
 * namespace, never a recycled thread or process id, new in a forked child.
 * A thread may hold any number of locks.
 *  - Lock is not recursive: acquiring a Lock you hold is XIPC_EDEADLK (it
 *    would deadlock), whatever the timeout. RLock counts: release it as many
 *    times as you acquired it.
 *  - Only the holder may release: otherwise XIPC_EPERM.
 *  - If the holder dies (its thread or process exits or is killed), the next
 *    acquirer - including one already waiting, within milliseconds - gets
 *    the lock with XIPC_EOWNERDEAD: the data it protects may be
 *    half-updated. Repair it, call xipc_lock_consistent(), carry on.
 *    Releasing without that makes the lock XIPC_ENOTRECOVERABLE for
 *    everyone, for good.
 *  - A lock whose shared bytes were damaged answers XIPC_ECORRUPT (or, as
 *    the damage makes it look, XIPC_EOWNERDEAD or XIPC_ENOTRECOVERABLE),
 *    never a crash or a wait past the timeout.
 * Lifetime, names and open checks are those of every xipc object; opening a
 * Lock as an RLock (or anything else) is XIPC_EKIND.
 * ------------------------------------------------------------------------ */

typedef struct xipc_lock xipc_lock;

/* Creates the Lock (recursive = 0) or RLock (recursive = 1) `name` (NULL
 * or "prefix*": a fresh name, see Names), free.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES,
 * XIPC_ENOMEM, XIPC_EBUSY, XIPC_ESYS. */
XIPC_API int xipc_lock_create(xipc_lock **out, const char *name, int recursive);

/* Opens the live named lock; `recursive` must match what its creator chose.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND (another kind
 * of object, or the other of Lock/RLock), XIPC_EVERSION, XIPC_ECORRUPT,
 * XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_lock_open(xipc_lock **out, const char *name, int recursive);

/* Releases the handle (the last holder's close destroys the lock).
 * Returns 0, XIPC_EINVAL (also for the lock of a Value or Array, which
 * closes with its object), or XIPC_EBUSY if a thread of this process still
 * holds the lock (release it first; the handle stays open). */
XIPC_API int xipc_lock_close(xipc_lock *lock);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_lock_unlink(const char *name);

/* Acquires the lock, waiting up to timeout_ms milliseconds (0: try once,
 * XIPC_FOREVER: no limit) on the monotonic clock.
 * Returns 0; XIPC_EOWNERDEAD (acquired: the previous holder died holding
 * it); XIPC_ETIMEDOUT; XIPC_EDEADLK (a Lock the caller already holds);
 * XIPC_ENOTRECOVERABLE; XIPC_ECORRUPT (the lock's shared bytes are
 * damaged); XIPC_EINVAL (a NULL lock, such as xipc_value_lock() of a Value
 * created XIPC_RAW: nothing is acquired, and xipc_last_error() says where
 * the NULL came from); XIPC_ENOMEM or XIPC_EBUSY (the calling thread could
 * not be given an identity: out of memory or descriptors); XIPC_ESYS.
 * Every lock call (release, consistent, count) answers a NULL lock
 * likewise. */
XIPC_API int xipc_lock_acquire(xipc_lock *lock, int64_t timeout_ms);

/* Releases the lock (one level of an RLock). Returns 0, XIPC_EPERM (the
 * caller does not hold it), XIPC_EINVAL, or XIPC_ECORRUPT (an RLock whose
 * shared recursion count was damaged: it has been released completely). */
XIPC_API int xipc_lock_release(xipc_lock *lock);

/* After XIPC_EOWNERDEAD: declares the protected data repaired, so that the
 * lock stays usable. Returns 0, XIPC_EPERM (caller does not hold the lock),
 * XIPC_EINVAL (no owner death to recover from). */
XIPC_API int xipc_lock_consistent(xipc_lock *lock);

/* Returns how many times the calling thread holds the lock (0 or 1 for a
 * Lock), or XIPC_EINVAL for a NULL handle. */
XIPC_API int xipc_lock_count(const xipc_lock *lock);

/* Returns the lock's canonical name. */
XIPC_API const char *xipc_lock_name(const xipc_lock *lock);

/* ------------------------------------------------------------------------
 * Element types: fixed width on every platform.
 *
 * Value and Array hold elements of one of these types. There is no `long`:
 * it is 4 bytes on 64-bit Windows and 8 on 64-bit Linux. The numbers are
 * part of the shared layout.
 * ------------------------------------------------------------------------ */

typedef enum xipc_type {
    XIPC_I8 = 1,  /* int8_t,   Python 'b' */
    XIPC_U8 = 2,  /* uint8_t,  Python 'B' */
    XIPC_I16 = 3, /* int16_t,  Python 'h' */
    XIPC_U16 = 4, /* uint16_t, Python 'H' */
    XIPC_I32 = 5, /* int32_t,  Python 'i' */
    XIPC_U32 = 6, /* uint32_t, Python 'I' */
    XIPC_I64 = 7, /* int64_t,  Python 'q' */
    XIPC_U64 = 8, /* uint64_t, Python 'Q' */
    XIPC_F32 = 9, /* float,    Python 'f' */
    XIPC_F64 = 10, /* double,  Python 'd' */
    XIPC_CHAR = 11 /* char, one byte, Python 'c' */
} xipc_type;

/* Maps one of Python's array/ctypes typecodes to its xipc type:
 * 'b' 'B' 'h' 'H' 'i' 'I' 'q' 'Q' 'f' 'd' 'c' (the widths above).
 * Returns 0 and *out, or XIPC_EINVAL: for an unknown code, and for 'l', 'L'
 * and 'u', whose width differs between Windows and Linux (use 'i'/'q',
 * 'I'/'Q', or XIPC_U16/XIPC_U32 for a character type of known width). */
XIPC_API int xipc_type_from_code(char code, xipc_type *out);

/* Returns the size in bytes of one element of `type`, or 0 if `type` is not
 * an xipc_type. */
XIPC_API size_t xipc_type_size(xipc_type type);

/* Returns the type's name ("i32", "f64", "char", ...), or "?" if `type` is
 * not an xipc_type. Never NULL. */
XIPC_API const char *xipc_type_name(xipc_type type);

/* Flag for xipc_value_create() and xipc_array_create(): no lock (Python's
 * RawValue / RawArray, or lock=False). get/set then copy without locking;
 * the atomic operations of Value work all the same. */
#define XIPC_RAW 2

/* ------------------------------------------------------------------------
 * Value: Python's multiprocessing.Value / RawValue.
 *
 * One element of a fixed type in shared memory, with a lock unless created
 * XIPC_RAW. The lock is an RLock, as in Python: a thread holding it (for a
 * compound update, through xipc_value_lock()) may call get and set, which
 * take it again.
 *  - get/set copy the value under the lock.
 *  - Integer Values also have lock-free atomic load, store, add, exchange
 *    and compare-exchange; floating Values an atomic add. These never take
 *    the lock: do not mix them with updates made under the lock and expect
 *    the lock to exclude them, and read a Value that others change
 *    atomically with xipc_value_load, not get (a raw get is a plain copy).
 *  - Owner death: if a holder of the lock died, the next locked operation
 *    (get, set, or any copy of an Array) copies nothing and returns
 *    XIPC_EOWNERDEAD with the calling thread holding the lock: check or
 *    repair the data (through the pointer, or get and set, which the holder
 *    may call), call xipc_lock_consistent(xipc_value_lock(v)), release the
 *    lock with xipc_lock_release(), and carry on.
 *  - A handle opened XIPC_RDONLY maps the value read-only: get reads
 *    without the lock (which lives in the read-only mapping), set and the
 *    atomics return XIPC_EACCES, and xipc_value_lock() returns NULL.
 *  - Sizes: every call that copies into or out of the caller's memory
 *    (create's initial value, get, set; for Array also the element and
 *    range copies) takes that memory's size in bytes and refuses any size
 *    but the object's with XIPC_EINVAL, reading and writing nothing, so
 *    that a variable of the wrong type is an error rather than an overrun.
 * Lifetime, names and open checks are those of every xipc object.
 * ------------------------------------------------------------------------ */

typedef struct xipc_value xipc_value;

/* Creates the Value `name` (NULL or "prefix*": a fresh name, see Names) of
 * `type`, set to the init_size bytes at init, an object of the type's C
 * type (init_size must be xipc_type_size(type): pass sizeof of the
 * variable), or to zero (init NULL, init_size 0); with a lock (flags 0) or
 * without (XIPC_RAW), as Python's Value(typecode, x) / RawValue.
 *     int64_t x = 10;
 *     xipc_value_create(&v, "hits", XIPC_I64, &x, sizeof x, 0);
 * Returns 0 and *out, or XIPC_EINVAL (bad name, type or flags, or an
 * init_size that is not the type's: nothing is read from init),
 * XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES, XIPC_ENOMEM, XIPC_EBUSY,
 * XIPC_ESYS. */
XIPC_API int xipc_value_create(xipc_value **out, const char *name,
                               xipc_type type, const void *init,
                               size_t init_size, int flags);

/* Opens the live named Value, which must be of `type`; flags XIPC_RDWR or
 * XIPC_RDONLY. Whether it has a lock is the creator's choice.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND (another kind
 * of object, or a Value of another type), XIPC_EVERSION, XIPC_ECORRUPT,
 * XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_value_open(xipc_value **out, const char *name,
                             xipc_type type, int flags);

/* Releases the handle (the last holder's close destroys the Value).
 * Returns 0, XIPC_EINVAL, or XIPC_EBUSY if a thread of this process holds
 * its lock (the handle stays open). */
XIPC_API int xipc_value_close(xipc_value *v);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_value_unlink(const char *name);

/* Copies the value into out, which holds `size` bytes: exactly the size
 * of the Value's type (xipc_type_size()), else XIPC_EINVAL. Under the lock;
 * a thread that holds the lock already goes straight in, so to bound the
 * wait, acquire xipc_value_lock(v) with a timeout first.
 * Returns 0, XIPC_EOWNERDEAD (nothing copied, lock held: see above),
 * XIPC_ENOTRECOVERABLE, XIPC_EINVAL, XIPC_ECORRUPT (the lock's shared
 * bytes are damaged), XIPC_ENOMEM or XIPC_EBUSY (the calling thread could
 * not be given an identity for the lock: out of memory or descriptors),
 * XIPC_ESYS. */
XIPC_API int xipc_value_get(xipc_value *v, void *out, size_t size);

/* Sets the value from in, `size` bytes, as xipc_value_get. Returns 0,
 * XIPC_EOWNERDEAD (not set, lock held: see above), XIPC_ENOTRECOVERABLE,
 * XIPC_EACCES (read-only handle), XIPC_EINVAL, and as xipc_value_get
 * XIPC_ECORRUPT, XIPC_ENOMEM, XIPC_EBUSY, XIPC_ESYS. */
XIPC_API int xipc_value_set(xipc_value *v, const void *in, size_t size);

/* Atomically reads an integer Value, without the lock (also through a
 * read-only handle), into *out, widened as for xipc_value_add.
 * Returns 0 or XIPC_EINVAL (not an integer Value, NULL argument). */
XIPC_API int xipc_value_load(const xipc_value *v, int64_t *out);

/* Atomically stores `x` (truncated to the value's width) into an integer
 * Value, without the lock. Returns 0, XIPC_EINVAL, XIPC_EACCES. */
XIPC_API int xipc_value_store(xipc_value *v, int64_t x);

/* Atomically adds `delta` to an integer Value, wrapping around as unsigned
 * arithmetic of the value's width does, and stores the value from before
 * in *old and the one after in *now (either may be NULL). Values are passed
 * as int64_t: an unsigned value's bits are reinterpreted (a u64 above
 * INT64_MAX reads as negative), a narrower one is widened by its own sign.
 * Returns 0, XIPC_EINVAL (not an integer Value), XIPC_EACCES (read-only). */
XIPC_API int xipc_value_add(xipc_value *v, int64_t delta, int64_t *old,
                            int64_t *now);

/* Atomically stores `desired` (truncated to the value's width) and returns
 * the previous value in *old (may be NULL). Integer Values only.
 * Returns 0, XIPC_EINVAL, XIPC_EACCES. */
XIPC_API int xipc_value_exchange(xipc_value *v, int64_t desired,
                                 int64_t *old);

/* Atomically: if the value equals *expected, stores `desired` (truncated to
 * the value's width) and returns 1; otherwise stores the current value in
 * *expected and returns 0. An *expected outside the range of the value's
 * type equals no value of it. Integer Values only.
 * Returns 1, 0, XIPC_EINVAL, XIPC_EACCES. */
XIPC_API int xipc_value_compare_exchange(xipc_value *v, int64_t *expected,
                                         int64_t desired);

/* Atomically adds `delta` to a floating Value (f32 or f64) and stores the
 * value from before in *old and after in *now (either may be NULL).
 * Returns 0, XIPC_EINVAL (not a floating Value), XIPC_EACCES. */
XIPC_API int xipc_value_add_float(xipc_value *v, double delta, double *old,
                                  double *now);

/* Returns the Value's lock (Python's get_lock()), an RLock owned by the
 * Value: acquire and release it, but do not close it.
 * Returns NULL for a Value created XIPC_RAW (Python's RawValue has no
 * get_lock()), for a handle opened XIPC_RDONLY (the lock lies in memory it
 * cannot write) and for NULL, and then records why for xipc_last_error().
 * Every lock call given that NULL returns XIPC_EINVAL and does nothing, and
 * its xipc_last_error() names the Value and the reason, e.g.
 * "xipc_lock_acquire: NULL lock (this thread's last NULL lock came from
 * xipc_value_lock(hits): the Value was created XIPC_RAW ...)": check the
 * acquire's code, as in
 *     if (xipc_lock_acquire(xipc_value_lock(v), XIPC_FOREVER) != 0) ...
 * A raw Value is updated with the atomics, which need no lock. */
XIPC_API xipc_lock *xipc_value_lock(const xipc_value *v);

/* Returns the address of the value in this process (Python's get_obj()),
 * 8-byte aligned, valid until close. Access through it is not locked, nor
 * atomic: against the atomics, use xipc_value_load / xipc_value_store. */
XIPC_API void *xipc_value_data(const xipc_value *v);

/* Returns 1 if the handle maps the Value read-only, 0 otherwise. */
XIPC_API int xipc_value_readonly(const xipc_value *v);

/* Returns the Value's element type (0 for NULL). */
XIPC_API xipc_type xipc_value_type(const xipc_value *v);

/* Returns the Value's canonical name (NULL for NULL). */
XIPC_API const char *xipc_value_name(const xipc_value *v);

/* ------------------------------------------------------------------------
 * Array: Python's multiprocessing.Array / RawArray.
 *
 * A fixed number of elements of one type in shared memory, with a lock (an
 * RLock, as for Value) unless created XIPC_RAW. Element and range copies
 * happen under the lock; xipc_array_data() reaches the elements without
 * copying. Indexes and ranges are checked (overflow-safe): out of range is
 * XIPC_EINVAL and no memory is touched. Owner death and read-only handles
 * behave as for Value: a read-only handle (XIPC_RDONLY) maps the elements
 * read-only, so N readers of one Array share one physical copy.
 * ------------------------------------------------------------------------ */

typedef struct xipc_array xipc_array;

/* Creates the Array `name` (NULL or "prefix*": a fresh name, see Names)
 * of `length` elements of `type` (length may be 0), filled from the
 * init_size bytes at init, which must be exactly the length elements
 * (init_size = length * xipc_type_size(type): pass sizeof of the C array),
 * or with zeros (init NULL, init_size 0); with a lock (flags 0) or without
 * (XIPC_RAW), as Python's Array(typecode, ...) / RawArray.
 *     double init[4] = {1, 2, 3, 4};
 *     xipc_array_create(&a, "table", XIPC_F64, 4, init, sizeof init, 0);
 * Returns 0 and *out, or XIPC_EINVAL (bad name, type, flags, a length whose
 * size overflows, or an init_size that is not the elements' size: nothing
 * is read from init), XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES, XIPC_ENOMEM,
 * XIPC_EBUSY, XIPC_ESYS. */
XIPC_API int xipc_array_create(xipc_array **out, const char *name,
                               xipc_type type, size_t length,
                               const void *init, size_t init_size, int flags);

/* Opens the live named Array, whose elements must be of `type`; flags
 * XIPC_RDWR or XIPC_RDONLY. Its length is the creator's.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND (another kind
 * of object, or an Array of another type), XIPC_EVERSION, XIPC_ECORRUPT,
 * XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_array_open(xipc_array **out, const char *name,
                             xipc_type type, int flags);

/* Releases the handle (the last holder's close destroys the Array).
 * Returns 0, XIPC_EINVAL, or XIPC_EBUSY if a thread of this process holds
 * its lock (the handle stays open). */
XIPC_API int xipc_array_close(xipc_array *a);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_array_unlink(const char *name);

/* Copies element `index` (Python's a[index]) into out, which holds `size`
 * bytes: exactly one element's (xipc_array_elem_size(): pass sizeof of the
 * variable), else XIPC_EINVAL, so that an int32_t cannot receive an
 * element of an XIPC_I64 Array. Under the lock. Returns 0,
 * XIPC_EOWNERDEAD (nothing copied, lock held: see Value),
 * XIPC_ENOTRECOVERABLE, XIPC_EINVAL (index out of range, size not one
 * element's, NULL argument: nothing copied), XIPC_ESYS. */
XIPC_API int xipc_array_get(xipc_array *a, size_t index, void *out,
                            size_t size);

/* Sets element `index` from the `size` bytes at in, exactly one element's
 * (as xipc_array_get), under the lock. Errors as for get, plus
 * XIPC_EACCES for a read-only handle. */
XIPC_API int xipc_array_set(xipc_array *a, size_t index, const void *in,
                            size_t size);

/* Copies `count` elements starting at `first` into out, under the lock
 * (Python's a[first:first+count]). out holds `size` bytes, which must be
 * exactly the count elements' (count * xipc_array_elem_size()): a buffer
 * of another element type or length is XIPC_EINVAL, and is neither
 * overrun nor partly filled. Returns as xipc_array_get; a range that does
 * not fit the Array is XIPC_EINVAL and copies nothing. */
XIPC_API int xipc_array_read(xipc_array *a, size_t first, size_t count,
                             void *out, size_t size);

/* Copies `count` elements from the `size` bytes at in (exactly count
 * elements', as xipc_array_read) to the Array starting at `first`, under
 * the lock. Returns as xipc_array_set; a range that does not fit, or a
 * size that is not the range's, is XIPC_EINVAL and writes nothing. */
XIPC_API int xipc_array_write(xipc_array *a, size_t first, size_t count,
                              const void *in, size_t size);

/* For an Array of one-byte elements (XIPC_CHAR, XIPC_I8, XIPC_U8), as
 * Python's `.value` of a c_char array: copies the bytes before the first
 * NUL (all of them if there is none) and a terminating NUL into buf, under
 * the lock. Returns the string's length (>= 0), or XIPC_EMSGSIZE (buf
 * holds fewer than length + 1 bytes; nothing is copied), XIPC_EINVAL
 * (elements wider than a byte, NULL argument), XIPC_EOWNERDEAD (nothing
 * copied, lock held: see Value), XIPC_ENOTRECOVERABLE, XIPC_ESYS. A string
 * of more than INT32_MAX bytes is XIPC_EMSGSIZE whatever the buffer: read
 * it with xipc_array_read. */
XIPC_API int xipc_array_get_string(xipc_array *a, char *buf, size_t size);

/* The other half of `.value`: stores the bytes of the string s and, if it
 * is shorter than the Array, a NUL after them, under the lock.
 * Returns 0, XIPC_EMSGSIZE (s is longer than the Array: nothing is
 * written), XIPC_EINVAL, XIPC_EACCES, XIPC_EOWNERDEAD (nothing written,
 * lock held),
 * XIPC_ENOTRECOVERABLE, XIPC_ESYS. */
XIPC_API int xipc_array_set_string(xipc_array *a, const char *s);

/* Returns the Array's lock (Python's get_lock()), as xipc_value_lock():
 * NULL, with the reason recorded, for an Array created XIPC_RAW (Python's
 * RawArray), for a read-only handle and for NULL; a lock call given that
 * NULL is XIPC_EINVAL and names the Array. */
XIPC_API xipc_lock *xipc_array_lock(const xipc_array *a);

/* Returns the address of the first element in this process (Python's
 * get_obj()), 64-byte aligned, valid until close; no copy, no lock. Through
 * a read-only handle, a write faults. */
XIPC_API void *xipc_array_data(const xipc_array *a);

/* Returns the number of elements (0 for NULL). */
XIPC_API size_t xipc_array_length(const xipc_array *a);

/* Returns the element type (0 for NULL). */
XIPC_API xipc_type xipc_array_type(const xipc_array *a);

/* Returns the size of one element in bytes (0 for NULL). */
XIPC_API size_t xipc_array_elem_size(const xipc_array *a);

/* Returns 1 if the handle maps the Array read-only, 0 otherwise. */
XIPC_API int xipc_array_readonly(const xipc_array *a);

/* Returns the Array's canonical name (NULL for NULL). */
XIPC_API const char *xipc_array_name(const xipc_array *a);

/* ------------------------------------------------------------------------
 * Queue: Python's multiprocessing.Queue, for byte strings.
 *
 * A named FIFO of messages - byte strings of 0 to max_msg bytes, each
 * received whole and exactly once - shared by any number of producer and
 * consumer processes (or threads). Messages of one producer arrive in the
 * order it put them. A put that returned 0 has stored the message in
 * shared memory: the producer may exit at once.
 *
 * Capacity. A queue stores messages in `capacity` bytes; a message of n
 * bytes occupies XIPC_QUEUE_MSG_COST(n) = 8 + n rounded up to a multiple
 * of 8 (a length header and the padded payload). A put waits while its
 * message does not fit in the free bytes, so an empty queue always accepts
 * a message of max_msg bytes, and a queue of capacity C holds at most
 * C / 8 messages (all empty ones). xipc_queue_bytes_used() counts in the
 * same unit. To hold N messages of up to M bytes each, create the queue
 * with capacity xipc_queue_capacity_for(N, M) and max_msg M (four 8-byte
 * messages need 64 bytes, not 32).
 *
 * Text. xipc_queue_put_string() and xipc_queue_get_string() carry C
 * strings: the bytes before the NUL travel, and the receiver gets them
 * back NUL-terminated (as Python's q.put(s.encode()) and q.get().decode()).
 *
 * Blocking calls take a timeout in milliseconds: 0 tries once, XIPC_FOREVER
 * waits without limit, anything else is measured on the monotonic clock
 * from the call. A waiting call sleeps in the kernel; a put or get that
 * finds room or a message, with nobody waiting on the other side, makes no
 * system call. A try never waits for room or a message, but it may wait
 * the moment another put (or get) takes to copy its message in (out).
 *
 * Robustness. A process killed at any point of a put or get - even while
 * it holds the queue's internal locks, half-way through copying - leaves
 * no torn message behind and does not wedge the queue: the next call
 * repairs what it left, without the user's help. A message whose put
 * returned is never lost and a message half-put is never seen; a consumer
 * killed in a get either took the message whole (it leaves with the
 * consumer, as if the get had returned) or left it at the front.
 *
 * Lifetime, names and open checks are those of every xipc object.
 * ------------------------------------------------------------------------ */

typedef struct xipc_queue xipc_queue;

/* The largest capacity of a queue: 1 GiB. */
#define XIPC_QUEUE_CAPACITY_MAX ((size_t)1 << 30)

/* Bytes a message of len bytes occupies in a queue's capacity, as a
 * uint64_t: 8 + len rounded up to a multiple of 8, or UINT64_MAX for a len
 * beyond XIPC_QUEUE_CAPACITY_MAX, which no queue holds (so that no len,
 * SIZE_MAX included, wraps around to a small cost). A constant expression
 * for a constant len; len is evaluated twice. */
#define XIPC_QUEUE_MSG_COST(len)                                               \
    ((uint64_t)(len) > (uint64_t)XIPC_QUEUE_CAPACITY_MAX                       \
         ? UINT64_MAX                                                          \
         : 8u + (((uint64_t)(len) + 7u) & ~(uint64_t)7u))

/* The capacity that holds `count` messages of up to msg_size bytes each at
 * once: count * XIPC_QUEUE_MSG_COST(msg_size), or SIZE_MAX if that is more
 * than any size_t (no queue holds it: xipc_queue_create then answers
 * XIPC_EINVAL, capacity too large). Pass it with max_msg = msg_size:
 *     xipc_queue_create(&q, "jobs-*", xipc_queue_capacity_for(100, 64), 64);
 * count 0 gives 0. Makes no call to the system. */
XIPC_API size_t xipc_queue_capacity_for(size_t count, size_t msg_size);

/* Creates the queue `name` (NULL or "prefix*": a fresh name, see Names),
 * empty, with room for `capacity` bytes of messages (rounded up to a
 * multiple of 8; see Capacity above, and xipc_queue_capacity_for) and
 * messages of at most `max_msg` bytes, which must fit the capacity:
 * XIPC_QUEUE_MSG_COST(max_msg) <= capacity <= XIPC_QUEUE_CAPACITY_MAX.
 * Returns 0 and *out, or XIPC_EINVAL (bad name or limits, NULL out),
 * XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES, XIPC_ENOMEM, XIPC_EBUSY,
 * XIPC_ESYS. */
XIPC_API int xipc_queue_create(xipc_queue **out, const char *name,
                               size_t capacity, size_t max_msg);

/* Opens the live named queue (its limits are the creator's).
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND (another
 * kind of object), XIPC_EVERSION, XIPC_ECORRUPT (damaged header or limits),
 * XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_queue_open(xipc_queue **out, const char *name);

/* Releases the handle, as Python's Queue.close(): it concerns this handle
 * only, and other handles and processes go on using the queue (to end it
 * for everyone, see xipc_queue_shutdown). The last holder's close destroys
 * the queue and the messages left in it. Must not be called while another
 * thread uses the handle. Returns 0 or XIPC_EINVAL. */
XIPC_API int xipc_queue_close(xipc_queue *q);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_queue_unlink(const char *name);

/* Puts a copy of the len bytes at msg (msg may be NULL if len is 0) at the
 * back of the queue, waiting up to timeout_ms for room.
 * Returns 0 (stored), XIPC_ETIMEDOUT (no room in time: nothing stored),
 * XIPC_EMSGSIZE (len > max_msg: nothing stored, at once), XIPC_ECLOSED
 * (the queue was shut down), XIPC_EINVAL, XIPC_ECORRUPT (the queue's
 * shared state was damaged by someone), XIPC_ENOTRECOVERABLE, XIPC_ESYS. */
XIPC_API int xipc_queue_put(xipc_queue *q, const void *msg, size_t len,
                            int64_t timeout_ms);

/* Takes the message at the front of the queue, waiting up to timeout_ms for
 * one, and copies it into buf, which has room for size bytes (buf may be
 * NULL if size is 0). Returns 0 and its length in *len; XIPC_EMSGSIZE if
 * it is longer than size: then *len receives its length (an exception to
 * the rule that outputs are written only on success) and the message stays
 * at the front of the queue; XIPC_ETIMEDOUT (empty in time); XIPC_ECLOSED
 * (shut down and empty: a shut-down queue is drained first, and then every
 * get answers XIPC_ECLOSED at once); XIPC_EINVAL; XIPC_ECORRUPT;
 * XIPC_ENOTRECOVERABLE; XIPC_ESYS. */
XIPC_API int xipc_queue_get(xipc_queue *q, void *buf, size_t size,
                            size_t *len, int64_t timeout_ms);

/* As xipc_queue_get(), for a message of unknown length: stores in *msg a
 * new block holding the message followed by one NUL byte (not counted in
 * *len: a text message reads as a C string), which the caller frees with
 * xipc_free(), and its length in *len. Returns 0, XIPC_ENOMEM (the message
 * stays queued) or the codes of xipc_queue_get() but XIPC_EMSGSIZE. */
XIPC_API int xipc_queue_get_alloc(xipc_queue *q, void **msg, size_t *len,
                                  int64_t timeout_ms);

/* Puts the C string s as a message: its strlen(s) bytes, without the NUL
 * (as Python's q.put(s.encode())), waiting up to timeout_ms for room.
 * Returns as xipc_queue_put(): 0, XIPC_EMSGSIZE (strlen(s) > max_msg:
 * nothing stored), XIPC_ETIMEDOUT, XIPC_ECLOSED, XIPC_EINVAL (NULL q or
 * s), XIPC_ECORRUPT, XIPC_ENOTRECOVERABLE, XIPC_ESYS. */
XIPC_API int xipc_queue_put_string(xipc_queue *q, const char *s,
                                   int64_t timeout_ms);

/* Takes the message at the front of the queue, waiting up to timeout_ms for
 * one, as a C string: copies it into buf, which holds `size` bytes, and a
 * NUL after it (as xipc_array_get_string). A buffer of
 * xipc_queue_max_msg(q) + 1 bytes always suffices. Returns the message's
 * length (>= 0; a message holding a NUL byte of its own is copied whole,
 * and reads as a shorter string), or XIPC_EMSGSIZE (the message and its NUL
 * do not fit in size bytes: nothing is copied and the message stays at the
 * front), XIPC_EINVAL (NULL q or buf, size 0), and the other codes of
 * xipc_queue_get(): XIPC_ETIMEDOUT, XIPC_ECLOSED, XIPC_ECORRUPT,
 * XIPC_ENOTRECOVERABLE, XIPC_ESYS. */
XIPC_API int xipc_queue_get_string(xipc_queue *q, char *buf, size_t size,
                                   int64_t timeout_ms);

/* Frees a block that xipc allocated for the caller (xipc_queue_get_alloc);
 * NULL is ignored. Use it rather than free(): on Windows the library and
 * the program may use different C runtimes. */
XIPC_API void xipc_free(void *p);

/* Shuts the queue down for writing, for every process and every handle
 * (not to be confused with xipc_queue_close, which releases one handle, as
 * Python's multiprocessing Queue.close() concerns only the calling
 * process; this is the thread queue's queue.Queue.shutdown() of Python
 * 3.13 with immediate=False, which multiprocessing.Queue lacks): later puts, and
 * puts blocked now, return XIPC_ECLOSED; gets take what is left, then
 * return XIPC_ECLOSED instead of waiting, and gets blocked now wake. It
 * waits up to timeout_ms milliseconds (0: try once; XIPC_FOREVER) for a put
 * in progress to finish. Idempotent; cannot be undone. Returns 0,
 * XIPC_ETIMEDOUT (a put held the queue for the whole timeout: nothing
 * changed), XIPC_EINVAL, XIPC_ECORRUPT, XIPC_ENOTRECOVERABLE or
 * XIPC_ESYS. */
XIPC_API int xipc_queue_shutdown(xipc_queue *q, int64_t timeout_ms);

/* The state at the moment of the call (another process may change it right
 * after). Each returns its answer (>= 0), or XIPC_EINVAL (NULL handle) or
 * XIPC_ECORRUPT (damaged shared state):
 *  - qsize: the number of messages in the queue;
 *  - bytes_used: the bytes of capacity they occupy (see Capacity);
 *  - empty: 1 if there is no message, else 0;
 *  - full: 1 if not even an empty message fits, else 0. */
XIPC_API int xipc_queue_qsize(const xipc_queue *q);
XIPC_API int xipc_queue_bytes_used(const xipc_queue *q);
XIPC_API int xipc_queue_empty(const xipc_queue *q);
XIPC_API int xipc_queue_full(const xipc_queue *q);

/* The queue's capacity in bytes (as rounded at create) and its largest
 * message; 0 for a NULL handle. */
XIPC_API size_t xipc_queue_capacity(const xipc_queue *q);
XIPC_API size_t xipc_queue_max_msg(const xipc_queue *q);

/* Returns the queue's canonical name. */
XIPC_API const char *xipc_queue_name(const xipc_queue *q);

/* ------------------------------------------------------------------------
 * Semaphore and BoundedSemaphore: Python's multiprocessing.Semaphore and
 * BoundedSemaphore, with an optional undo on death.
 *
 * A named counter of units, 0..XIPC_SEM_VALUE_MAX: acquire takes a unit,
 * waiting while there is none; release gives one back. Units have no
 * owner: any thread of any process may release (Python's rule), including
 * one that never acquired. A BoundedSemaphore (XIPC_SEM_BOUNDED) refuses a
 * release that would raise the value above its initial value.
 *
 * The value is a word of xipc's own in shared memory, changed by
 * compare-exchange on every platform: the uncontended acquire and release
 * make no system call, a release wakes at most one sleeping acquirer (and
 * makes a system call only when someone waits), and xipc_semaphore_get_value
 * is exact on every platform. Waiters sleep in the kernel; the order in
 * which waiting acquirers get released units is not specified (as in
 * Python). A waiter killed while it waits stays counted as waiting (in
 * xipc_info) and costs later releases a system call each, as a killed
 * sleeper does on every xipc object.
 *
 * Undo on death (XIPC_SEM_UNDO, chosen at create; what SysV's SEM_UNDO does
 * on Linux): the units a process acquired and has not released when it
 * ends - however it ends, SIGKILL and TerminateProcess included - are given
 * back, and the next acquire to succeed returns XIPC_EOWNERDEAD instead of
 * 0: it has its unit, but what the dead process's units guarded may be
 * half-updated, so check it. The units are looked for by acquirers that
 * find none free (so get_value counts them only once they are back): a
 * sleeping acquirer gets them within about 0.1 s of the death. Units are
 * counted per process (any of its threads may release what another
 * acquired) in a table of records, one per process that acquired (threads
 * of one process whose first acquires race may take one each: leave
 * room), sized at create (XIPC_SEM_UNDO_PROCESSES, default
 * XIPC_SEM_UNDO_DEFAULT): an
 * acquire by a new process that finds the table full of live processes is
 * refused with XIPC_EBUSY, taking nothing; a dead process's record is
 * reused. The count is exact: a
 * process killed at any instruction of an acquire or a release, or of the
 * giving back itself, has its units given back once, never more and never
 * fewer (docs/semaphore.md). Under undo, release from the process that
 * acquired: a unit released by another process stays owed by its acquirer
 * and is given back again if that one dies (the value still never passes
 * the bound of a BoundedSemaphore: a release that would is refused, and if
 * the releasing process holds units, one of them is dropped, since all are
 * free). A process that holds units cannot close its handles (XIPC_EBUSY)
 * until it has released them.
 *
 * Lifetime, names and open checks are those of every xipc object; a
 * semaphore whose shared words were damaged answers XIPC_ECORRUPT (or a
 * wrong value), never a crash or a wait past the timeout.
 * ------------------------------------------------------------------------ */

typedef struct xipc_semaphore xipc_semaphore;

/* The largest value of a semaphore (Linux's SEM_VALUE_MAX). */
#define XIPC_SEM_VALUE_MAX 2147483647

/* Flags of xipc_semaphore_create(), or-ed: */
#define XIPC_SEM_BOUNDED 1 /* a BoundedSemaphore: its bound is its value */
#define XIPC_SEM_UNDO 2    /* give back the units of processes that die */
/* With XIPC_SEM_UNDO: room for the units of n processes (1..4095, else
 * create says XIPC_EINVAL; without it, XIPC_SEM_UNDO_DEFAULT). */
#define XIPC_SEM_UNDO_PROCESSES(n) ((int)((unsigned)(n) << 16))
#define XIPC_SEM_UNDO_DEFAULT 64

/* Creates the semaphore `name` (NULL or "prefix*": a fresh name, see
 * Names) with `value` units (0..XIPC_SEM_VALUE_MAX), as Python's
 * Semaphore(value), or BoundedSemaphore(value) with XIPC_SEM_BOUNDED;
 * flags may add XIPC_SEM_UNDO and XIPC_SEM_UNDO_PROCESSES(n). Returns 0
 * and *out, or XIPC_EINVAL (bad name, value out of range, unknown flags,
 * NULL out), XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES, XIPC_ENOMEM,
 * XIPC_EBUSY, XIPC_ESYS. */
XIPC_API int xipc_semaphore_create(xipc_semaphore **out, const char *name,
                                   int64_t value, int flags);

/* Opens the live named semaphore, bounded or not, with or without undo as
 * its creator chose. Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT,
 * XIPC_EKIND (another kind of object), XIPC_EVERSION, XIPC_ECORRUPT,
 * XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_semaphore_open(xipc_semaphore **out, const char *name);

/* Releases the handle (the last holder's close destroys the semaphore).
 * Returns 0, XIPC_EINVAL, or XIPC_EBUSY (the handle stays open) if the
 * semaphore has undo and the calling process holds units of it: release
 * them first. */
XIPC_API int xipc_semaphore_close(xipc_semaphore *s);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_semaphore_unlink(const char *name);

/* Takes one unit, waiting up to timeout_ms milliseconds (0: try once,
 * XIPC_FOREVER: no limit) for one, as Python's acquire(timeout=...).
 * Returns 0; XIPC_EOWNERDEAD (undo only: the unit is taken, and units of a
 * process that died were given back since the last acquire: check what
 * they guarded); XIPC_ETIMEDOUT (nothing taken); XIPC_EBUSY (undo only:
 * the table of processes is full, see above; nothing taken); XIPC_ECORRUPT
 * (damaged shared words); XIPC_EINVAL; XIPC_ENOMEM or XIPC_ESYS (the
 * calling process could not be given an identity). */
XIPC_API int xipc_semaphore_acquire(xipc_semaphore *s, int64_t timeout_ms);

/* Gives back one unit and wakes one waiting acquirer, if any, as Python's
 * release(). Never waits. Returns 0; XIPC_EOVERFLOW (a BoundedSemaphore
 * already at its bound, or any semaphore at XIPC_SEM_VALUE_MAX: nothing
 * changed; Python raises ValueError or OverflowError); XIPC_ECORRUPT;
 * XIPC_EINVAL; XIPC_ENOMEM or XIPC_ESYS (undo only, as for acquire). */
XIPC_API int xipc_semaphore_release(xipc_semaphore *s);

/* Returns the number of units free now (>= 0), exactly, as Python's
 * get_value(); or XIPC_EINVAL for NULL. A snapshot: another process may
 * change it at once. */
XIPC_API int xipc_semaphore_get_value(const xipc_semaphore *s);

/* Returns the highest value a release can reach: a BoundedSemaphore's
 * bound (its initial value), else XIPC_SEM_VALUE_MAX; or XIPC_EINVAL. */
XIPC_API int xipc_semaphore_bound(const xipc_semaphore *s);

/* Returns the creator's flags: XIPC_SEM_BOUNDED, XIPC_SEM_UNDO and, with
 * undo, XIPC_SEM_UNDO_PROCESSES(size of the table); or XIPC_EINVAL. */
XIPC_API int xipc_semaphore_flags(const xipc_semaphore *s);

/* Returns the semaphore's canonical name (NULL for NULL). */
XIPC_API const char *xipc_semaphore_name(const xipc_semaphore *s);

/* ------------------------------------------------------------------------
 * Event: Python's multiprocessing.Event.
 *
 * A named flag, clear at create: set() sets it and wakes every thread of
 * every process waiting on it; clear() clears it; wait() returns at once
 * if it is set, else waits until it is set or the timeout expires. A wait
 * returns 0 if the event was set at any moment during the wait, even if
 * it was cleared again before the waiter ran (as threading.Event; Python's
 * multiprocessing.Event may then answer False). The flag is one word of
 * shared memory: wait on a set event and is_set are a load, with no system
 * call; set and clear make none either unless someone waits. Any 32-bit
 * pattern in the word is a valid state, so damage cannot make it fail.
 * Lifetime, names and open checks are those of every xipc object.
 * ------------------------------------------------------------------------ */

typedef struct xipc_event xipc_event;

/* Creates the event `name` (NULL or "prefix*": a fresh name, see Names),
 * clear. Returns 0 and *out, or XIPC_EINVAL (bad name, NULL out),
 * XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES, XIPC_ENOMEM, XIPC_EBUSY,
 * XIPC_ESYS. */
XIPC_API int xipc_event_create(xipc_event **out, const char *name);

/* Opens the live named event. Returns 0 and *out, or XIPC_EINVAL,
 * XIPC_ENOENT, XIPC_EKIND (another kind of object), XIPC_EVERSION,
 * XIPC_ECORRUPT, XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_event_open(xipc_event **out, const char *name);

/* Releases the handle (the last holder's close destroys the event).
 * Returns 0 or XIPC_EINVAL. */
XIPC_API int xipc_event_close(xipc_event *e);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_event_unlink(const char *name);

/* Sets the flag and, if it was clear, wakes every waiter, as Python's
 * set(). Returns 0 or XIPC_EINVAL. */
XIPC_API int xipc_event_set(xipc_event *e);

/* Clears the flag, as Python's clear(). Returns 0 or XIPC_EINVAL. */
XIPC_API int xipc_event_clear(xipc_event *e);

/* Returns 1 if the flag is set, 0 if it is clear (Python's is_set()), or
 * XIPC_EINVAL for NULL. */
XIPC_API int xipc_event_is_set(const xipc_event *e);

/* Waits up to timeout_ms milliseconds (0: just look, XIPC_FOREVER: no
 * limit) for the flag to be set, as Python's wait(timeout). Returns 0 (it
 * is set, or was set during the wait), XIPC_ETIMEDOUT (Python's False),
 * XIPC_EINVAL or XIPC_ESYS. */
XIPC_API int xipc_event_wait(xipc_event *e, int64_t timeout_ms);

/* Returns the event's canonical name (NULL for NULL). */
XIPC_API const char *xipc_event_name(const xipc_event *e);

/* ------------------------------------------------------------------------
 * Condition: Python's multiprocessing.Condition, robust.
 *
 * A named condition variable with a lock of its own: an RLock (flags 0, as
 * Python's Condition() makes) or a Lock (XIPC_COND_LOCK), chosen at create;
 * an open finds out which. Threads of one process wait and notify exactly
 * as processes do.
 *  - The lock: xipc_condition_acquire / xipc_condition_release, or the
 *    xipc_lock of xipc_condition_lock() (xipc_lock_count,
 *    xipc_lock_consistent...): the Lock or RLock contract above, owner
 *    death included.
 *  - wait lets go of the lock (every level of an RLock), sleeps until
 *    notified or the timeout, and takes the lock back at the same depth.
 *    One deadline covers the whole call, the sleep and the taking back: if
 *    another thread holds the lock until then, wait returns XIPC_EBUSY
 *    WITHOUT the lock (where Python and pthreads would wait past the
 *    timeout for it). wait, wait_for, notify and notify_all refuse a caller
 *    that does not hold the lock (XIPC_EPERM: Python raises RuntimeError).
 *  - notify(n) wakes exactly min(n, number waiting) of the threads waiting
 *    at the moment of the call, the longest-waiting first; notify_all wakes
 *    them all; a notify with no one waiting does nothing (it is not kept
 *    for a later waiter). A waiter that times out at the very moment it is
 *    notified takes the notification and returns 0.
 *  - Each waiter holds one entry of a table in the object while it waits:
 *    max_waiters entries, chosen at create (0: XIPC_COND_WAITERS_DEFAULT).
 *    A wait that finds it full, after taking back the entries of waiters
 *    that died, is refused at once with XIPC_ENOSPC (lock still held,
 *    nothing changed); no notify is ever lost for it.
 *  - A waiter killed while it waits does not swallow a notify: the
 *    notification it was given is passed to the longest-waiting live
 *    waiter, within about 0.2 s (live waiters look at the table while they
 *    sleep). The same holds for a waiter killed after it was notified but
 *    before it held the lock again (from that moment, which is when wait
 *    will return, the notification is its own), and for a waiter that
 *    gives up taking the lock back (XIPC_EBUSY, or a lock error).
 *  - Spurious wake-ups: a wait returns 0 only when a notify chose it, or
 *    when it received a notification passed on from a waiter that died or
 *    gave up - which may be one made before this waiter began to wait, or
 *    a second delivery of one whose passer died while passing it on.
 *    Python allows spurious wake-ups; test the predicate in a loop, or use
 *    wait_for, which does.
 *  - If the lock's holder dies (a notifier killed holding it, say), the
 *    waiter that takes the lock back gets it with XIPC_EOWNERDEAD (as
 *    Value's locked operations report it): repair, xipc_lock_consistent
 *    (xipc_condition_lock(c)), carry on. Call consistent before waiting:
 *    a wait releases the lock, and releasing it unrepaired makes it
 *    XIPC_ENOTRECOVERABLE.
 *  - Damaged shared words give XIPC_ECORRUPT (or the lock's codes), never
 *    a crash or a wait past the timeout.
 * Lifetime, names and open checks are those of every xipc object.
 * ------------------------------------------------------------------------ */

typedef struct xipc_condition xipc_condition;

/* Flag of xipc_condition_create(): the lock is a Lock (not recursive);
 * without it, an RLock, as Python's default. */
#define XIPC_COND_LOCK 1

/* The number of waiters a Condition has room for when its creator says 0,
 * and the most it may be given. An entry costs 16 bytes. */
#define XIPC_COND_WAITERS_DEFAULT 256
#define XIPC_COND_WAITERS_MAX 65536

/* Creates the named Condition with its lock free: an RLock (flags 0) or a
 * Lock (XIPC_COND_LOCK), with room for max_waiters threads waiting at once
 * (0: XIPC_COND_WAITERS_DEFAULT; at most XIPC_COND_WAITERS_MAX).
 * Returns 0 and *out, or XIPC_EINVAL (bad name, flags or max_waiters, NULL
 * out), XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES, XIPC_ENOMEM, XIPC_EBUSY,
 * XIPC_ESYS. */
XIPC_API int xipc_condition_create(xipc_condition **out, const char *name,
                                   int flags, size_t max_waiters);

/* Opens the live named Condition (its lock's flavour and its table are the
 * creator's). Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND
 * (another kind of object), XIPC_EVERSION, XIPC_ECORRUPT (damaged header,
 * words or table size), XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_condition_open(xipc_condition **out, const char *name);

/* Releases the handle (the last holder's close destroys the Condition).
 * Must not be called while another thread uses the handle. Returns 0,
 * XIPC_EINVAL, or XIPC_EBUSY if a thread of this process holds the lock
 * (the handle stays open). */
XIPC_API int xipc_condition_close(xipc_condition *c);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_condition_unlink(const char *name);

/* Acquires the Condition's lock (Python's Condition.acquire), waiting up
 * to timeout_ms (0: try; XIPC_FOREVER). Returns as xipc_lock_acquire: 0,
 * XIPC_EOWNERDEAD (acquired; the previous holder died holding it),
 * XIPC_ETIMEDOUT, XIPC_EDEADLK (a Lock the caller holds),
 * XIPC_ENOTRECOVERABLE, XIPC_ECORRUPT, XIPC_EINVAL, XIPC_ENOMEM,
 * XIPC_EBUSY, XIPC_ESYS. */
XIPC_API int xipc_condition_acquire(xipc_condition *c, int64_t timeout_ms);

/* Releases the Condition's lock, one level of an RLock (Python's
 * Condition.release). Returns as xipc_lock_release: 0, XIPC_EPERM,
 * XIPC_EINVAL, XIPC_ECORRUPT. */
XIPC_API int xipc_condition_release(xipc_condition *c);

/* Returns the Condition's lock as a Lock handle owned by the Condition
 * (acquire, release, count, consistent; do not close it), or NULL for
 * NULL. */
XIPC_API xipc_lock *xipc_condition_lock(const xipc_condition *c);

/* Waits to be notified (Python's Condition.wait): the caller must hold the
 * lock; wait releases it completely, sleeps until a notify chooses this
 * thread or timeout_ms passes (0: just look; XIPC_FOREVER), and acquires
 * it again to the same depth, all within timeout_ms (with 0, the lock
 * is let go and tried once again: another thread that took it meanwhile
 * makes it XIPC_EBUSY).
 * With the lock held again on return:
 *   0                  notified (Python: True);
 *   XIPC_ETIMEDOUT     not notified in time (Python: False);
 *   XIPC_EOWNERDEAD    the lock's previous holder died holding it: the
 *                      lock is held in the owner-died state (see above);
 *                      notified or not, test the predicate after repair;
 *   XIPC_ENOSPC        nothing done: the table of waiters is full.
 * Without the lock on return:
 *   XIPC_EBUSY         the deadline passed while another thread held the
 *                      lock (a notification taken is passed on);
 *   XIPC_EPERM         the caller does not hold the lock (nothing done);
 *   XIPC_EINVAL        NULL handle;
 *   XIPC_ENOTRECOVERABLE, XIPC_ESYS: from taking the lock back.
 * XIPC_ECORRUPT (damaged shared words) may come with the lock or without:
 * xipc_lock_count(xipc_condition_lock(c)) says which. XIPC_ENOMEM: the
 * thread could not be given an identity (lock held, nothing done). */
XIPC_API int xipc_condition_wait(xipc_condition *c, int64_t timeout_ms);

/* A predicate for xipc_condition_wait_for: called with the lock held,
 * returns > 0 when the awaited state holds, 0 when not yet, or < 0 for an
 * error of the caller's that ends the wait. */
typedef int (*xipc_predicate)(void *ctx);

/* Waits until predicate(ctx) is true (Python's Condition.wait_for): the
 * caller must hold the lock; the predicate is called first, then after
 * every wake-up, always with the lock held, and waits happen only while it
 * returns 0 and time is left - all within one timeout_ms (0: the predicate
 * once, no wait). Returns, with the lock held: the predicate's positive
 * value (Python returns the predicate's true value); XIPC_ETIMEDOUT (still
 * 0 when the time ran out: Python returns the false value); the
 * predicate's own negative value, at once; XIPC_EOWNERDEAD (at once, the
 * predicate not asked again: repair first); XIPC_ENOSPC. Or, as
 * xipc_condition_wait, XIPC_EBUSY and the other codes of a wait, and
 * XIPC_EINVAL (NULL handle or predicate), XIPC_EPERM. */
XIPC_API int xipc_condition_wait_for(xipc_condition *c,
                                     xipc_predicate predicate, void *ctx,
                                     int64_t timeout_ms);

/* Wakes up to n (>= 0) of the threads waiting now, the longest-waiting
 * first (Python's Condition.notify(n)); the caller must hold the lock, and
 * the woken threads return once it lets go of it. Never blocks (Python's
 * waits for the woken to wake). Returns the number it chose (0..n; Python
 * returns None), or XIPC_EPERM (the caller does not hold the lock),
 * XIPC_EINVAL (NULL handle, n < 0). */
XIPC_API int xipc_condition_notify(xipc_condition *c, int n);

/* Wakes every thread waiting now (Python's Condition.notify_all). Returns
 * their number, or XIPC_EPERM, XIPC_EINVAL. */
XIPC_API int xipc_condition_notify_all(xipc_condition *c);

/* Returns the Condition's canonical name (NULL for NULL). */
XIPC_API const char *xipc_condition_name(const xipc_condition *c);

/* Returns the number of waiters its table has room for (0 for NULL). */
XIPC_API size_t xipc_condition_max_waiters(const xipc_condition *c);

/* ------------------------------------------------------------------------
 * Barrier: Python's multiprocessing.Barrier (threading.Barrier's rules).
 *
 * A fixed number of parties - threads of any processes - wait for each
 * other: each call of xipc_barrier_wait() arrives, and once `parties` calls
 * have arrived they are all released together and the barrier starts its
 * next round at once (it can be used again and again). Any number of
 * threads may call wait; a round takes the first `parties` arrivals.
 *  - Index. Each call released by a round gets its arrival index: 0 for the
 *    first to arrive, parties - 1 for the last, exactly one of each per
 *    round (Python's Barrier.wait() return value).
 *  - Broken. A barrier breaks when a waiting call times out, when
 *    xipc_barrier_abort() is called, when an action fails, or when a party
 *    dies inside wait (below). Every call waiting in the round, and every
 *    later call, then returns XIPC_EBROKEN at once, until
 *    xipc_barrier_reset(). Python raises BrokenBarrierError in the same
 *    cases, also in the call that timed out.
 *  - A round either completes or breaks, for everyone in it: a call that
 *    returned an index knows that every party of its round did (or would
 *    have, had it not died after the round completed), and a round that
 *    broke gives XIPC_EBROKEN to every one of its parties. A call whose
 *    timeout expires at the moment the round completes gets its index.
 *  - A party that dies. Where Python's Barrier waits for ever when a
 *    waiting process is killed (python/cpython#123899), xipc breaks the
 *    barrier: a thread that dies inside xipc_barrier_wait() (killed with
 *    its process, or alone by TerminateThread on Windows) breaks the round
 *    it was in if that round had not completed, or else the next round,
 *    which it will never arrive in (unless that round has all its parties
 *    without it). The parties that wait see the death within about 250 ms
 *    (at most 1 s) and all return XIPC_EBROKEN. The kernel answers whether
 *    a party is alive (each thread inside wait is recorded in the barrier);
 *    the waiting parties ask it no more than once per 150 ms between them,
 *    and only once a round has been waited for that long, so a round that
 *    completes quickly makes no system call for it. A thread that dies
 *    outside wait (or in the first or the last instruction of a wait)
 *    cannot be told from one that is late: the others wait for it within
 *    their timeouts, as in Python.
 *  - Action. Python's Barrier(parties, action) runs action() in one of the
 *    threads once all have arrived, before any is released. Here each
 *    handle may carry an action (xipc_barrier_set_action): the last party
 *    to arrive (index parties - 1) runs its own handle's action, if it has
 *    one, while the others of its round stay waiting; if it returns
 *    non-zero, or its thread dies in it, the round breaks. Give every
 *    handle the same action to have Python's behaviour.
 *  - Waiting. A waiting call spins about 30 us (up to 1 ms more when
 *    rounds have been ending just after its waits went to sleep), then
 *    sleeps in the kernel (no CPU); the last arrival releases the others
 *    with one atomic compare-exchange and a wake-up that makes a system
 *    call only if some of them sleep.
 *  - Threads beyond `parties` that call wait while a round's action runs
 *    wait for the next round; one that times out then lets that round
 *    complete and breaks the barrier after it.
 *  - xipc_stat() and `xipc info` tell parties, waiting (n_waiting), broken
 *    and round: the round number, 0 at create, which advances by one when
 *    a round completes and when a reset ends one (modulo 2^44).
 * Lifetime, names and open checks are those of every xipc object.
 * ------------------------------------------------------------------------ */

typedef struct xipc_barrier xipc_barrier;

/* The largest number of parties of a barrier. */
#define XIPC_BARRIER_MAX_PARTIES 65536

/* An action (see above): called with the ctx given to
 * xipc_barrier_set_action(); returns 0, or non-zero to break the round. */
typedef int (*xipc_barrier_action_fn)(void *ctx);

/* Creates the named barrier for `parties` parties (1 to
 * XIPC_BARRIER_MAX_PARTIES; Python's Barrier(parties)), in round 0, not
 * broken, nobody waiting. Returns 0 and *out, or XIPC_EINVAL (bad name,
 * parties out of range, NULL out), XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES,
 * XIPC_ENOMEM, XIPC_EBUSY, XIPC_ESYS. */
XIPC_API int xipc_barrier_create(xipc_barrier **out, const char *name,
                                 int parties);

/* Opens the live named barrier (its parties are the creator's).
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND (another kind
 * of object), XIPC_EVERSION, XIPC_ECORRUPT (a damaged header, parties or
 * round word), XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_barrier_open(xipc_barrier **out, const char *name);

/* Releases the handle (the last holder's close destroys the barrier). Must
 * not be called while another thread uses the handle. Returns 0 or
 * XIPC_EINVAL. */
XIPC_API int xipc_barrier_close(xipc_barrier *b);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_barrier_unlink(const char *name);

/* Arrives at the barrier and waits up to timeout_ms milliseconds (0: do
 * not wait; XIPC_FOREVER: no limit; on the monotonic clock) for the round
 * to complete (Python's Barrier.wait(timeout)).
 * Returns the caller's arrival index in its round, 0 to parties - 1 (see
 * above), or:
 *  - XIPC_EBROKEN: the barrier is broken, or broke while the caller waited:
 *    this call's timeout expired (the barrier is now broken for everyone,
 *    as in Python), another waiter's did, xipc_barrier_abort() or
 *    xipc_barrier_reset() was called, the action failed, or a party died
 *    inside wait; xipc_last_error() says which when this call saw it;
 *  - XIPC_EINVAL (NULL handle), XIPC_ECORRUPT (the barrier's shared words
 *    were damaged by someone), XIPC_ENOMEM, XIPC_EBUSY or XIPC_ESYS (the
 *    calling thread could not be given an identity: nothing was done). */
XIPC_API int xipc_barrier_wait(xipc_barrier *b, int64_t timeout_ms);

/* Sets the action that this handle runs when its caller is the last to
 * arrive in a round (see above), or none with fn = NULL. Not to be changed
 * while another thread waits through this handle. Returns 0 or
 * XIPC_EINVAL. */
XIPC_API int xipc_barrier_set_action(xipc_barrier *b, xipc_barrier_action_fn fn,
                                     void *ctx);

/* Breaks the barrier (Python's Barrier.abort()): every call waiting now,
 * and every later one, returns XIPC_EBROKEN until xipc_barrier_reset().
 * Idempotent. Returns 0, XIPC_EINVAL or XIPC_ECORRUPT. */
XIPC_API int xipc_barrier_abort(xipc_barrier *b);

/* Returns the barrier to its empty state (Python's Barrier.reset()): calls
 * waiting now return XIPC_EBROKEN, later ones start a new round, and a
 * broken barrier is whole again. The round number advances (see
 * xipc_info.round) unless nobody was waiting and it was not broken.
 * Returns 0, XIPC_EINVAL or XIPC_ECORRUPT. */
XIPC_API int xipc_barrier_reset(xipc_barrier *b);

/* The state at the moment of the call; each returns its answer (>= 0), or
 * XIPC_EINVAL (NULL handle) or XIPC_ECORRUPT (damaged shared words):
 *  - n_waiting: the calls of the current round that have arrived and wait
 *    (Python's Barrier.n_waiting; 0 while broken);
 *  - parties: the number of parties (Python's Barrier.parties);
 *  - broken: 1 if the barrier is broken, else 0 (Python's Barrier.broken). */
XIPC_API int xipc_barrier_n_waiting(const xipc_barrier *b);
XIPC_API int xipc_barrier_parties(const xipc_barrier *b);
XIPC_API int xipc_barrier_broken(const xipc_barrier *b);

/* Returns the barrier's canonical name. */
XIPC_API const char *xipc_barrier_name(const xipc_barrier *b);

/* ------------------------------------------------------------------------
 * Processes: Python's "spawn" start method, on every platform.
 *
 * A child is this same executable started again, told to run one function
 * of a table the program gives to xipc_proc_dispatch() at the top of main().
 * No fork() without exec: the child starts fresh, exactly as on Windows.
 * Handles, mappings and locks are not inherited; a child opens objects by
 * name. Nor are signal dispositions and the signal mask (POSIX): every
 * signal starts with its default in the child.
 *
 *     static int worker(int argc, char **argv) { ...; return 0; }
 *     static const xipc_proc_entry entries[] = {{"worker", worker}, {0, 0}};
 *
 *     int main(int argc, char **argv) {
 *         int code;
 *         if (xipc_proc_dispatch(argc, argv, entries, &code) != 0)
 *             return code;                 // we were a child; it has run
 *         ... xipc_proc_spawn(&p, "worker", 1, args); ...
 *     }
 *
 * Exit codes are 0..255 on every platform, by one rule: see
 * xipc_proc_wait(), which reports them.
 *
 * Threads. Any number of threads may wait on one child and kill it at the
 * same time: each waiter keeps its own timeout, and all get the same exit
 * code. xipc_proc_free() must not be called while another thread uses the
 * handle.
 *
 * A child's exit code belongs to its handle. On POSIX, a program that sets
 * SIGCHLD to SIG_IGN (the kernel then discards the exit status of every
 * child) or that reaps children with waitpid(-1) takes it away: the wait
 * then reports XIPC_ECHILD once the child has ended. A kill never reaches
 * another process that took over the child's id: on Linux the handle holds
 * a pidfd, which names exactly that process; where the kernel offers none
 * (before 5.4, or under a seccomp filter that forbids it), the handle falls
 * back to the pid and the child's start time, and checks before each kill
 * that they still name an unreaped child of this process, which leaves
 * only a reap elsewhere and a reuse of the pid in the moment between the
 * check and the kill to race with (docs/processes.md). On Windows the
 * process handle pins the child and keeps its exit code, so neither can
 * happen.
 * ------------------------------------------------------------------------ */

typedef struct xipc_proc xipc_proc;

/* A function a child can run: it gets its own argc/argv (argv[0] is the
 * function's name, argv[1..] the strings given to xipc_proc_spawn, which
 * it may forward as they are: xipc_proc_spawn(&p, fn, argc - 1, argv + 1))
 * and returns the child's exit code, of which the parent sees the low 8
 * bits (0..255; see xipc_proc_wait). */
typedef int (*xipc_proc_fn)(int argc, char **argv);

typedef struct xipc_proc_entry {
    const char *name; /* NULL ends the table */
    xipc_proc_fn fn;
} xipc_proc_entry;

/* Waits forever, in every call that takes a timeout in milliseconds. */
#define XIPC_FOREVER (-1)

/* The exit code that xipc_proc_wait() reports for a child killed by
 * xipc_proc_kill() on every platform (128 + SIGKILL, as a POSIX shell does). */
#define XIPC_PROC_KILLED 137

/* Call first in main(). If this process was started by xipc_proc_spawn(),
 * prepares it so that a crash ends it at once with its exit code (see
 * xipc_proc_wait; on Windows: no error dialog, no debugger, and abort()
 * gives 134), runs the named function of `table` and returns 1 with the
 * function's result & 0xff in *exit_code; main() should then return
 * *exit_code. Otherwise returns 0 and the program goes on as usual. If the
 * requested function is not in the table, returns 1 with *exit_code = 127
 * after printing why on stderr. */
XIPC_API int xipc_proc_dispatch(int argc, char **argv,
                                const xipc_proc_entry *table, int *exit_code);

/* Starts a child running function `fn` (a name in the child's dispatch table)
 * with argc strings argv (argc may be 0 and argv NULL), which it receives
 * as argv[1..argc] of its function. The child shares the parent's standard
 * streams and environment.
 * argv may be an array of const strings (names from xipc_<kind>_name(),
 * literals) or main's and an entry function's own `char **argv`: in C11
 * and later, and in C++, both compile without a cast, so a child forwards
 * its arguments as  xipc_proc_spawn(&p, "worker", argc - 1, argv + 1).
 * (C forbids the implicit conversion of char ** to const char *const *; a
 * macro of the same name adds the cast for char ** and char *const * only,
 * and leaves every other type to the prototype's check.)
 * Returns 0 and *out, or XIPC_EINVAL (NULL out or fn, empty fn, argc < 0,
 * argv NULL with argc > 0, a NULL string), XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_proc_spawn(xipc_proc **out, const char *fn, int argc,
                             const char *const *argv);
#if !defined(__cplusplus) && defined(__STDC_VERSION__) &&                      \
    __STDC_VERSION__ >= 201112L
#define XIPC__SPAWN_ARGV(argv)                                                 \
    _Generic((argv),                                                           \
        char **: (const char *const *)(argv),                                  \
        char *const *: (const char *const *)(argv),                            \
        default: (argv))
#define xipc_proc_spawn(out, fn, argc, argv)                                   \
    xipc_proc_spawn((out), (fn), (argc), XIPC__SPAWN_ARGV(argv))
#endif

/* Waits up to timeout_ms milliseconds (0: just check; XIPC_FOREVER) for the
 * child to end, and on success stores its exit code in *exit_code (may be
 * NULL). Exit codes are 0..255, the same number on every platform for the
 * same end:
 *  - the child's function returned n, or the child called exit(n): n & 0xff
 *    (-1 gives 255, -2 gives 254, 256 gives 0), as a POSIX exit status is.
 *    On Windows, where a process's exit code has 32 bits, this holds for
 *    every n >= -2^29; a smaller n has the shape of an exception code and
 *    is read as a crash with it, as below (README's platform differences);
 *  - the child was ended by xipc_proc_kill(): XIPC_PROC_KILLED (137);
 *  - the child crashed: 128 + the POSIX signal of the fault: 139 for an
 *    invalid memory access (SIGSEGV), 132 for an illegal instruction
 *    (SIGILL), 136 for an arithmetic fault such as an integer division by
 *    zero (SIGFPE), 134 for abort() (SIGABRT); on POSIX, 128 + N for any
 *    other signal N that ended it (143 for a SIGTERM sent by someone
 *    else); on Windows, the few other exceptions with a POSIX twin
 *    likewise (a breakpoint 133, a misaligned access 135) and 255 for one
 *    without. A crashing child ends at once: on Windows no error dialog
 *    appears and no debugger starts (xipc_proc_dispatch sees to it);
 *  - the function named by xipc_proc_spawn() is not in the child's table:
 *    127.
 * A child that returns 127, 137 or 128 + N itself cannot be told from one
 * that lacked its function, was killed or crashed: keep such codes for
 * those, and use 0..126 for the program's own answers.
 * Returns 0, XIPC_ETIMEDOUT, XIPC_ECHILD (POSIX: the child has ended, but
 * its exit status was collected by someone else - the program ignores
 * SIGCHLD or reaped it with waitpid(-1) - so there is no code to give),
 * XIPC_EINVAL or XIPC_ESYS. Waiting again after 0 or XIPC_ECHILD returns
 * the same at once. Several threads may wait at once, each with its own
 * timeout; all get the same answer. */
XIPC_API int xipc_proc_wait(xipc_proc *p, int64_t timeout_ms, int *exit_code);

/* Ends the child at once (SIGKILL / TerminateProcess): it runs no cleanup.
 * Sends nothing if the child is known to have ended, and never reaches
 * another process that reuses its id (see above). May be called while other
 * threads wait. Returns 0 (also if it had already ended, or its exit status
 * was collected elsewhere), or XIPC_EINVAL, XIPC_ESYS. */
XIPC_API int xipc_proc_kill(xipc_proc *p);

/* Returns the child's process id. */
XIPC_API int64_t xipc_proc_pid(const xipc_proc *p);

/* Releases the handle. A child still running is not killed and goes on
 * alone. Must not be called while another thread waits on or kills the
 * child through this handle. Returns 0 or XIPC_EINVAL. */
XIPC_API int xipc_proc_free(xipc_proc *p);

/* Returns the calling process's id. */
XIPC_API int64_t xipc_getpid(void);

/* Sleeps for ms milliseconds. */
XIPC_API void xipc_sleep_ms(int64_t ms);

/* Returns a monotonic clock reading in nanoseconds (arbitrary origin). */
XIPC_API int64_t xipc_now_ns(void);

#ifdef __cplusplus
}
#endif
#endif /* XIPC_H */
