/*
 * model.c - the three models of dtfl as lists of layers (layers.h), with all
 * weights in one slab, all gradients in one slab and all activations of a
 * batch of up to max_batch samples in one slab.
 *
 *   softmax : dense(dim -> classes)
 *   2nn     : dense(dim -> 200) relu, dense(200 -> 200) relu,
 *             dense(200 -> classes)                       (FedAvg "2NN")
 *   cnn     : conv5x5(1 -> 32) relu, pool2, conv5x5(32 -> 64) relu, pool2,
 *             flatten, dense(64*H/4*W/4 -> 512) relu,
 *             dense(512 -> classes)                       (FedAvg CNN)
 *
 * Convolutional activations are (C,B,H,W); a (B,1,H,W) input batch is
 * already in that order. Flatten turns (C,B,H*W) into (B, C*H*W).
 */
#include "layers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct fl_model {
    fl_model_shape shape;
    int max_batch;
    int nlayers;
    fl_layer layers[FL_MAX_LAYERS];
    size_t nparams;
    float *params;                      /* (nparams,) */
    float *grads;                       /* (nparams,) */
    float *slab;                        /* every float buffer below */
    uint8_t *arg_slab;                  /* every pool argmax buffer */
    float *acts[FL_MAX_LAYERS + 1];     /* acts[i+1] is (B, out of layer i) */
    float *cols[FL_MAX_LAYERS];         /* conv: (C*K*K, B*OH*OW) */
    uint8_t *arg[FL_MAX_LAYERS];        /* pool: (C*B, OH, OW) */
    float *probs;                       /* (B, classes) */
    float *dbuf[2];                     /* (B, largest activation) */
    float *dcols;                       /* (largest cols) */
    const float *input;                 /* the batch of the last forward */
};

const char *fl_model_kind_name(fl_model_kind kind)
{
    switch (kind) {
    case FL_MODEL_SOFTMAX: return "softmax";
    case FL_MODEL_2NN: return "2nn";
    case FL_MODEL_CNN: return "cnn";
    }
    return "?";
}

/* Appends a layer whose input is the previous layer's output. */
static fl_layer *model__push(fl_layer *ls, int *n, fl_layer_kind kind,
                             int relu)
{
    fl_layer *l = &ls[*n];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->relu = relu;
    if (*n > 0) {
        l->c = ls[*n - 1].oc;
        l->h = ls[*n - 1].oh;
        l->w = ls[*n - 1].ow;
    }
    (*n)++;
    return l;
}

static void model__dense(fl_layer *ls, int *n, int out, int relu)
{
    fl_layer *l = model__push(ls, n, FL_LAYER_DENSE, relu);
    l->c = l->c * l->h * l->w;
    l->h = l->w = 1;
    l->oc = out;
    l->oh = l->ow = 1;
    l->nw = (size_t)out * l->c;
    l->nb = (size_t)out;
}

static void model__conv(fl_layer *ls, int *n, int out, int k, int pad)
{
    fl_layer *l = model__push(ls, n, FL_LAYER_CONV, 1);
    l->oc = out;
    l->k = k;
    l->pad = pad;
    l->oh = l->h + 2 * pad - k + 1;
    l->ow = l->w + 2 * pad - k + 1;
    l->nw = (size_t)out * l->c * k * k;
    l->nb = (size_t)out;
}

static void model__pool(fl_layer *ls, int *n)
{
    fl_layer *l = model__push(ls, n, FL_LAYER_POOL, 0);
    l->oc = l->c;
    l->oh = l->h / 2;
    l->ow = l->w / 2;
}

static void model__flatten(fl_layer *ls, int *n)
{
    fl_layer *l = model__push(ls, n, FL_LAYER_FLATTEN, 0);
    l->oc = l->c * l->h * l->w;
    l->oh = l->ow = 1;
}

int fl__model_layers(fl_model_shape s, fl_layer *ls, size_t *nparams)
{
    /* chain[0] is the input image seen as the output of a "layer -1";
     * each push reads its input shape from the entry before it. */
    fl_layer chain[FL_MAX_LAYERS + 1];
    memset(chain, 0, sizeof chain);
    chain[0].oc = 1;
    chain[0].oh = s.rows;
    chain[0].ow = s.cols;
    int m = 1;
    switch (s.kind) {
    case FL_MODEL_SOFTMAX:
        model__dense(chain, &m, s.classes, 0);
        break;
    case FL_MODEL_2NN:
        model__dense(chain, &m, 200, 1);
        model__dense(chain, &m, 200, 1);
        model__dense(chain, &m, s.classes, 0);
        break;
    case FL_MODEL_CNN:
        model__conv(chain, &m, 32, 5, 2);
        model__pool(chain, &m);
        model__conv(chain, &m, 64, 5, 2);
        model__pool(chain, &m);
        model__flatten(chain, &m);
        model__dense(chain, &m, 512, 1);
        model__dense(chain, &m, s.classes, 0);
        break;
    }
    size_t off = 0;
    for (int i = 1; i < m; i++) {
        ls[i - 1] = chain[i];
        ls[i - 1].w_off = off;
        off += chain[i].nw;
        ls[i - 1].b_off = off;
        off += chain[i].nb;
    }
    *nparams = off;
    return m - 1;
}

