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
 * interval, keeps the best, and refines it by golden section. A server with
 * one user is a one-dimensional problem and is solved on gamma directly.
 *
 * gamma(lambda) is closed-form per user but for the inverse of rho', found
 * by Newton's method in log n (monotone after one step, the function being
 * concave and decreasing there); when the compute constraint binds, a second
 * multiplier mu on it is found by regula falsi (Illinois).
 */
#include "sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GS_GRID 16
#define GS_GOLDEN 24

typedef struct gs_user {
    int u;
    double n, m, phi;  /* new and previous samples, EMD */
    double c, k;       /* cost and compute slopes per unit of gamma */
    double rp0, rp1;   /* r'(0), r'(1) */
} gs_user;

typedef struct gs_server {
    const sched_diten_params *p;
    double wr, wn;     /* beta1 / U, beta2 / S */
    double A, Q;       /* cost and compute room at gamma = 0 */
    int n;
    gs_user *us;
    double *g, *best;  /* (n,) working and best gamma */
} gs_server;

static double gs__r(const gs_server *s, const gs_user *x, double g)
{
    return s->wr * sched_diten_utility(s->p, x->n + g * x->m, x->phi);
}

static double gs__rp(const gs_server *s, const gs_user *x, double g)
{
    return s->wr * sched_diten_utility_dn(s->p, x->n + g * x->m, x->phi) * x->m;
}

static double gs__N(const gs_server *s, double x)
{
    return s->wn * sched_diten_norm(x, s->p->f0);
}

static double gs__Np(const gs_server *s, double x)
{
    double e = exp(-x / (2.0 * s->p->f0));
    return s->wn / s->p->f0 * e / ((1.0 + e) * (1.0 + e));
}

/* argmax over [0, 1] of r(g) - price g: where r'(g) = price. */
static double gs__reply(const gs_server *s, const gs_user *x, double price)
{
    if (x->rp0 <= price)
        return 0.0;
    if (x->rp1 >= price)
        return 1.0;
    /* solve log rho'(n) = log(price / (wr m)) for y = log n:
     * f(y) = log(a1 a2 v a3^v) + (v - 1) y - a2 a3^v e^{v y} - L */
    const double *a = s->p->a;
    double v = sched_diten_v(s->p, x->phi);
    double K = log(a[0] * a[1] * v) + v * log(a[2]);
    double B = a[1] * pow(a[2], v);
    double L = log(price / (s->wr * x->m));
    double lo = log(x->n), hi = log(x->n + x->m), y = lo;
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
static double gs__load(const gs_server *s, double lambda, double mu, double *g)
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
static void gs__curve(const gs_server *s, double lambda, double *g)
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
    gs__load(s, lambda, b, g); /* the feasible end */
}

/* Golden-section search of f on [lo, hi] around a grid maximum. */
typedef double (*gs_fn)(gs_server *s, double t);

static double gs__golden(gs_server *s, gs_fn f, double lo, double hi,
                         double *best_t, double best)
{
    const double r = 0.6180339887498949;
    double x1 = hi - r * (hi - lo), x2 = lo + r * (hi - lo);
    double f1 = f(s, x1), f2 = f(s, x2);
    for (int it = 0; it < GS_GOLDEN; it++) {
        if (f1 >= f2) {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - r * (hi - lo);
            f1 = f(s, x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + r * (hi - lo);
            f2 = f(s, x2);
        }
    }
    double t = f1 >= f2 ? x1 : x2, v = f1 >= f2 ? f1 : f2;
    if (v > best) {
        *best_t = t;
        best = v;
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
    double lo = bi > 0 ? (double)(bi - 1) / (GS_GRID - 1) : 0.0;
    double hi = bi < GS_GRID - 1 ? (double)(bi + 1) / (GS_GRID - 1) : 1.0;
    return gs__golden(s, f, lo, hi, best_t, best);
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
    gs__curve(s, gs__lambda(s, t), s->g);
    return gs__phi(s, s->g);
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
        gs__search(s, gs__many, &t);
        gs__many(s, t);
    }
}

/* Fills a server's users and constants from the observation. */
static void gs__server(gs_server *s, const sched_diten_params *p,
                       const sched_obs *o, const int *assoc, int srv)
{
    const int S = o->servers;
    const double E = p->E_s + p->E_us, upd = p->unit_per_sample;
    const double cmp = p->n_cmp * o->eps[srv] * E, rate = sched_diten_rate(p);
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
    for (int i = 0; i < s->n; i++) {
        s->us[i].rp0 = gs__rp(s, &s->us[i], 0.0);
        s->us[i].rp1 = gs__rp(s, &s->us[i], 1.0);
    }
}

void sched_gamma_optimal(const sched_diten_params *p, const sched_obs *o,
                         const int *assoc, double *gamma)
{
    gs_user us[256];
    double g[256], best[256];
    gs_user *heap_us = NULL;
    double *heap_g = NULL;
    gs_server s = {p, p->beta1 / o->users, p->beta2 / o->servers, 0, 0, 0,
                   us, g, best};
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

void sched_gamma_local(const sched_diten_params *p, const sched_obs *o,
                       const int *assoc, double *gamma)
{
    gs_user us[256];
    double g[256], best[256];
    gs_server s = {p, p->beta1 / o->users, p->beta2 / o->servers, 0, 0, 0,
                   us, g, best};
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
