/*
 * gamma.c - historical-data allocation (eq. 26 of 003_8fb9af7836691d5d.txt):
 * for a given association, the gamma that maximises the objective e^t under
 * C_cmp,s <= q_s and 0 <= gamma <= 1, found globally.
 *
 * The problem splits by server. On server s, with users u, total cost
 *     C_s(gamma) = A_s + sum_u c_u gamma_u            (c_u of eq. 31)
 * and compute load K0_s + sum_u k_u gamma_u <= q_s, the server maximises
 *     Phi(gamma) = sum_u r_u(gamma_u) - N(C_s(gamma)),
 * r_u = beta1/U rho_u (concave in gamma), N = beta2/S Norm (concave for
 * positive cost). So -N is convex and Phi is not concave: Theorem 2 of 003
 * does not hold (DESIGN.md section 4 has a three-user instance whose Hessian
 * is indefinite). What still holds: at any local maximum with cost C*, gamma
 * solves the concave problem in which N is replaced by its tangent slope
 * lambda = N'(C*):
 *     max sum_u r_u(gamma_u) - lambda sum_u c_u gamma_u,  compute and box.
 * Its solution gamma(lambda) is unique, and lambda lies between N' at the
 * largest and at the smallest possible cost. The global optimum is therefore
 * on the curve {gamma(lambda)}: the solver scans lambda (log-spaced) over that
 * interval, keeps the best, and refines it by Brent's method. A server with
 * one user is a one-dimensional problem and is solved on gamma directly.
 *
 * gamma(lambda) is closed-form per user but for the inverse of rho', found
 * by Newton's method in log n (monotone after one step, the function being
 * concave and decreasing there); when the compute constraint binds, a second
 * multiplier mu on it is found by regula falsi (Illinois).
 */
#include "diten.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GS_GRID 10
#define GS_BRENT 40

typedef struct gs_user {
    int u;
    double n, m, phi;  /* new and previous samples, EMD */
    double c, k;       /* cost and compute slopes per unit of gamma */
    double rp0, rp1;   /* r'(0), r'(1) */
    double v, K, B;    /* v(phi) and the constants of log rho' */
    double ylast;      /* the last root, where the next search starts */
} gs_user;

typedef struct gs_server {
    const scen_diten_params *p;
    double wr, wn;     /* beta1 / U, beta2 / S */
    double A, Q;       /* cost and compute room at gamma = 0 */
    double mu_last;    /* the last binding multiplier: the next search's
                          first guess */
    double t0;         /* lower end of the lambda parameter searched */
    int no_mu;         /* no user migrates in: c = k (see gs__many) */
    int n;
    gs_user *us;
    double *g, *best;  /* (n,) working and best gamma */
} gs_server;

/* r(g) = wr rho(n + g m) with the user's v(phi) already computed: eq. 11
 * is v - a1 exp(-a2 (a3 n)^v). */
static double gs__r(const gs_server *s, const gs_user *x, double g)
{
    double n = x->n + g * x->m;
    return s->wr * (x->v - s->p->a[0] * exp(-s->p->a[1] * pow(s->p->a[2] * n, x->v)));
}

static double gs__rp(const gs_server *s, const gs_user *x, double g)
{
    return s->wr * scen_diten_utility_dn(s->p, x->n + g * x->m, x->phi) * x->m;
}

static double gs__N(const gs_server *s, double x)
{
    return s->wn * scen_diten_norm(x, s->p->f0);
}

static double gs__Np(const gs_server *s, double x)
{
    double e = exp(-x / (2.0 * s->p->f0));
    return s->wn / s->p->f0 * e / ((1.0 + e) * (1.0 + e));
}

/* argmax over [0, 1] of r(g) - price g: where r'(g) = price. Solves
 * log rho'(n) = L for y = log n, with
 *   f(y) = K + (v - 1) y - B e^{v y} - L,  K = log(a1 a2 v a3^v),
 * B = a2 a3^v: concave and decreasing, so Newton inside a bracket converges
 * fast; it starts from this user's last root, which the outer search moves
 * only a little from call to call. */
