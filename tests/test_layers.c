/*
 * test_layers.c - gradient checks for every layer and every model.
 *
 * Two steps, as in llm.c: (1) the naive double references of layers_ref.c
 * are checked against central finite differences (relative error < 1e-6 in
 * double); (2) the fast float layers of layers.c are checked against the
 * references (relative error < 1e-4, the float32 tolerance: sums over up to
 * 3136 terms in float lose about 1e-6 relative, and we leave headroom).
 * Every check also asserts that the gradient is not trivially zero.
 *
 * A layer's scalar test loss is L = sum(out * R) for a fixed random R, so
 * dL/dout = R.
 */
#include "check.h"

#include "../app/app.h"

#include "../fl/layers.h"

#include <cblas.h>

static void fill(double *v, size_t n, uint32_t stream, double scale)
{
    dtfl_rng r;
    dtfl_rng_init(&r, 42, stream, 0, 0);
    for (size_t i = 0; i < n; i++)
        v[i] = scale * (2.0 * dtfl_rng_uniform(&r) - 1.0);
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static float *to_float(const double *v, size_t n)
{
    float *f = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++)
        f[i] = (float)v[i];
    return f;
}

static double *to_double(const float *v, size_t n)
{
    double *d = malloc(sizeof(double) * n);
    for (size_t i = 0; i < n; i++)
        d[i] = v[i];
    return d;
}

/* (B,C,HW) <-> (C,B,HW) */
static void bchw_to_cbhw(double *dst, const double *src, int B, int C, int HW)
{
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(dst + ((size_t)c * B + b) * HW, src + ((size_t)b * C + c) * HW,
                   sizeof(double) * HW);
}

static void cbhw_to_bchw(double *dst, const double *src, int B, int C, int HW)
{
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            memcpy(dst + ((size_t)b * C + c) * HW, src + ((size_t)c * B + b) * HW,
                   sizeof(double) * HW);
}

static void assert_not_zero(const double *g, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += fabs(g[i]);
    if (!(s > 1e-8))
        fail_msg("gradient is (nearly) all zero: sum |g| = %g", s);
}

/* ---- dense ---- */

static double dense_loss(const double *in, const double *w, const double *b,
                         const double *R, int B, int IN, int OUT)
{
    double *out = malloc(sizeof(double) * B * OUT);
    fl__ref_dense_forward(out, in, w, b, B, IN, OUT);
    double l = dot(out, R, (size_t)B * OUT);
    free(out);
    return l;
}

static void test_dense(void **state)
{
    (void)state;
    const int B = 3, IN = 7, OUT = 5;
    double in[21], w[35], b[5], R[15];
    fill(in, 21, 1, 1.0);
    fill(w, 35, 2, 0.5);
    fill(b, 5, 3, 0.5);
    fill(R, 15, 4, 1.0);
    double din[21], dw[35] = {0}, db[5] = {0};
    fl__ref_dense_backward(din, dw, db, R, in, w, B, IN, OUT);
    /* (1) reference against finite differences, every coordinate */
    const double eps = 1e-6;
    double fd_w[35], fd_in[21];
    for (int i = 0; i < 35; i++) {
        double s = w[i];
        w[i] = s + eps;
        double lp = dense_loss(in, w, b, R, B, IN, OUT);
        w[i] = s - eps;
        double lm = dense_loss(in, w, b, R, B, IN, OUT);
        w[i] = s;
        fd_w[i] = (lp - lm) / (2 * eps);
    }
    for (int i = 0; i < 21; i++) {
        double s = in[i];
        in[i] = s + eps;
        double lp = dense_loss(in, w, b, R, B, IN, OUT);
        in[i] = s - eps;
        double lm = dense_loss(in, w, b, R, B, IN, OUT);
        in[i] = s;
        fd_in[i] = (lp - lm) / (2 * eps);
    }
    assert_not_zero(dw, 35);
    check_lt(check_relerr(fd_w, dw, 35), 1e-6);
    check_lt(check_relerr(fd_in, din, 21), 1e-6);
    /* (2) fast float layer against the reference */
    float *fin = to_float(in, 21), *fw = to_float(w, 35), *fb = to_float(b, 5);
    float *fR = to_float(R, 15), fout[15], fdin[21], fdw[35] = {0}, fdb[5] = {0};
    double out[15];
    fl__ref_dense_forward(out, in, w, b, B, IN, OUT);
    fl_dense_forward(fout, fin, fw, fb, B, IN, OUT);
    fl_dense_backward(fdin, fdw, fdb, fR, fin, fw, B, IN, OUT);
    double *o = to_double(fout, 15), *gi = to_double(fdin, 21);
    double *gw = to_double(fdw, 35), *gb = to_double(fdb, 5);
    check_lt(check_relerr(o, out, 15), 1e-5);
    check_lt(check_relerr(gi, din, 21), 1e-5);
    check_lt(check_relerr(gw, dw, 35), 1e-5);
    check_lt(check_relerr(gb, db, 5), 1e-5);
    free(fin); free(fw); free(fb); free(fR); free(o); free(gi); free(gw); free(gb);
}

