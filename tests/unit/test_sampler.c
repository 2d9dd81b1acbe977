/* test_sampler.c — the trials a spec describes (lrs_spec_sample and the
 * random, grid and sobol samplers).
 *
 * Determinism and random access, distributions (Kolmogorov–Smirnov for
 * uniform and log-uniform, 3σ for branch frequencies), conditional activity,
 * the grid's size, order and completeness, Sobol's evenness against random
 * (L2-star discrepancy), the nesterov rule, agreement with the parameter
 * layer, and the JSON writer's numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/numfmt.h"
#include "common/params.h"
#include "common/rng.h"
#include "common/spec.h"

/* The search space of docs/spec.md's complete example, on synthetic data so no file is needed. */
#define EXAMPLE_SEARCH                                                                              \
    "search:\n"                                                                                   \
    "  lr: {log_uniform: [1.0e-5, 1.0]}\n"                                                        \
    "  epochs: 60\n"                                                                              \
    "  batch_size: {values: [16, 32, 64]}\n"                                                      \
    "  optimizer:\n"                                                                              \
    "    sgd: {momentum: {uniform: [0.0, 0.99]}, nesterov: {values: [false, true]}}\n"            \
    "    adam: {beta2: {values: [0.99, 0.999]}}\n"                                                \
    "  scheduler:\n"                                                                              \
    "    constant: {}\n"                                                                          \
    "    step: {step_size: {int_uniform: [5, 30]}, gamma: {uniform: [0.05, 0.9]}}\n"              \
    "    exponential: {gamma: {uniform: [0.85, 0.999]}}\n"                                        \
    "    cosine: {T_max: 60, eta_min: {log_uniform: [1.0e-7, 1.0e-3]}}\n"                         \
    "    onecycle: {max_lr: {log_uniform: [1.0e-3, 1.0]}, pct_start: {uniform: [0.1, 0.5]}}\n"

static lrs_spec_t *load(const char *text)
{
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    if (lrs_spec_parse("t.yaml", text, strlen(text), NULL, &spec, &err) < 0)
        fail_msg("spec does not load: %s", err.msg);
    return spec;
}

static lrs_spec_t *example_spec(const char *sampler, int seed)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name: t\nseed: %d\ntrials: 1000\nsampler: %s\nmodel: {type: synthetic}\n" EXAMPLE_SEARCH, seed,
             sampler);
    return load(text);
}

static void sample_ok(const lrs_spec_t *spec, uint64_t i, lrs_trial_cfg_t *cfg, uint64_t *seed)
{
    lrs_err_t err;
    if (lrs_spec_sample(spec, i, cfg, seed, &err) < 0)
        fail_msg("trial %llu: %s", (unsigned long long)i, err.msg);
}

static void line_of(const lrs_spec_t *spec, uint64_t i, char *buf, size_t size)
{
    lrs_trial_cfg_t cfg;
    uint64_t seed;
    sample_ok(spec, i, &cfg, &seed);
    int n = snprintf(buf, size, "%llu ", (unsigned long long)seed);
    assert_true(lrs_trial_cfg_json(&cfg, buf + n, size - (size_t)n) > 0);
}

static void test_same_seed_same_trials(void **state)
{
    (void)state;
    const char *samplers[] = {"random", "sobol"};
    for (int s = 0; s < 2; s++) {
        lrs_spec_t *a = example_spec(samplers[s], 7), *b = example_spec(samplers[s], 7);
        lrs_spec_t *other = example_spec(samplers[s], 8);
        int differ = 0;
        for (uint64_t i = 0; i < 2000; i++) {
            char la[1024], lb[1024], lo[1024];
            line_of(a, i, la, sizeof la);
            line_of(b, i, lb, sizeof lb);
            line_of(other, i, lo, sizeof lo);
            assert_string_equal(la, lb);
            differ += strcmp(la, lo) != 0;
        }
        printf("%s: seed 8 differs from seed 7 in %d of 2000 trials\n", samplers[s], differ);
        assert_true(differ >= 1990);
        lrs_spec_destroy(&a);
        lrs_spec_destroy(&b);
        lrs_spec_destroy(&other);
    }
}

