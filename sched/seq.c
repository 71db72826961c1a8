/*
 * seq.c - a next-step predictor of feature sequences: stacked GRU layers
 * (rl_gru.c, PyTorch's nn.GRU) and a linear head, y_t = W_o h_t + b_o
 * predicting x_{t+1} (000's G1-G6: TMO's vehicle positions). Features are
 * normalised by an offset and scale the model carries, so callers give and
 * get raw values. Inference is one step of many sequences at once, each
 * with its own hidden state (layers x H floats) kept by the caller.
 *
 * With `residual` the head predicts the change instead, y_t = x_t + g (W_o
 * h_t + b_o), g the change a step typically makes over the feature's
 * scale (the inputs are data or detached outputs: no gradient flows
 * through the skip).
 *
 * Training lives in seq_train.c; this file holds the model, its forward
 * and backward over a window of steps (shared with training) and its file:
 *
 *   magic "DTFLSEQ1", version u32, features u32, hidden u32, layers u32,
 *   residual u32, parameter count u64, F doubles each of offset, scale and
 *   step, float32 parameters (per layer W_ih, W_hh, b_ih, b_hh, then W_o,
 *   b_o), CRC-32 of every byte before it; little-endian (docs/formats.md).
 *   A file whose normalisation or weights are out of SEQ_MAX_NORM or
 *   SEQ_MAX_WEIGHT is refused (fuzz_predictor found NaN states past them).
 */
#include "seq_int.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_MAGIC "DTFLSEQ1"
#define SEQ_VERSION 1u
#define SEQ_HEAD (8 + 5 * 4 + 8)
/* Bounds a file's numbers must keep, so a model that loads computes in
 * finite floats: normalisation within 1e-9..1e9 (a trained GRU's weights
 * are of order 1-10). */
#define SEQ_MAX_NORM 1e9
#define SEQ_MAX_WEIGHT 1e4

void sched_seq_destroy(sched_seq *s)
{
    if (s == NULL)
        return;
    for (int l = 0; l < s->L; l++)
        rl_gru_destroy(s->g[l]);
    free(s->wo);
    free(s->buf);
    free(s);
}

int sched_seq_create(sched_seq **out, const sched_seq_params *p, int max_batch,
                     int max_steps, dtfl_err *err)
{
    *out = NULL;
    if (p->features <= 0 || p->features > SEQ_MAX_FEATURES || p->hidden <= 0 ||
        p->hidden > 4096 || p->layers <= 0 || p->layers > SEQ_MAX_LAYERS ||
        max_batch <= 0 || max_steps <= 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "seq: %d features, %d units, "
                                                 "%d layers, batch %d, %d steps",
                            p->features, p->hidden, p->layers, max_batch, max_steps);
    sched_seq *s = calloc(1, sizeof *s);
    if (s == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "seq: out of memory");
    const int F = p->features, H = p->hidden;
    s->F = F, s->H = H, s->L = p->layers, s->maxB = max_batch, s->maxT = max_steps;
    s->residual = p->residual != 0;
    int rc = 0;
    for (int l = 0; rc == 0 && l < s->L; l++)
        rc = rl_gru_create(&s->g[l], l == 0 ? F : H, H, max_batch, max_steps, err);
    const size_t BH = (size_t)max_batch * H, no = (size_t)F * H + F;
    s->wo = rc == 0 ? calloc(2 * no, sizeof(float)) : NULL;
    /* h (L, T + 1, B, H), masks (T, B, H), x (B, F), y (T, B, F), dy (B, F),
     * dh (L, B, H), dtop (B, H), dx (B, H) */
    s->buf = s->wo != NULL ? calloc((size_t)s->L * (max_steps + 1) * BH +
                                        (size_t)max_steps * BH +
                                        (size_t)(max_steps + 2) * max_batch * F +
                                        ((size_t)s->L + 2) * BH + 1,
                                    sizeof(float))
                           : NULL;
    if (rc == 0 && (s->wo == NULL || s->buf == NULL))
        rc = dtfl_err_set(err, DTFL_ENOMEM, "seq: out of memory");
    if (rc < 0) {
        sched_seq_destroy(s);
        return rc;
    }
    s->bo = s->wo + (size_t)F * H;
    s->dwo = s->wo + no, s->dbo = s->dwo + (size_t)F * H;
    float *q = s->buf;
    s->hs = q, q += (size_t)s->L * (max_steps + 1) * BH;
    s->mask = q, q += (size_t)max_steps * BH;
    s->xin = q, q += (size_t)max_batch * F;
    s->ys = q, q += (size_t)max_steps * max_batch * F;
    s->dy = q, q += (size_t)max_batch * F;
    s->dh = q, q += (size_t)s->L * BH;
    s->dtop = q, q += BH;
    s->dx = q;
    for (int f = 0; f < F; f++)
        s->off[f] = 0.0, s->scale[f] = s->step[f] = s->gain[f] = 1.0;
    for (int l = 0; l < s->L; l++)
        rl_gru_init(s->g[l], p->seed, 0x5e0u + (uint32_t)l);
    dtfl_rng r; /* the head as PyTorch's nn.Linear: U(-1/sqrt H, 1/sqrt H) */
    dtfl_rng_init(&r, p->seed, DTFL_STREAM_POLICY, 0x5e0u + SEQ_MAX_LAYERS, 0);
    for (size_t k = 0; k < no; k++)
        s->wo[k] = (float)dtfl_rng_range(&r, -1.0 / sqrt(H), 1.0 / sqrt(H));
    *out = s;
    return 0;
}

