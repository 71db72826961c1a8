/*
 * rl_mixed.c - a mixed action head (issue 16's EcoEdgeTwin A2C): up to
 * RL_MAX_BLOCKS blocks on consecutive slices of the actor's output, each a
 * factorised categorical (K choices among A: K x A logits) or a diagonal
 * Gaussian (K means; K log-stds of its own, a free parameter). An action
 * keeps its categorical choices consecutively in act_i and its Gaussian
 * values in act_f, block by block; log-probabilities and entropies are
 * summed over the blocks, and so are their gradients, each block by the
 * head functions of rl_heads.c.
 */
#include "rl.h"

int rl_mix_nout(const rl_block *b, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += b[i].gauss ? b[i].K : b[i].K * b[i].A;
    return s;
}

int rl_mix_ncat(const rl_block *b, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += b[i].gauss ? 0 : b[i].K;
    return s;
}

int rl_mix_ngauss(const rl_block *b, int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += b[i].gauss ? b[i].K : 0;
    return s;
}

/* Block i's slices: its outputs, and where its categorical choices or
 * Gaussian values start. */
typedef struct mix_at {
    int out, cat, gauss;
} mix_at;

static void mix__next(const rl_block *b, mix_at *at)
{
    if (b->gauss) {
        at->out += b->K;
        at->gauss += b->K;
    } else {
        at->out += b->K * b->A;
        at->cat += b->K;
    }
}

double rl_mix_logp(const rl_block *b, int n, const float *out,
                   const float *log_std, const int *act_i, const float *act_f)
{
    double s = 0.0;
    mix_at at = {0, 0, 0};
    for (int i = 0; i < n; mix__next(&b[i], &at), i++)
        s += b[i].gauss ? rl_gauss_logp(out + at.out, log_std + at.gauss, b[i].K,
                                        act_f + at.gauss)
                        : rl_cat_logp(out + at.out, b[i].K, b[i].A, act_i + at.cat);
    return s;
}

double rl_mix_entropy(const rl_block *b, int n, const float *out,
                      const float *log_std)
{
    double s = 0.0;
    mix_at at = {0, 0, 0};
    for (int i = 0; i < n; mix__next(&b[i], &at), i++)
        s += b[i].gauss ? rl_gauss_entropy(log_std + at.gauss, b[i].K)
                        : rl_cat_entropy(out + at.out, b[i].K, b[i].A);
    return s;
}

void rl_mix_act(const rl_block *b, int n, const float *out, const float *log_std,
                dtfl_rng *r, int *act_i, float *act_f)
{
    mix_at at = {0, 0, 0};
    for (int i = 0; i < n; mix__next(&b[i], &at), i++) {
        if (b[i].gauss && r != NULL)
            rl_gauss_sample(out + at.out, log_std + at.gauss, b[i].K, r, act_f + at.gauss);
        else if (b[i].gauss) /* the mode: the mean */
            for (int k = 0; k < b[i].K; k++)
                act_f[at.gauss + k] = out[at.out + k];
        else if (r != NULL)
            rl_cat_sample(out + at.out, b[i].K, b[i].A, r, act_i + at.cat);
        else
            rl_cat_mode(out + at.out, b[i].K, b[i].A, act_i + at.cat);
    }
}

void rl_mix_backward(const rl_block *b, int n, const float *out,
                     const float *log_std, const int *act_i, const float *act_f,
                     double w_lp, double w_ent, float *dout, float *dlog_std)
{
    mix_at at = {0, 0, 0};
    for (int i = 0; i < n; mix__next(&b[i], &at), i++)
        if (b[i].gauss)
            rl_gauss_backward(out + at.out, log_std + at.gauss, b[i].K,
                              act_f + at.gauss, w_lp, w_ent, dout + at.out,
                              dlog_std + at.gauss);
        else
            rl_cat_backward(out + at.out, b[i].K, b[i].A, act_i + at.cat, w_lp,
                            w_ent, dout + at.out);
}
