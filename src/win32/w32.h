/*
 * w32.h - what the Windows backend's files share and the core never sees:
 * the segment handle (shm.c makes it; sync.c names a lock's kernel objects
 * after it), the report of a failed Win32 call, and the security every
 * named kernel object is created with.
 */
#ifndef XIPC_W32_H
#define XIPC_W32_H

#include "../internal.h"

#include <windows.h>

/* Room for "Local\xipc.m.<name>.<gen>" and its NUL. */
#define KNAME_BUF (sizeof "Local\\xipc.m.." + XIPC_NAME_MAX + 4)

struct xipc__seg {
    HANDLE map;
    void *view;      /* the whole section: the prefix, then the core's bytes */
    uint64_t mapped; /* bytes of the view, as VirtualQuery reports them */
    char name[XIPC__NAME_BUF];
    char kname[KNAME_BUF]; /* the section's kernel name, for messages */
};

/* Records that `what` failed on `name` with Win32 error e, with Windows'
 * text for it, and returns the xipc code: XIPC_EACCES, XIPC_ENOENT,
 * out_of_memory for the "not enough memory / commit" family, else
 * XIPC_ESYS. */
int xipc__w32_fail(const char *what, const char *name, DWORD e,
                   int out_of_memory);

/* Fills sa with a security descriptor carrying the caller's default DACL,
 * taken from its token; *dd receives the buffer behind it, which the caller
 * frees (also on failure). A named object created without a descriptor gets
 * that default DACL on Windows, but Wine leaves it with no DACL at all (open
 * to everyone), so the default is given explicitly. Returns 0 or an xipc
 * code, recorded against `name`. */
int xipc__w32_default_security(SECURITY_ATTRIBUTES *sa, SECURITY_DESCRIPTOR *sd,
                               TOKEN_DEFAULT_DACL **dd, const char *name);

/* Room for "Local\xipc.<k>.<name>.<gen>.<index>" and its NUL. */
#define SUBNAME_BUF (KNAME_BUF + 12)

/* Creates a kernel object that a segment's handles share: make(sa, name)
 * makes it (CreateEventW, CreateSemaphoreW...) under the segment's section
 * name with kind letter `kind` in place of "m" and ".<index>" appended, so
 * that the objects of an unlinked segment and of its successor under the
 * same name never meet (Windows has one namespace for every kind of kernel
 * object, hence the letter), with the creator's default security. `what`
 * names make for messages; name receives the object's name. Returns 0 and
 * *out, or an xipc code. */
int xipc__w32_seg_object(const xipc__seg *seg, char kind, unsigned index,
                         HANDLE (*make)(SECURITY_ATTRIBUTES *sa,
                                        const wchar_t *name),
                         const char *what, HANDLE *out, char name[SUBNAME_BUF]);

#endif /* XIPC_W32_H */
