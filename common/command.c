/* command.c — see command.h.
 *
 * One scanner reads a template, both to check it (at load, on either side)
 * and to expand it for a trial, so the two can never disagree about what a
 * template means.
 */
#include "common/command.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "common/textesc.h"

void lrs_exec_argv_free(char ***argv)
{
    if (!argv || !*argv)
        return;
    for (char **p = *argv; *p; p++)
        free(*p);
    free(*argv);
    *argv = NULL;
}

/* ---- template scanner ------------------------------------------------ */

/* Length of the placeholder identifier at s (after '{') when s holds
 * "identifier}", else 0. */
static size_t placeholder_len(const char *s)
{
    size_t n = 0;
    if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
           (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
        n++;
    return s[n] == '}' ? n : 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

typedef struct scan {
    const char *command;
    int shell;
    int dashes;                   /* {args}: --hidden-size for hidden_size */
    const lrs_trial_cfg_t *cfg;   /* NULL: only check and collect `used` */
    uint64_t used;                /* bit per parameter named by a {name} */
    const char *const *user_names;    /* the space's user parameters (slot order) */
    int n_user;
    uint64_t used_user;           /* bit per user slot named by a {name} */
    int args_count;
    lrs_words_t words;                /* without shell */
    lrs_strbuf_t word;                /* the word being built */
    int word_content;             /* the word has text or quotes (so it is kept even if empty) */
    lrs_strbuf_t script;              /* with shell */
} scan_t;

static int scan_oom(lrs_err_t *err)
{
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory expanding the command");
}

static int end_word(scan_t *sc, lrs_err_t *err)
{
    if (sc->word_content || sc->word.len > 0)
        if (lrs_words_push(&sc->words, sc->word.p ? sc->word.p : "", sc->word.len) < 0)
            return scan_oom(err);
    sc->word.len = 0;
    if (sc->word.p)
        sc->word.p[0] = '\0';
    sc->word_content = 0;
    return 0;
}

/* Appends `flag value` to the command being built. */
static int add_option(scan_t *sc, const char *flag, const char *value, lrs_err_t *err)
{
    if (sc->shell) {
        if ((sc->script.len > 0 && sc->script.p[sc->script.len - 1] != ' ' &&
             lrs_sb_add(&sc->script, " ", 1) < 0) ||
            lrs_sb_adds(&sc->script, flag) < 0 || lrs_sb_add(&sc->script, " ", 1) < 0 ||
            lrs_sb_add_quoted(&sc->script, value) < 0)
            return scan_oom(err);
    } else if (lrs_words_push(&sc->words, flag, strlen(flag)) < 0 ||
               lrs_words_push(&sc->words, value, strlen(value)) < 0) {
        return scan_oom(err);
    }
    return 0;
}

/* The flag {args} writes for name: --name, with '-' for '_' when dashes. */
static void args_flag(const scan_t *sc, const char *name, char *flag, size_t size)
{
    snprintf(flag, size, "--%s", name);
    for (char *c = flag + 2; sc->dashes && *c; c++)
        if (*c == '_')
            *c = '-';
}

/* {args}'s user part: --name value for each user value of the trial not
 * named elsewhere, in slot (name) order. */
static int expand_user_args(scan_t *sc, lrs_err_t *err)
{
    for (int i = 0; i < LRS_MAX_USER_PARAMS; i++) {
        if (!((sc->cfg->user_mask >> i) & 1u) || ((sc->used_user >> i) & 1u))
            continue;
        char flag[160], value[1024];
        args_flag(sc, sc->cfg->user[i].param->name, flag, sizeof flag);
        lrs_user_value_format(&sc->cfg->user[i], value, sizeof value);
        if (add_option(sc, flag, value, err) < 0)
            return -1;
    }
    return 0;
}

/* Expands {args}: --name value for each set, active, unnamed parameter. */
static int expand_args(scan_t *sc, lrs_err_t *err)
{
    const lrs_param_info_t *table = lrs_param_table();
    for (int i = 0; i < LRS_P_COUNT; i++) {
        const lrs_param_info_t *p = &table[i];
        if (!((sc->cfg->set_mask >> p->id) & 1u) || ((sc->used >> p->id) & 1u) ||
            !lrs_param_active(p, sc->cfg))
            continue;
        char flag[80], value[1024];
        args_flag(sc, p->name, flag, sizeof flag);
        lrs_trial_cfg_format(sc->cfg, p->id, value, sizeof value);
        if (add_option(sc, flag, value, err) < 0)
            return -1;
    }
    return expand_user_args(sc, err);
}

/* Slot of name among the space's user parameters, or -1. */
static int user_slot(const scan_t *sc, const char *name)
{
    for (int i = 0; i < sc->n_user; i++)
        if (strcmp(sc->user_names[i], name) == 0)
            return i;
    return -1;
}

/* {name} of a user parameter: its value, or nothing when the trial has none. */
static int user_placeholder(scan_t *sc, int slot, lrs_err_t *err)
{
    sc->used_user |= 1ull << slot;
    if (!sc->cfg) {
        sc->word_content = 1;   /* checking: assume it will have a value */
        return 0;
    }
    if (!((sc->cfg->user_mask >> slot) & 1u))
        return 0;
    char value[1024];
    lrs_user_value_format(&sc->cfg->user[slot], value, sizeof value);
    int rc = sc->shell ? lrs_sb_add_quoted(&sc->script, value) : lrs_sb_adds(&sc->word, value);
    if (rc < 0)
        return scan_oom(err);
    if (!sc->shell && value[0])
        sc->word_content = 1;
    return 0;
}

/* Handles the placeholder {name} found at column col (1-based). quoted: inside quotes. */
static int placeholder(scan_t *sc, const char *name, size_t at, size_t end, int quoted, lrs_err_t *err)
{
    size_t col = at + 1;
    if (strcmp(name, "args") == 0) {
        if (++sc->args_count > 1)
            return lrs_err_set(err, LRS_EXIT_USAGE, "command: {args} at column %zu appears twice", col);
        if (!sc->shell) {
            char next = sc->command[end];
            if (quoted || (at > 0 && !is_blank(sc->command[at - 1])) ||
                (next != '\0' && !is_blank(next)))
                return lrs_err_set(err, LRS_EXIT_USAGE,
                                   "command: {args} at column %zu must be a word of its own "
                                   "(blanks around it, no quotes)",
                                   col);
        }
        return sc->cfg ? expand_args(sc, err) : 0;
    }
    int slot = user_slot(sc, name);
    if (slot >= 0)   /* the script's own name wins (user: gamma) */
        return user_placeholder(sc, slot, err);
    const lrs_param_info_t *p = lrs_param_find(name);
    if (!p)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "command: {%s} at column %zu is not a parameter (see 'lrsweep params'; "
                           "{args} lists the rest; write {{ for a literal brace)",
                           name, col);
    sc->used |= 1ull << p->id;
    if (!sc->cfg) {
        sc->word_content = 1;   /* checking: assume it will have a value */
        return 0;
    }
    if (!lrs_param_active(p, sc->cfg))
        return 0;
    char value[1024];
    lrs_trial_cfg_format(sc->cfg, p->id, value, sizeof value);
    int rc = sc->shell ? lrs_sb_add_quoted(&sc->script, value) : lrs_sb_adds(&sc->word, value);
    if (rc < 0)
        return scan_oom(err);
    if (!sc->shell && value[0])
        sc->word_content = 1;
    return 0;
}

/* One pass over the template. */
static int scan_template(scan_t *sc, lrs_err_t *err)
{
    const char *s = sc->command;
    int quote = 0;             /* 0, '\'' or '"' (without shell) */
    size_t quote_col = 0;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        lrs_strbuf_t *dst = sc->shell ? &sc->script : &sc->word;
        if ((c == '{' || c == '}') && s[i + 1] == c) {   /* {{ and }} stand for one brace */
            if (lrs_sb_add(dst, &c, 1) < 0)
                return scan_oom(err);
            sc->word_content = 1;
            i++;
            continue;
        }
        if (c == '{' && !(i > 0 && s[i - 1] == '$')) {
            size_t n = placeholder_len(s + i + 1);
            if (n > 0) {
                char name[128];
                if (n >= sizeof name)
                    return lrs_err_set(err, LRS_EXIT_USAGE,
                                       "command: placeholder at column %zu is too long", i + 1);
                memcpy(name, s + i + 1, n);
                name[n] = '\0';
                if (placeholder(sc, name, i, i + n + 2, quote != 0, err) < 0)
                    return -1;
                i += n + 1;
                continue;
            }
        }
        if (sc->shell) {
            if (lrs_sb_add(dst, &c, 1) < 0)
                return scan_oom(err);
            continue;
        }
        /* Word splitting without a shell. */
        if (quote == 0 && is_blank(c)) {
            if (end_word(sc, err) < 0)
                return -1;
        } else if (quote == 0 && (c == '\'' || c == '"')) {
            quote = c;
            quote_col = i + 1;
            sc->word_content = 1;
        } else if (quote != 0 && c == quote) {
            quote = 0;
        } else if (c == '\\' && quote == 0) {
            if (s[i + 1] == '\0')
                return lrs_err_set(err, LRS_EXIT_USAGE, "command: trailing backslash at column %zu",
                                   i + 1);
            if (lrs_sb_add(dst, s + i + 1, 1) < 0)
                return scan_oom(err);
            sc->word_content = 1;
            i++;
        } else if (c == '\\' && quote == '"' && strchr("\\\"$`", s[i + 1]) && s[i + 1]) {
            if (lrs_sb_add(dst, s + i + 1, 1) < 0)
                return scan_oom(err);
            i++;
        } else {
            if (lrs_sb_add(dst, &c, 1) < 0)
                return scan_oom(err);
            sc->word_content = 1;
        }
    }
    if (quote)
        return lrs_err_set(err, LRS_EXIT_USAGE, "command: quote %c at column %zu is never closed",
                           quote, quote_col);
    if (!sc->shell && end_word(sc, err) < 0)
        return -1;
    return 0;
}

