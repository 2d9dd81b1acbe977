/* served_data.c — see served_data.h. */
#include "coordinator/served_data.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/data_blob.h"
#include "common/dataset.h"
#include "common/fnv.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/validate.h"

/* The message in b as a frame of its own: 0, or -1 out of memory. */
static int frame_of(const lrs_wbuf_t *b, zmq_msg_t *out)
{
    if (zmq_msg_init_size(out, b->sb.size) != 0)
        return -1;
    memcpy(zmq_msg_data(out), b->sb.data, b->sb.size);
    return 0;
}

/* The content hash of a data set, on a thread of its own: it reads every
 * value byte by byte (FNV-1a, as the sweep's row has always kept it), the
 * encoding beside it reads them too; neither writes. */
typedef struct hash_job {
    const lrs_dataset_t *ds;
    char *out;
} hash_job_t;

static void *hash_main(void *arg)
{
    hash_job_t *job = arg;
    lrs_dataset_content_hash(job->ds, job->out);
    return NULL;
}

int lrs_served_data_load(const lrs_spec_info_t *info, lrs_served_data_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (info->model_kind == LRS_MODEL_SYNTHETIC || !info->data_path)
        return 0;
    lrs_dataset_t ds;
    size_t len;
    if (lrs_validate_load_data(info, info->data_path, NULL, 0, &ds, err) != 0)
        return -1;
    hash_job_t job = {&ds, out->data_hash};
    pthread_t hasher;
    int threaded = pthread_create(&hasher, NULL, hash_main, &job) == 0;
    if (!threaded)
        hash_main(&job);
    int rc = lrs_data_blob_encode(&ds, &out->blob, &len, err);
    if (threaded)
        pthread_join(hasher, NULL);
    out->rows = ds.rows;
    out->features = ds.n_features;
    lrs_dataset_free(&ds);
    if (rc != 0) {
        lrs_err_prefix(err, "%s: ", info->data_path);
        return -1;
    }
    if (len > LRS_PROTO_MAX_DATA) {
        free(out->blob);
        out->blob = NULL;
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: the data set is %zu bytes as float64, over "
                           "the %" PRIu64 " a sweep carries", info->data_path, len,
                           (uint64_t)LRS_PROTO_MAX_DATA);
    }
    lrs_fnv64w_hex(out->blob, len, out->hash);
    out->size = len;
    out->present = 1;
    return 0;
}

size_t lrs_served_data_chunk(const lrs_served_data_t *d, uint64_t offset, lrs_wbuf_t *b)
{
    if (!d->present || offset >= d->size)
        return 0;
    uint64_t n = d->size - offset < LRS_PROTO_DATA_CHUNK ? d->size - offset : LRS_PROTO_DATA_CHUNK;
    lrs_proto_data(b, d->hash, offset, d->size, d->blob + offset, (size_t)n);
    return (size_t)n;
}

int lrs_served_spec_make(const lrs_spec_t *spec, uint64_t token, const char *sweep_name,
                         const lrs_served_data_t *data, int heartbeat_ms, int liveness,
                         lrs_served_spec_t *out,
                         lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    const char *text = lrs_spec_text(spec);
    size_t len = strlen(text);
    lrs_proto_content_hash(text, len, out->hash);
    lrs_wbuf_t wb;
    lrs_wbuf_init(&wb);
    int rc = -1;
    lrs_proto_spec(&wb, out->hash, text);
    if (frame_of(&wb, &out->spec) == 0) {
        lrs_proto_welcome(&wb, token, sweep_name, out->hash, len, lrs_spec_space_hash(spec),
                          data->present ? data->hash : "", data->size, heartbeat_ms, liveness,
                          lrs_spec_rules(spec));
        if (frame_of(&wb, &out->welcome) == 0)
            rc = 0;
        else
            zmq_msg_close(&out->spec);
    }
    lrs_wbuf_free(&wb);
    out->ready = rc == 0;
    return rc == 0 ? 0 : lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the WELCOME");
}

void lrs_served_spec_clear(lrs_served_spec_t *s)
{
    if (s->ready) {
        zmq_msg_close(&s->spec);
        zmq_msg_close(&s->welcome);
    }
    s->ready = 0;
}

void lrs_served_data_clear(lrs_served_data_t *d)
{
    free(d->blob);
    d->blob = NULL;
    d->present = 0;
}
