/*
 * test_list_churn.c - xipc_list() is complete: every object that lives for
 * the whole call is reported, while other processes create and close
 * objects under the same prefix, and when many objects live at once. The
 * objects are spread over several kinds, so describing each kind is part of
 * what must not drop a name.
 */
#include "test.h"

#include <stdlib.h>

/* How many long-lived objects the churn test keeps, how many listings it
 * makes, and how many objects the large listing holds. */
#define CHURN_KEEP 300
#define CHURN_LISTINGS 20
#define MANY_HOLDERS 4
#define MANY_PER_HOLDER 550

/* The control block's slots: flag[0] counts helpers ready, flag[1] tells
 * them to stop, value[i] counts helper i's create/close cycles. */
enum { F_READY = 0, F_STOP = 1 };

/* One object of the kind that `i` picks, so that a listing describes a
 * block, a lock and a value. */
struct kept {
    xipc_shm *shm;
    xipc_lock *lock;
    xipc_value *value;
};

/* Creates it; a failure fails the test (or, in a helper, exits 99). */
static void kept_create(struct kept *k, const char *name, int i)
{
    int32_t v = i;

    memset(k, 0, sizeof *k);
    switch (i % 3) {
    case 0:
        CHECK_OK(xipc_shm_create(&k->shm, name, 64));
        break;
    case 1:
        CHECK_OK(xipc_lock_create(&k->lock, name, 0));
        break;
    default:
        CHECK_OK(xipc_value_create(&k->value, name, XIPC_I32, &v, sizeof v, 0));
        break;
    }
}

static int kept_close(struct kept *k)
{
    if (k->shm != NULL)
        return xipc_shm_close(k->shm);
    if (k->lock != NULL)
        return xipc_lock_close(k->lock);
    return xipc_value_close(k->value);
}

/* What one listing saw of the names "<prefix>keep-<i>": which of them,
 * how many twice, and how many described as something else than the live
 * object of the kind that kept_create made. */
struct seen_keep {
    const char *prefix;
    int n;
    unsigned char *hit;
    int hits, dups, wrong;
};

static void mark_keep(const xipc_info *info, void *arg)
{
    static const int kinds[3] = {XIPC_KIND_SHM, XIPC_KIND_LOCK,
                                 XIPC_KIND_VALUE};
    struct seen_keep *s = arg;
    size_t plen = strlen(s->prefix);
    char *end;
    long i;

    if (strncmp(info->name, s->prefix, plen) != 0 ||
        strncmp(info->name + plen, "keep-", 5) != 0)
        return;
    i = strtol(info->name + plen + 5, &end, 10);
    if (*end != '\0' || i < 0 || i >= s->n)
        return;
    if (s->hit[i]++)
        s->dups++;
    else
        s->hits++;
    if (!info->live || info->kind != kinds[i % 3])
        s->wrong++;
}

/* Lists `prefix` and fails the test unless every one of the n objects
 * "<prefix>keep-<i>" is reported, once. Returns the listing's count. */
static int list_all_kept(const char *prefix, int n, int listing)
{
    struct seen_keep s;
    int got, i, shown = 0;

    s.prefix = prefix;
    s.n = n;
    s.hits = s.dups = s.wrong = 0;
    s.hit = calloc((size_t)n, 1);
    CHECK(s.hit != NULL);
    got = xipc_list(prefix, mark_keep, &s);
    if (got < 0 || s.hits != n || s.dups != 0 || s.wrong != 0) {
        for (i = 0; i < n && shown < 5; i++)
            if (!s.hit[i] && ++shown)
                fprintf(stderr, "listing %d misses %skeep-%d\n", listing,
                        prefix, i);
        t_fail(__FILE__, __LINE__,
               "listing %d: xipc_list returned %d (%s), with %d of %d "
               "long-lived objects, %d reported twice, %d misdescribed",
               listing, got, got < 0 ? xipc_last_error() : "ok", s.hits, n,
               s.dups, s.wrong);
    }
    free(s.hit);
    return got;
}

/* Helper: argv = ctl name, prefix, index. Creates and closes objects
 * "<prefix>churn<index>-<k>" of every listed kind in a loop until told to
 * stop, counting the cycles in value[index]. */
int helper_list_churner(int argc, char **argv)
{
    char name[XIPC_NAME_MAX + 1];
    xipc_shm *cs;
    t_ctl *ctl;
    int idx, k;
    int64_t end;

    HCHECK(argc == 4);
    HCHECK((ctl = t_ctl_open(argv[1], &cs)) != NULL);
    idx = atoi(argv[3]);
    atomic_fetch_add(&ctl->flag[F_READY], 1);
    end = t_ms() + T_HELPER_MAX_MS;
    for (k = 0; atomic_load(&ctl->flag[F_STOP]) == 0 && t_ms() < end; k++) {
        struct kept obj;
        snprintf(name, sizeof name, "%schurn%d-%d", argv[2], idx, k);
        kept_create(&obj, name, k);
        HCHECK(kept_close(&obj) == 0);
        atomic_fetch_add(&ctl->value[idx], 1);
    }
    HCHECK(xipc_shm_close(cs) == 0);
    return 0;
}

