/*
 * lp_glpk.c - LP and MILP on GLPK (Debian libglpk-dev), the only file of
 * dtfl that includes <glpk.h> (sched.h, "Linear and mixed-integer
 * programs"). A problem is built column by column and row by row (sparse),
 * then solved: glp_simplex for an LP, glp_simplex then glp_intopt when a
 * column is integer, with a time limit, a relative gap and, optionally, a
 * known feasible point handed to the branch and bound as its first
 * incumbent (glp_ios_heur_sol in the callback).
 *
 * GLPK prints nothing (glp_term_out off) and never aborts the process: its
 * error hook longjmps back into the call that failed, which frees GLPK's
 * environment (as its manual requires after an error) and returns
 * DTFL_EINTERNAL with GLPK's message. Arguments are checked before GLPK
 * sees them, so that path is for GLPK's own failures.
 */
#include "sched.h"

#include <glpk.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GLPK's environment is per thread and freed after a failure, taking every
 * problem of the thread with it: each failure starts a new epoch, and a
 * problem of an older one is never touched again (GLPK's own state is
 * thread-local, so this count is too). */
static _Thread_local unsigned lp__epoch;

struct sched_lp {
    glp_prob *p;
    unsigned epoch;    /* lp__epoch when p was made */
    int cols, rows, integer;
    double *x;         /* (cols) the last solution */
    int *idx;          /* (cols + 1) scratch for rows, GLPK's 1-based */
    double *val;       /* (cols + 1) */
    int cap;
};

/* The failure of one guarded call. */
typedef struct lp_guard {
    jmp_buf jump;
    char msg[DTFL_ERR_MSG_MAX];
} lp_guard;

static void lp__hook(void *info)
{
    lp_guard *g = info;
    longjmp(g->jump, 1);
}

/* GLPK's own output, kept for the error message instead of printed. */
static int lp__term(void *info, const char *s)
{
    lp_guard *g = info;
    size_t n = strlen(g->msg);
    if (n + 1 < sizeof g->msg)
        snprintf(g->msg + n, sizeof g->msg - n, "%s", s);
    return 1; /* do not print */
}

static void lp__quiet(lp_guard *g)
{
    g->msg[0] = '\0';
    glp_term_hook(lp__term, g);
    glp_error_hook(lp__hook, g);
}

static void lp__unguard(void)
{
    glp_error_hook(NULL, NULL);
    glp_term_hook(NULL, NULL);
}

int sched_lp_create(sched_lp **out, int maximize, dtfl_err *err)
{
    *out = NULL;
    sched_lp *lp = calloc(1, sizeof *lp);
    if (lp == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "lp: out of memory");
    lp->p = glp_create_prob();
    lp->epoch = lp__epoch;
    glp_set_obj_dir(lp->p, maximize ? GLP_MAX : GLP_MIN);
    *out = lp;
    return 0;
}

void sched_lp_destroy(sched_lp *lp)
{
    if (lp == NULL)
        return;
    if (lp->p != NULL && lp->epoch == lp__epoch)
        glp_delete_prob(lp->p);
    free(lp->x);
    free(lp->idx);
    free(lp->val);
    free(lp);
}

/* A problem GLPK lost in a failure is refused, never touched. */
static int lp__alive(const sched_lp *lp, dtfl_err *err)
{
    if (lp->p != NULL && lp->epoch == lp__epoch)
        return 0;
    return dtfl_err_set(err, DTFL_EINTERNAL, "lp: the problem was lost when "
                                             "GLPK failed; build it again");
}

/* GLPK's bound type for [lo, hi] (infinite ends allowed). */
static int lp__bounds(double lo, double hi)
{
    if (isinf(lo) && isinf(hi))
        return GLP_FR;
    if (isinf(hi))
        return GLP_LO;
    if (isinf(lo))
        return GLP_UP;
    return lo == hi ? GLP_FX : GLP_DB;
}

static int lp__check_bounds(const char *what, int i, double lo, double hi,
                            dtfl_err *err)
{
    if (isnan(lo) || isnan(hi) || lo > hi || lo == INFINITY || hi == -INFINITY)
        return dtfl_err_set(err, DTFL_EINTERNAL, "lp: %s %d has bounds [%g, %g]",
                            what, i, lo, hi);
    return 0;
}

