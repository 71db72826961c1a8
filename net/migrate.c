/*
 * migrate.c - moving twins between edge servers on different ranks.
 *
 * Every rank holds the same list of moves. In order:
 *   1. each rank frames and sends the twins it gives away (non-blocking):
 *      an envelope with the number of frame messages, then the frames,
 *      paced per (from, to) server link when a backhaul rate is set (the
 *      envelope is the protocol's own and is never damaged by the fault
 *      hook, so a receiver always knows how many messages to drain);
 *   2. each rank receives the twins it gets, checks and decodes them, and
 *      acknowledges each (0, or an error and its message);
 *   3. senders wait for their sends, then read the acknowledgements: a twin
 *      is freed at the source only after a positive one; a rejected twin
 *      stays where it was;
 *   4. the failure flags and byte counts are summed over ranks, so every
 *      rank knows which moves did not happen.
 * No rank blocks on a receive before it has posted all its sends, so the
 * exchange cannot deadlock whatever the pattern of moves.
 *
 * Pacing: a link is a virtual clock. A chunk leaves at max(now, the time its
 * link is free) and keeps the link busy for its bytes / rate; compressing
 * the next chunk happens while the link is "busy", so compression overlaps
 * the emulated transfer.
 */
#include "comm_int.h"

#include <stdlib.h>
#include <string.h>

#define TAG_BASE 100

static int tag_hdr(int u) { return TAG_BASE + 3 * u; }
static int tag_chunk(int u) { return TAG_BASE + 3 * u + 1; }
static int tag_ack(int u) { return TAG_BASE + 3 * u + 2; }

/* State of one call. */
typedef struct migrate_run {
    net_comm *c;
    const net_migrate_params *p;
    const net_move *moves;
    int nmoves, P, me;
    net_frames *out;      /* (nmoves,) frames this rank sends */
    net_req ***reqs;      /* (nmoves,) per move, one request per message */
    net_req **acks;       /* (nmoves,) acknowledgement sends */
    net_req **env_reqs;   /* (nmoves,) envelope sends */
    uint8_t (*envelope)[4]; /* (nmoves,) message counts being sent */
    double *link_free;    /* (nmoves,) virtual clock of the move's link */
    int64_t *failed;      /* (nmoves,) 1 = rejected */
    int64_t counts[5];    /* moves, cross, failed, raw, wire (this rank) */
    net_codec_memo memo;  /* `auto` decisions, shared by this call's twins */
} migrate_run;

static int migrate__src(const migrate_run *m, int i)
{
    return net_server_rank(m->moves[i].from, m->P);
}

static int migrate__dst(const migrate_run *m, int i)
{
    return net_server_rank(m->moves[i].to, m->P);
}

/* The virtual clock shared by every move over the same server pair. */
static double *migrate__link(migrate_run *m, int i)
{
    for (int k = 0; k < i; k++)
        if (m->moves[k].from == m->moves[i].from &&
            m->moves[k].to == m->moves[i].to)
            return &m->link_free[k];
    return &m->link_free[i];
}

static int migrate__send(migrate_run *m, int i, twin_dt **twins, dtfl_err *err)
{
    const net_move *mv = &m->moves[i];
    if (twins[mv->user] == NULL)
        return dtfl_err_set(err, DTFL_EINTERNAL,
                            "rank %d should hold twin %d on server %d", m->me,
                            mv->user, mv->from);
    net_framer *fr = NULL;
    int rc = net_framer_create(&fr, twins[mv->user], mv, m->p, &m->memo, err);
    if (rc < 0)
        return rc;
    net_frames *f = &m->out[i];
    int n = net_framer_count(fr);
    f->msg = calloc((size_t)n, sizeof *f->msg);
    f->len = calloc((size_t)n, sizeof *f->len);
    m->reqs[i] = calloc((size_t)n, sizeof(net_req *));
    if (f->msg == NULL || f->len == NULL || m->reqs[i] == NULL) {
        net_framer_destroy(fr);
        return dtfl_err_set(err, DTFL_ENOMEM, "migration: out of memory");
    }
    f->raw_bytes = net_framer_raw_bytes(fr);
    double *link = migrate__link(m, i);
    int dst = migrate__dst(m, i);
    /* the envelope: how many frame messages follow */
    dtfl_put_u32(m->envelope[i], (uint32_t)n);
    rc = net_isend(m->c, dst, tag_hdr(mv->user), m->envelope[i], 4,
                   &m->env_reqs[i], err);
    /* frame k is made while frame k - 1 still occupies the link */
    for (int k = 0; k < n && rc == 0; k++) {
        rc = net_framer_next(fr, &f->msg[k], &f->len[k], err);
        if (rc < 0)
            break;
        f->n = k + 1;
        f->wire_bytes += (int64_t)f->len[k];
        if (m->p->link_bytes_per_s > 0) {
            double go = dtfl_now() > *link ? dtfl_now() : *link;
            net__sleep_until(go);
            *link = go + (double)f->len[k] / m->p->link_bytes_per_s;
        }
        rc = net_isend(m->c, dst, tag_chunk(mv->user), f->msg[k], f->len[k],
                       &m->reqs[i][k], err);
    }
    net_framer_destroy(fr);
    m->counts[3] += f->raw_bytes;
    m->counts[4] += f->wire_bytes;
    return rc;
}

