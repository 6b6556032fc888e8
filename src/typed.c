/*
 * typed.c - what Value and Array share: the element types, and objects
 * holding `length` elements of one type with an optional lock. A Value is
 * such an object of one element under its own kind (src/value.c), an Array
 * one of any length (src/array.c). Portable.
 *
 * Layout behind the 64-byte header (whose elem_type and elem_size say the
 * type, and whose user_size says length * elem_size):
 *   64   the object's info: flags (TYPED_LOCKED), the rest reserved, zero
 *   128  the lock's shared bytes (an RLock, present when TYPED_LOCKED)
 *   192  the elements
 */
#include "internal.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TYPED_INFO_OFF 64u
#define TYPED_MUTEX_OFF XIPC__TYPED_MUTEX_OFF
#define TYPED_DATA_OFF (TYPED_MUTEX_OFF + XIPC__MUTEX_SHARED_SIZE)

/* The only flag: the object has a lock. Any other bit set is damage. */
#define TYPED_LOCKED 1u

typedef struct typed_info {
    uint32_t flags;
    uint32_t reserved[15];
} typed_info;
_Static_assert(sizeof(typed_info) == TYPED_MUTEX_OFF - TYPED_INFO_OFF,
               "the info block fills its cache line");

/* The largest object: as for named shared memory. */
#define TYPED_MAX_BYTES (UINT64_C(1) << 62)

static const struct {
    char code;
    unsigned char size;
    const char *name;
} types[] = {
    {0, 0, "?"},     {'b', 1, "i8"},  {'B', 1, "u8"},  {'h', 2, "i16"},
    {'H', 2, "u16"}, {'i', 4, "i32"}, {'I', 4, "u32"}, {'q', 8, "i64"},
    {'Q', 8, "u64"}, {'f', 4, "f32"}, {'d', 8, "f64"}, {'c', 1, "char"},
};
#define NTYPES (sizeof types / sizeof types[0])

static int type_ok(xipc_type type)
{
    return (unsigned)type >= 1 && (unsigned)type < NTYPES;
}

int xipc_type_from_code(char code, xipc_type *out)
{
    unsigned i;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_type_from_code", NULL, "NULL out");
    for (i = 1; i < NTYPES; i++) {
        if (types[i].code == code && code != 0) {
            *out = (xipc_type)i;
            return 0;
        }
    }
    if (code == 'l' || code == 'L')
        return xipc__fail(XIPC_EINVAL, "xipc_type_from_code", NULL,
                          "typecode 'l'/'L' is 4 bytes on Windows and 8 on "
                          "Linux: say 'i'/'I' or 'q'/'Q'");
    if (code == 'u')
        return xipc__fail(XIPC_EINVAL, "xipc_type_from_code", NULL,
                          "typecode 'u' (wchar_t) is 2 bytes on Windows and "
                          "4 on Linux: use XIPC_U16 or XIPC_U32");
    return xipc__fail(XIPC_EINVAL, "xipc_type_from_code", NULL,
                      "unknown typecode");
}

size_t xipc_type_size(xipc_type type)
{
    return type_ok(type) ? types[type].size : 0;
}

const char *xipc_type_name(xipc_type type)
{
    return types[type_ok(type) ? type : 0].name;
}

struct typed_ctx {
    xipc_type type;
    uint32_t elem_size;
    uint64_t bytes;
    const void *init;
    int locked;
};

static int typed_init(void *base, void *arg)
{
    struct typed_ctx *c = arg;
    unsigned char *b = base;
    xipc__hdr *h = base;
    typed_info *info = (typed_info *)(b + TYPED_INFO_OFF);
    int rc;

    h->elem_type = (uint32_t)c->type;
    h->elem_size = c->elem_size;
    info->flags = c->locked ? TYPED_LOCKED : 0;
    if (c->locked && (rc = xipc__mutex_init(b + TYPED_MUTEX_OFF, 1)) != 0)
        return rc;
    if (c->init != NULL)
        memcpy(b + TYPED_DATA_OFF, c->init, (size_t)c->bytes);
    return 0;
}

/* Fills the handle from the segment and the validated header values, and
 * attaches the lock if the object has one and the handle may write. */
