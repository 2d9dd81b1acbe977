/* protocol.c — see protocol.h.  The message table (names, field counts),
 * freeing what a decoded message owns, and the data content hash.  The
 * encoders are proto_encode.c, the decoder proto_decode.c. */
#include "common/protocol.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fnv.h"
#include "common/version.h"

static const char *const msg_names[LRS_MSG_COUNT] = {
    [LRS_MSG_HELLO] = "HELLO",       [LRS_MSG_WELCOME] = "WELCOME", [LRS_MSG_READY] = "READY",
    [LRS_MSG_TRIALS] = "TRIALS",     [LRS_MSG_HEARTBEAT] = "HEARTBEAT",
    [LRS_MSG_RESULTS] = "RESULTS",   [LRS_MSG_ACK] = "ACK",         [LRS_MSG_DATA_REQ] = "DATA_REQ",
    [LRS_MSG_DATA] = "DATA",         [LRS_MSG_SHUTDOWN] = "SHUTDOWN", [LRS_MSG_REJECT] = "REJECT",
    [LRS_MSG_PROGRESS] = "PROGRESS", [LRS_MSG_SPEC_REQ] = "SPEC_REQ", [LRS_MSG_SPEC] = "SPEC",
    [LRS_MSG_RUNG] = "RUNG",         [LRS_MSG_VERDICT] = "VERDICT",
};

/* Fields after [version, type] for each message type. */
static const int field_count[LRS_MSG_COUNT] = {
    [LRS_MSG_HELLO] = 7,   [LRS_MSG_WELCOME] = 10, [LRS_MSG_READY] = 2,    [LRS_MSG_TRIALS] = 2,
    [LRS_MSG_HEARTBEAT] = 0, [LRS_MSG_RESULTS] = 2, [LRS_MSG_ACK] = 2,    [LRS_MSG_DATA_REQ] = 3,
    [LRS_MSG_DATA] = 4,    [LRS_MSG_SHUTDOWN] = 3, [LRS_MSG_REJECT] = 2,
    [LRS_MSG_PROGRESS] = 5, [LRS_MSG_SPEC_REQ] = 1, [LRS_MSG_SPEC] = 2,
    [LRS_MSG_RUNG] = 6,    [LRS_MSG_VERDICT] = 6,
};

const char *lrs_msg_name(int type)
{
    return type > 0 && type < LRS_MSG_COUNT ? msg_names[type] : "?";
}

int lrs_proto_field_count(int type) { return field_count[type]; }

void lrs_proto_version_skew(uint64_t theirs, const char *self, const char *peer, char *out,
                            size_t size)
{
    snprintf(out, size,
             "protocol version mismatch: this %s (lrsweep %s) speaks protocol %d, the %s speaks "
             "protocol %llu (%s lrsweep); run both from the same release: lrsweep %s for protocol "
             "%d (`lrsweep --version` names both numbers)",
             self, LRS_VERSION, LRS_PROTO_VERSION, peer, (unsigned long long)theirs,
             theirs < LRS_PROTO_VERSION ? "an older" : "a newer", LRS_VERSION, LRS_PROTO_VERSION);
}

void lrs_wire_result_clear(lrs_wire_result_t *r)
{
    lrs_trial_result_clear(&r->result);
    r->trial = 0;
    r->attempt = 0;
}

void lrs_msg_free(lrs_msg_t *m)
{
    free(m->worker_name);
    free(m->gpus);
    free(m->host);
    free(m->sweep_name);
    free(m->spec_text);
    free(m->spec_hash);
    free(m->data_hash);
    free(m->data);
    free(m->trials);
    for (int i = 0; i < m->n_results; i++)
        lrs_wire_result_clear(&m->results[i]);
    free(m->results);
    free(m->acks);
    free(m->reason);
    lrs_curve_clear(&m->curve);
    memset(m, 0, sizeof *m);
}

void lrs_proto_content_hash(const void *bytes, size_t len, char out[17])
{
    lrs_fnv64_hex(lrs_fnv64(LRS_FNV64_INIT, bytes, len), out);
}