int sched_seq_features(const sched_seq *s) { return s->F; }
size_t sched_seq_state_len(const sched_seq *s) { return (size_t)s->L * s->H; }

void sched_seq_set_norm(sched_seq *s, const double *offset, const double *scale,
                        const double *step)
{
    for (int f = 0; f < s->F; f++) {
        s->off[f] = offset[f], s->scale[f] = scale[f];
        s->step[f] = step != NULL ? step[f] : scale[f];
        s->gain[f] = (float)(s->step[f] / s->scale[f]);
    }
}

size_t seq__nparams(const sched_seq *s)
{
    size_t n = (size_t)s->F * s->H + s->F;
    for (int l = 0; l < s->L; l++)
        n += rl_gru_nparams(s->g[l]);
    return n;
}

/* h of layer l after step t (t = -1: the initial state) */
float *seq__h(const sched_seq *s, int l, int t)
{
    return s->hs + ((size_t)l * (s->maxT + 1) + (size_t)(t + 1)) * s->maxB * s->H;
}

/* y (B, F) = h (B, H) W_o^T + b_o */
static void seq__head(const sched_seq *s, const float *h, float *y, int B)
{
    for (int b = 0; b < B; b++)
        memcpy(y + (size_t)b * s->F, s->bo, sizeof(float) * (size_t)s->F);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, s->F, s->H, 1.0f, h,
                s->H, s->wo, s->H, 1.0f, y, s->F);
}

void seq__forward(sched_seq *s, int t, const float *x, int B, int train)
{
    const size_t BH = (size_t)B * s->H;
    const float *in = x;
    for (int l = 0; l < s->L; l++) {
        float *h = seq__h(s, l, t);
        rl_gru_forward(s->g[l], t, in, seq__h(s, l, t - 1), h, B);
        in = h;
        if (train && l == 0 && s->L > 1 && s->dropout > 0.0) {
            /* inverted dropout on layer 1's output, as nn.GRU's dropout:
             * the next layer sees h * mask, the recurrence h itself */
            float *m = s->mask + (size_t)t * s->maxB * s->H, *d = s->dx;
            for (size_t k = 0; k < BH; k++)
                d[k] = h[k] * m[k];
            in = d;
        }
    }
    float *y = s->ys + (size_t)t * s->maxB * s->F;
    seq__head(s, in, y, B);
    for (size_t k = 0; s->residual && k < (size_t)B * s->F; k++)
        y[k] = x[k] + s->gain[k % s->F] * y[k];
}

