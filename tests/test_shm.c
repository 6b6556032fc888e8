/*
 * test_shm.c - named shared memory: create, open, sizes, read-only mappings,
 * data crossing between processes, permissions and resource exhaustion.
 */
#include "test.h"

#include <stdlib.h>

/* The byte a pattern holds at offset i for seed s. */
static unsigned char pat(size_t i, unsigned s)
{
    return (unsigned char)((i * 131u + s * 7u + (i >> 8)) & 0xff);
}

int test_shm_create_open_close(void)
{
    const char *name = t_name("basic");
    xipc_shm *a, *b;
    unsigned char *pa, *pb;

    CHECK_OK(xipc_shm_create(&a, name, 4096));
    CHECK_EQ(xipc_shm_readonly(a), 0);
    CHECK_OK(xipc_shm_open(&b, name, XIPC_RDWR));
    CHECK_EQ(xipc_shm_size(b), 4096);
    pa = xipc_shm_data(a);
    pb = xipc_shm_data(b);
    pa[0] = 1;
    pa[4095] = 2;
    CHECK_EQ(pb[0], 1);
    CHECK_EQ(pb[4095], 2);
    pb[100] = 3;
    CHECK_EQ(pa[100], 3);
    CHECK_OK(xipc_shm_close(a));
    /* The creator's close does not destroy what another handle holds. */
    CHECK_EQ(pb[4095], 2);
    CHECK_OK(xipc_shm_close(b));
    CHECK_RC(xipc_shm_open(&b, name, XIPC_RDWR), XIPC_ENOENT);
    return 0;
}

int test_shm_exclusive_create(void)
{
    const char *name = t_name("excl");
    xipc_shm *a, *b = NULL;

    CHECK_RC(xipc_shm_open(&b, name, XIPC_RDWR), XIPC_ENOENT);
    CHECK_RC(xipc_shm_open(&b, name, XIPC_RDONLY), XIPC_ENOENT);
    CHECK_OK(xipc_shm_create(&a, name, 64));
    ((char *)xipc_shm_data(a))[0] = 'x';
    CHECK_RC(xipc_shm_create(&b, name, 64), XIPC_EEXIST);
    CHECK_RC(xipc_shm_create(&b, name, 128), XIPC_EEXIST);
    CHECK(b == NULL);
    /* The failed creates changed nothing. */
    CHECK_EQ(((char *)xipc_shm_data(a))[0], 'x');
    CHECK_OK(xipc_shm_open(&b, name, XIPC_RDWR));
    CHECK_EQ(xipc_shm_size(b), 64);
    CHECK_OK(xipc_shm_close(b));
    CHECK_OK(xipc_shm_close(a));
    return 0;
}

int test_shm_size_exact(void)
{
    static const size_t sizes[] = {1, 7, 63, 64, 65, 4095, 4096, 4097,
                                   65536, 1000003, 8u << 20};
    size_t i, j;

    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const char *name = t_name("size");
        xipc_shm *a, *b;
        unsigned char *p;

        CHECK_OK(xipc_shm_create(&a, name, sizes[i]));
        CHECK_EQ(xipc_shm_size(a), sizes[i]);
        p = xipc_shm_data(a);
        CHECK(((uintptr_t)p % 64) == 0);
        for (j = 0; j < sizes[i]; j++)
            CHECK_EQ(p[j], 0); /* zero-filled */
        p[sizes[i] - 1] = 0xab; /* the last byte is ours */
        CHECK_OK(xipc_shm_open(&b, name, XIPC_RDONLY));
        CHECK_EQ(xipc_shm_size(b), sizes[i]); /* exact, not page-rounded */
        CHECK_EQ(((unsigned char *)xipc_shm_data(b))[sizes[i] - 1], 0xab);
        CHECK_OK(xipc_shm_close(b));
        CHECK_OK(xipc_shm_close(a));
    }
    return 0;
}

int test_shm_bad_arguments(void)
{
    const char *name = t_name("args");
    xipc_shm *a = NULL;

    CHECK_RC(xipc_shm_create(NULL, name, 64), XIPC_EINVAL);
    CHECK_RC(xipc_shm_create(&a, name, 0), XIPC_EINVAL);
    CHECK_RC(xipc_shm_create(&a, name, (size_t)-1), XIPC_EINVAL);
    /* Over the 2^62 limit: only a 64-bit size_t holds such a size (in a
     * 32-bit process it is a size under the limit that cannot be mapped). */
    if (sizeof(size_t) >= 8)
        CHECK_RC(xipc_shm_create(&a, name, (size_t)-1 - 100), XIPC_EINVAL);
    CHECK_RC(xipc_shm_open(NULL, name, XIPC_RDWR), XIPC_EINVAL);
    CHECK_OK(xipc_shm_create(&a, name, 64));
    {
        xipc_shm *b = NULL;
        CHECK_RC(xipc_shm_open(&b, name, 2), XIPC_EINVAL);
        CHECK_RC(xipc_shm_open(&b, name, -1), XIPC_EINVAL);
        CHECK(b == NULL);
    }
    CHECK_RC(xipc_shm_close(NULL), XIPC_EINVAL);
    CHECK(xipc_shm_data(NULL) == NULL);
    CHECK_EQ(xipc_shm_size(NULL), 0);
    CHECK(xipc_shm_name(NULL) == NULL);
    CHECK_OK(xipc_shm_close(a));
    CHECK_RC(xipc_sweep("a123456789012345678901234567890123456789012345678901234"
                        "567890123",
                        NULL, NULL),
             XIPC_EINVAL);
    return 0;
}

