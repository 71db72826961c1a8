/*
 * rl_marl.c - the multi-agent core of HAPPO and MAPPO (rl_happo.c updates
 * it): per-agent actors on their own observations, per-stream critics on
 * the global state, the rollout of every agent (observations, the unit
 * values sampled, masks of the values that acted), the Beta and Gaussian
 * heads over masked values, and policy files of several agents.
 *
 * An agent's action is D = blocks + box unit values: a Beta head samples x
 * in (0, 1) (kept in double: float rounds 1 - 1e-8 to 1); a Gaussian head
 * samples a in R (its log-probability), the environment takes (clip(a,
 * -1, 1) + 1) / 2. A value of a discrete block picks min(floor(x choices),
 * choices - 1) (the spec's `quantize`), a box value lo + (hi - lo) x. With
 * categorical blocks (marl.discrete) each block is a softmax over its
 * choices instead, its logits first in the actor's output and its value the
 * choice itself; the head then covers the box values only.
 *
 * Samples are keyed by (seed, POLICY, agent, step): the same for any mask.
 */
#include "marl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MARL_MAGIC "DTFLMARL"
#define MARL_VERSION 2u
#define MARL_STREAM_ENTITY 0x4D000000u

sched_marl_params sched_marl_defaults(void)
{
    return (sched_marl_params){
        .algo = SCHED_MARL_HAPPO, .head = SCHED_MARL_BETA,
        .order = SCHED_MARL_PER_UPDATE, .hidden = {128, 64}, .layers = 2,
        .act = RL_ACT_RELU, .lr_actor = 1e-4, .lr_critic = 1e-4, .adam_eps = 1e-5,
        .gamma = 0.9, .lambda = 0.95, .clip = 0.2, .ent_coef = 0.01,
        .max_grad_norm = 10.0, .epochs = 25, .minibatches = 1, .rollout = 5000,
        .norm_adv = 1, .mask_inactive = 1, .buffer = 100000, .batch = 1000,
        .warmup = 10000, .train_every = 50, .tau = 0.005, .noise = 0.7071, .seed = 1,
        .envs = 1, .env_rank = 0, .env_ranks = 1};
}

#define MARL_LOG_SQRT_2PI 0.91893853320467274178

/* Gaussian: log std = log(0.5 sigmoid(s)) (HARL's std_y sigmoid(s)). */
static double marl__log_std(float s) { return log(0.5 * marl__sigmoid(s)); }

/* Categorical blocks: their log-probability and entropy added to *lp, *h,
 * or (dout != NULL) their gradients added to dout. */
static void marl__cat(const marl_agent *g, const float *out, const double *x,
                      const uint8_t *mk, double *lp, double *h, double w_lp,
                      double w_ent, float *dout)
{
    const int C = g->spec.choices;
    for (int k = 0; k < g->h0; k++) {
        if (mk != NULL && !mk[k])
            continue;
        const int a = (int)x[k];
        if (dout != NULL) {
            rl_cat_backward(out + (size_t)k * C, 1, C, &a, w_lp, w_ent, dout + (size_t)k * C);
            continue;
        }
        *lp += rl_cat_logp(out + (size_t)k * C, 1, C, &a);
        *h += rl_cat_entropy(out + (size_t)k * C, 1, C);
    }
}

double marl__logp(const sched_marl *m, const marl_agent *g, const float *out,
                  const double *x, const uint8_t *mask, double *entropy)
{
    const uint8_t *mk = m->p.mask_inactive ? mask : NULL;
    double lp = 0.0, h = 0.0;
    if (g->ncat > 0) {
        marl__cat(g, out, x, mk, &lp, &h, 0.0, 0.0, NULL);
        out += g->ncat, x += g->h0, mk = mk != NULL ? mk + g->h0 : NULL;
    }
    const int D = g->D - g->h0;
    if (m->p.head == SCHED_MARL_BETA) {
        if (entropy != NULL)
            *entropy = h + rl_beta_entropy(out, D, mk);
        return lp + rl_beta_logp(out, D, mk, x);
    }
    const float *s = m->actors[g->actor].s + g->h0;
    for (int d = 0; d < D; d++) {
        if (mk != NULL && !mk[d])
            continue;
        const double ls = marl__log_std(s[d]), z = (x[d] - out[d]) / exp(ls);
        lp += -0.5 * z * z - ls - MARL_LOG_SQRT_2PI;
        h += 0.5 + MARL_LOG_SQRT_2PI + ls;
    }
    if (entropy != NULL)
        *entropy = h;
    return lp;
}

