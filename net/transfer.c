/*
 * transfer.c - bytes a scenario sends between edge servers (status updates,
 * task data, model downloads): the real driver's "send n bytes from server
 * a to server b" effect, with its measured cost.
 *
 * Every rank holds the same list. A transfer within a rank moves nothing.
 * One across ranks is a header message (u64 length, u64 XXH3-64 of the
 * payload) and the payload in chunks of at most chunk_bytes, paced per
 * (from, to) server link when a backhaul rate is set, as migrations are;
 * the receiver checks length and digest, and a mismatch is an error naming
 * the transfer and its servers. The payload is what the caller's `fill`
 * writes on the sending rank (a twin's task images, an outcome), or the
 * transfer's head (a status record) followed by filler made of the
 * transfer's index (what a scenario models is the bytes' size). Each rank
 * first posts every send it makes, then receives in list order, so the
 * exchange cannot deadlock; the caller's `arrived` sees each transfer's
 * payload, length and digest on the receiving rank, within a rank too. An end
 * NET_CLOUD is the cloud, which lives on rank 0 (a status upload, a model
 * from the cloud).
 */
#include "comm_int.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* below migrate.c's TAG_BASE (100) */
#define TAG_XFER_HDR 50
#define TAG_XFER_CHUNK 51

typedef struct xfer_send {
    uint8_t hdr[16];
    uint8_t *payload;
    net_req *hreq;
    net_req **reqs;
    int nreq;
} xfer_send;

/* The default payload of transfer i: its head, then its index, repeated. */
void net_transfer_filler(uint8_t *p, size_t n, int i, const net_transfer *t)
{
    for (size_t k = 0; k < n; k++)
        p[k] = (uint8_t)(i * 131 + (int)(k % 251));
    memcpy(p, t->head, (size_t)t->head_len);
}

/* Transfer i's payload, allocated (n + 1 bytes) and written, at *out. */
static int xfer__payload(const net_transfer_io *io, int i, const net_transfer *t,
                         uint8_t **out, dtfl_err *err)
{
    const size_t n = (size_t)t->bytes;
    uint8_t *p = *out = malloc(n + 1);
    if (p == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "transfer: out of memory");
    if (io->fill == NULL) {
        net_transfer_filler(p, n, i, t);
        return 0;
    }
    return io->fill(io->ctx, i, t, p, n, err);
}

/* A transfer within a rank: nothing moves; its receiver sees it at once. */
static int xfer__local(const net_transfer *t, int i, const net_transfer_io *io,
                       dtfl_err *err)
{
    uint8_t *p = NULL;
    const size_t n = (size_t)t->bytes;
    int rc = xfer__payload(io, i, t, &p, err);
    if (rc == 0)
        rc = io->arrived(io->ctx, i, t, p, n, XXH3_64bits(p, n), err);
    free(p);
    return rc;
}

/* The rank of a transfer's end: its server's, or 0 for the cloud. */
static int xfer__rank(int end, int P)
{
    return end == NET_CLOUD ? 0 : net_server_rank(end, P);
}

static size_t xfer__chunks(size_t n, size_t chunk)
{
    return n == 0 ? 0 : (n + chunk - 1) / chunk;
}

static int xfer__send(net_comm *c, const net_migrate_params *p, int P,
                      const net_transfer *t, int i, const net_transfer_io *io,
                      xfer_send *s, double *link_free, dtfl_err *err)
{
    const size_t n = (size_t)t->bytes, chunk = p->chunk_bytes > 0 ? p->chunk_bytes : 1u << 20;
    const int dst = xfer__rank(t->to, P);
    s->nreq = (int)xfer__chunks(n, chunk);
    s->reqs = calloc((size_t)s->nreq + 1, sizeof *s->reqs);
    if (s->reqs == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "transfer: out of memory");
    int rc = xfer__payload(io, i, t, &s->payload, err);
    if (rc < 0)
        return rc;
    dtfl_put_u64(s->hdr, (uint64_t)n);
    dtfl_put_u64(s->hdr + 8, XXH3_64bits(s->payload, n));
    rc = net_isend(c, dst, TAG_XFER_HDR, s->hdr, sizeof s->hdr, &s->hreq, err);
    for (int k = 0; k < s->nreq && rc == 0; k++) {
        size_t off = (size_t)k * chunk, len = n - off < chunk ? n - off : chunk;
        const double rate = t->bytes_per_s > 0 ? t->bytes_per_s : p->link_bytes_per_s;
        if (rate > 0) {
            double go = dtfl_now() > *link_free ? dtfl_now() : *link_free;
            net__sleep_until(go);
            *link_free = go + (double)len / rate;
        }
        rc = net_isend(c, dst, TAG_XFER_CHUNK, s->payload + off, len, &s->reqs[k], err);
    }
    return rc;
}

