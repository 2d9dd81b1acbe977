/* clock.h — the monotonic clock, for timeouts and measured durations.
 *
 * CLOCK_MONOTONIC never steps with the wall clock, so a lease, a heartbeat
 * deadline or a trial's seconds stay right across an NTP correction.  Only
 * differences between two readings mean anything.
 */
#ifndef LRS_CLOCK_H
#define LRS_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed point; for poll timeouts and timers. */
int64_t lrs_mono_ms(void);

/* Seconds, with nanosecond resolution, since the same point; for durations. */
double lrs_mono_seconds(void);

#endif
