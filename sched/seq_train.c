/*
 * seq_train.c - training the next-step predictor of seq.c (Algorithm 1 of
 * 000, made concrete by its spec, 4.4): epochs over shuffled windows in
 * batches; in each window every step's input is the true value with
 * probability 1 - Pr and the model's own last output otherwise (scheduled
 * sampling, Bengio et al. 2015; Pr = pr_max e / epochs rises over the
 * epochs; the fed-back output is detached: no gradient flows through it),
 * the first step's always true; loss the mean squared error of every
 * step's prediction of the next; backpropagation through time; dropout on
 * layer 1's output; gradient-norm clipping and Adam (rl_adam.c). After each
 * epoch the validation loss in the regime the predictor runs in (the true
 * input every val_period steps, its own output between); the learning rate
 * halves after `patience` epochs without a better one (ReduceLROnPlateau),
 * training stops after `stop_after`, and the best weights are kept.
 *
 * Also the evaluation helpers: the validation loss and multi-step
 * forecasts (the RMSE-by-horizon tables of dtfl predict-train).
 */
#include "seq_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The state after step 0 becomes the state before it (inference and
 * evaluation run every step as step 0). */
static void seq__advance(sched_seq *s, int B)
{
    for (int l = 0; l < s->L; l++)
        memcpy(seq__h(s, l, -1), seq__h(s, l, 0), sizeof(float) * (size_t)B * s->H);
}

static void seq__zero_state(sched_seq *s, int B)
{
    for (int l = 0; l < s->L; l++)
        memset(seq__h(s, l, -1), 0, sizeof(float) * (size_t)B * s->H);
}

/* window k's step j, normalised: (F) */
static const float *seq__at(const float *norm, int L, int F, int k, int j)
{
    return norm + ((size_t)k * L + (size_t)j) * F;
}

static void seq__normalise(const sched_seq *s, const float *raw, size_t rows,
                           float *out)
{
    for (size_t r = 0; r < rows; r++)
        for (int f = 0; f < s->F; f++)
            out[r * s->F + f] = (float)((raw[r * s->F + f] - s->off[f]) / s->scale[f]);
}

double sched_seq_eval(sched_seq *s, const float *seqs, int n, int L, int period)
{
    const int F = s->F;
    float *norm = malloc(sizeof(float) * (size_t)n * L * F + 1);
    if (norm == NULL)
        return NAN;
    seq__normalise(s, seqs, (size_t)n * L, norm);
    double sum = 0.0;
    for (int k0 = 0; k0 < n; k0 += s->maxB) {
        const int B = n - k0 < s->maxB ? n - k0 : s->maxB;
        seq__zero_state(s, B);
        for (int j = 0; j < L - 1; j++) {
            for (int b = 0; b < B; b++) {
                const float *x = j % period == 0 ? seq__at(norm, L, F, k0 + b, j)
                                                 : s->ys + (size_t)b * F;
                memmove(s->xin + (size_t)b * F, x, sizeof(float) * (size_t)F);
            }
            seq__forward(s, 0, s->xin, B, 0);
            seq__advance(s, B);
            for (int b = 0; b < B; b++)
                for (int f = 0; f < F; f++) {
                    double e = s->ys[(size_t)b * F + f] - seq__at(norm, L, F, k0 + b, j + 1)[f];
                    sum += e * e;
                }
        }
    }
    free(norm);
    return sum / ((double)n * (L - 1) * F);
}

void sched_seq_forecast(sched_seq *s, const float *seqs, int n, int L,
                        int warm, int horizon, double *out)
{
    const int F = s->F;
    for (int k0 = 0; k0 < n; k0 += s->maxB) {
        const int B = n - k0 < s->maxB ? n - k0 : s->maxB;
        seq__zero_state(s, B);
        for (int j = 0; j < warm + horizon - 1; j++) {
            for (int b = 0; b < B; b++)
                for (int f = 0; f < F; f++) {
                    const float raw = seqs[((size_t)(k0 + b) * L + j) * F + f];
                    s->xin[(size_t)b * F + f] =
                        j < warm ? (float)((raw - s->off[f]) / s->scale[f])
                                 : s->ys[(size_t)b * F + f];
                }
            seq__forward(s, 0, s->xin, B, 0);
            seq__advance(s, B);
            if (j < warm - 1)
                continue;
            for (int b = 0; b < B; b++) /* the forecast of step j + 1 */
                for (int f = 0; f < F; f++)
                    out[((size_t)(k0 + b) * horizon + (j + 1 - warm)) * F + f] =
                        s->ys[(size_t)b * F + f] * s->scale[f] + s->off[f];
        }
    }
}

