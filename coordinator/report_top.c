/* report_top.c — the best-first views of the report (see report_top.h).
 *
 * The top configs are `best`'s order (query's LRS_QUERY_BY_SCORE over
 * complete trials).  Each one's config and training seed are re-derived
 * from the stored spec (lrs_spec_sample, the function the workers ran),
 * so its train line retrains exactly that trial; a spec that no longer
 * parses leaves the lines out.  Curves come from the schema's curve view:
 * the fold means of the engine, the first fold of a command, the first
 * repeat.  Pruned trials join the curves (the first top-K by index), to be
 * drawn faint. */
#include "coordinator/report_top.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/repro.h"
#include "common/spec.h"
#include "common/strbuf.h"
#include "coordinator/query_metrics.h"
#include "coordinator/readout.h"
#include "coordinator/store.h"

typedef struct top_ctx {
    const char *spec_path;
    const lrs_spec_t *spec;    /* NULL: no lines */
    json_t *rows;
    int rank;
    int64_t ids[2 * LRS_REPORT_TOP_MAX];
    int ranks[2 * LRS_REPORT_TOP_MAX];
    int n_ids;
    lrs_err_t *err;
} top_ctx_t;

static json_t *strbuf_json(lrs_strbuf_t *b)
{
    json_t *s = lrs_readout_json_string(b->p ? b->p : "");
    free(b->p);
    *b = (lrs_strbuf_t){0};
    return s;
}

static int top_row(void *ctx, const lrs_query_trial_t *t)
{
    top_ctx_t *c = ctx;
    c->rank++;
    json_t *row = json_pack("{s:i,s:I,s:o,s:o,s:o}", "rank", c->rank, "trial",
                            (json_int_t)t->trial, "score", lrs_json_number(t->result.score),
                            "score_std", lrs_json_number(t->result.score_std), "params",
                            lrs_readout_json_value(t->params_json));
    lrs_trial_cfg_t cfg;
    uint64_t seed;
    lrs_err_t sample_err;
    if (row && c->spec && lrs_spec_sample(c->spec, (uint64_t)t->trial, &cfg, &seed,
                                          &sample_err) == 0) {
        lrs_strbuf_t line = {0}, torch = {0};
        if (lrs_repro_train_line(&cfg, c->spec_path, seed, &line) < 0 ||
            lrs_repro_torch(&cfg, &torch) < 0) {
            free(line.p);
            free(torch.p);
            json_decref(row);
            return lrs_err_set(c->err, LRS_EXIT_RUNTIME, "out of memory");
        }
        json_object_set_new(row, "train", strbuf_json(&line));
        json_object_set_new(row, "torch", strbuf_json(&torch));
    }
    if (!row)
        return lrs_err_set(c->err, LRS_EXIT_RUNTIME, "out of memory");
    json_array_append_new(c->rows, row);
    c->ids[c->n_ids] = t->trial;
    c->ranks[c->n_ids++] = c->rank;
    return 0;
}

static int pruned_row(void *ctx, const lrs_query_trial_t *t)
{
    top_ctx_t *c = ctx;
    c->ids[c->n_ids] = t->trial;
    c->ranks[c->n_ids++] = 0;
    return 0;
}

/* One trial's curve, filled row by row. */
typedef struct curve_ctx {
    json_t *epoch, *lr, *train, *val;
    int fold, repeat, started;
} curve_ctx_t;

static int curve_row(void *ctx, const lrs_curve_row_t *row)
{
    curve_ctx_t *c = ctx;
    if (!c->started) {   /* the first rows are the first repeat's means, or its first fold */
        c->fold = row->fold;
        c->repeat = row->repeat;
        c->started = 1;
    }
    if (row->fold != c->fold || row->repeat != c->repeat)
        return 0;
    json_array_append_new(c->epoch, json_integer(row->epoch));
    json_array_append_new(c->lr, lrs_json_number(row->lr));
    json_array_append_new(c->train, lrs_json_number(row->train_loss));
    json_array_append_new(c->val, lrs_json_number(row->val_loss));
    return 0;
}

static int curves_doc(lrs_query_t *q, const lrs_query_sweep_t *sw, top_ctx_t *c, json_t **out,
                      lrs_err_t *err)
{
    json_t *curves = *out = json_array();
    if (lrs_store_version(lrs_query_store(q)) < 8)
        return 0;   /* no curve view before schema 008 */
    lrs_query_metrics_t *m = lrs_query_metrics_new(q, sw, err);
    if (!m)
        return -1;
    int rc = 0;
    for (int i = 0; i < c->n_ids && rc == 0; i++) {
        curve_ctx_t cc = {json_array(), json_array(), json_array(), json_array(), 0, 0, 0};
        rc = lrs_query_curves(m, c->ids[i], curve_row, &cc, err);
        json_array_append_new(curves,
                              json_pack("{s:I,s:i,s:s,s:o,s:o,s:o,s:o}", "trial",
                                        (json_int_t)c->ids[i], "rank", c->ranks[i], "status",
                                        c->ranks[i] ? "complete" : "pruned", "epoch", cc.epoch,
                                        "lr", cc.lr, "train_loss", cc.train, "val_loss", cc.val));
    }
    lrs_query_metrics_destroy(&m);
    return rc;
}

typedef struct par_ctx {
    json_t *rows;
} par_ctx_t;

static int parallel_row(void *ctx, const lrs_query_trial_t *t)
{
    par_ctx_t *c = ctx;
    json_array_append_new(c->rows, json_pack("{s:I,s:o,s:o}", "trial", (json_int_t)t->trial,
                                             "score", lrs_json_number(t->result.score), "params",
                                             lrs_readout_json_value(t->params_json)));
    return 0;
}

int lrs_report_top(lrs_query_t *q, const lrs_query_sweep_t *sw, int top, const char *spec_path,
                   json_t **top_out, json_t **curves_out, json_t **parallel_out, lrs_err_t *err)
{
    lrs_err_t spec_err;
    lrs_spec_t *spec = lrs_query_spec(q, sw, &spec_err);
    top_ctx_t c = {.spec_path = spec_path, .spec = spec, .rows = json_array(), .err = err};
    *top_out = c.rows;
    lrs_query_select_t best = {LRS_QUERY_BY_SCORE, LRS_STATUS_COMPLETE, top};
    lrs_query_select_t pruned = {LRS_QUERY_BY_TRIAL, LRS_STATUS_PRUNED, top};
    int rc = lrs_query_trials(q, sw, &best, top_row, &c, err);
    if (rc == 0)
        rc = lrs_query_trials(q, sw, &pruned, pruned_row, &c, err);
    lrs_spec_destroy(&spec);
    if (rc == 0)
        rc = curves_doc(q, sw, &c, curves_out, err);
    if (rc != 0)
        return -1;
    lrs_query_progress_t p;
    if (lrs_query_progress(q, sw, &p, err) < 0)
        return -1;
    par_ctx_t pc = {json_array()};
    lrs_query_select_t par = {LRS_QUERY_BY_SCORE, LRS_STATUS_COMPLETE, LRS_REPORT_PARALLEL};
    rc = lrs_query_trials(q, sw, &par, parallel_row, &pc, err);
    *parallel_out = json_pack("{s:I,s:I,s:o}", "shown", (json_int_t)json_array_size(pc.rows), "of",
                            (json_int_t)p.n[LRS_STATUS_COMPLETE], "rows", pc.rows);
    return rc == 0 ? 0 : -1;
}
