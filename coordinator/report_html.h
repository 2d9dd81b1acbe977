/* report_html.h — writes a gathered report (report.h) as one
 * self-contained HTML file: the header and the tables as HTML, each view's
 * data as a <script type="application/json"> block, then Chart.js (from
 * Debian's libjs-chart.js, embedded at build time, its licence beside it)
 * and the page's own script, which draws the charts from those blocks.
 *
 * Nothing leaves the file: a Content-Security-Policy allows only the
 * page's inline script and style and data: images, so a browser fetches
 * nothing.  Stored text is escaped for where it lands, each in one
 * function: HTML text and attributes (& < > " '), JSON inside a script
 * element (< > & and U+2028/U+2029 as \uXXXX, so no `</script>` or
 * `<!--` can end or bend the block); the page's script builds its DOM with
 * textContent only.
 */
#ifndef LRS_REPORT_HTML_H
#define LRS_REPORT_HTML_H

#include <stdio.h>

#include "common/err.h"
#include "coordinator/report.h"

/* The page's Content-Security-Policy: its inline script and style, data:
 * images, nothing fetched.  The live page's may also fetch from its own
 * origin (connect-src 'self') and nothing else; `lrsweep serve` sends it as
 * a header too. */
#define LRS_REPORT_HTML_CSP \
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"
#define LRS_REPORT_HTML_LIVE_CSP LRS_REPORT_HTML_CSP "; connect-src 'self'"

/* Writes the page of r to out.  0, or -1 with err when writing failed or
 * out of memory. */
int lrs_report_html_write(const lrs_report_t *r, FILE *out, lrs_err_t *err);

/* Writes the page of r as `lrsweep serve` serves it while the sweep runs:
 * the same page with LRS_REPORT_HTML_LIVE_CSP and report/live.js, which
 * asks the server for the sweep's status every few seconds and, when it
 * changed, fetches the page again and redraws it in place.  Returns as
 * lrs_report_html_write. */
int lrs_report_html_write_live(const lrs_report_t *r, FILE *out, lrs_err_t *err);

/* Writes s to out escaped for HTML text or a quoted attribute: & < > " '
 * as entities, everything else as it is. */
void lrs_html_text(FILE *out, const char *s);

/* Writes JSON text to out for the inside of a script element: < > & as
 * \u003c \u003e \u0026 and U+2028, U+2029 as \u2028, \u2029 (JSON allows
 * each escape only inside strings, which is the only place these can
 * occur in JSON text).  Returns 0, or -1 when writing failed. */
int lrs_html_script_json(FILE *out, const char *json);

#endif
