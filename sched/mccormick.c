/*
 * mccormick.c - linear relaxations of a bilinear term u = a x over a box,
 * as rows of a sched_lp (scenario-free; TACO's frame problem P4 relaxes
 * u_im = a_im x_i with them, eqs. 28-29 of 001).
 *
 * McCormick (1976), a in [aL, aU], x in [xL, xU]:
 *   u >= aL x + xL a - aL xL      u >= aU x + xU a - aU xU
 *   u <= aU x + xL a - aU xL      u <= aL x + xU a - aL xU
 * exact when a sits at a bound (a binary a gives u = a x).
 *
 * Piecewise McCormick (PME) splits x into N equal pieces with one binary
 * lambda_n per piece, disaggregated copies xh_n, ah_n (x = sum xh_n,
 * a = sum ah_n, xL_n lambda_n <= xh_n <= xU_n lambda_n, likewise ah_n) and
 * the convex hull of the pieces' envelopes, each envelope row summed over n
 * (Karuppiah and Grossmann 2006). The paper prints the rows for every n
 * without the sum, which forces u = 0 for N >= 2 or is infeasible (001's
 * spec, 7.2); that literal form stays selectable (SCHED_PME_PER_PIECE) to
 * show it. Worst gap: the envelope of a piece is Delta_a Delta_x / 4 wide
 * at its centre, so N pieces of x shrink it N times.
 */
#include "sched.h"

#include <math.h>
#include <stdlib.h>

void sched_mccormick_bounds(double a, double x, double aL, double aU,
                            double xL, double xU, double *lo, double *hi)
{
    *lo = fmax(aL * x + xL * a - aL * xL, aU * x + xU * a - aU * xU);
    *hi = fmin(aU * x + xL * a - aU * xL, aL * x + xU * a - aL * xU);
}

/* One envelope row: u - ca a - cx x (+ cl lambda) in [lo, hi]. */
static int mc__row(sched_lp *lp, int n, const int *cols, const double *vals,
                   double lo, double hi, dtfl_err *err)
{
    int rc = sched_lp_add_row(lp, n, cols, vals, lo, hi, err);
    return rc < 0 ? rc : 0;
}

int sched_mccormick_add(sched_lp *lp, int u, int a, int x, double aL,
                        double aU, double xL, double xU, dtfl_err *err)
{
    const int c[3] = {u, a, x};
    const double r1[3] = {1, -xL, -aL}, r2[3] = {1, -xU, -aU};
    const double r3[3] = {1, -xL, -aU}, r4[3] = {1, -xU, -aL};
    int rc = mc__row(lp, 3, c, r1, -aL * xL, INFINITY, err);
    if (rc == 0)
        rc = mc__row(lp, 3, c, r2, -aU * xU, INFINITY, err);
    if (rc == 0)
        rc = mc__row(lp, 3, c, r3, -INFINITY, -aU * xL, err);
    if (rc == 0)
        rc = mc__row(lp, 3, c, r4, -INFINITY, -aL * xU, err);
    return rc;
}

/* The four envelope rows over pieces [n0, n1), each summed over them:
 * u - sum_n (xb_n ah_n + ab_n xh_n - ab_n xb_n lambda_n) >= or <= 0. */
