/* model.c — see model.h.  A model is a stack of dense layers whose parameters
 * and gradients are two flat blocks (W0, b0, W1, b1, … in PyTorch's layout),
 * plus the per-layer outputs of the last forward pass, which backprop reads.
 *
 * Everything is allocated once in lrs_model_new, sized for max_rows rows:
 * params + grads + a chunk's gradient (3 × P) and, per layer l, its output (max_rows × width_l),
 * plus two backprop scratch buffers (max_rows × widest layer) and the
 * kernels' scratch (the largest weight matrix, padded to 4 outputs).  A
 * training step therefore allocates nothing.
 *
 * Shapes, for layer l mapping dims[l] → dims[l+1] over n rows:
 *   A_{l+1} = act(A_l · W_lᵀ + b_l)      A_0 = X (n × n_in), no act on the last
 *   dW_l = D_lᵀ · A_l, db_l = Σ_rows D_l, D_{l-1} = (D_l · W_l) ⊙ act'(A_l)
 * where D_l is dLoss/d(pre-activation output of layer l), n × dims[l+1].
 *
 * Kept rows (lrs_model_keep_rows): a single regression layer of moderate
 * size copies them feature-major and runs the fused forward + MSE +
 * gradient kernel of linalg_fm.h; that memory (two slots sized for max_rows,
 * and the kernel's partial sums) is allocated by the first keep_rows or
 * chunked pass, once.
 *
 * Chunked passes (lrs_model_loss_grad_add) run the ordinary forward and
 * backward passes with the loss divided by the whole set's row count instead
 * of the chunk's, into a gradient block of their own, then add it to grads;
 * a feature-major model copies each chunk feature-major (one more slot's
 * worth of memory, made on first use) and runs the fused kernel instead.
 */
#include "worker/model.h"

#include <assert.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker/linalg.h"
#include "worker/linalg_elem.h"
#include "worker/linalg_fm.h"

#define LRS_MAX_LAYERS (LRS_MAX_HIDDEN + 1)
/* Generous bounds that keep every size product far from overflow. */
#define LRS_MAX_WIDTH (1 << 20)
#define LRS_MAX_MODEL_ROWS (1 << 28)

/* One slot of kept rows. */
typedef struct kept_rows {
    const double *X, *Y;   /* the caller's rows, read in place unless feature-major */
    int n;                 /* -1: nothing kept */
    int ld;                /* row stride of XT and YT */
    double *XT, *YT;       /* feature-major copies: n_in × ld, n_out × ld */
} kept_rows_t;

struct lrs_model {
    lrs_model_spec_t spec;
    int n_layers;
    int dims[LRS_MAX_LAYERS + 1];     /* dims[0] = n_in, dims[n_layers] = n_out */
    int max_rows;
    size_t n_params;
    size_t w_off[LRS_MAX_LAYERS];     /* offsets of W_l and b_l in the blocks */
    size_t b_off[LRS_MAX_LAYERS];
    double *params;                   /* n_params */
    double *grads;                    /* n_params */
    double *chunk_grads;              /* n_params: one chunk's share, lrs_model_loss_grad_add */
    double *out[LRS_MAX_LAYERS];      /* layer outputs after activation, max_rows × dims[l+1] */
    double *delta_a, *delta_b;        /* backprop scratch, max_rows × widest */
    double *work;                     /* kernel scratch, largest in_l × max(out_l, 4) */
    double *block;                    /* the one allocation all of the above live in */
    int feature_major;                /* kept rows are stored feature-major */
    kept_rows_t kept[LRS_MODEL_SLOTS];
    double *fm_block;                 /* every slot's XT and YT, then fm_work */
    double *fm_work;                  /* lrs_linear_sse_fm's partial sums */
    kept_rows_t chunk_rows;           /* feature-major copy of the current chunk */
    double *fm_chunk_block;           /* its XT and YT, sized for max_rows; made on first use */
};

