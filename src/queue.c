/*
 * queue.c - Queue: a named ring of length-prefixed messages in one segment,
 * for any number of producer and consumer processes. Portable.
 *
 * Producers take the put mutex, consumers the get mutex, so one producer and
 * one consumer never contend: each side owns one commit word, which only
 * its mutex's holder writes and the other side reads.
 *
 *   tail  (put side)  (number of messages ever put  mod 2^32) << 32 | pos
 *   head  (get side)  (number of messages ever got  mod 2^32) << 32 | pos
 *
 * pos counts 8-byte units in [0, 2R), R being the ring's size in units; the
 * record at pos starts at unit pos mod R. The extra range tells a full ring
 * from an empty one: used units are (tail.pos - head.pos) mod 2R, messages
 * tail.count - head.count. A record is an 8-byte header (length and the
 * message's own count, a check) and the payload, padded to 8 bytes; a
 * payload may wrap around the end of the ring, a header never does.
 *
 * A message becomes visible by one release store of the tail after its
 * bytes are copied in, and leaves by one release store of the head after
 * they are copied out. So the commit words are the whole state: a process
 * killed at any point, holding a mutex or not, leaves either the old word
 * (its half-written or half-read record is simply not committed) or the new
 * one; there is nothing to repair, only to check, when the next holder gets
 * the mutex with XIPC_EOWNERDEAD. Everything read from the segment is
 * untrusted: each word is read once into a local and checked before use.
 *
 * Waiting is done outside the mutexes on two wake-up channels of the seam
 * (data for getters, space for putters): spin briefly, then sleep in
 * bounded slices, re-checking the commit words, which stay the only source
 * of truth. A put or get wakes the other side only if someone sleeps.
 */
