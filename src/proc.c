/*
 * proc.c - the spawn-style process API: a child is this executable started
 * again with "--xipc-run FN args...", which xipc_proc_dispatch() recognises
 * and routes to FN of the program's table. Also the small clock and pid
 * helpers of the public API. Portable: the backends do the starting, the
 * waiting and the killing.
 */
#include "internal.h"
#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_FLAG "--xipc-run"

struct xipc_proc {
    xipc__child *child;
};

int xipc_proc_dispatch(int argc, char **argv, const xipc_proc_entry *table,
                       int *exit_code)
{
    const xipc_proc_entry *e;

    if (argc < 3 || argv == NULL || strcmp(argv[1], RUN_FLAG) != 0)
        return 0;
    xipc__child_prepare();
    for (e = table; e != NULL && e->name != NULL; e++) {
        if (strcmp(e->name, argv[2]) == 0) {
            int code = e->fn(argc - 2, argv + 2);
            /* An exit status has 8 bits on POSIX and 32 on Windows, where
             * a negative code would otherwise come back as 255 (or as an
             * exception): cut it here, so -2 is 254 everywhere. */
            if (exit_code)
                *exit_code = (int)((unsigned)code & 0xffu);
            return 1;
        }
    }
    fprintf(stderr, "xipc: this program has no function '%s' to run\n",
            argv[2]);
    if (exit_code)
        *exit_code = 127;
    return 1;
}

/* In parentheses: the name is also a macro of xipc.h, for callers. */
int(xipc_proc_spawn)(xipc_proc **out, const char *fn, int argc,
                     const char *const *argv)
{
    const char **args;
    xipc_proc *p;
    int i, rc;

    xipc__clear_error();
    if (out == NULL || fn == NULL || fn[0] == '\0' || argc < 0 ||
        (argc > 0 && argv == NULL))
        return xipc__fail(XIPC_EINVAL, "xipc_proc_spawn", fn, NULL);
    for (i = 0; i < argc; i++)
        if (argv[i] == NULL)
            return xipc__fail(XIPC_EINVAL, "xipc_proc_spawn", fn,
                              "NULL argument");
    args = malloc(sizeof *args * ((size_t)argc + 2));
    p = malloc(sizeof *p);
    if (args == NULL || p == NULL) {
        free(args);
        free(p);
        return xipc__fail(XIPC_ENOMEM, "malloc", fn, NULL);
    }
    args[0] = RUN_FLAG;
    args[1] = fn;
    for (i = 0; i < argc; i++)
        args[i + 2] = argv[i];
    rc = xipc__child_spawn(&p->child, argc + 2, args);
    free(args);
    if (rc != 0) {
        free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int xipc_proc_wait(xipc_proc *p, int64_t timeout_ms, int *exit_code)
{
    int code = 0, rc;

    if (p == NULL)
        return XIPC_EINVAL;
    rc = xipc__child_wait(p->child, timeout_ms, &code);
    if (rc == 0 && exit_code)
        *exit_code = code;
    return rc;
}

int xipc_proc_kill(xipc_proc *p)
{
    if (p == NULL)
        return XIPC_EINVAL;
    return xipc__child_kill(p->child);
}

int64_t xipc_proc_pid(const xipc_proc *p)
{
    return p ? xipc__child_pid(p->child) : -1;
}

int xipc_proc_free(xipc_proc *p)
{
    if (p == NULL)
        return XIPC_EINVAL;
    xipc__child_free(p->child);
    free(p);
    return 0;
}

int64_t xipc_getpid(void)
{
    return xipc__sys_getpid();
}

void xipc_sleep_ms(int64_t ms)
{
    xipc__sys_sleep_ms(ms);
}

int64_t xipc_now_ns(void)
{
    return xipc__sys_now_ns();
}
