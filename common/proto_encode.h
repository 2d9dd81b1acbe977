/* proto_encode.h — writing protocol messages (the types are protocol.h).
 *
 * Encoding uses msgpack-c's packer into a growing buffer that a caller keeps
 * and reuses: each encoder resets it and writes one whole frame,
 * [version, type, field...], as b->sb.data / b->sb.size.  The element count
 * it announces is protocol.h's lrs_proto_field_count, the one the decoder
 * demands.
 */
#ifndef LRS_PROTO_ENCODE_H
#define LRS_PROTO_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "common/protocol.h"

/* A growing output buffer with a packer on it. */
typedef struct lrs_wbuf {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} lrs_wbuf_t;

/* Starts b empty, with its packer writing into it. */
void lrs_wbuf_init(lrs_wbuf_t *b);
/* Empties b, keeping its memory. */
void lrs_wbuf_reset(lrs_wbuf_t *b);
/* Releases b's memory; init it again before reuse. */
void lrs_wbuf_free(lrs_wbuf_t *b);

/* Encoders: each resets b and writes one whole message (the *_begin ones
 * write the header of a message whose n elements follow with *_add). */
void lrs_proto_hello_pinned(lrs_wbuf_t *b, const char *name, const char *host, int64_t pid,
                            int jobs, int flags, uint64_t sweep, const char *gpus);
/* lrs_proto_hello_pinned of a worker pinned to no sweep yet. */
void lrs_proto_hello_flags(lrs_wbuf_t *b, const char *name, const char *host, int64_t pid,
                           int jobs, int flags);
/* lrs_proto_hello_flags with no flags: a worker that runs no command. */
void lrs_proto_hello(lrs_wbuf_t *b, const char *name, const char *host, int64_t pid, int jobs);
void lrs_proto_welcome(lrs_wbuf_t *b, uint64_t sweep, const char *sweep_name, const char *spec_hash,
                       uint64_t spec_size, uint64_t space_hash, const char *data_hash,
                       uint64_t data_size, int heartbeat_ms, int liveness, int rules);
void lrs_proto_ready(lrs_wbuf_t *b, uint64_t sweep, int credit);
void lrs_proto_trials_begin(lrs_wbuf_t *b, uint64_t sweep, int n);
void lrs_proto_trials_add(lrs_wbuf_t *b, const lrs_wire_trial_t *t);
void lrs_proto_heartbeat(lrs_wbuf_t *b);
void lrs_proto_results_begin(lrs_wbuf_t *b, uint64_t sweep, int n);
void lrs_proto_results_add(lrs_wbuf_t *b, const lrs_wire_result_t *r);
/* At least the bytes lrs_proto_results_add writes for r (to fill a message
 * up to a size without encoding it twice). */
size_t lrs_proto_result_bytes(const lrs_wire_result_t *r);
void lrs_proto_ack_begin(lrs_wbuf_t *b, uint64_t sweep, int n);
void lrs_proto_ack_add(lrs_wbuf_t *b, uint64_t trial);
void lrs_proto_spec_req(lrs_wbuf_t *b, const char *spec_hash);
void lrs_proto_spec(lrs_wbuf_t *b, const char *spec_hash, const char *spec_text);
void lrs_proto_data_req(lrs_wbuf_t *b, const char *data_hash, uint64_t offset, int chunks);
/* A chunk of the data set's binary form: bytes[0..len) are its bytes from
 * offset on, of total. */
void lrs_proto_data(lrs_wbuf_t *b, const char *data_hash, uint64_t offset, uint64_t total,
                    const void *bytes, size_t len);
void lrs_proto_shutdown(lrs_wbuf_t *b, uint64_t sweep, int ended, const char *reason);
void lrs_proto_reject(lrs_wbuf_t *b, int code, const char *reason);
void lrs_proto_progress(lrs_wbuf_t *b, uint64_t sweep, uint64_t trial, uint32_t attempt,
                        const lrs_curve_t *curve);
void lrs_proto_rung(lrs_wbuf_t *b, uint64_t sweep, uint64_t trial, uint32_t attempt, int epoch,
                    double value, double best);
void lrs_proto_verdict(lrs_wbuf_t *b, uint64_t sweep, uint64_t trial, uint32_t attempt,
                       int epoch, int prune, double threshold);

#endif
