/*
 * posix.h - what the POSIX backend's files share and the core never sees:
 * the segment handle (shm.c makes it; party.c gives its processes and
 * threads their identities; sync.c and notify.c sleep on its words), the
 * byte ranges of the OFD locks kept on a segment file, the calling
 * thread's number, and the counting wrapper of the system calls the locks
 * and channels make. Linux: OFD locks, futexes, O_TMPFILE.
 */
#ifndef XIPC_POSIX_H
#define XIPC_POSIX_H

#include "../internal.h"

#include <stdatomic.h>
#include <stddef.h>
#include <sys/types.h>

/* Byte offsets of the OFD locks on a segment file (beyond its end, where
 * locks conflict with nothing but each other):
 *   HOLD   every handle holds a read lock while it is open; "no lock here"
 *          means "no live holder";
 *   NAME   (not a byte: flock(2) on the whole file, which works through
 *          read-only descriptors too) whoever removes the segment's name
 *          holds it exclusively, whoever opens it shared while it makes its
 *          hold and checks that the name still leads to this file;
 *   PARTY  party k of the segment (one per process) holds a write lock on
 *          byte PARTY + k for as long as the process uses the segment. */
#define XIPC__LK_HOLD 0
#define XIPC__LK_PARTY ((off_t)1 << 32)

/* The backend's 64 bytes in front of the core's bytes in a segment file. */
#define XIPC__PSX_PREFIX 64u
#define XIPC__PSX_MAGIC UINT64_C(0x5853502d43504958) /* "XIPC-PSX" */

struct xipc__psx_prefix {
    uint64_t magic;              /* XIPC__PSX_MAGIC, written by the creator */
    _Atomic uint32_t next_party; /* the last party number given out */
    uint32_t reserved[13];
};
_Static_assert(sizeof(struct xipc__psx_prefix) == XIPC__PSX_PREFIX &&
                   offsetof(struct xipc__psx_prefix, next_party) == 8,
               "the backend's prefix is the same 64 bytes in every build");

/* Room for the user's directory, "/dev/shm/xipc-<uid>[.k]", and for the
 * path of an object in it. */
#define XIPC__PSX_DIR_BUF 48
#define XIPC__PSX_PATH_BUF (XIPC__PSX_DIR_BUF + 1 + XIPC__NAME_BUF)

/* A process's record of its part in one segment (party.c), shared by every
 * handle of the process on that segment. */
struct xipc__psx_part;

struct xipc__seg {
    int fd;              /* holds the HOLD read lock */
    unsigned char *map;  /* the whole file: prefix, then the core's bytes */
    uint64_t maplen;     /* bytes mapped */
    unsigned char *base; /* map + XIPC__PSX_PREFIX */
    uint64_t len;        /* the core's bytes: maplen - XIPC__PSX_PREFIX */
    dev_t dev;           /* which file: a name may lead to a newer one */
    ino_t ino;
    pid_t pid; /* the process whose hold fd is; see shm.c */
    int readonly;
    int peek;            /* a look only: see XIPC__SEG_PEEK */
    /* This process's part in the segment, made when a thread first needs an
     * identity, and the fork generation it belongs to. */
    struct xipc__psx_part *part;
    unsigned part_gen;
    uint32_t party; /* part's number, copied: the fast path reads it */
    char path[XIPC__PSX_PATH_BUF];
    struct xipc__seg *next, *prev; /* every open handle, for fork */
    char name[XIPC__NAME_BUF];
};

/* Opens the handle's file again as a new open file description (flags
 * O_RDONLY or O_RDWR; close-on-exec). Returns the descriptor, or -1 with
 * errno set (shm.c). */
int xipc__psx_reopen(const xipc__seg *seg, int flags);

/* ---- threads and forks (party.c) ---------------------------------------- */

/* Bumped in a forked child: every identity of the parent is void there. */
extern _Atomic unsigned xipc__psx_forkgen;

/* The calling thread's number in its process (1 .. 2^32 - 2), 0 until it
 * has one; see party.c. Initial-exec: a load from the thread pointer, with
 * no call, even in the shared library. */
extern _Thread_local uint32_t xipc__psx_tno
    __attribute__((tls_model("initial-exec")));

/* Whether t is the number of a live thread of this process. */
int xipc__psx_tno_live(uint32_t t);

/* Gives the calling thread its number (and the thread-exit hook). Returns
 * it, or 0 with the error recorded. */
uint32_t xipc__psx_tno_init(void);

/* Makes sure seg has this process's part (see xipc__party_self). Returns 0
 * or an xipc code. */
int xipc__psx_part_get(xipc__seg *seg);

/* Drops the handle's reference to the process's part (shm.c, on close). */
void xipc__psx_part_put(xipc__seg *seg);

/* Registers and forgets open handles, so that a forked child can make each
 * of them its own (shm.c). */
void xipc__psx_seg_register(xipc__seg *seg);
void xipc__psx_seg_forget(xipc__seg *seg);

/* The calling process's id, kept up to date across forks. */
extern pid_t xipc__psx_pid;

/* Called by party.c: a thread that holds mutexes is ending (sync.c marks
 * them held by a dead party and wakes their sleepers), and the fork hooks
 * for sync.c's registry of handles. */
void xipc__psx_sync_thread_exit(void);
void xipc__psx_sync_fork(int phase); /* 0: prepare, 1: parent, 2: child */

/* A shared futex (no FUTEX_PRIVATE_FLAG: waiters and wakers are separate
 * processes; the kernel keys it by the page, so every mapping meets on it):
 * wait while *word == val for at most ms milliseconds (< 0: no limit), or
 * wake up to n. Counted (xipc__sys_calls). wait returns 0 (woken, or the
 * word had changed, or a signal), XIPC_ETIMEDOUT or XIPC_ESYS. */
int xipc__psx_futex_wait(_Atomic uint32_t *word, uint32_t val, int64_t ms);
void xipc__psx_futex_wake(_Atomic uint32_t *word, int n);

/* Counts a system call of the locks or channels (xipc__sys_calls). */
extern _Atomic uint64_t xipc__psx_calls;

#endif /* XIPC_POSIX_H */
