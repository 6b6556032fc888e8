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
    int peek;        /* a look only: see XIPC__SEG_PEEK */
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

/* Counts a kernel call of the locks or channels (xipc__sys_calls). */
extern volatile LONG64 xipc__w32_calls;
#define XIPC__W32_CALL() InterlockedIncrement64(&xipc__w32_calls)

/* ---- parties (party.c) ------------------------------------------------- */

/* A thread's identity: its number, the life mutex it owns until it ends,
 * and (once it has slept on a channel) its wake-up event. */
struct xipc__w32_self {
    uint64_t id;
    HANDLE life;
    HANDLE wake;
    /* The owner this thread last looked at, and its life mutex (sync.c). */
    uint64_t probe_owner;
    HANDLE probe_life;
    struct xipc__w32_self *next; /* the process's live threads */
};

/* Room for "Local\xipc.<k>.<16 hex digits>" and its NUL. */
#define XIPC__W32_PARTY_NAME 40

/* The calling thread's identity, made the first time it asks (NULL, with
 * the error recorded, if that failed). The fast path reads the pointer
 * from the thread's own thread-local-storage slot in its environment block,
 * as TlsGetValue does but without the call (Windows' documented TEB
 * layout, which Wine keeps): one load on the path of every acquire. */
struct xipc__w32_self *xipc__w32_self_slow(void);
extern DWORD xipc__w32_tls_slot;

/* The calling process's id, set with the first identity. */
extern int64_t xipc__w32_pid;

static inline struct xipc__w32_self *xipc__w32_self(void)
{
    DWORD slot = xipc__w32_tls_slot;
    struct xipc__w32_self *me = NULL;

    /* TEB.TlsSlots[64]: at gs:0x1480 on x64, fs:0xe10 on x86. */
    if (slot < 64) {
#if defined(__x86_64__)
        __asm__("movq %%gs:0x1480(,%1,8), %0" : "=r"(me) : "r"((uint64_t)slot));
#elif defined(__i386__)
        __asm__("movl %%fs:0xe10(,%1,4), %0" : "=r"(me) : "r"(slot));
#else
        me = TlsGetValue(slot);
#endif
    }
    return me != NULL ? me : xipc__w32_self_slow();
}

/* The calling thread's wake-up event (made the first time). Returns 0 and
 * *out, or an xipc code. */
int xipc__w32_self_wake(HANDLE *out);

/* Writes the kernel name of party id's object of kind 't' (life mutex) or
 * 'e' (wake-up event). */
void xipc__w32_party_name(char *out, size_t len, char kind, uint64_t id);

/* Whether id is a live thread of this process (no system call). */
int xipc__w32_is_live_here(uint64_t id);

/* Whether party id lives: 1, 0, or a negative xipc code. If keep is not
 * NULL and the party lives in another process, *keep receives a handle to
 * its life mutex, which a wait sees signalled (abandoned) when it ends;
 * the caller closes it, and takes and releases the mutex when a wait
 * returns it. */
int xipc__w32_party_probe(uint64_t id, HANDLE *keep);

#endif /* XIPC_W32_H */
