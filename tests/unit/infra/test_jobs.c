/* test_jobs.c: unit tests of the job threads of server/infra/jobs.c: the bound on waiting
 * jobs, the order they run in, how batch jobs are gathered, and that stopping runs every
 * job already queued. Real
 * threads; a gate held by the test keeps the one thread busy while the queue fills.
 */
#include "infra/jobs.h"

#include <pthread.h>

#include "unit.h"

/* A gate the first job waits behind, and a record of what ran. */
struct bench {
    pthread_mutex_t mu;
    pthread_cond_t changed;
    bool open, started;
    int ran[64];
    int nran;
    int batch_sizes[16]; /* each batch run's size, in the order they ran */
    int nbatches;
};

static struct bench bench = { .mu = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER };

static void bench_reset(void)
{
    pthread_mutex_lock(&bench.mu);
    bench.open = bench.started = false;
    bench.nran = bench.nbatches = 0;
    pthread_mutex_unlock(&bench.mu);
}

/* Waits until the gate opens, then records itself. */
static void gated_job(void *arg)
{
    pthread_mutex_lock(&bench.mu);
    bench.started = true;
    pthread_cond_broadcast(&bench.changed);
    while (!bench.open)
        pthread_cond_wait(&bench.changed, &bench.mu);
    bench.ran[bench.nran++] = (int)(intptr_t)arg;
    pthread_mutex_unlock(&bench.mu);
}

static void record_job(void *arg)
{
    pthread_mutex_lock(&bench.mu);
    bench.ran[bench.nran++] = (int)(intptr_t)arg;
    pthread_cond_broadcast(&bench.changed);
    pthread_mutex_unlock(&bench.mu);
}

/* Two batch kinds: each records its args and its batch's size (negative for the second). */
static void record_batch(void **args, size_t n, int sign)
{
    pthread_mutex_lock(&bench.mu);
    for (size_t i = 0; i < n; i++)
        bench.ran[bench.nran++] = (int)(intptr_t)args[i];
    bench.batch_sizes[bench.nbatches++] = sign * (int)n;
    pthread_cond_broadcast(&bench.changed);
    pthread_mutex_unlock(&bench.mu);
}

static void batch_a(void **args, size_t n)
{
    record_batch(args, n, 1);
}

static void batch_b(void **args, size_t n)
{
    record_batch(args, n, -1);
}

/* Submits the gated job and waits until the thread has taken it (the queue is empty). */
static void occupy_thread(struct jobs *j)
{
    check(jobs_submit(j, gated_job, (void *)(intptr_t)0), "the first job is queued");
    pthread_mutex_lock(&bench.mu);
    while (!bench.started)
        pthread_cond_wait(&bench.changed, &bench.mu);
    pthread_mutex_unlock(&bench.mu);
}

static void open_gate_and_wait(int want_ran)
{
    pthread_mutex_lock(&bench.mu);
    bench.open = true;
    pthread_cond_broadcast(&bench.changed);
    while (bench.nran < want_ran)
        pthread_cond_wait(&bench.changed, &bench.mu);
    pthread_mutex_unlock(&bench.mu);
}

static void test_bound(void **state)
{
    (void)state;
    struct jobs_stats st;
    bench_reset();
    struct jobs *j = jobs_start(1, 2);
    check(j != NULL, "one thread, two may wait");
    occupy_thread(j);
    check(jobs_submit(j, record_job, (void *)(intptr_t)1), "a first job waits");
    check(jobs_submit(j, record_job, (void *)(intptr_t)2), "a second job waits");
    jobs_stats(j, &st);
    check(st.waiting == 2 && st.refused == 0, "two wait, none refused");
    check(!jobs_submit(j, record_job, (void *)(intptr_t)3), "a third is refused: the queue is full");
    check(!jobs_submit(j, record_job, (void *)(intptr_t)4), "and a fourth");
    jobs_stats(j, &st);
    check(st.waiting == 2 && st.refused == 2, "still two wait; two refused");
    open_gate_and_wait(3);
    check(bench.ran[0] == 0 && bench.ran[1] == 1 && bench.ran[2] == 2,
          "the running job, then the waiting ones oldest first; the refused never ran");
    check(jobs_submit(j, record_job, (void *)(intptr_t)5), "once drained, the queue takes jobs again");
    jobs_stop(j);
    check(bench.nran == 4 && bench.ran[3] == 5, "the last job ran");
}

