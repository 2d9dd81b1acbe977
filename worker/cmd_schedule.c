/* cmd_schedule.c — `lrsweep schedule`: print the learning rate of every epoch
 * that a scheduler configuration gives, exactly as the training engine would
 * apply it (worker/sched.h), so a schedule can be inspected or plotted before
 * a sweep spends time on it.
 *
 * Parameters are the trial's own `name=value` words (common/params.h), parsed
 * and finalized by the same code the engine and the spec loader use.
 * plateau reacts to validation losses, which come from a file.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/numfmt.h"
#include "common/params.h"
#include "worker/sched.h"

static const char *const scheduler_about[LRS_SCHED_COUNT] = {
    "LR fixed at lr",
    "StepLR: lr x gamma every step_size epochs",
    "MultiStepLR: lr x gamma at each milestone epoch",
    "ExponentialLR: lr x gamma every epoch",
    "CosineAnnealingLR: cosine from lr down to eta_min in T_max epochs, back up after",
    "CosineAnnealingWarmRestarts: cosine restarting after T_0, T_0*T_mult, ... epochs",
    "LinearLR: lr x a factor moving linearly from start_factor to end_factor",
    "OneCycleLR over `epochs` steps: max_lr/div_factor up to max_lr, then down",
    "PolynomialLR: lr x (1 - epoch/total_iters)^power",
    "ReduceLROnPlateau: lr x factor when the --val-losses stop improving",
};

/* The default of parameter p under scheduler kind, as finalize fills it. */
static void describe_default(const lrs_param_info_t *p, lrs_scheduler_t kind, char *buf, size_t size)
{
    if ((p->required >> kind) & 1u) {
        snprintf(buf, size, "required");
        return;
    }
    if (p->id == LRS_P_T_MAX) {
        snprintf(buf, size, "epochs");
        return;
    }
    if (p->id == LRS_P_MAX_LR) {
        snprintf(buf, size, "lr");
        return;
    }
    lrs_trial_cfg_t cfg;
    lrs_trial_cfg_init(&cfg);
    cfg.sched.kind = kind;
    /* Placeholders for the required parameters so finalize fills the rest. */
    if (kind == LRS_SCHED_STEP)
        lrs_trial_cfg_set(&cfg, "step_size", "1", NULL);
    if (kind == LRS_SCHED_MULTISTEP)
        lrs_trial_cfg_set(&cfg, "milestones", "1", NULL);
    if (kind == LRS_SCHED_COSINE_WARM_RESTARTS)
        lrs_trial_cfg_set(&cfg, "T_0", "1", NULL);
    if (kind == LRS_SCHED_EXPONENTIAL)
        lrs_trial_cfg_set(&cfg, "gamma", "0.5", NULL);
    cfg.set_mask |= 1ull << LRS_P_SCHEDULER;
    if (lrs_trial_cfg_finalize(&cfg, NULL) < 0) {
        snprintf(buf, size, "?");
        return;
    }
    if (p->type == LRS_PT_FLOAT) {
        double v;
        memcpy(&v, (const char *)&cfg + p->offset, sizeof v);
        snprintf(buf, size, "%g", v);
    } else {
        lrs_trial_cfg_format(&cfg, p->id, buf, size);
    }
}

