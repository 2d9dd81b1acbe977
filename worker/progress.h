/* progress.h — a command's curve values on their way to the coordinator:
 * the bounded buffer the trial threads fill from metric lines and the I/O
 * thread empties into PROGRESS messages.
 *
 * A metric line with an integer `epoch` becomes one value per other metric,
 * tagged with the trial's sweep token, index, attempt and fold.  At most
 * LRS_PROGRESS_MAX values wait; more are dropped, since the trial's result
 * carries the whole curve anyway.  Thread-safe: the buffer has its own lock.
 */
#ifndef LRS_PROGRESS_H
#define LRS_PROGRESS_H

#include <stdint.h>

#include "common/metrics.h"
#include "common/proto_encode.h"
#include "common/protocol.h"

#define LRS_PROGRESS_MAX 8192   /* curve values waiting to leave */

typedef struct lrs_progress lrs_progress_t;

/* An empty buffer, or NULL without memory. */
lrs_progress_t *lrs_progress_new(void);

/* Frees *p (may be NULL) and sets it NULL. */
void lrs_progress_destroy(lrs_progress_t **p);

/* Adds line's values (fold: the fold it came from) for attempt `attempt` of
 * trial `trial` in the sweep `token`; a line without a finite integer epoch
 * adds nothing.  Returns 1 when the buffer was empty before (the caller then
 * wakes the thread that sends), else 0. */
int lrs_progress_add(lrs_progress_t *p, uint64_t token, uint64_t trial, uint32_t attempt,
                     int fold, const lrs_metric_line_t *line);

/* Whether any value waits. */
int lrs_progress_waiting(lrs_progress_t *p);

/* Drops every waiting value (their trials' leases are gone). */
void lrs_progress_clear(lrs_progress_t *p);

/* Takes every waiting value and, for those of the sweep token, encodes one
 * PROGRESS per trial attempt into out, calling send(ctx) after each; values
 * of other sweeps are dropped. */
void lrs_progress_send(lrs_progress_t *p, uint64_t token, lrs_wbuf_t *out,
                       void (*send)(void *ctx), void *ctx);

#endif
