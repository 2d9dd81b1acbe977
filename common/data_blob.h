/* data_blob.h — a data set's compact binary form: what the coordinator
 * builds once from the file it parsed and ships to every worker, so no
 * worker reads CSV text again and the coordinator keeps no text.
 *
 * The form is a byte string, little-endian throughout:
 *     "LRSDATA1"
 *     u64 task (0 regression, 1 classification), rows, n_features,
 *         n_targets, n_classes, names_bytes
 *     names_bytes bytes: each class label (in class-id order), each feature
 *         name, each target name, as u32 length + bytes
 *     zero bytes up to a multiple of 8 from the start
 *     X row-major, then Y row-major, as IEEE-754 binary64
 * so the values start 8-byte aligned (a mapped file can be read in place)
 * and the encoding of a data set is one string: the same data gives the
 * same bytes, hence the same FNV-1a name on the wire on every machine.
 * Decoding checks every count and length against the bytes there are
 * before it allocates, and that class codes are whole numbers below
 * n_classes: a hostile string is refused, never trusted.
 */
#ifndef LRS_DATA_BLOB_H
#define LRS_DATA_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "common/dataset.h"
#include "common/err.h"

/* The longest name or label the form carries (a CSV header cell is far
 * shorter in practice; longer ones are refused on encode and decode). */
#define LRS_DATA_BLOB_MAX_NAME 65536

/* Encodes d into a new malloc'd string (*out, *len).  0, or -1 with err
 * (out of memory: code 1; a name over LRS_DATA_BLOB_MAX_NAME: code 2). */
int lrs_data_blob_encode(const lrs_dataset_t *d, uint8_t **out, size_t *len, lrs_err_t *err);

/* Decodes bytes[0..len) into *out (each array and string its own malloc
 * block, freed by lrs_dataset_free).  name is the data's name in messages.
 * 0, or -1 with err (code 2: not a data set's form, with the field at
 * fault; code 1: out of memory); on failure *out is empty. */
int lrs_data_blob_decode(const void *bytes, size_t len, const char *name, lrs_dataset_t *out,
                         lrs_err_t *err);

/* lrs_data_blob_decode of a malloc'd form that the data set takes over:
 * X and Y are read in place (values_block, common/dataset.h) where the
 * machine's layout allows (little-endian, 8-byte aligned), so the data set
 * costs no second copy; otherwise they are copied and bytes freed.  bytes
 * is the data set's on success and freed on failure. */
int lrs_data_blob_adopt(void *bytes, size_t len, const char *name, lrs_dataset_t *out,
                        lrs_err_t *err);

#endif
