/*
 * shm.c - named shared memory (xipc_shm), Python's SharedMemory: the header
 * handling and the public verbs on top of the segment seam. Also the
 * name-level verbs every kind shares (xipc_unlink, xipc_sweep). Portable.
 */
#include "internal.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The user's bytes start one cache line after the header. */
#define SHM_DATA_OFF 64u

/* The largest size a create accepts. A variable rather than a constant, so
 * that a 32-bit build, whose size_t never exceeds it, is not warned that the
 * comparison with it is always false. */
static const uint64_t shm_max_size = UINT64_C(1) << 62;

struct xipc_shm {
    xipc__seg *seg;
    unsigned char *data;
    size_t size;
    int readonly;
    char name[XIPC__NAME_BUF];
};

static int shm_new(xipc_shm **out, const char *name, int readonly)
{
    xipc_shm *shm = calloc(1, sizeof *shm);
    if (shm == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    memcpy(shm->name, name, strlen(name) + 1);
    shm->readonly = readonly;
    *out = shm;
    return 0;
}

int xipc_shm_create(xipc_shm **out, const char *name, size_t size)
{
    char cname[XIPC__NAME_BUF];
    xipc_shm *shm = NULL;
    int rc;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_shm_create", NULL, "NULL out");
    if ((rc = xipc__name_create(name, cname, "xipc_shm_create")) != 0)
        return rc;
    if (size == 0 || (uint64_t)size > shm_max_size)
        return xipc__fail(XIPC_EINVAL, "xipc_shm_create", cname,
                          "size must be 1 .. 2^62 bytes");
    if ((rc = shm_new(&shm, cname, 0)) != 0)
        return rc;
    rc = xipc__obj_create(&shm->seg, shm->name, XIPC_KIND_SHM, SHM_DATA_OFF,
                          (uint64_t)size, NULL, NULL);
    if (rc != 0) {
        free(shm);
        return rc;
    }
    shm->data = (unsigned char *)xipc__seg_base(shm->seg) + SHM_DATA_OFF;
    shm->size = size;
    *out = shm;
    return 0;
}

int xipc_shm_open(xipc_shm **out, const char *name, int flags)
{
    char cname[XIPC__NAME_BUF];
    xipc__hdr h;
    xipc_shm *shm = NULL;
    int rc;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_shm_open", NULL, "NULL out");
    if ((rc = xipc__name_canon(name, cname)) != 0)
        return rc;
    if (flags != XIPC_RDWR && flags != XIPC_RDONLY)
        return xipc__fail(XIPC_EINVAL, "xipc_shm_open", cname, "bad flags");
    if ((rc = shm_new(&shm, cname, flags == XIPC_RDONLY)) != 0)
        return rc;
    rc = xipc__obj_open(&shm->seg, cname, XIPC_KIND_SHM, shm->readonly, &h);
    if (rc != 0) {
        free(shm);
        return rc;
    }
    /* Sizes come from the validated local copy, never from the segment. */
    shm->data = (unsigned char *)xipc__seg_base(shm->seg) + h.data_off;
    shm->size = (size_t)h.user_size;
    *out = shm;
    return 0;
}

int xipc_shm_close(xipc_shm *shm)
{
    if (shm == NULL)
        return XIPC_EINVAL;
    xipc__seg_close(shm->seg);
    free(shm);
    return 0;
}

int xipc_unlink(const char *name)
{
    char cname[XIPC__NAME_BUF];
    int rc;

    xipc__clear_error();
    if ((rc = xipc__name_canon(name, cname)) != 0)
        return rc;
    return xipc__seg_unlink(cname);
}

int xipc_shm_unlink(const char *name)
{
    return xipc_unlink(name);
}

int xipc_sweep(const char *prefix, xipc_sweep_cb cb, void *ctx)
{
    char lower[XIPC__NAME_BUF];
    int rc;

    xipc__clear_error();
    if ((rc = xipc__prefix_canon(prefix, lower, "xipc_sweep")) != 0)
        return rc;
    return xipc__seg_sweep(lower, cb, ctx);
}

const char *xipc_shm_name(const xipc_shm *shm)
{
    return shm ? shm->name : NULL;
}

size_t xipc_shm_size(const xipc_shm *shm)
{
    return shm ? shm->size : 0;
}

void *xipc_shm_data(const xipc_shm *shm)
{
    return shm ? shm->data : NULL;
}

int xipc_shm_readonly(const xipc_shm *shm)
{
    return shm ? shm->readonly : 0;
}

/* For the tests (tests/ include internal.h): the segment behind a handle. */
xipc__seg *xipc__shm_seg(const xipc_shm *shm)
{
    return shm->seg;
}

int xipc__describe_SHM(xipc__seg *seg, const void *base, const xipc__hdr *h,
                       xipc_info *out)
{
    (void)seg;
    (void)base;
    (void)h;
    snprintf(out->state, sizeof out->state, "%s", "-");
    return 0;
}
