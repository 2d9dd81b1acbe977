/* keys.h — CURVE key files, as both sides and `lrsweep keygen` use them.
 *
 * A key pair is two files: NAME.key (secret, mode 0600: the lines
 * "public Z85" and "secret Z85") and NAME.pub (the public key, one Z85
 * line).  Z85 keys are 40 characters (32 bytes).  A coordinator is given
 * its own .key and an allow list of worker public keys — a file with one
 * key a line ('#' comments and blank lines allowed) or a folder of .pub
 * files; a worker its own .key and the coordinator's .pub.  A secret file
 * that others may read is refused: the key would no longer be secret.
 */
#ifndef LRS_KEYS_H
#define LRS_KEYS_H

#include <stddef.h>

#include "common/err.h"

#define LRS_KEY_Z85_LEN 40
#define LRS_ALLOW_MAX 100000   /* public keys in one allow list */

typedef struct lrs_keypair {
    char public_z85[LRS_KEY_Z85_LEN + 1];
    char secret_z85[LRS_KEY_Z85_LEN + 1];
} lrs_keypair_t;

/* The allowed public keys, sorted (lrs_allow_has is a binary search). */
typedef struct lrs_allow {
    char (*keys)[LRS_KEY_Z85_LEN + 1];
    size_t n;
} lrs_allow_t;

/* 1 when text (NUL-terminated) is a well-formed Z85 key: 40 characters of
 * the Z85 alphabet that decode to 32 bytes. */
int lrs_key_is_z85(const char *text);

/* Makes a new key pair and writes NAME.key (mode 0600) and NAME.pub,
 * refusing (code 2, naming the file) when either exists.  0, or -1 with
 * err (nothing left behind). */
int lrs_keys_generate(const char *name, lrs_keypair_t *out, lrs_err_t *err);

/* Writes z85 as the public key file path (one line, mode 0644), refusing
 * (code 2) when it exists.  0, or -1 with err (nothing left behind). */
int lrs_keys_write_public(const char *path, const char *z85, lrs_err_t *err);

/* Reads a secret key file: refuses one that its group or others may read
 * (code 2, with the chmod to fix it), a malformed one (file:line), and a
 * public line that does not belong to the secret.  0, or -1 with err. */
int lrs_keys_load_secret(const char *path, lrs_keypair_t *out, lrs_err_t *err);

/* Reads a public key file (its first non-comment line).  0, or -1 with err
 * (code 2 for a malformed file, naming it and the line). */
int lrs_keys_load_public(const char *path, char out[LRS_KEY_Z85_LEN + 1], lrs_err_t *err);

/* Reads an allow list from path: a file of keys or a folder of .pub files.
 * Duplicates collapse; an empty list is refused (no worker could join).
 * out is replaced only on success.  0, or -1 with err (code 2, file:line). */
int lrs_allow_load(const char *path, lrs_allow_t *out, lrs_err_t *err);

/* Adds z85 (a well-formed key) to the list, keeping it sorted; nothing
 * when it is there already.  0, or -1 out of memory / full. */
int lrs_allow_add(lrs_allow_t *a, const char *z85);

/* 1 when z85 is on the list. */
int lrs_allow_has(const lrs_allow_t *a, const char *z85);

/* Frees the list and empties it (NULL is fine). */
void lrs_allow_clear(lrs_allow_t *a);

#endif
