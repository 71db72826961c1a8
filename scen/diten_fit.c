/*
 * utility_fit.c - fits a1..a6 of the data-utility model (eqs. 11-12 of
 * 003_8fb9af7836691d5d.txt) to measured accuracies by nonlinear least
 * squares with GSL's gsl_multifit_nlinear (trust region, Levenberg-
 * Marquardt steps, finite-difference Jacobian).
 *
 *   rho(n, phi) = v - a1 exp(-a2 (a3 n)^v),  v = a4 exp(-((a5 + phi) / a6)^2)
 *
 * Positivity and bounds: a1, a2, a3, a4 and a6 must be > 0 for the curve to
 * mean what the paper says (a3 n > 0 under a real power, v > 0), and the
 * fit must not run off to infinity along a direction the data cannot see
 * (when v hardly varies with phi, a2 and a3 enter only as a2 a3^v, and an
 * unbounded fit drifts to a2 = 1e-233, a3 = 1e305). So the solver works on
 * t_k with ln a_k = lo_k + (hi_k - lo_k) sigma(t_k) for those five, and
 * a5 = lo + (hi - lo) sigma(t_5), sigma the logistic, within the bounds of
 * fit_lo/fit_hi below. Standard errors come from the covariance
 * s^2 (J^T J)^-1 at the optimum in t, mapped to a by the delta method; a
 * parameter pressed against a bound is flagged, its error reported as NaN.
 *
 * What is not here: measuring the points (app/utility_point.c) or the files.
 */
#include "diten.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#include <math.h>
#include <string.h>

#define FIT_P 6
#define FIT_MAXITER 500

typedef struct fit_data {
    const double *n, *phi, *acc;  /* (m,) each */
    int m;
} fit_data;

/* Bounds: of ln a_k for the positive five, of a5 itself. Wide: the
 * paper's values sit in the middle (a3 n of order 1 for n in samples). */
static const double fit_lo[FIT_P] = {-9.21, -9.21, -16.12, -9.21, -10.0, -6.91};
static const double fit_hi[FIT_P] = {2.303, 9.21, 0.0, 2.303, 10.0, 6.91};

static double fit__sigma(double t) { return 1.0 / (1.0 + exp(-t)); }

/* a from the solver's t, and d a_k / d t_k into da (may be NULL). */
static void fit__a_of_t(const gsl_vector *t, double a[FIT_P], double *da)
{
    for (int k = 0; k < FIT_P; k++) {
        double s = fit__sigma(gsl_vector_get(t, (size_t)k));
        double x = fit_lo[k] + (fit_hi[k] - fit_lo[k]) * s;
        a[k] = k == 4 ? x : exp(x);
        if (da != NULL)
            da[k] = (k == 4 ? 1.0 : a[k]) * (fit_hi[k] - fit_lo[k]) * s * (1 - s);
    }
}

/* The solver's t of a start a0; 1 when a0 lies outside the bounds. */
static int fit__t_of_a(const double a0[FIT_P], gsl_vector *t)
{
    for (int k = 0; k < FIT_P; k++) {
        double x = k == 4 ? a0[k] : log(a0[k]);
        double s = (x - fit_lo[k]) / (fit_hi[k] - fit_lo[k]);
        if (!(s > 0 && s < 1))
            return 1;
        gsl_vector_set(t, (size_t)k, log(s / (1 - s)));
    }
    return 0;
}

/* Residuals rho(n_i, phi_i; a(b)) - acc_i. */
static int fit__f(const gsl_vector *t, void *ctx, gsl_vector *f)
{
    const fit_data *d = ctx;
    scen_diten_params p = scen_diten_defaults();
    fit__a_of_t(t, p.a, NULL);
    for (int i = 0; i < d->m; i++) {
        double r = scen_diten_utility(&p, d->n[i], d->phi[i]) - d->acc[i];
        gsl_vector_set(f, (size_t)i, isfinite(r) ? r : 1e6);
    }
    return GSL_SUCCESS;
}

/* One solve from start a0; fills out and returns the residual sum of
 * squares (INFINITY when GSL failed). */
