/* fuzz_proto.c — libFuzzer harness for the wire decoder, lrs_proto_decode.
 *
 * Every frame a coordinator or a worker receives comes from the network, so
 * the decoder (common/proto_decode.h) is the first code a hostile peer
 * reaches.  Each input is one frame.  Besides the sanitizers' verdict
 * (overflow, use after free, leak, undefined behaviour) the harness checks
 * that what the decoder accepts is something the encoders
 * (common/proto_encode.h) can write back, and that this round trip is
 * stable: encode(decode(x)) decodes again, to the same bytes once more.  A
 * frame the decoder accepts but reads differently from how the other side
 * wrote it would show up there.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_decode.h"
#include "common/proto_encode.h"

/* Writes m back as a frame with the encoders. */
static void encode(lrs_wbuf_t *b, const lrs_msg_t *m)
{
    switch (m->type) {
    case LRS_MSG_HELLO:
        lrs_proto_hello_pinned(b, m->worker_name, m->host, m->pid, m->jobs, m->hello_flags,
                               m->sweep, m->gpus);
        break;
    case LRS_MSG_WELCOME:
        lrs_proto_welcome(b, m->sweep, m->sweep_name, m->spec_hash, m->spec_size, m->space_hash,
                          m->data_hash, m->data_size, m->heartbeat_ms, m->liveness, m->rules);
        break;
    case LRS_MSG_SPEC_REQ:
        lrs_proto_spec_req(b, m->spec_hash);
        break;
    case LRS_MSG_SPEC:
        lrs_proto_spec(b, m->spec_hash, m->spec_text);
        break;
    case LRS_MSG_READY:
        lrs_proto_ready(b, m->sweep, m->credit);
        break;
    case LRS_MSG_TRIALS:
        lrs_proto_trials_begin(b, m->sweep, m->n_trials);
        for (int i = 0; i < m->n_trials; i++)
            lrs_proto_trials_add(b, &m->trials[i]);
        break;
    case LRS_MSG_HEARTBEAT:
        lrs_proto_heartbeat(b);
        break;
    case LRS_MSG_RESULTS:
        lrs_proto_results_begin(b, m->sweep, m->n_results);
        for (int i = 0; i < m->n_results; i++)
            lrs_proto_results_add(b, &m->results[i]);
        break;
    case LRS_MSG_ACK:
        lrs_proto_ack_begin(b, m->sweep, m->n_acks);
        for (int i = 0; i < m->n_acks; i++)
            lrs_proto_ack_add(b, m->acks[i]);
        break;
    case LRS_MSG_DATA_REQ:
        lrs_proto_data_req(b, m->data_hash, m->data_offset, m->data_chunks);
        break;
    case LRS_MSG_DATA:
        lrs_proto_data(b, m->data_hash, m->data_offset, m->data_size, m->data, m->data_len);
        break;
    case LRS_MSG_SHUTDOWN:
        lrs_proto_shutdown(b, m->sweep, m->ended, m->reason);
        break;
    case LRS_MSG_REJECT:
        lrs_proto_reject(b, m->code, m->reason);
        break;
    case LRS_MSG_PROGRESS:
        lrs_proto_progress(b, m->sweep, m->trial, m->attempt, &m->curve);
        break;
    case LRS_MSG_RUNG:
        lrs_proto_rung(b, m->sweep, m->trial, m->attempt, m->epoch, m->value, m->best);
        break;
    case LRS_MSG_VERDICT:
        lrs_proto_verdict(b, m->sweep, m->trial, m->attempt, m->epoch, m->prune, m->threshold);
        break;
    default:
        fprintf(stderr, "fuzz_proto: decoded an unknown type %d\n", m->type);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lrs_msg_t m, again;
    lrs_err_t err;
    if (lrs_proto_decode(data, size, &m, &err) != 0) {
        if (err.code != LRS_EXIT_USAGE && err.code != LRS_EXIT_RUNTIME) {
            fprintf(stderr, "fuzz_proto: refused without an error code\n");
            abort();
        }
        return 0;
    }
    lrs_wbuf_t first, second;
    lrs_wbuf_init(&first);
    lrs_wbuf_init(&second);
    encode(&first, &m);
    if (lrs_proto_decode(first.sb.data, first.sb.size, &again, &err) != 0) {
        fprintf(stderr, "fuzz_proto: a decoded %s does not decode once re-encoded: %s\n",
                lrs_msg_name(m.type), err.msg);
        abort();
    }
    encode(&second, &again);
    if (second.sb.size != first.sb.size || memcmp(first.sb.data, second.sb.data, first.sb.size)) {
        fprintf(stderr, "fuzz_proto: %s changes on a second round trip\n", lrs_msg_name(m.type));
        abort();
    }
    lrs_wbuf_free(&first);
    lrs_wbuf_free(&second);
    lrs_msg_free(&again);
    lrs_msg_free(&m);
    return 0;
}
