/*
 * shm.c - named segments for the Windows backend: pagefile-backed sections
 * (CreateFileMappingW/MapViewOfFile) in the Local\ namespace, with the
 * lifetime of include/xipc.h.
 *
 * A Windows section lives exactly while a handle to it is open, and the
 * kernel closes every handle of a process however it ends, so "an object
 * lives while held; the last close, exit or kill destroys it" comes for free
 * and nothing is ever stale. What Windows cannot do is take the name away
 * from a live section, which unlink needs. So a name is backed by up to
 * XIPC_W32_GENS generations of sections, "Local\xipc.m.<name>.<gen>", each
 * starting with a private 64-byte prefix in front of the core's bytes: a
 * magic, stored once the creator's init has succeeded, and an "unlinked"
 * flag. The live object of a name is the generation whose prefix has the
 * magic and no flag; unlink sets the flag, and a later create takes a
 * generation that does not exist. The core never sees the prefix: its base
 * is the mapping + 64 and the sizes it gives and gets exclude the prefix.
 *
 * Create, open, close and unlink of one name are serialised across processes
 * by the named mutex "Local\xipc.n.<name>", which the kernel hands on
 * (abandoned) if its owner dies. Windows has one namespace for every kind of
 * kernel object, so each kind gets its own prefix ("m" for mappings, "n" for
 * the name lock) and objects of one user name never collide.
 */
#include "../internal.h"
#include "../platform.h"
#include "w32.h"

#include <windows.h>
#include <aclapi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* How many sections one name may have at once: the live one plus those that
 * were unlinked while still held. */
#define XIPC_W32_GENS 16

/* The backend's prefix in front of the core's bytes. */
#define PREFIX_SIZE 64u
#define PREFIX_MAGIC UINT64_C(0x3233572d43504958) /* "XIPC-W32" */

struct seg_prefix {
    uint64_t magic;         /* PREFIX_MAGIC once the creator's init succeeded */
    volatile LONG unlinked; /* 1 once unlink has freed the name */
    unsigned char pad[PREFIX_SIZE - 12];
};
_Static_assert(sizeof(struct seg_prefix) == PREFIX_SIZE,
               "the backend prefix is 64 bytes");

/* Translates a Win32 error to an xipc code; out_of_memory is the code for
 * the "not enough memory / commit" family, which means XIPC_ENOSPC when a
 * section is created and XIPC_ENOMEM when a view is mapped. */
static int w32_rc(DWORD e, int out_of_memory)
{
    switch (e) {
    case ERROR_ACCESS_DENIED:
        return XIPC_EACCES;
    case ERROR_FILE_NOT_FOUND:
        return XIPC_ENOENT;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
        return out_of_memory;
    default:
        return XIPC_ESYS;
    }
}

/* See w32.h. */
int xipc__w32_fail(const char *what, const char *name, DWORD e,
                   int out_of_memory)
{
    char msg[200];
    size_t n = (size_t)snprintf(msg, sizeof msg,
                                "Win32 error %lu: ", (unsigned long)e);
    DWORD len = FormatMessageA(
        FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0,
        msg + n, (DWORD)(sizeof msg - n), NULL);

    /* "Win32 error 5: Access denied", without the text's ". \r\n" tail, or
     * just "Win32 error 5" when Windows has no text for it. */
    while (len > 0 && strchr(" .\r\n", msg[n + len - 1]) != NULL)
        len--;
    if (len == 0)
        n -= 2;
    msg[n + len] = '\0';
    return xipc__fail(w32_rc(e, out_of_memory), what, name, msg);
}

/* Writes the kernel name "Local\xipc.<kind>.<name>" (gen < 0) or
 * "Local\xipc.<kind>.<name>.<gen>" twice: narrow for messages and wide for
 * the W functions. Names reaching the seam are ASCII, so widening is a
 * copy. */
static void kernel_name(char narrow[KNAME_BUF], wchar_t wide[KNAME_BUF],
                        char kind, const char *name, int gen)
{
    size_t i;

    if (gen < 0)
        snprintf(narrow, KNAME_BUF, "Local\\xipc.%c.%s", kind, name);
    else
        snprintf(narrow, KNAME_BUF, "Local\\xipc.%c.%s.%d", kind, name, gen);
    for (i = 0; (wide[i] = (wchar_t)(unsigned char)narrow[i]) != 0; i++)
        ;
}

/* The longest an operation waits for another process's work on the same
 * name (a process stopped in the middle of it blocks that name only). */
#define NAME_WAIT_MS 5000

/* Takes the cross-process lock of one name, waiting at most NAME_WAIT_MS.
 * Returns 0 and the locked mutex in *out, XIPC_EBUSY, or another negative
 * xipc code. */
