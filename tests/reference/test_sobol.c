/* test_sobol.c — lrsweep's Sobol points against SciPy's.
 *
 * golden/sobol.json (gen_sobol.py) holds the first 256 unscrambled points of
 * scipy.stats.qmc.Sobol in dimensions up to 1023, 30 bits each; our 32-bit
 * coordinates must agree in those 30 bits exactly.  Also checks that Owen
 * scrambling keeps the (0, m, 1)-net property in every tested dimension. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/sobol.h"

static void test_matches_scipy(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_load_file("golden/sobol.json", 0, &jerr);
    if (!root)
        fail_msg("golden/sobol.json: %s (line %d); run gen_sobol.py", jerr.text, jerr.line);
    json_t *dims = json_object_get(root, "dims");
    json_t *points = json_object_get(root, "points");
    assert_true(json_is_array(dims) && json_is_array(points));
    lrs_err_t err;
    lrs_sobol_t *s = lrs_sobol_new(LRS_SOBOL_MAX_DIMS, 1, &err);
    assert_non_null(s);
    size_t compared = 0, mismatches = 0;
    long long worst = 0;
    for (size_t p = 0; p < json_array_size(points); p++) {
        json_t *pt = json_array_get(points, p);
        uint64_t idx = (uint64_t)json_integer_value(json_object_get(pt, "natural_index"));
        json_t *x30 = json_object_get(pt, "x30");
        for (size_t d = 0; d < json_array_size(dims); d++) {
            int dim = (int)json_integer_value(json_array_get(dims, d));
            long long want = json_integer_value(json_array_get(x30, d));
            long long got = lrs_sobol_raw(s, dim, idx) >> 2;
            long long diff = got > want ? got - want : want - got;
            if (diff > worst)
                worst = diff;
            if (diff)
                mismatches++;
            compared++;
        }
    }
    printf("sobol vs scipy: %zu coordinates, %zu mismatches, worst |diff| %lld / 2^30\n", compared,
           mismatches, worst);
    assert_true(compared >= 256 * 9);
    assert_int_equal(mismatches, 0);
    lrs_sobol_destroy(&s);
    assert_null(s);
    json_decref(root);
}

/* The first 2^m scrambled points put exactly one point in each interval
 * [j/2^m, (j+1)/2^m) of every dimension. */
static void test_scrambled_net_property(void **state)
{
    (void)state;
    enum { M = 10, N = 1 << M };
    const int dims[] = {0, 1, 2, 5, 31, 100, 511, 1023};
    lrs_err_t err;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        lrs_sobol_t *s = lrs_sobol_new(LRS_SOBOL_MAX_DIMS, seed, &err);
        assert_non_null(s);
        for (size_t k = 0; k < sizeof dims / sizeof dims[0]; k++) {
            static unsigned char seen[N];
            for (int j = 0; j < N; j++)
                seen[j] = 0;
            for (uint64_t i = 0; i < N; i++) {
                double u = lrs_sobol_coord(s, dims[k], i);
                assert_true(u >= 0.0 && u < 1.0);
                seen[(int)(u * N)]++;
            }
            for (int j = 0; j < N; j++)
                if (seen[j] != 1)
                    fail_msg("seed %llu dim %d: interval %d holds %d points", (unsigned long long)seed,
                             dims[k], j, seen[j]);
        }
        /* Different seeds scramble differently. */
        lrs_sobol_t *other = lrs_sobol_new(4, seed + 100, &err);
        assert_non_null(other);
        assert_true(lrs_sobol_coord(s, 1, 7) != lrs_sobol_coord(other, 1, 7));
        lrs_sobol_destroy(&other);
        lrs_sobol_destroy(&s);
    }
}

static void test_bad_dims(void **state)
{
    (void)state;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_null(lrs_sobol_new(0, 1, &err));
    assert_int_equal(err.code, 2);
    assert_null(lrs_sobol_new(LRS_SOBOL_MAX_DIMS + 1, 1, &err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_scipy),
        cmocka_unit_test(test_scrambled_net_property),
        cmocka_unit_test(test_bad_dims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
