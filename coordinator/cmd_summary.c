/* cmd_summary.c — see cmd_summary.h.  The label column is as wide as its
 * widest label (at least the parameter's name), the numbers are
 * lrs_fmt_display's; a bin's JSON line also carries its edges as numbers,
 * and the group of trials without the parameter has null for its value. */
#include "coordinator/cmd_summary.h"

#include <inttypes.h>
#include <string.h>

#include <jansson.h>

#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/textesc.h"
#include "coordinator/readout.h"
#include "coordinator/summary.h"

static int json_group(FILE *out, const char *key, const lrs_summary_group_t *g)
{
    json_t *o = json_object();
    json_object_set_new(o, key, g->missing ? json_null() : lrs_readout_json_string(g->label));
    if (g->binned) {
        json_object_set_new(o, "low", lrs_json_number(g->low));
        json_object_set_new(o, "high", lrs_json_number(g->high));
    }
    json_object_set_new(o, "count", json_integer(g->count));
    json_object_set_new(o, "complete", json_integer(g->complete));
    json_object_set_new(o, "diverged", json_integer(g->diverged));
    json_object_set_new(o, "failed", json_integer(g->failed));
    json_object_set_new(o, "pruned", json_integer(g->pruned));
    json_object_set_new(o, "best", lrs_json_number(g->best));
    json_object_set_new(o, "median", lrs_json_number(g->median));
    json_object_set_new(o, "q25", lrs_json_number(g->q25));
    json_object_set_new(o, "q75", lrs_json_number(g->q75));
    json_object_set_new(o, "iqr", lrs_json_number(g->iqr));
    return lrs_readout_json_line(out, o);
}

/* The width of the label column: the widest label as shown, escaped. */
static int label_width(const lrs_summary_t *s, const char *key)
{
    size_t w = strlen(key);
    for (size_t i = 0; i < s->n; i++) {
        char shown[LRS_TEXTESC_SIZE(sizeof s->groups[i].label)];
        size_t len = strlen(lrs_text_escape_str(s->groups[i].label, shown, sizeof shown));
        w = len > w ? len : w;
    }
    return (int)(w < 64 ? w : 64);
}

static void table_group(FILE *out, int width, const lrs_summary_group_t *g)
{
    lrs_readout_text(out, width, g->label);
    fprintf(out, " %8" PRId64 " %8" PRId64 " ", g->count, g->complete);
    lrs_fmt_print(out, 12, LRS_FMT_VALUE_DIGITS, g->best);
    fputc(' ', out);
    lrs_fmt_print(out, 12, LRS_FMT_VALUE_DIGITS, g->median);
    fputc(' ', out);
    lrs_fmt_print(out, 12, LRS_FMT_VALUE_DIGITS, g->iqr);
    fputc('\n', out);
}

int lrs_summary_print(lrs_query_t *q, const lrs_query_sweep_t *sw, const char *key, int bins,
                      int json, FILE *out, lrs_err_t *err)
{
    lrs_summary_t s;
    if (lrs_summary_load(q, sw, key, bins, &s, err) != 0)
        return -1;
    int width = label_width(&s, key);
    if (!json) {
        lrs_readout_text(out, width, key);
        fprintf(out, " %8s %8s %12s %12s %12s\n", "count", "complete", "best", "median", "IQR");
    }
    int rc = 0;
    for (size_t i = 0; i < s.n && rc == 0; i++) {
        if (json)
            rc = json_group(out, key, &s.groups[i]);
        else
            table_group(out, width, &s.groups[i]);
    }
    if (!json && s.n == 0)
        fprintf(out, "   (no recorded trial yet)\n");
    lrs_summary_clear(&s);
    if (rc != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    return 0;
}
