/* cmd_train.c — `lrsweep train`: one trial of the built-in engine on a CSV
 * file or the synthetic problem, printed as a table or as one JSON object.
 *
 * With --spec, one trial of a sweep spec runs here the way a worker would
 * run it: data, model and validation settings come from the spec, the
 * parameters from `--trial I` (trial I's sampled config and training seed)
 * or from PARAM=VALUE words on top of the spec's fixed values.  An exec spec
 * (`command:`) runs the user's command instead (worker/exec.h), streaming
 * its output, then prints the metrics it reported and the outcome.
 *
 * Options are parsed into a plain `train_args_t` by one getopt_long loop
 * (a new option is one table row, one case and one field); every remaining
 * word is a trial parameter NAME=VALUE checked through the parameter table.
 * Bad usage or data exits 2 with a message naming the option or the place in
 * the file; a diverged (or failed) trial is a result (exit 0).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/dataset.h"
#include "common/err.h"
#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/numparse.h"
#include "common/params.h"
#include "common/spec.h"
#include "common/validate.h"
#include "worker/cmd_train_exec.h"
#include "worker/exec.h"
#include "worker/trial.h"

#define MAX_TARGETS 256
#define DEFAULT_NOISE 0.1
#define DEFAULT_HIDDEN 64

typedef enum { MODEL_DEFAULT, MODEL_LINEAR, MODEL_LOGISTIC, MODEL_MLP } model_kind_t;

typedef struct train_args {
    const char *data_path;
    char *targets_text;            /* owned copy, split in place into targets[] */
    const char *targets[MAX_TARGETS];
    int n_targets;
    int synthetic;                 /* 1: --synthetic given */
    int syn_rows, syn_features, syn_outputs;
    double syn_noise;
    int task;                      /* -1: infer */
    model_kind_t model;
    int hidden_given;
    int folds_given, holdout_given;
    int json;
    int repeat;                    /* hidden: rerun the trial N times (benchmarks) */
    const char *spec_path;         /* --spec */
    int trial_given, seed_given;
    uint64_t trial;
    const char *engine_option;     /* first data/model/validation option given (refused with --spec) */
    char **words;                  /* the PARAM=VALUE words, n_words of them */
    int n_words;
    lrs_train_opts_t opts;
    lrs_trial_cfg_t cfg;
} train_args_t;

enum {
    OPT_DATA = 256, OPT_TARGET, OPT_SYNTHETIC, OPT_TASK, OPT_MODEL, OPT_HIDDEN, OPT_ACTIVATION,
    OPT_FOLDS, OPT_HOLDOUT, OPT_NO_SHUFFLE, OPT_SEED, OPT_INIT, OPT_NO_STANDARDIZE, OPT_JSON,
    OPT_REPEAT, OPT_SPEC, OPT_TRIAL, OPT_STANDARDIZE_TARGET, OPT_NO_STANDARDIZE_TARGET
};

