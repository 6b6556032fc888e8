/*
 * test_tool.c - the `xipc` command-line tool (tools/cli.c), run in this
 * process on objects made the way the examples make them, with its output
 * and exit status checked: ls, info (of every kind), rm, sweep, usage
 * errors; and xipc_stat / xipc_list underneath it.
 */
#include "test.h"
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>

/* Runs `xipc ARGS...` (a NULL-terminated list); its output goes to out,
 * its complaints to err (each NUL-terminated, truncated to 4 KiB). */
static int cli(char out[4096], char err[4096], ...)
{
    char *argv[8];
    int argc = 1, rc;
    FILE *fo = tmpfile(), *fe = tmpfile();
    size_t n;
    va_list ap;

    CHECK(fo != NULL && fe != NULL);
    argv[0] = "xipc";
    va_start(ap, err);
    while (argc < 7 && (argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    rc = xipc_cli(argc, argv, fo, fe);
    rewind(fo);
    rewind(fe);
    n = fread(out, 1, 4095, fo);
    out[n] = '\0';
    n = fread(err, 1, 4095, fe);
    err[n] = '\0';
    fclose(fo);
    fclose(fe);
    return rc;
}

/* Finds the line of `text` that starts with `name` followed by a space. */
static const char *line_of(const char *text, const char *name)
{
    size_t len = strlen(name);
    const char *p = text;

    while (p != NULL && *p) {
        if (strncmp(p, name, len) == 0 && p[len] == ' ')
            return p;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return NULL;
}

/* Checks that the line of `name` in `text` has `want` before its end. */
#define CHECK_LINE(text, name, want)                                           \
    do {                                                                       \
        const char *l_ = line_of(text, name), *e_;                             \
        if (l_ == NULL)                                                        \
            t_fail(__FILE__, __LINE__, "no line for %s in:\n%s", name, text);  \
        e_ = strchr(l_, '\n');                                                 \
        if (strstr(l_, want) == NULL || (e_ != NULL && strstr(l_, want) > e_)) \
            t_fail(__FILE__, __LINE__, "line of %s lacks \"%s\":\n%s", name,   \
                   want, text);                                                \
    } while (0)

int test_tool_ls_and_info(void)
{
    char vname[64], aname[64], lname[64], sname[64], out[4096], err[4096];
    xipc_value *v;
    xipc_array *a;
    xipc_lock *l;
    xipc_shm *s;
    xipc_info in;
    int32_t wins = 400;
    int n;

    snprintf(vname, sizeof vname, "%s", t_name("scoreboard"));
    snprintf(aname, sizeof aname, "%s", t_name("table"));
    snprintf(lname, sizeof lname, "%s", t_name("lock"));
    snprintf(sname, sizeof sname, "%s", t_name("block"));
    CHECK_OK(xipc_value_create(&v, vname, XIPC_I32, &wins, sizeof wins, 0));
    CHECK_OK(xipc_array_create(&a, aname, XIPC_F64, 10, NULL, 0, 0));
    CHECK_OK(xipc_lock_create(&l, lname, 0));
    CHECK_OK(xipc_shm_create(&s, sname, 100));

    CHECK_EQ(cli(out, err, "ls", t_prefix(), NULL), 0);
    CHECK(strncmp(out, "NAME", 4) == 0);
    CHECK_LINE(out, vname, "value     i32");
    CHECK_LINE(out, vname, "live");
    CHECK_LINE(out, aname, "array     f64");
    CHECK_LINE(out, aname, "80  live");
    CHECK_LINE(out, lname, "lock");
    CHECK_LINE(out, sname, "shm");
    CHECK_LINE(out, sname, "100  live");
    /* The prefix is honoured, in any case. */
    {
        char upper[64];
        size_t i;
        for (i = 0; vname[i]; i++)
            upper[i] =
                (char)(vname[i] >= 'a' && vname[i] <= 'z' ? vname[i] - 'a' + 'A'
                                                          : vname[i]);
        upper[i] = '\0';
        CHECK_EQ(cli(out, err, "ls", upper, NULL), 0);
        CHECK(line_of(out, vname) != NULL);
        CHECK(line_of(out, aname) == NULL);
    }

    CHECK_EQ(cli(out, err, "info", vname, NULL), 0);
    CHECK(strstr(out, "kind:     value\n") != NULL);
    CHECK(strstr(out, "type:     i32\n") != NULL);
    CHECK(strstr(out, "length:   1\n") != NULL);
    CHECK(strstr(out, "value:    400\n") != NULL);
    CHECK(strstr(out, "lock:     free\n") != NULL);
    CHECK_EQ(cli(out, err, "info", aname, NULL), 0);
    CHECK(strstr(out, "length:   10\n") != NULL);
    CHECK(strstr(out, "bytes:    80\n") != NULL);
    CHECK_EQ(cli(out, err, "info", sname, NULL), 0);
    CHECK(strstr(out, "kind:     shm\n") != NULL);
    CHECK(strstr(out, "lock:     none\n") != NULL);
    /* A held lock names its holder. */
    CHECK_OK(xipc_lock_acquire(l, 0));
    CHECK_EQ(cli(out, err, "info", lname, NULL), 0);
    CHECK(strstr(out, "lock:     held by thread ") != NULL);
    CHECK_OK(xipc_stat(lname, &in));
    CHECK(in.holder > 0);
    CHECK_OK(xipc_lock_release(l));
    CHECK_OK(xipc_stat(lname, &in));
    CHECK_EQ(in.holder, 0);
    CHECK_EQ(in.kind, XIPC_KIND_LOCK);
    CHECK_EQ(in.creator_pid, xipc_getpid());

    /* Errors: a clear message and a non-zero status. */
    CHECK_EQ(cli(out, err, "info", t_name("missing"), NULL), 1);
    CHECK(strstr(err, "no such object") != NULL);
    CHECK_EQ(cli(out, err, "info", "bad/name", NULL), 2);
    CHECK_EQ(cli(out, err, "info", NULL), 2);
    CHECK(strstr(err, "usage: xipc info NAME") != NULL);
    CHECK_EQ(cli(out, err, "frobnicate", NULL), 2);
    CHECK(strstr(err, "no command 'frobnicate'") != NULL);
    CHECK_EQ(cli(out, err, NULL), 2);
    CHECK_EQ(cli(out, err, "--help", NULL), 0);
    CHECK(strstr(out, "sweep [PREFIX]") != NULL);
    CHECK_EQ(cli(out, err, "rm", "--help", NULL), 0);
    CHECK(strstr(out, "usage: xipc rm NAME...") != NULL);
    CHECK_EQ(cli(out, err, "ls", "a", "b", NULL), 2);
    {
        /* A prefix longer than any name is bad usage, and no table. */
        char longp[80];
        memset(longp, 'p', sizeof longp - 1);
        longp[sizeof longp - 1] = '\0';
        CHECK_EQ(cli(out, err, "ls", longp, NULL), 2);
        CHECK_STR(out, "");
    }

    /* xipc_list underneath: the four objects, and nothing else of ours. */
    CHECK_EQ(xipc_list(t_prefix(), NULL, NULL), 4);
    CHECK_RC(xipc_stat(t_name("missing"), &in), XIPC_ENOENT);
    CHECK_RC(xipc_stat(vname, NULL), XIPC_EINVAL);
    n = xipc_list("this-prefix-matches-nothing-at-all", NULL, NULL);
    CHECK_EQ(n, 0);
    CHECK_STR(xipc_kind_name(XIPC_KIND_QUEUE), "queue");
    CHECK_STR(xipc_kind_name(77), "?");

    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_array_close(a));
    CHECK_OK(xipc_value_close(v));
    return 0;
}

int test_tool_queue_info(void)
{
    char qname[64], out[4096], err[4096];
    xipc_queue *q;
    xipc_info in;

    /* As examples/demo_queue.c makes its job queue. */
    snprintf(qname, sizeof qname, "%s", t_name("jobs"));
    CHECK_OK(xipc_queue_create(&q, qname, 4096, 100));
    CHECK_OK(xipc_queue_put(q, "first job", 9, 0));
    CHECK_OK(xipc_queue_put(q, "", 0, 0));
    CHECK_EQ(cli(out, err, "ls", qname, NULL), 0);
    CHECK_LINE(out, qname, "queue     -");
    CHECK_LINE(out, qname, "4096  live");
    CHECK_EQ(cli(out, err, "info", qname, NULL), 0);
    CHECK(strstr(out, "kind:     queue\n") != NULL);
    CHECK(strstr(out, "bytes:    4096\n") != NULL);
    CHECK(strstr(out, "max msg:  100\n") != NULL);
    CHECK(strstr(out, "messages: 2\n") != NULL);
    /* 8 + 16 bytes for "first job", 8 for the empty message. */
    CHECK(strstr(out, "used:     32\n") != NULL);
    CHECK(strstr(out, "state:    open\n") != NULL);
    CHECK_OK(xipc_queue_shutdown(q, XIPC_FOREVER));
    CHECK_OK(xipc_stat(qname, &in));
    CHECK_EQ(in.closed, 1);
    CHECK_EQ(in.messages, 2);
    CHECK_EQ(in.kind, XIPC_KIND_QUEUE);
    CHECK_EQ(cli(out, err, "info", qname, NULL), 0);
    CHECK(strstr(out, "state:    shut down\n") != NULL);
    CHECK_OK(xipc_queue_close(q));
    return 0;
}

int test_tool_rm_and_sweep(void)
{
    char name[64], stale[64], out[4096], err[4096];
    const char *ctl_name;
    xipc_shm *cs;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_value *v;
    xipc_proc *p;
    int listed_stale;

    /* rm frees the name while the holder keeps the object. */
    snprintf(name, sizeof name, "%s", t_name("rmme"));
    CHECK_OK(xipc_value_create(&v, name, XIPC_I64, NULL, 0, 0));
    CHECK_EQ(cli(out, err, "rm", name, NULL), 0);
    CHECK_LINE(out, "removed", name);
    CHECK_EQ(cli(out, err, "info", name, NULL), 1);
    CHECK_OK(xipc_value_add(v, 1, NULL, NULL)); /* still ours */
    CHECK_EQ(cli(out, err, "rm", name, NULL), 1);
    CHECK(strstr(err, "no such object") != NULL);
    CHECK_EQ(cli(out, err, "rm", NULL), 2);
    CHECK_OK(xipc_value_close(v));

    /* A holder killed: the object is stale where objects can be (POSIX),
     * gone where the kernel frees them (Windows); either way sweep leaves
     * nothing of it, and reports what it removed. */
    snprintf(stale, sizeof stale, "%s", t_name("stale"));
    p = t_spawn("create_and_hold", stale, ctl_name, "0", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    CHECK_EQ(cli(out, err, "ls", stale, NULL), 0);
    CHECK_LINE(out, stale, "live");
    t_kill(p);
    CHECK_EQ(cli(out, err, "ls", stale, NULL), 0);
    listed_stale = line_of(out, stale) != NULL;
    if (listed_stale)
        CHECK_LINE(out, stale, "stale");
    CHECK_EQ(cli(out, err, "sweep", stale, NULL), 0);
    if (listed_stale) {
        CHECK_LINE(out, "removed", stale);
        CHECK(strstr(out, "1 stale object removed") != NULL);
    } else {
        CHECK(strstr(out, "0 stale objects removed") != NULL);
    }
    CHECK_EQ(xipc__seg_present(stale), 0);
    CHECK_EQ(cli(out, err, "ls", stale, NULL), 0);
    CHECK(line_of(out, stale) == NULL);
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}

int test_tool_describes_carefully(void)
{
    const char *name = t_name("dlock"), *sname = t_name("dshm"), *ctl_name;
    xipc_shm *cs, *s;
    t_ctl *ctl = t_ctl_create(&ctl_name, &cs);
    xipc_lock *l;
    xipc_proc *p;
    xipc_info in;
    xipc__hdr *h;

    /* A holder in another process is named; a dead one holds nothing (the
     * lock is free for whoever comes next), on every platform. */
    CHECK_OK(xipc_lock_create(&l, name, 0));
    p = t_spawn("lock_holder", name, "-", ctl_name, "hold", NULL);
    t_ctl_wait(ctl, 0, 1, 20000);
    CHECK_OK(xipc_stat(name, &in));
    CHECK(in.holder > 0);
    t_kill(p);
    CHECK_OK(xipc_stat(name, &in));
    CHECK_EQ(in.holder, 0);
    CHECK_RC(xipc_lock_acquire(l, 10000 * t_slow()), XIPC_EOWNERDEAD);
    CHECK_OK(xipc_lock_consistent(l));
    CHECK_OK(xipc_lock_release(l));
    /* Damage is reported, not described. */
    h = xipc__seg_base(xipc__lock_seg(l));
    h->data_off = 192; /* not a lock's layout */
    CHECK_RC(xipc_stat(name, &in), XIPC_ECORRUPT);
    h->data_off = 128;
    CHECK_OK(xipc_shm_create(&s, sname, 64));
    h = xipc__seg_base(xipc__shm_seg(s));
    h->kind = 42; /* a kind this xipc does not know */
    CHECK_RC(xipc_stat(sname, &in), XIPC_ECORRUPT);
    h->kind = XIPC_KIND_SHM;
    CHECK_OK(xipc_stat(sname, &in));
    CHECK_OK(xipc_shm_close(s));
    CHECK_OK(xipc_lock_close(l));
    CHECK_OK(xipc_shm_close(cs));
    return 0;
}
