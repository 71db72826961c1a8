/*
 * test_world.c - the world of servers and users: placement and capacities,
 * the mobility models (inside the area, speed limits, determinism whatever
 * the order users are stepped in), trajectory and server files with their
 * errors, arrivals and distances.
 */
#include "check.h"

#include "../twin/twin.h"

static char dir[256];

static twin_world_params params(void)
{
    twin_world_params p = {0};
    p.seed = 4;
    p.width = 120;
    p.height = 80;
    p.slot_seconds = 10;
    p.servers = 7;
    p.users = 9;
    p.placement = TWIN_PLACE_UNIFORM;
    p.p[0] = 120, p.p[1] = 150;
    p.q[0] = 1400, p.q[1] = 1500;
    p.eps[0] = 54, p.eps[1] = 56;
    p.mobility = TWIN_MOB_WAYPOINT;
    p.speed[0] = 1, p.speed[1] = 3;
    p.pause = 5;
    p.gm_memory = 0.8;
    p.gm_speed_sigma = 0.5;
    p.gm_direction_sigma = 0.4;
    p.distance = TWIN_DIST_MANHATTAN;
    p.samples[0] = 200, p.samples[1] = 400;
    p.twin_bits[0] = 4400, p.twin_bits[1] = 4600;
    return p;
}

static twin_world *make(const twin_world_params *p)
{
    twin_world *w = NULL;
    dtfl_err err;
    if (twin_world_create(&w, p, &err) != 0)
        fail_msg("world: %s", err.msg);
    return w;
}

static void test_servers(void **state)
{
    (void)state;
    twin_world_params p = params();
    twin_world *w = make(&p), *w2 = make(&p);
    for (int s = 0; s < p.servers; s++) {
        double x, y, x2, y2;
        twin_world_server_xy(w, s, &x, &y);
        twin_world_server_xy(w2, s, &x2, &y2);
        assert_true(x == x2 && y == y2);
        assert_true(x >= 0 && x <= 120 && y >= 0 && y <= 80);
        double ps = twin_world_server_p(w, s), qs = twin_world_server_q(w, s);
        assert_true(ps >= 120 && ps <= 150 && qs >= 1400 && qs <= 1500);
        double e = twin_world_server_eps(w, s);
        assert_true(e >= 54 && e <= 56);
    }
    twin_world_destroy(w2);
    /* grid: 7 servers on a 3 x 3 grid of 40 x 26.7 m cells */
    p.placement = TWIN_PLACE_GRID;
    twin_world *g = make(&p);
    double x, y;
    twin_world_server_xy(g, 4, &x, &y);
    check_close(x, 60, 1e-9);
    check_close(y, 40, 1e-9);
    twin_world_server_xy(g, 6, &x, &y);
    check_close(x, 20, 1e-9);
    check_close(y, 80.0 * 5 / 6, 1e-9);
    /* Manhattan between servers 0 (20, 13.3) and 4 (60, 40) */
    check_close(twin_world_server_dist(g, 0, 4), 40 + 80.0 / 3, 1e-9);
    twin_world_destroy(g);
    twin_world_destroy(w);
}

