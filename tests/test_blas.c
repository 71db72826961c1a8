/*
 * test_blas.c - the choice of OpenBLAS kernels (fl/blas.c) on CPUs described
 * by hand: the newest core type a CPU runs, and when a core OpenBLAS picked
 * is old enough to replace (the Prescott fallback on an AVX-512 CPU is
 * replaced; a pick of the same generation is left alone). And on this CPU:
 * the core in use is of the newest generation it runs (app_blas_setup).
 */
#include "check.h"

#include "../app/app.h"
#include "../fl/fl.h"

#include <string.h>
#include <strings.h>

static fl_cpu cpu_of(int avx, int avx2fma, int avx512, int bf16)
{
    fl_cpu c = {0};
    c.avx = avx;
    c.avx2 = c.fma = avx2fma;
    c.avx512f = c.avx512dq = c.avx512cd = c.avx512bw = c.avx512vl = avx512;
    c.avx512bf16 = bf16;
    return c;
}

static void test_choice(void **state)
{
    (void)state;
    const fl_cpu sapphire = cpu_of(1, 1, 1, 1), skylake = cpu_of(1, 1, 1, 0);
    const fl_cpu haswell = cpu_of(1, 1, 0, 0), sandy = cpu_of(1, 0, 0, 0);
    const fl_cpu old = cpu_of(0, 0, 0, 0);
    assert_string_equal(fl_blas_best(&sapphire), "Cooperlake");
    assert_string_equal(fl_blas_best(&skylake), "SkylakeX");
    assert_string_equal(fl_blas_best(&haswell), "Haswell");
    assert_string_equal(fl_blas_best(&sandy), "Sandybridge");
    assert_null(fl_blas_best(&old));
    /* the fallback of issue 12: model 207 with AVX-512 and AMX */
    assert_string_equal(fl_blas_better(&sapphire, "Prescott"), "Cooperlake");
    assert_string_equal(fl_blas_better(&haswell, "Prescott"), "Haswell");
    assert_string_equal(fl_blas_better(&sapphire, "Haswell"), "Cooperlake");
    assert_string_equal(fl_blas_better(&skylake, "unknown-core"), "SkylakeX");
    /* same generation: left alone (SkylakeX and Cooperlake share sgemm) */
    assert_null(fl_blas_better(&sapphire, "SkylakeX"));
    assert_null(fl_blas_better(&haswell, "Zen"));
    assert_null(fl_blas_better(&old, "Prescott"));
    /* a pick newer than the CPU can run is not ours to touch */
    assert_null(fl_blas_better(&haswell, "SkylakeX"));
    assert_true(fl_blas_known("cooperlake") && fl_blas_known("PRESCOTT"));
    assert_false(fl_blas_known("SapphireRapids")); /* not in 0.3.21 */
}

static void test_this_cpu(void **state)
{
    (void)state;
    fl_cpu c;
    fl_cpu_detect(&c);
    const char *best = fl_blas_best(&c);
    int user = strncmp(app_blas_chosen_by(), "user", 4) == 0;
    if (best == NULL || user) {
        printf("skipped: %s\n", best == NULL ? "no AVX on this CPU"
                                             : "OPENBLAS_CORETYPE set by the user");
        skip();
    }
    printf("core %s (chosen by %s), newest this CPU runs: %s\n", fl_blas_core(),
           app_blas_chosen_by(), best);
    assert_int_equal(fl_blas_generation(fl_blas_core()), fl_blas_generation(best));
    if (c.avx512f)
        assert_true(strcasecmp(fl_blas_core(), "Prescott") != 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    app_blas_setup(1, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choice),
        cmocka_unit_test(test_this_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