static int check_spec(const lrs_model_spec_t *spec, int max_rows, lrs_err_t *err)
{
    if (spec->task != LRS_TASK_REGRESSION && spec->task != LRS_TASK_CLASSIFICATION)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: unknown task %d", (int)spec->task);
    if (spec->n_in < 1 || spec->n_in > LRS_MAX_WIDTH)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: n_in %d out of range [1, %d]", spec->n_in,
                           LRS_MAX_WIDTH);
    if (spec->n_out < 1 || spec->n_out > LRS_MAX_WIDTH)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: n_out %d out of range [1, %d]",
                           spec->n_out, LRS_MAX_WIDTH);
    if (spec->n_hidden < 0 || spec->n_hidden > LRS_MAX_HIDDEN)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: %d hidden layers (at most %d)",
                           spec->n_hidden, LRS_MAX_HIDDEN);
    for (int i = 0; i < spec->n_hidden; i++)
        if (spec->hidden[i] < 1 || spec->hidden[i] > LRS_MAX_WIDTH)
            return lrs_err_set(err, LRS_EXIT_USAGE,
                               "model: hidden layer %d width %d out of range [1, %d]", i,
                               spec->hidden[i], LRS_MAX_WIDTH);
    if (spec->n_hidden > 0 && spec->activation != LRS_ACT_RELU && spec->activation != LRS_ACT_TANH)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: unknown activation %d",
                           (int)spec->activation);
    if (max_rows < 1 || max_rows > LRS_MAX_MODEL_ROWS)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: max_rows %d out of range [1, %d]",
                           max_rows, LRS_MAX_MODEL_ROWS);
    return 0;
}

/* Whether kept rows go feature-major: one regression layer of at most
 * LRS_FM_MAX_WEIGHTS weights whose copies (both slots) fit in
 * LRS_FM_MAX_BYTES.  Measured (400 rows, forward + loss + weight gradient,
 * AVX-512 build, against the row-major kernels this model otherwise runs):
 * 2.7× faster on 5 → 3, 4.9× on 20 → 1, 3.9× on 10 → 10, 1.7× on 64 → 16;
 * wider layers were not measured and keep the row-major path. */
#define LRS_FM_MAX_WEIGHTS 1024
#define LRS_FM_MAX_BYTES (512.0 * 1024 * 1024)
static int wants_feature_major(const lrs_model_spec_t *spec, int max_rows)
{
    double bytes = LRS_MODEL_SLOTS * (double)lrs_fm_ld(max_rows) *
                   ((double)spec->n_in + spec->n_out) * sizeof(double);
    return spec->n_hidden == 0 && spec->task == LRS_TASK_REGRESSION &&
           (double)spec->n_in * spec->n_out <= LRS_FM_MAX_WEIGHTS && bytes <= LRS_FM_MAX_BYTES;
}

lrs_model_t *lrs_model_new(const lrs_model_spec_t *spec, int max_rows, lrs_err_t *err)
{
    if (check_spec(spec, max_rows, err) < 0)
        return NULL;
    lrs_model_t *m = calloc(1, sizeof *m);
    if (!m) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "model: out of memory");
        return NULL;
    }
    m->spec = *spec;
    m->max_rows = max_rows;
    m->n_layers = spec->n_hidden + 1;
    m->dims[0] = spec->n_in;
    for (int i = 0; i < spec->n_hidden; i++)
        m->dims[i + 1] = spec->hidden[i];
    m->dims[m->n_layers] = spec->n_out;

    size_t widest = 0, outputs = 0, largest_w = 0;
    for (int l = 0; l < m->n_layers; l++) {
        size_t in = (size_t)m->dims[l], width = (size_t)m->dims[l + 1];
        size_t padded = width < 4 ? 4 : width;   /* linalg's scratch: in × max(out, 4) */
        if (in * padded > largest_w)
            largest_w = in * padded;
        m->w_off[l] = m->n_params;
        m->b_off[l] = m->n_params + width * in;
        m->n_params += width * in + width;
        outputs += width;
        if (width > widest)
            widest = width;
    }
    size_t rows = (size_t)max_rows;
    if (outputs + 2 * widest > (SIZE_MAX / sizeof(double) - 8 * m->n_params) / rows) {
        lrs_err_set(err, LRS_EXIT_USAGE, "model: %d rows × layer widths too large", max_rows);
        free(m);
        return NULL;
    }
    size_t total = 3 * m->n_params + largest_w + rows * (outputs + 2 * widest);
    m->block = calloc(total, sizeof(double));
    if (!m->block) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "model: out of memory (%zu parameters, %d rows)",
                    m->n_params, max_rows);
        free(m);
        return NULL;
    }
    double *p = m->block;
    m->params = p;
    p += m->n_params;
    m->grads = p;
    p += m->n_params;
    m->chunk_grads = p;
    p += m->n_params;
    for (int l = 0; l < m->n_layers; l++) {
        m->out[l] = p;
        p += rows * (size_t)m->dims[l + 1];
    }
    m->delta_a = p;
    p += rows * widest;
    m->delta_b = p;
    p += rows * widest;
    m->work = p;
    m->feature_major = wants_feature_major(spec, max_rows);
    for (int slot = 0; slot < LRS_MODEL_SLOTS; slot++)
        m->kept[slot].n = -1;
    return m;
}

