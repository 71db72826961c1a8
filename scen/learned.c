/*
 * learned.c - the learned policy of any scenario: one sched/ learner (PPO,
 * A2C or DDPG) per agent, or one over every agent's action with a mixed
 * head (SCEN_POLICY_JOINT: EcoEdgeTwin's A2C), on the agent's vector observation
 * (scen_ops.agent_obs) and its action space (discrete, or a box of
 * values). Agents are
 * independent learners, each with its own reward (the parallel API's
 * independent case; HAPPO-style sequential updates are a learner of their
 * own). A frame-level agent acts at frame starts only and is fed the sum of
 * its rewards over the frame, as one step of a semi-Markov decision
 * process.
 *
 * HAPPO and MAPPO (their learner names, scen__marl_is) are marl.c's.
 *
 * Policy file: for one agent, the learner's own file (rl_io.c), so a
 * single-agent policy file is what it always was; for several, u32 agents
 * then per agent u64 length and its learner's file.
 */
#include "scen_int.h"

#include <stdlib.h>
#include <string.h>

struct scen__learned {
    const scen_ops *scen;
    void *scen_self;
    const scen_info *info;
    scen__marl *marl;    /* or a multi-agent learner (marl.c) */
    int joint;           /* one learner over every agent (SCEN_POLICY_JOINT) */
    int agents;          /* learners */
    sched_learner **l;   /* (agents) */
    double *acc;         /* (agents) rewards summed over the frame */
    float *obs;          /* (largest obs_dim) */
};

void scen__learned_destroy(scen__learned *l)
{
    if (l == NULL)
        return;
    scen__marl_destroy(l->marl);
    for (int a = 0; l->l != NULL && a < l->agents; a++)
        sched_learner_destroy(l->l[a]);
    free(l->l);
    free(l->acc);
    free(l->obs);
    free(l);
}

/* The joint learner's parts: every discrete agent a part, the box agents
 * one box; all act every slot, on observations of one size, boxes alike. */
static int learned__joint(const scen_policy_setup *p, const char *algo,
                          sched_learner_params *q, dtfl_err *err)
{
    const scen_info *in = p->info;
    for (int a = 0; a < in->agents; a++) {
        const scen_agent *ag = &in->agent[a], *g0 = &in->agent[0];
        if (ag->level != SCEN_SLOT || ag->obs_dim != g0->obs_dim ||
            (ag->box > 0 && q->box > 0 && (ag->lo != q->lo || ag->hi != q->hi)) ||
            (ag->blocks > 0 && q->nparts == RL_MAX_BLOCKS - 1))
            return dtfl_err_set(err, DTFL_ECONFIG, "%s: agent '%s' of scenario %s "
                                "does not fit one joint learner", algo, ag->name,
                                p->scen->name);
        if (ag->blocks > 0) {
            q->part_blocks[q->nparts] = ag->blocks;
            q->part_choices[q->nparts++] = ag->choices;
        }
        if (ag->box > 0)
            q->box += ag->box, q->lo = ag->lo, q->hi = ag->hi;
    }
    q->obs_dim = in->agent[0].obs_dim;
    return 0;
}