void seq__backward(sched_seq *s, int t, const float *dy, int B)
{
    const size_t BH = (size_t)B * s->H;
    const float *top = seq__h(s, s->L - 1, t);
    if (s->residual) { /* through the gain; the skip's input is detached */
        float *g = s->dy;
        for (size_t k = 0; k < (size_t)B * s->F; k++)
            g[k] = dy[k] * s->gain[k % s->F];
        dy = g;
    }
    /* head: dW_o += dy^T h, db_o += sum dy, dtop = dy W_o */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s->F, s->H, B, 1.0f, dy,
                s->F, top, s->H, 1.0f, s->dwo, s->H);
    for (int b = 0; b < B; b++)
        for (int f = 0; f < s->F; f++)
            s->dbo[f] += dy[(size_t)b * s->F + f];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, s->H, s->F, 1.0f, dy,
                s->F, s->wo, s->H, 0.0f, s->dtop, s->H);
    float *from_above = s->dtop;
    for (int l = s->L - 1; l >= 0; l--) {
        float *dh = s->dh + (size_t)l * s->maxB * s->H; /* carried from t + 1 */
        for (size_t k = 0; k < BH; k++)
            dh[k] += from_above[k];
        float *dx = l > 0 ? s->dx : NULL;
        rl_gru_backward(s->g[l], t, dh, dx, s->dtop, B); /* dtop <- dh_prev */
        memcpy(dh, s->dtop, sizeof(float) * BH);
        if (l == 1 && s->dropout > 0.0) {
            const float *m = s->mask + (size_t)t * s->maxB * s->H;
            for (size_t k = 0; k < BH; k++)
                s->dx[k] *= m[k];
        }
        from_above = s->dx;
    }
}

void sched_seq_step(sched_seq *s, int n, const double *x, float *state,
                    double *y)
{
    const int F = s->F, H = s->H, L = s->L;
    for (int b0 = 0; b0 < n; b0 += s->maxB) {
        const int B = n - b0 < s->maxB ? n - b0 : s->maxB;
        for (int b = 0; b < B; b++) {
            for (int f = 0; f < F; f++)
                s->xin[(size_t)b * F + f] =
                    (float)((x[(size_t)(b0 + b) * F + f] - s->off[f]) / s->scale[f]);
            for (int l = 0; l < L; l++) /* the state into h(-1) */
                memcpy(seq__h(s, l, -1) + (size_t)b * H,
                       state + ((size_t)(b0 + b) * L + l) * H, sizeof(float) * (size_t)H);
        }
        seq__forward(s, 0, s->xin, B, 0);
        for (int b = 0; b < B; b++) {
            for (int l = 0; l < L; l++)
                memcpy(state + ((size_t)(b0 + b) * L + l) * H,
                       seq__h(s, l, 0) + (size_t)b * H, sizeof(float) * (size_t)H);
            for (int f = 0; f < F; f++)
                y[(size_t)(b0 + b) * F + f] = s->ys[(size_t)b * F + f] * s->scale[f] + s->off[f];
        }
    }
}

/* ---- files ---- */

/* every parameter in file order, through one callback */
static void seq__params(sched_seq *s, void (*fn)(float *w, size_t n, void *ctx),
                        void *ctx)
{
    for (int l = 0; l < s->L; l++)
        fn(rl_gru_params(s->g[l]), rl_gru_nparams(s->g[l]), ctx);
    fn(s->wo, (size_t)s->F * s->H + s->F, ctx);
}

typedef struct seq_cursor {
    uint8_t *p;
    const uint8_t *q;
} seq_cursor;

static void seq__put(float *w, size_t n, void *ctx)
{
    seq_cursor *c = ctx;
    for (size_t k = 0; k < n; k++, c->p += 4)
        dtfl_put_f32(c->p, w[k]);
}

static void seq__get(float *w, size_t n, void *ctx)
{
    seq_cursor *c = ctx;
    for (size_t k = 0; k < n; k++, c->q += 4)
        w[k] = dtfl_get_f32(c->q);
}

int sched_seq_save(sched_seq *s, uint8_t *buf, size_t *len, dtfl_err *err)
{
    const size_t np = seq__nparams(s), need = SEQ_HEAD + 24 * (size_t)s->F + 4 * np + 4;
    if (buf != NULL) {
        if (*len < need)
            return dtfl_err_set(err, DTFL_ERANGE, "seq: buffer");
        memcpy(buf, SEQ_MAGIC, 8);
        dtfl_put_u32(buf + 8, SEQ_VERSION);
        dtfl_put_u32(buf + 12, (uint32_t)s->F);
        dtfl_put_u32(buf + 16, (uint32_t)s->H);
        dtfl_put_u32(buf + 20, (uint32_t)s->L);
        dtfl_put_u32(buf + 24, (uint32_t)s->residual);
        dtfl_put_u64(buf + 28, np);
        for (int f = 0; f < s->F; f++) {
            dtfl_put_f64(buf + SEQ_HEAD + 8 * f, s->off[f]);
            dtfl_put_f64(buf + SEQ_HEAD + 8 * (s->F + f), s->scale[f]);
            dtfl_put_f64(buf + SEQ_HEAD + 8 * (2 * s->F + f), s->step[f]);
        }
        seq_cursor c = {buf + SEQ_HEAD + 24 * (size_t)s->F, NULL};
        seq__params(s, seq__put, &c);
        dtfl_put_u32(c.p, dtfl_crc32(0, buf, need - 4));
    }
    *len = need;
    return 0;
}

