/*
 * run_status.c - twins' status updates in real mode (002's synchronisation,
 * spec section 7 of specs/happo.md): a scenario names a transfer a status
 * update of a twin (scen_transfer.status); the driver heads its bytes with
 * a 48-byte record (magic "DTST", twin u32, slot i64, 4 values f64), the
 * serving server's rank sends it to the host's rank (within a rank nothing
 * moves), and the host, on arrival, checks the record against the transfer
 * and that it holds the twin, then writes it to the twin's STATUS section
 * (twin_status, with the payload's length and XXH3-64). A modelled failure
 * sends nothing. After the slot's transfers every rank adds up, per twin,
 * the slots since its last applied status (the staleness the model must
 * agree with) and the count applied.
 */
#include "run.h"

#include <string.h>

#define STATUS_LEN 48

void run_status_head(net_transfer *x, const scen_transfer *t, int slot)
{
    if (!t->status) {
        x->head_len = 0;
        return;
    }
    if (x->bytes < STATUS_LEN) /* the record always travels whole */
        x->bytes = STATUS_LEN;
    dtfl_put_u32(x->head, RUN_STATUS_MAGIC);
    dtfl_put_u32(x->head + 4, (uint32_t)t->twin);
    dtfl_put_u64(x->head + 8, (uint64_t)(int64_t)slot);
    for (int i = 0; i < 4; i++)
        dtfl_put_f64(x->head + 16 + 8 * i, t->value[i]);
    x->head_len = STATUS_LEN;
}

int run_status_arrived(void *ctx, int i, const net_transfer *t, const uint8_t *head,
                       size_t head_len, uint64_t digest, dtfl_err *err)
{
    run_state *s = ctx;
    const uint32_t u = head_len >= STATUS_LEN ? dtfl_get_u32(head + 4) : UINT32_MAX;
    const int64_t slot = head_len >= STATUS_LEN ? (int64_t)dtfl_get_u64(head + 8) : -1;
    if (head_len < STATUS_LEN || memcmp(head, t->head, STATUS_LEN) != 0 ||
        u >= (uint32_t)s->U || slot != s->slot_now)
        return dtfl_err_set(err, DTFL_EPROTOCOL, "status %d from server %d to %d: "
                            "a record of %zu bytes for twin %u at slot %lld, not "
                            "what was sent at slot %d", i, t->from, t->to, head_len,
                            u, (long long)slot, s->slot_now);
    if (s->twins[u] == NULL)
        return dtfl_err_set(err, DTFL_EPROTOCOL, "status %d: twin %u's update reached "
                            "rank %d, which does not hold it", i, u, s->rank);
    twin_status st = {slot, t->from, t->bytes, digest, {0}};
    for (int k = 0; k < 4; k++)
        st.value[k] = dtfl_get_f64(head + 16 + 8 * k);
    twin_dt_set_status(s->twins[u], &st);
    s->applied++;
    return 0;
}

int run_status_gather(run_state *s, int t, dtfl_err *err)
{
    if (!s->status)
        return 0;
    int64_t *v = s->stale;
    memset(v, 0, sizeof(int64_t) * ((size_t)s->U + 1));
    for (int u = 0; u < s->U; u++) /* each twin lives on one rank */
        if (s->twins[u] != NULL)
            v[u] = twin_dt_staleness(s->twins[u], t);
    v[s->U] = s->applied;
    s->applied = 0;
    return net_allreduce_i64(s->comm, v, s->U + 1, err);
}
