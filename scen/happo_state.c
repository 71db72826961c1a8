/*
 * happo_state.c - the happo scenario's (happo.c) episode start, what each
 * agent sees (spec 1: eqs. 20, 22, 24 with the spec's additions), the
 * critics' global state, which action values acted (spec A12), a training
 * summary's description, and checkpoints: the slot, and per MU its DT's
 * server, migration slots left and both queues, every value checked.
 *
 * Scales: positions / the area's side, D / D_max, C / C_max, tau / slot,
 * queues / Y_s, slots / T.
 */
#include "happo_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void happo__episode(happo *h)
{
    const double w = h->cfg.model.wired * h->setup->world.slot_seconds;
    for (int m = 0; m < h->M; m++)
        twin_world_server_xy(h->world, m, &h->bx[m], &h->by[m]);
    happo__step_world(h); /* slot 0's positions: the DTs start nearest */
    for (int k = 0; k < h->K; k++) {
        h->host[k] = h->assoc[k];
        h->mig_left[k] = 0;
        h->Y[k] = h->Yf[k] = 0.0;
        h->last[k] = -1;
        /* G_k = ceil(S_k / (w delta_t)) (spec 3), or the config's */
        const double bits = twin_world_user_twin_bits(h->world, k);
        const int g = h->cfg.migration_slots > 0 ? h->cfg.migration_slots
                                                 : (int)ceil(bits / w - 1e-9);
        h->gk[k] = g < h->T - 1 ? g : h->T - 1;
    }
}

int happo__reset(void *self, int episode, dtfl_err *err)
{
    happo *h = self;
    int rc = scen__world(h->setup, episode, &h->world, &h->useed, err);
    h->t = 0;
    if (rc == 0)
        happo__episode(h);
    return rc;
}

int happo__mu_dim(int M) { return 8 + 2 * M; }
int happo__bs_dim(int K, int M) { return 1 + 2 * M + 9 * K; }
int happo__cc_dim(int K, int M) { return K * M + 2 * M + 2 * K + 1; }
int happo__state_dim(int K, int M) { return 8 * K + 2 * M + 2 * K * M + 1; }

static float *st__xy(const happo *h, double x, double y, float *o)
{
    *o++ = (float)(x / h->setup->world.width);
    *o++ = (float)(y / h->setup->world.height);
    return o;
}

/* MU k's request: D / D_max, C / C_max, tau / slot. */
static float *st__task(const happo *h, int k, float *o)
{
    *o++ = (float)(h->D[k] / h->cfg.data_bits[1]);
    *o++ = (float)(h->C[k] / h->cfg.cycles[1]);
    *o++ = (float)(h->tau[k] / h->setup->world.slot_seconds);
    return o;
}

static float st__idx(int i, int n) { return n > 1 ? (float)i / (float)(n - 1) : 0.0f; }

/* Eq. 20: k / (K - 1), u_k, every q_m, a_k, D, C, tau; + Y_k[qT] / Y_s. */
static void st__mu(const happo *h, int k, float *o)
{
    *o++ = st__idx(k, h->K);
    o = st__xy(h, h->ux[k], h->uy[k], o);
    for (int m = 0; m < h->M; m++)
        o = st__xy(h, h->bx[m], h->by[m], o);
    *o++ = (float)h->req[k];
    o = st__task(h, k, o);
    *o = h->cfg.obs_queue ? (float)(h->Yf[k] / h->cfg.queue_scale) : 0.0f;
}

/* Eq. 22: m / (M - 1), q_m, the other q; per MU (zeros without a
 * request) a_k, alpha_km, u_k, D, C, tau, hosted here, relayed from here. */
static void st__bs(const happo *h, int m, float *o)
{
    *o++ = st__idx(m, h->M);
    o = st__xy(h, h->bx[m], h->by[m], o);
    for (int j = 0; j < h->M; j++)
        if (j != m)
            o = st__xy(h, h->bx[j], h->by[j], o);
    for (int k = 0; k < h->K; k++, o += 9) {
        if (!h->req[k]) {
            memset(o, 0, 9 * sizeof *o);
            continue;
        }
        o[0] = 1.0f, o[1] = (float)(h->assoc[k] == m);
        st__xy(h, h->ux[k], h->uy[k], o + 2);
        st__task(h, k, o + 4);
        o[7] = (float)(h->host[k] == m);
        o[8] = (float)(h->assoc[k] == m && h->host[k] != m);
    }
}

/* Eq. 24: alpha one-hot (K x M), every q_m, every u_k; + the frame's
 * phase (n - qT) / T. */
static void st__cc(const happo *h, float *o)
{
    for (int k = 0; k < h->K; k++, o += h->M) {
        memset(o, 0, sizeof *o * (size_t)h->M);
        o[h->assoc[k]] = 1.0f;
    }
    for (int m = 0; m < h->M; m++)
        o = st__xy(h, h->bx[m], h->by[m], o);
    for (int k = 0; k < h->K; k++)
        o = st__xy(h, h->ux[k], h->uy[k], o);
    *o = (float)(h->t % h->T) / (float)h->T;
}

void happo__agent_obs(void *self, int a, float *x)
{
    const happo *h = self;
    if (a < h->K)
        st__mu(h, a, x);
    else if (a < h->K + h->M)
        st__bs(h, a - h->K, x);
    else
        st__cc(h, x);
}

/* The critics' s[n] (spec 1): u, q, a, D, C, tau, alpha and beta(q)
 * one-hot, migration slots left / T, Y_k[qT] / Y_s, the phase. */
