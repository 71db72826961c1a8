/*
 * bench_taco.c - `dtfl bench taco`: the TACO engine (scen/taco*.c) at the
 * paper's size, I = 40 PTs, M = 10 ESs, K = 10, one core: one slot of BCD
 * (P5, from the greedy start), one exact P4 (the assignment LP on GLPK),
 * the same P4 by the paper's route (P4-3 on GLPK's branch and bound, N = 4,
 * rounding and repair, on one frame in 20: its loss to the exact optimum
 * and its proven bound's gap),
 * one frame start (the P4/P5 alternation), and 200-frame analytic runs of
 * taco, lot and cro. Medians over the 2000 slots (200 frame starts) of one
 * run of the paper's world. --export FILE writes the instance of frame 50
 * (P4's costs, the b and f blocks of every ES) for experiments/taco/peer.py,
 * which solves the same problems with PuLP + CBC and SciPy's SLSQP and
 * prints the two side by side.
 */
#include "bench.h"
#include "env.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define TB_FRAMES 200
#define TB_K 10
#define TB_I 40
#define TB_M 10
#define TB_EXPORT_FRAME 50
#define TB_PME 10 /* frames P4-3 is timed on, one in 20: each takes seconds */

static int tb__env(const char *policy, app_config *cfg, app_env **env,
                   dtfl_err *err)
{
    char text[1024];
    snprintf(text, sizeof text,
             "scenario: taco\nmode: analytic\nmodel: {kind: softmax}\n"
             "world: {width: 1000, height: 1000, slot_seconds: 10, distance: "
             "euclidean, slots: %d, frame_slots: %d}\n"
             "servers: {count: %d, placement: uniform}\nusers: {count: %d}\n"
             "mobility: {model: waypoint, speed: [0.5, 1.5], pause: 0}\n"
             "sched: {policy: %s}\n", TB_FRAMES * TB_K, TB_K, TB_M, TB_I, policy);
    return app_bench_env(text, cfg, env, err);
}

/* Seconds of a whole analytic run of one policy. */
static int tb__run(const char *policy, app_config *cfg, double *seconds,
                   dtfl_err *err)
{
    app_env *env = NULL;
    int rc = tb__env(policy, cfg, &env, err);
    double t0 = dtfl_now();
    while (rc == 0)
        rc = app_env_slot(env, err) == 1 ? 1 : rc;
    *seconds = dtfl_now() - t0;
    app_env_destroy(env);
    return rc < 0 ? rc : 0;
}

typedef struct tb_times {
    double bcd[TB_FRAMES * TB_K], p4[TB_FRAMES], frame[TB_FRAMES];
    double pme[TB_PME], pme_loss[TB_PME], pme_bound[TB_PME];
    int iters[TB_FRAMES * TB_K], pme_optimal;
} tb_times;

/* Room for a copy of a decision, and the copy. */
typedef struct tb_dec {
    int ints[3 * TB_I + 1];
    double reals[4 * TB_I];
} tb_dec;

static scen_taco_dec tb__copy(tb_dec *room, const scen_taco_dec *d)
{
    double *r = room->reals;
    scen_taco_dec c = {room->ints, r, r + TB_I, r + 2 * TB_I, r + 3 * TB_I,
                       room->ints + TB_I, d->period};
    memcpy(c.access, d->access, sizeof(int) * TB_I);
    memcpy(c.z, d->z, sizeof(int) * TB_I);
    memcpy(c.x, d->x, sizeof(double) * TB_I);
    memcpy(c.y, d->y, sizeof(double) * TB_I);
    memcpy(c.b, d->b, sizeof(double) * TB_I);
    memcpy(c.f, d->f, sizeof(double) * TB_I);
    return c;
}

/* P4 by the paper's route on a copy of d (exact: the exact route's value):
 * its time, its loss to the exact optimum and its bound's gap, relative. */
static int tb__pme(scen_taco_work *w, const scen_taco_obs *o,
                   const scen_taco_plan *p, const scen_taco_dec *d,
                   double exact, tb_times *tt, int k, dtfl_err *err)
{
    tb_dec room;
    scen_taco_dec c = tb__copy(&room, d);
    scen_taco_pme_info info;
    double value, t0 = dtfl_now();
    int rc = scen_taco_p4_pme(w, o, p, &c, &value, &info, err);
    tt->pme[k] = dtfl_now() - t0;
    tt->pme_loss[k] = (value - exact) / fabs(exact);
    tt->pme_bound[k] = (exact - info.bound) / fabs(exact);
    tt->pme_optimal += info.optimal;
    return rc;
}

/* The instance of a frame start: P4's costs and each ES's blocks, with
 * dtfl's answers (its assignment, its b and f of each block). */
