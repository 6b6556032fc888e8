/*
 * runner.c - the conformance suite's entry point and harness.
 *
 *   xipc_tests --list        prints every test name (one per line)
 *   xipc_tests NAME          runs one test, supervised; exits 0 (pass),
 *                            T_SKIP = 77 (skipped, with the reason printed)
 *                            or 1 (fail)
 *   xipc_tests               runs every test, supervised, and prints a summary
 *
 * Supervised means: the test itself runs in a fresh child process (this same
 * binary, started through xipc_proc_spawn), so a crash or an exit inside it
 * is a result, not the end of the runner. When the test process has ended,
 * the supervisor sweeps the test's own name prefix: any object the test left
 * behind turns a pass into a failure. Helper processes are this binary too,
 * dispatched by xipc_proc_dispatch() from the table below.
 */
#include "test.h"

#include <stdarg.h>
#include <stdlib.h>

struct test_entry {
    const char *name;
    int (*fn)(void);
    int timeout_s;
};

static const struct test_entry tests[] = {
#define XIPC_TEST(name, timeout_s) {#name, test_##name, timeout_s},
#define XIPC_HELPER(name)
#include "test_list.h"
#undef XIPC_TEST
#undef XIPC_HELPER
    {NULL, NULL, 0}};

static int run_test(int argc, char **argv);

static const xipc_proc_entry helpers[] = {
    {"run-test", run_test},
#define XIPC_TEST(name, timeout_s)
#define XIPC_HELPER(name) {#name, helper_##name},
#include "test_list.h"
#undef XIPC_TEST
#undef XIPC_HELPER
    {NULL, NULL}};

/* ---- harness state of a test process ------------------------------------ */

#define MAX_KIDS 64
static xipc_proc *kids[MAX_KIDS];
static int in_helper = 1; /* helpers exit 99 where tests fail */

static void forget_kid(xipc_proc *p)
{
    int i;
    for (i = 0; i < MAX_KIDS; i++)
        if (kids[i] == p)
            kids[i] = NULL;
}

void t_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    int i, code;

    fprintf(stderr, "%s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    fflush(stderr);
    for (i = 0; i < MAX_KIDS; i++) {
        if (kids[i] != NULL) {
            xipc_proc_kill(kids[i]);
            xipc_proc_wait(kids[i], 10000, &code);
        }
    }
    exit(in_helper ? 99 : 1);
}

const char *t_prefix(void)
{
    static char prefix[32];
    if (prefix[0] == '\0')
        snprintf(prefix, sizeof prefix, "t%lld-", (long long)xipc_getpid());
    return prefix;
}

const char *t_name(const char *label)
{
    static char ring[16][XIPC_NAME_MAX + 1];
    static unsigned n;
    char *buf = ring[n % 16];
    snprintf(buf, sizeof ring[0], "%s%s-%u", t_prefix(), label, n);
    n++;
    return buf;
}

int t_slow(void)
{
    const char *s = getenv("XIPC_TEST_SLOWDOWN");
    int v = s ? atoi(s) : 1;
    return v >= 1 ? v : 1;
}

int64_t t_ms(void)
{
    return xipc_now_ns() / 1000000;
}

xipc_proc *t_spawn(const char *fn, ...)
{
    const char *args[8];
    xipc_proc *p = NULL;
    va_list ap;
    int n = 0, i;

    va_start(ap, fn);
    while (n < 7 && (args[n] = va_arg(ap, const char *)) != NULL)
        n++;
    va_end(ap);
    CHECK_OK(xipc_proc_spawn(&p, fn, n, args));
    for (i = 0; i < MAX_KIDS && kids[i] != NULL; i++)
        ;
    CHECK(i < MAX_KIDS);
    kids[i] = p;
    return p;
}

int t_join(xipc_proc *p, int64_t timeout_ms)
{
    int code = -1;
    int rc = xipc_proc_wait(p, timeout_ms * t_slow(), &code);
    if (rc != 0)
        t_fail(__FILE__, __LINE__, "helper %lld did not end in time: %s",
               (long long)xipc_proc_pid(p), xipc_err_name(rc));
    forget_kid(p);
    xipc_proc_free(p);
    return code;
}

void t_kill(xipc_proc *p)
{
    CHECK_OK(xipc_proc_kill(p));
    CHECK_EQ(t_join(p, 10000), XIPC_PROC_KILLED);
}

void t_release(xipc_proc *p)
{
    forget_kid(p);
    xipc_proc_free(p);
}

