/*
 * name.c - the one name grammar of every platform: 1..XIPC_NAME_MAX
 * characters of [A-Za-z0-9._-], starting with a letter or digit, folded to
 * lower case because Windows kernel names are case-insensitive and xipc makes
 * POSIX agree. Pure computation, no system call. Portable.
 */
#include "internal.h"

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
                              i == 0 ? "must start with a letter or digit"
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
