/*
 * rl_heads.c - probability distributions over actions, one sample at a time,
 * in double: the factorised categorical (K independent choices among A, one
 * per user: which server hosts its twin) and the diagonal Gaussian. Each
 * has its log-probability, entropy, sampling, mode, and the gradient of a
 * weighted sum of log-probability and entropy with respect to its inputs.
 */
#include "rl.h"

#include <math.h>

/* log-softmax of one group of A logits into lp (A). */
static void heads__logsoftmax(const float *z, int A, double *lp)
{
    double mx = z[0];
    for (int i = 1; i < A; i++)
        mx = z[i] > mx ? z[i] : mx;
    double s = 0.0;
    for (int i = 0; i < A; i++)
        s += exp((double)z[i] - mx);
    double lse = mx + log(s);
    for (int i = 0; i < A; i++)
        lp[i] = (double)z[i] - lse;
}

/* e_i = expf(z_i - max z) for one group of A logits (the training path's
 * one exponential per logit); returns their sum, the max in *mx. */
static double heads__exp(const float *z, int A, double *e, float *mx)
{
    float m = z[0];
    for (int i = 1; i < A; i++)
        m = z[i] > m ? z[i] : m;
    double s = 0.0;
    for (int i = 0; i < A; i++) {
        e[i] = expf(z[i] - m);
        s += e[i];
    }
    *mx = m;
    return s;
}

double rl_cat_logp(const float *logits, int K, int A, const int *act)
{
    double lp[RL_MAX_CHOICES], sum = 0.0;
    for (int k = 0; k < K; k++) {
        heads__logsoftmax(logits + (size_t)k * A, A, lp);
        sum += lp[act[k]];
    }
    return sum;
}

double rl_cat_entropy(const float *logits, int K, int A)
{
    double lp[RL_MAX_CHOICES], h = 0.0;
    for (int k = 0; k < K; k++) {
        heads__logsoftmax(logits + (size_t)k * A, A, lp);
        for (int i = 0; i < A; i++)
            h -= exp(lp[i]) * lp[i];
    }
    return h;
}

void rl_cat_sample(const float *logits, int K, int A, dtfl_rng *r, int *act)
{
    double e[RL_MAX_CHOICES];
    for (int k = 0; k < K; k++) {
        float mx;
        double s = heads__exp(logits + (size_t)k * A, A, e, &mx);
        double u = dtfl_rng_uniform(r) * s, c = 0.0;
        act[k] = A - 1;
        for (int i = 0; i < A; i++) {
            c += e[i];
            if (u < c) {
                act[k] = i;
                break;
            }
        }
    }
}

void rl_cat_mode(const float *logits, int K, int A, int *act)
{
    for (int k = 0; k < K; k++) {
        const float *z = logits + (size_t)k * A;
        int best = 0;
        for (int i = 1; i < A; i++)
            if (z[i] > z[best])
                best = i;
        act[k] = best;
    }
}

void rl_cat_backward(const float *logits, int K, int A, const int *act,
                     double w_lp, double w_ent, float *dlogits)
{
    double lp[RL_MAX_CHOICES];
    for (int k = 0; k < K; k++) {
        heads__logsoftmax(logits + (size_t)k * A, A, lp);
        double h = 0.0;
        for (int i = 0; i < A; i++)
            h -= exp(lp[i]) * lp[i];
        float *d = dlogits + (size_t)k * A;
        for (int i = 0; i < A; i++) {
            double p = exp(lp[i]);
            /* d logp / dz_i = [i == a] - p_i;  d H / dz_i = -p_i (lp_i + H) */
            d[i] += (float)(w_lp * ((i == act[k]) - p) - w_ent * p * (lp[i] + h));
        }
    }
}

/* The training path: one exponential per logit (expf, from the largest
 * logit down), probabilities kept beside the log-probabilities for the
 * backward pass. */
void rl_cat_eval(const float *logits, int K, int A, const int *act,
                 double *lp, double *logp, double *entropy)
{
    double sum = 0.0, h = 0.0;
    const size_t KA = (size_t)K * A;
    for (int k = 0; k < K; k++) {
        const float *z = logits + (size_t)k * A;
        double *l = lp + (size_t)k * A, *p = l + KA;
        float mx;
        double s = heads__exp(z, A, p, &mx);
        double lse = (double)mx + log(s);
        for (int i = 0; i < A; i++) {
            l[i] = (double)z[i] - lse;
            p[i] /= s;
            h -= p[i] * l[i];
        }
        sum += l[act[k]];
    }
    *logp = sum;
    *entropy = h;
}

void rl_cat_backward_lp(const double *lp, int K, int A, const int *act,
                        const double *w_lp, double w_ent, float *dlogits)
{
    const size_t KA = (size_t)K * A;
    for (int k = 0; k < K; k++) {
        const double *l = lp + (size_t)k * A, *p = l + KA;
        double h = 0.0;
        for (int i = 0; i < A; i++)
            h -= p[i] * l[i];
        float *d = dlogits + (size_t)k * A;
        for (int i = 0; i < A; i++)
            d[i] += (float)(w_lp[k] * ((i == act[k]) - p[i]) - w_ent * p[i] * (l[i] + h));
    }
}

double rl_gauss_logp(const float *mean, const float *log_std, int D,
                     const float *a)
{
    double s = 0.0;
    for (int i = 0; i < D; i++) {
        double z = ((double)a[i] - mean[i]) / exp(log_std[i]);
        s += -0.5 * z * z - log_std[i] - 0.5 * log(2.0 * M_PI);
    }
    return s;
}

double rl_gauss_entropy(const float *log_std, int D)
{
    double s = 0.0;
    for (int i = 0; i < D; i++)
        s += log_std[i] + 0.5 * log(2.0 * M_PI * M_E);
    return s;
}

void rl_gauss_sample(const float *mean, const float *log_std, int D,
                     dtfl_rng *r, float *a)
{
    for (int i = 0; i < D; i++)
        a[i] = (float)(mean[i] + exp(log_std[i]) * dtfl_rng_normal(r));
}

void rl_gauss_backward(const float *mean, const float *log_std, int D,
                       const float *a, double w_lp, double w_ent,
                       float *dmean, float *dlog_std)
{
    for (int i = 0; i < D; i++) {
        double s = exp(log_std[i]), z = ((double)a[i] - mean[i]) / s;
        /* d logp / d mean = z / s;  d logp / d log_std = z^2 - 1;
         * d H / d log_std = 1 */
        dmean[i] += (float)(w_lp * z / s);
        dlog_std[i] += (float)(w_lp * (z * z - 1.0) + w_ent);
    }
}