/* ---- convolution ---- */

typedef struct conv_case { int B, C, H, W, OC, K, pad; } conv_case;

static double conv_loss(const conv_case *c, const double *in, const double *w,
                        const double *b, const double *R)
{
    int OH = c->H + 2 * c->pad - c->K + 1, OW = c->W + 2 * c->pad - c->K + 1;
    size_t n = (size_t)c->B * c->OC * OH * OW;
    double *out = malloc(sizeof(double) * n);
    fl__ref_conv_forward(out, in, w, b, c->B, c->C, c->H, c->W, c->OC, c->K,
                         c->pad);
    double l = dot(out, R, n);
    free(out);
    return l;
}

static void run_conv_case(const conv_case *c)
{
    const int OH = c->H + 2 * c->pad - c->K + 1, OW = c->W + 2 * c->pad - c->K + 1;
    const size_t nin = (size_t)c->B * c->C * c->H * c->W;
    const size_t nw = (size_t)c->OC * c->C * c->K * c->K;
    const size_t nout = (size_t)c->B * c->OC * OH * OW;
    double *in = malloc(sizeof(double) * nin), *w = malloc(sizeof(double) * nw);
    double *b = malloc(sizeof(double) * c->OC), *R = malloc(sizeof(double) * nout);
    fill(in, nin, 5, 1.0);
    fill(w, nw, 6, 0.3);
    fill(b, (size_t)c->OC, 7, 0.3);
    fill(R, nout, 8, 1.0);
    double *din = malloc(sizeof(double) * nin), *dw = calloc(nw, sizeof(double));
    double *db = calloc((size_t)c->OC, sizeof(double));
    fl__ref_conv_backward(din, dw, db, R, in, w, c->B, c->C, c->H, c->W, c->OC,
                          c->K, c->pad);
    /* (1) finite differences on every weight and every input */
    const double eps = 1e-6;
    double *fdw = malloc(sizeof(double) * nw), *fdi = malloc(sizeof(double) * nin);
    for (size_t i = 0; i < nw; i++) {
        double s = w[i];
        w[i] = s + eps;
        double lp = conv_loss(c, in, w, b, R);
        w[i] = s - eps;
        double lm = conv_loss(c, in, w, b, R);
        w[i] = s;
        fdw[i] = (lp - lm) / (2 * eps);
    }
    for (size_t i = 0; i < nin; i++) {
        double s = in[i];
        in[i] = s + eps;
        double lp = conv_loss(c, in, w, b, R);
        in[i] = s - eps;
        double lm = conv_loss(c, in, w, b, R);
        in[i] = s;
        fdi[i] = (lp - lm) / (2 * eps);
    }
    assert_not_zero(dw, nw);
    check_lt(check_relerr(fdw, dw, nw), 1e-6);
    check_lt(check_relerr(fdi, din, nin), 1e-6);
    /* (2) fast layer in (C,B,H,W) order against the reference */
    double *in_c = malloc(sizeof(double) * nin), *R_c = malloc(sizeof(double) * nout);
    bchw_to_cbhw(in_c, in, c->B, c->C, c->H * c->W);
    bchw_to_cbhw(R_c, R, c->B, c->OC, OH * OW);
    float *fin = to_float(in_c, nin), *fw = to_float(w, nw), *fb = to_float(b, (size_t)c->OC);
    float *fR = to_float(R_c, nout);
    size_t ncols = (size_t)c->C * c->K * c->K * c->B * OH * OW;
    float *cols = malloc(sizeof(float) * ncols), *dcols = malloc(sizeof(float) * ncols);
    float *fout = malloc(sizeof(float) * nout), *fdin = malloc(sizeof(float) * nin);
    float *gw_f = calloc(nw, sizeof(float)), *gb_f = calloc((size_t)c->OC, sizeof(float));
    fl__conv_forward(fout, cols, fin, fw, fb, c->C, c->B, c->H, c->W, c->OC, c->K, c->pad);
    fl__conv_backward(fdin, gw_f, gb_f, dcols, fR, cols, fw, c->C, c->B, c->H, c->W,
                      c->OC, c->K, c->pad);
    double *out = malloc(sizeof(double) * nout);
    fl__ref_conv_forward(out, in, w, b, c->B, c->C, c->H, c->W, c->OC, c->K, c->pad);
    double *o_c = to_double(fout, nout), *o = malloc(sizeof(double) * nout);
    cbhw_to_bchw(o, o_c, c->B, c->OC, OH * OW);
    double *gi_c = to_double(fdin, nin), *gi = malloc(sizeof(double) * nin);
    cbhw_to_bchw(gi, gi_c, c->B, c->C, c->H * c->W);
    double *gw = to_double(gw_f, nw), *gb = to_double(gb_f, (size_t)c->OC);
    check_lt(check_relerr(o, out, nout), 1e-5);
    check_lt(check_relerr(gi, din, nin), 1e-5);
    check_lt(check_relerr(gw, dw, nw), 1e-5);
    check_lt(check_relerr(gb, db, (size_t)c->OC), 1e-5);
    free(in); free(w); free(b); free(R); free(din); free(dw); free(db);
    free(fdw); free(fdi); free(in_c); free(R_c); free(fin); free(fw); free(fb);
    free(fR); free(cols); free(dcols); free(fout); free(fdin); free(out);
    free(gw_f); free(gb_f);
    free(o_c); free(o); free(gi_c); free(gi); free(gw); free(gb);
}

