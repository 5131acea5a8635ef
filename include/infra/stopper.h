/* stopper.h: how a background thread waits between rounds and is told to stop: a timed wait
 * on the monotonic clock that a stop ends at once. */
#ifndef KHABAR_INFRA_STOPPER_H
#define KHABAR_INFRA_STOPPER_H

#include <pthread.h>
#include <stdbool.h>

struct stopper {
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
};

void stopper_init(struct stopper *s);
void stopper_destroy(struct stopper *s);
/* Waits ms, or less when stopped; true when it is time to stop. */
bool stopper_wait_ms(struct stopper *s, unsigned ms);
/* True once stopper_stop was called. */
bool stopper_stopping(struct stopper *s);
/* Tells every waiter to stop. */
void stopper_stop(struct stopper *s);

#endif
