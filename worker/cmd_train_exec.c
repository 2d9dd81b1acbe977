/* cmd_train_exec.c — `lrsweep train --spec` for a spec whose trials run the
 * user's command (see cmd_train_exec.h): the command's output streams as it
 * comes, then the metrics it reported per epoch and the outcome are printed
 * as a table or as one JSON object. */
#include "worker/cmd_train_exec.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/result.h"
#include "common/textesc.h"
#include "worker/forksrv.h"

typedef struct stream_ctx {
    int json;         /* 1: everything the command prints goes to stderr */
    int folds;
    int last_fold;
} stream_ctx_t;

/* on_output: the command's output as it comes. */
static void stream_output(void *ctx, int fold, int stream, const char *data, size_t len)
{
    stream_ctx_t *sc = ctx;
    if (sc->folds > 0 && fold != sc->last_fold) {
        fflush(stdout);
        fprintf(stderr, "lrsweep train: fold %d/%d\n", fold + 1, sc->folds);
        sc->last_fold = fold;
    }
    FILE *out = sc->json || stream == 2 ? stderr : stdout;
    fwrite(data, 1, len, out);
    fflush(out);
}

/* Prints the expanded command, one shell-quoted word at a time. */
static void print_command(const lrs_exec_spec_t *ex, const lrs_trial_cfg_t *cfg)
{
    char **argv = NULL;
    int argc = 0;
    lrs_err_t err;
    if (lrs_exec_expand(ex->command, lrs_exec_flags(ex), cfg, &argv, &argc, &err) < 0)
        return;   /* lrs_exec_run reports it */
    fprintf(stderr, "lrsweep train: running");
    for (int i = 0; i < argc; i++) {
        const char *w = argv[i];
        static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,/:@%";
        if (*w && strspn(w, plain) == strlen(w)) {
            fprintf(stderr, " %s", w);
            continue;
        }
        /* shown escaped (common/textesc.h): a control character in the
         * spec's template must not reach the terminal */
        char *shown = malloc(LRS_TEXTESC_SIZE(strlen(w)));
        if (!shown)
            continue;   /* out of memory: the word is left out of this note */
        w = lrs_text_escape_str(w, shown, LRS_TEXTESC_SIZE(strlen(w)));
        fputs(" '", stderr);
        for (; *w; w++) {
            if (*w == '\'')
                fputs("'\\''", stderr);   /* close, escaped quote, reopen */
            else
                fputc(*w, stderr);
        }
        fputc('\'', stderr);
        free(shown);
    }
    if (ex->workdir) {
        char shown[LRS_TEXTESC_SIZE(1024)];
        fprintf(stderr, "   (in %s)", lrs_text_escape_str(ex->workdir, shown, sizeof shown));
    }
    fputc('\n', stderr);
    lrs_exec_argv_free(&argv);
}

/* Curve points of one report line (same fold and epoch, consecutive). */
static size_t curve_row_end(const lrs_curve_t *c, size_t i)
{
    size_t j = i + 1;
    while (j < c->n_points && c->points[j].fold == c->points[i].fold &&
           c->points[j].epoch == c->points[i].epoch)
        j++;
    return j;
}

/* A JSON string of raw bytes (invalid UTF-8 as \xNN), or null. */
static json_t *raw_string(const char *data, size_t len)
{
    char *text = data ? lrs_exec_escape_text(data, len) : NULL;
    json_t *s = text ? json_string(text) : json_null();
    free(text);
    return s;
}

/* The outcome o (lrs_exec_outcome, as a sweep's worker sends it) of runs
 * runs as one JSON object. */
static int print_exec_json(const lrs_exec_spec_t *ex, const lrs_trial_result_t *o, int runs)
{
    const lrs_command_result_t *c = o->command;
    const lrs_curve_t *cv = &c->curve;
    json_t *root = json_object(), *epochs = json_array(), *finals = json_object();
    int rc = -1;
    if (!root || !epochs || !finals)
        goto done;
    json_object_set_new(root, "status", json_string(lrs_status_name(o->status)));
    json_object_set_new(root, "metric", json_string(ex->metric));
    json_object_set_new(root, "score", lrs_json_number(o->score));
    json_object_set_new(root, "score_std", lrs_json_number(o->score_std));
    json_object_set_new(root, "error", o->error ? raw_string(o->error, strlen(o->error)) : json_null());
    for (size_t i = 0; i < cv->n_points;) {
        size_t end = curve_row_end(cv, i);
        json_t *row = json_object();
        json_object_set_new(row, "fold", json_integer(cv->points[i].fold));
        json_object_set_new(row, "epoch", json_integer(cv->points[i].epoch));
        for (; i < end; i++)
            json_object_set_new(row, cv->names[cv->points[i].name],
                                lrs_json_number(cv->points[i].value));
        if (json_array_append_new(epochs, row) < 0)
            goto done;
    }
    for (int k = 0; k < cv->n_names; k++)
        json_object_set_new(finals, cv->names[k], lrs_json_number(c->finals[k]));
    json_object_set(root, "epochs", epochs);
    json_object_set(root, "metrics", finals);
    json_object_set_new(root, "curve_truncated", json_boolean(c->curve_truncated));
    json_object_set_new(root, "runs", json_integer(runs));
    json_object_set_new(root, "exit_status", c->exit_status >= 0 ? json_integer(c->exit_status) : json_null());
    json_object_set_new(root, "signal", c->term_signal ? json_integer(c->term_signal) : json_null());
    json_object_set_new(root, "stderr_tail", raw_string(c->stderr_tail, c->stderr_len));
    json_object_set_new(root, "seconds", json_real(o->seconds));
    if (lrs_json_write(stdout, root) == 0 && putchar('\n') != EOF)
        rc = 0;
done:
    json_decref(epochs);
    json_decref(finals);
    json_decref(root);
    return rc;
}