void marl__backward(const sched_marl *m, const marl_agent *g, const float *out,
                    const double *x, const uint8_t *mask, double w_lp,
                    double w_ent, float *dout)
{
    const uint8_t *mk = m->p.mask_inactive ? mask : NULL;
    if (g->ncat > 0) {
        marl__cat(g, out, x, mk, NULL, NULL, w_lp, w_ent, dout);
        out += g->ncat, dout += g->ncat, x += g->h0, mk = mk != NULL ? mk + g->h0 : NULL;
    }
    const int D = g->D - g->h0;
    if (m->p.head == SCHED_MARL_BETA) {
        rl_beta_backward(out, D, mk, x, w_lp, w_ent, dout);
        return;
    }
    const marl_actor *ac = &m->actors[g->actor];
    const float *s = ac->s + g->h0;
    float *gs = ac->gs + g->h0;
    for (int d = 0; d < D; d++) {
        if (mk != NULL && !mk[d])
            continue;
        const double sd = exp(marl__log_std(s[d])), z = (x[d] - out[d]) / sd;
        dout[d] += (float)(w_lp * z / sd);                     /* d logp / d mean */
        const double dls = w_lp * (z * z - 1.0) + w_ent;       /* d / d log std */
        gs[d] += (float)(dls * (1.0 - marl__sigmoid(s[d])));
    }
}

void sched_marl_destroy(sched_marl *m)
{
    if (m == NULL)
        return;
    marl__dd_destroy(m);
    for (int i = 0; m->actors != NULL && i < m->nactors; i++) {
        rl_mlp_destroy(m->actors[i].net);
        rl_adam_destroy(m->actors[i].opt);
        rl_adam_destroy(m->actors[i].opt_s);
        free(m->actors[i].s);
    }
    for (int i = 0; m->ag != NULL && i < m->p.agents; i++) {
        free(m->ag[i].obs);
        free(m->ag[i].x);
        free(m->ag[i].mask);
        free(m->ag[i].lp_old);
    }
    for (int s = 0; s < SCHED_MARL_MAX_STREAMS; s++) {
        rl_mlp_destroy(m->critic[s]);
        rl_adam_destroy(m->copt[s]);
    }
    free(m->actors);
    free(m->ag);
    free(m->state);
    free(m->reward);
    free(m->done);
    free(m->adv);
    free(m->xb);
    free(m->lp_new);
    free(m->idx);
    free(m->etab);
    free(m);
}

