/*
 * test_queue.c - Queue: the capacity model and its edges, message sizes
 * both ways, timeouts, shutdown, open checks, damaged shared state, and,
 * across processes, a 3 x 3 producer/consumer stress and kill trials that
 * end producers and consumers at random moments of a stream.
 *
 * Messages of the multi-process tests are generated from (producer,
 * number): a receiver regenerates the expected bytes and compares them
 * all, so a torn, mixed or misdelivered message cannot pass.
 */
#include "test.h"

#include <stdlib.h>

/* ---- generated messages ------------------------------------------------- */

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

/* The length of message `seq` of producer p: 0 and max each 1 time in 20,
 * 1..11 (too short to carry its identity) 1 in 20, else 12..max. */
static size_t gen_len(int p, uint32_t seq, size_t max)
{
    uint32_t r = mix((uint32_t)p * 0x9e3779b9U ^ seq * 0x85ebca6bU ^ 0x5bd1U);

    switch (r % 20) {
    case 0:
        return 0;
    case 1:
        return max;
    case 2:
        return 1 + (r >> 8) % 11;
    default:
        return 12 + (r >> 8) % (max - 11);
    }
}

/* Fills b with message `seq` of producer p; returns its length. A message
 * of 12 bytes or more starts with p, seq and a checksum of the rest. */
static size_t gen_msg(unsigned char *b, int p, uint32_t seq, size_t max)
{
    size_t len = gen_len(p, seq, max), i;
    uint32_t x = mix(seq * 2654435761U + (uint32_t)p), sum = 2166136261U;

    if (len < 12) {
        for (i = 0; i < len; i++)
            b[i] = (unsigned char)(len * 7 + i);
        return len;
    }
    for (i = 12; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (unsigned char)x;
        sum = (sum ^ b[i]) * 16777619U;
    }
    memcpy(b, &p, 4);
    memcpy(b + 4, &seq, 4);
    memcpy(b + 8, &sum, 4);
    return len;
}

/* Checks a received message. Returns 1 with *p and *seq for one that
 * carries its identity, 0 for a correct short one, -1 for a bad one. */
static int check_msg(const unsigned char *b, size_t len, size_t max, int nprod,
                     int *p, uint32_t *seq)
{
    unsigned char want[4096];
    size_t i;

    if (len < 12) {
        for (i = 0; i < len; i++)
            if (b[i] != (unsigned char)(len * 7 + i))
                return -1;
        return 0;
    }
    memcpy(p, b, 4);
    memcpy(seq, b + 4, 4);
    if (*p < 0 || *p >= nprod || max > sizeof want)
        return -1;
    if (gen_msg(want, *p, *seq, max) != len || memcmp(want, b, len) != 0)
        return -1;
    return 1;
}

/* ---- helpers ------------------------------------------------------------ */

/* Helper: opens queue argv[1] and control block argv[2], adds 1 to flag 0,
 * then does argv[3] ("get" or "put", with a message of argv[5] bytes) with
 * timeout argv[4]; stores the time of its return in value[2] and exits
 * with 100 + its return code. */
int helper_q_op(int argc, char **argv)
{
    static unsigned char buf[4096];
    xipc_queue *q;
    xipc_shm *cs;
    t_ctl *ctl;
    size_t len = 0;
    int rc;

    HCHECK(argc >= 5);
    HCHECK((ctl = t_ctl_open(argv[2], &cs)) != NULL);
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    atomic_fetch_add(&ctl->flag[0], 1);
    if (strcmp(argv[3], "get") == 0)
        rc = xipc_queue_get(q, buf, sizeof buf, &len, atoll(argv[4]));
    else
        rc = xipc_queue_put(q, buf, argc > 5 ? (size_t)atol(argv[5]) : 0,
                            atoll(argv[4]));
    atomic_store(&ctl->value[2], xipc_now_ns());
    atomic_store(&ctl->value[3], (int64_t)len);
    HCHECK(xipc_queue_close(q) == 0);
    xipc_shm_close(cs);
    return 100 + rc;
}

static const char *die_point;

static void die_at(const char *where)
{
    if (die_point != NULL && strcmp(where, die_point) == 0)
        xipc__sys_die(42);
}

/* Helper: opens queue argv[1], arranges to die at fault point argv[2] and
 * does argv[3] ("put" of "X..." or "get"); returns 0 if it did not die. */
int helper_q_die_at(int argc, char **argv)
{
    char buf[64];
    xipc_queue *q;
    size_t len;

    HCHECK(argc == 4);
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    die_point = argv[2];
    xipc__fault_hook = die_at;
    if (strcmp(argv[3], "put") == 0)
        xipc_queue_put(q, "XXXXXXXXXXXXXXXX", 16, 0);
    else
        xipc_queue_get(q, buf, sizeof buf, &len, 0);
    xipc__fault_hook = NULL;
    xipc_queue_close(q);
    return 0;
}

/* Helper: puts argv[2] messages "m0", "m1"... into queue argv[1], then
 * ends at once, running no cleanup. */
int helper_q_put_and_die(int argc, char **argv)
{
    char m[16];
    xipc_queue *q;
    int i, n;

    HCHECK(argc == 3);
    n = atoi(argv[2]);
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    for (i = 0; i < n; i++) {
        snprintf(m, sizeof m, "m%d", i);
        HCHECK(xipc_queue_put(q, m, strlen(m), 0) == 0);
    }
    xipc__sys_die(7);
    return 0;
}

/* The board the stress and kill helpers report on (a shm object). */
#define BOARD_MAXP 128
#define BOARD_SEEN (1 << 20)
typedef struct board {
    _Atomic int64_t returned[BOARD_MAXP]; /* puts returned, per producer */
    _Atomic int64_t next[BOARD_MAXP];     /* next number a drainer expects */
    _Atomic int64_t shorts[12];           /* messages of 0..11 bytes */
    _Atomic int32_t started, bad;
    _Atomic int32_t recovered;        /* locks taken over from a dead holder */
    _Atomic uint8_t seen[BOARD_SEEN]; /* receptions, by producer x number */
} board;

/* The board of this helper process, for count_recovery. */
static board *my_board;

static void count_recovery(const char *where)
{
    if (strcmp(where, "queue:recovered") == 0)
        atomic_fetch_add(&my_board->recovered, 1);
}

/* Makes this helper count on board b the queue locks it takes over from a
 * dead holder. */
