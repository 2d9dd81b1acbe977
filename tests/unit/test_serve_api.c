/* test_serve_api.c — `lrsweep serve`'s decisions without a socket: strict
 * %-decoding, --bind parsing and the loopback rule, the access rule for a
 * reachable bind, the token comparison, the Host check, and the routes'
 * refusals (a missing database is a 503, unknown routes 404, bad escapes
 * and unknown arguments 400) — every reply with a body saying why. */
#define _GNU_SOURCE   /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "coordinator/serve.h"
#include "coordinator/serve_api.h"

static int decode(const char *in, char *out, size_t cap)
{
    return lrs_serve_url_decode(in, strlen(in), out, cap);
}

static void test_url_decode(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(decode("a%20b", out, sizeof out), 3);
    assert_string_equal(out, "a b");
    assert_int_equal(decode("%2e%2E%2F", out, sizeof out), 3);
    assert_string_equal(out, "../");
    assert_int_equal(decode("a+b", out, sizeof out), 3);
    assert_string_equal(out, "a+b");
    assert_int_equal(decode("", out, sizeof out), 0);
    const char *bad[] = {"%", "%4", "a%zz", "%g0", "%00", "x%0", "0123456789abcdef"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(decode(bad[i], out, sizeof out), -1);
    assert_int_equal(lrs_serve_url_decode("a\0b", 3, out, sizeof out), -1);
}

static void test_parse_bind(void **state)
{
    (void)state;
    lrs_serve_bind_t b;
    lrs_err_t err;
    assert_int_equal(lrs_serve_parse_bind("tcp://127.0.0.1:8080", &b, &err), 0);
    assert_string_equal(b.host, "127.0.0.1");
    assert_int_equal(b.port, 8080);
    assert_int_equal(b.loopback, 1);
    assert_int_equal(lrs_serve_parse_bind("localhost:0", &b, &err), 0);
    assert_int_equal(b.loopback, 1);
    assert_int_equal(lrs_serve_parse_bind("[::1]:9000", &b, &err), 0);
    assert_string_equal(b.host, "::1");
    assert_int_equal(b.loopback, 1);
    assert_int_equal(lrs_serve_parse_bind("*:80", &b, &err), 0);
    assert_string_equal(b.host, "0.0.0.0");
    assert_int_equal(b.loopback, 0);
    assert_int_equal(lrs_serve_parse_bind("tcp://[::]:80", &b, &err), 0);
    assert_int_equal(b.loopback, 0);
    assert_int_equal(lrs_serve_parse_bind("10.1.2.3:443", &b, &err), 0);
    assert_int_equal(b.loopback, 0);
    const char *bad[] = {"", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
                         "127.0.0.1:-1", "127.0.0.1:80x", ":80", "[::1:80", "[::1]80",
                         "example.org:80", "127.0.0.1.evil:80", "ipc:///tmp/s", "udp://1.2.3.4:5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lrs_err_clear(&err);
        assert_int_equal(lrs_serve_parse_bind(bad[i], &b, &err), -1);
        assert_int_equal(err.code, 2);
        assert_non_null(strstr(err.msg, "--bind"));
    }
}

static void test_access_rule(void **state)
{
    (void)state;
    lrs_err_t err;
    lrs_serve_opts_t o = {.db_path = "x.db"};
    assert_int_equal(lrs_serve_parse_bind("127.0.0.1:0", &o.bind, &err), 0);
    assert_int_equal(lrs_serve_check_access(&o, &err), 0);
    assert_int_equal(lrs_serve_parse_bind("0.0.0.0:0", &o.bind, &err), 0);
    assert_int_equal(lrs_serve_check_access(&o, &err), -1);
    assert_non_null(strstr(err.msg, "without a token and TLS"));
    o.token = "t";
    assert_int_equal(lrs_serve_check_access(&o, &err), -1);
    assert_non_null(strstr(err.msg, "without TLS"));
    o.tls_cert = "c";
    assert_int_equal(lrs_serve_check_access(&o, &err), -1);
    assert_non_null(strstr(err.msg, "--tls-key too"));
    o.tls_key = "k";
    assert_int_equal(lrs_serve_check_access(&o, &err), 0);
    lrs_serve_opts_t insecure = {.db_path = "x.db", .bind = o.bind, .insecure = 1};
    assert_int_equal(lrs_serve_check_access(&insecure, &err), 0);
}

static void test_token_and_host(void **state)
{
    (void)state;
    assert_int_equal(lrs_serve_token_equal("secret", "secret"), 1);
    assert_int_equal(lrs_serve_token_equal("secret", "secreT"), 0);
    assert_int_equal(lrs_serve_token_equal("secret", "secre"), 0);
    assert_int_equal(lrs_serve_token_equal("secret", "secretsecret"), 0);
    assert_int_equal(lrs_serve_token_equal("secret", ""), 0);
    assert_int_equal(lrs_serve_token_equal("secret", NULL), 0);
    const char *local[] = {"localhost", "localhost:8080", "127.0.0.1", "127.9.8.7:1", "[::1]",
                           "[::1]:8080"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        assert_int_equal(lrs_serve_host_is_loopback(local[i]), 1);
    const char *other[] = {"evil.example", "127.0.0.1.evil.example", "127.0.0.1.evil:80",
                           "localhost.evil", "[::2]", "[::1]x", "10.0.0.1", "", "0.0.0.0"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        assert_int_equal(lrs_serve_host_is_loopback(other[i]), 0);
}

/* The reply to path (args none) against a database that does not exist. */
static int status_of(const char *path, const char *want_text)
{
    lrs_serve_request_t req = {.db_path = "/nonexistent/lrsweep.db", .path = path,
                               .link_query = ""};
    lrs_serve_reply_t rep;
    assert_int_equal(lrs_serve_answer(&req, &rep), 0);
    assert_non_null(rep.body);
    assert_true(rep.len > 0);
    if (want_text)
        assert_non_null(memmem(rep.body, rep.len, want_text, strlen(want_text)));
    int st = rep.status;
    lrs_serve_reply_clear(&rep);
    return st;
}

static void test_routes_refuse(void **state)
{
    (void)state;
    assert_int_equal(status_of("/", "cannot read database"), 503);
    assert_int_equal(status_of("/api/sweeps", "{\"error\":"), 503);
    assert_int_equal(status_of("/sweeps/x", NULL), 503);
    const char *missing[] = {"/nope", "/api", "/api/", "/api/sweeps/x/nope", "/sweeps",
                             "/sweeps/", "//", "/a/b/c/d/e/f", "/api/sweeps/x/trials/1/2"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
        assert_int_equal(status_of(missing[i], "no such page"), 404);
    assert_int_equal(status_of("/api/sweeps/x%zz", "bad %-escape"), 400);
    assert_int_equal(status_of("/sweeps/%00", "bad %-escape"), 400);
    assert_int_equal(status_of("relative", "must start with '/'"), 400);
    lrs_serve_arg_t args[LRS_SERVE_MAX_ARGS + 1];
    for (int i = 0; i <= LRS_SERVE_MAX_ARGS; i++)
        args[i] = (lrs_serve_arg_t){"a", "1"};
    lrs_serve_request_t req = {.db_path = "/nonexistent/x.db", .path = "/", .args = args,
                               .n_args = LRS_SERVE_MAX_ARGS + 1, .link_query = ""};
    lrs_serve_reply_t rep;
    assert_int_equal(lrs_serve_answer(&req, &rep), 0);
    assert_int_equal(rep.status, 400);
    lrs_serve_reply_clear(&rep);
    req.n_args = 1;   /* an unknown argument: refused before the database is opened */
    assert_int_equal(lrs_serve_answer(&req, &rep), 0);
    assert_int_equal(rep.status, 400);
    assert_non_null(memmem(rep.body, rep.len, "unknown argument 'a'", 20));
    lrs_serve_reply_clear(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_decode),     cmocka_unit_test(test_parse_bind),
        cmocka_unit_test(test_access_rule),    cmocka_unit_test(test_token_and_host),
        cmocka_unit_test(test_routes_refuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