int fl__model_get_layers(const fl_model *m, const fl_layer **layers)
{
    *layers = m->layers;
    return m->nlayers;
}

static size_t model__out_size(const fl_layer *l)
{
    return (size_t)l->oc * l->oh * l->ow;
}

static size_t model__cols_size(const fl_layer *l, int B)
{
    if (l->kind != FL_LAYER_CONV)
        return 0;
    return (size_t)l->c * l->k * l->k * B * l->oh * l->ow;
}

void fl_model_destroy(fl_model *m)
{
    if (m == NULL)
        return;
    free(m->params);
    free(m->slab);
    free(m->arg_slab);
    free(m);
}

/* Carves the activation slab into per-layer buffers (or, with slab NULL,
 * only counts how many floats and argmax bytes it needs). */
static void model__carve(fl_model *m, float *slab, uint8_t *args,
                         size_t *nfloats, size_t *nargs)
{
    const int B = m->max_batch;
    size_t f = 0, a = 0, amax = (size_t)m->shape.rows * m->shape.cols;
    size_t cmax = 0;
    for (int i = 0; i < m->nlayers; i++) {
        const fl_layer *l = &m->layers[i];
        size_t osz = model__out_size(l);
        amax = osz > amax ? osz : amax;
        m->acts[i + 1] = slab ? slab + f : NULL;
        f += (size_t)B * osz;
        size_t csz = model__cols_size(l, B);
        m->cols[i] = slab && csz ? slab + f : NULL;
        f += csz;
        cmax = csz > cmax ? csz : cmax;
        m->arg[i] = NULL;
        if (l->kind == FL_LAYER_POOL) {
            m->arg[i] = args ? args + a : NULL;
            a += (size_t)B * osz;
        }
    }
    m->probs = slab ? slab + f : NULL;
    f += (size_t)B * m->shape.classes;
    for (int k = 0; k < 2; k++) {
        m->dbuf[k] = slab ? slab + f : NULL;
        f += (size_t)B * amax;
    }
    m->dcols = slab && cmax ? slab + f : NULL;
    f += cmax;
    *nfloats = f;
    *nargs = a;
}

int fl_model_create(fl_model **out, fl_model_shape shape, int max_batch,
                    dtfl_err *err)
{
    *out = NULL;
    if (shape.rows <= 0 || shape.cols <= 0 || shape.classes < 2 ||
        shape.classes > FL_MAX_CLASSES || max_batch <= 0)
        return dtfl_err_set(err, DTFL_ERANGE,
                            "model: bad shape %dx%d, %d classes, batch %d",
                            shape.rows, shape.cols, shape.classes, max_batch);
    if (shape.kind == FL_MODEL_CNN && (shape.rows % 4 || shape.cols % 4))
        return dtfl_err_set(err, DTFL_ERANGE,
                            "model cnn: image %dx%d must have sides divisible "
                            "by 4 (two 2x2 pools)",
                            shape.rows, shape.cols);
    fl_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "model: out of memory");
    m->shape = shape;
    m->max_batch = max_batch;
    m->nlayers = fl__model_layers(shape, m->layers, &m->nparams);
    size_t nf = 0, na = 0;
    model__carve(m, NULL, NULL, &nf, &na);
    m->params = calloc(2 * m->nparams, sizeof(float));
    m->slab = calloc(nf, sizeof(float));
    m->arg_slab = calloc(na ? na : 1, 1);
    if (m->params == NULL || m->slab == NULL || m->arg_slab == NULL) {
        fl_model_destroy(m);
        return dtfl_err_set(err, DTFL_ENOMEM,
                            "model %s: out of memory for %zu activations",
                            fl_model_kind_name(shape.kind), nf);
    }
    m->grads = m->params + m->nparams;
    model__carve(m, m->slab, m->arg_slab, &nf, &na);
    *out = m;
    return 0;
}

fl_model_shape fl_model_get_shape(const fl_model *m) { return m->shape; }
int fl_model_max_batch(const fl_model *m) { return m->max_batch; }
size_t fl_model_nparams(const fl_model *m) { return m->nparams; }

size_t fl_model_shape_nparams(fl_model_shape shape)
{
    fl_layer ls[FL_MAX_LAYERS];
    size_t n = 0;
    fl__model_layers(shape, ls, &n);
    return n;
}
float *fl_model_params(fl_model *m) { return m->params; }
const float *fl_model_params_const(const fl_model *m) { return m->params; }
float *fl_model_grads(fl_model *m) { return m->grads; }

void fl_model_zero_grads(fl_model *m)
{
    memset(m->grads, 0, sizeof(float) * m->nparams);
}