int test_shm_enospc(void)
{
    const char *name = t_name("huge");
    xipc_shm *a = NULL;

    if (sizeof(size_t) >= 8) {
        /* 1 TiB is more than this machine can reserve: the create must say
         * so now rather than let a later touch of the memory crash. */
        CHECK_RC(xipc_shm_create(&a, name, (size_t)(UINT64_C(1) << 40)),
                 XIPC_ENOSPC);
    } else {
        /* A 32-bit process cannot ask for more than /dev/shm holds, but the
         * largest size it can ask for, with the header added, does not fit
         * its address space: refused before anything is reserved. */
        CHECK_RC(xipc_shm_create(&a, name, SIZE_MAX), XIPC_EINVAL);
    }
    CHECK(a == NULL);
    CHECK_EQ(xipc__seg_present(name), 0);
    /* The failure left the name free. */
    CHECK_OK(xipc_shm_create(&a, name, 4096));
    CHECK_OK(xipc_shm_close(a));
    return 0;
}

int test_shm_readonly_open(void)
{
    const char *name = t_name("ro");
    xipc_shm *a, *r;
    size_t i;

    CHECK_OK(xipc_shm_create(&a, name, 10000));
    for (i = 0; i < 10000; i++)
        ((unsigned char *)xipc_shm_data(a))[i] = pat(i, 1);
    CHECK_OK(xipc_shm_open(&r, name, XIPC_RDONLY));
    CHECK_EQ(xipc_shm_readonly(r), 1);
    CHECK_EQ(xipc_shm_size(r), 10000);
    for (i = 0; i < 10000; i++)
        CHECK_EQ(((unsigned char *)xipc_shm_data(r))[i], pat(i, 1));
    /* The reader sees later writes: it maps the same memory, not a copy. */
    ((unsigned char *)xipc_shm_data(a))[5000] = 0x5a;
    CHECK_EQ(((unsigned char *)xipc_shm_data(r))[5000], 0x5a);
    /* A read-only holder keeps the object alive like any other. */
    CHECK_OK(xipc_shm_close(a));
    CHECK_EQ(((unsigned char *)xipc_shm_data(r))[5000], 0x5a);
    CHECK_OK(xipc_shm_open(&a, name, XIPC_RDWR));
    CHECK_OK(xipc_shm_close(a));
    CHECK_OK(xipc_shm_close(r));
    CHECK_RC(xipc_shm_open(&r, name, XIPC_RDONLY), XIPC_ENOENT);
    return 0;
}

/* Helper: opens argv[1] read-only, tells the test it is about to write
 * (flag 0), then writes through the pointer, which must fault. */
int helper_write_readonly(int argc, char **argv)
{
    xipc_shm *ctl_shm, *r;
    t_ctl *ctl;

    HCHECK(argc == 3);
    HCHECK((ctl = t_ctl_open(argv[2], &ctl_shm)) != NULL);
    HCHECK(xipc_shm_open(&r, argv[1], XIPC_RDONLY) == 0);
    atomic_store(&ctl->flag[0], 1);
    ((volatile unsigned char *)xipc_shm_data(r))[10] = 0xee;
    /* Reaching this line means the mapping was writable. */
    atomic_store(&ctl->flag[1], 1);
    return 0;
}

int test_shm_readonly_write_faults(void)
{
    const char *name = t_name("rofault"), *ctl_name;
    xipc_shm *a, *ctl_shm;
    t_ctl *ctl = t_ctl_create(&ctl_name, &ctl_shm);
    xipc_proc *p;
    int code;

    CHECK_OK(xipc_shm_create(&a, name, 100));
    ((unsigned char *)xipc_shm_data(a))[10] = 0x11;
    p = t_spawn("write_readonly", name, ctl_name, NULL);
    code = t_join(p, 20000);
    CHECK_EQ(atomic_load(&ctl->flag[0]), 1); /* it got as far as the write */
    CHECK_EQ(atomic_load(&ctl->flag[1]), 0); /* and the write faulted */
    CHECK_EQ(code, 128 + 11); /* "SIGSEGV", the same number on every platform */
    CHECK_EQ(((unsigned char *)xipc_shm_data(a))[10], 0x11);
    CHECK_OK(xipc_shm_close(a));
    CHECK_OK(xipc_shm_close(ctl_shm));
    return 0;
}

/* Helper: writes pattern seed argv[3] into object argv[1] of size argv[2],
 * creating it if argv[4] is "create" (and then holding it until flag 1 of
 * control block argv[5] is set), else opening it. */