static int name_lock(const char *name, HANDLE *out)
{
    char kname[KNAME_BUF];
    wchar_t wname[KNAME_BUF];
    SECURITY_ATTRIBUTES sa;
    SECURITY_DESCRIPTOR sd;
    TOKEN_DEFAULT_DACL *dd = NULL;
    HANDLE m;
    DWORD r, e;
    int rc;

    kernel_name(kname, wname, 'n', name, -1);
    /* The creator's default security, so that no other user can take the
     * name's lock (Wine gives an object made without one no DACL). */
    if ((rc = xipc__w32_default_security(&sa, &sd, &dd, kname)) != 0) {
        free(dd);
        return rc;
    }
    m = CreateMutexW(&sa, FALSE, wname);
    e = GetLastError();
    free(dd);
    if (m == NULL)
        return xipc__w32_fail("CreateMutexW", kname, e, XIPC_ENOMEM);
    /* WAIT_ABANDONED still gives us the mutex: its owner died holding it,
     * and nothing it left matters, since a section it was creating carries
     * no magic yet and dies with the owner's handles. */
    r = WaitForSingleObject(m, NAME_WAIT_MS);
    if (r == WAIT_TIMEOUT) {
        CloseHandle(m);
        return xipc__fail(XIPC_EBUSY, "lock name", kname,
                          "another process has kept this name locked for "
                          "seconds (stopped in the middle of a create, "
                          "close or unlink?)");
    }
    if (r != WAIT_OBJECT_0 && r != WAIT_ABANDONED) {
        e = GetLastError();
        CloseHandle(m);
        return xipc__w32_fail("WaitForSingleObject", kname, e, XIPC_ENOMEM);
    }
    *out = m;
    return 0;
}

static void name_unlock(HANDLE m)
{
    ReleaseMutex(m);
    CloseHandle(m);
}

/* Unmaps the view and closes the handle, if any. */
static void seg_release(xipc__seg *s)
{
    if (s->view != NULL)
        UnmapViewOfFile(s->view);
    if (s->map != NULL)
        CloseHandle(s->map);
    s->view = NULL;
    s->map = NULL;
}

enum { GEN_NONE, GEN_DEAD, GEN_LIVE, GEN_FOREIGN };

/* With the name lock held: opens generation `gen` of `name` with `access`
 * (FILE_MAP_READ, maybe with FILE_MAP_WRITE) and maps all of it into s.
 * Returns GEN_NONE if there is no such section (s then holds nothing);
 * otherwise s holds the section and the result says what it is: GEN_LIVE,
 * GEN_DEAD (unlinked, or left by a creator that died before its init
 * finished) or GEN_FOREIGN (not made by xipc). Returns a negative code, with
 * s holding nothing, if a call fails. */
static int probe(xipc__seg *s, const char *name, int gen, DWORD access)
{
    wchar_t wname[KNAME_BUF];
    MEMORY_BASIC_INFORMATION mbi;
    const struct seg_prefix *p;
    DWORD e;

    kernel_name(s->kname, wname, 'm', name, gen);
    /* READ_CONTROL lets xipc__seg_owner_only() read the security of a
     * section this process opened rather than created. */
    s->map = OpenFileMappingW(access | READ_CONTROL, FALSE, wname);
    if (s->map == NULL) {
        e = GetLastError();
        /* ERROR_INVALID_HANDLE: the name is taken by a kernel object of
         * another type, which is no section of ours. */
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_INVALID_HANDLE)
            return GEN_NONE;
        return xipc__w32_fail("OpenFileMappingW", s->kname, e, XIPC_ENOMEM);
    }
    s->view = MapViewOfFile(s->map, access, 0, 0, 0);
    if (s->view == NULL) {
        e = GetLastError();
        seg_release(s);
        return xipc__w32_fail("MapViewOfFile", s->kname, e, XIPC_ENOMEM);
    }
    if (VirtualQuery(s->view, &mbi, sizeof mbi) == 0) {
        e = GetLastError();
        seg_release(s);
        return xipc__w32_fail("VirtualQuery", s->kname, e, XIPC_ENOMEM);
    }
    s->mapped = (uint64_t)mbi.RegionSize;
    if (s->mapped < PREFIX_SIZE)
        return GEN_FOREIGN;
    /* The prefix is written and read only under the name lock, whose
     * acquire and release order the accesses; no barrier is needed here. */
    p = s->view;
    if (p->magic == 0)
        return GEN_DEAD;
    if (p->magic != PREFIX_MAGIC)
        return GEN_FOREIGN;
    return p->unlinked ? GEN_DEAD : GEN_LIVE;
}

/* Checks that the system can commit `total` bytes. Windows charges a
 * SEC_COMMIT section against the commit limit when it is created (and fails
 * with ERROR_COMMITMENT_LIMIT), but Wine does not enforce commit at all: a
 * 1 TiB section succeeds there and its pages would fail only when touched.
 * Comparing with the available commit first gives XIPC_ENOSPC on both. */
static int reserve_check(const char *name, uint64_t total)
{
    MEMORYSTATUSEX ms;
    int tries;

    /* Wine's answer is now and then nonsense (zero) while other threads
     * ask at the same moment: a refusal is asked again before it stands,
     * and an object of a page or so is never refused on its word. */
    if (total <= 65536)
        return 0;
    for (tries = 0; tries < 3; tries++) {
        ms.dwLength = sizeof ms;
        if (!GlobalMemoryStatusEx(&ms))
            return xipc__w32_fail("GlobalMemoryStatusEx", name, GetLastError(),
                                  XIPC_ENOMEM);
        if (total <= ms.ullAvailPageFile)
            return 0;
        Sleep(0);
    }
    return xipc__fail(XIPC_ENOSPC, "create", name,
                      "larger than the memory the system can commit");
}

