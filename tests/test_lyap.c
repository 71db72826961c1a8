/*
 * test_lyap.c - virtual queues (sched/lyap.c): hand-computed updates and
 * drifts, the drift-plus-penalty bracket, the exact identity between a
 * queue and its average constraint, a slack budget keeping Q(T)/T near 0
 * and an infeasible one growing linearly, a state round trip, and a push
 * redone with a later measurement.
 */
#include "check.h"

#include "../sched/sched.h"

#include <string.h>

static void test_hand(void **state)
{
    (void)state;
    const double b[2] = {5, 1};
    sched_lyap *l;
    dtfl_err err;
    assert_int_equal(sched_lyap_create(&l, 2, b, &err), 0);
    const double x1[2] = {8, 0}, x2[2] = {1, 4}, x3[2] = {0, 0};
    check_close(sched_lyap_push(l, x1), 0.5 * 9, 1e-12); /* Q = (3, 0) */
    check_close(sched_lyap_values(l)[0], 3, 0);
    check_close(sched_lyap_values(l)[1], 0, 0);          /* never below 0 */
    check_close(sched_lyap_dpp(l, x2, 10, 0.5), 3 * (1 - 5) + 0 + 5, 1e-12);
    sched_lyap_push(l, x2);                               /* Q = (0, 3) */
    check_close(sched_lyap_values(l)[0], 0, 0);
    check_close(sched_lyap_values(l)[1], 3, 0);
    check_close(sched_lyap_value(l), 4.5, 1e-12);
    check_close(sched_lyap_push(l, x3), 0.5 * 4 - 4.5, 1e-12); /* Q = (0, 2) */
    sched_lyap_destroy(l);
}

/* (1/T) sum x <= b + (Q(T) - Q(0)) / T, with equality while Q never
 * empties; slack budget: Q(T)/T -> 0; infeasible: Q grows linearly. */
static void test_average(void **state)
{
    (void)state;
    dtfl_rng r;
    dtfl_rng_init(&r, 3, 77, 2, 0);
    const double slack_b = 1.2, tight_b = 0.8; /* arrivals U[0, 2]: mean 1 */
    const double b[2] = {slack_b, tight_b};
    sched_lyap *l;
    dtfl_err err;
    assert_int_equal(sched_lyap_create(&l, 2, b, &err), 0);
    const double q0[2] = {3, 3};
    sched_lyap_reset(l, q0);
    const int T = 20000;
    for (int t = 0; t < T; t++) {
        double a = 2 * dtfl_rng_uniform(&r), x[2] = {a, a};
        sched_lyap_push(l, x);
        assert_true(sched_lyap_slack(l, 0) >= -1e-9);
        assert_true(sched_lyap_slack(l, 1) >= -1e-9);
    }
    assert_true(sched_lyap_values(l)[0] / T < 0.01);
    check_close(sched_lyap_values(l)[1] / T, 1.0 - tight_b, 0.02);
    check_close(sched_lyap_slack(l, 1), 0.0, 1e-9); /* never emptied */
    /* state round trip, and damaged bytes refused */
    uint8_t buf[128];
    size_t len = sizeof buf;
    assert_int_equal(sched_lyap_save(l, buf, &len, &err), 0);
    sched_lyap *k;
    assert_int_equal(sched_lyap_create(&k, 2, b, &err), 0);
    assert_int_equal(sched_lyap_load(k, buf, len, &err), 0);
    assert_memory_equal(sched_lyap_values(k), sched_lyap_values(l), 2 * sizeof(double));
    check_close(sched_lyap_slack(k, 1), sched_lyap_slack(l, 1), 0);
    assert_int_equal(sched_lyap_load(k, buf, len - 1, &err), DTFL_EDATA);
    buf[19] = 0xff; /* queue 0 negative (sign byte of its float64) */
    assert_int_equal(sched_lyap_load(k, buf, len, &err), DTFL_EDATA);
    sched_lyap_destroy(k);
    sched_lyap_destroy(l);
}

/* A redone push equals a push of the new arrival from the same start, in
 * the values and in the running sums (slack). */
static void test_redo(void **state)
{
    (void)state;
    const double b[2] = {5, 1};
    sched_lyap *l, *k;
    dtfl_err err;
    assert_int_equal(sched_lyap_create(&l, 2, b, &err), 0);
    assert_int_equal(sched_lyap_create(&k, 2, b, &err), 0);
    sched_lyap_redo(l, 0, 7); /* before any push: nothing */
    check_close(sched_lyap_values(l)[0], 0, 0);
    const double x1[2] = {8, 3}, x2[2] = {1, 4}, x2b[2] = {9, 4};
    sched_lyap_push(l, x1), sched_lyap_push(k, x1);
    sched_lyap_push(l, x2), sched_lyap_push(k, x2b); /* l: Q = (0, 5) */
    sched_lyap_redo(l, 0, 9);                       /* as k: Q = (7, 5) */
    check_close(sched_lyap_values(l)[0], 7, 0);
    check_close(sched_lyap_values(l)[1], 5, 0);
    check_close(sched_lyap_slack(l, 0), sched_lyap_slack(k, 0), 1e-15);
    sched_lyap_redo(l, 0, 0);                       /* never below 0 */
    check_close(sched_lyap_values(l)[0], 0, 0);
    sched_lyap_destroy(k);
    sched_lyap_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_hand),
                                       cmocka_unit_test(test_average),
                                       cmocka_unit_test(test_redo)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
