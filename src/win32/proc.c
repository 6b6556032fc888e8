/*
 * proc.c - child processes for the Windows backend: CreateProcessW of this
 * same executable (found through GetModuleFileNameW), with a command line
 * quoted so that the child's C runtime gives back each argument exactly.
 *
 * No handle is inherited (bInheritHandles is FALSE), so a child never holds
 * a parent's section or mutex. The standard streams still reach the child:
 * for a console program started without STARTF_USESTDHANDLES, Windows (and
 * Wine) duplicates the parent's three standard handles into the child,
 * whether they are a console, a pipe or a file.
 *
 * The process handle pins the child: its id is not reused while the handle
 * is open, and its exit code stays readable, so a kill or a wait always
 * reaches this child and nothing can collect its code before us. Several
 * threads may wait on the handle at once, each with its own timeout.
 *
 * Exit codes are brought into the POSIX shape (0..255): a child started by
 * xipc ends a crash itself with 128 + the POSIX signal of the fault (see
 * xipc__child_prepare), and the parent maps what other exits leave.
 */
#include "../internal.h"
#include "../platform.h"

#include <windows.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct xipc__child {
    HANDLE process;
    DWORD pid;
    SRWLOCK lock; /* guards ended and code */
    int ended;    /* the child has ended and `code` is final */
    int code;
};

/* Records that `what` failed with Win32 error e and returns rc. */
static int w32_fail(int rc, const char *what, const char *name, DWORD e)
{
    char msg[32];
    snprintf(msg, sizeof msg, "Win32 error %lu", (unsigned long)e);
    return xipc__fail(rc, what, name, msg);
}

/* Writes arg, quoted for the child's argv parser (CommandLineToArgvW and the
 * C runtime follow the same rules), at out (if not NULL) and returns the
 * number of characters it takes. Backslashes are literal except before a
 * double quote: there 2n backslashes stand for n, and 2n+1 for n and a
 * literal quote. An argument is quoted if it is empty or holds white space,
 * a quote, or a wildcard that a C runtime built to expand them would
 * expand. */
static size_t quote_arg(wchar_t *out, const wchar_t *arg)
{
    size_t n = 0, i = 0, bs, k;

#define PUT(ch)                                                                \
    do {                                                                       \
        if (out != NULL)                                                       \
            out[n] = (ch);                                                     \
        n++;                                                                   \
    } while (0)

    if (arg[0] != L'\0' && wcspbrk(arg, L" \t\n\v\"*?") == NULL) {
        for (; arg[i] != L'\0'; i++)
            PUT(arg[i]);
        return n;
    }
    PUT(L'"');
    for (;;) {
        for (bs = 0; arg[i] == L'\\'; i++)
            bs++;
        if (arg[i] == L'\0') {
            /* Doubled, so the closing quote stays a quote. */
            for (k = 0; k < 2 * bs; k++)
                PUT(L'\\');
            break;
        }
        if (arg[i] == L'"') {
            for (k = 0; k < 2 * bs + 1; k++)
                PUT(L'\\');
        } else {
            for (k = 0; k < bs; k++)
                PUT(L'\\');
        }
        PUT(arg[i]);
        i++;
    }
    PUT(L'"');
    return n;
#undef PUT
}

/* Returns this executable's path in *out (malloc'd). Paths can exceed
 * MAX_PATH, and GetModuleFileNameW truncates silently, so the buffer grows
 * until the path fits. */
static int self_path(wchar_t **out)
{
    DWORD cap = MAX_PATH, n;
    wchar_t *p = NULL, *q;

    for (;;) {
        if ((q = realloc(p, cap * sizeof *p)) == NULL) {
            free(p);
            return xipc__fail(XIPC_ENOMEM, "realloc", NULL, NULL);
        }
        p = q;
        n = GetModuleFileNameW(NULL, p, cap);
        if (n == 0) {
            DWORD e = GetLastError();
            free(p);
            return w32_fail(XIPC_ESYS, "GetModuleFileNameW", NULL, e);
        }
        if (n < cap) {
            *out = p;
            return 0;
        }
        cap *= 2;
    }
}

