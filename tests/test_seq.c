/*
 * test_seq.c - the next-step predictor (sched/seq.c, seq_train.c): every
 * gradient of a two-layer residual stack, its head and the head's gains
 * against central differences
 * of the window's loss (not all zero); inference by steps equal to the
 * training forward; training on circling tracks beating "the next step is
 * this one" by far, its forecasts well ahead of the last position; predictor files
 * round trip bit for bit, and a flipped byte, a cut file, another version,
 * a weight or a scale past their bounds are refused.
 */
#include "check.h"

#include "../sched/seq_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Windows of circling points: (x, y, vx, vy) per step, radius, speed and
 * phase drawn per window. */
static float *circles(int n, int L, uint64_t seed)
{
    float *w = malloc(sizeof(float) * (size_t)n * L * 4);
    dtfl_rng r;
    dtfl_rng_init(&r, seed, 1, 0, 0);
    for (int k = 0; k < n; k++) {
        double R = dtfl_rng_range(&r, 50, 150), om = dtfl_rng_range(&r, 0.05, 0.2);
        double ph = dtfl_rng_range(&r, 0, 6.283), cx = dtfl_rng_range(&r, 200, 800);
        for (int j = 0; j < L; j++) {
            double a = ph + om * j;
            float *p = w + ((size_t)k * L + j) * 4;
            p[0] = (float)(cx + R * cos(a)), p[1] = (float)(500 + R * sin(a));
            p[2] = (float)(-R * om * sin(a)), p[3] = (float)(R * om * cos(a));
        }
    }
    return w;
}

/* The window loss (sum of squared errors, normalised units) with true
 * inputs; grads of it when back is set. */
static double window_loss(sched_seq *s, const float *w, int B, int L, int back)
{
    const int F = s->F;
    for (int l = 0; l < s->L; l++)
        memset(seq__h(s, l, -1), 0, sizeof(float) * (size_t)B * s->H);
    for (int j = 0; j < L - 1; j++)
        seq__forward(s, j, w + (size_t)j * B * F, B, 0);
    double loss = 0.0;
    memset(s->dh, 0, sizeof(float) * (size_t)s->L * s->maxB * s->H);
    for (int j = L - 2; j >= 0; j--) {
        for (int k = 0; k < B * F; k++) {
            double e = s->ys[(size_t)j * s->maxB * F + k] - w[(size_t)(j + 1) * B * F + k];
            loss += e * e;
            s->dy[k] = (float)(2 * e);
        }
        if (back)
            seq__backward(s, j, s->dy, B);
    }
    return loss;
}

static void test_gradients(void **state)
{
    (void)state;
    const int B = 3, L = 5, F = 2;
    sched_seq_params p = {F, 4, 2, 1, 7};
    sched_seq *s;
    dtfl_err err;
    assert_int_equal(sched_seq_create(&s, &p, B, L, &err), 0);
    const double off[2] = {0, 0}, sc[2] = {1, 1}, st[2] = {0.5, 2}; /* gains */
    sched_seq_set_norm(s, off, sc, st);
    float w[5 * 3 * 2]; /* (step, batch, F): already normalised */
    dtfl_rng r;
    dtfl_rng_init(&r, 8, 1, 0, 0);
    for (size_t k = 0; k < sizeof w / sizeof w[0]; k++)
        w[k] = (float)dtfl_rng_range(&r, -1, 1);
    float *slab[3] = {rl_gru_params(s->g[0]), rl_gru_params(s->g[1]), s->wo};
    float *grad[3] = {rl_gru_grads(s->g[0]), rl_gru_grads(s->g[1]), s->dwo};
    size_t n[3] = {rl_gru_nparams(s->g[0]), rl_gru_nparams(s->g[1]),
                   (size_t)F * 4 + F};
    for (int k = 0; k < 3; k++)
        memset(grad[k], 0, sizeof(float) * n[k]);
    window_loss(s, w, B, L, 1);
    double dot = 0, na = 0, nb = 0;
    int checked = 0;
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < n[k]; i++) {
            const float keep = slab[k][i], h = 1e-2f;
            slab[k][i] = keep + h;
            double up = window_loss(s, w, B, L, 0);
            slab[k][i] = keep - h;
            double down = window_loss(s, w, B, L, 0);
            slab[k][i] = keep;
            double fd = (up - down) / (2.0 * h), an = grad[k][i];
            dot += fd * an, na += fd * fd, nb += an * an;
            if (fabs(fd) > 1e-2) {
                check_close(an / fd, 1.0, 2e-2);
                checked++;
            }
        }
    assert_true(nb > 1e-6);         /* not all zero */
    check_close(dot / sqrt(na * nb), 1.0, 1e-4);
    assert_true(checked > 30);
    sched_seq_destroy(s);
}

/* Training on circles: the validation loss far below the loss of
 * repeating the last step, forecasts within tens of metres. */
