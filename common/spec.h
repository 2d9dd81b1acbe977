/* spec.h — the sweep spec: one YAML file describing a whole sweep.
 *
 * A spec names the sweep, its seed and trial budget, the sampler, the
 * objective, the data, the model, the training settings and the search space
 * (docs/spec.md is the full reference).  An exec spec names the user's own
 * training command (`command:`, worker/exec.h) instead of data, model and
 * train settings; lrs_spec_info(s)->exec is then non-NULL.  Loading
 * validates everything before anything runs; every error names
 * file:line:column and what was expected.
 *
 * After loading, a spec is immutable.  Trial i is a pure function of
 * (spec, seed, i): any process can regenerate any trial on its own, at the
 * same cost for i = 0 and i = 10^6, so an interrupted sweep resumes exactly.
 * lrs_spec_sample neither allocates nor re-parses: it is the hot path of
 * `lrsweep sample` and of the coordinator, and since it only reads the spec,
 * any number of threads may call it at once.
 */
#ifndef LRS_SPEC_H
#define LRS_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/command.h"
#include "common/err.h"
#include "common/model_spec.h"
#include "common/params.h"
#include "common/prune.h"
#include "common/sampler.h"
#include "common/spec_budget.h"
#include "common/spec_info.h"

typedef struct lrs_spec lrs_spec_t;   /* opaque, immutable after load */

/* Spec text at most this many bytes, from a file or from the wire (the
 * WELCOME message, common/protocol.h): every spec up to it is accepted or
 * refused in well under a second. */
#define LRS_SPEC_MAX_TEXT ((size_t)1 << 20)

/* `trials:` at most LRS_SPEC_MAX_TRIALS (common/spec_budget.h): the
 * coordinator keeps a few bytes of state per trial of the sweep. */

/* As lrs_spec_load_report, with the text more added after the file's last
 * line, as if written there (`lrsweep confirm` adds its `confirm:`). */
int lrs_spec_load_more(const char *path, const char *more, lrs_spec_t **out, FILE *report,
                       lrs_err_t *err);

/* Reads and validates the spec file at path.  On failure *out is NULL and err
 * holds the first error (code 2 for bad input, 1 for I/O), followed by
 * "(and N more errors)" when there were several. */
int lrs_spec_load(const char *path, lrs_spec_t **out, lrs_err_t *err);

/* As lrs_spec_load, and also writes every error found, one per line, to
 * report (may be NULL) — what `lrsweep validate` prints. */
int lrs_spec_load_report(const char *path, lrs_spec_t **out, FILE *report, lrs_err_t *err);

/* Parses spec text held in memory.  name is used in messages ("name:3:7: …");
 * base_dir resolves a relative data path, which must then exist.  With
 * base_dir NULL (spec text received from a coordinator, whose data comes
 * separately) the data path is kept as written and not checked.  report may
 * be NULL, as above.  Text longer than LRS_SPEC_MAX_TEXT, or that
 * lrs_y_read's guard refuses (invalid UTF-8, control characters, YAML
 * directives, flow nesting deeper than 64), is an error at the line:column
 * concerned, whatever its source. */
int lrs_spec_parse(const char *name, const char *text, size_t len, const char *base_dir,
                   lrs_spec_t **out, lrs_err_t *err);
int lrs_spec_parse_report(const char *name, const char *text, size_t len, const char *base_dir,
                          lrs_spec_t **out, FILE *report, lrs_err_t *err);

/* As lrs_spec_parse_report, under behaviour rules `rules`
 * (common/spec_rules.h; the others use LRS_RULES_CURRENT): a resumed sweep's
 * stored rules, or the WELCOME's on a worker.  Rules this release does not
 * know are a usage error naming them. */
int lrs_spec_parse_rules(const char *name, const char *text, size_t len, const char *base_dir,
                         int rules, lrs_spec_t **out, FILE *report, lrs_err_t *err);

/* The same spec text, name and folder parsed again under other rules (a
 * sweep resumed under the rules it was created with). */
int lrs_spec_with_rules(const lrs_spec_t *s, int rules, lrs_spec_t **out, lrs_err_t *err);

/* The rules s was parsed under. */
int lrs_spec_rules(const lrs_spec_t *s);

/* Takes NULL; clears the caller's pointer. */
void lrs_spec_destroy(lrs_spec_t **s);

