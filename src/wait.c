/*
 * wait.c - deadlines and the one wait helper that every blocking call of
 * every object uses: check, spin briefly, then sleep on a wake-up channel
 * of the seam in bounded slices, with the caller's one deadline carried
 * through every step. The condition lives in shared memory and is the only
 * truth; the channel only saves the waiter from polling. Portable.
 */
#include "internal.h"
#include "platform.h"

int64_t xipc__deadline_at(int64_t timeout_ms)
{
    int64_t now;

    if (timeout_ms == 0)
        return 0;
    /* Beyond about 146 years a timeout is as good as none. */
    if (timeout_ms < 0 || timeout_ms > INT64_MAX / 2000000)
        return XIPC__NEVER;
    now = xipc__sys_now_ns();
    return now + timeout_ms * 1000000;
}

int64_t xipc__ms_left(int64_t deadline, int64_t cap)
{
    int64_t left;

    if (deadline == XIPC__NEVER)
        return cap;
    left = deadline - xipc__sys_now_ns();
    if (left <= 0)
        return 0;
    left = (left + 999999) / 1000000;
    return left < cap ? left : cap;
}

int xipc__wait(xipc__notify *n, int64_t deadline, xipc__ready_fn ready,
               void *ctx)
{
    int64_t start, left;
    uint32_t gen;
    int i, r, rc = XIPC_ETIMEDOUT;

    if ((r = ready(ctx)) != 0)
        return r;
    if (deadline == 0)
        return XIPC_ETIMEDOUT;
    /* A partner that answers within microseconds is cheaper to spin for
     * than to sleep for. */
    start = xipc__sys_now_ns();
    for (i = 1;; i++) {
        if ((r = ready(ctx)) != 0)
            return r;
        xipc__cpu_relax();
        if (i % 64 == 0) {
            int64_t now = xipc__sys_now_ns();
            if (now - start > XIPC__SPIN_NS)
                break;
            if (now >= deadline)
                return XIPC_ETIMEDOUT;
        }
    }
    xipc__notify_announce(n);
    for (;;) {
        gen = xipc__notify_prepare(n);
        if ((r = ready(ctx)) != 0)
            break;
        if ((left = xipc__ms_left(deadline, XIPC__SLICE_MS)) == 0) {
            /* Woken, but leaving without the condition: a wake of one
             * may have been meant for this waiter, so it is passed on to
             * the next. */
            if (rc == 0)
                xipc__notify_wake(n, 1);
            r = XIPC_ETIMEDOUT;
            break;
        }
        rc = xipc__notify_wait(n, gen, left);
        if (rc != 0 && rc != XIPC_ETIMEDOUT) {
            r = rc;
            break;
        }
    }
    xipc__notify_done(n);
    return r;
}
