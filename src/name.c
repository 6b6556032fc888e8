/*
 * name.c - the one name grammar of every platform: 1..XIPC_NAME_MAX
 * characters of [A-Za-z0-9._-], starting with a letter or digit, folded to
 * lower case because Windows kernel names are case-insensitive and xipc makes
 * POSIX agree; and the fresh names that a create makes when it is given
 * NULL or a name ending in '*'. No system call but the process id and the
 * clock. Portable.
 */
#include "internal.h"
#include "platform.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static int name_char(char c, int first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return 1;
    return !first && (c == '.' || c == '_' || c == '-');
}

int xipc__name_canon(const char *name, char out[XIPC__NAME_BUF])
{
    size_t i;

    if (name == NULL)
        return xipc__fail(XIPC_EINVAL, "name", NULL, "NULL name");
    for (i = 0; name[i] != '\0'; i++) {
        char c = name[i];
        if (i >= XIPC_NAME_MAX)
            return xipc__fail(XIPC_EINVAL, "name", NULL,
                              "longer than XIPC_NAME_MAX characters");
        if (!name_char(c, i == 0))
            return xipc__fail(XIPC_EINVAL, "name", NULL,
                              c == '*' ? "'*' asks for a fresh name, in a "
                                         "create only, at the end"
                              : i == 0
                                  ? "must start with a letter or digit"
                                  : "characters allowed: A-Z a-z 0-9 . _ -");
        out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    if (i == 0)
        return xipc__fail(XIPC_EINVAL, "name", NULL, "empty name");
    out[i] = '\0';
    return 0;
}

int xipc_name_check(const char *name)
{
    char buf[XIPC__NAME_BUF];
    return xipc__name_canon(name, buf);
}

int xipc__prefix_canon(const char *prefix, char out[XIPC__NAME_BUF],
                       const char *api)
{
    size_t i;

    for (i = 0; prefix != NULL && prefix[i] != '\0'; i++) {
        if (i >= XIPC_NAME_MAX)
            return xipc__fail(XIPC_EINVAL, api, NULL,
                              "prefix longer than XIPC_NAME_MAX");
        out[i] = (prefix[i] >= 'A' && prefix[i] <= 'Z')
                     ? (char)(prefix[i] - 'A' + 'a')
                     : prefix[i];
    }
    out[i] = '\0';
    return 0;
}

/* ---- fresh names ------------------------------------------------------- */

/* A create given NULL or a name ending in '*' makes a fresh name: the part
 * before the '*' ("xipc-" for NULL), then the creating process's id and a
 * random number. The id keeps names of live processes apart, the random part
 * those of a dead process whose id came back, and a create that still meets
 * a name in use draws again (xipc__obj_create). The random part needs no
 * secrecy: names belong to their user, who can read them all anyway. */

int xipc__name_create(const char *name, char out[XIPC__NAME_BUF],
                      const char *api)
{
    char check[XIPC__NAME_BUF];
    size_t i;
    int rc;

    if (name == NULL)
        name = XIPC__FRESH_DEFAULT;
    for (i = 0; name[i] != '\0' && name[i] != '*'; i++)
        if (i >= XIPC_NAME_MAX)
            break;
    if (name[i] != '*')
        return xipc__name_canon(name, out);
    if (name[i + 1] != '\0')
        return xipc__fail(XIPC_EINVAL, api, NULL,
                          "the '*' of a fresh name must be its last character");
    if (i > XIPC_FRESH_PREFIX_MAX)
        return xipc__fail(XIPC_EINVAL, api, NULL,
                          "more than XIPC_FRESH_PREFIX_MAX characters before "
                          "the '*' of a fresh name");
    /* The prefix is checked as a name with a digit after it, which is what
     * every fresh name drawn from it will be. */
    memcpy(check, name, i);
    check[i] = '0';
    check[i + 1] = '\0';
    if ((rc = xipc__name_canon(check, out)) != 0)
        return rc;
    out[i] = '*';
    return 0;
}

int xipc__name_is_fresh(const char *cname)
{
    size_t n = strlen(cname);
    return n > 0 && cname[n - 1] == '*';
}

void xipc__name_draw(const char *prefix, size_t len, char out[XIPC__NAME_BUF])
{
    static _Atomic uint64_t counter;
    uint64_t seed, pid = (uint64_t)xipc__sys_getpid();
    int local;

    /* Time, the draw's number in this process, the process and an address
     * of this thread's stack: two draws at once differ in the counter, two
     * processes in their ids, and a process whose id came back in time. */
    seed = (uint64_t)xipc__sys_now_ns() ^
           xipc__mix64(atomic_fetch_add(&counter, 1) + 1) ^ (pid << 32) ^
           (uint64_t)(uintptr_t)&local;
    memcpy(out, prefix, len);
    snprintf(out + len, XIPC__NAME_BUF - len, "%lu-%08lx",
             (unsigned long)(pid & 0xffffffffu),
             (unsigned long)(xipc__mix64(seed) & 0xffffffffu));
}
