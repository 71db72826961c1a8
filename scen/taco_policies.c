/*
 * taco_policies.c - the policies of the TACO scenario (001): one engine,
 * several plans. TACO alternates P4 (taco_p4.c) and P5 (taco_bcd.c) at
 * each frame start from the greedy start, keeping the best bracket (the
 * safeguard of spec 4.1), and runs P5 alone in the other slots. LOT and
 * CRO, the paper's baselines, are single-timescale plans of the same engine
 * (spec 5): every slot is a frame; LOT picks x from a contract menu and
 * never uploads personal data (y = 0); CRO associates by an ascending
 * auction and optimises x inside BCD. Ablations: taco-k1 (TACO placing
 * every slot), taco-noy (y = 0), taco-pme (P4 by the paper's MILP,
 * taco_pme.c), and two references without optimisation,
 * local (every task on the PT) and full (nearest ES, everything offloaded,
 * x = y = 1, equal shares).
 */
#include "taco_int.h"
#include "scen_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int scen_taco_decide(scen_taco_work *w, const scen_taco_obs *o,
                     const scen_taco_plan *p, scen_taco_dec *d, dtfl_err *err)
{
    const int placing = o->slot % p->period == 0;
    /* the paper's text: start from last slot's decision (spec 7.7) */
    const int inherit = o->engine->start == SCEN_TACO_START_INHERIT && o->slot > 0;
    for (int i = 0; i < o->I; i++) {
        d->access[i] = o->access[i] >= 0 ? o->access[i] : o->nearest[i];
        d->x[i] = o->x[i];
        if (inherit)
            d->y[i] = o->y[i], d->b[i] = o->b[i], d->f[i] = o->f[i], d->z[i] = o->z[i];
    }
    d->period = placing ? p->period : 0;
    if (!inherit)
        scen_taco_greedy(o, p, d);
    if (!placing) {
        scen_taco_bcd(w, o, p, d, NULL);
        return 0;
    }
    double best = INFINITY;
    int l = 1;
    for (; l <= o->engine->alt_max; l++) {
        int rc = scen_taco_p4(w, o, p, d, NULL, err);
        if (rc < 0)
            return rc;
        if (!inherit)
            scen_taco_greedy(o, p, d);
        scen_taco_bcd(w, o, p, d, NULL);
        double v = scen_taco_bracket(o, d);
        if (l > 1 && v > best) { /* the safeguard: keep the better one */
            taco__dec_copy(d, &w->best.d, o->I);
            break;
        }
        taco__dec_copy(&w->best.d, d, o->I);
        int done = l > 1 && fabs(v - best) <= o->engine->alt_eps * fabs(best);
        best = v;
        if (done)
            break;
    }
    return l > o->engine->alt_max ? o->engine->alt_max : l;
}

/* ---- the policies ---- */

typedef enum { TP_ENGINE, TP_LOCAL, TP_FULL } taco_kind;

typedef struct taco_policy {
    taco_kind kind;
    scen_taco_plan plan;
    scen_taco_work *work;
    taco_dec_store dec;
    int I;
} taco_policy;

static void taco_policy__destroy(void *self)
{
    taco_policy *t = self;
    if (t == NULL)
        return;
    scen_taco_work_destroy(t->work);
    taco__store_free(&t->dec);
    free(t);
}

