/*
 * eco_state.c - the ecoedgetwin scenario's (eco.c) episode start, the
 * learners' vector view of a slot (spec 4), a training summary's
 * description, and the checkpoint state: the slot, every server's load and
 * last slot's tasks, every user's host, load, last latency and migration
 * cost, and the caches. A state loads into an instance of the same size
 * only, every value checked; the caches' fill is recomputed from what they
 * hold.
 */
#include "eco_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A saved state's bounds: an AR(1) load (clipped to [0, 0.9] when used),
 * a latency (s) or a migration cost. */
#define ECO_LOAD_BOUND 100.0
#define ECO_STATE_MAX 1e15

int eco__reset(void *self, int episode, dtfl_err *err)
{
    eco *y = self;
    int rc = scen__world(y->setup, episode, &y->world, &y->useed, err);
    y->t = 0;
    if (rc == 0)
        eco__episode(y);
    return rc;
}

/* per user 13, per candidate 6, per server 3 */
int eco__state_dim(int U, int S, int Kc) { return U * (13 + 6 * Kc) + 3 * S; }

static float st__f(double v) { return (float)v; }

/* A latency over L_max, at most ECO_VIEW_LMAX: past it W is 0 anyway, and
 * a deep fade's 19 s would otherwise be an input of 76 among values of
 * about 1 (spec 4: every input scaled to about [0, 1]). */
#define ECO_VIEW_LMAX 4.0
static float st__lat(const eco *y, double l)
{
    const double v = l / y->cfg.model.l_max;
    return (float)(v < ECO_VIEW_LMAX ? v : ECO_VIEW_LMAX);
}

/* User u's part: where it is and is going, its task, its device, its last
 * slot, its service. */
static float *st__user(const eco *y, int u, float *x)
{
    const scen_eco_setup *c = &y->cfg;
    const twin_world_params *wp = &y->setup->world;
    const double w = wp->width, h = wp->height, dt = wp->slot_seconds;
    double nx = y->px[u], ny = y->py[u]; /* the twin's guess of the next */
    if (!y->twinless && c->dt_position && y->t > 0) {
        nx = fmin(fmax(2.0 * y->px[u] - y->qx[u], 0.0), w);
        ny = fmin(fmax(2.0 * y->py[u] - y->qy[u], 0.0), h);
    }
    const int k = y->content[u], hs = y->host[u];
    const double pop = y->k_cdf[k] - (k > 0 ? y->k_cdf[k - 1] : 0.0);
    *x++ = st__f(y->px[u] / w), *x++ = st__f(y->py[u] / h);
    *x++ = st__f(nx / w), *x++ = st__f(ny / h);
    *x++ = st__f(hypot(y->px[u] - y->qx[u], y->py[u] - y->qy[u]) / dt / 20.0);
    *x++ = st__f(y->D[u] / c->task_bits[1]);
    *x++ = st__f(y->C[u] / (c->task_bits[1] * c->cycles_per_bit[1]));
    *x++ = st__f(pop);
    *x++ = st__f(y->f_dev_view[u] / c->f_dev[1]);
    *x++ = st__f(y->budget[u] / c->budget[1]);
    *x++ = st__lat(y, y->last_L[u]);
    *x++ = st__f(y->last_mig[u] / c->budget[1]);
    *x++ = st__f(hypot(y->px[u] - y->sx[hs], y->py[u] - y->sy[hs]) / hypot(w, h));
    return x;
}

void eco__agent_obs(void *self, int a, float *x)
{
    (void)a; /* every agent sees the whole slot */
    const eco *y = self;
    const scen_eco_setup *c = &y->cfg;
    const double hops = (double)(y->S > 1 ? y->S : 1);
    for (int u = 0; u < y->U; u++) {
        x = st__user(y, u, x);
        for (int j = 0; j < y->Kc; j++) {
            const size_t at = (size_t)u * y->Kc + j;
            const int s = y->cand[at];
            *x++ = st__f(y->dist[at] / 1000.0);
            *x++ = st__f(y->rate[at] / 1e9);
            *x++ = st__f(y->f_srv_view[s] / c->f_srv[1]);
            *x++ = st__f(y->hops_host[at] / hops);
            *x++ = st__f(y->cached[at]);
            *x++ = st__lat(y, scen_eco_offload_est(&y->obs, u, j));
        }
    }
    for (int s = 0; s < y->S; s++) {
        *x++ = st__f(y->f_srv_view[s] / c->f_srv[1]);
        *x++ = st__f(y->cache.used[s] / y->cache.capacity);
        *x++ = st__f(y->n_last[s]);
    }
}

