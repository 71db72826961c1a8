/*
 * tmo_policies.c - the policies of the TMO scenario (000): one engine (the
 * per-slot AM of tmo_am.c on predicted positions), several plans.
 *
 *   tmo      the paper: UCB1 picks tau_k at each frame start (eqs. 18-20,
 *            the loss's mean per slot by default, spec E2), the AM decides
 *            migration and shares every slot on the predictor's positions
 *   so       single timescale [30]: tau = 1, the AM every slot on fresh
 *            statuses (no prediction needed)
 *   fto      fixed two timescales [31]: tau = tmo.fto_tau; the AM at frame
 *            starts, the DTs held there for the frame, shares (P4-2) every
 *            slot (tmo.fto_migrate: slot makes it tmo without the bandit)
 *   nearest  a sanity baseline: every DT on the ES nearest its PT's last
 *            known position, equal shares, tau = 1
 * and the predictor ablations tmo-oracle, tmo-cv, tmo-last (the engine's
 * predictor is tmo.predictor). The bandit learns from the observation:
 * each slot reports what the last one realised, and a frame's loss is
 * complete when the next frame starts.
 */
#include "tmo_int.h"
#include "scen_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { TP_TMO, TP_SO, TP_FTO, TP_NEAREST } tmo_kind;

typedef struct tmo_policy {
    tmo_kind kind;
    const scen_tmo_setup *cfg;
    int I, M;
    scen_tmo_work *work;
    sched_ucb *ucb;          /* tmo's bandit over tau = 1..tau_max */
    tmo_pred *pred;
    int tau, arm;            /* the frame's tau; its arm (-1: none yet) */
    double acc;              /* the frame's loss so far (eq. 18) */
    int nacc;                /* slots in it */
    int *access;             /* (I) */
    double *u, *f, *snr, *x, *y; /* (I), (I), (I x M), (I), (I) */
} tmo_policy;

static void tmo_policy__destroy(void *self)
{
    tmo_policy *t = self;
    if (t == NULL)
        return;
    scen_tmo_work_destroy(t->work);
    sched_ucb_destroy(t->ucb);
    tmo_pred_destroy(t->pred);
    free(t->access);
    free(t->u);
    free(t);
}

