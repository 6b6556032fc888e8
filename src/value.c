/*
 * value.c - Value (Python's multiprocessing.Value / RawValue): one element
 * of a typed object (src/typed.c), with get/set under its lock and
 * lock-free atomic operations on the element itself. Portable: the atomics
 * are C11's, on the element's own width.
 */
#include "internal.h"

#include <stdatomic.h>
#include <string.h>

/* A Value handle is a typed-object handle: `t` is its only member, so a
 * pointer to one is a pointer to the other. */
struct xipc_value {
    xipc__typed t;
};

int xipc_value_create(xipc_value **out, const char *name, xipc_type type,
                      const void *init, size_t init_size, int flags)
{
    xipc__typed *t;
    int rc = xipc__typed_make(out ? &t : NULL, 1, XIPC_KIND_VALUE,
                              "xipc_value_create", name, type, 1, init,
                              init_size, flags);
    if (rc == 0)
        *out = (xipc_value *)t;
    return rc;
}

int xipc_value_open(xipc_value **out, const char *name, xipc_type type,
                    int flags)
{
    xipc__typed *t;
    int rc = xipc__typed_make(out ? &t : NULL, 0, XIPC_KIND_VALUE,
                              "xipc_value_open", name, type, 0, NULL, 0, flags);
    if (rc == 0)
        *out = (xipc_value *)t;
    return rc;
}

int xipc_value_close(xipc_value *v)
{
    return xipc__typed_free(v ? &v->t : NULL);
}

int xipc_value_unlink(const char *name)
{
    return xipc_unlink(name);
}

/* The checks get and set share: a handle, a buffer, and its size. */
static int copy_check(const xipc_value *v, const void *buf, size_t size,
                      const char *api)
{
    if (v == NULL || buf == NULL)
        return XIPC_EINVAL;
    if (size != v->t.elem_size)
        return xipc__fail(XIPC_EINVAL, api, v->t.name,
                          "the buffer's size is not the Value's type's");
    return 0;
}

int xipc_value_get(xipc_value *v, void *out, size_t size)
{
    int rc = copy_check(v, out, size, "xipc_value_get");
    return rc != 0 ? rc : xipc__typed_copy(&v->t, 0, 1, out, 0);
}

int xipc_value_set(xipc_value *v, const void *in, size_t size)
{
    int rc = copy_check(v, in, size, "xipc_value_set");
    return rc != 0 ? rc : xipc__typed_copy(&v->t, 0, 1, (void *)in, 1);
}

/* ---- atomics ------------------------------------------------------------ */

enum atomic_op { OP_LOAD, OP_ADD, OP_XCHG, OP_CAS };

static int is_signed_int(xipc_type t)
{
    return t == XIPC_I8 || t == XIPC_I16 || t == XIPC_I32 || t == XIPC_I64;
}

static int is_int(xipc_type t)
{
    return is_signed_int(t) || t == XIPC_U8 || t == XIPC_U16 || t == XIPC_U32 ||
           t == XIPC_U64;
}

/* Widens the `size`-byte bits of an element to int64_t, by the element's
 * own sign. */
static int64_t widen(xipc_type t, unsigned size, uint64_t bits)
{
    int s = is_signed_int(t);
    switch (size) {
    case 1:
        return s ? (int64_t)(int8_t)bits : (int64_t)(uint8_t)bits;
    case 2:
        return s ? (int64_t)(int16_t)bits : (int64_t)(uint16_t)bits;
    case 4:
        return s ? (int64_t)(int32_t)bits : (int64_t)(uint32_t)bits;
    default:
        return (int64_t)bits;
    }
}

/* One atomic operation on the element's own width; returns the element's
 * bits from before. For OP_CAS, *expected holds the bits expected and
 * *swapped says whether the store happened. */
#define ATOMIC_ON(T)                                                           \
    do {                                                                       \
        _Atomic T *a_ = p;                                                     \
        T x_ = (T)arg, e_;                                                     \
        switch (op) {                                                          \
        case OP_LOAD:                                                          \
            return atomic_load(a_);                                            \
        case OP_ADD:                                                           \
            return atomic_fetch_add(a_, x_);                                   \
        case OP_XCHG:                                                          \
            return atomic_exchange(a_, x_);                                    \
        default:                                                               \
            e_ = (T)*expected;                                                 \
            *swapped = atomic_compare_exchange_strong(a_, &e_, x_);            \
            return e_;                                                         \
        }                                                                      \
    } while (0)

static uint64_t atomic_on(void *p, unsigned size, enum atomic_op op,
                          uint64_t arg, uint64_t *expected, int *swapped)
{
    switch (size) {
    case 1:
        ATOMIC_ON(uint8_t);
    case 2:
        ATOMIC_ON(uint16_t);
    case 4:
        ATOMIC_ON(uint32_t);
    default:
        ATOMIC_ON(uint64_t);
    }
}

/* The checks every atomic makes: a writable handle on a Value of the kind
 * of type the operation wants (integer, or floating if `floating` is 1);
 * floating = -1 asks for an integer Value through any handle. */
