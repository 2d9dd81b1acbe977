/* cmd_keygen.c — `lrsweep keygen NAME`: a CURVE key pair for a coordinator
 * or a worker (common/keys.h holds the file format). */
#include <stdio.h>
#include <string.h>

#include "common/cli.h"
#include "common/keys.h"

int lrs_cmd_keygen(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: lrsweep keygen NAME\n\n"
               "Makes a CURVE key pair: NAME.key (the secret, mode 0600: keep it on the\n"
               "machine that uses it) and NAME.pub (the public key, one line, to copy).\n"
               "Refuses to overwrite either file.\n\n"
               "A coordinator runs with --key coordinator.key --allow workers/ (a folder of\n"
               "the workers' .pub files, or one file with a key a line); a worker with\n"
               "--key worker.key --server-key coordinator.pub.  See docs/security.md.\n");
        return lrs_cli_finish(0);
    }
    if (argc != 2 || argv[1][0] == '-' || argv[1][0] == '\0') {
        fprintf(stderr, "usage: lrsweep keygen NAME (see --help)\n");
        return 2;
    }
    lrs_keypair_t kp;
    lrs_err_t err;
    if (lrs_keys_generate(argv[1], &kp, &err) != 0) {
        fprintf(stderr, "lrsweep keygen: %s\n", err.msg);
        return err.code;
    }
    printf("wrote %s.key (secret) and %s.pub (public key %s)\n", argv[1], argv[1], kp.public_z85);
    return lrs_cli_finish(0);
}