void lrs_model_destroy(lrs_model_t **m)
{
    if (!m || !*m)
        return;
    free((*m)->block);
    free((*m)->fm_block);
    free((*m)->fm_chunk_block);
    free(*m);
    *m = NULL;
}

size_t lrs_model_param_count(const lrs_model_t *m) { return m->n_params; }
double *lrs_model_params(lrs_model_t *m) { return m->params; }
double *lrs_model_grads(lrs_model_t *m) { return m->grads; }

void lrs_model_init_default(lrs_model_t *m, lrs_rng_t *rng)
{
    /* nn.Linear.reset_parameters: kaiming_uniform_(a=√5) on W is U(±1/√fan_in),
     * and b is U(±1/√fan_in); W first, then b, layer by layer. */
    for (int l = 0; l < m->n_layers; l++) {
        double bound = 1.0 / sqrt((double)m->dims[l]);
        size_t count = (size_t)m->dims[l + 1] * ((size_t)m->dims[l] + 1);
        double *p = m->params + m->w_off[l];   /* W_l then b_l are contiguous */
        for (size_t i = 0; i < count; i++)
            p[i] = -bound + (bound - -bound) * lrs_rng_uniform(rng);
    }
}

/* ---- forward pass and losses ---- */

/* Runs X (n × n_in) through every layer; returns the output (n × n_out). */
static const double *forward(lrs_model_t *m, const double *X, int n)
{
    const double *in = X;
    for (int l = 0; l < m->n_layers; l++) {
        int width = m->dims[l + 1];
        double *y = m->out[l];
        lrs_linear_fwd(n, m->dims[l], width, in, m->params + m->w_off[l], m->params + m->b_off[l],
                       y, m->work);
        if (l + 1 < m->n_layers) {
            size_t count = (size_t)n * width;
            if (m->spec.activation == LRS_ACT_RELU) {
                lrs_relu_fwd(count, y);
            } else {
                for (size_t i = 0; i < count; i++)
                    y[i] = tanh(y[i]);
            }
        }
        in = y;
    }
    return in;
}

/* Class id stored as a double, or -1 when it is not one of 0..n_classes-1. */
static int class_of(double y, int n_classes)
{
    if (!(y >= 0.0 && y < (double)n_classes))
        return -1;
    int c = (int)y;
    return (double)c == y ? c : -1;
}

/* MSE over n × k outputs as a share of a set of total ≥ n rows: Σ (out − y)²
 * / (total k); dOut (may be NULL) = 2 (out − y) / (total k).  total == n is
 * the plain mean. */
static double mse(const double *out, const double *Y, int n, int k, int total, double *dout)
{
    size_t count = (size_t)n * k;
    double denom = (double)((size_t)total * k);
    return lrs_squared_error(count, out, Y, 2.0 / denom, dout) / denom;
}

/* Softmax cross-entropy over n rows of k logits, with log-sum-exp shifted by
 * the row max so no exp overflows, summed and divided by total ≥ n (the
 * whole set's rows; total == n is the mean).  dOut (may be NULL) =
 * (softmax − onehot) / total.
 * *correct counts rows whose first argmax is the class.  NaN on a bad class id. */
