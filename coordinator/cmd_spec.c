/* cmd_spec.c — `lrsweep validate` and `lrsweep sample`: check a sweep spec,
 * and print the trials it describes as JSON Lines without running them.
 *
 * For an exec spec, validate also looks at this machine: a command whose
 * program is not on PATH, or a workdir that does not exist, is a warning,
 * not an error — the workers that run the command may be other machines.
 *
 * `sample` is the spec's hot path made visible: each line is regenerated
 * from (spec, seed, i) alone, so `--start I -n K` prints exactly lines
 * I..I+K-1 of a longer run.  Lines are assembled in a large buffer and
 * written in blocks; nothing is allocated per trial. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/params.h"
#include "common/pycmd.h"
#include "common/space_user.h"
#include "common/spec.h"
#include "common/spec_notes.h"
#include "common/textesc.h"
#include "common/validate.h"

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

/* The PATH a run of ex would search: env's, else this process's. */
static const char *exec_path_env(const lrs_exec_spec_t *ex)
{
    const char *path = getenv("PATH");
    for (int i = 0; i < ex->n_env; i++)
        if (strncmp(ex->env[i], "PATH=", 5) == 0)
            path = ex->env[i] + 5;
    return path;
}

/* Whether preload: (when given) can run the template's trials through a
 * helper; why not in why. */
static int preload_usable(const lrs_exec_spec_t *ex, const lrs_space_users_t *users, char *why,
                          size_t size)
{
    char **argv = NULL;
    int argc = 0;
    if (!ex->preload_set ||
        (!ex->shell && lrs_exec_template_argv(ex->command, 0, users->names, users->n, &argv, &argc) < 0))
        return 1;
    lrs_pycmd_t cmd;
    int ok = lrs_pycmd_plan(ex->shell, argv, argc, &cmd, why, size);
    lrs_exec_argv_free(&argv);
    return ok;
}

/* Warnings about this machine for an exec spec (see the header comment). */
static void warn_exec(const char *spec_path, const lrs_exec_spec_t *ex, const lrs_space_users_t *users)
{
    struct stat st;
    char shown[LRS_TEXTESC_SIZE(1024)];   /* the spec's text, escaped */
    if (ex->workdir && (stat(ex->workdir, &st) != 0 || !S_ISDIR(st.st_mode)))
        fprintf(stderr, "%s: warning: workdir '%s' is not a folder on this machine\n", spec_path,
                lrs_text_escape_str(ex->workdir, shown, sizeof shown));
    char why[256];
    if (!preload_usable(ex, users, why, sizeof why))
        fprintf(stderr, "%s: warning: %s, so trials will run as processes\n", spec_path, why);
    char *prog = lrs_exec_template_program(ex->command, ex->shell, users->names, users->n);
    if (!prog)
        return;   /* shell: true — the shell finds the program */
    char *found = NULL, *joined = NULL;
    if (strchr(prog, '/') && prog[0] != '/' && ex->workdir) {
        size_t n = strlen(ex->workdir) + strlen(prog) + 2;
        joined = malloc(n);
        if (joined)
            snprintf(joined, n, "%s/%s", ex->workdir, prog);
    }
    found = lrs_exec_find_program(joined ? joined : prog, exec_path_env(ex));
    if (!found)
        fprintf(stderr, "%s: warning: command: program '%s' is not %s on this machine; every "
                        "worker that runs this sweep needs it\n",
                spec_path, lrs_text_escape_str(prog, shown, sizeof shown),
                strchr(prog, '/') ? "an executable file" : "found in PATH");
    free(found);
    free(joined);
    free(prog);
}

int lrs_cmd_validate(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("usage: lrsweep validate SPEC\n\n"
               "Checks the sweep spec SPEC (YAML) without running anything and prints\n"
               "  ok: N trials, P parameters\n"
               "where N is the number of trials (trials:, or the grid size) and P the\n"
               "number of searched parameters (one per branch they appear in).\n"
               "A built-in model's data is read and checked as the sweep will read it\n"
               "(target columns, label kinds, rows for every fold), then described:\n"
               "  data: R rows, F features, target T (K classes | regression), SIZE as float64\n"
               "Otherwise prints every error as FILE:LINE:COLUMN: message and exits 2.\n"
               "For a spec with command: (the user's own training command), a program\n"
               "not found in PATH of this machine, or a missing workdir, is a warning\n"
               "on stderr (exit 0): the workers may be other machines.\n"
               "The spec format is described in docs/spec.md.\n");
        return lrs_cli_finish(0);
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: lrsweep validate SPEC (see --help)\n");
        return LRS_EXIT_USAGE;
    }
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    int status = lrs_cli_load_spec("validate", argv[1], &spec);
    if (status != 0)
        return status;
    const lrs_spec_info_t *info = lrs_spec_info(spec);
    char data_line[400] = "";
    if (info->exec) {
        warn_exec(argv[1], info->exec, lrs_spec_users(spec));
    } else {   /* the data, checked as the coordinator will check it */
        lrs_dataset_t data;
        if (lrs_validate_load_data(info, info->data_path ? info->data_path : "data", NULL, 0, &data,
                                   &err) != 0) {
            lrs_cli_report("validate", &err);
            lrs_spec_destroy(&spec);
            return err.code ? err.code : LRS_EXIT_USAGE;
        }
        if (data.rows > 0) {   /* model synthetic reads none */
            char line[360];
            lrs_dataset_describe(&data, line, sizeof line);
            lrs_text_escape_str(line, data_line, sizeof data_line);
        }
        lrs_dataset_free(&data);
    }
    char note[640];
    if (lrs_spec_sobol_warning(spec, note, sizeof note))
        fprintf(stderr, "%s: warning: %s\n", argv[1], note);
    if (lrs_spec_alias_warning(spec, note, sizeof note))
        fprintf(stderr, "%s: warning: %s\n", argv[1], note);
    uint64_t trials = lrs_spec_trial_count(spec);
    int params = lrs_spec_param_count(spec);
    printf("ok: %" PRIu64 " trial%s, %d parameter%s\n", trials, trials == 1 ? "" : "s", params,
           params == 1 ? "" : "s");
    if (data_line[0])
        printf("data: %s\n", data_line);
    if (info->pruning->rule != LRS_PRUNE_NONE) {
        char line[512];
        lrs_prune_describe(info->pruning, line, sizeof line);
        printf("pruning: %s\n", line);
    }
    lrs_spec_destroy(&spec);
    return lrs_cli_finish(0);
}

