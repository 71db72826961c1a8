/*
 * test_faults.c - the simulated faults of the edge network and the rule
 * that decides whether a round aggregates.
 *
 * fl_quorum is tested the way the FL frameworks test their strategies
 * (Flower's aggregate_fit: no results, too few, just enough), plus the
 * completion fraction. The fault draws: keyed by (seed, entity, slot) so
 * the same on every call and every rank; rates come out as configured over
 * many draws; rounds of a slot are independent; the deadline turns exactly
 * the stragglers slower than it into late updates; slot 0 is never missed.
 */
#include "check.h"

#include "../fl/fl.h"
#include "../twin/twin.h"

static void test_quorum_no_results(void **state)
{
    (void)state;
    assert_int_equal(fl_quorum(0, 0, 1, 0.0), 0);  /* nobody asked */
    assert_int_equal(fl_quorum(0, 5, 1, 0.0), 0);  /* nobody answered */
    assert_int_equal(fl_quorum(0, 5, 0, 0.0), 0);  /* even with no minimum */
}

static void test_quorum_too_few_and_just_enough(void **state)
{
    (void)state;
    for (int m = 1; m <= 8; m++) {
        assert_int_equal(fl_quorum(m - 1, 10, m, 0.0), 0); /* too few */
        assert_int_equal(fl_quorum(m, 10, m, 0.0), 1);     /* just enough */
        assert_int_equal(fl_quorum(m + 1, 10, m, 0.0), 1);
    }
}

static void test_quorum_fraction(void **state)
{
    (void)state;
    /* 3 of 4 is 0.75: enough for 0.75, not for 0.76 */
    assert_int_equal(fl_quorum(3, 4, 1, 0.75), 1);
    assert_int_equal(fl_quorum(3, 4, 1, 0.76), 0);
    /* 1/3 reported against a fraction of 1/3 computed in floating point */
    assert_int_equal(fl_quorum(1, 3, 1, 1.0 / 3.0), 1);
    assert_int_equal(fl_quorum(7, 10, 1, 0.7), 1);
    /* both conditions must hold */
    assert_int_equal(fl_quorum(2, 2, 3, 0.5), 0);
    assert_int_equal(fl_quorum(4, 10, 3, 0.5), 0);
    assert_int_equal(fl_quorum(5, 10, 3, 0.5), 1);
    assert_int_equal(fl_quorum(10, 10, 1, 1.0), 1);
    assert_int_equal(fl_quorum(9, 10, 1, 1.0), 0);
}

static void test_server_rates(void **state)
{
    (void)state;
    twin_faults f = {0.2, 0.3, 4.0, 0.0, 0.0};
    const int n = 200000;
    int dropped = 0, slow = 0, same = 0;
    for (int i = 0; i < n; i++) {
        double time, again;
        int k = i % 50, t = i / 50 % 400, r = i / 20000;
        twin_server_fault a = twin_fault_server(&f, 7, k, t, r, &time);
        twin_server_fault b = twin_fault_server(&f, 7, k, t, r, &again);
        same += a == b && time == again;
        dropped += a == TWIN_SERVER_DROPPED;
        slow += a == TWIN_SERVER_REPORTS && time == 4.0;
        assert_int_not_equal(a, TWIN_SERVER_LATE); /* no deadline */
    }
    assert_int_equal(same, n); /* a pure function of (seed, k, t, r) */
    /* 5 standard deviations of a binomial */
    assert_true(fabs(dropped / (double)n - 0.2) < 5 * sqrt(0.2 * 0.8 / n));
    double p_slow = 0.8 * 0.3; /* reporting stragglers: not dropped, slow */
    assert_true(fabs(slow / (double)n - p_slow) < 5 * sqrt(p_slow * (1 - p_slow) / n));
}

static void test_rounds_independent(void **state)
{
    (void)state;
    twin_faults f = {0.5, 0.0, 1.0, 0.0, 0.0};
    /* round r and round r + 1 of the same server and slot agree only as
     * often as two fair coins do */
    int agree = 0, n = 40000;
    for (int i = 0; i < n; i++) {
        double time;
        int a = twin_fault_server(&f, 3, i % 100, i / 100, 0, &time);
        int b = twin_fault_server(&f, 3, i % 100, i / 100, 1, &time);
        agree += a == b;
    }
    assert_true(fabs(agree / (double)n - 0.5) < 5 * sqrt(0.25 / n));
    /* another seed gives other faults */
    int differ = 0;
    for (int k = 0; k < 1000; k++) {
        double time;
        differ += twin_fault_server(&f, 3, k, 5, 0, &time) !=
                  twin_fault_server(&f, 4, k, 5, 0, &time);
    }
    assert_true(differ > 400 && differ < 600);
}

static void test_deadline(void **state)
{
    (void)state;
    for (int d = 0; d <= 6; d++) {
        twin_faults f = {0.0, 1.0, 4.0, (double)d, 0.0}; /* every server slow */
        double time;
        twin_server_fault a = twin_fault_server(&f, 1, 2, 3, 0, &time);
        assert_true(time == 4.0);
        /* late exactly when a deadline is set and 4 is past it */
        assert_int_equal(a, d > 0 && d < 4 ? TWIN_SERVER_LATE : TWIN_SERVER_REPORTS);
    }
    twin_faults none = {0.0, 0.0, 4.0, 0.5, 0.0}; /* nominal 1 > deadline */
    double time;
    assert_int_equal(twin_fault_server(&none, 1, 2, 3, 0, &time), TWIN_SERVER_REPORTS);
}

static void test_user_misses(void **state)
{
    (void)state;
    twin_faults f = {0.0, 0.0, 1.0, 0.0, 0.25};
    int missed = 0, n = 0;
    for (int u = 0; u < 200; u++) {
        assert_int_equal(twin_fault_user_misses(&f, 9, u, 0), 0);
        for (int t = 1; t < 500; t++, n++) {
            int m = twin_fault_user_misses(&f, 9, u, t);
            assert_int_equal(m, twin_fault_user_misses(&f, 9, u, t));
            missed += m;
        }
    }
    assert_true(fabs(missed / (double)n - 0.25) < 5 * sqrt(0.25 * 0.75 / n));
    twin_faults off = {0.0, 0.0, 1.0, 0.0, 0.0};
    for (int t = 0; t < 100; t++)
        assert_int_equal(twin_fault_user_misses(&off, 9, 1, t), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quorum_no_results),
        cmocka_unit_test(test_quorum_too_few_and_just_enough),
        cmocka_unit_test(test_quorum_fraction),
        cmocka_unit_test(test_server_rates),
        cmocka_unit_test(test_rounds_independent),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_user_misses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
