/* pool.h — a worker's trial threads: the queue of leased trials they take
 * from, and the finished results kept until the coordinator ACKs them.
 *
 * The I/O thread (worker/agent.c) pushes the trials of a TRIALS message, asks
 * how much work is in hand, takes the results due for sending batch by batch
 * and drops them on ACK; it never runs a trial.  `jobs` threads each take a
 * trial off the queue, run it through its sweep context (worker/sweep_ctx.h) and
 * keep its result; a trial of a pruning sweep waits at each rung for the
 * coordinator's VERDICT without holding a core (more threads than jobs
 * carry such trials); a user's command reports its metric lines into the
 * progress buffer given at creation.  Whenever a result is kept, or the first
 * curve value arrives, the pool writes a byte to a pipe that the I/O thread
 * polls next to its socket, so results leave at once without busy waiting.
 * Queue, running count and kept results share one lock.  A trial whose lease
 * is lost is cancelled — its command's process group killed — and sends no
 * result.
 */
#ifndef LRS_POOL_H
#define LRS_POOL_H

#include <stdint.h>

#include "common/devices.h"
#include "common/err.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "worker/progress.h"
#include "worker/sweep_ctx.h"

typedef struct lrs_pool lrs_pool_t;

/* Starts `jobs` trial threads (jobs ≥ 1) that report command progress into
 * progress (kept by the caller, outliving the pool); with devices (NULL or
 * none: no GPU), thread k's commands run on lrs_devices_for_slot(devices, k).
 * Returns NULL with err (no memory, no pipe, threads). */
lrs_pool_t *lrs_pool_new(int jobs, const lrs_devices_t *devices, lrs_progress_t *progress,
                         lrs_err_t *err);

/* Cancels the running trials, joins the threads, drops the queue (releasing
 * its sweep references) and the kept results; frees *p (may be NULL) and
 * sets it NULL. */
void lrs_pool_destroy(lrs_pool_t **p);

/* The pipe's read end: readable after a result was kept or curve values
 * started to wait.  Non-blocking; the caller reads it empty after each wake. */
int lrs_pool_wake_fd(const lrs_pool_t *p);

/* Queues the n leased trials of sweep s (one reference taken per trial) and
 * wakes the threads.  Returns 0, or -1 without memory (nothing queued). */
int lrs_pool_push(lrs_pool_t *p, lrs_sweep_ctx_t *s, const lrs_wire_trial_t *trials, int n);

/* Empties the queue: those trials are simply not run here (their leases
 * expire and they run elsewhere). */
void lrs_pool_drop_queue(lrs_pool_t *p);

/* Cancels every running trial: its command is killed, it keeps no result. */
void lrs_pool_cancel_running(lrs_pool_t *p);

/* Trials queued or running; *avg_trial_s gets the moving average of a
 * trial's time in seconds (0 before the first has finished). */
int lrs_pool_in_hand(lrs_pool_t *p, double *avg_trial_s);

/* Results kept because the coordinator has not ACKed them yet. */
int lrs_pool_unacked(lrs_pool_t *p);

/* Whether nothing runs and every kept result was ACKed. */
int lrs_pool_idle(lrs_pool_t *p);

/* Sends the kept results of sweep token not sent yet, or sent resend_ms or
 * more before now: encodes them into out as RESULTS messages (at most
 * LRS_PROTO_MAX_BATCH each, about half of LRS_PROTO_MAX_MSG at most), calls
 * send(ctx) after each and marks their results sent at now.  The whole run
 * holds the pool's lock, so results finished meanwhile wait for the next
 * call: they leave batched rather than one by one. */
void lrs_pool_send_due(lrs_pool_t *p, uint64_t token, int64_t now, int64_t resend_ms,
                       lrs_wbuf_t *out, void (*send)(void *ctx), void *ctx);

/* Trials that may wait at a pruning rung at once, beyond jobs: each holds a
 * thread (started when needed) and its model, not a core.  While fewer
 * wait, the worker keeps asking for trials, so the lower-index trial the
 * waiting ones need (re-queued after its worker died, say) always finds a
 * core here. */
#define LRS_POOL_MAX_WAITING 1024

/* The most trial threads for jobs: jobs + LRS_POOL_MAX_WAITING. */
int lrs_pool_threads(int jobs);

/* Sends a RUNG for every trial of sweep token waiting at a pruning rung whose
 * RUNG was not sent yet (or resend_ms or more before now), as
 * lrs_pool_send_due does for results. */
void lrs_pool_send_rungs(lrs_pool_t *p, uint64_t token, int64_t now, int64_t resend_ms,
                         lrs_wbuf_t *out, void (*send)(void *ctx), void *ctx);

/* A VERDICT: the trial of sweep token at attempt waiting at epoch goes on
 * (prune 0) or stops there (1).  1 when such a trial was waiting, else 0
 * (stale or unsolicited: ignored). */
int lrs_pool_verdict(lrs_pool_t *p, uint64_t token, uint64_t trial, uint32_t attempt, int epoch,
                     int prune);

/* Marks every kept result unsent (to go again in the next session). */
void lrs_pool_mark_unsent(lrs_pool_t *p);

/* Forgets the kept results of sweep token whose trials are in acks. */
void lrs_pool_ack(lrs_pool_t *p, uint64_t token, const uint64_t *acks, int n_acks);

/* Forgets the kept results of every sweep but token: they can never be
 * ACKed. */
void lrs_pool_keep_only(lrs_pool_t *p, uint64_t token);

#endif
