/* proto_encode.c — see proto_encode.h.  Encoders are thin msgpack-c packer
 * calls; the element count of each message comes from protocol.c's table,
 * the one the decoder checks against. */
#include "common/proto_encode.h"

#include <math.h>
#include <string.h>

void lrs_wbuf_init(lrs_wbuf_t *b)
{
    msgpack_sbuffer_init(&b->sb);
    msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
}

void lrs_wbuf_reset(lrs_wbuf_t *b) { msgpack_sbuffer_clear(&b->sb); }

void lrs_wbuf_free(lrs_wbuf_t *b) { msgpack_sbuffer_destroy(&b->sb); }
static void header(lrs_wbuf_t *b, int type)
{
    lrs_wbuf_reset(b);
    msgpack_pack_array(&b->pk, 2 + (size_t)lrs_proto_field_count(type));
    msgpack_pack_uint64(&b->pk, LRS_PROTO_VERSION);
    msgpack_pack_uint64(&b->pk, (uint64_t)type);
}

static void pack_str(lrs_wbuf_t *b, const char *s)
{
    if (!s)
        s = "";
    msgpack_pack_str_with_body(&b->pk, s, strlen(s));
}

void lrs_proto_hello_pinned(lrs_wbuf_t *b, const char *name, const char *host, int64_t pid,
                            int jobs, int flags, uint64_t sweep, const char *gpus)
{
    header(b, LRS_MSG_HELLO);
    pack_str(b, name);
    pack_str(b, host);
    msgpack_pack_int64(&b->pk, pid);
    msgpack_pack_int64(&b->pk, jobs);
    msgpack_pack_int64(&b->pk, flags);
    msgpack_pack_uint64(&b->pk, sweep);
    pack_str(b, gpus);
}

void lrs_proto_hello_flags(lrs_wbuf_t *b, const char *name, const char *host, int64_t pid,
                           int jobs, int flags)
{
    lrs_proto_hello_pinned(b, name, host, pid, jobs, flags, 0, NULL);
}

void lrs_proto_hello(lrs_wbuf_t *b, const char *name, const char *host, int64_t pid, int jobs)
{
    lrs_proto_hello_flags(b, name, host, pid, jobs, 0);
}

void lrs_proto_welcome(lrs_wbuf_t *b, uint64_t sweep, const char *sweep_name, const char *spec_hash,
                       uint64_t spec_size, uint64_t space_hash, const char *data_hash,
                       uint64_t data_size, int heartbeat_ms, int liveness, int rules)
{
    header(b, LRS_MSG_WELCOME);
    msgpack_pack_uint64(&b->pk, sweep);
    pack_str(b, sweep_name);
    pack_str(b, spec_hash);
    msgpack_pack_uint64(&b->pk, spec_size);
    msgpack_pack_uint64(&b->pk, space_hash);
    pack_str(b, data_hash);
    msgpack_pack_uint64(&b->pk, data_size);
    msgpack_pack_int64(&b->pk, heartbeat_ms);
    msgpack_pack_int64(&b->pk, liveness);
    msgpack_pack_int64(&b->pk, rules);
}

void lrs_proto_ready(lrs_wbuf_t *b, uint64_t sweep, int credit)
{
    header(b, LRS_MSG_READY);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_int64(&b->pk, credit);
}

void lrs_proto_trials_begin(lrs_wbuf_t *b, uint64_t sweep, int n)
{
    header(b, LRS_MSG_TRIALS);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_array(&b->pk, (size_t)n);
}

void lrs_proto_trials_add(lrs_wbuf_t *b, const lrs_wire_trial_t *t)
{
    msgpack_pack_array(&b->pk, 3);
    msgpack_pack_uint64(&b->pk, t->trial);
    msgpack_pack_uint64(&b->pk, t->attempt);
    msgpack_pack_uint64(&b->pk, t->seed);
}

void lrs_proto_heartbeat(lrs_wbuf_t *b) { header(b, LRS_MSG_HEARTBEAT); }

