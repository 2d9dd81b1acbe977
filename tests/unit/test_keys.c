/* test_keys.c — CURVE key files: keygen's files load back and belong
 * together; a secret others may read is refused; allow lists from a file
 * (comments, blanks, duplicates, a key that starts with '#') and from a
 * folder of .pub files; malformed lines named by file:line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "common/keys.h"
#include "support.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_generate_and_load(void **state)
{
    (void)state;
    char dir[] = "/tmp/lrs-keys-XXXXXX", name[256];
    sup_tmpdir(dir, "k", name, sizeof name);
    lrs_keypair_t made, loaded;
    lrs_err_t err;
    assert_int_equal(lrs_keys_generate(name, &made, &err), 0);
    assert_true(lrs_key_is_z85(made.public_z85) && lrs_key_is_z85(made.secret_z85));
    char key_path[300], pub_path[300], pub[LRS_KEY_Z85_LEN + 1];
    snprintf(key_path, sizeof key_path, "%s.key", name);
    snprintf(pub_path, sizeof pub_path, "%s.pub", name);
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), 0);
    assert_string_equal(loaded.secret_z85, made.secret_z85);
    assert_string_equal(loaded.public_z85, made.public_z85);
    assert_int_equal(lrs_keys_load_public(pub_path, pub, &err), 0);
    assert_string_equal(pub, made.public_z85);
    assert_int_equal(lrs_keys_generate(name, &made, &err), -1);   /* no overwrite */
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "refusing to overwrite"));
    chmod(key_path, 0640);
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), -1);
    assert_non_null(strstr(err.msg, "chmod 600"));
    /* a public line that is not the secret's */
    char other[LRS_KEY_Z85_LEN + 1], text[256];
    snprintf(other, sizeof other, "%s", made.public_z85);
    other[0] = other[0] == 'a' ? 'b' : 'a';
    snprintf(text, sizeof text, "public %s\nsecret %s\n", other, made.secret_z85);
    write_text(key_path, text);
    chmod(key_path, 0600);
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), -1);
    assert_non_null(strstr(err.msg, "does not belong"));
    sup_rm_rf(dir);
}

/* A key the platform provisions (a Kubernetes Secret volume: owned by root,
 * group = the pod's fsGroup, mode 0440) reaches a non-root process through its
 * group.  Group-read is accepted only for a file someone else owns; group-write
 * and any bit for others are refused whoever owns it.  Changing a file's owner
 * needs root, which the CI machine is. */
static void test_provisioned_key_modes(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char dir[] = "/tmp/lrs-keys-XXXXXX", name[256], key_path[300];
    sup_tmpdir(dir, "k", name, sizeof name);
    lrs_keypair_t made, loaded;
    lrs_err_t err;
    assert_int_equal(lrs_keys_generate(name, &made, &err), 0);
    snprintf(key_path, sizeof key_path, "%s.key", name);
    chmod(key_path, 0440);   /* root's own file, group-readable: refused */
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), -1);
    assert_non_null(strstr(err.msg, "not secret"));
    assert_int_equal(chown(key_path, 10001, 10001), 0);
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), 0);
    assert_string_equal(loaded.secret_z85, made.secret_z85);
    chmod(key_path, 0460);   /* group may write: refused */
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), -1);
    chmod(key_path, 0444);   /* others may read: refused */
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), -1);
    chmod(key_path, 0404);
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), -1);
    chmod(key_path, 0400);
    assert_int_equal(lrs_keys_load_secret(key_path, &loaded, &err), 0);
    sup_rm_rf(dir);
}

static void test_allow_lists(void **state)
{
    (void)state;
    char dir[] = "/tmp/lrs-allow-XXXXXX", path[256];
    sup_tmpdir(dir, "list", path, sizeof path);
    /* '#' starts a comment; it is a Z85 character, but never the first of a
     * 32-byte key (a group would overflow 2^32) */
    assert_false(lrs_key_is_z85("#abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM"));
    char hashkey[LRS_KEY_Z85_LEN + 1], secret[LRS_KEY_Z85_LEN + 1];
    assert_int_equal(zmq_curve_keypair(hashkey, secret), 0);   /* a third key */
    lrs_keypair_t a, b;
    lrs_err_t err;
    char na[300], nb[300];
    snprintf(na, sizeof na, "%s/pubs", dir);
    mkdir(na, 0700);
    snprintf(na, sizeof na, "%s/pubs/a", dir);
    snprintf(nb, sizeof nb, "%s/pubs/b", dir);
    assert_int_equal(lrs_keys_generate(na, &a, &err), 0);
    assert_int_equal(lrs_keys_generate(nb, &b, &err), 0);
    char text[512];
    snprintf(text, sizeof text, "# workers\n\n  %s  \n%s\n#%s\n%s\n%s\n", a.public_z85,
             hashkey, secret, a.public_z85, b.public_z85);
    write_text(path, text);
    lrs_allow_t list = {NULL, 0};
    assert_int_equal(lrs_allow_load(path, &list, &err), 0);
    assert_int_equal(list.n, 3);   /* the duplicate collapsed */
    assert_true(lrs_allow_has(&list, a.public_z85) && lrs_allow_has(&list, b.public_z85));
    assert_true(lrs_allow_has(&list, hashkey));
    assert_false(lrs_allow_has(&list, a.secret_z85));
    assert_false(lrs_allow_has(&list, secret));   /* commented out */
    /* a folder of .pub files (the .key files beside them are not keys to allow) */
    char folder[300];
    snprintf(folder, sizeof folder, "%s/pubs", dir);
    assert_int_equal(lrs_allow_load(folder, &list, &err), 0);
    assert_int_equal(list.n, 2);
    assert_true(lrs_allow_has(&list, a.public_z85) && !lrs_allow_has(&list, hashkey));
    assert_int_equal(lrs_allow_add(&list, hashkey), 0);
    assert_int_equal(lrs_allow_add(&list, hashkey), 0);
    assert_int_equal(list.n, 3);
    assert_true(lrs_allow_has(&list, hashkey));
    /* a bad line: refused at file:line, the old list kept */
    write_text(path, "# ok\nnot-a-key\n");
    assert_int_equal(lrs_allow_load(path, &list, &err), -1);
    char want[300];
    snprintf(want, sizeof want, "%s:2: expected a public key", path);
    assert_non_null(strstr(err.msg, want));
    assert_int_equal(list.n, 3);
    write_text(path, "# nothing\n");
    assert_int_equal(lrs_allow_load(path, &list, &err), -1);
    lrs_allow_clear(&list);
    assert_int_equal(list.n, 0);
    sup_rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generate_and_load),
        cmocka_unit_test(test_provisioned_key_modes),
        cmocka_unit_test(test_allow_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
