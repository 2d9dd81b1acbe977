/* test_rng.c — the counter-based generator: determinism per key, independence
 * across keys, ranges, and first moments of its distributions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"

static void test_same_key_same_stream(void **state)
{
    (void)state;
    lrs_rng_t a, b;
    lrs_rng_init(&a, lrs_rng_key(7, 12, LRS_RNG_SAMPLE));
    lrs_rng_init(&b, lrs_rng_key(7, 12, LRS_RNG_SAMPLE));
    for (int i = 0; i < 1000; i++)
        assert_true(lrs_rng_u64(&a) == lrs_rng_u64(&b));
}

static void test_keys_differ(void **state)
{
    (void)state;
    uint64_t base = lrs_rng_key(7, 12, LRS_RNG_SAMPLE);
    assert_true(base != lrs_rng_key(8, 12, LRS_RNG_SAMPLE));
    assert_true(base != lrs_rng_key(7, 13, LRS_RNG_SAMPLE));
    assert_true(base != lrs_rng_key(7, 12, LRS_RNG_SHUFFLE));
    /* neighbouring indices give unrelated first outputs: about half the bits differ */
    int total = 0;
    for (uint64_t i = 0; i < 256; i++) {
        lrs_rng_t a, b;
        lrs_rng_init(&a, lrs_rng_key(1, i, LRS_RNG_SAMPLE));
        lrs_rng_init(&b, lrs_rng_key(1, i + 1, LRS_RNG_SAMPLE));
        total += __builtin_popcountll(lrs_rng_u64(&a) ^ lrs_rng_u64(&b));
    }
    double mean_bits = total / 256.0;
    assert_true(mean_bits > 30.0 && mean_bits < 34.0);
}

static void test_uniform_moments(void **state)
{
    (void)state;
    lrs_rng_t r;
    lrs_rng_init(&r, lrs_rng_key(3, 0, LRS_RNG_DATA));
    const int n = 200000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < n; i++) {
        double u = lrs_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        sum2 += u * u;
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    /* standard errors: mean 0.00065, var ~0.0002 */
    assert_true(fabs(mean - 0.5) < 0.004);
    assert_true(fabs(var - 1.0 / 12.0) < 0.002);
}

static void test_normal_moments(void **state)
{
    (void)state;
    lrs_rng_t r;
    lrs_rng_init(&r, lrs_rng_key(4, 0, LRS_RNG_DATA));
    const int n = 200000;
    double sum = 0, sum2 = 0, sum4 = 0;
    for (int i = 0; i < n; i++) {
        double z = lrs_rng_normal(&r);
        assert_true(isfinite(z));
        sum += z;
        sum2 += z * z;
        sum4 += z * z * z * z;
    }
    assert_true(fabs(sum / n) < 0.012);
    assert_true(fabs(sum2 / n - 1.0) < 0.02);
    assert_true(fabs(sum4 / n - 3.0) < 0.1);   /* kurtosis of a normal */
}

static void test_below_is_unbiased(void **state)
{
    (void)state;
    lrs_rng_t r;
    lrs_rng_init(&r, lrs_rng_key(5, 0, LRS_RNG_DATA));
    int counts[6] = {0};
    const int n = 60000;
    for (int i = 0; i < n; i++) {
        uint64_t k = lrs_rng_below(&r, 6);
        assert_true(k < 6);
        counts[k]++;
    }
    for (int k = 0; k < 6; k++)   /* expected 10000, sigma ~91 */
        assert_true(abs(counts[k] - 10000) < 500);
    assert_true(lrs_rng_below(&r, 1) == 0);
}

static void test_shuffle_is_permutation(void **state)
{
    (void)state;
    lrs_rng_t r;
    lrs_rng_init(&r, lrs_rng_key(6, 0, LRS_RNG_SHUFFLE));
    uint32_t idx[100];
    for (uint32_t i = 0; i < 100; i++)
        idx[i] = i;
    lrs_rng_shuffle(&r, idx, 100);
    int seen[100] = {0}, moved = 0;
    for (uint32_t i = 0; i < 100; i++) {
        assert_true(idx[i] < 100);
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    for (int i = 0; i < 100; i++)
        assert_int_equal(seen[i], 1);
    assert_true(moved > 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_key_same_stream),
        cmocka_unit_test(test_keys_differ),
        cmocka_unit_test(test_uniform_moments),
        cmocka_unit_test(test_normal_moments),
        cmocka_unit_test(test_below_is_unbiased),
        cmocka_unit_test(test_shuffle_is_permutation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