static void scan_free(scan_t *sc)
{
    lrs_words_free(&sc->words);
    free(sc->word.p);
    free(sc->script.p);
    memset(&sc->word, 0, sizeof sc->word);
    memset(&sc->script, 0, sizeof sc->script);
}

int lrs_exec_check_template(const char *command, int shell, lrs_err_t *err)
{
    return lrs_exec_check_template_users(command, shell, NULL, 0, err);
}

int lrs_exec_check_template_users(const char *command, int shell, const char *const *user_names,
                                  int n_user, lrs_err_t *err)
{
    if (!command || !*command)
        return lrs_err_set(err, LRS_EXIT_USAGE, "command is empty");
    scan_t sc = {.command = command, .shell = shell, .user_names = user_names, .n_user = n_user};
    int rc = scan_template(&sc, err);
    if (rc == 0 && !shell && sc.words.n == 0)
        rc = lrs_err_set(err, LRS_EXIT_USAGE, "command has no words");
    scan_free(&sc);
    return rc;
}

unsigned lrs_exec_flags(const lrs_exec_spec_t *ex)
{
    return (ex->shell ? LRS_EXEC_SHELL : 0u) | (ex->args_dashes ? LRS_EXEC_DASHES : 0u);
}

int lrs_exec_expand(const char *command, unsigned flags, const lrs_trial_cfg_t *cfg, char ***argv_out,
                    int *argc_out, lrs_err_t *err)
{
    int shell = (flags & LRS_EXEC_SHELL) != 0;
    *argv_out = NULL;
    *argc_out = 0;
    if (lrs_exec_check_template_users(command, shell, cfg->user_names, cfg->n_user_names, err) < 0)
        return -1;
    /* Pass 1 collects the names used; pass 2 expands with them known. */
    scan_t first = {.command = command, .shell = shell, .user_names = cfg->user_names,
                    .n_user = cfg->n_user_names};
    if (scan_template(&first, err) < 0) {
        scan_free(&first);
        return -1;
    }
    scan_t sc = {.command = command, .shell = shell, .dashes = (flags & LRS_EXEC_DASHES) != 0,
                 .cfg = cfg, .used = first.used,
                 .user_names = cfg->user_names, .n_user = cfg->n_user_names,
                 .used_user = first.used_user};
    scan_free(&first);
    int rc = -1;
    if (scan_template(&sc, err) < 0)
        goto done;
    if (shell) {
        if (lrs_words_push(&sc.words, "/bin/sh", 7) < 0 || lrs_words_push(&sc.words, "-c", 2) < 0 ||
            lrs_words_push(&sc.words, sc.script.p ? sc.script.p : "", sc.script.len) < 0) {
            scan_oom(err);
            goto done;
        }
    } else if (sc.words.n == 0 || sc.words.v[0][0] == '\0') {
        lrs_err_set(err, LRS_EXIT_USAGE, "command: nothing to run after expanding '%s'", command);
        goto done;
    }
    *argv_out = sc.words.v;
    *argc_out = sc.words.n;
    sc.words.v = NULL;
    sc.words.n = 0;
    rc = 0;
done:
    scan_free(&sc);
    return rc;
}

