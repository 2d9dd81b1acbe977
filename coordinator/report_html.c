/* report_html.c — the report page (see report_html.h).  The page has one
 * <section> per view in the order of issue 14's list; the charts' canvases
 * are empty here and drawn by report/page.js, which also fills each
 * chart's caption (what was sampled or summarised) and window.lrsweepCharts
 * (datasets and points drawn, for the browser tests).  The tables are
 * written here, so they read without script too. */
#include "coordinator/report_html.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/version.h"

/* report/embed.cmake's arrays. */
extern const unsigned char lrs_report_chartjs[], lrs_report_chartjs_licence[],
    lrs_report_page_js[], lrs_report_page_css[], lrs_report_live_js[];
extern const size_t lrs_report_chartjs_len, lrs_report_chartjs_licence_len,
    lrs_report_page_js_len, lrs_report_page_css_len, lrs_report_live_js_len;

void lrs_html_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

int lrs_html_script_json(FILE *out, const char *json)
{
    for (const unsigned char *p = (const unsigned char *)json; *p; p++) {
        if (*p == '<')
            fputs("\\u003c", out);
        else if (*p == '>')
            fputs("\\u003e", out);
        else if (*p == '&')
            fputs("\\u0026", out);
        else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
            fputs(p[2] == 0xa8 ? "\\u2028" : "\\u2029", out);
            p += 2;
        } else
            fputc(*p, out);
    }
    return ferror(out) ? -1 : 0;
}

static void text_of(FILE *out, const json_t *o, const char *key)
{
    lrs_html_text(out, json_string_value(json_object_get(o, key)));
}

static void number(FILE *out, const json_t *v, int digits)
{
    if (!json_is_number(v)) {
        fputs("–", out);
        return;
    }
    char buf[64];
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        lrs_fmt_display(json_number_value(v), digits, buf, sizeof buf);
    fputs(buf, out);
}

static void duration(FILE *out, const json_t *v)
{
    double s = json_number_value(v);
    if (!json_is_number(v) || !isfinite(s))
        fputs("–", out);
    else if (s < 120)
        fprintf(out, "%.1f s", s);
    else if (s < 7200)
        fprintf(out, "%.1f min", s / 60);
    else
        fprintf(out, "%.1f h", s / 3600);
}

static void header_html(FILE *out, const json_t *h)
{
    fputs("<header><h1>Sweep <span id=\"sweep-name\">", out);
    text_of(out, h, "sweep");
    fputs("</span></h1>\n<dl class=\"facts\">\n<dt>objective</dt><dd>", out);
    text_of(out, h, "metric");
    fputs(" (", out);
    text_of(out, h, "goal");
    fputs(")</dd>\n<dt>sampler</dt><dd>", out);
    text_of(out, h, "sampler");
    fputs("</dd>\n<dt>data</dt><dd>", out);
    const json_t *data = json_object_get(h, "data");
    if (json_is_string(data))
        text_of(out, h, "data");
    else
        fputs(json_is_true(json_object_get(h, "command")) ? "the command's own" : "–", out);
    if (json_is_integer(json_object_get(h, "rows"))) {
        fputs(", ", out);
        number(out, json_object_get(h, "rows"), 6);
        fputs(" rows", out);
    }
    const char *hash = json_string_value(json_object_get(h, "data_hash"));
    if (hash && *hash) {
        fputs(", content hash <code>", out);
        lrs_html_text(out, hash);
        fputs("</code>", out);
    }
    if (json_is_true(json_object_get(h, "data_changed")))
        fputs(" <strong>(the file has changed since: its rows are today's)</strong>", out);
    fputs("</dd>\n<dt>trials</dt><dd>", out);
    const char *key;
    const json_t *v;
    int first = 1;
    json_object_foreach((json_t *)json_object_get(h, "counts"), key, v) {
        if (!json_integer_value(v) && strcmp(key, "complete") != 0)
            continue;
        fprintf(out, "%s<span class=\"st-%s\">%" JSON_INTEGER_FORMAT " %s</span>",
                first ? "" : ", ", key, json_integer_value(v), key);
        first = 0;
    }
    fprintf(out, " of a budget of %" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(h, "budget")));
    const char *ended = json_string_value(json_object_get(h, "ended"));
    if (ended && *ended) {
        fputs(" (ended: ", out);
        lrs_html_text(out, ended);
        fputs(")", out);
    }
    fputs("</dd>\n<dt>wall time</dt><dd>", out);
    duration(out, json_object_get(h, "wall_seconds"));
    fputs("</dd>\n<dt>compute used</dt><dd>", out);
    duration(out, json_object_get(h, "compute_seconds"));
    fputs(" of training, summed over trials</dd>\n", out);
    if (json_is_true(json_object_get(h, "pruning")))
        fprintf(out, "<dt>pruning saved</dt><dd>%" JSON_INTEGER_FORMAT " epochs</dd>\n",
                json_integer_value(json_object_get(h, "epochs_saved")));
    fputs("</dl></header>\n", out);
}

