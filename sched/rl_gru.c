/*
 * rl_gru.c - one GRU layer (Cho et al. 2014) in PyTorch's nn.GRU
 * convention, forward and backward through time on cblas (issue 13's
 * position predictor stacks two). Gates stacked [r; z; n]:
 *   gi = x W_ih^T + b_ih,  gh = h_prev W_hh^T + b_hh          (B, 3H) each
 *   r = sigma(gi_r + gh_r),  z = sigma(gi_z + gh_z)
 *   n = tanh(gi_n + r * gh_n),  h = (1 - z) * n + z * h_prev
 * Parameters in one slab, PyTorch's order: W_ih (3H, nin), W_hh (3H, H),
 * b_ih (3H), b_hh (3H), so a state_dict's weight_ih_l0, weight_hh_l0,
 * bias_ih_l0, bias_hh_l0 load as they are. Each forward step keeps what its
 * backward needs (x, h_prev, r, z, n, gh_n) for up to max_steps steps.
 */
#include "rl.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rl_gru {
    int nin, H, maxB, maxT;
    float *w, *dw;        /* (nparams) each */
    float *wih, *whh, *bih, *bhh, *dwih, *dwhh, *dbih, *dbhh;
    float *keep;          /* (maxT, maxB, nin + 5H): x, h_prev, r, z, n, ghn */
    float *gi, *gh;       /* (maxB, 3H) scratch */
    float *dgi, *dgh;     /* (maxB, 3H) scratch */
};

static size_t gru__nparams(int nin, int H)
{
    return (size_t)3 * H * nin + (size_t)3 * H * H + (size_t)6 * H;
}

static float *gru__keep(const rl_gru *g, int t) /* step t's record */
{
    return g->keep + (size_t)t * g->maxB * (g->nin + 5 * g->H);
}

int rl_gru_create(rl_gru **out, int nin, int H, int max_batch, int max_steps,
                  dtfl_err *err)
{
    *out = NULL;
    if (nin <= 0 || H <= 0 || max_batch <= 0 || max_steps <= 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "gru: %d inputs, %d units, "
                                                 "batch %d, %d steps",
                            nin, H, max_batch, max_steps);
    rl_gru *g = calloc(1, sizeof *g);
    size_t np = gru__nparams(nin, H), G = (size_t)max_batch * 3 * H;
    size_t keep = (size_t)max_steps * max_batch * (nin + 5 * (size_t)H);
    if (g == NULL || (g->w = calloc(2 * np, sizeof(float))) == NULL ||
        (g->keep = calloc(keep, sizeof(float))) == NULL ||
        (g->gi = calloc(4 * G, sizeof(float))) == NULL) {
        rl_gru_destroy(g);
        return dtfl_err_set(err, DTFL_ENOMEM, "gru: out of memory");
    }
    g->nin = nin, g->H = H, g->maxB = max_batch, g->maxT = max_steps;
    g->dw = g->w + np;
    g->wih = g->w, g->whh = g->wih + (size_t)3 * H * nin;
    g->bih = g->whh + (size_t)3 * H * H, g->bhh = g->bih + 3 * H;
    g->dwih = g->dw, g->dwhh = g->dwih + (size_t)3 * H * nin;
    g->dbih = g->dwhh + (size_t)3 * H * H, g->dbhh = g->dbih + 3 * H;
    g->gh = g->gi + G, g->dgi = g->gh + G, g->dgh = g->dgi + G;
    *out = g;
    return 0;
}

void rl_gru_destroy(rl_gru *g)
{
    if (g == NULL)
        return;
    free(g->w);
    free(g->keep);
    free(g->gi);
    free(g);
}

size_t rl_gru_nparams(const rl_gru *g) { return gru__nparams(g->nin, g->H); }
float *rl_gru_params(rl_gru *g) { return g->w; }
float *rl_gru_grads(rl_gru *g) { return g->dw; }
void rl_gru_zero_grads(rl_gru *g) { memset(g->dw, 0, sizeof(float) * rl_gru_nparams(g)); }

void rl_gru_init(rl_gru *g, uint64_t seed, uint32_t entity)
{
    dtfl_rng r;
    dtfl_rng_init(&r, seed, DTFL_STREAM_POLICY, entity, 0);
    const double k = 1.0 / sqrt((double)g->H); /* PyTorch: U(-1/sqrt H, 1/sqrt H) */
    for (size_t i = 0; i < rl_gru_nparams(g); i++)
        g->w[i] = (float)dtfl_rng_range(&r, -k, k);
}

static float gru__sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

/* tanh v = 1 - 2 / (e^{2v} + 1): within 1e-7 of glibc's tanhf (the
 * absolute error is what a GRU state in [-1, 1] carries), and a quarter of
 * its time, which was two thirds of an inference step (expm1f) */
static float gru__tanh(float v) { return 1.0f - 2.0f / (expf(2.0f * v) + 1.0f); }

