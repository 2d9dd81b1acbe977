/* diag.h — the errors of one input file, collected and reported together.
 *
 * Validating a spec reports every mistake, not the first: each check adds
 * an error at the line:column it concerns, and at the end the list is
 * sorted by position and printed as "file:line:column: message" (or
 * "file: message" for an error of the whole file, line 0).  The same error
 * at the same place is kept once, since a check run once per combination of
 * a search space's branches meets it once per combination.  At most 100
 * are kept (a user never needs more, and each costs a formatted message);
 * the rest are counted.
 *
 * A list is a plain struct: set file, leave the rest zeroed, free it with
 * lrs_diag_free.
 */
#ifndef LRS_DIAG_H
#define LRS_DIAG_H

#include <stdio.h>

#include "common/err.h"

typedef struct lrs_diag_entry {
    int line, column, seq;   /* seq: order of adding, so equal positions keep it */
    char *msg;
} lrs_diag_entry_t;

typedef struct lrs_diags {
    const char *file;        /* what messages start with; the caller's, not copied */
    lrs_diag_entry_t *v;
    int n, cap;              /* n errors kept */
    int oom;                 /* an error could not be kept (or a caller ran out of memory) */
    int dropped;             /* errors beyond the 100 kept, counted only */
} lrs_diags_t;

/* Adds a printf-formatted error at line:column (1-based; line 0: the whole
 * file), unless the same message is already kept at the same place.  Out of
 * memory sets d->oom instead.  Messages are cut to 767 bytes. */
void lrs_diag_add(lrs_diags_t *d, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sorts the errors by position, prints each as a line to report (may be
 * NULL), then "file: N more errors not shown" if any were dropped, and puts
 * the first error in err, followed by " (and N more error[s])" when there
 * are others: code LRS_EXIT_USAGE.  With d->oom set, prints nothing and err says
 * "file: out of memory while validating" (LRS_EXIT_RUNTIME).  d must hold at
 * least one error or have oom set.  Returns -1. */
int lrs_diag_finish(lrs_diags_t *d, FILE *report, lrs_err_t *err);

/* Frees the messages; d is empty afterwards (file, oom and dropped are
 * kept). */
void lrs_diag_free(lrs_diags_t *d);

#endif
