/*
 * kinds.c - one description per kind of object: the table that
 * XIPC_KIND_MAP (include/xipc.h) generates, with each kind's name and the
 * function of its own file that describes it for xipc_stat() and the xipc
 * tool. A new kind is its own file plus one line of XIPC_KIND_MAP.
 * Portable.
 */
#include "internal.h"
#include "platform.h"

#include <stdio.h>

typedef int (*describe_fn)(struct xipc__seg *seg, const void *base,
                           const xipc__hdr *h, xipc_info *out);

static const struct kind {
    int number;
    const char *name;
    describe_fn describe;
} kinds[] = {
#define XIPC__KIND_ROW(name, value, str) {value, str, xipc__describe_##name},
    XIPC_KIND_MAP(XIPC__KIND_ROW)
#undef XIPC__KIND_ROW
};

static const struct kind *find(int number)
{
    size_t i;
    for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].number == number)
            return &kinds[i];
    return NULL;
}

const char *xipc_kind_name(int kind)
{
    const struct kind *k = find(kind);
    return k != NULL ? k->name : "?";
}

int xipc__kind_describe(struct xipc__seg *seg, const void *base,
                        const xipc__hdr *h, xipc_info *out)
{
    const struct kind *k = find((int)h->kind);

    if (k == NULL)
        return xipc__fail(XIPC_ECORRUPT, "xipc_stat", NULL,
                          "an object of a kind this xipc does not know");
    return k->describe(seg, base, h, out);
}

void xipc__holder_text(xipc_info *out)
{
    if (out->holder < 0)
        snprintf(out->state, sizeof out->state, "no lock");
    else if (out->holder == 0)
        snprintf(out->state, sizeof out->state, "free");
    else
        snprintf(out->state, sizeof out->state,
                 "held by thread %llx of process %lld",
                 (unsigned long long)out->holder, (long long)out->holder_pid);
}
