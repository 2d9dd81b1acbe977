/* agent.h — a worker process's side of the protocol: one I/O thread that
 * talks to the coordinator plus `jobs` trial threads.
 *
 * The I/O thread (the caller's) owns the DEALER socket.  It says HELLO,
 * receives the sweep (spec text, data hash), fetches the data unless it is
 * cached (by content hash), asks for jobs + prefetch trials, hands them to
 * the trial threads, sends results as they finish and keeps each one until
 * the coordinator ACKs it — re-sending after a reconnect, also to a
 * restarted coordinator.  It heartbeats while trials run, presumes the
 * coordinator dead after LRS_HEARTBEAT_LIVENESS silent intervals and then
 * reconnects with back-off (1 s doubling to 32 s).  It returns when the
 * coordinator says the sweep is complete (SHUTDOWN, ended); a coordinator
 * that says it stops without the sweep being complete is waited for, as one
 * that fell silent.
 *
 * Trial kinds: a sweep context carries a `run` function chosen from the
 * spec — the built-in engine (worker/train.h), the synthetic objective
 * (worker/synthetic.h) or the user's own command (worker/exec.h).  A
 * command's metric lines go to the coordinator as they come (PROGRESS, at
 * most every 200 ms).  Its run is cancelled — its process group killed —
 * when the worker stops or loses its lease (the coordinator fell silent, or
 * no longer knows this worker); a cancelled trial sends no result.
 *
 * A hostile or broken coordinator cannot take the worker down or fill its
 * memory: a frame that does not decode, a message of a kind or for a sweep
 * it did not expect, a WELCOME whose spec does not load, a DATA frame whose
 * size or content hash is not the WELCOME's or whose CSV does not load —
 * each is logged (once per kind until the worker next joins a sweep) and
 * the worker disconnects and reconnects with the back-off above; it never
 * exits for what the coordinator sent.  Trials beyond the credit it asked
 * for with READY are dropped (logged once per session), never queued.  A
 * data set over max_data (announced in WELCOME, or a DATA frame) is refused
 * before anything is requested or allocated: the worker says so, takes none
 * of that sweep's trials and keeps retrying with the back-off, so a later
 * sweep on the same endpoint still finds it.
 *
 * This module is the I/O thread; the trial threads are worker/pool.h, the
 * sweep context and its trial kinds worker/sweep_ctx.h, the curve values on
 * their way worker/progress.h.
 */
#ifndef LRS_AGENT_H
#define LRS_AGENT_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "worker/agent_opts.h"

void lrs_agent_opts_init(lrs_agent_opts_t *opts);

/* The name a worker has without --name: HOST:PID. */
void lrs_agent_default_name(char *out, size_t size);

/* Runs trials until the coordinator says the sweep is complete (returns 0),
 * an interrupt (130), --idle-timeout (3) or a coordinator of another
 * protocol version (2, logged naming both); -1 with err for a fatal local
 * error (bad endpoint, no memory, threads). */
int lrs_agent_run(const lrs_agent_opts_t *opts, lrs_err_t *err);

#endif
