/*
 * world.c - edge servers and users of a DT edge network, slot by slot.
 *
 * Every draw is keyed: server s draws its position and capacities from
 * (seed, WORLD, s, 0); user u its twin size from (useed, WORLD, u, 1), its
 * start from (useed, MOBILITY, u, 0), its movement in slot t from
 * (useed, MOBILITY, u, t) and its sample count from (useed, ARRIVAL, u, t),
 * useed being user_seed or, when that is 0, seed.
 * So every rank that builds and steps a world from the same parameters holds
 * the same world, and stepping users in any order changes nothing.
 */
#include "csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct twin_world {
    twin_world_params p;
    int slot;
    double *sx, *sy;        /* (S,) server positions, m */
    double *sp, *sq, *seps; /* (S,) p_s, q_s, eps_s */
    twin_mover *movers;     /* (U,) */
    double *twin_bits;      /* (U,) D_twin, bits */
    twin_trace *trace;      /* for TWIN_MOB_TRACE */
    int *traced;            /* (U) the trace each user follows */
    uint64_t useed;         /* key of the users' draws */
};

int twin_trace_load_world(twin_trace **out, const twin_world_params *p,
                          dtfl_err *err)
{
    int clamped = 0;
    switch (p->trace_format) {
    case 1:
        return twin_trace_load_tdrive(out, p->trace_file, p->tdrive_lon,
                                      p->tdrive_lat, p->width, p->height,
                                      &clamped, err);
    case 2:
        return twin_trace_load_fcd(out, p->trace_file, p->width, p->height,
                                   &clamped, err);
    default:
        return twin_trace_load(out, p->trace_file, p->width, p->height, err);
    }
}

void twin_world_destroy(twin_world *w)
{
    if (w == NULL)
        return;
    free(w->sx);
    free(w->movers);
    free(w->twin_bits);
    twin_trace_destroy(w->trace);
    free(w->traced);
    free(w);
}

static void world__grid(twin_world *w)
{
    const int S = w->p.servers;
    int cols = w->p.grid_cols > 0 ? w->p.grid_cols : (int)ceil(sqrt((double)S));
    int rows = (S + cols - 1) / cols;
    for (int s = 0; s < S; s++) {
        w->sx[s] = ((s % cols) + 0.5) * w->p.width / cols;
        w->sy[s] = ((s / cols) + 0.5) * w->p.height / rows;
    }
}

static int world__file(twin_world *w, dtfl_err *err)
{
    twin_csv t;
    int rc = twin__csv_read(w->p.server_file, 2, &t, err);
    if (rc < 0)
        return rc;
    if (t.rows < w->p.servers) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: %d server positions, the config asks for %d",
                          w->p.server_file, t.rows, w->p.servers);
        goto done;
    }
    for (int s = 0; s < w->p.servers; s++) {
        double x = t.v[2 * s], y = t.v[2 * s + 1];
        if (x < 0 || x > w->p.width || y < 0 || y > w->p.height) {
            rc = dtfl_err_set(err, DTFL_EDATA,
                              "%s:%d: server at (%g, %g) is outside the world "
                              "[0, %g] x [0, %g]",
                              w->p.server_file, t.line[s], x, y, w->p.width,
                              w->p.height);
            goto done;
        }
        w->sx[s] = x;
        w->sy[s] = y;
    }
done:
    twin__csv_free(&t);
    return rc;
}

/* Places servers and draws their capacities. */
static int world__servers(twin_world *w, dtfl_err *err)
{
    const twin_world_params *p = &w->p;
    for (int s = 0; s < p->servers; s++) {
        dtfl_rng r;
        dtfl_rng_init(&r, p->seed, DTFL_STREAM_WORLD, (uint32_t)s, 0);
        double x = dtfl_rng_range(&r, 0.0, p->width);
        double y = dtfl_rng_range(&r, 0.0, p->height);
        if (p->placement == TWIN_PLACE_UNIFORM) {
            w->sx[s] = x;
            w->sy[s] = y;
        }
        w->sp[s] = dtfl_rng_range(&r, p->p[0], p->p[1]);
        w->sq[s] = dtfl_rng_range(&r, p->q[0], p->q[1]);
        w->seps[s] = dtfl_rng_range(&r, p->eps[0], p->eps[1]);
    }
    if (p->placement == TWIN_PLACE_GRID)
        world__grid(w);
    if (p->placement == TWIN_PLACE_FILE)
        return world__file(w, err);
    return 0;
}

static void world__place_traced(twin_world *w, int t)
{
    const double sec = w->p.trace_start + t * w->p.slot_seconds;
    for (int u = 0; u < w->p.users; u++)
        twin_trace_at(w->trace, w->traced[u], sec, &w->movers[u].x, &w->movers[u].y);
}

/* The traces users follow: with a window, the busiest in it (most samples,
 * then the lower index), else the first ones. */
static int world__pick_traces(twin_world *w, dtfl_err *err)
{
    const int n = twin_trace_users(w->trace), U = w->p.users;
    if (n < U)
        return dtfl_err_set(err, DTFL_EDATA, "%s: %d users in the trace, the config "
                            "asks for %d", w->p.trace_file, n, U);
    w->traced = malloc(sizeof(int) * (size_t)U);
    int *busy = calloc((size_t)n, sizeof(int)), *taken = calloc((size_t)n, sizeof(int));
    int rc = w->traced == NULL || busy == NULL || taken == NULL
                 ? dtfl_err_set(err, DTFL_ENOMEM, "world: out of memory") : 0;
    const double t0 = w->p.trace_start, t1 = t0 + w->p.trace_window;
    for (int k = 0; rc == 0 && k < n && w->p.trace_window > 0; k++)
        busy[k] = twin_trace_samples_in(w->trace, k, t0, t1);
    for (int u = 0; rc == 0 && u < U; u++) { /* U passes: U and n are small */
        int best = -1;
        for (int k = 0; k < n; k++)
            if (!taken[k] && (best < 0 || busy[k] > busy[best]))
                best = k;
        taken[best] = 1;
        w->traced[u] = best;
    }
    free(busy);
    free(taken);
    return rc;
}