const lrs_spec_info_t *lrs_spec_info(const lrs_spec_t *s);

/* Trials in the sweep: `trials:`, or the grid size for the grid sampler. */
uint64_t lrs_spec_trial_count(const lrs_spec_t *s);

/* Searched parameters (the "P" of `lrsweep validate`): every parameter that
 * takes more than one value somewhere in the space, conditional choices
 * (optimizer, scheduler) included, counted once per branch it appears in. */
int lrs_spec_param_count(const lrs_spec_t *s);

/* Trial index: a pure function of (spec, seed, index).  cfg is finalized;
 * cfg->set_mask marks exactly the parameters active in this trial (fixed
 * ones included); *trial_seed (may be NULL) is the training seed.  For the
 * grid sampler index must be < lrs_spec_trial_count.  A confirmation run's
 * index (common/spec_confirm.h) draws the config of the trial it confirms,
 * with a training seed of its own. */
int lrs_spec_sample(const lrs_spec_t *s, uint64_t index, lrs_trial_cfg_t *cfg, uint64_t *trial_seed,
                    lrs_err_t *err);

/* The epoch trial cfg's pruning rungs sit before (lrs_prune_rung_at's
 * last_epoch): its epochs; but in a command sweep whose space does not set
 * epochs the command's own count is not known, and 0 (no bound) is
 * returned.  The coordinator and the worker both ask this. */
int lrs_spec_rung_limit(const lrs_spec_t *s, const lrs_trial_cfg_t *cfg);

/* Trial index's training seed alone: lrs_rng_key(seed, index,
 * LRS_RNG_TRIAL_SEED) cut to 53 bits, so it is exact in every JSON reader
 * and in SQLite; with `seeds: shared` every search index gets index 0's
 * and every confirmation run LRS_CONFIRM_BASE's (fresh, and shared). */
uint64_t lrs_spec_trial_seed(const lrs_spec_t *s, uint64_t index);

/* How many training seeds trial index trains with: `confirm.repeats` for a
 * confirmation run (common/spec_confirm.h), `repeats:` for a search trial.
 * The worker runs that many and the coordinator checks a result by it. */
int lrs_spec_trial_repeats(const lrs_spec_t *s, uint64_t index);

/* `repeats:` at most this many training seeds per trial. */
#define LRS_SPEC_MAX_REPEATS 100

/* The training seed of repeat (0-based) of a trial whose training seed is
 * trial_seed: repeat 0 trains with trial_seed itself, repeat r > 0 with
 * lrs_rng_key(trial_seed, r, LRS_RNG_REPEAT_SEED) cut to 53 bits.  The
 * worker trains with it and the coordinator stores it (trial_repeats). */
uint64_t lrs_repeat_seed(uint64_t trial_seed, int repeat);

/* 64-bit hash of everything that determines trials and their results
 * (search space, sampler, seed, data/model/train settings; for exec specs
 * command, shell, metric name, folds, workdir and env; not `trials:`,
 * `name:`, `timeout:`, the goal, built-in specs' `objective:` nor the order
 * of keys), so a resumed sweep can refuse a changed space. */
uint64_t lrs_spec_space_hash(const lrs_spec_t *s);

/* One config from the spec without sampling, for `lrsweep train --spec`:
 * the spec's fixed parameters (a single value, at the top of `search:` or
 * in a branch the config takes), then the n_words PARAM=VALUE words, which
 * override or add.  A fixed parameter that does not apply to the config's
 * final optimizer / scheduler is left out.  cfg is finalized; *searched
 * (may be NULL) gets a bit per searched parameter of the branches taken
 * that no word set (they keep their defaults).  Errors (usage) name the
 * word or the finalize rule. */
int lrs_spec_config(const lrs_spec_t *s, char *const *words, int n_words, lrs_trial_cfg_t *cfg,
                    uint64_t *searched, lrs_err_t *err);

/* The YAML text as loaded (NUL-terminated), to store with the sweep. */
const char *lrs_spec_text(const lrs_spec_t *s);

/* The search-space tree (common/space.h), for samplers and tests. */
struct lrs_space_block;
const struct lrs_space_block *lrs_spec_space(const lrs_spec_t *s);

/* The space's user parameters (a command sweep's own names, sorted), and
 * the first alias of one of lrsweep's written among them. */
const struct lrs_space_users *lrs_spec_users(const lrs_spec_t *s);

#endif
