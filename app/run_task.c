/*
 * run_task.c - tasks and their outcomes in real mode (004's offloading and
 * caching, specs/ecoedgetwin.md section 7): what a user's task is, the
 * bytes of a forwarded task and of an outcome, and the servers' caches of
 * outcome bytes.
 *
 * A task is images of the test set: the same key (a content of the
 * catalogue), the same images, drawn by (seed, TEST, 2^30 + 2^28 + key, 0);
 * without a key, by (seed, TEST, 2^30 + twin, slot) as before. A forwarded
 * task travels as a record (24 bytes: magic "DTTK", twin, slot, key,
 * images, pixels per image; u32 each) followed by the labels and the
 * pixels, built on the picked server's rank; the host's rank checks the
 * record and classifies those bytes. After the tasks ran, an outcome (magic
 * "DTOC", the same fields with pixels 0, then the predicted labels) goes
 * from the processing server's rank to the caching server's, which keeps
 * its bytes and XXH3-64 under (server, key). A hit the model counts is
 * served from those bytes (checked) before any outcome of the slot is
 * kept; after the slot each rank's caches are cut to exactly the model's
 * (a content the model keeps but whose bytes are missing is an error).
 * Everything is keyed by (seed, key), so the bytes are the same on any
 * number of ranks; the caches go into the checkpoints (run_cache_encode).
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>

#define TASK_KEYED 0x50000000u    /* 2^30 + 2^28: a content's images */

/* ---- records ---- */

int run_task_record_parse(const uint8_t *p, size_t len, run_task_record *r)
{
    if (len < RUN_TASK_HEAD)
        return -1;
    uint32_t magic = dtfl_get_u32(p);
    *r = (run_task_record){magic == RUN_TASK_MAGIC, dtfl_get_u32(p + 4), dtfl_get_u32(p + 8),
                           dtfl_get_u32(p + 12), dtfl_get_u32(p + 16),
                           dtfl_get_u32(p + 20), p + RUN_TASK_HEAD, NULL};
    if ((magic != RUN_TASK_MAGIC && magic != RUN_OUTCOME_MAGIC) || r->n > (1u << 24) ||
        r->dim > (1u << 16) || (r->task ? r->dim == 0 : r->dim != 0))
        return -1;
    const uint64_t want = RUN_TASK_HEAD + (uint64_t)r->n * (1u + r->dim);
    if (want != len)
        return -1;
    r->pixels = r->task ? r->labels + r->n : NULL;
    return 0;
}

static void task__head(uint8_t *h, uint32_t magic, int u, int slot, int key, int n, int dim)
{
    dtfl_put_u32(h, magic);
    dtfl_put_u32(h + 4, (uint32_t)u);
    dtfl_put_u32(h + 8, (uint32_t)slot);
    dtfl_put_u32(h + 12, (uint32_t)key);
    dtfl_put_u32(h + 16, (uint32_t)n);
    dtfl_put_u32(h + 20, (uint32_t)dim);
}

void run_task_head(net_transfer *x, const scen_transfer *t, const run_state *s, int slot)
{
    if (!t->task && !t->outcome)
        return;
    const int u = t->twin, n = s->infer[u], dim = t->task ? s->dim : 0;
    x->bytes = RUN_TASK_HEAD + (int64_t)n * (1 + dim);
    task__head(x->head, t->task ? RUN_TASK_MAGIC : RUN_OUTCOME_MAGIC, u, slot, s->infer_key[u], n,
               dim);
    x->head_len = RUN_TASK_HEAD;
}

/* ---- a task's images ---- */

/* The images of key (or of twin u at slot t without one), n of them, into
 * labels and pixels. */
static void task__draw(const run_state *s, int u, int t, int key, int n, uint8_t *y,
                       uint8_t *x)
{
    dtfl_rng r;
    if (key >= 0)
        dtfl_rng_init(&r, (uint64_t)s->cfg->seed, DTFL_STREAM_TEST,
                      TASK_KEYED + (uint32_t)key, 0);
    else
        dtfl_rng_init(&r, (uint64_t)s->cfg->seed, DTFL_STREAM_TEST,
                      0x40000000u + (uint32_t)u, (uint32_t)t);
    for (int i = 0; i < n; i++) {
        const uint32_t j = dtfl_rng_below(&r, (uint32_t)s->test->n);
        memcpy(x + (size_t)i * s->dim, s->test->x + (size_t)j * s->dim, (size_t)s->dim);
        y[i] = s->test->y[j];
    }
}

int run_task_stage(run_state *s, int u, int t, dtfl_err *err)
{
    const int n = s->infer[u];
    if (run__stage_room(s, (size_t)n) < 0)
        return dtfl_err_set(err, DTFL_ENOMEM, "twin %d's task: out of memory", u);
    if (s->task_in[u] == NULL) {
        task__draw(s, u, t, s->infer_key[u], n, s->stage_y, s->stage_x);
        return 0;
    }
    int rc = 0; /* the labels, then the pixels, of the images that came */
    if (s->task_n[u] != n) /* checked on arrival: a bug if not */
        rc = dtfl_err_set(err, DTFL_EINTERNAL, "twin %d's forwarded task: %d images, "
                          "the slot has %d", u, s->task_n[u], n);
    else {
        memcpy(s->stage_y, s->task_in[u], (size_t)n);
        memcpy(s->stage_x, s->task_in[u] + n, (size_t)n * (size_t)s->dim);
    }
    free(s->task_in[u]);
    s->task_in[u] = NULL;
    return rc;
}