static const struct option long_options[] = {
    {"data", required_argument, NULL, OPT_DATA},
    {"target", required_argument, NULL, OPT_TARGET},
    {"synthetic", required_argument, NULL, OPT_SYNTHETIC},
    {"task", required_argument, NULL, OPT_TASK},
    {"model", required_argument, NULL, OPT_MODEL},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"activation", required_argument, NULL, OPT_ACTIVATION},
    {"folds", required_argument, NULL, OPT_FOLDS},
    {"holdout", required_argument, NULL, OPT_HOLDOUT},
    {"no-shuffle", no_argument, NULL, OPT_NO_SHUFFLE},
    {"seed", required_argument, NULL, OPT_SEED},
    {"init", required_argument, NULL, OPT_INIT},
    {"no-standardize", no_argument, NULL, OPT_NO_STANDARDIZE},
    {"standardize-target", no_argument, NULL, OPT_STANDARDIZE_TARGET},
    {"no-standardize-target", no_argument, NULL, OPT_NO_STANDARDIZE_TARGET},
    {"json", no_argument, NULL, OPT_JSON},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"spec", required_argument, NULL, OPT_SPEC},
    {"trial", required_argument, NULL, OPT_TRIAL},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: lrsweep train (--data FILE --target COL[,COL...] | --synthetic ROWS,FEATURES,OUTPUTS[,NOISE])\n"
            "                     [options] [PARAM=VALUE...]\n"
            "       lrsweep train --spec SPEC [--trial I | PARAM=VALUE...] [--seed S] [--json]\n\n"
            "Runs one trial of the built-in engine: trains the model under the given\n"
            "optimizer and learning-rate schedule on every fold and reports the\n"
            "cross-validated validation loss (the score; lower is better).\n\n"
            "sweep spec:\n"
            "  --spec SPEC            run one trial of the sweep spec SPEC as a worker would:\n"
            "                         data, model and validation settings come from the\n"
            "                         spec (so the options under data/model/validation\n"
            "                         below are refused); the parameters are the spec's\n"
            "                         fixed values with PARAM=VALUE words on top, seed\n"
            "                         --seed (default 0).  A spec with command: runs the\n"
            "                         user's command, streaming its output, then prints the\n"
            "                         metrics it reported per epoch and the outcome\n"
            "                         (complete, failed, diverged); Ctrl-C stops it\n"
            "                         (exit 130)\n"
            "  --trial I              with --spec: trial I's sampled parameters and training\n"
            "                         seed, as 'lrsweep sample' prints them (--seed overrides\n"
            "                         the seed); no PARAM=VALUE words\n\n"
            "data:\n"
            "  --data FILE            CSV file with a header row; other columns are features\n"
            "  --target COL[,COL]     target column(s) of --data\n"
            "  --synthetic R,F,O[,N]  synthetic regression: R rows, F features, O outputs,\n"
            "                         noise N (default %g), drawn from --seed\n"
            "  --task T               regression | classification (default: inferred, a\n"
            "                         non-numeric target means classification)\n"
            "model:\n"
            "  --model M              linear | logistic | mlp (default: linear for regression,\n"
            "                         logistic for classification; mlp when --hidden is given)\n"
            "  --hidden W[,W...]      hidden layer widths of the mlp (default %d)\n"
            "  --activation A         relu | tanh (default relu)\n"
            "  --init FILE            initial weights, JSON {\"layers\":[{\"weight\":..,\"bias\":..}]}\n"
            "                         (default: nn.Linear's init drawn from --seed)\n"
            "validation:\n"
            "  --folds K              K-fold cross-validation (default 5); 1: holdout; 0: train\n"
            "                         on all rows without validation\n"
            "  --holdout F            validation fraction with --folds 1 (default 0.2; implies\n"
            "                         --folds 1)\n"
            "  --no-shuffle           folds in row order (scikit-learn KFold / StratifiedKFold)\n"
            "                         instead of shuffled by --seed\n"
            "  --no-standardize       use features as they are (default: standardized with\n"
            "                         statistics of each training fold)\n"
            "  --standardize-target   regression: train on each target column standardized\n"
            "                         by the training fold's mean and std; every loss is\n"
            "                         still reported in the target's units\n"
            "  --no-standardize-target  the target as it is (the default of plain train; a\n"
            "                         spec's data.standardize_target defaults to true)\n"
            "  --seed S               training seed: init, fold shuffle, batch order (default 0)\n"
            "output:\n"
            "  --json                 one JSON object instead of tables\n"
            "  -h, --help             this text\n\n"
            "PARAM=VALUE sets a trial parameter (PyTorch's names), e.g. lr=0.1\n"
            "optimizer=adam scheduler=cosine epochs=50 batch_size=32.  Defaults: sgd,\n"
            "lr 0.01, constant schedule, 100 epochs, full batch.  'lrsweep params' lists\n"
            "every parameter.\n\n"
            "exit status: 0 trial ran (also when it diverged, or when a spec's command\n"
            "failed: the outcome is printed), 1 runtime failure, 2 usage or input error,\n"
            "130 interrupted\n",
            DEFAULT_NOISE, DEFAULT_HIDDEN);
}

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "lrsweep train: message" on stderr (lrs_cli_report) and returns code. */
static int fail(int code, const char *fmt, ...)
{
    lrs_err_t e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    lrs_cli_report("train", &e);
    return code;
}