/* See w32.h. */
int xipc__w32_default_security(SECURITY_ATTRIBUTES *sa, SECURITY_DESCRIPTOR *sd,
                               TOKEN_DEFAULT_DACL **dd, const char *name)
{
    HANDLE token;
    DWORD n = 0, e = 0;

    *dd = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        return xipc__w32_fail("OpenProcessToken", name, GetLastError(),
                              XIPC_ENOMEM);
    if (!GetTokenInformation(token, TokenDefaultDacl, NULL, 0, &n) &&
        (e = GetLastError()) != ERROR_INSUFFICIENT_BUFFER) {
        CloseHandle(token);
        return xipc__w32_fail("GetTokenInformation", name, e, XIPC_ENOMEM);
    }
    if ((*dd = malloc(n)) == NULL) {
        CloseHandle(token);
        return xipc__fail(XIPC_ENOMEM, "malloc", name, NULL);
    }
    if (!GetTokenInformation(token, TokenDefaultDacl, *dd, n, &n)) {
        e = GetLastError();
        CloseHandle(token);
        return xipc__w32_fail("GetTokenInformation", name, e, XIPC_ENOMEM);
    }
    CloseHandle(token);
    sa->nLength = sizeof *sa;
    sa->bInheritHandle = FALSE;
    sa->lpSecurityDescriptor = NULL;
    /* A token without a default DACL leaves the choice to the system;
     * owner_only() then reports what it chose. */
    if ((*dd)->DefaultDacl != NULL) {
        if (!InitializeSecurityDescriptor(sd, SECURITY_DESCRIPTOR_REVISION) ||
            !SetSecurityDescriptorDacl(sd, TRUE, (*dd)->DefaultDacl, FALSE))
            return xipc__w32_fail("SetSecurityDescriptorDacl", name,
                                  GetLastError(), XIPC_ENOMEM);
        sa->lpSecurityDescriptor = sd;
    }
    return 0;
}

/* See w32.h. */
int xipc__w32_seg_object(const xipc__seg *seg, char kind, unsigned index,
                         HANDLE (*make)(SECURITY_ATTRIBUTES *sa,
                                        const wchar_t *name),
                         const char *what, HANDLE *out, char name[SUBNAME_BUF])
{
    static const char mprefix[] = "Local\\xipc.m.";
    wchar_t wname[SUBNAME_BUF];
    SECURITY_ATTRIBUTES sa;
    SECURITY_DESCRIPTOR sd;
    TOKEN_DEFAULT_DACL *dd = NULL;
    size_t i;
    int rc;

    if (strncmp(seg->kname, mprefix, sizeof mprefix - 1) != 0)
        return xipc__fail(XIPC_ESYS, "attach", seg->kname,
                          "unexpected kernel name of the segment");
    snprintf(name, SUBNAME_BUF, "%s.%u", seg->kname, index);
    name[sizeof mprefix - 2] = kind;
    for (i = 0; (wname[i] = (wchar_t)(unsigned char)name[i]) != 0; i++)
        ;
    if ((rc = xipc__w32_default_security(&sa, &sd, &dd, name)) == 0 &&
        (*out = make(&sa, wname)) == NULL)
        rc = xipc__w32_fail(what, name, GetLastError(), XIPC_ENOMEM);
    free(dd);
    return rc;
}

/* With the name lock held: creates generation `gen` of `name` with `total`
 * bytes into s->map. Returns 0, 1 if that generation's name is already
 * taken (by a section, or by another type of kernel object), or a negative
 * code. */
static int new_section(xipc__seg *s, const char *name, int gen, uint64_t total,
                       SECURITY_ATTRIBUTES *sa)
{
    wchar_t wname[KNAME_BUF];
    DWORD e;

    kernel_name(s->kname, wname, 'm', name, gen);
    s->map = CreateFileMappingW(INVALID_HANDLE_VALUE, sa,
                                PAGE_READWRITE | SEC_COMMIT,
                                (DWORD)(total >> 32), (DWORD)total, wname);
    e = GetLastError();
    if (s->map == NULL)
        return e == ERROR_INVALID_HANDLE
                   ? 1
                   : xipc__w32_fail("CreateFileMappingW", s->kname, e,
                                    XIPC_ENOSPC);
    if (e == ERROR_ALREADY_EXISTS) {
        /* An unlinked section still held: not ours to reuse. */
        seg_release(s);
        return 1;
    }
    return 0;
}

/* Allocates a handle for `name` and takes the name's lock, the first steps
 * of create and open. Returns 0, or XIPC_ENOMEM / the lock's error. */