static int marl__check(const sched_marl_params *p, dtfl_err *err)
{
    if (p->agents < 1 || p->state_dim < 1 || p->rollout < 1 || p->epochs < 1 ||
        p->minibatches < 1 || p->minibatches > p->rollout || p->layers < 0 ||
        p->layers >= RL_MAX_LAYERS)
        return dtfl_err_set(err, DTFL_ERANGE, "marl: %d agents, state %d, rollout "
                            "%d, %d epochs of %d minibatches, %d layers", p->agents,
                            p->state_dim, p->rollout, p->epochs, p->minibatches,
                            p->layers);
    if (p->algo != SCHED_MARL_MAPPO && p->share)
        return dtfl_err_set(err, DTFL_ECONFIG, "%s: each agent its own actor; "
                            "sharing is MAPPO's", p->algo ? "maddpg" : "happo");
    if (p->algo == SCHED_MARL_MADDPG && p->categorical)
        return dtfl_err_set(err, DTFL_ECONFIG, "maddpg: deterministic actors of unit "
                            "values; categorical blocks (marl.discrete) are HAPPO's "
                            "and MAPPO's");
    if (p->algo == SCHED_MARL_MADDPG &&
        (p->buffer < 2 || p->batch < 1 || p->train_every < 1 || p->head != SCHED_MARL_BETA))
        return dtfl_err_set(err, DTFL_ERANGE, "maddpg: buffer %d, batch %d, an update "
                            "every %d slots, deterministic actors", p->buffer, p->batch,
                            p->train_every);
    if (p->envs < 1 || p->env_ranks < 1 || p->env_rank < 0 || p->env_rank >= p->env_ranks ||
        p->env_ranks > p->envs)
        return dtfl_err_set(err, DTFL_ERANGE, "marl: %d environments over %d ranks "
                            "(this rank %d): each rank needs one at least", p->envs,
                            p->env_ranks, p->env_rank);
    if (p->envs > 1 && (p->algo == SCHED_MARL_MADDPG || p->minibatches > 1))
        return dtfl_err_set(err, DTFL_ECONFIG, "marl.envs %d: parallel environments are "
                            "HAPPO's and MAPPO's with one minibatch (%s, %d minibatches)",
                            p->envs, p->algo == SCHED_MARL_MADDPG ? "maddpg" : "on-policy",
                            p->minibatches);
    for (int a = 0; a < p->agents; a++) {
        const sched_marl_agent *g = &p->agent[a];
        if (g->obs_dim < 1 || g->blocks + g->box < 1 || (g->blocks > 0 && g->choices < 1) ||
            g->blocks + g->box > RL_MAX_CHOICES || g->stream < 0 ||
            g->stream >= SCHED_MARL_MAX_STREAMS || g->type < 0)
            return dtfl_err_set(err, DTFL_ERANGE, "marl: agent %d: observation %d, "
                                "%d blocks of %d, box %d, stream %d", a, g->obs_dim,
                                g->blocks, g->choices, g->box, g->stream);
    }
    return 0;
}

/* The actor's outputs for agents like g: the categorical blocks' logits,
 * then 2 per head value (Beta) or 1 (Gaussian, MADDPG). */
static int marl__nout(const sched_marl *m, const marl_agent *g)
{
    const int gauss = m->p.head == SCHED_MARL_GAUSS || m->p.algo == SCHED_MARL_MADDPG;
    return g->ncat + (gauss ? 1 : 2) * (g->D - g->h0);
}

/* Actor i for agents like g: obs -> hidden -> marl__nout. */
static int marl__actor(sched_marl *m, int i, const marl_agent *g, dtfl_err *err)
{
    const sched_marl_params *p = &m->p;
    marl_actor *ac = &m->actors[i];
    const int gauss = p->head == SCHED_MARL_GAUSS, nout = marl__nout(m, g);
    ac->D = g->D;
    int rc = rl_mlp_create_sizes(&ac->net, g->spec.obs_dim, p->hidden, p->layers, nout,
                                 p->act, m->B, err);
    if (rc == 0)
        rc = rl_adam_create(&ac->opt, rl_mlp_nparams(ac->net), p->lr_actor, p->adam_eps, err);
    if (rc == 0 && gauss) {
        ac->s = calloc(2 * (size_t)g->D, sizeof(float));
        if (ac->s == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "marl: out of memory");
        ac->gs = ac->s + g->D;
        for (int d = 0; d < g->D; d++)
            ac->s[d] = 1.0f; /* std 0.5 sigmoid(1) = 0.366 (HARL) */
        rc = rl_adam_create(&ac->opt_s, (size_t)g->D, p->lr_actor, p->adam_eps, err);
    }
    if (rc == 0) /* orthogonal, gains sqrt(2) and 0.01 (spec 3) */
        rl_mlp_init(ac->net, sqrt(2.0), 0.01, p->seed, MARL_STREAM_ENTITY + (uint32_t)i);
    return rc;
}