int helper_write_pattern(int argc, char **argv)
{
    size_t size, i;
    unsigned seed;
    xipc_shm *s, *ctl_shm = NULL;
    t_ctl *ctl = NULL;
    int create;

    HCHECK(argc == 6);
    size = (size_t)strtoull(argv[2], NULL, 10);
    seed = (unsigned)atoi(argv[3]);
    create = strcmp(argv[4], "create") == 0;
    HCHECK((ctl = t_ctl_open(argv[5], &ctl_shm)) != NULL);
    if (create)
        HCHECK(xipc_shm_create(&s, argv[1], size) == 0);
    else
        HCHECK(xipc_shm_open(&s, argv[1], XIPC_RDWR) == 0);
    HCHECK(xipc_shm_size(s) == size);
    for (i = 0; i < size; i++)
        ((unsigned char *)xipc_shm_data(s))[i] = pat(i, seed);
    atomic_store(&ctl->flag[0], 1); /* written */
    if (create) {
        int64_t end = t_ms() + T_HELPER_MAX_MS;
        while (atomic_load(&ctl->flag[1]) == 0 && t_ms() < end)
            xipc_sleep_ms(1);
    }
    xipc_shm_close(s);
    xipc_shm_close(ctl_shm);
    return 0;
}

/* Helper: checks that object argv[1] holds argv[2] bytes of pattern seed
 * argv[3]; exits 0 if it does, 1 if not. */
int helper_check_pattern(int argc, char **argv)
{
    size_t size, i;
    unsigned seed;
    xipc_shm *s;
    int bad = 0;

    HCHECK(argc == 4);
    size = (size_t)strtoull(argv[2], NULL, 10);
    seed = (unsigned)atoi(argv[3]);
    HCHECK(xipc_shm_open(&s, argv[1], XIPC_RDONLY) == 0);
    HCHECK(xipc_shm_size(s) == size);
    for (i = 0; i < size; i++)
        bad |= ((unsigned char *)xipc_shm_data(s))[i] != pat(i, seed);
    xipc_shm_close(s);
    return bad;
}

int test_shm_child_writes_parent_reads(void)
{
    const char *name = t_name("c2p"), *ctl_name;
    xipc_shm *s, *ctl_shm;
    t_ctl *ctl = t_ctl_create(&ctl_name, &ctl_shm);
    xipc_proc *p;
    size_t i, size = 3 * 4096 + 17;
    char sz[32];

    snprintf(sz, sizeof sz, "%zu", size);
    /* The child creates; the parent opens while the child holds. */
    p = t_spawn("write_pattern", name, sz, "5", "create", ctl_name, NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    CHECK_OK(xipc_shm_open(&s, name, XIPC_RDWR));
    CHECK_EQ(xipc_shm_size(s), size);
    for (i = 0; i < size; i++)
        CHECK_EQ(((unsigned char *)xipc_shm_data(s))[i], pat(i, 5));
    atomic_store(&ctl->flag[1], 1);
    CHECK_EQ(t_join(p, 20000), 0);
    /* The creator has gone; the parent's hold kept the data. */
    CHECK_EQ(((unsigned char *)xipc_shm_data(s))[size - 1], pat(size - 1, 5));
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_shm_close(ctl_shm));
    return 0;
}

int test_shm_parent_writes_child_reads(void)
{
    const char *name = t_name("p2c"), *ctl_name;
    xipc_shm *s, *ctl_shm;
    t_ctl *ctl = t_ctl_create(&ctl_name, &ctl_shm);
    size_t i, size = 100000;
    char sz[32];

    snprintf(sz, sizeof sz, "%zu", size);
    CHECK_OK(xipc_shm_create(&s, name, size));
    for (i = 0; i < size; i++)
        ((unsigned char *)xipc_shm_data(s))[i] = pat(i, 9);
    CHECK_EQ(t_join(t_spawn("check_pattern", name, sz, "9", NULL), 20000), 0);
    /* A check that can fail: the wrong seed is noticed. */
    CHECK_EQ(t_join(t_spawn("check_pattern", name, sz, "8", NULL), 20000), 1);
    /* A child that opens and writes; the parent sees its bytes. */
    CHECK_EQ(t_join(t_spawn("write_pattern", name, sz, "3", "open", ctl_name,
                            NULL),
                    20000),
             0);
    for (i = 0; i < size; i++)
        CHECK_EQ(((unsigned char *)xipc_shm_data(s))[i], pat(i, 3));
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_shm_close(ctl_shm));
    (void)ctl;
    return 0;
}

int test_shm_permissions_owner_only(void)
{
    static const int masks[] = {0, 022, 077};
    size_t i;

    for (i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        xipc_shm *a;
        int old = xipc__sys_set_umask(masks[i]);
        CHECK_OK(xipc_shm_create(&a, t_name("perm"), 64));
        if (old >= 0)
            xipc__sys_set_umask(old);
        CHECK_EQ(xipc__seg_owner_only(xipc__shm_seg(a)), 1);
        CHECK_OK(xipc_shm_close(a));
    }
    return 0;
}
