/* dataset.c — see dataset.h.  The synthetic problem, the content hash and
 * freeing a data set.
 *
 * The synthetic generator draws X, then W, then the noise from one
 * counter-based stream keyed by the seed, in a fixed order, so a seed
 * always gives the same data set.  CSV reading is csv.c.
 */
#include "common/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytesize.h"
#include "common/fnv.h"
#include "common/rng.h"

int lrs_dataset_synthetic(int rows, int features, int outputs, double noise, uint64_t seed,
                          lrs_dataset_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (rows < 1 || features < 1 || outputs < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "synthetic data: rows, features and outputs must be ≥ 1 "
                           "(got %d, %d, %d)", rows, features, outputs);
    if (!isfinite(noise) || noise < 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "synthetic data: noise must be finite and ≥ 0");
    if ((size_t)rows * (size_t)(features > outputs ? features : outputs) > LRS_DATASET_MAX_CELLS ||
        (size_t)outputs * (size_t)features > LRS_DATASET_MAX_CELLS)
        return lrs_err_set(err, LRS_EXIT_USAGE, "synthetic data: more than %zu cells",
                           LRS_DATASET_MAX_CELLS);
    int rc = -1;
    size_t nx = (size_t)rows * (size_t)features, ny = (size_t)rows * (size_t)outputs;
    double *W = malloc((size_t)outputs * (size_t)features * sizeof *W);
    out->task = LRS_TASK_REGRESSION;
    out->rows = rows;
    out->n_features = features;
    out->n_targets = outputs;
    out->X = malloc(nx * sizeof *out->X);
    out->Y = malloc(ny * sizeof *out->Y);
    out->feature_names = calloc((size_t)features, sizeof *out->feature_names);
    out->target_names = calloc((size_t)outputs, sizeof *out->target_names);
    if (!W || !out->X || !out->Y || !out->feature_names || !out->target_names)
        goto oom;
    for (int j = 0; j < features; j++) {
        char name[24];
        snprintf(name, sizeof name, "x%d", j + 1);
        if (!(out->feature_names[j] = strdup(name)))
            goto oom;
    }
    for (int o = 0; o < outputs; o++) {
        char name[24];
        snprintf(name, sizeof name, "y%d", o + 1);
        if (!(out->target_names[o] = strdup(name)))
            goto oom;
    }
    /* One stream, drawn in a fixed order: X (rows × features, row-major),
     * then W (outputs × features), then the noise (rows × outputs). */
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_DATA));
    for (size_t i = 0; i < nx; i++)
        out->X[i] = lrs_rng_normal(&rng);
    for (size_t i = 0; i < (size_t)outputs * (size_t)features; i++)
        W[i] = lrs_rng_normal(&rng);
    /* Y (rows × outputs) = X (rows × features) · Wᵀ + noise · N(0,1) */
    for (int i = 0; i < rows; i++) {
        const double *x = out->X + (size_t)i * (size_t)features;
        for (int o = 0; o < outputs; o++) {
            const double *w = W + (size_t)o * (size_t)features;
            double s = 0.0;
            for (int j = 0; j < features; j++)
                s += x[j] * w[j];
            out->Y[(size_t)i * (size_t)outputs + (size_t)o] = s;
        }
    }
    for (size_t i = 0; i < ny; i++)
        out->Y[i] += noise * lrs_rng_normal(&rng);
    rc = 0;
    goto done;
oom:
    lrs_err_set(err, LRS_EXIT_RUNTIME, "synthetic data: out of memory");
    lrs_dataset_free(out);
done:
    free(W);
    return rc;
}

/* The hash's byte stream is built in this buffer, LRS_HASH_BUF bytes at a
 * time, so the matrices are hashed without a copy of their size. */
enum { LRS_HASH_BUF = 4096 };

typedef struct hash_stream {
    uint64_t h;
    size_t n;
    unsigned char buf[LRS_HASH_BUF];
} hash_stream_t;

static void hs_flush(hash_stream_t *s)
{
    s->h = lrs_fnv64(s->h, s->buf, s->n);
    s->n = 0;
}

