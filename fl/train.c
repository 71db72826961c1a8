/*
 * train.c - the loops around a model: one epoch of mini-batch SGD over a set
 * of samples, and evaluation. A fl_batch holds the float staging buffer and
 * the shuffled order, so loops allocate nothing per step.
 */
#include "fl.h"

#include <math.h>
#include <stdlib.h>

struct fl_batch {
    int max_batch;
    int dim;
    float *x;        /* (max_batch, dim) */
    uint8_t *y;      /* (max_batch,) */
    int32_t *order;  /* (cap,) sample order of an epoch */
    int cap;
};

int fl_batch_create(fl_batch **out, const fl_model *m, dtfl_err *err)
{
    *out = NULL;
    fl_model_shape s = fl_model_get_shape(m);
    fl_batch *b = calloc(1, sizeof *b);
    if (b == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "batch: out of memory");
    b->max_batch = fl_model_max_batch(m);
    b->dim = s.rows * s.cols;
    b->x = malloc(sizeof(float) * (size_t)b->max_batch * b->dim);
    b->y = malloc((size_t)b->max_batch);
    if (b->x == NULL || b->y == NULL) {
        fl_batch_destroy(b);
        return dtfl_err_set(err, DTFL_ENOMEM, "batch: out of memory");
    }
    *out = b;
    return 0;
}

void fl_batch_destroy(fl_batch *b)
{
    if (b == NULL)
        return;
    free(b->x);
    free(b->y);
    free(b->order);
    free(b);
}

/* Makes room for an order of n samples; returns 0 or DTFL_ENOMEM. */
static int train__order(fl_batch *b, int n)
{
    if (n <= b->cap)
        return 0;
    int32_t *o = realloc(b->order, sizeof(int32_t) * (size_t)n);
    if (o == NULL)
        return DTFL_ENOMEM;
    b->order = o;
    b->cap = n;
    return 0;
}

void fl_train_epoch(fl_model *m, fl_sgd *o, fl_batch *b, const fl_samples *s,
                    int batch, dtfl_rng *shuffle, fl_stats *out)
{
    fl_stats st = {0};
    if (batch > b->max_batch)
        batch = b->max_batch;
    const int32_t *order = NULL;
    if (shuffle != NULL && train__order(b, s->n) == 0) {
        for (int i = 0; i < s->n; i++)
            b->order[i] = i;
        for (int i = s->n - 1; i > 0; i--) {
            int j = (int)dtfl_rng_below(shuffle, (uint32_t)i + 1);
            int32_t t = b->order[i];
            b->order[i] = b->order[j];
            b->order[j] = t;
        }
        order = b->order;
    }
    double per_sample = fl_model_flops_forward(m) + fl_model_flops_backward(m);
    long right = 0;
    for (int first = 0; first < s->n; first += batch) {
        int B = s->n - first < batch ? s->n - first : batch;
        fl_batch_fill(b->x, b->y, s, order, first, B);
        fl_model_zero_grads(m);
        int correct = 0;
        float loss = fl_model_backward(m, b->x, b->y, B, &correct);
        fl_sgd_step(o, fl_model_params(m), fl_model_grads(m));
        st.loss += (double)loss * B;
        right += correct;
        st.samples += B;
    }
    if (st.samples > 0) {
        st.loss /= (double)st.samples;
        st.accuracy = (double)right / (double)st.samples;
    }
    st.flops = per_sample * (double)st.samples;
    *out = st;
}

void fl_evaluate(fl_model *m, fl_batch *b, const fl_samples *s, fl_stats *out)
{
    fl_classify(m, b, s, NULL, out);
}

void fl_classify(fl_model *m, fl_batch *b, const fl_samples *s, uint8_t *pred,
                 fl_stats *out)
{
    fl_stats st = {0};
    fl_model_shape shape = fl_model_get_shape(m);
    long right = 0;
    double loss = 0.0;
    for (int first = 0; first < s->n; first += b->max_batch) {
        int B = s->n - first < b->max_batch ? s->n - first : b->max_batch;
        fl_batch_fill(b->x, b->y, s, NULL, first, B);
        const float *z = fl_model_forward(m, b->x, B);
        for (int i = 0; i < B; i++) {
            const float *row = z + (size_t)i * shape.classes;
            int best = 0;
            for (int k = 1; k < shape.classes; k++)
                if (row[k] > row[best])
                    best = k;
            right += best == b->y[i];
            if (pred != NULL)
                pred[first + i] = (uint8_t)best;
            /* log-softmax of the true class, stably */
            float zmax = row[best];
            double sum = 0.0;
            for (int k = 0; k < shape.classes; k++)
                sum += exp((double)(row[k] - zmax));
            loss += log(sum) - (double)(row[b->y[i]] - zmax);
        }
        st.samples += B;
    }
    if (st.samples > 0) {
        st.loss = loss / (double)st.samples;
        st.accuracy = (double)right / (double)st.samples;
    }
    st.flops = fl_model_flops_forward(m) * (double)st.samples;
    *out = st;
}
