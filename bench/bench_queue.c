/*
 * bench_queue.c - xipc's Queue next to the channels a programmer would
 * otherwise use on this platform (bench/queue_peers_*.c: natively also
 * Python's multiprocessing.Queue, bench/peer_queue.py) and a minimal
 * lock-free single-producer single-consumer ring in shared memory (below:
 * the floor, since it does nothing but copy and spin), in one run,
 * reported as ratios:
 *
 *   q.1to1.64B     one producer, one consumer, 64-byte messages
 *   q.1to1.4KiB    the same with 4096-byte messages
 *   q.2to2.64B     two producers, two consumers (channels that allow it)
 *   q.pingpong     one message there and back, 64 bytes: round trip time
 *
 * Every producer, consumer, pinger and ponger is a separate process
 * spawned for the run. Every run is checked: each message carries its
 * producer and number and a check word, each consumer verifies that every
 * producer's numbers increase, and the count and the sum of the numbers
 * received must be those sent; a run that miscounts is reported as
 * failed. Each figure is the median of several repetitions,
 * with min and max. Usage: xipc_bench_queue [--quick] (--quick: short
 * runs, to check that every scenario works, not to judge speed). Besides
 * the table, one CSV line per result:
 *   csv,scenario,implementation,unit,median,min,max,ratio_xipc_over_peer
 */
#include "bench.h"
#include "bench_queue.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xipc.h>

#define QCAP (256 * 1024) /* every ring's capacity in bytes */
#define MAXMSG 4096
#define MAXR 9

/* ---- xipc's Queue behind the peers' interface ---------------------------- */

static int x_create(const char *name, size_t max_msg, void **h)
{
    return xipc_queue_create((xipc_queue **)h, name, QCAP, max_msg);
}

static int x_open(const char *name, size_t max_msg, int role, void **h)
{
    (void)max_msg;
    (void)role;
    return xipc_queue_open((xipc_queue **)h, name);
}

static int x_send(void *h, const void *msg, size_t len)
{
    return xipc_queue_put(h, msg, len, XIPC_FOREVER);
}

static int x_recv(void *h, void *buf, size_t size, size_t *len)
{
    return xipc_queue_get(h, buf, size, len, XIPC_FOREVER);
}

static void x_close(void *h)
{
    xipc_queue_close(h);
}

static const bench_chan_ops xipc_ops = {"xipc Queue", 1,      x_create, x_open,
                                        x_send,       x_recv, x_close};

/* ---- the floor: a lock-free SPSC ring in xipc shared memory -------------- */

/* Length-prefixed records in a byte ring, as xipc's, but for one producer
 * and one consumer only, with no lock, no robustness and no sleeping: both
 * sides spin. Positions are free-running byte counts. */
struct spsc_shared {
    _Alignas(64) _Atomic uint64_t tail;
    _Alignas(64) _Atomic uint64_t head;
    _Alignas(64) unsigned char ring[QCAP];
};

struct spsc {
    xipc_shm *shm;
    struct spsc_shared *s;
    uint64_t head_seen, tail_seen;
};

static int spsc_get(const char *name, int create, void **h)
{
    struct spsc *r = calloc(1, sizeof *r);
    int rc;

    if (r == NULL)
        return -1;
    rc = create ? xipc_shm_create(&r->shm, name, sizeof *r->s)
                : xipc_shm_open(&r->shm, name, XIPC_RDWR);
    if (rc != 0) {
        free(r);
        return rc;
    }
    r->s = xipc_shm_data(r->shm);
    *h = r;
    return 0;
}

static int spsc_create(const char *name, size_t max_msg, void **h)
{
    (void)max_msg;
    return spsc_get(name, 1, h);
}

static int spsc_open(const char *name, size_t max_msg, int role, void **h)
{
    (void)max_msg;
    (void)role;
    return spsc_get(name, 0, h);
}

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void ring_in(unsigned char *ring, uint64_t pos, const void *src,
                    size_t n)
{
    size_t off = (size_t)(pos % QCAP), first = n < QCAP - off ? n : QCAP - off;

    memcpy(ring + off, src, first);
    memcpy(ring, (const unsigned char *)src + first, n - first);
}

