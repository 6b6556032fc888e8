/*
 * object.c - what every kind of named object shares: creating a segment
 * with a published header in front of the kind's own bytes, and opening one
 * with the header validated against the mapping before anything else is
 * trusted. Portable.
 */
#include "internal.h"
#include "platform.h"

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

int xipc__obj_create(struct xipc__seg **out, const char *name,
                     int kind, uint64_t data_off,
                     uint64_t user_size, xipc__obj_init_fn init, void *ctx)
{
    struct create_ctx c;

    c.kind = kind;
    c.data_off = data_off;
    c.user_size = user_size;
    c.init = init;
    c.ctx = ctx;
    return xipc__seg_create(out, name, data_off + user_size, obj_init, &c);
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

int xipc__obj_open(struct xipc__seg **out, const char *name,
                   int kind, int readonly, xipc__hdr *hdr)
{
    struct open_ctx c;

    c.kind = kind;
    c.hdr = hdr;
    return xipc__seg_open(out, name, readonly, obj_check, &c);
}
