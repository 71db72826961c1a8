/*
 * rl_maddpg.c - MADDPG (Lowe et al. 2017; HARL's maddpg) in the
 * multi-agent core (rl_marl.c keeps the agents, actors, critics and the
 * rows): deterministic actors u_i = sigmoid(mu_i(o_i)) in [0, 1]^D, one
 * centralised critic per reward stream on (state, every agent's values),
 * their target copies moved softly (tau), a replay ring of slots.
 *
 *   explore: u = clip(sigmoid(mu) + N(0, noise / 2), 0, 1) (noise is the
 *            std on the [-1, 1] scale, Table I's variance 0.5), uniform
 *            for the first `warmup` slots
 *   critic:  1/2 (Q_s(s, u_all) - y)^2, y = r_s + gamma (1 - done)
 *            Q'_s(s', mu'_1(o'_1) .. mu'_I(o'_I)), s' the next row
 *   actor i: ascend Q_stream(i)(s, u_1 .. sigmoid(mu_i(o_i)) .. u_I), the
 *            others' values from the sample; the gradient through the
 *            critic's input and the sigmoid
 *
 * One update every train_every slots once the ring holds a batch; the
 * critics first, then the actors in agent order, then the targets.
 * Discrete values are quantised by the environment (rl_marl.c); the critic
 * sees the unit value. Samples keyed by (seed, POLICY, entity, update).
 */
#include "marl_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DD_ENTITY 0x4F000000u

struct marl_dd {
    rl_mlp **actor_t;            /* (nactors) */
    rl_mlp *critic_t[SCHED_MARL_MAX_STREAMS];
    float *X, *Xn;               /* (batch, state_dim + values) critic inputs */
    float *dq, *dX, *du;         /* (batch), (batch, state + values), (batch, D max) */
    double *y;                   /* (batch) */
    int *rows;                   /* (batch) */
    int head, size;
};

void marl__dd_destroy(sched_marl *m)
{
    struct marl_dd *d = m->dd;
    if (d == NULL)
        return;
    for (int i = 0; d->actor_t != NULL && i < m->nactors; i++)
        rl_mlp_destroy(d->actor_t[i]);
    for (int s = 0; s < SCHED_MARL_MAX_STREAMS; s++)
        rl_mlp_destroy(d->critic_t[s]);
    free(d->actor_t);
    free(d->X);
    free(d->y);
    free(d->rows);
    free(d);
    m->dd = NULL;
}

void marl__dd_sync(sched_marl *m)
{
    for (int i = 0; i < m->nactors; i++)
        rl_mlp_soft_update(m->dd->actor_t[i], m->actors[i].net, 1.0);
    for (int s = 0; s < m->streams; s++)
        rl_mlp_soft_update(m->dd->critic_t[s], m->critic[s], 1.0);
}

int marl__dd_create(sched_marl *m, dtfl_err *err)
{
    const sched_marl_params *p = &m->p;
    struct marl_dd *d = calloc(1, sizeof *d);
    m->dd = d;
    if (d == NULL || (d->actor_t = calloc((size_t)m->nactors, sizeof *d->actor_t)) == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "maddpg: out of memory");
    int rc = 0, dmax = 1;
    for (int a = 0; a < p->agents; a++) {
        const marl_agent *g = &m->ag[a];
        dmax = g->D > dmax ? g->D : dmax;
        if (rc == 0 && d->actor_t[g->actor] == NULL)
            rc = rl_mlp_create_sizes(&d->actor_t[g->actor], g->spec.obs_dim, p->hidden,
                                     p->layers, g->D, p->act, m->B, err);
    }
    const size_t in = (size_t)p->state_dim + (size_t)m->values, B = (size_t)m->B;
    for (int s = 0; rc == 0 && s < m->streams; s++)
        rc = rl_mlp_create_sizes(&d->critic_t[s], (int)in, p->hidden, p->layers, 1, p->act,
                                 m->B, err);
    if (rc < 0)
        return rc;
    d->X = malloc(sizeof(float) * (B * (3 * in + 1 + (size_t)dmax)));
    d->y = malloc(sizeof(double) * B);
    d->rows = malloc(sizeof(int) * B);
    if (d->X == NULL || d->y == NULL || d->rows == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "maddpg: out of memory");
    d->Xn = d->X + B * in;
    d->dX = d->Xn + B * in;
    d->dq = d->dX + B * in;
    d->du = d->dq + B;
    marl__dd_sync(m);
    return 0;
}

void marl__dd_explore(sched_marl *m, int a, const float *z, double *u)
{
    const marl_agent *g = &m->ag[a];
    dtfl_rng r;
    dtfl_rng_init(&r, m->p.seed, DTFL_STREAM_POLICY, DD_ENTITY + (uint32_t)a, (uint32_t)m->step);
    for (int k = 0; k < g->D; k++) {
        const double v = m->step < (uint64_t)m->p.warmup
                             ? dtfl_rng_uniform(&r)
                             : marl__sigmoid(z[k]) + 0.5 * m->p.noise * dtfl_rng_normal(&r);
        u[k] = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    }
}

/* Row n's critic input [s, u_1 .. u_I] into X (one row). */
static void dd__input(const sched_marl *m, int n, float *X)
{
    const int sd = m->p.state_dim;
    memcpy(X, m->state + (size_t)n * sd, sizeof(float) * (size_t)sd);
    float *u = X + sd;
    for (int a = 0; a < m->p.agents; a++) {
        const marl_agent *g = &m->ag[a];
        for (int k = 0; k < g->D; k++)
            *u++ = (float)g->x[(size_t)n * g->D + k];
    }
}