static int parse_int(const char *text, long lo, long hi, int *out)
{
    long v;
    if (lrs_parse_long(text, &v) < 0 || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Splits text (modified in place) at commas into at most max words. */
static int split_commas(char *text, const char **words, int max)
{
    int n = 0;
    for (char *p = text;; ) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p == '\0' || n == max)
            return -1;
        words[n++] = p;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

static int parse_hidden(const char *text, lrs_model_spec_t *spec)
{
    char buf[256];
    const char *words[LRS_MAX_HIDDEN] = {NULL};
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    int n = split_commas(buf, words, LRS_MAX_HIDDEN);
    if (n < 1)
        return -1;
    for (int i = 0; i < n; i++)
        if (parse_int(words[i], 1, LRS_MAX_HIDDEN_WIDTH, &spec->hidden[i]) < 0)
            return -1;
    spec->n_hidden = n;
    return 0;
}

static int parse_synthetic(const char *text, train_args_t *a)
{
    char buf[256];
    const char *words[4] = {NULL, NULL, NULL, NULL};
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    int n = split_commas(buf, words, 4);
    if (n < 3)
        return -1;
    if (parse_int(words[0], 1, 100000000, &a->syn_rows) < 0 ||
        parse_int(words[1], 1, 1000000, &a->syn_features) < 0 ||
        parse_int(words[2], 1, 1000000, &a->syn_outputs) < 0)
        return -1;
    a->syn_noise = DEFAULT_NOISE;
    if (n == 4 && (lrs_parse_double(words[3], &a->syn_noise) < 0 || a->syn_noise < 0))
        return -1;
    a->synthetic = 1;
    return 0;
}

/* The long name of an option code (without "--"). */
static const char *option_name(int opt)
{
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == opt)
            return o->name;
    return "?";
}

/* Handles one option; returns 0, or the exit status to stop with. */
static int apply_option(int opt, const char *arg, train_args_t *a)
{
    if (opt != OPT_SEED && opt != OPT_JSON && opt != OPT_REPEAT && opt != OPT_SPEC &&
        opt != OPT_TRIAL && !a->engine_option)
        a->engine_option = option_name(opt);
    switch (opt) {
    case OPT_SPEC: a->spec_path = arg; return 0;
    case OPT_TRIAL:
        if (lrs_parse_u64(arg, &a->trial) < 0)
            return fail(LRS_EXIT_USAGE, "--trial: expected a trial number (0, 1, ...), got '%s'", arg);
        a->trial_given = 1;
        return 0;
    case OPT_DATA: a->data_path = arg; return 0;
    case OPT_TARGET:
        free(a->targets_text);
        a->targets_text = strdup(arg);
        if (!a->targets_text)
            return fail(LRS_EXIT_RUNTIME, "out of memory");
        a->n_targets = split_commas(a->targets_text, a->targets, MAX_TARGETS);
        if (a->n_targets < 1)
            return fail(LRS_EXIT_USAGE, "--target: expected COL[,COL...], got '%s'", arg);
        return 0;
    case OPT_SYNTHETIC:
        if (parse_synthetic(arg, a) < 0)
            return fail(LRS_EXIT_USAGE,
                        "--synthetic: expected ROWS,FEATURES,OUTPUTS[,NOISE] (positive integers, "
                        "noise ≥ 0), got '%s'", arg);
        return 0;
    case OPT_TASK:
        if (strcmp(arg, "regression") == 0)
            a->task = LRS_TASK_REGRESSION;
        else if (strcmp(arg, "classification") == 0)
            a->task = LRS_TASK_CLASSIFICATION;
        else
            return fail(LRS_EXIT_USAGE, "--task: expected regression or classification, got '%s'",
                        arg);
        return 0;
    case OPT_MODEL:
        if (strcmp(arg, "linear") == 0)
            a->model = MODEL_LINEAR;
        else if (strcmp(arg, "logistic") == 0)
            a->model = MODEL_LOGISTIC;
        else if (strcmp(arg, "mlp") == 0)
            a->model = MODEL_MLP;
        else
            return fail(LRS_EXIT_USAGE, "--model: expected linear, logistic or mlp, got '%s'", arg);
        return 0;
    case OPT_HIDDEN:
        if (parse_hidden(arg, &a->opts.model) < 0)
            return fail(LRS_EXIT_USAGE, "--hidden: expected up to 8 positive widths like 64,32, got '%s'",
                        arg);
        a->hidden_given = 1;
        return 0;
    case OPT_ACTIVATION:
        if (strcmp(arg, "relu") == 0)
            a->opts.model.activation = LRS_ACT_RELU;
        else if (strcmp(arg, "tanh") == 0)
            a->opts.model.activation = LRS_ACT_TANH;
        else
            return fail(LRS_EXIT_USAGE, "--activation: expected relu or tanh, got '%s'", arg);
        return 0;
    case OPT_FOLDS:
        if (parse_int(arg, 0, 1000000, &a->opts.folds) < 0)
            return fail(LRS_EXIT_USAGE, "--folds: expected an integer ≥ 0, got '%s'", arg);
        a->folds_given = 1;
        return 0;
    case OPT_HOLDOUT:
        if (lrs_parse_double(arg, &a->opts.holdout) < 0 || !(a->opts.holdout > 0 && a->opts.holdout < 1))
            return fail(LRS_EXIT_USAGE, "--holdout: expected a fraction in (0, 1), got '%s'", arg);
        a->holdout_given = 1;
        return 0;
    case OPT_NO_SHUFFLE: a->opts.shuffle = 0; return 0;
    case OPT_SEED:
        if (lrs_parse_u64(arg, &a->opts.seed) < 0)
            return fail(LRS_EXIT_USAGE, "--seed: expected an unsigned integer, got '%s'", arg);
        a->seed_given = 1;
        return 0;
    case OPT_INIT: a->opts.init_path = arg; return 0;
    case OPT_NO_STANDARDIZE: a->opts.standardize = 0; return 0;
    case OPT_STANDARDIZE_TARGET: a->opts.standardize_target = 1; return 0;
    case OPT_NO_STANDARDIZE_TARGET: a->opts.standardize_target = 0; return 0;
    case OPT_JSON: a->json = 1; return 0;
    case OPT_REPEAT:
        if (parse_int(arg, 1, 1000000000, &a->repeat) < 0)
            return fail(LRS_EXIT_USAGE, "--repeat: expected a positive integer, got '%s'", arg);
        return 0;
    }
    return fail(LRS_EXIT_USAGE, "internal: unhandled option");
}

/* Parses argv into a; returns -1 to continue, or an exit status. */
static int parse_args(int argc, char **argv, train_args_t *a)
{
    opterr = 0;
    optind = 0;   /* glibc: full re-initialisation, the command may run twice in a process */
    for (;;) {
        int idx = 0;
        int opt = getopt_long(argc, argv, ":h", long_options, &idx);
        if (opt == -1)
            break;
        if (opt == 'h') {
            usage(stdout);
            return lrs_cli_finish(0);
        }
        if (opt == '?' && optopt > 0 && optopt < 256)
            return fail(LRS_EXIT_USAGE, "unknown option '-%c' (see --help)", optopt);
        if (opt == '?')
            return fail(LRS_EXIT_USAGE, "unknown option or unexpected value '%s' (see --help)",
                        argv[optind - 1]);
        if (opt == ':')
            return fail(LRS_EXIT_USAGE, "option '%s' needs a value", argv[optind - 1]);
        int status = apply_option(opt, optarg, a);
        if (status)
            return status;
    }
    for (int i = optind; i < argc; i++)
        if (!strchr(argv[i], '='))
            return fail(LRS_EXIT_USAGE, "unexpected argument '%s': parameters are NAME=VALUE "
                        "(see 'lrsweep params')", argv[i]);
    a->words = argv + optind;
    a->n_words = argc - optind;
    return -1;
}

/* The words into a->cfg (without --spec). */
static int words_to_cfg(train_args_t *a)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    for (int i = 0; i < a->n_words; i++)
        if (lrs_trial_cfg_assign(&a->cfg, a->words[i], &err) < 0)
            return fail(err.code ? err.code : LRS_EXIT_USAGE, "%s", err.msg);
    if (lrs_trial_cfg_finalize(&a->cfg, &err) < 0)
        return fail(err.code ? err.code : LRS_EXIT_USAGE, "%s", err.msg);
    return -1;
}

