/* readout.c — see readout.h. */
#include "coordinator/readout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/command.h"
#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/textesc.h"

void lrs_readout_text(FILE *out, int width, const char *s)
{
    char shown[LRS_TEXTESC_SIZE(2048)];
    fprintf(out, "%-*s", width, lrs_text_escape_str(s, shown, sizeof shown));
}

json_t *lrs_readout_json_string(const char *s)
{
    json_t *v = json_string(s);
    if (v)
        return v;
    char *t = lrs_exec_escape_text(s, strlen(s));
    v = json_string(t ? t : "");
    free(t);
    return v;
}

json_t *lrs_readout_json_value(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    return v ? v : json_object();
}

int lrs_readout_json_line(FILE *out, json_t *obj)
{
    char *s = lrs_json_text(obj);
    json_decref(obj);
    if (!s)
        return -1;
    fprintf(out, "%s\n", s);
    free(s);
    return 0;
}

void lrs_readout_csv_text(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void lrs_readout_csv_number(FILE *out, double v)
{
    char text[48];
    if (isfinite(v) && lrs_fmt_number(v, text, sizeof text) > 0)
        fputs(text, out);
}

/* The count members after "trials", by status. */
static const lrs_status_t sweep_counts[] = {LRS_STATUS_COMPLETE, LRS_STATUS_DIVERGED,
                                            LRS_STATUS_FAILED,   LRS_STATUS_PRUNED,
                                            LRS_STATUS_RUNNING,  LRS_STATUS_PENDING};

int64_t lrs_readout_sweep_done(const lrs_query_sweep_row_t *r)
{
    return r->n[LRS_STATUS_COMPLETE] + r->n[LRS_STATUS_DIVERGED] + r->n[LRS_STATUS_FAILED] +
           r->n[LRS_STATUS_PRUNED];
}

json_t *lrs_readout_sweep_json(const lrs_query_sweep_row_t *r)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "sweep", lrs_readout_json_string(r->name));
    json_object_set_new(o, "metric", lrs_readout_json_string(r->metric));
    json_object_set_new(o, "goal", json_string(r->maximize ? "maximize" : "minimize"));
    json_object_set_new(o, "sampler", r->sampler ? json_string(r->sampler) : json_null());
    json_object_set_new(o, "done", json_integer(lrs_readout_sweep_done(r)));
    json_object_set_new(o, "trials", json_integer(r->trials));
    for (size_t i = 0; i < sizeof sweep_counts / sizeof sweep_counts[0]; i++)
        json_object_set_new(o, lrs_status_name(sweep_counts[i]), json_integer(r->n[sweep_counts[i]]));
    json_object_set_new(o, "best", lrs_json_number(r->best));
    json_object_set_new(o, "created_at", lrs_json_number(r->created_at));
    return o;
}
