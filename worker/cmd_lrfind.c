/* cmd_lrfind.c — `lrsweep lrfind SPEC [PARAM=VALUE...]`: the learning-rate
 * range test on a spec's data and model, the config taken as `train --spec`
 * takes it (lrs_spec_config), the data read by lrs_validate_load_data and
 * the engine options by lrs_trial_train_opts.  Parses, runs
 * worker/lrfind_run.h, prints the suggestion, writes the curve.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/dataset.h"
#include "common/err.h"
#include "common/numfmt.h"
#include "common/numparse.h"
#include "common/spec.h"
#include "common/validate.h"
#include "worker/lrfind.h"
#include "worker/lrfind_run.h"
#include "worker/trial.h"

typedef struct lrfind_args {
    lrs_lrfind_cfg_t lf;
    const char *out_path;
    int csv;            /* --format csv (default) or json */
    int snippet, json;
    uint64_t seed;
} lrfind_args_t;

enum { OPT_START = 256, OPT_END, OPT_ITERS, OPT_BETA, OPT_DIVERGE, OPT_OUT, OPT_FORMAT,
       OPT_SNIPPET, OPT_JSON, OPT_SEED };

static const struct option long_options[] = {
    {"start", required_argument, NULL, OPT_START},   {"end", required_argument, NULL, OPT_END},
    {"iters", required_argument, NULL, OPT_ITERS},   {"beta", required_argument, NULL, OPT_BETA},
    {"diverge", required_argument, NULL, OPT_DIVERGE}, {"out", required_argument, NULL, OPT_OUT},
    {"format", required_argument, NULL, OPT_FORMAT}, {"snippet", no_argument, NULL, OPT_SNIPPET},
    {"json", no_argument, NULL, OPT_JSON},           {"seed", required_argument, NULL, OPT_SEED},
    {"help", no_argument, NULL, 'h'},                {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: lrsweep lrfind SPEC [options] [PARAM=VALUE...]\n\n"
            "The learning-rate range test (Smith 2015; fastai's lr_find): one short run\n"
            "of the built-in engine on the training rows of SPEC's first fold (all rows\n"
            "with folds: 0), the lr growing exponentially per batch from --start to\n"
            "--end, the loss smoothed with bias correction; it stops when the smoothed\n"
            "loss exceeds --diverge times its minimum.  Prints the suggestions (the\n"
            "steepest descent of the smoothed loss over log lr, the first 10 steps and\n"
            "the last left out on runs over 20; the minimum's lr / 10) and the usable\n"
            "range between them.  The\n"
            "config is the spec's fixed values with PARAM=VALUE words on top, as\n"
            "'lrsweep train --spec' takes them; lr and the scheduler are ignored.\n\n"
            "options:\n"
            "  --start LR      first lr (default %g)\n"
            "  --end LR        last lr (default %g)\n"
            "  --iters N       batches (steps) at most, N >= 2 (default %d)\n"
            "  --beta B        smoothing factor in [0, 1) (default %g)\n"
            "  --diverge F     stop when the smoothed loss > F x its minimum, F > 1\n"
            "                  (default %g)\n"
            "  --out FILE      write the curve (step, lr, loss, smoothed) to FILE\n"
            "  --format F      csv | json for --out (default csv)\n"
            "  --snippet       also print a 'search: {lr: {log_uniform: [a, b]}}' snippet\n"
            "                  of the usable range\n"
            "  --json          the result as one JSON object instead of text\n"
            "  --seed S        training seed: init, fold shuffle, batch order (default 0)\n"
            "  -h, --help      this text\n\n"
            "exit status: 0 done, 1 runtime failure, 2 usage, spec or data error, or a\n"
            "run too short to suggest (fewer than 2 steps)\n",
            LRS_LRFIND_START, LRS_LRFIND_END, LRS_LRFIND_ITERS, LRS_LRFIND_BETA,
            LRS_LRFIND_DIVERGE);
}

static int fail(int code, const char *msg, const char *arg)
{
    lrs_err_t e;
    snprintf(e.msg, sizeof e.msg, "%s%s%s%s", msg, arg ? " (got '" : "", arg ? arg : "",
             arg ? "')" : "");
    lrs_cli_report("lrfind", &e);
    return code;
}

