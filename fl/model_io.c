/*
 * model_io.c - saving and loading model weights (format in docs/formats.md).
 *
 *   offset size  field
 *   0      8     magic "DTFLMODL"
 *   8      4     format version (1)
 *   12     4     model kind (0 softmax, 1 2nn, 2 cnn)
 *   16     4     rows      20  4  cols      24  4  classes   28  4  zero
 *   32     8     nparams
 *   40     4n    weights, IEEE-754 binary32, little-endian
 *   40+4n  4     CRC-32 of every byte before it
 *
 * Loading checks size, magic, version, CRC and then the shape against the
 * model it loads into, and says which of them is wrong.
 */
#include "fl.h"

#include <stdlib.h>
#include <string.h>

#define MODEL_MAGIC "DTFLMODL"
#define MODEL_VERSION 1u
#define MODEL_HEAD 40

static uint32_t io__f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float io__u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

int fl_model_save(const fl_model *m, const char *path, dtfl_err *err)
{
    size_t n = fl_model_nparams(m);
    size_t len = MODEL_HEAD + 4 * n + 4;
    uint8_t *buf = malloc(len);
    if (buf == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "%s: out of memory", path);
    fl_model_shape s = fl_model_get_shape(m);
    memcpy(buf, MODEL_MAGIC, 8);
    dtfl_put_u32(buf + 8, MODEL_VERSION);
    dtfl_put_u32(buf + 12, (uint32_t)s.kind);
    dtfl_put_u32(buf + 16, (uint32_t)s.rows);
    dtfl_put_u32(buf + 20, (uint32_t)s.cols);
    dtfl_put_u32(buf + 24, (uint32_t)s.classes);
    dtfl_put_u32(buf + 28, 0);
    dtfl_put_u64(buf + 32, (uint64_t)n);
    const float *w = fl_model_params_const(m);
    for (size_t i = 0; i < n; i++)
        dtfl_put_u32(buf + MODEL_HEAD + 4 * i, io__f2u(w[i]));
    dtfl_put_u32(buf + len - 4, dtfl_crc32(0, buf, len - 4));
    int rc = dtfl_file_write_atomic(path, buf, len, err);
    free(buf);
    return rc;
}

int fl_model_load(fl_model *m, const char *path, dtfl_err *err)
{
    size_t n = fl_model_nparams(m);
    size_t want = MODEL_HEAD + 4 * n + 4;
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = dtfl_file_read_all(path, want + 1, &buf, &len, err);
    if (rc < 0)
        return rc;
    fl_model_shape s = fl_model_get_shape(m);
    if (len < MODEL_HEAD + 4 || memcmp(buf, MODEL_MAGIC, 8) != 0) {
        rc = dtfl_err_set(err, DTFL_EDATA, "%s: not a dtfl model file", path);
        goto done;
    }
    uint32_t version = dtfl_get_u32(buf + 8);
    if (version != MODEL_VERSION) {
        rc = dtfl_err_set(err, DTFL_EVERSION,
                          "%s: model format version %u, this dtfl reads %u",
                          path, version, MODEL_VERSION);
        goto done;
    }
    uint64_t fn = dtfl_get_u64(buf + 32);
    if (fn > (SIZE_MAX - MODEL_HEAD - 4) / 4 || len != MODEL_HEAD + 4 * fn + 4) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: %zu bytes, but the header's %llu weights need "
                          "%llu",
                          path, len, (unsigned long long)fn,
                          (unsigned long long)(MODEL_HEAD + 4 * fn + 4));
        goto done;
    }
    if (dtfl_crc32(0, buf, len - 4) != dtfl_get_u32(buf + len - 4)) {
        rc = dtfl_err_set(err, DTFL_ECORRUPT, "%s: checksum mismatch", path);
        goto done;
    }
    uint32_t kind = dtfl_get_u32(buf + 12), rows = dtfl_get_u32(buf + 16);
    uint32_t cols = dtfl_get_u32(buf + 20), cls = dtfl_get_u32(buf + 24);
    if (kind != (uint32_t)s.kind || rows != (uint32_t)s.rows ||
        cols != (uint32_t)s.cols || cls != (uint32_t)s.classes || fn != n) {
        rc = dtfl_err_set(err, DTFL_EDATA,
                          "%s: holds a %s model for %ux%u images and %u "
                          "classes; expected %s for %dx%d and %d",
                          path,
                          kind <= 2 ? fl_model_kind_name((fl_model_kind)kind)
                                    : "unknown",
                          rows, cols, cls, fl_model_kind_name(s.kind), s.rows,
                          s.cols, s.classes);
        goto done;
    }
    float *w = fl_model_params(m);
    for (size_t i = 0; i < n; i++)
        w[i] = io__u2f(dtfl_get_u32(buf + MODEL_HEAD + 4 * i));
done:
    free(buf);
    return rc;
}
