/* jobs.c: the job threads: a bounded FIFO of functions to run, under one lock and one condition. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "infra/jobs.h"

struct job {
    struct job *next;
    void (*fn)(void *arg);
    jobs_batch_fn batch; /* set instead of fn for a job that may run with others */
    void *arg;
};

struct jobs {
    pthread_mutex_t mu;
    pthread_cond_t queued;
    struct job *head, *tail;
    bool stopping;
    unsigned n;
    unsigned waiting, max_waiting; /* jobs in the FIFO, and its bound */
    unsigned long long refused;
    unsigned long long batches, batched; /* runs of a batch function with more than one job, and their jobs */
    pthread_t *threads;
};

/* Unlinks job from the FIFO; prev is the job before it (NULL at the head). */
static void unlink_job(struct jobs *j, struct job *prev, struct job *job)
{
    if (prev != NULL)
        prev->next = job->next;
    else
        j->head = job->next;
    if (j->tail == job)
        j->tail = prev;
    j->waiting--;
}

/* Takes the oldest job and, when it is a batch one, every later job with the same batch
 * function (up to JOBS_BATCH_MAX, in their order) into taken; how many. Under j->mu. */
static size_t take_jobs(struct jobs *j, struct job *taken[JOBS_BATCH_MAX])
{
    struct job *first = j->head;
    size_t n = 0;
    if (first == NULL)
        return 0;
    unlink_job(j, NULL, first);
    taken[n++] = first;
    struct job *prev = NULL;
    for (struct job *job = j->head; first->batch != NULL && job != NULL && n < JOBS_BATCH_MAX;) {
        struct job *next = job->next;
        if (job->batch == first->batch) {
            unlink_job(j, prev, job);
            taken[n++] = job;
        } else {
            prev = job;
        }
        job = next;
    }
    return n;
}

static void run_jobs(struct job *taken[], size_t n)
{
    if (taken[0]->batch != NULL) {
        void *args[JOBS_BATCH_MAX];
        for (size_t i = 0; i < n; i++)
            args[i] = taken[i]->arg;
        taken[0]->batch(args, n);
    } else {
        taken[0]->fn(taken[0]->arg);
    }
    for (size_t i = 0; i < n; i++)
        free(taken[i]);
}

static void *job_loop(void *arg)
{
    struct jobs *j = arg;
    struct job *taken[JOBS_BATCH_MAX];
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (j->head == NULL && !j->stopping)
            pthread_cond_wait(&j->queued, &j->mu);
        size_t n = take_jobs(j, taken);
        if (n > 1) {
            j->batches++;
            j->batched += n;
        }
        pthread_mutex_unlock(&j->mu);
        if (n == 0)
            return NULL; /* stopping, and nothing left to run */
        run_jobs(taken, n);
    }
}

struct jobs *jobs_start(unsigned n, unsigned max_waiting)
{
    struct jobs *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->threads = calloc(n, sizeof *j->threads);
    if (j->threads == NULL) {
        free(j);
        return NULL;
    }
    j->max_waiting = max_waiting;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->queued, NULL);
    for (j->n = 0; j->n < n; j->n++) {
        if (pthread_create(&j->threads[j->n], NULL, job_loop, j) != 0) {
            jobs_stop(j);
            return NULL;
        }
    }
    return j;
}

static bool submit(struct jobs *j, void (*fn)(void *arg), jobs_batch_fn batch, void *arg)
{
    struct job *job = malloc(sizeof *job);
    pthread_mutex_lock(&j->mu);
    /* A full queue refuses at once: waiting behind hundreds of others, a request would be
     * answered long after its client gave up. */
    bool ok = job != NULL && !j->stopping && j->waiting < j->max_waiting;
    if (ok) {
        job->next = NULL;
        job->fn = fn;
        job->batch = batch;
        job->arg = arg;
        if (j->tail != NULL)
            j->tail->next = job;
        else
            j->head = job;
        j->tail = job;
        j->waiting++;
        pthread_cond_signal(&j->queued);
    } else {
        j->refused++;
    }
    pthread_mutex_unlock(&j->mu);
    if (!ok)
        free(job);
    return ok;
}

bool jobs_submit(struct jobs *j, void (*fn)(void *arg), void *arg)
{
    return submit(j, fn, NULL, arg);
}

bool jobs_submit_batch(struct jobs *j, jobs_batch_fn batch, void *arg)
{
    return submit(j, NULL, batch, arg);
}

void jobs_stats(struct jobs *j, struct jobs_stats *out)
{
    memset(out, 0, sizeof *out);
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->mu);
    out->waiting = j->waiting;
    out->refused = j->refused;
    out->batches = j->batches;
    out->batched = j->batched;
    pthread_mutex_unlock(&j->mu);
}

void jobs_stop(struct jobs *j)
{
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->mu);
    j->stopping = true;
    pthread_cond_broadcast(&j->queued);
    pthread_mutex_unlock(&j->mu);
    for (unsigned i = 0; i < j->n; i++)
        pthread_join(j->threads[i], NULL);
    pthread_cond_destroy(&j->queued);
    pthread_mutex_destroy(&j->mu);
    free(j->threads);
    free(j);
}
