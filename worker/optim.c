/* optim.c — see optim.h.  Each optimizer is a pure function over flat arrays
 * (parameters, gradients, its state buffers, an explicit count) following
 * torch.optim 1.13's single-tensor code path: same formulas, same order of
 * floating-point operations (x.mul_(a).add_(g, alpha=c) is x·a + c·g,
 * addcmul_(a, b, value=v) is (v·a)·b, addcdiv_(a, b, value=v) is (v·a)/b), so
 * results agree with PyTorch in float64 to rounding.  lrs_optim_t only owns
 * the state and the step count.
 *
 * State buffers, all n long, in one allocation:
 *   sgd      a = momentum buffer (absent until the first step, as in torch)
 *   adam(w)  a = exp_avg, b = exp_avg_sq
 *   rmsprop  a = square_avg, b = momentum buffer, c = grad_avg (centered)
 *   adagrad  a = state_sum
 */
#include "worker/optim.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lrs_optim {
    lrs_optim_cfg_t cfg;
    size_t n;
    long step;          /* completed steps; torch's state['step'] */
    double *a, *b, *c;  /* state buffers (see above) */
    double *block;
};

/* SGD: d = g + wd·p; buf = d on the first step, else buf·μ + (1−τ)·d;
 * d = d + μ·buf (nesterov) or buf; p = p − lr·d. */
static void sgd_step(size_t n, double *p, const double *g, double *buf, int first,
                     const lrs_optim_cfg_t *cfg, double lr)
{
    double wd = cfg->weight_decay, mu = cfg->momentum, keep = 1.0 - cfg->dampening;
    for (size_t i = 0; i < n; i++) {
        double d = g[i];
        if (wd != 0.0)
            d = d + wd * p[i];
        if (mu != 0.0) {
            buf[i] = first ? d : buf[i] * mu + keep * d;
            d = cfg->nesterov ? d + mu * buf[i] : buf[i];
        }
        p[i] = p[i] + -lr * d;
    }
}

/* Adam / AdamW at step t (1-based): m = m·β1 + (1−β1)·g, v = v·β2 + ((1−β2)·g)·g,
 * p = p + (−lr/(1−β1^t))·m / (√v / √(1−β2^t) + ε).  Adam adds wd·p to g first;
 * AdamW (decoupled) scales p by 1 − lr·wd first. */
static void adam_step(size_t n, double *p, const double *g, double *m, double *v,
                      const lrs_optim_cfg_t *cfg, double lr, long t, int decoupled)
{
    double b1 = cfg->beta1, b2 = cfg->beta2, wd = cfg->weight_decay, eps = cfg->eps;
    double bias_correction1 = 1.0 - pow(b1, (double)t);
    double bias_correction2 = 1.0 - pow(b2, (double)t);
    double step_size = lr / bias_correction1;
    double bias_correction2_sqrt = sqrt(bias_correction2);
    double shrink = 1.0 - lr * wd;
    for (size_t i = 0; i < n; i++) {
        double grad = g[i];
        if (decoupled)
            p[i] = p[i] * shrink;
        else if (wd != 0.0)
            grad = grad + wd * p[i];
        m[i] = m[i] * b1 + (1.0 - b1) * grad;
        v[i] = v[i] * b2 + (1.0 - b2) * grad * grad;
        double denom = sqrt(v[i]) / bias_correction2_sqrt + eps;
        p[i] = p[i] + -step_size * m[i] / denom;
    }
}

/* RMSprop: g' = g + wd·p; s = s·α + (1−α)·g'²; centered: ḡ = ḡ·α + (1−α)·g',
 * avg = √(s − ḡ²) + ε, else √s + ε; momentum: buf = buf·μ + g'/avg,
 * p = p − lr·buf; else p = p − lr·g'/avg. */
