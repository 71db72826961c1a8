/*
 * tmo_state.c - what the TMO scenario (tmo.c) tells a training summary,
 * and its checkpoint state: the slot, the frame in force (its start, end,
 * tau, upload energy and time), where every DT is, the last uploaded
 * statuses, last slot's shares and realised costs, and the queue. A state
 * loads into an instance of the same size only, every value checked.
 */
#include "tmo_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int tmo__describe(void *self, const char **key, const char **text,
                  double *num, int cap)
{
    static const char *preds[4] = {"cv", "last", "oracle", "gru"};
    tmo *y = self;
    if (cap < 6)
        return 0;
    key[0] = "users", text[0] = NULL, num[0] = y->I;
    key[1] = "servers", text[1] = NULL, num[1] = y->M;
    key[2] = "v", text[2] = NULL, num[2] = y->cfg.model.V;
    key[3] = "budget_per_slot_j", text[3] = NULL, num[3] = scen_tmo_budget(&y->cfg, y->I);
    key[4] = "tau_max", text[4] = NULL, num[4] = y->cfg.tau_max;
    key[5] = "predictor", text[5] = preds[y->cfg.engine.predictor];
    return 6;
}

enum { TMO_HEAD = 20, TMO_PER_PT = 8 + 8 * 7, TMO_TAIL = 8 * 8 + 4 };

/* State: u32 slot done, frame start, frame end, tau, frames; per PT u32
 * ES, u32 status slot + 1, doubles status (4), shares u, f and last slot's
 * u; doubles E^lts, sum T^upl, the realised (valid, resp, sts, exec, lts,
 * Q),
 * u32 length and the queue. */
int tmo__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    tmo *y = self;
    const size_t I = (size_t)y->I;
    size_t ql = 0;
    int rc = sched_lyap_save(y->queue, NULL, &ql, err);
    const size_t need = TMO_HEAD + TMO_PER_PT * I + TMO_TAIL + ql;
    if (rc < 0 || buf == NULL) {
        *len = need;
        return rc;
    }
    if (*len < need)
        return dtfl_err_set(err, DTFL_ERANGE, "scenario state: buffer");
    const uint32_t head[5] = {(uint32_t)y->t, (uint32_t)y->t0, (uint32_t)y->t_next,
                              (uint32_t)y->tau, (uint32_t)y->frames};
    for (int k = 0; k < 5; k++)
        dtfl_put_u32(buf + 4 * k, head[k]);
    uint8_t *p = buf + TMO_HEAD;
    for (size_t i = 0; i < I; i++, p += TMO_PER_PT) {
        const scen_tmo_status *s = &y->status[i];
        const double v[7] = {s->x, s->y, s->vx, s->vy, y->u[i], y->f[i], y->uprev[i]};
        dtfl_put_u32(p, (uint32_t)y->prev[i]);
        dtfl_put_u32(p + 4, (uint32_t)(y->status_slot[i] + 1));
        for (int k = 0; k < 7; k++)
            dtfl_put_f64(p + 8 + 8 * k, v[k]);
    }
    const scen_tmo_realised *l = &y->last;
    const double tail[8] = {y->lts, y->upl_time, l->valid, l->resp, l->sts,
                            l->exec, l->lts, l->Q};
    for (int k = 0; k < 8; k++)
        dtfl_put_f64(p + 8 * k, tail[k]);
    dtfl_put_u32(p + 64, (uint32_t)ql);
    *len = need;
    return sched_lyap_save(y->queue, p + 68, &ql, err);
}

static int tmo__bad(dtfl_err *err, const char *what, double v)
{
    return dtfl_err_set(err, DTFL_EDATA, "scenario state: %s %g out of range",
                        what, v);
}

/* The per-PT part, checked before anything is kept. */
static int tmo__load_pts(tmo *y, const uint8_t *p, uint32_t t, dtfl_err *err)
{
    for (int i = 0; i < y->I; i++, p += TMO_PER_PT) {
        const uint32_t m = dtfl_get_u32(p), st = dtfl_get_u32(p + 4);
        if (m >= (uint32_t)y->M || st > t)
            return tmo__bad(err, "ES or status slot", m);
        double v[7];
        for (int k = 0; k < 7; k++)
            if (!isfinite(v[k] = dtfl_get_f64(p + 8 + 8 * k)) ||
                (k >= 4 && !(v[k] > 0.0 && v[k] <= 1.0 + TMO_SHARE_TOL)))
                return tmo__bad(err, "status or share", v[k]);
        y->prev[i] = y->access[i] = (int)m;
        y->status_slot[i] = (int)st - 1;
        y->status[i] = (scen_tmo_status){v[0], v[1], v[2], v[3]};
        y->u[i] = v[4], y->f[i] = v[5], y->uprev[i] = v[6];
    }
    return 0;
}

int tmo__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err)
{
    tmo *y = self;
    const size_t I = (size_t)y->I, head = TMO_HEAD + TMO_PER_PT * I + TMO_TAIL;
    if (len < head || len - head != dtfl_get_u32(buf + head - 4))
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: %zu bytes for %d "
                                             "PTs", len, y->I);
    uint32_t h[5];
    for (int k = 0; k < 5; k++)
        h[k] = dtfl_get_u32(buf + 4 * k);
    if (h[0] == 0 || h[0] > (uint32_t)y->T || h[1] >= h[0] || h[2] < h[0] ||
        h[2] > (uint32_t)y->T || h[3] < 1 || h[3] > (uint32_t)y->cfg.tau_max ||
        h[4] < 1 || h[4] > h[0])
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: slot %u, frame "
                                             "%u..%u of tau %u", h[0], h[1],
                            h[2], h[3]);
    int rc = tmo__reset(y, -1, err);
    for (uint32_t k = 1; rc == 0 && k < h[0]; k++) /* the world at slot t - 1 */
        twin_world_step(y->world, (int)k);
    if (rc == 0)
        rc = tmo__load_pts(y, buf + TMO_HEAD, h[0], err);
    const uint8_t *p = buf + TMO_HEAD + TMO_PER_PT * I;
    double v[8];
    for (int k = 0; rc == 0 && k < 8; k++)
        if (!(isfinite(v[k] = dtfl_get_f64(p + 8 * k)) && v[k] >= 0.0))
            rc = tmo__bad(err, "frame or last slot's value", v[k]);
    if (rc == 0)
        rc = sched_lyap_load(y->queue, buf + head, len - head, err);
    if (rc < 0)
        return rc;
    y->t = (int)h[0], y->t0 = (int)h[1], y->t_next = (int)h[2];
    y->tau = (int)h[3], y->frames = (int)h[4];
    y->lts = v[0], y->upl_time = v[1];
    y->last = (scen_tmo_realised){v[2] != 0.0, v[3], v[4], v[5], v[6], v[7]};
    return 0;
}
