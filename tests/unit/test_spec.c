/* test_spec.c — loading and validating sweep specs (common/spec.h).
 *
 * The validation table of the issue, one test per error: each checks the
 * error's file:line:column and message, that the load fails with exit code
 * 2, and that every error is reported, not only the first.  Then the
 * settings of a valid spec, the space hash, and the shipped examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/spec.h"

/* The issue's example, with its data file in a temporary folder. */
static const char *issue_spec =
    "name: wine-lr                 # sweep name, unique in a database\n"
    "seed: 7\n"
    "trials: 500                   # ignored by grid (the grid's size is the count)\n"
    "sampler: random               # random | grid | sobol\n"
    "objective: {metric: val_loss, goal: minimize}   # or accuracy / maximize\n"
    "data: {path: wine.csv, target: [quality], task: regression}\n"
    "model: {type: mlp, hidden: [32], activation: relu}\n"
    "train: {folds: 5, shuffle: true, standardize: true}\n"
    "search:\n"
    "  lr: {log_uniform: [1.0e-5, 1.0]}\n"
    "  epochs: 60\n"
    "  batch_size: {values: [16, 32, 64]}\n"
    "  optimizer:\n"
    "    sgd: {momentum: {uniform: [0.0, 0.99]}, nesterov: {values: [false, true]}}\n"
    "    adam: {beta2: {values: [0.99, 0.999]}}\n"
    "  scheduler:\n"
    "    constant: {}\n"
    "    step: {step_size: {int_uniform: [5, 30]}, gamma: {uniform: [0.05, 0.9]}}\n"
    "    exponential: {gamma: {uniform: [0.85, 0.999]}}\n"
    "    cosine: {T_max: 60, eta_min: {log_uniform: [1.0e-7, 1.0e-3]}}\n"
    "    onecycle: {max_lr: {log_uniform: [1.0e-3, 1.0]}, pct_start: {uniform: [0.1, 0.5]}}\n";

/* Lines 1-4 of every small case; its search parameters start on line 5. */
#define HEAD "name: t\ntrials: 10\nmodel: {type: synthetic}\nsearch:\n"

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/lrs_test_spec_XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/wine.csv", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("alcohol,quality\n13.2,5\n12.1,6\n", f);
    return fclose(f);
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/wine.csv", tmpdir);
    unlink(path);
    return rmdir(tmpdir);
}

/* Parses text as "spec.yaml"; returns every reported error line in a heap
 * string (empty when the spec is valid) and the load's result in *rc. */
static char *report_of(const char *text, int *rc, lrs_err_t *err, lrs_spec_t **spec_out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *report = open_memstream(&buf, &len);
    assert_non_null(report);
    lrs_spec_t *spec = NULL;
    lrs_err_clear(err);
    *rc = lrs_spec_parse_report("spec.yaml", text, strlen(text), tmpdir, &spec, report, err);
    fclose(report);
    if (spec_out)
        *spec_out = spec;
    else
        lrs_spec_destroy(&spec);
    return buf;
}

/* The load fails with exit code 2 and reports an error at line:column whose
 * message contains want. */
static void expect_error(const char *text, int line, int column, const char *want)
{
    int rc;
    lrs_err_t err;
    char *report = report_of(text, &rc, &err, NULL);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "spec.yaml:%d:%d: ", line, column);
    int found = 0;
    for (char *l = report; l && *l;) {
        char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l) : strlen(l);
        char one[1024];
        snprintf(one, sizeof one, "%.*s", (int)n, l);
        if (strncmp(one, prefix, strlen(prefix)) == 0 && strstr(one, want))
            found = 1;
        l = end ? end + 1 : l + n;
    }
    if (rc != -1 || err.code != LRS_EXIT_USAGE || !found)
        fail_msg("expected error at %d:%d containing \"%s\" (rc %d, code %d); report:\n%s", line, column,
                 want, rc, err.code, report ? report : "(none)");
    printf("  %s", report);
    free(report);
}

static void test_unknown_top_key(void **state)
{
    (void)state;
    expect_error("name: t\ntrials: 10\nmodel: {type: synthetic}\nfoo: 1\nsearch: {lr: 0.1}\n", 4, 1,
                 "unknown key 'foo': expected one of name, seed, trials");
}

static void test_unknown_nested_key(void **state)
{
    (void)state;
    expect_error("name: t\ntrials: 10\nmodel: {type: synthetic}\ntrain: {folds: 5, shufle: true}\n"
                 "search: {lr: 0.1}\n",
                 4, 19, "train: unknown key 'shufle'");
}