static void rmsprop_step(size_t n, double *p, const double *g, double *square_avg, double *buf,
                         double *grad_avg, const lrs_optim_cfg_t *cfg, double lr)
{
    double alpha = cfg->alpha, wd = cfg->weight_decay, eps = cfg->eps, mu = cfg->momentum;
    for (size_t i = 0; i < n; i++) {
        double grad = g[i];
        if (wd != 0.0)
            grad = grad + wd * p[i];
        square_avg[i] = square_avg[i] * alpha + (1.0 - alpha) * grad * grad;
        double avg;
        if (cfg->centered) {
            grad_avg[i] = grad_avg[i] * alpha + (1.0 - alpha) * grad;
            avg = sqrt(square_avg[i] + -1.0 * grad_avg[i] * grad_avg[i]);
        } else {
            avg = sqrt(square_avg[i]);
        }
        avg = avg + eps;
        if (mu > 0.0) {
            buf[i] = buf[i] * mu + grad / avg;
            p[i] = p[i] + -lr * buf[i];
        } else {
            p[i] = p[i] + -lr * grad / avg;
        }
    }
}

/* Adagrad (lr_decay 0, initial_accumulator_value 0): g' = g + wd·p;
 * sum = sum + g'²; p = p − lr·g'/(√sum + ε). */
static void adagrad_step(size_t n, double *p, const double *g, double *sum,
                         const lrs_optim_cfg_t *cfg, double lr, long t)
{
    double wd = cfg->weight_decay, eps = cfg->eps;
    double clr = lr / (1.0 + (double)(t - 1) * 0.0);   /* torch's lr_decay term, decay 0 */
    for (size_t i = 0; i < n; i++) {
        double grad = g[i];
        if (wd != 0.0)
            grad = grad + wd * p[i];
        sum[i] = sum[i] + 1.0 * grad * grad;
        double std = sqrt(sum[i]) + eps;
        p[i] = p[i] + -clr * grad / std;
    }
}

lrs_optim_t *lrs_optim_new(const lrs_optim_cfg_t *cfg, size_t n, lrs_err_t *err)
{
    if ((int)cfg->kind < 0 || cfg->kind >= LRS_OPT_COUNT) {
        lrs_err_set(err, LRS_EXIT_USAGE, "optimizer: unknown kind %d", (int)cfg->kind);
        return NULL;
    }
    if (cfg->kind == LRS_OPT_SGD && cfg->nesterov &&
        (cfg->momentum <= 0.0 || cfg->dampening != 0.0)) {
        lrs_err_set(err, LRS_EXIT_USAGE, "nesterov=true requires momentum > 0 and dampening 0");
        return NULL;
    }
    if (n > SIZE_MAX / (3 * sizeof(double)) - 1) {
        lrs_err_set(err, LRS_EXIT_USAGE, "optimizer: %zu parameters is too many", n);
        return NULL;
    }
    lrs_optim_t *o = calloc(1, sizeof *o);
    double *block = calloc(3 * n + 1, sizeof(double));
    if (!o || !block) {
        free(o);
        free(block);
        lrs_err_set(err, LRS_EXIT_RUNTIME, "optimizer: out of memory (%zu parameters)", n);
        return NULL;
    }
    o->cfg = *cfg;
    o->n = n;
    o->block = block;
    o->a = block;
    o->b = block + n;
    o->c = block + 2 * n;
    return o;
}

void lrs_optim_destroy(lrs_optim_t **o)
{
    if (!o || !*o)
        return;
    free((*o)->block);
    free(*o);
    *o = NULL;
}

void lrs_optim_reset(lrs_optim_t *o)
{
    o->step = 0;
    memset(o->block, 0, 3 * o->n * sizeof *o->block);
}

void lrs_optim_step(lrs_optim_t *o, double *params, const double *grads, double lr)
{
    o->step++;
    const lrs_optim_cfg_t *cfg = &o->cfg;
    switch (cfg->kind) {
    case LRS_OPT_SGD:
        sgd_step(o->n, params, grads, o->a, o->step == 1, cfg, lr);
        break;
    case LRS_OPT_ADAM:
        adam_step(o->n, params, grads, o->a, o->b, cfg, lr, o->step, 0);
        break;
    case LRS_OPT_ADAMW:
        adam_step(o->n, params, grads, o->a, o->b, cfg, lr, o->step, 1);
        break;
    case LRS_OPT_RMSPROP:
        rmsprop_step(o->n, params, grads, o->a, o->b, o->c, cfg, lr);
        break;
    case LRS_OPT_ADAGRAD:
        adagrad_step(o->n, params, grads, o->a, cfg, lr, o->step);
        break;
    case LRS_OPT_COUNT:
        break;
    }
}
