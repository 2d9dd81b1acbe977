/* folds.c — see folds.h.  Every splitter first gives each row a fold id
 * (fold_of[row]), then one routine turns the ids into training and validation
 * lists in ascending row order.
 *
 * Without shuffling the ids reproduce scikit-learn 1.2.1 exactly:
 *  - KFold: consecutive blocks, the first rows % k folds one row larger;
 *  - StratifiedKFold: classes are ranked by first appearance in the data; the
 *    rows sorted by that rank are dealt round-robin to the folds, which gives
 *    how many rows of each class each fold validates; then each class's rows,
 *    in row order, fill fold 0's share, then fold 1's, and so on.
 * With shuffling, KFold deals blocks of a seeded permutation, and stratified
 * k-fold keeps the same per-class shares but shuffles which member of a
 * class lands in which fold (classes in order of first appearance, one
 * stream keyed lrs_rng_key(seed, 0, LRS_RNG_FOLDS)).
 *
 * A choice stricter than scikit-learn: it only refuses k above the largest
 * class count and warns for the smallest; we refuse k above the smallest
 * class count, since some fold would otherwise validate without that class.
 */
#include "common/folds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"

static int folds_oom(lrs_err_t *err)
{
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "folds: out of memory");
}

static int check_rows(const lrs_dataset_t *d, lrs_err_t *err)
{
    if (!d || d->rows < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE, "folds: the data set has no rows");
    return 0;
}

/* Builds out->splits[0..count) from fold_of (rows entries in [0, count));
 * rows whose id is count or more validate nowhere and always train. */
static int splits_from_ids(const uint32_t *fold_of, int rows, int count, lrs_folds_t *out,
                           lrs_err_t *err)
{
    int *sizes = calloc((size_t)count, sizeof *sizes);
    out->splits = calloc((size_t)count, sizeof *out->splits);
    if (!sizes || !out->splits) {
        free(sizes);
        lrs_folds_free(out);
        return folds_oom(err);
    }
    out->count = count;
    for (int i = 0; i < rows; i++)
        if (fold_of[i] < (uint32_t)count)
            sizes[fold_of[i]]++;
    for (int f = 0; f < count; f++) {
        lrs_split_t *s = &out->splits[f];
        s->train = malloc((size_t)(rows - sizes[f] > 0 ? rows - sizes[f] : 1) * sizeof *s->train);
        s->val = sizes[f] ? malloc((size_t)sizes[f] * sizeof *s->val) : NULL;
        if (!s->train || (sizes[f] && !s->val)) {
            free(sizes);
            lrs_folds_free(out);
            return folds_oom(err);
        }
        for (int i = 0; i < rows; i++) {
            if (fold_of[i] == (uint32_t)f)
                s->val[s->n_val++] = (uint32_t)i;
            else
                s->train[s->n_train++] = (uint32_t)i;
        }
    }
    free(sizes);
    return 0;
}

/* KFold: rows in `order` are dealt to folds in consecutive blocks. */
static void assign_kfold(const uint32_t *order, int rows, int k, uint32_t *fold_of)
{
    int pos = 0;
    for (int f = 0; f < k; f++) {
        int size = rows / k + (f < rows % k);
        for (int i = 0; i < size; i++)
            fold_of[order[pos++]] = (uint32_t)f;
    }
}

/* Number of j in [0, m) with j % k == i. */
static long residue_count(long m, int k, int i)
{
    return m / k + (i < m % k);
}

/* StratifiedKFold's assignment (see the file comment).  class_of holds
 * class ids 0..n_classes-1 already checked. */
