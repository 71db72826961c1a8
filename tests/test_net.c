/*
 * test_net.c - the net module with "ranks" as threads of one process (the
 * local backend): collectives, FedAvg that gives the same bits for 1, 2 and
 * 3 ranks, migration that moves every twin exactly once and byte for byte,
 * and a twin whose frames were damaged in flight (a flipped byte, a short
 * frame, another version) refused on arrival and kept at its source.
 */
#include "ranks_fixture.h"

/* ---- collectives ---- */

static void collectives_fn(rank_arg *a)
{
    dtfl_err err = {0};
    int me = net_rank(a->c), P = net_size(a->c);
    int64_t v[2] = {me + 1, 10};
    double mx[1] = {(double)me};
    char word[6] = "none";
    if (me == P - 1)
        strcpy(word, "hello");
    a->rc = net_allreduce_i64(a->c, v, 2, &err) || net_allreduce_max(a->c, mx, 1, &err) ||
            net_bcast(a->c, word, sizeof word, P - 1, &err) || net_barrier(a->c, &err);
    if (a->rc == 0 && (v[0] != (int64_t)P * (P + 1) / 2 || v[1] != 10 * P ||
                       mx[0] != P - 1 || strcmp(word, "hello") != 0)) {
        a->rc = 1;
        snprintf(a->msg, sizeof a->msg, "sum %lld, max %g, word %s",
                 (long long)v[0], mx[0], word);
    }
    /* ordered point to point: two messages, same source and tag */
    if (a->rc == 0 && P >= 2) {
        if (me == 0) {
            net_req *r1, *r2;
            net_isend(a->c, 1, 5, "first", 6, &r1, &err);
            net_isend(a->c, 1, 5, "second", 7, &r2, &err);
            net_wait(a->c, r1, &err);
            net_wait(a->c, r2, &err);
        } else if (me == 1) {
            uint8_t *m1, *m2;
            size_t l1, l2;
            net_recv(a->c, 0, 5, &m1, &l1, &err);
            net_recv(a->c, 0, 5, &m2, &l2, &err);
            if (strcmp((char *)m1, "first") || strcmp((char *)m2, "second"))
                a->rc = 1;
            free(m1);
            free(m2);
        }
    }
}

static void test_collectives(void **state)
{
    (void)state;
    for (int P = 1; P <= 3; P++)
        run_ranks(P, collectives_fn, NULL);
}

/* ---- FedAvg ---- */

#define FA_S 7
#define FA_N 1000

typedef struct fedavg_case {
    float vecs[FA_S][FA_N];
    double weight[FA_S];
    float out[4][FA_N]; /* per rank */
} fedavg_case;

static void fedavg_fn(rank_arg *a)
{
    fedavg_case *f = a->shared;
    int me = net_rank(a->c), P = net_size(a->c);
    float *vec[FA_S];
    for (int s = 0; s < FA_S; s++)
        vec[s] = net_server_rank(s, P) == me ? f->vecs[s] : NULL;
    dtfl_err err = {0};
    double total = 0;
    memset(f->out[me], 0, sizeof f->out[me]);
    a->rc = net_fedavg(a->c, FA_S, f->weight, vec, FA_N, f->out[me], &total, &err);
    if (a->rc)
        snprintf(a->msg, sizeof a->msg, "%s", err.msg);
}

static void test_fedavg(void **state)
{
    (void)state;
    fedavg_case *f = calloc(1, sizeof *f);
    dtfl_rng r;
    dtfl_rng_init(&r, 1, 50, 0, 0);
    for (int s = 0; s < FA_S; s++) {
        f->weight[s] = s == 3 ? 0.0 : (double)(100 + 37 * s); /* 3 sits out */
        for (int i = 0; i < FA_N; i++)
            f->vecs[s][i] = (float)dtfl_rng_normal(&r);
    }
    /* the reference: eq. 4 in double, server order */
    float want[FA_N];
    double tot = 0;
    for (int s = 0; s < FA_S; s++)
        tot += f->weight[s];
    for (int i = 0; i < FA_N; i++) {
        double acc = 0;
        for (int s = 0; s < FA_S; s++)
            acc += f->weight[s] * (double)f->vecs[s][i];
        want[i] = (float)(acc / tot);
    }
    for (int P = 1; P <= 3; P++) {
        run_ranks(P, fedavg_fn, f);
        for (int r2 = 0; r2 < P; r2++)
            assert_memory_equal(f->out[r2], want, sizeof want); /* same bits */
    }
    /* nobody has data: the model stays as it was */
    memset(f->weight, 0, sizeof f->weight);
    run_ranks(2, fedavg_fn, f);
    for (int i = 0; i < FA_N; i++)
        assert_true(f->out[0][i] == 0.0f);
    free(f);
}

