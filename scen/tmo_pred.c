/*
 * tmo_pred.c - where the TMO controller believes the PTs are (Sec. 4.3.1):
 * between status uploads it knows only the last status of each PT
 * (position and velocity) and predicts the rest.
 *
 *   last    the last uploaded position
 *   cv      constant velocity from the last status, kept in the world
 *   oracle  the true position (an ablation: perfect prediction)
 *   gru     the paper's 2-layer GRU (sched_seq) run autoregressively: at an
 *           upload its input is the true status, in between its own last
 *           output (G6); one hidden state per PT, kept across slots
 *
 * The GRU's features are (x, y, v_x, v_y), normalised by the predictor
 * file's own offsets and scales (dtfl predict-train writes them). Its
 * estimate for slot t is the output of the step it took at slot t - 1 (or
 * the status itself at an upload), as the spec's loop of 4.1 has it.
 */
#include "tmo_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tmo_pred {
    scen_tmo_pred_kind kind;
    int I;
    sched_seq *seq;          /* the GRU (kind gru) */
    size_t state_len;        /* floats of one PT's hidden state */
    float *state;            /* (I x state_len) */
    double *next;            /* (I x 4) the GRU's estimate of the next slot */
    double *in;              /* (I x 4) scratch */
    int have_next;           /* next holds an estimate */
};

void tmo_pred_destroy(tmo_pred *p)
{
    if (p == NULL)
        return;
    sched_seq_destroy(p->seq);
    free(p->state);
    free(p->next);
    free(p);
}

/* The GRU of a predictor file: 4 features in and out. */
static int tmo__pred_gru(tmo_pred *p, const char *file, dtfl_err *err)
{
    if (file == NULL || file[0] == '\0')
        return dtfl_err_set(err, DTFL_ECONFIG, "tmo.predictor: gru needs "
                                               "tmo.predictor_file (made by dtfl "
                                               "predict-train)");
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = dtfl_file_read_all(file, (size_t)1 << 28, &buf, &len, err);
    if (rc == 0)
        rc = sched_seq_load_new(&p->seq, buf, len, p->I, err);
    free(buf);
    if (rc == 0 && sched_seq_features(p->seq) != 4)
        rc = dtfl_err_set(err, DTFL_EDATA, "a predictor of %d features, "
                                           "tmo's have 4 (x, y, vx, vy)",
                          sched_seq_features(p->seq));
    if (rc < 0) {
        dtfl_err_prefix(err, "%s", file);
        return rc;
    }
    p->state_len = sched_seq_state_len(p->seq);
    p->state = calloc((size_t)p->I * p->state_len + 1, sizeof(float));
    p->next = calloc(8 * (size_t)p->I + 1, sizeof(double));
    if (p->state == NULL || p->next == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "predictor: out of memory");
    p->in = p->next + 4 * (size_t)p->I;
    return 0;
}

