/*
 * lock.c - Lock and RLock: a named object whose only content is one robust
 * process-shared mutex (src/platform.h, sync.c of each backend), placed one
 * cache line after the header. Portable. The two verbs that must be fast,
 * xipc_lock_acquire and xipc_lock_release, are defined with the mutex's
 * algorithm (src/mutex.h), so that its fast paths inline into them.
 */
#include "internal.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mutex's shared bytes sit behind the header; nothing follows them. */
#define LOCK_MUTEX_OFF XIPC__LOCK_MUTEX_OFF
#define LOCK_DATA_OFF (LOCK_MUTEX_OFF + XIPC__MUTEX_SHARED_SIZE)

static int lock_init(void *base, void *ctx)
{
    return xipc__mutex_init((unsigned char *)base + LOCK_MUTEX_OFF,
                            *(const int *)ctx);
}

/* Makes a handle for the mutex whose shared bytes are `shared` (mutex
 * `index` of segment seg), owned by its own Lock object or, if embedded,
 * by the Value or Array around it. The handle does not own seg yet: the
 * caller closes it on failure. */
static int lock_wrap(xipc_lock **out, xipc__seg *seg, void *shared,
                     unsigned index, int recursive, const char *name,
                     int embedded)
{
    xipc_lock *l = calloc(1, sizeof *l);
    int rc;

    if (l == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    if ((rc = xipc__mutex_attach(&l->mutex, shared, seg, index, recursive)) !=
        0) {
        free(l);
        return rc;
    }
    l->seg = seg;
    l->embedded = embedded;
    memcpy(l->name, name, strlen(name) + 1);
    *out = l;
    return 0;
}

/* Creates (create != 0) or opens the lock and attaches to its mutex. */
static int lock_get(xipc_lock **out, const char *name, int recursive,
                    int create)
{
    int kind = recursive ? XIPC_KIND_RLOCK : XIPC_KIND_LOCK;
    char cname[XIPC__NAME_BUF];
    xipc__seg *seg;
    xipc__hdr h;
    int rc;

    xipc__clear_error();
    if (out == NULL || (recursive != 0 && recursive != 1))
        return xipc__fail(XIPC_EINVAL,
                          create ? "xipc_lock_create" : "xipc_lock_open", NULL,
                          "NULL out or recursive not 0/1");
    if ((rc = create ? xipc__name_create(name, cname, "xipc_lock_create")
                     : xipc__name_canon(name, cname)) != 0)
        return rc;
    if (create)
        rc = xipc__obj_create(&seg, cname, kind, LOCK_DATA_OFF, 0, lock_init,
                              &recursive);
    else if ((rc = xipc__obj_open(&seg, cname, kind, 0, &h)) == 0 &&
             h.data_off != LOCK_DATA_OFF) {
        xipc__seg_close(seg);
        rc = xipc__fail(XIPC_ECORRUPT, "open", cname,
                        "a lock of another layout");
    }
    if (rc != 0)
        return rc;
    rc = lock_wrap(out, seg,
                   (unsigned char *)xipc__seg_base(seg) + LOCK_MUTEX_OFF, 0,
                   recursive, cname, 0);
    if (rc != 0)
        xipc__seg_close(seg);
    return rc;
}

int xipc_lock_create(xipc_lock **out, const char *name, int recursive)
{
    return lock_get(out, name, recursive, 1);
}

int xipc_lock_open(xipc_lock **out, const char *name, int recursive)
{
    return lock_get(out, name, recursive, 0);
}

int xipc_lock_close(xipc_lock *l)
{
    int rc;

    if (l == NULL)
        return XIPC_EINVAL;
    if (l->embedded)
        return xipc__fail(XIPC_EINVAL, "xipc_lock_close", l->name,
                          "this lock belongs to a Value, Array or "
                          "Condition: close that object instead");
    if ((rc = xipc__mutex_detach(l->mutex, 0)) != 0)
        return rc;
    xipc__seg_close(l->seg);
    free(l);
    return 0;
}

int xipc__lock_embed(xipc_lock **out, xipc__seg *seg, void *shared,
                     unsigned index, int recursive, const char *name)
{
    return lock_wrap(out, seg, shared, index, recursive, name, 1);
}

xipc__mutex *xipc__lock_mutex(const xipc_lock *l)
{
    return l->mutex;
}

int xipc__lock_drop(xipc_lock *l)
{
    int rc = xipc__mutex_detach(l->mutex, 0);
    if (rc == 0)
        free(l);
    return rc;
}

int xipc_lock_unlink(const char *name)
{
    return xipc_unlink(name);
}

int xipc_lock_consistent(xipc_lock *l)
{
    if (l == NULL)
        return xipc__lock_null("xipc_lock_consistent");
    return xipc__mutex_consistent(l->mutex);
}

int xipc_lock_count(const xipc_lock *l)
{
    if (l == NULL)
        return xipc__lock_null("xipc_lock_count");
    return xipc__mutex_depth(l->mutex);
}

const char *xipc_lock_name(const xipc_lock *l)
{
    return l ? l->name : NULL;
}

/* Why this thread's last xipc_value_lock() or xipc_array_lock() that
 * returned NULL did ("" if none has), for the error of the lock call that
 * is then given NULL: the thread's text buffer 1. */
#define null_why xipc__sys_thread_text(1)

xipc_lock *xipc__lock_of(xipc_lock *lock, const char *api, const char *kind,
                         const char *name, int readonly)
{
    char why[128];

    if (lock != NULL)
        return lock;
    if (name == NULL)
        snprintf(why, sizeof why, "%s", "NULL handle");
    else if (readonly)
        snprintf(why, sizeof why,
                 "the %s is opened XIPC_RDONLY: its lock lies in memory "
                 "this handle cannot write",
                 kind);
    else
        snprintf(why, sizeof why,
                 "the %s was created XIPC_RAW (Python's Raw%s): it has no "
                 "lock",
                 kind, kind);
    snprintf(null_why, XIPC__THREAD_TEXT, "%s(%s): %s", api,
             name ? name : "NULL", why);
    xipc__fail(XIPC_EINVAL, api, name, why);
    return NULL;
}

int xipc__lock_null(const char *api)
{
    char msg[256];

    snprintf(msg, sizeof msg, "NULL lock%s%s%s",
             null_why[0] ? " (this thread's last NULL lock came from " : "",
             null_why, null_why[0] ? ")" : "");
    return xipc__fail(XIPC_EINVAL, api, NULL, msg);
}

xipc__seg *xipc__lock_seg(const xipc_lock *l)
{
    return l->seg;
}

/* What xipc_info says of a Lock or an RLock: its holder. */
static int lock_describe(xipc__seg *seg, const void *base, const xipc__hdr *h,
                         xipc_info *out)
{
    if (h->data_off != LOCK_DATA_OFF)
        return xipc__fail(XIPC_ECORRUPT, "describe", NULL,
                          "a lock of another layout");
    xipc__mutex_holder((const unsigned char *)base + LOCK_MUTEX_OFF, seg,
                       &out->holder, &out->holder_pid);
    xipc__holder_text(out);
    return 0;
}

int xipc__describe_LOCK(xipc__seg *seg, const void *base, const xipc__hdr *h,
                        xipc_info *out)
{
    return lock_describe(seg, base, h, out);
}

int xipc__describe_RLOCK(xipc__seg *seg, const void *base, const xipc__hdr *h,
                         xipc_info *out)
{
    return lock_describe(seg, base, h, out);
}
