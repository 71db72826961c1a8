/*
 * layers_ref.c - naive double-precision references of every layer, in the
 * usual (B,C,H,W) layout with direct loops (no im2col, no BLAS), and a
 * whole-model loss built from them. They exist to be obviously right: tests
 * check them against finite differences, then check the fast float layers of
 * layers.c against them. Nothing on a hot path calls this file.
 */
#include "layers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void fl__ref_tanh_backward(double *dout, const double *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dout[i] *= 1.0 - out[i] * out[i];
}

void fl__ref_dense_forward(double *out, const double *in, const double *w,
                           const double *b, int B, int IN, int OUT)
{
    for (int i = 0; i < B; i++)
        for (int o = 0; o < OUT; o++) {
            double s = b[o];
            for (int k = 0; k < IN; k++)
                s += in[(size_t)i * IN + k] * w[(size_t)o * IN + k];
            out[(size_t)i * OUT + o] = s;
        }
}

void fl__ref_dense_backward(double *din, double *dw, double *db,
                            const double *dout, const double *in,
                            const double *w, int B, int IN, int OUT)
{
    if (din != NULL)
        memset(din, 0, sizeof(double) * (size_t)B * IN);
    for (int i = 0; i < B; i++)
        for (int o = 0; o < OUT; o++) {
            double g = dout[(size_t)i * OUT + o];
            db[o] += g;
            for (int k = 0; k < IN; k++) {
                dw[(size_t)o * IN + k] += g * in[(size_t)i * IN + k];
                if (din != NULL)
                    din[(size_t)i * IN + k] += g * w[(size_t)o * IN + k];
            }
        }
}

void fl__ref_conv_forward(double *out, const double *in, const double *w,
                          const double *b, int B, int C, int H, int W, int OC,
                          int K, int pad)
{
    const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    for (int n = 0; n < B; n++)
        for (int o = 0; o < OC; o++)
            for (int y = 0; y < OH; y++)
                for (int x = 0; x < OW; x++) {
                    double s = b[o];
                    for (int c = 0; c < C; c++)
                        for (int i = 0; i < K; i++)
                            for (int j = 0; j < K; j++) {
                                int iy = y - pad + i, ix = x - pad + j;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                    continue;
                                s += w[((size_t)(o * C + c) * K + i) * K + j] *
                                     in[(((size_t)n * C + c) * H + iy) * W + ix];
                            }
                    out[(((size_t)n * OC + o) * OH + y) * OW + x] = s;
                }
}

void fl__ref_conv_backward(double *din, double *dw, double *db,
                           const double *dout, const double *in,
                           const double *w, int B, int C, int H, int W,
                           int OC, int K, int pad)
{
    const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    if (din != NULL)
        memset(din, 0, sizeof(double) * (size_t)B * C * H * W);
    for (int n = 0; n < B; n++)
        for (int o = 0; o < OC; o++)
            for (int y = 0; y < OH; y++)
                for (int x = 0; x < OW; x++) {
                    double g = dout[(((size_t)n * OC + o) * OH + y) * OW + x];
                    db[o] += g;
                    for (int c = 0; c < C; c++)
                        for (int i = 0; i < K; i++)
                            for (int j = 0; j < K; j++) {
                                int iy = y - pad + i, ix = x - pad + j;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                    continue;
                                size_t wi = ((size_t)(o * C + c) * K + i) * K + j;
                                size_t xi =
                                    (((size_t)n * C + c) * H + iy) * W + ix;
                                dw[wi] += g * in[xi];
                                if (din != NULL)
                                    din[xi] += g * w[wi];
                            }
                }
}

void fl__ref_pool_forward(double *out, const double *in, int P, int H, int W)
{
    for (int p = 0; p < P; p++)
        for (int i = 0; i < H / 2; i++)
            for (int j = 0; j < W / 2; j++) {
                double m = -INFINITY;
                for (int a = 0; a < 2; a++)
                    for (int c = 0; c < 2; c++) {
                        double v = in[((size_t)p * H + 2 * i + a) * W + 2 * j + c];
                        if (v > m)
                            m = v;
                    }
                out[((size_t)p * (H / 2) + i) * (W / 2) + j] = m;
            }
}

void fl__ref_pool_backward(double *din, const double *dout, const double *in,
                           int P, int H, int W)
{
    memset(din, 0, sizeof(double) * (size_t)P * H * W);
    for (int p = 0; p < P; p++)
        for (int i = 0; i < H / 2; i++)
            for (int j = 0; j < W / 2; j++) {
                size_t best = 0;
                double m = -INFINITY;
                for (int a = 0; a < 2; a++)
                    for (int c = 0; c < 2; c++) {
                        size_t k = ((size_t)p * H + 2 * i + a) * W + 2 * j + c;
                        if (in[k] > m) {
                            m = in[k];
                            best = k;
                        }
                    }
                din[best] += dout[((size_t)p * (H / 2) + i) * (W / 2) + j];
            }
}

