/*
 * test_config.c - the config loader in-process: a good config resolves with
 * defaults; the dump reloads to the same config; overrides apply and are
 * validated like the file; every problem of a file is reported at once; and
 * hostile inputs (deep nesting, alias bombs, alias cycles, huge files) are
 * rejected by the limits before they cost anything. The one-problem-per-file
 * catalogue is tests/configs/bad/, checked through the CLI by
 * tests/cli/test_cli.sh.
 */
#include "check.h"

#include "../app/app.h"

static int load(app_config *cfg, const char *text, int nov, char **ov,
                app_diag **diag)
{
    assert_int_equal(app_diag_create(diag), 0);
    return app_config_load_text(cfg, "t.yaml", text, strlen(text), nov, ov, 2,
                                app_limits_default(), *diag);
}

static void expect_one(const char *text, const char *where, const char *needle)
{
    app_config cfg;
    app_diag *d;
    int rc = load(&cfg, text, 0, NULL, &d);
    assert_int_equal(rc, DTFL_ECONFIG);
    const char *m = app_diag_message(d, 0);
    if (m == NULL || strstr(m, where) == NULL || strstr(m, needle) == NULL)
        fail_msg("got '%s', want '%s' and '%s'", m ? m : "(none)", where, needle);
    app_diag_destroy(d);
}

static void test_good(void **state)
{
    (void)state;
    app_config cfg;
    app_diag *d;
    int rc = load(&cfg, "model:\n  kind: cnn\nfl:\n  lr: 2.5e-2\n  batch: 20\n", 0,
                  NULL, &d);
    assert_int_equal(rc, 0);
    assert_int_equal(app_diag_count(d), 0);
    assert_int_equal(cfg.model.kind, 2);
    check_close(cfg.fl.lr, 0.025, 0);
    assert_int_equal(cfg.fl.batch, 20);
    assert_int_equal(cfg.seed, 1);                      /* default */
    assert_string_equal(cfg.data.dir, "/usr/share/datasets/fashion-mnist");
    app_diag_destroy(d);
}

static void test_dump_roundtrip(void **state)
{
    (void)state;
    app_config a, b;
    app_diag *d;
    assert_int_equal(load(&a, "name: \"odd name: #1\"\nseed: 99\nmodel:\n  kind: 2nn\n"
                              "fl:\n  lr: 0.1\n  momentum: 0.3333333333333333\n",
                          0, NULL, &d), 0);
    app_diag_destroy(d);
    char *t1 = NULL, *t2 = NULL;
    size_t n1, n2;
    FILE *f = open_memstream(&t1, &n1);
    app_config_dump(&a, f);
    fclose(f);
    assert_int_equal(load(&b, t1, 0, NULL, &d), 0);
    app_diag_destroy(d);
    f = open_memstream(&t2, &n2);
    app_config_dump(&b, f);
    fclose(f);
    assert_string_equal(t1, t2);
    assert_string_equal(b.name, "odd name: #1");
    assert_true(b.fl.momentum == a.fl.momentum); /* doubles survive exactly */
    free(t1);
    free(t2);
}

static void test_overrides(void **state)
{
    (void)state;
    app_config cfg;
    app_diag *d;
    char *ov[] = {"fl.lr=0.5", "model.kind=softmax", "central.epochs=7", "seed=3"};
    assert_int_equal(load(&cfg, "model:\n  kind: cnn\n", 4, ov, &d), 0);
    check_close(cfg.fl.lr, 0.5, 0);
    assert_int_equal(cfg.model.kind, 0);
    assert_int_equal(cfg.central.epochs, 7);
    assert_int_equal(cfg.seed, 3);
    app_diag_destroy(d);
    /* a bad override is reported as argv[N]:1:COLUMN, after the file's own */
    char *bad[] = {"fl.lr=abc", "fl.lrr=1", "fl=3", "noequals"};
    assert_int_equal(load(&cfg, "model:\n  kind: cnnx\n", 4, bad, &d), DTFL_ECONFIG);
    assert_int_equal(app_diag_count(d), 5);
    assert_non_null(strstr(app_diag_message(d, 0), "t.yaml:2:9: model.kind"));
    assert_non_null(strstr(app_diag_message(d, 1), "argv[2]:1:7: fl.lr: expected a number"));
    assert_non_null(strstr(app_diag_message(d, 2), "argv[3]:1:4: unknown key 'fl.lrr' (did you mean 'fl.lr'?)"));
    assert_non_null(strstr(app_diag_message(d, 3), "argv[4]:1:1: 'fl' is a section"));
    assert_non_null(strstr(app_diag_message(d, 4), "argv[5]:1:1: expected key=value"));
    app_diag_destroy(d);
}

static void test_all_problems_reported(void **state)
{
    (void)state;
    app_config cfg;
    app_diag *d;
    const char *text = "seed: -4\n"
                       "modl:\n  kind: cnn\n"
                       "fl:\n  lr: 10abc\n  batch: \"5\"\n  batch: 6\n"
                       "central: 3\n";
    assert_int_equal(load(&cfg, text, 0, NULL, &d), DTFL_ECONFIG);
    /* seed range, unknown modl, lr junk, quoted batch, duplicate batch,
     * central not a section, missing model.kind */
    assert_int_equal(app_diag_count(d), 7);
    const char *want[] = {"t.yaml:1:1: missing required key 'model.kind'",
                          "t.yaml:1:7: seed: -4 is out of range",
                          "t.yaml:2:1: unknown key 'modl' (did you mean 'model'?)",
                          "t.yaml:5:7: fl.lr: expected a number, got '10abc' (trailing",
                          "t.yaml:6:10: fl.batch: expected an integer, got the quoted",
                          "t.yaml:7:3: duplicate key 'batch' (first at line 6, column 3)",
                          "t.yaml:8:10: central: is a section"};
    for (int i = 0; i < 7; i++)
        if (strstr(app_diag_message(d, i), want[i]) == NULL)
            fail_msg("message %d is '%s', want '%s'", i, app_diag_message(d, i), want[i]);
    app_diag_destroy(d);
}