static void test_wrong_type_setting(void **state)
{
    (void)state;
    expect_error("name: t\ntrials: many\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n", 2, 9,
                 "trials: expected an integer, got 'many'");
}

static void test_wrong_type_parameter(void **state)
{
    (void)state;
    expect_error(HEAD "  epochs: ten\n", 5, 11, "search.epochs: expected an integer, got 'ten'");
    expect_error(HEAD "  nesterov: \"yes\"\n", 5, 14, "expected true or false");
}

static void test_low_not_below_high(void **state)
{
    (void)state;
    expect_error(HEAD "  lr: {uniform: [0.5, 0.1]}\n", 5, 17,
                 "search.lr.uniform: low 0.5 must be less than high 0.1");
    expect_error(HEAD "  epochs: {int_uniform: [20, 20]}\n", 5, 25, "low 20 must be less than high 20");
}

static void test_log_uniform_nonpositive(void **state)
{
    (void)state;
    expect_error(HEAD "  weight_decay: {log_uniform: [0.0, 0.1]}\n", 5, 32,
                 "search.weight_decay.log_uniform: low must be > 0 on a log scale, got 0.0");
    expect_error(HEAD "  epochs: {int_log_uniform: [0, 100]}\n", 5, 30, "low must be > 0 on a log scale");
}

static void test_value_out_of_range(void **state)
{
    (void)state;
    expect_error(HEAD "  optimizer:\n    adam: {beta1: {uniform: [0.5, 1.0]}}\n", 6, 35,
                 "beta1=1.0 is out of range: expected a value in [0, 1)");
    expect_error(HEAD "  lr: -0.1\n", 5, 7, "lr=-0.1 is out of range");
}

static void test_unknown_optimizer(void **state)
{
    (void)state;
    expect_error(HEAD "  optimizer: {sgdd: {}}\n", 5, 15,
                 "search.optimizer: unknown optimizer 'sgdd': expected one of sgd, adam, adamw, rmsprop, "
                 "adagrad");
    expect_error(HEAD "  optimizer: {values: [sgd, adamm]}\n", 5, 29, "unknown optimizer 'adamm'");
}

static void test_unknown_scheduler(void **state)
{
    (void)state;
    expect_error(HEAD "  scheduler: cosin\n", 5, 14, "unknown scheduler 'cosin': expected one of constant");
    expect_error(HEAD "  scheduler:\n    stepp: {step_size: 3}\n", 6, 5, "unknown scheduler 'stepp'");
}

static void test_unknown_parameter(void **state)
{
    (void)state;
    expect_error(HEAD "  learning_rate: 0.1\n", 5, 3, "unknown parameter 'learning_rate'");
    expect_error(HEAD "  sgd: {momentum: 0.9}\n", 5, 3, "optimizers go under optimizer:");
}

static void test_parameter_outside_its_branch(void **state)
{
    (void)state;
    expect_error(HEAD "  scheduler:\n    exponential: {gamma: 0.9, step_size: 5}\n", 6, 31,
                 "search.scheduler.exponential.step_size: step_size does not belong to scheduler "
                 "exponential (it applies to step)");
    /* A top-level parameter meets every branch. */
    expect_error(HEAD "  momentum: 0.9\n  optimizer: {values: [sgd, adam]}\n", 5, 3,
                 "momentum does not belong to optimizer adam (it applies to sgd, rmsprop)");
    /* No optimizer given: the default, sgd. */
    expect_error(HEAD "  beta1: 0.8\n", 5, 3, "beta1 does not belong to optimizer sgd");
}

static void test_missing_required(void **state)
{
    (void)state;
    expect_error(HEAD "  scheduler:\n    multistep: {gamma: 0.5}\n", 6, 5,
                 "search.scheduler.multistep: scheduler multistep requires milestones");
    expect_error(HEAD "  scheduler: step\n", 5, 14, "scheduler step requires step_size");
}

static void test_grid_needs_bounded_space(void **state)
{
    (void)state;
    expect_error("name: t\nsampler: grid\nmodel: {type: synthetic}\nsearch:\n"
                 "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer:\n    sgd: {momentum: {uniform: [0, 1]}}\n",
                 5, 3, "search.lr: the grid sampler needs a finite set of points: add grid: N");
    expect_error("name: t\nsampler: grid\nmodel: {type: synthetic}\nsearch:\n"
                 "  lr: {log_uniform: [1.0e-4, 1.0], grid: 4}\n  optimizer:\n"
                 "    sgd: {momentum: {uniform: [0, 1]}}\n",
                 7, 11, "search.optimizer.sgd.momentum: the grid sampler needs");
    expect_error(HEAD "  lr: {values: [0.1], grid: 3}\n", 5, 23, "grid: applies to uniform");
}

