/*
 * test_model.c - models around the layers: weight files round-trip and
 * damaged or mismatched files are refused; SGD and FedAvg do the arithmetic
 * they claim; a few epochs of training learn a task a model can learn.
 */
#include "check.h"

#include "../app/app.h"

#include "../fl/fl.h"

#include <cblas.h>

static char dir[256];

static fl_model *make(fl_model_kind kind, int rows, int classes, uint64_t seed)
{
    fl_model *m = NULL;
    dtfl_err err;
    fl_model_shape s = {kind, rows, rows, classes};
    assert_int_equal(fl_model_create(&m, s, 16, &err), 0);
    fl_model_init(m, seed);
    return m;
}

static void test_param_counts(void **state)
{
    (void)state;
    /* the FedAvg paper's models on 28x28 images with 10 classes */
    fl_model *m = make(FL_MODEL_SOFTMAX, 28, 10, 1);
    assert_int_equal(fl_model_nparams(m), 784 * 10 + 10);
    fl_model_destroy(m);
    m = make(FL_MODEL_2NN, 28, 10, 1);
    assert_int_equal(fl_model_nparams(m), 784 * 200 + 200 + 200 * 200 + 200 + 200 * 10 + 10);
    fl_model_destroy(m);
    m = make(FL_MODEL_CNN, 28, 10, 1);
    assert_int_equal(fl_model_nparams(m), (25 * 32 + 32) + (25 * 32 * 64 + 64) +
                                              (7 * 7 * 64 * 512 + 512) + (512 * 10 + 10));
    /* FLOPs of the forward pass: 2 per multiply-add */
    check_close(fl_model_flops_forward(m),
                2.0 * (28 * 28 * 32 * 25 + 14 * 14 * 64 * 800 + 3136 * 512 + 5120), 1.0);
    fl_model_destroy(m);
    /* CNN needs sides divisible by 4 */
    dtfl_err err;
    fl_model_shape bad = {FL_MODEL_CNN, 30, 30, 10};
    assert_int_equal(fl_model_create(&m, bad, 4, &err), DTFL_ERANGE);
}

static void test_init_deterministic(void **state)
{
    (void)state;
    fl_model *a = make(FL_MODEL_2NN, 28, 10, 5), *b = make(FL_MODEL_2NN, 28, 10, 5);
    fl_model *c = make(FL_MODEL_2NN, 28, 10, 6);
    size_t n = fl_model_nparams(a);
    assert_memory_equal(fl_model_params(a), fl_model_params(b), n * sizeof(float));
    assert_memory_not_equal(fl_model_params(a), fl_model_params(c), n * sizeof(float));
    /* PyTorch's default bound 1/sqrt(fan_in) for the first layer */
    float bound = 1.0f / sqrtf(784.0f), mx = 0.0f;
    for (size_t i = 0; i < 784 * 200; i++)
        mx = fmaxf(mx, fabsf(fl_model_params(a)[i]));
    assert_true(mx <= bound && mx > 0.9f * bound);
    fl_model_destroy(a);
    fl_model_destroy(b);
    fl_model_destroy(c);
}

static void test_save_load(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/m.bin", dir);
    fl_model *a = make(FL_MODEL_2NN, 28, 10, 1), *b = make(FL_MODEL_2NN, 28, 10, 2);
    dtfl_err err;
    assert_int_equal(fl_model_save(a, path, &err), 0);
    assert_int_equal(fl_model_load(b, path, &err), 0);
    size_t n = fl_model_nparams(a);
    assert_memory_equal(fl_model_params(a), fl_model_params(b), n * sizeof(float));
    /* another shape: refused, saying what the file holds */
    fl_model *c = make(FL_MODEL_SOFTMAX, 28, 10, 1);
    int rc = fl_model_load(c, path, &err);
    assert_int_not_equal(rc, 0);
    fl_model_destroy(c);
    fl_model *d = make(FL_MODEL_2NN, 28, 12, 1);
    rc = fl_model_load(d, path, &err);
    assert_int_equal(rc, DTFL_EDATA);
    assert_non_null(strstr(err.msg, "2nn model for 28x28 images and 10 classes"));
    fl_model_destroy(d);
    /* one flipped byte in the weights: checksum mismatch, weights untouched */
    uint8_t *buf;
    size_t len;
    assert_int_equal(dtfl_file_read_all(path, 1 << 24, &buf, &len, &err), 0);
    buf[1000] ^= 0x40;
    char bad[300];
    snprintf(bad, sizeof bad, "%s/flip.bin", dir);
    check_write(bad, buf, len);
    float before = fl_model_params(b)[0];
    assert_int_equal(fl_model_load(b, bad, &err), DTFL_ECORRUPT);
    assert_true(fl_model_params(b)[0] == before);
    buf[1000] ^= 0x40;
    /* truncated */
    check_write(bad, buf, len - 7);
    assert_int_equal(fl_model_load(b, bad, &err), DTFL_EDATA);
    /* another format version */
    buf[8] = 9;
    check_write(bad, buf, len);
    assert_int_equal(fl_model_load(b, bad, &err), DTFL_EVERSION);
    assert_non_null(strstr(err.msg, "version 9"));
    /* not a model at all */
    check_write(bad, "hello", 5);
    assert_int_equal(fl_model_load(b, bad, &err), DTFL_EDATA);
    free(buf);
    fl_model_destroy(a);
    fl_model_destroy(b);
}