static int assign_stratified(const lrs_dataset_t *d, const int *class_of, int k, int shuffle,
                             uint64_t seed, uint32_t *fold_of, lrs_err_t *err)
{
    int rc = -1, n = d->rows, nc = d->n_classes;
    int *rank = malloc((size_t)nc * sizeof *rank);         /* class → appearance rank */
    int *by_rank = calloc((size_t)nc, sizeof *by_rank);   /* rank → class */
    long *count = calloc((size_t)nc, sizeof *count);        /* by class */
    uint32_t *shares = malloc((size_t)n * sizeof *shares);  /* fold ids, per class block */
    long *next = calloc((size_t)nc, sizeof *next);           /* by class: next share used */
    long *block = calloc((size_t)nc, sizeof *block);         /* by class: start in shares */
    if (!rank || !by_rank || !count || !shares || !next || !block) {
        folds_oom(err);
        goto done;
    }
    int ranked = 0;
    for (int c = 0; c < nc; c++)
        rank[c] = -1;
    for (int i = 0; i < n; i++) {
        count[class_of[i]]++;
        if (rank[class_of[i]] < 0) {
            rank[class_of[i]] = ranked;
            by_rank[ranked++] = class_of[i];
        }
    }
    int smallest = by_rank[0];
    for (int r = 1; r < ranked; r++)
        if (count[by_rank[r]] < count[smallest])
            smallest = by_rank[r];
    if (count[smallest] < k) {
        /* Named by rank, not label: a label is the data file's text. */
        lrs_err_set(err, LRS_EXIT_USAGE,
                    "folds: stratified %d-fold needs at least %d rows of every class; "
                    "class %d of %d (in sorted label order) has %ld",
                    k, k, smallest + 1, nc, count[smallest]);
        goto done;
    }
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_FOLDS));
    /* Rows sorted by class rank occupy [start, start + count) for each class;
     * fold f validates the positions ≡ f (mod k) of that range. */
    long start = 0;
    for (int r = 0; r < ranked; r++) {
        int c = by_rank[r];
        long pos = start;
        block[c] = start;
        for (int f = 0; f < k; f++) {
            long share = residue_count(start + count[c], k, f) - residue_count(start, k, f);
            for (long j = 0; j < share; j++)
                shares[pos++] = (uint32_t)f;
        }
        if (shuffle)
            lrs_rng_shuffle(&rng, shares + start, (uint32_t)count[c]);
        start += count[c];
    }
    for (int i = 0; i < n; i++) {
        int c = class_of[i];
        fold_of[i] = shares[block[c] + next[c]++];
    }
    rc = 0;
done:
    free(rank);
    free(by_rank);
    free(count);
    free(shares);
    free(next);
    free(block);
    return rc;
}

/* Class ids from Y, checked against n_classes. */
static int read_classes(const lrs_dataset_t *d, int *class_of, lrs_err_t *err)
{
    if (d->n_targets != 1 || d->n_classes < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "folds: a classification data set needs one target and ≥ 1 class");
    for (int i = 0; i < d->rows; i++) {
        double y = d->Y[i];
        if (!(y >= 0 && y < d->n_classes) || y != floor(y))
            return lrs_err_set(err, LRS_EXIT_USAGE, "folds: row %d has class id %g outside 0..%d",
                               i, y, d->n_classes - 1);
        class_of[i] = (int)y;
    }
    return 0;
}

int lrs_folds_kfold(const lrs_dataset_t *d, int k, int shuffle, uint64_t seed, lrs_folds_t *out,
                    lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (check_rows(d, err) < 0)
        return -1;
    if (k < 2)
        return lrs_err_set(err, LRS_EXIT_USAGE, "folds: k-fold needs k ≥ 2, got %d", k);
    if (k > d->rows)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "folds: %d folds need at least %d rows; the data set has %d", k, k,
                           d->rows);
    int rc = -1, n = d->rows;
    uint32_t *fold_of = malloc((size_t)n * sizeof *fold_of);
    uint32_t *order = NULL;
    int *class_of = NULL;
    if (!fold_of) {
        folds_oom(err);
        goto done;
    }
    if (d->task == LRS_TASK_CLASSIFICATION) {
        class_of = malloc((size_t)n * sizeof *class_of);
        if (!class_of) {
            folds_oom(err);
            goto done;
        }
        if (read_classes(d, class_of, err) < 0 ||
            assign_stratified(d, class_of, k, shuffle, seed, fold_of, err) < 0)
            goto done;
    } else {
        order = malloc((size_t)n * sizeof *order);
        if (!order) {
            folds_oom(err);
            goto done;
        }
        for (int i = 0; i < n; i++)
            order[i] = (uint32_t)i;
        if (shuffle) {
            lrs_rng_t rng;
            lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_FOLDS));
            lrs_rng_shuffle(&rng, order, (uint32_t)n);
        }
        assign_kfold(order, n, k, fold_of);
    }
    rc = splits_from_ids(fold_of, n, k, out, err);
