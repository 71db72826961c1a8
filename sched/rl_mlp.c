/*
 * rl_mlp.c - the multilayer perceptron every policy network is made of:
 * dense layers from fl/ (cblas) with tanh or ReLU between them and a linear
 * output. Weights in one slab, gradients in another, activations of a batch
 * kept for the backward pass. Orthogonal initialisation as in CleanRL
 * (Saxe et al.): a random Gaussian matrix orthonormalised by modified
 * Gram-Schmidt, scaled by a gain.
 */
#include "rl.h"

#include "../fl/fl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rl_mlp {
    int nin, nout, nlayers, max_batch;
    rl_act act;
    int in[RL_MAX_LAYERS], out[RL_MAX_LAYERS]; /* widths of each dense layer */
    size_t w_off[RL_MAX_LAYERS], b_off[RL_MAX_LAYERS];
    size_t nparams;
    float *params, *grads;           /* (nparams,) each */
    float *acts[RL_MAX_LAYERS + 1];  /* acts[i+1] (B, out[i]); acts[0] input */
    float *slab;
    float *d[2];                     /* (B, widest) gradient ping-pong */
};

void rl_mlp_destroy(rl_mlp *m)
{
    if (m == NULL)
        return;
    free(m->params);
    free(m->slab);
    free(m);
}

int rl_mlp_create(rl_mlp **out, int nin, int hidden, int layers, int nout,
                  rl_act act, int max_batch, dtfl_err *err)
{
    int widths[RL_MAX_LAYERS];
    for (int i = 0; i < layers && i < RL_MAX_LAYERS; i++)
        widths[i] = hidden;
    if (hidden < 1)
        return dtfl_err_set(err, DTFL_ERANGE, "mlp: %d -> %d x %d -> %d", nin,
                            hidden, layers, nout);
    return rl_mlp_create_sizes(out, nin, widths, layers, nout, act, max_batch, err);
}

int rl_mlp_create_sizes(rl_mlp **out, int nin, const int *hidden, int layers,
                        int nout, rl_act act, int max_batch, dtfl_err *err)
{
    *out = NULL;
    int bad = nin < 1 || nout < 1 || layers < 0 || layers + 1 > RL_MAX_LAYERS ||
              max_batch < 1;
    for (int i = 0; !bad && i < layers; i++)
        bad = hidden[i] < 1;
    if (bad)
        return dtfl_err_set(err, DTFL_ERANGE, "mlp: %d -> %d layers -> %d", nin,
                            layers, nout);
    rl_mlp *m = calloc(1, sizeof *m);
    if (m == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "mlp: out of memory");
    m->nin = nin;
    m->nout = nout;
    m->nlayers = layers + 1;
    m->max_batch = max_batch;
    m->act = act;
    size_t off = 0, acts = 0;
    int widest = nin;
    for (int i = 0; i < m->nlayers; i++) {
        m->in[i] = i == 0 ? nin : hidden[i - 1];
        m->out[i] = i == m->nlayers - 1 ? nout : hidden[i];
        m->w_off[i] = off;
        off += (size_t)m->in[i] * m->out[i];
        m->b_off[i] = off;
        off += (size_t)m->out[i];
        acts += (size_t)max_batch * m->out[i];
        widest = m->out[i] > widest ? m->out[i] : widest;
    }
    m->nparams = off;
    m->params = calloc(2 * off, sizeof(float));
    m->slab = calloc(acts + 2 * (size_t)max_batch * widest, sizeof(float));
    if (m->params == NULL || m->slab == NULL) {
        rl_mlp_destroy(m);
        return dtfl_err_set(err, DTFL_ENOMEM, "mlp: out of memory");
    }
    m->grads = m->params + off;
    float *p = m->slab;
    for (int i = 0; i < m->nlayers; i++) {
        m->acts[i + 1] = p;
        p += (size_t)max_batch * m->out[i];
    }
    m->d[0] = p;
    m->d[1] = p + (size_t)max_batch * widest;
    *out = m;
    return 0;
}

int rl_mlp_nin(const rl_mlp *m) { return m->nin; }
int rl_mlp_nout(const rl_mlp *m) { return m->nout; }
size_t rl_mlp_nparams(const rl_mlp *m) { return m->nparams; }
float *rl_mlp_params(rl_mlp *m) { return m->params; }
float *rl_mlp_grads(rl_mlp *m) { return m->grads; }