static void test_conv(void **state)
{
    (void)state;
    /* the CNN's two shapes, shrunk; odd sizes and no padding as well */
    const conv_case cases[] = {
        {2, 1, 8, 8, 4, 5, 2},  /* like conv1: one input channel, same pad */
        {2, 3, 6, 6, 5, 5, 2},  /* like conv2: several channels */
        {3, 2, 7, 5, 3, 3, 0},  /* valid convolution, non-square */
        {1, 2, 4, 4, 2, 5, 2},  /* kernel wider than the image */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_conv_case(&cases[i]);
}

/* ---- max-pool ---- */

static void test_pool(void **state)
{
    (void)state;
    const int P = 6, H = 6, W = 8;
    const size_t n = (size_t)P * H * W, no = n / 4;
    double in[288], R[72], out[72], din[288], fd[288];
    fill(in, n, 9, 1.0);
    fill(R, no, 10, 1.0);
    fl__ref_pool_backward(din, R, in, P, H, W);
    const double eps = 1e-6;
    for (size_t i = 0; i < n; i++) {
        double s = in[i];
        in[i] = s + eps;
        fl__ref_pool_forward(out, in, P, H, W);
        double lp = dot(out, R, no);
        in[i] = s - eps;
        fl__ref_pool_forward(out, in, P, H, W);
        double lm = dot(out, R, no);
        in[i] = s;
        fd[i] = (lp - lm) / (2 * eps);
    }
    assert_not_zero(din, n);
    check_lt(check_relerr(fd, din, n), 1e-6);
    float *fin = to_float(in, n), *fR = to_float(R, no), fout[72], fdin[288];
    uint8_t arg[72];
    fl__pool_forward(fout, arg, fin, P, H, W);
    fl__pool_backward(fdin, fR, arg, P, H, W);
    fl__ref_pool_forward(out, in, P, H, W);
    double *o = to_double(fout, no), *g = to_double(fdin, n);
    check_lt(check_relerr(o, out, no), 1e-6);
    check_lt(check_relerr(g, din, n), 1e-6);
    free(fin); free(fR); free(o); free(g);
}

/* ---- softmax cross-entropy ---- */

static void test_xent(void **state)
{
    (void)state;
    const int B = 4, L = 6;
    double z[24], dz[24], fd[24];
    uint8_t y[4] = {0, 5, 2, 2};
    fill(z, 24, 11, 3.0);
    double loss = fl__ref_xent(dz, z, y, B, L);
    const double eps = 1e-6;
    for (int i = 0; i < 24; i++) {
        double s = z[i];
        z[i] = s + eps;
        double lp = fl__ref_xent(NULL, z, y, B, L);
        z[i] = s - eps;
        double lm = fl__ref_xent(NULL, z, y, B, L);
        z[i] = s;
        fd[i] = (lp - lm) / (2 * eps);
    }
    assert_not_zero(dz, 24);
    check_lt(check_relerr(fd, dz, 24), 1e-6);
    float *fz = to_float(z, 24), p[24], fdz[24];
    int correct = -1;
    float floss = fl__xent_forward(p, fz, y, B, L, &correct);
    fl__xent_backward(fdz, p, y, B, L);
    check_close(floss, loss, 1e-5);
    double *g = to_double(fdz, 24);
    check_lt(check_relerr(g, dz, 24), 1e-5);
    /* correct counts the argmax hits */
    int want = 0;
    for (int i = 0; i < B; i++) {
        int best = 0;
        for (int k = 1; k < L; k++)
            if (z[i * L + k] > z[i * L + best])
                best = k;
        want += best == y[i];
    }
    assert_int_equal(correct, want);
    free(fz); free(g);
}

/* ---- tanh ---- */

static void test_tanh(void **state)
{
    (void)state;
    const size_t n = 40;
    double x[40], R[40], out[40], g[40], fd[40];
    fill(x, n, 13, 2.0);
    fill(R, n, 14, 1.0);
    for (size_t i = 0; i < n; i++)
        out[i] = tanh(x[i]);
    memcpy(g, R, sizeof g);
    fl__ref_tanh_backward(g, out, n);
    const double eps = 1e-6;
    for (size_t i = 0; i < n; i++) /* L = sum R tanh(x) */
        fd[i] = R[i] * (tanh(x[i] + eps) - tanh(x[i] - eps)) / (2 * eps);
    assert_not_zero(g, n);
    check_lt(check_relerr(fd, g, n), 1e-8);
    float *fx = to_float(x, n), *fR = to_float(R, n);
    fl_tanh_forward(fx, n);
    fl_tanh_backward(fR, fx, n);
    double *o = to_double(fx, n), *gf = to_double(fR, n);
    check_lt(check_relerr(o, out, n), 1e-6);
    check_lt(check_relerr(gf, g, n), 1e-5);
    free(fx); free(fR); free(o); free(gf);
    /* the forward's rational approximation against tanh, densely */
    double worst = 0.0;
    for (int i = -200000; i <= 200000; i++) {
        float v = (float)i * 1e-4f;
        fl_tanh_forward(&v, 1);
        double e = fabs((double)v - tanh(i * 1e-4));
        worst = e > worst ? e : worst;
    }
    float big[4] = {-100.0f, -8.0f, 8.0f, 1e30f};
    fl_tanh_forward(big, 4);
    check_lt(worst, 5e-7);
    check_close(big[0], -1.0, 3e-7);
    check_close(big[3], 1.0, 3e-7);
}

/* ---- flatten (layout only) ---- */

static void test_flatten(void **state)
{
    (void)state;
    const int C = 3, B = 2, HW = 4;
    float in[24], out[24], back[24];
    for (int i = 0; i < 24; i++)
        in[i] = (float)i;
    fl__flatten_forward(out, in, C, B, HW);
    /* out[b][c*HW + k] = in[c][b][k] */
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            for (int k = 0; k < HW; k++)
                assert_int_equal((int)out[b * C * HW + c * HW + k],
                                 (int)in[(c * B + b) * HW + k]);
    fl__flatten_backward(back, out, C, B, HW);
    assert_memory_equal(back, in, sizeof in);
}

/* ---- whole models ---- */

static void run_model(fl_model_shape shape, int B, int nprobe)
{
    fl_model *m = NULL;
    dtfl_err err;
    assert_int_equal(fl_model_create(&m, shape, B, &err), 0);
    fl_model_init(m, 3);
    const fl_layer *ls;
    int nl = fl__model_get_layers(m, &ls);
    size_t n = fl_model_nparams(m), dim = (size_t)shape.rows * shape.cols;
    double *x = malloc(sizeof(double) * B * dim);
    fill(x, B * dim, 12, 0.5);
    for (size_t i = 0; i < B * dim; i++)
        x[i] += 0.5; /* images live in [0, 1] */
    uint8_t y[8];
    for (int i = 0; i < B; i++)
        y[i] = (uint8_t)((i * 3) % shape.classes);
    double *p = to_double(fl_model_params(m), n);
    double *g = malloc(sizeof(double) * n);
    double loss = fl__ref_model_loss(ls, nl, n, p, x, y, B, shape.classes, g);
    assert_not_zero(g, n);
    /* (1) reference model against finite differences on probe coordinates
     * spread over every weight and bias tensor */
    const double eps = 1e-6;
    double *fd = malloc(sizeof(double) * nprobe * 2 * nl);
    double *an = malloc(sizeof(double) * nprobe * 2 * nl);
    int k = 0;
    dtfl_rng r;
    dtfl_rng_init(&r, 5, 77, 0, 0);
    for (int li = 0; li < nl; li++)
        for (int part = 0; part < 2; part++) {
            size_t off = part ? ls[li].b_off : ls[li].w_off;
            size_t cnt = part ? ls[li].nb : ls[li].nw;
            for (int j = 0; j < nprobe && cnt > 0; j++) {
                size_t i = off + dtfl_rng_below(&r, (uint32_t)cnt);
                double s = p[i];
                p[i] = s + eps;
                double lp = fl__ref_model_loss(ls, nl, n, p, x, y, B, shape.classes, NULL);
                p[i] = s - eps;
                double lm = fl__ref_model_loss(ls, nl, n, p, x, y, B, shape.classes, NULL);
                p[i] = s;
                fd[k] = (lp - lm) / (2 * eps);
                an[k] = g[i];
                k++;
            }
        }
    double rel = check_relerr(fd, an, (size_t)k);
    if (!(rel < 1e-6))
        fail_msg("%s: finite differences vs reference: relative error %g",
                 fl_model_kind_name(shape.kind), rel);
    /* (2) fast float model against the reference */
    float *fx = to_float(x, B * dim);
    fl_model_zero_grads(m);
    float floss = fl_model_backward(m, fx, y, B, NULL);
    check_close(floss, loss, 1e-5 * (1.0 + fabs(loss)));
    double *fg = to_double(fl_model_grads(m), n);
    rel = check_relerr(fg, g, n);
    if (!(rel < 1e-4))
        fail_msg("%s: fast vs reference gradient: relative error %g",
                 fl_model_kind_name(shape.kind), rel);
    /* gradients accumulate: a second backward doubles them */
    fl_model_backward(m, fx, y, B, NULL);
    for (size_t i = 0; i < n; i += n / 97 + 1)
        check_close(fl_model_grads(m)[i], 2.0 * fg[i], 1e-5 + 1e-4 * fabs(fg[i]));
    free(x); free(p); free(g); free(fd); free(an); free(fx); free(fg);
    fl_model_destroy(m);
}

static void test_model_softmax(void **state)
{
    (void)state;
    run_model((fl_model_shape){FL_MODEL_SOFTMAX, 28, 28, 10}, 4, 40);
}

static void test_model_2nn(void **state)
{
    (void)state;
    run_model((fl_model_shape){FL_MODEL_2NN, 28, 28, 10}, 3, 20);
}

static void test_model_cnn_small(void **state)
{
    (void)state;
    /* the CNN's layer list on 8x8 images, so finite differences are cheap */
    run_model((fl_model_shape){FL_MODEL_CNN, 8, 8, 4}, 2, 12);
}

static void test_model_cnn_full(void **state)
{
    (void)state;
    /* the real 28x28 CNN: fast against reference, fewer probes */
    run_model((fl_model_shape){FL_MODEL_CNN, 28, 28, 10}, 2, 2);
}

int main(int argc, char **argv)
{
    (void)argc;
    app_blas_setup(1, argv); /* the kernels dtfl itself would run on */
    openblas_set_num_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense),        cmocka_unit_test(test_conv),
        cmocka_unit_test(test_pool),         cmocka_unit_test(test_xent),
        cmocka_unit_test(test_tanh),
        cmocka_unit_test(test_flatten),      cmocka_unit_test(test_model_softmax),
        cmocka_unit_test(test_model_2nn),    cmocka_unit_test(test_model_cnn_small),
        cmocka_unit_test(test_model_cnn_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
