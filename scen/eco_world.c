/*
 * eco_world.c - the draws of the ecoedgetwin scenario (spec 1), on top of
 * the shared world's servers and moving users. Every draw is keyed by
 * (user seed, entity, slot) so the twin and twinless runs of a seed see
 * the same world (common random numbers), and each rank's copy agrees:
 *
 *   per episode: nominal CPUs F_i ~ U[f_srv], F_j ~ U[f_dev], budgets B_j,
 *     contents' sizes D_k and cycle densities c_k, the caches empty, every
 *     service at its user's nearest server (stream WORKLOAD);
 *   per slot: AR(1) background loads x(t) = m + rho (x(t-1) - m) +
 *     sqrt(1 - rho^2) sigma z (stream LOAD; x(0) stationary), the load
 *     b = clip(x, 0, 0.9) and the real CPU F (1 - b); the twin's estimate
 *     F (1 - clip(b + e)), e ~ N(0, (eps sigma)^2) on its own stream
 *     (ESTIMATE); the nominal F (1 - m); powers p_j, tasks (content by Zipf
 *     popularity), fading |h|^2 ~ Exp(1) to each candidate (CHANNEL); the
 *     K_c nearest servers of each user.
 *
 * Entities: server s is s, user u is 2^30 + u on the LOAD and ESTIMATE
 * streams; content k is 2^29 + k on WORKLOAD.
 */
#include "eco_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ECO_USER (1u << 30)
#define ECO_CONTENT (1u << 29)
#define ECO_LOAD_MAX 0.9

static double world__clip(double b)
{
    return b < 0.0 ? 0.0 : b > ECO_LOAD_MAX ? ECO_LOAD_MAX : b;
}

/* Grid cells of the servers: positions over the cell sizes of a
 * cols x rows grid of the area (exact for servers.placement: grid). */
static void world__cells(eco *y)
{
    const twin_world_params *wp = &y->setup->world;
    int cols = y->cfg.grid_cols > 0 ? y->cfg.grid_cols : (int)ceil(sqrt((double)y->S));
    int rows = (y->S + cols - 1) / cols;
    for (int s = 0; s < y->S; s++) {
        twin_world_server_xy(y->world, s, &y->sx[s], &y->sy[s]);
        int c = (int)(y->sx[s] / (wp->width / cols)), r = (int)(y->sy[s] / (wp->height / rows));
        y->cell_c[s] = c < 0 ? 0 : c >= cols ? cols - 1 : c;
        y->cell_r[s] = r < 0 ? 0 : r >= rows ? rows - 1 : r;
    }
}

int eco__hops(const eco *y, int a, int b)
{
    return abs(y->cell_c[a] - y->cell_c[b]) + abs(y->cell_r[a] - y->cell_r[b]);
}

/* x(t) of one AR(1) load from x(t-1) (t > 0) or stationary at t = 0. */
static double world__ar1(const eco *y, uint32_t entity, double mean, double prev)
{
    dtfl_rng r;
    dtfl_rng_init(&r, y->useed, DTFL_STREAM_LOAD, entity, (uint32_t)y->t);
    const double z = dtfl_rng_normal(&r), rho = y->cfg.load_memory;
    const double sd = y->cfg.load_sigma;
    if (y->t == 0)
        return mean + sd * z;
    return mean + rho * (prev - mean) + sqrt(1.0 - rho * rho) * sd * z;
}

/* The real CPU and the twin's estimate of one entity. */
static void world__cpu(const eco *y, uint32_t entity, double F, double x,
                       double *act, double *est)
{
    const double b = world__clip(x);
    dtfl_rng r;
    dtfl_rng_init(&r, y->useed, DTFL_STREAM_ESTIMATE, entity, (uint32_t)y->t);
    const double e = y->cfg.dt_error * y->cfg.load_sigma * dtfl_rng_normal(&r);
    *act = F * (1.0 - b);
    *est = F * (1.0 - world__clip(b + e));
}

