/*
 * band.c - sharing one radio band and one CPU among the users of a server,
 * as both two-timescale papers do (taco's P5-2/P5-3, tmo's P4-2-1/P4-2-2):
 *
 *   band: min sum_k w_k / r_k(b_k)  s.t. sum_k b_k = 1, b_k > 0, where
 *         r_k(b) = b bw log2(1 + snr_k / b) (Shannon, noise growing with
 *         the share). r is the perspective of a concave function, so
 *         concave, and 1/r convex; at the optimum w_k r_k'(b_k) / r_k(b_k)^2
 *         is the same multiplier mu for every k. Outer: Brent's method
 *         (GSL) on log mu for sum_k b_k(mu) = 1; inner: each b_k(mu) by
 *         Newton in log b inside a bracket.
 *         Newton on the whole KKT system first (O(n) a step); that
 *         bracketed search when Newton does not settle. The multiplier
 *         prices the band: a user joining costs at least
 *         min_b w / r(b) + mu b more (the optimum is convex in the band),
 *         which sched_band_join bounds from below in closed form.
 *   cpu:  min sum_k c_k / f_k  s.t. sum_k f_k = 1: the square-root rule
 *         f_k = sqrt(c_k) / sum_j sqrt(c_j), optimum (sum_k sqrt(c_k))^2.
 *
 * Scenario-free: the weights w_k, c_k are whatever a paper's bracket puts
 * on a user's transmit and compute time.
 */
#include "sched.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include <math.h>
#include <stdlib.h>

#define BAND_MIN 1e-12 /* the smallest share the inner solve returns */

struct sched_band {
    gsl_root_fsolver *root;
};

int sched_band_create(sched_band **out, dtfl_err *err)
{
    *out = calloc(1, sizeof **out);
    if (*out == NULL || ((*out)->root = gsl_root_fsolver_alloc(gsl_root_fsolver_brent)) == NULL) {
        free(*out);
        *out = NULL;
        return dtfl_err_set(err, DTFL_ENOMEM, "band: out of memory");
    }
    return 0;
}

void sched_band_destroy(sched_band *s)
{
    if (s == NULL)
        return;
    gsl_root_fsolver_free(s->root);
    free(s);
}

double sched_band_rate(double bw, double snr, double b)
{
    if (!(b > 0.0))
        return 0.0;
    return b * bw * log1p(snr / b) / M_LN2;
}

/* r'(b) = bw [log2(1 + v) - v / ((1 + v) ln 2)], v = snr / b. */
double sched_band_rate_db(double bw, double snr, double b)
{
    double v = snr / b;
    return bw * (log1p(v) - v / (1.0 + v)) / M_LN2;
}

/* r''(b) = -(bw / (b ln 2)) v^2 / (1 + v)^2 < 0. */
double sched_band_rate_db2(double bw, double snr, double b)
{
    double v = snr / b, q = v / (1.0 + v);
    return -bw * q * q / (b * M_LN2);
}

/* The whole band exactly (it is used at the optimum); the optimum. */
static double band__finish(int n, const double *w, const double *snr,
                           double bw, double *b)
{
    double sum = 0.0, value = 0.0;
    for (int k = 0; k < n; k++)
        sum += b[k];
    for (int k = 0; k < n; k++) {
        b[k] /= sum;
        value += w[k] / sched_band_rate(bw, snr[k], b[k]);
    }
    return value;
}

/* log of the marginal w r'(b) / r(b)^2, decreasing in b */
static double band__logmarg(double bw, double w, double snr, double b)
{
    return log(w) + log(sched_band_rate_db(bw, snr, b)) -
           2.0 * log(sched_band_rate(bw, snr, b));
}

/* b with w r'(b) / r(b)^2 = mu on [BAND_MIN, 1]: Newton in v = log b, kept
 * inside a bracket that bisection falls back on. Hand-written: GSL's Newton
 * keeps no bracket and its bracketing solvers need twice the steps of a
 * warm-started Newton, which runs n times per multiplier. */
