/* stopper.c: the timed wait of a background thread, ended at once by a stop. */
#include "infra/stopper.h"

#include <time.h>

#include "infra/clock.h"

void stopper_init(struct stopper *s)
{
    pthread_condattr_t attr;
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    s->stopping = false;
}

void stopper_destroy(struct stopper *s)
{
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->mu);
}

bool stopper_wait_ms(struct stopper *s, unsigned ms)
{
    struct timespec until = clock_monotonic_after_ms(ms);
    pthread_mutex_lock(&s->mu);
    while (!s->stopping && pthread_cond_timedwait(&s->wake, &s->mu, &until) == 0)
        ;
    bool stop = s->stopping;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

bool stopper_stopping(struct stopper *s)
{
    pthread_mutex_lock(&s->mu);
    bool stop = s->stopping;
    pthread_mutex_unlock(&s->mu);
    return stop;
}

void stopper_stop(struct stopper *s)
{
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->wake);
    pthread_mutex_unlock(&s->mu);
}
