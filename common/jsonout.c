/* jsonout.c — the JSON that lrsweep writes (jsonout.h). */
#include "common/jsonout.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"
#include "common/strbuf.h"

json_t *lrs_json_number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Appends v's text to b; -1 when out of memory. */
static int put_value(lrs_strbuf_t *b, const json_t *v)
{
    char num[48];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        int first = 1;
        if (lrs_sb_add(b, "{", 1) < 0)
            return -1;
        json_object_foreach((json_t *)v, key, item) {
            json_t *k = json_string(key);
            int rc = k ? 0 : -1;
            if (rc == 0 && !first)
                rc = lrs_sb_add(b, ",", 1);
            if (rc == 0)
                rc = put_value(b, k);
            json_decref(k);
            if (rc < 0 || lrs_sb_add(b, ":", 1) < 0 || put_value(b, item) < 0)
                return -1;
            first = 0;
        }
        return lrs_sb_add(b, "}", 1);
    }
    case JSON_ARRAY:
        if (lrs_sb_add(b, "[", 1) < 0)
            return -1;
        for (size_t i = 0; i < json_array_size(v); i++)
            if ((i && lrs_sb_add(b, ",", 1) < 0) || put_value(b, json_array_get(v, i)) < 0)
                return -1;
        return lrs_sb_add(b, "]", 1);
    case JSON_STRING: {   /* jansson's escaping, for one string */
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        int rc = s ? lrs_sb_adds(b, s) : -1;
        free(s);
        return rc;
    }
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return lrs_sb_adds(b, num);
    case JSON_REAL:
        if (lrs_fmt_number(json_real_value(v), num, sizeof num) < 0)
            return -1;
        return lrs_sb_adds(b, num);
    case JSON_TRUE:
        return lrs_sb_adds(b, "true");
    case JSON_FALSE:
        return lrs_sb_adds(b, "false");
    case JSON_NULL:
        return lrs_sb_adds(b, "null");
    }
    return -1;
}

char *lrs_json_text(const json_t *v)
{
    lrs_strbuf_t b = {0};
    if (!v || put_value(&b, v) < 0 || lrs_sb_add(&b, "", 0) < 0) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

int lrs_json_write(FILE *out, const json_t *v)
{
    char *text = lrs_json_text(v);
    if (!text)
        return -1;
    int rc = fputs(text, out) < 0 ? -1 : 0;
    free(text);
    return rc;
}