int sched_lp_add_col(sched_lp *lp, double lo, double hi, double cost,
                     int integer, dtfl_err *err)
{
    int rc = lp__alive(lp, err);
    rc = rc < 0 ? rc : lp__check_bounds("column", lp->cols, lo, hi, err);
    if (rc < 0)
        return rc;
    if (!isfinite(cost))
        return dtfl_err_set(err, DTFL_EINTERNAL, "lp: column %d costs %g",
                            lp->cols, cost);
    if (lp->cols + 2 > lp->cap) {
        int cap = lp->cap ? 2 * lp->cap : 64;
        int *idx = realloc(lp->idx, sizeof(int) * (size_t)cap);
        if (idx != NULL)
            lp->idx = idx;
        double *val = idx != NULL ? realloc(lp->val, sizeof(double) * (size_t)cap) : NULL;
        if (val != NULL)
            lp->val = val;
        double *x = val != NULL ? realloc(lp->x, sizeof(double) * (size_t)cap) : NULL;
        if (x == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "lp: out of memory");
        lp->x = x;
        lp->cap = cap;
    }
    int j = glp_add_cols(lp->p, 1);
    glp_set_col_bnds(lp->p, j, lp__bounds(lo, hi), isinf(lo) ? 0.0 : lo,
                     isinf(hi) ? 0.0 : hi);
    glp_set_obj_coef(lp->p, j, cost);
    if (integer) {
        glp_set_col_kind(lp->p, j, lo == 0.0 && hi == 1.0 ? GLP_BV : GLP_IV);
        lp->integer = 1;
    }
    lp->x[lp->cols] = 0.0;
    return lp->cols++;
}

int sched_lp_set_col(sched_lp *lp, int col, double lo, double hi, double cost,
                     dtfl_err *err)
{
    int rc = lp__alive(lp, err);
    if (rc < 0)
        return rc;
    if (col < 0 || col >= lp->cols)
        return dtfl_err_set(err, DTFL_EINTERNAL, "lp: no column %d of %d", col,
                            lp->cols);
    rc = lp__check_bounds("column", col, lo, hi, err);
    if (rc < 0)
        return rc;
    if (!isfinite(cost))
        return dtfl_err_set(err, DTFL_EINTERNAL, "lp: column %d costs %g", col,
                            cost);
    glp_set_col_bnds(lp->p, col + 1, lp__bounds(lo, hi), isinf(lo) ? 0.0 : lo,
                     isinf(hi) ? 0.0 : hi);
    glp_set_obj_coef(lp->p, col + 1, cost);
    return 0;
}

/* Checks a row's entries and stages them in GLPK's 1-based arrays. */
static int lp__stage_row(sched_lp *lp, int row, int n, const int *cols,
                         const double *vals, double lo, double hi,
                         dtfl_err *err)
{
    int rc = lp__alive(lp, err);
    rc = rc < 0 ? rc : lp__check_bounds("row", row, lo, hi, err);
    if (rc < 0)
        return rc;
    if (n < 0 || n > lp->cols)
        return dtfl_err_set(err, DTFL_EINTERNAL, "lp: row %d has %d entries "
                                                 "for %d columns",
                            row, n, lp->cols);
    for (int k = 0; k < n; k++) {
        if (cols[k] < 0 || cols[k] >= lp->cols || !isfinite(vals[k]))
            return dtfl_err_set(err, DTFL_EINTERNAL, "lp: row %d names column "
                                                     "%d (of %d) with %g",
                                row, cols[k], lp->cols, vals[k]);
        for (int q = 0; q < k; q++)
            if (cols[q] == cols[k])
                return dtfl_err_set(err, DTFL_EINTERNAL, "lp: row %d names "
                                                         "column %d twice",
                                    row, cols[k]);
        lp->idx[k + 1] = cols[k] + 1;
        lp->val[k + 1] = vals[k];
    }
    return 0;
}

static void lp__put_row(sched_lp *lp, int i, int n, double lo, double hi)
{
    glp_set_row_bnds(lp->p, i, lp__bounds(lo, hi), isinf(lo) ? 0.0 : lo,
                     isinf(hi) ? 0.0 : hi);
    glp_set_mat_row(lp->p, i, n, lp->idx, lp->val);
}

int sched_lp_add_row(sched_lp *lp, int n, const int *cols, const double *vals,
                     double lo, double hi, dtfl_err *err)
{
    int rc = lp__stage_row(lp, lp->rows, n, cols, vals, lo, hi, err);
    if (rc < 0)
        return rc;
    lp__put_row(lp, glp_add_rows(lp->p, 1), n, lo, hi);
    return lp->rows++;
}