/* Cross-option checks that need no data. */
static int check_args(train_args_t *a)
{
    if (a->trial_given)
        return fail(LRS_EXIT_USAGE, "--trial needs --spec SPEC");
    if (a->synthetic == !!a->data_path)
        return fail(LRS_EXIT_USAGE, "give exactly one of --data FILE or --synthetic R,F,O");
    if (a->data_path && a->n_targets == 0)
        return fail(LRS_EXIT_USAGE, "--data needs --target COL[,COL...]");
    if (a->synthetic && a->n_targets)
        return fail(LRS_EXIT_USAGE, "--target does not apply to --synthetic");
    if (a->holdout_given && a->folds_given && a->opts.folds != 1)
        return fail(LRS_EXIT_USAGE, "--holdout applies only with --folds 1");
    if (a->holdout_given)
        a->opts.folds = 1;
    if (a->hidden_given && a->model == MODEL_DEFAULT)
        a->model = MODEL_MLP;
    if (a->hidden_given && a->model != MODEL_MLP)
        return fail(LRS_EXIT_USAGE, "--hidden applies only to --model mlp");
    if (a->model == MODEL_MLP && !a->hidden_given) {
        a->opts.model.n_hidden = 1;
        a->opts.model.hidden[0] = DEFAULT_HIDDEN;
    }
    if (a->model == MODEL_LINEAR && a->task == LRS_TASK_CLASSIFICATION)
        return fail(LRS_EXIT_USAGE, "--model linear is for regression; use --model logistic for "
                    "classification");
    if (a->model == MODEL_LOGISTIC && a->task == LRS_TASK_REGRESSION)
        return fail(LRS_EXIT_USAGE, "--model logistic is for classification; use --model linear "
                    "for regression");
    /* logistic makes numeric labels (0/1) classes; linear lets the data decide
     * and is refused after loading when the target turns out categorical. */
    if (a->task < 0 && a->model == MODEL_LOGISTIC)
        a->task = LRS_TASK_CLASSIFICATION;
    if (a->synthetic && a->task == LRS_TASK_CLASSIFICATION)
        return fail(LRS_EXIT_USAGE, "--synthetic is a regression problem; %s needs --data",
                    a->model == MODEL_LOGISTIC ? "--model logistic" : "--task classification");
    return -1;
}

