/* timer.h — deadlines as data, for event loops around zmq_poll.
 *
 * A loop registers each periodic or one-shot job once (a callback and its
 * context), arms it with a due time, asks lrs_timers_timeout how long
 * zmq_poll may sleep, and after every wake calls lrs_timers_run, which fires
 * every timer that is due in registration order.  A callback returns its
 * next interval (re-armed at now + interval), LRS_TIMER_DISARM, or
 * LRS_TIMER_FAIL with err set.  Adding a timer is one registration, not an
 * edit of the loop's sleep computation and wake-up checks.  Times are
 * lrs_mono_ms milliseconds.
 */
#ifndef LRS_TIMER_H
#define LRS_TIMER_H

#include <stdint.h>

#include "common/err.h"

#define LRS_TIMERS_MAX 16
#define LRS_TIMER_DISARM (-1)
#define LRS_TIMER_FAIL (-2)

/* Fires timer work; returns the next interval in ms (≥ 0), LRS_TIMER_DISARM
 * or LRS_TIMER_FAIL (err set). */
typedef int64_t (*lrs_timer_fn)(void *ctx, int64_t now, lrs_err_t *err);

typedef struct lrs_timer {
    const char *name;        /* for messages */
    lrs_timer_fn fn;
    void *ctx;
    int armed;
    int64_t due;
} lrs_timer_t;

typedef struct lrs_timers {
    lrs_timer_t t[LRS_TIMERS_MAX];
    int n;
} lrs_timers_t;

/* Starts an empty set. */
void lrs_timers_init(lrs_timers_t *ts);

/* Registers a disarmed timer; returns its id (our own invariant: at most
 * LRS_TIMERS_MAX per set). */
int lrs_timer_add(lrs_timers_t *ts, const char *name, lrs_timer_fn fn, void *ctx);

/* Arms timer id at due (replacing an earlier due time). */
void lrs_timer_arm(lrs_timers_t *ts, int id, int64_t due);

/* Arms timer id at due unless it is armed already (a deadline that the
 * first event starts, such as a group commit's). */
void lrs_timer_arm_once(lrs_timers_t *ts, int id, int64_t due);

void lrs_timer_disarm(lrs_timers_t *ts, int id);

/* Milliseconds until the earliest armed timer (0 when one is due), capped
 * at max_ms; max_ms when none is armed. */
long lrs_timers_timeout(const lrs_timers_t *ts, int64_t now, long max_ms);

/* Fires every armed timer due at now, in registration order.  -1 with err
 * when a callback failed (the later ones are not fired). */
int lrs_timers_run(lrs_timers_t *ts, int64_t now, lrs_err_t *err);

#endif