static int atomic_check(const xipc_value *v, int floating, const char *api)
{
    if (v == NULL)
        return XIPC_EINVAL;
    if (floating < 0) /* a load, which a read-only handle may do */
        return is_int(v->t.type) ? 0
                                 : xipc__fail(XIPC_EINVAL, api, v->t.name,
                                              "not an integer Value");
    if (floating ? (v->t.type != XIPC_F32 && v->t.type != XIPC_F64)
                 : !is_int(v->t.type))
        return xipc__fail(XIPC_EINVAL, api, v->t.name,
                          floating ? "not a floating (f32/f64) Value"
                                   : "not an integer Value");
    if (v->t.readonly)
        return xipc__fail(XIPC_EACCES, api, v->t.name,
                          "the handle is read-only");
    return 0;
}

int xipc_value_load(const xipc_value *v, int64_t *out)
{
    int rc;

    if ((rc = atomic_check(v, -1, "xipc_value_load")) != 0)
        return rc;
    if (out == NULL)
        return XIPC_EINVAL;
    *out = widen(v->t.type, v->t.elem_size,
                 atomic_on(v->t.data, v->t.elem_size, OP_LOAD, 0, NULL, NULL));
    return 0;
}

int xipc_value_store(xipc_value *v, int64_t x)
{
    return xipc_value_exchange(v, x, NULL);
}

int xipc_value_add(xipc_value *v, int64_t delta, int64_t *old, int64_t *now)
{
    uint64_t before;
    int rc;

    if ((rc = atomic_check(v, 0, "xipc_value_add")) != 0)
        return rc;
    before = atomic_on(v->t.data, v->t.elem_size, OP_ADD, (uint64_t)delta, NULL,
                       NULL);
    if (old != NULL)
        *old = widen(v->t.type, v->t.elem_size, before);
    if (now != NULL)
        *now = widen(v->t.type, v->t.elem_size, before + (uint64_t)delta);
    return 0;
}

int xipc_value_exchange(xipc_value *v, int64_t desired, int64_t *old)
{
    uint64_t before;
    int rc;

    if ((rc = atomic_check(v, 0, "xipc_value_exchange")) != 0)
        return rc;
    before = atomic_on(v->t.data, v->t.elem_size, OP_XCHG, (uint64_t)desired,
                       NULL, NULL);
    if (old != NULL)
        *old = widen(v->t.type, v->t.elem_size, before);
    return 0;
}

int xipc_value_compare_exchange(xipc_value *v, int64_t *expected,
                                int64_t desired)
{
    uint64_t want, seen;
    int rc, swapped = 0;

    if ((rc = atomic_check(v, 0, "xipc_value_compare_exchange")) != 0)
        return rc;
    if (expected == NULL)
        return XIPC_EINVAL;
    want = (uint64_t)*expected;
    /* An expected value the type cannot hold equals none of its values:
     * truncating it could make it equal one. */
    if (widen(v->t.type, v->t.elem_size, want) != *expected)
        seen = atomic_on(v->t.data, v->t.elem_size, OP_LOAD, 0, NULL, NULL);
    else
        seen = atomic_on(v->t.data, v->t.elem_size, OP_CAS, (uint64_t)desired,
                         &want, &swapped);
    if (!swapped)
        *expected = widen(v->t.type, v->t.elem_size, seen);
    return swapped;
}

int xipc_value_add_float(xipc_value *v, double delta, double *old, double *now)
{
    double before, after;
    int rc;

    if ((rc = atomic_check(v, 1, "xipc_value_add_float")) != 0)
        return rc;
    if (v->t.type == XIPC_F64) {
        _Atomic uint64_t *a = (_Atomic uint64_t *)(void *)v->t.data;
        uint64_t seen = atomic_load(a), next;
        do {
            memcpy(&before, &seen, sizeof before);
            after = before + delta;
            memcpy(&next, &after, sizeof next);
        } while (!atomic_compare_exchange_weak(a, &seen, next));
    } else {
        _Atomic uint32_t *a = (_Atomic uint32_t *)(void *)v->t.data;
        uint32_t seen = atomic_load(a), next;
        float b, f;
        do {
            memcpy(&b, &seen, sizeof b);
            f = (float)(b + delta);
            memcpy(&next, &f, sizeof next);
        } while (!atomic_compare_exchange_weak(a, &seen, next));
        before = b;
        after = f;
    }
    if (old != NULL)
        *old = before;
    if (now != NULL)
        *now = after;
    return 0;
}

/* ---- accessors ---------------------------------------------------------- */

xipc_lock *xipc_value_lock(const xipc_value *v)
{
    if (v != NULL && v->t.lock != NULL)
        return v->t.lock; /* the common case, kept cheap */
    return xipc__lock_of(NULL, "xipc_value_lock", "Value", v ? v->t.name : NULL,
                         v ? v->t.readonly : 0);
}

void *xipc_value_data(const xipc_value *v)
{
    return v ? v->t.data : NULL;
}

int xipc_value_readonly(const xipc_value *v)
{
    return v ? v->t.readonly : 0;
}

xipc_type xipc_value_type(const xipc_value *v)
{
    return v ? v->t.type : (xipc_type)0;
}

const char *xipc_value_name(const xipc_value *v)
{
    return v ? v->t.name : NULL;
}

struct xipc__seg *xipc__value_seg(const xipc_value *v)
{
    return v->t.seg;
}

int xipc__describe_VALUE(struct xipc__seg *seg, const void *base,
                         const xipc__hdr *h, xipc_info *out)
{
    return xipc__typed_describe(seg, base, h, out);
}
