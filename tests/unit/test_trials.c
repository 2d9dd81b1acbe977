/* test_trials.c — the sparse trial table against a dense model of the same
 * rules (one state, attempt count and owner per index, a FIFO of retries
 * served before a cursor), driven by random operations; then the property
 * the table exists for: its memory follows what is in flight and the gaps
 * between recorded runs, never the trial budget. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "coordinator/trials.h"

/* ---- the dense model: one slot per index, the rules spelled out ------- */

#define MODEL_N 300

typedef struct model {
    lrs_trial_state_t state[MODEL_N];
    uint32_t attempts[MODEL_N];
    int32_t owner[MODEL_N];
    uint8_t active[MODEL_N];   /* leased, or had an attempt and waits for another */
    uint64_t fifo[MODEL_N * 64];
    size_t head, len;
    uint64_t cursor, done, running;
} model_t;

static void model_init(model_t *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < MODEL_N; i++)
        m->owner[i] = -1;
}

static void model_push(model_t *m, uint64_t t)
{
    assert_true(m->head + m->len < sizeof m->fifo / sizeof m->fifo[0]);
    m->fifo[m->head + m->len++] = t;
    m->active[t] = 1;
}

/* Retries first (still waiting ones), then fresh indices in order. */
static int model_next(model_t *m, uint64_t *t)
{
    while (m->len) {
        uint64_t x = m->fifo[m->head++];
        m->len--;
        if (m->active[x] && m->state[x] == LRS_TRIAL_PENDING) {
            *t = x;
            return 1;
        }
    }
    while (m->cursor < MODEL_N) {
        uint64_t x = m->cursor++;
        if (m->state[x] == LRS_TRIAL_PENDING && !m->active[x]) {
            *t = x;
            return 1;
        }
    }
    return 0;
}

static void model_done(model_t *m, uint64_t x)
{
    if (m->state[x] == LRS_TRIAL_LEASED)
        m->running--;
    m->state[x] = LRS_TRIAL_DONE;
    m->attempts[x] = 0;
    m->owner[x] = -1;
    m->active[x] = 0;
    m->done++;
}

static void check_same(const lrs_trials_t *t, const model_t *m)
{
    assert_int_equal(lrs_trials_done(t), m->done);
    assert_int_equal(lrs_trials_running(t), m->running);
    for (uint64_t i = 0; i < MODEL_N; i++) {
        lrs_trial_slot_t s = lrs_trials_get(t, i);
        if (s.state != m->state[i] || s.attempts != m->attempts[i] || s.owner != m->owner[i])
            fail_msg("trial %d: table says state %d attempts %u owner %d, model %d %u %d",
                     (int)i, s.state, s.attempts, s.owner, m->state[i], m->attempts[i],
                     m->owner[i]);
    }
}

/* Random leases, results, releases (retry or fail after 3 attempts),
 * undone dispatches and resumed leases, checked against the model after
 * every step. */
