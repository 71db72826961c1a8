/*
 * fl.h - the learning module of dtfl: datasets, non-IID partitions, models,
 * SGD, evaluation and FedAvg arithmetic.
 *
 * What is here: an IDX reader (MNIST format, plain or gzipped) that checks
 * every byte before use; a partitioner that gives each user a label mix at a
 * requested EMD (eq. 10 of 003_8fb9af7836691d5d.txt) and draws samples keyed
 * by (seed, user, slot); three models (softmax regression, the FedAvg "2NN"
 * MLP and the FedAvg CNN) with forward and backward passes on cblas; SGD;
 * weighted averaging of flat weight vectors (eq. 4).
 *
 * What is not here: MPI, schedulers, twins. Every model keeps all its weights
 * in one flat float array, so FedAvg and migration move one buffer.
 *
 * Shapes are written (rows, cols) for row-major buffers. Images are bytes
 * (n, dim) with dim = rows * cols; models see them scaled to [0, 1].
 */
#ifndef DTFL_FL_H
#define DTFL_FL_H

#include <stddef.h>
#include <stdint.h>

#include "../base/dtfl.h"

#define FL_MAX_CLASSES 256

/* ------------------------------------------------------------------------ */
/* Samples and datasets                                                     */
/* ------------------------------------------------------------------------ */

/* A view of n labelled images. Does not own its bytes. */
typedef struct fl_samples {
    int n;              /* number of samples */
    int dim;            /* pixels per sample */
    const uint8_t *x;   /* (n, dim) pixel bytes */
    const uint8_t *y;   /* (n,) labels, each < classes of the dataset */
} fl_samples;

/* A dataset read from a pair of IDX files. Owns its bytes. */
typedef struct fl_dataset {
    int n;              /* number of samples */
    int rows, cols;     /* image shape, e.g. 28 x 28 */
    int dim;            /* rows * cols */
    int classes;        /* number of labels, max label + 1 */
    uint8_t *x;         /* (n, dim) */
    uint8_t *y;         /* (n,) */
    int *label_count;   /* (classes,) samples per label */
    int32_t **by_label; /* (classes,) -> (label_count[c],) sample indices */
} fl_dataset;

/* A parsed IDX file (used by the dataset loader and the fuzzer). */
typedef struct fl_idx {
    int ndims;          /* 1..3 */
    uint32_t dims[3];   /* big-endian dimensions from the header */
    size_t count;       /* product of dims */
    const uint8_t *data;/* count bytes inside the parsed buffer */
} fl_idx;

/* Parses an IDX byte buffer of unsigned bytes. `name` is used in messages.
 * Never reads outside buf[0..len). */
int fl_idx_parse(const uint8_t *buf, size_t len, const char *name,
                 fl_idx *out, dtfl_err *err);

/* Reads a whole IDX file, plain or gzipped, into a malloc'd buffer (checked
 * against max_bytes after decompression). */
int fl_idx_read_file(const char *path, size_t max_bytes, uint8_t **buf,
                     size_t *len, dtfl_err *err);

/* Loads images and labels; checks that the files agree. limit > 0 keeps the
 * first `limit` samples (the class count comes from every label of the
 * file, so a small subset still has the full label set). classes > 0 is
 * the data set's class count: a label at or above it is refused, naming the
 * file and the index. classes 0 (auto) counts largest label + 1 and refuses
 * a file in which a class below the largest has no sample. */
int fl_dataset_load(fl_dataset **out, const char *images, const char *labels,
                    int limit, int classes, dtfl_err *err);

/* Builds a dataset from bytes already in memory (copied). For tests. */
int fl_dataset_from_bytes(fl_dataset **out, int n, int rows, int cols,
                          int classes, const uint8_t *x, const uint8_t *y,
                          dtfl_err *err);

void fl_dataset_destroy(fl_dataset *d);

/* The whole dataset as a sample view. */
fl_samples fl_dataset_samples(const fl_dataset *d);

/* Label proportions of the dataset, (classes,). */
void fl_dataset_mix(const fl_dataset *d, double *mix);

/* ------------------------------------------------------------------------ */
/* Non-IID partitions (eq. 10 of 003)                                      */
/* ------------------------------------------------------------------------ */

/* EMD between two label mixes: sum_y |p(y) - q(y)| (eq. 10). */
double fl_emd(const double *p, const double *q, int classes);

/* EMD of integer label counts (summing to n > 0) against a mix. */
double fl_emd_counts(const int *counts, int n, const double *q, int classes);

/* Largest EMD a mix can have against `global`: 2 (1 - min_y global(y)). */
double fl_emd_max(const double *global, int classes);

