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
