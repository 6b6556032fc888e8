/*
 * queue_peers_posix.c - the POSIX peers of the queue benchmark: a named
 * pipe (FIFO), each message written as its length and its bytes in one
 * write(2) and read back with two read(2)s; an AF_UNIX datagram socket; a
 * POSIX message queue (mq_send/mq_receive, at the system's default depth
 * limit of 10); Boost.Interprocess message_queue where its headers are
 * (bench/peers_boost.cpp); and Python's multiprocessing.Queue and
 * SimpleQueue, run by bench/peer_queue.py.
 */
#define _GNU_SOURCE
#include "bench_queue.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* ---- named pipe ---------------------------------------------------------- */

struct fifo {
    int fd; /* -1 in the creator, which only owns the name */
    char path[128];
    unsigned char *buf; /* length + message, for one write */
};

static int fifo_create(const char *name, size_t max_msg, void **h)
{
    struct fifo *f = calloc(1, sizeof *f);

    (void)max_msg;
    if (f == NULL)
        return -1;
    snprintf(f->path, sizeof f->path, "/tmp/xipc-bench-%s", name);
    unlink(f->path);
    if (mkfifo(f->path, 0600) != 0) {
        free(f);
        return -1;
    }
    f->fd = -1;
    *h = f;
    return 0;
}

static int fifo_open(const char *name, size_t max_msg, int role, void **h)
{
    struct fifo *f = calloc(1, sizeof *f);

    if (f == NULL || (f->buf = malloc(max_msg + 4)) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "/tmp/xipc-bench-%s", name);
    f->fd = open(f->path, role == BENCH_SENDER ? O_WRONLY : O_RDONLY);
    if (f->fd < 0) {
        free(f->buf);
        free(f);
        return -1;
    }
    *h = f;
    return 0;
}

