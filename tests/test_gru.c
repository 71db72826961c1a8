/*
 * test_gru.c - the GRU layer (sched/rl_gru.c) against a naive double
 * reference of the same equations (PyTorch's nn.GRU): outputs over a
 * 6-step sequence agree to 1e-5; gradients of a loss over every step's h,
 * by backpropagation through time in the float layer, agree with central
 * differences of the double reference for every parameter and every input
 * (with a guard against all-zero gradients); and, given a file written by
 * experiments/tmo/gru_ref.py (DTFL_GRU_REF; the test is skipped without
 * it), PyTorch's nn.GRU weights give PyTorch's outputs to 1e-5.
 */
#include "check.h"

#include "../sched/rl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NIN = 4, H = 5, B = 3, T = 6 };

static double sig(double v) { return 1.0 / (1.0 + exp(-v)); }

/* The reference: h over T steps from h0 = 0, loss = sum_t sum c_t . h_t. */
static double ref_loss(const double *w, const double *x, const double *c)
{
    const double *wih = w, *whh = wih + 3 * H * NIN, *bih = whh + 3 * H * H,
                 *bhh = bih + 3 * H;
    double h[B][H] = {{0}}, loss = 0;
    for (int t = 0; t < T; t++) {
        double nh[B][H];
        for (int b = 0; b < B; b++) {
            const double *xt = x + ((size_t)t * B + b) * NIN;
            for (int j = 0; j < H; j++) {
                double gi[3], gh[3];
                for (int g = 0; g < 3; g++) {
                    int row = g * H + j;
                    gi[g] = bih[row], gh[g] = bhh[row];
                    for (int i = 0; i < NIN; i++)
                        gi[g] += wih[row * NIN + i] * xt[i];
                    for (int i = 0; i < H; i++)
                        gh[g] += whh[row * H + i] * h[b][i];
                }
                double r = sig(gi[0] + gh[0]), z = sig(gi[1] + gh[1]);
                double n = tanh(gi[2] + r * gh[2]);
                nh[b][j] = (1 - z) * n + z * h[b][j];
            }
        }
        memcpy(h, nh, sizeof h);
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++)
                loss += c[((size_t)t * B + b) * H + j] * h[b][j];
    }
    return loss;
}

/* d ref_loss / d *v by central differences (v points into w or x). */
static double central(double *w, double *x, const double *c, double *v)
{
    const double e = 1e-6, keep = *v;
    *v = keep + e;
    double up = ref_loss(w, x, c);
    *v = keep - e;
    double down = ref_loss(w, x, c);
    *v = keep;
    return (up - down) / (2 * e);
}

static void test_gru(void **state)
{
    (void)state;
    rl_gru *g;
    dtfl_err err;
    assert_int_equal(rl_gru_create(&g, NIN, H, B, T, &err), 0);
    rl_gru_init(g, 3, 1);
    const size_t np = rl_gru_nparams(g);
    assert_int_equal(np, 3 * H * NIN + 3 * H * H + 6 * H);
    float x[T * B * NIN], c[T * B * H], hs[(T + 1) * B * H];
    dtfl_rng r;
    dtfl_rng_init(&r, 4, 77, 6, 0);
    for (int i = 0; i < T * B * NIN; i++)
        x[i] = (float)dtfl_rng_range(&r, -1, 1);
    for (int i = 0; i < T * B * H; i++)
        c[i] = (float)dtfl_rng_range(&r, -1, 1);
    memset(hs, 0, sizeof hs);
    for (int t = 0; t < T; t++)
        rl_gru_forward(g, t, x + t * B * NIN, hs + t * B * H, hs + (t + 1) * B * H, B);
    /* backward through time: dh_t = c_t + the gradient from step t + 1 */
    float dh[B * H] = {0}, dprev[B * H], dx[T * B * NIN];
    rl_gru_zero_grads(g);
    for (int t = T - 1; t >= 0; t--) {
        for (int i = 0; i < B * H; i++)
            dh[i] += c[t * B * H + i];
        rl_gru_backward(g, t, dh, dx + t * B * NIN, dprev, B);
        memcpy(dh, dprev, sizeof dh);
    }
    /* the double reference: loss, then every gradient by central differences */
    double *w = malloc(sizeof(double) * np), xd[T * B * NIN], cd[T * B * H];
    for (size_t i = 0; i < np; i++)
        w[i] = rl_gru_params(g)[i];
    for (int i = 0; i < T * B * NIN; i++)
        xd[i] = x[i];
    for (int i = 0; i < T * B * H; i++)
        cd[i] = c[i];
    double loss = 0;
    for (int t = 0; t < T; t++)
        for (int i = 0; i < B * H; i++)
            loss += c[t * B * H + i] * hs[(t + 1) * B * H + i];
    check_close(loss, ref_loss(w, xd, cd), 1e-5);
    double norm = 0;
    for (size_t i = 0; i < np; i++) {
        double want = central(w, xd, cd, &w[i]);
        check_close(rl_gru_grads(g)[i], want, 1e-4 * fmax(1.0, fabs(want)));
        norm += fabs(want);
    }
    for (int i = 0; i < T * B * NIN; i++)
        check_close(dx[i], central(w, xd, cd, &xd[i]), 1e-4);
    assert_true(norm > 1.0); /* not trivially zero */
    free(w);
    rl_gru_destroy(g);
}

static void test_torch(void **state)
{
    (void)state;
    const char *path = getenv("DTFL_GRU_REF");
    if (path == NULL || path[0] == '\0') {
        printf("skipped: no DTFL_GRU_REF (python3-torch not installed?)\n");
        skip();
    }
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    rl_gru *g;
    dtfl_err err;
    assert_int_equal(rl_gru_create(&g, NIN, H, B, T, &err), 0);
    const size_t np = rl_gru_nparams(g);
    float *w = rl_gru_params(g), x[T * B * NIN], want[T * B * H], hs[(T + 1) * B * H];
    int ok = 1;
    for (size_t i = 0; i < np; i++)
        ok &= fscanf(f, "%f", &w[i]) == 1;
    for (int i = 0; i < T * B * NIN; i++)
        ok &= fscanf(f, "%f", &x[i]) == 1;
    for (int i = 0; i < T * B * H; i++)
        ok &= fscanf(f, "%f", &want[i]) == 1;
    fclose(f);
    assert_true(ok);
    memset(hs, 0, sizeof hs);
    for (int t = 0; t < T; t++)
        rl_gru_forward(g, t, x + t * B * NIN, hs + t * B * H, hs + (t + 1) * B * H, B);
    for (int i = 0; i < T * B * H; i++)
        check_close(hs[B * H + i], want[i], 1e-5);
    rl_gru_destroy(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_gru),
                                       cmocka_unit_test(test_torch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
