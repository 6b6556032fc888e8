// sem_peers_boost.cpp - Boost.Interprocess's interprocess_semaphore, placed
// in shared memory, as a peer of the semaphore benchmark (C++), built by
// bench/CMakeLists.txt when the Boost headers are found (libboost-dev). It
// has no bound and no undo: a holder that dies keeps its units for good.
#include <boost/interprocess/sync/interprocess_semaphore.hpp>

#include <cstdlib>
#include <new>

extern "C" {
#include "bench_sem.h"
#include <xipc.h>
}

namespace bip = boost::interprocess;

namespace {

struct bs {
    xipc_shm *shm;
    bip::interprocess_semaphore *s;
};

int bs_get(const char *name, unsigned value, void **h, bool create)
{
    bs *b = static_cast<bs *>(std::calloc(1, sizeof(bs)));
    int rc;

    if (b == nullptr)
        return -1;
    rc = create ? xipc_shm_create(&b->shm, name,
                                  sizeof(bip::interprocess_semaphore))
                : xipc_shm_open(&b->shm, name, XIPC_RDWR);
    if (rc != 0) {
        std::free(b);
        return rc;
    }
    void *mem = xipc_shm_data(b->shm);
    b->s = create ? new (mem) bip::interprocess_semaphore(value)
                  : static_cast<bip::interprocess_semaphore *>(mem);
    *h = b;
    return 0;
}

int bs_create(const char *name, unsigned value, void **h)
{
    return bs_get(name, value, h, true);
}
int bs_open(const char *name, void **h) { return bs_get(name, 0, h, false); }
void bs_acquire(void *h) { static_cast<bs *>(h)->s->wait(); }
void bs_release(void *h) { static_cast<bs *>(h)->s->post(); }

void bs_close(void *h)
{
    bs *b = static_cast<bs *>(h);
    xipc_shm_close(b->shm);
    std::free(b);
}

} // namespace

extern "C" const bench_sem_ops bench_boost_sem = {
    "Boost interprocess_semaphore", bs_create, bs_open, bs_acquire,
    bs_release, bs_close};
