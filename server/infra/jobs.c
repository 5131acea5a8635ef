/* jobs.c: the job threads: a bounded FIFO of functions to run, under one lock and one condition. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "infra/jobs.h"

struct job {
    struct job *next;
    void (*fn)(void *arg);
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
    pthread_t *threads;
};

static void *job_loop(void *arg)
{
    struct jobs *j = arg;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (j->head == NULL && !j->stopping)
            pthread_cond_wait(&j->queued, &j->mu);
        struct job *job = j->head;
        if (job != NULL) {
            j->head = job->next;
            if (j->head == NULL)
                j->tail = NULL;
            j->waiting--;
        }
        pthread_mutex_unlock(&j->mu);
        if (job == NULL)
            return NULL; /* stopping, and nothing left to run */
        job->fn(job->arg);
        free(job);
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

bool jobs_submit(struct jobs *j, void (*fn)(void *arg), void *arg)
{
    struct job *job = malloc(sizeof *job);
    pthread_mutex_lock(&j->mu);
    /* A full queue refuses at once: waiting behind hundreds of others, a request would be
     * answered long after its client gave up. */
    bool ok = job != NULL && !j->stopping && j->waiting < j->max_waiting;
    if (ok) {
        job->next = NULL;
        job->fn = fn;
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

void jobs_stats(struct jobs *j, struct jobs_stats *out)
{
    memset(out, 0, sizeof *out);
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->mu);
    out->waiting = j->waiting;
    out->refused = j->refused;
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
