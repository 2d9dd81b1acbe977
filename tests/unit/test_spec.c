/* test_spec.c — loading and validating sweep specs (common/spec.h).
 *
 * The validation rules of docs/spec.md, one test per error: each checks the
 * error's file:line:column and message, that the load fails with exit code
 * 2, and that every error is reported, not only the first.  Then the
 * settings of a valid spec, the space hash, and the shipped examples; exec
 * specs (command:, metric:, timeout, folds, workdir, env) with their errors
 * and hash; configs from fixed values and words (lrs_spec_config). */
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
#include "support.h"

/* docs/spec.md's complete example, with its data file in a temporary folder. */
static const char *example_spec =
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

/* Parses text as "spec.yaml" with its data in tmpdir (sup_spec_report). */
static char *report_of(const char *text, int *rc, lrs_err_t *err, lrs_spec_t **spec_out)
{
    return sup_spec_report(text, strlen(text), tmpdir, rc, err, spec_out);
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
    /* 64 brackets under search.lr: within the guard's flow limit, so the
     * tree refuses it, counting the two block levels above. */
    snprintf(deep, sizeof deep, HEAD "  lr: %.*s%.*s\n", 64,
             "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 64,
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

static void test_reference_example(void **state)
{
    (void)state;
    int rc;
    lrs_err_t err;
    lrs_spec_t *spec = NULL;
    char *report = report_of(example_spec, &rc, &err, &spec);
    if (rc != 0)
        fail_msg("the example spec fails: %s", report);
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
    assert_string_equal(lrs_spec_text(spec), example_spec);
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
    /* Shared seeds change the results; per_trial, the default, hashes as
     * a spec written before the key. */
    assert_true(h != hash_of("name: a\nseed: 3\ntrials: 10\nseeds: shared\nmodel: {type: synthetic}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));
    assert_true(h == hash_of("name: a\nseed: 3\ntrials: 10\nseeds: per_trial\nmodel: {type: synthetic}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));    /* Repeats change every score; one repeat hashes as before the key. */
    assert_true(h == hash_of("name: a\nseed: 3\ntrials: 10\nrepeats: 1\nmodel: {type: synthetic}\nsearch:\n"
                             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));
    uint64_t h3 = hash_of("name: a\nseed: 3\ntrials: 10\nrepeats: 3\nmodel: {type: synthetic}\nsearch:\n"
                          "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n");
    assert_true(h3 != h);
    assert_true(h3 != hash_of("name: a\nseed: 3\ntrials: 10\nrepeats: 2\nmodel: {type: synthetic}\nsearch:\n"
                              "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n"));
}

static void test_examples_load(void **state)
{
    (void)state;
    const char *paths[] = {"../../examples/wine-lr.yaml", "../../examples/synthetic.yaml",
                           "../../examples/pytorch/sweep.yaml"};
    for (size_t i = 0; i < 3; i++) {
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


/* ---- exec specs (command:) ------------------------------------------- */

/* Lines 1-3 of every exec case; line 4 is the command unless said otherwise. */
#define EXEC_HEAD "name: e\ntrials: 10\nmetric: {name: val_loss, goal: minimize}\n"
#define EXEC_SEARCH "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n"

static lrs_spec_t *parse_ok(const char *text, const char *base_dir)
{
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    if (lrs_spec_parse("spec.yaml", text, strlen(text), base_dir, &spec, &err) < 0)
        fail_msg("unexpected error: %s", err.msg);
    return spec;
}

static void test_exec_settings(void **state)
{
    (void)state;
    lrs_spec_t *spec = parse_ok(
        "name: e\ntrials: 10\n"
        "command: python3 train.py --lr {lr} --scheduler {scheduler} {args}\n"
        "metric: {name: val_loss, goal: minimize}\n"
        "timeout: 600\nfolds: 5\nworkdir: .\n"
        "env: {OMP_NUM_THREADS: \"1\", A_FIRST: 2, EMPTY: \"\"}\n" EXEC_SEARCH,
        tmpdir);
    const lrs_spec_info_t *in = lrs_spec_info(spec);
    const lrs_exec_spec_t *ex = in->exec;
    assert_non_null(ex);
    assert_string_equal(ex->command, "python3 train.py --lr {lr} --scheduler {scheduler} {args}");
    assert_int_equal(ex->shell, 0);
    assert_string_equal(ex->metric, "val_loss");
    assert_string_equal(in->metric, "val_loss");
    assert_int_equal(ex->maximize, 0);
    assert_true(ex->timeout_s == 600.0);
    assert_int_equal(ex->folds, 5);
    assert_string_equal(ex->workdir, tmpdir);   /* "." is the spec's folder */
    assert_int_equal(ex->n_env, 3);             /* sorted by name */
    assert_string_equal(ex->env[0], "A_FIRST=2");
    assert_string_equal(ex->env[1], "EMPTY=");
    assert_string_equal(ex->env[2], "OMP_NUM_THREADS=1");
    assert_int_equal(lrs_spec_trial_count(spec), 10);
    lrs_spec_destroy(&spec);

    /* Defaults; objective: works too; a worker's copy keeps workdir as written. */
    spec = parse_ok("name: e\ntrials: 3\ncommand: ./run.sh {args}\nshell: true\nworkdir: sub/dir\n"
                    "objective: {metric: accuracy}\n" EXEC_SEARCH,
                    NULL);
    ex = lrs_spec_info(spec)->exec;
    assert_non_null(ex);
    assert_int_equal(ex->shell, 1);
    assert_true(ex->timeout_s == 0.0);
    assert_int_equal(ex->folds, 0);
    assert_int_equal(ex->n_env, 0);
    assert_string_equal(ex->workdir, "sub/dir");
    assert_string_equal(ex->metric, "accuracy");
    assert_int_equal(ex->maximize, 1);   /* accuracy is maximised unless said otherwise */
    lrs_spec_destroy(&spec);

    spec = parse_ok("name: e\ntrials: 3\ncommand: ./run.sh {args}\nmetric: top1/acc\nworkdir: sub\n"
                    EXEC_SEARCH, tmpdir);
    ex = lrs_spec_info(spec)->exec;
    assert_string_equal(ex->metric, "top1/acc");
    assert_int_equal(ex->maximize, 0);
    char want[128];
    snprintf(want, sizeof want, "%s/sub", tmpdir);
    assert_string_equal(ex->workdir, want);
    lrs_spec_destroy(&spec);

    /* A built-in spec has no exec part, also with metric: written the exec way. */
    spec = parse_ok("name: b\ntrials: 3\nmodel: {type: synthetic}\nmetric: {name: val_loss}\n"
                    EXEC_SEARCH, NULL);
    assert_null(lrs_spec_info(spec)->exec);
    assert_string_equal(lrs_spec_info(spec)->metric, "val_loss");
    lrs_spec_destroy(&spec);
}

static void test_exec_placeholder_errors(void **state)
{
    (void)state;
    /* The error is at the command string; the column in the message is the template's. */
    expect_error(EXEC_HEAD "command: python3 train.py --lr {learning_rate} {args}\n" EXEC_SEARCH, 4, 10,
                 "command: {learning_rate} at column 23 is not a parameter");
    /* (a quoted scalar's position is its first character, after the quote) */
    expect_error(EXEC_HEAD "command: \"python3 train.py {args} {args}\"\n" EXEC_SEARCH, 4, 11,
                 "{args} at column 25 appears twice");
    expect_error(EXEC_HEAD "command: python3 train.py --x={args}\n" EXEC_SEARCH, 4, 10,
                 "{args} at column 22 must be a word of its own");
    expect_error(EXEC_HEAD "command: python3 'train.py\n" EXEC_SEARCH, 4, 10,
                 "quote ' at column 9 is never closed");
    expect_error(EXEC_HEAD "command:\n  - python3\n  - train.py\n" EXEC_SEARCH, 5, 3,
                 "command: expected the command line as one string, got a list");
    expect_error(EXEC_HEAD "command: \"\"\n" EXEC_SEARCH, 4, 11, "command is empty");
}

static void test_exec_key_errors(void **state)
{
    (void)state;
    const char *cmd = "command: ./train.sh {args}\n";
    char text[1024];
#define EXEC_CASE(extra) (snprintf(text, sizeof text, "%s%s%s%s", EXEC_HEAD, cmd, extra, EXEC_SEARCH), text)
    expect_error(EXEC_CASE("timeout: 0\n"), 5, 10, "timeout: expected seconds > 0");
    expect_error(EXEC_CASE("timeout: -3\n"), 5, 10, "timeout: expected seconds > 0");
    expect_error(EXEC_CASE("timeout: soon\n"), 5, 10, "timeout: expected a number, got 'soon'");
    expect_error(EXEC_CASE("folds: -1\n"), 5, 8, "folds: -1 is out of range");
    expect_error(EXEC_CASE("folds: 2.5\n"), 5, 8, "folds: expected an integer");
    expect_error(EXEC_CASE("shell: maybe\n"), 5, 8, "shell: expected true or false");
    expect_error(EXEC_CASE("env: {LRSWEEP_TRIAL: \"3\"}\n"), 5, 7,
                 "env: LRSWEEP_TRIAL is set by lrsweep itself");
    expect_error(EXEC_CASE("env: {1BAD: x}\n"), 5, 7, "env: '1BAD' is not a variable name");
    expect_error(EXEC_CASE("env: {A: [1, 2]}\n"), 5, 10, "env.A: expected a string value, got a list");
    expect_error(EXEC_CASE("env: [A=1]\n"), 5, 6, "env: expected a mapping of NAME: value");
    expect_error(EXEC_CASE("workdir: [a]\n"), 5, 10, "workdir: expected a non-empty string");
    expect_error(EXEC_CASE("data: {path: wine.csv, target: quality}\n"), 5, 1,
                 "data: an exec spec (command:) runs the user's command");
    expect_error(EXEC_CASE("model: {type: linear}\n"), 5, 1, "model: an exec spec");
    expect_error(EXEC_CASE("comand: x\n"), 5, 1, "unknown key 'comand'");
    expect_error(EXEC_CASE("objective: {metric: val_loss}\n"), 5, 1,
                 "objective: give either objective or metric, not both");
#undef EXEC_CASE
    /* metric: required, a valid name, with a name. */
    expect_error("name: e\ntrials: 10\ncommand: ./t.sh\n" EXEC_SEARCH, 1, 1, "missing required key 'metric'");
    expect_error("name: e\ntrials: 10\ncommand: ./t.sh\nmetric: {name: val loss}\n" EXEC_SEARCH, 4, 16,
                 "metric.name: 'val loss' is not a metric name");
    expect_error("name: e\ntrials: 10\ncommand: ./t.sh\nmetric: {goal: maximize}\n" EXEC_SEARCH, 4, 9,
                 "metric: missing name");
    expect_error("name: e\ntrials: 10\ncommand: ./t.sh\nmetric: {name: loss, goal: down}\n" EXEC_SEARCH, 4,
                 28, "metric.goal: expected one of minimize, maximize");
    /* Exec keys in a built-in spec. */
    expect_error(HEAD "  lr: 0.1\nfolds: 3\n", 6, 1, "folds: applies only to an exec spec (with command:)");
    expect_error("name: t\ntrials: 10\nmodel: {type: synthetic}\ntimeout: 5\nsearch: {lr: 0.1}\n", 4, 1,
                 "timeout: applies only to an exec spec");
    expect_error("name: t\ntrials: 10\nmodel: {type: synthetic}\nmetric: {name: loss}\nsearch: {lr: 0.1}\n",
                 4, 16, "metric.name: expected one of val_loss, accuracy, got 'loss'");
}

static void test_exec_space_hash(void **state)
{
    (void)state;
    const char *base = "name: a\ntrials: 10\ncommand: ./t.sh {args}\nmetric: {name: val_loss}\n"
                       "folds: 3\nworkdir: w\nenv: {A: \"1\", B: \"2\"}\ntimeout: 60\n" EXEC_SEARCH;
    uint64_t h = hash_of(base);
    /* Not the name, trials, timeout, goal or the order of env keys. */
    assert_true(h == hash_of("name: b\ntrials: 99\ncommand: ./t.sh {args}\n"
                             "metric: {name: val_loss, goal: maximize}\n"
                             "folds: 3\nworkdir: w\nenv: {B: \"2\", A: \"1\"}\ntimeout: 5\n" EXEC_SEARCH));
    const char *changed[] = {
        "name: a\ntrials: 10\ncommand: ./t.sh -v {args}\nmetric: {name: val_loss}\n"
        "folds: 3\nworkdir: w\nenv: {A: \"1\", B: \"2\"}\ntimeout: 60\n" EXEC_SEARCH,
        "name: a\ntrials: 10\ncommand: ./t.sh {args}\nshell: true\nmetric: {name: val_loss}\n"
        "folds: 3\nworkdir: w\nenv: {A: \"1\", B: \"2\"}\ntimeout: 60\n" EXEC_SEARCH,
        "name: a\ntrials: 10\ncommand: ./t.sh {args}\nmetric: {name: loss}\n"
        "folds: 3\nworkdir: w\nenv: {A: \"1\", B: \"2\"}\ntimeout: 60\n" EXEC_SEARCH,
        "name: a\ntrials: 10\ncommand: ./t.sh {args}\nmetric: {name: val_loss}\n"
        "folds: 4\nworkdir: w\nenv: {A: \"1\", B: \"2\"}\ntimeout: 60\n" EXEC_SEARCH,
        "name: a\ntrials: 10\ncommand: ./t.sh {args}\nmetric: {name: val_loss}\n"
        "folds: 3\nworkdir: v\nenv: {A: \"1\", B: \"2\"}\ntimeout: 60\n" EXEC_SEARCH,
        "name: a\ntrials: 10\ncommand: ./t.sh {args}\nmetric: {name: val_loss}\n"
        "folds: 3\nworkdir: w\nenv: {A: \"1\", B: \"3\"}\ntimeout: 60\n" EXEC_SEARCH,
        "name: a\ntrials: 10\ncommand: ./t.sh {args}\nmetric: {name: val_loss}\n"
        "folds: 3\nworkdir: w\nenv: {A: \"1\"}\ntimeout: 60\n" EXEC_SEARCH,
    };
    for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++)
        if (hash_of(changed[i]) == h)
            fail_msg("change %zu does not change the space hash", i);
}

/* lrs_spec_config: fixed values of the branches taken, words on top. */
static void test_spec_config(void **state)
{
    (void)state;
    lrs_spec_t *spec = parse_ok(
        "name: c\ntrials: 10\nmodel: {type: synthetic}\nsearch:\n"
        "  lr: {log_uniform: [1.0e-4, 1.0]}\n  epochs: 30\n"
        "  optimizer:\n    sgd: {momentum: 0.9, nesterov: {values: [false, true]}}\n"
        "    adam: {beta2: 0.99}\n"
        "  scheduler:\n    step: {step_size: 7}\n", NULL);
    lrs_trial_cfg_t cfg;
    uint64_t searched;
    lrs_err_t err;
    char json[1024];
    /* No words: fixed values at the top and in the only scheduler branch;
     * lr and the optimizer choice are searched. */
    if (lrs_spec_config(spec, NULL, 0, &cfg, &searched, &err) < 0)
        fail_msg("%s", err.msg);
    lrs_trial_cfg_json(&cfg, json, sizeof json);
    assert_string_equal(json, "{\"scheduler\": \"step\", \"step_size\": 7, \"epochs\": 30}");
    assert_true(searched == ((1ull << LRS_P_LR) | (1ull << LRS_P_OPTIMIZER)));
    /* A word picks a branch: its fixed values come along; words override. */
    char *words[] = {"optimizer=sgd", "lr=0.05", "epochs=12", "nesterov=true"};
    if (lrs_spec_config(spec, words, 4, &cfg, &searched, &err) < 0)
        fail_msg("%s", err.msg);
    lrs_trial_cfg_json(&cfg, json, sizeof json);
    assert_string_equal(json, "{\"lr\": 0.05, \"optimizer\": \"sgd\", \"momentum\": 0.9, \"nesterov\": true, "
                              "\"scheduler\": \"step\", \"step_size\": 7, \"epochs\": 12}");
    assert_true(searched == 0);
    char *adam[] = {"optimizer=adam"};
    if (lrs_spec_config(spec, adam, 1, &cfg, &searched, &err) < 0)
        fail_msg("%s", err.msg);
    assert_int_equal(cfg.optim.kind, LRS_OPT_ADAM);
    assert_true(cfg.optim.beta2 == 0.99);
    assert_true(searched == (1ull << LRS_P_LR));
    /* A scheduler outside the space: step's fixed step_size does not apply. */
    char *cosine[] = {"scheduler=cosine", "optimizer=rmsprop"};
    if (lrs_spec_config(spec, cosine, 2, &cfg, &searched, &err) < 0)
        fail_msg("%s", err.msg);
    lrs_trial_cfg_json(&cfg, json, sizeof json);
    assert_string_equal(json, "{\"optimizer\": \"rmsprop\", \"scheduler\": \"cosine\", \"epochs\": 30}");
    assert_int_equal(cfg.sched.T_max, 30);   /* finalized: T_max defaults to epochs */
    /* Words are checked as on the command line, and so is the whole config. */
    char *bad[] = {"lr=-1"};
    assert_int_equal(lrs_spec_config(spec, bad, 1, &cfg, NULL, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "lr=-1"));
    char *foreign[] = {"optimizer=adam", "momentum=0.5"};
    assert_int_equal(lrs_spec_config(spec, foreign, 2, &cfg, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "momentum does not apply to optimizer adam"));
    char *unknown[] = {"learning_rate=0.1"};
    assert_int_equal(lrs_spec_config(spec, unknown, 1, &cfg, NULL, &err), -1);
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
        cmocka_unit_test(test_reference_example),
        cmocka_unit_test(test_space_hash),
        cmocka_unit_test(test_examples_load),
        cmocka_unit_test(test_settings_defaults),
        cmocka_unit_test(test_exec_settings),
        cmocka_unit_test(test_exec_placeholder_errors),
        cmocka_unit_test(test_exec_key_errors),
        cmocka_unit_test(test_exec_space_hash),
        cmocka_unit_test(test_spec_config),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
