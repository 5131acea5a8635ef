/* clock.h: the one monotonic clock khabar measures durations and deadlines with. */
#ifndef KHABAR_INFRA_CLOCK_H
#define KHABAR_INFRA_CLOCK_H

#include <time.h>

/* Seconds on CLOCK_MONOTONIC (never jumps with the wall clock). */
double clock_monotonic_s(void);
/* Seconds elapsed since start, a CLOCK_MONOTONIC reading. */
double clock_seconds_since(const struct timespec *start);
/* The CLOCK_MONOTONIC time ms milliseconds from now (for pthread_cond_timedwait on a
 * condition whose clock is CLOCK_MONOTONIC). */
struct timespec clock_monotonic_after_ms(unsigned ms);

#endif
