/*
 * rl_beta.c - the Beta action head (Chou et al. 2017; issue 15's
 * Beta-HAPPO): an action in (0, 1) per dimension, drawn from Beta(a, b)
 * with a = 1 + softplus(z_a), b = 1 + softplus(z_b), the network's outputs
 * interleaved z = (z_a,0, z_b,0, z_a,1, ...). a, b >= 1 keeps the density
 * unimodal and bounded; the action needs no clipping. One sample at a time,
 * double arithmetic; actions are doubles (float rounds 1 - 1e-8 to 1, where
 * log1p(-x) is -inf), clamped to [1e-6, 1 - 1e-6].
 *
 *   logp = lgamma(a+b) - lgamma(a) - lgamma(b) + (a-1) log x + (b-1) log1p(-x)
 *   H    = lbeta(a, b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b)
 *   dlogp/da = psi(a+b) - psi(a) + log x,  dH/da = -(a-1) psi1(a) + (a+b-2) psi1(a+b)
 *   dz_a = (...) * sigmoid(z_a)             (likewise b)
 *
 * psi and psi1 are evaluated here for a >= 1 (recurrence up to 10, then
 * the asymptotic series; within 1e-14 of GSL's, test_beta): GSL's psi1 goes
 * through the Hurwitz zeta and its pow calls, and the two were 17 % of a
 * Beta-HAPPO training episode (perf, 36 agents, 25 epochs). lbeta is
 * libm's lgamma.
 *
 * Sampling: G_a, G_b ~ Gamma(shape, 1) by Marsaglia and Tsang (2000) on
 * dtfl's counter-based stream (shape >= 1 always), x = G_a / (G_a + G_b).
 * mask (D, or NULL for all) leaves a dimension out of logp and H (and its
 * gradients), but never out of sampling, so streams do not depend on masks.
 */
#include "rl.h"

#include <math.h>

#define BETA_EPS 1e-6

/* psi(x) for x > 0: psi(x) = psi(x + n) - sum 1/(x + i), then the
 * asymptotic series at x + n >= 10 (terms to x^-14: the next is 1e-17). */
double rl_digamma(double x)
{
    double r = 0.0;
    while (x < 10.0) {
        r -= 1.0 / x;
        x += 1.0;
    }
    const double f = 1.0 / (x * x);
    return r + log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 -
                f * (691.0 / 32760 - f * (1.0 / 12)))))));
}

/* psi1(x) for x > 0, the same way: 1/x + 1/(2x^2) + 1/(6x^3) - 1/(30x^5)
 * + 1/(42x^7) - 1/(30x^9) + 5/(66x^11) - 691/(2730x^13) + 7/(6x^15). */
double rl_trigamma(double x)
{
    double r = 0.0;
    while (x < 10.0) {
        r += 1.0 / (x * x);
        x += 1.0;
    }
    const double f = 1.0 / (x * x), ix = 1.0 / x;
    return r + ix + 0.5 * f +
           ix * f * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66 -
                f * (691.0 / 2730 - f * (7.0 / 6)))))));
}

static double beta__lbeta(double a, double b) { return lgamma(a) + lgamma(b) - lgamma(a + b); }

static double beta__softplus(double z) { return log1p(exp(-fabs(z))) + fmax(z, 0.0); }
static double beta__sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

void rl_beta_ab(const float *z, int d, double *a, double *b)
{
    *a = 1.0 + beta__softplus(z[2 * d]);
    *b = 1.0 + beta__softplus(z[2 * d + 1]);
}

static double beta__clamp(double x)
{
    return x < BETA_EPS ? BETA_EPS : (x > 1.0 - BETA_EPS ? 1.0 - BETA_EPS : x);
}

/* One value's log-density and entropy at (a, b) (the formulas above). */
static double beta__logp1(double a, double b, double v)
{
    return -beta__lbeta(a, b) + (a - 1.0) * log(v) + (b - 1.0) * log1p(-v);
}