static double gs__reply(const gs_server *s, gs_user *x, double price)
{
    if (x->rp0 <= price)
        return 0.0;
    if (x->rp1 >= price)
        return 1.0;
    const double v = x->v, K = x->K, B = x->B;
    double L = log(price / (s->wr * x->m));
    double lo = log(x->n), hi = log(x->n + x->m);
    double y = x->ylast > lo && x->ylast < hi ? x->ylast : 0.5 * (lo + hi);
    for (int it = 0; it < 100; it++) {
        double e = B * exp(v * y);
        double f = K + (v - 1.0) * y - e - L;
        if (f > 0) /* the root lies right of y */
            lo = y;
        else
            hi = y;
        double df = (v - 1.0) - v * e;
        double ny = y - f / df;
        if (!(ny > lo && ny < hi)) /* Newton left the bracket: bisect it */
            ny = 0.5 * (lo + hi);
        if (fabs(ny - y) < 1e-13 || hi - lo < 1e-13)
            break;
        y = ny;
    }
    x->ylast = y;
    double g = (exp(y) - x->n) / x->m;
    return g < 0 ? 0 : (g > 1 ? 1 : g);
}

static double gs__phi(const gs_server *s, const double *g)
{
    double r = 0.0, c = s->A;
    for (int i = 0; i < s->n; i++) {
        r += gs__r(s, &s->us[i], g[i]);
        c += s->us[i].c * g[i];
    }
    return r - gs__N(s, c);
}

/* Replies to prices lambda c + mu k; returns the compute load. */
static double gs__load(gs_server *s, double lambda, double mu, double *g)
{
    double load = 0.0;
    for (int i = 0; i < s->n; i++) {
        g[i] = gs__reply(s, &s->us[i], lambda * s->us[i].c + mu * s->us[i].k);
        load += s->us[i].k * g[i];
    }
    return load;
}

/* gamma(lambda): the concave problem with N replaced by slope lambda, the
 * compute constraint enforced through mu when it binds. */
static void gs__curve(gs_server *s, double lambda, double *g)
{
    double load = gs__load(s, lambda, 0.0, g);
    if (load <= s->Q)
        return;
    /* the compute constraint binds: find mu with load(mu) = Q by the
     * Illinois variant of regula falsi (load is monotone in mu), keeping
     * the feasible end */
    double a = 0.0, fa = load - s->Q, b = 0.0;
    for (int i = 0; i < s->n; i++) /* mu at which every gamma is 0 */
        if (s->us[i].k > 0 && s->us[i].rp0 / s->us[i].k > b)
            b = s->us[i].rp0 / s->us[i].k;
    double fb = gs__load(s, lambda, b, g) - s->Q;
    if (s->mu_last > a && s->mu_last < b) { /* start next to the last root */
        double fm = gs__load(s, lambda, s->mu_last, g) - s->Q;
        if (fm > 0) {
            a = s->mu_last;
            fa = fm;
        } else {
            b = s->mu_last;
            fb = fm;
        }
        double step = 0.05 * s->mu_last; /* and bracket it closely */
        double c = fm > 0 ? s->mu_last + step : s->mu_last - step;
        if (c > a && c < b) {
            double fc = gs__load(s, lambda, c, g) - s->Q;
            if (fc > 0) {
                a = c;
                fa = fc;
            } else {
                b = c;
                fb = fc;
            }
        }
    }
    int side = 0;
    for (int it = 0; it < 60 && fb < 0 && b - a > 1e-14 * b; it++) {
        double c = b - fb * (b - a) / (fb - fa);
        if (!(c > a && c < b))
            c = 0.5 * (a + b);
        double fc = gs__load(s, lambda, c, g) - s->Q;
        if (fc > 0) {
            a = c;
            fa = fc;
            if (side == -1)
                fb *= 0.5;
            side = -1;
        } else {
            b = c;
            fb = fc;
            if (side == 1)
                fa *= 0.5;
            side = 1;
            if (fc > -1e-10 * s->Q)
                break;
        }
    }
    s->mu_last = b;
    gs__load(s, lambda, b, g); /* the feasible end */
}

/* Brent's method (golden section with parabolic steps) maximising f on
 * [lo, hi] around a grid maximum; keeps the best point seen. */
typedef double (*gs_fn)(gs_server *s, double t);

