/* csv_labels.h — the task of a CSV data set, and its class ids.
 *
 * When one target column is read without a task forced to regression, the
 * reader (csv.c) keeps every target cell's text and, where it parses, its
 * number.  Afterwards this decides the task — classification when the hint
 * says so or, with no hint, when some label is not a number — and for
 * classification replaces Y by class ids assigned in sorted label order
 * (numeric order when every label is a number, byte order otherwise), as
 * scikit-learn's LabelEncoder does.  Runs once per parse, after the rows.
 */
#ifndef LRS_CSV_LABELS_H
#define LRS_CSV_LABELS_H

#include "common/csv_parse.h"
#include "common/dataset.h"

/* Decides d->task for an LRS_CSV_TARGET_LABEL parse of p->rows rows; for
 * classification rewrites p->Y as class ids and fills d->class_labels and
 * d->n_classes.  -1 with p->r.err set (usage: a non-finite target where
 * numbers are needed, a single class; runtime: out of memory). */
int lrs_csv_finish_targets(lrs_csv_parse_t *p, lrs_dataset_t *d);

#endif