static double cross_entropy(const double *logits, const double *Y, int n, int k, int total,
                            double *dout, int *correct)
{
    double sum = 0.0;
    int hits = 0;
    for (int r = 0; r < n; r++) {
        const double *z = logits + (size_t)r * k;
        int c = class_of(Y[r], k);
        if (c < 0)
            return NAN;
        int argmax = 0;
        for (int j = 1; j < k; j++)
            if (z[j] > z[argmax])
                argmax = j;
        double zmax = z[argmax], denom = 0.0;
        if (dout) {
            /* keep exp(z − max) for the softmax: one exp per logit */
            double *d = dout + (size_t)r * k;
            for (int j = 0; j < k; j++) {
                d[j] = exp(z[j] - zmax);
                denom += d[j];
            }
            for (int j = 0; j < k; j++)
                d[j] = d[j] / denom / (double)total;
            d[c] -= 1.0 / (double)total;
        } else {
            for (int j = 0; j < k; j++)
                denom += exp(z[j] - zmax);
        }
        sum += zmax + log(denom) - z[c];
        hits += argmax == c;
    }
    if (correct)
        *correct = hits;
    return sum / (double)total;
}

double lrs_model_loss(lrs_model_t *m, const double *X, const double *Y, int n, int *correct)
{
    assert(n <= m->max_rows);
    if (correct)
        *correct = 0;
    if (n <= 0)
        return NAN;
    const double *out = forward(m, X, n);
    if (m->spec.task == LRS_TASK_REGRESSION)
        return mse(out, Y, n, m->spec.n_out, n, NULL);
    return cross_entropy(out, Y, n, m->spec.n_out, n, NULL, correct);
}

/* ---- backward pass ---- */

/* The loss of n rows as a share of a set of total rows, and its gradient
 * into grads (n_params, overwritten; left zero on NaN). */
static double loss_grad_into(lrs_model_t *m, const double *X, const double *Y, int n, int total,
                             double *grads)
{
    memset(grads, 0, m->n_params * sizeof *grads);
    if (n <= 0)
        return NAN;
    const double *out = forward(m, X, n);
    double *delta = m->delta_a, *prev = m->delta_b;
    double loss = m->spec.task == LRS_TASK_REGRESSION
                      ? mse(out, Y, n, m->spec.n_out, total, delta)
                      : cross_entropy(out, Y, n, m->spec.n_out, total, delta, NULL);
    if (isnan(loss))
        return loss;
    for (int l = m->n_layers - 1; l >= 0; l--) {
        int in = m->dims[l], width = m->dims[l + 1];
        const double *A = l == 0 ? X : m->out[l - 1];   /* this layer's input, n × in */
        lrs_linear_bwd_w(n, in, width, delta, A, grads + m->w_off[l], grads + m->b_off[l]);
        if (l == 0)
            break;
        lrs_linear_bwd_x(n, in, width, delta, m->params + m->w_off[l], prev);
        /* prev is dLoss/dA (n × in); A = act(Z), so dZ = dA ⊙ act'(Z), written via A. */
        size_t count = (size_t)n * in;
        if (m->spec.activation == LRS_ACT_RELU) {
            lrs_relu_bwd(count, A, prev);
        } else {
            for (size_t i = 0; i < count; i++)
                prev[i] = prev[i] * (1.0 - A[i] * A[i]);
        }
        double *t = delta;
        delta = prev;
        prev = t;
    }
    return loss;
}

double lrs_model_loss_grad(lrs_model_t *m, const double *X, const double *Y, int n)
{
    assert(n <= m->max_rows);
    return loss_grad_into(m, X, Y, n, n, m->grads);
}

void lrs_model_zero_grads(lrs_model_t *m)
{
    memset(m->grads, 0, m->n_params * sizeof *m->grads);
}