static void test_the_running_job_is_not_counted(void **state)
{
    (void)state;
    bench_reset();
    struct jobs *j = jobs_start(1, 1);
    occupy_thread(j);
    check(jobs_submit(j, record_job, (void *)(intptr_t)1),
          "with one job running, one more may still wait");
    check(!jobs_submit(j, record_job, (void *)(intptr_t)2), "and no more");
    open_gate_and_wait(2);
    jobs_stop(j);
}

static void test_stop_runs_what_is_queued(void **state)
{
    (void)state;
    bench_reset();
    struct jobs *j = jobs_start(1, 8);
    occupy_thread(j);
    for (int i = 1; i <= 3; i++)
        check(jobs_submit(j, record_job, (void *)(intptr_t)i), "a job waits");
    pthread_mutex_lock(&bench.mu);
    bench.open = true;
    pthread_cond_broadcast(&bench.changed);
    pthread_mutex_unlock(&bench.mu);
    jobs_stop(j);
    check(bench.nran == 4, "jobs_stop runs every job queued before it");
    struct jobs_stats st;
    jobs_stats(NULL, &st);
    check(st.waiting == 0 && st.refused == 0, "no job threads: zeros");
}

static void test_batches_gather_their_kind(void **state)
{
    (void)state;
    bench_reset();
    struct jobs *j = jobs_start(1, 8);
    occupy_thread(j);
    check(jobs_submit_batch(j, batch_a, (void *)(intptr_t)1), "a batch job waits");
    check(jobs_submit(j, record_job, (void *)(intptr_t)2), "a plain job waits");
    check(jobs_submit_batch(j, batch_a, (void *)(intptr_t)3), "another of the first kind");
    check(jobs_submit_batch(j, batch_b, (void *)(intptr_t)4), "one of another kind");
    check(jobs_submit_batch(j, batch_a, (void *)(intptr_t)5), "a third of the first kind");
    open_gate_and_wait(6);
    jobs_stop(j);
    check(bench.nbatches == 2 && bench.batch_sizes[0] == 3 && bench.batch_sizes[1] == -1,
          "the first kind ran once for its three jobs, the other kind on its own");
    int want[] = { 0, 1, 3, 5, 2, 4 };
    for (int i = 0; i < 6; i++)
        check(bench.ran[i] == want[i], "a batch takes its later kin with it, in their order; "
                                       "the jobs between keep theirs");
}

static void test_a_batch_has_a_bound(void **state)
{
    (void)state;
    bench_reset();
    int n = JOBS_BATCH_MAX + 2;
    struct jobs *j = jobs_start(1, (unsigned)n);
    occupy_thread(j);
    for (int i = 1; i <= n; i++)
        check(jobs_submit_batch(j, batch_a, (void *)(intptr_t)i), "a batch job waits");
    open_gate_and_wait(n + 1);
    jobs_stop(j);
    check(bench.nbatches == 2 && bench.batch_sizes[0] == JOBS_BATCH_MAX &&
          bench.batch_sizes[1] == 2, "at most JOBS_BATCH_MAX at once, the rest in the next");
    for (int i = 1; i <= n; i++)
        check(bench.ran[i] == i, "oldest first");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bound),
        cmocka_unit_test(test_the_running_job_is_not_counted),
        cmocka_unit_test(test_stop_runs_what_is_queued),
        cmocka_unit_test(test_batches_gather_their_kind),
        cmocka_unit_test(test_a_batch_has_a_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
