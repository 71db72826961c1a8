/*
 * test_fcd.c - SUMO floating-car data (twin/fcd.c) on the trace of
 * tests/data/fcd/small.xml (experiments/tmo/make_traces.sh ... small: 8
 * cars on a 2 km grid for 120 s): vehicles in order of appearance, known
 * samples, interpolation, lanes beside the world's edge moved onto it and
 * counted, a world built on it; malformed data refused as FILE:LINE with
 * what is wrong (XML libxml2 refuses, another root, times not rising, a
 * vehicle twice, outside a timestep, without x, with x "12abc", unknown
 * elements, none at all), and entities never expanded.
 */
#include "check.h"

#include "../twin/csv.h"

#include <math.h>
#include <string.h>

#ifndef DTFL_SRC
#define DTFL_SRC "."
#endif

static void test_small(void **state)
{
    (void)state;
    twin_trace *t;
    dtfl_err err;
    int clamped = -1;
    assert_int_equal(twin_trace_load_fcd(&t, DTFL_SRC "/tests/data/fcd/small.xml",
                                         2000, 2000, &clamped, &err), 0);
    assert_int_equal(twin_trace_users(t), 8);
    assert_true(clamped > 10); /* lanes at y = 2001.6 */
    double x, y;
    twin_trace_at(t, 0, 0.0, &x, &y); /* vehicle "0" at time 0 */
    check_close(x, 498.40, 1e-9);
    check_close(y, 1455.74, 1e-9);
    twin_trace_at(t, 0, 0.5, &x, &y); /* halfway to its sample at 1 s */
    check_close(y, (1455.74 + 1437.49) / 2, 1e-9);
    twin_trace_at(t, 3, 1.0, &x, &y); /* "3", first seen at 1 s on the edge */
    check_close(x, 336.63, 1e-9);
    check_close(y, 2000.0, 0.0);
    twin_trace_destroy(t);
    /* a world on it */
    twin_world_params p = {.seed = 1, .width = 2000, .height = 2000,
                           .slot_seconds = 1, .servers = 2, .users = 8,
                           .mobility = TWIN_MOB_TRACE, .trace_format = 2,
                           .trace_file = DTFL_SRC "/tests/data/fcd/small.xml",
                           .samples = {1, 1}, .twin_bits = {1, 1}};
    twin_world *w;
    assert_int_equal(twin_world_create(&w, &p, &err), 0);
    twin_world_step(w, 1);
    twin_world_user_xy(w, 0, &x, &y);
    check_close(y, 1437.49, 1e-9);
    twin_world_destroy(w);
    p.users = 9;
    assert_int_equal(twin_world_create(&w, &p, &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "8 users in the trace"));
}

static void expect(const char *text, const char *needle)
{
    twin_csv rows = {0, 4, NULL, NULL};
    dtfl_err err = {0};
    int clamped;
    int rc = twin__fcd_parse("f.xml", text, strlen(text), 1000, 1000, &rows,
                             &clamped, &err);
    twin__csv_free(&rows);
    if (rc != DTFL_EDATA || strstr(err.msg, needle) == NULL)
        fail_msg("'%s': rc %d, '%s' (want '%s')", text, rc, err.msg, needle);
}

#define V(id, x, y) "<vehicle id=\"" id "\" x=\"" x "\" y=\"" y "\"/>"

static void test_malformed(void **state)
{
    (void)state;
    expect("<fcd-export><timestep time=\"0\">" V("a", "1", "2"), "f.xml:1:");
    expect("<fcd-export><timestep time=\"0\"><vehicle id=\"a\" x=\"1\"",
           "f.xml:1:");
    expect("<html/>", "f.xml:1: <html> is not <fcd-export>");
    expect("<fcd-export>\n<timestep>" V("a", "1", "2") "</timestep></fcd-export>",
           "f.xml:2: a timestep without a time");
    expect("<fcd-export><timestep time=\"1\">" V("a", "1", "2") "</timestep>\n"
           "<timestep time=\"1\">" V("a", "1", "2") "</timestep></fcd-export>",
           "f.xml:2: time 1 does not come after 1");
    expect("<fcd-export><timestep time=\"0\">\n" V("a", "1", "2") V("a", "3", "4")
           "</timestep></fcd-export>", "f.xml:2: vehicle 'a' twice");
    expect("<fcd-export>" V("a", "1", "2") "</fcd-export>",
           "a vehicle outside any timestep");
    expect("<fcd-export><timestep time=\"0\"><vehicle id=\"a\" y=\"2\"/>"
           "</timestep></fcd-export>", "vehicle 'a' without plain numbers");
    expect("<fcd-export><timestep time=\"0\">" V("a", "12abc", "2")
           "</timestep></fcd-export>", "without plain numbers");
    expect("<fcd-export><timestep time=\"0\">" V("a", "nan", "2")
           "</timestep></fcd-export>", "without plain numbers");
    expect("<fcd-export><timestep time=\"0\"><vehicle x=\"1\" y=\"2\"/>"
           "</timestep></fcd-export>", "a vehicle without an id");
    expect("<fcd-export><timestep time=\"0\"><car id=\"a\"/></timestep></fcd-export>",
           "unexpected <car>");
    expect("<fcd-export></fcd-export>", "f.xml: no vehicles");
    expect("", "empty or not XML");
    /* times rise per timestep, not per vehicle; persons are passed over */
    twin_csv rows = {0, 4, NULL, NULL};
    dtfl_err err;
    int clamped;
    const char *ok = "<fcd-export><timestep time=\"0\">" V("b", "1", "2")
                     "<person id=\"p\" x=\"5\" y=\"5\"/>" V("a", "1", "2")
                     "</timestep><timestep time=\"1\">" V("a", "2", "-3")
                     "</timestep></fcd-export>";
    assert_int_equal(twin__fcd_parse("f.xml", ok, strlen(ok), 1000, 1000, &rows,
                                     &clamped, &err), 0);
    assert_int_equal(rows.rows, 3);
    check_close(rows.v[0], 0, 0); /* "b" first seen: user 0 */
    check_close(rows.v[4], 1, 0);
    check_close(rows.v[8], 1, 0);
    check_close(rows.v[11], 0, 0); /* y -3 onto the edge */
    assert_int_equal(clamped, 1);
    twin__csv_free(&rows);
}

/* An entity bomb is not expanded into a trace (libxml2 expands nothing
 * without XML_PARSE_NOENT): refused or read as the text it is. */
static void test_entities(void **state)
{
    (void)state;
    const char *bomb =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE f [<!ENTITY a \"1111111111\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
        "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
        "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">]>\n"
        "<fcd-export><timestep time=\"0\"><vehicle id=\"&d;\" x=\"1\" y=\"2\"/>"
        "</timestep></fcd-export>";
    twin_csv rows = {0, 4, NULL, NULL};
    dtfl_err err = {0};
    int clamped;
    int rc = twin__fcd_parse("f.xml", bomb, strlen(bomb), 1000, 1000, &rows,
                             &clamped, &err);
    assert_true(rc == 0 || rc == DTFL_EDATA);
    assert_true(rows.rows <= 1);
    twin__csv_free(&rows);
    twin_trace *t;
    assert_int_equal(twin_trace_load_fcd(&t, DTFL_SRC "/tests/data/none.xml", 1, 1,
                                         &clamped, &err), DTFL_ENOINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_entities),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