/* The reported curve as a table: one row per report line with an epoch. */
static void print_curve(const lrs_exec_spec_t *ex, const lrs_command_result_t *c)
{
    const lrs_curve_t *cv = &c->curve;
    if (cv->n_points == 0) {
        printf("(no metric line with epoch=)\n");
        return;
    }
    int used[LRS_EXEC_MAX_NAMES] = {0};
    for (size_t i = 0; i < cv->n_points; i++)
        used[cv->points[i].name] = 1;
    if (ex->folds > 0)
        printf("%4s ", "fold");
    printf("%6s", "epoch");
    for (int k = 0; k < cv->n_names; k++)
        if (used[k])
            printf(" %14.14s", cv->names[k]);
    printf("\n");
    for (size_t i = 0; i < cv->n_points;) {
        size_t end = curve_row_end(cv, i);
        double row[LRS_EXEC_MAX_NAMES];
        for (int k = 0; k < cv->n_names; k++)
            row[k] = NAN;
        if (ex->folds > 0)
            printf("%4d ", cv->points[i].fold);
        printf("%6d", cv->points[i].epoch);
        for (size_t j = i; j < end; j++)
            row[cv->points[j].name] = cv->points[j].value;
        for (int k = 0; k < cv->n_names; k++)
            if (used[k])
                lrs_fmt_print(stdout, 15, LRS_FMT_VALUE_DIGITS, row[k]);
        printf("\n");
        i = end;
    }
    if (c->curve_truncated)
        printf("(curve truncated at %d values)\n", LRS_EXEC_MAX_CURVE);
}

static void print_exec_human(const lrs_exec_spec_t *ex, const lrs_trial_result_t *o, int runs)
{
    const lrs_command_result_t *c = o->command;
    printf("\n");
    print_curve(ex, c);
    printf("\nstatus: %s\n", lrs_status_name(o->status));
    if (o->status == LRS_STATUS_COMPLETE && ex->folds > 0)
        printf("score:  %s = %.8g ± %.4g (mean ± std of the last value over %d folds)\n", ex->metric,
               o->score, o->score_std, ex->folds);
    else if (o->status == LRS_STATUS_COMPLETE)
        printf("score:  %s = %.8g (its last reported value)\n", ex->metric, o->score);
    else
        printf("score:  -\n");
    if (o->error) {   /* may quote the template's program: escaped */
        char shown[LRS_TEXTESC_SIZE(1024)];
        printf("error:  %s\n", lrs_text_escape_str(o->error, shown, sizeof shown));
    }
    if (c->curve.n_names > 0) {
        printf("last:  ");
        for (int k = 0; k < c->curve.n_names; k++) {
            printf(" %s=", c->curve.names[k]);
            if (isfinite(c->finals[k]) || isnan(c->finals[k]))
                printf("%.8g", c->finals[k]);
            else
                printf("%s", c->finals[k] > 0 ? "inf" : "-inf");
        }
        printf("\n");
    }
    if (o->status != LRS_STATUS_COMPLETE && c->stderr_len > 0) {
        /* Streamed raw above, as the command wrote it; this recap is ours:
         * each line escaped, so a \r or an escape sequence in it cannot
         * rewrite the summary. */
        const char *t = c->stderr_tail, *end = t + c->stderr_len;
        char *shown = malloc(LRS_TEXTESC_SIZE(c->stderr_len));
        printf("stderr (last lines):\n");
        while (shown && t < end) {
            const char *nl = memchr(t, '\n', (size_t)(end - t));
            size_t n = nl ? (size_t)(nl - t) : (size_t)(end - t);
            printf("  | %s\n", lrs_text_escape(t, n, shown, LRS_TEXTESC_SIZE(n)));
            t += n + (nl != NULL);
        }
        free(shown);
    }
    printf("time:   %.3f s (%d run%s)\n", o->seconds, runs, runs == 1 ? "" : "s");
}

int lrs_train_exec_trial(const lrs_exec_spec_t *ex, const lrs_trial_cfg_t *cfg, uint64_t trial,
                         uint64_t seed, int json, lrs_err_t *err)
{
    lrs_exec_result_t r;
    lrs_trial_result_t o;
    memset(&r, 0, sizeof r);
    lrs_trial_result_init(&o);
    stream_ctx_t sc = {.json = json, .folds = ex->folds, .last_fold = -1};
    print_command(ex, cfg);
    fflush(stderr);
    /* Ctrl-C (or SIGTERM) cancels the command: the runner polls the count
     * and kills its process group. */
    lrs_exec_hooks_t hooks = {.on_output = stream_output, .ctx = &sc,
                              .cancel = lrs_cli_catch_interrupts()};
    int status = lrs_exec_run(ex, cfg, trial, seed, &hooks, &r, err);
    lrs_forksrv_close_all();   /* preload: one trial, one helper */
    fflush(stdout);
    if (status < 0)
        goto done;
    /* the outcome a sweep would record for this trial: one mapping */
    if (lrs_exec_outcome(ex, &r, &o) != 0) {
        status = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the trial's result");
        goto done;
    }
    if (json) {
        if (print_exec_json(ex, &o, r.runs) < 0) {
            status = lrs_err_set(err, LRS_EXIT_RUNTIME, "writing JSON output failed");
            goto done;
        }
    } else {
        print_exec_human(ex, &o, r.runs);
    }
    status = lrs_cli_finish(r.status == LRS_STATUS_CANCELLED ? LRS_EXIT_INTERRUPTED : 0);
done:
    lrs_trial_result_clear(&o);
    lrs_exec_result_free(&r);
    return status;
}