static void test_server_file(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/servers.csv", dir);
    twin_world_params p = params();
    p.servers = 3;
    p.placement = TWIN_PLACE_FILE;
    p.server_file = path;
    const char *good = "x,y\n10,20\n\n# comment\n30, 40\n50,60\n70,70\n";
    check_write(path, good, strlen(good));
    twin_world *w = make(&p);
    double x, y;
    twin_world_server_xy(w, 1, &x, &y);
    assert_true(x == 30 && y == 40);
    twin_world_destroy(w);
    struct { const char *text; const char *needle; } bad[] = {
        {"x,y\n10,20\n30\n", "servers.csv:3: 1 fields, expected 2"},
        {"10,20\n30,abc\n", "servers.csv:2: field 2 is not a finite number"},
        {"10,20\n30,,5\n", "servers.csv:2: field 2"},
        {"10,20\n30,40\n", "2 server positions, the config asks for 3"},
        {"10,20\n30,40\n500,10\n", "servers.csv:3: server at (500, 10) is outside"},
        {"x,y\n", "no data rows"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        check_write(path, bad[i].text, strlen(bad[i].text));
        twin_world *b = NULL;
        dtfl_err err = {0};
        int rc = twin_world_create(&b, &p, &err);
        if (rc != DTFL_EDATA || strstr(err.msg, bad[i].needle) == NULL)
            fail_msg("case %zu: rc %d, '%s' (want '%s')", i, rc, err.msg, bad[i].needle);
    }
    p.server_file = "/nonexistent/servers.csv";
    twin_world *b = NULL;
    dtfl_err err;
    assert_int_equal(twin_world_create(&b, &p, &err), DTFL_ENOINPUT);
}

/* Walks a world for many slots: users stay inside and never outrun the
 * fastest speed; a second world stepped alongside agrees exactly. */
static void walk(twin_world_params p, double vmax)
{
    twin_world *w = make(&p), *w2 = make(&p);
    double *px = malloc(sizeof(double) * p.users), *py = malloc(sizeof(double) * p.users);
    double moved = 0.0;
    for (int u = 0; u < p.users; u++)
        twin_world_user_xy(w, u, &px[u], &py[u]);
    for (int t = 1; t <= 500; t++) {
        twin_world_step(w, t);
        twin_world_step(w2, t);
        for (int u = 0; u < p.users; u++) {
            double x, y, x2, y2;
            twin_world_user_xy(w, u, &x, &y);
            twin_world_user_xy(w2, u, &x2, &y2);
            assert_true(x == x2 && y == y2);
            assert_true(x >= 0 && x <= p.width && y >= 0 && y <= p.height);
            double step = twin_dist(TWIN_DIST_EUCLIDEAN, px[u], py[u], x, y);
            if (step > vmax * p.slot_seconds + 1e-9)
                fail_msg("user %d moved %.2f m in slot %d (max %.2f)", u, step, t,
                         vmax * p.slot_seconds);
            moved += step;
            px[u] = x;
            py[u] = y;
        }
    }
    assert_true(moved > 100.0); /* they do move */
    free(px);
    free(py);
    twin_world_destroy(w);
    twin_world_destroy(w2);
}

static void test_mobility(void **state)
{
    (void)state;
    twin_world_params p = params();
    walk(p, p.speed[1]);
    p.mobility = TWIN_MOB_GAUSS_MARKOV;
    /* a Gauss-Markov speed is not bounded; 8 sigma above the mean is */
    walk(p, 2.0 + 8 * p.gm_speed_sigma);
    /* Gauss-Markov keeps its mean speed over a long run (eq. 1) */
    twin_world *w = make(&p);
    double sum = 0.0;
    int n = 0;
    double px[9], py[9];
    for (int u = 0; u < 9; u++)
        twin_world_user_xy(w, u, &px[u], &py[u]);
    for (int t = 1; t <= 2000; t++) {
        twin_world_step(w, t);
        for (int u = 0; u < 9; u++) {
            double x, y;
            twin_world_user_xy(w, u, &x, &y);
            sum += twin_dist(TWIN_DIST_EUCLIDEAN, px[u], py[u], x, y) / p.slot_seconds;
            n++;
            px[u] = x;
            py[u] = y;
        }
    }
    /* reflections shorten a few steps: the mean is a little below 2 m/s */
    check_close(sum / n, 2.0, 0.25);
    twin_world_destroy(w);
    /* static users never move */
    p.mobility = TWIN_MOB_STATIC;
    w = make(&p);
    double x0, y0, x1, y1;
    twin_world_user_xy(w, 3, &x0, &y0);
    twin_world_step(w, 1);
    twin_world_user_xy(w, 3, &x1, &y1);
    assert_true(x0 == x1 && y0 == y1);
    twin_world_destroy(w);
}

/* Two users along the trace `text`, written to dir/name (path: room for
 * it, kept while the params are used). */
static twin_world_params traced(char *path, size_t cap, const char *name,
                                const char *text)
{
    snprintf(path, cap, "%s/%s", dir, name);
    check_write(path, text, strlen(text));
    twin_world_params p = params();
    p.users = 2;
    p.mobility = TWIN_MOB_TRACE;
    p.trace_file = path;
    return p;
}

static void test_trace(void **state)
{
    (void)state;
    char path[300];
    const char *text = "id,t,x,y\n"
                       "7,0,0,0\n"
                       "3,0,100,50\n"
                       "7,20,40,20\n"
                       "3,10,100,60\n";
    twin_world_params p = traced(path, sizeof path, "trace.csv", text);
    twin_world *w = make(&p);
    double x, y;
    /* users are ids in ascending order: 3, then 7 */
    twin_world_user_xy(w, 0, &x, &y);
    assert_true(x == 100 && y == 50);
    twin_world_step(w, 1); /* t = 10 s */
    twin_world_user_xy(w, 1, &x, &y);
    check_close(x, 20, 1e-12); /* halfway from (0,0) to (40,20) */
    check_close(y, 10, 1e-12);
    twin_world_step(w, 5); /* t = 50 s: held at the last row */
    twin_world_user_xy(w, 0, &x, &y);
    assert_true(x == 100 && y == 60);
    twin_world_destroy(w);
    struct { const char *text; const char *needle; } bad[] = {
        {"1,0,0,0\n1,5,1,1\n1,5,2,2\n2,0,0,0\n", "trace.csv:3: time 5 of id 1 does not come after 5 (line 2)"},
        {"1,0,0,0\n2,0,130,0\n", "trace.csv:2: position (130, 0) is outside"},
        {"1.5,0,0,0\n2,0,1,1\n", "trace.csv:1: id 1.5 is not a non-negative integer"},
        {"1,-1,0,0\n2,0,1,1\n", "trace.csv:1: time -1 is negative"},
        {"1,0,0,0\n1,4,1,1\n", "1 users in the trace, the config asks for 2"},
        {"id,t,x,y\n1,0,0\n", "trace.csv:2: 3 fields, expected 4"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        check_write(path, bad[i].text, strlen(bad[i].text));
        twin_world *b = NULL;
        dtfl_err err = {0};
        int rc = twin_world_create(&b, &p, &err);
        if (rc != DTFL_EDATA || strstr(err.msg, bad[i].needle) == NULL)
            fail_msg("case %zu: rc %d, '%s' (want '%s')", i, rc, err.msg, bad[i].needle);
    }
}

/* A window picks the busiest traces; a start shifts time. */
static void test_trace_window(void **state)
{
    (void)state;
    char path[300];
    const char *text = "1,0,0,0\n1,10,10,0\n"                       /* quiet later */
                       "2,100,20,0\n2,110,20,10\n2,120,20,20\n"
                       "3,100,30,0\n3,105,30,5\n3,110,30,10\n3,115,30,15\n";
    twin_world_params p = traced(path, sizeof path, "window.csv", text);
    p.trace_start = 100;
    twin_world *w = make(&p);
    double x, y;
    twin_world_user_xy(w, 0, &x, &y); /* no window: ids 1, 2 at t = 100 */
    assert_true(x == 10 && y == 0);   /* id 1 held at its last row */
    twin_world_user_xy(w, 1, &x, &y);
    assert_true(x == 20 && y == 0);
    twin_world_destroy(w);
    p.trace_window = 60; /* [100, 160): id 3 has 4 samples, id 2 has 3, id 1 none */
    w = make(&p);
    twin_world_user_xy(w, 0, &x, &y);
    assert_true(x == 30 && y == 0);
    twin_world_user_xy(w, 1, &x, &y);
    assert_true(x == 20 && y == 0);
    twin_world_step(w, 1); /* t = 110 s */
    twin_world_user_xy(w, 0, &x, &y);
    assert_true(x == 30 && y == 10);
    twin_world_destroy(w);
}

static void test_arrivals_and_distances(void **state)
{
    (void)state;
    twin_world_params p = params();
    twin_world *w = make(&p);
    int lo = 1 << 30, hi = 0;
    for (int t = 0; t < 200; t++)
        for (int u = 0; u < p.users; u++) {
            int n = twin_world_new_samples(w, u, t);
            assert_int_equal(n, twin_world_new_samples(w, u, t)); /* keyed */
            lo = n < lo ? n : lo;
            hi = n > hi ? n : hi;
        }
    assert_true(lo >= 200 && hi <= 400 && hi - lo > 150);
    for (int u = 0; u < p.users; u++) {
        double b = twin_world_user_twin_bits(w, u);
        assert_true(b >= 4400 && b <= 4600);
        /* the nearest server is at least as near as every other */
        int s = twin_world_nearest(w, u);
        for (int k = 0; k < p.servers; k++)
            assert_true(twin_world_user_server_dist(w, u, s) <=
                        twin_world_user_server_dist(w, u, k));
    }
    check_close(twin_dist(TWIN_DIST_MANHATTAN, 0, 0, 3, -4), 7, 0);
    check_close(twin_dist(TWIN_DIST_EUCLIDEAN, 0, 0, 3, -4), 5, 1e-12);
    twin_world_destroy(w);
}

static int setup(void **state)
{
    (void)state;
    check_tmpdir(dir, sizeof dir, "world");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    check_rmtree(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_servers),  cmocka_unit_test(test_server_file),
        cmocka_unit_test(test_mobility), cmocka_unit_test(test_trace),
        cmocka_unit_test(test_trace_window),
        cmocka_unit_test(test_arrivals_and_distances),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