/* ---- training ---- */

typedef struct seq_opt {
    rl_adam *adam[SEQ_MAX_LAYERS + 1];
    float *best;             /* (nparams) the best weights so far */
} seq_opt;

static void seq__opt_free(seq_opt *o)
{
    for (int l = 0; l <= SEQ_MAX_LAYERS; l++)
        rl_adam_destroy(o->adam[l]);
    free(o->best);
}

/* every (weights, grads, count) of the model, head last */
static int seq__slabs(sched_seq *s, float **w, float **g, size_t *n)
{
    for (int l = 0; l < s->L; l++) {
        w[l] = rl_gru_params(s->g[l]);
        g[l] = rl_gru_grads(s->g[l]);
        n[l] = rl_gru_nparams(s->g[l]);
    }
    w[s->L] = s->wo, g[s->L] = s->dwo, n[s->L] = (size_t)s->F * s->H + s->F;
    return s->L + 1;
}

static void seq__copy(sched_seq *s, float *flat, int to_model)
{
    float *w[SEQ_MAX_LAYERS + 1], *g[SEQ_MAX_LAYERS + 1];
    size_t n[SEQ_MAX_LAYERS + 1];
    const int k = seq__slabs(s, w, g, n);
    for (int i = 0; i < k; i++, flat += n[i - 1])
        memcpy(to_model ? w[i] : flat, to_model ? flat : w[i], sizeof(float) * n[i]);
}

/* Gradient clipping by the global norm, then Adam on every slab. */
static void seq__update(sched_seq *s, seq_opt *o, double clip)
{
    float *w[SEQ_MAX_LAYERS + 1], *g[SEQ_MAX_LAYERS + 1];
    size_t n[SEQ_MAX_LAYERS + 1];
    const int k = seq__slabs(s, w, g, n);
    double sq = 0.0;
    for (int i = 0; i < k; i++)
        for (size_t j = 0; j < n[i]; j++)
            sq += (double)g[i][j] * g[i][j];
    const double norm = sqrt(sq);
    const float scale = clip > 0 && norm > clip ? (float)(clip / (norm + 1e-6)) : 1.0f;
    for (int i = 0; i < k; i++) {
        for (size_t j = 0; scale != 1.0f && j < n[i]; j++)
            g[i][j] *= scale;
        rl_adam_step(o->adam[i], w[i], g[i]);
        memset(g[i], 0, sizeof(float) * n[i]);
    }
}

/* One batch of B windows (rows of order from k0): forward with scheduled
 * sampling, backward through time, one update. Returns the summed squared
 * error. */
static double seq__batch(sched_seq *s, seq_opt *o, const float *norm,
                         const int *order, int k0, int B, int L, double pr,
                         const sched_seq_train *t, dtfl_rng *r)
{
    const int F = s->F, H = s->H;
    seq__zero_state(s, B);
    double sse = 0.0;
    for (int j = 0; j < L - 1; j++) {
        const int own = j > 0 && dtfl_rng_uniform(r) < pr;  /* per step */
        for (int b = 0; b < B; b++) {
            int fed = t->pr_per_sample ? j > 0 && dtfl_rng_uniform(r) < pr : own;
            const float *x = fed ? s->ys + ((size_t)(j - 1) * s->maxB + b) * F
                                 : seq__at(norm, L, F, order[k0 + b], j);
            memcpy(s->xin + (size_t)b * F, x, sizeof(float) * (size_t)F);
        }
        if (s->L > 1 && s->dropout > 0.0) {
            float *m = s->mask + (size_t)j * s->maxB * H;
            const float keep = (float)(1.0 / (1.0 - s->dropout));
            for (size_t q = 0; q < (size_t)B * H; q++)
                m[q] = dtfl_rng_uniform(r) < s->dropout ? 0.0f : keep;
        }
        seq__forward(s, j, s->xin, B, 1);
    }
    memset(s->dh, 0, sizeof(float) * (size_t)s->L * s->maxB * H);
    const double w = 2.0 / ((double)B * (L - 1) * F);
    for (int j = L - 2; j >= 0; j--) {
        const float *y = s->ys + (size_t)j * s->maxB * F;
        for (int b = 0; b < B; b++)
            for (int f = 0; f < F; f++) {
                double e = y[(size_t)b * F + f] - seq__at(norm, L, F, order[k0 + b], j + 1)[f];
                sse += e * e;
                s->dy[(size_t)b * F + f] = (float)(w * e);
            }
        seq__backward(s, j, s->dy, B);
    }
    seq__update(s, o, t->clip);
    return sse;
}

