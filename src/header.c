/*
 * header.c - the fixed header at offset 0 of every segment: how a creator
 * fills and publishes it, and how an opener validates it. The segment is
 * shared with other processes and therefore untrusted: every field is read
 * once into a local copy, and the copy is checked against the size of the
 * mapping as this process's OS reports it. Portable.
 */
#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

/* The header is the same 64 bytes in 32- and 64-bit builds. */
_Static_assert(sizeof(xipc__hdr) == 64, "the shared header is 64 bytes");
_Static_assert(offsetof(xipc__hdr, magic) == 0 &&
                   offsetof(xipc__hdr, version) == 8 &&
                   offsetof(xipc__hdr, kind) == 12 &&
                   offsetof(xipc__hdr, state) == 16 &&
                   offsetof(xipc__hdr, hdr_size) == 20 &&
                   offsetof(xipc__hdr, total_size) == 24 &&
                   offsetof(xipc__hdr, data_off) == 32 &&
                   offsetof(xipc__hdr, user_size) == 40 &&
                   offsetof(xipc__hdr, elem_type) == 48 &&
                   offsetof(xipc__hdr, elem_size) == 52 &&
                   offsetof(xipc__hdr, creator_pid) == 56,
               "the header's fields sit where every build expects them");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
               "32- and 64-bit atomics on shared memory are lock-free (an "
               "atomic with a lock inside would not work across processes)");

void xipc__hdr_init(xipc__hdr *h, int kind, uint64_t data_off,
                    uint64_t user_size)
{
    memset(h, 0, sizeof *h);
    h->magic = XIPC__MAGIC;
    h->version = XIPC__LAYOUT_VERSION;
    h->kind = (uint32_t)kind;
    h->state = XIPC__STATE_INIT;
    h->hdr_size = (uint32_t)sizeof *h;
    h->total_size = data_off + user_size;
    h->data_off = data_off;
    h->user_size = user_size;
    h->creator_pid = xipc__sys_getpid();
}

void xipc__hdr_publish(xipc__hdr *h)
{
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit((_Atomic uint32_t *)&h->state, XIPC__STATE_READY,
                          memory_order_release);
}

int xipc__hdr_check(const void *base, uint64_t mapped, int kind,
                    xipc__hdr *out)
{
    xipc__hdr h;

    if (mapped < sizeof h)
        return xipc__fail(XIPC_ECORRUPT, "header", NULL,
                          "segment smaller than the xipc header");
    /* One snapshot; the state word with acquire ordering first, so that the
     * rest of a READY header is the creator's final version. */
    h.state = atomic_load_explicit((const _Atomic uint32_t *)&((
                                       const xipc__hdr *)base)->state,
                                   memory_order_acquire);
    {
        uint32_t state = h.state;
        memcpy(&h, base, sizeof h);
        h.state = state;
    }
    if (h.magic != XIPC__MAGIC)
        return xipc__fail(XIPC_ECORRUPT, "header", NULL,
                          "not an xipc object (foreign magic)");
    if (h.version != XIPC__LAYOUT_VERSION)
        return xipc__fail(XIPC_EVERSION, "header", NULL,
                          "made by an xipc with another layout version");
    if (h.state != XIPC__STATE_READY)
        return xipc__fail(XIPC_ECORRUPT, "header", NULL,
                          "object was never completely initialised");
    if (h.hdr_size != sizeof h || h.data_off < sizeof h ||
        h.data_off % 64 != 0 || h.data_off > mapped ||
        h.user_size > mapped - h.data_off ||
        h.total_size != h.data_off + h.user_size)
        return xipc__fail(XIPC_ECORRUPT, "header", NULL,
                          "sizes in the header do not fit the segment");
    if (kind != XIPC__KIND_ANY && h.kind != (uint32_t)kind)
        return xipc__fail(XIPC_EKIND, "header", NULL,
                          "the name holds another kind of object");
    *out = h;
    return 0;
}
