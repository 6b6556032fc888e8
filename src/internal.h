/*
 * internal.h - declarations shared by the portable core and both backends:
 * the per-thread error detail, name handling, the shared header that starts
 * every segment, and the fault-injection hook used by the tests.
 * Portable: includes no platform header.
 */
#ifndef XIPC_INTERNAL_H
#define XIPC_INTERNAL_H

#include "xipc.h"

#include <stdint.h>

/* ---- error detail (src/error.c) ---------------------------------------- */

/* Records, for xipc_last_error(), that `what` failed on `name` (may be NULL)
 * with the system's message `sysmsg` (may be NULL), and returns rc so a
 * failure site can write `return xipc__fail(rc, "shm_open", name, msg);`. */
int xipc__fail(int rc, const char *what, const char *name, const char *sysmsg);

/* Clears the calling thread's error detail. */
void xipc__clear_error(void);

/* ---- deadlines and the one wait helper (src/wait.c) -------------------- */

/* A deadline is a reading of the monotonic clock (xipc__sys_now_ns) by
 * which a blocking call gives up. One is computed per public call, from its
 * timeout, and carried through every wait of that call (spin, internal
 * mutex, wake-up channel), so that the call as a whole keeps its timeout.
 * A deadline already passed (such as 0) means "try once"; XIPC__NEVER means
 * no limit. */
#define XIPC__NEVER INT64_MAX

/* SplitMix64's finaliser: every bit of the result depends on every bit of
 * x (fresh names, signatures of a look at a table). */
static inline uint64_t xipc__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

/* The deadline of a timeout in milliseconds: 0 for 0, XIPC__NEVER for a
 * negative timeout (XIPC_FOREVER) or one too far away to represent, else
 * now + timeout. */
int64_t xipc__deadline_at(int64_t timeout_ms);
static inline int64_t xipc__deadline(int64_t timeout_ms)
{
    return timeout_ms < 0    ? XIPC__NEVER
           : timeout_ms == 0 ? 0
                             : xipc__deadline_at(timeout_ms);
}

/* Whole milliseconds from now until `deadline`, rounded up (a wait that
 * ends early is only retried, one that ends late is late), at most `cap`;
 * 0 if it has passed. */
int64_t xipc__ms_left(int64_t deadline, int64_t cap);

/* The longest a waiter sleeps on a wake-up channel between two looks at
 * its condition: what a waker killed between its store and its wake can
 * cost. */
#define XIPC__SLICE_MS 100

/* How long a waiter spins, re-checking its condition, before it sleeps. */
#define XIPC__SPIN_NS 30000

/* A waiter's condition: > 0 when it holds (the value is passed on), 0 when
 * not yet, < 0 for an error that ends the wait (passed on). */
typedef int (*xipc__ready_fn)(void *ctx);

struct xipc__notify;

/* Waits until ready(ctx) != 0 or the deadline passes: checks once, spins
 * up to XIPC__SPIN_NS, then sleeps on channel n in slices of at most
 * XIPC__SLICE_MS. Returns ready's non-zero answer, XIPC_ETIMEDOUT, or
 * XIPC_ESYS. Every blocking call of every object waits through here. */
int xipc__wait(struct xipc__notify *n, int64_t deadline, xipc__ready_fn ready,
               void *ctx);

/* Reads a 64-bit word of shared memory that may be mapped read-only, as
 * one value (on 32-bit builds, two halves read until they agree). */
static inline uint64_t xipc__load_u64_ro(const volatile void *p)
{
#if UINTPTR_MAX > 0xffffffffu
    return *(const volatile uint64_t *)p;
#else
    const volatile uint32_t *half = (const volatile uint32_t *)p;
    uint32_t a, b, c;
    /* Little-endian halves (every 32-bit target xipc builds for). */
    do {
        b = half[1];
        a = half[0];
        c = half[1];
    } while (b != c);
    return (uint64_t)b << 32 | a;
#endif
}

/* ---- names (src/name.c) ------------------------------------------------ */

/* Room for a canonical name and its NUL. */
#define XIPC__NAME_BUF (XIPC_NAME_MAX + 1)

/* Validates `name` (see xipc_name_check) and writes its canonical lower-case
 * form into out[XIPC__NAME_BUF]. Returns 0 or XIPC_EINVAL; makes no system
 * call. */
int xipc__name_canon(const char *name, char out[XIPC__NAME_BUF]);