static void print_help(void)
{
    printf("usage: lrsweep schedule [scheduler=NAME] [lr=X] [PARAM=VALUE ...] [--epochs N]\n"
           "                        [--val-losses FILE]\n\n"
           "Prints the learning rate of every epoch as the training engine applies it:\n"
           "one 'EPOCH LR' line for epoch 1..N, LR as %%.9g.  Schedulers follow PyTorch\n"
           "1.13's torch.optim.lr_scheduler stepped once per epoch; the LR of epoch e is\n"
           "get_last_lr() after e-1 calls of step().\n\n"
           "options:\n"
           "  --epochs N         epochs to print (default: the epochs word, else 100).\n"
           "                     An epochs=N word is accepted too; given both, they must agree.\n"
           "  --val-losses FILE  plateau only, and required for it: one validation loss per\n"
           "                     line; line e is the loss passed to the scheduler after epoch\n"
           "                     e, so N-1 lines are needed; every line must be a number\n"
           "                     (nan and inf are taken as given, as torch would).\n"
           "  -h, --help         this text\n\n"
           "general parameters:\n"
           "  scheduler=NAME     default constant\n"
           "  lr=X               base learning rate, default 0.01 (onecycle: max_lr defaults\n"
           "                     to lr, and epoch 1 runs at max_lr/div_factor, as in torch)\n"
           "  epochs=N           default 100\n"
           "  warmup_epochs=W    default 0: with W > 0, SequentialLR([LinearLR(\n"
           "                     warmup_start_factor, 1.0, W), scheduler], milestones=[W]);\n"
           "                     W < epochs; not with plateau\n"
           "  warmup_start_factor=F  default 1/3\n"
           "  Optimizer parameters (optimizer=, momentum=, ...) are checked and ignored, so a\n"
           "  trial's whole word list can be pasted.\n\n"
           "schedulers and their parameters (default in brackets):\n");
    const lrs_param_info_t *table = lrs_param_table();
    for (int k = 0; k < LRS_SCHED_COUNT; k++) {
        printf("  %s\n      %s\n     ", lrs_scheduler_name((lrs_scheduler_t)k), scheduler_about[k]);
        int any = 0, col = 5;
        for (int i = 0; i < LRS_P_COUNT; i++) {
            const lrs_param_info_t *p = &table[i];
            if (p->branch != LRS_BR_SCHEDULER || !((p->applies >> k) & 1u))
                continue;
            char def[64], item[128];
            describe_default(p, (lrs_scheduler_t)k, def, sizeof def);
            int n = snprintf(item, sizeof item, " %s [%s]", p->name, def);
            if (col + n > 79) {
                printf("\n     ");
                col = 5;
            }
            printf("%s", item);
            col += n;
            any = 1;
        }
        if (!any)
            printf(" (no parameters)");
        printf("\n");
    }
    printf("\n'lrsweep params' explains every parameter and its range.\n"
           "exit status: 0 ok, 1 output failure, 2 usage or input error\n");
}

/* Reads the first `need` losses of path (one per line) into out; every line
 * of the file must be a number.  Errors name path:line:column. */
static int read_losses(const char *path, double *out, long need, lrs_err_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
    int rc = -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long n = 0, lineno = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                           line[len - 1] == '\t'))
            line[--len] = '\0';
        const char *start = line + strspn(line, " \t");
        char *end;
        errno = 0;
        double v = strtod(start, &end);
        if (end == start || *end != '\0' || (errno == ERANGE && fabs(v) > 1)) {
            const char *bad = end == start ? start : end;
            lrs_err_set(err, LRS_EXIT_USAGE, "%s:%ld:%ld: expected one loss (a number) per line, got '%.40s'",
                        path, lineno, (long)(bad - line) + 1, line);
            goto done;
        }
        if (n < need)
            out[n] = v;
        n++;
    }
    if (ferror(f)) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: read error: %s", path, strerror(errno));
        goto done;
    }
    if (n < need) {
        lrs_err_set(err, LRS_EXIT_USAGE,
                    "%s: has %ld losses, %ld epochs need %ld (line e is the loss after epoch e)", path,
                    n, need + 1, need);
        goto done;
    }
    rc = 0;
done:
    free(line);
    fclose(f);
    return rc;
}

typedef struct schedule_args {
    lrs_trial_cfg_t cfg;
    const char *epochs_opt;   /* --epochs value, NULL when not given */
    const char *losses_path;  /* --val-losses value */
    int help;
} schedule_args_t;

/* Value of option `name` at argv[*i], as `--name V` or `--name=V`; NULL if
 * argv[*i] is another option.  Advances *i past a separate value. */