static int xfer__recv(net_comm *c, const net_migrate_params *p, int P,
                      const net_transfer *t, int i, const net_transfer_io *io,
                      dtfl_err *err)
{
    const int src = xfer__rank(t->from, P);
    const size_t chunk = p->chunk_bytes > 0 ? p->chunk_bytes : 1u << 20;
    uint8_t *hdr = NULL;
    size_t hlen = 0;
    int rc = net_recv(c, src, TAG_XFER_HDR, &hdr, &hlen, err);
    if (rc < 0)
        return rc;
    uint64_t want = hlen == 16 ? dtfl_get_u64(hdr) : 0, sum = hlen == 16 ? dtfl_get_u64(hdr + 8) : 0;
    free(hdr);
    if (hlen != 16 || want != (uint64_t)t->bytes)
        return dtfl_err_set(err, DTFL_EPROTOCOL, "transfer %d from server %d to "
                                                 "%d: header of %zu bytes for "
                                                 "%llu payload bytes, expected %lld",
                            i, t->from, t->to, hlen, (unsigned long long)want,
                            (long long)t->bytes);
    /* the payload kept whole for the receiver (the header's length is the
     * one expected, so a sender cannot make it larger) */
    const int keep = io->arrived != NULL;
    uint8_t *all = keep ? malloc((size_t)want + 1) : NULL;
    XXH3_state_t *st = XXH3_createState();
    if (st == NULL || XXH3_64bits_reset(st) != XXH_OK || (keep && all == NULL)) {
        XXH3_freeState(st);
        free(all);
        return dtfl_err_set(err, DTFL_ENOMEM, "transfer: out of memory");
    }
    size_t got = 0, nchunks = xfer__chunks((size_t)want, chunk);
    for (size_t k = 0; k < nchunks && rc == 0; k++) {
        uint8_t *msg = NULL;
        size_t len = 0;
        if ((rc = net_recv(c, src, TAG_XFER_CHUNK, &msg, &len, err)) < 0)
            break;
        if (keep && got <= (size_t)want && len <= (size_t)want - got)
            memcpy(all + got, msg, len);
        got += len;
        XXH3_64bits_update(st, msg, len);
        free(msg);
    }
    uint64_t have = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    if (rc == 0 && (got != (size_t)want || have != sum))
        rc = dtfl_err_set(err, DTFL_EPROTOCOL, "transfer %d from server %d to "
                                               "%d: %zu bytes arrived of %llu, "
                                               "digest %s",
                          i, t->from, t->to, got, (unsigned long long)want,
                          have == sum ? "right" : "wrong");
    if (rc == 0 && keep)
        rc = io->arrived(io->ctx, i, t, all, got, have, err);
    free(all);
    return rc;
}

int net_transfer_run(net_comm *c, const net_migrate_params *p, int servers,
                     const net_transfer *list, int n, const net_transfer_io *io,
                     net_transfer_stats *stats, dtfl_err *err)
{
    static const net_transfer_io none = {NULL, NULL, NULL};
    const int P = net_size(c), me = net_rank(c);
    if (io == NULL)
        io = &none;
    memset(stats, 0, sizeof *stats);
    for (int i = 0; i < n; i++) {
        const net_transfer *t = &list[i];
        if (t->from < NET_CLOUD || t->from >= servers || t->to < NET_CLOUD ||
            t->to >= servers || t->bytes < 0 || t->head_len < 0 ||
            t->head_len > NET_XFER_HEAD || t->head_len > t->bytes)
            return dtfl_err_set(err, DTFL_EINTERNAL, "transfer %d: %lld bytes "
                                                     "(head %d) from server %d to %d of %d",
                                i, (long long)t->bytes, (int)t->head_len, t->from, t->to,
                                servers);
        int cross = xfer__rank(t->from, P) != xfer__rank(t->to, P);
        stats->transfers++;
        stats->bytes += t->bytes;
        stats->cross_rank += cross;
        stats->bytes_wire += cross ? t->bytes : 0;
    }
    xfer_send *sends = calloc((size_t)n + 1, sizeof *sends);
    double *link_free = calloc((size_t)n + 1, sizeof *link_free);
    int rc = sends == NULL || link_free == NULL
                 ? dtfl_err_set(err, DTFL_ENOMEM, "transfer: out of memory") : 0;
    for (int i = 0; i < n && rc == 0; i++) { /* 1: post every send */
        const net_transfer *t = &list[i];
        if (xfer__rank(t->from, P) != me || xfer__rank(t->to, P) == me)
            continue;
        double *link = &link_free[i]; /* the first transfer of its link */
        for (int j = 0; j < i; j++)
            if (list[j].from == t->from && list[j].to == t->to) {
                link = &link_free[j];
                break;
            }
        rc = xfer__send(c, p, P, t, i, io, &sends[i], link, err);
    }
    for (int i = 0; i < n && rc == 0; i++) { /* 2: receive in list order */
        const net_transfer *t = &list[i];
        if (xfer__rank(t->to, P) != me)
            continue;
        if (xfer__rank(t->from, P) != me)
            rc = xfer__recv(c, p, P, t, i, io, err);
        else if (io->arrived != NULL)
            rc = xfer__local(t, i, io, err);
    }
    double busy = 0.0; /* a paced link is busy until its last byte left */
    for (int i = 0; link_free != NULL && i < n; i++)
        busy = link_free[i] > busy ? link_free[i] : busy;
    if (rc == 0 && busy > 0.0)
        net__sleep_until(busy);
    for (int i = 0; sends != NULL && i < n; i++) { /* 3: sends complete */
        xfer_send *s = &sends[i];
        if (s->hreq != NULL && net_wait(c, s->hreq, err) < 0 && rc == 0)
            rc = DTFL_EMPI;
        for (int k = 0; k < s->nreq; k++)
            if (s->reqs[k] != NULL && net_wait(c, s->reqs[k], err) < 0 && rc == 0)
                rc = DTFL_EMPI;
        free(s->payload);
        free(s->reqs);
    }
    free(sends);
    free(link_free);
    return rc;
}