static int print_json(const lrs_trial_result_t *r, lrs_task_t task, uint64_t seed)
{
    json_t *root = json_object();
    json_t *folds = json_array();
    json_t *epochs = json_array();
    int rc = -1;
    if (!root || !folds || !epochs)
        goto done;
    json_object_set_new(root, "status", json_string(lrs_status_name(r->status)));
    json_object_set_new(root, "score", lrs_json_number(r->score));
    json_object_set_new(root, "score_std", lrs_json_number(r->score_std));
    json_object_set_new(root, "diverged_epoch",
                        r->status == LRS_STATUS_DIVERGED ? json_integer(r->diverged_epoch) : json_null());
    for (int f = 0; f < r->n_folds; f++) {
        const lrs_fold_result_t *fr = &r->folds[f];
        json_t *o = json_object();
        json_object_set_new(o, "fold", json_integer(fr->fold));
        json_object_set_new(o, "repeat", json_integer(fr->repeat));
        json_object_set_new(o, "train_loss", lrs_json_number(fr->train_loss));
        json_object_set_new(o, "val_loss", lrs_json_number(fr->val_loss));
        if (task == LRS_TASK_CLASSIFICATION)
            json_object_set_new(o, "accuracy", lrs_json_number(fr->accuracy));
        if (json_array_append_new(folds, o) < 0)
            goto done;
    }
    for (int e = 0; e < r->n_epochs; e++) {
        const lrs_epoch_stat_t *es = &r->epochs[e];
        json_t *o = json_object();
        json_object_set_new(o, "epoch", json_integer(es->epoch));
        json_object_set_new(o, "repeat", json_integer(es->repeat));
        json_object_set_new(o, "lr", lrs_json_number(es->lr));
        json_object_set_new(o, "train_loss", lrs_json_number(es->train_loss));
        json_object_set_new(o, "val_loss", lrs_json_number(es->val_loss));
        if (json_array_append_new(epochs, o) < 0)
            goto done;
    }
    json_object_set(root, "folds", folds);
    json_object_set(root, "epochs", epochs);
    json_t *repeats = json_array();
    for (int k = 0; repeats && k < r->n_repeats; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "repeat", json_integer(k));
        json_object_set_new(o, "seed", json_integer((json_int_t)lrs_repeat_seed(seed, k)));
        json_object_set_new(o, "score", lrs_json_number(r->repeat_scores[k]));
        json_array_append_new(repeats, o);
    }
    json_object_set_new(root, "repeats", repeats);
    json_object_set_new(root, "seconds", json_real(r->seconds));
    if (lrs_json_write(stdout, root) == 0 && putchar('\n') != EOF)
        rc = 0;
