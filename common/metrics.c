/* metrics.c — the metric-line parser (see metrics.h).
 *
 * Katib's form is checked token by token without allocating; a JSON line is
 * handed to jansson after Python's non-standard NaN / Infinity / -Infinity
 * literals (outside strings) are rewritten as the strings "NaN" etc., which
 * the member loop then reads back as numbers.
 */
#include "common/metrics.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int name_start(int c)
{
    return isalpha(c) || c == '_';
}

static int name_char(int c)
{
    return isalnum(c) || c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

static int valid_name_n(const char *s, size_t n)
{
    if (n == 0 || n >= LRS_METRIC_NAME_MAX || !name_start((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!name_char((unsigned char)s[i]))
            return 0;
    return 1;
}

int lrs_metrics_valid_name(const char *name)
{
    return name && valid_name_n(name, strlen(name));
}

int lrs_metrics_find(const lrs_metric_line_t *line, const char *name)
{
    for (int i = 0; i < line->n; i++)
        if (strcmp(line->items[i].name, name) == 0)
            return i;
    return -1;
}

/* Stores name=value, replacing an earlier report of the same name. */
static void add_item(lrs_metric_line_t *out, const char *name, size_t name_len, double value)
{
    for (int i = 0; i < out->n; i++)
        if (strlen(out->items[i].name) == name_len && memcmp(out->items[i].name, name, name_len) == 0) {
            out->items[i].value = value;
            return;
        }
    if (out->n == LRS_METRICS_PER_LINE)
        return;
    memcpy(out->items[out->n].name, name, name_len);
    out->items[out->n].name[name_len] = '\0';
    out->items[out->n].value = value;
    out->n++;
}

/* strtod over exactly n bytes; 0 on a complete parse. */
static int parse_number(const char *s, size_t n, double *out)
{
    char buf[128];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (isspace((unsigned char)buf[0]))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n)
        return -1;
    *out = v;   /* ERANGE overflow gives ±HUGE_VAL: an infinite report, kept as such */
    return 0;
}

static int parse_pairs(const char *s, size_t len, lrs_metric_line_t *out)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == len)
            break;
        size_t start = i;
        while (i < len && s[i] != ' ' && s[i] != '\t')
            i++;
        size_t tok_len = i - start;
        const char *tok = s + start;
        if (tok[tok_len - 1] == ',')
            tok_len--;
        const char *eq = memchr(tok, '=', tok_len);
        if (!eq)
            return 0;
        size_t name_len = (size_t)(eq - tok);
        double v;
        if (!valid_name_n(tok, name_len) || parse_number(eq + 1, tok_len - name_len - 1, &v) < 0)
            return 0;
        add_item(out, tok, name_len, v);
    }
    return out->n > 0;
}

/* Bare words outside strings and what they become in the JSON text. */
static const struct {
    const char *word, *json;
} python_words[] = {
    {"-Infinity", "\"-Infinity\""}, {"Infinity", "\"Infinity\""}, {"NaN", "\"NaN\""},
    {"-inf", "\"-Infinity\""},      {"inf", "\"Infinity\""},      {"nan", "\"NaN\""},
    {"True", "true"},               {"False", "false"},           {"None", "null"},
};

/* The bare word at s[i] (one of python_words, not part of a longer word), or -1. */
static int python_word_at(const char *s, size_t len, size_t i)
{
    if (i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_'))
        return -1;
    for (size_t w = 0; w < sizeof python_words / sizeof python_words[0]; w++) {
        size_t wl = strlen(python_words[w].word);
        if (len - i >= wl && memcmp(s + i, python_words[w].word, wl) == 0 &&
            (i + wl == len || !(isalnum((unsigned char)s[i + wl]) || s[i + wl] == '_')))
            return (int)w;
    }
    return -1;
}

/* Copies s to a new JSON text, accepting what Python prints: json.dumps'
 * NaN / Infinity / -Infinity, and print(dict)'s 'single-quoted' strings,
 * nan, inf, True, False, None.  Non-finite numbers become the strings
 * "NaN", "Infinity", "-Infinity", which parse_json reads back as numbers. */
static char *python_to_json(const char *s, size_t len, size_t *out_len)
{
    char *buf = malloc(len * 4 + 16);   /* worst case: inf (3 bytes) -> "Infinity" (10) */
    if (!buf)
        return NULL;
    size_t o = 0;
    char quote = 0;   /* the quote of the string we are in, or 0 */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (quote == '"') {
            buf[o++] = c;
            if (c == '\\' && i + 1 < len)
                buf[o++] = s[++i];
            else if (c == '"')
                quote = 0;
        } else if (quote == '\'') {
            if (c == '\\' && i + 1 < len && s[i + 1] == '\'') {
                buf[o++] = s[++i];   /* \' needs no escape inside "..." */
            } else if (c == '\\' && i + 1 < len) {
                buf[o++] = c;
                buf[o++] = s[++i];
            } else if (c == '"') {
                buf[o++] = '\\';
                buf[o++] = '"';
            } else if (c == '\'') {
                buf[o++] = '"';
                quote = 0;
            } else {
                buf[o++] = c;
            }
        } else if (c == '"' || c == '\'') {
            buf[o++] = '"';
            quote = c;
        } else {
            int w = python_word_at(s, len, i);
            if (w < 0) {
                buf[o++] = c;
                continue;
            }
            size_t jl = strlen(python_words[w].json);
            memcpy(buf + o, python_words[w].json, jl);
            o += jl;
            i += strlen(python_words[w].word) - 1;
        }
    }
    *out_len = o;
    return buf;
}

static int parse_json(const char *s, size_t len, lrs_metric_line_t *out)
{
    size_t text_len;
    char *text = python_to_json(s, len, &text_len);
    if (!text)
        return 0;
    json_error_t jerr;
    json_t *root = json_loadb(text, text_len, 0, &jerr);
    free(text);
    if (!root)
        return 0;
    if (json_is_object(root)) {
        const char *key;
        json_t *value;
        json_object_foreach(root, key, value) {
            size_t key_len = strlen(key);
            if (!valid_name_n(key, key_len))
                continue;
            if (json_is_number(value)) {
                add_item(out, key, key_len, json_number_value(value));
            } else if (json_is_string(value)) {
                const char *t = json_string_value(value);
                if (strcmp(t, "NaN") == 0)
                    add_item(out, key, key_len, NAN);
                else if (strcmp(t, "Infinity") == 0)
                    add_item(out, key, key_len, INFINITY);
                else if (strcmp(t, "-Infinity") == 0)
                    add_item(out, key, key_len, -INFINITY);
            }
        }
    }
    json_decref(root);
    return out->n > 0;
}

int lrs_metrics_parse_line(const char *line, size_t len, lrs_metric_line_t *out)
{
    out->n = 0;
    if (len > LRS_METRIC_LINE_MAX)
        return 0;
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    while (len > 0 && (line[0] == ' ' || line[0] == '\t')) {
        line++;
        len--;
    }
    if (len == 0)
        return 0;
    int ok;
    if (line[0] == '{' && line[len - 1] == '}')
        ok = parse_json(line, len, out);
    else if (memchr(line, '=', len))
        ok = parse_pairs(line, len, out);
    else
        ok = 0;
    if (!ok)
        out->n = 0;
    return ok;
}