/* Trial i alone, in any order, far out, equals trial i of a sequential run. */
static void test_random_access(void **state)
{
    (void)state;
    const char *samplers[] = {"random", "sobol"};
    for (int s = 0; s < 2; s++) {
        lrs_spec_t *spec = example_spec(samplers[s], 3);
        enum { N = 500 };
        static char forward[N][1024];
        for (uint64_t i = 0; i < N; i++)
            line_of(spec, 1000000 + i, forward[i], sizeof forward[i]);
        for (int i = N - 1; i >= 0; i -= 7) {
            char again[1024];
            line_of(spec, 1000000 + (uint64_t)i, again, sizeof again);
            assert_string_equal(again, forward[i]);
        }
        lrs_spec_destroy(&spec);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Kolmogorov–Smirnov statistic of sorted x[0..n) against U(0, 1). */
static double ks_uniform(double *x, int n)
{
    qsort(x, (size_t)n, sizeof *x, cmp_double);
    double d = 0;
    for (int i = 0; i < n; i++) {
        double lo = x[i] - (double)i / n, hi = (double)(i + 1) / n - x[i];
        d = fmax(d, fmax(lo, hi));
    }
    return d;
}

static void test_ks_uniform_and_log_uniform(void **state)
{
    (void)state;
    enum { N = 10000 };
    lrs_spec_t *spec = load("name: t\nseed: 11\ntrials: 10000\nmodel: {type: synthetic}\nsearch:\n"
                            "  lr: {log_uniform: [1.0e-5, 1.0]}\n  optimizer: sgd\n"
                            "  momentum: {uniform: [0.2, 0.99]}\n  epochs: {int_log_uniform: [1, 1000]}\n");
    double *lr = malloc(N * sizeof *lr), *mom = malloc(N * sizeof *mom);
    int low_epochs = 0;
    assert_non_null(lr);
    assert_non_null(mom);
    for (int i = 0; i < N; i++) {
        lrs_trial_cfg_t cfg;
        sample_ok(spec, (uint64_t)i, &cfg, NULL);
        assert_true(cfg.optim.lr >= 1e-5 && cfg.optim.lr <= 1.0);
        assert_true(cfg.optim.momentum >= 0.2 && cfg.optim.momentum <= 0.99);
        assert_true(cfg.epochs >= 1 && cfg.epochs <= 1000);
        lr[i] = (log(cfg.optim.lr) - log(1e-5)) / (log(1.0) - log(1e-5));   /* log space → [0,1] */
        mom[i] = (cfg.optim.momentum - 0.2) / (0.99 - 0.2);
        low_epochs += cfg.epochs < 10;
    }
    double d_lr = ks_uniform(lr, N), d_mom = ks_uniform(mom, N);
    double critical = 1.63 / sqrt((double)N);   /* alpha = 0.01 */
    /* int_log_uniform [1, 1000]: P(k < 10) = log(10) / log(1001). */
    double p10 = log(10.0) / log(1001.0), sigma = sqrt(N * p10 * (1 - p10));
    printf("KS D: log_uniform (log space) %.5f, uniform %.5f, critical %.5f; epochs < 10: %d "
           "(expected %.0f ± %.0f)\n",
           d_lr, d_mom, critical, low_epochs, N * p10, 3 * sigma);
    assert_true(d_lr < critical);
    assert_true(d_mom < critical);
    assert_true(fabs(low_epochs - N * p10) < 3 * sigma);
    free(lr);
    free(mom);
    lrs_spec_destroy(&spec);
}

static void test_branch_frequencies(void **state)
{
    (void)state;
    enum { N = 10000 };
    lrs_spec_t *spec = example_spec("random", 5);
    int opt[LRS_OPT_COUNT] = {0}, sched[LRS_SCHED_COUNT] = {0}, batch[65] = {0};
    for (int i = 0; i < N; i++) {
        lrs_trial_cfg_t cfg;
        sample_ok(spec, (uint64_t)i, &cfg, NULL);
        opt[cfg.optim.kind]++;
        sched[cfg.sched.kind]++;
        batch[cfg.batch_size]++;
    }
    struct { const char *name; int count; double p; } cases[] = {
        {"sgd", opt[LRS_OPT_SGD], 0.5},           {"adam", opt[LRS_OPT_ADAM], 0.5},
        {"constant", sched[LRS_SCHED_CONSTANT], 0.2}, {"step", sched[LRS_SCHED_STEP], 0.2},
        {"exponential", sched[LRS_SCHED_EXPONENTIAL], 0.2}, {"cosine", sched[LRS_SCHED_COSINE], 0.2},
        {"onecycle", sched[LRS_SCHED_ONECYCLE], 0.2}, {"batch 16", batch[16], 1.0 / 3},
        {"batch 32", batch[32], 1.0 / 3},          {"batch 64", batch[64], 1.0 / 3},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double mean = N * cases[k].p, sigma = sqrt(N * cases[k].p * (1 - cases[k].p));
        printf("%-12s %5d (expected %.0f ± %.0f)\n", cases[k].name, cases[k].count, mean, 3 * sigma);
        assert_true(fabs(cases[k].count - mean) <= 3 * sigma);
    }
    assert_int_equal(opt[LRS_OPT_ADAMW] + opt[LRS_OPT_RMSPROP] + opt[LRS_OPT_ADAGRAD], 0);
    lrs_spec_destroy(&spec);
}

#define BIT(p) (1ULL << (p))

/* Exactly the parameters of the branches taken, never another one. */
static void test_inactive_never_present(void **state)
{
    (void)state;
    const char *samplers[] = {"random", "sobol"};
    for (int s = 0; s < 2; s++) {
        lrs_spec_t *spec = example_spec(samplers[s], 9);
        for (uint64_t i = 0; i < 5000; i++) {
            lrs_trial_cfg_t cfg;
            sample_ok(spec, i, &cfg, NULL);
            uint64_t want = BIT(LRS_P_LR) | BIT(LRS_P_EPOCHS) | BIT(LRS_P_BATCH_SIZE) | BIT(LRS_P_OPTIMIZER) |
                            BIT(LRS_P_SCHEDULER);
            if (cfg.optim.kind == LRS_OPT_SGD)
                want |= BIT(LRS_P_MOMENTUM) | BIT(LRS_P_NESTEROV);
            else
                want |= BIT(LRS_P_BETA2);
            switch (cfg.sched.kind) {
            case LRS_SCHED_STEP: want |= BIT(LRS_P_STEP_SIZE) | BIT(LRS_P_GAMMA); break;
            case LRS_SCHED_EXPONENTIAL: want |= BIT(LRS_P_GAMMA); break;
            case LRS_SCHED_COSINE: want |= BIT(LRS_P_T_MAX) | BIT(LRS_P_ETA_MIN); break;
            case LRS_SCHED_ONECYCLE: want |= BIT(LRS_P_MAX_LR) | BIT(LRS_P_PCT_START); break;
            default: break;
            }
            if (cfg.set_mask != want)
                fail_msg("%s trial %llu: set_mask %llx, expected %llx", samplers[s], (unsigned long long)i,
                         (unsigned long long)cfg.set_mask, (unsigned long long)want);
            const lrs_param_info_t *table = lrs_param_table();
            for (int id = 0; id < LRS_P_COUNT; id++)
                if ((cfg.set_mask >> id) & 1u)
                    assert_true(lrs_param_active(&table[id], &cfg));
            char json[1024];
            assert_true(lrs_trial_cfg_json(&cfg, json, sizeof json) > 0);
            if (cfg.optim.kind != LRS_OPT_SGD)
                assert_null(strstr(json, "momentum"));
            if (cfg.sched.kind == LRS_SCHED_STEP) {
                assert_true(cfg.sched.step_size >= 5 && cfg.sched.step_size <= 30);
                assert_true(cfg.sched.gamma >= 0.05 && cfg.sched.gamma <= 0.9);
            }
        }
        lrs_spec_destroy(&spec);
    }
}

/* Every sampled config survives the parameter layer's own path: its values
 * as text through lrs_trial_cfg_set, then finalize, give the same config. */
static void test_agrees_with_params_layer(void **state)
{
    (void)state;
    lrs_spec_t *spec = load("name: t\nseed: 2\ntrials: 100\nmodel: {type: synthetic}\nsearch:\n"
                            "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer:\n"
                            "    rmsprop: {alpha: {uniform: [0.9, 0.999]}, centered: {values: [false, true]}}\n"
                            "    adagrad: {eps: {log_uniform: [1.0e-10, 1.0e-6]}}\n  scheduler:\n"
                            "    multistep: {milestones: {values: [[5, 10], [8, 16, 24]]}}\n"
                            "    plateau: {mode: max, patience: {int_uniform: [0, 10]}}\n");
    const lrs_param_info_t *table = lrs_param_table();
    int multistep = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        lrs_trial_cfg_t cfg, again;
        lrs_err_t err;
        sample_ok(spec, i, &cfg, NULL);
        lrs_trial_cfg_init(&again);
        for (int id = 0; id < LRS_P_COUNT; id++) {
            if (!((cfg.set_mask >> id) & 1u))
                continue;
            char text[512];
            lrs_trial_cfg_format(&cfg, (lrs_param_id_t)id, text, sizeof text);
            if (lrs_trial_cfg_set(&again, table[id].name, text, &err) < 0)
                fail_msg("trial %llu: %s", (unsigned long long)i, err.msg);
        }
        if (lrs_trial_cfg_finalize(&again, &err) < 0)
            fail_msg("trial %llu: %s", (unsigned long long)i, err.msg);
        assert_memory_equal(&cfg, &again, sizeof cfg);
        multistep += cfg.sched.kind == LRS_SCHED_MULTISTEP;
    }
    assert_true(multistep > 800 && multistep < 1200);
    lrs_spec_destroy(&spec);
}

static void test_grid_order_and_size(void **state)
{
    (void)state;
    /* Nodes in parameter-table order (lr, optimizer, batch_size), the last
     * fastest; optimizer's digits run through sgd's sub-grid, then adam. */
    lrs_spec_t *spec = load("name: g\nsampler: grid\nmodel: {type: synthetic}\nsearch:\n"
                            "  batch_size: {values: [16, 32]}\n"
                            "  optimizer: {adam: {}, sgd: {momentum: {values: [0.0, 0.9]}}}\n"
                            "  lr: {log_uniform: [1.0e-4, 1.0], grid: 3}\n");
    assert_int_equal(lrs_spec_trial_count(spec), 3 * (2 + 1) * 2);
    const char *want[] = {
        "{\"lr\": 0.0001, \"optimizer\": \"sgd\", \"momentum\": 0.0, \"batch_size\": 16}",
        "{\"lr\": 0.0001, \"optimizer\": \"sgd\", \"momentum\": 0.0, \"batch_size\": 32}",
        "{\"lr\": 0.0001, \"optimizer\": \"sgd\", \"momentum\": 0.9, \"batch_size\": 16}",
        "{\"lr\": 0.0001, \"optimizer\": \"sgd\", \"momentum\": 0.9, \"batch_size\": 32}",
        "{\"lr\": 0.0001, \"optimizer\": \"adam\", \"batch_size\": 16}",
        "{\"lr\": 0.0001, \"optimizer\": \"adam\", \"batch_size\": 32}",
    };
    for (uint64_t i = 0; i < 6; i++) {
        lrs_trial_cfg_t cfg;
        char json[512];
        sample_ok(spec, i, &cfg, NULL);
        lrs_trial_cfg_json(&cfg, json, sizeof json);
        assert_string_equal(json, want[i]);
    }
    lrs_trial_cfg_t cfg;
    sample_ok(spec, 6, &cfg, NULL);
    assert_true(fabs(cfg.optim.lr - 0.01) < 1e-15);
    sample_ok(spec, 17, &cfg, NULL);
    assert_true(cfg.optim.lr == 1.0 && cfg.optim.kind == LRS_OPT_ADAM && cfg.batch_size == 32);
    lrs_err_t err;
    assert_int_equal(lrs_spec_sample(spec, 18, &cfg, NULL, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    lrs_spec_destroy(&spec);
}

/* A nested grid: the size is the sum over branches of products, and every
 * trial is different (so all combinations appear). */
static void test_grid_complete(void **state)
{
    (void)state;
    lrs_spec_t *spec = load("name: g\nsampler: grid\ntrials: 3\nmodel: {type: synthetic}\nsearch:\n"
                            "  lr: {values: [0.1, 0.01]}\n  epochs: {int_uniform: [10, 12]}\n"
                            "  optimizer:\n"
                            "    sgd: {momentum: {uniform: [0.5, 0.9], grid: 3}, nesterov: {values: [false, true]}}\n"
                            "    adam:\n      beta1: {values: [0.8, 0.9]}\n      scheduler:\n"
                            "        step: {step_size: {int_log_uniform: [1, 100], grid: 3}}\n"
                            "        cosine: {eta_min: {uniform: [0, 0.001], grid: 2}}\n");
    /* sgd 3·2 = 6; adam 2·(3 + 2) = 10; times lr 2 and epochs 3. */
    uint64_t n = lrs_spec_trial_count(spec);
    assert_int_equal(n, 2 * 3 * (6 + 10));
    char **lines = calloc(n, sizeof *lines);
    assert_non_null(lines);
    int step_sizes[101] = {0};
    for (uint64_t i = 0; i < n; i++) {
        lrs_trial_cfg_t cfg;
        char json[512];
        sample_ok(spec, i, &cfg, NULL);
        lrs_trial_cfg_json(&cfg, json, sizeof json);
        lines[i] = strdup(json);
        if (cfg.sched.kind == LRS_SCHED_STEP)
            step_sizes[cfg.sched.step_size]++;
    }
    qsort(lines, n, sizeof *lines, (int (*)(const void *, const void *))strcmp);
    for (uint64_t i = 0; i + 1 < n; i++)
        assert_true(strcmp(lines[i], lines[i + 1]) != 0);
    for (uint64_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    /* int_log_uniform grid of 3 on [1, 100]: 1, 10, 100. */
    assert_true(step_sizes[1] > 0 && step_sizes[10] > 0 && step_sizes[100] > 0);
    assert_int_equal(step_sizes[1] + step_sizes[10] + step_sizes[100], 2 * 3 * 2 * 3);
    lrs_spec_destroy(&spec);
}

/* Grid points of ranges: both ends exact, log spacing, `grid: 1` the
 * midpoint, integer points rounded and deduplicated. */
static void test_grid_points(void **state)
{
    (void)state;
    lrs_spec_t *spec = load("name: g\nsampler: grid\nmodel: {type: synthetic}\nsearch:\n"
                            "  lr: {log_uniform: [1.0e-6, 1.0e-2], grid: 1}\n"
                            "  optimizer: sgd\n  momentum: {uniform: [0.1, 0.3], grid: 5}\n"
                            "  epochs: {int_log_uniform: [1, 10], grid: 10}\n");
    /* epochs: round(10^(k/9)) = 1 1 2 2 3 4 5 6 8 10 → 8 distinct. */
    const int want_epochs[] = {1, 2, 3, 4, 5, 6, 8, 10};
    assert_int_equal(lrs_spec_trial_count(spec), 5 * 8);
    for (uint64_t i = 0; i < 40; i++) {
        lrs_trial_cfg_t cfg;
        sample_ok(spec, i, &cfg, NULL);
        assert_true(fabs(cfg.optim.lr - 1e-4) < 1e-18);
        double want_m = 0.1 + 0.05 * (double)(i / 8);
        assert_true(fabs(cfg.optim.momentum - want_m) < 1e-15);
        assert_int_equal(cfg.epochs, want_epochs[i % 8]);
        if (i / 8 == 4)
            assert_true(cfg.optim.momentum == 0.3);   /* the written end, exactly */
    }
    lrs_spec_destroy(&spec);
}

/* L2-star discrepancy of n points in [0,1)^2 (Warnock's formula). */
static double l2_star(const double (*x)[2], int n)
{
    double sum1 = 0, sum2 = 0;
    for (int i = 0; i < n; i++) {
        sum1 += (1 - x[i][0] * x[i][0]) * (1 - x[i][1] * x[i][1]);
        for (int j = 0; j < n; j++)
            sum2 += (1 - fmax(x[i][0], x[j][0])) * (1 - fmax(x[i][1], x[j][1]));
    }
    return sqrt(1.0 / 9 - sum1 / (2.0 * n) + sum2 / ((double)n * n));
}

static double sampled_discrepancy(const char *sampler, int seed)
{
    enum { N = 256 };
    char text[512];
    snprintf(text, sizeof text,
             "name: s\nseed: %d\ntrials: 256\nsampler: %s\nmodel: {type: synthetic}\nsearch:\n"
             "  lr: {log_uniform: [1.0e-4, 1.0]}\n  optimizer: sgd\n  momentum: {uniform: [0.0, 0.99]}\n",
             seed, sampler);
    lrs_spec_t *spec = load(text);
    static double x[N][2];
    for (int i = 0; i < N; i++) {
        lrs_trial_cfg_t cfg;
        sample_ok(spec, (uint64_t)i, &cfg, NULL);
        x[i][0] = (log(cfg.optim.lr) - log(1e-4)) / (0 - log(1e-4));   /* log parameters in log space */
        x[i][1] = cfg.optim.momentum / 0.99;
    }
    lrs_spec_destroy(&spec);
    return l2_star((const double (*)[2])x, N);
}

static void test_sobol_more_even_than_random(void **state)
{
    (void)state;
    enum { SEEDS = 20 };
    double sob[SEEDS], rnd[SEEDS];
    for (int s = 0; s < SEEDS; s++) {
        sob[s] = sampled_discrepancy("sobol", s + 1);
        rnd[s] = sampled_discrepancy("random", s + 1);
    }
    qsort(sob, SEEDS, sizeof *sob, cmp_double);
    qsort(rnd, SEEDS, sizeof *rnd, cmp_double);
    double rnd_median = 0.5 * (rnd[SEEDS / 2 - 1] + rnd[SEEDS / 2]);
    printf("L2-star discrepancy of 256 points, 20 seeds: sobol median %.5f worst %.5f; random median "
           "%.5f best %.5f\n",
           0.5 * (sob[SEEDS / 2 - 1] + sob[SEEDS / 2]), sob[SEEDS - 1], rnd_median, rnd[0]);
    assert_true(sob[SEEDS - 1] < rnd_median);   /* every sobol seed beats random's median */
}

static void test_nesterov_rule(void **state)
{
    (void)state;
    lrs_spec_t *spec = load("name: n\nseed: 1\ntrials: 200\nmodel: {type: synthetic}\nsearch:\n"
                            "  optimizer:\n    sgd: {momentum: {values: [0.0, 0.9]}, nesterov: true}\n");
    int with = 0, without = 0;
    for (uint64_t i = 0; i < 200; i++) {
        lrs_trial_cfg_t cfg;
        sample_ok(spec, i, &cfg, NULL);
        assert_true((cfg.set_mask >> LRS_P_NESTEROV) & 1u);
        if (cfg.optim.momentum > 0) {
            assert_int_equal(cfg.optim.nesterov, 1);
            with++;
        } else {
            assert_int_equal(cfg.optim.nesterov, 0);
            without++;
        }
    }
    assert_true(with > 50 && without > 50);
    lrs_spec_destroy(&spec);
}

static void test_trial_seeds(void **state)
{
    (void)state;
    lrs_spec_t *spec = example_spec("random", 7);
    uint64_t prev = UINT64_MAX;
    for (uint64_t i = 0; i < 1000; i++) {
        lrs_trial_cfg_t cfg;
        uint64_t seed;
        sample_ok(spec, i, &cfg, &seed);
        assert_true(seed < (1ULL << 53));
        assert_true(seed == lrs_spec_trial_seed(spec, i));
        assert_true(seed == (lrs_rng_key(7, i, LRS_RNG_TRIAL_SEED) & ((1ULL << 53) - 1)));
        assert_true(seed != prev);
        prev = seed;
    }
    lrs_spec_destroy(&spec);
}

static void test_number_format(void **state)
{
    (void)state;
    struct { double v; const char *text; } known[] = {
        {0.001, "0.001"}, {0.1, "0.1"}, {1e-05, "1e-05"}, {60.0, "60.0"}, {1.5e16, "1.5e+16"},
        {123456.789, "123456.789"}, {1e-07, "1e-07"}, {0.00012, "0.00012"}, {0.0, "0.0"},
        {-2.5, "-2.5"}, {0.999, "0.999"}, {1e22, "1e+22"}, {3.0e-300, "3e-300"}, {-1.25e-200, "-1.25e-200"},
    };
    char buf[40];
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        assert_true(lrs_fmt_number(known[k].v, buf, sizeof buf) > 0);
        assert_string_equal(buf, known[k].text);
    }
    /* Every number reads back as exactly the same double. */
    lrs_rng_t rng;
    lrs_rng_init(&rng, 12345);
    int longest = 0;
    for (int i = 0; i < 200000; i++) {
        double v = i % 2 ? exp(lrs_rng_uniform(&rng) * 60 - 30)       /* 1e-13 .. 1e13 */
                         : exp(lrs_rng_uniform(&rng) * 1400 - 700);   /* almost all exponents */
        if (i % 3 == 0)
            v = -v;
        int n = lrs_fmt_number(v, buf, sizeof buf);
        assert_true(n > 0);
        longest = n > longest ? n : longest;
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) != 0)
            fail_msg("%.17g written as %s reads back as %.17g", v, buf, back);
    }
    printf("200000 numbers round-trip; longest %d characters\n", longest);
    /* And they are (nearly always) the shortest: count significant digits
     * against the fewest that printf needs to round-trip. */
    int longer = 0, total = 20000;
    for (int i = 0; i < total; i++) {
        double v = exp(lrs_rng_uniform(&rng) * 40 - 25);
        char ref[40];
        int p = 1;
        for (; p < 17; p++) {
            snprintf(ref, sizeof ref, "%.*e", p - 1, v);
            if (strtod(ref, NULL) == v)
                break;
        }
        lrs_fmt_number(v, buf, sizeof buf);
        int digits = 0, leading = 1;
        for (const char *c = buf; *c && *c != 'e'; c++) {
            if (*c >= '1' && *c <= '9')
                leading = 0;
            if (*c >= '0' && *c <= '9' && !leading)
                digits++;
        }
        /* trailing zeros of the integer part ("60.0") are not significant */
        if (strchr(buf, '.') && !strchr(buf, 'e') && strstr(buf, ".0") && buf[strlen(buf) - 1] == '0' &&
            strlen(strchr(buf, '.')) == 2)
            digits--;
        longer += digits > p;
    }
    printf("%d of %d numbers longer than the shortest round-trip form\n", longer, total);
    assert_true(longer < total / 50);
    assert_int_equal(lrs_fmt_number(0.1, buf, 3), -1);
}

/* The params JSON parses and carries the config's values exactly. */
static void test_params_json(void **state)
{
    (void)state;
    lrs_spec_t *spec = load("name: j\nseed: 4\ntrials: 100\nmodel: {type: synthetic}\nsearch:\n"
                            "  lr: {log_uniform: [1.0e-6, 1.0]}\n  optimizer:\n"
                            "    sgd: {momentum: {uniform: [0.1, 0.9]}, nesterov: {values: [false, true]}}\n"
                            "  scheduler: {multistep: {milestones: [30, 60, 80], gamma: 0.5}}\n");
    for (uint64_t i = 0; i < 300; i++) {
        lrs_trial_cfg_t cfg;
        char text[1024];
        sample_ok(spec, i, &cfg, NULL);
        int n = lrs_trial_cfg_json(&cfg, text, sizeof text);
        assert_int_equal(n, (int)strlen(text));
        assert_int_equal(lrs_trial_cfg_json(&cfg, text, (size_t)n), -1);   /* too small: refused */
        lrs_trial_cfg_json(&cfg, text, sizeof text);
        json_error_t jerr;
        json_t *o = json_loads(text, 0, &jerr);
        if (!o)
            fail_msg("%s: %s", text, jerr.text);
        assert_true(json_real_value(json_object_get(o, "lr")) == cfg.optim.lr);
        assert_true(json_real_value(json_object_get(o, "momentum")) == cfg.optim.momentum);
        assert_true(json_is_boolean(json_object_get(o, "nesterov")));
        assert_string_equal(json_string_value(json_object_get(o, "optimizer")), "sgd");
        assert_string_equal(json_string_value(json_object_get(o, "scheduler")), "multistep");
        json_t *ms = json_object_get(o, "milestones");
        assert_int_equal(json_array_size(ms), 3);
        assert_int_equal(json_integer_value(json_array_get(ms, 2)), 80);
        assert_true(json_real_value(json_object_get(o, "gamma")) == 0.5);
        assert_int_equal(json_object_size(o), 7);
        json_decref(o);
    }
    lrs_spec_destroy(&spec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_trials),
        cmocka_unit_test(test_random_access),
        cmocka_unit_test(test_ks_uniform_and_log_uniform),
        cmocka_unit_test(test_branch_frequencies),
        cmocka_unit_test(test_inactive_never_present),
        cmocka_unit_test(test_agrees_with_params_layer),
        cmocka_unit_test(test_grid_order_and_size),
        cmocka_unit_test(test_grid_complete),
        cmocka_unit_test(test_grid_points),
        cmocka_unit_test(test_sobol_more_even_than_random),
        cmocka_unit_test(test_nesterov_rule),
        cmocka_unit_test(test_trial_seeds),
        cmocka_unit_test(test_number_format),
        cmocka_unit_test(test_params_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
