/*
 * test_transfer.c - bytes between servers (net/transfer.c) on 1 to 3
 * thread-ranks: the counts of a list with transfers inside and across
 * ranks, empty and multi-chunk payloads, pacing that takes at least
 * bytes / rate (the link's or a transfer's own), uploads to and downloads
 * from the cloud (rank 0), each transfer seen once by its receiving rank
 * with its head, length and a digest that does not depend on the rank
 * count, a caller's payload arriving whole, and a receiver whose expectation differs from what arrives
 * refusing it with the transfer named.
 */
#include "ranks_fixture.h"

#include <string.h>

/* a transfer of n bytes from server a to b, no head, the link's pace */
#define XF(a, b, n) {.from = (a), .to = (b), .bytes = (n)}

typedef struct xfer_case {
    const net_transfer *list;
    int n, servers;
    double link_bytes_per_s;
    net_transfer_stats st[4];
    double start[4], end[4]; /* dtfl_now() around each rank's run */
    /* what arrived: per transfer the receiving rank, its head and digest */
    int seen[8], seen_rank[8];
    uint8_t head[8][NET_XFER_HEAD];
    size_t head_len[8];
    uint64_t digest[8];
    int whole_ok[8], filled[8];
    net_transfer_fill fill; /* NULL: the default payload */
} xfer_case;

static int on_arrival(void *ctx, int i, const net_transfer *t, const uint8_t *payload,
                      size_t len, uint64_t digest, dtfl_err *err)
{
    rank_arg *a = ctx;
    xfer_case *x = a->shared;
    (void)err;
    x->seen[i]++; /* each transfer has one receiver: no race */
    x->seen_rank[i] = net_rank(a->c);
    x->head_len[i] = len < NET_XFER_HEAD ? len : NET_XFER_HEAD;
    memcpy(x->head[i], payload, x->head_len[i]);
    x->digest[i] = digest;
    /* the whole payload is the one its sender builds */
    uint8_t *want = malloc(len + 1);
    net_transfer_filler(want, len, i, t);
    if (x->fill != NULL)
        x->fill(NULL, i, t, want, len, err);
    else
        net_transfer_filler(want, len, i, t);
    x->whole_ok[i] = len == (size_t)t->bytes && memcmp(want, payload, len) == 0;
    free(want);
    return 0;
}

/* A caller's payload: bytes of the transfer's index and place, counted in
 * x->filled (on the sending rank only). */
static int fill_pattern(void *ctx, int i, const net_transfer *t, uint8_t *p, size_t n,
                        dtfl_err *err)
{
    (void)t, (void)err;
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)(i * 37 + (int)(k * 7 % 253));
    if (ctx != NULL) {
        rank_arg *a = ctx;
        xfer_case *x = a->shared;
        x->filled[i]++;
    }
    return 0;
}

static void xfer_fn(rank_arg *a)
{
    xfer_case *x = a->shared;
    const int me = net_rank(a->c);
    net_migrate_params p = {0};
    p.chunk_bytes = 1000; /* several chunks per transfer */
    p.link_bytes_per_s = x->link_bytes_per_s;
    dtfl_err err = {0};
    x->start[me] = dtfl_now();
    net_transfer_io io = {x->fill, on_arrival, a};
    a->rc = net_transfer_run(a->c, &p, x->servers, x->list, x->n, &io, &x->st[me], &err);
    x->end[me] = dtfl_now();
    if (a->rc < 0)
        snprintf(a->msg, sizeof a->msg, "%s", err.msg);
}