/* Which actor each agent uses: its own, or (MAPPO sharing) its type's. */
static int marl__assign(sched_marl *m)
{
    int n = 0;
    for (int a = 0; a < m->p.agents; a++) {
        marl_agent *g = &m->ag[a];
        g->actor = -1;
        for (int b = 0; m->p.share && b < a; b++)
            if (m->ag[b].spec.type == g->spec.type) {
                const marl_agent *h = &m->ag[b];
                if (h->spec.obs_dim == g->spec.obs_dim && h->D == g->D)
                    g->actor = h->actor;
            }
        if (g->actor < 0)
            g->actor = n++;
    }
    return n;
}

static int marl__buffers(sched_marl *m, dtfl_err *err)
{
    const size_t N = (size_t)m->N, S = (size_t)m->streams;
    int widest = m->p.state_dim, wout = 1;
    for (int a = 0; a < m->p.agents; a++) {
        marl_agent *g = &m->ag[a];
        g->obs = malloc(sizeof(float) * N * g->spec.obs_dim);
        g->x = malloc(sizeof(double) * N * g->D);
        g->mask = malloc(N * g->D);
        g->lp_old = malloc(sizeof(double) * N);
        if (g->obs == NULL || g->x == NULL || g->mask == NULL || g->lp_old == NULL)
            return dtfl_err_set(err, DTFL_ENOMEM, "marl: out of memory");
        widest = g->spec.obs_dim > widest ? g->spec.obs_dim : widest;
        wout = marl__nout(m, g) > wout ? marl__nout(m, g) : wout;
    }
    m->state = malloc(sizeof(float) * (N + 1) * m->p.state_dim);
    m->reward = malloc(sizeof(double) * N * S);
    m->done = malloc(N);
    m->adv = malloc(sizeof(double) * (2 * N * S + 3 * N + 1));
    m->xb = malloc(sizeof(float) * (size_t)m->B * (size_t)(widest + wout));
    m->lp_new = malloc(sizeof(double) * N);
    m->idx = malloc(sizeof(int) * 2 * N);
    if (m->state == NULL || m->reward == NULL || m->done == NULL || m->adv == NULL ||
        m->xb == NULL || m->lp_new == NULL || m->idx == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "marl: out of memory");
    m->ret = m->adv + N * S;
    m->factor = m->ret + N * S;
    m->weight = m->factor + N;
    m->vals = m->weight + N;
    m->act = m->idx + N;
    m->dout = m->xb + (size_t)m->B * (size_t)widest;
    return 0;
}

/* The per-environment gradient table: a row holds the widest network's
 * gradient and a Gaussian actor's std gradient. */
static int marl__etab(sched_marl *m, dtfl_err *err)
{
    size_t w = 2;
    for (int i = 0; i < m->nactors; i++) {
        const size_t n = rl_mlp_nparams(m->actors[i].net) + (size_t)m->actors[i].D;
        w = n > w ? n : w;
    }
    for (int s = 0; s < m->streams; s++)
        w = rl_mlp_nparams(m->critic[s]) > w ? rl_mlp_nparams(m->critic[s]) : w;
    m->width = (int)w;
    m->etab = calloc((size_t)m->p.envs * w, sizeof(double));
    return m->etab == NULL ? dtfl_err_set(err, DTFL_ENOMEM, "marl: out of memory") : 0;
}

