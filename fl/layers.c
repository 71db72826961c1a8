/*
 * layers.c - the fast layers: dense and convolution on cblas sgemm, ReLU,
 * tanh, 2x2 max-pool, flatten, softmax cross-entropy. Each layer's forward and
 * backward sit side by side. Naive references are in layers_ref.c.
 *
 * Convolutions use the (C,B,H,W) layout: im2col of the whole batch gives
 * cols (C*K*K, B*OH*OW), and one sgemm w (OC, C*K*K) . cols yields the
 * output in (OC,B,OH,OW) order, the next layer's input, with no transposes.
 */
#include "layers.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* dense                                                                     */
/* ------------------------------------------------------------------------ */

void fl_dense_forward(float *out, const float *in, const float *w,
                       const float *b, int B, int IN, int OUT)
{
    // out is (B,OUT): start from the bias, then out += in . w^T
    for (int i = 0; i < B; i++)
        memcpy(out + (size_t)i * OUT, b, sizeof(float) * (size_t)OUT);
    if (B == 1) /* one sample (a policy acting): sgemv reads w once, unpacked */
        cblas_sgemv(CblasRowMajor, CblasNoTrans, OUT, IN, 1.0f, w, IN, in, 1, 1.0f,
                    out, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, OUT, IN, 1.0f, in,
                    IN, w, IN, 1.0f, out, OUT);
}

void fl_dense_backward(float *din, float *dw, float *db, const float *dout,
                        const float *in, const float *w, int B, int IN,
                        int OUT)
{
    // dw (OUT,IN) += dout^T (OUT,B) . in (B,IN)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OUT, IN, B, 1.0f,
                dout, OUT, in, IN, 1.0f, dw, IN);
    // db (OUT) += column sums of dout
    for (int i = 0; i < B; i++) {
        const float *row = dout + (size_t)i * OUT;
        for (int o = 0; o < OUT; o++)
            db[o] += row[o];
    }
    // din (B,IN) = dout (B,OUT) . w (OUT,IN)
    if (din != NULL)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, IN, OUT,
                    1.0f, dout, OUT, w, IN, 0.0f, din, IN);
}

/* ------------------------------------------------------------------------ */
/* ReLU                                                                      */
/* ------------------------------------------------------------------------ */

void fl_relu_forward(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void fl_relu_backward(float *dout, const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dout[i] = out[i] > 0.0f ? dout[i] : 0.0f;
}

/* ------------------------------------------------------------------------ */
/* tanh                                                                      */
/* ------------------------------------------------------------------------ */

/* tanh(x) ~ x P(x^2) / Q(x^2) on |x| <= 7.9 (beyond, tanh is 1 in float),
 * a rational fit made for dtfl by nonlinear least squares of the relative
 * error (experiments/tanh_fit.py): within 5e-9 in exact arithmetic, 3e-7
 * evaluated in float. Pure arithmetic, so the loop vectorises, where libm's
 * tanhf was a sixth of a PPO update. */
void fl_tanh_forward(float *x, size_t n)
{
    const float p0 = 9.999999989e-01f, p1 = 1.313287289e-01f,
                p2 = 3.159016903e-03f, p3 = 1.174853036e-05f,
                p4 = -2.278965705e-08f, p5 = 6.629780075e-11f,
                p6 = -1.237555093e-13f;
    const float q1 = 4.646620495e-01f, q2 = 2.471305619e-02f,
                q3 = 2.627300655e-04f;
    for (size_t i = 0; i < n; i++) {
        float v = x[i] < -7.9f ? -7.9f : (x[i] > 7.9f ? 7.9f : x[i]);
        float z = v * v;
        float p = p0 + z * (p1 + z * (p2 + z * (p3 + z * (p4 + z * (p5 + z * p6)))));
        float q = 1.0f + z * (q1 + z * (q2 + z * q3));
        x[i] = v * p / q;
    }
}

void fl_tanh_backward(float *dout, const float *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dout[i] *= 1.0f - out[i] * out[i];
}

/* ------------------------------------------------------------------------ */
/* convolution                                                               */
/* ------------------------------------------------------------------------ */

/* For kernel offset kw, the output columns [*lo, *hi) read inside the row. */
static void conv__valid_cols(int W, int OW, int kw, int pad, int *lo, int *hi)
{
    int a = pad - kw;           /* first ow with iw = ow - pad + kw >= 0 */
    int z = W + pad - kw;       /* first ow with iw >= W */
    *lo = a < 0 ? 0 : (a > OW ? OW : a);
    *hi = z < *lo ? *lo : (z > OW ? OW : z);
}

void fl__im2col(float *cols, const float *in, int C, int B, int H, int W,
                int K, int pad)
{
    const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    const size_t N = (size_t)B * OH * OW;
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < K; kh++)
            for (int kw = 0; kw < K; kw++) {
                float *row = cols + ((size_t)(c * K + kh) * K + kw) * N;
                int lo, hi;
                conv__valid_cols(W, OW, kw, pad, &lo, &hi);
                for (int b = 0; b < B; b++) {
                    const float *plane = in + ((size_t)c * B + b) * H * W;
                    for (int oh = 0; oh < OH; oh++) {
                        float *dst = row + ((size_t)b * OH + oh) * OW;
                        int ih = oh - pad + kh;
                        if (ih < 0 || ih >= H) {
                            for (int ow = 0; ow < OW; ow++)
                                dst[ow] = 0.0f;
                            continue;
                        }
                        // input column of output column lo: lo - pad + kw;
                        // rows are short (OW = 14 or 28): plain loops beat
                        // memcpy/memset calls here
                        const float *src = plane + (size_t)ih * W +
                                           (lo - pad + kw);
                        for (int ow = 0; ow < lo; ow++)
                            dst[ow] = 0.0f;
                        for (int ow = lo; ow < hi; ow++)
                            dst[ow] = src[ow - lo];
                        for (int ow = hi; ow < OW; ow++)
                            dst[ow] = 0.0f;
                    }
                }
            }
}