static int typed_attach(xipc__typed *t, uint32_t flags)
{
    unsigned char *base = xipc__seg_base(t->seg);
    int rc;

    t->data = base + TYPED_DATA_OFF;
    t->lock = NULL;
    t->mutex = NULL;
    if ((flags & TYPED_LOCKED) && !t->readonly) {
        rc = xipc__lock_embed(&t->lock, t->seg, base + TYPED_MUTEX_OFF, 0, 1,
                              t->name);
        if (rc != 0) {
            xipc__seg_close(t->seg);
            return rc;
        }
        t->mutex = xipc__lock_mutex(t->lock);
    }
    return 0;
}

/* Creates the object; t has its name and type checked (xipc__typed_make). */
static int typed_create(xipc__typed *t, int kind, const char *api,
                        xipc_type type, uint64_t length, const void *init,
                        size_t init_size, int flags)
{
    struct typed_ctx c;
    char msg[96];
    int rc;

    if (flags != 0 && flags != XIPC_RAW)
        return xipc__fail(XIPC_EINVAL, api, t->name,
                          "flags must be 0 or XIPC_RAW");
    t->type = type;
    t->elem_size = types[type].size;
    if (length > (TYPED_MAX_BYTES - TYPED_DATA_OFF) / t->elem_size)
        return xipc__fail(XIPC_EINVAL, api, t->name, "too many elements");
    /* The initial elements are read only if the caller's buffer holds them
     * exactly: a buffer of another type or length is refused, not overrun. */
    if (init == NULL ? init_size != 0
                     : (uint64_t)init_size != length * t->elem_size) {
        snprintf(msg, sizeof msg,
                 init == NULL ? "init_size must be 0 when init is NULL"
                              : "init holds %llu bytes, not the %llu of %llu "
                                "%s elements",
                 (unsigned long long)init_size,
                 (unsigned long long)(length * t->elem_size),
                 (unsigned long long)length, types[type].name);
        return xipc__fail(XIPC_EINVAL, api, t->name, msg);
    }
    t->length = length;
    c.type = type;
    c.elem_size = t->elem_size;
    c.bytes = length * t->elem_size;
    c.init = init;
    c.locked = flags != XIPC_RAW;
    rc = xipc__obj_create(&t->seg, t->name, kind, TYPED_DATA_OFF, c.bytes,
                          typed_init, &c);
    if (rc != 0)
        return rc;
    return typed_attach(t, c.locked ? TYPED_LOCKED : 0);
}

/* Opens the object; t has its name and type checked (xipc__typed_make). */
static int typed_open(xipc__typed *t, int kind, const char *api, xipc_type type,
                      int flags)
{
    const char *why = NULL;
    uint32_t info_flags;
    xipc__hdr h;
    int rc;

    if (flags != XIPC_RDWR && flags != XIPC_RDONLY)
        return xipc__fail(XIPC_EINVAL, api, t->name,
                          "flags must be XIPC_RDWR or XIPC_RDONLY");
    t->readonly = flags == XIPC_RDONLY;
    rc = xipc__obj_open(&t->seg, t->name, kind, t->readonly, &h);
    if (rc != 0)
        return rc;
    /* The header was checked against the mapping; what is left is whether
     * it describes this kind's layout. Only then, with the data offset known
     * to lie inside the mapping, are the flags read, once. */
    info_flags = 0;
    if (h.data_off != TYPED_DATA_OFF)
        why = "a layout of another kind";
    else if (!type_ok((xipc_type)h.elem_type) ||
             h.elem_size != types[h.elem_type].size)
        why = "an unknown element type";
    else if (h.user_size % h.elem_size != 0 ||
             (kind == XIPC_KIND_VALUE && h.user_size != h.elem_size))
        why = "a size that is no whole number of elements";
    else if (((info_flags =
                   *(volatile const uint32_t *)((const unsigned char *)
                                                    xipc__seg_base(t->seg) +
                                                TYPED_INFO_OFF)) &
              ~TYPED_LOCKED) != 0)
        why = "unknown flags";
    if (why != NULL) {
        xipc__seg_close(t->seg);
        return xipc__fail(XIPC_ECORRUPT, api, t->name, why);
    }
    if (h.elem_type != (uint32_t)type) {
        char msg[64];
        snprintf(msg, sizeof msg, "its elements are %s, not %s",
                 types[h.elem_type].name, types[type].name);
        xipc__seg_close(t->seg);
        return xipc__fail(XIPC_EKIND, api, t->name, msg);
    }
    t->type = type;
    t->elem_size = h.elem_size;
    t->length = h.user_size / h.elem_size;
    return typed_attach(t, info_flags);
}

