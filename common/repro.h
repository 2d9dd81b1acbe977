/* repro.h — a trial's config written for a person to run again: the
 * `lrsweep train` line that retrains it, and the PyTorch lines that build
 * its optimizer and scheduler.
 *
 * Both read the one config type (params.h) and name each parameter as the
 * table does (its names are PyTorch's; only beta1/beta2 become betas and
 * warmup_* become SequentialLR([LinearLR, main])), so the report's lines
 * cannot drift from what a sweep ran.  The words are the parameters
 * cfg->set_mask marks, in table order, then the user values, each written
 * by lrs_trial_cfg_format / lrs_user_value_format: the same text `sample`
 * and the database hold. */
#ifndef LRS_REPRO_H
#define LRS_REPRO_H

#include <stdint.h>

#include "common/params.h"
#include "common/strbuf.h"

/* Appends `lrsweep train --spec SPEC --seed SEED NAME=VALUE...` to out:
 * run from the spec's folder it trains cfg with the training seed the
 * sweep used, and prints the score it stored.  A word or the path with
 * characters the shell treats specially is single-quoted.  0, or -1 out
 * of memory. */
int lrs_repro_train_line(const lrs_trial_cfg_t *cfg, const char *spec_path, uint64_t seed,
                         lrs_strbuf_t *out);

/* Appends Python lines to out: `opt = torch.optim.X(params, ...)` and
 * `sched = torch.optim.lr_scheduler.Y(opt, ...)` with the parameters given
 * (lrsweep's conventions where torch has no default: T_max and OneCycleLR's
 * total_steps are the epochs, max_lr the lr, constant is LambdaLR(1.0)),
 * and a comment with the epochs, the batch size, how to step and the
 * script's own parameters.  A config without lr or optimizer (a command
 * sweep that searches only its own parameters) gets a comment instead of
 * the optimizer line.  0, or -1 out of memory. */
int lrs_repro_torch(const lrs_trial_cfg_t *cfg, lrs_strbuf_t *out);

#endif