static void ring_out(const unsigned char *ring, uint64_t pos, void *dst,
                     size_t n)
{
    size_t off = (size_t)(pos % QCAP), first = n < QCAP - off ? n : QCAP - off;

    memcpy(dst, ring + off, first);
    memcpy((unsigned char *)dst + first, ring, n - first);
}

static int spsc_send(void *h, const void *msg, size_t len)
{
    struct spsc *r = h;
    uint64_t t = atomic_load_explicit(&r->s->tail, memory_order_relaxed);
    uint64_t need = 8 + ((len + 7) & ~(size_t)7);
    uint32_t n = (uint32_t)len;

    while (t + need - r->head_seen > QCAP) {
        r->head_seen = atomic_load_explicit(&r->s->head, memory_order_acquire);
        if (t + need - r->head_seen > QCAP)
            relax();
    }
    ring_in(r->s->ring, t, &n, 4);
    ring_in(r->s->ring, t + 8, msg, len);
    atomic_store_explicit(&r->s->tail, t + need, memory_order_release);
    return 0;
}

static int spsc_recv(void *h, void *buf, size_t size, size_t *len)
{
    struct spsc *r = h;
    uint64_t hd = atomic_load_explicit(&r->s->head, memory_order_relaxed);
    uint32_t n;

    while (r->tail_seen == hd) {
        r->tail_seen = atomic_load_explicit(&r->s->tail, memory_order_acquire);
        if (r->tail_seen == hd)
            relax();
    }
    ring_out(r->s->ring, hd, &n, 4);
    if (n > size)
        return -1;
    ring_out(r->s->ring, hd + 8, buf, n);
    atomic_store_explicit(&r->s->head, hd + 8 + ((n + 7) & ~(uint32_t)7),
                          memory_order_release);
    *len = n;
    return 0;
}

static void spsc_close(void *h)
{
    struct spsc *r = h;
    xipc_shm_close(r->shm);
    free(r);
}

static const bench_chan_ops spsc_ops = {"SPSC ring (lock-free shm)",
                                        0,
                                        spsc_create,
                                        spsc_open,
                                        spsc_send,
                                        spsc_recv,
                                        spsc_close};

static const bench_chan_ops *impl(int i)
{
    if (i == 0)
        return &xipc_ops;
    if (i == 1)
        return &spsc_ops;
    return bench_chan_peers[i - 2];
}

/* Implementations are numbered: the channels of impl(), then the external
 * peers. */
static int n_chan;

static const char *impl_name(int i)
{
    return i < n_chan ? impl(i)->name : bench_ext_peers[i - n_chan]->name;
}

static int impl_mpmc(int i)
{
    return i < n_chan ? impl(i)->mpmc : bench_ext_peers[i - n_chan]->mpmc;
}

/* ---- the control block of one run ---------------------------------------- */

struct ctl {
    _Atomic int ready, go, bad;
    _Atomic int64_t count, sum;
    _Atomic int64_t end_ns[4];
    _Atomic int64_t lat_med, lat_p99; /* ping-pong, ns */
};

static int reps = 5, quick = 0;
static int64_t run_ms = 300;

/* The check word of message seq of producer p. */
static uint32_t check_of(uint32_t p, uint32_t seq)
{
    uint32_t x = p * 0x9e3779b9U ^ seq * 0x85ebca6bU;
    x ^= x >> 15;
    return x * 0x2c1b3c6dU;
}

#define STOP 0xffffffffU

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Child: argv = {role, impl, chan, chan2, ctl, n, size, id}. Producers
 * send n messages and one STOP; consumers receive until a STOP; ping sends
 * n messages on chan and waits for each to come back on chan2; pong
 * returns them. */
