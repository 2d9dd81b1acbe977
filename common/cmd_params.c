/* cmd_params.c — `lrsweep params`: the trial parameters, their types,
 * ranges and the optimizer / scheduler each belongs to. */
#include <stdio.h>
#include <string.h>

#include "common/cli.h"
#include "common/params.h"

static const char *type_name(lrs_param_type_t t)
{
    switch (t) {
    case LRS_PT_FLOAT: return "float";
    case LRS_PT_INT: return "int";
    case LRS_PT_BOOL: return "bool";
    case LRS_PT_CHOICE: return "choice";
    case LRS_PT_INT_LIST: return "int list";
    }
    return "?";
}

int lrs_cmd_params(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: lrsweep params\n\n"
               "Lists every trial parameter (PyTorch's names) with its type and meaning.\n"
               "Parameters are given as NAME=VALUE words to 'lrsweep train' and\n"
               "'lrsweep schedule', or as keys under 'search:' in a sweep spec.\n");
        return lrs_cli_finish(0);
    }
    if (argc > 1) {
        fprintf(stderr, "lrsweep params: unexpected argument '%s' (see --help)\n", argv[1]);
        return 2;
    }
    const lrs_param_info_t *table = lrs_param_table();
    printf("%-20s %-9s %s\n", "PARAMETER", "TYPE", "MEANING");
    for (int i = 0; i < LRS_P_COUNT; i++)
        printf("%-20s %-9s %s\n", table[i].name, type_name(table[i].type), table[i].help);
    return lrs_cli_finish(0);
}
