/* readout.c — see readout.h. */
#include "coordinator/readout.h"

#include <stdlib.h>
#include <string.h>

#include "common/command.h"
#include "common/jsonout.h"
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
