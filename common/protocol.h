/* protocol.h — the wire protocol between coordinator and workers.
 *
 * Every message is one ZeroMQ frame holding one msgpack array
 * [version, type, field...] (the ROUTER adds the peer identity frame).
 * schema/protocol.md is the written spec: fields of every type, the flow,
 * the limits.  In short: a worker says HELLO, gets WELCOME (the sweep's spec
 * text and data hash, once per sweep), fetches the data set's binary form
 * (common/data_blob.h) by hash in chunks (DATA_REQ(offset, n) → n DATA
 * frames) unless cached, asks for work with READY(n), receives TRIALS (indices
 * only: the worker regenerates trial i from the spec), runs them while both
 * sides HEARTBEAT, returns RESULTS, and forgets a result only when ACKed.
 *
 * This header is the vocabulary both directions share: the message types and
 * their fields, the limits, and how a decoded message is freed.  Writing a
 * message is common/proto_encode.h; reading one is common/proto_decode.h.
 */
#ifndef LRS_PROTOCOL_H
#define LRS_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/params.h"
#include "common/result.h"

#define LRS_PROTO_VERSION 8

/* Liveness: each side sends HEARTBEAT every interval when it has sent nothing
 * else; a peer silent for LIVENESS intervals is presumed dead.  These are the
 * defaults: a coordinator's --heartbeat-ms and --liveness reach its workers
 * in the WELCOME. */
#define LRS_HEARTBEAT_MS 1000
#define LRS_HEARTBEAT_LIVENESS 3
/* Worker reconnect back-off: 1 s doubling to 32 s. */
#define LRS_RECONNECT_MIN_MS 1000
#define LRS_RECONNECT_MAX_MS 32000

/* Hard limits, enforced on decode (and ZMQ_MAXMSGSIZE on the sockets). */
#define LRS_PROTO_MAX_MSG (16 * 1024 * 1024)     /* coordinator inbound frame */
#define LRS_PROTO_MAX_DATA ((uint64_t)17 << 30)  /* a data set's binary form: 16 GiB of values
                                                    (LRS_DATASET_MAX_CELLS) and its names */
#define LRS_PROTO_DATA_CHUNK (1024 * 1024)       /* bytes of the data set per DATA frame */
#define LRS_PROTO_MAX_DATA_CHUNKS 16             /* DATA frames one DATA_REQ asks for */
#define LRS_PROTO_MAX_BATCH 4096                 /* trials / results / acks per message */
#define LRS_PROTO_MAX_STR 65536                  /* any string but spec text */
/* spec text: LRS_SPEC_MAX_TEXT (common/spec.h), the bound of every spec */
#define LRS_PROTO_MAX_FOLDS 1000
#define LRS_PROTO_MAX_EPOCHS 100000                /* epoch rows per result */
#define LRS_PROTO_MAX_REPEATS 100                  /* = LRS_SPEC_MAX_REPEATS */
#define LRS_PROTO_MAX_RUNS (LRS_PROTO_MAX_FOLDS * LRS_PROTO_MAX_REPEATS)   /* fold rows */
#define LRS_PROTO_MAX_CREDIT 100000
/* The user's-command part of results and PROGRESS (worker/exec.h). */
#define LRS_PROTO_MAX_NAMES 64                   /* metric names per trial */
#define LRS_PROTO_MAX_NAME 63                    /* bytes of a metric name */
#define LRS_PROTO_MAX_POINTS 262144              /* curve values per result / PROGRESS */
#define LRS_PROTO_MAX_TAIL (1024 * 1024)         /* bytes of a stderr or log tail */

typedef enum {
    LRS_MSG_HELLO = 1,   /* w→c  name, host, pid, jobs, flags (LRS_HELLO_*), sweep token the
                                 worker is pinned to (0: none yet, or it follows any: --serve),
                                 gpus (its --gpus list, "" none) */
    LRS_MSG_WELCOME,     /* c→w  sweep token, name, spec hash, spec size, space hash, data hash,
                                 data size, heartbeat ms, liveness (missed beats), the sweep's
                                 behaviour rules (common/spec_rules.h) */
    LRS_MSG_READY,       /* w→c  sweep token, credit: how many more trials it wants */
    LRS_MSG_TRIALS,      /* c→w  sweep token, [[trial, attempt, seed]...] */
    LRS_MSG_HEARTBEAT,   /* both (no fields) */
    LRS_MSG_RESULTS,     /* w→c  sweep token, [result...] */
    LRS_MSG_ACK,         /* c→w  sweep token, [trial...]: committed (or refused): forget them */
    LRS_MSG_DATA_REQ,    /* w→c  data hash, offset, chunks: send that many DATA frames from
                                 offset on */
    LRS_MSG_DATA,        /* c→w  data hash, offset, total size, bytes (≤ LRS_PROTO_DATA_CHUNK)
                                 of the data set's binary form */
    LRS_MSG_SHUTDOWN,    /* c→w  sweep token, ended, reason.  ended 1: the sweep is complete (or
                                 ended by request): its workers exit 0.  ended 0: this
                                 coordinator stops, the sweep does not: reconnect later */
    LRS_MSG_REJECT,      /* c→w  code (LRS_REJECT_*), reason */
    LRS_MSG_PROGRESS,    /* w→c  sweep token, trial, attempt, names, points: a running command's
                                 curve so far (new points only) */
    LRS_MSG_SPEC_REQ,    /* w→c  spec hash */
    LRS_MSG_SPEC,        /* c→w  spec hash, spec text */
    LRS_MSG_RUNG,        /* w→c  sweep token, trial, attempt, epoch, value, best: a built-in
                                 trial reached a pruning rung and waits for the VERDICT */
    LRS_MSG_VERDICT,     /* c→w  sweep token, trial, attempt, epoch, prune (0/1), threshold:
                                 the recorded decision at that rung (a command trial's too:
                                 prune 1 stops its command, its curve cut at epoch) */
    LRS_MSG_COUNT
} lrs_msg_type_t;