int lrs_exec_template_argv(const char *command, int shell, const char *const *user_names, int n_user,
                           char ***argv, int *argc)
{
    *argv = NULL;
    *argc = 0;
    if (shell || !command)
        return -1;
    lrs_trial_cfg_t cfg;
    lrs_trial_cfg_init(&cfg);
    cfg.user_names = user_names;   /* no user values: {dropout} is empty */
    cfg.n_user_names = n_user;
    lrs_err_t err;
    if (lrs_trial_cfg_finalize(&cfg, &err) < 0 || lrs_exec_expand(command, 0, &cfg, argv, argc, &err) < 0)
        return -1;
    return 0;
}

char *lrs_exec_template_program(const char *command, int shell, const char *const *user_names,
                                int n_user)
{
    char **argv;
    int argc;
    if (lrs_exec_template_argv(command, shell, user_names, n_user, &argv, &argc) < 0)
        return NULL;
    char *program = strdup(argv[0]);
    lrs_exec_argv_free(&argv);
    return program;
}

/* ---- LRSWEEP_PARAMS -------------------------------------------------- */

char *lrs_exec_params_json(const lrs_trial_cfg_t *cfg)
{
    lrs_trial_cfg_t set = *cfg;   /* what {args} lists: set and active */
    const lrs_param_info_t *table = lrs_param_table();
    for (int i = 0; i < LRS_P_COUNT; i++)
        if (!lrs_param_active(&table[i], cfg))
            set.set_mask &= ~(1ULL << table[i].id);
    for (size_t size = 1024; size <= (1u << 20); size *= 4) {
        char *text = malloc(size);
        if (!text || lrs_trial_cfg_json(&set, text, size) >= 0)
            return text;
        free(text);
    }
    return NULL;
}

