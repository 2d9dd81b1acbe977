/* access.h — who may connect to a coordinator, decided once from the
 * command line: CURVE with the coordinator's key and an allow list, or no
 * keys where that is safe (ipc:// endpoints in a private folder, loopback
 * TCP), or no keys because the operator said --insecure.  Binding a TCP
 * endpoint other workers could reach without keys is refused with the
 * commands that make them.  `run` with keys makes a key pair for its own
 * local workers in its private folder, so they need no set-up either. */
#ifndef LRS_ACCESS_H
#define LRS_ACCESS_H

#include "common/err.h"
#include "common/keys.h"

typedef struct lrs_access {
    int curve;                  /* 1: keys in use */
    lrs_keypair_t key;          /* the coordinator's */
    const char *allow_path;     /* the allow list's file or folder */
    /* with curve and local workers: their key files and the coordinator's
     * public key file, in the private folder; and their public key */
    char local_key_path[4200], server_pub_path[4200];
    char local_public[LRS_KEY_Z85_LEN + 1];
} lrs_access_t;

/* 1 when endpoint is ipc://, or tcp:// on a loopback address (127.x,
 * localhost, ::1). */
int lrs_access_is_local(const char *endpoint);

/* How a coordinator accepts workers, as a sweep's row records it
 * (schema/003_provenance.sql). */
typedef enum {
    LRS_TRANSPORT_LOCAL,      /* no keys, every endpoint local (lrs_access_is_local) */
    LRS_TRANSPORT_CURVE,      /* CURVE keys and an allow list */
    LRS_TRANSPORT_INSECURE    /* no keys on a reachable TCP endpoint (--insecure) */
} lrs_transport_t;

/* The transport of a coordinator bound to binds[0..n_binds) with CURVE
 * (curve 1) or without: decided from what it binds, so it cannot disagree
 * with what the sockets do. */
lrs_transport_t lrs_access_transport(int curve, const char *const *binds, int n_binds);

/* "local", "curve" or "insecure": the text stored in sweeps.transport. */
const char *lrs_transport_name(lrs_transport_t t);

/* Decides access for cmd (the command's name, for messages) binding bind
 * (NULL: local workers only) with key_path / allow_path (NULL: the
 * LRSWEEP_KEY / LRSWEEP_ALLOW environment, else none) and insecure.  With
 * keys and private_dir (NULL: no local workers), writes the local workers'
 * key pair and the coordinator's public key there.  0, or -1 with err
 * (code 2: a missing half of the pair, an unreadable key, or a reachable
 * TCP endpoint without keys). */
int lrs_access_setup(const char *cmd, const char *bind, const char *key_path,
                     const char *allow_path, int insecure, const char *private_dir,
                     lrs_access_t *out, lrs_err_t *err);

/* Removes the files lrs_access_setup wrote. */
void lrs_access_cleanup(const lrs_access_t *a);

#endif