static void hs_u64(hash_stream_t *s, uint64_t v)
{
    if (s->n + 8 > LRS_HASH_BUF)
        hs_flush(s);
    for (int i = 0; i < 8; i++)
        s->buf[s->n++] = (unsigned char)(v >> (8 * i));   /* little-endian */
}

static void hs_bytes(hash_stream_t *s, const char *p, size_t len)
{
    hs_flush(s);
    s->h = lrs_fnv64(s->h, p, len);
}

static void hs_doubles(hash_stream_t *s, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double x = v[i] == 0.0 ? 0.0 : v[i];   /* -0 and +0 read the same */
        uint64_t bits;
        memcpy(&bits, &x, sizeof bits);
        hs_u64(s, bits);
    }
}

void lrs_dataset_content_hash(const lrs_dataset_t *d, char out[17])
{
    static const char tag[] = "lrsweep-data-1";
    hash_stream_t s = {.h = LRS_FNV64_INIT, .n = 0};
    hs_bytes(&s, tag, sizeof tag - 1);
    hs_u64(&s, d->task == LRS_TASK_CLASSIFICATION ? 1 : 0);
    hs_u64(&s, (uint64_t)d->rows);
    hs_u64(&s, (uint64_t)d->n_features);
    hs_u64(&s, (uint64_t)d->n_targets);
    int n_classes = d->task == LRS_TASK_CLASSIFICATION && d->class_labels ? d->n_classes : 0;
    hs_u64(&s, (uint64_t)n_classes);
    for (int c = 0; c < n_classes; c++) {
        const char *label = d->class_labels[c] ? d->class_labels[c] : "";
        size_t len = strlen(label);
        hs_u64(&s, (uint64_t)len);
        hs_bytes(&s, label, len);
    }
    if (d->X)
        hs_doubles(&s, d->X, (size_t)d->rows * (size_t)d->n_features);
    if (d->Y)
        hs_doubles(&s, d->Y, (size_t)d->rows * (size_t)d->n_targets);
    hs_flush(&s);
    lrs_fnv64_hex(s.h, out);
}

uint64_t lrs_dataset_value_bytes(const lrs_dataset_t *d)
{
    return (uint64_t)d->rows * ((uint64_t)d->n_features + (uint64_t)d->n_targets) * sizeof(double);
}

void lrs_dataset_describe(const lrs_dataset_t *d, char *out, size_t size)
{
    char bytes[32], kind[48];
    if (d->task == LRS_TASK_CLASSIFICATION)
        snprintf(kind, sizeof kind, "%d classes", d->n_classes);
    else
        snprintf(kind, sizeof kind, "regression");
    const char *target = d->n_targets > 0 && d->target_names && d->target_names[0]
                             ? d->target_names[0] : "?";
    if (d->n_targets == 1)
        snprintf(out, size, "%d row%s, %d feature%s, target %.80s (%s), %s as float64", d->rows,
                 d->rows == 1 ? "" : "s", d->n_features, d->n_features == 1 ? "" : "s", target, kind,
                 lrs_bytesize_show(lrs_dataset_value_bytes(d), bytes, sizeof bytes));
    else
        snprintf(out, size, "%d row%s, %d feature%s, %d targets (%s), %s as float64", d->rows,
                 d->rows == 1 ? "" : "s", d->n_features, d->n_features == 1 ? "" : "s", d->n_targets, kind,
                 lrs_bytesize_show(lrs_dataset_value_bytes(d), bytes, sizeof bytes));
}

void lrs_dataset_free(lrs_dataset_t *d)
{
    if (!d)
        return;
    if (d->values_block) {
        free(d->values_block);
    } else {
        free(d->X);
        free(d->Y);
    }
    if (d->class_labels)
        for (int i = 0; i < d->n_classes; i++)
            free(d->class_labels[i]);
    free(d->class_labels);
    if (d->feature_names)
        for (int j = 0; j < d->n_features; j++)
            free(d->feature_names[j]);
    free(d->feature_names);
    if (d->target_names)
        for (int t = 0; t < d->n_targets; t++)
            free(d->target_names[t]);
    free(d->target_names);
    memset(d, 0, sizeof *d);
}