/* A chart's section: title, what it shows, its caption line, the canvas. */
static void chart_section(FILE *out, const char *id, const char *title, const char *what)
{
    fprintf(out,
            "<section class=\"chart\" id=\"%s\"><h2>%s</h2><p class=\"what\">%s</p>"
            "<p class=\"note\" id=\"note-%s\"></p><div class=\"canvas\"><canvas id=\"c-%s\">"
            "</canvas></div></section>\n",
            id, title, what, id, id);
}

/* Closes a view's table; rows 0: one row saying why it is empty. */
static void table_end(FILE *out, size_t rows, const char *none)
{
    if (rows == 0)
        fprintf(out, "<tr><td colspan=\"5\">%s</td></tr>\n", none);
    fputs("</tbody></table></section>\n", out);
}

static void params_words(FILE *out, const json_t *params)
{
    const char *key;
    const json_t *v;
    int first = 1;
    json_object_foreach((json_t *)params, key, v) {
        fputs(first ? "" : " ", out);
        first = 0;
        lrs_html_text(out, key);
        fputc('=', out);
        if (json_is_string(v))
            lrs_html_text(out, json_string_value(v));
        else if (json_is_number(v))
            number(out, v, LRS_FMT_SHORT_DIGITS);
        else {
            char *s = lrs_json_text(v);
            lrs_html_text(out, s ? s : "?");
            free(s);
        }
    }
}

static void top_html(FILE *out, const json_t *top)
{
    fputs("<section id=\"top\"><h2>Top configs</h2><p class=\"what\">Best first, as "
          "<code>lrsweep best</code> ranks them.  Each train line retrains the trial with the "
          "seed the sweep used and prints its stored score (SPEC: the sweep's spec file, "
          "<code>lrsweep report --spec FILE</code> names it); the PyTorch lines build the "
          "same optimizer and scheduler.</p>\n<table class=\"top\"><thead><tr><th>#</th>"
          "<th>trial</th><th>score</th><th>± std</th><th>parameters</th></tr></thead><tbody>\n",
          out);
    size_t i;
    const json_t *row;
    json_array_foreach(top, i, row) {
        fputs("<tr><td>", out);
        number(out, json_object_get(row, "rank"), 6);
        fputs("</td><td>", out);
        number(out, json_object_get(row, "trial"), 6);
        fputs("</td><td>", out);
        number(out, json_object_get(row, "score"), LRS_FMT_VALUE_DIGITS);
        fputs("</td><td>", out);
        number(out, json_object_get(row, "score_std"), 3);
        fputs("</td><td class=\"params\">", out);
        params_words(out, json_object_get(row, "params"));
        fputs("</td></tr>\n", out);
        if (json_is_string(json_object_get(row, "train"))) {
            fputs("<tr class=\"repro\"><td></td><td colspan=\"4\"><pre class=\"train\">", out);
            text_of(out, row, "train");
            fputs("</pre><pre class=\"torch\">", out);
            text_of(out, row, "torch");
            fputs("</pre></td></tr>\n", out);
        }
    }
    table_end(out, i, "no complete trial yet");
}