double lrs_model_row_bytes(const lrs_model_spec_t *spec, int max_rows)
{
    /* As lrs_model_new: per layer its outputs, plus two scratch buffers of
     * the widest layer; as alloc_feature_major: every slot's XT and YT. */
    int n_hidden = spec->n_hidden < 0 ? 0 : spec->n_hidden > LRS_MAX_HIDDEN ? LRS_MAX_HIDDEN
                                                                             : spec->n_hidden;
    double outputs = 0.0, widest = 0.0;
    for (int l = 0; l <= n_hidden; l++) {
        double width = l < n_hidden ? (double)spec->hidden[l] : (double)spec->n_out;
        outputs += width;
        widest = width > widest ? width : widest;
    }
    double bytes = (double)max_rows * (outputs + 2.0 * widest) * sizeof(double);
    if (wants_feature_major(spec, max_rows))
        bytes += LRS_MODEL_SLOTS * (double)lrs_fm_ld(max_rows) *
                 ((double)spec->n_in + spec->n_out) * sizeof(double);
    return bytes;
}

/* ---- kept rows ---- */

/* Allocates the feature-major slots, each sized for max_rows, and the
 * kernel's partial sums: 64-byte aligned, so no vector load splits a cache
 * line. */
static int alloc_feature_major(lrs_model_t *m, lrs_err_t *err)
{
    size_t ld = (size_t)lrs_fm_ld(m->max_rows);
    size_t per_slot = ld * ((size_t)m->spec.n_in + (size_t)m->spec.n_out);
    size_t total = LRS_MODEL_SLOTS * per_slot + lrs_fm_work_size(m->spec.n_in, m->spec.n_out);
    size_t bytes = (total * sizeof(double) + 63) / 64 * 64;
    m->fm_block = aligned_alloc(64, bytes);
    if (!m->fm_block)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "model: out of memory for %d kept rows",
                           m->max_rows);
    for (int slot = 0; slot < LRS_MODEL_SLOTS; slot++) {
        m->kept[slot].XT = m->fm_block + slot * per_slot;
        m->kept[slot].YT = m->kept[slot].XT + ld * (size_t)m->spec.n_in;
    }
    m->fm_work = m->fm_block + LRS_MODEL_SLOTS * per_slot;
    return 0;
}

int lrs_model_keep_rows(lrs_model_t *m, int slot, const double *X, const double *Y, int n,
                        lrs_err_t *err)
{
    if (slot < 0 || slot >= LRS_MODEL_SLOTS)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: no row slot %d (0..%d)", slot,
                           LRS_MODEL_SLOTS - 1);
    if (n < 0 || n > m->max_rows)
        return lrs_err_set(err, LRS_EXIT_USAGE, "model: %d rows to keep, room for %d", n,
                           m->max_rows);
    kept_rows_t *k = &m->kept[slot];
    k->X = X;
    k->Y = Y;
    k->n = n;
    if (!m->feature_major)
        return 0;
    if (!m->fm_block && alloc_feature_major(m, err) < 0) {
        k->n = -1;
        return -1;
    }
    k->ld = lrs_fm_ld(n);
    lrs_rows_to_fm(n, m->spec.n_in, X, k->ld, k->XT);
    lrs_rows_to_fm(n, m->spec.n_out, Y, k->ld, k->YT);
    return 0;
}

/* The MSE of the single layer over a feature-major slot; with grad, its
 * gradient into m->grads. */
static double kept_mse(lrs_model_t *m, const kept_rows_t *k, int grad)
{
    int in = m->spec.n_in, out = m->spec.n_out;
    double *W = m->params + m->w_off[0], *b = m->params + m->b_off[0];
    double count = (double)k->n * out;
    double sse = lrs_linear_sse_fm(k->n, k->ld, in, out, k->XT, k->YT, W, b, 2.0 / count,
                                   grad ? m->grads + m->w_off[0] : NULL,
                                   grad ? m->grads + m->b_off[0] : NULL, m->fm_work);
    return sse / count;
}

double lrs_model_loss_grad_kept(lrs_model_t *m, int slot)
{
    assert(slot >= 0 && slot < LRS_MODEL_SLOTS && m->kept[slot].n >= 0);
    const kept_rows_t *k = &m->kept[slot];
    if (!m->feature_major)
        return lrs_model_loss_grad(m, k->X, k->Y, k->n);
    if (k->n <= 0) {
        memset(m->grads, 0, m->n_params * sizeof *m->grads);
        return NAN;
    }
    return kept_mse(m, k, 1);
}