/* The gates of n units at once, vectorised over the whole batch (glibc's
 * libmvec expf, cloned for AVX-512 and AVX2, picked at load time): r, z
 * hold the pre-activations of r and z, n that of n's input part and gn
 * W_hn h + b_hn; r, z, n become the gates, h the new state. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void gru__gates(size_t n, float *restrict r, float *restrict z,
                       float *restrict nn, const float *restrict gn,
                       const float *restrict hp, float *restrict h)
{
#if defined(__GNUC__) && !defined(__clang__)
#pragma omp simd
#endif
    for (size_t k = 0; k < n; k++) {
        float rk = gru__sigmoid(r[k]), zk = gru__sigmoid(z[k]);
        float nk = gru__tanh(nn[k] + rk * gn[k]);
        r[k] = rk, z[k] = zk, nn[k] = nk;
        h[k] = (1.0f - zk) * nk + zk * hp[k];
    }
}

void rl_gru_forward(rl_gru *g, int t, const float *x, const float *h_prev,
                    float *h, int B)
{
    const int H = g->H, nin = g->nin, H3 = 3 * H;
    float *k = gru__keep(g, t);
    float *kx = k, *kh = kx + (size_t)B * nin, *kr = kh + (size_t)B * H;
    float *kz = kr + (size_t)B * H, *kn = kz + (size_t)B * H, *kg = kn + (size_t)B * H;
    memcpy(kx, x, sizeof(float) * (size_t)B * nin);
    memcpy(kh, h_prev, sizeof(float) * (size_t)B * H);
    for (int b = 0; b < B; b++) {
        memcpy(g->gi + (size_t)b * H3, g->bih, sizeof(float) * (size_t)H3);
        memcpy(g->gh + (size_t)b * H3, g->bhh, sizeof(float) * (size_t)H3);
    }
    /* gi (B, 3H) += x (B, nin) W_ih^T; gh (B, 3H) += h_prev (B, H) W_hh^T */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H3, nin, 1.0f, x, nin,
                g->wih, nin, 1.0f, g->gi, H3);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H3, H, 1.0f, h_prev, H,
                g->whh, H, 1.0f, g->gh, H3);
    for (int b = 0; b < B; b++) { /* pre-activations into the keep rows */
        const float *gi = g->gi + (size_t)b * H3, *gh = g->gh + (size_t)b * H3;
        const size_t o = (size_t)b * H;
        for (int j = 0; j < H; j++) {
            kr[o + j] = gi[j] + gh[j];
            kz[o + j] = gi[H + j] + gh[H + j];
            kn[o + j] = gi[2 * H + j];
            kg[o + j] = gh[2 * H + j];
        }
    }
    gru__gates((size_t)B * H, kr, kz, kn, kg, h_prev, h);
}

void rl_gru_backward(rl_gru *g, int t, const float *dh, float *dx,
                     float *dh_prev, int B)
{
    const int H = g->H, nin = g->nin, H3 = 3 * H;
    const float *k = gru__keep(g, t);
    const float *kx = k, *kh = kx + (size_t)B * nin, *kr = kh + (size_t)B * H;
    const float *kz = kr + (size_t)B * H, *kn = kz + (size_t)B * H, *kg = kn + (size_t)B * H;
    for (int b = 0; b < B; b++) {
        float *dgi = g->dgi + (size_t)b * H3, *dgh = g->dgh + (size_t)b * H3;
        for (int j = 0; j < H; j++) {
            size_t o = (size_t)b * H + j;
            float r = kr[o], z = kz[o], n = kn[o];
            float dn = dh[o] * (1.0f - z), dz = dh[o] * (kh[o] - n);
            float dnh = dn * (1.0f - n * n);            /* before tanh */
            float drh = dnh * kg[o] * r * (1.0f - r);   /* before sigma */
            float dzh = dz * z * (1.0f - z);
            dgi[j] = drh, dgi[H + j] = dzh, dgi[2 * H + j] = dnh;
            dgh[j] = drh, dgh[H + j] = dzh, dgh[2 * H + j] = dnh * r;
            dh_prev[o] = dh[o] * z;
        }
        for (int j = 0; j < H3; j++) {
            g->dbih[j] += dgi[j];
            g->dbhh[j] += dgh[j];
        }
    }
    /* dW_ih (3H, nin) += dgi^T x; dW_hh (3H, H) += dgh^T h_prev */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H3, nin, B, 1.0f, g->dgi,
                H3, kx, nin, 1.0f, g->dwih, nin);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H3, H, B, 1.0f, g->dgh,
                H3, kh, H, 1.0f, g->dwhh, H);
    /* dx (B, nin) = dgi W_ih; dh_prev (B, H) += dgh W_hh */
    if (dx != NULL)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nin, H3, 1.0f,
                    g->dgi, H3, g->wih, nin, 0.0f, dx, nin);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, H3, 1.0f, g->dgh,
                H3, g->whh, H, 1.0f, dh_prev, H);
}
