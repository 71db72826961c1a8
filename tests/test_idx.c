/*
 * test_idx.c - the IDX reader and dataset loader: good files round-trip
 * (plain and gzipped), and every kind of damage is refused with a message
 * that names the file and what is wrong.
 */
#include "check.h"

#include "../fl/fl.h"

#include <zlib.h>

static char dir[256];

static void path_of(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* Parses a buffer and expects failure with `needle` in the message. */
static void expect_parse_error(const uint8_t *buf, size_t len, const char *needle)
{
    fl_idx idx;
    dtfl_err err = {0};
    int rc = fl_idx_parse(buf, len, "x.idx", &idx, &err);
    if (rc == 0)
        fail_msg("parse of %zu bytes succeeded, expected '%s'", len, needle);
    assert_int_equal(rc, DTFL_EDATA);
    if (strstr(err.msg, needle) == NULL || strstr(err.msg, "x.idx") == NULL)
        fail_msg("message '%s' lacks '%s' or the file name", err.msg, needle);
}

static void test_parse_good(void **state)
{
    (void)state;
    uint8_t buf[64];
    uint32_t dims[3] = {2, 3, 4};
    size_t h = check_idx_header(buf, 3, dims);
    for (int i = 0; i < 24; i++)
        buf[h + i] = (uint8_t)i;
    fl_idx idx;
    dtfl_err err;
    assert_int_equal(fl_idx_parse(buf, h + 24, "x.idx", &idx, &err), 0);
    assert_int_equal(idx.ndims, 3);
    assert_int_equal(idx.dims[0], 2);
    assert_int_equal(idx.dims[2], 4);
    assert_int_equal(idx.count, 24);
    assert_int_equal(idx.data[23], 23);
}

static void test_parse_damage(void **state)
{
    (void)state;
    uint8_t buf[64];
    uint32_t dims[3] = {2, 3, 4};
    size_t h = check_idx_header(buf, 3, dims);
    memset(buf + h, 7, 24);
    expect_parse_error(buf, 3, "truncated");                 /* < 4 bytes */
    expect_parse_error(buf, h - 2, "truncated header");      /* cut header */
    expect_parse_error(buf, h + 23, "truncated");            /* one byte short */
    expect_parse_error(buf, h + 25, "trailing");             /* one extra */
    uint8_t bad[64];
    memcpy(bad, buf, sizeof bad);
    bad[0] = 0x1f;                                           /* gzip magic */
    expect_parse_error(bad, h + 24, "not an IDX file");
    memcpy(bad, buf, sizeof bad);
    bad[2] = 0x0D;                                           /* float data */
    expect_parse_error(bad, h + 24, "float");
    memcpy(bad, buf, sizeof bad);
    bad[3] = 4;                                              /* 4 dims */
    expect_parse_error(bad, h + 24, "4 dimensions");
    memcpy(bad, buf, sizeof bad);
    bad[3] = 0;
    expect_parse_error(bad, h + 24, "0 dimensions");
    memcpy(bad, buf, sizeof bad);
    memset(bad + 8, 0, 4);                                   /* a zero dim */
    expect_parse_error(bad, h + 24, "dimension 1 is zero");
    memcpy(bad, buf, sizeof bad);
    memset(bad + 4, 0xff, 12);                               /* huge dims */
    expect_parse_error(bad, h + 24, "overflow");
}

static void write_gz(const char *path, const uint8_t *data, size_t n)
{
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, data, (unsigned)n), (int)n);
    assert_int_equal(gzclose(gz), Z_OK);
}

static void test_files(void **state)
{
    (void)state;
    char im[300], lb[300], gzim[300], gzlb[300];
    path_of(im, sizeof im, "im.idx");
    path_of(lb, sizeof lb, "lb.idx");
    check_write_idx_pair(im, lb, 30, 4, 4, 3);
    /* gzipped copies of the same bytes */
    uint8_t *buf;
    size_t n;
    dtfl_err err;
    assert_int_equal(dtfl_file_read_all(im, 1 << 20, &buf, &n, &err), 0);
    path_of(gzim, sizeof gzim, "im.idx.gz");
    write_gz(gzim, buf, n);
    free(buf);
    assert_int_equal(dtfl_file_read_all(lb, 1 << 20, &buf, &n, &err), 0);
    path_of(gzlb, sizeof gzlb, "lb.idx.gz");
    write_gz(gzlb, buf, n);
    free(buf);
    fl_dataset *a = NULL, *b = NULL;
    assert_int_equal(fl_dataset_load(&a, im, lb, 0, 0, &err), 0);
    assert_int_equal(fl_dataset_load(&b, gzim, gzlb, 0, 0, &err), 0);
    assert_int_equal(a->n, 30);
    assert_int_equal(a->rows, 4);
    assert_int_equal(a->classes, 3);
    assert_memory_equal(a->x, b->x, 30 * 16);
    assert_memory_equal(a->y, b->y, 30);
    assert_int_equal(a->label_count[0] + a->label_count[1] + a->label_count[2], 30);
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < a->label_count[c]; i++)
            assert_int_equal(a->y[a->by_label[c][i]], c);
    fl_dataset_destroy(b);
    /* limit keeps the first samples but all classes */
    assert_int_equal(fl_dataset_load(&b, im, lb, 2, 0, &err), 0);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->classes, 3);
    fl_dataset_destroy(a);
    fl_dataset_destroy(b);
}