/* Receives, checks and acknowledges one twin. A twin that fails its checks
 * is an outcome (a negative acknowledgement), not an error of the call. */
static int migrate__receive(migrate_run *m, int i, twin_dt **twins,
                            char *first_error, size_t cap, dtfl_err *err)
{
    const net_move *mv = &m->moves[i];
    int src = migrate__src(m, i);
    uint8_t *env = NULL;
    size_t elen = 0;
    int rc = net_recv(m->c, src, tag_hdr(mv->user), &env, &elen, err);
    if (rc < 0)
        return rc;
    uint32_t n32 = elen == 4 ? dtfl_get_u32(env) : 0;
    free(env);
    if (n32 == 0 || n32 > (1u << 24))
        return dtfl_err_set(err, DTFL_EINTERNAL,
                            "twin %d: envelope of %zu bytes announces %u "
                            "messages",
                            mv->user, elen, n32);
    int n = (int)n32;
    uint8_t **msg = calloc((size_t)n, sizeof *msg);
    size_t *len = calloc((size_t)n, sizeof *len);
    if (msg == NULL || len == NULL) {
        free(msg);
        free(len);
        return dtfl_err_set(err, DTFL_ENOMEM, "migration: out of memory");
    }
    for (int k = 0; k < n && rc == 0; k++)
        rc = net_recv(m->c, src, tag_chunk(mv->user), &msg[k], &len[k], err);
    dtfl_err why = {0};
    twin_dt *dt = NULL;
    int status = rc == 0 ? net_frames_open(msg, len, n, mv, m->p, &dt, &why) : rc;
    for (int k = 0; k < n; k++)
        free(msg[k]);
    free(msg);
    free(len);
    if (rc < 0)
        return rc;
    /* acknowledgement: i32 status, then the message */
    uint8_t ack[4 + DTFL_ERR_MSG_MAX];
    dtfl_put_u32(ack, (uint32_t)status);
    size_t mlen = status == 0 ? 0 : strlen(why.msg);
    memcpy(ack + 4, why.msg, mlen);
    if (status == 0) {
        twin_dt_destroy(twins[mv->user]); /* nothing should be there */
        twins[mv->user] = dt;
    } else {
        m->failed[i] = 1;
        if (first_error != NULL && first_error[0] == '\0')
            snprintf(first_error, cap, "%s", why.msg);
    }
    return net_isend(m->c, src, tag_ack(mv->user), ack, 4 + mlen, &m->acks[i], err);
}

/* Waits for this rank's sends and reads their acknowledgements. */
static int migrate__settle(migrate_run *m, int i, twin_dt **twins,
                           char *first_error, size_t cap, dtfl_err *err)
{
    const net_move *mv = &m->moves[i];
    int rc = 0;
    for (int k = 0; k < m->out[i].n; k++)
        if (m->reqs[i][k] != NULL) {
            int r = net_wait(m->c, m->reqs[i][k], err);
            m->reqs[i][k] = NULL;
            rc = rc < 0 ? rc : r;
        }
    if (m->env_reqs[i] != NULL) {
        int r = net_wait(m->c, m->env_reqs[i], err);
        m->env_reqs[i] = NULL;
        rc = rc < 0 ? rc : r;
    }
    if (rc < 0)
        return rc;
    uint8_t *ack = NULL;
    size_t alen = 0;
    rc = net_recv(m->c, migrate__dst(m, i), tag_ack(mv->user), &ack, &alen, err);
    if (rc < 0)
        return rc;
    int32_t status = alen >= 4 ? (int32_t)dtfl_get_u32(ack) : DTFL_ECORRUPT;
    if (status == 0) {
        twin_dt_destroy(twins[mv->user]); /* acknowledged: now it may go */
        twins[mv->user] = NULL;
    } else if (first_error != NULL && first_error[0] == '\0') {
        snprintf(first_error, cap, "%.*s", (int)(alen > 4 ? alen - 4 : 0),
                 (const char *)ack + 4);
    }
    free(ack);
    return 0;
}

