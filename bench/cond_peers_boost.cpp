// cond_peers_boost.cpp - the Boost.Interprocess peer of the Condition
// benchmark (C++), built by bench/CMakeLists.txt when the Boost headers are
// found (Debian's libboost-dev): interprocess_condition with an
// interprocess_mutex, placed in shared memory, what a C++ programmer
// reaches for. Neither is robust: a holder that dies leaves the mutex
// locked for good.
#include <boost/interprocess/sync/interprocess_condition.hpp>
#include <boost/interprocess/sync/interprocess_mutex.hpp>
#include <boost/interprocess/sync/scoped_lock.hpp>

#include <cstdlib>
#include <new>

extern "C" {
#include "bench_cond.h"
#include <xipc.h>
}

namespace bip = boost::interprocess;

namespace {

struct shared {
    bip::interprocess_mutex m;
    bip::interprocess_condition cv;
};

struct bc {
    xipc_shm *shm;
    shared *s;
};

int bc_open2(const char *name, void **h, bool create)
{
    bc *b = static_cast<bc *>(std::calloc(1, sizeof(bc)));
    int rc;

    if (b == nullptr)
        return -1;
    rc = create ? xipc_shm_create(&b->shm, name, sizeof(shared))
                : xipc_shm_open(&b->shm, name, XIPC_RDWR);
    if (rc != 0) {
        std::free(b);
        return rc;
    }
    void *mem = xipc_shm_data(b->shm);
    b->s = create ? new (mem) shared() : static_cast<shared *>(mem);
    *h = b;
    return 0;
}

int bc_create(const char *name, void **h) { return bc_open2(name, h, true); }
int bc_open(const char *name, void **h) { return bc_open2(name, h, false); }
void bc_lock(void *h) { static_cast<bc *>(h)->s->m.lock(); }
void bc_unlock(void *h) { static_cast<bc *>(h)->s->m.unlock(); }

void bc_wait(void *h)
{
    shared *s = static_cast<bc *>(h)->s;
    // The caller holds the mutex: adopt it for the wait, and keep it after.
    bip::scoped_lock<bip::interprocess_mutex> l(s->m, bip::accept_ownership);
    s->cv.wait(l);
    l.release();
}

void bc_notify(void *h) { static_cast<bc *>(h)->s->cv.notify_one(); }

void bc_close(void *h)
{
    bc *b = static_cast<bc *>(h);
    xipc_shm_close(b->shm);
    std::free(b);
}

} // namespace

extern "C" const bench_cond_ops bench_boost_cond = {
    "Boost interprocess_condition", bc_create, bc_open,  bc_lock,
    bc_unlock,                      bc_wait,   bc_notify, bc_close};
