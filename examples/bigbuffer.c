/*
 * bigbuffer.c - a large read-only buffer shared by several processes
 * without copying it.
 *
 * The seed's question: "I have a large, read-only bytes object that I need
 * to operate against across several different processes... I'd like to
 * avoid copying it into the address space of each worker." Its answer,
 * multiprocessing.Array(ctypes.c_char, data, lock=False), still hands every
 * worker a copy as soon as it takes array[:]. Here:
 *
 *   - the parent creates a raw char Array (no lock: nobody writes once it
 *     is filled) of 256 MiB (or argv[1] MiB) and fills it;
 *   - four workers open it read-only: the mapping is read-only and the
 *     bytes are read in place, through xipc_array_data(), with no copy;
 *   - each computes a checksum of the whole buffer and sends it back in a
 *     small results Array; all must equal the parent's;
 *   - each reports how much its memory grew (its proportional set size,
 *     where the system tells it: Linux), to show one physical copy in all.
 */
#include <xipc.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKERS 4

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bigbuffer: %s: %s (%s)\n", what, xipc_strerror(rc),
            xipc_last_error());
    return 1;
}

/* The process's proportional set size in bytes (its share of every page
 * it maps), or 0 where the system does not tell it. */
static uint64_t pss_bytes(void)
{
    unsigned long long kb = 0;
    char line[256];
    FILE *f = fopen("/proc/self/smaps_rollup", "r");

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "Pss: %llu kB", &kb) == 1)
            break;
    fclose(f);
    return (uint64_t)kb * 1024;
}

/* FNV-1a over the buffer, 8 bytes at a time. */
static uint64_t checksum(const unsigned char *p, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603), w;
    size_t i;

    for (i = 0; i + 8 <= n; i += 8) {
        memcpy(&w, p + i, 8);
        h = (h ^ w) * UINT64_C(1099511628211);
    }
    for (; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(1099511628211);
    return h;
}

/* Runs in each worker: argv[1] the buffer, argv[2] the results, argv[3]
 * the arrival counter, argv[4] this worker's number. */
static int worker(int argc, char **argv)
{
    xipc_array *buf, *results;
    xipc_value *arrived;
    uint64_t before, sum, grew;
    int64_t n = 0;
    size_t me;
    int rc;

    if (argc != 5)
        return 2;
    me = (size_t)atoi(argv[4]);
    before = pss_bytes();
    if ((rc = xipc_array_open(&buf, argv[1], XIPC_CHAR, XIPC_RDONLY)) != 0 ||
        (rc = xipc_array_open(&results, argv[2], XIPC_U64, XIPC_RDWR)) != 0 ||
        (rc = xipc_value_open(&arrived, argv[3], XIPC_I32, XIPC_RDWR)) != 0)
        return fail("open", rc);
    /* Read in place: the pointer is into the one shared copy. */
    sum = checksum(xipc_array_data(buf), xipc_array_length(buf));
    /* Measure once every worker has read the whole buffer, so that each is
     * charged its fair share of the pages they all map. */
    if ((rc = xipc_value_add(arrived, 1, NULL, NULL)) != 0)
        return fail("add", rc);
    while ((rc = xipc_value_load(arrived, &n)) == 0 && n < WORKERS)
        xipc_sleep_ms(1);
    grew = before ? pss_bytes() - before : 0;
    if (rc != 0 ||
        (rc = xipc_array_set(results, 2 * me, &sum, sizeof sum)) != 0 ||
        (rc = xipc_array_set(results, 2 * me + 1, &grew, sizeof grew)) != 0)
        return fail("results", rc);
    if ((rc = xipc_value_close(arrived)) != 0 ||
        (rc = xipc_array_close(results)) != 0 ||
        (rc = xipc_array_close(buf)) != 0)
        return fail("close", rc);
    return 0;
}

static const xipc_proc_entry entries[] = {{"worker", worker}, {NULL, NULL}};

int main(int argc, char **argv)
{
    char num[WORKERS][8];
    size_t mib = 256, size, i;
    xipc_array *buf, *results;
    xipc_value *arrived;
    xipc_proc *p[WORKERS];
    const char *args[4];
    uint64_t mine, r[2 * WORKERS], total_grew = 0;
    unsigned char *data;
    int code, rc, w, bad = 0;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code;
    if (argc > 1)
        mib = (size_t)strtoul(argv[1], NULL, 10);
    size = mib << 20;
    /* Fresh names ("bigbuf-" and a unique ending), told to the workers. */
    if ((rc = xipc_array_create(&buf, "bigbuf-*", XIPC_CHAR, size, NULL, 0,
                                XIPC_RAW)) != 0 ||
        (rc = xipc_array_create(&results, "bigbuf-results-*", XIPC_U64,
                                2 * WORKERS, NULL, 0, 0)) != 0 ||
        (rc = xipc_value_create(&arrived, "bigbuf-arrived-*", XIPC_I32, NULL, 0,
                                0)) != 0)
        return fail("create", rc);
    data = xipc_array_data(buf);
    for (i = 0; i < size; i++)
        data[i] = (unsigned char)((i * 2654435761u) >> 11);
    mine = checksum(data, size);
    printf("parent: %zu MiB buffer, checksum %016llx\n", mib,
           (unsigned long long)mine);

    args[0] = xipc_array_name(buf);
    args[1] = xipc_array_name(results);
    args[2] = xipc_value_name(arrived);
    for (w = 0; w < WORKERS; w++) {
        snprintf(num[w], sizeof num[w], "%d", w);
        args[3] = num[w];
        if ((rc = xipc_proc_spawn(&p[w], "worker", 4, args)) != 0)
            return fail("spawn", rc);
    }
    for (w = 0; w < WORKERS; w++) {
        if (xipc_proc_wait(p[w], XIPC_FOREVER, &code) != 0 || code != 0)
            bad = 1;
        if (xipc_proc_free(p[w]) != 0)
            bad = 1;
    }
    if ((rc = xipc_array_read(results, 0, 2 * WORKERS, r, sizeof r)) != 0)
        return fail("read", rc);
    for (w = 0; w < WORKERS; w++) {
        printf("worker %d: checksum %016llx %s\n", w,
               (unsigned long long)r[2 * w],
               r[2 * w] == mine ? "(equal)" : "(DIFFERENT)");
        bad |= r[2 * w] != mine;
        total_grew += r[2 * w + 1];
    }
    if (total_grew > 0)
        printf("memory: the %d workers' share of the buffer is %llu MiB in all "
               "(PSS); %d private copies would be %zu MiB\n",
               WORKERS, (unsigned long long)(total_grew >> 20), WORKERS,
               WORKERS * mib);
    else
        printf("memory: not reported by this system (it has no proportional "
               "set size)\n");
    printf("%s\n", bad ? "FAILED" : "all checksums equal");
    if ((rc = xipc_value_close(arrived)) != 0 ||
        (rc = xipc_array_close(results)) != 0 ||
        (rc = xipc_array_close(buf)) != 0)
        return fail("close", rc);
    return bad;
}