/* ---- program lookup, text escaping ------------------------------------ */

static int executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *lrs_exec_find_program_in(const char *prog, const char *path_env, const char *base)
{
    lrs_strbuf_t check = {0};
    char *found = NULL;
    if (strchr(prog, '/')) {
        if (prog[0] != '/' && base && (lrs_sb_adds(&check, base) < 0 || lrs_sb_add(&check, "/", 1) < 0))
            goto done;
        if (lrs_sb_adds(&check, prog) < 0)
            goto done;
        if (executable_file(check.p))
            found = strdup(prog);
        goto done;
    }
    if (!path_env)
        path_env = "/usr/local/bin:/usr/bin:/bin";
    for (const char *dir = path_env;; dir++) {
        size_t n = strcspn(dir, ":");
        lrs_strbuf_t cand = {0};
        int ok = (n == 0 ? lrs_sb_add(&cand, ".", 1) : lrs_sb_add(&cand, dir, n)) == 0 &&
                 lrs_sb_add(&cand, "/", 1) == 0 && lrs_sb_adds(&cand, prog) == 0;
        if (ok) {
            check.len = 0;
            if (cand.p[0] != '/' && base && (lrs_sb_adds(&check, base) < 0 || lrs_sb_add(&check, "/", 1) < 0))
                ok = 0;
            if (ok && lrs_sb_adds(&check, cand.p) == 0 && executable_file(check.p)) {
                found = cand.p;
                cand.p = NULL;
            }
        }
        free(cand.p);
        if (found || dir[n] == '\0')
            break;
        dir += n;
    }
done:
    free(check.p);
    return found;
}

char *lrs_exec_find_program(const char *prog, const char *path_env)
{
    if (!prog || !*prog)
        return NULL;
    return lrs_exec_find_program_in(prog, path_env ? path_env : getenv("PATH"), NULL);
}

char *lrs_exec_escape_text(const char *data, size_t len)
{
    lrs_strbuf_t out = {0};
    if (lrs_sb_add(&out, "", 0) < 0)
        return NULL;
    const unsigned char *s = (const unsigned char *)data;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = s[i] == 0 ? 0 : lrs_utf8_seq(s + i, len - i, &cp);
        int rc;
        if (n == 0) {
            char hex[5];
            snprintf(hex, sizeof hex, "\\x%02x", s[i]);
            rc = lrs_sb_add(&out, hex, 4);
            n = 1;
        } else {
            rc = lrs_sb_add(&out, data + i, n);
        }
        if (rc < 0) {
            free(out.p);
            return NULL;
        }
        i += n;
    }
    return out.p;
}