static int seg_begin(const char *name, xipc__seg **sp, HANDLE *lk)
{
    xipc__seg *s;
    int rc;

    if ((s = calloc(1, sizeof *s)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
    memcpy(s->name, name, strlen(name) + 1);
    if ((rc = name_lock(name, lk)) != 0) {
        free(s);
        return rc;
    }
    *sp = s;
    return 0;
}

/* With the name lock held: looks at the generations of `name` in turn
 * (they can have gaps: an old one destroyed, a newer one live) until the
 * live one or a foreign section, mapped with `access`. Returns GEN_LIVE or
 * GEN_FOREIGN with s holding that section, GEN_NONE with s holding
 * nothing, or a negative code. */
static int find_live(xipc__seg *s, const char *name, DWORD access)
{
    int gen, rc;

    for (gen = 0; gen < XIPC_W32_GENS; gen++) {
        rc = probe(s, name, gen, access);
        if (rc < 0 || rc == GEN_LIVE || rc == GEN_FOREIGN)
            return rc;
        seg_release(s);
    }
    return GEN_NONE;
}

int xipc__seg_create(xipc__seg **out, const char *name, uint64_t size,
                     xipc__seg_init_fn init, void *ctx)
{
    uint64_t total = size + PREFIX_SIZE;
    SECURITY_ATTRIBUTES sa;
    SECURITY_DESCRIPTOR sd;
    TOKEN_DEFAULT_DACL *dd = NULL;
    struct seg_prefix *p;
    xipc__seg *s = NULL; /* set by seg_begin; GCC cannot see it */
    HANDLE lk;
    int gen, rc;

    if (size > SIZE_MAX - PREFIX_SIZE)
        return xipc__fail(XIPC_EINVAL, "xipc__seg_create", name,
                          "size too large for this system");
    if ((rc = seg_begin(name, &s, &lk)) != 0)
        return rc;
    /* A live generation makes the name taken; so does a foreign section,
     * which open would report as XIPC_ECORRUPT. */
    for (gen = 0; gen < XIPC_W32_GENS; gen++) {
        rc = probe(s, name, gen, FILE_MAP_READ);
        seg_release(s);
        if (rc == GEN_LIVE || rc == GEN_FOREIGN)
            rc = xipc__fail(XIPC_EEXIST, "create", name, NULL);
        if (rc < 0)
            goto fail;
    }
    if ((rc = reserve_check(name, total)) != 0 ||
        (rc = xipc__w32_default_security(&sa, &sd, &dd, name)) != 0)
        goto fail;
    /* The first generation that does not exist; the others are unlinked
     * sections that their holders still use. */
    for (gen = 0; gen < XIPC_W32_GENS; gen++)
        if ((rc = new_section(s, name, gen, total, &sa)) != 1)
            break;
    if (gen == XIPC_W32_GENS)
        rc = xipc__fail(XIPC_EBUSY, "create", name,
                        "every generation of the name is taken by an "
                        "unlinked object that is still held");
    if (rc != 0)
        goto fail;
    /* The generation is ours, and counts as dead (no magic) until it is
     * published: the name's lock is let go while the memory is mapped and
     * initialised, so that a large create, or a creator stopped half-way,
     * delays no other operation on the name. */
    name_unlock(lk);
    lk = NULL;
    s->view = MapViewOfFile(s->map, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (s->view == NULL) {
        rc = xipc__w32_fail("MapViewOfFile", s->kname, GetLastError(),
                            XIPC_ENOMEM);
        goto fail;
    }
    s->mapped = total;
    /* A new section is zero-filled already. */
    if ((rc = init((unsigned char *)s->view + PREFIX_SIZE, size, ctx)) != 0)
        goto fail;
    /* Published under the lock, unless another creator published first. */
    if ((rc = name_lock(name, &lk)) != 0) {
        lk = NULL;
        goto fail;
    }
    {
        xipc__seg other;
        memset(&other, 0, sizeof other);
        rc = find_live(&other, name, FILE_MAP_READ);
        seg_release(&other);
        if (rc == GEN_LIVE || rc == GEN_FOREIGN)
            rc = xipc__fail(XIPC_EEXIST, "create", name, NULL);
        if (rc < 0)
            goto fail;
    }
    /* Only now does the section count as live: a creator that dies before
     * this line leaves a generation that probe() reports as dead. */
    p = s->view;
    p->magic = PREFIX_MAGIC;
    name_unlock(lk);
    free(dd);
    *out = s;
    return 0;

fail:
    seg_release(s); /* our handle was the only one: the section dies */
    if (lk != NULL)
        name_unlock(lk);
    free(dd);
    free(s);
    return rc;
}

int xipc__seg_open(xipc__seg **out, const char *name, int readonly,
                   xipc__seg_check_fn check, void *ctx)
{
    DWORD access = readonly ? FILE_MAP_READ : FILE_MAP_READ | FILE_MAP_WRITE;
    xipc__seg *s = NULL; /* set by seg_begin; GCC cannot see it */
    HANDLE lk = NULL;
    int rc;

    if (readonly == XIPC__SEG_PEEK) {
        /* A look: no waiting for the name's lock (a stalled peer holds it
         * for one name only, but a listing looks at every name). */
        if ((s = calloc(1, sizeof *s)) == NULL)
            return xipc__fail(XIPC_ENOMEM, "calloc", name, NULL);
        memcpy(s->name, name, strlen(name) + 1);
        s->peek = 1;
    } else if ((rc = seg_begin(name, &s, &lk)) != 0) {
        return rc;
    }
    if ((rc = find_live(s, name, access)) < 0)
        goto fail;
    if (rc == GEN_FOREIGN) {
        rc = xipc__fail(XIPC_ECORRUPT, "open", s->kname, "not an xipc object");
        goto fail;
    }
    if (rc != GEN_LIVE) {
        rc = xipc__fail(XIPC_ENOENT, "open", name, NULL);
        goto fail;
    }
    rc = check((unsigned char *)s->view + PREFIX_SIZE, s->mapped - PREFIX_SIZE,
               ctx);
    if (rc != 0)
        goto fail;
    if (lk != NULL)
        name_unlock(lk);
    *out = s;
    return 0;

fail:
    seg_release(s);
    if (lk != NULL)
        name_unlock(lk);
    free(s);
    return rc;
}

void xipc__seg_close(xipc__seg *s)
{
    HANDLE lk;
    int locked = !s->peek && name_lock(s->name, &lk) == 0;

    /* The kernel destroys the section with its last handle; the name needs
     * no cleanup. Without the lock (only if the mutex cannot be made) the
     * handle is released all the same. */
    seg_release(s);
    if (locked)
        name_unlock(lk);
    free(s);
}

void *xipc__seg_base(const xipc__seg *s)
{
    return (unsigned char *)s->view + PREFIX_SIZE;
}

int xipc__seg_unlink(const char *name)
{
    xipc__seg s;
    HANDLE lk;
    int rc;

    memset(&s, 0, sizeof s);
    if ((rc = name_lock(name, &lk)) != 0)
        return rc;
    XIPC__FAULT_POINT("unlink:locked");
    rc = find_live(&s, name, FILE_MAP_READ | FILE_MAP_WRITE);
    if (rc == GEN_LIVE)
        InterlockedExchange(&((struct seg_prefix *)s.view)->unlinked, 1);
    seg_release(&s);
    name_unlock(lk);
    if (rc == GEN_LIVE)
        return 0;
    if (rc == GEN_FOREIGN)
        return xipc__fail(XIPC_ECORRUPT, "unlink", s.kname,
                          "not an xipc object");
    if (rc < 0)
        return rc;
    return xipc__fail(XIPC_ENOENT, "unlink", name, NULL);
}

int xipc__seg_sweep(const char *prefix, void (*cb)(const char *name, void *ctx),
                    void *ctx)
{
    /* The kernel destroys a section with its last handle, so no section is
     * ever stale and there is nothing to remove. */
    (void)prefix;
    (void)cb;
    (void)ctx;
    return 0;
}

/* The object manager's directory calls, which Windows exports from ntdll
 * only (no import library is needed: they are looked up at run time). */
typedef struct {
    USHORT Length, MaximumLength;
    PWSTR Buffer;
} nt_ustr;
typedef struct {
    ULONG Length;
    HANDLE RootDirectory;
    nt_ustr *ObjectName;
    ULONG Attributes;
    PVOID SecurityDescriptor, SecurityQualityOfService;
} nt_oattr;
typedef struct {
    nt_ustr Name, TypeName;
} nt_dirinfo;
typedef LONG(NTAPI *nt_open_dir_fn)(HANDLE *, ACCESS_MASK, nt_oattr *);
typedef LONG(NTAPI *nt_query_dir_fn)(HANDLE, PVOID, ULONG, BOOLEAN, BOOLEAN,
                                     PULONG, PULONG);
#define NT_DIRECTORY_QUERY 0x0001
#define NT_MORE_ENTRIES ((LONG)0x00000105)
#define NT_BUFFER_OVERFLOW ((LONG)0x80000005)
#define NT_NO_MORE_ENTRIES ((LONG)0x8000001A)
#define NT_NOT_IMPLEMENTED ((LONG)0xC0000002)
#define NT_BUFFER_TOO_SMALL ((LONG)0xC0000023)

/* Returns 1 if `name` has a live generation, 0 if not, or a negative code:
 * the question open asks, without holding anything afterwards. */
static int has_live(const char *name)
{
    xipc__seg s;
    int rc;

    /* A look, without the name's lock: a listing looks at every name, and
     * a process stopped in the middle of its work on one name must not
     * stall it (the answer is a snapshot either way). */
    memset(&s, 0, sizeof s);
    rc = find_live(&s, name, FILE_MAP_READ);
    seg_release(&s);
    return rc < 0 ? rc : rc == GEN_LIVE;
}

/* The largest buffer a whole-directory query may take (about two million
 * entries), and the first one: room for one entry with the longest name a
 * kernel object can have (32767 characters) and its type. */
#define DIR_BUF_MAX (256u << 20)
#define DIR_BUF_FIRST (160u << 10)

/* The session's directory of named objects ("Local\" is the directory
 * \Sessions\<id>\BaseNamedObjects), open for queries, and the buffer they
 * fill. */
struct dir {
    HANDLE h;
    nt_query_dir_fn query;
    unsigned char *buf;
    ULONG cap;
};

static int dir_open(struct dir *d)
{
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    nt_open_dir_fn open_dir;
    wchar_t path[64];
    nt_ustr upath;
    nt_oattr oa;
    ULONG sid = 0;

    memset(d, 0, sizeof *d);
    open_dir = (nt_open_dir_fn)(void (*)(void))GetProcAddress(
        ntdll, "NtOpenDirectoryObject");
    d->query = (nt_query_dir_fn)(void (*)(void))GetProcAddress(
        ntdll, "NtQueryDirectoryObject");
    if (open_dir == NULL || d->query == NULL)
        return xipc__fail(XIPC_ESYS, "GetProcAddress", "ntdll",
                          "no NtQueryDirectoryObject");
    /* Session 0 (services) keeps Local\ objects in the global directory. */
    if (!ProcessIdToSessionId(GetCurrentProcessId(), &sid) || sid == 0)
        wcscpy(path, L"\\BaseNamedObjects");
    else
        swprintf(path, sizeof path / sizeof path[0],
                 L"\\Sessions\\%lu\\BaseNamedObjects", (unsigned long)sid);
    upath.Buffer = path;
    upath.Length = (USHORT)(wcslen(path) * sizeof(wchar_t));
    upath.MaximumLength = upath.Length;
    memset(&oa, 0, sizeof oa);
    oa.Length = sizeof oa;
    oa.ObjectName = &upath;
    oa.Attributes = 0x40; /* OBJ_CASE_INSENSITIVE */
    if ((d->buf = malloc(DIR_BUF_FIRST)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "malloc", "BaseNamedObjects", NULL);
    d->cap = DIR_BUF_FIRST;
    if (open_dir(&d->h, NT_DIRECTORY_QUERY, &oa) < 0) {
        free(d->buf);
        return xipc__fail(XIPC_ESYS, "NtOpenDirectoryObject",
                          "BaseNamedObjects", "the session's directory");
    }
    return 0;
}

static void dir_close(struct dir *d)
{
    CloseHandle(d->h);
    free(d->buf);
}

/* Doubles the query buffer, or makes it `want` bytes if that is more.
 * Returns 0 or XIPC_ENOMEM. */
static int dir_grow(struct dir *d, ULONG want)
{
    ULONG cap = d->cap * 2 > want ? d->cap * 2 : want;
    void *p;

    if (d->cap >= DIR_BUF_MAX ||
        (p = realloc(d->buf, cap < DIR_BUF_MAX ? cap : DIR_BUF_MAX)) == NULL)
        return xipc__fail(XIPC_ENOMEM, "xipc__seg_list", "BaseNamedObjects",
                          "the directory does not fit in memory");
    d->buf = p;
    d->cap = cap < DIR_BUF_MAX ? cap : DIR_BUF_MAX;
    return 0;
}

static int dir_fail(LONG st)
{
    char msg[32];
    snprintf(msg, sizeof msg, "NTSTATUS 0x%08lx", (unsigned long)st);
    return xipc__fail(XIPC_ESYS, "NtQueryDirectoryObject", "BaseNamedObjects",
                      msg);
}

/* The names of the xipc objects a listing has found (with repeats, which
 * are removed at the end). */
struct found {
    char (*v)[XIPC__NAME_BUF];
    size_t n, cap;
};

/* Adds the name of the object behind directory entry (name, type) to f if
 * it is one of our sections, "xipc.m.<name>.<gen>", with a canonical name
 * that starts with `prefix`. Returns 0 or XIPC_ENOMEM. */
static int found_add(struct found *f, const wchar_t *ename, size_t nlen,
                     int section, const char *prefix)
{
    static const wchar_t mark[] = L"xipc.m.";
    size_t i, mlen = wcslen(mark), dot;
    char name[XIPC__NAME_BUF], canon[XIPC__NAME_BUF];

    if (!section || nlen <= mlen || _wcsnicmp(ename, mark, mlen) != 0)
        return 0;
    /* "<name>.<gen>": the name is what lies before the last dot. */
    for (dot = nlen; dot > mlen && ename[dot - 1] != L'.'; dot--)
        ;
    if (dot <= mlen + 1 || dot - 1 - mlen >= sizeof name)
        return 0;
    for (i = mlen; i < dot - 1; i++)
        name[i - mlen] = ename[i] < 128 ? (char)ename[i] : '?';
    name[dot - 1 - mlen] = '\0';
    if (xipc__name_canon(name, canon) != 0 || strcmp(canon, name) != 0 ||
        strncmp(name, prefix, strlen(prefix)) != 0)
        return 0;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        void *p = realloc(f->v, cap * sizeof *f->v);
        if (p == NULL)
            return xipc__fail(XIPC_ENOMEM, "xipc__seg_list", name, NULL);
        f->v = p;
        f->cap = cap;
    }
    memcpy(f->v[f->n++], name, strlen(name) + 1);
    return 0;
}

static int is_section(const nt_ustr *type)
{
    static const wchar_t section[] = L"Section";
    return type->Length == sizeof section - sizeof(wchar_t) &&
           _wcsnicmp(type->Buffer, section, wcslen(section)) == 0;
}

/* Reads the whole directory with one query, which Windows answers under
 * the directory's lock and Wine (from 9.11) in one server request: a
 * snapshot, so it holds every object that exists for the whole call. A
 * query that does not fit is made again from the start with a larger
 * buffer, never continued, since a continuation would be a second look at
 * a directory that may have changed. Returns 1 once f holds the directory's
 * xipc names, 0 if this system answers single-entry queries only (Wine
 * before 9.11), or a negative code. */
static int dir_snapshot(struct dir *d, struct found *f, const char *prefix)
{
    /* Remembered, since Wine reports the FIXME at every call. */
    static volatile LONG single_only;
    const nt_dirinfo *e, *end;
    ULONG ctx, len;
    LONG st;
    int rc;

    if (single_only)
        return 0;
    for (;;) {
        ctx = 0;
        len = 0;
        st = d->query(d->h, d->buf, d->cap, FALSE, TRUE, &ctx, &len);
        if (st == NT_NOT_IMPLEMENTED) {
            InterlockedExchange(&single_only, 1);
            return 0;
        }
        if (st == NT_NO_MORE_ENTRIES)
            return 1; /* an empty directory */
        if (st != NT_MORE_ENTRIES && st != NT_BUFFER_OVERFLOW &&
            st != NT_BUFFER_TOO_SMALL)
            break;
        if ((rc = dir_grow(d, len)) != 0)
            return rc;
    }
    if (st < 0)
        return dir_fail(st);
    /* The entries end with an empty one, before the strings they point
     * to. */
    end = (const nt_dirinfo *)(d->buf + d->cap) - 1;
    for (e = (const nt_dirinfo *)d->buf; e < end && e->Name.Buffer != NULL; e++)
        if ((rc = found_add(f, e->Name.Buffer, e->Name.Length / sizeof(wchar_t),
                            is_section(&e->TypeName), prefix)) != 0)
            return rc;
    return 1;
}

/* Reads the entry at `index` with a single-entry query. Returns 0 with
 * *info pointing into d's buffer (NULL past the last entry), or a negative
 * code. */
static int dir_read(struct dir *d, ULONG index, const nt_dirinfo **info)
{
    ULONG ctx, len;
    LONG st;
    int rc;

    for (;;) {
        ctx = index;
        len = 0;
        st = d->query(d->h, d->buf, d->cap, TRUE, FALSE, &ctx, &len);
        if (st == NT_NO_MORE_ENTRIES) {
            *info = NULL;
            return 0;
        }
        if (st != NT_BUFFER_OVERFLOW && st != NT_BUFFER_TOO_SMALL)
            break;
        if ((rc = dir_grow(d, len)) != 0)
            return rc;
    }
    if (st < 0)
        return dir_fail(st);
    *info = (const nt_dirinfo *)d->buf;
    return 0;
}

/* Every name the passes below have read, by a 64-bit hash of it, with a
 * bit for each pass that read it (an open-addressing table). */
struct sightings {
    struct sighting {
        uint64_t hash, passes;
    } * v;
    size_t n, cap;
};

static uint64_t name_hash(const wchar_t *s, size_t len)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */
    size_t i;

    for (i = 0; i < len; i++)
        h = (h ^ (uint16_t)s[i]) * UINT64_C(0x100000001b3);
    return h != 0 ? h : 1; /* 0 marks a free slot */
}

/* Records that pass p read the name with hash h. Returns 1 if no earlier
 * pass read it, 0 if one did, or XIPC_ENOMEM. */
static int sighting_add(struct sightings *t, uint64_t h, int p)
{
    size_t i, mask;
    uint64_t old;

    if (2 * (t->n + 1) > t->cap) {
        struct sightings g;
        g.cap = t->cap ? 2 * t->cap : 1024;
        g.n = 0;
        if ((g.v = calloc(g.cap, sizeof *g.v)) == NULL)
            return xipc__fail(XIPC_ENOMEM, "xipc__seg_list", "BaseNamedObjects",
                              NULL);
        for (i = 0; i < t->cap; i++) {
            size_t j = (size_t)t->v[i].hash & (g.cap - 1);
            if (t->v[i].hash == 0)
                continue;
            while (g.v[j].hash != 0)
                j = (j + 1) & (g.cap - 1);
            g.v[j] = t->v[i];
            g.n++;
        }
        free(t->v);
        *t = g;
    }
    mask = t->cap - 1;
    for (i = (size_t)h & mask; t->v[i].hash != 0 && t->v[i].hash != h;
         i = (i + 1) & mask)
        ;
    if (t->v[i].hash == 0) {
        t->v[i].hash = h;
        t->n++;
    }
    old = t->v[i].passes;
    t->v[i].passes |= UINT64_C(1) << p;
    return old == 0;
}

/* How many passes the reading below makes at most, and the chance it may
 * leave of missing an object that lived throughout. */
#define PASSES_MAX 48
#define MISS_CHANCE 1e-9

/* After pass p (p >= 2), decides whether the passes so far have read
 * every entry that lived throughout, to within MISS_CHANCE, given that
 * `ours` of the names are xipc's. A pass misses an entry when an entry
 * before it is destroyed just as the pass reaches it. How often that
 * happens is measured on the names that the first and the latest pass
 * both read: the passes in between that did not read one missed it. The
 * passes reach an entry at different moments, so they miss it
 * independently, and an entry late in the directory is missed at most
 * about twice as often as the average one (it has twice as many entries
 * before it that can go). So the chance that every pass missed one of ours
 * is at most ours * (2 * rate)^(p + 1). */
static int passes_enough(const struct sightings *t, int p, size_t ours)
{
    uint64_t both = (UINT64_C(1) << p) | 1, mid = (UINT64_C(1) << p) - 2;
    double long_lived = 0, misses = 0, rate, chance;
    size_t i;
    int k;

    for (i = 0; i < t->cap; i++) {
        uint64_t m = t->v[i].passes;
        if (t->v[i].hash == 0 || (m & both) != both)
            continue;
        long_lived++;
        for (k = 1; k < p; k++)
            misses += ((m & mid) >> k & 1) == 0;
    }
    if (long_lived == 0)
        return 1;
    rate = 2 * misses / (long_lived * (p - 1));
    for (chance = (double)(ours ? ours : 1), k = 0; k <= p && chance != 0; k++)
        chance *= rate < 1 ? rate : 1;
    return chance < MISS_CHANCE;
}

/* Reads the directory one entry at a time, for Wine before 9.11, whose
 * NtQueryDirectoryObject returns a single entry per call, looked up by its
 * index in a walk over the directory's hash chains. No such reading is a
 * snapshot: a process that destroys an object before the index we are at
 * moves every later entry back by one, and the entry we were about to read
 * is missed (a creation makes us read one entry twice, which is harmless).
 * Under steady churn a pass misses several percent of the entries. So the
 * directory is read in passes, and an entry counts as found if any pass
 * read it. Two passes that read the same entries in the same order saw a
 * directory that held still; otherwise the passes go on until the misses
 * measured so far make it negligible that every pass missed one object
 * (passes_enough). Returns 0 once f holds the directory's xipc names (and
 * maybe more, of objects that came and went), or a negative code:
 * XIPC_EBUSY for a directory that changes too fast to be read. */
static int dir_passes(struct dir *d, struct found *f, const char *prefix)
{
    struct sightings t = {NULL, 0, 0};
    const nt_dirinfo *e;
    uint64_t digest, last = 0;
    ULONG i, count, last_count = 0;
    int p, rc = 0;

    for (p = 0; p < PASSES_MAX; p++) {
        digest = 0;
        for (i = 0;; i++) {
            uint64_t h;
            if ((rc = dir_read(d, i, &e)) != 0)
                goto out;
            if (e == NULL)
                break;
            h = name_hash(e->Name.Buffer, e->Name.Length / sizeof(wchar_t));
            digest = (digest ^ h) * UINT64_C(0x100000001b3);
            if ((rc = sighting_add(&t, h, p)) < 0)
                goto out;
            if (rc == 1 &&
                (rc = found_add(f, e->Name.Buffer,
                                e->Name.Length / sizeof(wchar_t),
                                is_section(&e->TypeName), prefix)) != 0)
                goto out;
            rc = 0;
        }
        count = i;
        if (p >= 1 && count == last_count && digest == last)
            goto out;
        if (p >= 2 && passes_enough(&t, p, f->n))
            goto out;
        last = digest;
        last_count = count;
    }
    rc = xipc__fail(XIPC_EBUSY, "xipc__seg_list", "BaseNamedObjects",
                    "the directory of named objects changed too fast to be "
                    "read whole");
out:
    free(t.v);
    return rc;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Windows has no directory of sections to read like /dev/shm, but the
 * object manager lists the session's named objects; sections there called
 * "xipc.m.<name>.<gen>" are xipc's. The directory is read whole before any
 * name is looked at (looking takes the name's lock, itself a named object
 * of that directory). A section never outlives its last handle, so every
 * name found is live or gone: none is stale. */
int xipc__seg_list(const char *prefix,
                   void (*cb)(const char *name, int live, void *ctx), void *ctx)
{
    struct found f = {NULL, 0, 0};
    struct dir d;
    size_t i, j;
    int n = 0, rc, live, tries;

    if ((rc = dir_open(&d)) != 0)
        return rc;
    if ((rc = dir_snapshot(&d, &f, prefix)) == 0)
        rc = dir_passes(&d, &f, prefix);
    dir_close(&d);
    if (rc < 0) {
        free(f.v);
        return rc;
    }
    /* A name has up to XIPC_W32_GENS sections: report each name once. */
    if (f.n > 1)
        qsort(f.v, f.n, sizeof *f.v, name_order);
    for (i = j = 0; i < f.n; i++)
        if (j == 0 || strcmp(f.v[j - 1], f.v[i]) != 0)
            memmove(f.v[j++], f.v[i], sizeof *f.v);
    for (i = 0; i < j; i++) {
        /* A failure to look is retried before the name is given up. */
        for (tries = 0; (live = has_live(f.v[i])) < 0 && tries < 3; tries++)
            Sleep(1);
        if (live <= 0)
            continue;
        n++;
        if (cb)
            cb(f.v[i], 1, ctx);
    }
    free(f.v);
    return n;
}

int xipc__seg_present(const char *name)
{
    char kname[KNAME_BUF];
    wchar_t wname[KNAME_BUF];
    HANDLE h;
    DWORD e;
    int gen;

    /* Any generation counts, unlinked ones that are still held too. */
    for (gen = 0; gen < XIPC_W32_GENS; gen++) {
        kernel_name(kname, wname, 'm', name, gen);
        if ((h = OpenFileMappingW(FILE_MAP_READ, FALSE, wname)) != NULL) {
            CloseHandle(h);
            return 1;
        }
        e = GetLastError();
        if (e != ERROR_FILE_NOT_FOUND && e != ERROR_INVALID_HANDLE)
            return 1; /* something is there, if we may not open it */
    }
    return 0;
}

int xipc__seg_owner_only(const xipc__seg *s)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    PACL dacl = NULL;
    DWORD e;
    int rc;

    e = GetSecurityInfo(s->map, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION,
                        NULL, NULL, &dacl, NULL, &sd);
    if (e != ERROR_SUCCESS)
        return xipc__w32_fail("GetSecurityInfo", s->kname, e, XIPC_ENOMEM);
    /* A NULL DACL would grant everyone full access. */
    rc = dacl != NULL;
    LocalFree(sd);
    return rc;
}

int xipc__seg_test_chmod(const xipc__seg *s, int mode)
{
    (void)s;
    (void)mode;
    return XIPC_ENOTSUP;
}

int xipc__seg_test_squat(int64_t uid, int undo)
{
    (void)uid;
    (void)undo;
    return XIPC_ENOTSUP;
}
