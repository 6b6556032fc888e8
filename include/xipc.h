/*
 * xipc.h - the whole public API of xipc.
 *
 * xipc gives separate processes the shared objects of Python's multiprocessing
 * (today: named shared memory and a spawn-style process API; Lock, Value,
 * Array and Queue build on them) with one API and identical behaviour on
 * POSIX and Windows. This header includes no platform header: every handle is
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
#define XIPC_VERSION_MINOR 1
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
    XX(ESYS, -20, "unexpected operating system error (see xipc_last_error)")

enum xipc_errno {
#define XIPC__ERR_ENUM(name, value, msg) XIPC_##name = (value),
    XIPC_ERRNO_MAP(XIPC__ERR_ENUM)
#undef XIPC__ERR_ENUM
    XIPC__ERR_LAST = -21
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
 * ------------------------------------------------------------------------ */

#define XIPC_NAME_MAX 63

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
 * ------------------------------------------------------------------------ */

/* Frees the name of the live object called `name`, whatever its kind (see
 * above). Returns 0, or XIPC_EINVAL, XIPC_ENOENT, XIPC_ECORRUPT (the name
 * holds something that is not an xipc object), XIPC_EACCES, XIPC_ESYS. */
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

/* Creates the named block of `size` bytes (size >= 1) and maps it read-write.
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
 * processes do. The uncontended acquire and release make no system call.
 *  - Lock is not recursive: acquiring a Lock you hold is XIPC_EDEADLK (it
 *    would deadlock), whatever the timeout. RLock counts: release it as many
 *    times as you acquired it.
 *  - Only the holder may release: otherwise XIPC_EPERM.
 *  - If the holder dies (its thread or process exits or is killed), the next
 *    acquirer - including one already waiting - gets the lock with
 *    XIPC_EOWNERDEAD: the data it protects may be half-updated. Repair it,
 *    call xipc_lock_consistent(), carry on. Releasing without that makes the
 *    lock XIPC_ENOTRECOVERABLE for everyone, for good.
 * Lifetime, names and open checks are those of every xipc object; opening a
 * Lock as an RLock (or anything else) is XIPC_EKIND.
 * ------------------------------------------------------------------------ */

typedef struct xipc_lock xipc_lock;

/* Creates the named Lock (recursive = 0) or RLock (recursive = 1), free.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_EEXIST, XIPC_ENOSPC, XIPC_EACCES,
 * XIPC_ENOMEM, XIPC_EBUSY, XIPC_ESYS. */
XIPC_API int xipc_lock_create(xipc_lock **out, const char *name, int recursive);

/* Opens the live named lock; `recursive` must match what its creator chose.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOENT, XIPC_EKIND (another kind
 * of object, or the other of Lock/RLock), XIPC_EVERSION, XIPC_ECORRUPT,
 * XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_lock_open(xipc_lock **out, const char *name, int recursive);

/* Releases the handle (the last holder's close destroys the lock).
 * Returns 0, XIPC_EINVAL, or XIPC_EBUSY if a thread of this process still
 * holds the lock (release it first; the handle stays open). */
XIPC_API int xipc_lock_close(xipc_lock *lock);

/* Frees the name, as xipc_unlink(). */
XIPC_API int xipc_lock_unlink(const char *name);

/* Acquires the lock, waiting up to timeout_ms milliseconds (0: try once,
 * XIPC_FOREVER: no limit) on the monotonic clock.
 * Returns 0; XIPC_EOWNERDEAD (acquired: the previous holder died holding
 * it); XIPC_ETIMEDOUT; XIPC_EDEADLK (a Lock the caller already holds);
 * XIPC_ENOTRECOVERABLE; XIPC_EINVAL; XIPC_ESYS. */
XIPC_API int xipc_lock_acquire(xipc_lock *lock, int64_t timeout_ms);

/* Releases the lock (one level of an RLock). Returns 0, XIPC_EPERM (the
 * caller does not hold it) or XIPC_EINVAL. */
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
 * same unit.
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

/* Bytes a message of len bytes occupies in a queue's capacity. */
#define XIPC_QUEUE_MSG_COST(len) (8u + (((uint64_t)(len) + 7u) & ~(uint64_t)7u))

