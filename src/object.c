/*
 * object.c - what every kind of named object shares: creating a segment
 * with a published header in front of the kind's own bytes, and opening one
 * with the header validated against the mapping before anything else is
 * trusted. Portable.
 */
#include "internal.h"
#include "platform.h"

#include <string.h>

struct create_ctx {
    int kind;
    uint64_t data_off, user_size;
    xipc__obj_init_fn init;
    void *ctx;
};

static int obj_init(void *base, uint64_t size, void *arg)
{
    struct create_ctx *c = arg;
    int rc;

    (void)size;
    xipc__hdr_init(base, c->kind, c->data_off, c->user_size);
    if (c->init != NULL && (rc = c->init(base, c->ctx)) != 0)
        return rc;
    XIPC__FAULT_POINT("create:init");
    xipc__hdr_publish(base);
    return 0;
}

/* How many fresh names a create draws before it gives up. A draw is
 * taken already only by a rare chance (a name of a dead process whose id
 * came back, with the same random part): 64 in a row mean that something
 * else is wrong. */
#define FRESH_DRAWS 64

int xipc__obj_create(struct xipc__seg **out, char name[XIPC__NAME_BUF],
                     int kind, uint64_t data_off, uint64_t user_size,
                     xipc__obj_init_fn init, void *ctx)
{
    char prefix[XIPC__NAME_BUF];
    struct create_ctx c;
    size_t len;
    int rc, i;

    c.kind = kind;
    c.data_off = data_off;
    c.user_size = user_size;
    c.init = init;
    c.ctx = ctx;
    if (!xipc__name_is_fresh(name))
        return xipc__seg_create(out, name, data_off + user_size, obj_init, &c);
    len = strlen(name) - 1;
    memcpy(prefix, name, len + 1);
    for (i = 0; i < FRESH_DRAWS; i++) {
        xipc__name_draw(prefix, len, name);
        rc = xipc__seg_create(out, name, data_off + user_size, obj_init, &c);
        if (rc != XIPC_EEXIST)
            return rc;
    }
    return xipc__fail(XIPC_EEXIST, "create", name,
                      "every fresh name drawn was taken");
}

struct open_ctx {
    int kind;
    xipc__hdr *hdr;
};

static int obj_check(const void *base, uint64_t mapped, void *arg)
{
    struct open_ctx *c = arg;
    return xipc__hdr_check(base, mapped, c->kind, c->hdr);
}

int xipc__obj_open(struct xipc__seg **out, const char *name, int kind,
                   int readonly, xipc__hdr *hdr)
{
    struct open_ctx c;

    c.kind = kind;
    c.hdr = hdr;
    return xipc__seg_open(out, name, readonly, obj_check, &c);
}

/* ---- objects built of parts ---------------------------------------------- */

static uint64_t up64(uint64_t n)
{
    return (n + 63) & ~(uint64_t)63;
}

uint64_t xipc__parts_mutex_off(const xipc__parts_spec *spec, unsigned i)
{
    (void)spec;
    return sizeof(xipc__hdr) + (uint64_t)i * XIPC__MUTEX_SHARED_SIZE;
}

uint64_t xipc__parts_notify_off(const xipc__parts_spec *spec, unsigned j)
{
    return xipc__parts_mutex_off(spec, spec->nmutex) +
           (uint64_t)j * XIPC__NOTIFY_SHARED_SIZE;
}

uint64_t xipc__parts_words_off(const xipc__parts_spec *spec)
{
    return xipc__parts_notify_off(spec, spec->nnotify);
}

static uint64_t parts_end(const xipc__parts_spec *spec)
{
    return up64(xipc__parts_words_off(spec) + spec->words);
}

struct parts_init {
    const xipc__parts_spec *spec;
    const void *ctx;
};

static int parts_init(void *base, void *arg)
{
    const struct parts_init *pi = arg;
    const xipc__parts_spec *spec = pi->spec;
    unsigned char *b = base;
    unsigned i;
    int rc;

    for (i = 0; i < spec->nmutex; i++)
        if ((rc = xipc__mutex_init(b + xipc__parts_mutex_off(spec, i),
                                   spec->recursive[i])) != 0)
            return rc;
    for (i = 0; i < spec->nnotify; i++)
        if ((rc = xipc__notify_init(b + xipc__parts_notify_off(spec, i))) != 0)
            return rc;
    return spec->init != NULL
               ? spec->init(b + xipc__parts_words_off(spec), pi->ctx)
               : 0;
}

int xipc__parts_make(xipc__parts *p, const xipc__parts_spec *spec,
                     const char *name, int create, const void *ctx,
                     uint64_t extra)
{
    struct parts_init pi;
    unsigned char *b;
    xipc__hdr h;
    unsigned i;
    int rc;

    memset(p, 0, sizeof *p);
    if ((rc = create ? xipc__name_create(name, p->name, spec->api)
                     : xipc__name_canon(name, p->name)) != 0)
        return rc;
    pi.spec = spec;
    pi.ctx = ctx;
    if (create) {
        if (extra > (UINT64_C(1) << 40))
            return xipc__fail(XIPC_EINVAL, spec->api, p->name, "too large");
        rc = xipc__obj_create(&p->seg, p->name, spec->kind, parts_end(spec),
                              extra, parts_init, &pi);
        h.user_size = extra;
    } else if ((rc = xipc__obj_open(&p->seg, p->name, spec->kind, 0, &h)) ==
                   0 &&
               h.data_off != parts_end(spec)) {
        xipc__seg_close(p->seg);
        p->seg = NULL;
        rc = xipc__fail(XIPC_ECORRUPT, spec->api, p->name,
                        "an object of another layout");
    }
    if (rc != 0)
        return rc;
    b = xipc__seg_base(p->seg);
    p->words = b + xipc__parts_words_off(spec);
    p->extra = b + parts_end(spec);
    p->extra_size = h.user_size;
    if (!create && spec->check != NULL &&
        (rc = spec->check(p->words, p->name)) != 0)
        goto fail;
    for (i = 0; i < spec->nmutex; i++)
        if ((rc = xipc__mutex_attach(&p->mutex[i],
                                     b + xipc__parts_mutex_off(spec, i), p->seg,
                                     i, spec->recursive[i])) != 0)
            goto fail;
    for (i = 0; i < spec->nnotify; i++)
        if ((rc = xipc__notify_attach(&p->notify[i],
                                      b + xipc__parts_notify_off(spec, i),
                                      p->seg, 8 + i)) != 0)
            goto fail;
    return 0;

fail:
    xipc__parts_free(p, spec);
    return rc;
}

void xipc__parts_free(xipc__parts *p, const xipc__parts_spec *spec)
{
    unsigned i;

    for (i = 0; i < spec->nnotify; i++)
        if (p->notify[i] != NULL)
            xipc__notify_detach(p->notify[i]);
    for (i = 0; i < spec->nmutex; i++)
        if (p->mutex[i] != NULL)
            xipc__mutex_detach(p->mutex[i], 1);
    if (p->seg != NULL)
        xipc__seg_close(p->seg);
    memset(p, 0, sizeof *p);
}
