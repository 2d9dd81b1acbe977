/* served_data.c — see served_data.h. */
#include "coordinator/served_data.h"

#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/readfile.h"
#include "common/validate.h"

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
    if (zmq_msg_init_size(&out->frame, wb.sb.size) != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the data frame");
        goto done;
    }
    memcpy(zmq_msg_data(&out->frame), wb.sb.data, wb.sb.size);
    out->present = 1;
    rc = 0;
done:
    lrs_wbuf_free(&wb);
    free(buf);
    return rc;
}

void lrs_served_data_clear(lrs_served_data_t *d)
{
    if (d->present)
        zmq_msg_close(&d->frame);
    d->present = 0;
}