static void test_data_file_missing(void **state)
{
    (void)state;
    expect_error("name: t\ntrials: 3\ndata: {path: nope.csv, target: [y]}\nsearch: {lr: 0.1}\n", 3, 14,
                 "data.path: data file 'nope.csv' does not exist (looked for /tmp/lrs_test_spec_");
}

static void test_yaml_syntax_error(void **state)
{
    (void)state;
    expect_error(HEAD "  lr: [0.1, 0.2\n", 6, 1, "YAML syntax error");
    expect_error(HEAD "  lr: 0.1\n  lr: 0.2\n", 6, 3, "duplicate key 'lr' (first at line 5)");
}

static void test_malformed_documents(void **state)
{
    (void)state;
    expect_error(HEAD "  lr: &x 0.1\n  eta_min: *x\n", 6, 13, "YAML aliases (*name) are not supported");
    expect_error("name: t\n---\nname: u\n", 2, 1, "a spec is one YAML document");
    expect_error("- 1\n- 2\n", 1, 1, "expected a mapping with name, trials, data, search");
    char deep[400];
    snprintf(deep, sizeof deep, HEAD "  lr: %.*s%.*s\n", 80,
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 80,
             "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
    expect_error(deep, 5, 70, "nested deeper than 64 levels");
    int rc;
    lrs_err_t err;
    char *report = report_of("", &rc, &err, NULL);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(report, "spec.yaml: the spec is empty"));
    free(report);
    lrs_spec_t *spec = NULL;
    const char nul[] = "name: t\ntrials: 3\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n\0junk";
    assert_int_equal(lrs_spec_parse("n.yaml", nul, sizeof nul - 1, NULL, &spec, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "NUL byte"));
}

static void test_misc_rules(void **state)
{
    (void)state;
    expect_error(HEAD "  optimizer:\n    sgd: {nesterov: true}\n", 6, 11,
                 "nesterov: true needs momentum > 0");
    expect_error(HEAD "  momentum: 0.5\n  optimizer:\n    sgd: {momentum: 0.9}\n", 5, 3,
                 "momentum is already given for the same trials at line 7");
    expect_error(HEAD "  epochs: {uniform: [10, 20]}\n", 5, 21, "epochs is an integer parameter: use int_uniform");
    expect_error(HEAD "  epochs: {values: [5, 50]}\n  warmup_epochs: 5\n", 6, 3,
                 "the warm-up must be shorter than training");
    expect_error(HEAD "  scheduler: plateau\n  warmup_epochs: 2\n", 6, 3, "does not combine with scheduler plateau");
    expect_error(HEAD "  lr: {uniform: [0.1, 0.2], values: [0.1]}\n", 5, 29, "both uniform and values given");
    expect_error(HEAD "  lr: [0.1, 0.2]\n", 5, 7, "for a list of choices write {values: [...]}");
    expect_error("trials: 3\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n", 1, 1, "missing required key 'name'");
    expect_error("name: t\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n", 1, 1, "missing required key 'trials'");
    expect_error("name: t\ntrials: 3\nsearch: {lr: 0.1}\n", 1, 1, "missing required key 'data'");
    expect_error("name: t\ntrials: 3\nmodel: {type: logistic}\ndata: {synthetic: {rows: 10}}\n"
                 "search: {lr: 0.1}\n", 3, 8, "type logistic needs a classification task");
}

/* Every error is reported, in order of position, not only the first. */
static void test_all_errors_reported(void **state)
{
    (void)state;
    const char *text = "name: t\ntrials: -3\nsampler: randm\nmodel: {type: synthetic}\nsearch:\n"
                       "  lr: {uniform: [1, 0]}\n  scheduler:\n    multistep: {}\n    exponential: {step_size: 2}\n";
    int rc;
    lrs_err_t err;
    char *report = report_of(text, &rc, &err, NULL);
    printf("%s", report);
    assert_int_equal(rc, -1);
    assert_int_equal(err.code, 2);
    const char *want[] = {"spec.yaml:2:9: trials:", "spec.yaml:3:10: sampler:", "spec.yaml:6:17: search.lr",
                          "spec.yaml:8:5: search.scheduler.multistep", "spec.yaml:9:19: search.scheduler.exponential.step_size",
                          "spec.yaml:9:5: search.scheduler.exponential: scheduler exponential requires gamma"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(report, want[i]))
            fail_msg("missing \"%s\" in the report", want[i]);
    /* Sorted by position: 2:9 before 3:10 before 6:17. */
    assert_true(strstr(report, "spec.yaml:2:9") < strstr(report, "spec.yaml:3:10"));
    assert_true(strstr(report, "spec.yaml:3:10") < strstr(report, "spec.yaml:6:17"));
    assert_non_null(strstr(err.msg, "spec.yaml:2:9: trials"));
    assert_non_null(strstr(err.msg, "more errors)"));
    free(report);
}