double fl__ref_xent(double *dlogits, const double *logits, const uint8_t *y,
                    int B, int L)
{
    double loss = 0.0;
    for (int i = 0; i < B; i++) {
        const double *z = logits + (size_t)i * L;
        double zmax = z[0];
        for (int k = 1; k < L; k++)
            zmax = z[k] > zmax ? z[k] : zmax;
        double sum = 0.0;
        for (int k = 0; k < L; k++)
            sum += exp(z[k] - zmax);
        loss += log(sum) - (z[y[i]] - zmax);
        if (dlogits != NULL)
            for (int k = 0; k < L; k++)
                dlogits[(size_t)i * L + k] =
                    (exp(z[k] - zmax) / sum - (k == y[i])) / B;
    }
    return loss / B;
}

/* Per-sample floats a layer reads and writes. */
static size_t ref__in_size(const fl_layer *l) { return (size_t)l->c * l->h * l->w; }
static size_t ref__out_size(const fl_layer *l) { return (size_t)l->oc * l->oh * l->ow; }

double fl__ref_model_loss(const fl_layer *layers, int nlayers, size_t nparams,
                          const double *params, const double *x,
                          const uint8_t *y, int B, int classes, double *grad)
{
    double *acts[FL_MAX_LAYERS + 1] = {0};
    double loss = NAN;
    double *d = NULL, *dnext = NULL;
    size_t amax = ref__in_size(&layers[0]);
    acts[0] = malloc(sizeof(double) * B * amax);
    if (acts[0] == NULL)
        goto done;
    memcpy(acts[0], x, sizeof(double) * B * amax);
    for (int i = 0; i < nlayers; i++) {
        const fl_layer *l = &layers[i];
        size_t osz = ref__out_size(l);
        amax = osz > amax ? osz : amax;
        acts[i + 1] = malloc(sizeof(double) * B * osz);
        if (acts[i + 1] == NULL)
            goto done;
        const double *w = params + l->w_off, *b = params + l->b_off;
        switch (l->kind) {
        case FL_LAYER_DENSE:
            fl__ref_dense_forward(acts[i + 1], acts[i], w, b, B,
                                  (int)ref__in_size(l), l->oc);
            break;
        case FL_LAYER_CONV:
            fl__ref_conv_forward(acts[i + 1], acts[i], w, b, B, l->c, l->h,
                                 l->w, l->oc, l->k, l->pad);
            break;
        case FL_LAYER_POOL:
            fl__ref_pool_forward(acts[i + 1], acts[i], B * l->c, l->h, l->w);
            break;
        case FL_LAYER_FLATTEN: /* (B,C,H,W) is already (B, C*H*W) */
            memcpy(acts[i + 1], acts[i], sizeof(double) * B * osz);
            break;
        }
        if (l->relu)
            for (size_t k = 0; k < B * osz; k++)
                acts[i + 1][k] = acts[i + 1][k] > 0 ? acts[i + 1][k] : 0.0;
    }
    d = malloc(sizeof(double) * B * amax);
    dnext = malloc(sizeof(double) * B * amax);
    if (d == NULL || dnext == NULL)
        goto done;
    loss = fl__ref_xent(grad ? d : NULL, acts[nlayers], y, B, classes);
    if (grad == NULL)
        goto done;
    memset(grad, 0, sizeof(double) * nparams);
    for (int i = nlayers - 1; i >= 0; i--) {
        const fl_layer *l = &layers[i];
        size_t osz = ref__out_size(l);
        if (l->relu)
            for (size_t k = 0; k < B * osz; k++)
                d[k] = acts[i + 1][k] > 0 ? d[k] : 0.0;
        const double *w = params + l->w_off;
        double *gw = grad + l->w_off, *gb = grad + l->b_off;
        double *din = i > 0 ? dnext : NULL;
        switch (l->kind) {
        case FL_LAYER_DENSE:
            fl__ref_dense_backward(din, gw, gb, d, acts[i], w, B,
                                   (int)ref__in_size(l), l->oc);
            break;
        case FL_LAYER_CONV:
            fl__ref_conv_backward(din, gw, gb, d, acts[i], w, B, l->c, l->h,
                                  l->w, l->oc, l->k, l->pad);
            break;
        case FL_LAYER_POOL:
            if (din != NULL)
                fl__ref_pool_backward(din, d, acts[i], B * l->c, l->h, l->w);
            break;
        case FL_LAYER_FLATTEN:
            if (din != NULL)
                memcpy(din, d, sizeof(double) * B * osz);
            break;
        }
        double *t = d;
        d = dnext;
        dnext = t;
    }
done:
    for (int i = 0; i <= nlayers; i++)
        free(acts[i]);
    free(d);
    free(dnext);
    return loss;
}