static int tmo_policy__create(void **self, const scen_policy_setup *ps,
                              tmo_kind kind, int pred, dtfl_err *err)
{
    *self = NULL;
    tmo_policy *t = calloc(1, sizeof *t);
    if (t == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    const scen_tmo_setup *c = ps->setup->params;
    const size_t I = (size_t)ps->info->users, M = (size_t)ps->info->servers;
    t->kind = kind, t->cfg = c, t->I = (int)I, t->M = (int)M, t->arm = -1;
    t->access = calloc(I + 1, sizeof(int));
    t->u = calloc(4 * I + I * M + 1, sizeof(double));
    int rc = t->access == NULL || t->u == NULL
                 ? dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory")
                 : scen_tmo_work_create(&t->work, (int)I, (int)M, err);
    if (rc == 0) {
        t->f = t->u + I, t->x = t->f + I, t->y = t->x + I, t->snr = t->y + I;
        /* so and nearest upload every slot: what they know is fresh */
        scen_tmo_pred_kind k = pred >= 0 ? (scen_tmo_pred_kind)pred
                               : kind == TP_SO || kind == TP_NEAREST ? SCEN_TMO_PRED_LAST
                                                                     : c->engine.predictor;
        rc = tmo_pred_create(&t->pred, k, c->engine.predictor_file, (int)I, err);
    }
    if (rc == 0 && kind == TP_TMO) {
        sched_ucb_params up = {c->tau_max, c->engine.ucb_c, c->engine.ucb_discount};
        rc = sched_ucb_create(&t->ucb, &up, err);
    }
    if (rc < 0) {
        tmo_policy__destroy(t);
        return rc;
    }
    *self = t;
    return 0;
}

/* The bandit's side of a slot: last slot's realised loss into the frame's
 * (eq. 18), the frame's loss to UCB1 when a new one starts, tau chosen. */
static int tmo_policy__frame(tmo_policy *t, const scen_tmo_obs *o, dtfl_err *err)
{
    const scen_tmo_engine *e = &t->cfg->engine;
    const scen_tmo_realised *l = &o->last;
    if (t->ucb != NULL && l->valid) {
        const int drop = e->ucb_drop_exec || !t->cfg->model.exec_energy;
        t->acc += t->cfg->model.V * l->resp + l->Q * (l->sts - drop * l->exec + l->lts);
        t->nacc++;
    }
    if (!o->frame_start)
        return 0;
    if (t->ucb != NULL && t->arm >= 0 && t->nacc > 0) {
        int rc = sched_ucb_update(t->ucb, t->arm,
                                  e->ucb_frame_sum ? t->acc : t->acc / t->nacc, err);
        if (rc < 0)
            return rc;
    }
    t->acc = 0.0, t->nacc = 0;
    switch (t->kind) {
    case TP_TMO:
        t->arm = sched_ucb_select(t->ucb);
        t->tau = t->arm + 1;
        break;
    case TP_FTO:
        t->tau = e->fto_tau;
        break;
    default:
        t->tau = 1;
    }
    return 0;
}

/* Every DT on the ES nearest its believed position; equal shares. */
static void tmo_policy__nearest(tmo_policy *t, const scen_tmo_obs *o)
{
    const int I = t->I, M = t->M;
    int n[M];
    memset(n, 0, sizeof n);
    for (int i = 0; i < I; i++) {
        int best = 0;
        double bd = INFINITY;
        for (int m = 0; m < M; m++) {
            double d = hypot(t->x[i] - o->es_x[m], t->y[i] - o->es_y[m]);
            if (d < bd)
                bd = d, best = m;
        }
        t->access[i] = best;
        n[best]++;
    }
    for (int i = 0; i < I; i++)
        t->u[i] = t->f[i] = 1.0 / n[t->access[i]];
}

static int tmo_policy__decide(void *self, const scen_obs *so, scen_action *a,
                              dtfl_err *err)
{
    tmo_policy *t = self;
    const scen_tmo_obs *o = so->raw;
    const int I = t->I;
    int rc = tmo_policy__frame(t, o, err);
    if (rc < 0)
        return rc;
    tmo_pred_positions(t->pred, o, t->x, t->y);
    const scen_tmo_slot s = scen_tmo_slot_of(o, t->x, t->y, t->tau, t->snr);
    const int hold = t->kind == TP_FTO && !o->frame_start && !t->cfg->engine.fto_migrate_slot;
    double value;
    if (t->kind == TP_NEAREST) {
        tmo_policy__nearest(t, o);
    } else if (hold) { /* FTO inside a frame: the DTs stay, shares anew */
        memcpy(t->access, o->prev, sizeof(int) * (size_t)I);
        scen_tmo_value(t->work, &s, t->access, t->u, t->f);
    } else {
        rc = scen_tmo_am(t->work, &s, &t->cfg->engine.am, t->access, t->u, t->f,
                         &value, NULL, err);
        if (rc < 0)
            return rc;
    }
    const scen_tmo_dec d = {t->access, t->u, t->f, o->frame_start ? t->tau : 0};
    scen_tmo_pack(I, &d, a);
    return 0;
}

/* State: u32 tau, u32 arm + 1, u32 slots in the frame, double loss so far,
 * u32 length and the bandit, u32 length and the predictor. */
static int tmo_policy__save(void *self, uint8_t *buf, size_t *len,
                            dtfl_err *err)
{
    tmo_policy *t = self;
    size_t ul = 0, pl = 0;
    int rc = t->ucb != NULL ? sched_ucb_save(t->ucb, NULL, &ul, err) : 0;
    if (rc == 0)
        rc = tmo_pred_save(t->pred, NULL, &pl, err);
    const size_t need = 20 + 4 + ul + 4 + pl;
    if (rc < 0 || buf == NULL) {
        *len = need;
        return rc;
    }
    if (*len < need)
        return dtfl_err_set(err, DTFL_ERANGE, "policy state: buffer");
    dtfl_put_u32(buf, (uint32_t)t->tau);
    dtfl_put_u32(buf + 4, (uint32_t)(t->arm + 1));
    dtfl_put_u32(buf + 8, (uint32_t)t->nacc);
    dtfl_put_f64(buf + 12, t->acc);
    dtfl_put_u32(buf + 20, (uint32_t)ul);
    if (t->ucb != NULL)
        rc = sched_ucb_save(t->ucb, buf + 24, &ul, err);
    dtfl_put_u32(buf + 24 + ul, (uint32_t)pl);
    if (rc == 0)
        rc = tmo_pred_save(t->pred, buf + 28 + ul, &pl, err);
    *len = need;
    return rc;
}

static int tmo_policy__load(void *self, const uint8_t *buf, size_t len,
                            dtfl_err *err)
{
    tmo_policy *t = self;
    if (len < 28)
        return dtfl_err_set(err, DTFL_EDATA, "policy state: %zu bytes", len);
    const uint32_t tau = dtfl_get_u32(buf), arm = dtfl_get_u32(buf + 4);
    const uint32_t nacc = dtfl_get_u32(buf + 8), ul = dtfl_get_u32(buf + 20);
    const double acc = dtfl_get_f64(buf + 12);
    if (tau > (uint32_t)t->cfg->tau_max || arm > (uint32_t)t->cfg->tau_max ||
        nacc > (uint32_t)t->cfg->tau_max || !(acc >= 0.0) || ul > len - 28 ||
        (ul > 0) != (t->ucb != NULL))
        return dtfl_err_set(err, DTFL_EDATA, "policy state: tau %u, arm %u, "
                                             "%u slots, loss %g", tau, arm,
                            nacc, acc);
    const uint32_t pl = dtfl_get_u32(buf + 24 + ul);
    if ((size_t)pl != len - 28 - ul)
        return dtfl_err_set(err, DTFL_EDATA, "policy state: %zu bytes", len);
    int rc = t->ucb != NULL ? sched_ucb_load(t->ucb, buf + 24, ul, err) : 0;
    if (rc == 0)
        rc = tmo_pred_load(t->pred, buf + 28 + ul, pl, err);
    if (rc < 0)
        return rc;
    t->tau = (int)tau, t->arm = (int)arm - 1, t->nacc = (int)nacc, t->acc = acc;
    return 0;
}

#define TMO_POLICY(id, label, text, kind, pred)                                \
    static int id##__create(void **self, const scen_policy_setup *p,           \
                            dtfl_err *err)                                     \
    {                                                                          \
        return tmo_policy__create(self, p, kind, pred, err);                   \
    }                                                                          \
    static const scen_policy_ops id = {label, text, NULL, id##__create,        \
                                       tmo_policy__decide, tmo_policy__save,   \
                                       tmo_policy__load, tmo_policy__destroy, 0}

