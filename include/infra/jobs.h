/* jobs.h: a fixed set of threads that run requests needing the database, off the HTTP threads. */
#ifndef KHABAR_JOBS_H
#define KHABAR_JOBS_H

#include <stdbool.h>

struct jobs;

/* Starts n threads that each run submitted jobs, oldest first, with at most max_waiting
 * jobs waiting for a thread at once; NULL on failure. */
struct jobs *jobs_start(unsigned n, unsigned max_waiting);
/* Queues fn(arg) to run on one of the threads; false (fn is not run) when max_waiting
 * jobs wait already, when stopping, or out of memory. */
bool jobs_submit(struct jobs *j, void (*fn)(void *arg), void *arg);
/* Runs every job already queued, then stops the threads and frees everything. */
void jobs_stop(struct jobs *j);

/* Counts for /metrics; a NULL j gives zeros. */
struct jobs_stats {
    unsigned waiting;              /* jobs queued, not yet started */
    unsigned long long refused;    /* submissions refused (queue full, stopping, no memory) */
};
void jobs_stats(struct jobs *j, struct jobs_stats *out);

#endif