int test_list_complete_under_churn(void)
{
    static struct kept keep[CHURN_KEEP];
    char name[XIPC_NAME_MAX + 1], idx[8];
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p[2];
    int64_t before, churned = 0, t0, slowest = 0;
    int i, k;

    for (i = 0; i < CHURN_KEEP; i++) {
        snprintf(name, sizeof name, "%skeep-%d", t_prefix(), i);
        kept_create(&keep[i], name, i);
    }
    /* Without churn first: the baseline every listing must match. */
    list_all_kept(t_prefix(), CHURN_KEEP, -1);
    for (i = 0; i < 2; i++) {
        snprintf(idx, sizeof idx, "%d", i);
        p[i] = t_spawn("list_churner", ctl_name, t_prefix(), idx, NULL);
    }
    t_ctl_wait(ctl, F_READY, 2, 20000);
    for (k = 0; k < CHURN_LISTINGS; k++) {
        before = atomic_load(&ctl->value[0]) + atomic_load(&ctl->value[1]);
        t0 = t_ms();
        list_all_kept(t_prefix(), CHURN_KEEP, k);
        if (t_ms() - t0 > slowest)
            slowest = t_ms() - t0;
        churned +=
            atomic_load(&ctl->value[0]) + atomic_load(&ctl->value[1]) - before;
    }
    atomic_store(&ctl->flag[F_STOP], 1);
    for (i = 0; i < 2; i++)
        CHECK_EQ(t_join(p[i], 30000), 0);
    printf("%d listings of %d objects, slowest %lld ms, while the helpers "
           "made and closed %lld objects\n",
           CHURN_LISTINGS, CHURN_KEEP, (long long)slowest, (long long)churned);
    /* The listings did run while objects came and went. */
    CHECK(churned >= CHURN_LISTINGS);
    for (i = 0; i < CHURN_KEEP; i++)
        CHECK_OK(kept_close(&keep[i]));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

/* Helper: argv = ctl name, prefix, first index, count. Creates the objects
 * "<prefix>keep-<i>" for i in [first, first + count), reports ready, holds
 * them until told to stop, and closes them. */
int helper_list_holder(int argc, char **argv)
{
    char name[XIPC_NAME_MAX + 1];
    struct kept *keep;
    xipc_shm *cs;
    t_ctl *ctl;
    int first, n, i, rc = 0;

    HCHECK(argc == 5);
    HCHECK((ctl = t_ctl_open(argv[1], &cs)) != NULL);
    first = atoi(argv[3]);
    n = atoi(argv[4]);
    HCHECK((keep = calloc((size_t)n, sizeof *keep)) != NULL);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%skeep-%d", argv[2], first + i);
        kept_create(&keep[i], name, first + i);
    }
    atomic_fetch_add(&ctl->flag[F_READY], 1);
    t_ctl_wait(ctl, F_STOP, 1, T_HELPER_MAX_MS);
    for (i = 0; i < n; i++)
        if (kept_close(&keep[i]) != 0)
            rc = 99;
    free(keep);
    HCHECK(xipc_shm_close(cs) == 0);
    return rc;
}

int test_list_complete_many(void)
{
    char first[16], count[16];
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_proc *p[MANY_HOLDERS];
    int64_t t0, t1;
    int i, n = MANY_HOLDERS * MANY_PER_HOLDER;

    /* Held by helpers, so that no process needs more descriptors than a
     * default limit allows. */
    for (i = 0; i < MANY_HOLDERS; i++) {
        snprintf(first, sizeof first, "%d", i * MANY_PER_HOLDER);
        snprintf(count, sizeof count, "%d", MANY_PER_HOLDER);
        p[i] = t_spawn("list_holder", ctl_name, t_prefix(), first, count, NULL);
    }
    t_ctl_wait(ctl, F_READY, MANY_HOLDERS, 120000);
    t0 = t_ms();
    CHECK_EQ(list_all_kept(t_prefix(), n, 0), n + 1); /* and the control */
    t1 = t_ms();
    list_all_kept(t_prefix(), n, 1);
    printf("listed %d objects in %lld ms and %lld ms\n", n,
           (long long)(t1 - t0), (long long)(t_ms() - t1));
    atomic_store(&ctl->flag[F_STOP], 1);
    for (i = 0; i < MANY_HOLDERS; i++)
        CHECK_EQ(t_join(p[i], 120000), 0);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
