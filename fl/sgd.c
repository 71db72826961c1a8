/*
 * sgd.c - mini-batch stochastic gradient descent with optional momentum and
 * weight decay, in PyTorch's convention:
 *     g' = g + wd * w;   v = momentum * v + g';   w -= lr * v
 * (with momentum 0 no velocity buffer is kept and v = g').
 */
#include "fl.h"

#include <stdlib.h>
#include <string.h>

struct fl_sgd {
    fl_sgd_params p;
    size_t n;
    float *v; /* (n,) velocity, NULL without momentum */
    int fresh;/* the first step sets v = g' (as PyTorch does) */
};

int fl_sgd_create(fl_sgd **out, size_t nparams, fl_sgd_params p,
                  dtfl_err *err)
{
    *out = NULL;
    fl_sgd *o = calloc(1, sizeof *o);
    if (o == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "sgd: out of memory");
    o->p = p;
    o->n = nparams;
    o->fresh = 1;
    if (p.momentum > 0.0f) {
        o->v = calloc(nparams, sizeof(float));
        if (o->v == NULL) {
            free(o);
            return dtfl_err_set(err, DTFL_ENOMEM, "sgd: out of memory");
        }
    }
    *out = o;
    return 0;
}

void fl_sgd_destroy(fl_sgd *o)
{
    if (o == NULL)
        return;
    free(o->v);
    free(o);
}

void fl_sgd_reset(fl_sgd *o)
{
    o->fresh = 1;
    if (o->v != NULL)
        memset(o->v, 0, sizeof(float) * o->n);
}

void fl_sgd_step(fl_sgd *o, float *w, const float *g)
{
    const float lr = o->p.lr, mu = o->p.momentum, wd = o->p.weight_decay;
    const size_t n = o->n;
    if (o->v == NULL) {
        for (size_t i = 0; i < n; i++)
            w[i] -= lr * (g[i] + wd * w[i]);
        return;
    }
    float *v = o->v;
    if (o->fresh) {
        for (size_t i = 0; i < n; i++)
            v[i] = g[i] + wd * w[i];
        o->fresh = 0;
    } else {
        for (size_t i = 0; i < n; i++)
            v[i] = mu * v[i] + g[i] + wd * w[i];
    }
    for (size_t i = 0; i < n; i++)
        w[i] -= lr * v[i];
}