static void importance_html(FILE *out, const json_t *imp)
{
    fputs("<section id=\"importance\"><h2>Parameter importance</h2><p class=\"what\">Over "
          "complete trials: a numeric parameter's Spearman rank correlation ρ with the score "
          "(the order of values, so lr and log lr alike), a categorical one's η², the share of "
          "the score's variance between its values.  Sorted by ρ² or η², each a share of "
          "variance explained; neither sees interactions between parameters.</p>\n"
          "<table><thead><tr><th>parameter</th><th>method</th><th>value</th><th>share</th>"
          "<th>trials</th></tr></thead><tbody>\n",
          out);
    size_t i;
    const json_t *row;
    json_array_foreach(imp, i, row) {
        int eta = strcmp(json_string_value(json_object_get(row, "method")), "eta_squared") == 0;
        double share = json_number_value(json_object_get(row, "share"));
        fputs("<tr><td>", out);
        text_of(out, row, "param");
        fprintf(out, "</td><td>%s</td><td>", eta ? "η²" : "Spearman ρ");
        number(out, json_object_get(row, "value"), 3);
        fprintf(out, "</td><td><span class=\"bar\" style=\"width:%.0fpx\"></span> ", 120 * share);
        number(out, json_object_get(row, "share"), 3);
        fputs("</td><td>", out);
        number(out, json_object_get(row, "n"), 6);
        fputs("</td></tr>\n", out);
    }
    table_end(out, i, "too few complete trials to rank parameters");
}

static void failures_html(FILE *out, const json_t *f)
{
    fputs("<section id=\"failures\"><h2>Failures</h2><p class=\"what\">Failed and diverged "
          "trials grouped by error text (texts that differ only in numbers are one group), "
          "most frequent first, with one example each.</p>\n<table><thead><tr><th>status</th>"
          "<th>trials</th><th>error (example)</th><th>example trial</th><th>worker</th>"
          "</tr></thead><tbody>\n",
          out);
    size_t i;
    const json_t *g;
    json_array_foreach(json_object_get(f, "groups"), i, g) {
        fputs("<tr><td>", out);
        text_of(out, g, "status");
        fputs("</td><td>", out);
        number(out, json_object_get(g, "count"), 6);
        fputs("</td><td class=\"error\">", out);
        text_of(out, g, "error");
        if (json_is_string(json_object_get(g, "stderr"))) {
            fputs("<details><summary>stderr</summary><pre>", out);
            text_of(out, g, "stderr");
            fputs("</pre></details>", out);
        }
        fputs("</td><td>", out);
        number(out, json_object_get(g, "trial"), 6);
        fputs("</td><td>", out);
        text_of(out, g, "worker");
        fputs("</td></tr>\n", out);
    }
    json_int_t other = json_integer_value(json_object_get(f, "other"));
    if (other)
        fprintf(out, "<tr><td colspan=\"5\">%" JSON_INTEGER_FORMAT " more in other groups</td></tr>\n",
                other);
    table_end(out, i || other, "no trial failed or diverged");
}

static int data_block(FILE *out, const char *id, const json_t *doc)
{
    char *text = lrs_json_text(doc);
    if (!text)
        return -1;
    fprintf(out, "<script type=\"application/json\" id=\"d-%s\">", id);
    int rc = lrs_html_script_json(out, text);
    fputs("</script>\n", out);
    free(text);
    return rc;
}

static void asset(FILE *out, const unsigned char *bytes, size_t len)
{
    fwrite(bytes, 1, len, out);
}