done:
    json_decref(folds);
    json_decref(epochs);
    json_decref(root);
    return rc;
}

static void print_value(double x, int width)
{
    putchar(' ');
    lrs_fmt_print(stdout, width, LRS_FMT_VALUE_DIGITS, x);
}

/* score_name: what the score is ("val_loss", or "accuracy" for a spec
 * whose objective is accuracy). */
static void print_human(const lrs_trial_result_t *r, lrs_task_t task, const char *score_name,
                        int repeats)
{
    if (repeats > 1)
        printf("%6s ", "repeat");
    printf("%6s %14s %14s %14s\n", "epoch", "lr", "train_loss", "val_loss");
    for (int e = 0; e < r->n_epochs; e++) {
        if (repeats > 1)
            printf("%6d ", r->epochs[e].repeat);
        printf("%6d", r->epochs[e].epoch);
        print_value(r->epochs[e].lr, 14);
        print_value(r->epochs[e].train_loss, 14);
        print_value(r->epochs[e].val_loss, 14);
        printf("\n");
    }
    printf("\nstatus: %s", lrs_status_name(r->status));
    if (r->status == LRS_STATUS_DIVERGED)
        printf(" at epoch %d", r->diverged_epoch);
    printf("\n");
    if (isfinite(r->score) && r->n_repeats >= 2)
        printf("score:  %.8g ± %.4g (mean ± std of the %d repeats' scores, each the mean final "
               "%s over its folds)\n",
               r->score, r->score_std, r->n_repeats, score_name);
    else if (isfinite(r->score) && r->n_folds == 0)   /* the synthetic objective */
        printf("score:  %.8g (the final %s)\n", r->score, score_name);
    else if (isfinite(r->score))
        printf("score:  %.8g ± %.4g (mean ± std of the final %s over %d fold%s)\n", r->score,
               r->score_std, score_name, r->n_folds, r->n_folds == 1 ? "" : "s");
    else
        printf("score:  - (%s)\n", r->status == LRS_STATUS_DIVERGED ? lrs_status_name(r->status) : "no validation rows");
    if (r->n_folds == 0) {
        printf("\ntime:   %.3f s\n", r->seconds);
        return;
    }
    printf("\n");
    if (repeats > 1)
        printf("%6s ", "repeat");
    printf("%4s %14s %14s", "fold", "train_loss", "val_loss");
    if (task == LRS_TASK_CLASSIFICATION)
        printf(" %14s", "accuracy");
    printf("\n");
    for (int f = 0; f < r->n_folds; f++) {
        if (repeats > 1)
            printf("%6d ", r->folds[f].repeat);
        printf("%4d", r->folds[f].fold);
        print_value(r->folds[f].train_loss, 14);
        print_value(r->folds[f].val_loss, 14);
        if (task == LRS_TASK_CLASSIFICATION)
            print_value(r->folds[f].accuracy, 14);
        printf("\n");
    }
    printf("\ntime:   %.3f s\n", r->seconds);
}

/* Runs the trial a->repeat times (the last result is kept); seconds become
 * the mean per run, so benchmarks can amortise process start. */
