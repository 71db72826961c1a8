/*
 * check.h - small helpers shared by dtfl's cmocka tests: closeness checks
 * that print both sides, scratch directories, and synthetic IDX files.
 */
#ifndef DTFL_TESTS_CHECK_H
#define DTFL_TESTS_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw, mkdtemp, open_memstream */
#endif

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <sys/stat.h>

/* |a - b| <= tol, printing both values and the difference otherwise. */
#define check_close(a, b, tol)                                              \
    do {                                                                    \
        double check__a = (double)(a), check__b = (double)(b);              \
        if (!(fabs(check__a - check__b) <= (tol)))                          \
            fail_msg("%s = %.10g vs %s = %.10g (|diff| %.3g > %.3g)", #a,   \
                     check__a, #b, check__b, fabs(check__a - check__b),     \
                     (double)(tol));                                        \
    } while (0)

/* a < b, printing both values otherwise. */
#define check_lt(a, b)                                                      \
    do {                                                                    \
        double check__a = (double)(a), check__b = (double)(b);              \
        if (!(check__a < check__b))                                         \
            fail_msg("%s = %.6g is not below %s = %.6g", #a, check__a, #b,  \
                     check__b);                                             \
    } while (0)

/* Relative error of two vectors, ||a - b|| / max(||a||, ||b||). */
static inline double check_relerr(const double *a, const double *b, size_t n)
{
    double num = 0.0, na = 0.0, nb = 0.0;
    for (size_t i = 0; i < n; i++) {
        num += (a[i] - b[i]) * (a[i] - b[i]);
        na += a[i] * a[i];
        nb += b[i] * b[i];
    }
    double den = sqrt(na > nb ? na : nb);
    return den > 0.0 ? sqrt(num) / den : sqrt(num);
}

/* A fresh scratch directory under $TMPDIR (or /tmp); path written to buf. */
static inline void check_tmpdir(char *buf, size_t cap, const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, cap, "%s/dtfl-%s-XXXXXX", base ? base : "/tmp", tag);
    if (mkdtemp(buf) == NULL)
        fail_msg("mkdtemp %s failed", buf);
}

/* Removes a scratch directory made by check_tmpdir and all it holds. */
static inline int check__rm_one(const char *path, const struct stat *st,
                                int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void check_rmtree(const char *dir)
{
    /* only what check_tmpdir made: a path with "/dtfl-" in it */
    if (dir != NULL && dir[0] != '\0' && strstr(dir, "/dtfl-") != NULL)
        nftw(dir, check__rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void check_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        fail_msg("cannot create %s", path);
    if (n > 0 && fwrite(data, 1, n, f) != n)
        fail_msg("cannot write %s", path);
    fclose(f);
}

/* An IDX header for unsigned bytes with the given dims, big-endian. Returns
 * the header length. */
static inline size_t check_idx_header(uint8_t *h, int nd, const uint32_t *dims)
{
    h[0] = 0;
    h[1] = 0;
    h[2] = 0x08;
    h[3] = (uint8_t)nd;
    for (int i = 0; i < nd; i++) {
        h[4 + 4 * i] = (uint8_t)(dims[i] >> 24);
        h[5 + 4 * i] = (uint8_t)(dims[i] >> 16);
        h[6 + 4 * i] = (uint8_t)(dims[i] >> 8);
        h[7 + 4 * i] = (uint8_t)dims[i];
    }
    return 4 + 4 * (size_t)nd;
}

/* Writes an images file (n, rows, cols) and a labels file (n) with
 * deterministic contents: label i % classes, pixel bytes from a hash. */
static inline void check_write_idx_pair(const char *images, const char *labels,
                                        uint32_t n, uint32_t rows,
                                        uint32_t cols, int classes)
{
    size_t dim = (size_t)rows * cols;
    uint8_t *buf = malloc(16 + n * dim);
    uint32_t dims[3] = {n, rows, cols};
    size_t h = check_idx_header(buf, 3, dims);
    for (size_t i = 0; i < n * dim; i++)
        buf[h + i] = (uint8_t)((i * 2654435761u) >> 24);
    check_write(images, buf, h + n * dim);
    h = check_idx_header(buf, 1, dims);
    for (uint32_t i = 0; i < n; i++)
        buf[h + i] = (uint8_t)(i % (uint32_t)classes);
    check_write(labels, buf, h + n);
    free(buf);
}

#endif /* DTFL_TESTS_CHECK_H */
