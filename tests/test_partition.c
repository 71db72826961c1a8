/*
 * test_partition.c - non-IID partitions: label mixes hit the requested EMD
 * (eq. 10 of 003) exactly, integer counts stay within 1e-3 of it when n
 * allows, unreachable requests are refused, and draws are the same whatever
 * the number of ranks that make them.
 */
#include "check.h"

#include "../fl/fl.h"

static fl_dataset *make_dataset(int n, int classes, int skew)
{
    uint8_t *x = calloc((size_t)n, 4), *y = malloc((size_t)n);
    /* with skew, label 0 is three times as common as the others */
    for (int i = 0; i < n; i++)
        y[i] = skew && i % 4 != 3 && i % 2 == 0 ? 0 : (uint8_t)(i % classes);
    fl_dataset *d = NULL;
    dtfl_err err;
    assert_int_equal(fl_dataset_from_bytes(&d, n, 2, 2, classes, x, y, &err), 0);
    free(x);
    free(y);
    return d;
}

static void test_mix_exact(void **state)
{
    (void)state;
    fl_dataset *d = make_dataset(60000, 10, 0);
    double global[10], mix[10];
    fl_dataset_mix(d, global);
    const double phis[] = {0.0, 0.2, 0.4, 0.6, 1.0, 1.8};
    for (size_t k = 0; k < sizeof phis / sizeof phis[0]; k++)
        for (uint32_t u = 0; u < 20; u++) {
            dtfl_err err;
            int dom = -1;
            assert_int_equal(fl_mix_for_user(mix, global, 10, phis[k], 7, u, &dom, &err), 0);
            double s = 0.0;
            for (int y = 0; y < 10; y++) {
                assert_true(mix[y] >= 0.0);
                s += mix[y];
            }
            check_close(s, 1.0, 1e-12);
            check_close(fl_emd(mix, global, 10), phis[k], 1e-9);
            assert_true(dom >= 0 && dom < 10);
        }
    fl_dataset_destroy(d);
}

static void test_counts_within_1e3(void **state)
{
    (void)state;
    fl_dataset *d = make_dataset(60000, 10, 0);
    double global[10], mix[10];
    fl_dataset_mix(d, global);
    const double phis[] = {0.0, 0.2, 0.4, 0.6};
    const int ns[] = {200, 1000, 1600, 2000}; /* the paper's sizes */
    for (size_t k = 0; k < 4; k++)
        for (size_t j = 0; j < 4; j++)
            for (uint32_t u = 0; u < 10; u++) {
                dtfl_err err;
                assert_int_equal(fl_mix_for_user(mix, global, 10, phis[k], 3, u, NULL, &err), 0);
                int counts[10];
                double got;
                fl_mix_counts(mix, global, 10, ns[j], phis[k], counts, &got);
                int total = 0;
                for (int y = 0; y < 10; y++)
                    total += counts[y];
                assert_int_equal(total, ns[j]);
                check_close(got, fl_emd_counts(counts, ns[j], global, 10), 1e-12);
                /* within 1e-3 from n = 1000 (EMD moves in steps of 2/n) */
                check_close(got, phis[k], ns[j] >= 1000 ? 1e-3 : 2.0 / ns[j]);
            }
    /* an n the label count does not divide cannot reach phi = 0 (777
     * samples over 10 equal labels leave EMD >= 0.0054); the counts are then
     * as close as single-sample moves can bring them */
    for (uint32_t u = 0; u < 5; u++) {
        const int n = 777;
        int counts[10];
        double got;
        fl_mix_for_user(mix, global, 10, 0.3, 3, u, NULL, NULL);
        fl_mix_counts(mix, global, 10, n, 0.3, counts, &got);
        for (int a = 0; a < 10; a++)
            for (int b = 0; b < 10; b++) {
                if (a == b || counts[a] == 0)
                    continue;
                counts[a]--;
                counts[b]++;
                double moved = fl_emd_counts(counts, n, global, 10);
                counts[a]++;
                counts[b]--;
                if (fabs(moved - 0.3) < fabs(got - 0.3) - 1e-12)
                    fail_msg("moving one sample %d->%d gives %.6f, closer than %.6f",
                             a, b, moved, got);
            }
    }
    /* small n: as close as the 2/n steps allow */
    double got;
    int counts[10];
    fl_mix_for_user(mix, global, 10, 0.37, 3, 1, NULL, NULL);
    fl_mix_counts(mix, global, 10, 50, 0.37, counts, &got);
    check_close(got, 0.37, 1.0 / 50);
    fl_dataset_destroy(d);
}

