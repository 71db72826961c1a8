/*
 * taco_fit.c - eq. 13's accuracy curve of 001 fitted to measured accuracies
 * (`dtfl taco-fit`): g(s) = c0 + c1 (1 - (1 - s)^kappa), s the twin's share
 * of its data (x D + y S) / (D + S). The paper's curve is 0, 1, 2.
 *
 * Least squares by variable projection: at a given kappa, c0 and c1 are a
 * straight-line fit of acc on u = 1 - (1 - s)^kappa (gsl_fit_linear); the
 * residual is then minimised over log kappa in [0, log 100] by Brent's
 * method (gsl_min) from the best point of a coarse grid. A fixed kappa
 * (2: the paper's shape, the one the engine's closed forms were written for)
 * leaves only the line.
 *
 * What is not here: measuring the points (app/cmd_taco_fit.c).
 */
#include "taco.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_min.h>

#include <math.h>
#include <stdlib.h>

#define FIT_KAPPA_MAX 100.0
#define FIT_GRID 41

typedef struct fit_data {
    const double *s, *acc;
    double *u;
    int n;
    double c0, c1;
} fit_data;

/* The residual sum of squares at kappa = exp(t); c0, c1 into f. */
static double fit__rss(double t, void *ctx)
{
    fit_data *f = ctx;
    const double kappa = exp(t);
    for (int j = 0; j < f->n; j++)
        f->u[j] = 1.0 - pow(1.0 - f->s[j], kappa);
    double c00, c01, c11, rss;
    gsl_fit_linear(f->u, 1, f->acc, 1, (size_t)f->n, &f->c0, &f->c1, &c00, &c01,
                   &c11, &rss);
    return isfinite(rss) ? rss : HUGE_VAL;
}

/* The best log kappa: a grid, then Brent's method about its best point. */
static double fit__kappa(fit_data *f)
{
    const double hi = log(FIT_KAPPA_MAX), h = hi / (FIT_GRID - 1);
    int best = 0;
    double v[FIT_GRID];
    for (int j = 0; j < FIT_GRID; j++) {
        v[j] = fit__rss(j * h, f);
        best = v[j] < v[best] ? j : best;
    }
    double t = best * h;
    if (best == 0 || best == FIT_GRID - 1 || !(v[best] < v[best - 1]) ||
        !(v[best] < v[best + 1]))
        return t; /* at a bound, or flat: the grid's point */
    gsl_function fn = {fit__rss, f};
    gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    if (m != NULL && gsl_min_fminimizer_set_with_values(m, &fn, t, v[best],
                                                        t - h, v[best - 1], t + h,
                                                        v[best + 1]) == GSL_SUCCESS) {
        for (int it = 0; it < 100; it++) {
            if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
                break;
            if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(m),
                                      gsl_min_fminimizer_x_upper(m), 1e-10, 0) ==
                GSL_SUCCESS)
                break;
        }
        t = gsl_min_fminimizer_x_minimum(m);
    }
    gsl_min_fminimizer_free(m);
    return t;
}

int scen_taco_fit(const double *s, const double *acc, int n, double kappa_fixed,
                  scen_taco_fit_result *out, dtfl_err *err)
{
    if (n < 3)
        return dtfl_err_set(err, DTFL_ERANGE, "taco fit: %d points (at least 3)", n);
    for (int j = 0; j < n; j++)
        if (!(s[j] >= 0.0 && s[j] <= 1.0) || !isfinite(acc[j]))
            return dtfl_err_set(err, DTFL_EDATA, "taco fit: point %d: share %g, "
                                "accuracy %g", j, s[j], acc[j]);
    fit_data f = {s, acc, malloc(sizeof(double) * (size_t)n), n, 0.0, 0.0};
    if (f.u == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "taco fit: out of memory");
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    double t = kappa_fixed > 0.0 ? log(kappa_fixed) : fit__kappa(&f);
    double rss = fit__rss(t, &f), mean = 0.0, sst = 0.0;
    gsl_set_error_handler(old);
    free(f.u);
    for (int j = 0; j < n; j++)
        mean += acc[j] / n;
    for (int j = 0; j < n; j++)
        sst += (acc[j] - mean) * (acc[j] - mean);
    *out = (scen_taco_fit_result){f.c0, f.c1, exp(t), sst > 0.0 ? 1.0 - rss / sst : NAN,
                                  sqrt(rss / n)};
    if (!(f.c1 > 0.0))
        return dtfl_err_set(err, DTFL_EDATA, "taco fit: c1 = %g: the accuracy "
                            "does not grow with the share of data", f.c1);
    return 0;
}
