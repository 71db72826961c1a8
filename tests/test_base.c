/*
 * test_base.c - the base layer: random streams are keyed (same key, same
 * numbers; any other key, other numbers), uniform and unbiased enough to
 * catch a broken transform; errors map to <sysexits.h>; files appear whole
 * or not at all; little-endian helpers round-trip.
 */
#include "check.h"

#include "../base/dtfl.h"

#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

static void test_rng_keyed(void **state)
{
    (void)state;
    dtfl_rng a, b;
    dtfl_rng_init(&a, 123, DTFL_STREAM_DRAW, 4, 9);
    dtfl_rng_init(&b, 123, DTFL_STREAM_DRAW, 4, 9);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(dtfl_rng_u32(&a), dtfl_rng_u32(&b));
    /* every key component matters */
    const uint64_t seeds[] = {124, 123, 123, 123, 1ull << 40 | 123};
    const uint32_t streams[] = {DTFL_STREAM_DRAW, DTFL_STREAM_MIX, DTFL_STREAM_DRAW,
                                DTFL_STREAM_DRAW, DTFL_STREAM_DRAW};
    const uint32_t ents[] = {4, 4, 5, 4, 4}, slots[] = {9, 9, 9, 10, 9};
    for (int k = 0; k < 5; k++) {
        dtfl_rng_init(&a, 123, DTFL_STREAM_DRAW, 4, 9);
        dtfl_rng_init(&b, seeds[k], streams[k], ents[k], slots[k]);
        int same = 0;
        for (int i = 0; i < 64; i++)
            same += dtfl_rng_u32(&a) == dtfl_rng_u32(&b);
        if (same > 2)
            fail_msg("key variant %d shares %d of 64 draws", k, same);
    }
}

static void test_rng_distribution(void **state)
{
    (void)state;
    dtfl_rng r;
    dtfl_rng_init(&r, 1, DTFL_STREAM_POLICY, 0, 0);
    const int N = 200000;
    double sum = 0.0, sumsq = 0.0;
    int bins[7] = {0};
    double nsum = 0.0, nsq = 0.0;
    for (int i = 0; i < N; i++) {
        double u = dtfl_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        sumsq += u * u;
        bins[dtfl_rng_below(&r, 7)]++;
        double z = dtfl_rng_normal(&r);
        nsum += z;
        nsq += z * z;
    }
    check_close(sum / N, 0.5, 0.005);
    check_close(sumsq / N - (sum / N) * (sum / N), 1.0 / 12.0, 0.002);
    for (int k = 0; k < 7; k++)
        check_close(bins[k], N / 7.0, 5.0 * sqrt(N / 7.0));
    check_close(nsum / N, 0.0, 0.01);
    check_close(nsq / N, 1.0, 0.02);
}

static void test_exit_status(void **state)
{
    (void)state;
    assert_int_equal(dtfl_err_exit_status(0), EX_OK);
    assert_int_equal(dtfl_err_exit_status(DTFL_ECONFIG), EX_CONFIG);
    assert_int_equal(dtfl_err_exit_status(DTFL_EUSAGE), EX_USAGE);
    assert_int_equal(dtfl_err_exit_status(DTFL_EDATA), EX_DATAERR);
    assert_int_equal(dtfl_err_exit_status(DTFL_ENOINPUT), EX_NOINPUT);
    assert_int_equal(dtfl_err_exit_status(DTFL_ECANTCREATE), EX_CANTCREAT);
    assert_string_equal(dtfl_err_name(DTFL_ECORRUPT), "DTFL_ECORRUPT");
    assert_string_equal(dtfl_err_name(-999), "DTFL_E?");
    dtfl_err e;
    assert_int_equal(dtfl_err_set(&e, DTFL_EDATA, "x %d", 3), DTFL_EDATA);
    dtfl_err_prefix(&e, "loading %s", "f");
    assert_string_equal(e.msg, "loading f: x 3");
}

static void test_atomic_files(void **state)
{
    (void)state;
    char dir[256], path[300], sub[300];
    check_tmpdir(dir, sizeof dir, "base");
    snprintf(path, sizeof path, "%s/out.txt", dir);
    dtfl_err err;
    assert_int_equal(dtfl_file_write_atomic(path, "hello", 5, &err), 0);
    /* an aborted write leaves the old contents and no temporary file */
    dtfl_afile *f;
    assert_int_equal(dtfl_afile_open(&f, path, &err), 0);
    fputs("half", dtfl_afile_stream(f));
    dtfl_afile_abort(f);
    uint8_t *buf;
    size_t n;
    assert_int_equal(dtfl_file_read_all(path, 100, &buf, &n, &err), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "hello", 5);
    free(buf);
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_not_equal(access(tmp, F_OK), 0);
    /* a read over the limit is an error, not a truncation */
    assert_int_equal(dtfl_file_read_all(path, 4, &buf, &n, &err), DTFL_EDATA);
    /* nested folders; a file in the way is an error */
    snprintf(sub, sizeof sub, "%s/a/b/c", dir);
    assert_int_equal(dtfl_mkdirs(sub, &err), 0);
    snprintf(sub, sizeof sub, "%s/out.txt/d", dir);
    assert_int_equal(dtfl_mkdirs(sub, &err), DTFL_ECANTCREATE);
    /* a folder that cannot be written: a clear error */
    assert_int_equal(dtfl_file_write_atomic("/proc/nope/x", "a", 1, &err), DTFL_ECANTCREATE);
    check_rmtree(dir);
}

static void test_little_endian(void **state)
{
    (void)state;
    uint8_t b[8];
    dtfl_put_u32(b, 0x11223344u);
    assert_int_equal(b[0], 0x44);
    assert_int_equal(b[3], 0x11);
    assert_int_equal(dtfl_get_u32(b), 0x11223344u);
    dtfl_put_u64(b, 0x0102030405060708ull);
    assert_int_equal(b[0], 0x08);
    assert_true(dtfl_get_u64(b) == 0x0102030405060708ull);
    /* CRC-32 of "123456789" is the standard check value */
    assert_int_equal(dtfl_crc32(0, "123456789", 9), 0xCBF43926u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_keyed),   cmocka_unit_test(test_rng_distribution),
        cmocka_unit_test(test_exit_status), cmocka_unit_test(test_atomic_files),
        cmocka_unit_test(test_little_endian),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