/* A user's label mix at EMD phi from `global`:
 *   mix = (1 - t) global + t e_dominant,  t = phi / (2 (1 - global(dom)))
 * so the EMD is exactly phi. The dominant label is drawn from
 * (seed, DTFL_STREAM_MIX, user) among the labels that can reach phi.
 * Fails with DTFL_ERANGE when no label can reach phi. */
int fl_mix_for_user(double *mix, const double *global, int classes,
                    double phi, uint64_t seed, uint32_t user, int *dominant,
                    dtfl_err *err);

/* Integer label counts for n samples from `mix`: largest-remainder rounding,
 * then single-sample moves while they bring the EMD of the counts against
 * `global` closer to `target` (so no single move improves it; within 1e-3
 * for n >= 1000 when the label shares allow). Returns that EMD in
 * *achieved. */
void fl_mix_counts(const double *mix, const double *global, int classes,
                   int n, double target, int *counts, double *achieved);

/* Draws counts[y] distinct samples of each label y from the dataset, keyed
 * by (seed, stream, entity, slot): the same arguments give the same indices
 * on any rank. idx_out has room for sum(counts). Fails with DTFL_ERANGE when
 * a label has fewer samples than asked. */
int fl_draw(const fl_dataset *d, const int *counts, uint64_t seed,
            uint32_t stream, uint32_t entity, uint32_t slot, int32_t *idx_out,
            dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Models                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum fl_model_kind {
    FL_MODEL_SOFTMAX = 0, /* softmax regression: dim -> classes */
    FL_MODEL_2NN = 1,     /* FedAvg MLP: dim -> 200 -> 200 -> classes, ReLU */
    FL_MODEL_CNN = 2      /* FedAvg CNN: conv5x5x32, pool, conv5x5x64, pool,
                             fc 512, fc classes, ReLU */
} fl_model_kind;

const char *fl_model_kind_name(fl_model_kind kind);

/* The shape a model is built for. */
typedef struct fl_model_shape {
    fl_model_kind kind;
    int rows, cols;     /* input image */
    int classes;        /* outputs */
} fl_model_shape;

typedef struct fl_model fl_model;

/* Builds a model able to process batches of up to max_batch samples. The
 * weights are zero until fl_model_init() or fl_model_load(). */
int fl_model_create(fl_model **out, fl_model_shape shape, int max_batch,
                    dtfl_err *err);
void fl_model_destroy(fl_model *m);

fl_model_shape fl_model_get_shape(const fl_model *m);
int fl_model_max_batch(const fl_model *m);

/* The flat weight vector and its gradient, both (nparams,). */
size_t fl_model_nparams(const fl_model *m);
/* The same for a shape, without building the model. */
size_t fl_model_shape_nparams(fl_model_shape shape);
float *fl_model_params(fl_model *m);
const float *fl_model_params_const(const fl_model *m);
float *fl_model_grads(fl_model *m);

/* PyTorch's default initialisation (weights and biases uniform on
 * +-1/sqrt(fan_in)), keyed by (seed, DTFL_STREAM_INIT). */
void fl_model_init(fl_model *m, uint64_t seed);

/* Forward pass of B <= max_batch samples; x is (B, dim) in [0, 1].
 * Returns the logits, (B, classes), owned by the model. */
const float *fl_model_forward(fl_model *m, const float *x, int B);

/* Forward and backward on one batch: gradients of the mean cross-entropy are
 * accumulated (+=) into fl_model_grads(). Returns the mean loss; *correct
 * (may be NULL) receives the number of correct predictions. */
float fl_model_backward(fl_model *m, const float *x, const uint8_t *y, int B,
                        int *correct);

void fl_model_zero_grads(fl_model *m);

/* Model FLOPs of one sample through forward, and through backward
 * (multiply-adds counted as 2 FLOPs; BLAS work only). */
double fl_model_flops_forward(const fl_model *m);
double fl_model_flops_backward(const fl_model *m);

/* Scales a batch of bytes to floats: x (B, dim) <- bytes[idx[b]] / 255.
 * idx may be NULL for samples 0..B-1 of s starting at `first`. */
void fl_batch_fill(float *x, uint8_t *y, const fl_samples *s,
                   const int32_t *idx, int first, int B);

/* Model files: magic, version, shape, weights (little-endian), CRC-32.
 * Loading a file made for another shape is an error that says so. */
int fl_model_save(const fl_model *m, const char *path, dtfl_err *err);
int fl_model_load(fl_model *m, const char *path, dtfl_err *err);

/* ------------------------------------------------------------------------ */
/* Building blocks (also used by sched/ for its policy networks)            */
/* ------------------------------------------------------------------------ */

/* dense: out (B,OUT) = in (B,IN) . w^T + b; w is (OUT,IN), b (OUT). */
void fl_dense_forward(float *out, const float *in, const float *w,
                      const float *b, int B, int IN, int OUT);
/* dw (OUT,IN) += dout^T in; db += column sums of dout; din (B,IN) =
 * dout . w, skipped when din is NULL. */
void fl_dense_backward(float *din, float *dw, float *db, const float *dout,
                       const float *in, const float *w, int B, int IN,
                       int OUT);
/* Activations in place on a layer's output, and their backward passes on
 * the gradient given that output: ReLU masks, tanh scales by 1 - out^2. */
void fl_relu_forward(float *x, size_t n);
void fl_relu_backward(float *dout, const float *out, size_t n);
void fl_tanh_forward(float *x, size_t n);
void fl_tanh_backward(float *dout, const float *out, size_t n);

/* ------------------------------------------------------------------------ */
/* Optimiser and training loops                                            */
/* ------------------------------------------------------------------------ */

typedef struct fl_sgd_params {
    float lr;            /* learning rate */
    float momentum;      /* 0 disables momentum (PyTorch's convention) */
    float weight_decay;  /* L2 coefficient added to the gradient */
} fl_sgd_params;

typedef struct fl_sgd fl_sgd;

int fl_sgd_create(fl_sgd **out, size_t nparams, fl_sgd_params p,
                  dtfl_err *err);
void fl_sgd_destroy(fl_sgd *o);
/* Forgets the momentum (a fresh start from new weights). */
void fl_sgd_reset(fl_sgd *o);
/* w -= lr * (v = momentum v + g + wd w). */
void fl_sgd_step(fl_sgd *o, float *w, const float *g);

/* What a pass over some samples measured. */
typedef struct fl_stats {
    double loss;        /* mean cross-entropy */
    double accuracy;    /* fraction correct */
    long samples;       /* samples seen */
    double flops;       /* model FLOPs spent */
} fl_stats;

/* A scratch area for batches (floats and labels), sized for a model. */
typedef struct fl_batch fl_batch;
int fl_batch_create(fl_batch **out, const fl_model *m, dtfl_err *err);
void fl_batch_destroy(fl_batch *b);

/* One epoch of mini-batch SGD over s (order shuffled by `shuffle`, which may
 * be NULL for the stored order). */
void fl_train_epoch(fl_model *m, fl_sgd *o, fl_batch *b, const fl_samples *s,
                    int batch, dtfl_rng *shuffle, fl_stats *out);

/* Loss and accuracy of the model on s. */
void fl_evaluate(fl_model *m, fl_batch *b, const fl_samples *s, fl_stats *out);
/* The same, and each sample's predicted class (the first of the largest
 * outputs) into pred (s->n; NULL: not kept). */
void fl_classify(fl_model *m, fl_batch *b, const fl_samples *s, uint8_t *pred,
                 fl_stats *out);

/* ------------------------------------------------------------------------ */
/* FedAvg (eq. 4 of 003)                                                    */
/* ------------------------------------------------------------------------ */

/* acc += weight * w over n floats. Called once per server in server-id
 * order, the sum is the same bits on any number of ranks. */
void fl_fedavg_add(double *acc, const float *w, size_t n, double weight);

/* out = acc / total, as floats. */
void fl_fedavg_finish(float *out, const double *acc, size_t n, double total);

/* The aggregation rule, as the FL frameworks have it (Flower's
 * min_fit_clients and fraction_fit): a round's updates are combined when at
 * least `min_servers` of the servers and at least `min_fraction` of the
 * `eligible` ones (servers with twins, asked to train) reported; otherwise
 * the previous global model is kept. No report at all never aggregates.
 * Returns 1 to aggregate, 0 to keep. */
int fl_quorum(int reported, int eligible, int min_servers, double min_fraction);

/* ------------------------------------------------------------------------ */
/* BLAS kernels (blas.c)                                                     */
/* ------------------------------------------------------------------------ */

/* Vector features of this CPU that the OS also saves (cpuid, xgetbv). */
typedef struct fl_cpu {
    int avx, avx2, fma;
    int avx512f, avx512dq, avx512cd, avx512bw, avx512vl, avx512bf16;
} fl_cpu;

void fl_cpu_detect(fl_cpu *c);
/* The core OpenBLAS picked at load time ("Prescott", "SkylakeX", ...). */
const char *fl_blas_core(void);
/* The generation of a core's sgemm kernels: 1 SSE, 2 AVX, 3 AVX2 + FMA,
 * 4 AVX-512; 0 for a name this table does not know. */
int fl_blas_generation(const char *core);
/* Whether OPENBLAS_CORETYPE may name this core (case ignored). */
int fl_blas_known(const char *core);
/* The newest core type the CPU can run (NULL: none better than SSE). */
const char *fl_blas_best(const fl_cpu *c);
/* That core when `current` is of an older generation, else NULL. */
const char *fl_blas_better(const fl_cpu *c, const char *current);

#endif /* DTFL_FL_H */
