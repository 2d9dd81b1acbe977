/* proto_decode.c — see proto_decode.h.  A cursor over the frame: each rd_*
 * reads one msgpack value, checking its length against the bytes left and
 * its cap before allocating; rd_body reads the fields of each message type;
 * on any failure what was allocated is freed through lrs_msg_free. */
#include "common/proto_decode.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/devices.h"
#include "common/spec.h"   /* LRS_SPEC_MAX_TEXT */

typedef struct reader {
    const uint8_t *p, *end;
    lrs_err_t *err;
    size_t fields;   /* of the message being read, after version and type */
} reader_t;

static size_t left(const reader_t *r) { return (size_t)(r->end - r->p); }

static int fail(reader_t *r, const char *field, const char *what)
{
    lrs_err_set(r->err, LRS_EXIT_USAGE, "%s: %s", field, what);
    return -1;   /* spelled out so the compiler sees no path with unset outputs */
}

/* Big-endian unsigned of n bytes; caller checked they are there. */
static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static int take(reader_t *r, size_t n, const char *field, const uint8_t **out)
{
    if (left(r) < n)
        return fail(r, field, "message truncated");
    *out = r->p;
    r->p += n;
    return 0;
}

/* Reads any msgpack integer: *neg says whether it is negative (then *u holds
 * its two's-complement bits as int64). */
static int rd_int(reader_t *r, const char *field, uint64_t *u, int *neg)
{
    const uint8_t *q = NULL;
    if (take(r, 1, field, &q) != 0)
        return -1;
    uint8_t t = q[0];
    *neg = 0;
    if (t <= 0x7f) {
        *u = t;
        return 0;
    }
    if (t >= 0xe0) {
        *u = (uint64_t)(int64_t)(int8_t)t;
        *neg = 1;
        return 0;
    }
    int n, is_signed;
    switch (t) {
    case 0xcc: n = 1, is_signed = 0; break;
    case 0xcd: n = 2, is_signed = 0; break;
    case 0xce: n = 4, is_signed = 0; break;
    case 0xcf: n = 8, is_signed = 0; break;
    case 0xd0: n = 1, is_signed = 1; break;
    case 0xd1: n = 2, is_signed = 1; break;
    case 0xd2: n = 4, is_signed = 1; break;
    case 0xd3: n = 8, is_signed = 1; break;
    default: return fail(r, field, "expected an integer");
    }
    if (take(r, (size_t)n, field, &q) != 0)
        return -1;
    uint64_t v = be(q, n);
    if (is_signed && n < 8 && (v >> (8 * n - 1)) & 1)
        v |= ~(uint64_t)0 << (8 * n);   /* sign-extend */
    *u = v;
    *neg = is_signed && (int64_t)v < 0;
    return 0;
}

static int rd_u64(reader_t *r, const char *field, uint64_t max, uint64_t *out)
{
    int neg;
    if (rd_int(r, field, out, &neg) != 0)
        return -1;
    if (neg || *out > max)
        return fail(r, field, "integer out of range");
    return 0;
}

static int rd_i64(reader_t *r, const char *field, int64_t lo, int64_t hi, int64_t *out)
{
    uint64_t u;
    int neg;
    if (rd_int(r, field, &u, &neg) != 0)
        return -1;
    if (!neg && u > (uint64_t)INT64_MAX)
        return fail(r, field, "integer out of range");
    *out = (int64_t)u;
    if (*out < lo || *out > hi)
        return fail(r, field, "integer out of range");
    return 0;
}

static int rd_int_field(reader_t *r, const char *field, int lo, int hi, int *out)
{
    int64_t v;
    if (rd_i64(r, field, lo, hi, &v) != 0)
        return -1;
    *out = (int)v;
    return 0;
}