static void test_training(void **state)
{
    (void)state;
    const int L = 20, N = 512, Nv = 64;
    float *tr = circles(N, L, 1), *va = circles(Nv, L, 2);
    sched_seq_params p = {4, 16, 2, 0, 3};
    sched_seq *s;
    dtfl_err err;
    assert_int_equal(sched_seq_create(&s, &p, 64, L, &err), 0);
    const double off[4] = {500, 500, 0, 0}, sc[4] = {300, 300, 20, 20};
    sched_seq_set_norm(s, off, sc, NULL);
    /* repeating the last step, in the same units */
    double still = 0.0;
    for (int k = 0; k < Nv; k++)
        for (int j = 0; j < L - 1; j++)
            for (int f = 0; f < 4; f++) {
                double e = (va[((size_t)k * L + j + 1) * 4 + f] - va[((size_t)k * L + j) * 4 + f]) / sc[f];
                still += e * e;
            }
    still /= (double)Nv * (L - 1) * 4;
    sched_seq_train t = {40, 64, 0.01, 1e-8, 1.0, 0.0, 0.0, 0, 3, 0, 1, 5};
    sched_seq_report rep;
    assert_int_equal(sched_seq_fit(s, tr, N, va, Nv, L, &t, NULL, NULL, &rep, &err), 0);
    print_message("val MSE %.3g after %d epochs (best %d), repeating %.3g\n",
                  rep.best_val, rep.epochs, rep.best_epoch, still);
    assert_true(rep.best_val < 0.1 * still);
    check_close(sched_seq_eval(s, va, Nv, L, 1), rep.best_val, 1e-6 * rep.best_val);
    double out[64 * 5 * 4], se = 0.0, se_last = 0.0;
    sched_seq_forecast(s, va, Nv, L, 10, 5, out);
    for (int k = 0; k < Nv; k++)
        for (int h = 0; h < 5; h++) {
            const float *truth = va + ((size_t)k * L + 10 + h) * 4;
            const float *last = va + ((size_t)k * L + 9) * 4;
            se += pow(hypot(out[(k * 5 + h) * 4] - truth[0], out[(k * 5 + h) * 4 + 1] - truth[1]), 2);
            se_last += pow(hypot(last[0] - truth[0], last[1] - truth[1]), 2);
        }
    print_message("forecast RMSE over 1-5 steps: %.1f m (last position: %.1f m)\n",
                  sqrt(se / (Nv * 5)), sqrt(se_last / (Nv * 5)));
    assert_true(se < 0.25 * se_last);
    /* inference one step at a time gives the forecasts' first steps */
    float state_[64 * 32];
    memset(state_, 0, sizeof state_);
    double x[64 * 4], y[64 * 4];
    for (int j = 0; j < 10; j++) {
        for (int k = 0; k < Nv; k++)
            for (int f = 0; f < 4; f++)
                x[k * 4 + f] = va[((size_t)k * L + j) * 4 + f];
        sched_seq_step(s, Nv, x, state_, y);
    }
    for (int k = 0; k < Nv; k++)
        check_close(y[k * 4], out[k * 5 * 4], 1e-3);
    free(tr);
    free(va);
    sched_seq_destroy(s);
}

static void test_file(void **state)
{
    (void)state;
    sched_seq_params p = {4, 5, 2, 1, 11};
    sched_seq *s, *t;
    dtfl_err err;
    assert_int_equal(sched_seq_create(&s, &p, 4, 3, &err), 0);
    const double off[4] = {1, 2, 3, 4}, sc[4] = {5, 6, 7, 8}, st[4] = {1, 1, 2, 2};
    sched_seq_set_norm(s, off, sc, st);
    size_t len = 0;
    assert_int_equal(sched_seq_save(s, NULL, &len, &err), 0);
    uint8_t *buf = malloc(len), *again = malloc(len);
    assert_int_equal(sched_seq_save(s, buf, &len, &err), 0);
    assert_int_equal(sched_seq_load_new(&t, buf, len, 4, &err), 0);
    size_t len2 = len;
    assert_int_equal(sched_seq_save(t, again, &len2, &err), 0);
    assert_int_equal(len2, len);
    assert_memory_equal(buf, again, len);
    float h1[4 * 10] = {0}, h2[4 * 10] = {0};
    double x[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, y1[16], y2[16];
    sched_seq_step(s, 4, x, h1, y1);
    sched_seq_step(t, 4, x, h2, y2);
    assert_memory_equal(y1, y2, sizeof y1);
    sched_seq_destroy(t);
    buf[40] ^= 0x10; /* a flipped bit: the CRC */
    assert_int_equal(sched_seq_load_new(&t, buf, len, 4, &err), DTFL_EDATA);
    buf[40] ^= 0x10;
    assert_int_equal(sched_seq_load_new(&t, buf, len - 4, 4, &err), DTFL_EDATA);
    assert_int_equal(sched_seq_load_new(&t, buf, 10, 4, &err), DTFL_EDATA);
    /* a weight past 1e4, a scale of 1e-12: refused (CRC made right) */
    uint8_t keep[8];
    const size_t wpos = 36 + 24 * 4;
    memcpy(keep, buf + wpos, 4);
    dtfl_put_f32(buf + wpos, 1e6f);
    dtfl_put_u32(buf + len - 4, dtfl_crc32(0, buf, len - 4));
    assert_int_equal(sched_seq_load_new(&t, buf, len, 4, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "parameter 0"));
    memcpy(buf + wpos, keep, 4);
    memcpy(keep, buf + 36 + 32, 8);
    dtfl_put_f64(buf + 36 + 32, 1e-12);
    dtfl_put_u32(buf + len - 4, dtfl_crc32(0, buf, len - 4));
    assert_int_equal(sched_seq_load_new(&t, buf, len, 4, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "scale"));
    memcpy(buf + 36 + 32, keep, 8);
    dtfl_put_u32(buf + len - 4, dtfl_crc32(0, buf, len - 4));
    assert_int_equal(sched_seq_load_new(&t, buf, len, 4, &err), 0);
    sched_seq_destroy(t);
    dtfl_put_u32(buf + 8, 2); /* another version */
    assert_int_equal(sched_seq_load_new(&t, buf, len, 4, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "version"));
    free(buf);
    free(again);
    sched_seq_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_training),
        cmocka_unit_test(test_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
