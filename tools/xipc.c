/*
 * xipc.c - the `xipc` command: list, inspect and remove xipc objects from
 * a shell, as ipcs/ipcrm do for System V objects. The work is in
 * tools/cli.c.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return xipc_cli(argc, argv, stdout, stderr);
}
