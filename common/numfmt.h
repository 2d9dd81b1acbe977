/* numfmt.h — how lrsweep prints a number: one module for every output.
 *
 * Machine output (the JSON of every command, `sample`, `export` csv and
 * jsonl, `train --json`, stored metrics) uses lrs_fmt_number: the shortest
 * text that reads back as the same double, one exponent style ("1e-07",
 * "2.19e-05"), so lr 0.05 is "0.05" everywhere.  Human tables use
 * lrs_fmt_display: LRS_FMT_*_DIGITS significant digits, "-" for NaN
 * (no value) and "inf"/"-inf", so columns stay aligned and readable.
 */
#ifndef LRS_NUMFMT_H
#define LRS_NUMFMT_H

#include <stddef.h>
#include <stdio.h>

/* Significant digits in human tables: scores, losses and learning rates;
 * spreads (std) and parameter values listed beside a score. */
#define LRS_FMT_VALUE_DIGITS 6
#define LRS_FMT_SHORT_DIGITS 4
/* `lrsweep schedule`'s learning rates: enough to tell schedules apart. */
#define LRS_FMT_LR_DIGITS 9

/* Writes v as the shortest JSON number that reads back exactly (at most 17
 * significant digits, laid out as Python's repr: "0.001", "1e-07", "60.0";
 * in rare ties one digit longer than necessary).  Returns the length, or -1
 * when size is too small (32 bytes always suffice). */
int lrs_fmt_number(double v, char *buf, size_t size);

/* Writes v for a human table with digits significant digits (see above)
 * into buf; returns the length, or -1 when size is too small (32 bytes
 * always suffice). */
int lrs_fmt_display(double v, int digits, char *buf, size_t size);

/* lrs_fmt_display right-aligned in width columns, to out. */
void lrs_fmt_print(FILE *out, int width, int digits, double v);

#endif
