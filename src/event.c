/*
 * event.c - Event: a named flag that processes wait for. Portable: an
 * object built of parts (src/object.c), one wake-up channel and one word.
 *
 * The word is the whole state: bit 0 is the flag, bits 1..31 count the
 * times it was set (from clear), so that a waiter that began while the
 * event was clear returns when the count moves, even if the event was
 * cleared again before the waiter looked (threading.Event's guarantee).
 * wait on a set event and is_set are one load; set is one compare-exchange
 * and, only if it changed the flag, a wake of every sleeper (a system call
 * only when someone sleeps); clear is one atomic and. Every 32-bit
 * pattern is a state, so a damaged word cannot make a call fail. A second
 * word counts waiting threads, for xipc_info only (a waiter killed while
 * waiting stays counted: it is a hint).
 */
#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The slow path stays out of line, so that a wait on a set event - a load
 * and a test - pays for no saved registers. */
#if defined(__GNUC__)
#define SLOW_PATH __attribute__((noinline, cold))
#else
#define SLOW_PATH
#endif

/* "XEVT" */
#define EV_MAGIC 0x54564558u
#define EV_SET 1u

struct ev_words {
    _Atomic uint32_t state;   /* EV_SET | sets << 1 */
    _Atomic uint32_t waiting; /* waiting threads (a hint) */
    uint32_t magic;           /* EV_MAGIC, written once by init */
    uint32_t reserved;
};

struct xipc_event {
    _Atomic uint32_t *state; /* first: the fast path's one dependent load */
    _Atomic uint32_t *waiting;
    xipc__parts p;
};

static int ev_init(void *words, const void *ctx)
{
    struct ev_words *w = words;

    (void)ctx;
    w->magic = EV_MAGIC;
    return 0;
}

static int ev_check(const void *words, const char *name)
{
    const volatile struct ev_words *w = words;

    if (w->magic != EV_MAGIC)
        return xipc__fail(XIPC_ECORRUPT, "xipc_event_open", name,
                          "the event's words are damaged");
    return 0;
}

static const xipc__parts_spec ev_spec = {
    XIPC_KIND_EVENT,         "xipc_event", 0,       {0, 0}, 1,
    sizeof(struct ev_words), ev_init,      ev_check};

static int ev_make(xipc_event **out, const char *name, int create)
{
    xipc_event *e;
    struct ev_words *w;
    int rc;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL,
                          create ? "xipc_event_create" : "xipc_event_open",
                          NULL, "NULL out");
    if ((e = calloc(1, sizeof *e)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    if ((rc = xipc__parts_make(&e->p, &ev_spec, name, create, NULL, 0)) != 0) {
        free(e);
        return rc;
    }
    w = (struct ev_words *)e->p.words;
    e->state = &w->state;
    e->waiting = &w->waiting;
    *out = e;
    return 0;
}

int xipc_event_create(xipc_event **out, const char *name)
{
    return ev_make(out, name, 1);
}

int xipc_event_open(xipc_event **out, const char *name)
{
    return ev_make(out, name, 0);
}

int xipc_event_close(xipc_event *e)
{
    if (e == NULL)
        return XIPC_EINVAL;
    xipc__parts_free(&e->p, &ev_spec);
    free(e);
    return 0;
}

int xipc_event_unlink(const char *name)
{
    return xipc_unlink(name);
}

int xipc_event_set(xipc_event *e)
{
    uint32_t st;

    if (e == NULL)
        return XIPC_EINVAL;
    st = atomic_load_explicit(e->state, memory_order_relaxed);
    do {
        if (st & EV_SET)
            return 0; /* already set: every waiter has been woken */
    } while (!atomic_compare_exchange_weak_explicit(
        e->state, &st, (st + 2u) | EV_SET, memory_order_release,
        memory_order_relaxed));
    xipc__notify_wake(e->p.notify[0], XIPC__WAKE_ALL);
    return 0;
}

int xipc_event_clear(xipc_event *e)
{
    if (e == NULL)
        return XIPC_EINVAL;
    atomic_fetch_and_explicit(e->state, ~EV_SET, memory_order_release);
    return 0;
}

int xipc_event_is_set(const xipc_event *e)
{
    if (e == NULL)
        return XIPC_EINVAL;
    return (int)(atomic_load_explicit(e->state, memory_order_acquire) & EV_SET);
}

struct ev_wait {
    _Atomic uint32_t *state;
    uint32_t begun; /* the word when the wait began (clear) */
};

static int ev_ready(void *arg)
{
    const struct ev_wait *c = arg;
    uint32_t st = atomic_load_explicit(c->state, memory_order_acquire);

    /* Set now, or set (and maybe cleared) since the wait began. */
    return (st & EV_SET) || (st >> 1) != (c->begun >> 1);
}

SLOW_PATH static int wait_slow(xipc_event *e, uint32_t st, int64_t timeout_ms)
{
    int64_t deadline = xipc__deadline(timeout_ms);
    struct ev_wait c;
    uint32_t n;
    int rc;

    if (deadline == 0)
        return XIPC_ETIMEDOUT;
    c.state = e->state;
    c.begun = st;
    atomic_fetch_add_explicit(e->waiting, 1, memory_order_relaxed);
    rc = xipc__wait(e->p.notify[0], deadline, ev_ready, &c);
    /* A hint that damage may have zeroed: never below zero. */
    n = atomic_load_explicit(e->waiting, memory_order_relaxed);
    while (n != 0 && !atomic_compare_exchange_weak_explicit(
                         e->waiting, &n, n - 1, memory_order_relaxed,
                         memory_order_relaxed))
        ;
    return rc > 0 ? 0 : rc;
}

int xipc_event_wait(xipc_event *e, int64_t timeout_ms)
{
    uint32_t st;

    if (e == NULL)
        return XIPC_EINVAL;
    st = atomic_load_explicit(e->state, memory_order_acquire);
    if (st & EV_SET)
        return 0;
    return wait_slow(e, st, timeout_ms);
}

const char *xipc_event_name(const xipc_event *e)
{
    return e != NULL ? e->p.name : NULL;
}

/* What xipc_info says of an event: set or clear, and its waiters. */
int xipc__describe_EVENT(xipc__seg *seg, const void *base, const xipc__hdr *h,
                         xipc_info *out)
{
    uint64_t off = xipc__parts_words_off(&ev_spec);
    const volatile struct ev_words *w;
    uint32_t st, waiting;

    (void)seg;
    if (h->data_off != ((off + sizeof(struct ev_words) + 63) & ~(uint64_t)63))
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "an event of another layout");
    w = (const volatile struct ev_words *)((const unsigned char *)base + off);
    if (w->magic != EV_MAGIC)
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "the event's words are damaged");
    st = w->state;
    waiting = w->waiting;
    out->value = st & EV_SET;
    out->waiting = waiting;
    snprintf(out->state, sizeof out->state, "%s, %u waiting",
             (st & EV_SET) ? "set" : "clear", waiting);
    return 0;
}

xipc__seg *xipc__event_seg(const xipc_event *e)
{
    return e->p.seg;
}
