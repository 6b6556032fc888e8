/*
 * test_header.c - the shared header is untrusted input: a foreign, damaged,
 * half-initialised, other-version or other-kind segment is refused with a
 * clear code, and garbage never crashes the opener.
 */
#include "test.h"

/* The header of an object this process created (it sits in front of the
 * user's bytes). */
static xipc__hdr *hdr_of(xipc_shm *s)
{
    return (xipc__hdr *)((unsigned char *)xipc_shm_data(s) - 64);
}

/* Opens `name` both ways and checks both give `want`; a success is closed. */
static void open_gives(const char *name, int want)
{
    xipc_shm *o = NULL;
    CHECK_RC(xipc_shm_open(&o, name, XIPC_RDWR), want);
    if (o)
        xipc_shm_close(o);
    o = NULL;
    CHECK_RC(xipc_shm_open(&o, name, XIPC_RDONLY), want);
    if (o)
        xipc_shm_close(o);
}

int test_header_foreign_magic(void)
{
    const char *name = t_name("foreign");
    xipc_shm *s;
    xipc__hdr *h, saved;

    CHECK_OK(xipc_shm_create(&s, name, 256));
    h = hdr_of(s);
    saved = *h;
    CHECK_EQ(h->magic, XIPC__MAGIC);
    memcpy(&h->magic, "NOTXIPC!", 8);
    open_gives(name, XIPC_ECORRUPT);
    memset(h, 0, sizeof *h); /* an all-zero segment is foreign too */
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    open_gives(name, 0);
    CHECK_OK(xipc_shm_close(s));
    return 0;
}

int test_header_other_version(void)
{
    const char *name = t_name("version");
    xipc_shm *s;
    xipc__hdr *h;

    CHECK_OK(xipc_shm_create(&s, name, 256));
    h = hdr_of(s);
    h->version = XIPC__LAYOUT_VERSION + 1;
    open_gives(name, XIPC_EVERSION);
    h->version = 0;
    open_gives(name, XIPC_EVERSION);
    h->version = XIPC__LAYOUT_VERSION;
    open_gives(name, 0);
    CHECK_OK(xipc_shm_close(s));
    return 0;
}

int test_header_other_kind(void)
{
    const char *name = t_name("kind");
    xipc_shm *s;
    xipc__hdr *h;

    CHECK_OK(xipc_shm_create(&s, name, 256));
    h = hdr_of(s);
    CHECK_EQ(h->kind, XIPC_KIND_SHM);
    h->kind = 2; /* another kind of object */
    open_gives(name, XIPC_EKIND);
    h->kind = 0xdeadbeef;
    open_gives(name, XIPC_EKIND);
    h->kind = XIPC_KIND_SHM;
    open_gives(name, 0);
    CHECK_OK(xipc_shm_close(s));
    return 0;
}

int test_header_half_initialised(void)
{
    const char *name = t_name("half");
    xipc_shm *s;
    xipc__hdr *h;

    CHECK_OK(xipc_shm_create(&s, name, 256));
    h = hdr_of(s);
    CHECK_EQ(h->state, XIPC__STATE_READY);
    h->state = XIPC__STATE_INIT;
    open_gives(name, XIPC_ECORRUPT);
    h->state = 12345;
    open_gives(name, XIPC_ECORRUPT);
    h->state = XIPC__STATE_READY;
    open_gives(name, 0);
    CHECK_OK(xipc_shm_close(s));
    return 0;
}

int test_header_bad_sizes(void)
{
    const char *name = t_name("sizes");
    xipc_shm *s;
    xipc__hdr *h, saved;

    CHECK_OK(xipc_shm_create(&s, name, 256));
    h = hdr_of(s);
    saved = *h;
    CHECK_EQ(h->user_size, 256);
    CHECK_EQ(h->data_off, 64);
    CHECK_EQ(h->total_size, 320);

    /* A segment claiming more bytes than the system mapped (a truncated
     * segment, as far as the opener can tell). */
    h->user_size = (uint64_t)1 << 40;
    h->total_size = h->data_off + h->user_size;
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    h->user_size = UINT64_MAX - 10; /* overflows data_off + user_size */
    h->total_size = h->data_off + h->user_size;
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    h->data_off = 65; /* misaligned */
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    h->data_off = 0; /* overlapping the header */
    h->total_size = h->user_size;
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    h->data_off = (uint64_t)1 << 50; /* beyond the mapping */
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    h->total_size = 1; /* disagrees with its parts */
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    h->hdr_size = 32;
    open_gives(name, XIPC_ECORRUPT);
    *h = saved;
    open_gives(name, 0);
    CHECK_OK(xipc_shm_close(s));
    return 0;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

int test_header_garbage_never_crashes(void)
{
    const char *name = t_name("garbage");
    xipc_shm *s;
    xipc__hdr *h, saved;
    int i, j, refused = 0;

    CHECK_OK(xipc_shm_create(&s, name, 5000));
    h = hdr_of(s);
    saved = *h;
    for (i = 0; i < 2000; i++) {
        xipc_shm *o = NULL;
        unsigned char *b = (unsigned char *)h;
        int rc;

        *h = saved;
        if (i % 4 == 0) {
            for (j = 0; j < 64; j++) /* everything random */
                b[j] = (unsigned char)rnd();
        } else {
            for (j = 0; j < 1 + i % 5; j++) /* a few random bytes */
                b[8 + rnd() % 56] = (unsigned char)rnd();
        }
        rc = xipc_shm_open(&o, name, (i & 1) ? XIPC_RDONLY : XIPC_RDWR);
        if (rc == 0) {
            /* Accepted: then what it reports fits inside the mapping. */
            unsigned char *base = xipc__seg_base(xipc__shm_seg(o));
            unsigned char *d = xipc_shm_data(o);
            size_t n = xipc_shm_size(o);
            CHECK(d >= base + 64);
            CHECK(n <= 5000 + 4096);
            if (n > 0)
                (void)*(volatile unsigned char *)(d + n - 1);
            xipc_shm_close(o);
        } else {
            CHECK(rc == XIPC_ECORRUPT || rc == XIPC_EVERSION ||
                  rc == XIPC_EKIND);
            refused++;
        }
    }
    CHECK(refused > 1500);
    *h = saved;
    open_gives(name, 0);
    CHECK_OK(xipc_shm_close(s));
    return 0;
}
