/* metrics.h — recognising the metric lines a user's training command prints.
 *
 * A command run by worker/exec.c reports numbers on its standard output in
 * one of two forms, one report per line:
 *
 *   Katib's form   `epoch=3 val_loss=0.25 lr=0.01`
 *                  every whitespace-separated token is NAME=NUMBER (a token
 *                  may end in one ',' so `epoch=3, loss=0.2` also counts);
 *   a JSON object  `{"epoch": 3, "val_loss": 0.25}`
 *                  its number members are the metrics; members of other
 *                  types are ignored.  Python's json.dumps spellings NaN,
 *                  Infinity and -Infinity are accepted, since a diverged
 *                  loss is exactly what must get through, and so is what
 *                  print(dict) writes: {'val_loss': nan, 'ok': True}.
 *
 * Any other line (and a line with no metric at all) is plain log text.
 * NUMBER is what strtod reads completely, so nan, inf and -inf count (that is
 * how Python prints them).  NAME is [A-Za-z_][A-Za-z0-9_.:/-]* of at most
 * LRS_METRIC_NAME_MAX-1 bytes.  A line reports at most LRS_METRICS_PER_LINE
 * names; later ones are ignored.
 */
#ifndef LRS_METRICS_H
#define LRS_METRICS_H

#include <stddef.h>

#define LRS_METRIC_NAME_MAX 64
#define LRS_METRICS_PER_LINE 64
/* Lines longer than this are never metric lines (bounds the parser's work). */
#define LRS_METRIC_LINE_MAX 65536

typedef struct lrs_metric {
    char name[LRS_METRIC_NAME_MAX];
    double value;
} lrs_metric_t;

/* One parsed report, in the order the names appeared. */
typedef struct lrs_metric_line {
    int n;
    lrs_metric_t items[LRS_METRICS_PER_LINE];
} lrs_metric_line_t;

/* Parses one line of len bytes (no trailing newline needed; a trailing "\r"
 * is ignored; need not be NUL-terminated).  Returns 1 and fills out when the
 * line is a metric line, 0 when it is plain text (out->n is then 0). */
int lrs_metrics_parse_line(const char *line, size_t len, lrs_metric_line_t *out);

/* Index of name in line, or -1. */
int lrs_metrics_find(const lrs_metric_line_t *line, const char *name);

/* Whether name is a valid metric name (the NAME rule above). */
int lrs_metrics_valid_name(const char *name);

#endif