static void test_counts(void **state)
{
    (void)state;
    /* 4 servers: on 2 ranks servers 0, 2 live on rank 0 and 1, 3 on rank 1 */
    static const net_transfer list[] = {
        XF(0, 1, 2500), XF(1, 0, 10), XF(0, 2, 777), XF(3, 1, 4000), XF(2, 3, 0),
        XF(1, 2, 1), XF(0, 1, 1200)};
    for (int P = 1; P <= 3; P++) {
        xfer_case x = {list, 7, 4, 0, {{0}}, {0}, {0}, {0}, {0}, {{0}}, {0}, {0}, {0}, {0}, NULL};
        run_ranks(P, xfer_fn, &x);
        int64_t cross = 0, wire = 0;
        for (int i = 0; i < 7; i++)
            if (list[i].from % P != list[i].to % P) {
                cross++;
                wire += list[i].bytes;
            }
        for (int r = 0; r < P; r++) {
            assert_int_equal(x.st[r].transfers, 7);
            assert_int_equal(x.st[r].bytes, 2500 + 10 + 777 + 4000 + 1 + 1200);
            assert_int_equal(x.st[r].cross_rank, cross);
            assert_int_equal(x.st[r].bytes_wire, wire);
        }
        if (P == 2) {
            assert_int_equal(cross, 5);
            assert_int_equal(wire, 2500 + 10 + 0 + 1 + 1200); /* 3 -> 1 stays */
        }
    }
}

/* Uploads to the cloud (NET_CLOUD, rank 0) from servers on every rank, and
 * a download from it: only what leaves or reaches another rank than 0
 * crosses. */
static void test_cloud(void **state)
{
    (void)state;
    static const net_transfer list[] = {
        XF(0, NET_CLOUD, 3000), XF(1, NET_CLOUD, 2000), XF(2, NET_CLOUD, 500),
        XF(NET_CLOUD, 1, 700)};
    for (int P = 1; P <= 3; P++) {
        xfer_case x = {list, 4, 3, 0, {{0}}, {0}, {0}, {0}, {0}, {{0}}, {0}, {0}, {0}, {0}, NULL};
        run_ranks(P, xfer_fn, &x);
        int64_t wire = 0;
        for (int i = 0; i < 4; i++) {
            int a = list[i].from < 0 ? 0 : list[i].from % P;
            int b = list[i].to < 0 ? 0 : list[i].to % P;
            wire += a != b ? list[i].bytes : 0;
        }
        for (int r = 0; r < P; r++) {
            assert_int_equal(x.st[r].transfers, 4);
            assert_int_equal(x.st[r].bytes_wire, wire);
        }
        if (P == 3) /* servers 1 and 2 are on ranks 1 and 2 */
            assert_int_equal(wire, 2000 + 500 + 700);
    }
}

/* 20,000 bytes on one link at 1 MB/s take at least 19 ms (the first
 * chunk leaves at once): the sender's run, and from the sender's start to
 * the receiver's end (the receiver's thread may start later). */
static void test_pacing(void **state)
{
    (void)state;
    static const net_transfer list[] = {XF(0, 1, 10000), XF(0, 1, 10000)};
    xfer_case x = {list, 2, 2, 1e6, {{0}}, {0}, {0}, {0}, {0}, {{0}}, {0}, {0}, {0}, {0}, NULL};
    run_ranks(2, xfer_fn, &x);
    assert_true(x.end[0] - x.start[0] >= 0.019);
    assert_true(x.end[1] - x.start[0] >= 0.019);
    /* a transfer's own rate beats the link's: 20,000 bytes at 2 MB/s */
    net_transfer own[2] = {XF(0, 1, 10000), XF(0, 1, 10000)};
    own[0].bytes_per_s = own[1].bytes_per_s = 2e6;
    xfer_case y = {own, 2, 2, 1e9, {{0}}, {0}, {0}, {0}, {0}, {{0}}, {0}, {0}, {0}, {0}, NULL};
    run_ranks(2, xfer_fn, &y);
    assert_true(y.end[0] - y.start[0] >= 0.0095);
}

/* A caller's fill builds each payload once, on its sending rank (within a
 * rank too), and the receiver sees exactly those bytes, whole, across
 * several chunks. */