/* ---- migration ---- */

#define MG_U 6
#define MG_S 5
#define MG_W 300

typedef struct migrate_case {
    net_migrate_params p;
    net_move moves[MG_U];
    int nmoves;
    twin_dt *twins[4][MG_U];     /* per rank, by user */
    twin_dt *before[4][MG_U];    /* pointers before the call */
    uint8_t *bytes[MG_U];        /* encoding of each twin before */
    size_t nbytes[MG_U];
    int failed[4][MG_U];
    net_migrate_stats stats[4];
    char first_error[4][512];
} migrate_case;

static twin_dt *mg_twin(int u)
{
    twin_dt *dt = NULL;
    dtfl_err err;
    assert_int_equal(twin_dt_create(&dt, (uint32_t)u, 784, MG_W, 4500, 3, &err), 0);
    dtfl_rng r;
    dtfl_rng_init(&r, 2, 51, (uint32_t)u, 0);
    for (int i = 0; i < MG_W; i++)
        dt->weights[i] = (float)dtfl_rng_normal(&r);
    /* image-like bytes: mostly zero background, some texture */
    int n = 120 + 10 * u;
    uint8_t *x = malloc((size_t)n * 784), *y = malloc((size_t)n);
    for (int i = 0; i < n * 784; i++) {
        int px = i % 784, row = px / 28, col = px % 28;
        int inside = row > 4 && row < 24 && col > 6 && col < 22;
        x[i] = inside ? (uint8_t)(100 + (dtfl_rng_u32(&r) & 63)) : 0;
    }
    for (int i = 0; i < n; i++)
        y[i] = (uint8_t)(i % 10);
    twin_dt_sync(dt, 1, n, x, y, &err);
    twin_dt_sync(dt, 2, n / 2, x, y, &err);
    free(x);
    free(y);
    return dt;
}

static void migrate_fn(rank_arg *a)
{
    migrate_case *m = a->shared;
    int me = net_rank(a->c);
    dtfl_err err = {0};
    a->rc = net_migrate(a->c, &m->p, MG_S, m->moves, m->nmoves, m->twins[me],
                        m->failed[me], &m->stats[me], m->first_error[me],
                        sizeof m->first_error[me], &err);
    if (a->rc)
        snprintf(a->msg, sizeof a->msg, "%s", err.msg);
}

/* Sets up twins on their `from` servers' ranks and runs the moves. */
static void mg_run(migrate_case *m, int P, const int *from, const int *to)
{
    memset(m->twins, 0, sizeof m->twins);
    m->nmoves = 0;
    for (int u = 0; u < MG_U; u++) {
        twin_dt *dt = mg_twin(u);
        m->twins[net_server_rank(from[u], P)][u] = dt;
        free(m->bytes[u]);
        m->nbytes[u] = twin_dt_encode_bound(dt);
        m->bytes[u] = malloc(m->nbytes[u]);
        dtfl_err err;
        twin_dt_encode(dt, m->bytes[u], m->nbytes[u], &m->nbytes[u], &err);
        if (from[u] != to[u])
            m->moves[m->nmoves++] = (net_move){u, from[u], to[u]};
    }
    memcpy(m->before, m->twins, sizeof m->twins);
    run_ranks(P, migrate_fn, m);
}

/* Where does twin u live after the run? Exactly one rank must hold it. */
static int mg_where(migrate_case *m, int P, int u)
{
    int at = -1;
    for (int r = 0; r < P; r++)
        if (m->twins[r][u] != NULL) {
            if (at >= 0)
                fail_msg("twin %d lives on ranks %d and %d", u, at, r);
            at = r;
        }
    if (at < 0)
        fail_msg("twin %d was lost", u);
    return at;
}