/* Converts UTF-8 to a malloc'd UTF-16 string in *out. */
static int widen(const char *s, wchar_t **out)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);

    if (n <= 0)
        return xipc__fail(XIPC_EINVAL, "MultiByteToWideChar", NULL,
                          "an argument is not valid UTF-8");
    if ((*out = malloc((size_t)n * sizeof **out)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "malloc", NULL, NULL);
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, *out, n);
    return 0;
}

/* Builds "\"self\" arg1 arg2 ..." into *out (malloc'd). The program name is
 * parsed by other rules (everything up to the next quote, no escapes), so it
 * is simply put in quotes; a path cannot hold a quote. */
static int command_line(wchar_t **out, const wchar_t *self, int nargs,
                        const char *const *args)
{
    wchar_t **wargs = calloc((size_t)nargs + 1, sizeof *wargs);
    size_t len = wcslen(self) + 3, pos;
    wchar_t *cmd = NULL;
    int i, rc = 0;

    if (wargs == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    for (i = 0; i < nargs && rc == 0; i++)
        if ((rc = widen(args[i], &wargs[i])) == 0)
            len += 1 + quote_arg(NULL, wargs[i]);
    if (rc == 0 && (cmd = malloc(len * sizeof *cmd)) == NULL)
        rc = xipc__fail(XIPC_ENOMEM, "malloc", NULL, NULL);
    if (rc == 0) {
        pos = 0;
        cmd[pos++] = L'"';
        wcscpy(cmd + pos, self);
        pos += wcslen(self);
        cmd[pos++] = L'"';
        for (i = 0; i < nargs; i++) {
            cmd[pos++] = L' ';
            pos += quote_arg(cmd + pos, wargs[i]);
        }
        cmd[pos] = L'\0';
        *out = cmd;
    }
    for (i = 0; i < nargs; i++)
        free(wargs[i]);
    free(wargs);
    return rc;
}

int xipc__child_spawn(xipc__child **out, int nargs, const char *const *args)
{
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    wchar_t *self = NULL, *cmd = NULL;
    xipc__child *c;
    DWORD e;
    BOOL started;
    int rc, tries;

    if ((c = calloc(1, sizeof *c)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", NULL, NULL);
    if ((rc = self_path(&self)) != 0 ||
        (rc = command_line(&cmd, self, nargs, args)) != 0)
        goto out;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    /* Wine's CreateProcessW now and then fails with ERROR_INTERNAL_ERROR
     * when the wineserver is busy starting other processes; the same call a
     * moment later succeeds. That error means nothing else here, so a few
     * tries are made before it is reported. */
    for (tries = 0;; tries++) {
        started = CreateProcessW(self, cmd, NULL, NULL, FALSE, 0, NULL, NULL,
                                 &si, &pi);
        e = started ? 0 : GetLastError();
        if (started || e != ERROR_INTERNAL_ERROR || tries == 4)
            break;
        Sleep(10u << tries);
    }
    if (!started) {
        rc = w32_fail(e == ERROR_NOT_ENOUGH_MEMORY || e == ERROR_OUTOFMEMORY
                          ? XIPC_ENOMEM
                          : XIPC_ESYS,
                      "CreateProcessW", NULL, e);
        goto out;
    }
    CloseHandle(pi.hThread);
    InitializeSRWLock(&c->lock);
    c->process = pi.hProcess;
    c->pid = pi.dwProcessId;
    *out = c;
    c = NULL;
out:
    free(c);
    free(cmd);
    free(self);
    return rc;
}

/* Returns the POSIX signal that a POSIX system sends for the fault that
 * raised Windows exception `code`, or 0 if it has no POSIX twin. */
static int fault_signal(DWORD code)
{
    switch (code) {
    case STATUS_ACCESS_VIOLATION:
    case STATUS_IN_PAGE_ERROR:
    case STATUS_STACK_OVERFLOW:
    case STATUS_GUARD_PAGE_VIOLATION:
    case STATUS_ARRAY_BOUNDS_EXCEEDED:
        return 11; /* SIGSEGV */
    case STATUS_ILLEGAL_INSTRUCTION:
    case STATUS_PRIVILEGED_INSTRUCTION:
        return 4; /* SIGILL */
    /* INT_MIN / -1 raises "integer overflow" on Windows, SIGFPE on Linux. */
    case STATUS_INTEGER_DIVIDE_BY_ZERO:
    case STATUS_INTEGER_OVERFLOW:
    case STATUS_FLOAT_DIVIDE_BY_ZERO:
    case STATUS_FLOAT_DENORMAL_OPERAND:
    case STATUS_FLOAT_INEXACT_RESULT:
    case STATUS_FLOAT_INVALID_OPERATION:
    case STATUS_FLOAT_OVERFLOW:
    case STATUS_FLOAT_STACK_CHECK:
    case STATUS_FLOAT_UNDERFLOW:
    case STATUS_FLOAT_MULTIPLE_FAULTS:
    case STATUS_FLOAT_MULTIPLE_TRAPS:
        return 8; /* SIGFPE */
    case STATUS_DATATYPE_MISALIGNMENT:
        return 7; /* SIGBUS */
    case STATUS_BREAKPOINT:
    case STATUS_SINGLE_STEP:
        return 5; /* SIGTRAP */
    /* __fastfail() (the UCRT's abort() without a handler, /GS) and the
     * heap's own corruption checks, which glibc answers with abort(). */
    case STATUS_STACK_BUFFER_OVERRUN:
    case STATUS_HEAP_CORRUPTION:
    case STATUS_ASSERTION_FAILURE:
        return 6; /* SIGABRT */
    case STATUS_CONTROL_C_EXIT:
        return 2; /* SIGINT */
    default:
        return 0;
    }
}

/* Turns a Windows exit code into the POSIX shape (0..255). A crash that the
 * child did not map itself (see xipc__child_prepare) ends it with its
 * exception code, an NTSTATUS of warning or error severity without the
 * "customer" bit (0x80000000..0x9FFFFFFF, 0xC0000000..0xDFFFFFFF): a known
 * one gives 128 + its POSIX signal, any other 255. Every other code is cut
 * to its low 8 bits, as a POSIX exit status is, so exit(n) gives n & 0xff
 * on both platforms for every n >= -2^29 (exit(-2) exits with 0xFFFFFFFE,
 * which is no exception code). */
static int exit_status(DWORD code)
{
    int sig = fault_signal(code);

    if (sig != 0)
        return 128 + sig;
    /* Bit 31: warning or error severity; bit 29: the "customer" bit,
     * which exception codes do not have. */
    if ((code & 0x80000000u) != 0 && (code & 0x20000000u) == 0)
        return 255;
    return (int)(code & 0xFFu);
}

/* The top-level exception filter that the C runtime installed before
 * main(): MinGW's turns faults into the C signals (SIGSEGV, SIGILL, SIGFPE)
 * for handlers the program set with signal(). */
static LPTOP_LEVEL_EXCEPTION_FILTER runtime_filter;

/* Ends a child whose exception nothing handled, with the code of the rule,
 * before Windows shows an error dialog or starts a debugger (Wine starts
 * winedbg, which dumps the threads, modules and stack into the log). */
static LONG WINAPI crash_filter(EXCEPTION_POINTERS *ep)
{
    DWORD code = ep != NULL && ep->ExceptionRecord != NULL
                     ? ep->ExceptionRecord->ExceptionCode
                     : 0;
    int sig = fault_signal(code);

    /* A handler the program set with signal() still runs first, and may
     * resume the program. */
    if (runtime_filter != NULL &&
        runtime_filter(ep) == EXCEPTION_CONTINUE_EXECUTION)
        return EXCEPTION_CONTINUE_EXECUTION;
    TerminateProcess(GetCurrentProcess(), sig != 0 ? 128u + (UINT)sig : 255u);
    return EXCEPTION_EXECUTE_HANDLER; /* not reached */
}

/* abort() raises SIGABRT and, if the handler returns, exits with code 3
 * (msvcrt) or fails fast (UCRT); a POSIX abort() ends the process with
 * SIGABRT, 134. */
static void on_abort(int sig)
{
    (void)sig;
    TerminateProcess(GetCurrentProcess(), 128u + 6u);
}

void xipc__child_prepare(void)
{
    /* No "the program has stopped working" dialog, no "insert a disk" box
     * for a missing drive, no box for a file that cannot be opened: a child
     * nobody watches must end, not wait for a click. */
    UINT mode = SetErrorMode(0);
    SetErrorMode(mode | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX |
                 SEM_NOOPENFILEERRORBOX);
    runtime_filter = SetUnhandledExceptionFilter(crash_filter);
    signal(SIGABRT, on_abort);
}

/* Stores in *out the exit code of the child, which has ended (its handle
 * is signalled), reading it from the system the first time. */
static int collect(xipc__child *c, int *out)
{
    DWORD code;
    int rc = 0;

    AcquireSRWLockExclusive(&c->lock);
    if (!c->ended) {
        if (GetExitCodeProcess(c->process, &code)) {
            c->code = exit_status(code);
            c->ended = 1;
        } else {
            rc =
                w32_fail(XIPC_ESYS, "GetExitCodeProcess", NULL, GetLastError());
        }
    }
    if (rc == 0)
        *out = c->code;
    ReleaseSRWLockExclusive(&c->lock);
    return rc;
}

int xipc__child_wait(xipc__child *c, int64_t timeout_ms, int *exit_code)
{
    int64_t deadline;
    DWORD r, ms;

    if (timeout_ms > INT64_MAX / 2000000)
        timeout_ms = -1; /* centuries: the same as forever */
    deadline = xipc__sys_now_ns() + timeout_ms * 1000000;
    for (;;) {
        /* A Windows wait may end up to a clock tick early and takes at most
         * 2^32 - 2 ms, so the deadline is kept on the monotonic clock and
         * the wait repeated until it has passed. Any number of threads may
         * wait on one process handle. */
        if (timeout_ms < 0) {
            ms = INFINITE;
        } else {
            int64_t left = (deadline - xipc__sys_now_ns() + 999999) / 1000000;
            ms = left <= 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (DWORD)left;
        }
        r = WaitForSingleObject(c->process, ms);
        if (r == WAIT_OBJECT_0)
            break;
        if (r != WAIT_TIMEOUT)
            return w32_fail(XIPC_ESYS, "WaitForSingleObject", NULL,
                            GetLastError());
        if (xipc__sys_now_ns() >= deadline)
            return XIPC_ETIMEDOUT;
    }
    return collect(c, exit_code);
}

int xipc__child_kill(xipc__child *c)
{
    DWORD e;

    /* The handle keeps the process object (and its id) alive, so whatever
     * happened to the child, this reaches no other process. */
    if (WaitForSingleObject(c->process, 0) == WAIT_OBJECT_0)
        return 0;
    XIPC__FAULT_POINT("proc:kill:signal");
    /* The code a POSIX wait reports for SIGKILL, so both platforms agree. */
    if (TerminateProcess(c->process, XIPC_PROC_KILLED))
        return 0;
    /* Terminating a process that has just ended fails with "access
     * denied"; that is the "already ended" case, not an error. */
    e = GetLastError();
    if (WaitForSingleObject(c->process, 0) == WAIT_OBJECT_0)
        return 0;
    return w32_fail(XIPC_ESYS, "TerminateProcess", NULL, e);
}

int64_t xipc__child_pid(const xipc__child *c)
{
    return (int64_t)c->pid;
}

void xipc__child_free(xipc__child *c)
{
    CloseHandle(c->process);
    free(c);
}

int xipc__child_autoreap(int on)
{
    (void)on; /* Windows keeps a child's exit code with its process. */
    return xipc__fail(XIPC_ENOTSUP, "xipc__child_autoreap", NULL,
                      "Windows has no SIGCHLD: a child's exit code stays "
                      "with its process handle");
}

int xipc__child_force_fallback(int on)
{
    (void)on; /* A process handle is the only way, and it is exact. */
    return xipc__fail(XIPC_ENOTSUP, "xipc__child_force_fallback", NULL,
                      "Windows addresses a child by its process handle only");
}
