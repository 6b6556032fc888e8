/*
 * platform.h - THE seam between xipc's portable core and its backends.
 *
 * The core (the .c files of src/) calls only the functions declared here;
 * src/posix/ and src/win32/ each implement all of them, in files of the same
 * names (shm.c, proc.c, sys.c). The build picks the backend directory; nothing
 * in the core tests the platform. Every function states its contract: what it
 * returns and when. Errors are xipc codes (include/xipc.h); a backend
 * translates OS errors itself and records the failing call with
 * xipc__fail() (src/internal.h) so xipc_last_error() can tell the user.
 *
 * Names given to the seam have already been validated and folded to lower
 * case by the core (src/name.c); a backend may rely on that.
 */
#ifndef XIPC_PLATFORM_H
#define XIPC_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * Named segments: the kernel side of every named object.
 *
 * A segment is a named block of shared memory of a fixed size together with
 * the kernel's record of which processes hold it. The backend implements the
 * lifetime model of include/xipc.h ("Lifetime") completely: exclusive create,
 * stale-object reclaim, holder counting by a lock the kernel drops when a
 * process dies, destruction by the last holder, and unlink. Names belong to
 * the calling user (POSIX: a directory of the user's own; Windows: the
 * session's Local\ namespace): no other user can see, create, squat or
 * block them. Create, open, close and unlink serialise per name at most,
 * and only for a few system calls each: the memory of a new segment is
 * reserved and initialised before its name is published, so the init and
 * check callbacks below never see a peer's half-done work and a large
 * create delays nobody. A forked child's handles are its own: closing one
 * never destroys what the parent still holds.
 * ------------------------------------------------------------------------ */

typedef struct xipc__seg xipc__seg; /* backend-defined */

/* Called by xipc__seg_create() with the fresh, zero-filled, writable mapping
 * while the name is still reserved for the creator. Returns 0 or an xipc
 * error code, which makes the create fail and removes the segment. */
typedef int (*xipc__seg_init_fn)(void *base, uint64_t size, void *ctx);

/* Called by xipc__seg_open() with the mapping and the size of the mapping
 * as the OS reports it (at least `size` bytes of some earlier create, maybe
 * rounded up to whole pages, maybe smaller if the segment is not an xipc
 * one). Must validate before trusting anything in it. Returns 0 or an xipc
 * error code, which makes the open fail. */
typedef int (*xipc__seg_check_fn)(const void *base, uint64_t mapped_size,
                                  void *ctx);

/* Creates segment `name` of exactly `size` bytes (size > 0), exclusively:
 * XIPC_EEXIST if a live segment of that name exists. A stale segment (no
 * live holder) of that name is removed first and does not count. The memory
 * is reserved up front (XIPC_ENOSPC when the system cannot provide it, never
 * a fault later), zero-filled, mapped read-write, and accessible to the
 * creating user only. Calls init; on success returns 0 and *out, with the
 * calling process holding the segment. On failure nothing is left behind.
 * Errors: XIPC_EEXIST, XIPC_EBUSY (the backend cannot hold another object
 * of this name while unlinked ones are still held), XIPC_ENOSPC,
 * XIPC_EACCES, XIPC_ENOMEM, XIPC_ESYS or init's code. */
int xipc__seg_create(xipc__seg **out, const char *name, uint64_t size,
                     xipc__seg_init_fn init, void *ctx);

/* Opens the live segment `name`, mapped read-only if `readonly`, else
 * read-write, and calls check on the mapping. A stale segment is removed
 * and reported as XIPC_ENOENT. Returns 0 and *out, with the calling process
 * holding the segment, or XIPC_ENOENT, XIPC_EACCES, XIPC_ENOMEM, XIPC_EBUSY
 * (another process has kept the name locked for seconds: stopped in the
 * middle of its own create, close or unlink of this name), XIPC_ESYS or
 * check's code (and then holds nothing).
 * With readonly = XIPC__SEG_PEEK the segment is mapped read-only for a
 * look only (inspection): nothing waits for the name, nothing is held or
 * reclaimed, and closing the handle never destroys anything. */
#define XIPC__SEG_PEEK 2
int xipc__seg_open(xipc__seg **out, const char *name, int readonly,
                   xipc__seg_check_fn check, void *ctx);

/* Unmaps and releases the handle. If no other holder remains, the segment is
 * destroyed and, if its name still refers to it, the name is freed. Never
 * fails for a valid handle. */
void xipc__seg_close(xipc__seg *seg);

/* Returns the start of the segment's bytes in this process (aligned to at
 * least 64 bytes). */
void *xipc__seg_base(const xipc__seg *seg);

/* Frees the name of the live segment `name`: later opens get XIPC_ENOENT, a
 * later create makes a new segment; current holders are unaffected.
 * Returns 0, XIPC_ENOENT (no live segment of that name), XIPC_ECORRUPT (the
 * name holds something that is not an xipc segment), XIPC_EACCES or
 * XIPC_ESYS. */
int xipc__seg_unlink(const char *name);

/* Removes every stale xipc segment whose name starts with `prefix` (already
 * lower case; "" for all), calling cb(name, ctx) for each one removed (name
 * in canonical form; cb may be NULL). Returns the number removed, or
 * XIPC_ESYS / XIPC_EACCES. */
int xipc__seg_sweep(const char *prefix, void (*cb)(const char *name, void *ctx),
                    void *ctx);

/* Lists the xipc segments whose names start with `prefix` (already lower
 * case; "" for all), removing nothing: cb(name, live, ctx) once per name
 * that has a live segment (live = 1) or only a stale one (live = 0; only
 * where segments can be stale). Segments that were unlinked but are still
 * held have no name and are not listed. Returns the number listed, or
 * XIPC_ESYS / XIPC_EACCES. */
int xipc__seg_list(const char *prefix,
                   void (*cb)(const char *name, int live, void *ctx),
                   void *ctx);

/* Diagnostic for tests and tools: returns 1 if the system still has an
 * object under this name (a live or a stale segment; on Windows also an
 * unlinked segment that is still held), 0 if it has none. */
int xipc__seg_present(const char *name);

/* Test support (POSIX; XIPC_ENOTSUP on Windows): sets the mode bits of the
 * segment's file (to show that an object not owner-only is refused); and
 * takes (undo = 0) or gives back (undo = 1) the first directory name of
 * user uid's namespace as the calling user, as a squatter would. Return 0
 * or an xipc code. */
int xipc__seg_test_chmod(const xipc__seg *seg, int mode);
int xipc__seg_test_squat(int64_t uid, int undo);

/* Diagnostic for tests: returns 1 if the segment's system object is
 * accessible to its owner only (POSIX: mode 0600; Windows: a security
 * descriptor with a non-NULL DACL, the creator's default), 0 if not,
 * or a negative xipc code if the check itself failed. */
int xipc__seg_owner_only(const xipc__seg *seg);

/* ------------------------------------------------------------------------
 * Parties (party.c): who takes part in an object, and whether they live.
 *
 * Every thread that acquires a lock of a segment, or waits on one of its
 * objects, has an identity as a party of that segment: a number in
 * [1, XIPC__PARTY_DEAD) that no other thread of any process using the
 * segment has had or will have while the segment exists (so a recycled
 * thread or process id is never taken for a dead party), that does not
 * depend on PID namespaces, and that a forked child does not inherit. The
 * kernel, not a counter in shared memory, answers whether a party is
 * alive: it drops something the party held when the party dies (POSIX: an
 * OFD lock on the segment file, held by each process; Windows: a named
 * mutex each thread owns for its whole life).
 * ------------------------------------------------------------------------ */

/* A party that is known to be dead; no thread ever has this identity. */
#define XIPC__PARTY_DEAD ((UINT64_C(1) << 62) - 1)

/* Stores in *id the calling thread's identity as a party of seg. The first
 * call of a thread (or of a forked child) for a segment may make system
 * calls; later ones are a few loads. Returns 0, or XIPC_ENOMEM, XIPC_EBUSY
 * (the segment has no identity left to give), XIPC_EACCES (a read-only
 * handle cannot take part) or XIPC_ESYS. */
int xipc__party_self(xipc__seg *seg, uint64_t *id);

/* Stores in *id the calling process's identity as a party of seg, for
 * what belongs to a process as a whole rather than to one of its threads
 * (a Semaphore's units under undo): it is alive exactly while the process
 * lives, and is never a thread's identity. Returns 0 or as
 * xipc__party_self. */
int xipc__party_process(xipc__seg *seg, uint64_t *id);

/* Asks the kernel whether party `id` of seg is alive. Returns 1 (alive),
 * 0 (it has ended, or no party of seg ever had this identity, as for
 * XIPC__PARTY_DEAD and 0), or a negative xipc code if the system would not
 * say (callers then treat the party as alive). The calling thread's own
 * identity is alive. Makes system calls. */
int xipc__party_alive(xipc__seg *seg, uint64_t id);

/* ------------------------------------------------------------------------
 * Process-shared mutexes (sync.c): the lock inside Lock, RLock and every
 * object that embeds one (Value, Array, Queue).
 *
 * A mutex lives in XIPC__MUTEX_SHARED_SIZE bytes of a segment, 64-byte
 * aligned, holding xipc's own fixed-width words only (src/mutex.h, which
 * both backends compile); each handle of the object attaches its own
 * xipc__mutex to them. Semantics, identical on every backend
 * (include/xipc.h documents them for users):
 *  - owned by a thread, identified as a party of the segment (above);
 *    contended by threads of one process exactly as by processes;
 *  - non-recursive mutexes refuse re-acquisition by their owner
 *    (XIPC_EDEADLK); recursive ones count it;
 *  - only the owner may unlock (XIPC_EPERM otherwise);
 *  - robust: if the owner thread or its process ends while holding, the
 *    next acquirer (or one already waiting, within milliseconds) gets the
 *    mutex with XIPC_EOWNERDEAD; if it unlocks without calling consistent,
 *    every later lock returns XIPC_ENOTRECOVERABLE; there is no limit on
 *    how many mutexes one thread holds;
 *  - the uncontended lock and unlock, and a failed try, make no system
 *    call; kernel objects are used only to sleep and to wake sleepers;
 *  - the shared words are untrusted: damaged ones give XIPC_ECORRUPT (or
 *    XIPC_EOWNERDEAD / XIPC_ENOTRECOVERABLE), never a crash or a wait past
 *    the caller's deadline.
 * ------------------------------------------------------------------------ */

#define XIPC__MUTEX_SHARED_SIZE 64

typedef struct xipc__mutex xipc__mutex; /* backend-defined, per handle */

/* Initialises the shared bytes of a new mutex (zero-filled memory of a
 * segment being created, before it is published). Returns 0. */
int xipc__mutex_init(void *shared, int recursive);

/* Attaches a handle to the mutex whose shared bytes are `shared`, inside
 * segment `seg` (opened read-write); `index` tells apart several mutexes
 * of one segment (the backend may name kernel objects after the segment
 * and the index); `recursive` repeats what init was told (the core knows
 * it from the object's kind, already validated). Returns 0 and *out, or
 * XIPC_ENOMEM, XIPC_ECORRUPT (the shared bytes are not a mutex of this
 * kind) or XIPC_ESYS. */
int xipc__mutex_attach(xipc__mutex **out, void *shared, xipc__seg *seg,
                       unsigned index, int recursive);

/* Detaches the handle. Returns 0, or XIPC_EBUSY (and stays attached) if a
 * live thread of this process holds the mutex and `force` is 0: a user's
 * lock must not be left held by a handle that no longer exists. An
 * object's internal mutexes, held only inside its calls (and maybe now by
 * another thread through another handle), are detached with force = 1;
 * nothing in this process points into the shared bytes, so unmapping them
 * while held harms no one. */
int xipc__mutex_detach(xipc__mutex *m, int force);

/* Locks, waiting until the absolute `deadline` (xipc__deadline(): a past
 * deadline, such as 0, tries once; XIPC__NEVER waits without limit).
 * Returns 0, XIPC_EOWNERDEAD (locked; the previous owner died holding it),
 * XIPC_ETIMEDOUT, XIPC_EDEADLK (non-recursive and already held by the
 * caller, whatever the deadline), XIPC_ENOTRECOVERABLE, XIPC_ECORRUPT
 * (damaged shared words), XIPC_ENOMEM or XIPC_ESYS. */
int xipc__mutex_lock(xipc__mutex *m, int64_t deadline);

/* Unlocks one level (a recursive mutex is free after as many unlocks as
 * locks). Returns 0, XIPC_EPERM (the caller is not the owner), or
 * XIPC_ECORRUPT (the recursion count was damaged: the mutex has been
 * released completely). Unlocking after XIPC_EOWNERDEAD without
 * xipc__mutex_consistent makes the mutex not recoverable. */
int xipc__mutex_unlock(xipc__mutex *m);

/* Marks the state protected by a mutex acquired with XIPC_EOWNERDEAD as
 * repaired. Returns 0, or XIPC_EPERM (caller is not the owner) / XIPC_EINVAL
 * (the mutex is not in the owner-died state). */
int xipc__mutex_consistent(xipc__mutex *m);

/* Returns the recursion depth held by the calling thread (0 if it does not
 * hold the mutex). Makes no system call. */
int xipc__mutex_depth(const xipc__mutex *m);

/* For inspection: describes the mutex whose shared bytes are `shared` in
 * segment seg (possibly mapped read-only, not attached): *holder receives
 * the holding party's identity and *pid the process id its holder
 * recorded, both 0 if it is free, not recoverable or held by a dead party.
 * Reads the bytes once; never fails. */
void xipc__mutex_holder(const void *shared, xipc__seg *seg, int64_t *holder,
                        int64_t *pid);

/* ------------------------------------------------------------------------
 * Wake-up channels (notify.c): how a thread waiting for a condition on
 * shared memory sleeps in the kernel and is woken by another process.
 *
 * A channel lives in XIPC__NOTIFY_SHARED_SIZE bytes of a segment, 64-byte
 * aligned, that the backend alone interprets; each handle attaches its own
 * xipc__notify. The condition itself lives in the caller's shared memory and
 * is the only source of truth: a channel carries hints, so an extra
 * wake-up costs a spurious return, never a wrong answer. The protocol,
 * identical on every backend (src/wait.c is its one user):
 *
 *   waiter:  xipc__notify_announce(n);            // once per waiting call
 *            for (;;) {
 *                gen = xipc__notify_prepare(n);
 *                if (condition holds) break;      // checked after prepare
 *                xipc__notify_wait(n, gen, slice_ms);
 *            }
 *            xipc__notify_done(n);                // once, after the loop
 *   waker:   make the condition hold (a release store), then
 *            xipc__notify_wake(n, count);
 *
 * announce, prepare and wake each contain a full memory barrier, so either the
 * waker sees the announcement and wakes, or the waiter's check sees the
 * condition. Wakes are never lost and never stolen: a wake of count n
 * after a waiter's prepare makes that waiter's wait return, unless n other
 * waiters that prepared before the wake are woken by it instead; a newer
 * waiter (one that prepared after the wake) never takes a wake meant for an
 * older one. wake makes no system call unless some waiter is announced.
 * A waiter that dies while announced leaves later wakes a system call
 * each, never a hang; a waker that dies between making the condition hold
 * and waking costs the waiters one slice of their wait (callers wait in
 * slices of at most XIPC__SLICE_MS).
 * ------------------------------------------------------------------------ */

/* The shared bytes of a channel (the Windows backend keeps a table of
 * sleeping threads there). */
#define XIPC__NOTIFY_SHARED_SIZE 576

typedef struct xipc__notify xipc__notify; /* backend-defined, per handle */

/* Initialises the shared bytes of a new channel (zero-filled memory of a
 * segment being created, before it is published). Returns 0. */
int xipc__notify_init(void *shared);

/* Attaches a handle to the channel whose shared bytes are `shared`, inside
 * segment `seg`; `index` tells apart several channels of one segment (the
 * backend may name kernel objects after the segment and the index). Returns
 * 0 and *out, or XIPC_ENOMEM, XIPC_ECORRUPT (the shared bytes are not a
 * channel of this backend) or XIPC_ESYS. */
int xipc__notify_attach(xipc__notify **out, void *shared, xipc__seg *seg,
                        unsigned index);

/* Releases the handle. */
void xipc__notify_detach(xipc__notify *n);

/* Announces that the caller is about to wait on the channel (once per
 * waiting call, ended by xipc__notify_done). Contains a full barrier;
 * makes no system call. */
void xipc__notify_announce(xipc__notify *n);

/* Returns the channel's generation, to be given to xipc__notify_wait after
 * the caller has checked its condition. Contains a full barrier; makes no
 * system call. */
uint32_t xipc__notify_prepare(xipc__notify *n);

/* Sleeps until the channel's generation differs from `gen` (a wake since
 * prepare), or for at most timeout_ms milliseconds (>= 0). Returns 0 when
 * woken or when the generation had already changed, XIPC_ETIMEDOUT when the
 * time ran out, or XIPC_ESYS; may also return 0 spuriously. The caller
 * re-checks its condition in every case. */
int xipc__notify_wait(xipc__notify *n, uint32_t gen, int64_t timeout_ms);

/* Ends the announcement of xipc__notify_announce: the caller no longer
 * waits. */
void xipc__notify_done(xipc__notify *n);

/* Wakes up to `count` threads sleeping on (or about to sleep on) the
 * channel, after the caller made its condition hold; XIPC__WAKE_ALL wakes
 * every one. Contains a full barrier; makes a system call only if some
 * waiter is announced. */
#define XIPC__WAKE_ALL 0x7fffffff
void xipc__notify_wake(xipc__notify *n, int count);

/* Spends a moment in a spin loop without hogging the core's pipeline (a
 * pause instruction where the processor has one). */
void xipc__cpu_relax(void);

/* ------------------------------------------------------------------------
 * Processes (src/proc.c builds the public API on these).
 *
 * Exit codes are in 0..255 on every backend, by one rule (include/xipc.h,
 * "Exit codes", documents it for users): a normal exit gives the low 8 bits
 * of the code the child exited with, a child ended by xipc__child_kill
 * gives XIPC_PROC_KILLED, and a crash gives 128 + the number of the POSIX
 * signal of the fault (SIGSEGV 11, SIGILL 4, SIGFPE 8, SIGABRT 6, SIGBUS 7,
 * SIGTRAP 5; on POSIX any signal N that ended the child gives 128 + N), or
 * 255 for a Windows exception that has no POSIX twin.
 *
 * A child handle may be used by several threads at once: any number of
 * them may wait and kill concurrently, and each waiter gets the same
 * answer. Only xipc__child_free must not overlap any other call on the
 * handle.
 * ------------------------------------------------------------------------ */

typedef struct xipc__child xipc__child; /* backend-defined */

/* Starts this same executable again with the command-line arguments
 * args[0..nargs-1] (the program path is supplied by the backend, so the
 * child's argv is {self, args...}). Standard streams and the environment are
 * inherited; no other handle or descriptor is, and no signal disposition or
 * signal mask either (the child starts with the defaults, as a Windows
 * process does). The handle addresses exactly this child for its whole
 * life: a kill or a wait never reaches another process that reuses its id.
 * Returns 0 and *out, or XIPC_ENOMEM / XIPC_ESYS. */
int xipc__child_spawn(xipc__child **out, int nargs, const char *const *args);

/* Called by a child (in xipc_proc_dispatch) before it runs its function:
 * makes a crash end the process at once with the exit code of the rule
 * above, with no error dialog, no debugger and no crash report (Windows:
 * error mode, unhandled-exception filter, SIGABRT handler; POSIX: nothing
 * to do, the kernel already does so). Never fails. */
void xipc__child_prepare(void);

/* Waits up to timeout_ms (0: poll, < 0: forever) on a monotonic clock for
 * the child to end. Returns 0 and the exit code (see the rule above), or
 * XIPC_ETIMEDOUT, XIPC_ECHILD (the child has ended but its exit status was
 * collected by someone else: a waitpid(-1) of the program, or the kernel
 * because the program ignores SIGCHLD; only where that can happen), or
 * XIPC_ESYS. Concurrent waiters on one handle each keep their own timeout
 * and all get the same answer; a call after one that returned 0 or
 * XIPC_ECHILD returns the same at once. */
int xipc__child_wait(xipc__child *c, int64_t timeout_ms, int *exit_code);

/* Ends the child at once without letting it run any cleanup. Returns 0 (also
 * when it had already ended, and when its exit status was collected
 * elsewhere) or XIPC_ESYS. Sends nothing to a child that is known to have
 * ended: the fault point "proc:kill:signal" (src/internal.h) runs right
 * before the signal or termination is sent, and only then. */
int xipc__child_kill(xipc__child *c);

/* Returns the child's process id. */
int64_t xipc__child_pid(const xipc__child *c);

/* Releases the handle without affecting the child. Must not be called while
 * another thread uses the handle. */
void xipc__child_free(xipc__child *c);

/* Test support: if `on`, makes the system collect the exit status of every
 * child of this process itself, as a program may ask it to (POSIX: SIGCHLD
 * set to SIG_IGN); if not, restores the default. Returns 0, or
 * XIPC_ENOTSUP where the platform has no such setting (Windows: a child's
 * exit code stays with its process handle). */
int xipc__child_autoreap(int on);

/* Test support: if `on`, makes later spawns use the backend's fallback way
 * of addressing a child (POSIX: its pid, used where the kernel offers no
 * pidfd) instead of the preferred one; if not, restores the preferred one.
 * Returns 0, or XIPC_ENOTSUP where the backend has only one way (Windows:
 * the process handle). */
int xipc__child_force_fallback(int on);

/* ------------------------------------------------------------------------
 * System facts, time, and process-level odds and ends (sys.c).
 * ------------------------------------------------------------------------ */

/* Returns the calling process's id. */
int64_t xipc__sys_getpid(void);

/* Returns a monotonic clock in nanoseconds (never goes back, unaffected by
 * changes of the wall clock). */
int64_t xipc__sys_now_ns(void);

/* Sleeps for at least ms milliseconds (ms <= 0 yields the processor). */
void xipc__sys_sleep_ms(int64_t ms);

/* Returns the memory page size in bytes. */
uint64_t xipc__sys_page_size(void);

/* Returns the backend's name: "posix" or "win32". */
const char *xipc__sys_backend(void);

/* Writes one line of platform facts (OS, backend, page size, the lock
 * implementation) into buf, NUL-terminated, truncated to len bytes. */
void xipc__sys_facts(char *buf, size_t len);

/* Threads, for the tests and the benchmarks (a thread of a process owns a
 * lock exactly as a process does). Starts fn(arg) in a new thread; returns
 * 0 and *out, or XIPC_ENOMEM / XIPC_ESYS. */
typedef struct xipc__thread xipc__thread;
int xipc__thread_start(xipc__thread **out, int (*fn)(void *), void *arg);

/* Waits for the thread to end, releases it and returns fn's result. */
int xipc__thread_join(xipc__thread *t);

/* Test support: ends the thread at once, running none of its code and
 * none of its exit handlers, as a crash of that thread alone would
 * (Windows: TerminateThread); xipc__thread_join then releases it. Returns
 * 0, XIPC_ESYS, or XIPC_ENOTSUP where a thread cannot be ended alone
 * (POSIX). */
int xipc__thread_terminate(xipc__thread *t);

/* Test support: makes fn(arg) run in the calling thread when it ends, as
 * the user's own end-of-thread callbacks do (POSIX: the destructor of a
 * thread-specific key made now; Windows: the callback of a fiber-local
 * slot allocated now), after those the library made before. Returns 0,
 * XIPC_ENOMEM or XIPC_ESYS. */
int xipc__thread_at_end(void (*fn)(void *), void *arg);

/* Test support: sets the process's file-creation mask where the platform
 * has one and returns the previous mask; returns -1 (and does nothing) where
 * the platform has none. */
int xipc__sys_set_umask(int mask);

/* Test support: 1 where the platform can fork() (POSIX), 0 where it
 * cannot (Windows). */
int xipc__sys_can_fork(void);

/* Test support: fork() without exec where the platform has it. Returns the
 * child's process id in the parent and 0 in the child (which must end with
 * xipc__sys_die), or XIPC_ENOTSUP where the platform cannot fork
 * (Windows), XIPC_ESYS if it failed. */
int64_t xipc__sys_fork(void);

/* Test support for forked children (POSIX only; XIPC_ENOTSUP on Windows):
 * waits up to timeout_ms for the forked child `pid` and stores its exit
 * code (as xipc__child_wait reports it); kills it (SIGKILL). */
int xipc__sys_wait_forked(int64_t pid, int64_t timeout_ms, int *exit_code);
int xipc__sys_kill_forked(int64_t pid);

/* Test support: makes the children this process forks from now on start a
 * new PID namespace (unshare(CLONE_NEWPID)). Returns 0, XIPC_EACCES (not
 * allowed here) or XIPC_ENOTSUP (no such thing on this platform). */
int xipc__sys_new_pid_namespace(void);

/* Test support: changes the process's user to uid (setuid), to act as
 * another user. Returns 0, XIPC_EACCES (not allowed) or XIPC_ENOTSUP. */
int xipc__sys_become_user(int64_t uid);

/* Test support: sets the process's soft limit of open descriptors to n
 * (0: the hard limit), and stores the number of descriptors open now in
 * *open_now (may be NULL). Returns 0, XIPC_EACCES or XIPC_ENOTSUP. */
int xipc__sys_fd_limit(uint64_t n, uint64_t *open_now);

/* Test support: the number of system calls the robust mutexes and the
 * wake-up channels of this process have made so far (every one goes through
 * a counting wrapper), so that a test can check that a path makes none. */
uint64_t xipc__sys_calls(void);

/* Memory accounting for the tests and the benchmarks: stores in *bytes
 * the calling process's proportional set size (its private resident pages
 * plus its share of each shared page: N processes mapping one page are
 * charged 1/N each), so that the sum over processes is the memory they
 * really use. Returns 0, or XIPC_ENOTSUP where the system does not say
 * (Windows), XIPC_ESYS if it failed. */
int xipc__sys_pss(uint64_t *bytes);

/* Ends the calling process at once with `code`, running no cleanup of any
 * kind (as a crash or a kill would): no atexit handlers, no flushing, no
 * closing of xipc handles. */
void xipc__sys_die(int code);

#endif /* XIPC_PLATFORM_H */