static void mg_free(migrate_case *m, int P)
{
    for (int r = 0; r < P; r++)
        for (int u = 0; u < MG_U; u++)
            twin_dt_destroy(m->twins[r][u]);
    for (int u = 0; u < MG_U; u++) {
        free(m->bytes[u]);
        m->bytes[u] = NULL;
    }
}

static migrate_case *mg_case(net_compression comp, double wire)
{
    migrate_case *m = calloc(1, sizeof *m);
    m->p.compression = comp;
    m->p.wire_bytes_per_s = wire;
    m->p.chunk_bytes = 16384;
    m->p.expect = (twin_dt_expect){784, MG_W, 10};
    return m;
}

static void test_migrate_moves(void **state)
{
    (void)state;
    const int from[MG_U] = {0, 1, 2, 3, 4, 0};
    const int to[MG_U] = {1, 1, 4, 0, 2, 2};
    const net_compression comps[] = {NET_COMPRESS_NONE, NET_COMPRESS_LZ4, NET_COMPRESS_AUTO};
    for (int P = 1; P <= 3; P++)
        for (int k = 0; k < 3; k++) {
            migrate_case *m = mg_case(comps[k], 1e8);
            mg_run(m, P, from, to);
            int cross = 0;
            for (int u = 0; u < MG_U; u++) {
                int at = mg_where(m, P, u);
                assert_int_equal(at, net_server_rank(to[u], P));
                int src = net_server_rank(from[u], P);
                if (src == at) /* same rank: the very same twin, not a copy */
                    assert_ptr_equal(m->twins[at][u], m->before[src][u]);
                else
                    cross++;
                /* byte for byte the twin that left */
                size_t n = twin_dt_encode_bound(m->twins[at][u]);
                uint8_t *b = malloc(n);
                dtfl_err err;
                twin_dt_encode(m->twins[at][u], b, n, &n, &err);
                assert_int_equal(n, m->nbytes[u]);
                assert_memory_equal(b, m->bytes[u], n);
                free(b);
            }
            for (int r = 0; r < P; r++) {
                assert_int_equal(m->stats[r].moves, 5);
                assert_int_equal(m->stats[r].cross_rank, cross);
                assert_int_equal(m->stats[r].failed, 0);
            }
            if (comps[k] == NET_COMPRESS_NONE && cross > 0)
                assert_true(m->stats[0].bytes_wire > m->stats[0].bytes_raw);
            if (comps[k] == NET_COMPRESS_LZ4 && cross > 0)
                assert_true(m->stats[0].bytes_wire < 0.8 * m->stats[0].bytes_raw);
            mg_free(m, P);
            free(m);
        }
}

static void test_migrate_auto(void **state)
{
    (void)state;
    const int from[MG_U] = {0, 0, 0, 0, 0, 0};
    const int to[MG_U] = {1, 1, 1, 1, 1, 1};
    /* a wire far faster than LZ4: auto sends raw */
    migrate_case *m = mg_case(NET_COMPRESS_AUTO, 1e12);
    mg_run(m, 2, from, to);
    assert_true(m->stats[0].bytes_wire > m->stats[0].bytes_raw);
    int64_t raw_fast = m->stats[0].bytes_raw;
    mg_free(m, 2);
    free(m);
    /* a slow wire: auto compresses the images but not the weights, so it
     * sends fewer bytes than raw and about as many as lz4 */
    m = mg_case(NET_COMPRESS_AUTO, 1e6);
    mg_run(m, 2, from, to);
    int64_t auto_wire = m->stats[0].bytes_wire;
    assert_int_equal(m->stats[0].bytes_raw, raw_fast);
    assert_true(auto_wire < 0.8 * raw_fast);
    mg_free(m, 2);
    free(m);
    m = mg_case(NET_COMPRESS_LZ4, 0);
    mg_run(m, 2, from, to);
    int64_t lz4_wire = m->stats[0].bytes_wire;
    /* lz4 also frames the weights; auto sends those raw (about the same) */
    check_close((double)auto_wire, (double)lz4_wire, 0.05 * lz4_wire);
    mg_free(m, 2);
    free(m);
}

