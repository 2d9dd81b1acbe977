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
 * coordinator says SHUTDOWN.
 *
 * Trial kinds: a sweep context carries a `run` function chosen from the
 * spec — the built-in engine (worker/train.h) or the synthetic objective
 * (worker/synthetic.h); a user's-own-command runner plugs in as a third.
 */
#ifndef LRS_AGENT_H
#define LRS_AGENT_H

#include <signal.h>
#include <stdio.h>

#include "common/err.h"

typedef struct lrs_agent_opts {
    const char *endpoint;        /* coordinator, e.g. tcp://host:5555 */
    int jobs;                    /* trial threads; default 1 */
    int prefetch;                /* trials queued beyond jobs; default max(jobs, 16) */
    const char *name;            /* default host:pid */
    volatile sig_atomic_t *interrupts;   /* SIGINT/SIGTERM count kept by the caller; may be NULL */
    int verbose;                 /* 1: log connections and shutdowns */
    FILE *log;                   /* default stderr */
} lrs_agent_opts_t;

void lrs_agent_opts_init(lrs_agent_opts_t *opts);

/* Runs trials until the coordinator says the sweep is over (returns 0) or an
 * interrupt (130); -1 with err for a fatal local error (bad endpoint, no
 * memory, threads). */
int lrs_agent_run(const lrs_agent_opts_t *opts, lrs_err_t *err);

#endif