static const char *option_value(int argc, char **argv, int *i, const char *name, lrs_err_t *err,
                                int *failed)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s needs a value", name);
        *failed = 1;
        return NULL;
    }
    return argv[++*i];
}

static int parse_args(int argc, char **argv, schedule_args_t *a, lrs_err_t *err)
{
    lrs_trial_cfg_init(&a->cfg);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            a->help = 1;
            return 0;
        }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        int failed = 0;
        if ((v = option_value(argc, argv, &i, "--epochs", err, &failed))) {
            a->epochs_opt = v;
            continue;
        }
        if (!failed && (v = option_value(argc, argv, &i, "--val-losses", err, &failed))) {
            a->losses_path = v;
            continue;
        }
        if (failed)
            return -1;
        if (arg[0] == '-')
            return lrs_err_set(err, LRS_EXIT_USAGE, "unknown option '%s' (see --help)", arg);
        const char *eq = strchr(arg, '=');
        if (!eq)
            return lrs_err_set(err, LRS_EXIT_USAGE, "'%s': expected PARAM=VALUE (see --help)", arg);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - arg < 63 ? eq - arg : 63), arg);
        const lrs_param_info_t *p = lrs_param_find(name);
        if (p && ((a->cfg.set_mask >> p->id) & 1u))
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s is given twice", name);
        if (lrs_trial_cfg_assign(&a->cfg, arg, err) < 0)
            return -1;
    }
    if (a->epochs_opt) {
        lrs_trial_cfg_t opt = a->cfg;
        if (lrs_trial_cfg_set(&opt, "epochs", a->epochs_opt, err) < 0) {
            lrs_err_prefix(err, "--epochs: ");
            return -1;
        }
        if (((a->cfg.set_mask >> LRS_P_EPOCHS) & 1u) && opt.epochs != a->cfg.epochs)
            return lrs_err_set(err, LRS_EXIT_USAGE, "--epochs %d and epochs=%d disagree", opt.epochs,
                               a->cfg.epochs);
        a->cfg = opt;
    }
    if (lrs_trial_cfg_finalize(&a->cfg, err) < 0)
        return -1;
    int plateau = a->cfg.sched.kind == LRS_SCHED_PLATEAU;
    if (plateau && !a->losses_path)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "scheduler plateau needs --val-losses FILE (one validation loss per line)");
    if (!plateau && a->losses_path)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--val-losses applies only to scheduler=plateau");
    return 0;
}

int lrs_cmd_schedule(int argc, char **argv)
{
    schedule_args_t args;
    memset(&args, 0, sizeof args);
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_sched_t *sched = NULL;
    double *losses = NULL;
    int status = LRS_EXIT_USAGE;
    if (parse_args(argc, argv, &args, &err) < 0)
        goto done;
    if (args.help) {
        print_help();
        status = lrs_cli_finish(LRS_EXIT_OK);
        goto done;
    }
    int epochs = args.cfg.epochs;
    if (args.losses_path) {
        losses = calloc((size_t)epochs, sizeof *losses);
        if (!losses) {
            lrs_err_set(&err, LRS_EXIT_RUNTIME, "out of memory for %d losses", epochs);
            goto done;
        }
        if (read_losses(args.losses_path, losses, epochs - 1, &err) < 0)
            goto done;
    }
    sched = lrs_sched_new(&args.cfg, &err);
    if (!sched)
        goto done;
    for (int e = 1; e <= epochs; e++) {
        char lr[32];
        lrs_fmt_display(lrs_sched_lr(sched), LRS_FMT_LR_DIGITS, lr, sizeof lr);
        if (printf("%d %s\n", e, lr) < 0)
            break;
        if (e < epochs)
            lrs_sched_step(sched, losses ? losses[e - 1] : NAN);
    }
    status = lrs_cli_finish(LRS_EXIT_OK);
done:
    if (err.code) {
        lrs_cli_report("schedule", &err);
        status = err.code;
    }
    lrs_sched_destroy(&sched);
    free(losses);
    return status;
}