static void test_value_errors(void **state)
{
    (void)state;
    expect_one("model:\n  kind: cnn\nfl:\n  lr: nan\n", "4:7", "not a finite number");
    expect_one("model:\n  kind: cnn\nfl:\n  lr: 1e999\n", "4:7", "not a finite number");
    expect_one("model:\n  kind: cnn\nfl:\n  batch: 99999999999999999999\n", "4:10",
               "does not fit");
    expect_one("model:\n  kind: cnn\nfl:\n  batch: 0\n", "4:10", "out of range [1, 1024]");
    expect_one("model:\n  kind: cnn\nfl:\n  lr:\n", "4:6", "missing value");
    expect_one("model:\n  kind: [cnn]\n", "2:9", "expected a single value, got a list");
    expect_one("model:\n  kind: cnn\nname: \"\"\n", "3:7", "must not be empty");
    expect_one("- a\n- b\n", "1:1", "a config is a mapping of keys");
    expect_one("", "1:1", "empty config");
    expect_one("model:\n  kind: cnn\n---\nseed: 2\n", "3:1", "one YAML document");
    expect_one("model:\n  kind: cnn\nfl: {lr: 0.1\n", ":", "YAML syntax error");
    expect_one("? [a, b]\n: 1\n", "1:3", "mapping key must be a plain name");
}

static double seconds_to_reject(const char *text, size_t len, const char *needle)
{
    app_config cfg;
    app_diag *d;
    assert_int_equal(app_diag_create(&d), 0);
    double t = dtfl_now();
    int rc = app_config_load_text(&cfg, "h.yaml", text, len, 0, NULL, 2,
                                  app_limits_default(), d);
    t = dtfl_now() - t;
    assert_int_equal(rc, DTFL_ECONFIG);
    if (strstr(app_diag_message(d, 0), needle) == NULL)
        fail_msg("got '%s', want '%s'", app_diag_message(d, 0), needle);
    app_diag_destroy(d);
    return t;
}

static void test_hostile(void **state)
{
    (void)state;
    /* Each of these would take minutes or gigabytes without the limits; the
     * bound below is a sanity check of the limits, not a speed benchmark. */
    const double bound = 1.0;
    size_t n = 1000000;
    char *deep = malloc(n + 1);
    memset(deep, '[', n);
    deep[n] = '\0';
    check_lt(seconds_to_reject(deep, n, "nesting deeper than 32"), bound);
    for (size_t i = 0; i + 4 <= n; i += 4)
        memcpy(deep + i, "{a: ", 4); /* nested flow mappings */
    check_lt(seconds_to_reject(deep, n, "nesting deeper"), bound);
    free(deep);
    /* the depth limit is exact: 32 levels pass the parser, 33 do not */
    for (int levels = 32; levels <= 33; levels++) {
        char text[128] = "a: ";
        for (int i = 1; i < levels; i++) /* the root mapping is level 1 */
            strcat(text, "[");
        for (int i = 1; i < levels; i++)
            strcat(text, "]");
        strcat(text, "\n");
        app_config cfg;
        app_diag *d;
        assert_int_equal(load(&cfg, text, 0, NULL, &d), DTFL_ECONFIG);
        const char *m = app_diag_message(d, 0);
        int too_deep = strstr(m, "nesting deeper than 32") != NULL;
        if (too_deep != (levels == 33))
            fail_msg("%d levels: '%s'", levels, m);
        app_diag_destroy(d);
    }
    /* billion laughs: 9 levels of 9 aliases, 9^9 nodes if expanded */
    char bomb[4096];
    int o = snprintf(bomb, sizeof bomb, "a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for (int l = 1; l <= 9; l++)
        o += snprintf(bomb + o, sizeof bomb - o,
                      "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                      l, l, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1, l - 1);
    check_lt(seconds_to_reject(bomb, (size_t)o, "once aliases are expanded"), bound);
    /* an alias inside the collection it names: a cycle */
    const char *cyc = "a: &x [1, *x]\n";
    check_lt(seconds_to_reject(cyc, strlen(cyc), "a cycle"), bound);
    const char *undef = "a: *nope\n";
    check_lt(seconds_to_reject(undef, strlen(undef), "names no anchor"), bound);
    /* a file larger than the limit is refused before parsing */
    size_t big = (1u << 20) + 1;
    char *huge = malloc(big);
    memset(huge, '#', big);
    check_lt(seconds_to_reject(huge, big, "larger than the limit"), bound);
    free(huge);
    /* a long scalar */
    size_t ls = 10000;
    char *longv = malloc(ls + 16);
    memcpy(longv, "name: ", 6);
    memset(longv + 6, 'a', ls);
    longv[6 + ls] = '\0';
    check_lt(seconds_to_reject(longv, 6 + ls, "longer than 4096"), bound);
    free(longv);
    /* aliases within the limits are fine */
    app_config cfg;
    app_diag *d;
    assert_int_equal(load(&cfg, "model:\n  kind: &k cnn\nname: *k\n", 0, NULL, &d), 0);
    assert_string_equal(cfg.name, "cnn");
    app_diag_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),          cmocka_unit_test(test_dump_roundtrip),
        cmocka_unit_test(test_overrides),     cmocka_unit_test(test_all_problems_reported),
        cmocka_unit_test(test_value_errors),  cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