/* A float64/float32, an integer, or nil (NaN). */
static int rd_f64(reader_t *r, const char *field, double *out)
{
    const uint8_t *q = NULL;
    if (left(r) < 1)
        return fail(r, field, "message truncated");
    uint8_t t = r->p[0];
    if (t == 0xc0) {
        r->p++;
        *out = NAN;
        return 0;
    }
    if (t == 0xcb || t == 0xca) {
        r->p++;
        int n = t == 0xcb ? 8 : 4;
        if (take(r, (size_t)n, field, &q) != 0)
            return -1;
        uint64_t bits = be(q, n);
        if (n == 8) {
            memcpy(out, &bits, sizeof *out);
        } else {
            uint32_t b32 = (uint32_t)bits;
            float f;
            memcpy(&f, &b32, sizeof f);
            *out = f;
        }
        return 0;
    }
    uint64_t u;
    int neg;
    if (rd_int(r, field, &u, &neg) != 0)
        return fail(r, field, "expected a number");
    *out = neg ? (double)(int64_t)u : (double)u;
    return 0;
}

static int rd_array(reader_t *r, const char *field, uint64_t max, size_t *n)
{
    const uint8_t *q = NULL;
    if (take(r, 1, field, &q) != 0)
        return -1;
    uint8_t t = q[0];
    uint64_t v;
    if ((t & 0xf0) == 0x90) {
        v = t & 0x0f;
    } else if (t == 0xdc || t == 0xdd) {
        int len = t == 0xdc ? 2 : 4;
        if (take(r, (size_t)len, field, &q) != 0)
            return -1;
        v = be(q, len);
    } else {
        return fail(r, field, "expected an array");
    }
    if (v > max)
        return fail(r, field, "too many elements");
    if (v > left(r))   /* every element takes at least one byte */
        return fail(r, field, "message truncated");
    *n = (size_t)v;
    return 0;
}

/* A str (or bin when allow_bin) of at most max bytes, pointing into the frame. */
static int rd_raw(reader_t *r, const char *field, size_t max, int allow_bin, const uint8_t **s,
                  size_t *len)
{
    const uint8_t *q = NULL;
    if (take(r, 1, field, &q) != 0)
        return -1;
    uint8_t t = q[0];
    int hdr;
    if ((t & 0xe0) == 0xa0) {
        *len = t & 0x1f;
        hdr = 0;
    } else if (t == 0xd9 || t == 0xda || t == 0xdb) {
        hdr = t == 0xd9 ? 1 : t == 0xda ? 2 : 4;
    } else if (allow_bin && (t == 0xc4 || t == 0xc5 || t == 0xc6)) {
        hdr = t == 0xc4 ? 1 : t == 0xc5 ? 2 : 4;
    } else {
        return fail(r, field, allow_bin ? "expected bytes" : "expected a string");
    }
    if (hdr) {
        if (take(r, (size_t)hdr, field, &q) != 0)
            return -1;
        *len = (size_t)be(q, hdr);
    }
    if (*len > max)
        return fail(r, field, "too long");
    return take(r, *len, field, s);
}

/* An owned NUL-terminated copy of a string without embedded NULs; nil gives
 * NULL when allow_nil. */
static int rd_str(reader_t *r, const char *field, size_t max, int allow_nil, char **out)
{
    if (allow_nil && left(r) >= 1 && r->p[0] == 0xc0) {
        r->p++;
        *out = NULL;
        return 0;
    }
    const uint8_t *s;
    size_t len;
    if (rd_raw(r, field, max, 0, &s, &len) != 0)
        return -1;
    if (memchr(s, 0, len))
        return fail(r, field, "string holds a NUL byte");
    *out = malloc(len + 1);
    if (!*out)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "%s: out of memory", field);
    memcpy(*out, s, len);
    (*out)[len] = '\0';
    return 0;
}

static int rd_tuple(reader_t *r, const char *field, size_t want)
{
    size_t n;
    if (rd_array(r, field, want, &n) != 0)
        return -1;
    if (n != want)
        return fail(r, field, "wrong number of fields");
    return 0;
}