#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The segment: header, the two mutexes and the two channels, then one
 * cache line each for the shutdown flag, the tail (with the put side's view
 * of the head) and the head (with the get side's view of the tail), then
 * the ring. */
_Static_assert(XIPC__MUTEX_SHARED_SIZE % 64 == 0 &&
                   XIPC__NOTIFY_SHARED_SIZE % 64 == 0,
               "mutexes and channels take whole cache lines");

/* Mutex and channel indexes (the backend may name kernel objects by them). */
enum { Q_PUT = 0, Q_GET = 1 };

/* The record header in the ring. */
struct rec {
    uint32_t len;   /* payload bytes */
    uint32_t count; /* the message's number: the tail's count when put */
};
_Static_assert(sizeof(struct rec) == 8, "a record header is 8 bytes");
_Static_assert(XIPC__Q_TAIL_OFF % 64 == 0 && XIPC__Q_HEAD_OFF % 64 == 0 &&
                   XIPC__Q_DATA_OFF % 64 == 0,
               "the queue's words and ring start on cache lines (and 8-byte "
               "boundaries) in every build");

struct xipc_queue {
    xipc__seg *seg;
    xipc__mutex *mutex[2];   /* Q_PUT, Q_GET */
    xipc__notify *notify[2]; /* Q_PUT: space, Q_GET: data */
    _Atomic uint32_t *closed;
    _Atomic uint64_t *tail, *head;
    /* The other side's word as its side last read it, kept next to its own
     * word and used while it still answers the question: a stale head only
     * hides space, a stale tail only hides messages. Shared by every
     * handle of a side, written under its mutex, so the tail never runs
     * more than R units ahead of head_seen (nor the head past tail_seen),
     * and positions taken modulo 2R stay exact. */
    _Atomic uint64_t *head_seen, *tail_seen;
    unsigned char *ring;
    uint32_t units;   /* R: the ring's size in 8-byte units */
    uint32_t max_msg; /* the largest payload */
    char name[XIPC__NAME_BUF];
};

/* Units a message of len bytes occupies: the header and the padded
 * payload. */
static uint32_t cost_units(size_t len)
{
    return (uint32_t)(1 + (len + 7) / 8);
}

/* The state between a head and a tail word. */
struct span {
    uint32_t used;  /* units */
    uint32_t count; /* messages */
};

/* Checks a head/tail pair and measures what lies between them. Returns 0,
 * or XIPC_ECORRUPT if no honest queue could hold these words. */
static int span_of(const xipc_queue *q, uint64_t h, uint64_t t, struct span *s)
{
    uint32_t hp = (uint32_t)h, tp = (uint32_t)t, r2 = 2 * q->units;

    s->used = s->count = 0;
    if (hp >= r2 || tp >= r2)
        return XIPC_ECORRUPT;
    s->used = tp >= hp ? tp - hp : tp + (r2 - hp);
    s->count = (uint32_t)(t >> 32) - (uint32_t)(h >> 32);
    /* Every message takes at least one unit, and only messages do. */
    if (s->used > q->units || s->count > s->used ||
        (s->count == 0) != (s->used == 0))
        return XIPC_ECORRUPT;
    return 0;
}

static int corrupt(const xipc_queue *q, const char *what)
{
    return xipc__fail(XIPC_ECORRUPT, what, q->name,
                      "the queue's indexes or records are damaged");
}

/* Advances a position by n units within [0, 2R). */
static uint32_t advance(const xipc_queue *q, uint32_t pos, uint32_t n)
{
    uint32_t r2 = 2 * q->units;
    return pos >= r2 - n ? pos - (r2 - n) : pos + n;
}

/* The byte offset in the ring of the unit at position pos. */
static size_t ring_off(const xipc_queue *q, uint32_t pos)
{
    return (size_t)(pos < q->units ? pos : pos - q->units) * 8;
}

/* Copies n bytes into the ring at byte offset off, wrapping at the end. */
static void ring_put(const xipc_queue *q, size_t off, const void *src, size_t n)
{
    size_t size = (size_t)q->units * 8, first;

    if (off >= size)
        off -= size;
    first = n < size - off ? n : size - off;
    memcpy(q->ring + off, src, first);
    memcpy(q->ring, (const unsigned char *)src + first, n - first);
}

/* Copies n bytes out of the ring from byte offset off, wrapping. */
static void ring_get(const xipc_queue *q, size_t off, void *dst, size_t n)
{
    size_t size = (size_t)q->units * 8, first;

    if (off >= size)
        off -= size;
    first = n < size - off ? n : size - off;
    memcpy(dst, q->ring + off, first);
    memcpy((unsigned char *)dst + first, q->ring, n - first);
}

/* ---- creating and opening ----------------------------------------------- */

struct q_params {
    uint64_t capacity;
    uint32_t max_msg;
};

static int queue_init(void *base, void *ctx)
{
    const struct q_params *p = ctx;
    unsigned char *b = base;
    xipc__hdr *h = base;
    int rc;

    h->elem_size = p->max_msg;
    if ((rc = xipc__mutex_init(b + XIPC__Q_PUT_MUTEX_OFF, 0)) != 0 ||
        (rc = xipc__mutex_init(b + XIPC__Q_GET_MUTEX_OFF, 0)) != 0 ||
        (rc = xipc__notify_init(b + XIPC__Q_DATA_NOTIFY_OFF)) != 0 ||
        (rc = xipc__notify_init(b + XIPC__Q_SPACE_NOTIFY_OFF)) != 0)
        return rc;
    /* The flag and the words start at zero, as the segment does. */
    return 0;
}

/* Checks the queue-specific part of a validated header. */
static int params_check(const xipc__hdr *h, const char *name)
{
    if (h->data_off != XIPC__Q_DATA_OFF || h->elem_type != 0 ||
        h->user_size % 8 != 0 || h->user_size > XIPC_QUEUE_CAPACITY_MAX ||
        XIPC_QUEUE_MSG_COST(h->elem_size) > h->user_size)
        return xipc__fail(XIPC_ECORRUPT, "open", name,
                          "a queue of another layout or with bad limits");
    return 0;
}

/* Attaches the handle's mutexes and channels and points it at the words. */
static int queue_attach(xipc_queue *q, const xipc__hdr *h)
{
    unsigned char *b = xipc__seg_base(q->seg);
    int rc;

    q->units = (uint32_t)(h->user_size / 8);
    q->max_msg = h->elem_size;
    q->closed = (_Atomic uint32_t *)(b + XIPC__Q_CLOSED_OFF);
    q->tail = (_Atomic uint64_t *)(b + XIPC__Q_TAIL_OFF);
    q->head = (_Atomic uint64_t *)(b + XIPC__Q_HEAD_OFF);
    q->head_seen = (_Atomic uint64_t *)(b + XIPC__Q_TAIL_OFF + 8);
    q->tail_seen = (_Atomic uint64_t *)(b + XIPC__Q_HEAD_OFF + 8);
    q->ring = b + XIPC__Q_DATA_OFF;
    if ((rc = xipc__mutex_attach(&q->mutex[Q_PUT], b + XIPC__Q_PUT_MUTEX_OFF,
                                 q->seg, Q_PUT, 0)) != 0)
        return rc;
    if ((rc = xipc__mutex_attach(&q->mutex[Q_GET], b + XIPC__Q_GET_MUTEX_OFF,
                                 q->seg, Q_GET, 0)) != 0)
        return rc;
    if ((rc =
             xipc__notify_attach(&q->notify[Q_GET], b + XIPC__Q_DATA_NOTIFY_OFF,
                                 q->seg, Q_GET)) != 0)
        return rc;
    return xipc__notify_attach(&q->notify[Q_PUT], b + XIPC__Q_SPACE_NOTIFY_OFF,
                               q->seg, Q_PUT);
}

/* Releases whatever a handle holds; the handle is not in use. */
static void queue_free(xipc_queue *q)
{
    int i;

    for (i = 0; i < 2; i++) {
        if (q->notify[i] != NULL)
            xipc__notify_detach(q->notify[i]);
        /* A side mutex is held only inside a put or get, maybe now by
         * another thread through another handle: detached all the same
         * (src/platform.h). */
        if (q->mutex[i] != NULL)
            xipc__mutex_detach(q->mutex[i], 1);
    }
    if (q->seg != NULL)
        xipc__seg_close(q->seg);
    free(q);
}

static int queue_get_handle(xipc_queue **out, const char *name, int create,
                            size_t capacity, size_t max_msg)
{
    const char *fn = create ? "xipc_queue_create" : "xipc_queue_open";
    struct q_params p;
    xipc_queue *q;
    xipc__hdr h;
    int rc;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, fn, NULL, "NULL out");
    if (create) {
        if (capacity > XIPC_QUEUE_CAPACITY_MAX)
            return xipc__fail(XIPC_EINVAL, fn, NULL, "capacity too large");
        capacity = (capacity + 7) & ~(size_t)7;
        if (max_msg > capacity || XIPC_QUEUE_MSG_COST(max_msg) > capacity)
            return xipc__fail(XIPC_EINVAL, fn, NULL,
                              "capacity cannot hold a message of max_msg");
    }
    if ((q = calloc(1, sizeof *q)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    if ((rc = create ? xipc__name_create(name, q->name, fn)
                     : xipc__name_canon(name, q->name)) != 0)
        goto fail;
    if (create) {
        p.capacity = capacity;
        p.max_msg = (uint32_t)max_msg;
        rc = xipc__obj_create(&q->seg, q->name, XIPC_KIND_QUEUE,
                              XIPC__Q_DATA_OFF, capacity, queue_init, &p);
        if (rc == 0) {
            memset(&h, 0, sizeof h);
            h.user_size = capacity;
            h.elem_size = p.max_msg;
        }
    } else {
        rc = xipc__obj_open(&q->seg, q->name, XIPC_KIND_QUEUE, 0, &h);
        if (rc == 0)
            rc = params_check(&h, q->name);
    }
    if (rc == 0)
        rc = queue_attach(q, &h);
    if (rc != 0)
        goto fail;
    *out = q;
    return 0;

fail:
    queue_free(q);
    return rc;
}

int xipc_queue_create(xipc_queue **out, const char *name, size_t capacity,
                      size_t max_msg)
{
    return queue_get_handle(out, name, 1, capacity, max_msg);
}

int xipc_queue_open(xipc_queue **out, const char *name)
{
    return queue_get_handle(out, name, 0, 0, 0);
}

int xipc_queue_close(xipc_queue *q)
{
    if (q == NULL)
        return XIPC_EINVAL;
    queue_free(q);
    return 0;
}

int xipc_queue_unlink(const char *name)
{
    return xipc_unlink(name);
}

/* ---- the side mutexes ---------------------------------------------------- */

/* Takes one side's mutex. If its holder died, the commit words are all
 * there is to check: a half-copied record was never committed. The side's
 * view of the other word is re-read from it, whatever the dead holder left
 * there. */
static int side_lock(xipc_queue *q, int side, int64_t deadline)
{
    struct span s;
    int rc = xipc__mutex_lock(q->mutex[side], deadline);

    if (rc == XIPC_EOWNERDEAD) {
        uint64_t h = atomic_load_explicit(q->head, memory_order_acquire);
        uint64_t t = atomic_load_explicit(q->tail, memory_order_acquire);
        if (span_of(q, h, t, &s) != 0) {
            /* Released unrepaired: the mutex, and the queue, are lost. */
            xipc__mutex_unlock(q->mutex[side]);
            return corrupt(q, "recover");
        }
        if (side == Q_PUT)
            atomic_store_explicit(q->head_seen, h, memory_order_relaxed);
        else
            atomic_store_explicit(q->tail_seen, t, memory_order_relaxed);
        XIPC__FAULT_POINT("queue:recovered");
        return xipc__mutex_consistent(q->mutex[side]);
    }
    return rc;
}

static void side_unlock(xipc_queue *q, int side)
{
    xipc__mutex_unlock(q->mutex[side]);
}

/* ---- waiting ------------------------------------------------------------ */

/* What a put or get of `side` waits for before it takes its mutex: for a
 * putter, room for `need` units; for a getter, a message; for both, a
 * shutdown. Damaged words count as ready, so that the locked path reports
 * them. The side's own view of the other word answers first, as it does
 * under the mutex, which costs no cache miss while it shows room or a
 * message. */
static int ready(const xipc_queue *q, int side, uint32_t need)
{
    struct span s;
    uint64_t h, t;

    if (side == Q_PUT) {
        t = atomic_load_explicit(q->tail, memory_order_relaxed);
        h = atomic_load_explicit(q->head_seen, memory_order_relaxed);
        if (span_of(q, h, t, &s) == 0 && q->units - s.used >= need)
            return 1;
    } else {
        h = atomic_load_explicit(q->head, memory_order_relaxed);
        t = atomic_load_explicit(q->tail_seen, memory_order_relaxed);
        if (span_of(q, h, t, &s) == 0 && s.count != 0)
            return 1;
    }
    if (atomic_load_explicit(q->closed, memory_order_acquire) != 0)
        return 1;
    h = atomic_load_explicit(q->head, memory_order_acquire);
    t = atomic_load_explicit(q->tail, memory_order_acquire);
    if (span_of(q, h, t, &s) != 0)
        return 1;
    return side == Q_PUT ? q->units - s.used >= need : s.count != 0;
}

struct ready_ctx {
    const xipc_queue *q;
    int side;
    uint32_t need;
};

static int ready_fn(void *arg)
{
    const struct ready_ctx *c = arg;
    return ready(c->q, c->side, c->need);
}

/* Returns 0 at once if ready(q, side, need), else waits through the one
 * wait helper until it is or the deadline passes: returns 0 or
 * XIPC_ETIMEDOUT (or XIPC_ESYS). */
static int wait_ready(xipc_queue *q, int side, uint32_t need, int64_t deadline)
{
    struct ready_ctx c;
    int rc;

    c.q = q;
    c.side = side;
    c.need = need;
    rc = xipc__wait(q->notify[side], deadline, ready_fn, &c);
    return rc > 0 ? 0 : rc;
}

/* ---- put ---------------------------------------------------------------- */

/* Under the put mutex: stores the message if it fits. Returns 0, 1 (no
 * room), XIPC_ECLOSED or XIPC_ECORRUPT. */
static int put_locked(xipc_queue *q, const void *msg, size_t len, uint32_t need)
{
    struct span s;
    struct rec r;
    uint64_t t, h;
    uint32_t pos;

    if (atomic_load_explicit(q->closed, memory_order_acquire) != 0)
        return XIPC_ECLOSED;
    t = atomic_load_explicit(q->tail, memory_order_relaxed);
    h = atomic_load_explicit(q->head_seen, memory_order_relaxed);
    if (span_of(q, h, t, &s) != 0 || q->units - s.used < need) {
        h = atomic_load_explicit(q->head, memory_order_acquire);
        atomic_store_explicit(q->head_seen, h, memory_order_relaxed);
        if (span_of(q, h, t, &s) != 0)
            return corrupt(q, "put");
        if (q->units - s.used < need)
            return 1;
    }
    pos = (uint32_t)t;
    r.len = (uint32_t)len;
    r.count = (uint32_t)(t >> 32);
    memcpy(q->ring + ring_off(q, pos), &r, sizeof r);
    if (len != 0)
        ring_put(q, ring_off(q, pos) + 8, msg, len);
    XIPC__FAULT_POINT("queue:put:copied");
    atomic_store_explicit(q->tail,
                          (uint64_t)(r.count + 1) << 32 | advance(q, pos, need),
                          memory_order_release);
    return 0;
}

int xipc_queue_put(xipc_queue *q, const void *msg, size_t len,
                   int64_t timeout_ms)
{
    int64_t deadline;
    uint32_t need;
    int rc;

    if (q == NULL || (msg == NULL && len != 0))
        return XIPC_EINVAL;
    if (len > q->max_msg)
        return xipc__fail(XIPC_EMSGSIZE, "xipc_queue_put", q->name,
                          "message longer than the queue's max_msg");
    need = cost_units(len);
    deadline = xipc__deadline(timeout_ms);
    /* The mutex is taken only when there seems to be room: a full queue
     * is waited on without it. */
    for (;;) {
        if ((rc = wait_ready(q, Q_PUT, need, deadline)) != 0)
            return rc;
        if ((rc = side_lock(q, Q_PUT, deadline)) != 0)
            return rc;
        rc = put_locked(q, msg, len, need);
        side_unlock(q, Q_PUT);
        if (rc == 0) {
            xipc__notify_wake(q->notify[Q_GET], 1);
            return 0;
        }
        if (rc < 0)
            return rc;
    }
}

/* ---- get ---------------------------------------------------------------- */

/* Under the get mutex: takes the next message into buf (size bytes) or,
 * if alloc is not NULL, into a new block of its exact length stored in
 * *alloc. Returns 0 and *len, 1 (empty), XIPC_EMSGSIZE (and *len),
 * XIPC_ECLOSED, XIPC_ENOMEM or XIPC_ECORRUPT. */
static int get_locked(xipc_queue *q, void *buf, size_t size, void **alloc,
                      size_t *len)
{
    struct span s;
    struct rec r;
    uint64_t h, t;
    uint32_t pos, need;
    uint32_t closed;

    h = atomic_load_explicit(q->head, memory_order_relaxed);
    t = atomic_load_explicit(q->tail_seen, memory_order_relaxed);
    if (span_of(q, h, t, &s) != 0 || s.count == 0) {
        /* The flag first: a shutdown is stored after every put that
         * precedes it, so a tail read after seeing the flag is final. */
        closed = atomic_load_explicit(q->closed, memory_order_acquire);
        t = atomic_load_explicit(q->tail, memory_order_acquire);
        atomic_store_explicit(q->tail_seen, t, memory_order_relaxed);
        if (span_of(q, h, t, &s) != 0)
            return corrupt(q, "get");
        if (s.count == 0)
            return closed ? XIPC_ECLOSED : 1;
    }
    pos = (uint32_t)h;
    memcpy(&r, q->ring + ring_off(q, pos), sizeof r);
    need = r.len <= q->max_msg ? cost_units(r.len) : 0;
    if (need == 0 || need > s.used || r.count != (uint32_t)(h >> 32))
        return corrupt(q, "get");
    if (alloc != NULL) {
        /* One more byte, a NUL, so that a text message is a C string. */
        if ((buf = malloc((size_t)r.len + 1)) == NULL)
            return xipc__fail(XIPC_ENOMEM, "malloc", q->name, NULL);
        ((char *)buf)[r.len] = '\0';
    } else if (r.len > size) {
        *len = r.len;
        return xipc__fail(XIPC_EMSGSIZE, "xipc_queue_get", q->name,
                          "the buffer is smaller than the next message");
    }
    if (r.len != 0)
        ring_get(q, ring_off(q, pos) + 8, buf, r.len);
    XIPC__FAULT_POINT("queue:get:copied");
    atomic_store_explicit(q->head,
                          (uint64_t)(r.count + 1) << 32 | advance(q, pos, need),
                          memory_order_release);
    if (alloc != NULL)
        *alloc = buf;
    *len = r.len;
    return 0;
}

static int get_any(xipc_queue *q, void *buf, size_t size, void **alloc,
                   size_t *len, int64_t timeout_ms)
{
    int64_t deadline = xipc__deadline(timeout_ms);
    size_t n = 0;
    int rc;

    /* As in put, an empty queue is waited on without the mutex. A getter
     * that found a message there but leaves without it (its deadline
     * passed at the mutex, its buffer is too small, ...) may have been
     * woken for it by a put's wake of one: it passes the wake on to the
     * next sleeping getter, which would otherwise sleep out its slice
     * with the message waiting. */
    for (;;) {
        if ((rc = wait_ready(q, Q_GET, 0, deadline)) != 0)
            return rc;
        if ((rc = side_lock(q, Q_GET, deadline)) != 0) {
            xipc__notify_wake(q->notify[Q_GET], 1);
            return rc;
        }
        rc = get_locked(q, buf, size, alloc, &n);
        side_unlock(q, Q_GET);
        if (rc == 0) {
            xipc__notify_wake(q->notify[Q_PUT], XIPC__WAKE_ALL);
            *len = n;
            return 0;
        }
        if (rc == XIPC_EMSGSIZE)
            *len = n;
        if (rc != 1) {
            xipc__notify_wake(q->notify[Q_GET], 1);
            return rc;
        }
    }
}

int xipc_queue_get(xipc_queue *q, void *buf, size_t size, size_t *len,
                   int64_t timeout_ms)
{
    if (q == NULL || len == NULL || (buf == NULL && size != 0))
        return XIPC_EINVAL;
    return get_any(q, buf, size, NULL, len, timeout_ms);
}

int xipc_queue_get_alloc(xipc_queue *q, void **msg, size_t *len,
                         int64_t timeout_ms)
{
    void *p = NULL;
    int rc;

    if (q == NULL || msg == NULL || len == NULL)
        return XIPC_EINVAL;
    if ((rc = get_any(q, NULL, 0, &p, len, timeout_ms)) == 0)
        *msg = p;
    return rc;
}

void xipc_free(void *p)
{
    free(p);
}

int xipc_queue_put_string(xipc_queue *q, const char *s, int64_t timeout_ms)
{
    if (q == NULL || s == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_queue_put_string",
                          q ? q->name : NULL, "NULL queue or string");
    return xipc_queue_put(q, s, strlen(s), timeout_ms);
}

int xipc_queue_get_string(xipc_queue *q, char *buf, size_t size,
                          int64_t timeout_ms)
{
    size_t len = 0;
    int rc;

    if (q == NULL || buf == NULL || size == 0)
        return xipc__fail(XIPC_EINVAL, "xipc_queue_get_string",
                          q ? q->name : NULL,
                          "NULL queue or buffer, or a buffer of 0 bytes");
    /* The last byte is kept for the NUL. A message is at most max_msg <=
     * XIPC_QUEUE_CAPACITY_MAX bytes, so its length fits an int. */
    if ((rc = xipc_queue_get(q, buf, size - 1, &len, timeout_ms)) != 0) {
        if (rc == XIPC_EMSGSIZE)
            xipc__fail(rc, "xipc_queue_get_string", q->name,
                       "the buffer cannot hold the message and a NUL");
        return rc;
    }
    buf[len] = '\0';
    return (int)len;
}

size_t xipc_queue_capacity_for(size_t count, size_t msg_size)
{
    uint64_t cost = XIPC_QUEUE_MSG_COST(msg_size);

    if (count == 0)
        return 0;
    if (cost > (uint64_t)SIZE_MAX / count)
        return SIZE_MAX;
    return (size_t)(cost * count);
}

/* ---- shutdown and the state --------------------------------------------- */

int xipc_queue_shutdown(xipc_queue *q, int64_t timeout_ms)
{
    int rc;

    if (q == NULL)
        return XIPC_EINVAL;
    /* Under the put mutex, so that every put either committed before the
     * flag or sees it. */
    if ((rc = side_lock(q, Q_PUT, xipc__deadline(timeout_ms))) != 0)
        return rc;
    atomic_store_explicit(q->closed, 1, memory_order_release);
    side_unlock(q, Q_PUT);
    xipc__notify_wake(q->notify[Q_GET], XIPC__WAKE_ALL);
    xipc__notify_wake(q->notify[Q_PUT], XIPC__WAKE_ALL);
    return 0;
}

/* Reads the head and the tail as they were at one instant: the tail, read
 * between two equal readings of the head (which only moves forward). */
static int snapshot(const xipc_queue *q, struct span *s)
{
    uint64_t h, t;

    do {
        h = atomic_load_explicit(q->head, memory_order_acquire);
        t = atomic_load_explicit(q->tail, memory_order_acquire);
    } while (atomic_load_explicit(q->head, memory_order_acquire) != h);
    return span_of(q, h, t, s) != 0 ? corrupt(q, "snapshot") : 0;
}

int xipc_queue_qsize(const xipc_queue *q)
{
    struct span s;
    int rc;

    if (q == NULL)
        return XIPC_EINVAL;
    return (rc = snapshot(q, &s)) != 0 ? rc : (int)s.count;
}

int xipc_queue_bytes_used(const xipc_queue *q)
{
    struct span s;
    int rc;

    if (q == NULL)
        return XIPC_EINVAL;
    return (rc = snapshot(q, &s)) != 0 ? rc : (int)(s.used * 8);
}

int xipc_queue_empty(const xipc_queue *q)
{
    struct span s;
    int rc;

    if (q == NULL)
        return XIPC_EINVAL;
    return (rc = snapshot(q, &s)) != 0 ? rc : s.count == 0;
}

int xipc_queue_full(const xipc_queue *q)
{
    struct span s;
    int rc;

    if (q == NULL)
        return XIPC_EINVAL;
    return (rc = snapshot(q, &s)) != 0 ? rc : s.used == q->units;
}

size_t xipc_queue_capacity(const xipc_queue *q)
{
    return q ? (size_t)q->units * 8 : 0;
}

size_t xipc_queue_max_msg(const xipc_queue *q)
{
    return q ? q->max_msg : 0;
}

const char *xipc_queue_name(const xipc_queue *q)
{
    return q ? q->name : NULL;
}

xipc__seg *xipc__queue_seg(const xipc_queue *q)
{
    return q->seg;
}

int xipc__describe_QUEUE(xipc__seg *seg, const void *base, const xipc__hdr *h,
                         xipc_info *out)
{
    unsigned char *b = (unsigned char *)base;
    struct span sp;
    xipc_queue q;
    int rc;

    (void)seg;
    if ((rc = params_check(h, "describe")) != 0)
        return rc;
    /* A handle that only reads: the words, never the mutexes or channels. */
    memset(&q, 0, sizeof q);
    memcpy(q.name, "describe", sizeof "describe");
    q.units = (uint32_t)(h->user_size / 8);
    q.closed = (_Atomic uint32_t *)(b + XIPC__Q_CLOSED_OFF);
    q.tail = (_Atomic uint64_t *)(b + XIPC__Q_TAIL_OFF);
    q.head = (_Atomic uint64_t *)(b + XIPC__Q_HEAD_OFF);
    if ((rc = snapshot(&q, &sp)) != 0)
        return rc;
    out->max_msg = h->elem_size;
    out->messages = sp.count;
    out->used = (uint64_t)sp.used * 8;
    out->closed = atomic_load_explicit(q.closed, memory_order_acquire) != 0;
    snprintf(out->state, sizeof out->state,
             "%lld messages, %llu bytes used, %s", (long long)out->messages,
             (unsigned long long)out->used, out->closed ? "shut down" : "open");
    return 0;
}