static double gs__brent(gs_server *s, gs_fn f, double lo, double hi,
                        double *best_t, double best)
{
    /* t to 1e-5: Phi is smooth, so the objective is off by O(1e-10) */
    const double cg = 0.3819660112501051, tol = 1e-5;
    double x = *best_t, w = x, v = x;
    double fx = -best, fw = fx, fv = fx; /* minimise -f */
    double d = 0.0, e = 0.0;
    for (int it = 0; it < GS_BRENT; it++) {
        double m = 0.5 * (lo + hi), tol1 = tol * fabs(x) + 1e-9, tol2 = 2 * tol1;
        if (fabs(x - m) <= tol2 - 0.5 * (hi - lo))
            break;
        int golden = 1;
        if (fabs(e) > tol1) { /* try a parabola through x, w, v */
            double r = (x - w) * (fx - fv), q = (x - v) * (fx - fw);
            double pp = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if (q > 0)
                pp = -pp;
            q = fabs(q);
            double etemp = e;
            e = d;
            if (fabs(pp) < fabs(0.5 * q * etemp) && pp > q * (lo - x) &&
                pp < q * (hi - x)) {
                d = pp / q;
                double u = x + d;
                if (u - lo < tol2 || hi - u < tol2)
                    d = x < m ? tol1 : -tol1;
                golden = 0;
            }
        }
        if (golden) {
            e = x >= m ? lo - x : hi - x;
            d = cg * e;
        }
        double u = fabs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
        double fu = -f(s, u);
        if (fu <= fx) {
            if (u >= x)
                lo = x;
            else
                hi = x;
            v = w; fv = fw;
            w = x; fw = fx;
            x = u; fx = fu;
        } else {
            if (u < x)
                lo = u;
            else
                hi = u;
            if (fu <= fw || w == x) {
                v = w; fv = fw;
                w = u; fw = fu;
            } else if (fu <= fv || v == x || v == w) {
                v = u; fv = fu;
            }
        }
    }
    if (-fx > best) {
        *best_t = x;
        best = -fx;
    }
    return best;
}

/* Scans t in [0, 1] on a grid, refines around the best cell. */
static double gs__search(gs_server *s, gs_fn f, double *best_t)
{
    double vals[GS_GRID], best = -INFINITY;
    int bi = 0;
    for (int i = 0; i < GS_GRID; i++) {
        vals[i] = f(s, (double)i / (GS_GRID - 1));
        if (vals[i] > best) {
            best = vals[i];
            bi = i;
        }
    }
    *best_t = (double)bi / (GS_GRID - 1);
    double lo_v = vals[bi], hi_v = vals[bi];
    for (int i = 0; i < GS_GRID; i++) {
        lo_v = vals[i] < lo_v ? vals[i] : lo_v;
        hi_v = vals[i] > hi_v ? vals[i] : hi_v;
    }
    if (hi_v - lo_v <= 1e-15 * (1.0 + fabs(hi_v)))
        return best; /* flat: every gamma at a bound along the whole curve */
    double lo = bi > 0 ? (double)(bi - 1) / (GS_GRID - 1) : 0.0;
    double hi = bi < GS_GRID - 1 ? (double)(bi + 1) / (GS_GRID - 1) : 1.0;
    return gs__brent(s, f, lo, hi, best_t, best);
}

/* One user: Phi on gamma in [0, gmax] directly (t is gamma / gmax). */
static double gs__gmax(const gs_server *s)
{
    const gs_user *x = &s->us[0];
    if (s->Q <= 0)
        return 0.0;
    return x->k > 0 && s->Q / x->k < 1.0 ? s->Q / x->k : 1.0;
}

static double gs__one(gs_server *s, double t)
{
    s->g[0] = t * gs__gmax(s);
    return gs__phi(s, s->g);
}

/* Several users: t maps to lambda log-spaced from N'(A + sum c) up to N'(A). */
static double gs__lambda(const gs_server *s, double t)
{
    double C = s->A;
    for (int i = 0; i < s->n; i++)
        C += s->us[i].c;
    double lo = log(gs__Np(s, C)), hi = log(gs__Np(s, s->A));
    return exp(lo + t * (hi - lo));
}

static double gs__many(gs_server *s, double t)
{
    double lambda = gs__lambda(s, s->t0 + t * (1.0 - s->t0));
    if (s->no_mu)
        gs__load(s, lambda, 0.0, s->g);
    else
        gs__curve(s, lambda, s->g);
    return gs__phi(s, s->g);
}

/* When no twin migrates into the server, c_u = k_u for every user, so the
 * prices lambda c + mu k = (lambda + mu) k depend on lambda + mu only: on
 * the part of the curve where compute binds, gamma is one point, the
 * unconstrained reply at the lambda where the load reaches Q. The search then
 * runs over lambda from that point up, with no inner search for mu. */
