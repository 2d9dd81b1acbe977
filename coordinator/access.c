/* access.c — see access.h. */
#include "coordinator/access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lrs_access_is_local(const char *endpoint)
{
    if (strncmp(endpoint, "ipc://", 6) == 0)
        return 1;
    if (strncmp(endpoint, "tcp://", 6) != 0)
        return 0;
    const char *host = endpoint + 6;
    return strncmp(host, "127.", 4) == 0 || strncmp(host, "localhost:", 10) == 0 ||
           strncmp(host, "[::1]:", 6) == 0;
}

lrs_transport_t lrs_access_transport(int curve, const char *const *binds, int n_binds)
{
    if (curve)
        return LRS_TRANSPORT_CURVE;
    for (int i = 0; i < n_binds; i++)
        if (binds[i] && !lrs_access_is_local(binds[i]))
            return LRS_TRANSPORT_INSECURE;
    return LRS_TRANSPORT_LOCAL;
}

const char *lrs_transport_name(lrs_transport_t t)
{
    return t == LRS_TRANSPORT_CURVE ? "curve" : t == LRS_TRANSPORT_INSECURE ? "insecure" : "local";
}

int lrs_access_setup(const char *cmd, const char *bind, const char *key_path,
                     const char *allow_path, int insecure, const char *private_dir,
                     lrs_access_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (!key_path)
        key_path = getenv("LRSWEEP_KEY");
    if (!allow_path)
        allow_path = getenv("LRSWEEP_ALLOW");
    if (key_path && !*key_path)
        key_path = NULL;
    if (allow_path && !*allow_path)
        allow_path = NULL;
    if (!key_path != !allow_path)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s needs both --key (the coordinator's .key) and --allow (the "
                           "workers' public keys: a file, or a folder of .pub files)",
                           key_path ? "--key" : "--allow");
    if (!key_path) {
        if (bind && !lrs_access_is_local(bind) && !insecure)
            return lrs_err_set(
                err, LRS_EXIT_USAGE,
                "refusing to accept workers on %s without keys: anyone who can reach it would "
                "receive the spec and the data and could send forged results.\n"
                "Make keys once (docs/security.md):\n"
                "  lrsweep keygen coordinator          # here\n"
                "  lrsweep keygen worker1              # on each worker machine; copy its "
                "worker1.pub into workers/ here\n"
                "then run\n"
                "  lrsweep %s ... --key coordinator.key --allow workers/\n"
                "  lrsweep worker --connect ... --key worker1.key --server-key coordinator.pub\n"
                "or give --insecure on a network where every host is trusted",
                bind, cmd);
        return 0;
    }
    if (lrs_keys_load_secret(key_path, &out->key, err) != 0)
        return -1;
    out->curve = 1;
    out->allow_path = allow_path;
    if (private_dir) {
        char name[4096];
        lrs_keypair_t local;
        snprintf(name, sizeof name, "%s/local", private_dir);
        snprintf(out->local_key_path, sizeof out->local_key_path, "%s.key", name);
        snprintf(out->server_pub_path, sizeof out->server_pub_path, "%s/coordinator.pub",
                 private_dir);
        if (lrs_keys_generate(name, &local, err) != 0 ||
            lrs_keys_write_public(out->server_pub_path, out->key.public_z85, err) != 0) {
            lrs_access_cleanup(out);
            return -1;
        }
        memcpy(out->local_public, local.public_z85, sizeof local.public_z85);
    }
    return 0;
}

void lrs_access_cleanup(const lrs_access_t *a)
{
    if (!a->local_key_path[0])
        return;
    char pub[4200];
    snprintf(pub, sizeof pub, "%.*s.pub", (int)(strlen(a->local_key_path) - 4), a->local_key_path);
    unlink(a->local_key_path);
    unlink(pub);
    unlink(a->server_pub_path);
}