static int seq__opt_init(sched_seq *s, seq_opt *o, const sched_seq_train *t,
                         dtfl_err *err)
{
    float *w[SEQ_MAX_LAYERS + 1], *g[SEQ_MAX_LAYERS + 1];
    size_t n[SEQ_MAX_LAYERS + 1];
    const int k = seq__slabs(s, w, g, n);
    memset(o, 0, sizeof *o);
    int rc = 0;
    for (int i = 0; rc == 0 && i < k; i++) {
        rc = rl_adam_create(&o->adam[i], n[i], t->lr, t->adam_eps, err);
        memset(g[i], 0, sizeof(float) * n[i]);
    }
    o->best = rc == 0 ? malloc(sizeof(float) * seq__nparams(s)) : NULL;
    if (rc == 0 && o->best == NULL)
        rc = dtfl_err_set(err, DTFL_ENOMEM, "seq: out of memory");
    return rc;
}

int sched_seq_fit(sched_seq *s, const float *train, int N, const float *val,
                  int Nv, int L, const sched_seq_train *t,
                  sched_seq_progress fn, void *ctx, sched_seq_report *rep,
                  dtfl_err *err)
{
    memset(rep, 0, sizeof *rep);
    if (N <= 0 || Nv <= 0 || L < 2 || L - 1 > s->maxT || t->batch > s->maxB ||
        t->batch <= 0 || t->epochs <= 0 || t->val_period <= 0)
        return dtfl_err_set(err, DTFL_EINTERNAL, "seq: %d windows (%d to "
                                                 "validate) of %d steps, batch "
                                                 "%d, for a model of batch %d "
                                                 "and %d steps", N, Nv, L,
                            t->batch, s->maxB, s->maxT);
    const double t0 = dtfl_now();
    seq_opt o;
    float *norm = malloc(sizeof(float) * (size_t)N * L * s->F + 1);
    int *order = malloc(sizeof(int) * (size_t)N + 1);
    int rc = norm == NULL || order == NULL
                 ? dtfl_err_set(err, DTFL_ENOMEM, "seq: out of memory")
                 : seq__opt_init(s, &o, t, err);
    double lr = t->lr, best = INFINITY;
    int bad = 0;
    s->dropout = t->dropout;
    if (rc == 0)
        seq__normalise(s, train, (size_t)N * L, norm);
    for (int e = 0; rc == 0 && e < t->epochs; e++) {
        dtfl_rng r;
        dtfl_rng_init(&r, t->seed, DTFL_STREAM_SHUFFLE, 0x5e0u, (uint32_t)e);
        for (int k = 0; k < N; k++) /* Fisher-Yates */
            order[k] = k;
        for (int k = N - 1; k > 0; k--) {
            int j = (int)dtfl_rng_below(&r, (uint32_t)k + 1), v = order[k];
            order[k] = order[j], order[j] = v;
        }
        const double pr = t->pr_max * e / t->epochs; /* Alg. 1 line 4 */
        double sse = 0.0;
        for (int k0 = 0; k0 < N; k0 += t->batch)
            sse += seq__batch(s, &o, norm, order, k0, N - k0 < t->batch ? N - k0 : t->batch,
                              L, pr, t, &r);
        rep->train_loss = sse / ((double)N * (L - 1) * s->F);
        const double v = sched_seq_eval(s, val, Nv, L, t->val_period);
        rep->epochs = e + 1;
        if (v < best) {
            best = v, bad = 0;
            rep->best_epoch = e + 1;
            seq__copy(s, o.best, 0);
        } else if (++bad % t->patience == 0) {
            lr *= 0.5;
            for (int i = 0; i <= s->L; i++)
                rl_adam_set_lr(o.adam[i], lr);
        }
        if (fn != NULL)
            fn(e + 1, rep->train_loss, v, lr, ctx);
        if (!isfinite(v))
            rc = dtfl_err_set(err, DTFL_EINTERNAL, "seq: validation loss %g "
                                                   "at epoch %d (lr %g too high?)",
                              v, e + 1, lr);
        if (t->stop_after > 0 && bad >= t->stop_after)
            break;
    }
    if (rc == 0 && isfinite(best))
        seq__copy(s, o.best, 1);
    s->dropout = 0.0;
    rep->best_val = best;
    rep->lr = lr;
    rep->seconds = dtfl_now() - t0;
    if (norm != NULL && order != NULL)
        seq__opt_free(&o);
    free(norm);
    free(order);
    return rc;
}