int sched_marl_create(sched_marl **out, const sched_marl_params *p, dtfl_err *err)
{
    *out = NULL;
    int rc = marl__check(p, err);
    if (rc < 0)
        return rc;
    sched_marl *m = calloc(1, sizeof *m);
    if (m == NULL || (m->ag = calloc((size_t)p->agents, sizeof *m->ag)) == NULL ||
        (m->actors = calloc((size_t)p->agents, sizeof *m->actors)) == NULL) {
        sched_marl_destroy(m);
        return dtfl_err_set(err, DTFL_ENOMEM, "marl: out of memory");
    }
    m->p = *p;
    m->p.agent = NULL; /* the specs live in ag[] */
    const int dd = p->algo == SCHED_MARL_MADDPG;
    /* this learner's environments: e = env_rank, env_rank + env_ranks, ... */
    m->Er = (p->envs - p->env_rank + p->env_ranks - 1) / p->env_ranks;
    m->N = dd ? p->buffer : p->rollout * m->Er;
    m->w_next = 1.0;
    m->B = dd ? p->batch : m->N + 1;
    for (int a = 0; a < p->agents; a++) {
        m->ag[a].spec = p->agent[a];
        m->ag[a].D = p->agent[a].blocks + p->agent[a].box;
        m->ag[a].h0 = p->categorical ? p->agent[a].blocks : 0;
        m->ag[a].ncat = m->ag[a].h0 * p->agent[a].choices;
        m->values += m->ag[a].D;
        m->streams = p->agent[a].stream + 1 > m->streams ? p->agent[a].stream + 1 : m->streams;
    }
    m->nactors = marl__assign(m);
    rc = marl__buffers(m, err);
    for (int a = 0, done = -1; rc == 0 && a < p->agents; a++)
        if (m->ag[a].actor > done)
            rc = marl__actor(m, done = m->ag[a].actor, &m->ag[a], err);
    for (int s = 0; rc == 0 && s < m->streams; s++) {
        rc = rl_mlp_create_sizes(&m->critic[s], p->state_dim + (dd ? m->values : 0),
                                 p->hidden, p->layers, 1, p->act, m->B, err);
        if (rc == 0)
            rc = rl_adam_create(&m->copt[s], rl_mlp_nparams(m->critic[s]),
                                p->lr_critic, p->adam_eps, err);
        if (rc == 0)
            rl_mlp_init(m->critic[s], sqrt(2.0), 1.0, p->seed,
                        MARL_STREAM_ENTITY + 0x10000u + (uint32_t)s);
    }
    if (rc == 0 && dd)
        rc = marl__dd_create(m, err);
    if (rc == 0 && p->envs > 1)
        rc = marl__etab(m, err);
    if (rc < 0) {
        sched_marl_destroy(m);
        return rc;
    }
    *out = m;
    return 0;
}

const sched_marl_params *sched_marl_params_of(const sched_marl *m) { return &m->p; }
void sched_marl_counters_of(const sched_marl *m, sched_marl_counters *c) { *c = m->count; }

const float *marl__forward(sched_marl *m, rl_mlp *net, const float *x, int B)
{
    m->count.update_flops += 2.0 * (double)rl_mlp_nparams(net) * B;
    return rl_mlp_forward(net, x, B);
}

void marl__backward_net(sched_marl *m, rl_mlp *net, const float *dout, int B, float *dx)
{
    m->count.update_flops += 4.0 * (double)rl_mlp_nparams(net) * B;
    rl_mlp_backward(net, dout, B, dx);
}

const float *marl__gather(sched_marl *m, const marl_agent *g, const int *rows, int B,
                          int next)
{
    const int O = g->spec.obs_dim;
    for (int i = 0; i < B; i++)
        memcpy(m->xb + (size_t)i * O, g->obs + (size_t)((rows[i] + next) % m->N) * O,
               sizeof(float) * O);
    return m->xb;
}

void sched_marl_set_training(sched_marl *m, int training) { m->training = training; }

/* Whether this slot is recorded: while training, until an on-policy
 * rollout is full (MADDPG's replay takes every slot). */
static int marl__recording(const sched_marl *m)
{
    return m->training && (m->dd != NULL || m->n < m->N);
}