int sched_seq_load_new(sched_seq **out, const uint8_t *buf, size_t len,
                       int max_batch, dtfl_err *err)
{
    *out = NULL;
    if (len < SEQ_HEAD + 4 || memcmp(buf, SEQ_MAGIC, 8) != 0)
        return dtfl_err_set(err, DTFL_EDATA, "not a dtfl predictor file");
    if (dtfl_get_u32(buf + 8) != SEQ_VERSION)
        return dtfl_err_set(err, DTFL_EDATA, "predictor file version %u, this "
                                             "dtfl reads %u",
                            dtfl_get_u32(buf + 8), SEQ_VERSION);
    if (dtfl_crc32(0, buf, len - 4) != dtfl_get_u32(buf + len - 4))
        return dtfl_err_set(err, DTFL_EDATA, "predictor file damaged (CRC)");
    const uint32_t F = dtfl_get_u32(buf + 12), H = dtfl_get_u32(buf + 16);
    const uint32_t L = dtfl_get_u32(buf + 20), res = dtfl_get_u32(buf + 24);
    if (F == 0 || F > SEQ_MAX_FEATURES || H == 0 || H > 4096 || L == 0 ||
        L > SEQ_MAX_LAYERS || res > 1)
        return dtfl_err_set(err, DTFL_EDATA, "predictor file: %u features, %u "
                                             "units, %u layers, residual %u",
                            F, H, L, res);
    uint64_t np = (uint64_t)F * H + F; /* the sizes say how long the file is */
    for (uint32_t l = 0; l < L; l++)
        np += 3ull * H * (l == 0 ? F : H) + 3ull * H * H + 6ull * H;
    if (dtfl_get_u64(buf + 28) != np || len != SEQ_HEAD + 24 * (size_t)F + 4 * np + 4)
        return dtfl_err_set(err, DTFL_EDATA, "predictor file: %zu bytes for "
                                             "%llu parameters", len,
                            (unsigned long long)np);
    sched_seq_params p = {(int)F, (int)H, (int)L, (int)res, 0};
    sched_seq *s;
    int rc = sched_seq_create(&s, &p, max_batch > 0 ? max_batch : 1, 1, err);
    if (rc < 0)
        return rc;
    double off[SEQ_MAX_FEATURES], sc[SEQ_MAX_FEATURES], st[SEQ_MAX_FEATURES];
    for (uint32_t f = 0; f < F; f++) {
        off[f] = dtfl_get_f64(buf + SEQ_HEAD + 8 * f);
        sc[f] = dtfl_get_f64(buf + SEQ_HEAD + 8 * (F + f));
        st[f] = dtfl_get_f64(buf + SEQ_HEAD + 8 * (2 * F + f));
        if (!(fabs(off[f]) <= SEQ_MAX_NORM) || !(sc[f] >= 1.0 / SEQ_MAX_NORM && sc[f] <= SEQ_MAX_NORM) ||
            !(st[f] >= 1.0 / SEQ_MAX_NORM && st[f] <= SEQ_MAX_NORM))
            rc = dtfl_err_set(err, DTFL_EDATA, "predictor file: feature %u "
                                               "offset %g, scale %g, step %g",
                              f, off[f], sc[f], st[f]);
    }
    if (rc == 0)
        sched_seq_set_norm(s, off, sc, st);
    const uint8_t *w = buf + SEQ_HEAD + 24 * (size_t)F;
    seq_cursor c = {NULL, w};
    seq__params(s, seq__get, &c);
    for (size_t k = 0; rc == 0 && k < np; k++) {
        float v = dtfl_get_f32(w + 4 * k);
        if (!(fabsf(v) <= SEQ_MAX_WEIGHT))
            rc = dtfl_err_set(err, DTFL_EDATA, "predictor file: parameter %zu "
                                               "is %g (at most %g)", k, v,
                              SEQ_MAX_WEIGHT);
    }
    if (rc < 0) {
        sched_seq_destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}