static void test_skewed_global(void **state)
{
    (void)state;
    /* a global mix that is not uniform: EMD is still exact, and the largest
     * reachable EMD is 2 (1 - rarest share) */
    fl_dataset *d = make_dataset(40000, 5, 1);
    double global[5], mix[5];
    fl_dataset_mix(d, global);
    double emax = fl_emd_max(global, 5);
    dtfl_err err;
    assert_int_equal(fl_mix_for_user(mix, global, 5, emax, 1, 0, NULL, &err), 0);
    check_close(fl_emd(mix, global, 5), emax, 1e-9);
    assert_int_equal(fl_mix_for_user(mix, global, 5, 0.5, 1, 4, NULL, &err), 0);
    check_close(fl_emd(mix, global, 5), 0.5, 1e-9);
    /* beyond the maximum: a clear error naming the limit */
    int rc = fl_mix_for_user(mix, global, 5, emax + 0.01, 1, 0, NULL, &err);
    assert_int_equal(rc, DTFL_ERANGE);
    assert_non_null(strstr(err.msg, "not reachable"));
    assert_non_null(strstr(err.msg, "5 labels"));
    rc = fl_mix_for_user(mix, global, 5, -0.1, 1, 0, NULL, &err);
    assert_int_equal(rc, DTFL_ERANGE);
    fl_dataset_destroy(d);
}

/* What P ranks would draw: rank r draws the users u with u % P == r, each
 * from its own (seed, user, slot) stream; the union must equal P = 1. */
static void draw_all(const fl_dataset *d, int P, int users, int slots, int n,
                     int32_t *out)
{
    double global[10], mix[10];
    fl_dataset_mix(d, global);
    for (int r = P - 1; r >= 0; r--) /* ranks in reverse, to be sure */
        for (int u = r; u < users; u += P)
            for (int t = 0; t < slots; t++) {
                dtfl_err err;
                assert_int_equal(fl_mix_for_user(mix, global, 10, 0.4, 11, (uint32_t)u, NULL, &err), 0);
                int counts[10];
                fl_mix_counts(mix, global, 10, n, 0.4, counts, NULL);
                assert_int_equal(fl_draw(d, counts, 11, DTFL_STREAM_DRAW, (uint32_t)u,
                                         (uint32_t)t, out + ((size_t)u * slots + t) * n, &err),
                                 0);
            }
}

static void test_draws_rank_independent(void **state)
{
    (void)state;
    fl_dataset *d = make_dataset(20000, 10, 0);
    const int users = 7, slots = 3, n = 300;
    size_t total = (size_t)users * slots * n;
    int32_t *one = malloc(sizeof(int32_t) * total);
    int32_t *two = malloc(sizeof(int32_t) * total);
    int32_t *three = malloc(sizeof(int32_t) * total);
    draw_all(d, 1, users, slots, n, one);
    draw_all(d, 2, users, slots, n, two);
    draw_all(d, 3, users, slots, n, three);
    assert_memory_equal(one, two, sizeof(int32_t) * total);
    assert_memory_equal(one, three, sizeof(int32_t) * total);
    /* within one (user, slot): distinct samples with the asked labels */
    double global[10], mix[10];
    fl_dataset_mix(d, global);
    fl_mix_for_user(mix, global, 10, 0.4, 11, 0, NULL, NULL);
    int counts[10], seen[10] = {0};
    fl_mix_counts(mix, global, 10, n, 0.4, counts, NULL);
    uint8_t *used = calloc(20000, 1);
    for (int i = 0; i < n; i++) {
        int32_t k = one[i];
        assert_true(k >= 0 && k < 20000);
        assert_int_equal(used[k], 0);
        used[k] = 1;
        seen[d->y[k]]++;
    }
    assert_memory_equal(seen, counts, sizeof counts);
    /* different slots draw different samples */
    assert_memory_not_equal(one, one + n, sizeof(int32_t) * n);
    free(used); free(one); free(two); free(three);
    fl_dataset_destroy(d);
}

static void test_draw_too_many(void **state)
{
    (void)state;
    fl_dataset *d = make_dataset(100, 10, 0);
    int counts[10] = {0};
    counts[3] = 11; /* only 10 samples of label 3 */
    int32_t out[11];
    dtfl_err err;
    assert_int_equal(fl_draw(d, counts, 1, DTFL_STREAM_DRAW, 0, 0, out, &err), DTFL_ERANGE);
    assert_non_null(strstr(err.msg, "label 3"));
    counts[3] = 10; /* exactly all of them */
    assert_int_equal(fl_draw(d, counts, 1, DTFL_STREAM_DRAW, 0, 0, out, &err), 0);
    fl_dataset_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mix_exact),
        cmocka_unit_test(test_counts_within_1e3),
        cmocka_unit_test(test_skewed_global),
        cmocka_unit_test(test_draws_rank_independent),
        cmocka_unit_test(test_draw_too_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
