/* test_repro.c — common/repro.c against the parameter table: every
 * optimizer and scheduler gets its torch class, every optimizer and
 * scheduler parameter the table lists shows up as its keyword argument
 * when given (beta1/beta2 as betas), warm-up as SequentialLR, lrsweep's
 * own conventions written out (T_max, max_lr, total_steps), and the train
 * line carries every given parameter as lrs_trial_cfg_format writes it,
 * quoting only what the shell would misread.  (That the lines really
 * reproduce a trial — the score bit for bit, torch's lr epoch by epoch — is
 * tests/integration/test_report.sh's.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/params.h"
#include "common/repro.h"
#include "common/strbuf.h"

static const char *const optim_class[] = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad"};
static const char *const sched_class[] = {
    "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "LinearLR", "OneCycleLR", "PolynomialLR",
    "ReduceLROnPlateau"};

/* A value the table accepts for p, as text. */
static void valid_value(const lrs_param_info_t *p, char *buf, size_t size)
{
    switch (p->type) {
    case LRS_PT_INT_LIST: snprintf(buf, size, "2,4"); break;
    case LRS_PT_CHOICE: snprintf(buf, size, "%s", p->choices[p->choices[1] ? 1 : 0]); break;
    case LRS_PT_BOOL: snprintf(buf, size, "true"); break;
    case LRS_PT_INT: snprintf(buf, size, "%d", (int)p->lo + 1); break;
    default:
        snprintf(buf, size, "%.17g", isfinite(p->hi) ? (p->lo + p->hi) / 2 : p->lo + 0.375);
    }
}

/* cfg: optimizer o, scheduler s, their required parameters, then word
 * (NULL: none); 0 when it finalizes. */
static int make(lrs_trial_cfg_t *cfg, int o, int s, const char *word)
{
    char buf[128];
    lrs_err_t err;
    lrs_trial_cfg_init(cfg);
    snprintf(buf, sizeof buf, "optimizer=%s", lrs_optimizer_name((lrs_optimizer_t)o));
    assert_int_equal(lrs_trial_cfg_assign(cfg, buf, &err), 0);
    snprintf(buf, sizeof buf, "scheduler=%s", lrs_scheduler_name((lrs_scheduler_t)s));
    assert_int_equal(lrs_trial_cfg_assign(cfg, buf, &err), 0);
    assert_int_equal(lrs_trial_cfg_assign(cfg, "lr=0.05", &err), 0);
    assert_int_equal(lrs_trial_cfg_assign(cfg, "epochs=20", &err), 0);
    const lrs_param_info_t *t = lrs_param_table();
    for (int id = 0; id < LRS_P_COUNT; id++)
        if ((t[id].required >> s) & 1) {
            int n = snprintf(buf, sizeof buf, "%s=", t[id].name);
            valid_value(&t[id], buf + n, sizeof buf - (size_t)n);
            assert_int_equal(lrs_trial_cfg_assign(cfg, buf, &err), 0);
        }
    if (word && lrs_trial_cfg_assign(cfg, word, &err) < 0)
        return -1;
    if (word && strncmp(word, "nesterov=", 9) == 0)
        assert_int_equal(lrs_trial_cfg_assign(cfg, "momentum=0.9", &err), 0);
    return lrs_trial_cfg_finalize(cfg, &err);
}

static char *torch_of(const lrs_trial_cfg_t *cfg)
{
    lrs_strbuf_t b = {0};
    assert_int_equal(lrs_repro_torch(cfg, &b), 0);
    return b.p;
}

static void test_classes(void **state)
{
    (void)state;
    for (int o = 0; o < LRS_OPT_COUNT; o++)
        for (int s = 0; s < LRS_SCHED_COUNT; s++) {
            lrs_trial_cfg_t cfg;
            assert_int_equal(make(&cfg, o, s, NULL), 0);
            char *py = torch_of(&cfg), want[128];
            snprintf(want, sizeof want, "opt = torch.optim.%s(params, lr=0.05", optim_class[o]);
            assert_non_null(strstr(py, want));
            snprintf(want, sizeof want, "sched = torch.optim.lr_scheduler.%s(opt", sched_class[s]);
            if (!strstr(py, want))
                fail_msg("%s/%s: no %s in\n%s", lrs_optimizer_name((lrs_optimizer_t)o),
                         lrs_scheduler_name((lrs_scheduler_t)s), want, py);
            assert_non_null(strstr(py, "# 20 epochs, full batch;"));
            assert_non_null(strstr(py, s == LRS_SCHED_PLATEAU ? "sched.step(val_loss)" : "sched.step()"));
            free(py);
        }
}

/* Every optimizer and scheduler parameter of the table, given, appears as
 * its keyword (betas for beta1/beta2). */