static int full_io(int fd, void *p, size_t n, int writing)
{
    unsigned char *b = p;
    ssize_t r;

    while (n > 0) {
        r = writing ? write(fd, b, n) : read(fd, b, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r;
        n -= (size_t)r;
    }
    return 0;
}

static int fifo_send(void *h, const void *msg, size_t len)
{
    struct fifo *f = h;
    uint32_t n = (uint32_t)len;

    memcpy(f->buf, &n, 4);
    memcpy(f->buf + 4, msg, len);
    return full_io(f->fd, f->buf, len + 4, 1);
}

static int fifo_recv(void *h, void *buf, size_t size, size_t *len)
{
    struct fifo *f = h;
    uint32_t n;

    if (full_io(f->fd, &n, 4, 0) != 0 || n > size)
        return -1;
    *len = n;
    return full_io(f->fd, buf, n, 0);
}

static void fifo_close(void *h)
{
    struct fifo *f = h;

    if (f->fd >= 0)
        close(f->fd);
    else
        unlink(f->path);
    free(f->buf);
    free(f);
}

static const bench_chan_ops fifo_ops = {
    "pipe (FIFO)", 0, fifo_create, fifo_open, fifo_send, fifo_recv, fifo_close};

/* ---- POSIX message queue ------------------------------------------------- */

struct pmq {
    mqd_t q;
    int creator;
    char name[128];
};

static int pmq_get(const char *name, size_t max_msg, int create, void **h)
{
    struct pmq *m = calloc(1, sizeof *m);
    struct mq_attr a;

    if (m == NULL)
        return -1;
    snprintf(m->name, sizeof m->name, "/xipc-bench-%s", name);
    memset(&a, 0, sizeof a);
    a.mq_maxmsg = 10; /* /proc/sys/fs/mqueue/msg_max's default */
    a.mq_msgsize = (long)max_msg;
    if (create)
        mq_unlink(m->name);
    m->q = create ? mq_open(m->name, O_RDWR | O_CREAT | O_EXCL, 0600, &a)
                  : mq_open(m->name, O_RDWR);
    if (m->q == (mqd_t)-1) {
        free(m);
        return -1;
    }
    m->creator = create;
    *h = m;
    return 0;
}

static int pmq_create(const char *name, size_t max_msg, void **h)
{
    return pmq_get(name, max_msg, 1, h);
}

static int pmq_open(const char *name, size_t max_msg, int role, void **h)
{
    (void)role;
    return pmq_get(name, max_msg, 0, h);
}

static int pmq_send(void *h, const void *msg, size_t len)
{
    return mq_send(((struct pmq *)h)->q, msg, len, 0);
}

static int pmq_recv(void *h, void *buf, size_t size, size_t *len)
{
    ssize_t r = mq_receive(((struct pmq *)h)->q, buf, size, NULL);

    if (r < 0)
        return -1;
    *len = (size_t)r;
    return 0;
}

static void pmq_close(void *h)
{
    struct pmq *m = h;

    mq_close(m->q);
    if (m->creator)
        mq_unlink(m->name);
    free(m);
}

static const bench_chan_ops pmq_ops = {
    "POSIX mq", 1, pmq_create, pmq_open, pmq_send, pmq_recv, pmq_close};

/* ---- AF_UNIX datagram socket --------------------------------------------- */

/* A named AF_UNIX datagram socket: the receiver binds the path, a sender
 * connects to it; each message is one datagram, boundaries kept, and a
 * send blocks while the receiver's queue is full. (A socketpair would need
 * an inherited descriptor, which spawned processes do not get.) */
struct usock {
    int fd; /* -1 in the creator, which only owns the name */
    char path[108];
};

static void usock_path(char *path, size_t len, const char *name)
{
    snprintf(path, len, "/tmp/xipc-bench-%s.sock", name);
}

static int usock_create(const char *name, size_t max_msg, void **h)
{
    struct usock *u = calloc(1, sizeof *u);

    (void)max_msg;
    if (u == NULL)
        return -1;
    usock_path(u->path, sizeof u->path, name);
    unlink(u->path);
    u->fd = -1;
    *h = u;
    return 0;
}

static int usock_open(const char *name, size_t max_msg, int role, void **h)
{
    struct usock *u = calloc(1, sizeof *u);
    struct sockaddr_un a;
    int tries, rc = -1, buf = (int)(max_msg * 64 + 65536);

    if (u == NULL)
        return -1;
    usock_path(u->path, sizeof u->path, name);
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, u->path, strlen(u->path) + 1);
    if ((u->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        free(u);
        return -1;
    }
    setsockopt(u->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    setsockopt(u->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    if (role == BENCH_RECEIVER) {
        rc = bind(u->fd, (struct sockaddr *)&a, sizeof a);
    } else {
        /* The receiver may not have bound the path yet. */
        for (tries = 0; tries < 10000 && rc != 0; tries++)
            if ((rc = connect(u->fd, (struct sockaddr *)&a, sizeof a)) != 0)
                usleep(1000);
    }
    if (rc != 0) {
        close(u->fd);
        free(u);
        return -1;
    }
    *h = u;
    return 0;
}

static int usock_send(void *h, const void *msg, size_t len)
{
    ssize_t r;
    while ((r = send(((struct usock *)h)->fd, msg, len, 0)) < 0 &&
           errno == EINTR)
        ;
    return r == (ssize_t)len ? 0 : -1;
}

static int usock_recv(void *h, void *buf, size_t size, size_t *len)
{
    ssize_t r;
    while ((r = recv(((struct usock *)h)->fd, buf, size, 0)) < 0 &&
           errno == EINTR)
        ;
    if (r < 0)
        return -1;
    *len = (size_t)r;
    return 0;
}

static void usock_close(void *h)
{
    struct usock *u = h;

    if (u->fd >= 0)
        close(u->fd);
    else
        unlink(u->path);
    free(u);
}

static const bench_chan_ops usock_ops = {"AF_UNIX datagram socket",
                                         0,
                                         usock_create,
                                         usock_open,
                                         usock_send,
                                         usock_recv,
                                         usock_close};

#ifdef XIPC_BENCH_BOOST
extern const bench_chan_ops bench_boost_mq; /* bench/peers_boost.cpp */
#endif

const bench_chan_ops *const bench_chan_peers[] = {&fifo_ops, &usock_ops,
                                                  &pmq_ops,
#ifdef XIPC_BENCH_BOOST
                                                  &bench_boost_mq,
#endif
                                                  NULL};

/* ---- Python's multiprocessing.Queue -------------------------------------- */

static int py_run2(int nprod, unsigned n, size_t size, double *rate,
                   double *med, double *p99, const char *kind)
{
    char cmd[512], line[128];
    FILE *f;
    int ok = -1;

    snprintf(cmd, sizeof cmd, "python3 '%s' %d %u %zu %s 2>&1",
             XIPC_BENCH_PEER_PY, nprod, n, size, kind);
    if ((f = popen(cmd, "r")) == NULL)
        return 1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "rate %lf", rate) == 1 ||
            sscanf(line, "pingpong %lf %lf", med, p99) == 2)
            ok = 0;
        else if (strstr(line, "not found") != NULL ||
                 strstr(line, "No module named") != NULL)
            ok = 1;
    }
    if (pclose(f) != 0 && ok == 0)
        ok = -1;
    return ok;
}

static int py_run(int nprod, unsigned n, size_t size, double *rate, double *med,
                  double *p99)
{
    return py_run2(nprod, n, size, rate, med, p99, "queue");
}

static int py_run_simple(int nprod, unsigned n, size_t size, double *rate,
                         double *med, double *p99)
{
    return py_run2(nprod, n, size, rate, med, p99, "simple");
}

static const bench_ext_ops py_ops = {"Python multiprocessing.Queue", 1, py_run};
static const bench_ext_ops py_simple_ops = {"Python SimpleQueue", 1,
                                            py_run_simple};

const bench_ext_ops *const bench_ext_peers[] = {&py_ops, &py_simple_ops, NULL};