static int rd_trials(reader_t *r, lrs_msg_t *m)
{
    size_t n;
    if (rd_array(r, "trials", LRS_PROTO_MAX_BATCH, &n) != 0)
        return -1;
    m->trials = calloc(n ? n : 1, sizeof *m->trials);
    if (!m->trials)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "trials: out of memory");
    m->n_trials = (int)n;
    for (size_t i = 0; i < n; i++) {
        lrs_wire_trial_t *t = &m->trials[i];
        uint64_t attempt;
        if (rd_tuple(r, "trials[]", 3) != 0 || rd_u64(r, "trial", INT64_MAX, &t->trial) != 0 ||
            rd_u64(r, "attempt", 1000000, &attempt) != 0 || rd_u64(r, "seed", UINT64_MAX, &t->seed) != 0)
            return -1;
        if (attempt < 1)
            return fail(r, "attempt", "integer out of range");
        t->attempt = (uint32_t)attempt;
    }
    return 0;
}

static int rd_curves(reader_t *r, lrs_trial_result_t *x)
{
    size_t n;
    if (rd_array(r, "folds", LRS_PROTO_MAX_RUNS, &n) != 0)
        return -1;
    x->folds = calloc(n ? n : 1, sizeof *x->folds);
    if (!x->folds)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "folds: out of memory");
    x->n_folds = (int)n;
    for (size_t i = 0; i < n; i++) {
        lrs_fold_result_t *f = &x->folds[i];
        if (rd_tuple(r, "folds[]", 5) != 0 ||
            rd_int_field(r, "fold", 0, LRS_PROTO_MAX_FOLDS, &f->fold) != 0 ||
            rd_f64(r, "train_loss", &f->train_loss) != 0 || rd_f64(r, "val_loss", &f->val_loss) != 0 ||
            rd_f64(r, "accuracy", &f->accuracy) != 0 ||
            rd_int_field(r, "repeat", 0, LRS_PROTO_MAX_REPEATS - 1, &f->repeat) != 0)
            return -1;
    }
    if (rd_array(r, "epochs", LRS_PROTO_MAX_EPOCHS, &n) != 0)
        return -1;
    x->epochs = calloc(n ? n : 1, sizeof *x->epochs);
    if (!x->epochs)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "epochs: out of memory");
    x->n_epochs = (int)n;
    for (size_t i = 0; i < n; i++) {
        lrs_epoch_stat_t *e = &x->epochs[i];
        if (rd_tuple(r, "epochs[]", 5) != 0 ||
            rd_int_field(r, "epoch", 1, LRS_MAX_EPOCHS, &e->epoch) != 0 ||
            rd_f64(r, "lr", &e->lr) != 0 || rd_f64(r, "train_loss", &e->train_loss) != 0 ||
            rd_f64(r, "val_loss", &e->val_loss) != 0 ||
            rd_int_field(r, "repeat", 0, LRS_PROTO_MAX_REPEATS - 1, &e->repeat) != 0)
            return -1;
    }
    if (rd_array(r, "repeat_scores", LRS_PROTO_MAX_REPEATS, &n) != 0)
        return -1;
    x->repeat_scores = calloc(n ? n : 1, sizeof *x->repeat_scores);
    if (!x->repeat_scores)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "repeat_scores: out of memory");
    x->n_repeats = (int)n;
    for (size_t i = 0; i < n; i++)
        if (rd_f64(r, "repeat_scores[]", &x->repeat_scores[i]) != 0)
            return -1;
    return 0;
}

/* names then points, checked: names valid and distinct in count, every
 * point's name index among them. */
