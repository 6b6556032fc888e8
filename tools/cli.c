/*
 * cli.c - the `xipc` command-line tool:
 *
 *   xipc ls [PREFIX]      the objects whose names start with PREFIX
 *   xipc info NAME        one object's header and state
 *   xipc rm NAME...       unlink objects (their holders keep them)
 *   xipc sweep [PREFIX]   remove stale objects (every holder died)
 *
 * Portable: built on the public API only (include/xipc.h).
 */
#include "cli.h"

#include <xipc.h>

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: xipc COMMAND [ARGS]\n"
    "\n"
    "  ls [PREFIX]      list xipc objects (name, kind, type, size, state)\n"
    "  info NAME        show one object: header, lock holder, value, depth\n"
    "  rm NAME...       unlink objects; processes holding them keep them\n"
    "  sweep [PREFIX]   remove stale objects, whose holders all died\n"
    "\n"
    "`xipc COMMAND --help` describes one command. Exit status: 0 success,\n"
    "1 failure (such as no such object), 2 bad usage.\n";

static const struct {
    const char *cmd, *help;
} helps[] = {
    {"ls", "usage: xipc ls [PREFIX]\n"
           "Lists the xipc objects whose names start with PREFIX (all "
           "without one):\nname, kind, element type, length, bytes, and "
           "whether a live process holds\nthem (live) or every holder died "
           "(stale, removed by `xipc sweep`); a live\none's state as `xipc "
           "info` says it (a lock's holder, a semaphore's value...).\n"},
    {"info", "usage: xipc info NAME\n"
             "Shows the object NAME: kind, element type, length, bytes, the "
             "process that\ncreated it, who holds its lock, a Value's value, "
             "and a Queue's limit,\nmessages, bytes used and whether it is "
             "shut down; for the other kinds, their\nstate (a semaphore's "
             "value, bound and waiters, an event set or clear...).\n"},
    {"rm", "usage: xipc rm NAME...\n"
           "Unlinks each NAME: the name is free at once, while processes that "
           "hold the\nobject keep using it until they close it.\n"},
    {"sweep", "usage: xipc sweep [PREFIX]\n"
              "Removes the stale objects (every holder exited or was killed) "
              "whose names\nstart with PREFIX, and names each.\n"},
};

