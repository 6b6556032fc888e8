/*
 * main.c - a program outside the xipc tree, built against an installed
 * xipc (tests/consumer/run.cmake): a parent and a child share a Value and
 * a Lock, which proves the header, the library and its system libraries
 * all arrive through the package.
 */
#include <xipc.h>

#include <stdio.h>
#include <string.h>

static int child(int argc, char **argv)
{
    xipc_value *v;

    if (argc != 2 || xipc_value_open(&v, argv[1], XIPC_I64, XIPC_RDWR) != 0)
        return 1;
    if (xipc_value_add(v, 41, NULL, NULL) != 0)
        return 1;
    return xipc_value_close(v) == 0 ? 0 : 1;
}

static const xipc_proc_entry entries[] = {{"child", child}, {NULL, NULL}};

int main(int argc, char **argv)
{
    const char *args[1];
    xipc_value *v;
    xipc_proc *p;
    int64_t x = 1;
    int code = -1;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (xipc_value_create(&v, "consumer-*", XIPC_I64, &x, sizeof x, 0) != 0)
        return 1;
    args[0] = xipc_value_name(v);
    if (xipc_proc_spawn(&p, "child", 1, args) != 0 ||
        xipc_proc_wait(p, 60000, &code) != 0 || code != 0 ||
        xipc_proc_free(p) != 0)
        return 2;
    if (xipc_value_get(v, &x, sizeof x) != 0 || xipc_value_close(v) != 0)
        return 4;
    printf("consumer of xipc %s (header %d.%d.%d): %lld\n", xipc_version(),
           XIPC_VERSION_MAJOR, XIPC_VERSION_MINOR, XIPC_VERSION_PATCH,
           (long long)x);
    return x == 42 && strcmp(xipc_version(), "0.0.0") != 0 ? 0 : 3;
}