static int taco_policy__create(void **self, const scen_policy_setup *ps,
                               taco_kind kind, scen_taco_plan plan,
                               dtfl_err *err)
{
    *self = NULL;
    taco_policy *t = calloc(1, sizeof *t);
    if (t == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    t->kind = kind;
    t->plan = plan;
    t->I = ps->info->users;
    if (t->plan.period == 0) /* TACO's own: the world's frame */
        t->plan.period = ps->info->frame_slots;
    int rc = scen_taco_work_create(&t->work, t->I, ps->info->servers, err);
    if (rc == 0 && taco__store_init(&t->dec, t->I) < 0)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    if (rc < 0) {
        taco_policy__destroy(t);
        return rc;
    }
    *self = t;
    return 0;
}

/* local and full: at frame starts the nearest ES, in between the same. */
static void taco_policy__fixed(taco_policy *t, const scen_taco_obs *o,
                               scen_taco_dec *d)
{
    const int placing = o->slot % o->K == 0, full = t->kind == TP_FULL;
    for (int i = 0; i < o->I; i++) {
        d->access[i] = placing ? o->nearest[i] : o->access[i];
        d->x[i] = placing ? (double)full : o->x[i];
        d->y[i] = full;
        d->z[i] = full;
    }
    for (int i = 0; i < o->I; i++) {
        int n = 0;
        for (int j = 0; j < o->I; j++)
            n += d->access[j] == d->access[i];
        d->b[i] = d->f[i] = full ? 1.0 / n : 0.0;
    }
    d->period = placing ? o->K : 0;
}

static int taco_policy__decide(void *self, const scen_obs *so, scen_action *a,
                               dtfl_err *err)
{
    taco_policy *t = self;
    const scen_taco_obs *o = so->raw;
    scen_taco_dec *d = &t->dec.d;
    int rc = 0;
    if (t->kind == TP_ENGINE)
        rc = scen_taco_decide(t->work, o, &t->plan, d, err);
    else
        taco_policy__fixed(t, o, d);
    if (rc >= 0)
        scen_taco_pack(t->I, d, a);
    return rc < 0 ? rc : 0;
}

/* period 0 below: the world's frame (K) */
#define TACO_POLICY(id, label, text, kind, ...)                                \
    static int id##__create(void **self, const scen_policy_setup *p,           \
                            dtfl_err *err)                                     \
    {                                                                          \
        return taco_policy__create(self, p, kind, (scen_taco_plan){__VA_ARGS__}, \
                                   err);                                       \
    }                                                                          \
    static const scen_policy_ops id = {label, text, NULL, id##__create,        \
                                       taco_policy__decide, scen__stateless_save, \
                                       scen__stateless_load, taco_policy__destroy, 0}

TACO_POLICY(taco_taco, "taco", "TACO: P4 and P5 alternated each frame, P5 "
            "by BCD each slot", TP_ENGINE, 0, 1, SCEN_TACO_X_CLOSED, 0, 0);
TACO_POLICY(taco_lot, "lot", "LOT: every slot a frame, x from a contract "
            "menu, no personal data (y = 0)", TP_ENGINE, 1, 0, SCEN_TACO_X_MENU, 0, 0);
TACO_POLICY(taco_cro, "cro", "CRO: every slot a frame, association by "
            "auction, x a block of BCD", TP_ENGINE, 1, 1, SCEN_TACO_X_BCD, 1, 0);
TACO_POLICY(taco_k1, "taco-k1", "TACO placing every slot (K = 1)",
            TP_ENGINE, 1, 1, SCEN_TACO_X_CLOSED, 0, 0);
TACO_POLICY(taco_noy, "taco-noy", "TACO without personal data (y = 0)",
            TP_ENGINE, 0, 0, SCEN_TACO_X_CLOSED, 0, 0);
TACO_POLICY(taco_pme, "taco-pme", "TACO with P4 by the paper's piecewise "
            "McCormick MILP (Algorithm 1)", TP_ENGINE, 0, 1, SCEN_TACO_X_CLOSED,
            0, 1);
TACO_POLICY(taco_local, "local", "every task on the PT's local app",
            TP_LOCAL, 0, 0, SCEN_TACO_X_CLOSED, 0, 0);
TACO_POLICY(taco_full, "full", "nearest ES, every task offloaded, x = y = 1, "
            "equal shares", TP_FULL, 0, 0, SCEN_TACO_X_CLOSED, 0, 0);

const scen_policy_ops *const scen__taco_policies[] = {
    &taco_taco, &taco_lot, &taco_cro, &taco_k1, &taco_noy, &taco_pme,
    &taco_local, &taco_full, NULL};