void rl_mlp_soft_update(rl_mlp *target, const rl_mlp *net, double tau)
{
    float *t = target->params;
    const float *w = net->params;
    for (size_t i = 0; i < net->nparams; i++)
        t[i] = (float)(tau * w[i] + (1.0 - tau) * t[i]);
}

void rl_mlp_zero_grads(rl_mlp *m)
{
    memset(m->grads, 0, sizeof(float) * m->nparams);
}

/* An orthogonal (rows, cols) matrix times gain into w. */
static void mlp__orthogonal(float *w, int rows, int cols, double gain,
                            dtfl_rng *r)
{
    /* orthonormalise the shorter side's vectors */
    int n = rows < cols ? rows : cols, len = rows < cols ? cols : rows;
    double *v = malloc(sizeof(double) * (size_t)n * len);
    if (v == NULL) { /* fall back to scaled Gaussian weights */
        for (int i = 0; i < rows * cols; i++)
            w[i] = (float)(gain * dtfl_rng_normal(r) / sqrt((double)cols));
        return;
    }
    for (size_t i = 0; i < (size_t)n * len; i++)
        v[i] = dtfl_rng_normal(r);
    for (int i = 0; i < n; i++) {
        double *vi = v + (size_t)i * len;
        for (int j = 0; j < i; j++) {
            const double *vj = v + (size_t)j * len;
            double dot = 0.0;
            for (int k = 0; k < len; k++)
                dot += vi[k] * vj[k];
            for (int k = 0; k < len; k++)
                vi[k] -= dot * vj[k];
        }
        double norm = 0.0;
        for (int k = 0; k < len; k++)
            norm += vi[k] * vi[k];
        norm = sqrt(norm);
        for (int k = 0; k < len; k++)
            vi[k] /= norm > 0 ? norm : 1.0;
    }
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            w[(size_t)i * cols + j] = (float)(gain * (rows < cols ? v[(size_t)i * cols + j]
                                                                  : v[(size_t)j * rows + i]));
    free(v);
}

void rl_mlp_init(rl_mlp *m, double hidden_gain, double out_gain,
                 uint64_t seed, uint32_t entity)
{
    for (int i = 0; i < m->nlayers; i++) {
        dtfl_rng r;
        dtfl_rng_init(&r, seed, DTFL_STREAM_POLICY, entity, 1000u + (uint32_t)i);
        double gain = i == m->nlayers - 1 ? out_gain : hidden_gain;
        mlp__orthogonal(m->params + m->w_off[i], m->out[i], m->in[i], gain, &r);
        memset(m->params + m->b_off[i], 0, sizeof(float) * (size_t)m->out[i]);
    }
}

const float *rl_mlp_forward(rl_mlp *m, const float *x, int B)
{
    m->acts[0] = (float *)x;
    for (int i = 0; i < m->nlayers; i++) {
        // acts[i+1] (B, out) = acts[i] (B, in) . w^T + b
        fl_dense_forward(m->acts[i + 1], m->acts[i], m->params + m->w_off[i],
                         m->params + m->b_off[i], B, m->in[i], m->out[i]);
        if (i < m->nlayers - 1) {
            size_t n = (size_t)B * m->out[i];
            if (m->act == RL_ACT_TANH)
                fl_tanh_forward(m->acts[i + 1], n);
            else
                fl_relu_forward(m->acts[i + 1], n);
        }
    }
    return m->acts[m->nlayers];
}

void rl_mlp_backward(rl_mlp *m, const float *dout, int B, float *dx)
{
    const float *d = dout;
    int k = 0;
    for (int i = m->nlayers - 1; i >= 0; i--) {
        float *din = i > 0 ? m->d[k] : dx;
        fl_dense_backward(din, m->grads + m->w_off[i], m->grads + m->b_off[i], d,
                          m->acts[i], m->params + m->w_off[i], B, m->in[i],
                          m->out[i]);
        if (i > 0) { /* through the activation of layer i-1's output */
            size_t n = (size_t)B * m->in[i];
            if (m->act == RL_ACT_TANH)
                fl_tanh_backward(din, m->acts[i], n);
            else
                fl_relu_backward(din, m->acts[i], n);
        }
        d = din;
        k ^= 1;
    }
}
