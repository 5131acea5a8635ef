/* jobs.h: a fixed set of threads that run requests needing the database, off the HTTP threads. */
#ifndef KHABAR_JOBS_H
#define KHABAR_JOBS_H

#include <stdbool.h>

struct jobs;

/* Starts n threads that each run submitted jobs, oldest first; NULL on failure. */
struct jobs *jobs_start(unsigned n);
/* Queues fn(arg) to run on one of the threads; false when stopping or out of memory. */
bool jobs_submit(struct jobs *j, void (*fn)(void *arg), void *arg);
/* Runs every job already queued, then stops the threads and frees everything. */
void jobs_stop(struct jobs *j);

#endif
