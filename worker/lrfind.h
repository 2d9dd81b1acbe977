/* lrfind.h — the learning-rate range test's pure part (Smith 2015, as
 * fastai's lr_find): the exponential lr per step, the bias-corrected
 * smoothed loss, the stop rule and the two suggestions.  No I/O, no engine:
 * worker/lrfind_run.h feeds it one batch loss at a time.
 */
#ifndef LRS_LRFIND_H
#define LRS_LRFIND_H

#define LRS_LRFIND_START 1e-7
#define LRS_LRFIND_END 10.0
#define LRS_LRFIND_ITERS 100
#define LRS_LRFIND_BETA 0.98
#define LRS_LRFIND_DIVERGE 4.0
#define LRS_LRFIND_SKIP_BEGIN 10   /* steps the steepest point skips (Lightning's skip_begin) */

typedef struct lrs_lrfind_cfg {
    double start, end;   /* 0 < start < end */
    int iters;           /* ≥ 2 steps */
    double beta;         /* smoothing, in [0, 1) */
    double diverge;      /* stop when smoothed > diverge × minimum (> 1) */
} lrs_lrfind_cfg_t;

/* The recorded curve: step i ran at lr[i] with raw loss raw[i] and smoothed
 * (bias-corrected) loss smooth[i]; n steps kept. */
typedef struct lrs_lrfind_curve {
    double *lr, *raw, *smooth;
    int n;
    int cap;
    double avg;          /* the running (uncorrected) average */
    double best;         /* the minimum smoothed loss so far */
    int stopped;         /* 1: the stop rule ended the run */
} lrs_lrfind_curve_t;

typedef struct lrs_lrfind_suggestion {
    double steep;        /* lr at the steepest descent of smoothed loss vs log lr
                            (the first 10 steps and the last skipped on runs > 20) */
    double min_tenth;    /* lr at the minimum smoothed loss, / 10 */
    double lr_min;       /* lr at the minimum smoothed loss */
    double low, high;    /* the usable range: [steep-side start, min] */
} lrs_lrfind_suggestion_t;

/* The defaults above. */
void lrs_lrfind_cfg_init(lrs_lrfind_cfg_t *cfg);

/* NULL, or a reason why cfg cannot run (static text). */
const char *lrs_lrfind_cfg_check(const lrs_lrfind_cfg_t *cfg);

/* The lr of step i (0-based) of iters: start × (end/start)^(i/(iters-1)). */
double lrs_lrfind_lr(const lrs_lrfind_cfg_t *cfg, int i);

/* Room for cfg->iters steps: 0, or -1 out of memory. */
int lrs_lrfind_curve_init(lrs_lrfind_curve_t *c, const lrs_lrfind_cfg_t *cfg);
void lrs_lrfind_curve_clear(lrs_lrfind_curve_t *c);

/* Records step loss at lr; returns 1 when the run must stop here (loss not
 * finite, or smoothed above diverge × the minimum), else 0.  A non-finite
 * loss is not recorded. */
int lrs_lrfind_record(lrs_lrfind_curve_t *c, const lrs_lrfind_cfg_t *cfg, double lr, double loss);

/* The suggestions from c (at least 2 steps): -1 when fewer. */
int lrs_lrfind_suggest(const lrs_lrfind_curve_t *c, lrs_lrfind_suggestion_t *out);

#endif
