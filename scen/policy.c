/*
 * policy.c - a scenario's policy, whichever kind it is: a heuristic of the
 * scenario (its ops) or a learned policy (learned.c). Here is what every
 * policy shares: lookup by name among the scenario's policies, the
 * training flag, frame-level agents holding their action between frame
 * starts, and the check of every action against the agents' spaces.
 */
#include "scen_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scen__stateless_save(void *self, uint8_t *buf, size_t *len, dtfl_err *err)
{
    (void)self, (void)buf, (void)err;
    *len = 0;
    return 0;
}

int scen__stateless_load(void *self, const uint8_t *buf, size_t len, dtfl_err *err)
{
    (void)self, (void)buf;
    return len == 0 ? 0 : dtfl_err_set(err, DTFL_EDATA, "policy state: %zu "
                                       "bytes, expected none", len);
}

struct scen_policy {
    const scen_policy_ops *ops;
    void *self;              /* a heuristic's state */
    scen__learned *learned;  /* or the learners */
    const scen_info *info;
    int training;
    int *held;               /* (discrete size) the frame's actions */
    double *held_box;        /* (box size) */
};

/* "a, b, c": the names of a scenario's policies. */
static void policy__names(const scen_ops *s, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; s->policies[i] != NULL && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                                 s->policies[i]->name);
}

int scen_policy_create(scen_policy **out, scen *sc, const char *name,
                       dtfl_err *err)
{
    *out = NULL;
    const scen_ops *s = scen_ops_of(sc);
    const scen_policy_ops *ops = scen_policy_find(s, name);
    if (ops == NULL) {
        char names[256];
        policy__names(s, names, sizeof names);
        return dtfl_err_set(err, DTFL_ECONFIG, "scenario %s has no policy "
                                               "'%s' (its policies: %s)",
                            s->name, name, names);
    }
    const scen_info *in = scen_info_of(sc);
    int nd, nb;
    scen_action_size(in, &nd, &nb);
    scen_policy *p = calloc(1, sizeof *p);
    if (p == NULL || (p->held = calloc((size_t)nd + 1, sizeof(int))) == NULL ||
        (p->held_box = calloc((size_t)nb + 1, sizeof(double))) == NULL) {
        scen_policy_destroy(p);
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    }
    p->ops = ops;
    p->info = in;
    if (s->twinless != NULL)
        s->twinless(scen_self(sc), (ops->flags & SCEN_POLICY_TWINLESS) != 0);
    scen_policy_setup ps = {s, scen_self(sc), in, scen_setup_of(sc)};
    int rc = ops->learner != NULL
                 ? scen__learned_create(&p->learned, ops->learner, &ps, ops->flags, err)
                 : ops->create(&p->self, &ps, err);
    if (rc < 0) {
        scen_policy_destroy(p);
        return rc;
    }
    *out = p;
    return 0;
}

void scen_policy_destroy(scen_policy *p)
{
    if (p == NULL)
        return;
    if (p->learned != NULL)
        scen__learned_destroy(p->learned);
    else if (p->ops != NULL && p->ops->learner == NULL)
        p->ops->destroy(p->self); /* accepts NULL: a state-free heuristic */
    free(p->held);
    free(p->held_box);
    free(p);
}

const char *scen_policy_name(const scen_policy *p) { return p->ops->name; }

/* Frame-level agents: the frame start's action is kept for the frame. */
static void policy__hold(scen_policy *p, const scen_obs *o, scen_action *a)
{
    const scen_info *in = p->info;
    for (int k = 0; k < in->agents; k++) {
        const scen_agent *ag = &in->agent[k];
        if (ag->level != SCEN_FRAME)
            continue;
        int off, boff;
        scen_action_offsets(in, k, &off, &boff);
        size_t nd = sizeof(int) * (size_t)ag->blocks;
        size_t nb = sizeof(double) * (size_t)ag->box;
        if (o->frame_start) {
            memcpy(p->held + off, a->discrete + off, nd);
            memcpy(p->held_box + boff, a->box + boff, nb);
        } else {
            memcpy(a->discrete + off, p->held + off, nd);
            memcpy(a->box + boff, p->held_box + boff, nb);
        }
    }
}

/* Every choice in range, every box value finite and within its bounds. */
static int policy__check(const scen_policy *p, const scen_action *a,
                         dtfl_err *err)
{
    const scen_info *in = p->info;
    for (int k = 0; k < in->agents; k++) {
        const scen_agent *ag = &in->agent[k];
        int off, boff;
        scen_action_offsets(in, k, &off, &boff);
        for (int b = 0; b < ag->blocks; b++) {
            int c = a->discrete[off + b];
            if (c < 0 || c >= ag->choices)
                return dtfl_err_set(err, DTFL_EINTERNAL,
                                    "policy %s: agent %s chose %d of %d in "
                                    "block %d",
                                    p->ops->name, ag->name, c, ag->choices, b);
        }
        for (int b = 0; b < ag->box; b++) {
            double v = a->box[boff + b];
            if (!(v >= ag->lo && v <= ag->hi))
                return dtfl_err_set(err, DTFL_EINTERNAL,
                                    "policy %s: agent %s gave %g outside "
                                    "[%g, %g] in dimension %d",
                                    p->ops->name, ag->name, v, ag->lo, ag->hi,
                                    b);
        }
    }
    return 0;
}

int scen_policy_decide(scen_policy *p, const scen_obs *o, scen_action *a,
                       dtfl_err *err)
{
    int rc = p->learned != NULL ? scen__learned_decide(p->learned, o, a, err)
                                : p->ops->decide(p->self, o, a, err);
    if (rc < 0)
        return rc;
    policy__hold(p, o, a);
    return policy__check(p, a, err);
}

int scen_policy_learns(const scen_policy *p) { return p->learned != NULL; }

int scen_policy_marl_counters(const scen_policy *p, sched_marl_counters *c)
{
    const scen__marl *m = p->learned != NULL ? scen__learned_marl(p->learned) : NULL;
    if (m == NULL)
        return -1;
    sched_marl_counters_of(scen__marl_learner(m), c);
    return 0;
}

void scen_policy_set_training(scen_policy *p, int training)
{
    p->training = training;
    if (p->learned != NULL)
        scen__learned_set_training(p->learned, training);
}

int scen_policy_feedback(scen_policy *p, const double *reward, int frame_end,
                         int done, dtfl_err *err)
{
    if (p->learned == NULL || !p->training)
        return 0;
    return scen__learned_feedback(p->learned, reward, frame_end, done, err);
}

int scen_policy_save(scen_policy *p, uint8_t *buf, size_t *len, dtfl_err *err)
{
    if (p->learned != NULL)
        return scen__learned_save(p->learned, buf, len, err);
    return p->ops->save(p->self, buf, len, err);
}

int scen_policy_load(scen_policy *p, const uint8_t *buf, size_t len,
                     dtfl_err *err)
{
    if (p->learned != NULL)
        return scen__learned_load(p->learned, buf, len, err);
    return p->ops->load(p->self, buf, len, err);
}

void scen_policy_held(scen_policy *p, int **discrete, double **box)
{
    *discrete = p->held;
    *box = p->held_box;
}
