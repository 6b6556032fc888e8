/*
 * inspect.c - what lives under which name: xipc_stat() describes one
 * object of any kind from a read-only look at its validated header (and,
 * through its kind's own file, what lies behind it); xipc_list() walks
 * the names the backend finds. Portable.
 */
#include "internal.h"
#include "platform.h"

#include <stdlib.h>
#include <string.h>

int xipc_stat(const char *name, xipc_info *out)
{
    char cname[XIPC__NAME_BUF];
    xipc_info info;
    xipc__seg *seg;
    xipc__hdr h;
    const void *base;
    int rc;

    xipc__clear_error();
    if (out == NULL)
        return xipc__fail(XIPC_EINVAL, "xipc_stat", NULL, "NULL out");
    if ((rc = xipc__name_canon(name, cname)) != 0)
        return rc;
    if ((rc = xipc__obj_open(&seg, cname, XIPC__KIND_ANY, XIPC__SEG_PEEK,
                             &h)) != 0)
        return rc;
    memset(&info, 0, sizeof info);
    memcpy(info.name, cname, strlen(cname) + 1);
    info.live = 1;
    info.kind = (int)h.kind;
    info.size = h.user_size;
    info.creator_pid = h.creator_pid;
    info.holder = -1;
    base = xipc__seg_base(seg);
    rc = xipc__kind_describe(seg, base, &h, &info);
    xipc__seg_close(seg);
    if (rc == 0)
        *out = info;
    return rc;
}

/* The names the backend lists, gathered before any is described: the
 * backend may hold a lock of its own while it lists. */
struct names {
    struct entry {
        char name[XIPC__NAME_BUF];
        int live;
    } * v;
    size_t n, cap;
    int nomem;
};

static void gather(const char *name, int live, void *arg)
{
    struct names *ns = arg;

    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? 2 * ns->cap : 64;
        struct entry *v = realloc(ns->v, cap * sizeof *v);
        if (v == NULL) {
            ns->nomem = 1;
            return;
        }
        ns->v = v;
        ns->cap = cap;
    }
    memcpy(ns->v[ns->n].name, name, strlen(name) + 1);
    ns->v[ns->n++].live = live;
}

int xipc_list(const char *prefix, xipc_list_cb cb, void *ctx)
{
    char lower[XIPC__NAME_BUF];
    struct names ns = {NULL, 0, 0, 0};
    xipc_info info;
    size_t i;
    int rc, n = 0;

    xipc__clear_error();
    if ((rc = xipc__prefix_canon(prefix, lower, "xipc_list")) != 0)
        return rc;
    if ((rc = xipc__seg_list(lower, gather, &ns)) < 0)
        goto out;
    if (ns.nomem) {
        rc = xipc__fail(XIPC_ENOMEM, "xipc_list", NULL, NULL);
        goto out;
    }
    for (i = 0; i < ns.n; i++) {
        if (ns.v[i].live) {
            if (xipc_stat(ns.v[i].name, &info) != 0)
                continue; /* gone meanwhile, or not describable */
        } else {
            memset(&info, 0, sizeof info);
            memcpy(info.name, ns.v[i].name, strlen(ns.v[i].name) + 1);
            info.holder = -1;
        }
        n++;
        if (cb != NULL)
            cb(&info, ctx);
    }
    rc = n;
    xipc__clear_error(); /* what a skipped object left is no failure */
out:
    free(ns.v);
    return rc;
}