static int want_help(int argc, char **argv)
{
    int i;
    for (i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

static const char *type_name(int type)
{
    return type ? xipc_type_name((xipc_type)type) : "-";
}

/* The rows of `xipc ls`, gathered so that the table is printed only once
 * the listing has succeeded. */
struct rows {
    char *text;
    size_t len, cap;
    int nomem;
};


static void ls_row(const xipc_info *in, void *ctx)
{
    struct rows *r = ctx;
    char line[256];
    int n, said = in->state[0] != '\0' && strcmp(in->state, "-") != 0;

    if (!in->live)
        n = snprintf(line, sizeof line, "%-32s %-9s %-5s %10s %12s  stale\n",
                     in->name, "?", "-", "-", "-");
    else /* live, and what the kind says of its state */
        n = snprintf(line, sizeof line,
                     "%-32s %-9s %-5s %10" PRIu64 " %12" PRIu64 "  live%s%s\n",
                     in->name, xipc_kind_name(in->kind), type_name(in->type),
                     in->length, in->size, said ? ": " : "",
                     said ? in->state : "");
    if (n < 0 || r->nomem)
        return;
    if (r->len + (size_t)n + 1 > r->cap) {
        size_t cap = (r->cap + (size_t)n + 1) * 2;
        char *t = realloc(r->text, cap);
        if (t == NULL) {
            r->nomem = 1;
            return;
        }
        r->text = t;
        r->cap = cap;
    }
    memcpy(r->text + r->len, line, (size_t)n + 1);
    r->len += (size_t)n;
}

static int cmd_ls(int argc, char **argv, FILE *out, FILE *err)
{
    struct rows rows = {NULL, 0, 0, 0};
    int n;

    if (argc > 3) {
        fputs(helps[0].help, err);
        return 2;
    }
    n = xipc_list(argc == 3 ? argv[2] : NULL, ls_row, &rows);
    if (n >= 0 && rows.nomem)
        n = XIPC_ENOMEM;
    if (n < 0) {
        fprintf(err, "xipc ls: %s (%s)\n", xipc_strerror(n), xipc_last_error());
        free(rows.text);
        return n == XIPC_EINVAL ? 2 : 1;
    }
    fprintf(out, "%-32s %-9s %-5s %10s %12s  %s\n", "NAME", "KIND", "TYPE",
            "LENGTH", "BYTES", "STATE");
    if (rows.text != NULL)
        fputs(rows.text, out);
    free(rows.text);
    return 0;
}

/* Prints a Value's value, read through a read-only handle. */
static void print_value(const xipc_info *in, FILE *out)
{
    union {
        int8_t i8;
        uint8_t u8;
        int16_t i16;
        uint16_t u16;
        int32_t i32;
        uint32_t u32;
        int64_t i64;
        uint64_t u64;
        float f32;
        double f64;
        char c;
    } x;
    xipc_value *v;
    size_t size = xipc_type_size((xipc_type)in->type);

    if (xipc_value_open(&v, in->name, (xipc_type)in->type, XIPC_RDONLY) != 0)
        return;
    if (xipc_value_get(v, &x, size) == 0) {
        fprintf(out, "%-10s", "value:");
        switch (in->type) {
        case XIPC_I8:
            fprintf(out, "%d\n", x.i8);
            break;
        case XIPC_U8:
            fprintf(out, "%u\n", x.u8);
            break;
        case XIPC_I16:
            fprintf(out, "%d\n", x.i16);
            break;
        case XIPC_U16:
            fprintf(out, "%u\n", x.u16);
            break;
        case XIPC_I32:
            fprintf(out, "%" PRId32 "\n", x.i32);
            break;
        case XIPC_U32:
            fprintf(out, "%" PRIu32 "\n", x.u32);
            break;
        case XIPC_I64:
            fprintf(out, "%" PRId64 "\n", x.i64);
            break;
        case XIPC_U64:
            fprintf(out, "%" PRIu64 "\n", x.u64);
            break;
        case XIPC_F32:
            fprintf(out, "%.9g\n", x.f32);
            break;
        case XIPC_F64:
            fprintf(out, "%.17g\n", x.f64);
            break;
        default:
            fprintf(out, "0x%02x\n", (unsigned char)x.c);
            break;
        }
    }
    xipc_value_close(v);
}

static int cmd_info(int argc, char **argv, FILE *out, FILE *err)
{
    xipc_info in;
    int rc;

    if (argc != 3) {
        fputs(helps[1].help, err);
        return 2;
    }
    if ((rc = xipc_stat(argv[2], &in)) != 0) {
        fprintf(err, "xipc info: %s: %s\n", argv[2], xipc_strerror(rc));
        return rc == XIPC_EINVAL ? 2 : 1;
    }
    fprintf(out, "%-10s%s\n", "name:", in.name);
    fprintf(out, "%-10s%s\n", "kind:", xipc_kind_name(in.kind));
    if (in.type)
        fprintf(out, "%-10s%s\n%-10s%" PRIu64 "\n", "type:", type_name(in.type),
                "length:", in.length);
    fprintf(out, "%-10s%" PRIu64 "\n", "bytes:", in.size);
    fprintf(out, "%-10spid %" PRId64 "\n", "creator:", in.creator_pid);
    if (in.kind == XIPC_KIND_QUEUE)
        fprintf(out,
                "%-10s%" PRIu64 "\n%-10s%" PRId64 "\n%-10s%" PRIu64
                "\n%-10s%s\n",
                "max msg:", in.max_msg, "messages:", in.messages,
                "used:", in.used, "state:", in.closed ? "shut down" : "open");
    else if (in.holder == 0)
        fprintf(out, "%-10sfree\n", "lock:");
    else if (in.holder > 0)
        fprintf(out, "%-10sheld by thread %" PRIx64 " of process %" PRId64 "\n",
                "lock:", (uint64_t)in.holder, in.holder_pid);
    else if (in.kind == XIPC_KIND_SHM || in.kind == XIPC_KIND_VALUE ||
             in.kind == XIPC_KIND_ARRAY)
        fprintf(out, "%-10snone\n", "lock:");
    else /* what each other kind says of itself */
        fprintf(out, "%-10s%s\n", "state:", in.state);
    if (in.kind == XIPC_KIND_CONDITION)
        fprintf(out, "%-10s%" PRId64 "\n%-10s%s\n", "waiting:", in.waiting,
                "state:", in.state);
    if (in.kind == XIPC_KIND_VALUE)
        print_value(&in, out);
    return 0;
}

static int cmd_rm(int argc, char **argv, FILE *out, FILE *err)
{
    int i, rc, status = 0;

    if (argc < 3) {
        fputs(helps[2].help, err);
        return 2;
    }
    for (i = 2; i < argc; i++) {
        if ((rc = xipc_unlink(argv[i])) != 0) {
            fprintf(err, "xipc rm: %s: %s\n", argv[i], xipc_strerror(rc));
            status = rc == XIPC_EINVAL ? 2 : status ? status : 1;
        } else {
            fprintf(out, "removed %s\n", argv[i]);
        }
    }
    return status;
}

static void swept(const char *name, void *ctx)
{
    fprintf(ctx, "removed %s (stale)\n", name);
}

static int cmd_sweep(int argc, char **argv, FILE *out, FILE *err)
{
    int n;

    if (argc > 3) {
        fputs(helps[3].help, err);
        return 2;
    }
    if ((n = xipc_sweep(argc == 3 ? argv[2] : NULL, swept, out)) < 0) {
        fprintf(err, "xipc sweep: %s (%s)\n", xipc_strerror(n),
                xipc_last_error());
        return n == XIPC_EINVAL ? 2 : 1;
    }
    fprintf(out, "%d stale object%s removed\n", n, n == 1 ? "" : "s");
    return 0;
}

int xipc_cli(int argc, char **argv, FILE *out, FILE *err)
{
    static int (*const cmds[])(int, char **, FILE *,
                               FILE *) = {cmd_ls, cmd_info, cmd_rm, cmd_sweep};
    size_t i;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? err : out);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        fprintf(out, "xipc %s\n", xipc_version());
        return 0;
    }
    for (i = 0; i < sizeof helps / sizeof helps[0]; i++) {
        if (strcmp(argv[1], helps[i].cmd) == 0) {
            if (want_help(argc, argv)) {
                fputs(helps[i].help, out);
                return 0;
            }
            return cmds[i](argc, argv, out, err);
        }
    }
    fprintf(err, "xipc: no command '%s'\n\n%s", argv[1], usage);
    return 2;
}