static double band__b_of_mu(double bw, double w, double snr, double logmu,
                            double guess)
{
    double lo = log(BAND_MIN), hi = 0.0;
    if (band__logmarg(bw, w, snr, 1.0) >= logmu)
        return 1.0;
    if (band__logmarg(bw, w, snr, BAND_MIN) <= logmu)
        return BAND_MIN;
    double v = guess > BAND_MIN && guess < 1.0 ? log(guess) : 0.5 * (lo + hi);
    for (int it = 0; it < 100; it++) {
        double b = exp(v), r = sched_band_rate(bw, snr, b);
        double r1 = sched_band_rate_db(bw, snr, b), r2 = sched_band_rate_db2(bw, snr, b);
        double g = log(w) + log(r1) - 2.0 * log(r) - logmu;
        if (g > 0.0)
            lo = v;
        else
            hi = v;
        double dg = b * (r2 / r1 - 2.0 * r1 / r); /* < 0 */
        double nv = v - g / dg;
        if (!(nv > lo && nv < hi))
            nv = 0.5 * (lo + hi);
        if (fabs(nv - v) < 1e-14 || hi - lo < 1e-14)
            return exp(nv);
        v = nv;
    }
    return exp(v);
}

typedef struct band_sum {
    int n;
    double bw;
    const double *w, *snr;
    double *b;
} band_sum;

static double band__sum(double logmu, void *ctx)
{
    band_sum *s = ctx;
    double sum = 0.0;
    for (int k = 0; k < s->n; k++) {
        s->b[k] = band__b_of_mu(s->bw, s->w[k], s->snr[k], logmu, s->b[k]);
        sum += s->b[k];
    }
    return sum - 1.0;
}

/* log(1 + v) - v / (1 + v), which cancels for small v */
static double band__gap(double v, double L)
{
    return v < 1e-4 ? v * v * (0.5 - v * (2.0 / 3.0)) : L - v / (1.0 + v);
}

/* The KKT system by Newton in (log b_k, log mu) together: each row
 * G_k = log(w_k r'(b_k) / r(b_k)^2) - log mu = 0 is diagonal in log b_k,
 * and sum b_k = 1 couples them, so a step costs O(n). From the high-SNR
 * optimum; steps in log b capped at 2. Returns 1 when converged (|G_k| and |sum b - 1|
 * below 1e-13), 0 for the caller's bracketed fallback. */
static int band__newton(int n, const double *w, const double *snr, double bw,
                        double *b)
{
    double y[n], G[n], d[n], lw[n];
    const double lbw = log(bw / M_LN2);
    /* from the high-SNR optimum, r(b) ~ b bw log2(snr): b_k ~ sqrt(w_k /
     * log(1 + snr_k)), the square-root rule */
    double sum = 0.0;
    for (int k = 0; k < n; k++) {
        lw[k] = log(w[k]);
        y[k] = 0.5 * (lw[k] - log(log1p(snr[k] * n)));
        sum += exp(y[k]);
    }
    for (int k = 0; k < n; k++)
        y[k] = fmin(y[k] - log(sum), 0.0);
    double z = 0.0;
    for (int it = 0; it < 60; it++) {
        double sb = 0.0, gmean = 0.0;
        for (int k = 0; k < n; k++) {
            b[k] = exp(y[k]);
            const double v = snr[k] / b[k], L = log1p(v), q = v / (1.0 + v);
            const double gap = band__gap(v, L);
            G[k] = lw[k] - lbw + log(gap) - 2.0 * y[k] - 2.0 * log(L);
            d[k] = -q * q / gap - 2.0 * gap / L; /* dG_k / dlog b_k < 0 */
            sb += b[k];
            gmean += G[k];
        }
        if (it == 0)
            z = gmean / n;
        double worst = fabs(sb - 1.0), num = 1.0 - sb, den = 0.0;
        for (int k = 0; k < n; k++) {
            G[k] -= z;
            worst = fmax(worst, fabs(G[k]));
            num += b[k] * G[k] / d[k];
            den += b[k] / d[k];
        }
        if (worst < 1e-13)
            return 1;
        const double dz = num / den;
        z += dz;
        for (int k = 0; k < n; k++) {
            double dy = (dz - G[k]) / d[k];
            y[k] += fmax(-2.0, fmin(2.0, dy));
            y[k] = fmin(y[k], 0.0);
        }
    }
    return 0;
}

