/* pycmd.c — see pycmd.h. */
#include "common/pycmd.h"

#include <stdio.h>
#include <string.h>

static int is_python(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (strncmp(base, "python", 6) != 0)
        return 0;
    for (const char *c = base + 6; *c; c++)
        if (!((*c >= '0' && *c <= '9') || *c == '.'))
            return 0;
    return 1;
}

int lrs_pycmd_parse(char *const argv[], int argc, lrs_pycmd_t *cmd, char *why, size_t size)
{
    memset(cmd, 0, sizeof *cmd);
    if (argc < 1 || !is_python(argv[0])) {
        snprintf(why, size, "'%s' is not a Python interpreter", argc < 1 ? "" : argv[0]);
        return 0;
    }
    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        const char *w = argv[i];
        if (strcmp(w, "--") == 0) {
            cmd->n_opts = i - 1;
            cmd->target = i + 1;
            if (cmd->target >= argc) {
                snprintf(why, size, "the command names no script after --");
                return 0;
            }
            return 1;
        }
        if (w[1] == '\0' || w[1] == '-') {
            snprintf(why, size, "the interpreter option '%s' is not one the helper reproduces",
                     w[1] == '\0' ? "- (script on stdin)" : w);
            return 0;
        }
        int takes_next = 0;
        for (const char *c = w + 1; *c; c++) {
            if (strchr("bBdEIOqsSuv", *c))
                continue;
            if (*c == 'W' || *c == 'X') {
                takes_next = c[1] == '\0';
                break;
            }
            if (*c == 'm') {
                if (c != w + 1 || c[1] != '\0' || i + 1 >= argc) {
                    snprintf(why, size, "write -m MODULE as two words");
                    return 0;
                }
                cmd->n_opts = i - 1;
                cmd->target = i + 1;
                cmd->module = 1;
                return 1;
            }
            snprintf(why, size, "the interpreter option -%c is not one the helper reproduces", *c);
            return 0;
        }
        if (takes_next && ++i >= argc) {
            snprintf(why, size, "the option %s lacks its argument", w);
            return 0;
        }
        i++;
    }
    if (i >= argc) {
        snprintf(why, size, "the command names no script");
        return 0;
    }
    cmd->n_opts = i - 1;
    cmd->target = i;
    return 1;
}

int lrs_pycmd_plan(int shell, char *const argv[], int argc, lrs_pycmd_t *cmd, char *why, size_t size)
{
    if (shell) {
        snprintf(why, size, "preload: shell: true runs the command with /bin/sh");
        return 0;
    }
    char reason[200];
    if (lrs_pycmd_parse(argv, argc, cmd, reason, sizeof reason))
        return 1;
    snprintf(why, size, "preload: %s", reason);
    return 0;
}