static void test_issue_example(void **state)
{
    (void)state;
    int rc;
    lrs_err_t err;
    lrs_spec_t *spec = NULL;
    char *report = report_of(issue_spec, &rc, &err, &spec);
    if (rc != 0)
        fail_msg("the issue's spec fails: %s", report);
    free(report);
    const lrs_spec_info_t *in = lrs_spec_info(spec);
    assert_string_equal(in->name, "wine-lr");
    assert_int_equal(in->seed, 7);
    assert_int_equal(in->trials, 500);
    assert_int_equal(lrs_spec_trial_count(spec), 500);
    assert_int_equal(in->sampler, LRS_SAMPLER_RANDOM);
    assert_string_equal(in->metric, "val_loss");
    assert_int_equal(in->goal, LRS_GOAL_MINIMIZE);
    char want_path[128];
    snprintf(want_path, sizeof want_path, "%s/wine.csv", tmpdir);
    assert_string_equal(in->data_path, want_path);
    assert_int_equal(in->n_targets, 1);
    assert_string_equal(in->targets[0], "quality");
    assert_int_equal(in->task_hint, LRS_TASK_REGRESSION);
    assert_int_equal(in->synthetic_rows, 0);
    assert_int_equal(in->model_kind, LRS_MODEL_MLP);
    assert_int_equal(in->model.n_hidden, 1);
    assert_int_equal(in->model.hidden[0], 32);
    assert_int_equal(in->model.activation, LRS_ACT_RELU);
    assert_int_equal(in->folds, 5);
    assert_int_equal(in->shuffle, 1);
    assert_int_equal(in->standardize, 1);
    /* lr, batch_size, optimizer, momentum, nesterov, beta2, scheduler,
     * step_size, gamma (step), gamma (exponential), eta_min, max_lr, pct_start */
    assert_int_equal(lrs_spec_param_count(spec), 13);
    assert_string_equal(lrs_spec_text(spec), issue_spec);
    lrs_spec_destroy(&spec);
    assert_null(spec);
    lrs_spec_destroy(&spec);   /* takes NULL */
}

static uint64_t hash_of(const char *text)
{
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    if (lrs_spec_parse("h.yaml", text, strlen(text), tmpdir, &spec, &err) < 0)
        fail_msg("%s", err.msg);
    uint64_t h = lrs_spec_space_hash(spec);
    lrs_spec_destroy(&spec);
    return h;
}

