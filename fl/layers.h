/*
 * layers.h - internal to fl/: the layers models are built from, each as a
 * _forward/_backward pair, and a naive double-precision reference of each.
 *
 * Fast layers (layers.c) run on cblas and keep convolutional activations in
 * (C, B, H, W) order, so one im2col + one sgemm covers the whole batch.
 * Reference layers (layers_ref.c) are three-loop double code in the usual
 * (B, C, H, W) order; tests check the fast layers against them and check the
 * references against finite differences.
 *
 * Backward passes accumulate parameter gradients (+=) and overwrite input
 * gradients (din), which may be NULL when nobody needs them.
 */
#ifndef DTFL_FL_LAYERS_H
#define DTFL_FL_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "fl.h"

/* dense, ReLU and tanh are public building blocks, declared in fl.h */

/* ---- convolution, stride 1, zero padding, (C,B,H,W) layout ----
 * in (C,B,H,W), out (OC,B,OH,OW), w (OC, C*K*K), b (OC),
 * cols (C*K*K, B*OH*OW) with OH = H + 2 pad - K + 1. */
void fl__im2col(float *cols, const float *in, int C, int B, int H, int W,
                int K, int pad);
/* din (C,B,H,W) += scattered dcols */
void fl__col2im(float *din, const float *dcols, int C, int B, int H, int W,
                int K, int pad);
void fl__conv_forward(float *out, float *cols, const float *in,
                      const float *w, const float *b, int C, int B, int H,
                      int W, int OC, int K, int pad);
/* dcols is scratch of the size of cols; cols is what forward left. */
void fl__conv_backward(float *din, float *dw, float *db, float *dcols,
                       const float *dout, const float *cols, const float *w,
                       int C, int B, int H, int W, int OC, int K, int pad);

/* ---- 2x2 max-pool, stride 2, on P planes of H x W (H, W even) ----
 * in (P,H,W), out (P,H/2,W/2), arg (P,H/2,W/2) holds 0..3, the winner. */
void fl__pool_forward(float *out, uint8_t *arg, const float *in, int P, int H,
                      int W);
void fl__pool_backward(float *din, const float *dout, const uint8_t *arg,
                       int P, int H, int W);

/* ---- flatten: in (C,B,HW) -> out (B, C*HW) ---- */
void fl__flatten_forward(float *out, const float *in, int C, int B, int HW);
void fl__flatten_backward(float *din, const float *dout, int C, int B,
                          int HW);

/* ---- softmax cross-entropy, mean over the batch ----
 * logits (B,L) -> probs (B,L); returns the mean loss. */
float fl__xent_forward(float *probs, const float *logits, const uint8_t *y,
                       int B, int L, int *correct);
/* dlogits (B,L) = (probs - onehot(y)) / B */
void fl__xent_backward(float *dlogits, const float *probs, const uint8_t *y,
                       int B, int L);

/* ------------------------------------------------------------------------ */
/* The layer list of a model                                                */
/* ------------------------------------------------------------------------ */

typedef enum fl_layer_kind {
    FL_LAYER_DENSE,
    FL_LAYER_CONV,
    FL_LAYER_POOL,
    FL_LAYER_FLATTEN
} fl_layer_kind;

typedef struct fl_layer {
    fl_layer_kind kind;
    int relu;            /* ReLU fused after a dense or conv layer */
    int c, h, w;         /* input per sample: channels, rows, cols */
    int oc, oh, ow;      /* output per sample */
    int k, pad;          /* conv kernel size and zero padding */
    size_t w_off, b_off; /* offsets of weights and biases in the slab */
    size_t nw, nb;       /* how many weights and biases */
} fl_layer;

#define FL_MAX_LAYERS 8

/* Builds the layer list of a model kind; returns the number of layers and
 * the total parameter count. */
int fl__model_layers(fl_model_shape shape, fl_layer *layers, size_t *nparams);

/* The layer list of a built model. */
int fl__model_get_layers(const fl_model *m, const fl_layer **layers);

/* ------------------------------------------------------------------------ */
/* Naive double references, (B,C,H,W) layout                                */
/* ------------------------------------------------------------------------ */

/* tanh on doubles, and its backward: din = dout * (1 - out^2) */
void fl__ref_tanh_backward(double *dout, const double *out, size_t n);

void fl__ref_dense_forward(double *out, const double *in, const double *w,
                           const double *b, int B, int IN, int OUT);
void fl__ref_dense_backward(double *din, double *dw, double *db,
                            const double *dout, const double *in,
                            const double *w, int B, int IN, int OUT);
/* in (B,C,H,W), out (B,OC,OH,OW) */
void fl__ref_conv_forward(double *out, const double *in, const double *w,
                          const double *b, int B, int C, int H, int W, int OC,
                          int K, int pad);
void fl__ref_conv_backward(double *din, double *dw, double *db,
                           const double *dout, const double *in,
                           const double *w, int B, int C, int H, int W,
                           int OC, int K, int pad);
void fl__ref_pool_forward(double *out, const double *in, int P, int H, int W);
void fl__ref_pool_backward(double *din, const double *dout, const double *in,
                           int P, int H, int W);
double fl__ref_xent(double *dlogits, const double *logits, const uint8_t *y,
                    int B, int L);

/* Mean loss of a whole model in double, and its gradient (overwritten) when
 * grad is not NULL. params is (nparams,), x is (B, dim). */
double fl__ref_model_loss(const fl_layer *layers, int nlayers, size_t nparams,
                          const double *params, const double *x,
                          const uint8_t *y, int B, int classes, double *grad);

#endif /* DTFL_FL_LAYERS_H */
