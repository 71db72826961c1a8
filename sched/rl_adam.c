/*
 * rl_adam.c - the Adam optimiser (Kingma and Ba) with bias correction,
 * betas 0.9 and 0.999, RMSprop (Hinton; PyTorch's form, as SB3's A2C
 * uses it), and gradient clipping by global L2 norm.
 */
#include "rl.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

struct rl_adam {
    size_t n;
    double lr, eps;
    double alpha;  /* RMSprop's smoothing; 0: Adam */
    long t;        /* steps taken */
    float *m, *v;  /* (n,) first and second moments */
};

int rl_adam_create(rl_adam **out, size_t n, double lr, double eps,
                   dtfl_err *err)
{
    *out = NULL;
    rl_adam *a = calloc(1, sizeof *a);
    if (a == NULL || (a->m = calloc(2 * (n ? n : 1), sizeof(float))) == NULL) {
        free(a);
        return dtfl_err_set(err, DTFL_ENOMEM, "adam: out of memory");
    }
    a->v = a->m + n;
    a->n = n;
    a->lr = lr;
    a->eps = eps;
    *out = a;
    return 0;
}

int rl_rmsprop_create(rl_adam **out, size_t n, double lr, double alpha,
                      double eps, dtfl_err *err)
{
    int rc = rl_adam_create(out, n, lr, eps, err);
    if (rc == 0)
        (*out)->alpha = alpha;
    return rc;
}

void rl_adam_destroy(rl_adam *a)
{
    if (a == NULL)
        return;
    free(a->m);
    free(a);
}

void rl_adam_set_lr(rl_adam *a, double lr) { a->lr = lr; }

/* The element-wise updates run for every weight at every step (A2C steps
 * every 5 slots): on x86-64 GCC builds them for AVX-512 and AVX2 as well
 * and picks one at run time. Every operation is IEEE (multiply, add,
 * sqrt, divide, no contraction into FMA: -ffp-contract=off), so each width
 * gives the same bits. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ADAM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ADAM_CLONES
#endif

/* The element-wise update, on restrict pointers so it vectorises. */
ADAM_CLONES
static void adam__update(size_t n, float *restrict w, const float *restrict g,
                         float *restrict m, float *restrict v, float step,
                         float eps, float scale)
{
    const float b1 = 0.9f, b2 = 0.999f;
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i] * scale; /* as sscal would have left it */
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        w[i] -= step * m[i] / (sqrtf(v[i]) + eps);
    }
}

/* PyTorch's RMSprop (no momentum, not centred). */
ADAM_CLONES
static void rmsprop__update(size_t n, float *restrict w, const float *restrict g,
                            float *restrict v, float alpha, float lr, float eps,
                            float scale)
{
    for (size_t i = 0; i < n; i++) {
        const float gi = g[i] * scale;
        v[i] = alpha * v[i] + (1.0f - alpha) * gi * gi;
        w[i] -= lr * gi / (sqrtf(v[i]) + eps);
    }
}

/* One step with the gradient g times scale (g itself is left as it is). */
static void opt__step(rl_adam *a, float *w, const float *g, float scale)
{
    a->t++;
    if (a->alpha > 0.0) {
        rmsprop__update(a->n, w, g, a->v, (float)a->alpha, (float)a->lr, (float)a->eps,
                        scale);
        return;
    }
    const double c1 = 1.0 - pow(0.9, (double)a->t), c2 = 1.0 - pow(0.999, (double)a->t);
    /* lr sqrt(1 - b2^t) / (1 - b1^t), with eps scaled to match PyTorch */
    adam__update(a->n, w, g, a->m, a->v, (float)(a->lr * sqrt(c2) / c1),
                 (float)(a->eps * sqrt(c2)), scale);
}

void rl_adam_step(rl_adam *a, float *w, const float *g) { opt__step(a, w, g, 1.0f); }

double rl_clip_step(rl_adam *a, float *w, const float *g, double max)
{
    double norm = sqrt(cblas_dsdot((int)a->n, g, 1, g, 1));
    opt__step(a, w, g, max > 0 && norm > max ? (float)(max / (norm + 1e-6)) : 1.0f);
    return norm;
}

double rl_clip_grad_norm(float *g, size_t n, double max)
{
    /* sum of squares accumulated in double by BLAS */
    double norm = sqrt(cblas_dsdot((int)n, g, 1, g, 1));
    if (max > 0 && norm > max)
        cblas_sscal((int)n, (float)(max / (norm + 1e-6)), g, 1);
    return norm;
}