static double beta__h1(double a, double b)
{
    return beta__lbeta(a, b) - (a - 1.0) * rl_digamma(a) - (b - 1.0) * rl_digamma(b) +
           (a + b - 2.0) * rl_digamma(a + b);
}

/* g = (dlogp/da, dlogp/db, dH/da, dH/db); the last two only when want_h
 * (trigamma is the dear part), else 0. */
static void beta__grads(double a, double b, double v, int want_h, double g[4])
{
    double ps = rl_digamma(a + b);
    g[0] = ps - rl_digamma(a) + log(v);
    g[1] = ps - rl_digamma(b) + log1p(-v);
    g[2] = g[3] = 0.0;
    if (want_h) {
        double p1s = rl_trigamma(a + b);
        g[2] = -(a - 1.0) * rl_trigamma(a) + (a + b - 2.0) * p1s;
        g[3] = -(b - 1.0) * rl_trigamma(b) + (a + b - 2.0) * p1s;
    }
}

void rl_beta_terms(double a, double b, double x, double t[6])
{
    double v = beta__clamp(x);
    t[0] = beta__logp1(a, b, v);
    t[1] = beta__h1(a, b);
    beta__grads(a, b, v, 1, t + 2);
}

double rl_beta_logp(const float *z, int D, const uint8_t *mask, const double *x)
{
    double lp = 0.0;
    for (int d = 0; d < D; d++) {
        if (mask != NULL && !mask[d])
            continue;
        double a, b;
        rl_beta_ab(z, d, &a, &b);
        lp += beta__logp1(a, b, beta__clamp(x[d]));
    }
    return lp;
}

double rl_beta_entropy(const float *z, int D, const uint8_t *mask)
{
    double h = 0.0;
    for (int d = 0; d < D; d++) {
        if (mask != NULL && !mask[d])
            continue;
        double a, b;
        rl_beta_ab(z, d, &a, &b);
        h += beta__h1(a, b);
    }
    return h;
}

void rl_beta_backward(const float *z, int D, const uint8_t *mask,
                      const double *x, double w_lp, double w_ent, float *dz)
{
    for (int d = 0; d < D; d++) {
        if (mask != NULL && !mask[d])
            continue;
        double a, b, g[4];
        rl_beta_ab(z, d, &a, &b);
        beta__grads(a, b, beta__clamp(x[d]), w_ent != 0.0, g);
        dz[2 * d] += (float)((w_lp * g[0] + w_ent * g[2]) * beta__sigmoid(z[2 * d]));
        dz[2 * d + 1] += (float)((w_lp * g[1] + w_ent * g[3]) * beta__sigmoid(z[2 * d + 1]));
    }
}

/* A standard normal by Box-Muller (one of the pair). */
static double beta__normal(dtfl_rng *r)
{
    double u1 = dtfl_rng_uniform(r), u2 = dtfl_rng_uniform(r);
    u1 = u1 > 0.0 ? u1 : 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Gamma(shape, 1), shape >= 1: Marsaglia and Tsang's squeeze method. */
static double beta__gamma(double shape, dtfl_rng *r)
{
    const double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double n = beta__normal(r), v = 1.0 + c * n;
        if (v <= 0.0)
            continue;
        v = v * v * v;
        double u = dtfl_rng_uniform(r);
        if (u < 1.0 - 0.0331 * n * n * n * n ||
            log(u > 0 ? u : 1e-300) < 0.5 * n * n + d * (1.0 - v + log(v)))
            return d * v;
    }
}

void rl_beta_sample(const float *z, int D, dtfl_rng *r, double *x)
{
    for (int d = 0; d < D; d++) {
        double a, b;
        rl_beta_ab(z, d, &a, &b);
        double ga = beta__gamma(a, r), gb = beta__gamma(b, r);
        x[d] = beta__clamp(ga / (ga + gb));
    }
}

void rl_beta_mean(const float *z, int D, double *x)
{
    for (int d = 0; d < D; d++) {
        double a, b;
        rl_beta_ab(z, d, &a, &b);
        x[d] = a / (a + b);
    }
}
