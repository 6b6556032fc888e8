/*
 * cli.h - the `xipc` command-line tool as a function, so that the test
 * suite runs the very code the tool runs (tools/xipc.c is its main()).
 */
#ifndef XIPC_CLI_H
#define XIPC_CLI_H

#include <stdio.h>

/* Runs `xipc argv[1] ...` writing its normal output to out and its
 * complaints to err. Returns the exit status: 0 success, 1 the command
 * failed (no such object, ...), 2 bad usage. */
int xipc_cli(int argc, char **argv, FILE *out, FILE *err);

#endif
