/* csv.h — reading a data set from CSV text.
 *
 * The format is RFC 4180 (commas, double quotes with "" escapes, LF or
 * CRLF, an optional UTF-8 byte-order mark) with a header row naming every
 * column.  The caller names the target columns; every other column is a
 * numeric feature.  The result is an lrs_dataset_t (common/dataset.h); for
 * classification its class ids follow LabelEncoder order (csv_labels.h).
 *
 * Both sides use it: the coordinator parses the file once to check it before
 * a sweep starts and ships its bytes; workers parse the bytes they receive.
 */
#ifndef LRS_CSV_H
#define LRS_CSV_H

#include <stddef.h>

#include "common/dataset.h"
#include "common/err.h"

/* Loads CSV text (header row; `targets` named columns are targets, every
 * other column a numeric feature; Y's columns follow the order of `targets`,
 * X's the file's order).  `name` is used in messages
 * ("wine.csv:17:4: ..."); errors are usage errors (exit 2).  task_hint < 0
 * infers the task: classification when a target column is non-numeric. */
int lrs_dataset_parse_csv(const char *name, const char *text, size_t len,
                          const char *const *targets, int n_targets, int task_hint,
                          lrs_dataset_t *out, lrs_err_t *err);

/* Reads the file, then lrs_dataset_parse_csv. */
int lrs_dataset_load_csv(const char *path, const char *const *targets, int n_targets,
                         int task_hint, lrs_dataset_t *out, lrs_err_t *err);

#endif