static void gs__range(gs_server *s)
{
    s->t0 = 0.0;
    s->no_mu = 1;
    for (int i = 0; i < s->n && s->no_mu; i++)
        s->no_mu = s->us[i].c == s->us[i].k;
    if (!s->no_mu || gs__load(s, gs__lambda(s, 0.0), 0.0, s->g) <= s->Q)
        return;
    /* load(lo) > Q >= load(hi); Illinois regula falsi on load(t) - Q */
    double lo = 0.0, hi = 1.0;
    double flo = gs__load(s, gs__lambda(s, lo), 0.0, s->g) - s->Q;
    double fhi = gs__load(s, gs__lambda(s, hi), 0.0, s->g) - s->Q;
    int side = 0;
    for (int it = 0; it < 60 && fhi < 0 && hi - lo > 1e-12; it++) {
        double c = hi - fhi * (hi - lo) / (fhi - flo);
        if (!(c > lo && c < hi))
            c = 0.5 * (lo + hi);
        double fc = gs__load(s, gs__lambda(s, c), 0.0, s->g) - s->Q;
        if (fc > 0) {
            lo = c;
            flo = fc;
            if (side == -1)
                fhi *= 0.5;
            side = -1;
        } else {
            hi = c;
            fhi = fc;
            if (side == 1)
                flo *= 0.5;
            side = 1;
            if (fc > -1e-10 * s->Q)
                break;
        }
    }
    s->t0 = hi; /* the feasible end */
}

static void gs__solve(gs_server *s)
{
    if (s->n == 0)
        return;
    if (s->Q <= 0) { /* even gamma = 0 overloads the server: least load */
        memset(s->g, 0, sizeof(double) * (size_t)s->n);
        return;
    }
    double t = 0.0;
    if (s->n == 1) {
        gs__search(s, gs__one, &t);
        gs__one(s, t);
    } else {
        gs__range(s);
        gs__search(s, gs__many, &t);
        gs__many(s, t);
    }
}

/* Fills a server's users and constants from the observation. */
static void gs__server(gs_server *s, const scen_diten_params *p,
                       const scen_diten_obs *o, const int *assoc, int srv)
{
    const int S = o->servers;
    const double E = p->E_s + p->E_us, upd = p->unit_per_sample;
    const double cmp = p->n_cmp * o->eps[srv] * E, rate = scen_diten_rate(p);
    s->A = 0.0;
    double K0 = 0.0;
    s->n = 0;
    for (int u = 0; u < o->users; u++) {
        if (assoc[u] != srv)
            continue;
        double n = o->n_new[u], m = o->n_prev[u];
        int from = o->prev_assoc != NULL ? o->prev_assoc[u] : -1;
        double l = from >= 0 && from != srv ? o->server_dist[(size_t)srv * S + from] : 0;
        double mig = from >= 0 && from != srv ? p->n_mig * l : 0.0;
        /* gamma-free parts of eqs. 13-15 */
        s->A += mig * (n * upd + o->twin_bits[u] * p->unit_per_bit);
        s->A += p->n_syn * n * upd / rate * o->dist[(size_t)u * S + srv];
        s->A += cmp * n * upd;
        K0 += cmp * n * upd;
        if (m <= 0)
            continue; /* nothing to reuse: gamma stays 0 */
        gs_user *x = &s->us[s->n++];
        x->u = u;
        x->n = n;
        x->m = m;
        x->phi = o->phi[u];
        x->k = cmp * m * upd;              /* eq. 15's slope */
        x->c = x->k + mig * m * upd;       /* eq. 31: computation + migration */
    }
    s->Q = o->q[srv] - K0;
    s->mu_last = 0.0;
    const double *a = p->a;
    for (int i = 0; i < s->n; i++) {
        gs_user *x = &s->us[i];
        x->rp0 = gs__rp(s, x, 0.0);
        x->rp1 = gs__rp(s, x, 1.0);
        x->v = scen_diten_v(p, x->phi);
        x->K = log(a[0] * a[1] * x->v) + x->v * log(a[2]);
        x->B = a[1] * pow(a[2], x->v);
        x->ylast = 0.0;
    }
}