static void watch_recoveries(board *b)
{
    my_board = b;
    xipc__fault_hook = count_recovery;
}

/* Helper: producer argv[3] (< BOARD_MAXP) puts messages 0..argv[4]-1 (max
 * size argv[5]) into queue argv[1], counting returned puts on board
 * argv[2]; stops early, exiting 0, if the queue is shut down. */
int helper_q_produce(int argc, char **argv)
{
    unsigned char buf[4096];
    xipc_queue *q;
    xipc_shm *bs;
    board *b;
    int p, rc;
    uint32_t seq, n;
    size_t max, len;

    HCHECK(argc == 6);
    p = atoi(argv[3]);
    n = (uint32_t)atol(argv[4]);
    max = (size_t)atol(argv[5]);
    HCHECK(p >= 0 && p < BOARD_MAXP && max <= sizeof buf);
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    HCHECK(xipc_shm_open(&bs, argv[2], XIPC_RDWR) == 0);
    b = xipc_shm_data(bs);
    watch_recoveries(b);
    atomic_fetch_add(&b->started, 1);
    for (seq = 0; seq < n; seq++) {
        len = gen_msg(buf, p, seq, max);
        rc = xipc_queue_put(q, buf, len, T_HELPER_MAX_MS);
        if (rc == XIPC_ECLOSED)
            break;
        HCHECK(rc == 0);
        atomic_store(&b->returned[p], (int64_t)seq + 1);
    }
    xipc_shm_close(bs);
    HCHECK(xipc_queue_close(q) == 0);
    return 0;
}

/* Helper: consumes queue argv[1] until it is shut down and drained,
 * checking every message (max size argv[4], argv[3] producers) and
 * reporting on board argv[2]. argv[5] says how:
 *  "count":  seen[p * argv[6] + seq] += 1, order per producer increasing;
 *  "next":   every producer's numbers must follow each other exactly
 *            (next[p] is the number after the last one received). */
int helper_q_consume(int argc, char **argv)
{
    unsigned char buf[4096];
    int64_t last[BOARD_MAXP];
    xipc_queue *q;
    xipc_shm *bs;
    board *b;
    int nprod, p, rc, k, i;
    uint32_t seq, per = 0;
    size_t max, len;

    HCHECK(argc >= 6);
    nprod = atoi(argv[3]);
    max = (size_t)atol(argv[4]);
    if (argc > 6)
        per = (uint32_t)atol(argv[6]);
    HCHECK(nprod <= BOARD_MAXP);
    for (i = 0; i < BOARD_MAXP; i++)
        last[i] = -1;
    HCHECK(xipc_queue_open(&q, argv[1]) == 0);
    HCHECK(xipc_shm_open(&bs, argv[2], XIPC_RDWR) == 0);
    b = xipc_shm_data(bs);
    watch_recoveries(b);
    atomic_fetch_add(&b->started, 1);
    for (;;) {
        rc = xipc_queue_get(q, buf, sizeof buf, &len, T_HELPER_MAX_MS);
        if (rc == XIPC_ECLOSED)
            break;
        HCHECK(rc == 0);
        k = check_msg(buf, len, max, nprod, &p, &seq);
        if (k < 0)
            atomic_fetch_add(&b->bad, 1);
        HCHECK(k >= 0);
        if (k == 0) {
            atomic_fetch_add(&b->shorts[len], 1);
            continue;
        }
        HCHECK((int64_t)seq > last[p]); /* a producer's order is kept */
        last[p] = seq;
        if (strcmp(argv[5], "next") == 0) {
            /* The numbers of short messages, which carry none, are
             * skipped. */
            uint32_t want = (uint32_t)atomic_load(&b->next[p]);
            while (gen_len(p, want, max) < 12)
                want++;
            HCHECK(seq == want);
            atomic_store(&b->next[p], (int64_t)seq + 1);
        } else {
            HCHECK(seq < per && (size_t)p * per + seq < BOARD_SEEN);
            atomic_fetch_add(&b->seen[(size_t)p * per + seq], 1);
        }
    }
    xipc_shm_close(bs);
    HCHECK(xipc_queue_close(q) == 0);
    return 0;
}

/* ---- single-process behaviour ------------------------------------------- */