done:
    free(fold_of);
    free(order);
    free(class_of);
    return rc;
}

int lrs_folds_holdout(const lrs_dataset_t *d, double fraction, int shuffle, uint64_t seed,
                      lrs_folds_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (check_rows(d, err) < 0)
        return -1;
    if (!(fraction > 0 && fraction < 1))
        return lrs_err_set(err, LRS_EXIT_USAGE, "folds: holdout fraction must be in (0, 1), got %g",
                           fraction);
    int n = d->rows;
    /* round half away from zero */
    long n_val = lround(fraction * n);
    if (n_val < 1 || n_val >= n)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "folds: holdout fraction %g of %d rows leaves %s", fraction, n,
                           n_val < 1 ? "no validation rows" : "no training rows");
    int rc = -1;
    uint32_t *order = malloc((size_t)n * sizeof *order);
    uint32_t *fold_of = malloc((size_t)n * sizeof *fold_of);
    if (!order || !fold_of) {
        folds_oom(err);
        goto done;
    }
    for (int i = 0; i < n; i++) {
        order[i] = (uint32_t)i;
        fold_of[i] = 1;   /* trains */
    }
    if (shuffle) {
        lrs_rng_t rng;
        lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_FOLDS));
        lrs_rng_shuffle(&rng, order, (uint32_t)n);
    }
    /* Validation: the last n_val rows of the order (the file's tail unshuffled). */
    for (long i = n - n_val; i < n; i++)
        fold_of[order[i]] = 0;
    rc = splits_from_ids(fold_of, n, 1, out, err);
done:
    free(order);
    free(fold_of);
    return rc;
}

int lrs_folds_all(const lrs_dataset_t *d, lrs_folds_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (check_rows(d, err) < 0)
        return -1;
    uint32_t *fold_of = malloc((size_t)d->rows * sizeof *fold_of);
    if (!fold_of)
        return folds_oom(err);
    for (int i = 0; i < d->rows; i++)
        fold_of[i] = 1;   /* no row validates */
    int rc = splits_from_ids(fold_of, d->rows, 1, out, err);
    free(fold_of);
    return rc;
}

void lrs_folds_free(lrs_folds_t *f)
{
    if (!f)
        return;
    if (f->splits)
        for (int i = 0; i < f->count; i++) {
            free(f->splits[i].train);
            free(f->splits[i].val);
        }
    free(f->splits);
    memset(f, 0, sizeof *f);
}

int lrs_folds_make(const lrs_dataset_t *d, int folds, double holdout, int shuffle, uint64_t seed,
                   lrs_folds_t *out, lrs_err_t *err)
{
    if (folds >= 2)
        return lrs_folds_kfold(d, folds, shuffle, seed, out, err);
    if (folds == 1)
        return lrs_folds_holdout(d, holdout, shuffle, seed, out, err);
    if (folds == 0)
        return lrs_folds_all(d, out, err);
    memset(out, 0, sizeof *out);
    return lrs_err_set(err, LRS_EXIT_USAGE,
                       "folds must be 0 (no validation), 1 (holdout) or ≥ 2, got %d", folds);
}
