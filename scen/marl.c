/*
 * marl.c - a scenario's multi-agent learned policy: HAPPO or MAPPO
 * (sched_marl) over every agent, each on its own vector observation
 * (scen_ops.agent_obs), the critics on the scenario's global state
 * (scen_ops.state), one critic per reward stream (scen_agent.stream), the
 * values that did not act masked out (scen_ops.action_mask). Agents of one
 * name are one type (MAPPO's sharing). learned.c hands these policies
 * here; the learner names are
 *
 *   happo         HAPPO with Beta heads       (beta-happo)
 *   happo-gauss   HAPPO with Gaussian heads   (gauss-happo)
 *   mappo         MAPPO with Beta heads       (beta-mappo)
 *   maddpg        MADDPG                      (maddpg)
 *
 * The update runs when the rollout is full: at once when the last slot
 * ended an episode, else at the next decision (its state bootstraps);
 * MADDPG updates itself as its replay fills.
 */
#include "scen_int.h"

#include <stdlib.h>
#include <string.h>

struct scen__marl {
    const scen_ops *scen;
    void *scen_self;
    const scen_info *info;
    sched_marl *m;
    float *obs, *state;
    uint8_t *mask;            /* (sum of agents' values) */
    const uint8_t **masks;    /* (agents) into mask */
    int first[SCHED_MARL_MAX_STREAMS]; /* each stream's first agent */
    int pending;              /* an update waits for the next state */
};

int scen__marl_is(const char *algo)
{
    return strcmp(algo, "happo") == 0 || strcmp(algo, "happo-gauss") == 0 ||
           strcmp(algo, "mappo") == 0 || strcmp(algo, "maddpg") == 0;
}

void scen__marl_destroy(scen__marl *l)
{
    if (l == NULL)
        return;
    sched_marl_destroy(l->m);
    free(l->obs);
    free(l->mask);
    free(l->masks);
    free(l);
}

/* The agents' specs: types by name, checks the learner's limits. */
static int marl__agents(const scen_policy_setup *p, sched_marl_agent *ag,
                        int *first, int *values, dtfl_err *err)
{
    const scen_info *in = p->info;
    *values = 0;
    for (int s = 0; s < SCHED_MARL_MAX_STREAMS; s++)
        first[s] = -1;
    for (int a = 0; a < in->agents; a++) {
        const scen_agent *g = &in->agent[a];
        if (g->level != SCEN_SLOT || g->stream < 0 || g->stream >= SCHED_MARL_MAX_STREAMS)
            return dtfl_err_set(err, DTFL_ECONFIG, "scenario %s: agent '%s' acts at "
                                "frames or on stream %d; multi-agent learners take "
                                "agents acting every slot on streams 0..%d",
                                p->scen->name, g->name, g->stream,
                                SCHED_MARL_MAX_STREAMS - 1);
        int type = a;
        for (int b = 0; b < a && type == a; b++)
            type = strcmp(in->agent[b].name, g->name) == 0 ? ag[b].type : type;
        ag[a] = (sched_marl_agent){g->obs_dim, g->blocks, g->choices, g->box, g->lo,
                                   g->hi, g->stream, type};
        first[g->stream] = first[g->stream] < 0 ? a : first[g->stream];
        *values += g->blocks + g->box;
    }
    return 0;
}

int scen__marl_create(scen__marl **out, const char *algo, const scen_policy_setup *p,
                      dtfl_err *err)
{
    *out = NULL;
    const scen_info *in = p->info;
    if (p->scen->state == NULL || in->state_dim < 1)
        return dtfl_err_set(err, DTFL_ECONFIG, "%s: scenario %s gives no global state "
                            "for the critics", algo, p->scen->name);
    scen__marl *l = calloc(1, sizeof *l);
    sched_marl_agent *ag = calloc((size_t)in->agents, sizeof *ag);
    int dim = in->state_dim, values = 0, rc = 0;
    for (int a = 0; a < in->agents; a++)
        dim = in->agent[a].obs_dim > dim ? in->agent[a].obs_dim : dim;
    if (l == NULL || ag == NULL || (l->obs = malloc(sizeof(float) * 2 * (size_t)dim)) == NULL ||
        (l->masks = calloc((size_t)in->agents, sizeof *l->masks)) == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
        goto done;
    }
    l->state = l->obs + dim;
    l->scen = p->scen;
    l->scen_self = p->scen_self;
    l->info = in;
    if ((rc = marl__agents(p, ag, l->first, &values, err)) < 0)
        goto done;
    if ((l->mask = calloc((size_t)values + 1, 1)) == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "policy: out of memory");
        goto done;
    }
    for (int a = 0, at = 0; a < in->agents; at += ag[a].blocks + ag[a].box, a++)
        l->masks[a] = l->mask + at;
    sched_marl_params q = p->setup->marl;
    q.algo = strcmp(algo, "mappo") == 0    ? SCHED_MARL_MAPPO
             : strcmp(algo, "maddpg") == 0 ? SCHED_MARL_MADDPG
                                           : SCHED_MARL_HAPPO;
    q.head = strcmp(algo, "happo-gauss") == 0 ? SCHED_MARL_GAUSS : SCHED_MARL_BETA;
    q.share = q.algo == SCHED_MARL_MAPPO && q.share;
    q.agents = in->agents, q.agent = ag, q.state_dim = in->state_dim;
    rc = sched_marl_create(&l->m, &q, err);
done:
    free(ag);
    if (rc < 0) {
        scen__marl_destroy(l);
        return rc;
    }
    *out = l;
    return 0;
}

int scen__marl_decide(scen__marl *l, const scen_obs *o, scen_action *act, dtfl_err *err)
{
    (void)o, (void)err;
    l->scen->state(l->scen_self, l->state);
    if (l->pending) {
        sched_marl_update(l->m, l->state, NULL);
        l->pending = 0;
    }
    sched_marl_begin(l->m, l->state);
    for (int a = 0; a < l->info->agents; a++) {
        int off, boff;
        scen_action_offsets(l->info, a, &off, &boff);
        l->scen->agent_obs(l->scen_self, a, l->obs);
        sched_marl_act(l->m, a, l->obs, act->discrete + off, act->box + boff);
    }
    return 0;
}

int scen__marl_feedback(scen__marl *l, const double *reward, int done, dtfl_err *err)
{
    (void)err;
    double r[SCHED_MARL_MAX_STREAMS] = {0};
    for (int s = 0; s < SCHED_MARL_MAX_STREAMS; s++)
        r[s] = l->first[s] >= 0 ? reward[l->first[s]] : 0.0;
    const int masked = l->scen->action_mask != NULL;
    for (int a = 0; masked && a < l->info->agents; a++)
        l->scen->action_mask(l->scen_self, a, (uint8_t *)l->masks[a]);
    if (sched_marl_feedback(l->m, r, masked ? l->masks : NULL, done)) {
        if (done)
            sched_marl_update(l->m, NULL, NULL);
        else
            l->pending = 1;
    }
    return 0;
}

void scen__marl_set_training(scen__marl *l, int training)
{
    sched_marl_set_training(l->m, training);
}

int scen__marl_save(scen__marl *l, uint8_t *buf, size_t *len, dtfl_err *err)
{
    return sched_marl_save(l->m, buf, len, err);
}

int scen__marl_load(scen__marl *l, const uint8_t *buf, size_t len, dtfl_err *err)
{
    return sched_marl_load(l->m, buf, len, "policy", err);
}

const sched_marl *scen__marl_learner(const scen__marl *l) { return l->m; }