static void test_fill(void **state)
{
    (void)state;
    static const net_transfer list[] = {XF(0, 1, 2500), XF(1, 1, 300), XF(2, 0, 7),
                                        XF(NET_CLOUD, 2, 3001)};
    for (int P = 1; P <= 3; P++) {
        xfer_case x = {list, 4, 3, 0, {{0}}, {0}, {0}, {0}, {0}, {{0}}, {0}, {0}, {0}, {0},
                       fill_pattern};
        run_ranks(P, xfer_fn, &x);
        for (int i = 0; i < 4; i++) {
            assert_int_equal(x.seen[i], 1);
            assert_int_equal(x.filled[i], 1);
            assert_true(x.whole_ok[i]);
        }
    }
}

/* Each transfer is seen once, by its receiving rank (within a rank too),
 * with its head, the length it had, and a digest that is the same on 1, 2
 * and 3 ranks (the payload does not depend on where it goes). */
static void test_arrival(void **state)
{
    (void)state;
    net_transfer list[5] = {XF(0, 1, 2500), XF(1, 1, 300), XF(2, NET_CLOUD, 60), XF(1, 0, 20),
                            XF(NET_CLOUD, 2, 4000)};
    for (int i = 0; i < 5; i++) { /* heads of 0 to 48 bytes */
        list[i].head_len = (int32_t)(i * 12 < list[i].bytes ? i * 12 : list[i].bytes);
        for (int k = 0; k < list[i].head_len; k++)
            list[i].head[k] = (uint8_t)(7 * i + k);
    }
    uint64_t digest1[5] = {0};
    for (int P = 1; P <= 3; P++) {
        xfer_case x = {list, 5, 3, 0, {{0}}, {0}, {0}, {0}, {0}, {{0}}, {0}, {0}, {0}, {0}, NULL};
        run_ranks(P, xfer_fn, &x);
        for (int i = 0; i < 5; i++) {
            const int to = list[i].to < 0 ? 0 : list[i].to % P;
            assert_int_equal(x.seen[i], 1);
            assert_int_equal(x.seen_rank[i], to);
            const size_t want = list[i].bytes < NET_XFER_HEAD ? (size_t)list[i].bytes
                                                              : NET_XFER_HEAD;
            assert_int_equal(x.head_len[i], want);
            assert_memory_equal(x.head[i], list[i].head, (size_t)list[i].head_len);
            assert_true(x.whole_ok[i]);
            if (P == 1)
                digest1[i] = x.digest[i];
            assert_true(x.digest[i] == digest1[i]);
        }
    }
}

/* Rank 1 expects another size than rank 0 sends: refused, named. */
typedef struct mismatch_case {
    net_transfer_stats st;
    char msg[DTFL_ERR_MSG_MAX];
    int rc;
} mismatch_case;

static void mismatch_fn(rank_arg *a)
{
    mismatch_case *m = a->shared;
    const int me = net_rank(a->c);
    net_transfer sent = XF(0, 1, 3000), expected = XF(0, 1, 2999);
    net_migrate_params p = {0};
    p.chunk_bytes = 1000;
    dtfl_err err = {0};
    int rc = net_transfer_run(a->c, &p, 2, me == 0 ? &sent : &expected, 1, NULL,
                              &m->st, &err);
    if (me == 1) {
        m->rc = rc;
        snprintf(m->msg, sizeof m->msg, "%s", err.msg);
        uint8_t *buf = NULL; /* drain what the refused transfer left */
        size_t len;
        for (int k = 0; k < 3; k++)
            if (net_recv(a->c, 0, 51, &buf, &len, &err) == 0)
                free(buf);
    }
}

static void test_mismatch(void **state)
{
    (void)state;
    mismatch_case m = {{0}, "", 0};
    run_ranks(2, mismatch_fn, &m);
    assert_int_equal(m.rc, DTFL_EPROTOCOL);
    assert_non_null(strstr(m.msg, "transfer 0 from server 0 to 1"));
    assert_non_null(strstr(m.msg, "expected 2999"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_cloud),
        cmocka_unit_test(test_pacing),
        cmocka_unit_test(test_arrival),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_mismatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
