/* served_data.c — see served_data.h. */
#include "coordinator/served_data.h"

#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/readfile.h"
#include "common/validate.h"

/* The message in b as a frame of its own: 0, or -1 out of memory. */
static int frame_of(const lrs_wbuf_t *b, zmq_msg_t *out)
{
    if (zmq_msg_init_size(out, b->sb.size) != 0)
        return -1;
    memcpy(zmq_msg_data(out), b->sb.data, b->sb.size);
    return 0;
}

int lrs_served_data_load(const lrs_spec_info_t *info, lrs_served_data_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (info->model_kind == LRS_MODEL_SYNTHETIC || !info->data_path)
        return 0;
    char *buf;
    size_t len;
    if (lrs_read_file(info->data_path, "data", LRS_PROTO_MAX_DATA, &buf, &len, err) != 0)
        return -1;
    int rc = -1;
    lrs_dataset_t ds;
    lrs_wbuf_t wb;
    lrs_wbuf_init(&wb);
    if (lrs_validate_load_data(info, info->data_path, buf, len, &ds, err) != 0)
        goto done;
    lrs_dataset_content_hash(&ds, out->data_hash);
    lrs_dataset_free(&ds);
    lrs_proto_content_hash(buf, len, out->hash);
    out->size = len;
    lrs_proto_data(&wb, out->hash, buf, len);
    if (frame_of(&wb, &out->frame) != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the data frame");
        goto done;
    }
    out->present = 1;
    rc = 0;
done:
    lrs_wbuf_free(&wb);
    free(buf);
    return rc;
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
    if (d->present)
        zmq_msg_close(&d->frame);
    d->present = 0;
}