static void tb__export(FILE *f, scen_taco_work *w, const scen_taco_obs *o,
                       const scen_taco_plan *p, const scen_taco_dec *d,
                       int iters)
{
    double wb[TB_I], cf[TB_I], x;
    tb_dec copy;
    scen_taco_dec c = tb__copy(&copy, d);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "I", o->I);
    cJSON_AddNumberToObject(j, "M", o->M);
    cJSON_AddNumberToObject(j, "seats", scen_taco_p4_seats(o));
    cJSON_AddNumberToObject(j, "bcd_iterations", iters);
    cJSON_AddNumberToObject(j, "bandwidth_hz", o->model->bw);
    cJSON *cost = cJSON_AddArrayToObject(j, "p4_cost");
    for (int i = 0; i < o->I; i++)
        for (int m = 0; m < o->M; m++)
            cJSON_AddItemToArray(cost, cJSON_CreateNumber(
                                           scen_taco_p4_cost(o, p, d, i, m, &x)));
    scen_taco_weights(o, d, wb, cf);
    scen_taco_step_b(w, o, &c);
    scen_taco_step_f(o, &c);
    cJSON *es = cJSON_AddArrayToObject(j, "es");
    for (int m = 0; m < o->M; m++) {
        cJSON *e = cJSON_CreateObject(), *wa = cJSON_AddArrayToObject(e, "w");
        cJSON *snr = cJSON_AddArrayToObject(e, "snr"), *ca = cJSON_AddArrayToObject(e, "c");
        cJSON *b = cJSON_AddArrayToObject(e, "dtfl_b"), *fa = cJSON_AddArrayToObject(e, "dtfl_f");
        for (int i = 0; i < o->I; i++)
            if (d->access[i] == m) {
                cJSON_AddItemToArray(wa, cJSON_CreateNumber(wb[i]));
                cJSON_AddItemToArray(snr, cJSON_CreateNumber(o->snr[(size_t)i * o->M + m]));
                cJSON_AddItemToArray(ca, cJSON_CreateNumber(cf[i]));
                cJSON_AddItemToArray(b, cJSON_CreateNumber(c.b[i]));
                cJSON_AddItemToArray(fa, cJSON_CreateNumber(c.f[i]));
            }
        cJSON_AddItemToArray(es, e);
    }
    dtfl_err err;
    cJSON *a = cJSON_AddArrayToObject(j, "dtfl_access");
    if (scen_taco_p4(w, o, p, &c, NULL, &err) == 0)
        for (int i = 0; i < o->I; i++)
            cJSON_AddItemToArray(a, cJSON_CreateNumber(c.access[i]));
    char *s = cJSON_Print(j);
    if (s != NULL)
        fprintf(f, "%s\n", s);
    cJSON_free(s);
    cJSON_Delete(j);
}

/* One slot of the engine, timed in parts, then carried out. */
static int tb__slot(scen *sc, scen_taco_work *w, scen_taco_dec *d,
                    scen_action *act, tb_times *tt, FILE *exp, dtfl_err *err)
{
    const scen_ops *ops = scen_ops_of(sc);
    scen_obs so;
    int rc = ops->observe(scen_self(sc), &so, err);
    const scen_taco_obs *o = so.raw;
    const scen_taco_plan plan = {TB_K, 1, SCEN_TACO_X_CLOSED, 0, 0};
    const int t = so.slot, placing = t % TB_K == 0;
    for (int i = 0; rc == 0 && i < o->I; i++) {
        d->access[i] = o->access[i] >= 0 ? o->access[i] : o->nearest[i];
        d->x[i] = o->x[i];
    }
    d->period = 0;
    scen_taco_greedy(o, &plan, d);
    double t0 = dtfl_now();
    tt->iters[t] = scen_taco_bcd(w, o, &plan, d, NULL);
    tt->bcd[t] = dtfl_now() - t0;
    if (rc == 0 && placing) {
        d->period = TB_K;
        scen_taco_greedy(o, &plan, d);
        if (exp != NULL && t == TB_EXPORT_FRAME * TB_K)
            tb__export(exp, w, o, &plan, d, tt->iters[t]);
        tb_dec room;
        scen_taco_dec before = tb__copy(&room, d);
        double exact;
        t0 = dtfl_now();
        rc = scen_taco_p4(w, o, &plan, d, &exact, err);
        tt->p4[t / TB_K] = dtfl_now() - t0;
        const int every = TB_FRAMES / TB_PME;
        if (rc == 0 && t / TB_K % every == 0)
            rc = tb__pme(w, o, &plan, &before, exact, tt, t / TB_K / every, err);
    }
    t0 = dtfl_now();
    if (rc == 0)
        rc = scen_taco_decide(w, o, &plan, d, err) < 0 ? -1 : 0;
    if (placing)
        tt->frame[t / TB_K] = dtfl_now() - t0;
    scen_result res;
    if (rc == 0) {
        scen_taco_pack(o->I, d, act);
        rc = ops->step(scen_self(sc), act, &res, err);
    }
    return rc;
}

