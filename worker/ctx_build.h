/* ctx_build.h — building a sweep context (worker/sweep_ctx.h) on a thread
 * of its own, so that decoding and checking a large data set never holds
 * the worker's I/O thread: while it runs, heartbeats keep flowing and the
 * coordinator sees a live worker whatever the data set's size.
 *
 * The I/O thread starts a build with the WELCOME and the data set's binary
 * form (both taken over: the context's data set reads its values in place
 * from that block), polls lrs_ctx_build_fd, and takes the result when
 * lrs_ctx_build_ready says so.
 */
#ifndef LRS_CTX_BUILD_H
#define LRS_CTX_BUILD_H

#include <stddef.h>

#include "common/err.h"
#include "common/protocol.h"
#include "worker/sweep_ctx.h"

typedef struct lrs_ctx_build lrs_ctx_build_t;

/* Starts building the context of WELCOME *w (moved in: *w is left zeroed)
 * with data[0..len) (malloc'd, taken over; NULL: none), workdir_base and
 * allow_commands as lrs_sweep_ctx_new takes them.  NULL with err when no
 * thread could be started (then *w and data are untouched). */
lrs_ctx_build_t *lrs_ctx_build_start(lrs_msg_t *w, void *data, size_t len,
                                     const char *workdir_base, int allow_commands, lrs_err_t *err);

/* A descriptor that becomes readable when the build is over. */
int lrs_ctx_build_fd(const lrs_ctx_build_t *b);

/* 1 when the build is over (block: wait for it), else 0. */
int lrs_ctx_build_ready(lrs_ctx_build_t *b, int block);

/* Ends a build that is over (waits for it otherwise): returns its context
 * (one reference; NULL with err when it failed) and moves its WELCOME into
 * *w; frees the build and clears *bp. */
lrs_sweep_ctx_t *lrs_ctx_build_finish(lrs_ctx_build_t **bp, lrs_msg_t *w, lrs_err_t *err);

#endif