int scen__learned_create(scen__learned **out, const char *algo,
                         const scen_policy_setup *p, unsigned flags,
                         dtfl_err *err)
{
    *out = NULL;
    const scen_info *in = p->info;
    const int joint = (flags & SCEN_POLICY_JOINT) != 0;
    int dim = 1, rc = 0;
    if (scen__marl_is(algo)) {
        scen__learned *m = calloc(1, sizeof *m);
        if (m == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
        if ((rc = scen__marl_create(&m->marl, algo, p, err)) < 0) {
            free(m);
            return rc;
        }
        *out = m;
        return 0;
    }
    for (int a = 0; a < in->agents && !joint; a++) {
        const scen_agent *ag = &in->agent[a];
        if ((ag->box > 0) == (ag->blocks > 0))
            return dtfl_err_set(err, DTFL_ECONFIG,
                                "%s: agent '%s' of scenario %s has %d choices "
                                "and %d values; a learner takes one kind (mixed "
                                "heads are to come)",
                                algo, ag->name, p->scen->name, ag->blocks, ag->box);
    }
    for (int a = 0; a < in->agents; a++)
        dim = in->agent[a].obs_dim > dim ? in->agent[a].obs_dim : dim;
    scen__learned *l = calloc(1, sizeof *l);
    if (l == NULL || (l->l = calloc((size_t)in->agents, sizeof *l->l)) == NULL ||
        (l->acc = calloc((size_t)in->agents, sizeof *l->acc)) == NULL ||
        (l->obs = calloc((size_t)dim, sizeof *l->obs)) == NULL) {
        scen__learned_destroy(l);
        return dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
    }
    l->scen = p->scen;
    l->scen_self = p->scen_self;
    l->info = in;
    l->joint = joint;
    l->agents = joint ? 1 : in->agents;
    if (joint) {
        sched_learner_params q = {.algo = algo, .ppo = p->setup->ppo, .a2c = p->setup->a2c,
                                  .ddpg = p->setup->ddpg, .seed = p->setup->seed};
        if ((rc = learned__joint(p, algo, &q, err)) == 0)
            rc = sched_learner_create(&l->l[0], &q, err);
    }
    for (int a = 0; a < l->agents && rc == 0 && !joint; a++) {
        const scen_agent *ag = &in->agent[a];
        sched_learner_params q = {
            .algo = algo, .obs_dim = ag->obs_dim, .blocks = ag->blocks,
            .choices = ag->choices, .box = ag->box, .lo = ag->lo, .hi = ag->hi,
            .ppo = p->setup->ppo, .a2c = p->setup->a2c,
            .ddpg = p->setup->ddpg,
            /* agent 0 keeps the run's seed: a one-agent policy is the
             * learner it always was */
            .seed = p->setup->seed + (uint64_t)a * 0x9E3779B97F4A7C15ull};
        rc = sched_learner_create(&l->l[a], &q, err);
    }
    if (rc < 0) {
        scen__learned_destroy(l);
        return rc;
    }
    *out = l;
    return 0;
}

int scen__learned_decide(scen__learned *l, const scen_obs *o, scen_action *act,
                         dtfl_err *err)
{
    int rc = 0;
    if (l->marl != NULL)
        return scen__marl_decide(l->marl, o, act, err);
    if (l->joint) { /* the agents' actions lie one after another */
        l->scen->agent_obs(l->scen_self, 0, l->obs);
        return sched_learner_act(l->l[0], l->obs, act->discrete, act->box, err);
    }
    for (int a = 0; a < l->agents && rc == 0; a++) {
        if (l->info->agent[a].level == SCEN_FRAME && !o->frame_start)
            continue; /* keeps its frame's action (policy.c) */
        int off, boff;
        scen_action_offsets(l->info, a, &off, &boff);
        l->scen->agent_obs(l->scen_self, a, l->obs);
        rc = sched_learner_act(l->l[a], l->obs, act->discrete + off,
                               act->box + boff, err);
    }
    return rc;
}

int scen__learned_feedback(scen__learned *l, const double *reward,
                           int frame_end, int done, dtfl_err *err)
{
    int rc = 0;
    if (l->marl != NULL)
        return scen__marl_feedback(l->marl, reward, done, err);
    if (l->joint)
        return sched_learner_feedback(l->l[0], reward[0], done, err);
    for (int a = 0; a < l->agents && rc == 0; a++) {
        if (l->info->agent[a].level == SCEN_SLOT) {
            rc = sched_learner_feedback(l->l[a], reward[a], done, err);
            continue;
        }
        l->acc[a] += reward[a];
        if (frame_end || done) {
            rc = sched_learner_feedback(l->l[a], l->acc[a], done, err);
            l->acc[a] = 0.0;
        }
    }
    return rc;
}

void scen__learned_set_training(scen__learned *l, int training)
{
    if (l->marl != NULL) {
        scen__marl_set_training(l->marl, training);
        return;
    }
    for (int a = 0; a < l->agents; a++)
        sched_learner_set_training(l->l[a], training);
    memset(l->acc, 0, sizeof(double) * (size_t)l->agents);
}

int scen__learned_save(scen__learned *l, uint8_t *buf, size_t *len,
                       dtfl_err *err)
{
    if (l->marl != NULL)
        return scen__marl_save(l->marl, buf, len, err);
    if (l->agents == 1)
        return sched_learner_save(l->l[0], buf, len, err);
    size_t need = 4, cap = buf != NULL ? *len : 0;
    int rc = 0;
    if (buf != NULL && cap >= 4)
        dtfl_put_u32(buf, (uint32_t)l->agents);
    for (int a = 0; a < l->agents && rc == 0; a++) {
        size_t n = 0;
        if ((rc = sched_learner_save(l->l[a], NULL, &n, err)) < 0)
            break;
        if (buf != NULL) {
            if (cap < need + 8 + n)
                return dtfl_err_set(err, DTFL_ERANGE, "policy state: buffer");
            dtfl_put_u64(buf + need, n);
            rc = sched_learner_save(l->l[a], buf + need + 8, &n, err);
        }
        need += 8 + n;
    }
    *len = need;
    return rc;
}

int scen__learned_load(scen__learned *l, const uint8_t *buf, size_t len,
                       dtfl_err *err)
{
    if (l->marl != NULL)
        return scen__marl_load(l->marl, buf, len, err);
    if (l->agents == 1)
        return sched_learner_load(l->l[0], buf, len, err);
    if (len < 4 || dtfl_get_u32(buf) != (uint32_t)l->agents)
        return dtfl_err_set(err, DTFL_EDATA, "policy: not a policy of %d "
                                             "agents",
                            l->agents);
    size_t at = 4;
    int rc = 0;
    for (int a = 0; a < l->agents && rc == 0; a++) {
        if (len - at < 8)
            return dtfl_err_set(err, DTFL_EDATA, "policy: truncated at agent "
                                                 "%d", a);
        uint64_t n = dtfl_get_u64(buf + at);
        if (n > len - at - 8)
            return dtfl_err_set(err, DTFL_EDATA, "policy: agent %d's part "
                                                 "runs past the end", a);
        rc = sched_learner_load(l->l[a], buf + at + 8, (size_t)n, err);
        at += 8 + (size_t)n;
    }
    if (rc == 0 && at != len)
        rc = dtfl_err_set(err, DTFL_EDATA, "policy: %zu bytes after the last "
                                           "agent", len - at);
    return rc;
}

const scen__marl *scen__learned_marl(const scen__learned *l) { return l->marl; }
