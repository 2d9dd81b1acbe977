/* keys.c — see keys.h.  Keys come from libzmq (zmq_curve_keypair, backed by
 * libsodium); files are plain text so that an operator can read, copy and
 * diff them.  Every parser here is line-based and bounded: a key file is a
 * few lines, an allow list at most LRS_ALLOW_MAX keys. */
#include "common/keys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#define LINE_MAX_BYTES 512

int lrs_key_is_z85(const char *text)
{
    if (!text || strlen(text) != LRS_KEY_Z85_LEN)
        return 0;
    static const char alphabet[] =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    for (const char *p = text; *p; p++)
        if (!strchr(alphabet, *p))
            return 0;
    uint8_t bytes[32];
    return zmq_z85_decode(bytes, text) != NULL;
}

/* The line's text without surrounding blanks, into out; 0 for a blank
 * line or a comment ('#' first: a Z85 key of 32 bytes never starts with
 * it, as its first group is below 2^32), 1 for content, -1 when too long. */
static int clean_line(const char *line, char *out, size_t size)
{
    while (*line == ' ' || *line == '\t')
        line++;
    size_t n = strcspn(line, "\r\n");
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    if (n == 0)
        return 0;
    if (line[0] == '#')
        return 0;
    if (n >= size)
        return -1;
    memcpy(out, line, n);
    out[n] = '\0';
    return 1;
}

static int write_file(const char *path, mode_t mode, const char *text, lrs_err_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return lrs_err_set(err, errno == EEXIST ? LRS_EXIT_USAGE : LRS_EXIT_RUNTIME,
                           "%s: %s", path,
                           errno == EEXIST ? "exists: refusing to overwrite a key" : strerror(errno));
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(path);
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: write failed", path);
    }
    return 0;
}

int lrs_keys_write_public(const char *path, const char *z85, lrs_err_t *err)
{
    char text[LRS_KEY_Z85_LEN + 2];
    snprintf(text, sizeof text, "%s\n", z85);
    return write_file(path, 0644, text, err);
}

int lrs_keys_generate(const char *name, lrs_keypair_t *out, lrs_err_t *err)
{
    char key_path[4096], pub_path[4096];
    if (snprintf(key_path, sizeof key_path, "%s.key", name) >= (int)sizeof key_path ||
        snprintf(pub_path, sizeof pub_path, "%s.pub", name) >= (int)sizeof pub_path)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: name too long", name);
    if (access(pub_path, F_OK) == 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: exists: refusing to overwrite a key",
                           pub_path);
    if (zmq_curve_keypair(out->public_z85, out->secret_z85) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME,
                           "cannot make a key pair: this libzmq was built without CURVE");
    char text[256];
    snprintf(text, sizeof text,
             "# lrsweep secret key: keep it to this machine (mode 0600)\n"
             "public %s\nsecret %s\n",
             out->public_z85, out->secret_z85);
    if (write_file(key_path, 0600, text, err) != 0)
        return -1;
    if (lrs_keys_write_public(pub_path, out->public_z85, err) != 0) {
        unlink(key_path);
        return -1;
    }
    return 0;
}

/* Who may read a secret key file.  Your own key is yours alone (0600 or
 * tighter).  A key that the platform provisions for you belongs to another
 * user (root, in a Kubernetes Secret volume) and reaches you through your
 * group: it may be group-readable, never group-writable, and never open to
 * others.  Any write bit besides the owner's, or any bit for others, refuses. */
static bool secret_mode_ok(const struct stat *st)
{
    mode_t m = st->st_mode & 0777;
    if (m & 007)
        return false;
    if (st->st_uid == geteuid())
        return (m & 070) == 0;
    return (m & 020) == 0;
}

int lrs_keys_load_secret(const char *path, lrs_keypair_t *out, lrs_err_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot read key: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !secret_mode_ok(&st)) {
        fclose(f);
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: a secret key that others may read is not secret "
                           "(chmod 600 %s, or make a new one with lrsweep keygen)",
                           path, path);
    }
    char line[LINE_MAX_BYTES], text[LINE_MAX_BYTES];
    memset(out, 0, sizeof *out);
    int lineno = 0, rc = -1;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        int c = clean_line(line, text, sizeof text);
        if (c == 0)
            continue;
        char word[16], key[LINE_MAX_BYTES];
        if (c < 0 || sscanf(text, "%15s %511s", word, key) != 2 || !lrs_key_is_z85(key) ||
            (strcmp(word, "public") != 0 && strcmp(word, "secret") != 0)) {
            lrs_err_set(err, LRS_EXIT_USAGE, "%s:%d: expected 'public KEY' or 'secret KEY' "
                                             "(40-character Z85 keys)", path, lineno);
            goto done;
        }
        /* lrs_key_is_z85: exactly LRS_KEY_Z85_LEN characters */
        memcpy(strcmp(word, "public") == 0 ? out->public_z85 : out->secret_z85, key,
               LRS_KEY_Z85_LEN + 1);
    }
    if (!out->secret_z85[0]) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: no 'secret KEY' line: not an lrsweep key file", path);
        goto done;
    }
    char derived[LRS_KEY_Z85_LEN + 1];
    if (zmq_curve_public(derived, out->secret_z85) != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "this libzmq was built without CURVE");
        goto done;
    }
    if (out->public_z85[0] && strcmp(derived, out->public_z85) != 0) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: the public line does not belong to the secret one",
                    path);
        goto done;
    }
    memcpy(out->public_z85, derived, sizeof derived);
    rc = 0;
