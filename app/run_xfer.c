/*
 * run_xfer.c - a slot's bytes between servers in real mode: rank 0 takes
 * them from the scenario's effects (with the model's caches after the
 * slot), every rank learns them, and both ends of each transfer are served
 * by kind, read off the record heading its bytes: a status update
 * (run_status.c), a task or an outcome (run_task.c), or plain bytes,
 * which are filler of the transfer's size. Outcomes are kept last in the
 * list: they are sent after the tasks ran.
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>

/* Room for n transfers and c cache pairs. */
static int xfer__room(run_state *s, int n, int c, dtfl_err *err)
{
    if (n > s->xfer_cap) {
        net_transfer *p = realloc(s->xfer, sizeof *p * (size_t)n);
        if (p == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "transfers: out of memory");
        s->xfer = p, s->xfer_cap = n;
    }
    if (c > s->cached_cap) {
        int *p = realloc(s->cached, sizeof(int) * 2 * (size_t)c);
        if (p == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "caches: out of memory");
        s->cached = p, s->cached_cap = c;
    }
    return 0;
}

int run_xfer_take(run_state *s, const scen_effects *fx, dtfl_err *err)
{
    int rc = xfer__room(s, fx->ntransfers, fx->ncached, err);
    if (rc < 0)
        return rc;
    int n = 0;
    s->nout = 0;
    for (int pass = 0; pass < 2; pass++) /* outcomes last: sent after the tasks */
        for (int i = 0; i < fx->ntransfers; i++) {
            const scen_transfer *t = &fx->transfer[i];
            if (t->outcome != pass)
                continue;
            s->xfer[n] = (net_transfer){.from = t->from, .to = t->to, .bytes = t->bytes,
                                        .bytes_per_s = t->bytes_per_s};
            run_status_head(&s->xfer[n], t, s->slot_now);
            run_task_head(&s->xfer[n++], t, s, s->slot_now);
            s->nout += pass;
        }
    s->nxfer = n;
    s->ncached = fx->ncached;
    if (fx->ncached > 0)
        memcpy(s->cached, fx->cached, sizeof(int) * 2 * (size_t)fx->ncached);
    return 0;
}

int run_xfer_share(run_state *s, dtfl_err *err)
{
    int64_t n[3] = {s->nxfer, s->nout, s->ncached}; /* rank 0's */
    int rc = net_bcast(s->comm, n, sizeof n, 0, err);
    if (rc == 0)
        rc = xfer__room(s, (int)n[0], (int)n[2], err);
    if (rc < 0)
        return rc;
    s->nxfer = (int)n[0], s->nout = (int)n[1], s->ncached = (int)n[2];
    if (s->nxfer > 0)
        rc = net_bcast(s->comm, s->xfer, sizeof *s->xfer * (size_t)s->nxfer, 0, err);
    if (rc == 0 && s->ncached > 0)
        rc = net_bcast(s->comm, s->cached, sizeof(int) * 2 * (size_t)s->ncached, 0, err);
    return rc;
}

/* The kind of a transfer: the magic of the record heading it, or 0. */
static uint32_t xfer__kind(const net_transfer *t)
{
    return t->head_len >= 4 ? dtfl_get_u32(t->head) : 0;
}

int run_xfer_fill(void *ctx, int i, const net_transfer *t, uint8_t *p, size_t n,
                  dtfl_err *err)
{
    const uint32_t kind = xfer__kind(t);
    if (kind == RUN_TASK_MAGIC || kind == RUN_OUTCOME_MAGIC)
        return run_task_fill(ctx, i, t, p, n, err);
    net_transfer_filler(p, n, i, t);
    return 0;
}

int run_xfer_arrived(void *ctx, int i, const net_transfer *t, const uint8_t *p,
                     size_t len, uint64_t digest, dtfl_err *err)
{
    const uint32_t kind = xfer__kind(t);
    if (kind == RUN_STATUS_MAGIC)
        return run_status_arrived(ctx, i, t, p, len, digest, err);
    if (kind == RUN_TASK_MAGIC || kind == RUN_OUTCOME_MAGIC)
        return run_task_arrived(ctx, i, t, p, len, err);
    return 0; /* plain bytes */
}