void happo__state(void *self, float *o)
{
    const happo *h = self;
    const int K = h->K, M = h->M;
    for (int k = 0; k < K; k++)
        o = st__xy(h, h->ux[k], h->uy[k], o);
    for (int m = 0; m < M; m++)
        o = st__xy(h, h->bx[m], h->by[m], o);
    for (int k = 0; k < K; k++) {
        *o++ = (float)h->req[k];
        o = st__task(h, k, o);
    }
    memset(o, 0, sizeof *o * 2 * (size_t)K * M);
    for (int k = 0; k < K; k++) {
        o[(size_t)k * M + h->assoc[k]] = 1.0f;
        o[(size_t)K * M + (size_t)k * M + h->host[k]] = 1.0f;
    }
    o += 2 * (size_t)K * M;
    for (int k = 0; k < K; k++) {
        *o++ = (float)h->mig_left[k] / (float)h->T;
        *o++ = (float)(h->Yf[k] / h->cfg.queue_scale);
    }
    *o = (float)(h->t % h->T) / (float)h->T;
}

/* Spec A12: an MU's power acts when it transmitted; a BS's compute score
 * for MU k when k's DT is on its server and k transmitted (H_m), its wire
 * score when k was relayed from it (L_m); the control centre's choice for
 * k when k requested (r_c's term is 0 otherwise). Of the last step. */
void happo__action_mask(void *self, int a, uint8_t *mask)
{
    const happo *h = self;
    const int K = h->K;
    if (a < K) {
        mask[0] = (uint8_t)h->tx[a];
        return;
    }
    if (a < K + h->M) {
        const int m = a - K;
        for (int k = 0; k < K; k++) {
            mask[k] = (uint8_t)(h->tx[k] && h->host[k] == m);
            mask[K + k] = (uint8_t)(h->tx[k] && h->assoc[k] == m && h->host[k] != m);
        }
        return;
    }
    for (int k = 0; k < K; k++)
        mask[k] = (uint8_t)h->req[k];
}

int happo__describe(void *self, const char **key, const char **text,
                    double *num, int cap)
{
    const happo *h = self;
    static const char *const inter[] = {"physical", "literal", "intracell"};
    if (cap < 5)
        return 0;
    key[0] = "interference", text[0] = inter[h->cfg.model.interference];
    key[1] = "energy", text[1] = h->cfg.model.energy_capped ? "capped" : "literal";
    key[2] = "reward", text[2] = h->cfg.model.reward_literal ? "literal" : "per_user";
    key[3] = "lambda", text[3] = NULL, num[3] = h->cfg.lambda;
    key[4] = "migration_slots", text[4] = NULL, num[4] = h->gk[0];
    return 5;
}

/* State: u32 slot done; per MU u32 host, u32 migration slots left, f64 Y,
 * f64 Y_k[qT], i32 the slot of its last sync (-1: none). */
#define ST_USER 28
#define ST_QUEUE_MAX 1e9

int happo__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    happo *h = self;
    const size_t need = 4 + ST_USER * (size_t)h->K;
    if (buf == NULL) {
        *len = need;
        return 0;
    }
    if (*len < need)
        return dtfl_err_set(err, DTFL_ERANGE, "scenario state: buffer");
    dtfl_put_u32(buf, (uint32_t)h->t);
    uint8_t *p = buf + 4;
    for (int k = 0; k < h->K; k++, p += ST_USER) {
        dtfl_put_u32(p, (uint32_t)h->host[k]);
        dtfl_put_u32(p + 4, (uint32_t)h->mig_left[k]);
        dtfl_put_f64(p + 8, h->Y[k]);
        dtfl_put_f64(p + 16, h->Yf[k]);
        dtfl_put_u32(p + 24, (uint32_t)h->last[k]);
    }
    *len = need;
    return 0;
}

int happo__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err)
{
    happo *h = self;
    if (len != 4 + ST_USER * (size_t)h->K)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: %zu bytes for %d MUs",
                            len, h->K);
    const uint32_t t = dtfl_get_u32(buf);
    if (t == 0 || t > (uint32_t)h->slots)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: slot %u", t);
    int rc = happo__reset(h, -1, err);
    for (uint32_t n = 1; rc == 0 && n < t; n++) /* the world at slot t - 1 */
        twin_world_step(h->world, (int)n);
    const uint8_t *p = buf + 4;
    for (int k = 0; rc == 0 && k < h->K; k++, p += ST_USER) {
        const uint32_t host = dtfl_get_u32(p), left = dtfl_get_u32(p + 4);
        const double Y = dtfl_get_f64(p + 8), Yf = dtfl_get_f64(p + 16);
        const int32_t last = (int32_t)dtfl_get_u32(p + 24);
        if (host >= (uint32_t)h->M || left > (uint32_t)h->gk[k] ||
            !(Y >= 0.0 && Y <= ST_QUEUE_MAX) || !(Yf >= 0.0 && Yf <= ST_QUEUE_MAX) ||
            last < -1 || last >= (int32_t)t)
            rc = dtfl_err_set(err, DTFL_EDATA, "scenario state: MU %d", k);
        else
            h->host[k] = (int)host, h->mig_left[k] = (int)left, h->Y[k] = Y, h->Yf[k] = Yf,
            h->last[k] = (int)last;
    }
    if (rc == 0)
        h->t = (int)t;
    return rc;
}
