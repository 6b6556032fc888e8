/*
 * demo_queue.c - a work queue: a parent hands jobs to worker processes
 * through one xipc Queue and collects their answers through another.
 *
 * The parent creates both queues, starts two workers (this same program,
 * running the function "worker"), puts the jobs - numbers, as text - and
 * shuts the job queue down for writing. Each worker takes jobs until the
 * queue is shut down and empty (XIPC_ECLOSED), squares each number and
 * puts the answer on the result queue. The parent reads every answer, with
 * xipc_queue_get_alloc since it does not know their lengths, and checks
 * the sum. Closing the last handles destroys both queues.
 */
#include <xipc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOBS 1000
#define WORKERS 2

/* Runs in each worker: argv[1] and argv[2] name the job and result
 * queues. */
static int worker(int argc, char **argv)
{
    xipc_queue *jobs, *results;
    char job[32], answer[48];
    size_t len;
    long long n;
    int rc, done = 0;

    if (argc != 3 || xipc_queue_open(&jobs, argv[1]) != 0 ||
        xipc_queue_open(&results, argv[2]) != 0)
        return 1;
    /* Waits for jobs until the parent shuts the queue down and it is
     * empty. */
    while ((rc = xipc_queue_get(jobs, job, sizeof job - 1, &len,
                                XIPC_FOREVER)) == 0) {
        job[len] = '\0';
        n = atoll(job);
        snprintf(answer, sizeof answer, "%lld squared is %lld", n, n * n);
        if (xipc_queue_put(results, answer, strlen(answer), XIPC_FOREVER))
            return 1;
        done++;
    }
    if (rc != XIPC_ECLOSED) {
        fprintf(stderr, "worker: get failed: %s\n", xipc_strerror(rc));
        return 1;
    }
    printf("worker did %d jobs\n", done);
    xipc_queue_close(results);
    xipc_queue_close(jobs);
    return 0;
}

static const xipc_proc_entry entries[] = {{"worker", worker}, {NULL, NULL}};

/* Takes the answers from the result queue, waiting up to timeout_ms for
 * each, until none comes in time or *count reaches JOBS; adds the squares
 * to *sum. An answer is bytes, not a C string: it is copied to put a NUL
 * after it. */
static void take_answers(xipc_queue *results, int64_t timeout_ms,
                         long long *sum, int *count)
{
    char text[72];
    long long n, sq;
    size_t len;
    void *answer;

    while (*count < JOBS &&
           xipc_queue_get_alloc(results, &answer, &len, timeout_ms) == 0) {
        len = len < sizeof text - 1 ? len : sizeof text - 1;
        memcpy(text, answer, len);
        text[len] = '\0';
        xipc_free(answer);
        if (sscanf(text, "%lld squared is %lld", &n, &sq) == 2)
            *sum += sq;
        (*count)++;
    }
}

int main(int argc, char **argv)
{
    char jname[64], rname[64], job[32];
    const char *args[2] = {jname, rname};
    xipc_queue *jobs, *results;
    xipc_proc *w[WORKERS];
    long long sum = 0, want = 0;
    int code, rc, i, failed = 0, answers = 0;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code; /* we were started as a worker */

    snprintf(jname, sizeof jname, "demo-jobs-%lld", (long long)xipc_getpid());
    snprintf(rname, sizeof rname, "demo-results-%lld",
             (long long)xipc_getpid());
    /* Room for 4 KiB of messages of up to 64 bytes each. */
    if ((rc = xipc_queue_create(&jobs, jname, 4096, 64)) != 0 ||
        (rc = xipc_queue_create(&results, rname, 4096, 64)) != 0) {
        fprintf(stderr, "error: %s: %s\n", xipc_strerror(rc),
                xipc_last_error());
        return 1;
    }
    for (i = 0; i < WORKERS; i++)
        if (xipc_proc_spawn(&w[i], "worker", 2, args) != 0)
            return 1;
    /* The job queue holds far fewer than JOBS messages: a put waits for
     * the workers to make room, while this process reads answers, so the
     * answers are read as the jobs go out. */
    for (i = 1; i <= JOBS; i++) {
        snprintf(job, sizeof job, "%d", i);
        want += (long long)i * i;
        while ((rc = xipc_queue_put(jobs, job, strlen(job), 10)) ==
               XIPC_ETIMEDOUT) {
            /* No room yet: take the answers that are ready meanwhile. */
            take_answers(results, 0, &sum, &answers);
        }
        if (rc != 0)
            return 1;
    }
    xipc_queue_shutdown(jobs, XIPC_FOREVER); /* no more jobs: workers end when done */
    /* The rest of the answers, before waiting for the workers: a worker
     * whose answer finds the result queue full waits for room. */
    take_answers(results, 10000, &sum, &answers);
    for (i = 0; i < WORKERS; i++) {
        if (xipc_proc_wait(w[i], XIPC_FOREVER, &code) != 0 || code != 0)
            failed = 1;
        xipc_proc_free(w[i]);
    }
    printf("parent: %d jobs, %d answers, sum %lld (%s)\n", JOBS, answers, sum,
           sum == want && !failed ? "sum ok" : "error: sum wrong");
    xipc_queue_close(results);
    xipc_queue_close(jobs);
    return sum == want && !failed ? 0 : 1;
}