/* The name a create was given, made ready for xipc__obj_create: NULL or a
 * name ending in '*' asks for a fresh name (see "Fresh names" in xipc.h),
 * written into out as its canonical prefix followed by '*' (NULL gives
 * XIPC__FRESH_DEFAULT); any other name is checked and folded as by
 * xipc__name_canon. Returns 0 or XIPC_EINVAL, recorded against `api`. */
#define XIPC__FRESH_DEFAULT "xipc-*"
int xipc__name_create(const char *name, char out[XIPC__NAME_BUF],
                      const char *api);

/* 1 if a name from xipc__name_create asks for a fresh name, else 0. */
int xipc__name_is_fresh(const char *cname);

/* Writes into out a fresh name: the `len` characters of prefix, the calling
 * process's id, '-' and 8 random hexadecimal digits (at most
 * XIPC_FRESH_PREFIX_MAX + 19 characters). Each call draws anew. */
void xipc__name_draw(const char *prefix, size_t len, char out[XIPC__NAME_BUF]);

/* Folds a name prefix (NULL: "") to lower case into out, for matching
 * canonical names; XIPC_EINVAL, recorded against `api`, if it is longer
 * than XIPC_NAME_MAX. */
int xipc__prefix_canon(const char *prefix, char out[XIPC__NAME_BUF],
                       const char *api);

/* ---- the shared header (src/header.c) ---------------------------------- */

/* "XIPC-OBJ" read as a little-endian 64-bit number. */
#define XIPC__MAGIC UINT64_C(0x4a424f2d43504958)

/* The layout version of the header and of every object behind it. A process
 * that finds another number refuses the object with XIPC_EVERSION. */
#define XIPC__LAYOUT_VERSION 2u

/* The header's state word: a segment is usable only once its creator has
 * finished initialising it and stored XIPC__STATE_READY. */
#define XIPC__STATE_INIT 0u
#define XIPC__STATE_READY 0x59444552u /* "REDY" */

/* Object kinds: those of XIPC_KIND_MAP (include/xipc.h), and 0 for "any
 * kind" where an open accepts any. */
#define XIPC__KIND_ANY 0

/* The fixed header at offset 0 of every segment. Fixed-width fields only, no
 * pointers; 64 bytes; every 64-bit field 8-byte aligned. Everything in it is
 * written by the creator before `state` becomes READY and only read after. */
typedef struct xipc__hdr {
    uint64_t magic;      /* XIPC__MAGIC */
    uint32_t version;    /* XIPC__LAYOUT_VERSION */
    uint32_t kind;       /* int */
    uint32_t state;      /* XIPC__STATE_INIT / XIPC__STATE_READY */
    uint32_t hdr_size;   /* sizeof(xipc__hdr) */
    uint64_t total_size; /* bytes of the segment: data_off + user_size */
    uint64_t data_off;   /* offset of the user's bytes, a multiple of 64 */
    uint64_t user_size;  /* bytes the user asked for */
    uint32_t elem_type;  /* element type for typed objects, else 0 */
    uint32_t elem_size;  /* element size in bytes for typed objects, else 0 */
    int64_t creator_pid; /* for diagnostics only */
} xipc__hdr;

/* Fills a fresh header (state stays INIT; see xipc__hdr_publish). */
void xipc__hdr_init(xipc__hdr *h, int kind, uint64_t data_off,
                    uint64_t user_size);

/* Marks the header READY with release ordering: everything written before
 * is visible to whoever sees READY. */
void xipc__hdr_publish(xipc__hdr *h);

/* Validates the header at `base` of a mapping of `mapped` bytes for an object
 * of `kind` (XIPC__KIND_ANY: of any kind): XIPC_ECORRUPT (too small for a
 * header, foreign magic, not READY, sizes or offsets that do not fit the
 * mapping), XIPC_EVERSION, XIPC_EKIND. Reads each field once. On success copies
 * the header into *out. */
int xipc__hdr_check(const void *base, uint64_t mapped, int kind,
                    xipc__hdr *out);

/* ---- one description per kind (src/kinds.c) ------------------------------ */

struct xipc__seg;

/* Each kind K of XIPC_KIND_MAP has, in its own file, the function
 * xipc__describe_K: it fills in what xipc_info says of an object of that
 * kind whose segment starts at `base` (mapped read-only for a look), with
 * the header h already validated against the mapping (kind-specific
 * fields and `state`, the text `xipc info` prints), reading each shared
 * word once. Returns 0 or XIPC_ECORRUPT (not this kind's layout). */