int test_queue_basic(void)
{
    const char *name = t_name("q");
    xipc_queue *a, *b;
    char buf[64];
    size_t len = 99;
    void *m;

    CHECK_OK(xipc_queue_create(&a, name, 1024, 100));
    CHECK_STR(xipc_queue_name(a), name);
    CHECK_EQ(xipc_queue_capacity(a), 1024);
    CHECK_EQ(xipc_queue_max_msg(a), 100);
    CHECK_OK(xipc_queue_open(&b, name));
    CHECK_EQ(xipc_queue_capacity(b), 1024);
    CHECK_EQ(xipc_queue_max_msg(b), 100);
    CHECK_EQ(xipc_queue_empty(b), 1);
    CHECK_EQ(xipc_queue_full(b), 0);
    CHECK_EQ(xipc_queue_qsize(b), 0);
    CHECK_OK(xipc_queue_put(a, "hello", 5, 0));
    CHECK_OK(xipc_queue_put(a, NULL, 0, 0)); /* an empty message */
    CHECK_OK(xipc_queue_put(a, "world!!!!", 9, XIPC_FOREVER));
    CHECK_EQ(xipc_queue_qsize(b), 3);
    CHECK_EQ(xipc_queue_bytes_used(b), XIPC_QUEUE_MSG_COST(5) +
                                           XIPC_QUEUE_MSG_COST(0) +
                                           XIPC_QUEUE_MSG_COST(9));
    CHECK_EQ(xipc_queue_empty(b), 0);
    CHECK_OK(xipc_queue_get(b, buf, sizeof buf, &len, 0));
    CHECK_EQ(len, 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_OK(xipc_queue_get(b, NULL, 0, &len, 0)); /* boundaries kept */
    CHECK_EQ(len, 0);
    CHECK_OK(xipc_queue_get_alloc(b, &m, &len, 100));
    CHECK_EQ(len, 9);
    CHECK(memcmp(m, "world!!!!", 9) == 0);
    xipc_free(m);
    CHECK_OK(xipc_queue_put(b, NULL, 0, 0));
    CHECK_OK(xipc_queue_get_alloc(a, &m, &len, 0));
    CHECK(m != NULL);
    CHECK_EQ(len, 0);
    xipc_free(m);
    xipc_free(NULL);
    CHECK_EQ(xipc_queue_qsize(a), 0);
    CHECK_EQ(xipc_queue_bytes_used(a), 0);
    CHECK_RC(xipc_queue_get(a, buf, sizeof buf, &len, 0), XIPC_ETIMEDOUT);
    CHECK_OK(xipc_queue_close(b));
    CHECK_OK(xipc_queue_close(a));
    CHECK_EQ(xipc__seg_present(name), 0);
    return 0;
}

/* Gets every message of q, each filled with (len * 5 + i), and checks it. */
static void drain_checked(xipc_queue *q)
{
    unsigned char out[256];
    size_t len, i;

    while (xipc_queue_qsize(q) > 0) {
        CHECK_OK(xipc_queue_get(q, out, sizeof out, &len, 0));
        for (i = 0; i < len; i++)
            CHECK_EQ(out[i], (unsigned char)(len * 5 + i));
    }
}

int test_queue_capacity_edges(void)
{
    const char *name = t_name("qcap");
    unsigned char big[200], out[200];
    xipc_queue *q, *x = NULL;
    size_t len, i;
    int n, round;

    /* The limits: max_msg must fit, capacity is rounded up to 8. */
    CHECK_RC(xipc_queue_create(&x, t_name("q0"), 0, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_create(&x, t_name("q1"), 15, 16), XIPC_EINVAL);
    CHECK_RC(xipc_queue_create(&x, t_name("q2"), 16, 9), XIPC_EINVAL);
    CHECK_RC(
        xipc_queue_create(&x, t_name("q3"), XIPC_QUEUE_CAPACITY_MAX + 1, 8),
        XIPC_EINVAL);
    CHECK_RC(xipc_queue_create(&x, t_name("q4"), 64, (size_t)-1), XIPC_EINVAL);
    CHECK(x == NULL);
    CHECK_OK(xipc_queue_create(&x, t_name("q5"), 1, 0));
    CHECK_EQ(xipc_queue_capacity(x), 8); /* one empty message */
    CHECK_OK(xipc_queue_put(x, NULL, 0, 0));
    CHECK_EQ(xipc_queue_full(x), 1);
    CHECK_RC(xipc_queue_put(x, NULL, 0, 0), XIPC_ETIMEDOUT);
    CHECK_OK(xipc_queue_close(x));

    /* 64 bytes, messages of up to 16: two of 16 (24 bytes each) and one
     * of 8 (16 bytes) fill it exactly. */
    CHECK_OK(xipc_queue_create(&q, name, 61, 16));
    CHECK_EQ(xipc_queue_capacity(q), 64);
    memset(big, 'a', sizeof big);
    CHECK_OK(xipc_queue_put(q, big, 16, 0));
    CHECK_OK(xipc_queue_put(q, big, 16, 0));
    CHECK_EQ(xipc_queue_full(q), 0);
    CHECK_RC(xipc_queue_put(q, big, 9, 0), XIPC_ETIMEDOUT); /* 24 > 16 */
    CHECK_EQ(xipc_queue_qsize(q), 2);
    CHECK_OK(xipc_queue_put(q, big, 8, 0));
    CHECK_EQ(xipc_queue_full(q), 1);
    CHECK_EQ(xipc_queue_bytes_used(q), 64);
    CHECK_EQ(xipc_queue_qsize(q), 3);
    CHECK_RC(xipc_queue_put(q, NULL, 0, 0), XIPC_ETIMEDOUT);
    for (n = 0; n < 3; n++)
        CHECK_OK(xipc_queue_get(q, out, sizeof out, &len, 0));
    CHECK_EQ(xipc_queue_empty(q), 1);
    CHECK_OK(xipc_queue_close(q));

    /* Messages of every size wrap around the end of the ring at every
     * offset; each comes back intact. */
    CHECK_OK(xipc_queue_create(&q, t_name("qwrap"), 200, 150));
    for (round = 0; round < 2000; round++) {
        size_t l = (size_t)(round * 37 % 151);
        int rc;
        for (i = 0; i < l; i++)
            big[i] = (unsigned char)(l * 5 + i);
        if ((rc = xipc_queue_put(q, big, l, 0)) == XIPC_ETIMEDOUT) {
            CHECK_EQ(xipc_queue_full(q), xipc_queue_bytes_used(q) == 200);
            drain_checked(q);
            rc = xipc_queue_put(q, big, l, 0);
        }
        CHECK_OK(rc);
        if (round % 3 != 0) /* else keep it queued, to vary the offsets */
            drain_checked(q);
    }
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_queue_emsgsize(void)
{
    const char *name = t_name("qsize");
    unsigned char m[300], out[300];
    xipc_queue *q;
    size_t len = 0;
    void *p;

    memset(m, 'z', sizeof m);
    CHECK_OK(xipc_queue_create(&q, name, 4096, 256));
    /* Too long to put: refused at once, nothing stored. */
    CHECK_RC(xipc_queue_put(q, m, 257, XIPC_FOREVER), XIPC_EMSGSIZE);
    CHECK_EQ(xipc_queue_qsize(q), 0);
    CHECK_OK(xipc_queue_put(q, m, 256, 0));
    CHECK_OK(xipc_queue_put(q, "x", 1, 0));
    /* Too long for the buffer: the length is told, the message stays. */
    CHECK_RC(xipc_queue_get(q, out, 255, &len, 0), XIPC_EMSGSIZE);
    CHECK_EQ(len, 256);
    CHECK_RC(xipc_queue_get(q, NULL, 0, &len, XIPC_FOREVER), XIPC_EMSGSIZE);
    CHECK_EQ(len, 256);
    CHECK_EQ(xipc_queue_qsize(q), 2);
    CHECK_OK(xipc_queue_get(q, out, 256, &len, 0));
    CHECK_EQ(len, 256);
    CHECK(memcmp(out, m, 256) == 0);
    CHECK_OK(xipc_queue_get_alloc(q, &p, &len, 0));
    CHECK_EQ(len, 1);
    CHECK(memcmp(p, "x", 1) == 0);
    xipc_free(p);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_queue_bad_arguments(void)
{
    const char *name = t_name("qarg");
    xipc_queue *q, *x = NULL;
    size_t len;
    void *p;
    char c;

    CHECK_RC(xipc_queue_create(NULL, name, 64, 8), XIPC_EINVAL);
    CHECK_RC(xipc_queue_create(&x, "bad/name", 64, 8), XIPC_EINVAL);
    CHECK_RC(xipc_queue_open(&x, ""), XIPC_EINVAL);
    CHECK_RC(xipc_queue_open(NULL, name), XIPC_EINVAL);
    CHECK_RC(xipc_queue_open(&x, name), XIPC_ENOENT);
    CHECK(x == NULL);
    CHECK_OK(xipc_queue_create(&q, name, 64, 8));
    CHECK_RC(xipc_queue_create(&x, name, 64, 8), XIPC_EEXIST);
    CHECK_RC(xipc_queue_put(NULL, "a", 1, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_put(q, NULL, 1, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get(NULL, &c, 1, &len, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get(q, &c, 1, NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get(q, NULL, 1, &len, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get_alloc(NULL, &p, &len, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get_alloc(q, NULL, &len, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_get_alloc(q, &p, NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_shutdown(NULL, 0), XIPC_EINVAL);
    CHECK_RC(xipc_queue_qsize(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_queue_bytes_used(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_queue_empty(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_queue_full(NULL), XIPC_EINVAL);
    CHECK_RC(xipc_queue_close(NULL), XIPC_EINVAL);
    CHECK_EQ(xipc_queue_capacity(NULL), 0);
    CHECK_EQ(xipc_queue_max_msg(NULL), 0);
    CHECK(xipc_queue_name(NULL) == NULL);
    CHECK_OK(xipc_queue_unlink(name));
    CHECK_RC(xipc_queue_unlink(name), XIPC_ENOENT);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_queue_open_checks(void)
{
    const char *qname = t_name("qk"), *lname = t_name("qkl");
    const char *sname = t_name("qks");
    xipc_queue *q, *x = NULL;
    xipc_lock *l, *y = NULL;
    xipc_shm *s, *z = NULL;
    xipc__hdr *h;
    uint32_t saved;

    CHECK_OK(xipc_queue_create(&q, qname, 256, 32));
    CHECK_OK(xipc_lock_create(&l, lname, 0));
    CHECK_OK(xipc_shm_create(&s, sname, 256));
    CHECK_RC(xipc_queue_open(&x, lname), XIPC_EKIND);
    CHECK_RC(xipc_queue_open(&x, sname), XIPC_EKIND);
    CHECK_RC(xipc_lock_open(&y, qname, 0), XIPC_EKIND);
    CHECK_RC(xipc_shm_open(&z, qname, XIPC_RDWR), XIPC_EKIND);
    CHECK(x == NULL && y == NULL && z == NULL);
    h = xipc__seg_base(xipc__queue_seg(q));
    h->version = 99;
    CHECK_RC(xipc_queue_open(&x, qname), XIPC_EVERSION);
    h->version = XIPC__LAYOUT_VERSION;
    h->magic ^= 1;
    CHECK_RC(xipc_queue_open(&x, qname), XIPC_ECORRUPT);
    h->magic ^= 1;
    /* Limits that the capacity cannot hold, or another layout. */
    saved = h->elem_size;
    h->elem_size = 1000;
    CHECK_RC(xipc_queue_open(&x, qname), XIPC_ECORRUPT);
    h->elem_size = 0xffffffffu;
    CHECK_RC(xipc_queue_open(&x, qname), XIPC_ECORRUPT);
    h->elem_size = saved;
    h->elem_type = 3;
    CHECK_RC(xipc_queue_open(&x, qname), XIPC_ECORRUPT);
    h->elem_type = 0;
    h->data_off = 128;
    h->user_size += XIPC__Q_DATA_OFF - 128;
    CHECK_RC(xipc_queue_open(&x, qname), XIPC_ECORRUPT);
    h->data_off = XIPC__Q_DATA_OFF;
    h->user_size -= XIPC__Q_DATA_OFF - 128;
    CHECK(x == NULL);
    CHECK_OK(xipc_queue_open(&x, qname));
    CHECK_OK(xipc_queue_close(x));
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_queue_damaged_state(void)
{
    const char *name = t_name("qdmg");
    unsigned char *base;
    _Atomic uint64_t *tail, *head;
    uint64_t t, hd;
    xipc_queue *q;
    char buf[64];
    size_t len;
    uint32_t rec[2];
    int i;

    CHECK_OK(xipc_queue_create(&q, name, 256, 32));
    base = xipc__seg_base(xipc__queue_seg(q));
    tail = (_Atomic uint64_t *)(base + XIPC__Q_TAIL_OFF); /* src/internal.h */
    head = (_Atomic uint64_t *)(base + XIPC__Q_HEAD_OFF);
    CHECK_OK(xipc_queue_put(q, "abc", 3, 0));
    t = atomic_load(tail);
    hd = atomic_load(head);
    /* Every way a scribbler can break the words is an error, never a
     * crash or an access outside the ring. */
    {
        const uint64_t bad_tails[] = {
            (uint64_t)1 << 32 | 64, /* position past 2R */
            (uint64_t)1 << 32 | 0xffffffffu, (uint64_t)9 << 32 | 2,
            (uint64_t)0 << 32 | 2,   /* bytes without messages */
            (uint64_t)1 << 32 | 40}; /* more than capacity used */
        for (i = 0; i < (int)(sizeof bad_tails / sizeof bad_tails[0]); i++) {
            atomic_store(tail, bad_tails[i]);
            CHECK_RC(xipc_queue_put(q, "x", 1, 0), XIPC_ECORRUPT);
            CHECK_RC(xipc_queue_get(q, buf, sizeof buf, &len, 0),
                     XIPC_ECORRUPT);
            CHECK_RC(xipc_queue_qsize(q), XIPC_ECORRUPT);
            CHECK_RC(xipc_queue_full(q), XIPC_ECORRUPT);
        }
    }
    atomic_store(tail, t);
    /* A record whose length or number lies. */
    memcpy(rec, base + XIPC__Q_DATA_OFF, 8);
    ((uint32_t *)(base + XIPC__Q_DATA_OFF))[0] = 33; /* > max_msg */
    CHECK_RC(xipc_queue_get(q, buf, sizeof buf, &len, 0), XIPC_ECORRUPT);
    ((uint32_t *)(base + XIPC__Q_DATA_OFF))[0] = 30; /* longer than what was put */
    CHECK_RC(xipc_queue_get(q, buf, sizeof buf, &len, 0), XIPC_ECORRUPT);
    ((uint32_t *)(base + XIPC__Q_DATA_OFF))[0] = 3;
    ((uint32_t *)(base + XIPC__Q_DATA_OFF))[1] = 5; /* another message's number */
    CHECK_RC(xipc_queue_get(q, buf, sizeof buf, &len, 0), XIPC_ECORRUPT);
    memcpy(base + XIPC__Q_DATA_OFF, rec, 8);
    CHECK_EQ(atomic_load(head), hd);
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
    CHECK_EQ(len, 3);
    CHECK(memcmp(buf, "abc", 3) == 0);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

/* A random 64-bit value, often near the values an honest queue holds. */
static uint64_t scribble(uint64_t *x)
{
    uint64_t r;

    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    r = *x;
    switch (r % 4) {
    case 0:
        return r; /* anything */
    case 1:
        return (r >> 8) % 4 << 32 | (r >> 16) % 80; /* small counts and
                                                        positions */
    case 2:
        return (r >> 8) % 70; /* a record length near max_msg */
    default:
        return (uint64_t)-1 - (r >> 8) % 4; /* near the top */
    }
}

int test_queue_garbage_never_crashes(void)
{
    const char *name = t_name("qfuzz");
    unsigned char *base, buf[64];
    uint64_t x = (uint64_t)xipc_getpid() * 2654435761U + 1, v;
    int i, rc, counts[4] = {0, 0, 0, 0};
    xipc_queue *q;
    size_t len;
    void *m;

    /* 256 bytes, messages of up to 64: R = 32 units, positions < 64. */
    CHECK_OK(xipc_queue_create(&q, name, 256, 64));
    base = xipc__seg_base(xipc__queue_seg(q));
    for (i = 0; i < 20000; i++) {
        v = scribble(&x);
        if (i % 4 == 0) {
            /* Now and then an honest empty queue again, anywhere in the
             * ring, so that the damage is one field of a sane state. */
            uint64_t w = (x >> 24) % 1000 << 32 | (x >> 8) % 64;
            memcpy(base + XIPC__Q_TAIL_OFF, &w, 8);
            memcpy(base + 392, &w, 8);
            memcpy(base + XIPC__Q_HEAD_OFF, &w, 8);
            memcpy(base + 456, &w, 8);
            continue;
        }
        if (i % 4 == 1) {
            /* ...with messages in it. */
            while (xipc_queue_put(q, "abcdefghijklmnopqrstuvwxyz", 26, 0) == 0)
                ;
            continue;
        }
        switch (x % 5) {
        case 0: /* the tail */
            memcpy(base + XIPC__Q_TAIL_OFF, &v, 8);
            break;
        case 1: /* the put side's view of the head */
            memcpy(base + 392, &v, 8);
            break;
        case 2: /* the head */
            memcpy(base + XIPC__Q_HEAD_OFF, &v, 8);
            break;
        case 3: /* the get side's view of the tail */
            memcpy(base + 456, &v, 8);
            break;
        default: /* a record header somewhere in the ring */
            memcpy(base + XIPC__Q_DATA_OFF + (x >> 20) % 32 * 8, &v, 8);
        }
        /* Whatever the state, every call answers, within the ring. */
        rc = xipc_queue_put(q, "0123456789", (size_t)(x >> 40) % 11, 0);
        CHECK(rc == 0 || rc == XIPC_ETIMEDOUT || rc == XIPC_ECORRUPT);
        rc = xipc_queue_get(q, buf, sizeof buf, &len, 0);
        CHECK(rc == 0 || rc == XIPC_ETIMEDOUT || rc == XIPC_ECORRUPT);
        CHECK(rc != 0 || len <= 64);
        counts[rc == 0 ? 0 : rc == XIPC_ETIMEDOUT ? 1 : 2]++;
        if ((rc = xipc_queue_get_alloc(q, &m, &len, 0)) == 0)
            xipc_free(m);
        CHECK(rc == 0 || rc == XIPC_ETIMEDOUT || rc == XIPC_ECORRUPT);
        rc = xipc_queue_qsize(q);
        CHECK(rc == XIPC_ECORRUPT || (rc >= 0 && rc <= 32));
        rc = xipc_queue_bytes_used(q);
        CHECK(rc == XIPC_ECORRUPT || (rc >= 0 && rc <= 256));
    }
    printf("gets on scribbled state: %d returned a message, %d found none, "
           "%d found damage\n",
           counts[0], counts[1], counts[2]);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

/* ---- timeouts, shutdown, processes -------------------------------------- */

int test_queue_timeouts(void)
{
    const char *name = t_name("qto"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    char buf[32], ms[16];
    xipc_queue *q;
    xipc_proc *p;
    int64_t t0, el, put_at, lat;
    size_t len;

    CHECK_OK(xipc_queue_create(&q, name, 64, 16));
    t0 = t_ms();
    CHECK_RC(xipc_queue_get(q, buf, sizeof buf, &len, 0), XIPC_ETIMEDOUT);
    CHECK(t_ms() - t0 < 500LL * t_slow());
    t0 = t_ms();
    CHECK_RC(xipc_queue_get(q, buf, sizeof buf, &len, 250), XIPC_ETIMEDOUT);
    el = t_ms() - t0;
    CHECK(el >= 250);                   /* never early */
    CHECK(el < 250 + 500LL * t_slow()); /* nor much late */
    while (xipc_queue_put(q, "0123456789abcdef", 16, 0) == 0)
        ;
    CHECK_EQ(xipc_queue_full(q), 0); /* 16 bytes free, 24 needed */
    t0 = t_ms();
    CHECK_RC(xipc_queue_put(q, "0123456789abcdef", 16, 250), XIPC_ETIMEDOUT);
    el = t_ms() - t0;
    CHECK(el >= 250);
    CHECK(el < 250 + 500LL * t_slow());
    CHECK_EQ(xipc_queue_qsize(q), 2);
    while (xipc_queue_get(q, buf, sizeof buf, &len, 0) == 0)
        ;

    /* A getter asleep in another process wakes promptly on a put. */
    p = t_spawn("q_op", name, ctl_name, "get", "-1", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    xipc_sleep_ms(200); /* let it go to sleep */
    put_at = xipc_now_ns();
    CHECK_OK(xipc_queue_put(q, "wake", 4, 0));
    CHECK_EQ(t_join(p, 20000), 100);
    lat = (atomic_load(&ctl->value[2]) - put_at) / 1000000;
    printf("getter woke %lld ms after the put\n", (long long)lat);
    CHECK(lat < 100LL * t_slow());
    CHECK_EQ(atomic_load(&ctl->value[3]), 4);

    /* A putter asleep on a full queue wakes promptly on a get. */
    while (xipc_queue_put(q, "0123456789abcdef", 16, 0) == 0)
        ;
    atomic_store(&ctl->flag[0], 0);
    snprintf(ms, sizeof ms, "%d", 60000);
    p = t_spawn("q_op", name, ctl_name, "put", ms, "16", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    xipc_sleep_ms(200);
    put_at = xipc_now_ns();
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
    CHECK_EQ(t_join(p, 20000), 100);
    lat = (atomic_load(&ctl->value[2]) - put_at) / 1000000;
    printf("putter woke %lld ms after the get\n", (long long)lat);
    CHECK(lat < 100LL * t_slow());
    CHECK_EQ(xipc_queue_qsize(q), 2);
    CHECK_OK(xipc_queue_close(q));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_queue_shutdown(void)
{
    const char *ename = t_name("qsde"), *fname = t_name("qsdf"), *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_queue *e, *f, *f2;
    xipc_proc *g[2], *p;
    char buf[32];
    size_t len;
    void *m;
    int i;

    /* Two getters asleep (forever) on an empty queue, a putter asleep on a
     * full one. */
    CHECK_OK(xipc_queue_create(&e, ename, 64, 16));
    CHECK_OK(xipc_queue_create(&f, fname, 64, 16));
    CHECK_OK(xipc_queue_open(&f2, fname));
    CHECK_OK(xipc_queue_put(f, "aaaaaaaaaaaaaaaa", 16, 0));
    CHECK_OK(xipc_queue_put(f, "bbbbbbbbbbbbbbbb", 16, 0));
    for (i = 0; i < 2; i++)
        g[i] = t_spawn("q_op", ename, ctl_name, "get", "-1", NULL);
    p = t_spawn("q_op", fname, ctl_name, "put", "-1", "16", NULL);
    t_ctl_wait(ctl, 0, 3, 20000);
    xipc_sleep_ms(200); /* let them go to sleep */
    CHECK_OK(xipc_queue_shutdown(e, XIPC_FOREVER));
    CHECK_OK(xipc_queue_shutdown(f2, XIPC_FOREVER));
    CHECK_OK(xipc_queue_shutdown(f2, XIPC_FOREVER)); /* idempotent */
    for (i = 0; i < 2; i++)
        CHECK_EQ(t_join(g[i], 20000), 100 + XIPC_ECLOSED);
    CHECK_EQ(t_join(p, 20000), 100 + XIPC_ECLOSED);
    CHECK_RC(xipc_queue_put(f, "d", 1, 0), XIPC_ECLOSED);
    CHECK_RC(xipc_queue_put(f, "d", 1, XIPC_FOREVER), XIPC_ECLOSED);
    CHECK_RC(xipc_queue_put(f, NULL, 0, 0), XIPC_ECLOSED);
    /* What is left is drained, then every get says closed at once. */
    CHECK_EQ(xipc_queue_qsize(f), 2);
    CHECK_OK(xipc_queue_get(f, buf, sizeof buf, &len, XIPC_FOREVER));
    CHECK(len == 16 && buf[0] == 'a');
    CHECK_OK(xipc_queue_get_alloc(f2, &m, &len, 0));
    CHECK(len == 16 && ((char *)m)[0] == 'b');
    xipc_free(m);
    CHECK_RC(xipc_queue_get(f, buf, sizeof buf, &len, XIPC_FOREVER),
             XIPC_ECLOSED);
    CHECK_RC(xipc_queue_get(f2, buf, sizeof buf, &len, 0), XIPC_ECLOSED);
    CHECK_RC(xipc_queue_get_alloc(f2, &m, &len, 100), XIPC_ECLOSED);
    CHECK_RC(xipc_queue_get(e, buf, sizeof buf, &len, 100), XIPC_ECLOSED);
    CHECK_OK(xipc_queue_close(f2));
    CHECK_OK(xipc_queue_close(f));
    CHECK_OK(xipc_queue_close(e));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_queue_exit_after_put(void)
{
    const char *name = t_name("qexit");
    xipc_queue *q;
    char buf[16];
    size_t len;
    int i;

    CHECK_OK(xipc_queue_create(&q, name, 4096, 16));
    CHECK_EQ(t_join(t_spawn("q_put_and_die", name, "50", NULL), 20000), 7);
    CHECK_EQ(xipc_queue_qsize(q), 50);
    for (i = 0; i < 50; i++) {
        char want[16];
        snprintf(want, sizeof want, "m%d", i);
        CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
        CHECK_EQ(len, strlen(want));
        CHECK(memcmp(buf, want, len) == 0);
    }
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_queue_died_mid_put(void)
{
    const char *name = t_name("qdput");
    xipc_queue *q;
    char buf[32];
    size_t len;

    CHECK_OK(xipc_queue_create(&q, name, 256, 32));
    CHECK_OK(xipc_queue_put(q, "a", 1, 0));
    /* The helper dies holding the put mutex, its message copied in but not
     * committed. */
    CHECK_EQ(t_join(t_spawn("q_die_at", name, "queue:put:copied", "put", NULL),
                    20000),
             42);
    CHECK_EQ(xipc_queue_qsize(q), 1);
    CHECK_OK(xipc_queue_put(q, "b", 1, 10000)); /* repairs, succeeds */
    CHECK_OK(xipc_queue_put(q, "c", 1, 0));
    CHECK_EQ(xipc_queue_qsize(q), 3);
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
    CHECK(len == 1 && buf[0] == 'a');
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
    CHECK(len == 1 && buf[0] == 'b');
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
    CHECK(len == 1 && buf[0] == 'c');
    CHECK_RC(xipc_queue_get(q, buf, sizeof buf, &len, 0), XIPC_ETIMEDOUT);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_queue_died_mid_get(void)
{
    const char *name = t_name("qdget");
    xipc_queue *q;
    char buf[32];
    size_t len;

    CHECK_OK(xipc_queue_create(&q, name, 256, 32));
    CHECK_OK(xipc_queue_put(q, "first", 5, 0));
    CHECK_OK(xipc_queue_put(q, "second", 6, 0));
    /* The helper dies holding the get mutex, the message copied out but
     * the head not moved: the message stays. */
    CHECK_EQ(t_join(t_spawn("q_die_at", name, "queue:get:copied", "get", NULL),
                    20000),
             42);
    CHECK_EQ(xipc_queue_qsize(q), 2);
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 10000));
    CHECK(len == 5 && memcmp(buf, "first", 5) == 0);
    CHECK_OK(xipc_queue_get(q, buf, sizeof buf, &len, 0));
    CHECK(len == 6 && memcmp(buf, "second", 6) == 0);
    /* And the put side never noticed. */
    CHECK_OK(xipc_queue_put(q, "third", 5, 0));
    CHECK_EQ(xipc_queue_qsize(q), 1);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

/* Counts, by the generator, the short messages producers 0..nprod-1 send
 * in `per` messages each. */
static void expected_shorts(int nprod, uint32_t per, size_t max,
                            int64_t out[12])
{
    int p;
    uint32_t s;
    size_t l;

    memset(out, 0, 12 * sizeof out[0]);
    for (p = 0; p < nprod; p++)
        for (s = 0; s < per; s++)
            if ((l = gen_len(p, s, max)) < 12)
                out[l]++;
}

int test_queue_stress_3x3(void)
{
    enum { P = 3, C = 3 };
    const char *name = t_name("qs"), *bname = t_name("qsb");
    uint32_t per = t_slow() > 1 ? 5000 : 20000, s;
    const size_t max = 1024;
    int64_t want[12], t0;
    char sper[16], sp[16], smax[16];
    xipc_proc *prod[P], *cons[C];
    xipc_queue *q;
    xipc_shm *bs;
    board *b;
    int i, p;

    snprintf(sper, sizeof sper, "%u", (unsigned)per);
    snprintf(smax, sizeof smax, "%u", (unsigned)max);
    CHECK_OK(xipc_queue_create(&q, name, 8192, max));
    CHECK_OK(xipc_shm_create(&bs, bname, sizeof(board)));
    b = xipc_shm_data(bs);
    t0 = t_ms();
    for (i = 0; i < C; i++)
        cons[i] =
            t_spawn("q_consume", name, bname, "3", smax, "count", sper, NULL);
    for (p = 0; p < P; p++) {
        snprintf(sp, sizeof sp, "%d", p);
        prod[p] = t_spawn("q_produce", name, bname, sp, sper, smax, NULL);
    }
    for (p = 0; p < P; p++)
        CHECK_EQ(t_join(prod[p], 120000), 0);
    CHECK_OK(xipc_queue_shutdown(q, XIPC_FOREVER));
    for (i = 0; i < C; i++)
        CHECK_EQ(t_join(cons[i], 120000), 0);
    printf("%d producers x %u messages (0..%u bytes) to %d consumers: "
           "%lld ms\n",
           P, (unsigned)per, (unsigned)max, C, (long long)(t_ms() - t0));
    CHECK_EQ(atomic_load(&b->bad), 0);
    /* Every message that carries its identity arrived exactly once... */
    for (p = 0; p < P; p++) {
        CHECK_EQ(atomic_load(&b->returned[p]), per);
        for (s = 0; s < per; s++) {
            int seen = atomic_load(&b->seen[(size_t)p * per + s]);
            if (gen_len(p, s, max) >= 12 && seen != 1)
                t_fail(__FILE__, __LINE__,
                       "message %u of producer %d arrived %d times",
                       (unsigned)s, p, seen);
        }
    }
    /* ...and so did as many short ones of each length as were sent. */
    expected_shorts(P, per, max, want);
    for (i = 0; i < 12; i++)
        CHECK_EQ(atomic_load(&b->shorts[i]), want[i]);
    CHECK_EQ(xipc_queue_qsize(q), 0);
    CHECK_OK(xipc_shm_close(bs));
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

/* A thread of test_queue_threads: producer `p` puts `n` generated
 * messages, or (p < 0) a consumer takes messages until the queue is shut
 * down, counting into seen[]. */
struct qthread {
    xipc_queue *q;
    int p;
    uint32_t n;
    _Atomic uint8_t *seen;
    int result;
};

static int queue_thread(void *v)
{
    struct qthread *t = v;
    unsigned char buf[512];
    int64_t last[2] = {-1, -1};
    uint32_t seq;
    size_t len;
    int p, rc, k;

    if (t->p >= 0) {
        for (seq = 0; seq < t->n; seq++) {
            len = gen_msg(buf, t->p, seq, sizeof buf);
            if (xipc_queue_put(t->q, buf, len, XIPC_FOREVER) != 0)
                return 1;
        }
        return 0;
    }
    while ((rc = xipc_queue_get(t->q, buf, sizeof buf, &len, 60000)) == 0) {
        if ((k = check_msg(buf, len, sizeof buf, 2, &p, &seq)) < 0)
            return 2;
        if (k == 0)
            continue;
        if ((int64_t)seq <= last[p] || seq >= t->n)
            return 3;
        last[p] = seq;
        atomic_fetch_add(&t->seen[(size_t)p * t->n + seq], 1);
    }
    return rc == XIPC_ECLOSED ? 0 : 4;
}

/* Two producer and two consumer threads of one process, through two
 * handles: threads contend for the queue's locks exactly as processes do. */
int test_queue_threads(void)
{
    const char *name = t_name("qthr");
    uint32_t n = t_slow() > 1 ? 5000 : 50000, s;
    struct qthread t[4];
    xipc__thread *th[4];
    xipc_queue *qp, *qc;
    _Atomic uint8_t *seen;
    int i;

    CHECK((seen = calloc(2 * n, 1)) != NULL);
    CHECK_OK(xipc_queue_create(&qp, name, 4096, 512));
    CHECK_OK(xipc_queue_open(&qc, name));
    for (i = 0; i < 4; i++) {
        t[i].q = i < 2 ? qp : qc;
        t[i].p = i < 2 ? i : -1;
        t[i].n = n;
        t[i].seen = seen;
        CHECK_OK(xipc__thread_start(&th[i], queue_thread, &t[i]));
    }
    for (i = 0; i < 2; i++)
        CHECK_EQ(xipc__thread_join(th[i]), 0);
    CHECK_OK(xipc_queue_shutdown(qp, XIPC_FOREVER));
    for (i = 2; i < 4; i++)
        CHECK_EQ(xipc__thread_join(th[i]), 0);
    for (i = 0; i < 2; i++)
        for (s = 0; s < n; s++)
            if (gen_len(i, s, 512) >= 12 && seen[(size_t)i * n + s] != 1)
                t_fail(__FILE__, __LINE__, "message %u of thread %d seen %d",
                       (unsigned)s, i, (int)seen[(size_t)i * n + s]);
    free((void *)seen);
    CHECK_OK(xipc_queue_close(qc));
    CHECK_OK(xipc_queue_close(qp));
    return 0;
}

/* Waits a random 0..3 ms, spinning so the victim runs meanwhile. */
static void random_pause(void)
{
    int64_t end = xipc_now_ns() + (int64_t)(rand() % 3000) * 1000;
    while (xipc_now_ns() < end)
        ;
}

/* Producers killed at random moments while one consumer drains: every
 * producer's numbers arrive without a gap, each one whose put returned
 * arrives, at most the one in flight beyond it. */
static void kill_producers(int trials, size_t max)
{
    const char *name = t_name("qkp"), *bname = t_name("qkpb");
    char sp[16], smax[16], np[16];
    xipc_proc *drain, *v;
    xipc_queue *q;
    xipc_shm *bs;
    board *b;
    int i, p;
    int64_t sum = 0;

    snprintf(smax, sizeof smax, "%u", (unsigned)max);
    CHECK(trials <= BOARD_MAXP);
    snprintf(np, sizeof np, "%d", trials);
    CHECK_OK(xipc_queue_create(&q, name, 2048, max));
    CHECK_OK(xipc_shm_create(&bs, bname, sizeof(board)));
    b = xipc_shm_data(bs);
    drain = t_spawn("q_consume", name, bname, np, smax, "next", NULL);
    for (i = 0; i < trials; i++) {
        /* Each trial's victim is a new producer, i. */
        snprintf(sp, sizeof sp, "%d", i);
        atomic_store(&b->started, 0);
        v = t_spawn("q_produce", name, bname, sp, "100000000", smax, NULL);
        while (atomic_load(&b->started) == 0)
            xipc_sleep_ms(0);
        random_pause();
        t_kill(v);
    }
    CHECK_OK(xipc_queue_shutdown(q, XIPC_FOREVER));
    CHECK_EQ(t_join(drain, 60000), 0);
    CHECK_EQ(atomic_load(&b->bad), 0);
    for (p = 0; p < trials; p++) {
        int64_t r = atomic_load(&b->returned[p]), n = atomic_load(&b->next[p]);
        /* Short messages at the end of the stream carry no number. */
        while (n < r && gen_len(p, (uint32_t)n, max) < 12)
            n++;
        if (n != r && n != r + 1)
            t_fail(__FILE__, __LINE__,
                   "producer %d: %lld puts returned, %lld received", p,
                   (long long)r, (long long)n);
        sum += n;
    }
    printf("killed producers had %lld messages received; the put lock was "
           "taken over from a dead holder %d times\n",
           (long long)sum, (int)atomic_load(&b->recovered));
    CHECK_OK(xipc_shm_close(bs));
    CHECK_OK(xipc_queue_close(q));
}

/* Consumers killed at random moments while one producer streams: no
 * message arrives twice, and of those whose put returned, each killed
 * consumer may have taken one it had no time to record. */
static int kill_consumers(int trials, size_t max)
{
    const char *name = t_name("qkc"), *bname = t_name("qkcb");
    char smax[16], sper[16];
    unsigned char buf[4096];
    xipc_proc *prod, *v;
    xipc_queue *q;
    xipc_shm *bs;
    board *b;
    int i, p, k, missing = 0, rc;
    uint32_t seq;
    int64_t r, s;
    size_t len;

    snprintf(smax, sizeof smax, "%u", (unsigned)max);
    snprintf(sper, sizeof sper, "%d", BOARD_SEEN);
    CHECK_OK(xipc_queue_create(&q, name, 2048, max));
    CHECK_OK(xipc_shm_create(&bs, bname, sizeof(board)));
    b = xipc_shm_data(bs);
    prod = t_spawn("q_produce", name, bname, "0", sper, smax, NULL);
    for (i = 0; i < trials; i++) {
        atomic_store(&b->started, 0);
        v = t_spawn("q_consume", name, bname, "1", smax, "count", sper, NULL);
        while (atomic_load(&b->started) < 1)
            xipc_sleep_ms(0);
        random_pause();
        t_kill(v);
    }
    CHECK_OK(xipc_queue_shutdown(q, XIPC_FOREVER));
    CHECK_EQ(t_join(prod, 60000), 0);
    CHECK_EQ(atomic_load(&b->bad), 0);
    /* Drain what is left here. */
    watch_recoveries(b);
    while ((rc = xipc_queue_get(q, buf, sizeof buf, &len, 0)) == 0) {
        k = check_msg(buf, len, max, 1, &p, &seq);
        CHECK(k >= 0);
        if (k == 1)
            atomic_fetch_add(&b->seen[seq], 1);
    }
    CHECK_RC(rc, XIPC_ECLOSED);
    xipc__fault_hook = NULL;
    printf("the get lock was taken over from a dead holder %d times\n",
           (int)atomic_load(&b->recovered));
    r = atomic_load(&b->returned[0]);
    for (s = 0; s < BOARD_SEEN; s++) {
        int seen = atomic_load(&b->seen[s]);
        if (seen > 1 || (s >= r && seen != 0))
            t_fail(__FILE__, __LINE__, "message %lld seen %d times (%lld put)",
                   (long long)s, seen, (long long)r);
        if (s < r && seen == 0 && gen_len(0, (uint32_t)s, max) >= 12)
            missing++;
    }
    if (missing > trials)
        t_fail(__FILE__, __LINE__, "%d messages lost, %d consumers killed",
               missing, trials);
    CHECK_OK(xipc_shm_close(bs));
    CHECK_OK(xipc_queue_close(q));
    return missing;
}

int test_queue_kill_trials(void)
{
    int trials = t_slow() > 1 ? 10 : 100, missing;
    int64_t t0 = t_ms();

    srand((unsigned)xipc_getpid());
    kill_producers(trials, 512);
    missing = kill_consumers(trials, 512);
    printf("%d producers and %d consumers killed mid-stream: nothing torn, "
           "nothing lost but %d in flight in killed consumers (%lld ms)\n",
           trials, trials, missing, (long long)(t_ms() - t0));
    return 0;
}
