/*
 * taco_state.c - what the TACO scenario (taco.c) tells a training summary,
 * and its checkpoint state: the slot, the placement in force and what is
 * left of its charge, last slot's decision, and the queues. A state loads
 * into an instance of the same size only, every value checked.
 */
#include "taco_int.h"

#include <stdio.h>
#include <string.h>

int taco__describe(void *self, const char **key, const char **text,
                          double *num, int cap)
{
    static const char *shares[2] = {"cap", "inherit"};
    static const char *starts[2] = {"greedy", "inherit"};
    taco *y = self;
    if (cap < 6)
        return 0;
    key[0] = "users", text[0] = NULL, num[0] = y->I;
    key[1] = "servers", text[1] = NULL, num[1] = y->M;
    key[2] = "frame_slots", text[2] = NULL, num[2] = y->K;
    key[3] = "v", text[3] = NULL, num[3] = y->cfg.model.V;
    key[4] = "p4_shares", text[4] = shares[y->cfg.engine.shares];
    key[5] = "frame_start", text[5] = starts[y->cfg.engine.start];
    return 6;
}

/* State: u32 slot done, u32 charge left, u32 slot of the placement, I u32
 * access, I u32 z, then
 * doubles (x, y, b, f, charge_t, charge_e, r1: 7 I), u32 length and the
 * queues. */
int taco__save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    taco *y = self;
    const size_t I = (size_t)y->I;
    size_t ql = 0;
    int rc = sched_lyap_save(y->queues, NULL, &ql, err);
    size_t need = 12 + 8 * I + 56 * I + 4 + ql;
    if (rc < 0 || buf == NULL) {
        *len = need;
        return rc;
    }
    if (*len < need)
        return dtfl_err_set(err, DTFL_ERANGE, "scenario state: buffer");
    dtfl_put_u32(buf, (uint32_t)y->t);
    dtfl_put_u32(buf + 4, (uint32_t)y->charge_left);
    dtfl_put_u32(buf + 8, (uint32_t)y->place_t);
    uint8_t *p = buf + 12;
    for (size_t i = 0; i < I; i++, p += 8) {
        dtfl_put_u32(p, (uint32_t)y->last.d.access[i]);
        dtfl_put_u32(p + 4, (uint32_t)y->last.d.z[i]);
    }
    const double *cols[7] = {y->last.d.x, y->last.d.y, y->last.d.b, y->last.d.f,
                             y->charge_t, y->charge_e, y->r1};
    for (int c = 0; c < 7; c++)
        for (size_t i = 0; i < I; i++, p += 8) {
            uint64_t u;
            memcpy(&u, &cols[c][i], 8);
            dtfl_put_u64(p, u);
        }
    dtfl_put_u32(p, (uint32_t)ql);
    *len = need;
    return sched_lyap_save(y->queues, p + 4, &ql, err);
}

int taco__load(void *self, const uint8_t *buf, size_t len, dtfl_err *err)
{
    taco *y = self;
    const size_t I = (size_t)y->I, head = 12 + 64 * I + 4;
    if (len < head || len - head != dtfl_get_u32(buf + head - 4))
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: %zu bytes for %d "
                                             "PTs", len, y->I);
    uint32_t t = dtfl_get_u32(buf), left = dtfl_get_u32(buf + 4);
    uint32_t placed = dtfl_get_u32(buf + 8);
    if (t == 0 || t > (uint32_t)y->T || left > (uint32_t)y->K || placed >= t)
        return dtfl_err_set(err, DTFL_EDATA, "scenario state: slot %u of %d, "
                                             "charge %u", t, y->T, left);
    int rc = taco__reset(y, -1, err);
    for (uint32_t k = 1; rc == 0 && k < t; k++) /* the world at slot t - 1 */
        twin_world_step(y->world, (int)k);
    const uint8_t *p = buf + 12;
    for (size_t i = 0; rc == 0 && i < I; i++, p += 8) {
        const uint32_t m = dtfl_get_u32(p), z = dtfl_get_u32(p + 4);
        if (m >= (uint32_t)y->M || z > 1)
            rc = dtfl_err_set(err, DTFL_EDATA, "scenario state: PT %zu on ES "
                                               "%u, z %u", i, m, z);
        y->last.d.access[i] = (int)m, y->last.d.z[i] = (int)z;
    }
    double *cols[7] = {y->last.d.x, y->last.d.y, y->last.d.b, y->last.d.f,
                       y->charge_t, y->charge_e, y->r1};
    /* shares in [0, 1], those of an offloading PT's band and CPU at least
     * TACO_SHARE_MIN; delays and energies finite and at most TACO_STATE_MAX */
    for (int c = 0; rc == 0 && c < 7; c++)
        for (size_t i = 0; i < I; i++, p += 8) {
            uint64_t u = dtfl_get_u64(p);
            memcpy(&cols[c][i], &u, 8);
            const double v = cols[c][i];
            const double lo = (c == 2 || c == 3) && y->last.d.z[i] ? TACO_SHARE_MIN : 0.0;
            if (!(v >= lo) || v > (c < 4 ? 1.0 : TACO_STATE_MAX))
                rc = dtfl_err_set(err, DTFL_EDATA, "scenario state: value %g "
                                                   "out of range", v);
        }
    if (rc == 0)
        rc = sched_lyap_load(y->queues, buf + head, len - head, err);
    y->t = (int)t;
    y->charge_left = (int)left;
    y->place_t = (int)placed;
    return rc;
}