double lrs_model_loss_kept(lrs_model_t *m, int slot, int *correct)
{
    assert(slot >= 0 && slot < LRS_MODEL_SLOTS && m->kept[slot].n >= 0);
    const kept_rows_t *k = &m->kept[slot];
    if (!m->feature_major)
        return lrs_model_loss(m, k->X, k->Y, k->n, correct);
    if (correct)
        *correct = 0;
    return k->n <= 0 ? NAN : kept_mse(m, k, 0);
}

/* ---- chunked passes ---- */

/* The chunk X, Y (n rows) copied feature-major into the model's chunk
 * scratch, allocated on first use; NULL when out of memory (the caller then
 * runs the row-major kernels, which need no scratch). */
static const kept_rows_t *fm_chunk(lrs_model_t *m, const double *X, const double *Y, int n)
{
    size_t ld = (size_t)lrs_fm_ld(m->max_rows);
    size_t in = (size_t)m->spec.n_in, out = (size_t)m->spec.n_out;
    if (!m->fm_block && alloc_feature_major(m, NULL) < 0)
        return NULL;
    if (!m->fm_chunk_block) {
        size_t bytes = (ld * (in + out) * sizeof(double) + 63) / 64 * 64;
        m->fm_chunk_block = aligned_alloc(64, bytes);
        if (!m->fm_chunk_block)
            return NULL;
        m->chunk_rows.XT = m->fm_chunk_block;
        m->chunk_rows.YT = m->fm_chunk_block + ld * in;
    }
    kept_rows_t *k = &m->chunk_rows;
    k->X = X;
    k->Y = Y;
    k->n = n;
    k->ld = lrs_fm_ld(n);
    lrs_rows_to_fm(n, (int)in, X, k->ld, k->XT);
    lrs_rows_to_fm(n, (int)out, Y, k->ld, k->YT);
    return k;
}

/* The chunk's share Σ (z − y)² / (total · n_out) of the single layer's MSE
 * over a feature-major chunk; with grads non-NULL, its share of the
 * gradient there (overwritten). */
static double fm_chunk_mse(lrs_model_t *m, const kept_rows_t *k, int total, double *grads)
{
    int in = m->spec.n_in, out = m->spec.n_out;
    const double *W = m->params + m->w_off[0], *b = m->params + m->b_off[0];
    double denom = (double)((size_t)total * out);
    double sse = lrs_linear_sse_fm(k->n, k->ld, in, out, k->XT, k->YT, W, b, 2.0 / denom,
                                   grads ? grads + m->w_off[0] : NULL,
                                   grads ? grads + m->b_off[0] : NULL, m->fm_work);
    return sse / denom;
}

double lrs_model_loss_grad_add(lrs_model_t *m, const double *X, const double *Y, int n, int total)
{
    assert(n <= m->max_rows && n <= total);
    const kept_rows_t *k = m->feature_major && n > 0 ? fm_chunk(m, X, Y, n) : NULL;
    double share = k ? fm_chunk_mse(m, k, total, m->chunk_grads)
                     : loss_grad_into(m, X, Y, n, total, m->chunk_grads);
    if (isnan(share))
        return share;
    for (size_t i = 0; i < m->n_params; i++)
        m->grads[i] += m->chunk_grads[i];
    return share;
}

double lrs_model_loss_in_units(lrs_model_t *m, double loss, const double *X, const double *Y,
                               int n, int total, const double *weight)
{
    int k = m->spec.n_out;
    if (k == 1 || n <= 0 || isnan(loss))
        return loss * weight[0];
    assert(n <= m->max_rows && n <= total && m->spec.task == LRS_TASK_REGRESSION);
    const double *out = forward(m, X, n);   /* out, Y: n × k */
    double sum = 0.0;
    for (int j = 0; j < k; j++) {
        double sse = 0.0;
        for (int i = 0; i < n; i++) {
            double r = out[(size_t)i * k + j] - Y[(size_t)i * k + j];
            sse += r * r;
        }
        sum += weight[j] * sse;
    }
    return sum / ((double)total * k);
}