void fl__col2im(float *din, const float *dcols, int C, int B, int H, int W,
                int K, int pad)
{
    const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    const size_t N = (size_t)B * OH * OW;
    for (int c = 0; c < C; c++)
        for (int kh = 0; kh < K; kh++)
            for (int kw = 0; kw < K; kw++) {
                const float *row = dcols + ((size_t)(c * K + kh) * K + kw) * N;
                int lo, hi;
                conv__valid_cols(W, OW, kw, pad, &lo, &hi);
                for (int b = 0; b < B; b++) {
                    float *plane = din + ((size_t)c * B + b) * H * W;
                    for (int oh = 0; oh < OH; oh++) {
                        int ih = oh - pad + kh;
                        if (ih < 0 || ih >= H)
                            continue;
                        const float *src = row + ((size_t)b * OH + oh) * OW +
                                           lo;
                        float *dst = plane + (size_t)ih * W + (lo - pad + kw);
                        for (int i = 0; i < hi - lo; i++)
                            dst[i] += src[i];
                    }
                }
            }
}

void fl__conv_forward(float *out, float *cols, const float *in,
                      const float *w, const float *b, int C, int B, int H,
                      int W, int OC, int K, int pad)
{
    const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    const int N = B * OH * OW, CKK = C * K * K;
    fl__im2col(cols, in, C, B, H, W, K, pad);
    // out (OC,N) = bias, then += w (OC,CKK) . cols (CKK,N)
    for (int o = 0; o < OC; o++) {
        float *row = out + (size_t)o * N;
        for (int i = 0; i < N; i++)
            row[i] = b[o];
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, OC, N, CKK, 1.0f,
                w, CKK, cols, N, 1.0f, out, N);
}

void fl__conv_backward(float *din, float *dw, float *db, float *dcols,
                       const float *dout, const float *cols, const float *w,
                       int C, int B, int H, int W, int OC, int K, int pad)
{
    const int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    const int N = B * OH * OW, CKK = C * K * K;
    // dw (OC,CKK) += dout (OC,N) . cols^T (N,CKK)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, OC, CKK, N, 1.0f,
                dout, N, cols, N, 1.0f, dw, CKK);
    // db (OC) += row sums of dout
    for (int o = 0; o < OC; o++) {
        const float *row = dout + (size_t)o * N;
        float s = 0.0f;
        for (int i = 0; i < N; i++)
            s += row[i];
        db[o] += s;
    }
    if (din == NULL)
        return;
    // dcols (CKK,N) = w^T (CKK,OC) . dout (OC,N); din = col2im(dcols)
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, CKK, N, OC, 1.0f, w,
                CKK, dout, N, 0.0f, dcols, N);
    memset(din, 0, sizeof(float) * (size_t)C * B * H * W);
    fl__col2im(din, dcols, C, B, H, W, K, pad);
}