static int tb__micro(app_config *cfg, tb_times *tt, const char *export_path,
                     dtfl_err *err)
{
    app_env *env = NULL;
    scen_taco_work *w = NULL;
    int ints[3 * TB_I + 1];
    double reals[4 * TB_I];
    scen_taco_dec d = {ints, reals, reals + TB_I, reals + 2 * TB_I, reals + 3 * TB_I,
                       ints + TB_I, 0};
    int act_d[2 * TB_I + 1];
    double act_b[4 * TB_I];
    scen_action act = {act_d, act_b};
    FILE *exp = NULL;
    int rc = tb__env("taco", cfg, &env, err);
    if (rc == 0)
        rc = scen_taco_work_create(&w, TB_I, TB_M, err);
    if (rc == 0 && export_path != NULL && (exp = fopen(export_path, "w")) == NULL)
        rc = dtfl_err_set(err, DTFL_EIO, "%s: cannot write", export_path);
    for (int t = 0; rc == 0 && t < TB_FRAMES * TB_K; t++)
        rc = tb__slot(app_env_scen(env), w, &d, &act, tt, exp, err);
    if (exp != NULL && fclose(exp) != 0 && rc == 0)
        rc = dtfl_err_set(err, DTFL_EIO, "%s: cannot write", export_path);
    scen_taco_work_destroy(w);
    app_env_destroy(env);
    return rc;
}

int app_bench_taco(const char *export_path, int json)
{
    dtfl_err err = {0};
    app_config *cfg = malloc(sizeof *cfg);
    tb_times *tt = calloc(1, sizeof *tt);
    const char *pols[3] = {"taco", "lot", "cro"};
    double run[3] = {0};
    int rc = cfg == NULL || tt == NULL
                 ? dtfl_err_set(&err, DTFL_ENOMEM, "bench: out of memory")
                 : tb__micro(cfg, tt, export_path, &err);
    for (int k = 0; rc == 0 && k < 3; k++)
        rc = tb__run(pols[k], cfg, &run[k], &err);
    if (rc < 0) {
        fprintf(stderr, "dtfl bench taco: %s\n", err.msg);
        free(cfg), free(tt);
        return EX_SOFTWARE;
    }
    double it[TB_FRAMES * TB_K];
    for (int t = 0; t < TB_FRAMES * TB_K; t++)
        it[t] = tt->iters[t];
    const double bcd = dtfl_median(tt->bcd, TB_FRAMES * TB_K);
    const double p4 = dtfl_median(tt->p4, TB_FRAMES), fr = dtfl_median(tt->frame, TB_FRAMES);
    const double iters = dtfl_median(it, TB_FRAMES * TB_K);
    const double pme = dtfl_median(tt->pme, TB_PME);
    const double loss = dtfl_median(tt->pme_loss, TB_PME);
    const double gap = dtfl_median(tt->pme_bound, TB_PME);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bench", "taco");
        cJSON_AddNumberToObject(o, "bcd_slot_s", bcd);
        cJSON_AddNumberToObject(o, "bcd_iterations", iters);
        cJSON_AddNumberToObject(o, "p4_exact_s", p4);
        cJSON_AddNumberToObject(o, "frame_start_s", fr);
        cJSON_AddNumberToObject(o, "p4_pme_s", pme);
        cJSON_AddNumberToObject(o, "p4_pme_loss", loss);
        cJSON_AddNumberToObject(o, "p4_pme_bound_gap", gap);
        cJSON_AddNumberToObject(o, "p4_pme_optimal", tt->pme_optimal);
        cJSON_AddNumberToObject(o, "p4_pme_solves", TB_PME);
        for (int k = 0; k < 3; k++) {
            char key[32];
            snprintf(key, sizeof key, "run_%s_s", pols[k]);
            cJSON_AddNumberToObject(o, key, run[k]);
        }
        app_bench_print_json(o);
    } else {
        printf("TACO engine, I = %d, M = %d, K = %d, one core, medians over %d "
               "slots\n\n", TB_I, TB_M, TB_K, TB_FRAMES * TB_K);
        printf("  %-44s %9.1f us  (target <= 500; %.0f iterations)\n",
               "BCD, one slot from the greedy start", bcd * 1e6, iters);
        printf("  %-44s %9.3f ms  (target <= 1)\n", "P4 exact, one solve (GLPK)", p4 * 1e3);
        printf("  %-44s %9.3f ms  (%d of %d optimal; relative to exact: loss "
               "%.2g, bound gap %+.2g)\n", "P4 by P4-3 (pme, N = 4), one solve",
               pme * 1e3, tt->pme_optimal, TB_PME, loss, gap);
        printf("  %-44s %9.3f ms\n", "frame start (P4/P5 alternation)", fr * 1e3);
        printf("  %-44s %9.2f s   (target <= 3)\n", "200 frames of taco, analytic", run[0]);
        printf("  %-44s %9.2f s   (target <= 7)\n", "200 frames of lot", run[1]);
        printf("  %-44s %9.2f s   (target <= 7)\n", "200 frames of cro", run[2]);
        printf("\nthe peer (PuLP + CBC, SciPy SLSQP) on the same instance: "
               "make bench-taco\n");
    }
    free(cfg), free(tt);
    return EX_OK;
}