static double fit__solve(const fit_data *d, const double a0[FIT_P],
                         scen_diten_fit_result *out)
{
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par,
                                   (size_t)d->m, FIT_P);
    gsl_vector *b = gsl_vector_alloc(FIT_P);
    gsl_matrix *cov = gsl_matrix_alloc(FIT_P, FIT_P);
    double ssr = INFINITY;
    if (w == NULL || b == NULL || cov == NULL)
        goto done;
    if (fit__t_of_a(a0, b))
        goto done;
    gsl_multifit_nlinear_fdf fdf = {.f = fit__f, .df = NULL, .fvv = NULL,
                                    .n = (size_t)d->m, .p = FIT_P,
                                    .params = (void *)d};
    int info = 0;
    if (gsl_multifit_nlinear_init(b, &fdf, w) != GSL_SUCCESS)
        goto done;
    int st = gsl_multifit_nlinear_driver(FIT_MAXITER, 1e-10, 1e-10, 1e-12,
                                         NULL, NULL, &info, w);
    if (st != GSL_SUCCESS && st != GSL_EMAXITER)
        goto done;
    const gsl_vector *r = gsl_multifit_nlinear_residual(w);
    gsl_blas_ddot(r, r, &ssr);
    const gsl_vector *x = gsl_multifit_nlinear_position(w);
    double da[FIT_P];
    fit__a_of_t(x, out->a, da);
    /* covariance of t, scaled by the residual variance s^2 */
    gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, cov);
    double s2 = d->m > FIT_P ? ssr / (d->m - FIT_P) : NAN;
    for (int k = 0; k < FIT_P; k++) {
        double s = fit__sigma(gsl_vector_get(x, (size_t)k));
        out->at_bound[k] = s < 1e-6 || s > 1 - 1e-6;
        double se_t = sqrt(s2 * gsl_matrix_get(cov, (size_t)k, (size_t)k));
        out->se[k] = out->at_bound[k] ? NAN : da[k] * se_t;
    }
    out->iterations = (int)gsl_multifit_nlinear_niter(w);
    out->converged = st == GSL_SUCCESS;
done:
    gsl_matrix_free(cov);
    gsl_vector_free(b);
    gsl_multifit_nlinear_free(w);
    return ssr;
}

int scen_diten_fit(const double *n, const double *phi, const double *acc,
                      int m, const double a0[6], scen_diten_fit_result *out,
                      dtfl_err *err)
{
    memset(out, 0, sizeof *out);
    if (m <= FIT_P)
        return dtfl_err_set(err, DTFL_ERANGE, "utility fit: %d points for 6 "
                            "parameters; at least 7 are needed", m);
    for (int i = 0; i < m; i++)
        if (!(n[i] > 0) || !isfinite(phi[i]) || !isfinite(acc[i]))
            return dtfl_err_set(err, DTFL_EDATA, "utility fit: point %d "
                                "(n %g, phi %g, accuracy %g) is not usable",
                                i, n[i], phi[i], acc[i]);
    for (int k = 0; k < FIT_P; k++) {
        double lo = k == 4 ? fit_lo[k] : exp(fit_lo[k]);
        double hi = k == 4 ? fit_hi[k] : exp(fit_hi[k]);
        if (!(a0[k] > lo && a0[k] < hi))
            return dtfl_err_set(err, DTFL_ERANGE, "utility fit: start a%d = %g "
                                "is outside (%.3g, %.3g)", k + 1, a0[k], lo, hi);
    }
    /* GSL's default handler aborts the process; errors come back as codes */
    gsl_set_error_handler_off();
    fit_data d = {n, phi, acc, m};
    /* a2 and a3 trade off against each other ((a3 n)^v with a2 outside), so
     * start from a0 and from a0 with a3 a decade either way; keep the best */
    static const double a3_scale[3] = {1.0, 10.0, 0.1};
    double best = INFINITY;
    for (int s = 0; s < 3; s++) {
        double start[FIT_P];
        memcpy(start, a0, sizeof start);
        start[2] *= a3_scale[s];
        scen_diten_fit_result r;
        memset(&r, 0, sizeof r);
        double ssr = fit__solve(&d, start, &r);
        if (ssr < best) {
            best = ssr;
            *out = r;
        }
    }
    if (!isfinite(best))
        return dtfl_err_set(err, DTFL_EINTERNAL, "utility fit: the solver "
                            "failed from every start");
    double mean = 0.0, sst = 0.0;
    for (int i = 0; i < m; i++)
        mean += acc[i] / m;
    for (int i = 0; i < m; i++)
        sst += (acc[i] - mean) * (acc[i] - mean);
    out->points = m;
    out->rmse = sqrt(best / m);
    out->r2 = sst > 0 ? 1.0 - best / sst : NAN;
    return 0;
}
