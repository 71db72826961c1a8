/*
 * dataset.c - a labelled image set built from an images IDX file and a
 * labels IDX file, with a per-label index for drawing non-IID samples.
 *
 * The loader checks that the two files agree (same sample count, images are
 * 3-dimensional, labels 1-dimensional and below FL_MAX_CLASSES) and names
 * both files when they do not.
 */
#include "fl.h"

#include <stdlib.h>
#include <string.h>

#define DATASET_MAX_BYTES ((size_t)1 << 31)

void fl_dataset_destroy(fl_dataset *d)
{
    if (d == NULL)
        return;
    if (d->by_label != NULL)
        for (int c = 0; c < d->classes; c++)
            free(d->by_label[c]);
    free(d->by_label);
    free(d->label_count);
    free(d->x);
    free(d->y);
    free(d);
}

/* Fills label_count and by_label from y. */
static int dataset__index(fl_dataset *d, dtfl_err *err)
{
    d->label_count = calloc((size_t)d->classes, sizeof *d->label_count);
    d->by_label = calloc((size_t)d->classes, sizeof *d->by_label);
    if (d->label_count == NULL || d->by_label == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "dataset index: out of memory");
    for (int i = 0; i < d->n; i++)
        d->label_count[d->y[i]]++;
    for (int c = 0; c < d->classes; c++) {
        d->by_label[c] = malloc(sizeof(int32_t) * (size_t)(d->label_count[c] + 1));
        if (d->by_label[c] == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM,
                                "dataset index: out of memory");
    }
    int *fill = calloc((size_t)d->classes, sizeof *fill);
    if (fill == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "dataset index: out of memory");
    for (int i = 0; i < d->n; i++) {
        int c = d->y[i];
        d->by_label[c][fill[c]++] = i;
    }
    free(fill);
    return 0;
}

int fl_dataset_from_bytes(fl_dataset **out, int n, int rows, int cols,
                          int classes, const uint8_t *x, const uint8_t *y,
                          dtfl_err *err)
{
    *out = NULL;
    if (n <= 0 || rows <= 0 || cols <= 0 || classes <= 0 ||
        classes > FL_MAX_CLASSES)
        return dtfl_err_set(err, DTFL_ERANGE,
                            "dataset: bad shape n=%d rows=%d cols=%d "
                            "classes=%d",
                            n, rows, cols, classes);
    for (int i = 0; i < n; i++)
        if (y[i] >= classes)
            return dtfl_err_set(err, DTFL_EDATA,
                                "dataset: label %d at index %d is not below "
                                "%d classes",
                                y[i], i, classes);
    fl_dataset *d = calloc(1, sizeof *d);
    if (d == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "dataset: out of memory");
    d->n = n;
    d->rows = rows;
    d->cols = cols;
    d->dim = rows * cols;
    d->classes = classes;
    d->x = malloc((size_t)n * (size_t)d->dim);
    d->y = malloc((size_t)n);
    int rc = 0;
    if (d->x == NULL || d->y == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "dataset: out of memory");
        goto fail;
    }
    memcpy(d->x, x, (size_t)n * (size_t)d->dim);
    memcpy(d->y, y, (size_t)n);
    rc = dataset__index(d, err);
    if (rc < 0)
        goto fail;
    *out = d;
    return 0;
fail:
    fl_dataset_destroy(d);
    return rc;
}

/* The class count of a labels file: `want` > 0 is the data set's, and a
 * label at or above it is refused; 0 (auto) takes the largest label + 1 and
 * refuses a class below it that has no sample (a stray byte would
 * otherwise make a model of that many classes without a word). */
static int dataset__classes(const char *name, const uint8_t *y, size_t n,
                            int want, int *classes, dtfl_err *err)
{
    int count[FL_MAX_CLASSES] = {0}, top = 0;
    for (size_t i = 0; i < n; i++) {
        if (want > 0 && y[i] >= want)
            return dtfl_err_set(err, DTFL_EDATA, "%s: label %u at index %zu, "
                                                 "but the data set has %d "
                                                 "classes (data.classes)",
                                name, y[i], i, want);
        count[y[i]]++; /* a byte is always below FL_MAX_CLASSES (256) */
        top = y[i] + 1 > top ? y[i] + 1 : top;
    }
    if (want > 0) {
        *classes = want;
        return 0;
    }
    for (int c = 0; c < top; c++)
        if (count[c] == 0)
            return dtfl_err_set(err, DTFL_EDATA, "%s: no sample of class %d "
                                                 "below the largest label %d; "
                                                 "set data.classes if that is "
                                                 "meant",
                                name, c, top - 1);
    *classes = top > 0 ? top : 1;
    return 0;
}

int fl_dataset_load(fl_dataset **out, const char *images, const char *labels,
                    int limit, int want, dtfl_err *err)
{
    *out = NULL;
    uint8_t *ibuf = NULL, *lbuf = NULL;
    size_t ilen = 0, llen = 0;
    fl_idx ii, li;
    int rc = fl_idx_read_file(images, DATASET_MAX_BYTES, &ibuf, &ilen, err);
    if (rc < 0)
        goto done;
    rc = fl_idx_read_file(labels, DATASET_MAX_BYTES, &lbuf, &llen, err);
    if (rc < 0)
        goto done;
    if ((rc = fl_idx_parse(ibuf, ilen, images, &ii, err)) < 0)
        goto done;
    if ((rc = fl_idx_parse(lbuf, llen, labels, &li, err)) < 0)
        goto done;
    if (ii.ndims != 3) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: an images file needs 3 dimensions (n, rows, "
                          "cols), this one has %d",
                          images, ii.ndims);
        goto done;
    }
    if (li.ndims != 1) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: a labels file needs 1 dimension, this one has "
                          "%d",
                          labels, li.ndims);
        goto done;
    }
    if (ii.dims[0] != li.dims[0]) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s has %u images but %s has %u labels", images,
                          ii.dims[0], labels, li.dims[0]);
        goto done;
    }
    if (ii.dims[0] > (1u << 30) || ii.dims[1] > 4096 || ii.dims[2] > 4096) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: shape %u x %u x %u is larger than dtfl handles",
                          images, ii.dims[0], ii.dims[1], ii.dims[2]);
        goto done;
    }
    int n = (int)ii.dims[0];
    if (limit > 0 && limit < n)
        n = limit;
    int classes = 0;
    if ((rc = dataset__classes(labels, li.data, li.count, want, &classes, err)) < 0)
        goto done;
    rc = fl_dataset_from_bytes(out, n, (int)ii.dims[1], (int)ii.dims[2],
                               classes, ii.data, li.data, err);
done:
    free(ibuf);
    free(lbuf);
    return rc;
}

fl_samples fl_dataset_samples(const fl_dataset *d)
{
    fl_samples s = {d->n, d->dim, d->x, d->y};
    return s;
}

void fl_dataset_mix(const fl_dataset *d, double *mix)
{
    for (int c = 0; c < d->classes; c++)
        mix[c] = (double)d->label_count[c] / (double)d->n;
}
