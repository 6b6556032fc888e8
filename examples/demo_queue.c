/*
 * demo_queue.c - a work queue: a parent hands jobs to worker processes
 * through one xipc Queue and collects their answers through another.
 *
 * The parent creates both queues, starts two workers (this same program,
 * running the function "worker"), puts the jobs - numbers, as text - and
 * shuts the job queue down for writing. Each worker takes jobs until the
 * queue is shut down and empty (XIPC_ECLOSED), squares each number and
 * puts the answer on the result queue. Jobs and answers are text: they go
 * in with xipc_queue_put_string and come out NUL-terminated with
 * xipc_queue_get_string. The parent reads every answer and checks the
 * sum. Closing the last handles destroys both queues.
 */
#include <xipc.h>

#include <stdio.h>
#include <stdlib.h>

#define JOBS 1000
#define WORKERS 2
#define MSG_MAX 64 /* bytes of the longest job or answer */

static int fail(const char *what, int rc)
{
    fprintf(stderr, "demo_queue: %s: %s (%s)\n", what, xipc_strerror(rc),
            xipc_last_error());
    return 1;
}

/* Runs in each worker: argv[1] and argv[2] name the job and result
 * queues. */
static int worker(int argc, char **argv)
{
    xipc_queue *jobs, *results;
    char job[MSG_MAX + 1], answer[MSG_MAX + 1];
    long long n;
    int rc, done = 0;

    if (argc != 3)
        return 2;
    if ((rc = xipc_queue_open(&jobs, argv[1])) != 0 ||
        (rc = xipc_queue_open(&results, argv[2])) != 0)
        return fail("open", rc);
    /* Waits for jobs until the parent shuts the queue down and it is
     * empty. */
    while ((rc = xipc_queue_get_string(jobs, job, sizeof job, XIPC_FOREVER)) >=
           0) {
        n = atoll(job);
        snprintf(answer, sizeof answer, "%lld squared is %lld", n, n * n);
        if ((rc = xipc_queue_put_string(results, answer, XIPC_FOREVER)) != 0)
            return fail("put", rc);
        done++;
    }
    if (rc != XIPC_ECLOSED)
        return fail("get", rc);
    printf("worker did %d jobs\n", done);
    if ((rc = xipc_queue_close(results)) != 0 ||
        (rc = xipc_queue_close(jobs)) != 0)
        return fail("close", rc);
    return 0;
}

static const xipc_proc_entry entries[] = {{"worker", worker}, {NULL, NULL}};

/* Takes the answers from the result queue, waiting up to timeout_ms for
 * each, until none comes in time or *count reaches JOBS; adds the squares
 * to *sum. Returns 0, or the code of a get that failed otherwise than by
 * its timeout. */
static int take_answers(xipc_queue *results, int64_t timeout_ms, long long *sum,
                        int *count)
{
    char text[MSG_MAX + 1];
    long long n, sq;
    int rc;

    while (*count < JOBS) {
        rc = xipc_queue_get_string(results, text, sizeof text, timeout_ms);
        if (rc == XIPC_ETIMEDOUT)
            return 0;
        if (rc < 0)
            return rc;
        if (sscanf(text, "%lld squared is %lld", &n, &sq) == 2)
            *sum += sq;
        (*count)++;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *args[2];
    char job[MSG_MAX + 1];
    xipc_queue *jobs, *results;
    xipc_proc *w[WORKERS];
    long long sum = 0, want = 0;
    int code, rc, i, failed = 0, answers = 0;

    if (xipc_proc_dispatch(argc, argv, entries, &code))
        return code; /* we were started as a worker */

    /* Fresh names, and room for 64 messages of up to MSG_MAX bytes in
     * each queue. */
    if ((rc = xipc_queue_create(&jobs, "demo-jobs-*",
                                xipc_queue_capacity_for(64, MSG_MAX),
                                MSG_MAX)) != 0 ||
        (rc = xipc_queue_create(&results, "demo-results-*",
                                xipc_queue_capacity_for(64, MSG_MAX),
                                MSG_MAX)) != 0)
        return fail("create", rc);
    args[0] = xipc_queue_name(jobs);
    args[1] = xipc_queue_name(results);
    for (i = 0; i < WORKERS; i++)
        if ((rc = xipc_proc_spawn(&w[i], "worker", 2, args)) != 0)
            return fail("spawn", rc);
    /* The job queue holds far fewer than JOBS messages: a put waits for
     * the workers to make room, while this process reads answers, so the
     * answers are read as the jobs go out. */
    for (i = 1; i <= JOBS; i++) {
        snprintf(job, sizeof job, "%d", i);
        want += (long long)i * i;
        while ((rc = xipc_queue_put_string(jobs, job, 10)) == XIPC_ETIMEDOUT) {
            /* No room yet: take the answers that are ready meanwhile. */
            if ((rc = take_answers(results, 0, &sum, &answers)) != 0)
                return fail("get", rc);
        }
        if (rc != 0)
            return fail("put", rc);
    }
    /* No more jobs: workers end when the queue is empty. */
    if ((rc = xipc_queue_shutdown(jobs, XIPC_FOREVER)) != 0)
        return fail("shutdown", rc);
    /* The rest of the answers, before waiting for the workers: a worker
     * whose answer finds the result queue full waits for room. */
    if ((rc = take_answers(results, 10000, &sum, &answers)) != 0)
        return fail("get", rc);
    for (i = 0; i < WORKERS; i++) {
        if (xipc_proc_wait(w[i], XIPC_FOREVER, &code) != 0 || code != 0)
            failed = 1;
        if (xipc_proc_free(w[i]) != 0)
            failed = 1;
    }
    printf("parent: %d jobs, %d answers, sum %lld (%s)\n", JOBS, answers, sum,
           sum == want && !failed ? "sum ok" : "error: sum wrong");
    if ((rc = xipc_queue_close(results)) != 0 ||
        (rc = xipc_queue_close(jobs)) != 0)
        return fail("close", rc);
    return sum == want && !failed ? 0 : 1;
}
