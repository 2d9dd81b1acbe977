/* data_blob.c — see data_blob.h.  Encoding writes the header, the names and
 * the values in one pass into a buffer sized exactly beforehand; decoding
 * reads the header, proves the total length from its counts (in 64-bit
 * arithmetic, each product bounded by LRS_DATASET_MAX_CELLS first), walks
 * the names inside the bytes given, and only then allocates and copies. */
#include "common/data_blob.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "LRSDATA1"
#define HEADER_BYTES (8 + 6 * 8)

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LRS_BIG_ENDIAN 1
#else
#define LRS_BIG_ENDIAN 0
#endif

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* n doubles from src to dst as little-endian binary64 (a copy on the
 * machines lrsweep runs on). */
static void values_out(uint8_t *dst, const double *src, size_t n)
{
    if (!LRS_BIG_ENDIAN) {
        memcpy(dst, src, n * sizeof *src);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &src[i], sizeof bits);
        put_u64(dst + 8 * i, bits);
    }
}

static void values_in(double *dst, const uint8_t *src, size_t n)
{
    if (!LRS_BIG_ENDIAN) {
        memcpy(dst, src, n * sizeof *dst);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t bits = get_u64(src + 8 * i);
        memcpy(&dst[i], &bits, sizeof bits);
    }
}

/* The names in their order: class labels, feature names, target names. */
typedef struct names {
    char **list[3];
    size_t count[3];
} names_t;

static names_t names_of(const lrs_dataset_t *d)
{
    names_t n = {{d->class_labels, d->feature_names, d->target_names},
                 {d->task == LRS_TASK_CLASSIFICATION ? (size_t)d->n_classes : 0,
                  (size_t)d->n_features, (size_t)d->n_targets}};
    return n;
}

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

int lrs_data_blob_encode(const lrs_dataset_t *d, uint8_t **out, size_t *len, lrs_err_t *err)
{
    *out = NULL;
    *len = 0;
    names_t nm = names_of(d);
    size_t names_bytes = 0;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < nm.count[k]; i++) {
            const char *s = nm.list[k] && nm.list[k][i] ? nm.list[k][i] : "";
            size_t n = strlen(s);
            if (n > LRS_DATA_BLOB_MAX_NAME)
                return lrs_err_set(err, LRS_EXIT_USAGE, "a column name or label is longer "
                                   "than %d bytes", LRS_DATA_BLOB_MAX_NAME);
            names_bytes += 4 + n;
        }
    size_t nx = (size_t)d->rows * (size_t)d->n_features, ny = (size_t)d->rows * (size_t)d->n_targets;
    size_t values_at = pad8(HEADER_BYTES + names_bytes);
    size_t total = values_at + 8 * (nx + ny);
    uint8_t *b = calloc(total, 1);
    if (!b)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the data set's binary form "
                           "(%zu bytes)", total);
    memcpy(b, MAGIC, 8);
    uint64_t head[6] = {d->task == LRS_TASK_CLASSIFICATION, (uint64_t)d->rows,
                        (uint64_t)d->n_features, (uint64_t)d->n_targets,
                        d->task == LRS_TASK_CLASSIFICATION ? (uint64_t)d->n_classes : 0,
                        names_bytes};
    for (int i = 0; i < 6; i++)
        put_u64(b + 8 + 8 * i, head[i]);
    uint8_t *p = b + HEADER_BYTES;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < nm.count[k]; i++) {
            const char *s = nm.list[k] && nm.list[k][i] ? nm.list[k][i] : "";
            size_t n = strlen(s);
            put_u32(p, (uint32_t)n);
            memcpy(p + 4, s, n);
            p += 4 + n;
        }
    values_out(b + values_at, d->X, nx);
    values_out(b + values_at + 8 * nx, d->Y, ny);
    *out = b;
    *len = total;
    return 0;
}

static int bad(lrs_err_t *err, const char *name, const char *what)
{
    lrs_err_set(err, LRS_EXIT_USAGE, "%s: not a data set's binary form: %s", name, what);
    return -1;
}

/* Reads count names from *p (below end) into a new array *out. */
static int read_names(const uint8_t **p, const uint8_t *end, size_t count, char ***out,
                      const char *name, lrs_err_t *err)
{
    *out = calloc(count ? count : 1, sizeof **out);
    if (!*out)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", name);
    for (size_t i = 0; i < count; i++) {
        if ((size_t)(end - *p) < 4)
            return bad(err, name, "names truncated");
        uint32_t n = get_u32(*p);
        *p += 4;
        if (n > LRS_DATA_BLOB_MAX_NAME || (size_t)(end - *p) < n)
            return bad(err, name, "a name runs past the names");
        if (memchr(*p, 0, n))
            return bad(err, name, "a NUL byte in a name");
        if (!((*out)[i] = malloc((size_t)n + 1)))
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", name);
        memcpy((*out)[i], *p, n);
        (*out)[i][n] = '\0';
        *p += n;
    }
    return 0;
}