done:
    fclose(f);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* Calls add(ctx, key, path, line) for every key line of the file at path;
 * a line that is not a key is an error at file:line. */
static int read_keys(const char *path, int (*add)(void *ctx, const char *key), void *ctx,
                     int one, lrs_err_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot read: %s", path, strerror(errno));
    char line[LINE_MAX_BYTES], text[LINE_MAX_BYTES];
    int lineno = 0, rc = 0, found = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        int c = clean_line(line, text, sizeof text);
        if (c == 0)
            continue;
        if (c < 0 || !lrs_key_is_z85(text))
            rc = lrs_err_set(err, LRS_EXIT_USAGE,
                             "%s:%d: expected a public key (40 Z85 characters)", path, lineno);
        else if (add(ctx, text) != 0)
            rc = lrs_err_set(err, LRS_EXIT_USAGE, "%s:%d: more than %d keys", path, lineno,
                             LRS_ALLOW_MAX);
        else if ((found = 1) && one)
            break;
    }
    fclose(f);
    if (rc == 0 && !found)
        rc = lrs_err_set(err, LRS_EXIT_USAGE, "%s: no public key in it", path);
    return rc;
}

static int copy_one(void *ctx, const char *key)
{
    snprintf(ctx, LRS_KEY_Z85_LEN + 1, "%s", key);
    return 0;
}

int lrs_keys_load_public(const char *path, char out[LRS_KEY_Z85_LEN + 1], lrs_err_t *err)
{
    out[0] = '\0';
    return read_keys(path, copy_one, out, 1, err);
}

typedef struct allow_build {
    lrs_allow_t list;
    size_t cap;
} allow_build_t;

static int add_key(void *ctx, const char *key)
{
    allow_build_t *b = ctx;
    if (b->list.n == LRS_ALLOW_MAX)
        return -1;
    if (b->list.n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        void *q = realloc(b->list.keys, cap * sizeof *b->list.keys);
        if (!q)
            return -1;
        b->list.keys = q;
        b->cap = cap;
    }
    memcpy(b->list.keys[b->list.n++], key, LRS_KEY_Z85_LEN + 1);
    return 0;
}

static int key_cmp(const void *a, const void *b) { return strcmp(a, b); }

int lrs_allow_load(const char *path, lrs_allow_t *out, lrs_err_t *err)
{
    allow_build_t b = {{NULL, 0}, 0};
    int rc = 0;
    struct stat st;
    if (stat(path, &st) != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot read the allow list: %s", path,
                           strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot read: %s", path, strerror(errno));
        struct dirent *e;
        while (rc == 0 && (e = readdir(d))) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 4, ".pub") != 0)
                continue;
            char file[4096];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            rc = read_keys(file, add_key, &b, 1, err);
        }
        closedir(d);
    } else {
        rc = read_keys(path, add_key, &b, 0, err);
    }
    if (rc == 0 && b.list.n == 0)
        rc = lrs_err_set(err, LRS_EXIT_USAGE, "%s: no .pub file in it: no worker could join", path);
    if (rc != 0) {
        free(b.list.keys);
        return -1;
    }
    qsort(b.list.keys, b.list.n, sizeof *b.list.keys, key_cmp);
    size_t w = 0;   /* duplicates collapse */
    for (size_t i = 0; i < b.list.n; i++)
        if (w == 0 || strcmp(b.list.keys[w - 1], b.list.keys[i]) != 0)
            memmove(b.list.keys[w++], b.list.keys[i], LRS_KEY_Z85_LEN + 1);
    b.list.n = w;
    lrs_allow_clear(out);
    *out = b.list;
    return 0;
}

int lrs_allow_add(lrs_allow_t *a, const char *z85)
{
    if (lrs_allow_has(a, z85))
        return 0;
    if (a->n >= LRS_ALLOW_MAX)
        return -1;
    void *q = realloc(a->keys, (a->n + 1) * sizeof *a->keys);
    if (!q)
        return -1;
    a->keys = q;
    size_t at = 0;
    while (at < a->n && strcmp(a->keys[at], z85) < 0)
        at++;
    memmove(a->keys[at + 1], a->keys[at], (a->n - at) * sizeof *a->keys);
    snprintf(a->keys[at], LRS_KEY_Z85_LEN + 1, "%s", z85);
    a->n++;
    return 0;
}

int lrs_allow_has(const lrs_allow_t *a, const char *z85)
{
    return a && a->n && z85 &&
           bsearch(z85, a->keys, a->n, sizeof *a->keys, key_cmp) != NULL;
}

void lrs_allow_clear(lrs_allow_t *a)
{
    if (!a)
        return;
    free(a->keys);
    a->keys = NULL;
    a->n = 0;
}