static void test_every_parameter(void **state)
{
    (void)state;
    const lrs_param_info_t *t = lrs_param_table();
    int covered = 0;
    for (int id = 0; id < LRS_P_COUNT; id++) {
        const lrs_param_info_t *p = &t[id];
        if (p->branch == LRS_BR_GLOBAL)
            continue;
        int o = 0, s = 0;
        if (p->branch == LRS_BR_OPTIMIZER)
            while (!((p->applies >> o) & 1))
                o++;
        else
            while (!((p->applies >> s) & 1))
                s++;
        char word[128];
        int n = snprintf(word, sizeof word, "%s=", p->name);
        valid_value(p, word + n, sizeof word - (size_t)n);
        lrs_trial_cfg_t cfg;
        if (make(&cfg, o, s, word) != 0)
            fail_msg("%s does not finalize", word);
        char *py = torch_of(&cfg), want[160], value[96];
        lrs_trial_cfg_format(&cfg, p->id, value, sizeof value);
        if (p->id == LRS_P_BETA1 || p->id == LRS_P_BETA2)
            snprintf(want, sizeof want, "betas=(");
        else if (p->type == LRS_PT_CHOICE)
            snprintf(want, sizeof want, ", %s='%s'", p->name, value);
        else if (p->type == LRS_PT_BOOL)
            snprintf(want, sizeof want, ", %s=True", p->name);
        else if (p->type == LRS_PT_INT_LIST)
            snprintf(want, sizeof want, ", %s=[%s]", p->name, value);
        else
            snprintf(want, sizeof want, ", %s=%s", p->name, value);
        if (!strstr(py, want))
            fail_msg("%s: no '%s' in\n%s", word, want, py);
        free(py);
        covered++;
    }
    printf("torch lines: %d optimizer and scheduler parameters\n", covered);
    assert_true(covered >= 30);
}

static void test_conventions(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    assert_int_equal(make(&cfg, LRS_OPT_SGD, LRS_SCHED_COSINE, NULL), 0);
    char *py = torch_of(&cfg);
    assert_non_null(strstr(py, "CosineAnnealingLR(opt, T_max=20)"));
    free(py);
    assert_int_equal(make(&cfg, LRS_OPT_ADAM, LRS_SCHED_ONECYCLE, NULL), 0);
    py = torch_of(&cfg);
    assert_non_null(strstr(py, "OneCycleLR(opt, max_lr=0.05, total_steps=20, three_phase=False)"));
    free(py);
    assert_int_equal(make(&cfg, LRS_OPT_SGD, LRS_SCHED_CONSTANT, NULL), 0);
    py = torch_of(&cfg);
    assert_non_null(strstr(py, "LambdaLR(opt, lambda epoch: 1.0)"));
    free(py);
    assert_int_equal(make(&cfg, LRS_OPT_SGD, LRS_SCHED_STEP, "warmup_epochs=3"), 0);
    py = torch_of(&cfg);
    assert_non_null(strstr(py, "warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor="));
    assert_non_null(strstr(py, "end_factor=1.0, total_iters=3)\nmain = torch.optim.lr_scheduler.StepLR(opt"));
    assert_non_null(strstr(py, "SequentialLR(opt, [warm, main], milestones=[3])"));
    free(py);
    /* a config without lr and optimizer: a command's own */
    lrs_trial_cfg_init(&cfg);
    lrs_err_t err;
    assert_int_equal(lrs_trial_cfg_finalize(&cfg, &err), 0);
    py = torch_of(&cfg);
    assert_null(strstr(py, "torch.optim."));
    assert_non_null(strstr(py, "# no optimizer parameter was searched"));
    free(py);
}

static void test_train_line(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    assert_int_equal(make(&cfg, LRS_OPT_SGD, LRS_SCHED_MULTISTEP, "momentum=0.25"), 0);
    lrs_strbuf_t b = {0};
    assert_int_equal(lrs_repro_train_line(&cfg, "my sweeps/w.yaml", 123456789012345ULL, &b), 0);
    const char *want = "lrsweep train --spec 'my sweeps/w.yaml' --seed 123456789012345 lr=0.05 "
                       "optimizer=sgd momentum=0.25 scheduler=multistep milestones=2,4 epochs=20";
    if (strcmp(b.p, want) != 0)
        fail_msg("train line\n  %s\nwant\n  %s", b.p, want);
    free(b.p);
    /* every given parameter, as the table formats it */
    const lrs_param_info_t *t = lrs_param_table();
    b = (lrs_strbuf_t){0};
    assert_int_equal(lrs_repro_train_line(&cfg, "w.yaml", 0, &b), 0);
    for (int id = 0; id < LRS_P_COUNT; id++) {
        char word[160];
        int n = snprintf(word, sizeof word, " %s=", t[id].name);
        lrs_trial_cfg_format(&cfg, (lrs_param_id_t)id, word + n, sizeof word - (size_t)n);
        int given = (int)((cfg.set_mask >> id) & 1);
        assert_int_equal(strstr(b.p, word) != NULL, given);
    }
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_every_parameter),
        cmocka_unit_test(test_conventions),
        cmocka_unit_test(test_train_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