void fl_model_init(fl_model *m, uint64_t seed)
{
    for (int i = 0; i < m->nlayers; i++) {
        const fl_layer *l = &m->layers[i];
        if (l->nw == 0)
            continue;
        /* each layer its own stream, so adding a layer moves no other */
        dtfl_rng r;
        dtfl_rng_init(&r, seed, DTFL_STREAM_INIT, (uint32_t)i, 0);
        double fan_in = (double)l->nw / (double)l->oc;
        double bound = 1.0 / sqrt(fan_in);
        for (size_t k = 0; k < l->nw; k++)
            m->params[l->w_off + k] = (float)dtfl_rng_range(&r, -bound, bound);
        for (size_t k = 0; k < l->nb; k++)
            m->params[l->b_off + k] = (float)dtfl_rng_range(&r, -bound, bound);
    }
}

const float *fl_model_forward(fl_model *m, const float *x, int B)
{
    m->input = x;
    const float *in = x;
    for (int i = 0; i < m->nlayers; i++) {
        const fl_layer *l = &m->layers[i];
        float *out = m->acts[i + 1];
        const float *w = m->params + l->w_off, *b = m->params + l->b_off;
        switch (l->kind) {
        case FL_LAYER_DENSE:
            fl_dense_forward(out, in, w, b, B, l->c, l->oc);
            break;
        case FL_LAYER_CONV:
            fl__conv_forward(out, m->cols[i], in, w, b, l->c, B, l->h, l->w,
                             l->oc, l->k, l->pad);
            break;
        case FL_LAYER_POOL:
            fl__pool_forward(out, m->arg[i], in, l->c * B, l->h, l->w);
            break;
        case FL_LAYER_FLATTEN:
            fl__flatten_forward(out, in, l->c, B, l->h * l->w);
            break;
        }
        if (l->relu)
            fl_relu_forward(out, (size_t)B * model__out_size(l));
        in = out;
    }
    return in;
}

float fl_model_backward(fl_model *m, const float *x, const uint8_t *y, int B,
                        int *correct)
{
    const float *logits = fl_model_forward(m, x, B);
    float loss = fl__xent_forward(m->probs, logits, y, B, m->shape.classes,
                                  correct);
    float *d = m->dbuf[0], *dn = m->dbuf[1];
    fl__xent_backward(d, m->probs, y, B, m->shape.classes);
    for (int i = m->nlayers - 1; i >= 0; i--) {
        const fl_layer *l = &m->layers[i];
        const float *in = i > 0 ? m->acts[i] : m->input;
        float *din = i > 0 ? dn : NULL;
        const float *w = m->params + l->w_off;
        float *dw = m->grads + l->w_off, *db = m->grads + l->b_off;
        if (l->relu)
            fl_relu_backward(d, m->acts[i + 1],
                              (size_t)B * model__out_size(l));
        switch (l->kind) {
        case FL_LAYER_DENSE:
            fl_dense_backward(din, dw, db, d, in, w, B, l->c, l->oc);
            break;
        case FL_LAYER_CONV:
            fl__conv_backward(din, dw, db, m->dcols, d, m->cols[i], w, l->c,
                              B, l->h, l->w, l->oc, l->k, l->pad);
            break;
        case FL_LAYER_POOL:
            if (din != NULL)
                fl__pool_backward(din, d, m->arg[i], l->c * B, l->h, l->w);
            break;
        case FL_LAYER_FLATTEN:
            if (din != NULL)
                fl__flatten_backward(din, d, l->c, B, l->h * l->w);
            break;
        }
        float *t = d;
        d = dn;
        dn = t;
    }
    return loss;
}

/* FLOPs of the BLAS work of one layer for one sample, forward. */
static double model__layer_flops(const fl_layer *l)
{
    switch (l->kind) {
    case FL_LAYER_DENSE:
        return 2.0 * l->c * l->oc;
    case FL_LAYER_CONV:
        return 2.0 * l->oc * l->c * l->k * l->k * l->oh * l->ow;
    default:
        return 0.0;
    }
}

double fl_model_flops_forward(const fl_model *m)
{
    double f = 0.0;
    for (int i = 0; i < m->nlayers; i++)
        f += model__layer_flops(&m->layers[i]);
    return f;
}

double fl_model_flops_backward(const fl_model *m)
{
    /* weight gradient everywhere, input gradient except for layer 0 */
    double f = 0.0;
    for (int i = 0; i < m->nlayers; i++)
        f += model__layer_flops(&m->layers[i]) * (i > 0 ? 2.0 : 1.0);
    return f;
}

void fl_batch_fill(float *x, uint8_t *y, const fl_samples *s,
                   const int32_t *idx, int first, int B)
{
    const float scale = 1.0f / 255.0f;
    for (int b = 0; b < B; b++) {
        size_t k = idx ? (size_t)idx[first + b] : (size_t)(first + b);
        const uint8_t *src = s->x + k * (size_t)s->dim;
        float *dst = x + (size_t)b * s->dim;
        for (int j = 0; j < s->dim; j++)
            dst[j] = (float)src[j] * scale;
        y[b] = s->y[k];
    }
}
