// peers_boost.cpp - Boost.Interprocess peers of the benchmarks (C++), built
// by bench/CMakeLists.txt when the Boost headers are found (Debian's
// libboost-dev): interprocess_mutex placed in shared memory, the lock a C++
// programmer reaches for. It is not robust: a holder that dies leaves it
// locked for good.
#include <boost/interprocess/sync/interprocess_mutex.hpp>

#include <cstdlib>
#include <new>

extern "C" {
#include "bench.h"
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
