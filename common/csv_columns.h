/* csv_columns.h — what each column of a CSV header is.
 *
 * Once the header row is read (csv.c), its names are checked (no two alike)
 * and the columns the caller named as targets are found; every other column
 * becomes a feature, in the file's order.  Runs once per parse, on the
 * header's names only, so it stays out of the tokenizer's translation unit.
 */
#ifndef LRS_CSV_COLUMNS_H
#define LRS_CSV_COLUMNS_H

#include "common/csv_parse.h"

/* Checks p's n_cols header names and resolves the n_targets target names
 * (in that order: Y's column t is targets[t]).  Fills p->col_feature,
 * p->col_target, p->n_features and p->n_targets.  -1 with p->r.err set
 * (usage: duplicate or unknown name, a target given twice, no feature
 * left, several targets for classification; runtime: out of memory). */
int lrs_csv_assign_columns(lrs_csv_parse_t *p, const char *const *targets, int n_targets);

#endif