/* The header's counts, each within its bound, and the total length they
 * imply equal to len. */
static int check_header(const uint8_t *b, size_t len, const char *name, uint64_t h[6],
                        lrs_err_t *err)
{
    if (len < HEADER_BYTES || memcmp(b, MAGIC, 8) != 0)
        return bad(err, name, len < HEADER_BYTES ? "shorter than its header" : "no LRSDATA1 mark");
    for (int i = 0; i < 6; i++)
        h[i] = get_u64(b + 8 + 8 * i);
    uint64_t task = h[0], rows = h[1], nf = h[2], nt = h[3], nc = h[4], names = h[5];
    if (task > 1)
        return bad(err, name, "task is neither 0 nor 1");
    if (rows < 1 || rows > INT_MAX || nt < 1 || nt > INT_MAX || nf > INT_MAX ||
        (nf + nt) > LRS_DATASET_MAX_CELLS / rows)
        return bad(err, name, "rows or columns out of range");
    if (task == 1 ? (nt != 1 || nc < 1 || nc > rows) : nc != 0)
        return bad(err, name, "class count out of range");
    if (names > len - HEADER_BYTES)
        return bad(err, name, "names longer than the data");
    uint64_t values_at = pad8(HEADER_BYTES + (size_t)names);
    if (values_at > len || (len - values_at) / 8 != rows * (nf + nt) || (len - values_at) % 8)
        return bad(err, name, "its length is not what its counts say");
    return 0;
}

/* Decodes b[0..len) into *out; in_place: X and Y point into b (which the
 * caller checked is aligned), else they are copies. */
static int decode(const uint8_t *b, size_t len, const char *name, int in_place,
                  lrs_dataset_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    uint64_t h[6];
    if (check_header(b, len, name, h, err) != 0)
        return -1;
    out->task = h[0] ? LRS_TASK_CLASSIFICATION : LRS_TASK_REGRESSION;
    out->rows = (int)h[1];
    out->n_features = (int)h[2];
    out->n_targets = (int)h[3];
    out->n_classes = (int)h[4];
    const uint8_t *p = b + HEADER_BYTES, *names_end = p + h[5];
    int rc = -1;
    if ((out->task == LRS_TASK_CLASSIFICATION &&
         read_names(&p, names_end, h[4], &out->class_labels, name, err) != 0) ||
        read_names(&p, names_end, h[2], &out->feature_names, name, err) != 0 ||
        read_names(&p, names_end, h[3], &out->target_names, name, err) != 0)
        goto done;
    if (p != names_end) {
        bad(err, name, "bytes left over after the names");
        goto done;
    }
    size_t nx = (size_t)h[1] * (size_t)h[2], ny = (size_t)h[1] * (size_t)h[3];
    const uint8_t *values = b + pad8(HEADER_BYTES + (size_t)h[5]);
    if (in_place) {
        out->X = (double *)(uintptr_t)values;            /* aligned: checked by the caller */
        out->Y = (double *)(uintptr_t)(values + 8 * nx);
    } else {
        out->X = malloc(nx ? nx * sizeof *out->X : 1);
        out->Y = malloc(ny * sizeof *out->Y);
        if (!out->X || !out->Y) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory for %zu values", name, nx + ny);
            goto done;
        }
        values_in(out->X, values, nx);
        values_in(out->Y, values + 8 * nx, ny);
    }
    for (size_t i = 0; out->task == LRS_TASK_CLASSIFICATION && i < ny; i++) {
        double c = out->Y[i];
        if (!(c >= 0 && c < out->n_classes && c == floor(c))) {
            bad(err, name, "a class code that names no class");
            goto done;
        }
    }
    rc = 0;
done:
    if (rc != 0 && in_place)
        out->X = out->Y = NULL;   /* b stays the caller's */
    if (rc != 0)
        lrs_dataset_free(out);
    return rc;
}

int lrs_data_blob_decode(const void *bytes, size_t len, const char *name, lrs_dataset_t *out,
                         lrs_err_t *err)
{
    return decode(bytes, len, name, 0, out, err);
}

int lrs_data_blob_adopt(void *bytes, size_t len, const char *name, lrs_dataset_t *out,
                        lrs_err_t *err)
{
    int in_place = !LRS_BIG_ENDIAN && (uintptr_t)bytes % 8 == 0;
    int rc = decode(bytes, len, name, in_place, out, err);
    if (rc == 0 && in_place)
        out->values_block = bytes;
    else
        free(bytes);
    return rc;
}