void lrs_proto_results_begin(lrs_wbuf_t *b, uint64_t sweep, int n)
{
    header(b, LRS_MSG_RESULTS);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_array(&b->pk, (size_t)n);
}

static void pack_bytes(lrs_wbuf_t *b, const char *p, size_t len)
{
    msgpack_pack_bin_with_body(&b->pk, p ? p : "", p ? len : 0);
}

/* names, then points: the curve as results and PROGRESS carry it */
static void pack_curve(lrs_wbuf_t *b, const lrs_curve_t *c)
{
    msgpack_packer *pk = &b->pk;
    msgpack_pack_array(pk, (size_t)c->n_names);
    for (int i = 0; i < c->n_names; i++)
        pack_str(b, c->names[i]);
    msgpack_pack_array(pk, c->n_points);
    for (size_t i = 0; i < c->n_points; i++) {
        const lrs_curve_point_t *p = &c->points[i];
        msgpack_pack_array(pk, 4);
        msgpack_pack_int64(pk, p->fold);
        msgpack_pack_int64(pk, p->epoch);
        msgpack_pack_int64(pk, p->name);
        msgpack_pack_double(pk, p->value);
    }
}

static void pack_exec(lrs_wbuf_t *b, const lrs_command_result_t *e)
{
    msgpack_packer *pk = &b->pk;
    msgpack_pack_array(pk, 8);
    msgpack_pack_int64(pk, e->exit_status);
    msgpack_pack_int64(pk, e->term_signal);
    pack_bytes(b, e->stderr_tail, e->stderr_len);
    pack_bytes(b, e->log_tail, e->log_len);
    msgpack_pack_array(pk, (size_t)e->curve.n_names);
    for (int i = 0; i < e->curve.n_names; i++)
        msgpack_pack_double(pk, e->finals ? e->finals[i] : NAN);
    msgpack_pack_int64(pk, e->curve_truncated);
    pack_curve(b, &e->curve);
}

void lrs_proto_progress(lrs_wbuf_t *b, uint64_t sweep, uint64_t trial, uint32_t attempt,
                        const lrs_curve_t *curve)
{
    header(b, LRS_MSG_PROGRESS);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_uint64(&b->pk, trial);
    msgpack_pack_uint64(&b->pk, attempt);
    pack_curve(b, curve);
}

size_t lrs_proto_result_bytes(const lrs_wire_result_t *r)
{
    const lrs_trial_result_t *o = &r->result;
    size_t size = 64 + 48 * (size_t)(o->n_folds + o->n_epochs) + 9 * (size_t)o->n_repeats +
                  (o->error ? strlen(o->error) : 0);
    if (o->command)
        size += 64 + o->command->stderr_len + o->command->log_len +
                24 * o->command->curve.n_points + 80 * (size_t)o->command->curve.n_names;
    return size;
}

void lrs_proto_results_add(lrs_wbuf_t *b, const lrs_wire_result_t *r)
{
    msgpack_packer *pk = &b->pk;
    const lrs_trial_result_t *o = &r->result;
    msgpack_pack_array(pk, o->command ? 12 : 11);
    msgpack_pack_uint64(pk, r->trial);
    msgpack_pack_uint64(pk, r->attempt);
    msgpack_pack_int64(pk, o->status);
    msgpack_pack_double(pk, o->score);
    msgpack_pack_double(pk, o->score_std);
    msgpack_pack_double(pk, o->seconds);
    msgpack_pack_int64(pk, o->diverged_epoch);
    if (o->error)
        pack_str(b, o->error);
    else
        msgpack_pack_nil(pk);
    msgpack_pack_array(pk, (size_t)o->n_folds);
    for (int i = 0; i < o->n_folds; i++) {
        msgpack_pack_array(pk, 5);
        msgpack_pack_int64(pk, o->folds[i].fold);
        msgpack_pack_double(pk, o->folds[i].train_loss);
        msgpack_pack_double(pk, o->folds[i].val_loss);
        msgpack_pack_double(pk, o->folds[i].accuracy);
        msgpack_pack_int64(pk, o->folds[i].repeat);
    }
    msgpack_pack_array(pk, (size_t)o->n_epochs);
    for (int i = 0; i < o->n_epochs; i++) {
        msgpack_pack_array(pk, 5);
        msgpack_pack_int64(pk, o->epochs[i].epoch);
        msgpack_pack_double(pk, o->epochs[i].lr);
        msgpack_pack_double(pk, o->epochs[i].train_loss);
        msgpack_pack_double(pk, o->epochs[i].val_loss);
        msgpack_pack_int64(pk, o->epochs[i].repeat);
    }
    msgpack_pack_array(pk, (size_t)o->n_repeats);
    for (int i = 0; i < o->n_repeats; i++)
        msgpack_pack_double(pk, o->repeat_scores[i]);
    if (o->command)
        pack_exec(b, o->command);
}