#define XIPC__DESCRIBE_DECL(name, value, str)                                  \
    int xipc__describe_##name(struct xipc__seg *seg, const void *base,        \
                              const xipc__hdr *h, xipc_info *out);
XIPC_KIND_MAP(XIPC__DESCRIBE_DECL)
#undef XIPC__DESCRIBE_DECL

/* Writes the `state` text of an object with a lock from its holder and
 * holder_pid ("free", "held by thread T of process P", "no lock"). */
void xipc__holder_text(xipc_info *out);

/* Calls the description of kind h->kind; XIPC_ECORRUPT for a kind this
 * xipc does not know. */
int xipc__kind_describe(struct xipc__seg *seg, const void *base,
                        const xipc__hdr *h, xipc_info *out);

/* ---- objects (src/object.c) ------------------------------------------- */

struct xipc__seg;

/* Fills the kind-specific part of a new object (behind the header) while
 * the creator still has the name to itself; returns 0 or an xipc code. */
typedef int (*xipc__obj_init_fn)(void *base, void *ctx);

/* Creates object `name` (as xipc__name_create made it) of `kind`: a
 * segment of data_off + user_size bytes whose header is filled and, after
 * init (may be NULL) succeeded, published. A name that asks for a fresh one
 * is drawn (xipc__name_draw) until a draw is free (up to 64 draws), and
 * `name` receives the name made. Every create of every kind comes through
 * here. Returns 0 and *out, or a seam error. */
int xipc__obj_create(struct xipc__seg **out, char name[XIPC__NAME_BUF],
                     int kind, uint64_t data_off, uint64_t user_size,
                     xipc__obj_init_fn init, void *ctx);

/* Opens object `name` (already canonical), checking that it is a valid
 * object of `kind`; *hdr receives the validated local copy of its header.
 * Returns 0 and *out, or a seam or header error. */
int xipc__obj_open(struct xipc__seg **out, const char *name,
                   int kind, int readonly, xipc__hdr *hdr);

/* ---- objects built of parts (src/object.c) ------------------------------- */

/* Most kinds are a header followed by parts of the seam - mutexes,
 * wake-up channels - and a few words of their own. A spec says which; the
 * parts are laid out one after another on 64-byte boundaries behind the
 * header, then the words, and xipc__parts_make creates or opens such an
 * object and attaches every part, so that a new kind writes only its own
 * algorithm. Mutex i is attached with index i, channel j with index
 * 8 + j (the indexes name a backend's kernel objects). */
#define XIPC__PARTS_MAX_MUTEX 2
#define XIPC__PARTS_MAX_NOTIFY 4

typedef struct xipc__parts_spec {
    int kind;          /* XIPC_KIND_* */
    const char *api;   /* "xipc_event", for error messages */
    unsigned nmutex;   /* mutexes, each recursive or not: */
    int recursive[XIPC__PARTS_MAX_MUTEX];
    unsigned nnotify;  /* wake-up channels */
    uint32_t words;    /* bytes of the kind's own words (8-byte aligned) */
    /* Fills the words of a new object (zero-filled) from ctx, while no one
     * else can see it; may be NULL. Returns 0 or an xipc code. */
    int (*init)(void *words, const void *ctx);
    /* Checks the words of an object being opened (the header is already
     * valid), reading each once; may be NULL. Returns 0 or XIPC_ECORRUPT /
     * XIPC_EKIND with the reason recorded. */
    int (*check)(const void *words, const char *name);
} xipc__parts_spec;

typedef struct xipc__parts {
    struct xipc__seg *seg;
    struct xipc__mutex *mutex[XIPC__PARTS_MAX_MUTEX];
    struct xipc__notify *notify[XIPC__PARTS_MAX_NOTIFY];
    unsigned char *words; /* in this process */
    unsigned char *extra; /* the object's extra bytes, after the words */
    uint64_t extra_size;  /* their number (validated against the mapping) */
    char name[XIPC__NAME_BUF];
} xipc__parts;

/* The offsets of a spec's parts behind the header (for describe functions,
 * which see only the segment's bytes): mutex i, channel j, the words. */
uint64_t xipc__parts_mutex_off(const xipc__parts_spec *spec, unsigned i);
uint64_t xipc__parts_notify_off(const xipc__parts_spec *spec, unsigned j);
uint64_t xipc__parts_words_off(const xipc__parts_spec *spec);