static void expect_load_error(const char *im, const char *lb, int code,
                              const char *needle)
{
    fl_dataset *d = NULL;
    dtfl_err err = {0};
    int rc = fl_dataset_load(&d, im, lb, 0, 0, &err);
    assert_null(d);
    if (rc != code || strstr(err.msg, needle) == NULL)
        fail_msg("rc %d (want %d), message '%s' (want '%s')", rc, code,
                 err.msg, needle);
}

static void test_file_damage(void **state)
{
    (void)state;
    char im[300], lb[300], lb2[300], bad[300], gz[300];
    path_of(im, sizeof im, "d_im.idx");
    path_of(lb, sizeof lb, "d_lb.idx");
    path_of(lb2, sizeof lb2, "d_lb2.idx");
    check_write_idx_pair(im, lb, 30, 4, 4, 3);
    char other_im[300];
    path_of(other_im, sizeof other_im, "d_im2.idx");
    check_write_idx_pair(other_im, lb2, 31, 4, 4, 3);
    /* images and labels disagree on the count: both files named */
    expect_load_error(im, lb2, DTFL_EDATA, "30 images");
    expect_load_error(im, lb2, DTFL_EDATA, "d_lb2.idx");
    /* labels passed as images and the other way round */
    expect_load_error(lb, lb, DTFL_EDATA, "needs 3 dimensions");
    expect_load_error(im, im, DTFL_EDATA, "needs 1 dimension");
    /* missing file */
    path_of(bad, sizeof bad, "nope.idx");
    expect_load_error(bad, lb, DTFL_ENOINPUT, "nope.idx");
    /* a corrupt gzip stream: valid header, garbage body */
    path_of(gz, sizeof gz, "bad.gz");
    uint8_t junk[64] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    for (int i = 10; i < 64; i++)
        junk[i] = (uint8_t)(i * 37);
    check_write(gz, junk, sizeof junk);
    expect_load_error(gz, lb, DTFL_EDATA, "bad.gz");
    /* a truncated gzip stream */
    uint8_t *buf;
    size_t n;
    dtfl_err err;
    assert_int_equal(dtfl_file_read_all(im, 1 << 20, &buf, &n, &err), 0);
    path_of(gz, sizeof gz, "trunc.gz");
    write_gz(gz, buf, n);
    free(buf);
    assert_int_equal(dtfl_file_read_all(gz, 1 << 20, &buf, &n, &err), 0);
    check_write(gz, buf, n / 2);
    free(buf);
    expect_load_error(gz, lb, DTFL_EDATA, "trunc.gz");
    /* a truncated plain file */
    assert_int_equal(dtfl_file_read_all(im, 1 << 20, &buf, &n, &err), 0);
    path_of(bad, sizeof bad, "short.idx");
    check_write(bad, buf, n - 5);
    free(buf);
    expect_load_error(bad, lb, DTFL_EDATA, "truncated");
}

static int setup(void **state)
{
    (void)state;
    check_tmpdir(dir, sizeof dir, "idx");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    check_rmtree(dir);
    return 0;
}

/* data.classes: a stray label byte (200 in a 3-class file) is refused,
 * naming the file and the index, whether the count is given or auto; a
 * given count above the labels is kept; auto counts largest + 1. */
static void test_classes(void **state)
{
    (void)state;
    char im[300], lb[300];
    path_of(im, sizeof im, "c_im.idx");
    path_of(lb, sizeof lb, "c_lb.idx");
    check_write_idx_pair(im, lb, 30, 4, 4, 3);
    fl_dataset *d = NULL;
    dtfl_err err = {0};
    assert_int_equal(fl_dataset_load(&d, im, lb, 0, 0, &err), 0);
    assert_int_equal(d->classes, 3); /* auto */
    fl_dataset_destroy(d);
    assert_int_equal(fl_dataset_load(&d, im, lb, 0, 10, &err), 0);
    assert_int_equal(d->classes, 10); /* given: classes without samples kept */
    fl_dataset_destroy(d);
    /* one stray byte */
    uint8_t *buf;
    size_t n;
    assert_int_equal(dtfl_file_read_all(lb, 1 << 20, &buf, &n, &err), 0);
    buf[8 + 17] = 200;
    check_write(lb, buf, n);
    free(buf);
    d = NULL;
    assert_int_equal(fl_dataset_load(&d, im, lb, 0, 10, &err), DTFL_EDATA);
    assert_null(d);
    assert_non_null(strstr(err.msg, "c_lb.idx: label 200 at index 17"));
    assert_non_null(strstr(err.msg, "10 classes"));
    assert_int_equal(fl_dataset_load(&d, im, lb, 0, 0, &err), DTFL_EDATA);
    assert_null(d);
    assert_non_null(strstr(err.msg, "no sample of class 3 below the largest "
                                    "label 200"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_damage),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_file_damage),
        cmocka_unit_test(test_classes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