int eco__describe(void *self, const char **key, const char **text, double *num,
                  int cap)
{
    eco *y = self;
    if (cap < 5)
        return 0;
    key[0] = "users", text[0] = NULL, num[0] = y->U;
    key[1] = "servers", text[1] = NULL, num[1] = y->S;
    key[2] = "view", text[2] = y->twinless ? "nominal (no twins)" : "twins";
    key[3] = "dt_error", text[3] = NULL, num[3] = y->cfg.dt_error;
    key[4] = "load_sigma", text[4] = NULL, num[4] = y->cfg.load_sigma;
    return 5;
}

/* State: u32 slot done, u32 cache clock; per server doubles load, last
 * tasks; per user u32 host, doubles load, last latency, last cost; the
 * caches' stamps (S x K u32). */
static size_t st__size(const eco *y)
{
    return 8 + 16 * (size_t)y->S + 28 * (size_t)y->U + 4 * (size_t)y->S * y->K;
}

int eco__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    eco *y = self;
    const size_t need = st__size(y);
    if (buf == NULL) {
        *len = need;
        return 0;
    }
    if (*len < need)
        return dtfl_err_set(err, DTFL_ERANGE, "scenario state: buffer");
    dtfl_put_u32(buf, (uint32_t)y->t);
    dtfl_put_u32(buf + 4, y->cache.clock);
    uint8_t *p = buf + 8;
    for (int s = 0; s < y->S; s++, p += 16) {
        dtfl_put_f64(p, y->x_srv[s]);
        dtfl_put_f64(p + 8, y->n_last[s]);
    }
    for (int u = 0; u < y->U; u++, p += 28) {
        dtfl_put_u32(p, (uint32_t)y->host[u]);
        dtfl_put_f64(p + 4, y->x_dev[u]);
        dtfl_put_f64(p + 12, y->last_L[u]);
        dtfl_put_f64(p + 20, y->last_mig[u]);
    }
    for (size_t k = 0; k < (size_t)y->S * y->K; k++, p += 4)
        dtfl_put_u32(p, y->cache.stamp[k]);
    *len = need;
    return 0;
}

/* The values, checked; the world and the episode's draws were reset. */
static int st__take(eco *y, const uint8_t *p, uint32_t clock, dtfl_err *err)
{
    for (int s = 0; s < y->S; s++, p += 16) {
        y->x_srv[s] = dtfl_get_f64(p);
        y->n_last[s] = dtfl_get_f64(p + 8);
        if (!(fabs(y->x_srv[s]) <= ECO_LOAD_BOUND) ||
            !(y->n_last[s] >= 0.0 && y->n_last[s] <= 1.0))
            return dtfl_err_set(err, DTFL_EDATA, "scenario state: server %d", s);
    }
    for (int u = 0; u < y->U; u++, p += 28) {
        const uint32_t h = dtfl_get_u32(p);
        y->x_dev[u] = dtfl_get_f64(p + 4);
        y->last_L[u] = dtfl_get_f64(p + 12);
        y->last_mig[u] = dtfl_get_f64(p + 20);
        if (h >= (uint32_t)y->S || !(fabs(y->x_dev[u]) <= ECO_LOAD_BOUND) ||
            !(y->last_L[u] >= 0.0 && y->last_L[u] <= ECO_STATE_MAX) ||
            !(y->last_mig[u] >= 0.0 && y->last_mig[u] <= ECO_STATE_MAX))
            return dtfl_err_set(err, DTFL_EDATA, "scenario state: user %d", u);
        y->host[u] = (int)h;
    }
    for (int s = 0; s < y->S; s++) {
        y->cache.used[s] = 0.0;
        for (int k = 0; k < y->K; k++, p += 4) {
            const uint32_t v = dtfl_get_u32(p);
            if (v > clock)
                return dtfl_err_set(err, DTFL_EDATA, "scenario state: cache stamp");
            y->cache.stamp[(size_t)s * y->K + k] = v;
            y->cache.used[s] += v != 0 ? y->k_bits[k] : 0.0;
        }
        if (y->cache.used[s] > y->cache.capacity * (1.0 + 1e-12))
            return dtfl_err_set(err, DTFL_EDATA, "scenario state: server %d's "
                                "cache over its capacity", s);
    }
    y->cache.clock = clock;
    return 0;
}

int eco__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err)
{
    eco *y = self;
    if (len != st__size(y))
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: %zu bytes for %d "
                            "users, %d servers", len, y->U, y->S);
    const uint32_t t = dtfl_get_u32(buf);
    if (t == 0 || t > (uint32_t)y->T)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: slot %u", t);
    int rc = eco__reset(y, -1, err);
    for (uint32_t k = 1; rc == 0 && k < t; k++) /* the world at slot t - 1 */
        twin_world_step(y->world, (int)k);
    if (rc == 0)
        rc = st__take(y, buf + 8, dtfl_get_u32(buf + 4), err);
    if (rc == 0)
        y->t = (int)t;
    return rc;
}