static int rd_curve(reader_t *r, lrs_curve_t *c)
{
    size_t n;
    if (rd_array(r, "names", LRS_PROTO_MAX_NAMES, &n) != 0)
        return -1;
    c->names = calloc(n ? n : 1, sizeof *c->names);
    if (!c->names)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "names: out of memory");
    c->n_names = (int)n;
    for (size_t i = 0; i < n; i++) {
        if (rd_str(r, "name", LRS_PROTO_MAX_NAME, 0, &c->names[i]) != 0)
            return -1;
        if (!c->names[i][0])
            return fail(r, "name", "empty metric name");
    }
    if (rd_array(r, "points", LRS_PROTO_MAX_POINTS, &n) != 0)
        return -1;
    c->points = calloc(n ? n : 1, sizeof *c->points);
    if (!c->points)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "points: out of memory");
    c->n_points = n;
    for (size_t i = 0; i < n; i++) {
        lrs_curve_point_t *p = &c->points[i];
        if (rd_tuple(r, "points[]", 4) != 0 ||
            rd_int_field(r, "fold", 0, LRS_PROTO_MAX_FOLDS, &p->fold) != 0 ||
            rd_int_field(r, "epoch", INT32_MIN, INT32_MAX, &p->epoch) != 0 ||
            rd_int_field(r, "name", 0, c->n_names - 1, &p->name) != 0 ||
            rd_f64(r, "value", &p->value) != 0)
            return -1;
    }
    return 0;
}

/* An owned copy of a str or bin of at most max bytes (NUL added, not counted). */
static int rd_bytes(reader_t *r, const char *field, size_t max, char **out, size_t *len)
{
    const uint8_t *s;
    if (rd_raw(r, field, max, 1, &s, len) != 0)
        return -1;
    *out = malloc(*len + 1);
    if (!*out)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "%s: out of memory", field);
    memcpy(*out, s, *len);
    (*out)[*len] = '\0';
    return 0;
}

static int rd_exec(reader_t *r, lrs_trial_result_t *x)
{
    lrs_command_result_t *e = calloc(1, sizeof *e);
    if (!e)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "exec: out of memory");
    x->command = e;
    size_t n_finals;
    if (rd_tuple(r, "exec", 8) != 0 ||
        rd_int_field(r, "exit_status", -1, 255, &e->exit_status) != 0 ||
        rd_int_field(r, "signal", 0, 128, &e->term_signal) != 0 ||
        rd_bytes(r, "stderr_tail", LRS_PROTO_MAX_TAIL, &e->stderr_tail, &e->stderr_len) != 0 ||
        rd_bytes(r, "log_tail", LRS_PROTO_MAX_TAIL, &e->log_tail, &e->log_len) != 0 ||
        rd_array(r, "finals", LRS_PROTO_MAX_NAMES, &n_finals) != 0)
        return -1;
    e->finals = calloc(n_finals ? n_finals : 1, sizeof *e->finals);
    if (!e->finals)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "finals: out of memory");
    for (size_t i = 0; i < n_finals; i++)
        if (rd_f64(r, "finals[]", &e->finals[i]) != 0)
            return -1;
    if (rd_int_field(r, "curve_truncated", 0, 1, &e->curve_truncated) != 0 ||
        rd_curve(r, &e->curve) != 0)
        return -1;
    if ((size_t)e->curve.n_names != n_finals)
        return fail(r, "finals", "not one per metric name");
    return 0;
}

static int rd_results(reader_t *r, lrs_msg_t *m)
{
    size_t n;
    if (rd_array(r, "results", LRS_PROTO_MAX_BATCH, &n) != 0)
        return -1;
    m->results = calloc(n ? n : 1, sizeof *m->results);
    if (!m->results)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "results: out of memory");
    m->n_results = (int)n;
    for (size_t i = 0; i < n; i++) {
        lrs_wire_result_t *w = &m->results[i];
        lrs_trial_result_t *x = &w->result;
        uint64_t attempt;
        size_t fields;
        int status;
        if (rd_array(r, "results[]", 12, &fields) != 0)
            return -1;
        if (fields != 11 && fields != 12)
            return fail(r, "results[]", "wrong number of fields");
        lrs_trial_result_init(x);
        if (rd_u64(r, "trial", INT64_MAX, &w->trial) != 0 ||
            rd_u64(r, "attempt", 1000000, &attempt) != 0 ||
            rd_int_field(r, "status", LRS_STATUS_COMPLETE, LRS_STATUS_PRUNED, &status) != 0 ||
            rd_f64(r, "score", &x->score) != 0 || rd_f64(r, "score_std", &x->score_std) != 0 ||
            rd_f64(r, "seconds", &x->seconds) != 0 ||
            rd_int_field(r, "diverged_epoch", 0, LRS_MAX_EPOCHS, &x->diverged_epoch) != 0 ||
            rd_str(r, "error", LRS_PROTO_MAX_STR, 1, &x->error) != 0 || rd_curves(r, x) != 0)
            return -1;
        if (status > LRS_STATUS_FAILED && status != LRS_STATUS_PRUNED)
            return fail(r, "status", "not an outcome (complete, diverged, failed or pruned)");
        x->status = (lrs_status_t)status;
        if (fields == 12 && rd_exec(r, x) != 0)
            return -1;
        if (attempt < 1)
            return fail(r, "attempt", "integer out of range");
        w->attempt = (uint32_t)attempt;
    }
    return 0;
}