int sched_lp_set_row(sched_lp *lp, int row, int n, const int *cols,
                     const double *vals, double lo, double hi, dtfl_err *err)
{
    if (row < 0 || row >= lp->rows)
        return dtfl_err_set(err, DTFL_EINTERNAL, "lp: no row %d of %d", row,
                            lp->rows);
    int rc = lp__stage_row(lp, row, n, cols, vals, lo, hi, err);
    if (rc < 0)
        return rc;
    lp__put_row(lp, row + 1, n, lo, hi);
    return 0;
}

/* The incumbent handed to the branch and bound once. */
typedef struct lp_heur {
    const double *x;   /* (cols), 0-based */
    double *x1;        /* (cols + 1), GLPK's 1-based */
    int given;
    int has_bound;     /* bound: the best active node's, last seen */
    double bound;
} lp_heur;

static void lp__callback(glp_tree *T, void *info)
{
    lp_heur *h = info;
    if (glp_ios_reason(T) == GLP_IHEUR && !h->given && h->x != NULL) {
        h->given = 1;
        glp_ios_heur_sol(T, h->x1);
    }
    const int best = glp_ios_best_node(T);
    const double b = best != 0 ? glp_ios_node_bound(T, best) : -DBL_MAX;
    if (fabs(b) < DBL_MAX) /* +-DBL_MAX: a node not yet solved */
        h->has_bound = 1, h->bound = b;
}

/* The proven bound of a MILP stopped early: the best open node's, no
 * better than the incumbent (none seen: none proven). */
static double lp__mip_bound(const sched_lp *lp, const lp_heur *h,
                            const sched_lp_result *r)
{
    const int max = glp_get_obj_dir(lp->p) == GLP_MAX;
    if (!h->has_bound)
        return max ? INFINITY : -INFINITY;
    if (r->status != SCHED_LP_FEASIBLE) /* no incumbent to cap it */
        return h->bound;
    return max ? fmax(h->bound, r->objective) : fmin(h->bound, r->objective);
}

static sched_lp_status lp__status(int st)
{
    switch (st) {
    case GLP_OPT: return SCHED_LP_OPTIMAL;
    case GLP_FEAS: return SCHED_LP_FEASIBLE;
    case GLP_NOFEAS: return SCHED_LP_INFEASIBLE;
    case GLP_UNBND: return SCHED_LP_UNBOUNDED;
    default: return SCHED_LP_UNKNOWN;
    }
}

/* The guarded part of a solve; fills r and lp->x. */
static int lp__run(sched_lp *lp, const sched_lp_options *o, lp_heur *h,
                   sched_lp_result *r)
{
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    /* warm: the last basis (GLPK's presolver would throw it away); the
     * branch and bound then starts from the optimal basis it leaves */
    sm.presolve = o->warm ? GLP_OFF : GLP_ON;
    if (o->time_limit_s > 0)
        sm.tm_lim = (int)fmin(o->time_limit_s * 1e3, 2e9);
    int ret = glp_simplex(lp->p, &sm);
    if (o->warm && (ret == GLP_EBADB || ret == GLP_ESING || ret == GLP_ECOND)) {
        sm.presolve = GLP_ON; /* the last basis does not serve: afresh */
        glp_std_basis(lp->p);
        ret = glp_simplex(lp->p, &sm);
    }
    int st = glp_get_status(lp->p);
    if (ret == GLP_ENOPFS || ret == GLP_ENODFS) { /* presolve: no feasible */
        r->status = ret == GLP_ENOPFS ? SCHED_LP_INFEASIBLE : SCHED_LP_UNBOUNDED;
        return 0;
    }
    if (!lp->integer) {
        r->status = ret == GLP_ETMLIM ? SCHED_LP_UNKNOWN : lp__status(st);
        r->objective = r->bound = glp_get_obj_val(lp->p);
        for (int j = 0; j < lp->cols; j++)
            lp->x[j] = glp_get_col_prim(lp->p, j + 1);
        return 0;
    }
    if (st != GLP_OPT) {
        r->status = lp__status(st == GLP_FEAS ? GLP_UNDEF : st);
        return 0;
    }
    glp_iocp io;
    glp_init_iocp(&io);
    io.msg_lev = GLP_MSG_OFF;
    if (o->time_limit_s > 0)
        io.tm_lim = (int)fmin(o->time_limit_s * 1e3, 2e9);
    io.mip_gap = o->mip_gap;
    /* GLPK prunes nodes within tol_obj (1e-7 relative) of the incumbent:
     * no coarser than the gap asked for */
    io.tol_obj = fmin(io.tol_obj, o->mip_gap > 0 ? o->mip_gap : 1e-12);
    io.cb_func = lp__callback;
    io.cb_info = h;
    ret = glp_intopt(lp->p, &io);
    st = glp_mip_status(lp->p);
    r->status = lp__status(st);
    if (ret == GLP_ETMLIM && st == GLP_OPT)
        r->status = SCHED_LP_FEASIBLE;
    r->objective = glp_mip_obj_val(lp->p);
    r->bound = r->status == SCHED_LP_OPTIMAL ? r->objective
                                             : lp__mip_bound(lp, h, r);
    for (int j = 0; j < lp->cols; j++)
        lp->x[j] = glp_mip_col_val(lp->p, j + 1);
    return 0;
}

