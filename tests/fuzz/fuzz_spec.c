/* fuzz_spec.c — libFuzzer harness for the spec loader, lrs_spec_parse.
 *
 * A spec is the user's YAML, and a worker parses the spec text a
 * coordinator sends in WELCOME, so the loader (common/spec.h: libfyaml
 * through common/yaml_doc.c, then the spec's own checks) must take any
 * bytes: report an error, never crash, hang or leak.  Each input is one spec
 * text, parsed as a worker does (no base folder: the data path is kept as
 * written, nothing on disk is read), with every error written to a report
 * (/dev/null), as `lrsweep validate` does.  A spec that loads is used as its
 * users use it: its hash, its text, and its first and last trials sampled.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) {
        perror("fuzz_spec: /dev/null");
        abort();
    }
    lrs_spec_t *s = NULL;
    lrs_err_t err;
    if (lrs_spec_parse_report("fuzz.yaml", (const char *)data, size, NULL, &s, devnull, &err) != 0) {
        if (s || (err.code != LRS_EXIT_USAGE && err.code != LRS_EXIT_RUNTIME)) {
            fprintf(stderr, "fuzz_spec: a refusal without an error code, or with a spec\n");
            abort();
        }
        return 0;
    }
    volatile uint64_t sink = lrs_spec_space_hash(s) ^ strlen(lrs_spec_text(s));
    uint64_t n = lrs_spec_trial_count(s);
    uint64_t pick[2] = {0, n ? n - 1 : 0};
    for (int k = 0; k < 2 && n > 0; k++) {
        lrs_trial_cfg_t cfg;
        uint64_t seed = 0;
        if (lrs_spec_sample(s, pick[k], &cfg, &seed, &err) == 0)
            sink ^= seed ^ cfg.set_mask;
    }
    (void)sink;
    lrs_spec_destroy(&s);
    return 0;
}