static void test_space_hash(void **state)
{
    (void)state;
    const char *base = "name: a\nseed: 3\ntrials: 10\nmodel: {type: synthetic}\nsearch:\n"
                       "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n";
    uint64_t h = hash_of(base);
    /* Neither name, trials nor key order changes the trials. */
    assert_true(h == hash_of("name: b\nseed: 3\ntrials: 99\nmodel: {type: synthetic}\nsearch:\n"
                             "  optimizer: {adam: {}, sgd: {momentum: 0.9}}\n  lr: {log_uniform: [1.0e-4, 1.0]}\n"));
    assert_true(h != hash_of("name: a\nseed: 4\ntrials: 10\nmodel: {type: synthetic}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));
    assert_true(h != hash_of("name: a\nseed: 3\ntrials: 10\nmodel: {type: synthetic}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 0.5]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));
    assert_true(h != hash_of("name: a\nseed: 3\ntrials: 10\nmodel: {type: synthetic}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.8}, adam: {}}\n"));
    assert_true(h != hash_of("name: a\nseed: 3\ntrials: 10\nsampler: sobol\nmodel: {type: synthetic}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));
    assert_true(h != hash_of("name: a\nseed: 3\ntrials: 10\nmodel: {type: synthetic, cost_ms: 2}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));
}

static void test_examples_load(void **state)
{
    (void)state;
    const char *paths[] = {"../../examples/wine-lr.yaml", "../../examples/synthetic.yaml"};
    for (size_t i = 0; i < 2; i++) {
        lrs_spec_t *spec = NULL;
        lrs_err_t err;
        if (lrs_spec_load(paths[i], &spec, &err) < 0)
            fail_msg("%s", err.msg);
        assert_true(lrs_spec_trial_count(spec) > 0);
        assert_true(lrs_spec_param_count(spec) > 0);
        lrs_spec_destroy(&spec);
    }
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    assert_int_equal(lrs_spec_load("no-such-spec.yaml", &spec, &err), -1);
    assert_null(spec);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "no-such-spec.yaml: cannot open spec"));
}

static void test_settings_defaults(void **state)
{
    (void)state;
    const char *text = "name: d\nsampler: grid\ndata: {synthetic: {rows: 50, features: 3}}\n"
                       "objective: {metric: val_loss}\nsearch: {lr: {values: [0.1, 0.01]}}\n";
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    if (lrs_spec_parse("d.yaml", text, strlen(text), NULL, &spec, &err) < 0)
        fail_msg("%s", err.msg);
    const lrs_spec_info_t *in = lrs_spec_info(spec);
    assert_int_equal(in->seed, 0);
    assert_int_equal(in->synthetic_rows, 50);
    assert_int_equal(in->synthetic_features, 3);
    assert_int_equal(in->synthetic_outputs, 1);
    assert_null(in->data_path);
    assert_int_equal(in->task_hint, -1);
    assert_int_equal(in->model_kind, LRS_MODEL_LINEAR);
    assert_int_equal(lrs_spec_trial_count(spec), 2);
    assert_int_equal(in->trials, 2);
    lrs_spec_destroy(&spec);

    text = "name: acc\ntrials: 4\nobjective: {metric: accuracy}\ndata: {path: wine.csv, target: quality}\n"
           "search: {lr: 0.1}\n";
    if (lrs_spec_parse("a.yaml", text, strlen(text), tmpdir, &spec, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(lrs_spec_info(spec)->goal, LRS_GOAL_MAXIMIZE);
    assert_int_equal(lrs_spec_param_count(spec), 0);
    uint64_t hash = lrs_spec_space_hash(spec);
    lrs_spec_destroy(&spec);

    /* Without a base folder (a worker's copy) the data file is not looked
     * for, and the space hash is the same. */
    text = "name: acc\ntrials: 4\nobjective: {metric: accuracy}\ndata: {path: elsewhere.csv, target: quality}\n"
           "search: {lr: 0.1}\n";
    assert_int_equal(lrs_spec_parse("w.yaml", text, strlen(text), tmpdir, &spec, &err), -1);
    assert_non_null(strstr(err.msg, "data file 'elsewhere.csv' does not exist"));
    if (lrs_spec_parse("w.yaml", text, strlen(text), NULL, &spec, &err) < 0)
        fail_msg("%s", err.msg);
    assert_string_equal(lrs_spec_info(spec)->data_path, "elsewhere.csv");
    lrs_spec_destroy(&spec);
    text = "name: acc\ntrials: 4\nobjective: {metric: accuracy}\ndata: {path: wine.csv, target: quality}\n"
           "search: {lr: 0.1}\n";
    if (lrs_spec_parse("w.yaml", text, strlen(text), NULL, &spec, &err) < 0)
        fail_msg("%s", err.msg);
    assert_true(lrs_spec_space_hash(spec) == hash);
    lrs_spec_destroy(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_top_key),
        cmocka_unit_test(test_unknown_nested_key),
        cmocka_unit_test(test_wrong_type_setting),
        cmocka_unit_test(test_wrong_type_parameter),
        cmocka_unit_test(test_low_not_below_high),
        cmocka_unit_test(test_log_uniform_nonpositive),
        cmocka_unit_test(test_value_out_of_range),
        cmocka_unit_test(test_unknown_optimizer),
        cmocka_unit_test(test_unknown_scheduler),
        cmocka_unit_test(test_unknown_parameter),
        cmocka_unit_test(test_parameter_outside_its_branch),
        cmocka_unit_test(test_missing_required),
        cmocka_unit_test(test_grid_needs_bounded_space),
        cmocka_unit_test(test_data_file_missing),
        cmocka_unit_test(test_yaml_syntax_error),
        cmocka_unit_test(test_malformed_documents),
        cmocka_unit_test(test_misc_rules),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_issue_example),
        cmocka_unit_test(test_space_hash),
        cmocka_unit_test(test_examples_load),
        cmocka_unit_test(test_settings_defaults),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
