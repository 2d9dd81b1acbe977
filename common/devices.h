/* devices.h — `--gpus 0,1,…`: the devices a worker's slots run on.
 *
 * The list is ids as CUDA_VISIBLE_DEVICES takes them (indexes, or UUIDs
 * such as GPU-8f2c…): comma-separated, each of letters, digits, '-' and
 * '_' (at most LRS_DEVICE_ID_MAX bytes), no empty or repeated id, at most
 * LRS_MAX_DEVICES.  Slot k runs on device k mod n (round robin when there
 * are more slots than devices).  `worker --gpus` and `run --gpus` both read
 * it here; worker/exec_env sets CUDA_VISIBLE_DEVICES and LRSWEEP_GPU.
 */
#ifndef LRS_DEVICES_H
#define LRS_DEVICES_H

#include <stddef.h>

#define LRS_MAX_DEVICES 64
#define LRS_DEVICE_ID_MAX 63

typedef struct lrs_devices {
    int n;
    char id[LRS_MAX_DEVICES][LRS_DEVICE_ID_MAX + 1];
} lrs_devices_t;

/* The longest list text: every id at its longest, with commas. */
#define LRS_DEVICES_TEXT_MAX (LRS_MAX_DEVICES * (LRS_DEVICE_ID_MAX + 1))

/* Parses text into *d: 0, or -1 with the reason in why. */
int lrs_devices_parse(const char *text, lrs_devices_t *d, char *why, size_t size);

/* The device of slot k (0-based), or NULL without devices. */
const char *lrs_devices_for_slot(const lrs_devices_t *d, int slot);

/* Writes the list as text ("0,1"; "" for none) into buf of size ≥
 * LRS_DEVICES_TEXT_MAX + 1; returns buf. */
char *lrs_devices_text(const lrs_devices_t *d, char *buf, size_t size);

#endif
