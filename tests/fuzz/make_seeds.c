/* make_seeds.c — writes the seed frames of tests/fuzz/corpus/proto/.
 *
 * libFuzzer mutates from its corpus; a fuzzer that starts from real frames
 * reaches the decoder's deep paths (results with folds, epochs and a user's
 * command part, PROGRESS curves) in seconds instead of hours.  These frames
 * are made with the encoders (common/proto_encode.h), so they are exactly
 * what coordinators and workers send; one of each message type, a few of
 * the rich ones.  Run it after a protocol change:
 *   build-fuzz/make_seeds tests/fuzz/corpus/proto
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_encode.h"

static const char *out_dir;

static void emit(const lrs_wbuf_t *b, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.bin", out_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->sb.data, 1, b->sb.size, f) != b->sb.size || fclose(f) != 0) {
        fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    out_dir = argv[1];
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);

    lrs_proto_hello(&b, "w1", "host-a", 4242, 2);
    emit(&b, "hello");
    static const char spec[] =
        "name: wine-lr\nseed: 7\ntrials: 5\nsearch:\n  lr: {log_uniform: [1.0e-5, 1.0]}\n";
    lrs_proto_welcome(&b, 0x1122334455667788ULL, "wine-lr", "a1b2c3d4e5f60718", sizeof spec - 1,
                      0x0123456789abcdefULL, "00ff00ff00ff00ff", 10972, 1000, 3, 1);
    emit(&b, "welcome");
    lrs_proto_spec_req(&b, "a1b2c3d4e5f60718");
    emit(&b, "spec_req");
    lrs_proto_spec(&b, "a1b2c3d4e5f60718", spec);
    emit(&b, "spec");
    lrs_proto_ready(&b, 7, 4);
    emit(&b, "ready");
    lrs_wire_trial_t t[3] = {{0, 1, 11}, {1, 1, 1ULL << 52}, {99, 3, 5}};
    lrs_proto_trials_begin(&b, 7, 3);
    for (int i = 0; i < 3; i++)
        lrs_proto_trials_add(&b, &t[i]);
    emit(&b, "trials");
    lrs_proto_heartbeat(&b);
    emit(&b, "heartbeat");

    /* RESULTS: a complete built-in result with folds and epochs, a failed one */
    lrs_fold_result_t folds[2] = {{0, 0.5, 0.6, 0.75}, {1, 0.4, 0.7, NAN}};
    lrs_epoch_stat_t epochs[2] = {{1, 0.1, 1.0, 1.1}, {2, 0.05, 0.8, 0.9}};
    lrs_wire_result_t r[2];
    memset(r, 0, sizeof r);
    r[0] = (lrs_wire_result_t){.trial = 0, .attempt = 1,
                               .result = {.status = LRS_STATUS_COMPLETE, .score = 0.65,
                                          .score_std = 0.05, .seconds = 1.5, .n_folds = 2,
                                          .folds = folds, .n_epochs = 2, .epochs = epochs}};
    r[1] = (lrs_wire_result_t){.trial = 1, .attempt = 2,
                               .result = {.status = LRS_STATUS_FAILED, .score = NAN,
                                          .score_std = NAN, .seconds = 0.25, .diverged_epoch = 3,
                                          .error = "diverged: loss is NaN"}};
    lrs_proto_results_begin(&b, 7, 2);
    lrs_proto_results_add(&b, &r[0]);
    lrs_proto_results_add(&b, &r[1]);
    emit(&b, "results");

    /* RESULTS of a user's command: the 11th element, with a curve */
    char *names[2] = {"loss", "acc"};
    lrs_curve_point_t pts[3] = {{0, 1, 0, 0.9}, {0, 1, 1, 0.5}, {0, 2, 0, 0.7}};
    double finals[2] = {0.7, 0.5};
    lrs_command_result_t ex = {.exit_status = 0, .stderr_tail = "warn\n", .stderr_len = 5,
                               .log_tail = "epoch=1 loss=0.9\n", .log_len = 17, .finals = finals,
                               .curve = {2, names, 3, pts}};
    lrs_wire_result_t rx = {.trial = 5, .attempt = 1,
                            .result = {.status = LRS_STATUS_COMPLETE, .score = 0.7,
                                       .score_std = NAN, .seconds = 2.0, .command = &ex}};
    lrs_proto_results_begin(&b, 7, 1);
    lrs_proto_results_add(&b, &rx);
    emit(&b, "results_exec");

    lrs_proto_ack_begin(&b, 7, 3);
    lrs_proto_ack_add(&b, 0);
    lrs_proto_ack_add(&b, 1);
    lrs_proto_ack_add(&b, 99);
    emit(&b, "ack");
    lrs_proto_data_req(&b, "00ff00ff00ff00ff", 0, 4);
    emit(&b, "data_req");
    const char csv[] = "x1,x2,y\n1,2,a\n3,4,b\n";
    lrs_proto_data(&b, "00ff00ff00ff00ff", 0, sizeof csv - 1, csv, sizeof csv - 1);
    emit(&b, "data");
    lrs_proto_shutdown(&b, 0x1122334455667788ULL, 1, "sweep complete");
    emit(&b, "shutdown");
    lrs_proto_reject(&b, LRS_REJECT_MESSAGE, "unknown sweep");
    emit(&b, "reject");
    lrs_curve_t c = {2, names, 3, pts};
    lrs_proto_progress(&b, 7, 5, 1, &c);
    emit(&b, "progress");
    lrs_proto_rung(&b, 7, 5, 1, 4, 0.625, 0.5);
    emit(&b, "rung");
    lrs_proto_verdict(&b, 7, 5, 1, 4, 1, 0.4375);
    emit(&b, "verdict");

    lrs_wbuf_free(&b);
    return 0;
}