void sched_marl_begin(sched_marl *m, const float *state)
{
    if (marl__recording(m))
        memcpy(m->state + (size_t)m->at * m->p.state_dim, state,
               sizeof(float) * (size_t)m->p.state_dim);
}

/* Unit values u (D) to the environment's action. */
static void marl__map(const marl_agent *g, const double *u, int *act_i, double *act_f)
{
    const sched_marl_agent *s = &g->spec;
    for (int k = 0; k < s->blocks; k++) {
        const int i = g->ncat > 0 ? (int)u[k] : (int)floor(u[k] * s->choices);
        act_i[k] = i < 0 ? 0 : i >= s->choices ? s->choices - 1 : i;
    }
    for (int d = 0; d < s->box; d++)
        act_f[d] = s->lo + (s->hi - s->lo) * u[s->blocks + d];
}

/* The key of this slot's samples: the step, or with several environments
 * (update, environment, slot within its rollout), the same for any rank
 * count (the step itself when there is one environment). */
static uint32_t marl__key(const sched_marl *m)
{
    if (m->p.envs <= 1)
        return (uint32_t)m->step;
    const uint64_t R = (uint64_t)m->p.rollout, j = (uint64_t)m->at / R;
    const uint64_t e = (uint64_t)m->p.env_rank + j * (uint64_t)m->p.env_ranks;
    return (uint32_t)(m->updates * (uint64_t)m->p.envs * R + e * R + (uint64_t)m->at % R);
}

/* The values x (D) agent a takes on the actor's output out: explored and
 * recorded while recording (a Beta or Gaussian sample; MADDPG sigmoid(mu)
 * plus noise), else the greedy ones (the Beta mean, the Gaussian mean,
 * sigmoid(mu)). */
static void marl__values(sched_marl *m, int a, const float *out, int rec, double *x)
{
    marl_agent *g = &m->ag[a];
    if (rec && m->dd != NULL) {
        marl__dd_explore(m, a, out, x);
    } else if (rec) {
        dtfl_rng r;
        dtfl_rng_init(&r, m->p.seed, DTFL_STREAM_POLICY, MARL_STREAM_ENTITY + (uint32_t)a,
                      marl__key(m));
        for (int k = 0; k < g->h0; k++) { /* categorical blocks first */
            int c;
            rl_cat_sample(out + (size_t)k * g->spec.choices, 1, g->spec.choices, &r, &c);
            x[k] = c;
        }
        const float *o = out + g->ncat;
        if (m->p.head == SCHED_MARL_BETA)
            rl_beta_sample(o, g->D - g->h0, &r, x + g->h0);
        else
            for (int d = g->h0; d < g->D; d++)
                x[d] = o[d - g->h0] + exp(marl__log_std(m->actors[g->actor].s[d])) *
                                          dtfl_rng_normal(&r);
    } else {
        for (int k = 0; k < g->h0; k++) {
            int c;
            rl_cat_mode(out + (size_t)k * g->spec.choices, 1, g->spec.choices, &c);
            x[k] = c;
        }
        const float *o = out + g->ncat;
        if (m->dd == NULL && m->p.head == SCHED_MARL_BETA)
            rl_beta_mean(o, g->D - g->h0, x + g->h0);
        else
            for (int d = g->h0; d < g->D; d++)
                x[d] = m->dd != NULL ? marl__sigmoid(o[d - g->h0]) : o[d - g->h0];
    }
}

/* A Gaussian value in R to the unit (categorical blocks: the choice). */
static double marl__unit(const sched_marl *m, const marl_agent *g, int d, double x)
{
    const int gauss = m->dd == NULL && m->p.head == SCHED_MARL_GAUSS;
    return gauss && d >= g->h0 ? (fmin(fmax(x, -1.0), 1.0) + 1.0) / 2.0 : x;
}

/* The values x (D) that give the action (act_i, act_f): the inverse of
 * marl__map for categorical blocks and box values; a quantised block gets
 * its choice's midpoint. */
