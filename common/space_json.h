/* space_json.h — a sweep's search space as JSON, for readers that have no
 * YAML parser (the Python package types its parameter columns and bins
 * them from it; docs/schema.md, version 9, `sweeps.space`).
 *
 * The document is {"version": 1, "parameters": [...]}: one entry per node of
 * the tree (common/space.h) in pre-order, so a parameter written in two
 * branches (sgd's and rmsprop's momentum) has two entries.  Each entry:
 *   name          the parameter's name
 *   kind          "lrsweep" (common/params.h's table) or "user" (the
 *                 script's own, common/space_user.h)
 *   type          "float", "int", "bool", "choice" (lrsweep's names),
 *                 "string" (a user parameter's texts) or "int_list"
 *                 (milestones)
 *   distribution  "values", "uniform", "log_uniform", "int_uniform" or
 *                 "int_log_uniform"; a fixed value is one value
 *   log           whether the distribution is log-spaced
 *   low, high     a range's bounds as written (range distributions)
 *   values        the values, typed (numbers, true/false, texts, lists)
 *   choices       type choice: every name the parameter can take, in
 *                 lrsweep's order (the dtype's categories)
 *   grid          `grid: N` when given
 *   branch        the choices above it, outermost first: a list of
 *                 {"parameter": NAME, "value": VALUE}; [] at the top
 */
#ifndef LRS_SPACE_JSON_H
#define LRS_SPACE_JSON_H

#include "common/space.h"

/* The JSON text of the space at root (compact, numbers as the shortest
 * text that reads back as the same double), a new string to free(); NULL
 * when out of memory.  root NULL gives an empty parameter list. */
char *lrs_space_json_text(const lrs_space_block_t *root);

#endif