static int rd_acks(reader_t *r, lrs_msg_t *m)
{
    size_t n;
    if (rd_array(r, "acks", LRS_PROTO_MAX_BATCH, &n) != 0)
        return -1;
    m->acks = calloc(n ? n : 1, sizeof *m->acks);
    if (!m->acks)
        return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "acks: out of memory");
    m->n_acks = (int)n;
    for (size_t i = 0; i < n; i++)
        if (rd_u64(r, "ack", INT64_MAX, &m->acks[i]) != 0)
            return -1;
    return 0;
}

/* A HELLO's gpus: "" or a list lrs_devices_parse takes. */
static int check_gpus(reader_t *r, const char *gpus)
{
    lrs_devices_t d;
    char why[160];
    if (!gpus[0] || lrs_devices_parse(gpus, &d, why, sizeof why) == 0)
        return 0;
    return fail(r, "gpus", why);
}

static int rd_body(reader_t *r, lrs_msg_t *m)
{
    int64_t v;
    switch (m->type) {
    case LRS_MSG_HELLO:
        if (rd_str(r, "name", 256, 0, &m->worker_name) != 0 ||
            rd_str(r, "host", 256, 0, &m->host) != 0 ||
            rd_i64(r, "pid", 0, INT64_MAX, &m->pid) != 0 ||
            rd_int_field(r, "jobs", 1, 4096, &m->jobs) != 0 ||
            rd_int_field(r, "flags", 0, LRS_HELLO_RUNS_COMMANDS, &m->hello_flags) != 0 ||
            rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 ||
            rd_str(r, "gpus", LRS_DEVICES_TEXT_MAX, 0, &m->gpus) != 0)
            return -1;
        return check_gpus(r, m->gpus);
    case LRS_MSG_WELCOME:
        if (rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 ||
            rd_str(r, "sweep_name", 256, 0, &m->sweep_name) != 0 ||
            rd_str(r, "spec_hash", 64, 0, &m->spec_hash) != 0 ||
            rd_u64(r, "spec_size", LRS_SPEC_MAX_TEXT, &m->spec_size) != 0 ||
            rd_u64(r, "space_hash", UINT64_MAX, &m->space_hash) != 0 ||
            rd_str(r, "data_hash", 64, 0, &m->data_hash) != 0 ||
            rd_u64(r, "data_size", LRS_PROTO_MAX_DATA, &m->data_size) != 0 ||
            rd_i64(r, "heartbeat_ms", 10, 600000, &v) != 0 ||
            rd_int_field(r, "liveness", 1, 100, &m->liveness) != 0 ||
            rd_int_field(r, "rules", 0, 1000, &m->rules) != 0)
            return -1;
        m->heartbeat_ms = (int)v;
        return 0;
    case LRS_MSG_SPEC_REQ:
        return rd_str(r, "spec_hash", 64, 0, &m->spec_hash);
    case LRS_MSG_SPEC:
        if (rd_str(r, "spec_hash", 64, 0, &m->spec_hash) != 0 ||
            rd_str(r, "spec", LRS_SPEC_MAX_TEXT, 0, &m->spec_text) != 0)
            return -1;
        m->spec_len = strlen(m->spec_text);
        return 0;
    case LRS_MSG_READY:
        return rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 ||
                       rd_int_field(r, "credit", 0, LRS_PROTO_MAX_CREDIT, &m->credit) != 0
                   ? -1
                   : 0;
    case LRS_MSG_TRIALS:
        return rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 || rd_trials(r, m) != 0 ? -1 : 0;
    case LRS_MSG_HEARTBEAT:
        return 0;
    case LRS_MSG_RESULTS:
        return rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 || rd_results(r, m) != 0 ? -1 : 0;
    case LRS_MSG_ACK:
        return rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 || rd_acks(r, m) != 0 ? -1 : 0;
    case LRS_MSG_DATA_REQ:
        return rd_str(r, "data_hash", 64, 0, &m->data_hash) != 0 ||
                       rd_u64(r, "offset", LRS_PROTO_MAX_DATA, &m->data_offset) != 0 ||
                       rd_int_field(r, "chunks", 1, LRS_PROTO_MAX_DATA_CHUNKS,
                                    &m->data_chunks) != 0
                   ? -1
                   : 0;
    case LRS_MSG_DATA: {
        const uint8_t *s;
        if (rd_str(r, "data_hash", 64, 0, &m->data_hash) != 0 ||
            rd_u64(r, "offset", LRS_PROTO_MAX_DATA, &m->data_offset) != 0 ||
            rd_u64(r, "total", LRS_PROTO_MAX_DATA, &m->data_size) != 0 ||
            rd_raw(r, "data", LRS_PROTO_DATA_CHUNK, 1, &s, &m->data_len) != 0)
            return -1;
        if (m->data_offset > m->data_size || m->data_len > m->data_size - m->data_offset)
            return fail(r, "data", "chunk outside the data set");
        m->data = malloc(m->data_len ? m->data_len : 1);
        if (!m->data)
            return lrs_err_set(r->err, LRS_EXIT_RUNTIME, "data: out of memory");
        memcpy(m->data, s, m->data_len);
        return 0;
    }
    case LRS_MSG_SHUTDOWN:
        return rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 ||
                       rd_int_field(r, "ended", 0, 1, &m->ended) != 0 ||
                       rd_str(r, "reason", LRS_PROTO_MAX_STR, 0, &m->reason) != 0
                   ? -1
                   : 0;
    case LRS_MSG_REJECT:
        return rd_int_field(r, "code", LRS_REJECT_HELLO, LRS_REJECT_VERSION, &m->code) != 0 ||
                       rd_str(r, "reason", LRS_PROTO_MAX_STR, 0, &m->reason) != 0
                   ? -1
                   : 0;
    case LRS_MSG_PROGRESS: {
        uint64_t attempt;
        if (rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 ||
            rd_u64(r, "trial", INT64_MAX, &m->trial) != 0 ||
            rd_u64(r, "attempt", 1000000, &attempt) != 0 || rd_curve(r, &m->curve) != 0)
            return -1;
        if (attempt < 1)
            return fail(r, "attempt", "integer out of range");
        m->attempt = (uint32_t)attempt;
        return 0;
    }
    case LRS_MSG_RUNG:
    case LRS_MSG_VERDICT: {
        uint64_t attempt;
        if (rd_u64(r, "sweep", UINT64_MAX, &m->sweep) != 0 ||
            rd_u64(r, "trial", INT64_MAX, &m->trial) != 0 ||
            rd_u64(r, "attempt", 1000000, &attempt) != 0 ||
            rd_int_field(r, "epoch", 1, LRS_PROTO_MAX_EPOCHS, &m->epoch) != 0)
            return -1;
        if (attempt < 1)
            return fail(r, "attempt", "integer out of range");
        m->attempt = (uint32_t)attempt;
        if (m->type == LRS_MSG_RUNG)
            return rd_f64(r, "value", &m->value) != 0 || rd_f64(r, "best", &m->best) != 0 ? -1 : 0;
        return rd_int_field(r, "prune", 0, 1, &m->prune) != 0 ||
                       rd_f64(r, "threshold", &m->threshold) != 0
                   ? -1
                   : 0;
    }
    default:
        return fail(r, "type", "unknown message type");
    }
}

