/*
 * demo_shm.c - the smallest xipc program: a parent and a child process share
 * one named block of memory.
 *
 * The parent creates the block, starts a child (this same program, running
 * the function "child"), and waits for it. The child opens the block by
 * name, writes a greeting and a byte pattern into it, and exits. The parent
 * then reads what the child wrote. Closing the last handle destroys the
 * block: nothing is left behind in the system.
 */
#include <xipc.h>

#include <stdio.h>
#include <string.h>

#define BLOCK_SIZE 4096

/* Runs in the child process: argv[1] is the block's name. */
static int child(int argc, char **argv)
{
    xipc_shm *shm;
    unsigned char *mem;
    int rc, i;

    if (argc != 2)
        return 2;
    rc = xipc_shm_open(&shm, argv[1], XIPC_RDWR);
    if (rc != 0) {
        fprintf(stderr, "child: open failed: %s\n", xipc_strerror(rc));
        return 1;
    }
    mem = xipc_shm_data(shm);
    for (i = 256; i < BLOCK_SIZE; i++)
        mem[i] = (unsigned char)i;
    snprintf((char *)mem, 256, "hello from child %lld",
             (long long)xipc_getpid());
    return xipc_shm_close(shm) == 0 ? 0 : 1;
}

static const xipc_proc_entry entries[] = {{"child", child}, {NULL, NULL}};

int main(int argc, char **argv)
{
    const char *args[1];
    xipc_shm *shm;
    xipc_proc *proc;
    unsigned char *mem;
    int rc, code, i, ok = 1;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code; /* we were the child */

    /* A fresh name: "demo-", then this process's id and a random part, so
     * that two runs at once never meet. */
    if ((rc = xipc_shm_create(&shm, "demo-*", BLOCK_SIZE)) != 0) {
        fprintf(stderr, "create failed: %s (%s)\n", xipc_strerror(rc),
                xipc_last_error());
        return 1;
    }
    printf("parent %lld: created block '%s' of %zu bytes\n",
           (long long)xipc_getpid(), xipc_shm_name(shm), xipc_shm_size(shm));

    args[0] = xipc_shm_name(shm); /* the child is told the name */
    if ((rc = xipc_proc_spawn(&proc, "child", 1, args)) != 0 ||
        (rc = xipc_proc_wait(proc, 30000, &code)) != 0) {
        fprintf(stderr, "child failed: %s\n", xipc_strerror(rc));
        return 1;
    }
    printf("child %lld exited with code %d\n", (long long)xipc_proc_pid(proc),
           code);
    if (xipc_proc_free(proc) != 0)
        return 1;

    mem = xipc_shm_data(shm);
    for (i = 256; i < BLOCK_SIZE; i++)
        ok &= mem[i] == (unsigned char)i;
    printf("parent read: %.255s (%s)\n", (const char *)mem,
           ok ? "pattern ok" : "PATTERN WRONG");
    /* The last holder: the block is destroyed. */
    if ((rc = xipc_shm_close(shm)) != 0)
        return 1;
    return code == 0 && ok ? 0 : 1;
}