double sched_band_split(sched_band *sb, int n, const double *w,
                        const double *snr, double bw, double *b)
{
    if (n <= 0)
        return 0.0;
    if (n == 1) {
        b[0] = 1.0;
        return w[0] / sched_band_rate(bw, snr[0], 1.0);
    }
    if (band__newton(n, w, snr, bw, b))
        return band__finish(n, w, snr, bw, b);
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < n; k++) { /* at b = 1/n: the root lies between */
        double g = band__logmarg(bw, w[k], snr[k], 1.0 / n);
        lo = g < lo ? g : lo;
        hi = g > hi ? g : hi;
        b[k] = 1.0 / n;
    }
    band_sum s = {n, bw, w, snr, b};
    if (hi - lo > 1e-13 * (fabs(lo) + 1.0)) {
        gsl_function fn = {band__sum, &s};
        gsl_root_fsolver_set(sb->root, &fn, lo, hi);
        for (int it = 0; it < 200; it++) {
            gsl_root_fsolver_iterate(sb->root);
            double a = gsl_root_fsolver_x_lower(sb->root);
            double c = gsl_root_fsolver_x_upper(sb->root);
            if (gsl_root_test_interval(a, c, 1e-13, 0.0) == GSL_SUCCESS)
                break;
        }
        band__sum(gsl_root_fsolver_root(sb->root), &s);
    }
    return band__finish(n, w, snr, bw, b);
}

double sched_band_price(int n, const double *w, const double *snr, double bw,
                        const double *b)
{
    double mu = INFINITY;
    for (int k = 0; k < n; k++) {
        double r = sched_band_rate(bw, snr[k], b[k]);
        mu = fmin(mu, w[k] * sched_band_rate_db(bw, snr[k], b[k]) / (r * r));
    }
    return n > 0 ? mu : 0.0;
}

/* min over b in [lo, hi] of w / (b R) + mu b */
static double band__piece(double w, double mu, double R, double lo, double hi)
{
    const double b = fmin(fmax(sqrt(w / (mu * R)), lo), hi);
    return w / (b * R) + mu * b;
}

double sched_band_join(double mu, double w, double snr, double bw)
{
    if (!(mu > 0.0))
        return w / sched_band_rate(bw, snr, 1.0);
    /* f(b) = w / r(b) decreases, and on [lo, hi] r(b) <= b R(lo), R(lo) =
     * bw log2(1 + snr / lo): so below the first cut f(b) + mu b >= f(cut),
     * and on each piece [lo, hi] it is at least min w / (b R(lo)) + mu b
     * (closed form). Cuts from 1/4 of the high-SNR optimum up by sqrt(2):
     * five log1p, within 10 % of the exact minimum even at 25 dB */
    const double b0 = fmin(sqrt(w / (mu * bw * log1p(snr) / M_LN2)), 1.0);
    double lo = 0.25 * b0, R = bw * log1p(snr / lo) / M_LN2;
    double best = w / (lo * R);
    for (int k = 0; k < 5; k++) {
        const double hi = k < 4 ? M_SQRT2 * lo : 1.0;
        best = fmin(best, band__piece(w, mu, R, lo, hi));
        if (k < 4)
            lo = hi, R = bw * log1p(snr / lo) / M_LN2;
    }
    return best;
}

double sched_share_sqrt(int n, const double *c, double *f)
{
    double sum = 0.0;
    for (int k = 0; k < n; k++)
        sum += sqrt(c[k]);
    for (int k = 0; k < n; k++)
        f[k] = sum > 0.0 ? sqrt(c[k]) / sum : 0.0;
    return sum * sum;
}