void lrs_proto_ack_begin(lrs_wbuf_t *b, uint64_t sweep, int n)
{
    header(b, LRS_MSG_ACK);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_array(&b->pk, (size_t)n);
}

void lrs_proto_ack_add(lrs_wbuf_t *b, uint64_t trial) { msgpack_pack_uint64(&b->pk, trial); }

void lrs_proto_spec_req(lrs_wbuf_t *b, const char *spec_hash)
{
    header(b, LRS_MSG_SPEC_REQ);
    pack_str(b, spec_hash);
}

void lrs_proto_spec(lrs_wbuf_t *b, const char *spec_hash, const char *spec_text)
{
    header(b, LRS_MSG_SPEC);
    pack_str(b, spec_hash);
    pack_str(b, spec_text);
}

void lrs_proto_data_req(lrs_wbuf_t *b, const char *data_hash, uint64_t offset, int chunks)
{
    header(b, LRS_MSG_DATA_REQ);
    pack_str(b, data_hash);
    msgpack_pack_uint64(&b->pk, offset);
    msgpack_pack_int(&b->pk, chunks);
}

void lrs_proto_data(lrs_wbuf_t *b, const char *data_hash, uint64_t offset, uint64_t total,
                    const void *bytes, size_t len)
{
    header(b, LRS_MSG_DATA);
    pack_str(b, data_hash);
    msgpack_pack_uint64(&b->pk, offset);
    msgpack_pack_uint64(&b->pk, total);
    msgpack_pack_bin_with_body(&b->pk, bytes, len);
}

void lrs_proto_shutdown(lrs_wbuf_t *b, uint64_t sweep, int ended, const char *reason)
{
    header(b, LRS_MSG_SHUTDOWN);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_int64(&b->pk, ended ? 1 : 0);
    pack_str(b, reason);
}

void lrs_proto_reject(lrs_wbuf_t *b, int code, const char *reason)
{
    header(b, LRS_MSG_REJECT);
    msgpack_pack_int64(&b->pk, code);
    pack_str(b, reason);
}


void lrs_proto_rung(lrs_wbuf_t *b, uint64_t sweep, uint64_t trial, uint32_t attempt, int epoch,
                    double value, double best)
{
    header(b, LRS_MSG_RUNG);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_uint64(&b->pk, trial);
    msgpack_pack_uint64(&b->pk, attempt);
    msgpack_pack_int64(&b->pk, epoch);
    msgpack_pack_double(&b->pk, value);
    msgpack_pack_double(&b->pk, best);
}

void lrs_proto_verdict(lrs_wbuf_t *b, uint64_t sweep, uint64_t trial, uint32_t attempt,
                       int epoch, int prune, double threshold)
{
    header(b, LRS_MSG_VERDICT);
    msgpack_pack_uint64(&b->pk, sweep);
    msgpack_pack_uint64(&b->pk, trial);
    msgpack_pack_uint64(&b->pk, attempt);
    msgpack_pack_int64(&b->pk, epoch);
    msgpack_pack_int64(&b->pk, prune);
    msgpack_pack_double(&b->pk, threshold);
}