/* Creates (create != 0, with init's ctx and `extra` zero-filled bytes after
 * the words, for a table whose size the creator chooses) or opens object
 * `name` (not yet validated: this checks it; extra is then ignored and
 * p->extra_size tells the creator's) of the spec's kind and attaches its
 * parts into *p. init and check see the words; the extra bytes follow them
 * at p->extra (64-byte aligned). Returns 0, or an xipc code with nothing
 * held. */
int xipc__parts_make(xipc__parts *p, const xipc__parts_spec *spec,
                     const char *name, int create, const void *ctx,
                     uint64_t extra);

/* Detaches the parts and closes the segment. Mutexes are detached with
 * force: the parts' mutexes are internal (a kind that lends one to its
 * user checks that it is not held first). */
void xipc__parts_free(xipc__parts *p, const xipc__parts_spec *spec);

/* ---- locks (src/lock.c; acquire and release in src/mutex.h) ------------- */

/* Where the mutex of a Lock (src/lock.c) and of a locked Value or Array
 * (src/typed.c) sits behind the header; the tests read it too. */
#define XIPC__LOCK_MUTEX_OFF 64u
#define XIPC__TYPED_MUTEX_OFF 128u

struct xipc__mutex;

/* A Lock or RLock handle: its own object's, or one embedded in a Value or
 * Array, which owns it. */
struct xipc_lock {
    struct xipc__seg *seg;
    struct xipc__mutex *mutex;
    int embedded; /* owned by a Value or Array, which closes it */
    char name[XIPC__NAME_BUF];
};

/* Makes a Lock handle for the mutex whose shared bytes are `shared` in
 * segment `seg` (mutex `index` of that segment), owned by the object that
 * embeds it: the user acquires and releases it, but xipc_lock_close()
 * refuses it; xipc__lock_drop() releases it with its object. `name` is the
 * object's name. Returns 0 and *out, or an xipc code. */
int xipc__lock_embed(xipc_lock **out, struct xipc__seg *seg, void *shared,
                     unsigned index, int recursive, const char *name);

/* The seam's mutex behind a lock handle (src/platform.h), for the core's
 * own locked operations: they skip the public checks. */
struct xipc__mutex *xipc__lock_mutex(const xipc_lock *lock);

/* Detaches and frees an embedded lock handle. Returns 0, or XIPC_EBUSY
 * (and keeps it) if a thread of this process holds it. */
int xipc__lock_drop(xipc_lock *lock);

/* What an object's lock accessor (xipc_value_lock, `api`) returns: `lock`.
 * If that is NULL - no handle (name NULL), a handle opened read-only, or
 * an object created XIPC_RAW - records why, for xipc_last_error() and for
 * the lock call that is then given NULL (xipc__lock_null). `kind` names the
 * object ("Value"). */
xipc_lock *xipc__lock_of(xipc_lock *lock, const char *api, const char *kind,
                         const char *name, int readonly);

/* XIPC_EINVAL for lock call `api` given a NULL lock, with a message that
 * says where this thread's last NULL lock came from. */
int xipc__lock_null(const char *api);



/* ---- typed objects: Value and Array (src/typed.c) ------------------------ */

/* What a Value or Array handle holds. A Value is the Array of one element
 * under another kind; both share this code. Everything here comes from the
 * validated local copy of the header, never from the segment. */
typedef struct xipc__typed {
    struct xipc__seg *seg;
    unsigned char *data;       /* the first element in this process */
    xipc_lock *lock;           /* NULL: raw, or read-only handle */
    struct xipc__mutex *mutex; /* the lock's mutex, NULL with it */
    uint64_t length;           /* elements */
    uint32_t elem_size;
    xipc_type type;
    int readonly;
    char name[XIPC__NAME_BUF];
} xipc__typed;

/* Creates (create != 0) or opens object `name` of `kind` (VALUE or ARRAY)
 * holding elements of `type`: a new one of `length` elements filled from
 * the init_size bytes at init (exactly length elements; NULL and 0:
 * zeros), locked unless flags has XIPC_RAW; an existing one with open
 * flags XIPC_RDWR or XIPC_RDONLY. `api` names the public function for
 * error messages. Returns 0 and a new *out, or an xipc code. */
int xipc__typed_make(xipc__typed **out, int create, int kind,
                     const char *api, const char *name, xipc_type type,
                     uint64_t length, const void *init, size_t init_size,
                     int flags);

/* Releases the handle: XIPC_EBUSY (and keeps it) if a thread of this
 * process holds its lock. */