static int run_trials(const lrs_spec_info_t *info, const lrs_dataset_t *d, const train_args_t *a,
                      uint64_t seed, lrs_trial_result_t *r, lrs_err_t *err)
{
    double total = 0.0;
    for (int i = 0; i < a->repeat; i++) {
        lrs_trial_result_clear(r);
        if (lrs_trial_run(info, d, &a->cfg, seed, a->opts.init_path, NULL, r, err) < 0)
            return -1;
        total += r->seconds;
    }
    r->seconds = total / a->repeat;
    return 0;
}

/* Loads and checks the data of info, runs the trial and prints it: the one
 * path of `train` and `train --spec` (the worker's is worker/trial.h too). */
static int train_builtin(const lrs_spec_info_t *info, const train_args_t *a, uint64_t seed)
{
    lrs_dataset_t d;
    memset(&d, 0, sizeof d);
    lrs_trial_result_t r;
    memset(&r, 0, sizeof r);
    lrs_err_t err;
    lrs_err_clear(&err);
    int status;
    lrs_spec_info_t run = *info;
    const char *name = info->data_path ? info->data_path : "synthetic data";
    if (lrs_validate_load_data(info, name, NULL, 0, &d, &err) < 0) {
        status = fail(err.code ? err.code : LRS_EXIT_USAGE, "%s", err.msg);
        goto done;
    }
    if (a->model == MODEL_DEFAULT && !a->spec_path)   /* train's default model follows the data */
        run.model_kind = d.task == LRS_TASK_CLASSIFICATION ? LRS_MODEL_LOGISTIC : LRS_MODEL_LINEAR;
    if (run_trials(&run, &d, a, seed, &r, &err) < 0) {
        status = fail(err.code ? err.code : LRS_EXIT_RUNTIME, "%s", err.msg);
        goto done;
    }
    lrs_task_t task = info->model_kind == LRS_MODEL_SYNTHETIC ? LRS_TASK_REGRESSION : d.task;
    if (a->json) {
        if (print_json(&r, task, seed) < 0) {
            status = fail(LRS_EXIT_RUNTIME, "writing JSON output failed");
            goto done;
        }
    } else {
        print_human(&r, task, info->metric, info->repeats);
    }
    status = lrs_cli_finish(0);
done:
    lrs_trial_result_clear(&r);
    lrs_dataset_free(&d);
    return status;
}

/* Plain `train`'s options as the settings a spec would state, so that both
 * run one path.  The default model (linear or logistic, by the data's task)
 * is checked as mlp, which takes either task, and named once the data is
 * read (train_builtin). */
static void args_info(const train_args_t *a, lrs_spec_info_t *info)
{
    memset(info, 0, sizeof *info);
    info->name = "train";
    info->seed = a->opts.seed;
    info->metric = "val_loss";
    info->data_path = a->data_path;
    info->targets = a->targets;
    info->n_targets = a->n_targets;
    info->task_hint = a->task;
    if (a->synthetic) {
        info->synthetic_rows = a->syn_rows;
        info->synthetic_features = a->syn_features;
        info->synthetic_outputs = a->syn_outputs;
        info->synthetic_noise = a->syn_noise;
    }
    info->model_kind = a->model == MODEL_LINEAR     ? LRS_MODEL_LINEAR
                       : a->model == MODEL_LOGISTIC ? LRS_MODEL_LOGISTIC
                                                    : LRS_MODEL_MLP;
    info->model = a->opts.model;
    info->folds = a->opts.folds;
    info->holdout = a->opts.holdout;
    info->shuffle = a->opts.shuffle;
    info->standardize = a->opts.standardize;
    info->standardize_target = a->opts.standardize_target;
}

/* ---- --spec: one trial of a sweep spec --------------------------------- */

/* The trial's config and seed: --trial I, or the spec's fixed values and the
 * words.  Returns -1 to go on, or an exit status. */