static int apply_option(int opt, const char *arg, lrfind_args_t *a)
{
    double v = 0;
    int is_number = opt == OPT_START || opt == OPT_END || opt == OPT_BETA || opt == OPT_DIVERGE;
    if (is_number && lrs_parse_double(arg, &v) < 0)
        return fail(LRS_EXIT_USAGE, "expected a number", arg);
    switch (opt) {
    case OPT_START: a->lf.start = v; return 0;
    case OPT_END: a->lf.end = v; return 0;
    case OPT_BETA: a->lf.beta = v; return 0;
    case OPT_DIVERGE: a->lf.diverge = v; return 0;
    case OPT_ITERS: {
        long n;
        if (lrs_parse_long(arg, &n) < 0 || n < 2 || n > 10000000)
            return fail(LRS_EXIT_USAGE, "--iters: expected an integer in 2..10000000", arg);
        a->lf.iters = (int)n;
        return 0;
    }
    case OPT_SEED:
        if (lrs_parse_u64(arg, &a->seed) < 0)
            return fail(LRS_EXIT_USAGE, "--seed: expected an unsigned integer", arg);
        return 0;
    case OPT_OUT: a->out_path = arg; return 0;
    case OPT_FORMAT:
        if (strcmp(arg, "csv") != 0 && strcmp(arg, "json") != 0)
            return fail(LRS_EXIT_USAGE, "--format: expected csv or json", arg);
        a->csv = strcmp(arg, "csv") == 0;
        return 0;
    case OPT_SNIPPET: a->snippet = 1; return 0;
    case OPT_JSON: a->json = 1; return 0;
    }
    return fail(LRS_EXIT_USAGE, "internal: unhandled option", NULL);
}

/* v as machine output writes every number (common/numfmt.h): shortest
 * exact text, null when not finite. */
static const char *machine(double v, char *buf, size_t size)
{
    return lrs_fmt_number(v, buf, size) < 0 ? "null" : buf;
}

static int write_curve(const char *path, int csv, const lrs_lrfind_curve_t *c)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, csv ? "step,lr,loss,smoothed\n" : "[");
    for (int i = 0; i < c->n; i++) {
        char lr[32], raw[32], sm[32];
        machine(c->lr[i], lr, sizeof lr);
        machine(c->raw[i], raw, sizeof raw);
        machine(c->smooth[i], sm, sizeof sm);
        if (csv)
            fprintf(f, "%d,%s,%s,%s\n", i, lr, raw, sm);
        else
            fprintf(f, "%s{\"step\":%d,\"lr\":%s,\"loss\":%s,\"smoothed\":%s}", i ? "," : "", i,
                    lr, raw, sm);
    }
    if (!csv)
        fprintf(f, "]\n");
    return fclose(f) == 0 ? 0 : -1;
}

static void print_result(const lrfind_args_t *a, const lrs_lrfind_curve_t *c,
                         const lrs_lrfind_suggestion_t *s)
{
    char steep[32], tenth[32], lr_min[32], low[32], high[32];
    if (a->json) {
        printf("{\"steps\":%d,\"stopped\":%s,\"steep\":%s,\"min_tenth\":%s,\"lr_min\":%s,"
               "\"range\":[%s,%s]}\n", c->n, c->stopped ? "true" : "false",
               machine(s->steep, steep, sizeof steep), machine(s->min_tenth, tenth, sizeof tenth),
               machine(s->lr_min, lr_min, sizeof lr_min), machine(s->low, low, sizeof low),
               machine(s->high, high, sizeof high));
    } else {
        const int dg = LRS_FMT_SHORT_DIGITS;
        lrs_fmt_display(s->steep, dg, steep, sizeof steep);
        lrs_fmt_display(s->min_tenth, dg, tenth, sizeof tenth);
        lrs_fmt_display(s->lr_min, dg, lr_min, sizeof lr_min);
        lrs_fmt_display(s->low, dg, low, sizeof low);
        lrs_fmt_display(s->high, dg, high, sizeof high);
        printf("steps:            %d (%s)\n", c->n, c->stopped ? "stopped: loss exploded"
                                                                : "ran to --end");
        printf("steepest descent: %s\n", steep);
        printf("minimum / 10:     %s (minimum at %s)\n", tenth, lr_min);
        printf("usable range:     %s .. %s\n", low, high);
    }
    if (a->snippet)
        printf("search: {lr: {log_uniform: [%.3g, %.3g]}}\n", s->low, s->high);
}