static int child(int argc, char **argv)
{
    static unsigned char buf[MAXMSG];
    const bench_chan_ops *o;
    const char *role;
    void *h, *h2 = NULL;
    xipc_shm *cs;
    struct ctl *c;
    uint32_t hdr[3], id, seq, n;
    int64_t last[4] = {-1, -1, -1, -1};
    size_t size, len;
    int64_t count = 0, sum = 0, *lat = NULL;
    int bad = 0;

    if (argc != 9)
        return 2;
    role = argv[1];
    o = impl(atoi(argv[2]));
    n = (uint32_t)atol(argv[6]);
    size = (size_t)atol(argv[7]);
    id = (uint32_t)atol(argv[8]);
    if (xipc_shm_open(&cs, argv[5], XIPC_RDWR) != 0)
        return 3;
    c = xipc_shm_data(cs);
    memset(buf, 0x5a, sizeof buf);
    if (strcmp(role, "prod") == 0 || strcmp(role, "ping") == 0) {
        if (o->open(argv[3], MAXMSG, BENCH_SENDER, &h) != 0)
            return 4;
        if (strcmp(role, "ping") == 0 &&
            o->open(argv[4], MAXMSG, BENCH_RECEIVER, &h2) != 0)
            return 4;
    } else {
        if (o->open(argv[3], MAXMSG, BENCH_RECEIVER, &h) != 0)
            return 4;
        if (strcmp(role, "pong") == 0 &&
            o->open(argv[4], MAXMSG, BENCH_SENDER, &h2) != 0)
            return 4;
    }
    if (strcmp(role, "ping") == 0 &&
        (lat = malloc(sizeof *lat * (n ? n : 1))) == NULL)
        return 5;
    atomic_fetch_add(&c->ready, 1);
    while (!atomic_load(&c->go))
        ;
    if (strcmp(role, "prod") == 0) {
        for (seq = 0; seq <= n; seq++) {
            hdr[0] = seq < n ? id : STOP;
            hdr[1] = seq;
            hdr[2] = check_of(hdr[0], seq);
            memcpy(buf, hdr, sizeof hdr);
            if (o->send(h, buf, size) != 0)
                bad = 1;
        }
    } else if (strcmp(role, "cons") == 0) {
        for (;;) {
            if (o->recv(h, buf, sizeof buf, &len) != 0 || len != size) {
                bad = 1;
                break;
            }
            memcpy(hdr, buf, sizeof hdr);
            if (hdr[2] != check_of(hdr[0], hdr[1]) ||
                (hdr[0] != STOP && hdr[0] >= 4)) {
                bad = 1;
                break;
            }
            if (hdr[0] == STOP)
                break;
            if ((int64_t)hdr[1] <= last[hdr[0]])
                bad = 1; /* a producer's messages out of order */
            last[hdr[0]] = hdr[1];
            count++;
            sum += hdr[1];
        }
        atomic_store(&c->end_ns[id], xipc_now_ns());
    } else if (strcmp(role, "ping") == 0) {
        for (seq = 0; seq < n; seq++) {
            int64_t t0 = xipc_now_ns();
            hdr[0] = 0;
            hdr[1] = seq;
            hdr[2] = check_of(0, seq);
            memcpy(buf, hdr, sizeof hdr);
            if (o->send(h, buf, size) != 0 ||
                o->recv(h2, buf, sizeof buf, &len) != 0 || len != size ||
                memcmp(buf, hdr, sizeof hdr) != 0) {
                bad = 1;
                break;
            }
            lat[seq] = xipc_now_ns() - t0;
            count++;
            sum += seq;
        }
    } else { /* pong */
        for (seq = 0; seq < n; seq++)
            if (o->recv(h, buf, sizeof buf, &len) != 0 ||
                o->send(h2, buf, len) != 0) {
                bad = 1;
                break;
            }
    }
    if (lat != NULL && !bad && n > 0) {
        /* Sorted after the clock stopped. */
        qsort(lat, n, sizeof *lat, cmp_i64);
        atomic_store(&c->lat_med, lat[n / 2]);
        atomic_store(&c->lat_p99, lat[(uint64_t)n * 99 / 100]);
    }
    if (bad)
        atomic_store(&c->bad, 1);
    atomic_fetch_add(&c->count, count);
    atomic_fetch_add(&c->sum, sum);
    free(lat);
    o->close(h);
    if (h2 != NULL)
        o->close(h2);
    xipc_shm_close(cs);
    return 0;
}

/* ---- one run ------------------------------------------------------------- */