int t_skip(const char *why)
{
    printf("SKIP: %s\n", why);
    fflush(stdout);
    return T_SKIP;
}

t_ctl *t_ctl_create(const char **name, xipc_shm **shm)
{
    *name = t_name("ctl");
    CHECK_OK(xipc_shm_create(shm, *name, sizeof(t_ctl)));
    return xipc_shm_data(*shm);
}

t_ctl *t_ctl_open(const char *name, xipc_shm **shm)
{
    if (xipc_shm_open(shm, name, XIPC_RDWR) != 0)
        return NULL;
    if (xipc_shm_size(*shm) != sizeof(t_ctl)) {
        xipc_shm_close(*shm);
        return NULL;
    }
    return xipc_shm_data(*shm);
}

void t_ctl_wait(t_ctl *c, int i, int32_t want, int64_t timeout_ms)
{
    int64_t end = t_ms() + timeout_ms * t_slow();
    while (atomic_load(&c->flag[i]) < want) {
        if (t_ms() > end)
            t_fail(__FILE__, __LINE__, "timed out waiting for flag %d >= %d",
                   i, (int)want);
        xipc_sleep_ms(1);
    }
}

/* ---- test process ------------------------------------------------------- */

static const struct test_entry *find_test(const char *name)
{
    const struct test_entry *t;
    for (t = tests; t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

/* Runs inside the test process: argv[1] is the test's name. */
static int run_test(int argc, char **argv)
{
    const struct test_entry *t;
    int rc, i;

    if (argc < 2 || (t = find_test(argv[1])) == NULL)
        return 2;
    in_helper = 0;
    rc = t->fn();
    /* A helper still running now would hold objects past the test. */
    for (i = 0; i < MAX_KIDS; i++)
        if (kids[i] != NULL)
            t_fail(__FILE__, __LINE__, "test left helper %lld running",
                   (long long)xipc_proc_pid(kids[i]));
    return rc;
}

/* ---- supervisor --------------------------------------------------------- */

static void report_leftover(const char *name, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "left behind: %s\n", name);
}

static int supervise(const struct test_entry *t)
{
    const char *args[1];
    char prefix[32];
    xipc_proc *p;
    int code = -1, rc, left;
    int64_t start = t_ms();

    args[0] = t->name;
    rc = xipc_proc_spawn(&p, "run-test", 1, args);
    if (rc != 0) {
        fprintf(stderr, "cannot start test %s: %s\n", t->name,
                xipc_last_error());
        return 1;
    }
    /* CTest enforces the real timeout; this one only keeps the "run all"
     * mode from hanging. */
    rc = xipc_proc_wait(p, (int64_t)t->timeout_s * 1000 * t_slow(), &code);
    if (rc == XIPC_ETIMEDOUT) {
        fprintf(stderr, "test %s timed out\n", t->name);
        xipc_proc_kill(p);
        xipc_proc_wait(p, XIPC_FOREVER, &code);
        code = 1;
    }
    snprintf(prefix, sizeof prefix, "t%lld-", (long long)xipc_proc_pid(p));
    xipc_proc_free(p);
    left = xipc_sweep(prefix, report_leftover, NULL);
    if (left != 0 && (code == 0 || code == T_SKIP)) {
        fprintf(stderr, "test %s left %d object(s) behind\n", t->name, left);
        code = 1;
    }
    printf("%s %s (%lld ms)\n",
           code == 0        ? "PASS"
           : code == T_SKIP ? "SKIP"
                            : "FAIL",
           t->name, (long long)(t_ms() - start));
    fflush(stdout);
    return code == 0 || code == T_SKIP ? code : 1;
}

int main(int argc, char **argv)
{
    const struct test_entry *t;
    int code, passed = 0, failed = 0, skipped = 0;

    setvbuf(stdout, NULL, _IONBF, 0);
    if (xipc_proc_dispatch(argc, argv, helpers, &code))
        return code;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (t = tests; t->name != NULL; t++)
            printf("%s\n", t->name);
        return 0;
    }
    if (argc == 2) {
        if ((t = find_test(argv[1])) == NULL) {
            fprintf(stderr, "no test named %s\n", argv[1]);
            return 2;
        }
        return supervise(t);
    }
    for (t = tests; t->name != NULL; t++) {
        code = supervise(t);
        if (code == 0)
            passed++;
        else if (code == T_SKIP)
            skipped++;
        else
            failed++;
    }
    printf("%d passed, %d skipped, %d failed\n", passed, skipped, failed);
    return failed != 0;
}