/* Out of time before GLPK found any integer point: the incumbent the caller
 * knows to be feasible is the best found. */
static void lp__keep_incumbent(sched_lp *lp, const double *x,
                               sched_lp_result *r)
{
    double obj = glp_get_obj_coef(lp->p, 0);
    for (int j = 0; j < lp->cols; j++) {
        lp->x[j] = x[j];
        obj += glp_get_obj_coef(lp->p, j + 1) * x[j];
    }
    r->status = SCHED_LP_FEASIBLE;
    r->objective = obj;
    if (!isnan(r->bound))
        r->bound = glp_get_obj_dir(lp->p) == GLP_MAX ? fmax(r->bound, obj)
                                                     : fmin(r->bound, obj);
}

int sched_lp_solve(sched_lp *lp, const sched_lp_options *o,
                   sched_lp_result *r, dtfl_err *err)
{
    memset(r, 0, sizeof *r);
    r->status = SCHED_LP_UNKNOWN;
    r->bound = NAN;
    if (lp__alive(lp, err) < 0)
        return DTFL_EINTERNAL;
    lp_heur h = {o->incumbent, NULL, 0, 0, 0.0};
    if (o->incumbent != NULL) {
        h.x1 = malloc(sizeof(double) * ((size_t)lp->cols + 1));
        if (h.x1 == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "lp: out of memory");
        h.x1[0] = 0.0;
        memcpy(h.x1 + 1, o->incumbent, sizeof(double) * (size_t)lp->cols);
    }
    lp_guard g;
    volatile int rc = 0; /* read after a longjmp */
    lp__quiet(&g);
    if (setjmp(g.jump) == 0) {
        double t0 = dtfl_now();
        rc = lp__run(lp, o, &h, r);
        r->seconds = dtfl_now() - t0;
    } else {
        /* GLPK failed: its environment (every problem in it) is gone */
        lp->p = NULL;
        glp_free_env();
        lp__epoch++;
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "GLPK: %s",
                          g.msg[0] ? g.msg : "internal error");
    }
    lp__unguard();
    free(h.x1);
    if (rc == 0 && r->status == SCHED_LP_UNKNOWN && o->incumbent != NULL)
        lp__keep_incumbent(lp, o->incumbent, r);
    return rc;
}

const double *sched_lp_x(const sched_lp *lp) { return lp->x; }

double sched_lp_assign_scale(int I, int M, const double *cost, double *least)
{
    double spread = 0.0;
    for (int i = 0; i < I; i++) {
        const double *c = cost + (size_t)i * M;
        least[i] = INFINITY;
        for (int m = 0; m < M; m++)
            least[i] = fmin(least[i], c[m]);
        for (int m = 0; m < M; m++)
            spread = fmax(spread, c[m] - least[i]);
    }
    return spread > 0.0 && isfinite(spread) ? spread : 1.0;
}

void sched_lp_size(const sched_lp *lp, int *rows, int *cols)
{
    *rows = lp->rows, *cols = lp->cols;
}

int sched__lp_provoke_error(dtfl_err *err)
{
    lp_guard g;
    volatile int rc = 0; /* read after a longjmp */
    lp__quiet(&g);
    if (setjmp(g.jump) == 0) {
        glp_prob *p = glp_create_prob();
        glp_set_obj_coef(p, 7, 1.0); /* no column 7: a GLPK error */
        glp_delete_prob(p);
    } else {
        glp_free_env();
        lp__epoch++;
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "GLPK: %s",
                          g.msg[0] ? g.msg : "internal error");
    }
    lp__unguard();
    return rc;
}