/* REJECT codes: what the worker does about it. */
#define LRS_REJECT_HELLO 1      /* not in a session here (e.g. the coordinator restarted): say HELLO */
#define LRS_REJECT_REFUSED 2    /* HELLO refused (full; pinned to another sweep): retry with back-off */
#define LRS_REJECT_MESSAGE 3    /* a message not understood or not allowed; the session goes on */
#define LRS_REJECT_VERSION 4    /* another protocol version (sent in the coordinator's) */

/* HELLO flags: what a worker was allowed to do. */
#define LRS_HELLO_RUNS_COMMANDS 1   /* started with --allow-commands: runs `command:` trials */

/* The one message for two ends of different protocol versions: "this SELF
 * (lrsweep X.Y.Z) speaks protocol N, the PEER speaks protocol M: …", naming
 * the release that would fit. */
void lrs_proto_version_skew(uint64_t theirs, const char *self, const char *peer, char *out,
                            size_t size);

/* Name of a message type for logs ("HELLO"), "?" when out of range. */
const char *lrs_msg_name(int type);

typedef struct lrs_wire_trial {
    uint64_t trial;
    uint32_t attempt;   /* 1-based */
    uint64_t seed;      /* the training seed */
} lrs_wire_trial_t;

/* A result on the wire: which trial and attempt, and the outcome (the one
 * result type of common/result.h; a command's part, when present, is an
 * 11th element on the wire). */
typedef struct lrs_wire_result {
    uint64_t trial;
    uint32_t attempt;
    lrs_trial_result_t result;
} lrs_wire_result_t;

/* A decoded message.  Strings and arrays are owned by the message (freed by
 * lrs_msg_free); fields not carried by the type are zero / NULL. */
typedef struct lrs_msg {
    int type;
    uint64_t sweep;              /* sweep token: WELCOME, READY, TRIALS, RESULTS, ACK, SHUTDOWN;
                                    HELLO: the one the worker is pinned to */
    /* HELLO */
    char *worker_name, *host;
    int64_t pid;
    int jobs;
    int hello_flags;             /* LRS_HELLO_* */
    char *gpus;                  /* the worker's --gpus ("0,1"; "" none), checked by lrs_devices_parse */
    /* WELCOME */
    char *sweep_name;
    /* WELCOME, SPEC_REQ, SPEC: the spec by content hash (16 hex digits) */
    char *spec_hash;
    uint64_t spec_size;          /* WELCOME */
    char *spec_text;             /* SPEC (a worker also keeps it in its WELCOME) */
    size_t spec_len;
    uint64_t space_hash;
    int heartbeat_ms, liveness; /* WELCOME */
    int rules;                   /* WELCOME: the rules the worker parses the spec under */
    /* WELCOME, DATA_REQ, DATA */
    char *data_hash;             /* "" when the sweep has no data file */
    uint64_t data_size;
    /* DATA_REQ, DATA: where in the binary form; DATA_REQ: how many chunks;
       DATA: data_size is the form's total size, data the chunk's bytes */
    uint64_t data_offset;
    int data_chunks;
    char *data;
    size_t data_len;
    /* READY */
    int credit;
    /* TRIALS */
    int n_trials;
    lrs_wire_trial_t *trials;
    /* RESULTS */
    int n_results;
    lrs_wire_result_t *results;
    /* ACK */
    int n_acks;
    uint64_t *acks;
    /* SHUTDOWN, REJECT */
    char *reason;
    int ended;                   /* SHUTDOWN: 1 the sweep is complete */
    int code;                    /* REJECT: LRS_REJECT_* */
    /* PROGRESS, RUNG, VERDICT (and sweep above) */
    uint64_t trial;
    uint32_t attempt;
    lrs_curve_t curve;           /* PROGRESS */
    int epoch;                   /* RUNG, VERDICT: the rung's epoch (1-based) */
    double value, best;          /* RUNG: the metric at epoch, the best so far (may be NaN) */
    int prune;                   /* VERDICT: 1 stop the trial at epoch */
    double threshold;            /* VERDICT: the bar it was held to (NaN: none) */
} lrs_msg_t;

/* Fields after [version, type] of message type `type` (1 ≤ type <
 * LRS_MSG_COUNT): what an encoder announces and the decoder demands. */
int lrs_proto_field_count(int type);

/* Frees what msg owns and zeroes it.  Takes a zeroed message. */
void lrs_msg_free(lrs_msg_t *msg);

/* Frees what one result owns (for results built by a worker) and leaves
 * it empty (lrs_trial_result_init). */
void lrs_wire_result_clear(lrs_wire_result_t *r);

/* Content hash of bytes (64-bit FNV-1a: a spec's text, a data set's binary
 * form) as 16 hex digits + NUL. */
void lrs_proto_content_hash(const void *bytes, size_t len, char out[17]);

#endif