static int spec_config(const lrs_spec_t *spec, train_args_t *a, uint64_t *seed)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    const lrs_param_info_t *table = lrs_param_table();
    if (a->trial_given) {
        uint64_t count = lrs_spec_trial_count(spec);
        if (lrs_spec_info(spec)->sampler == LRS_SAMPLER_GRID && a->trial >= count)
            return fail(LRS_EXIT_USAGE, "--trial %" PRIu64 ": the grid has %" PRIu64 " trials (0..%" PRIu64 ")",
                        a->trial, count, count - 1);
        if (lrs_spec_sample(spec, a->trial, &a->cfg, seed, &err) < 0)
            return fail(err.code ? err.code : LRS_EXIT_USAGE, "%s", err.msg);
        if (a->seed_given)
            *seed = a->opts.seed;
        return -1;
    }
    uint64_t searched = 0;
    if (lrs_spec_config(spec, a->words, a->n_words, &a->cfg, &searched, &err) < 0)
        return fail(err.code ? err.code : LRS_EXIT_USAGE, "%s", err.msg);
    *seed = a->opts.seed;
    if (searched) {
        fprintf(stderr, "lrsweep train: note: searched in the spec but not given, so at their "
                        "defaults:");
        for (int id = 0; id < LRS_P_COUNT; id++)
            if ((searched >> id) & 1u)
                fprintf(stderr, " %s", table[id].name);
        fprintf(stderr, " (give NAME=VALUE, or --trial I)\n");
    }
    return -1;
}

/* Says which trial runs, on stderr (stdout stays the result). */
static void announce(const train_args_t *a, uint64_t seed)
{
    char params[4096];
    if (lrs_trial_cfg_json(&a->cfg, params, sizeof params) < 0)
        snprintf(params, sizeof params, "{...}");
    if (a->trial_given)
        fprintf(stderr, "lrsweep train: trial %" PRIu64 ", seed %" PRIu64 ": %s\n", a->trial, seed, params);
    else
        fprintf(stderr, "lrsweep train: seed %" PRIu64 ": %s\n", seed, params);
}

/* `train --spec SPEC ...`. */
static int run_spec(train_args_t *a)
{
    if (a->engine_option)
        return fail(LRS_EXIT_USAGE, "--%s does not combine with --spec: the data, model and "
                    "validation settings come from the spec", a->engine_option);
    if (a->trial_given && a->n_words > 0)
        return fail(LRS_EXIT_USAGE, "give either --trial I or PARAM=VALUE words with --spec, not both "
                    "(got --trial %" PRIu64 " and '%s')", a->trial, a->words[0]);
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    int status = lrs_cli_load_spec("train", a->spec_path, &spec);
    if (status != 0)
        return status;
    const lrs_spec_info_t *info = lrs_spec_info(spec);
    uint64_t seed = 0;
    status = spec_config(spec, a, &seed);
    if (status >= 0)
        goto done;
    if (info->exec && a->repeat != 1) {
        status = fail(LRS_EXIT_USAGE, "--repeat applies only to the built-in engine");
        goto done;
    }
    announce(a, seed);
    if (info->pruning->rule != LRS_PRUNE_NONE)
        fprintf(stderr, "lrsweep train: note: pruning: (%s) is ignored here: train --spec runs "
                        "one trial to its last epoch\n", lrs_prune_rule_name(info->pruning->rule));
    if (info->exec) {
        status = lrs_train_exec_trial(info->exec, &a->cfg, a->trial, seed, a->json, &err);
        if (status < 0)
            status = fail(err.code ? err.code : LRS_EXIT_RUNTIME, "%s", err.msg);
    } else {
        status = train_builtin(info, a, seed);
    }
done:
    lrs_spec_destroy(&spec);
    return status;
}

int lrs_cmd_train(int argc, char **argv)
{
    train_args_t a;
    memset(&a, 0, sizeof a);
    a.task = -1;
    a.repeat = 1;
    lrs_train_opts_init(&a.opts);
    lrs_trial_cfg_init(&a.cfg);
    int status = parse_args(argc, argv, &a);
    if (status >= 0)
        goto done;
    if (a.spec_path) {
        status = run_spec(&a);
        goto done;
    }
    status = words_to_cfg(&a);
    if (status >= 0)
        goto done;
    status = check_args(&a);
    if (status >= 0)
        goto done;
    lrs_spec_info_t info;
    args_info(&a, &info);
    status = train_builtin(&info, &a, a.opts.seed);
done:
    free(a.targets_text);
    return status;
}