static void migrate__free(migrate_run *m)
{
    for (int i = 0; i < m->nmoves; i++) {
        if (m->reqs != NULL && m->reqs[i] != NULL) {
            for (int k = 0; k < m->out[i].n; k++)
                if (m->reqs[i][k] != NULL)
                    net_wait(m->c, m->reqs[i][k], NULL);
            free(m->reqs[i]);
        }
        if (m->acks != NULL && m->acks[i] != NULL)
            net_wait(m->c, m->acks[i], NULL);
        if (m->env_reqs != NULL && m->env_reqs[i] != NULL)
            net_wait(m->c, m->env_reqs[i], NULL);
        if (m->out != NULL)
            net_frames_free(&m->out[i]);
    }
    free(m->out);
    free(m->reqs);
    free(m->acks);
    free(m->env_reqs);
    free(m->envelope);
    free(m->link_free);
    free(m->failed);
}

int net_migrate(net_comm *c, const net_migrate_params *p, int servers,
                const net_move *moves, int nmoves, twin_dt **twins,
                int *failed, net_migrate_stats *stats, char *first_error,
                size_t error_cap, dtfl_err *err)
{
    (void)servers;
    memset(stats, 0, sizeof *stats);
    if (first_error != NULL && error_cap > 0)
        first_error[0] = '\0';
    migrate_run m;
    memset(&m, 0, sizeof m);
    m.c = c;
    m.p = p;
    m.moves = moves;
    m.nmoves = nmoves;
    m.P = net_size(c);
    m.me = net_rank(c);
    int rc = 0;
    int n = nmoves > 0 ? nmoves : 1;
    m.out = calloc((size_t)n, sizeof *m.out);
    m.reqs = calloc((size_t)n, sizeof *m.reqs);
    m.acks = calloc((size_t)n, sizeof *m.acks);
    m.env_reqs = calloc((size_t)n, sizeof *m.env_reqs);
    m.envelope = calloc((size_t)n, sizeof *m.envelope);
    m.link_free = calloc((size_t)n, sizeof *m.link_free);
    m.failed = calloc((size_t)n, sizeof *m.failed);
    if (m.out == NULL || m.reqs == NULL || m.acks == NULL ||
        m.env_reqs == NULL || m.envelope == NULL || m.link_free == NULL ||
        m.failed == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "migration: out of memory");
        goto done;
    }
    for (int i = 0; i < nmoves; i++)
        if (tag_ack(moves[i].user) > net_tag_max(c)) {
            rc = dtfl_err_set(err, DTFL_ERANGE,
                              "user %d needs MPI tag %d, above this MPI's %d",
                              moves[i].user, tag_ack(moves[i].user),
                              net_tag_max(c));
            goto done;
        }
    for (int i = 0; i < nmoves && rc == 0; i++) {
        if (m.me == 0)
            m.counts[0]++;
        if (migrate__src(&m, i) == m.me && migrate__dst(&m, i) != m.me) {
            m.counts[1]++;
            rc = migrate__send(&m, i, twins, err);
        }
    }
    for (int i = 0; i < nmoves && rc == 0; i++)
        if (migrate__dst(&m, i) == m.me && migrate__src(&m, i) != m.me)
            rc = migrate__receive(&m, i, twins, first_error, error_cap, err);
    for (int i = 0; i < nmoves && rc == 0; i++)
        if (migrate__src(&m, i) == m.me && migrate__dst(&m, i) != m.me)
            rc = migrate__settle(&m, i, twins, first_error, error_cap, err);
    /* everyone learns which moves failed, and the totals */
    int64_t local_rc = rc < 0;
    int rc2 = net_allreduce_i64(c, &local_rc, 1, err);
    if (rc == 0 && rc2 < 0)
        rc = rc2;
    if (rc == 0 && local_rc > 0)
        rc = dtfl_err_set(err, DTFL_EMPI, "migration failed on another rank");
    if (rc < 0)
        goto done;
    if ((rc = net_allreduce_i64(c, m.failed, nmoves, err)) < 0)
        goto done;
    for (int i = 0; i < nmoves; i++) {
        failed[i] = m.failed[i] > 0;
        m.counts[2] += m.me == 0 ? failed[i] : 0;
    }
    if ((rc = net_allreduce_i64(c, m.counts, 5, err)) < 0)
        goto done;
    *stats = (net_migrate_stats){m.counts[0], m.counts[1], m.counts[2],
                                 m.counts[3], m.counts[4]};
done:
    migrate__free(&m);
    return rc;
}