static void test_sgd(void **state)
{
    (void)state;
    float w[3] = {1, 2, 3}, g[3] = {0.5f, -1, 0};
    fl_sgd *o;
    dtfl_err err;
    fl_sgd_params p = {0.1f, 0.9f, 0.01f};
    assert_int_equal(fl_sgd_create(&o, 3, p, &err), 0);
    /* step 1: v = g + wd w; w -= lr v */
    fl_sgd_step(o, w, g);
    float v0 = 0.5f + 0.01f * 1, w0 = 1 - 0.1f * v0;
    check_close(w[0], w0, 1e-6);
    /* step 2: v = mu v + g + wd w */
    fl_sgd_step(o, w, g);
    float v1 = 0.9f * v0 + 0.5f + 0.01f * w0;
    check_close(w[0], w0 - 0.1f * v1, 1e-6);
    fl_sgd_destroy(o);
    /* without momentum: plain steps */
    fl_sgd_params q = {0.5f, 0.0f, 0.0f};
    float u[1] = {1}, h[1] = {2};
    assert_int_equal(fl_sgd_create(&o, 1, q, &err), 0);
    fl_sgd_step(o, u, h);
    fl_sgd_step(o, u, h);
    check_close(u[0], 1 - 2 * 0.5 * 2, 1e-6);
    fl_sgd_destroy(o);
}

static void test_fedavg(void **state)
{
    (void)state;
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, out[4];
    double acc[4] = {0};
    fl_fedavg_add(acc, a, 4, 100);
    fl_fedavg_add(acc, b, 4, 300);
    fl_fedavg_finish(out, acc, 4, 400);
    for (int i = 0; i < 4; i++)
        check_close(out[i], 0.25 * a[i] + 0.75 * b[i], 1e-6);
}

/* A learnable task: each label lights up its own band of rows. */
static fl_dataset *bands(int n, int rows, int classes, uint32_t salt)
{
    int dim = rows * rows;
    uint8_t *x = malloc((size_t)n * dim), *y = malloc((size_t)n);
    dtfl_rng r;
    dtfl_rng_init(&r, salt, 99, 0, 0);
    for (int i = 0; i < n; i++) {
        y[i] = (uint8_t)(i % classes);
        for (int p = 0; p < dim; p++) {
            int band = (p / rows) * classes / rows;
            int v = (int)dtfl_rng_below(&r, 90) + (band == y[i] ? 120 : 0);
            x[(size_t)i * dim + p] = (uint8_t)v;
        }
    }
    fl_dataset *d = NULL;
    dtfl_err err;
    assert_int_equal(fl_dataset_from_bytes(&d, n, rows, rows, classes, x, y, &err), 0);
    free(x);
    free(y);
    return d;
}

static void test_training_learns(void **state)
{
    (void)state;
    const fl_model_kind kinds[] = {FL_MODEL_SOFTMAX, FL_MODEL_2NN, FL_MODEL_CNN};
    fl_dataset *train = bands(400, 12, 4, 1), *test = bands(200, 12, 4, 2);
    fl_samples tr = fl_dataset_samples(train), te = fl_dataset_samples(test);
    for (int k = 0; k < 3; k++) {
        fl_model *m = make(kinds[k], 12, 4, 3);
        fl_sgd *o;
        fl_batch *b;
        dtfl_err err;
        fl_sgd_params p = {0.05f, 0.5f, 0.0f};
        assert_int_equal(fl_sgd_create(&o, fl_model_nparams(m), p, &err), 0);
        assert_int_equal(fl_batch_create(&b, m, &err), 0);
        fl_stats before, after, st;
        fl_evaluate(m, b, &te, &before);
        for (int e = 0; e < 4; e++) {
            dtfl_rng sh;
            dtfl_rng_init(&sh, 1, DTFL_STREAM_SHUFFLE, 0, (uint32_t)e);
            fl_train_epoch(m, o, b, &tr, 16, &sh, &st);
            assert_int_equal(st.samples, 400);
        }
        fl_evaluate(m, b, &te, &after);
        if (!(after.accuracy > 0.95 && after.loss < before.loss))
            fail_msg("%s: accuracy %.3f, loss %.3f -> %.3f", fl_model_kind_name(kinds[k]),
                     after.accuracy, before.loss, after.loss);
        /* fl_classify: the same numbers, and each prediction the largest
         * output of a one-sample forward pass (batches of other sizes) */
        uint8_t *pred = malloc((size_t)te.n);
        fl_stats same;
        fl_classify(m, b, &te, pred, &same);
        assert_true(same.accuracy == after.accuracy && same.loss == after.loss);
        long right = 0;
        for (int i = 0; i < te.n; i++) {
            float x[12 * 12]; /* a 12 x 12 image */
            assert_true(te.dim <= 12 * 12);
            uint8_t y;
            fl_batch_fill(x, &y, &te, NULL, i, 1);
            const float *z = fl_model_forward(m, x, 1);
            int best = 0;
            for (int c = 1; c < 4; c++)
                best = z[c] > z[best] ? c : best;
            assert_int_equal(pred[i], best);
            right += pred[i] == te.y[i];
        }
        assert_true(right == llround(after.accuracy * te.n));
        free(pred);
        fl_batch_destroy(b);
        fl_sgd_destroy(o);
        fl_model_destroy(m);
    }
    fl_dataset_destroy(train);
    fl_dataset_destroy(test);
}

static int setup(void **state)
{
    (void)state;
    openblas_set_num_threads(1);
    check_tmpdir(dir, sizeof dir, "model");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    check_rmtree(dir);
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    app_blas_setup(1, argv); /* the kernels dtfl itself would run on */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_param_counts),   cmocka_unit_test(test_init_deterministic),
        cmocka_unit_test(test_save_load),      cmocka_unit_test(test_sgd),
        cmocka_unit_test(test_fedavg),         cmocka_unit_test(test_training_learns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