static int parse_count(const char *flag, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!text || text[0] == '-' || text[0] == '\0') {
        fprintf(stderr, "lrsweep sample: %s needs a non-negative integer\n", flag);
        return -1;
    }
    unsigned long long v = strtoull(text, &end, 10);
    if (*end != '\0' || errno == ERANGE) {
        fprintf(stderr, "lrsweep sample: %s %s: expected a non-negative integer\n", flag, text);
        return -1;
    }
    *out = v;
    return 0;
}

static char *put_u64(char *p, uint64_t v)
{
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = d[--n];
    return p;
}

enum { OUT_BLOCK = 1 << 16, LINE_MAX_BYTES = 4096 };

static int write_trials(const lrs_spec_t *spec, uint64_t start, uint64_t count)
{
    char *out = malloc(OUT_BLOCK + LINE_MAX_BYTES);
    size_t used = 0;
    int status = 0;
    if (!out) {
        fprintf(stderr, "lrsweep sample: out of memory\n");
        return LRS_EXIT_RUNTIME;
    }
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    for (uint64_t i = start; i - start < count; i++) {
        uint64_t seed;
        if (lrs_spec_sample(spec, i, &cfg, &seed, &err) < 0) {
            lrs_cli_report("sample", &err);
            status = err.code ? err.code : LRS_EXIT_USAGE;
            break;
        }
        char *p = out + used;
        memcpy(p, "{\"trial\": ", 10);
        p = put_u64(p + 10, i);
        memcpy(p, ", \"seed\": ", 10);
        p = put_u64(p + 10, seed);
        memcpy(p, ", \"params\": ", 12);
        p += 12;
        size_t room = (size_t)(out + OUT_BLOCK + LINE_MAX_BYTES - p) - 3;
        int n = lrs_trial_cfg_json(&cfg, p, room);
        if (n < 0) {
            fprintf(stderr, "lrsweep sample: trial %" PRIu64 ": parameters too long\n", i);
            status = LRS_EXIT_RUNTIME;
            break;
        }
        p += n;
        *p++ = '}';
        *p++ = '\n';
        used = (size_t)(p - out);
        if (used >= OUT_BLOCK) {
            if (fwrite(out, 1, used, stdout) != used) {
                status = LRS_EXIT_RUNTIME;
                break;
            }
            used = 0;
        }
    }
    if (used && fwrite(out, 1, used, stdout) != used)
        status = status ? status : LRS_EXIT_RUNTIME;
    free(out);
    return status;
}

int lrs_cmd_sample(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf("usage: lrsweep sample SPEC [-n N] [--start I]\n\n"
               "Prints trials I..I+N-1 of the sweep spec SPEC as JSON Lines, one per line:\n"
               "  {\"trial\": i, \"seed\": s, \"params\": {...}}\n"
               "params holds only the parameters active in that trial; seed is its\n"
               "training seed.  Trial i depends only on the spec and i, so any window\n"
               "equals the same lines of a longer run.\n\n"
               "  -n N        number of trials (default: the spec's trial count minus I)\n"
               "  --start I   first trial (default 0)\n"
               "The grid sampler stops at the end of its grid.\n");
        return lrs_cli_finish(0);
    }
    const char *path = NULL;
    uint64_t count = 0, start = 0;
    int have_count = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0) {
            if (parse_count("-n", i + 1 < argc ? argv[i + 1] : NULL, &count) < 0)
                return LRS_EXIT_USAGE;
            have_count = 1;
            i++;
        } else if (strcmp(argv[i], "--start") == 0) {
            if (parse_count("--start", i + 1 < argc ? argv[i + 1] : NULL, &start) < 0)
                return LRS_EXIT_USAGE;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "lrsweep sample: unknown option '%s' (see --help)\n", argv[i]);
            return LRS_EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "lrsweep sample: unexpected argument '%s' (see --help)\n", argv[i]);
            return LRS_EXIT_USAGE;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: lrsweep sample SPEC [-n N] [--start I] (see --help)\n");
        return LRS_EXIT_USAGE;
    }
    lrs_spec_t *spec = NULL;
    int status = lrs_cli_load_spec("sample", path, &spec);
    if (status != 0)
        return status;
    uint64_t total = lrs_spec_trial_count(spec);
    int is_grid = lrs_spec_info(spec)->sampler == LRS_SAMPLER_GRID;
    if (!have_count)
        count = start < total ? total - start : 0;
    if (is_grid)
        count = start >= total ? 0 : (count < total - start ? count : total - start);
    status = write_trials(spec, start, count);
    lrs_spec_destroy(&spec);
    return lrs_cli_finish(status);
}
