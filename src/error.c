/*
 * error.c - the error table (generated from XIPC_ERRNO_MAP in include/xipc.h),
 * the per-thread detail behind xipc_last_error(), the version string and
 * the fault-injection hook. Portable.
 */
#include "internal.h"
#include "platform.h"

#include <stdio.h>
#include <string.h>

#define XIPC__STR2(x) #x
#define XIPC__STR(x) XIPC__STR2(x)

const char *xipc_version(void)
{
    return XIPC__STR(XIPC_VERSION_MAJOR) "." XIPC__STR(
        XIPC_VERSION_MINOR) "." XIPC__STR(XIPC_VERSION_PATCH);
}

const char *xipc_strerror(int rc)
{
    switch (rc) {
    case 0:
        return "success";
#define XIPC__ERR_MSG(name, value, msg)                                        \
    case value:                                                                \
        return msg;
        XIPC_ERRNO_MAP(XIPC__ERR_MSG)
#undef XIPC__ERR_MSG
    default:
        return "unknown error";
    }
}

const char *xipc_err_name(int rc)
{
    switch (rc) {
    case 0:
        return "XIPC_OK";
#define XIPC__ERR_NAME(name, value, msg)                                       \
    case value:                                                                \
        return "XIPC_" #name;
        XIPC_ERRNO_MAP(XIPC__ERR_NAME)
#undef XIPC__ERR_NAME
    default:
        return "XIPC_E?";
    }
}

int xipc__fail(int rc, const char *what, const char *name, const char *sysmsg)
{
    snprintf(xipc__sys_thread_text(0), XIPC__THREAD_TEXT, "%s%s%s%s: %s",
             what ? what : "xipc", name ? "(" : "", name ? name : "",
             name ? ")" : "", sysmsg ? sysmsg : xipc_strerror(rc));
    return rc;
}

void xipc__clear_error(void)
{
    xipc__sys_thread_text(0)[0] = '\0';
}

const char *xipc_last_error(void)
{
    return xipc__sys_thread_text(0);
}

void (*xipc__fault_hook)(const char *where);