int twin_world_create(twin_world **out, const twin_world_params *p,
                      dtfl_err *err)
{
    *out = NULL;
    if (p->servers < 1 || p->users < 1 || p->width <= 0 || p->height <= 0)
        return dtfl_err_set(err, DTFL_ERANGE,
                            "world: %d servers, %d users, %g x %g m",
                            p->servers, p->users, p->width, p->height);
    twin_world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "world: out of memory");
    w->p = *p;
    w->useed = p->user_seed != 0 ? p->user_seed : p->seed;
    const size_t S = (size_t)p->servers, U = (size_t)p->users;
    w->sx = calloc(5 * S, sizeof(double));
    w->movers = calloc(U, sizeof *w->movers);
    w->twin_bits = calloc(U, sizeof(double));
    int rc = 0;
    if (w->sx == NULL || w->movers == NULL || w->twin_bits == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "world: out of memory");
        goto fail;
    }
    w->sy = w->sx + S;
    w->sp = w->sy + S;
    w->sq = w->sp + S;
    w->seps = w->sq + S;
    if ((rc = world__servers(w, err)) < 0)
        goto fail;
    for (int u = 0; u < p->users; u++) {
        dtfl_rng r;
        dtfl_rng_init(&r, w->useed, DTFL_STREAM_WORLD, (uint32_t)u, 1);
        w->twin_bits[u] = dtfl_rng_range(&r, p->twin_bits[0], p->twin_bits[1]);
        twin_mover_start(&w->movers[u], &w->p, w->useed, u);
    }
    if (p->mobility == TWIN_MOB_TRACE) {
        rc = twin_trace_load_world(&w->trace, p, err);
        if (rc == 0)
            rc = world__pick_traces(w, err);
        if (rc < 0)
            goto fail;
        world__place_traced(w, 0);
    }
    *out = w;
    return 0;
fail:
    twin_world_destroy(w);
    return rc;
}

void twin_world_step(twin_world *w, int t)
{
    w->slot = t;
    if (w->p.mobility == TWIN_MOB_TRACE) {
        world__place_traced(w, t);
        return;
    }
    for (int u = 0; u < w->p.users; u++) {
        dtfl_rng r;
        dtfl_rng_init(&r, w->useed, DTFL_STREAM_MOBILITY, (uint32_t)u,
                      (uint32_t)t);
        twin_mover_step(&w->movers[u], &w->p, &r);
    }
}

int twin_world_slot(const twin_world *w) { return w->slot; }
int twin_world_servers(const twin_world *w) { return w->p.servers; }
int twin_world_users(const twin_world *w) { return w->p.users; }

void twin_world_user_xy(const twin_world *w, int u, double *x, double *y)
{
    *x = w->movers[u].x;
    *y = w->movers[u].y;
}

void twin_world_server_xy(const twin_world *w, int s, double *x, double *y)
{
    *x = w->sx[s];
    *y = w->sy[s];
}

double twin_world_server_p(const twin_world *w, int s) { return w->sp[s]; }
double twin_world_server_q(const twin_world *w, int s) { return w->sq[s]; }
double twin_world_server_eps(const twin_world *w, int s) { return w->seps[s]; }
double twin_world_user_phi(const twin_world *w, int u) { (void)u; return w->p.phi; }
double twin_world_user_twin_bits(const twin_world *w, int u) { return w->twin_bits[u]; }

double twin_dist(twin_distance kind, double x0, double y0, double x1,
                 double y1)
{
    double dx = x1 - x0, dy = y1 - y0;
    if (kind == TWIN_DIST_MANHATTAN)
        return fabs(dx) + fabs(dy);
    return sqrt(dx * dx + dy * dy);
}

double twin_world_user_server_dist(const twin_world *w, int u, int s)
{
    return twin_dist(w->p.distance, w->movers[u].x, w->movers[u].y, w->sx[s],
                     w->sy[s]);
}

double twin_world_server_dist(const twin_world *w, int s, int s2)
{
    return twin_dist(TWIN_DIST_MANHATTAN, w->sx[s], w->sy[s], w->sx[s2],
                     w->sy[s2]);
}

int twin_world_nearest(const twin_world *w, int u)
{
    int best = 0;
    double bd = twin_world_user_server_dist(w, u, 0);
    for (int s = 1; s < w->p.servers; s++) {
        double d = twin_world_user_server_dist(w, u, s);
        if (d < bd) {
            bd = d;
            best = s;
        }
    }
    return best;
}

int twin_world_new_samples(const twin_world *w, int u, int t)
{
    dtfl_rng r;
    dtfl_rng_init(&r, w->useed, DTFL_STREAM_ARRIVAL, (uint32_t)u, (uint32_t)t);
    int lo = w->p.samples[0], hi = w->p.samples[1];
    return lo + (int)dtfl_rng_below(&r, (uint32_t)(hi - lo + 1));
}