struct result {
    double rate;     /* messages per second (throughput runs) */
    double med, p99; /* ns (ping-pong) */
};

/* Runs `nprod` producers and as many consumers (or, with nprod == 0, a
 * ping and a pong) of implementation idx, n messages of `size` bytes each.
 * Returns 0 and *r, or -1 if the run failed or miscounted. */
static int run_once(int idx, int nprod, uint32_t n, size_t size,
                    struct result *r)
{
    const bench_chan_ops *o = impl(idx);
    char ch[64], ch2[64], cn[64], si[16], sn[16], ss[16], sid[16];
    const char *args[8];
    xipc_proc *p[8];
    void *h, *h2 = NULL;
    xipc_shm *cs;
    struct ctl *c;
    int np = 0, i, code, ok = 1, ping = nprod == 0;
    int64_t t0, end = 0, want_count, want_sum;
    static unsigned run_no;

    run_no++;
    snprintf(ch, sizeof ch, "bq%lld-%u-a", (long long)xipc_getpid(), run_no);
    snprintf(ch2, sizeof ch2, "bq%lld-%u-b", (long long)xipc_getpid(), run_no);
    snprintf(cn, sizeof cn, "bq%lld-%u-c", (long long)xipc_getpid(), run_no);
    snprintf(si, sizeof si, "%d", idx);
    snprintf(sn, sizeof sn, "%u", (unsigned)n);
    snprintf(ss, sizeof ss, "%u", (unsigned)size);
    if (xipc_shm_create(&cs, cn, sizeof *c) != 0)
        return -1;
    c = xipc_shm_data(cs);
    if (o->create(ch, MAXMSG, &h) != 0 ||
        (ping && o->create(ch2, MAXMSG, &h2) != 0)) {
        printf("%s: could not be created: peer missing\n", o->name);
        xipc_shm_close(cs);
        return -1;
    }
    args[1] = si;
    args[2] = ch;
    args[3] = ch2;
    args[4] = cn;
    args[5] = sn;
    args[6] = ss;
    args[7] = sid;
    for (i = 0; i < (ping ? 2 : 2 * nprod); i++) {
        args[0] =
            ping ? (i == 0 ? "ping" : "pong") : (i < nprod ? "prod" : "cons");
        snprintf(sid, sizeof sid, "%d", ping ? 0 : i % nprod);
        if (xipc_proc_spawn(&p[np], "child", 8, args) != 0) {
            ok = 0;
            break;
        }
        np++;
    }
    while (ok && atomic_load(&c->ready) < np) {
        xipc_sleep_ms(1);
        for (i = 0; i < np; i++)
            if (xipc_proc_wait(p[i], 0, &code) == 0)
                ok = 0; /* a child gave up before it was ready */
    }
    t0 = xipc_now_ns();
    atomic_store(&c->go, 1);
    for (i = 0; i < np; i++) {
        if (!ok)
            xipc_proc_kill(p[i]);
        ok &= xipc_proc_wait(p[i], 600000, &code) == 0 && code == 0;
        xipc_proc_free(p[i]);
    }
    for (i = 0; i < nprod; i++)
        if (atomic_load(&c->end_ns[i]) > end)
            end = atomic_load(&c->end_ns[i]);
    want_count = (int64_t)n * (ping ? 1 : nprod);
    want_sum = (int64_t)n * ((int64_t)n - 1) / 2 * (ping ? 1 : nprod);
    ok &= !atomic_load(&c->bad) && atomic_load(&c->count) == want_count &&
          atomic_load(&c->sum) == want_sum;
    if (ping) {
        r->med = (double)atomic_load(&c->lat_med);
        r->p99 = (double)atomic_load(&c->lat_p99);
    } else {
        r->rate =
            end > t0 ? (double)want_count / ((double)(end - t0) / 1e9) : 0;
    }
    o->close(h);
    if (h2 != NULL)
        o->close(h2);
    xipc_shm_close(cs);
    return ok ? 0 : -1;
}

/* Runs implementation i (see impl_name): 0, -1 (failed) or 1 (the peer is
 * not available). */
