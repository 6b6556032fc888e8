/*
 * test.h - the conformance suite's harness: assertions that print both sides
 * and never compile out, unique object names, helper processes, and a
 * readiness handshake through shared memory instead of sleeps.
 *
 * The same sources build for POSIX and for Windows (run under Wine): no test
 * looks at the platform; the few facts they need come from the library
 * (src/platform.h).
 */
#ifndef XIPC_TEST_H
#define XIPC_TEST_H

#include "xipc.h"
#include "../src/internal.h"
#include "../src/platform.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- registry (tests/test_list.h) -------------------------------------- */

#define XIPC_TEST(name, timeout_s) int test_##name(void);
#define XIPC_HELPER(name) int helper_##name(int argc, char **argv);
#include "test_list.h"
#undef XIPC_TEST
#undef XIPC_HELPER

/* ---- assertions --------------------------------------------------------- */

/* Reports the failure, kills this test's helper processes and exits. The
 * format attribute lets the compiler check every assertion's message. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void t_fail(const char *file, int line, const char *fmt, ...);

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond))                                                           \
            t_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond);             \
    } while (0)

#define CHECK_EQ(a, b)                                                         \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_)                                                          \
            t_fail(__FILE__, __LINE__, "%s == %s failed: %lld != %lld", #a,    \
                   #b, a_, b_);                                                \
    } while (0)

/* Compares two xipc return codes and prints them by name. */
#define CHECK_RC(expr, want)                                                   \
    do {                                                                       \
        int got_ = (expr), want_ = (want);                                     \
        if (got_ != want_)                                                     \
            t_fail(__FILE__, __LINE__, "%s returned %s (%d), expected %s: %s", \
                   #expr, xipc_err_name(got_), got_, xipc_err_name(want_),     \
                   xipc_last_error());                                         \
    } while (0)

#define CHECK_OK(expr) CHECK_RC(expr, 0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0)                   \
            t_fail(__FILE__, __LINE__, "%s == %s failed: \"%s\" != \"%s\"",    \
                   #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)");            \
    } while (0)

/* ---- names -------------------------------------------------------------- */

/* Returns a fresh object name "t<pid>-<label>-<n>", unique per run, in a
 * static ring of buffers (valid for the next 15 calls: copy a name that a
 * loop must keep). */
const char *t_name(const char *label);

/* The prefix every t_name() of this process starts with. */
const char *t_prefix(void);

/* ---- time --------------------------------------------------------------- */

/* Factor by which waits are stretched on a slow platform (the environment's
 * XIPC_TEST_SLOWDOWN, 1 if unset). */
int t_slow(void);

/* Milliseconds since an arbitrary origin, on the monotonic clock. */
int64_t t_ms(void);

/* ---- helper processes --------------------------------------------------- */

/* Spawns helper `fn` of this test binary with up to 6 string arguments
 * (NULL-terminated list) and remembers it, so a failing test kills it. */
xipc_proc *t_spawn(const char *fn, ...);

/* Waits (stretched by t_slow) for the helper to end; returns its exit code
 * and releases it. Fails the test on timeout. */
int t_join(xipc_proc *p, int64_t timeout_ms);

/* Kills the helper, waits for it, checks it reports XIPC_PROC_KILLED and
 * releases it. */
void t_kill(xipc_proc *p);

/* Releases a helper the test has seen end by its own means (for instance a
 * wait that returned XIPC_ECHILD), without waiting for it. */
void t_release(xipc_proc *p);

/* ---- skipping ----------------------------------------------------------- */

/* The exit code of a skipped test (CTest's SKIP_RETURN_CODE, as Automake's). */
#define T_SKIP 77

/* Prints why the test cannot run here and returns T_SKIP, for a test to
 * return: `return t_skip("...");`. A skip is for a behaviour the platform
 * does not have (README's platform differences name it), never for a
 * failure. */
int t_skip(const char *why);

/* ---- the control block: a handshake between a test and its helpers ----- */

/* Slots a test and its helpers set and wait for. */
typedef struct t_ctl {
    _Atomic int32_t flag[16];
    _Atomic int64_t value[16];
    char text[1024];
} t_ctl;

/* Creates the control block under a fresh name; *name receives it to pass to
 * helpers. The handle is closed by t_ctl_close. */
t_ctl *t_ctl_create(const char **name, xipc_shm **shm);

/* Opens the control block from a helper. */
t_ctl *t_ctl_open(const char *name, xipc_shm **shm);

/* Waits until flag[i] >= want (timeout stretched by t_slow); fails the test
 * (or, in a helper, exits 99) on timeout. */
void t_ctl_wait(t_ctl *c, int i, int32_t want, int64_t timeout_ms);

/* Runs `cond` in a helper process: on failure prints and exits with 99. */
#define HCHECK(cond)                                                           \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: helper check failed: %s (%s)\n", __FILE__, \
                    __LINE__, #cond, xipc_last_error());                       \
            return 99;                                                         \
        }                                                                      \
    } while (0)

/* How long a helper that waits "forever" waits at most, so that no helper
 * can outlive its test for long even when the test dies. */
#define T_HELPER_MAX_MS (60 * 1000)

#endif /* XIPC_TEST_H */
