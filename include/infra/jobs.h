/* jobs.h: a fixed set of threads that run requests needing the database, off the HTTP threads. */
#ifndef KHABAR_JOBS_H
#define KHABAR_JOBS_H

#include <stdbool.h>
#include <stddef.h>

struct jobs;

/* Most jobs one batch function is given at once. */
#define JOBS_BATCH_MAX 16

/* Runs n jobs (1 to JOBS_BATCH_MAX) of one kind together, args in the order they came. */
typedef void (*jobs_batch_fn)(void **args, size_t n);

/* Starts n threads that each run submitted jobs, oldest first, with at most max_waiting
 * jobs waiting for a thread at once; NULL on failure. */
struct jobs *jobs_start(unsigned n, unsigned max_waiting);
/* Queues fn(arg) to run on one of the threads; false (fn is not run) when max_waiting
 * jobs wait already, when stopping, or out of memory. */
bool jobs_submit(struct jobs *j, void (*fn)(void *arg), void *arg);
/* Queues arg as a job of batch's kind: the thread that takes it takes the later ones of
 * the same kind waiting then as well (up to JOBS_BATCH_MAX), and runs batch once for all
 * (so that their statements can share one round trip); refused as jobs_submit is. */
bool jobs_submit_batch(struct jobs *j, jobs_batch_fn batch, void *arg);
/* Runs every job already queued, then stops the threads and frees everything. */
void jobs_stop(struct jobs *j);

/* Counts for /metrics; a NULL j gives zeros. */
struct jobs_stats {
    unsigned waiting;              /* jobs queued, not yet started */
    unsigned long long refused;    /* submissions refused (queue full, stopping, no memory) */
    unsigned long long batches;    /* batch runs of more than one job */
    unsigned long long batched;    /* the jobs in those runs */
};
void jobs_stats(struct jobs *j, struct jobs_stats *out);

#endif