static void test_matches_dense_model(void **state)
{
    (void)state;
    static model_t m;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        model_init(&m);
        lrs_trials_t *t = lrs_trials_new(MODEL_N);
        assert_non_null(t);
        uint64_t rng = seed * 0x9e3779b97f4a7c15ULL;
        for (uint64_t i = 0; i < MODEL_N; i++) {   /* a resumed sweep */
            rng = lrs_mix64(rng);
            if (rng % 4 == 0) {
                assert_int_equal(lrs_trials_set_done(t, i), 1);
                model_done(&m, i);
            } else if (rng % 11 == 1) {
                uint32_t attempt = (uint32_t)(rng >> 40) % 3 + 1;
                assert_int_equal(lrs_trials_resume_lease(t, i, attempt), 0);
                m.attempts[i] = attempt - 1;
                model_push(&m, i);
            }
        }
        check_same(t, &m);
        uint64_t leased[MODEL_N];
        int n_leased = 0;
        for (int step = 0; step < 4000; step++) {
            rng = lrs_mix64(rng);
            int op = (int)(rng % 8);
            if (op <= 2) {   /* dispatch one; op 2: not delivered, undone */
                uint64_t a, b;
                int ha = lrs_trials_next(t, &a), hb = model_next(&m, &b);
                assert_int_equal(ha, hb);
                if (!ha)
                    continue;
                assert_int_equal(a, b);
                int32_t owner = (int32_t)((rng >> 33) % 5);
                assert_int_equal(lrs_trials_lease(t, a, owner), (int64_t)m.attempts[a] + 1);
                m.attempts[a]++;
                m.state[a] = LRS_TRIAL_LEASED;
                m.owner[a] = owner;
                m.active[a] = 1;
                m.running++;
                if (op == 2) {
                    assert_int_equal(lrs_trials_unlease(t, a), 0);
                    m.attempts[a]--;
                    m.state[a] = LRS_TRIAL_PENDING;
                    m.owner[a] = -1;
                    m.running--;
                    model_push(&m, a);
                } else {
                    leased[n_leased++] = a;
                }
            } else if (n_leased > 0) {
                int k = (int)((rng >> 20) % (uint64_t)n_leased);
                uint64_t x = leased[k];
                leased[k] = leased[--n_leased];
                if (op <= 5) {   /* a result, and its late duplicate */
                    assert_int_equal(lrs_trials_set_done(t, x), 1);
                    assert_int_equal(lrs_trials_set_done(t, x), 0);
                    model_done(&m, x);
                } else {   /* no result */
                    assert_int_equal(lrs_trials_release(t, x), 0);
                    assert_int_equal(lrs_trials_release(t, x), -1);
                    m.state[x] = LRS_TRIAL_PENDING;
                    m.owner[x] = -1;
                    m.running--;
                    if (m.attempts[x] >= 3) {
                        assert_int_equal(lrs_trials_set_done(t, x), 1);
                        model_done(&m, x);
                    } else {
                        assert_int_equal(lrs_trials_retry(t, x), 0);
                        model_push(&m, x);
                    }
                }
            }
            check_same(t, &m);
        }
        /* drain: every index ends recorded exactly once */
        uint64_t x;
        for (int k = 0; k < n_leased; k++)
            assert_int_equal(lrs_trials_set_done(t, leased[k]), 1);
        while (lrs_trials_next(t, &x)) {
            assert_true(lrs_trials_lease(t, x, 0) >= 1);
            assert_int_equal(lrs_trials_set_done(t, x), 1);
        }
        assert_int_equal(lrs_trials_done(t), MODEL_N);
        assert_int_equal(lrs_trials_running(t), 0);
        lrs_trials_destroy(&t);
        assert_null(t);
    }
}

/* Out-of-range indices read as done: nobody can lease or record them. */
static void test_bounds(void **state)
{
    (void)state;
    lrs_trials_t *t = lrs_trials_new(10);
    assert_int_equal(lrs_trials_get(t, 10).state, LRS_TRIAL_DONE);
    assert_int_equal(lrs_trials_get(t, UINT64_MAX).state, LRS_TRIAL_DONE);
    assert_int_equal(lrs_trials_set_done(t, 10), 0);
    assert_int_equal(lrs_trials_set_done(t, UINT64_MAX), 0);
    assert_int_equal(lrs_trials_lease(t, 10, 0), -1);
    assert_int_equal(lrs_trials_release(t, 3), -1);   /* never leased */
    assert_int_equal(lrs_trials_resume_lease(t, 99, 2), 0);
    assert_int_equal(lrs_trials_lease(t, 3, 1), 1);
    assert_int_equal(lrs_trials_lease(t, 3, 1), -1);   /* already leased */
    assert_int_equal(lrs_trials_done(t), 0);
    lrs_trials_destroy(&t);
    lrs_trials_destroy(&t);   /* takes NULL */
}

/* A sweep of 10^15 trials: memory follows what is dispatched.  10^5 trials
 * run in order with 1000 in flight stay under 64 KiB; a resumed sweep that
 * recorded every other index of 20000 holds a range per gap. */
/* Extra indices (confirmation runs): served after every fresh search
 * index in the order added, leased, retried and recorded like any trial,
 * counted apart; other indices above the budget stay outside. */