void eco__episode(eco *y)
{
    const scen_eco_setup *c = &y->cfg;
    world__cells(y);
    double z = 0.0;
    for (int k = 0; k < y->K; k++) {
        dtfl_rng r;
        dtfl_rng_init(&r, y->useed, DTFL_STREAM_WORKLOAD, ECO_CONTENT + (uint32_t)k, 0);
        y->k_bits[k] = dtfl_rng_range(&r, c->task_bits[0], c->task_bits[1]);
        y->k_cpb[k] = dtfl_rng_range(&r, c->cycles_per_bit[0], c->cycles_per_bit[1]);
        z += pow(k + 1.0, -c->zipf);
        y->k_cdf[k] = z;
    }
    for (int k = 0; k < y->K; k++)
        y->k_cdf[k] /= z;
    for (int s = 0; s < y->S; s++) {
        dtfl_rng r;
        dtfl_rng_init(&r, y->useed, DTFL_STREAM_WORKLOAD, ECO_USER - 1 - (uint32_t)s, 0);
        y->F_srv[s] = dtfl_rng_range(&r, c->f_srv[0], c->f_srv[1]);
        y->n_last[s] = 0.0;
    }
    for (int u = 0; u < y->U; u++) {
        dtfl_rng r;
        dtfl_rng_init(&r, y->useed, DTFL_STREAM_WORKLOAD, ECO_USER + (uint32_t)u, 0);
        y->F_dev[u] = dtfl_rng_range(&r, c->f_dev[0], c->f_dev[1]);
        y->budget[u] = dtfl_rng_range(&r, c->budget[0], c->budget[1]);
        y->host[u] = twin_world_nearest(y->world, u);
        y->last_L[u] = y->last_mig[u] = 0.0;
    }
    scen_eco_cache_clear(&y->cache);
}

/* The K_c nearest servers of user u, nearest first (ties by index). */
static void world__candidates(eco *y, int u)
{
    const int Kc = y->Kc;
    int *cand = y->cand + (size_t)u * Kc;
    double *dist = y->dist + (size_t)u * Kc;
    int n = 0;
    for (int s = 0; s < y->S; s++) {
        const double d = hypot(y->px[u] - y->sx[s], y->py[u] - y->sy[s]);
        if (n == Kc && !(d < dist[Kc - 1]))
            continue;
        int j = n < Kc ? n++ : Kc - 1; /* insertion into the sorted list */
        while (j > 0 && d < dist[j - 1]) {
            cand[j] = cand[j - 1], dist[j] = dist[j - 1];
            j--;
        }
        cand[j] = s, dist[j] = d;
    }
}

/* User u's task, power and fading to its candidates. */
static void world__user(eco *y, int u)
{
    const scen_eco_setup *c = &y->cfg;
    dtfl_rng r;
    dtfl_rng_init(&r, y->useed, DTFL_STREAM_WORKLOAD, (uint32_t)u, (uint32_t)y->t);
    y->p[u] = dtfl_rng_range(&r, c->power[0], c->power[1]);
    const double q = dtfl_rng_uniform(&r);
    int k = 0;
    while (k < y->K - 1 && q > y->k_cdf[k])
        k++;
    y->content[u] = k;
    y->D[u] = y->k_bits[k];
    y->C[u] = y->k_cpb[k] * y->k_bits[k];
    world__candidates(y, u);
    for (int j = 0; j < y->Kc; j++) {
        const size_t at = (size_t)u * y->Kc + j;
        const int s = y->cand[at];
        dtfl_rng_init(&r, y->useed, DTFL_STREAM_CHANNEL, (uint32_t)(u * y->S + s),
                      (uint32_t)y->t);
        const double h2 = c->fading_none ? 1.0 : -log1p(-dtfl_rng_uniform(&r));
        y->rate[at] = scen_eco_rate(&c->model, y->p[u], scen_eco_gain(&c->model, y->dist[at]), h2);
        y->hops_host[at] = eco__hops(y, s, y->host[u]);
        y->cached[at] = scen_eco_cache_has(&y->cache, s, k);
    }
}

void eco__views(eco *y)
{
    const scen_eco_setup *c = &y->cfg;
    for (int s = 0; s < y->S; s++)
        y->f_srv_view[s] = y->twinless ? y->F_srv[s] * (1.0 - c->load_srv) : y->f_srv_est[s];
    for (int u = 0; u < y->U; u++)
        y->f_dev_view[u] = y->twinless ? y->F_dev[u] * (1.0 - c->load_dev) : y->f_dev_est[u];
}

void eco__slot_draws(eco *y)
{
    const scen_eco_setup *c = &y->cfg;
    for (int s = 0; s < y->S; s++) {
        y->x_srv[s] = world__ar1(y, (uint32_t)s, c->load_srv, y->x_srv[s]);
        world__cpu(y, (uint32_t)s, y->F_srv[s], y->x_srv[s], &y->f_srv[s], &y->f_srv_est[s]);
    }
    for (int u = 0; u < y->U; u++) {
        const uint32_t e = ECO_USER + (uint32_t)u;
        y->x_dev[u] = world__ar1(y, e, c->load_dev, y->x_dev[u]);
        world__cpu(y, e, y->F_dev[u], y->x_dev[u], &y->f_dev[u], &y->f_dev_est[u]);
        world__user(y, u);
    }
    eco__views(y);
}