int tmo_pred_create(tmo_pred **out, scen_tmo_pred_kind kind, const char *file,
                    int I, dtfl_err *err)
{
    *out = NULL;
    tmo_pred *p = calloc(1, sizeof *p);
    if (p == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "predictor: out of memory");
    p->kind = kind;
    p->I = I;
    int rc = kind == SCEN_TMO_PRED_GRU ? tmo__pred_gru(p, file, err) : 0;
    if (rc < 0) {
        tmo_pred_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

static double tmo__clamp(double v, double hi)
{
    return v < 0.0 ? 0.0 : v > hi ? hi : v;
}

/* One GRU step for every PT: at an upload from the status, else from its
 * own last estimate (G6). */
static void tmo__pred_step(tmo_pred *p, const scen_tmo_obs *o)
{
    for (int i = 0; i < o->I; i++) {
        const scen_tmo_status *s = &o->status[i];
        double *x = p->in + 4 * (size_t)i;
        if (o->status_slot[i] == o->slot || !p->have_next)
            x[0] = s->x, x[1] = s->y, x[2] = s->vx, x[3] = s->vy;
        else
            memcpy(x, p->next + 4 * (size_t)i, 4 * sizeof(double));
    }
    sched_seq_step(p->seq, o->I, p->in, p->state, p->next);
    p->have_next = 1;
}

void tmo_pred_positions(tmo_pred *p, const scen_tmo_obs *o, double *x,
                        double *y)
{
    if (p->kind == SCEN_TMO_PRED_GRU) { /* what the last step estimated */
        for (int i = 0; i < o->I; i++) {
            const int fresh = o->status_slot[i] == o->slot || !p->have_next;
            x[i] = fresh ? o->status[i].x : p->next[4 * (size_t)i];
            y[i] = fresh ? o->status[i].y : p->next[4 * (size_t)i + 1];
        }
        tmo__pred_step(p, o);
    }
    for (int i = 0; i < o->I; i++) {
        const scen_tmo_status *s = &o->status[i];
        const double age = (o->slot - o->status_slot[i]) * o->slot_s;
        switch (p->kind) {
        case SCEN_TMO_PRED_LAST:
            x[i] = s->x, y[i] = s->y;
            break;
        case SCEN_TMO_PRED_CV:
            x[i] = s->x + s->vx * age, y[i] = s->y + s->vy * age;
            break;
        case SCEN_TMO_PRED_ORACLE:
            x[i] = o->truth[i].x, y[i] = o->truth[i].y;
            break;
        case SCEN_TMO_PRED_GRU:
            break;
        }
        if (!isfinite(x[i]) || !isfinite(y[i])) /* a GRU gone astray */
            x[i] = s->x, y[i] = s->y;
        x[i] = tmo__clamp(x[i], o->width);
        y[i] = tmo__clamp(y[i], o->height);
    }
}

/* State: u32 have_next, then (gru) the hidden states as floats and the
 * estimates as doubles. */
int tmo_pred_save(const tmo_pred *p, uint8_t *buf, size_t *len, dtfl_err *err)
{
    const size_t I = (size_t)p->I, ns = I * p->state_len;
    const size_t need = 4 + (p->seq != NULL ? 4 * ns + 32 * I : 0);
    if (buf != NULL) {
        if (*len < need)
            return dtfl_err_set(err, DTFL_ERANGE, "predictor state: buffer");
        dtfl_put_u32(buf, (uint32_t)p->have_next);
        for (size_t k = 0; p->seq != NULL && k < ns; k++)
            dtfl_put_f32(buf + 4 + 4 * k, p->state[k]);
        for (size_t k = 0; p->seq != NULL && k < 4 * I; k++)
            dtfl_put_f64(buf + 4 + 4 * ns + 8 * k, p->next[k]);
    }
    *len = need;
    return 0;
}

int tmo_pred_load(tmo_pred *p, const uint8_t *buf, size_t len, dtfl_err *err)
{
    size_t need = 0;
    tmo_pred_save(p, NULL, &need, err);
    const size_t I = (size_t)p->I, ns = I * p->state_len;
    if (len != need || dtfl_get_u32(buf) > 1)
        return dtfl_err_set(err, DTFL_EDATA, "predictor state: %zu bytes, "
                                             "expected %zu", len, need);
    for (size_t k = 0; p->seq != NULL && k < ns; k++) {
        const float v = dtfl_get_f32(buf + 4 + 4 * k);
        if (!(v >= -1.0f && v <= 1.0f)) /* GRU states live in [-1, 1] */
            return dtfl_err_set(err, DTFL_EDATA, "predictor state: %g", v);
    }
    for (size_t k = 0; p->seq != NULL && k < 4 * I; k++)
        if (!isfinite(dtfl_get_f64(buf + 4 + 4 * ns + 8 * k)))
            return dtfl_err_set(err, DTFL_EDATA, "predictor state: an estimate "
                                                 "is not finite");
    for (size_t k = 0; p->seq != NULL && k < ns; k++) /* checked: kept */
        p->state[k] = dtfl_get_f32(buf + 4 + 4 * k);
    for (size_t k = 0; p->seq != NULL && k < 4 * I; k++)
        p->next[k] = dtfl_get_f64(buf + 4 + 4 * ns + 8 * k);
    p->have_next = (int)dtfl_get_u32(buf);
    return 0;
}