static void test_extra_indices(void **state)
{
    (void)state;
    lrs_trials_t *t = lrs_trials_new(3);
    assert_non_null(t);
    uint64_t x;
    for (uint64_t i = 0; i < 3; i++) {
        assert_int_equal(lrs_trials_next(t, &x), 1);
        assert_true(x == i);
        assert_int_equal(lrs_trials_lease(t, x, 0), 1);
    }
    assert_int_equal(lrs_trials_next(t, &x), 0);
    assert_int_equal(lrs_trials_add_extra(t, 1000000002), 1);
    assert_int_equal(lrs_trials_add_extra(t, 1000000000), 1);
    assert_int_equal(lrs_trials_add_extra(t, 1000000002), 0);   /* already there */
    assert_int_equal(lrs_trials_add_extra(t, 2), 0);            /* a search index */
    assert_true(lrs_trials_total(t) == 5 && lrs_trials_search_total(t) == 3);
    assert_int_equal(lrs_trials_in(t, 1000000000), 1);
    assert_int_equal(lrs_trials_in(t, 1000000001), 0);
    assert_int_equal(lrs_trials_get(t, 1000000001).state, LRS_TRIAL_DONE);   /* outside */
    assert_int_equal(lrs_trials_set_done(t, 1000000001), 0);
    assert_int_equal(lrs_trials_next(t, &x), 1);   /* in the order added */
    assert_true(x == 1000000002);
    assert_int_equal(lrs_trials_lease(t, x, 1), 1);
    assert_int_equal(lrs_trials_held_by(t, x, 1, 1), 1);
    assert_int_equal(lrs_trials_release(t, x), 0);   /* lost: retried first */
    assert_int_equal(lrs_trials_retry(t, x), 0);
    assert_int_equal(lrs_trials_next(t, &x), 1);
    assert_true(x == 1000000002);
    assert_int_equal(lrs_trials_lease(t, x, 0), 2);
    assert_int_equal(lrs_trials_next(t, &x), 1);
    assert_true(x == 1000000000);
    assert_int_equal(lrs_trials_next(t, &x), 0);
    assert_int_equal(lrs_trials_set_done(t, 1000000002), 1);
    assert_int_equal(lrs_trials_set_done(t, 0), 1);
    assert_true(lrs_trials_done(t) == 2 && lrs_trials_extra_done(t) == 1);
    assert_int_equal(lrs_trials_get(t, 1000000002).state, LRS_TRIAL_DONE);
    assert_int_equal(lrs_trials_get(t, 1000000000).state, LRS_TRIAL_PENDING);
    lrs_trials_destroy(&t);
}

static void test_memory_follows_dispatch(void **state)
{
    (void)state;
    lrs_trials_t *t = lrs_trials_new(1000000000000000ULL);
    assert_non_null(t);
    size_t empty = lrs_trials_footprint(t);
    assert_true(empty < 4096);
    uint64_t ring[1000];
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(lrs_trials_next(t, &ring[i]), 1);
        assert_int_equal(lrs_trials_lease(t, ring[i], 0), 1);
    }
    for (int i = 0; i < 100000; i++) {
        int k = i % 1000;
        assert_int_equal(lrs_trials_set_done(t, ring[k]), 1);
        assert_int_equal(lrs_trials_next(t, &ring[k]), 1);
        assert_int_equal(lrs_trials_lease(t, ring[k], 0), 1);
    }
    assert_int_equal(lrs_trials_done(t), 100000);
    assert_int_equal(lrs_trials_running(t), 1000);
    size_t busy = lrs_trials_footprint(t);
    if (busy > 64 * 1024)
        fail_msg("1000 trials in flight of 10^15 took %zu bytes", busy);
    lrs_trials_destroy(&t);

    t = lrs_trials_new(1000000000000000ULL);
    for (uint64_t i = 0; i < 20000; i += 2)
        assert_int_equal(lrs_trials_set_done(t, i), 1);
    size_t gappy = lrs_trials_footprint(t);
    if (gappy > 10000 * 16 * 2 + 4096)
        fail_msg("10000 recorded ranges took %zu bytes", gappy);
    uint64_t x;
    assert_int_equal(lrs_trials_next(t, &x), 1);   /* the first gap */
    assert_int_equal(x, 1);
    assert_int_equal(lrs_trials_lease(t, x, 0), 1);
    assert_int_equal(lrs_trials_set_done(t, x), 1);   /* joins [0,1) and [2,3) */
    assert_int_equal(lrs_trials_next(t, &x), 1);
    assert_int_equal(x, 3);
    lrs_trials_destroy(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_dense_model),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_memory_follows_dispatch),
        cmocka_unit_test(test_extra_indices),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