int xipc__typed_free(xipc__typed *t);

/* Copies elements [first, first + count) out of (write == 0) or into
 * (write != 0) the object, under its lock unless raw or read-only. The
 * range must already be checked. Returns 0, XIPC_EACCES (write through a
 * read-only handle), or what xipc__typed_lock returned, having copied
 * nothing. */
int xipc__typed_copy(xipc__typed *t, uint64_t first, uint64_t count, void *buf,
                     int write);

/* Enters the object's lock for an operation of the core. Returns 0 (taken:
 * pass 0 to xipc__typed_unlock), 1 (nothing to take: a raw or read-only
 * handle, or the caller already holds the lock), or XIPC_EOWNERDEAD (the
 * lock is taken and stays held: the operation is not done, the user
 * repairs), XIPC_ENOTRECOVERABLE, XIPC_ESYS. */
int xipc__typed_lock(xipc__typed *t);

/* Ends an operation that xipc__typed_lock() let in with `entered` (0 or
 * 1): releases the lock if it was taken for it. */
void xipc__typed_unlock(xipc__typed *t, int entered);

/* The description of a Value or Array (src/typed.c) for their kinds. */
int xipc__typed_describe(struct xipc__seg *seg, const void *base,
                         const xipc__hdr *h, xipc_info *out);

/* The layout of a Queue's segment behind the header (src/queue.c; the
 * tests read it too): the two mutexes and the two channels, then one cache
 * line each for the shutdown flag, the tail and the head, then the ring. */
#define XIPC__Q_PUT_MUTEX_OFF 64u
#define XIPC__Q_GET_MUTEX_OFF (XIPC__Q_PUT_MUTEX_OFF + XIPC__MUTEX_SHARED_SIZE)
#define XIPC__Q_DATA_NOTIFY_OFF                                                \
    (XIPC__Q_GET_MUTEX_OFF + XIPC__MUTEX_SHARED_SIZE)
#define XIPC__Q_SPACE_NOTIFY_OFF                                               \
    (XIPC__Q_DATA_NOTIFY_OFF + XIPC__NOTIFY_SHARED_SIZE)
#define XIPC__Q_CLOSED_OFF (XIPC__Q_SPACE_NOTIFY_OFF + XIPC__NOTIFY_SHARED_SIZE)
#define XIPC__Q_TAIL_OFF (XIPC__Q_CLOSED_OFF + 64u)
#define XIPC__Q_HEAD_OFF (XIPC__Q_TAIL_OFF + 64u)
#define XIPC__Q_DATA_OFF (XIPC__Q_HEAD_OFF + 64u)



/* ---- Condition (src/condition.c) ---------------------------------------- */

/* The segment behind a Condition handle, and where its parts lie in this
 * process (the tests damage them): the lock's mutex bytes, the kind's
 * words (64 bytes) and the table of waiters (table_bytes bytes). */
struct xipc__seg *xipc__condition_seg(const xipc_condition *c);
void xipc__condition_parts(const xipc_condition *c, unsigned char **mutex,
                           unsigned char **words, unsigned char **table,
                           uint64_t *table_bytes);

/* ---- object internals for the tests ----------------------------------- */

/* Return the segment behind a handle (src/shm.c, src/lock.c, src/value.c,
 * src/array.c). */
struct xipc__seg *xipc__shm_seg(const xipc_shm *shm);
struct xipc__seg *xipc__lock_seg(const xipc_lock *lock);
struct xipc__seg *xipc__value_seg(const xipc_value *v);
struct xipc__seg *xipc__array_seg(const xipc_array *a);
struct xipc__seg *xipc__queue_seg(const xipc_queue *queue);
struct xipc__seg *xipc__semaphore_seg(const xipc_semaphore *s);
struct xipc__seg *xipc__event_seg(const xipc_event *e);
struct xipc__seg *xipc__barrier_seg(const xipc_barrier *b);

/* ---- fault injection (src/error.c) ------------------------------------- */

/* If set, called at named points inside the library ("create:init" is
 * just before a new segment is published). Tests set it in a helper process
 * to die at that point; it is NULL otherwise and costs one load. */
extern void (*xipc__fault_hook)(const char *where);

#define XIPC__FAULT_POINT(where)                                               \
    do {                                                                       \
        if (xipc__fault_hook)                                                  \
            xipc__fault_hook(where);                                           \
    } while (0)

#endif /* XIPC_INTERNAL_H */