static int pme__hull(sched_lp *lp, int u, const sched_pme *p, int n0, int n1,
                     double aL, double aU, const double *xl, const double *xu,
                     int *cols, double *vals, dtfl_err *err)
{
    /* (x bound of the piece, a bound, sense): the four McCormick rows */
    for (int row = 0; row < 4; row++) {
        int k = 0;
        cols[k] = u, vals[k++] = 1.0;
        for (int n = n0; n < n1; n++) {
            double xb = (row == 0 || row == 2) ? xl[n] : xu[n];
            double ab = (row == 0 || row == 3) ? aL : aU;
            cols[k] = p->ahat[n], vals[k++] = -xb;
            cols[k] = p->xhat[n], vals[k++] = -ab;
            cols[k] = p->lambda[n], vals[k++] = ab * xb;
        }
        int rc = row < 2 ? sched_lp_add_row(lp, k, cols, vals, 0, INFINITY, err)
                         : sched_lp_add_row(lp, k, cols, vals, -INFINITY, 0, err);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int sched_pme_pieces(sched_lp *lp, int N, int *lambda, dtfl_err *err)
{
    int cols[N > 0 ? N : 1];
    double ones[N > 0 ? N : 1];
    for (int n = 0; n < N; n++) {
        int c = sched_lp_add_col(lp, 0, 1, 0, 1, err);
        if (c < 0)
            return c;
        lambda[n] = cols[n] = c, ones[n] = 1.0;
    }
    int rc = sched_lp_add_row(lp, N, cols, ones, 1, 1, err); /* one piece */
    return rc < 0 ? rc : 0;
}

/* The copies of piece n of x and a, within it when lambda_n is 1. */
static int pme__copies(sched_lp *lp, sched_pme *out, double aL, double aU,
                       double xL, double xU, const double *xl,
                       const double *xu, dtfl_err *err)
{
    int rc = 0;
    for (int n = 0; n < out->n && rc >= 0; n++) {
        if ((rc = out->xhat[n] = sched_lp_add_col(lp, fmin(0, xL), fmax(0, xU), 0, 0, err)) < 0 ||
            (rc = out->ahat[n] = sched_lp_add_col(lp, fmin(0, aL), fmax(0, aU), 0, 0, err)) < 0)
            break;
        const int cx[2] = {out->xhat[n], out->lambda[n]}, ca[2] = {out->ahat[n], out->lambda[n]};
        const double lx[2] = {1, -xl[n]}, ux[2] = {1, -xu[n]};
        const double la[2] = {1, -aL}, ua[2] = {1, -aU};
        if ((rc = sched_lp_add_row(lp, 2, cx, lx, 0, INFINITY, err)) < 0 ||
            (rc = sched_lp_add_row(lp, 2, cx, ux, -INFINITY, 0, err)) < 0 ||
            (rc = sched_lp_add_row(lp, 2, ca, la, 0, INFINITY, err)) < 0 ||
            (rc = sched_lp_add_row(lp, 2, ca, ua, -INFINITY, 0, err)) < 0)
            break;
    }
    return rc < 0 ? rc : 0;
}

int sched_pme_add_shared(sched_lp *lp, int u, int a, int x, double aL,
                         double aU, double xL, double xU, int N,
                         sched_pme_form form, const int *lambda,
                         sched_pme *out, dtfl_err *err)
{
    if (N < 1 || N > 1024 || !(xL < xU) || !(aL <= aU))
        return dtfl_err_set(err, DTFL_EINTERNAL, "pme: %d pieces of [%g, %g], "
                                                 "a in [%g, %g]",
                            N, xL, xU, aL, aU);
    out->n = N;
    out->lambda = malloc(sizeof(int) * 3 * (size_t)N);
    double *xl = malloc(sizeof(double) * 2 * (size_t)N);
    int *cols = malloc(sizeof(int) * (3 * (size_t)N + 2));
    double *vals = malloc(sizeof(double) * (3 * (size_t)N + 2));
    int rc = 0;
    if (out->lambda == NULL || xl == NULL || cols == NULL || vals == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "pme: out of memory");
        goto done;
    }
    out->xhat = out->lambda + N;
    out->ahat = out->xhat + N;
    double *xu = xl + N;
    for (int n = 0; n < N; n++) {
        xl[n] = xL + (xU - xL) * n / N;
        xu[n] = xL + (xU - xL) * (n + 1) / N;
    }
    rc = lambda != NULL ? 0 : sched_pme_pieces(lp, N, out->lambda, err);
    if (lambda != NULL)
        for (int n = 0; n < N; n++)
            out->lambda[n] = lambda[n];
    if (rc == 0)
        rc = pme__copies(lp, out, aL, aU, xL, xU, xl, xu, err);
    if (rc >= 0) { /* x and a are the sums of their copies */
        cols[0] = x, vals[0] = 1.0;
        for (int n = 0; n < N; n++)
            cols[n + 1] = out->xhat[n], vals[n + 1] = -1.0;
        rc = sched_lp_add_row(lp, N + 1, cols, vals, 0, 0, err);
        cols[0] = a;
        for (int n = 0; n < N && rc >= 0; n++)
            cols[n + 1] = out->ahat[n];
        if (rc >= 0)
            rc = sched_lp_add_row(lp, N + 1, cols, vals, 0, 0, err);
    }
    if (rc >= 0 && form == SCHED_PME_HULL)
        rc = pme__hull(lp, u, out, 0, N, aL, aU, xl, xu, cols, vals, err);
    for (int n = 0; rc >= 0 && form == SCHED_PME_PER_PIECE && n < N; n++)
        rc = pme__hull(lp, u, out, n, n + 1, aL, aU, xl, xu, cols, vals, err);
    rc = rc < 0 ? rc : 0;
done:
    if (rc < 0) {
        free(out->lambda);
        out->lambda = out->xhat = out->ahat = NULL;
    }
    free(xl);
    free(cols);
    free(vals);
    return rc;
}

int sched_pme_add(sched_lp *lp, int u, int a, int x, double aL, double aU,
                  double xL, double xU, int N, sched_pme_form form,
                  sched_pme *out, dtfl_err *err)
{
    return sched_pme_add_shared(lp, u, a, x, aL, aU, xL, xU, N, form, NULL,
                                out, err);
}

void sched_pme_free(sched_pme *p)
{
    free(p->lambda);
    p->lambda = p->xhat = p->ahat = NULL;
}