static int run_impl(int i, int nprod, uint32_t n, size_t size, struct result *r)
{
    if (i < n_chan)
        return run_once(i, nprod, n, size, r);
    return bench_ext_peers[i - n_chan]->run(nprod, n, size, &r->rate, &r->med,
                                            &r->p99);
}

/* ---- scenarios and report ------------------------------------------------ */

struct scenario {
    const char *name;
    int nprod; /* 0: ping-pong */
    size_t size;
};

static const struct scenario scenarios[] = {{"q.1to1.64B", 1, 64},
                                            {"q.1to1.4KiB", 1, 4096},
                                            {"q.2to2.64B", 2, 64},
                                            {"q.pingpong.64B", 0, 64}};

static const xipc_proc_entry entries[] = {{"child", child}, {NULL, NULL}};

int main(int argc, char **argv)
{
    enum { MAXI = 12, NS = sizeof scenarios / sizeof scenarios[0] };
    static bench_stat st[NS][MAXI][3]; /* rate or med, MB/s or p99 */
    static int have[NS][MAXI];         /* st[k][i] was measured */
    double v[3][MAXR];
    int code, ni, i, k, r, nrep, bad = 0;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (argc > 1 && strcmp(argv[1], "--quick") == 0) {
        quick = 1;
        reps = 3;
        run_ms = 40;
    }
    for (n_chan = 2; n_chan < MAXI && impl(n_chan) != NULL; n_chan++)
        ;
    for (ni = n_chan; ni < MAXI && bench_ext_peers[ni - n_chan] != NULL; ni++)
        ;
    printf("xipc %s, %d repetitions of about %lld ms each; every process "
           "spawned per run\n",
           xipc_version(), reps, (long long)run_ms);
    for (k = 0; k < (int)NS; k++) {
        const struct scenario *sc = &scenarios[k];
        for (i = 0; i < ni; i++) {
            struct result res;
            double secs;
            uint32_t n, pilot = sc->nprod ? 2000 : 200;
            int rc;

            have[k][i] = 0;
            if (sc->nprod > 1 && !impl_mpmc(i))
                continue;
            /* A pilot run sizes the real ones to about run_ms each. */
            if ((rc = run_impl(i, sc->nprod, pilot, sc->size, &res)) != 0) {
                if (rc > 0) {
                    printf("%s: not on this machine, skipped\n", impl_name(i));
                    continue;
                }
                printf("%s %s: run failed or miscounted\n", sc->name,
                       impl_name(i));
                bad = 1;
                continue;
            }
            secs = sc->nprod ? pilot / res.rate : pilot * res.med / 1e9;
            n = (uint32_t)((double)pilot * ((double)run_ms / 1e3) / secs);
            n = n < pilot ? pilot : n > 20000000 ? 20000000 : n;
            /* An external peer costs about a second per run just to start
             * its interpreter: a quick run measures it once. */
            nrep = quick && i >= n_chan ? 1 : reps;
            for (r = 0; r < nrep; r++) {
                if (run_impl(i, sc->nprod, n, sc->size, &res) != 0) {
                    printf("%s %s: run failed or miscounted\n", sc->name,
                           impl_name(i));
                    bad = 1;
                    break;
                }
                v[0][r] = sc->nprod ? res.rate : res.med;
                v[1][r] =
                    sc->nprod ? res.rate * (double)sc->size / 1e6 : res.p99;
            }
            if (r < nrep)
                continue;
            st[k][i][0] = bench_summarise(v[0], nrep);
            st[k][i][1] = bench_summarise(v[1], nrep);
            have[k][i] = 1;
        }
    }
    printf("\n");
    bench_table_head();
    for (k = 0; k < (int)NS; k++) {
        const struct scenario *sc = &scenarios[k];
        char name[48];
        for (r = 0; r < 2; r++) {
            snprintf(name, sizeof name, "%s%s", sc->name,
                     sc->nprod ? (r ? ".MB" : "") : (r ? ".p99" : ".median"));
            for (i = 0; i < ni; i++)
                if (have[k][i])
                    bench_row(name, impl_name(i),
                              sc->nprod ? (r ? "MB/s" : "msg/s") : "ns",
                              st[k][i][r], st[k][0][r].med);
        }
    }
    return bad;
}