/* ------------------------------------------------------------------------ */
/* 2x2 max-pool                                                              */
/* ------------------------------------------------------------------------ */

void fl__pool_forward(float *out, uint8_t *arg, const float *in, int P, int H,
                      int W)
{
    const int OH = H / 2, OW = W / 2;
    for (int p = 0; p < P; p++) {
        const float *src = in + (size_t)p * H * W;
        float *dst = out + (size_t)p * OH * OW;
        uint8_t *a = arg + (size_t)p * OH * OW;
        for (int i = 0; i < OH; i++) {
            const float *r0 = src + (size_t)(2 * i) * W;
            const float *r1 = r0 + W;
            for (int j = 0; j < OW; j++) {
                float v0 = r0[2 * j], v1 = r0[2 * j + 1];
                float v2 = r1[2 * j], v3 = r1[2 * j + 1];
                float m = v0;
                uint8_t k = 0;
                if (v1 > m) { m = v1; k = 1; }
                if (v2 > m) { m = v2; k = 2; }
                if (v3 > m) { m = v3; k = 3; }
                dst[i * OW + j] = m;
                a[i * OW + j] = k;
            }
        }
    }
}

void fl__pool_backward(float *din, const float *dout, const uint8_t *arg,
                       int P, int H, int W)
{
    // every din cell is written once: the winner gets dout, the rest 0
    const int OH = H / 2, OW = W / 2;
    for (int p = 0; p < P; p++) {
        float *dst = din + (size_t)p * H * W;
        const float *src = dout + (size_t)p * OH * OW;
        const uint8_t *a = arg + (size_t)p * OH * OW;
        for (int i = 0; i < OH; i++) {
            float *r0 = dst + (size_t)(2 * i) * W, *r1 = r0 + W;
            for (int j = 0; j < OW; j++) {
                float g = src[i * OW + j];
                int k = a[i * OW + j];
                r0[2 * j] = k == 0 ? g : 0.0f;
                r0[2 * j + 1] = k == 1 ? g : 0.0f;
                r1[2 * j] = k == 2 ? g : 0.0f;
                r1[2 * j + 1] = k == 3 ? g : 0.0f;
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* flatten                                                                   */
/* ------------------------------------------------------------------------ */

void fl__flatten_forward(float *out, const float *in, int C, int B, int HW)
{
    // out[b][c*HW + i] = in[c][b][i]
    for (int c = 0; c < C; c++)
        for (int b = 0; b < B; b++)
            memcpy(out + (size_t)b * C * HW + (size_t)c * HW,
                   in + ((size_t)c * B + b) * HW, sizeof(float) * (size_t)HW);
}

void fl__flatten_backward(float *din, const float *dout, int C, int B, int HW)
{
    for (int c = 0; c < C; c++)
        for (int b = 0; b < B; b++)
            memcpy(din + ((size_t)c * B + b) * HW,
                   dout + (size_t)b * C * HW + (size_t)c * HW,
                   sizeof(float) * (size_t)HW);
}

/* ------------------------------------------------------------------------ */
/* softmax cross-entropy                                                     */
/* ------------------------------------------------------------------------ */

float fl__xent_forward(float *probs, const float *logits, const uint8_t *y,
                       int B, int L, int *correct)
{
    double loss = 0.0;
    int right = 0;
    for (int i = 0; i < B; i++) {
        const float *z = logits + (size_t)i * L;
        float *p = probs + (size_t)i * L;
        float zmax = -FLT_MAX;
        int best = 0;
        for (int k = 0; k < L; k++)
            if (z[k] > zmax) {
                zmax = z[k];
                best = k;
            }
        double sum = 0.0;
        for (int k = 0; k < L; k++) {
            p[k] = expf(z[k] - zmax);
            sum += p[k];
        }
        float inv = (float)(1.0 / sum);
        for (int k = 0; k < L; k++)
            p[k] *= inv;
        loss += -(double)(z[y[i]] - zmax) + log(sum);
        right += best == y[i];
    }
    if (correct != NULL)
        *correct = right;
    return (float)(loss / B);
}

void fl__xent_backward(float *dlogits, const float *probs, const uint8_t *y,
                       int B, int L)
{
    const float scale = 1.0f / (float)B;
    for (int i = 0; i < B; i++) {
        for (int k = 0; k < L; k++)
            dlogits[(size_t)i * L + k] = probs[(size_t)i * L + k] * scale;
        dlogits[(size_t)i * L + y[i]] -= scale;
    }
}