double lrs_model_loss_add(lrs_model_t *m, const double *X, const double *Y, int n, int total,
                          int *correct)
{
    assert(n <= m->max_rows && n <= total);
    if (correct)
        *correct = 0;
    if (n <= 0)
        return NAN;
    const kept_rows_t *k = m->feature_major ? fm_chunk(m, X, Y, n) : NULL;
    if (k)
        return fm_chunk_mse(m, k, total, NULL);
    const double *out = forward(m, X, n);
    if (m->spec.task == LRS_TASK_REGRESSION)
        return mse(out, Y, n, m->spec.n_out, total, NULL);
    return cross_entropy(out, Y, n, m->spec.n_out, total, NULL, correct);
}

/* ---- --init JSON ---- */

/* Reads a JSON array of `count` numbers into dst; `what` names it in errors. */
static int read_numbers(const json_t *arr, size_t count, double *dst, const char *path,
                        const char *what, lrs_err_t *err)
{
    if (!json_is_array(arr))
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: %s: expected an array of %zu numbers", path,
                           what, count);
    if (json_array_size(arr) != count)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: %s: expected %zu numbers, found %zu", path,
                           what, count, json_array_size(arr));
    for (size_t i = 0; i < count; i++) {
        const json_t *v = json_array_get(arr, i);
        if (!json_is_number(v))
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s: %s[%zu]: expected a number", path, what,
                               i);
        dst[i] = json_number_value(v);
    }
    return 0;
}

/* Fills W (out × in) and b (out) of one layer from its JSON object. */
static int read_layer(const json_t *layer, int index, int in, int out, double *W, double *b,
                      const char *path, lrs_err_t *err)
{
    char what[96];
    if (!json_is_object(layer))
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: layers[%d]: expected an object with "
                           "\"weight\" and \"bias\"", path, index);
    const json_t *weight = json_object_get(layer, "weight");
    const json_t *bias = json_object_get(layer, "bias");
    if (!weight || !bias)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: layers[%d]: missing field \"%s\"", path,
                           index, weight ? "bias" : "weight");
    if (!json_is_array(weight))
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: layers[%d].weight: expected an array of %d rows (out) of %d "
                           "numbers (in)", path, index, out, in);
    if (json_array_size(weight) != (size_t)out)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: layers[%d].weight: expected %d rows (out) of %d numbers (in), "
                           "found %zu rows", path, index, out, in, json_array_size(weight));
    for (int o = 0; o < out; o++) {
        snprintf(what, sizeof what, "layers[%d].weight[%d]", index, o);
        if (read_numbers(json_array_get(weight, (size_t)o), (size_t)in, W + (size_t)o * in, path,
                         what, err) < 0)
            return -1;
    }
    snprintf(what, sizeof what, "layers[%d].bias", index);
    return read_numbers(bias, (size_t)out, b, path, what, err);
}

int lrs_model_load_init(lrs_model_t *m, const char *path, lrs_err_t *err)
{
    int rc = -1;
    double *staged = NULL;   /* loaded into here first: a bad file leaves the model as it was */
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        if (jerr.line > 0)
            lrs_err_set(err, LRS_EXIT_USAGE, "%s:%d:%d: %s", path, jerr.line, jerr.column,
                        jerr.text);
        else
            lrs_err_set(err, LRS_EXIT_USAGE, "%s: %s", path, jerr.text);
        goto done;
    }
    const json_t *layers = json_is_object(root) ? json_object_get(root, "layers") : NULL;
    if (!json_is_array(layers)) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: expected an object with a \"layers\" array", path);
        goto done;
    }
    if (json_array_size(layers) != (size_t)m->n_layers) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: layers: the model has %d layer%s, the file has %zu",
                    path, m->n_layers, m->n_layers == 1 ? "" : "s", json_array_size(layers));
        goto done;
    }
    staged = malloc(m->n_params * sizeof *staged);
    if (!staged) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", path);
        goto done;
    }
    for (int l = 0; l < m->n_layers; l++)
        if (read_layer(json_array_get(layers, (size_t)l), l, m->dims[l], m->dims[l + 1],
                       staged + m->w_off[l], staged + m->b_off[l], path, err) < 0)
            goto done;
    memcpy(m->params, staged, m->n_params * sizeof *staged);
    rc = 0;
done:
    free(staged);
    json_decref(root);
    return rc;
}