static int run(const char *spec_path, char **words, int n_words, lrfind_args_t *a)
{
    lrs_spec_t *spec = NULL;
    lrs_dataset_t d;
    memset(&d, 0, sizeof d);
    lrs_lrfind_curve_t curve;
    memset(&curve, 0, sizeof curve);
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_trial_cfg_t cfg;
    lrs_trial_cfg_init(&cfg);
    int status = lrs_cli_load_spec("lrfind", spec_path, &spec);
    if (status != 0)
        return status;
    const lrs_spec_info_t *info = lrs_spec_info(spec);
    status = LRS_EXIT_USAGE;
    if (info->exec || info->model_kind == LRS_MODEL_SYNTHETIC) {
        status = fail(LRS_EXIT_USAGE, "lrfind runs the built-in engine on data: a spec with "
                      "command: or model: synthetic has no batches to run", NULL);
        goto done;
    }
    if (lrs_spec_config(spec, words, n_words, &cfg, NULL, &err) < 0 ||
        lrs_validate_load_data(info, info->data_path, NULL, 0, &d, &err) < 0) {
        status = fail(err.code ? err.code : LRS_EXIT_USAGE, err.msg, NULL);
        goto done;
    }
    lrs_train_opts_t opts;
    lrs_trial_train_opts(info, a->seed, &opts);
    if (lrs_lrfind_run(&d, &opts, &cfg, &a->lf, &curve, &err) < 0) {
        status = fail(err.code ? err.code : LRS_EXIT_RUNTIME, err.msg, NULL);
        goto done;
    }
    lrs_lrfind_suggestion_t s;
    if (lrs_lrfind_suggest(&curve, &s) < 0) {
        status = fail(LRS_EXIT_USAGE, "the loss exploded before 2 steps: lower --start", NULL);
        goto done;
    }
    if (a->out_path && write_curve(a->out_path, a->csv, &curve) < 0) {
        status = fail(LRS_EXIT_RUNTIME, "cannot write --out", a->out_path);
        goto done;
    }
    print_result(a, &curve, &s);
    status = lrs_cli_finish(0);
done:
    lrs_lrfind_curve_clear(&curve);
    lrs_dataset_free(&d);
    lrs_spec_destroy(&spec);
    return status;
}

int lrs_cmd_lrfind(int argc, char **argv)
{
    lrfind_args_t a;
    memset(&a, 0, sizeof a);
    lrs_lrfind_cfg_init(&a.lf);
    a.csv = 1;
    opterr = 0;
    optind = 0;   /* glibc: full re-initialisation */
    for (;;) {
        int opt = getopt_long(argc, argv, ":h", long_options, NULL);
        if (opt == -1)
            break;
        if (opt == 'h') {
            usage(stdout);
            return lrs_cli_finish(0);
        }
        if (opt == '?' || opt == ':')
            return fail(LRS_EXIT_USAGE, "unknown option or missing value (see --help)",
                        argv[optind - 1]);
        int status = apply_option(opt, optarg, &a);
        if (status)
            return status;
    }
    const char *why = lrs_lrfind_cfg_check(&a.lf);
    if (why)
        return fail(LRS_EXIT_USAGE, why, NULL);
    if (optind >= argc)
        return fail(LRS_EXIT_USAGE, "usage: lrsweep lrfind SPEC [options] [PARAM=VALUE...]", NULL);
    const char *spec_path = argv[optind++];
    for (int i = optind; i < argc; i++)
        if (!strchr(argv[i], '='))
            return fail(LRS_EXIT_USAGE, "unexpected argument: parameters are NAME=VALUE", argv[i]);
    return run(spec_path, argv + optind, argc - optind, &a);
}