static void test_migrate_faults(void **state)
{
    (void)state;
    const int from[MG_U] = {0, 1, 2, 3, 4, 0};
    const int to[MG_U] = {1, 2, 3, 4, 0, 3};
    const net_fault faults[] = {NET_FAULT_FLIP, NET_FAULT_TRUNCATE, NET_FAULT_VERSION};
    const char *needles[] = {"checksum", "truncated", "version 2"};
    const net_compression comps[] = {NET_COMPRESS_NONE, NET_COMPRESS_LZ4};
    for (int f = 0; f < 3; f++)
        for (int k = 0; k < 2; k++) {
            const int P = 2, victim = 2; /* server 2 (rank 0) -> 3 (rank 1) */
            migrate_case *m = mg_case(comps[k], 1e8);
            m->p.fault = faults[f];
            m->p.fault_user = victim;
            mg_run(m, P, from, to);
            for (int u = 0; u < MG_U; u++) {
                int at = mg_where(m, P, u);
                int want = u == victim ? from[u] : to[u];
                assert_int_equal(at, net_server_rank(want, P));
                for (int r = 0; r < P; r++) /* every rank knows */
                    for (int i = 0; i < m->nmoves; i++)
                        assert_int_equal(m->failed[r][i], m->moves[i].user == victim);
            }
            /* the twin kept at the source is the one that was there */
            assert_ptr_equal(m->twins[0][victim], m->before[0][victim]);
            assert_int_equal(m->stats[0].failed, 1);
            /* the receiver and the sender both know why */
            for (int r = 0; r < P; r++)
                if (strstr(m->first_error[r], needles[f]) == NULL ||
                    strstr(m->first_error[r], "twin 2") == NULL)
                    fail_msg("fault %d codec %d rank %d: '%s' lacks '%s'", f, k, r,
                             m->first_error[r], needles[f]);
            mg_free(m, P);
            free(m);
        }
}

static void test_frames_damage(void **state)
{
    (void)state;
    /* every cut of every frame message is refused, never read past */
    twin_dt *dt = mg_twin(1);
    net_move mv = {1, 0, 1};
    net_migrate_params p = {NET_COMPRESS_LZ4, 0, 0, 8192, {784, MG_W, 10}, 0, 0};
    net_frames f;
    dtfl_err err;
    assert_int_equal(net_frames_make(dt, &mv, &p, NULL, &f, &err), 0);
    twin_dt *back = NULL;
    assert_int_equal(net_frames_open(f.msg, f.len, f.n, &mv, &p, &back, &err), 0);
    twin_dt_destroy(back);
    for (int i = 0; i < f.n; i++) {
        size_t full = f.len[i];
        for (size_t cut = 0; cut < full; cut += (full > 200 ? full / 50 : 1)) {
            uint8_t *save = f.msg[i];
            f.msg[i] = malloc(cut + 1); /* exact size: ASan sees overreads */
            memcpy(f.msg[i], save, cut);
            f.len[i] = cut;
            back = NULL;
            if (net_frames_open(f.msg, f.len, f.n, &mv, &p, &back, &err) == 0)
                fail_msg("message %d cut to %zu of %zu accepted", i, cut, full);
            free(f.msg[i]);
            f.msg[i] = save;
            f.len[i] = full;
        }
    }
    /* a frame meant for another move is refused */
    net_move other = {1, 0, 2};
    assert_int_not_equal(net_frames_open(f.msg, f.len, f.n, &other, &p, &back, &err), 0);
    assert_non_null(strstr(err.msg, "header is for user 1 from 0 to 1"));
    /* a missing chunk is refused */
    assert_int_not_equal(net_frames_open(f.msg, f.len, f.n - 1, &mv, &p, &back, &err), 0);
    net_frames_free(&f);
    twin_dt_destroy(dt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collectives),   cmocka_unit_test(test_fedavg),
        cmocka_unit_test(test_migrate_moves), cmocka_unit_test(test_migrate_auto),
        cmocka_unit_test(test_migrate_faults), cmocka_unit_test(test_frames_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