int lrs_proto_decode(const void *frame, size_t len, lrs_msg_t *msg, lrs_err_t *err)
{
    reader_t r = {.p = frame, .end = (const uint8_t *)frame + len, .err = err};
    memset(msg, 0, sizeof *msg);
    size_t n;
    uint64_t version, type;
    if (rd_array(&r, "message", 64, &n) != 0)
        goto fail;
    if (n < 2) {
        fail(&r, "message", "expected [version, type, ...]");
        goto fail;
    }
    if (rd_u64(&r, "version", UINT64_MAX, &version) != 0)
        goto fail;
    if (version != LRS_PROTO_VERSION) {
        lrs_err_set(err, LRS_EXIT_USAGE, "version: protocol version %llu, this lrsweep speaks %d",
                    (unsigned long long)version, LRS_PROTO_VERSION);
        goto fail;
    }
    if (rd_u64(&r, "type", UINT64_MAX, &type) != 0)
        goto fail;
    if (type < 1 || type >= LRS_MSG_COUNT) {
        lrs_err_set(err, LRS_EXIT_USAGE, "type: unknown message type %llu",
                    (unsigned long long)type);
        goto fail;
    }
    msg->type = (int)type;
    size_t want = 2 + (size_t)lrs_proto_field_count((int)type);
    r.fields = n - 2;
    if (n != want) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: expected %d fields, got %zu", lrs_msg_name((int)type),
                    lrs_proto_field_count((int)type), n - 2);
        goto fail;
    }
    if (rd_body(&r, msg) != 0) {
        lrs_err_prefix(err, "%s: ", lrs_msg_name((int)type));
        goto fail;
    }
    if (r.p != r.end) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: %zu trailing bytes", lrs_msg_name((int)type), left(&r));
        goto fail;
    }
    return 0;