int xipc__typed_make(xipc__typed **out, int create, int kind, const char *api,
                     const char *name, xipc_type type, uint64_t length,
                     const void *init, size_t init_size, int flags)
{
    xipc__typed *t;
    int rc;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, api, NULL, "NULL out");
    if ((t = calloc(1, sizeof *t)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    rc = create ? xipc__name_create(name, t->name, api)
                : xipc__name_canon(name, t->name);
    if (rc == 0 && !type_ok(type))
        rc = xipc__fail(XIPC_EINVAL, api, t->name, "not an xipc_type");
    if (rc == 0)
        rc = create ? typed_create(t, kind, api, type, length, init, init_size,
                                   flags)
                    : typed_open(t, kind, api, type, flags);
    if (rc != 0) {
        free(t);
        return rc;
    }
    *out = t;
    return 0;
}

int xipc__typed_free(xipc__typed *t)
{
    int rc;

    if (t == NULL)
        return XIPC_EINVAL;
    if (t->lock != NULL && (rc = xipc__lock_drop(t->lock)) != 0)
        return rc;
    xipc__seg_close(t->seg);
    free(t);
    return 0;
}

int xipc__typed_lock(xipc__typed *t)
{
    /* A thread that already holds the lock (a compound update, Python's
     * `with v.get_lock():`) goes straight in: the lock is an RLock, and
     * taking it once more would only cost time. */
    if (t->mutex == NULL || xipc__mutex_depth(t->mutex) > 0)
        return 1;
    return xipc__mutex_lock(t->mutex, XIPC__NEVER);
}

void xipc__typed_unlock(xipc__typed *t, int entered)
{
    if (entered == 0)
        xipc__mutex_unlock(t->mutex);
}

/* memcpy, with the sizes of one element spelled out so that the compiler
 * turns a Value's copy into a single load and store instead of a call. */
static inline void copy(void *dst, const void *src, size_t n)
{
    switch (n) {
    case 1:
        memcpy(dst, src, 1);
        break;
    case 2:
        memcpy(dst, src, 2);
        break;
    case 4:
        memcpy(dst, src, 4);
        break;
    case 8:
        memcpy(dst, src, 8);
        break;
    default:
        memcpy(dst, src, n);
    }
}

int xipc__typed_copy(xipc__typed *t, uint64_t first, uint64_t count, void *buf,
                     int write)
{
    unsigned char *p = t->data + first * t->elem_size;
    size_t n = (size_t)(count * t->elem_size);
    int rc;

    if (write && t->readonly)
        return xipc__fail(XIPC_EACCES, "write", t->name,
                          "the handle is read-only");
    if (n == 0)
        return 0; /* memcpy may not be given the NULL buffer of nothing */
    if ((rc = xipc__typed_lock(t)) < 0)
        return rc;
    if (write)
        copy(p, buf, n);
    else
        copy(buf, p, n);
    xipc__typed_unlock(t, rc);
    return 0;
}

int xipc__typed_describe(xipc__seg *seg, const void *base, const xipc__hdr *h,
                         xipc_info *out)
{
    const unsigned char *b = base;
    uint32_t flags;

    if (h->data_off != TYPED_DATA_OFF || !type_ok((xipc_type)h->elem_type) ||
        h->elem_size != types[h->elem_type].size ||
        h->user_size % h->elem_size != 0)
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "not the layout of a Value or Array");
    flags = *(volatile const uint32_t *)(b + TYPED_INFO_OFF);
    out->type = (int)h->elem_type;
    out->length = h->user_size / h->elem_size;
    out->holder = -1;
    if (flags & TYPED_LOCKED)
        xipc__mutex_holder(b + TYPED_MUTEX_OFF, seg, &out->holder,
                           &out->holder_pid);
    xipc__holder_text(out);
    return 0;
}
