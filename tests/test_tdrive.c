/*
 * test_tdrive.c - T-Drive taxi traces (twin/tdrive.c) on the files of
 * tests/data/tdrive/: three taxis read from a folder (CRLF lines and a blank
 * line included), times from the earliest sample, the projection of known
 * points to 0.1 m (0.01 degree of longitude at 39.9 N is 853.05 m, of
 * latitude 1,111.95 m), a taxi west of the world moved onto its edge and
 * counted, interpolation between samples; malformed lines refused as
 * FILE:LINE with what was expected.
 */
#include "check.h"

#include "../twin/csv.h"

#include <math.h>
#include <string.h>

#ifndef DTFL_SRC
#define DTFL_SRC "."
#endif

static void test_folder(void **state)
{
    (void)state;
    twin_trace *t;
    dtfl_err err;
    int clamped = -1;
    assert_int_equal(twin_trace_load_tdrive(&t, DTFL_SRC "/tests/data/tdrive", 116.3,
                                            39.9, 3000, 3000, &clamped, &err), 0);
    assert_int_equal(twin_trace_users(t), 3); /* ids 1, 2, 7 */
    assert_int_equal(clamped, 1);             /* taxi 7's first sample, at 116.25 */
    double x, y;
    /* the earliest sample: taxi 2 at 15:30:00 is t = 0 */
    twin_trace_at(t, 1, 0, &x, &y);
    check_close(x, 1706.1, 0.1); /* 0.02 deg east */
    check_close(y, 2223.9, 0.1); /* 0.02 deg north */
    /* taxi 1: at the origin at 15:36:08 (t = 368 s), 0.01 deg east 177 s later */
    twin_trace_at(t, 0, 368, &x, &y);
    check_close(x, 0.0, 1e-6);
    check_close(y, 0.0, 1e-6);
    twin_trace_at(t, 0, 368 + 177, &x, &y);
    check_close(x, 853.05, 0.1);
    check_close(y, 0.0, 1e-6);
    twin_trace_at(t, 0, 368 + 177 + 88.5, &x, &y); /* halfway north */
    check_close(x, 853.05, 0.1);
    check_close(y, 555.98, 0.1);
    /* taxi 7 starts 0.05 deg west: held at the west edge */
    twin_trace_at(t, 2, 180, &x, &y);
    check_close(x, 0.0, 0.0);
    check_close(y, 1111.95, 0.1);
    twin_trace_destroy(t);
}

static void expect(const char *text, const char *needle)
{
    twin_csv rows = {0, 4, NULL, NULL};
    dtfl_err err = {0};
    int rc = twin__tdrive_parse("taxi.txt", text, strlen(text), &rows, &err);
    twin__csv_free(&rows);
    if (rc != DTFL_EDATA || strstr(err.msg, needle) == NULL)
        fail_msg("'%s': rc %d, '%s' (want '%s')", text, rc, err.msg, needle);
}

static void test_malformed(void **state)
{
    (void)state;
    twin_trace *t;
    dtfl_err err;
    int clamped;
    assert_int_equal(twin_trace_load_tdrive(&t, DTFL_SRC "/tests/data/tdrive-bad", 116.3,
                                            39.9, 3000, 3000, &clamped, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "tdrive-bad/4.txt:3: expected a valid date"));
    expect("x,2008-02-02 15:36:08,116.3,39.9\n", "taxi.txt:1: expected an id");
    expect("1,2008-02-02 15:36:08,116.3,39.9\n1,2008/02/02 15:36:08,116.3,39.9\n",
           "taxi.txt:2: expected a time");
    expect("1,2008-02-30 15:36:08,116.3,39.9\n", "expected a valid date");
    expect("1,2008-02-02 15:36:08,116.3\n", "expected a longitude");
    expect("1,2008-02-02 15:36:08,196.3,39.9\n", "[-180, 180]");
    expect("1,2008-02-02 15:36:08,116.3,39.9,7\n", "nothing after");
    expect("1,2008-02-02 15:36:08,116.3,39.9\n\n\n1,2008-02-02 15:3", "taxi.txt:4: expected a time");
    assert_int_equal(twin_trace_load_tdrive(&t, DTFL_SRC "/tests/data/none", 116.3, 39.9,
                                            3000, 3000, &clamped, &err), DTFL_ENOINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_folder),
                                       cmocka_unit_test(test_malformed)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