/* The page; live: `lrsweep serve`'s, which may fetch from its own origin
 * and carries report/live.js after the page's script. */
static int write_page(const lrs_report_t *r, int live, FILE *out, lrs_err_t *err)
{
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"color-scheme\" content=\"light dark\">\n<title>lrsweep report: ",
            live ? LRS_REPORT_HTML_LIVE_CSP : LRS_REPORT_HTML_CSP);
    text_of(out, r->header, "sweep");
    fputs("</title>\n<style>\n", out);
    asset(out, lrs_report_page_css, lrs_report_page_css_len);
    fputs("</style></head>\n<body>\n", out);
    header_html(out, r->header);
    chart_section(out, "history", "Optimisation history",
                  "The score of every complete trial in index order, and the best so far.");
    chart_section(out, "lr-scheduler", "Learning rate against score, by scheduler",
                  "Log lr axis.  Trials without a score (diverged, failed, pruned) sit in a band "
                  "beyond the worst score, each at its lr.");
    chart_section(out, "lr-optimizer", "Learning rate against score, by optimizer",
                  "The same trials coloured by optimizer.");
    chart_section(out, "dist-scheduler", "Scores by scheduler",
                  "Per scheduler: the box from q25 to q75 of complete scores, the median and "
                  "the best; n is the complete trials of the recorded ones.");
    chart_section(out, "dist-optimizer", "Scores by optimizer", "As above, per optimizer.");
    fputs("<div class=\"pair\">\n", out);
    chart_section(out, "curves", "Learning curves of the top configs",
                  "Validation loss (solid) and training loss (dashed) per epoch; pruned trials "
                  "faint, up to where they stopped.");
    chart_section(out, "schedules", "Their learning-rate schedules",
                  "The lr each of those trials trained with, epoch by epoch (log axis).");
    fputs("</div>\n", out);
    chart_section(out, "parallel", "Parallel coordinates",
                  "The best complete trials over their parameters, each axis scaled to its "
                  "range (log for a positive range over two decades; categories evenly); "
                  "darker is better.");
    importance_html(out, r->importance);
    top_html(out, r->top);
    failures_html(out, r->failures);
    fprintf(out, "<footer><p>Written by lrsweep %s.  Charts drawn by Chart.js 3 (MIT "
                 "licence), inlined below with its notice.</p><details><summary>Chart.js "
                 "licence</summary><pre>",
            LRS_VERSION);
    char *licence = strndup((const char *)lrs_report_chartjs_licence,
                            lrs_report_chartjs_licence_len);
    lrs_html_text(out, licence);
    free(licence);
    fputs("</pre></details></footer>\n", out);
    const struct { const char *id; const json_t *doc; } blocks[] = {
        {"header", r->header},     {"trials", r->trials},         {"groups", r->groups},
        {"curves", r->curves},     {"parallel", r->parallel},     {"importance", r->importance}};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (data_block(out, blocks[i].id, blocks[i].doc) < 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory or write error");
    fputs("<script>\n/* Chart.js v3, MIT licence: see the licence at the foot of the page. */\n",
          out);
    asset(out, lrs_report_chartjs, lrs_report_chartjs_len);
    fputs("\n</script>\n<script>\n", out);
    asset(out, lrs_report_page_js, lrs_report_page_js_len);
    fputs("\n</script>\n", out);
    if (live) {
        fputs("<script>\n", out);
        asset(out, lrs_report_live_js, lrs_report_live_js_len);
        fputs("\n</script>\n", out);
    }
    fputs("</body></html>\n", out);
    if (ferror(out))
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "write error");
    return 0;
}

int lrs_report_html_write(const lrs_report_t *r, FILE *out, lrs_err_t *err)
{
    return write_page(r, 0, out, err);
}

int lrs_report_html_write_live(const lrs_report_t *r, FILE *out, lrs_err_t *err)
{
    return write_page(r, 1, out, err);
}
