/* cmd_report.c — `lrsweep report`: one sweep of a results database as a
 * self-contained HTML page.  Parses the arguments, resolves the sweep as
 * the read commands do (the only one, or by name), has report.h gather the
 * views and report_html.h write them.  A regular file (or a new one) is
 * written beside its destination and renamed into place, so a reader never
 * sees half a page; anything else (a device, a pipe, a symbolic link) is
 * written through as it is, never replaced. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/err.h"
#include "coordinator/query.h"
#include "coordinator/report.h"
#include "coordinator/report_html.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: lrsweep report [SWEEP] [--db FILE] [-o FILE] [--top K] [--spec FILE]\n\n"
            "Writes one sweep as a single HTML file that needs nothing else: no network,\n"
            "no server (Chart.js is inside it).  It shows the sweep's settings and counts,\n"
            "the score of every trial in order with the best so far, lr against score by\n"
            "scheduler and by optimizer (trials without a score in a band of their own),\n"
            "score distributions per scheduler and optimizer, the learning curves and lr\n"
            "schedules of the top K trials (pruned ones faint), parallel coordinates,\n"
            "parameter importance (Spearman's rho, or eta squared for categories), the\n"
            "top K configs with a `lrsweep train` line and PyTorch lines for each, and\n"
            "failures grouped by error text.  docs/report.md describes each view.\n\n"
            "SWEEP may be left out when the database holds one sweep; with several,\n"
            "the command lists their names and exits 2.  Works while the sweep runs.\n\n"
            "  --db FILE      results database (default lrsweep.db)\n"
            "  -o, --output FILE  the HTML file to write (default report.html; - for\n"
            "                 standard output)\n"
            "  --top K        configs in the table and curves drawn, 1..%d (default 10)\n"
            "  --spec FILE    the sweep's spec file: the train lines name it, and the\n"
            "                 header counts the rows of the data it names (default: the\n"
            "                 lines say SPEC, no rows for a CSV data set)\n"
            "  --help         this text\n",
            LRS_REPORT_TOP_MAX);
}

/* Writes r straight into path (a device, a pipe, a link). */
static int write_through(const lrs_report_t *r, const char *path, lrs_err_t *err)
{
    FILE *out = fopen(path, "w");
    if (!out)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    int rc = lrs_report_html_write(r, out, err);
    if (fclose(out) != 0 && rc == 0)
        rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: write failed: %s", path, strerror(errno));
    return rc;
}

/* Writes r to path: "-" is stdout; a regular or new file through a
 * temporary file renamed into place; anything else through. */
static int write_page(const lrs_report_t *r, const char *path, lrs_err_t *err)
{
    if (strcmp(path, "-") == 0)
        return lrs_report_html_write(r, stdout, err);
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_through(r, path, err);
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *out = fopen(tmp, "w");
    int rc = -1;
    if (!out)
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    else {
        rc = lrs_report_html_write(r, out, err);
        if (fclose(out) != 0 && rc == 0)
            rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: write failed: %s", path, strerror(errno));
        if (rc == 0 && rename(tmp, path) != 0)
            rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
        if (rc != 0)
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

int lrs_cmd_report(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"db", required_argument, NULL, 'd'},   {"output", required_argument, NULL, 'o'},
        {"top", required_argument, NULL, 't'},  {"spec", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *db_path = "lrsweep.db", *output = "report.html";
    lrs_report_opts_t o = {.top = 10, .spec_path = "SPEC"};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "d:o:t:s:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_path = optarg; break;
        case 'o': output = optarg; break;
        case 's':
            o.spec_path = optarg;
            o.spec_given = 1;
            break;
        case 't':
            if (lrs_cli_int_option("report", "--top", optarg, 1, LRS_REPORT_TOP_MAX, &o.top) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return lrs_cli_finish(0);
        default: usage(stderr); return LRS_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "lrsweep report: unexpected argument '%s'\n\n", argv[optind + 1]);
        usage(stderr);
        return LRS_EXIT_USAGE;
    }
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_query_t *q = lrs_query_open(db_path, &err);
    int rc = -1;
    if (q) {
        lrs_query_sweep_t sw;
        lrs_report_t r = {0};
        if (lrs_query_sweep(q, optind < argc ? argv[optind] : NULL, &sw, &err) == 0 &&
            lrs_report_gather(q, &sw, &o, &r, &err) == 0)
            rc = write_page(&r, output, &err);
        lrs_report_clear(&r);
        lrs_query_destroy(&q);
    }
    if (rc != 0) {
        lrs_cli_report("report", &err);
        return lrs_cli_finish(err.code ? err.code : LRS_EXIT_RUNTIME);
    }
    return lrs_cli_finish(0);
}
