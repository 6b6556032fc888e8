/*
 * array.c - Array (Python's multiprocessing.Array / RawArray): a typed
 * object (src/typed.c) of any length, with element and range copies under
 * its lock, bounds checked before any memory is touched, and the string
 * view of a byte array (Python's `.value` of a c_char array). Portable.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

/* An Array handle is a typed-object handle: `t` is its only member. */
struct xipc_array {
    xipc__typed t;
};

int xipc_array_create(xipc_array **out, const char *name, xipc_type type,
                      size_t length, const void *init, size_t init_size,
                      int flags)
{
    xipc__typed *t;
    int rc = xipc__typed_make(out ? &t : NULL, 1, XIPC_KIND_ARRAY,
                              "xipc_array_create", name, type, (uint64_t)length,
                              init, init_size, flags);
    if (rc == 0)
        *out = (xipc_array *)t;
    return rc;
}

int xipc_array_open(xipc_array **out, const char *name, xipc_type type,
                    int flags)
{
    xipc__typed *t;
    int rc = xipc__typed_make(out ? &t : NULL, 0, XIPC_KIND_ARRAY,
                              "xipc_array_open", name, type, 0, NULL, 0, flags);
    if (rc == 0)
        *out = (xipc_array *)t;
    return rc;
}

int xipc_array_close(xipc_array *a)
{
    return xipc__typed_free(a ? &a->t : NULL);
}

int xipc_array_unlink(const char *name)
{
    return xipc_unlink(name);
}

/* Checks a range of the Array and the caller's buffer for it: XIPC_EINVAL
 * unless [first, first + count) lies inside the Array (without overflow),
 * buf is given when count > 0, and buf holds exactly `size` = count
 * elements' bytes (a buffer of another element type or length is refused
 * before anything is copied). */
static int range_check(const xipc_array *a, size_t first, size_t count,
                       const void *buf, size_t size, const char *api)
{
    char msg[96];

    if (a == NULL)
        return xipc__fail(XIPC_EINVAL, api, NULL, "NULL handle");
    if ((uint64_t)first > a->t.length ||
        (uint64_t)count > a->t.length - (uint64_t)first)
        return xipc__fail(XIPC_EINVAL, api, a->t.name,
                          "index or range outside the Array");
    if (buf == NULL && count > 0)
        return xipc__fail(XIPC_EINVAL, api, a->t.name, "NULL buffer");
    /* count * elem_size cannot overflow: the range lies in the Array. */
    if ((uint64_t)size != (uint64_t)count * a->t.elem_size) {
        snprintf(msg, sizeof msg,
                 "the buffer holds %llu bytes, not the %llu of %llu %s "
                 "elements",
                 (unsigned long long)size,
                 (unsigned long long)count * a->t.elem_size,
                 (unsigned long long)count, xipc_type_name(a->t.type));
        return xipc__fail(XIPC_EINVAL, api, a->t.name, msg);
    }
    return 0;
}

int xipc_array_read(xipc_array *a, size_t first, size_t count, void *out,
                    size_t size)
{
    int rc = range_check(a, first, count, out, size, "xipc_array_read");
    return rc != 0 ? rc : xipc__typed_copy(&a->t, first, count, out, 0);
}

int xipc_array_write(xipc_array *a, size_t first, size_t count, const void *in,
                     size_t size)
{
    int rc = range_check(a, first, count, in, size, "xipc_array_write");
    return rc != 0 ? rc : xipc__typed_copy(&a->t, first, count, (void *)in, 1);
}

int xipc_array_get(xipc_array *a, size_t index, void *out, size_t size)
{
    int rc = range_check(a, index, 1, out, size, "xipc_array_get");
    return rc != 0 ? rc : xipc__typed_copy(&a->t, index, 1, out, 0);
}

int xipc_array_set(xipc_array *a, size_t index, const void *in, size_t size)
{
    int rc = range_check(a, index, 1, in, size, "xipc_array_set");
    return rc != 0 ? rc : xipc__typed_copy(&a->t, index, 1, (void *)in, 1);
}

/* The string view is for Arrays of one-byte elements only. */
static int bytes_check(const xipc_array *a, const void *p, const char *api)
{
    if (a == NULL || p == NULL)
        return XIPC_EINVAL;
    if (a->t.elem_size != 1)
        return xipc__fail(XIPC_EINVAL, api, a->t.name,
                          "not an Array of one-byte elements");
    return 0;
}

int xipc_array_get_string(xipc_array *a, char *buf, size_t size)
{
    const unsigned char *nul;
    size_t len;
    int rc, entered;

    if ((rc = bytes_check(a, buf, "xipc_array_get_string")) != 0)
        return rc;
    if ((entered = xipc__typed_lock(&a->t)) < 0)
        return entered;
    nul = memchr(a->t.data, 0, (size_t)a->t.length);
    len = nul ? (size_t)(nul - a->t.data) : (size_t)a->t.length;
    if (len < size && len <= (size_t)INT32_MAX) {
        memcpy(buf, a->t.data, len);
        buf[len] = '\0';
        rc = (int)len;
    } else {
        rc = xipc__fail(XIPC_EMSGSIZE, "xipc_array_get_string", a->t.name,
                        "the buffer cannot hold the string and its NUL");
    }
    xipc__typed_unlock(&a->t, entered);
    return rc;
}

int xipc_array_set_string(xipc_array *a, const char *s)
{
    size_t len;
    int rc;

    if ((rc = bytes_check(a, s, "xipc_array_set_string")) != 0)
        return rc;
    if (a->t.readonly)
        return xipc__fail(XIPC_EACCES, "xipc_array_set_string", a->t.name,
                          "the handle is read-only");
    len = strlen(s);
    if ((uint64_t)len > a->t.length)
        return xipc__fail(XIPC_EMSGSIZE, "xipc_array_set_string", a->t.name,
                          "the string is longer than the Array");
    if ((rc = xipc__typed_lock(&a->t)) < 0)
        return rc;
    memcpy(a->t.data, s, len);
    if ((uint64_t)len < a->t.length)
        a->t.data[len] = '\0';
    xipc__typed_unlock(&a->t, rc);
    return 0;
}

xipc_lock *xipc_array_lock(const xipc_array *a)
{
    if (a != NULL && a->t.lock != NULL)
        return a->t.lock; /* the common case, kept cheap */
    return xipc__lock_of(NULL, "xipc_array_lock", "Array", a ? a->t.name : NULL,
                         a ? a->t.readonly : 0);
}

void *xipc_array_data(const xipc_array *a)
{
    return a ? a->t.data : NULL;
}

size_t xipc_array_length(const xipc_array *a)
{
    return a ? (size_t)a->t.length : 0;
}

xipc_type xipc_array_type(const xipc_array *a)
{
    return a ? a->t.type : (xipc_type)0;
}

size_t xipc_array_elem_size(const xipc_array *a)
{
    return a ? a->t.elem_size : 0;
}

int xipc_array_readonly(const xipc_array *a)
{
    return a ? a->t.readonly : 0;
}

const char *xipc_array_name(const xipc_array *a)
{
    return a ? a->t.name : NULL;
}

struct xipc__seg *xipc__array_seg(const xipc_array *a)
{
    return a->t.seg;
}

int xipc__describe_ARRAY(struct xipc__seg *seg, const void *base,
                         const xipc__hdr *h, xipc_info *out)
{
    return xipc__typed_describe(seg, base, h, out);
}
