/*
 * bench_gamma.c - `dtfl bench gamma`: time to solve the historical-data
 * allocation (eq. 26) of one slot globally, for U = 20 users and S = 9 to
 * 21 servers at the paper's constants (Table II), one core. Slots are drawn
 * like the DITEN scenario: users and servers uniform in 120 m x 120 m,
 * 200-1000 new and previous samples per user, each user on its nearest or a
 * random server, a third of them arriving from another server. Also reports
 * the local method (projected gradient from gamma = 1/2) and how often it
 * stops short of the global optimum. Target: under 100 us at S = 21.
 */
#include "bench.h"

#include "../scen/diten.h"
#include "../twin/twin.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#define BG_U 20
#define BG_SLOTS 2000

typedef struct bg_slot {
    double user_xy[2 * BG_U], server_xy[2 * 32], p[32], q[32], eps[32];
    double dist[BG_U * 32], sdist[32 * 32], phi[BG_U], bits[BG_U];
    int n_new[BG_U], n_prev[BG_U], prev[BG_U], assoc[BG_U];
    scen_diten_obs o;
} bg_slot;

static void bg__draw(bg_slot *b, int S, uint32_t k)
{
    dtfl_rng r;
    dtfl_rng_init(&r, 2024, DTFL_STREAM_POLICY, k, (uint32_t)S);
    for (int s = 0; s < S; s++) {
        b->server_xy[2 * s] = dtfl_rng_range(&r, 0, 120);
        b->server_xy[2 * s + 1] = dtfl_rng_range(&r, 0, 120);
        b->p[s] = dtfl_rng_range(&r, 120, 150);
        b->q[s] = dtfl_rng_range(&r, 1400, 1500);
        b->eps[s] = dtfl_rng_range(&r, 54, 56);
    }
    for (int s = 0; s < S; s++)
        for (int j = 0; j < S; j++)
            b->sdist[s * S + j] =
                twin_dist(TWIN_DIST_MANHATTAN, b->server_xy[2 * s], b->server_xy[2 * s + 1],
                          b->server_xy[2 * j], b->server_xy[2 * j + 1]);
    double phi = 0.2 * dtfl_rng_below(&r, 4);
    for (int u = 0; u < BG_U; u++) {
        double x = dtfl_rng_range(&r, 0, 120), y = dtfl_rng_range(&r, 0, 120);
        b->user_xy[2 * u] = x;
        b->user_xy[2 * u + 1] = y;
        b->phi[u] = phi;
        b->bits[u] = dtfl_rng_range(&r, 4400, 4600);
        b->n_new[u] = 200 + (int)dtfl_rng_below(&r, 801);
        b->n_prev[u] = 200 + (int)dtfl_rng_below(&r, 801);
        int best = 0;
        for (int s = 0; s < S; s++) {
            b->dist[u * S + s] = twin_dist(TWIN_DIST_MANHATTAN, x, y, b->server_xy[2 * s],
                                           b->server_xy[2 * s + 1]);
            if (b->dist[u * S + s] < b->dist[u * S + best])
                best = s;
        }
        b->assoc[u] = dtfl_rng_uniform(&r) < 0.5 ? best : (int)dtfl_rng_below(&r, (uint32_t)S);
        b->prev[u] = dtfl_rng_uniform(&r) < 0.33 ? (int)dtfl_rng_below(&r, (uint32_t)S)
                                                 : b->assoc[u];
    }
    b->o = (scen_diten_obs){1, BG_U, S, b->user_xy, b->server_xy, b->p, b->q, b->eps,
                       b->dist, b->sdist, b->phi, b->bits, b->n_new, b->n_prev, b->prev};
}

typedef struct bg_result {
    int S;
    double optimal_us, local_us;
    int short_of;     /* slots where the local method ended lower */
    double worst_gap; /* largest objective gap */
} bg_result;

static void bg__run(int S, bg_slot *slots, bg_result *res)
{
    scen_diten_params p = scen_diten_defaults();
    static double t_opt[BG_SLOTS], t_loc[BG_SLOTS];
    double g[BG_U], gl[BG_U], scratch[3 * 32];
    res->S = S;
    res->short_of = 0;
    res->worst_gap = 0.0;
    for (int k = 0; k < BG_SLOTS; k++)
        bg__draw(&slots[k], S, (uint32_t)k);
    for (int k = -50; k < BG_SLOTS; k++) { /* 50 warm-up solves */
        bg_slot *b = &slots[k < 0 ? 0 : k];
        double t0 = dtfl_now();
        scen_diten_gamma_optimal(&p, &b->o, b->assoc, g);
        double t1 = dtfl_now();
        scen_diten_gamma_local(&p, &b->o, b->assoc, gl);
        double t2 = dtfl_now();
        if (k < 0)
            continue;
        t_opt[k] = t1 - t0;
        t_loc[k] = t2 - t1;
        scen_diten_eval eo, el;
        scen_diten_evaluate(&p, &b->o, b->assoc, g, scratch, &eo);
        scen_diten_evaluate(&p, &b->o, b->assoc, gl, scratch, &el);
        double gap = eo.objective - el.objective;
        if (gap > 1e-6)
            res->short_of++;
        if (gap > res->worst_gap)
            res->worst_gap = gap;
    }
    res->optimal_us = dtfl_median(t_opt, BG_SLOTS) * 1e6;
    res->local_us = dtfl_median(t_loc, BG_SLOTS) * 1e6;
}

int app_bench_gamma(int json)
{
    bg_slot *slots = malloc(sizeof *slots * BG_SLOTS);
    if (slots == NULL) {
        fprintf(stderr, "dtfl bench gamma: out of memory\n");
        return EX_OSERR;
    }
    const int Ss[4] = {9, 13, 17, 21};
    bg_result res[4];
    for (int i = 0; i < 4; i++)
        bg__run(Ss[i], slots, &res[i]);
    free(slots);
    if (json) {
        cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "runs");
        cJSON_AddStringToObject(o, "bench", "gamma");
        cJSON_AddNumberToObject(o, "users", BG_U);
        cJSON_AddNumberToObject(o, "slots", BG_SLOTS);
        for (int i = 0; i < 4; i++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "servers", res[i].S);
            cJSON_AddNumberToObject(e, "optimal_us", res[i].optimal_us);
            cJSON_AddNumberToObject(e, "local_us", res[i].local_us);
            cJSON_AddNumberToObject(e, "local_short_of_optimum", res[i].short_of);
            cJSON_AddNumberToObject(e, "local_worst_gap", res[i].worst_gap);
            cJSON_AddItemToArray(arr, e);
        }
        app_bench_print_json(o);
        return EX_OK;
    }
    printf("historical-data allocation (eq. 26), U = %d, %d slots each, one core\n\n",
           BG_U, BG_SLOTS);
    printf("%8s %14s %12s %22s %12s\n", "servers", "global, us", "local, us",
           "local short of global", "worst gap");
    for (int i = 0; i < 4; i++)
        printf("%8d %14.1f %12.1f %15d (%4.1f%%) %12.2e %s\n", res[i].S,
               res[i].optimal_us, res[i].local_us, res[i].short_of,
               100.0 * res[i].short_of / BG_SLOTS, res[i].worst_gap,
               res[i].S == 21 ? (res[i].optimal_us < 100 ? "(target < 100 us: met)"
                                                         : "(target < 100 us: MISSED)")
                              : "");
    return EX_OK;
}