fail:
    lrs_msg_free(msg);
    return -1;
}

int lrs_proto_foreign(const void *frame, size_t len, uint64_t *version, char *reason, size_t size)
{
    lrs_err_t err;
    reader_t r = {.p = frame, .end = (const uint8_t *)frame + len, .err = &err};
    size_t n;
    uint64_t type, code;
    if (size)
        reason[0] = '\0';
    if (rd_array(&r, "message", 64, &n) != 0 || n < 2 ||
        rd_u64(&r, "version", UINT64_MAX, version) != 0 || *version == LRS_PROTO_VERSION ||
        rd_u64(&r, "type", UINT64_MAX, &type) != 0)
        return 0;
    if (type != LRS_MSG_REJECT || (n != 3 && n != 4))
        return 1;
    if (n == 4 && rd_u64(&r, "code", UINT64_MAX, &code) != 0)
        return 1;
    const uint8_t *s;
    size_t slen;
    if (rd_raw(&r, "reason", LRS_PROTO_MAX_STR, 0, &s, &slen) == 0 && size) {
        size_t k = slen < size - 1 ? slen : size - 1;
        memcpy(reason, s, k);
        reason[k] = '\0';   /* a NUL inside ends it early: the text before it */
    }
    return 1;
}

int lrs_proto_skew_text(const void *frame, size_t len, const char *self, const char *peer,
                        char *out, size_t size)
{
    uint64_t version;
    char said[512], skew[512];
    if (!lrs_proto_foreign(frame, len, &version, said, sizeof said))
        return 0;
    lrs_proto_version_skew(version, self, peer, skew, sizeof skew);
    snprintf(out, size, "%s%s%s%s%s", skew, said[0] ? "; the " : "", said[0] ? peer : "",
             said[0] ? " says: " : "", said);
    return 1;
}