static void marl__unmap(const sched_marl *m, const marl_agent *g, const int *act_i,
                        const double *act_f, double *x)
{
    const sched_marl_agent *s = &g->spec;
    const int gauss = m->dd == NULL && m->p.head == SCHED_MARL_GAUSS;
    for (int k = 0; k < s->blocks; k++) {
        const double mid = (act_i[k] + 0.5) / s->choices;
        x[k] = g->ncat > 0 ? act_i[k] : gauss ? 2.0 * mid - 1.0 : mid;
    }
    for (int d = 0; d < s->box; d++) {
        const double u = s->hi > s->lo ? (act_f[d] - s->lo) / (s->hi - s->lo) : 0.5;
        x[s->blocks + d] = gauss ? 2.0 * u - 1.0 : u;
    }
}

void sched_marl_act(sched_marl *m, int a, const float *obs, int *act_i, double *act_f)
{
    marl_agent *g = &m->ag[a];
    marl_actor *ac = &m->actors[g->actor];
    const double t0 = dtfl_now();
    const float *out = rl_mlp_forward(ac->net, obs, 1);
    m->count.act_flops += 2.0 * (double)rl_mlp_nparams(ac->net);
    double u[2 * RL_MAX_CHOICES], *x = u + RL_MAX_CHOICES;
    const int rec = marl__recording(m);
    marl__values(m, a, out, rec, x);
    if (rec) {
        memcpy(g->obs + (size_t)m->at * g->spec.obs_dim, obs,
               sizeof(float) * (size_t)g->spec.obs_dim);
        memcpy(g->x + (size_t)m->at * g->D, x, sizeof(double) * (size_t)g->D);
    }
    for (int d = 0; d < g->D; d++)
        u[d] = marl__unit(m, g, d, x[d]);
    marl__map(g, u, act_i, act_f);
    m->count.act_seconds += dtfl_now() - t0;
}

void sched_marl_record(sched_marl *m, int a, const float *obs, const int *act_i,
                       const double *act_f)
{
    marl_agent *g = &m->ag[a];
    if (!marl__recording(m))
        return;
    memcpy(g->obs + (size_t)m->at * g->spec.obs_dim, obs,
           sizeof(float) * (size_t)g->spec.obs_dim);
    marl__unmap(m, g, act_i, act_f, g->x + (size_t)m->at * g->D);
}

void sched_marl_weight(sched_marl *m, double w) { m->w_next = w; }

double sched_marl_logp(sched_marl *m, int a, const float *obs, const int *act_i,
                       const double *act_f)
{
    marl_agent *g = &m->ag[a];
    double x[RL_MAX_CHOICES];
    marl__unmap(m, g, act_i, act_f, x);
    const float *out = rl_mlp_forward(m->actors[g->actor].net, obs, 1);
    return marl__logp(m, g, out, x, NULL, NULL);
}

int sched_marl_feedback(sched_marl *m, const double *reward,
                        const uint8_t *const *mask, int done)
{
    m->count.slots++;
    if (m->dd != NULL && m->training) {
        marl__dd_feedback(m, reward, done);
        return 0;
    }
    if (!m->training || m->n >= m->N)
        return m->training && m->n >= m->N;
    for (int a = 0; a < m->p.agents; a++) {
        marl_agent *g = &m->ag[a];
        uint8_t *dst = g->mask + (size_t)m->n * g->D;
        if (mask != NULL && mask[a] != NULL)
            memcpy(dst, mask[a], (size_t)g->D);
        else
            memset(dst, 1, (size_t)g->D);
    }
    memcpy(m->reward + (size_t)m->n * m->streams, reward, sizeof(double) * (size_t)m->streams);
    m->done[m->n] = (uint8_t)(done != 0);
    m->weight[m->n] = m->w_next;
    m->w_next = 1.0;
    m->n++;
    m->at = m->n < m->N ? m->n : 0;
    m->step++;
    return m->n == m->N;
}