/* The largest capacity of a queue: 1 GiB. */
#define XIPC_QUEUE_CAPACITY_MAX ((size_t)1 << 30)

/* Creates the named queue, empty, with room for `capacity` bytes of
 * messages (rounded up to a multiple of 8; see Capacity above) and messages
 * of at most `max_msg` bytes, which must fit the capacity:
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

/* Releases the handle (the last holder's close destroys the queue and the
 * messages left in it). Must not be called while another thread uses the
 * handle. Returns 0 or XIPC_EINVAL. */
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
 * new block holding exactly the message (a valid pointer even for an empty
 * message), which the caller frees with xipc_free(), and its length in
 * *len. Returns 0, XIPC_ENOMEM (the message stays queued) or the codes of
 * xipc_queue_get() but XIPC_EMSGSIZE. */
XIPC_API int xipc_queue_get_alloc(xipc_queue *q, void **msg, size_t *len,
                                  int64_t timeout_ms);

/* Frees a block that xipc allocated for the caller (xipc_queue_get_alloc);
 * NULL is ignored. Use it rather than free(): on Windows the library and
 * the program may use different C runtimes. */
XIPC_API void xipc_free(void *p);

/* Shuts the queue down for writing, for every process and every handle
 * (not to be confused with xipc_queue_close, which releases one handle):
 * later
 * puts, and puts blocked now, return XIPC_ECLOSED; gets take what is left,
 * then return XIPC_ECLOSED instead of waiting, and gets blocked now wake.
 * Idempotent; cannot be undone. Returns 0, XIPC_EINVAL, XIPC_ECORRUPT,
 * XIPC_ENOTRECOVERABLE or XIPC_ESYS. */
XIPC_API int xipc_queue_shutdown(xipc_queue *q);

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
 * Processes: Python's "spawn" start method, on every platform.
 *
 * A child is this same executable started again, told to run one function
 * of a table the program gives to xipc_proc_dispatch() at the top of main().
 * No fork() without exec: the child starts fresh, exactly as on Windows.
 * Handles, mappings and locks are not inherited; a child opens objects by
 * name.
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
 * ------------------------------------------------------------------------ */

typedef struct xipc_proc xipc_proc;

/* A function a child can run: it gets its own argc/argv (argv[0] is the
 * function's name, argv[1..] the strings given to xipc_proc_spawn) and
 * returns the child's exit code (0..255). */
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
 * runs the named function of `table` and returns 1 with its result in
 * *exit_code; main() should then return *exit_code. Otherwise returns 0 and
 * the program goes on as usual. If the requested function is not in the
 * table, returns 1 with *exit_code = 127 after printing why on stderr. */
XIPC_API int xipc_proc_dispatch(int argc, char **argv,
                                const xipc_proc_entry *table, int *exit_code);

/* Starts a child running function `fn` (a name in the child's dispatch table)
 * with argc strings argv (argc may be 0 and argv NULL). The child shares the
 * parent's standard streams and environment.
 * Returns 0 and *out, or XIPC_EINVAL, XIPC_ENOMEM, XIPC_ESYS. */
XIPC_API int xipc_proc_spawn(xipc_proc **out, const char *fn, int argc,
                             const char *const *argv);

/* Waits up to timeout_ms milliseconds (0: just check; XIPC_FOREVER) for the
 * child to end. On success stores its exit code: what its function or exit()
 * returned (0..255), XIPC_PROC_KILLED after xipc_proc_kill(), 128 + N if it
 * was ended by POSIX signal N. Returns 0, XIPC_ETIMEDOUT, XIPC_EINVAL or
 * XIPC_ESYS. Waiting again after success returns the same code. */
XIPC_API int xipc_proc_wait(xipc_proc *p, int64_t timeout_ms, int *exit_code);

/* Ends the child at once (SIGKILL / TerminateProcess): it runs no cleanup.
 * Returns 0 (also if it had already ended), or XIPC_EINVAL, XIPC_ESYS. */
XIPC_API int xipc_proc_kill(xipc_proc *p);

/* Returns the child's process id. */
XIPC_API int64_t xipc_proc_pid(const xipc_proc *p);

/* Releases the handle. A child still running is not killed and goes on
 * alone. Returns 0 or XIPC_EINVAL. */
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