/* The critics on rows (B): targets from the target actors and critics. */
static void dd__critics(sched_marl *m, int B)
{
    struct marl_dd *d = m->dd;
    const size_t in = (size_t)m->p.state_dim + (size_t)m->values;
    for (int i = 0; i < B; i++) {
        dd__input(m, d->rows[i], d->X + i * in);
        dd__input(m, (d->rows[i] + 1) % m->N, d->Xn + i * in);
    }
    size_t off = (size_t)m->p.state_dim;
    for (int a = 0; a < m->p.agents; a++) { /* mu'(o') into the next inputs */
        const marl_agent *g = &m->ag[a];
        const float *z = marl__forward(m, d->actor_t[g->actor], marl__gather(m, g, d->rows, B, 1), B);
        for (int i = 0; i < B; i++)
            for (int k = 0; k < g->D; k++)
                d->Xn[i * in + off + k] = (float)marl__sigmoid(z[(size_t)i * g->D + k]);
        off += (size_t)g->D;
    }
    for (int s = 0; s < m->streams; s++) {
        const float *qn = marl__forward(m, d->critic_t[s], d->Xn, B);
        for (int i = 0; i < B; i++) {
            const int n = d->rows[i];
            d->y[i] = m->reward[(size_t)n * m->streams + s] +
                      (m->done[n] ? 0.0 : m->p.gamma * qn[i]);
        }
        const float *q = marl__forward(m, m->critic[s], d->X, B);
        for (int i = 0; i < B; i++)
            d->dq[i] = (float)((q[i] - d->y[i]) / B);
        rl_mlp_zero_grads(m->critic[s]);
        marl__backward_net(m, m->critic[s], d->dq, B, NULL);
        rl_clip_step(m->copt[s], rl_mlp_params(m->critic[s]), rl_mlp_grads(m->critic[s]),
                     m->p.max_grad_norm);
    }
}

/* Each actor up its critic's value, the others' values from the rows. */
static void dd__actors(sched_marl *m, int B)
{
    struct marl_dd *d = m->dd;
    const size_t in = (size_t)m->p.state_dim + (size_t)m->values;
    size_t off = (size_t)m->p.state_dim;
    for (int a = 0; a < m->p.agents; a++) {
        const marl_agent *g = &m->ag[a];
        marl_actor *ac = &m->actors[g->actor];
        rl_mlp *c = m->critic[g->spec.stream];
        const float *z = marl__forward(m, ac->net, marl__gather(m, g, d->rows, B, 0), B);
        for (int i = 0; i < B; i++)
            for (int k = 0; k < g->D; k++)
                d->X[i * in + off + k] = (float)marl__sigmoid(z[(size_t)i * g->D + k]);
        marl__forward(m, c, d->X, B);
        for (int i = 0; i < B; i++)
            d->dq[i] = -1.0f / (float)B; /* ascend Q */
        marl__backward_net(m, c, d->dq, B, d->dX);
        rl_mlp_zero_grads(c); /* the critic is not stepped here */
        for (int i = 0; i < B; i++)
            for (int k = 0; k < g->D; k++) {
                const double u = d->X[i * in + off + k];
                d->du[(size_t)i * g->D + k] = (float)(d->dX[i * in + off + k] * u * (1.0 - u));
                d->X[i * in + off + k] = (float)g->x[(size_t)d->rows[i] * g->D + k];
            }
        marl__backward_net(m, ac->net, d->du, B, NULL); /* its activations are z's */
        rl_clip_step(ac->opt, rl_mlp_params(ac->net), rl_mlp_grads(ac->net), m->p.max_grad_norm);
        rl_mlp_zero_grads(ac->net);
        off += (size_t)g->D;
    }
}

static void dd__update(sched_marl *m)
{
    const double t0 = dtfl_now();
    struct marl_dd *d = m->dd;
    const int B = m->p.batch;
    dtfl_rng r;
    dtfl_rng_init(&r, m->p.seed, DTFL_STREAM_POLICY, DD_ENTITY - 1u, (uint32_t)m->updates);
    /* rows with a successor: all held but the newest */
    const int oldest = d->size < m->N ? 0 : d->head;
    for (int i = 0; i < B; i++)
        d->rows[i] = (oldest + (int)dtfl_rng_below(&r, (uint32_t)(d->size - 1))) % m->N;
    dd__critics(m, B);
    dd__actors(m, B);
    for (int i = 0; i < m->nactors; i++)
        rl_mlp_soft_update(d->actor_t[i], m->actors[i].net, m->p.tau);
    for (int s = 0; s < m->streams; s++)
        rl_mlp_soft_update(d->critic_t[s], m->critic[s], m->p.tau);
    m->updates++;
    m->count.updates++;
    m->count.update_seconds += dtfl_now() - t0;
}

void marl__dd_feedback(sched_marl *m, const double *reward, int done)
{
    struct marl_dd *d = m->dd;
    memcpy(m->reward + (size_t)d->head * m->streams, reward,
           sizeof(double) * (size_t)m->streams);
    m->done[d->head] = (uint8_t)(done != 0);
    d->head = (d->head + 1) % m->N;
    d->size = d->size < m->N ? d->size + 1 : m->N;
    m->at = d->head;
    m->n = d->size;
    m->step++;
    if (m->step >= (uint64_t)m->p.warmup && m->step % (uint64_t)m->p.train_every == 0 &&
        d->size > m->p.batch)
        dd__update(m);
}