int run_task_keep_pred(run_state *s, int u, int n)
{
    uint8_t *p = realloc(s->pred[u], (size_t)n + 1);
    if (p == NULL)
        return DTFL_ENOMEM;
    s->pred[u] = p;
    s->pred_n[u] = n;
    return 0;
}

/* ---- both ends of a task's or an outcome's transfer (run_xfer.c) ---- */

int run_task_fill(void *ctx, int i, const net_transfer *t, uint8_t *p, size_t n,
                  dtfl_err *err)
{
    run_state *s = ctx;
    const uint32_t magic = dtfl_get_u32(t->head);
    (void)n; /* the head's count sized it (run_task_head) */
    const int u = (int)dtfl_get_u32(t->head + 4), cnt = (int)dtfl_get_u32(t->head + 16);
    memcpy(p, t->head, RUN_TASK_HEAD);
    if (magic == RUN_TASK_MAGIC) {
        task__draw(s, u, s->slot_now, (int)dtfl_get_u32(t->head + 12), cnt,
                   p + RUN_TASK_HEAD, p + RUN_TASK_HEAD + cnt);
        return 0;
    }
    if (s->pred[u] == NULL || s->pred_n[u] != cnt) /* pred_n: 0 until it ran */
        return dtfl_err_set(err, DTFL_EINTERNAL, "outcome %d: twin %d's task did not "
                            "run on rank %d this slot", i, u, s->rank);
    memcpy(p + RUN_TASK_HEAD, s->pred[u], (size_t)cnt);
    return 0;
}

/* The record of transfer i as it arrived, checked against what was sent. */
static int task__check(const run_state *s, int i, const net_transfer *t,
                       const uint8_t *p, size_t len, run_task_record *r, dtfl_err *err)
{
    if (run_task_record_parse(p, len, r) < 0 || memcmp(p, t->head, RUN_TASK_HEAD) != 0 ||
        r->twin >= (uint32_t)s->U || (int)r->slot != s->slot_now)
        return dtfl_err_set(err, DTFL_EPROTOCOL, "%s %d from server %d to %d: a record "
                            "of %zu bytes, not what was sent at slot %d",
                            dtfl_get_u32(t->head) == RUN_TASK_MAGIC ? "task" : "outcome",
                            i, t->from, t->to, len, s->slot_now);
    for (uint32_t k = 0; k < r->n; k++)
        if (r->labels[k] >= s->classes)
            return dtfl_err_set(err, DTFL_EPROTOCOL, "transfer %d: label %u of %d classes",
                                i, r->labels[k], s->classes);
    return 0;
}

int run_task_arrived(void *ctx, int i, const net_transfer *t, const uint8_t *p,
                     size_t len, dtfl_err *err)
{
    run_state *s = ctx;
    run_task_record r;
    int rc = task__check(s, i, t, p, len, &r, err);
    if (rc < 0)
        return rc;
    if (!r.task)
        return run_cache_put(s->cache, t->to, (int)r.key, r.labels, r.n, err);
    if (s->twins[r.twin] == NULL)
        return dtfl_err_set(err, DTFL_EPROTOCOL, "task %d: twin %u's task reached rank "
                            "%d, which does not hold it", i, r.twin, s->rank);
    const size_t body = len - RUN_TASK_HEAD; /* labels, then pixels */
    uint8_t *keep = malloc(body + 1);
    if (keep == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "task %d: out of memory", i);
    memcpy(keep, r.labels, body);
    free(s->task_in[r.twin]);
    s->task_in[r.twin] = keep;
    s->task_n[r.twin] = (int)r.n;
    s->task_wire_images += r.n;
    return 0;
}

/* ---- after the tasks ran: hits, outcomes, the caches cut ---- */

/* The hits the model counts, served on the caching servers' ranks from the
 * bytes they keep. */
static int task__serve_hits(run_state *s, int64_t *v, dtfl_err *err)
{
    for (int u = 0; u < s->U; u++) {
        const int k = s->hit_from[u];
        if (k < 0 || net_server_rank(k, s->P) != s->rank)
            continue;
        size_t len = 0;
        int rc = run_cache_get(s->cache, k, s->infer_key[u], &len, err);
        if (rc < 0)
            return dtfl_err_prefix(err, "twin %d's hit", u);
        v[0]++;
        v[1] += (int64_t)len;
    }
    return 0;
}

int run_task_outcomes(run_state *s, int t, run_slot_stats *st, dtfl_err *err)
{
    if (!s->caches)
        return 0;
    /* hits served, their bytes, outcomes kept, forwarded images taken in */
    int64_t v[4] = {0, 0, 0, s->task_wire_images};
    s->task_wire_images = 0;
    net_transfer_stats ts = {0};
    const net_transfer_io io = {run_xfer_fill, run_xfer_arrived, s};
    const int first = s->nxfer - s->nout;
    int rc = task__serve_hits(s, v, err);
    if (rc == 0 && s->nout > 0)
        rc = net_transfer_run(s->comm, &s->mig, s->S, s->xfer + first, s->nout, &io, &ts,
                              err);
    if (rc == 0)
        rc = run_cache_cut(s->cache, s->cached, s->ncached, s->P, s->rank, err);
    v[2] = run_cache_count(s->cache);
    int rc2 = rc < 0 ? rc : net_allreduce_i64(s->comm, v, 4, err);
    if (rc < 0 || rc2 < 0)
        return dtfl_err_prefix(err, "slot %d", t);
    st->hits_served = v[0];
    st->hit_bytes = v[1];
    st->outcomes_kept = v[2];
    st->outcome_wire = ts.bytes_wire;
    st->forwarded_images = v[3];
    return 0;
}