void scen_diten_gamma_optimal(const scen_diten_params *p, const scen_diten_obs *o,
                         const int *assoc, double *gamma)
{
    gs_user us[256];
    double g[256], best[256];
    gs_user *heap_us = NULL;
    double *heap_g = NULL;
    gs_server s = {.p = p, .wr = p->beta1 / o->users,
                   .wn = p->beta2 / o->servers, .us = us, .g = g, .best = best};
    if (o->users > 256) { /* more users than the stack buffers hold */
        heap_us = malloc(sizeof *heap_us * (size_t)o->users);
        heap_g = malloc(sizeof(double) * 2 * (size_t)o->users);
        if (heap_us == NULL || heap_g == NULL) {
            free(heap_us);
            free(heap_g);
            for (int u = 0; u < o->users; u++)
                gamma[u] = 0.0; /* no memory: the safe allocation */
            return;
        }
        s.us = heap_us;
        s.g = heap_g;
        s.best = heap_g + o->users;
    }
    for (int u = 0; u < o->users; u++)
        gamma[u] = 0.0;
    for (int srv = 0; srv < o->servers; srv++) {
        gs__server(&s, p, o, assoc, srv);
        gs__solve(&s);
        for (int i = 0; i < s.n; i++)
            gamma[s.us[i].u] = s.g[i];
    }
    free(heap_us);
    free(heap_g);
}

/* ---- the local method, for comparison ---- */

/* Euclidean projection onto [0,1]^n and sum k g <= Q (bisection on the
 * multiplier of the half-space). */
static void gs__project(const gs_server *s, double *g)
{
    double load = 0.0;
    for (int i = 0; i < s->n; i++) {
        g[i] = g[i] < 0 ? 0 : (g[i] > 1 ? 1 : g[i]);
        load += s->us[i].k * g[i];
    }
    if (load <= s->Q)
        return;
    double lo = 0.0, hi = 1.0, y[256];
    for (int it = 0; it < 200; it++) { /* find an upper bound */
        double l2 = 0.0;
        for (int i = 0; i < s->n; i++) {
            double v = g[i] - hi * s->us[i].k;
            l2 += s->us[i].k * (v < 0 ? 0 : (v > 1 ? 1 : v));
        }
        if (l2 <= s->Q)
            break;
        hi *= 2.0;
    }
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi), l2 = 0.0;
        for (int i = 0; i < s->n; i++) {
            double v = g[i] - mid * s->us[i].k;
            y[i] = v < 0 ? 0 : (v > 1 ? 1 : v);
            l2 += s->us[i].k * y[i];
        }
        if (l2 > s->Q)
            lo = mid;
        else
            hi = mid;
    }
    for (int i = 0; i < s->n; i++) {
        double v = g[i] - hi * s->us[i].k;
        g[i] = v < 0 ? 0 : (v > 1 ? 1 : v);
    }
}

static void gs__local(gs_server *s)
{
    if (s->n == 0)
        return;
    double *g = s->g, grad[256], trial[256];
    for (int i = 0; i < s->n; i++)
        g[i] = 0.5;
    if (s->Q <= 0) {
        memset(g, 0, sizeof(double) * (size_t)s->n);
        return;
    }
    gs__project(s, g);
    double f = gs__phi(s, g), step = 1.0;
    for (int it = 0; it < 5000; it++) {
        double C = s->A;
        for (int i = 0; i < s->n; i++)
            C += s->us[i].c * g[i];
        for (int i = 0; i < s->n; i++)
            grad[i] = gs__rp(s, &s->us[i], g[i]) - gs__Np(s, C) * s->us[i].c;
        double ft = -INFINITY, moved = 0.0;
        for (int back = 0; back < 60; back++) { /* Armijo backtracking */
            for (int i = 0; i < s->n; i++)
                trial[i] = g[i] + step * grad[i];
            gs__project(s, trial);
            ft = gs__phi(s, trial);
            double dot = 0.0;
            for (int i = 0; i < s->n; i++)
                dot += grad[i] * (trial[i] - g[i]);
            if (ft >= f + 1e-4 * dot)
                break;
            step *= 0.5;
        }
        for (int i = 0; i < s->n; i++)
            moved += fabs(trial[i] - g[i]);
        if (ft < f || moved < 1e-12)
            break;
        memcpy(g, trial, sizeof(double) * (size_t)s->n);
        f = ft;
        step *= 2.0;
    }
}

void scen_diten_gamma_local(const scen_diten_params *p, const scen_diten_obs *o,
                       const int *assoc, double *gamma)
{
    gs_user us[256];
    double g[256], best[256];
    gs_server s = {.p = p, .wr = p->beta1 / o->users,
                   .wn = p->beta2 / o->servers, .us = us, .g = g, .best = best};
    for (int u = 0; u < o->users; u++)
        gamma[u] = 0.0;
    if (o->users > 256)
        return; /* the comparison method is for experiments of paper size */
    for (int srv = 0; srv < o->servers; srv++) {
        gs__server(&s, p, o, assoc, srv);
        gs__local(&s);
        for (int i = 0; i < s.n; i++)
            gamma[s.us[i].u] = s.g[i];
    }
}
