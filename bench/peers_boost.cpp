// peers_boost.cpp - Boost.Interprocess peers of the benchmarks (C++), built
// by bench/CMakeLists.txt when the Boost headers are found (Debian's
// libboost-dev): interprocess_mutex placed in shared memory, the lock a C++
// programmer reaches for, and message_queue, its queue. Neither is robust:
// a holder that dies leaves the mutex (and a queue it was using) locked for
// good.
#include <boost/interprocess/ipc/message_queue.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>

#include <cstdlib>
#include <new>

#include <cstdio>

extern "C" {
#include "bench.h"
#include "bench_queue.h"
#include <xipc.h>
}

namespace bip = boost::interprocess;

namespace {

struct bx {
    xipc_shm *shm;
    bip::interprocess_mutex *m;
};

int bx_open2(const char *name, void **h, bool create)
{
    bx *b = static_cast<bx *>(std::calloc(1, sizeof(bx)));
    int rc;

    if (b == nullptr)
        return -1;
    rc = create ? xipc_shm_create(&b->shm, name, sizeof(bip::interprocess_mutex))
                : xipc_shm_open(&b->shm, name, XIPC_RDWR);
    if (rc != 0) {
        std::free(b);
        return rc;
    }
    void *mem = xipc_shm_data(b->shm);
    b->m = create ? new (mem) bip::interprocess_mutex()
                  : static_cast<bip::interprocess_mutex *>(mem);
    *h = b;
    return 0;
}

int bx_create(const char *name, void **h) { return bx_open2(name, h, true); }
int bx_open(const char *name, void **h) { return bx_open2(name, h, false); }
void bx_lock(void *h) { static_cast<bx *>(h)->m->lock(); }
void bx_unlock(void *h) { static_cast<bx *>(h)->m->unlock(); }

void bx_close(void *h)
{
    bx *b = static_cast<bx *>(h);
    xipc_shm_close(b->shm);
    std::free(b);
}

} // namespace

extern "C" const bench_lock_ops bench_boost_mutex = {
    "Boost interprocess_mutex", bx_create, bx_open, bx_lock, bx_unlock,
    bx_close};

namespace {

// message_queue holds whole messages of at most max_msg bytes; it is given
// about as many bytes of room as xipc's queue in the benchmark (256 KiB).
struct bq {
    bip::message_queue *q;
    bool creator;
    char name[128];
};

void bq_name(char *out, size_t len, const char *name)
{
    std::snprintf(out, len, "xipc-bench-bq-%s", name);
}

int bq_get(const char *name, size_t max_msg, bool create, void **h)
{
    bq *b = new (std::nothrow) bq();
    if (b == nullptr)
        return -1;
    bq_name(b->name, sizeof b->name, name);
    b->creator = create;
    try {
        if (create) {
            bip::message_queue::remove(b->name);
            size_t n = (256 * 1024) / (max_msg + 16);
            b->q = new bip::message_queue(bip::create_only, b->name,
                                          n < 16 ? 16 : n, max_msg);
        } else {
            b->q = new bip::message_queue(bip::open_only, b->name);
        }
    } catch (...) {
        delete b;
        return -1;
    }
    *h = b;
    return 0;
}

int bq_create(const char *name, size_t max_msg, void **h)
{
    return bq_get(name, max_msg, true, h);
}

int bq_open(const char *name, size_t max_msg, int role, void **h)
{
    (void)role;
    return bq_get(name, max_msg, false, h);
}

int bq_send(void *h, const void *msg, size_t len)
{
    try {
        static_cast<bq *>(h)->q->send(msg, len, 0);
    } catch (...) {
        return -1;
    }
    return 0;
}

int bq_recv(void *h, void *buf, size_t size, size_t *len)
{
    bip::message_queue::size_type got;
    unsigned prio;
    try {
        static_cast<bq *>(h)->q->receive(buf, size, got, prio);
    } catch (...) {
        return -1;
    }
    *len = got;
    return 0;
}

void bq_close(void *h)
{
    bq *b = static_cast<bq *>(h);
    delete b->q;
    if (b->creator)
        bip::message_queue::remove(b->name);
    delete b;
}

} // namespace

extern "C" const bench_chan_ops bench_boost_mq = {
    "Boost message_queue", 1, bq_create, bq_open, bq_send, bq_recv, bq_close};
