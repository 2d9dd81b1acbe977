/* served_data.h — what the coordinator serves every worker, each encoded
 * once and shared, not copied, by every send: the WELCOME (which names the
 * spec and the data set by hash and size but carries neither, so a flood
 * of HELLOs costs a few hundred bytes each), the spec as the SPEC message
 * that answers SPEC_REQ, and the data set: the file parsed once and checked
 * the way every worker will check it (common/validate.h), so a bad file
 * fails now with its line and column, then kept only in its compact binary
 * form (common/data_blob.h: doubles, class codes with their names; the text
 * is gone once parsed), named by the FNV-1a of that form and served in
 * chunks of LRS_PROTO_DATA_CHUNK bytes, as many as each DATA_REQ asks for,
 * so no send holds the poll loop for long whatever the data set's size.
 * The parse also gives the data's content hash as decoded
 * (lrs_dataset_content_hash: of values and labels, not of their spelling),
 * which the sweep's row keeps so a resume on changed data is refused. */
#ifndef LRS_SERVED_DATA_H
#define LRS_SERVED_DATA_H

#include <stdint.h>

#include <zmq.h>

#include "common/err.h"
#include "common/proto_encode.h"
#include "common/spec.h"

typedef struct lrs_served_data {
    int present;          /* 0: the sweep needs no data (synthetic model or data) */
    char hash[17];        /* lrs_fnv64w of the binary form, as workers verify it */
    char data_hash[17];   /* content hash of the data as decoded (common/dataset.h) */
    uint64_t size;        /* bytes of the binary form */
    uint8_t *blob;        /* the binary form (when present) */
    int rows, features;   /* its shape, for logs */
} lrs_served_data_t;

/* Reads, checks and encodes the data file info names (nothing for a
 * synthetic model or synthetic data).  0, or -1 with err (code 2 for a file
 * that cannot be read or trained on). */
int lrs_served_data_load(const lrs_spec_info_t *info, lrs_served_data_t *out, lrs_err_t *err);

/* Encodes into b the DATA frame of d's binary form from offset on (at most
 * LRS_PROTO_DATA_CHUNK bytes).  Returns the bytes it carries, 0 (nothing
 * encoded) when offset is at or past the end. */
size_t lrs_served_data_chunk(const lrs_served_data_t *d, uint64_t offset, lrs_wbuf_t *b);

/* Frees the binary form; d is then not present.  Safe twice. */
void lrs_served_data_clear(lrs_served_data_t *d);

typedef struct lrs_served_spec {
    char hash[17];        /* content hash of the spec text */
    zmq_msg_t spec;       /* the SPEC message */
    zmq_msg_t welcome;    /* the WELCOME message */
    int ready;
} lrs_served_spec_t;

/* Encodes the SPEC and WELCOME of sweep (token, name) with spec and data
 * (from lrs_served_data_load), the heartbeat interval and the liveness (beats
 * a silent peer may miss).  0, or -1 with
 * err (out of memory); nothing is held on failure. */
int lrs_served_spec_make(const lrs_spec_t *spec, uint64_t token, const char *sweep_name,
                         const lrs_served_data_t *data, int heartbeat_ms, int liveness,
                         lrs_served_spec_t *out,
                         lrs_err_t *err);

/* Frees the frames.  Safe twice. */
void lrs_served_spec_clear(lrs_served_spec_t *s);

#endif