TMO_POLICY(tmo_tmo, "tmo", "TMO: tau by UCB1 each frame, migration and "
           "shares by AM each slot on predicted positions", TP_TMO, -1);
TMO_POLICY(tmo_so, "so", "SO: single timescale, status every slot (tau = 1), "
           "AM each slot", TP_SO, -1);
TMO_POLICY(tmo_fto, "fto", "FTO: fixed tau (tmo.fto.tau), migration at frame "
           "starts, shares each slot", TP_FTO, -1);
TMO_POLICY(tmo_nearest, "nearest", "every DT on the ES nearest its PT's last "
           "status, equal shares, tau = 1", TP_NEAREST, -1);
TMO_POLICY(tmo_oracle, "tmo-oracle", "TMO knowing the true positions "
           "(prediction ablation)", TP_TMO, SCEN_TMO_PRED_ORACLE);
TMO_POLICY(tmo_cv, "tmo-cv", "TMO with constant-velocity prediction",
           TP_TMO, SCEN_TMO_PRED_CV);
TMO_POLICY(tmo_last, "tmo-last", "TMO assuming PTs stay at their last status",
           TP_TMO, SCEN_TMO_PRED_LAST);

const scen_policy_ops *const scen__tmo_policies[] = {
    &tmo_tmo, &tmo_so, &tmo_fto, &tmo_nearest, &tmo_oracle, &tmo_cv, &tmo_last,
    NULL};
