/*
 * rl_happo.c - the updates of the multi-agent learners (rl_marl.c holds
 * the agents and the rollout): GAE per reward stream (eq. 31), then
 *
 *   HAPPO (Kuba et al. 2022; HARL's on_policy_ha_runner): the agents in a
 *   random order (a permutation per update, or fixed); agent u takes Rp
 *   epochs of Adam on
 *       L(theta_u) = -mean(F min(r_u A, clip(r_u, 1 +- eps) A)) - psi mean(H_u)
 *   (eq. 30, r_u = pi_u(new) / pi_u(rollout), the ratio of its whole action:
 *   the product over its values), then F *= r_u at its new parameters
 *   (detached), so the next agent sees the product of the ratios before it;
 *   F starts at 1. marl.order: per_epoch is Algorithm 1 as printed: each
 *   epoch a new permutation, F from 1, every agent one epoch in turn.
 *   MAPPO: F = 1 for every agent; actors shared by type take the samples
 *   of all their agents.
 *
 * then each stream's critic takes Rp epochs of Adam on 1/2 (V(s) - R)^2,
 * R the GAE returns (HARL) or, marl.critic_target: td0, the paper's TD(0)
 * target r + gamma V(s') (32) at the rollout's critic.
 * An agent's advantage is its stream's, normalised over the batch. Every
 * loss term of a slot is multiplied by its weight (1 unless the caller set
 * one: sched_marl_weight).
 *
 * With several environments (marl.envs) the batch is every environment's
 * rollout: the learner holds its own environments' rollouts one after
 * another, computes each gradient (and the advantages' moments) per
 * environment, and sums the environments' rows in environment order after
 * gathering them (sched_marl_params.gather), so every learner takes the
 * same Adam steps whatever the rank count.
 */
#include "marl_int.h"

#include <math.h>
#include <string.h>

/* ---- environments' rows (marl.envs) ---- */

/* The global environment of this learner's j-th rollout. */
static int happo__env(const sched_marl *m, int j)
{
    return m->p.env_rank + j * m->p.env_ranks;
}

/* Every learner gets every environment's row (its own filled). */
static void happo__gather(sched_marl *m)
{
    if (m->p.gather != NULL)
        m->p.gather(m->p.gather_ctx, m->etab, m->p.envs, m->width);
}

/* g (n) = 0 + the rows' [off, off + n) summed in environment order. */
static void happo__sum_rows(const sched_marl *m, float *g, size_t n, size_t off)
{
    for (size_t k = 0; k < n; k++)
        g[k] = 0.0f;
    for (int e = 0; e < m->p.envs; e++) {
        const double *row = m->etab + (size_t)e * m->width + off;
        for (size_t k = 0; k < n; k++)
            g[k] += (float)row[k];
    }
}

static void happo__put_row(sched_marl *m, int j, const float *g, size_t n, size_t off)
{
    double *row = m->etab + (size_t)happo__env(m, j) * m->width + off;
    for (size_t k = 0; k < n; k++)
        row[k] = g[k];
}

/* Stream s's advantages: mean and standard deviation (+ 1e-8) over every
 * environment's rollout, each environment's sums gathered and added in
 * environment order. */
static void happo__env_moments(sched_marl *m, int s, double *mean, double *scale)
{
    const int R = m->p.rollout, S = m->streams;
    const double total = (double)R * m->p.envs;
    double mu = 0.0, var = 0.0;
    for (int pass = 0; pass < 2; pass++) {
        for (int j = 0; j < m->Er; j++) {
            double acc = 0.0;
            for (int i = j * R; i < (j + 1) * R; i++) {
                const double d = m->adv[(size_t)i * S + s] - (pass ? mu : 0.0);
                acc += pass ? d * d : d;
            }
            m->etab[(size_t)happo__env(m, j) * m->width] = acc;
        }
        happo__gather(m);
        double sum = 0.0;
        for (int e = 0; e < m->p.envs; e++)
            sum += m->etab[(size_t)e * m->width];
        if (pass)
            var = sum;
        else
            mu = sum / total;
    }
    *mean = mu;
    *scale = sqrt(var / (total - 1)) + 1e-8;
}

/* Eq. 31 per stream: A = delta + gamma lambda A', R = A + V (td0: R = r +
 * gamma V(s'), eq. 32); an episode's end is terminal; then A normalised
 * over the batch. */
static void happo__gae(sched_marl *m, const float *next_state)
{
    const int N = m->n, S = m->streams;
    const size_t sd = (size_t)m->p.state_dim;
    const int boot = next_state != NULL;
    if (boot)
        memcpy(m->state + (size_t)N * sd, next_state, sizeof(float) * sd);
    /* with several environments, one forward per environment's rollout: a
     * GEMM's rounding may depend on its batch, and each environment's
     * values must not depend on which others share the learner */
    const int seg = m->etab != NULL ? m->p.rollout : N + boot;
    for (int s = 0; s < S; s++) {
        for (int i0 = 0; i0 < N + boot; i0 += seg) {
            const int B = N + boot - i0 < seg ? N + boot - i0 : seg;
            const float *out = marl__forward(m, m->critic[s], m->state + (size_t)i0 * sd, B);
            for (int i = 0; i < B; i++)
                m->vals[i0 + i] = out[i];
        }
        double last = 0.0;
        for (int i = N - 1; i >= 0; i--) {
            const double go = m->done[i] ? 0.0 : 1.0;
            const double vnext = i + 1 < N + boot ? m->vals[i + 1] : 0.0;
            const double delta = m->reward[(size_t)i * S + s] + m->p.gamma * vnext * go -
                                 m->vals[i];
            last = delta + m->p.gamma * m->p.lambda * go * last;
            m->adv[(size_t)i * S + s] = last;
            m->ret[(size_t)i * S + s] = m->p.td0 ? delta + m->vals[i] : last + m->vals[i];
        }
        if (!m->p.norm_adv || N * m->p.envs / m->Er < 2)
            continue;
        double mean, scale;
        if (m->etab != NULL) {
            happo__env_moments(m, s, &mean, &scale);
        } else {
            double var = 0.0;
            mean = 0.0;
            for (int i = 0; i < N; i++)
                mean += m->adv[(size_t)i * S + s];
            mean /= N;
            for (int i = 0; i < N; i++) {
                const double d = m->adv[(size_t)i * S + s] - mean;
                var += d * d;
            }
            scale = sqrt(var / (N - 1)) + 1e-8;
        }
        for (int i = 0; i < N; i++)
            m->adv[(size_t)i * S + s] = (m->adv[(size_t)i * S + s] - mean) / scale;
    }
}

/* Whether sample n of agent g counts: with masks on, a sample where none
 * of its values acted has logp 0, H 0 and no gradient, so it is skipped. */
static int happo__acted(const sched_marl *m, const marl_agent *g, int n)
{
    if (!m->p.mask_inactive)
        return 1;
    const uint8_t *mk = g->mask + (size_t)n * g->D;
    for (int d = 0; d < g->D; d++)
        if (mk[d])
            return 1;
    return 0;
}

/* Of the B samples idx (NULL: 0..B-1), those where g acted, into m->act;
 * returns how many. */
static int happo__active(sched_marl *m, const marl_agent *g, const int *idx, int B)
{
    int n = 0;
    for (int i = 0; i < B; i++) {
        const int k = idx != NULL ? idx[i] : i;
        if (happo__acted(m, g, k))
            m->act[n++] = k;
    }
    return n;
}

/* Agent g's log-probabilities of its recorded values (N), at its actor's
 * current parameters; 0 where it did not act. One forward per
 * environment's rollout when there are several (see happo__gae). */
static void happo__logp(sched_marl *m, marl_agent *g, double *lp)
{
    marl_actor *ac = &m->actors[g->actor];
    const int nout = rl_mlp_nout(ac->net), seg = m->etab != NULL ? m->p.rollout : m->n;
    memset(lp, 0, sizeof(double) * (size_t)m->n);
    for (int i0 = 0; i0 < m->n; i0 += seg) {
        for (int k = 0; k < seg && i0 + k < m->n; k++)
            m->idx[k] = i0 + k;
        const int B = happo__active(m, g, m->idx, seg < m->n - i0 ? seg : m->n - i0);
        if (B == 0)
            continue;
        const float *out = marl__forward(m, ac->net, marl__gather(m, g, m->act, B, 0), B);
        for (int i = 0; i < B; i++) {
            const int n = m->act[i];
            lp[n] = marl__logp(m, g, out + (size_t)i * nout, g->x + (size_t)n * g->D,
                               g->mask + (size_t)n * g->D, NULL);
        }
    }
}

/* The surrogate's gradient for agent g on the minibatch idx (B samples)
 * into its actor's grads (not zeroed here), each sample weighing its
 * weight / count; the samples where g did not act add nothing and are
 * skipped. */
static void happo__surrogate(sched_marl *m, marl_agent *g, const int *idx, int B,
                             double count, sched_marl_stats *st)
{
    marl_actor *ac = &m->actors[g->actor];
    const int nout = rl_mlp_nout(ac->net), S = m->streams;
    B = happo__active(m, g, idx, B);
    if (B == 0)
        return;
    const float *out = marl__forward(m, ac->net, marl__gather(m, g, m->act, B, 0), B);
    memset(m->dout, 0, sizeof(float) * (size_t)B * nout);
    for (int i = 0; i < B; i++) {
        const int n = m->act[i];
        const double *x = g->x + (size_t)n * g->D;
        const uint8_t *mk = g->mask + (size_t)n * g->D;
        double H;
        const double lp = marl__logp(m, g, out + (size_t)i * nout, x, mk, &H);
        const double r = exp(lp - g->lp_old[n]), A = m->adv[(size_t)n * S + g->spec.stream];
        const double F = m->p.algo == SCHED_MARL_HAPPO ? m->factor[n] : 1.0;
        const double rc = fmin(fmax(r, 1.0 - m->p.clip), 1.0 + m->p.clip);
        const int active = r * A <= rc * A; /* the min takes the unclipped term */
        const double w = m->weight[n]; /* 1 leaves every product exact */
        st->pg_loss -= w * F * fmin(r * A, rc * A) / count;
        st->entropy += w * H / count;
        st->clipfrac += (fabs(r - 1.0) > m->p.clip) / count;
        marl__backward(m, g, out + (size_t)i * nout, x, mk,
                       active ? -w * F * r * A / count : 0.0, -m->p.ent_coef * w / count,
                       m->dout + (size_t)i * nout);
    }
    marl__backward_net(m, ac->net, m->dout, B, NULL);
}

/* Fisher-Yates over 0..N-1, keyed by (seed, POLICY, what, update). */
static void happo__shuffle(sched_marl *m, int *idx, int N, uint32_t what)
{
    dtfl_rng r;
    dtfl_rng_init(&r, m->p.seed, DTFL_STREAM_POLICY, 0x4E000000u + what, (uint32_t)m->updates);
    for (int i = 0; i < N; i++)
        idx[i] = i;
    for (int i = N - 1; i > 0; i--) {
        const int j = (int)dtfl_rng_below(&r, (uint32_t)(i + 1)), t = idx[i];
        idx[i] = idx[j], idx[j] = t;
    }
}

/* One step of an actor's optimisers. */
static void happo__step(sched_marl *m, marl_actor *ac)
{
    rl_clip_step(ac->opt, rl_mlp_params(ac->net), rl_mlp_grads(ac->net), m->p.max_grad_norm);
    rl_mlp_zero_grads(ac->net);
    if (ac->s != NULL) {
        rl_clip_step(ac->opt_s, ac->s, ac->gs, m->p.max_grad_norm);
        memset(ac->gs, 0, sizeof(float) * (size_t)ac->D);
    }
}

/* One step of actor i on every environment's rollout: each environment's
 * gradient on its row, gathered, summed in environment order. */
static void happo__env_step(sched_marl *m, int i, const int *list, int n,
                            sched_marl_stats *st)
{
    marl_actor *ac = &m->actors[i];
    const int R = m->p.rollout;
    const size_t np = rl_mlp_nparams(ac->net);
    const double count = (double)R * m->p.envs * n * m->p.epochs;
    for (int j = 0; j < m->Er; j++) {
        rl_mlp_zero_grads(ac->net);
        if (ac->s != NULL)
            memset(ac->gs, 0, sizeof(float) * (size_t)ac->D);
        for (int k = 0; k < n; k++)
            happo__surrogate(m, &m->ag[list[k]], m->idx + (size_t)j * R, R, count, st);
        happo__put_row(m, j, rl_mlp_grads(ac->net), np, 0);
        if (ac->s != NULL)
            happo__put_row(m, j, ac->gs, (size_t)ac->D, np);
    }
    happo__gather(m);
    happo__sum_rows(m, rl_mlp_grads(ac->net), np, 0);
    if (ac->s != NULL)
        happo__sum_rows(m, ac->gs, (size_t)ac->D, np);
    happo__step(m, ac);
}

/* Epochs e0..e1-1 of actor i on the samples of its agents in list (n of
 * them). */
static void happo__train_actor(sched_marl *m, int i, const int *list, int n, int e0,
                               int e1, sched_marl_stats *st)
{
    marl_actor *ac = &m->actors[i];
    const int N = m->n, mb = m->p.minibatches, B = N / mb;
    if (m->etab != NULL) { /* several environments (one minibatch) */
        for (int k = 0; k < N; k++)
            m->idx[k] = k;
        for (int e = e0; e < e1; e++)
            happo__env_step(m, i, list, n, st);
        return;
    }
    rl_mlp_zero_grads(ac->net);
    for (int e = e0; e < e1; e++) {
        if (mb > 1)
            happo__shuffle(m, m->idx, N, (uint32_t)(i * 1000 + e));
        else
            for (int k = 0; k < N; k++)
                m->idx[k] = k;
        for (int b = 0; b < mb; b++) {
            for (int k = 0; k < n; k++)
                happo__surrogate(m, &m->ag[list[k]], m->idx + (size_t)b * B, B,
                                 (double)B * n * m->p.epochs * mb, st);
            happo__step(m, ac);
        }
    }
}

/* 1/2 (V - R)^2's gradient for critic s on B rows into its grads, each
 * sample weighing its weight / count: rows ix[k] (gathered into scratch),
 * or rows i0 .. i0 + B - 1 when ix is NULL. */
static void happo__critic_grad(sched_marl *m, int s, const int *ix, int i0, int B,
                               double count, sched_marl_stats *st)
{
    const int S = m->streams;
    const size_t sd = (size_t)m->p.state_dim;
    rl_mlp *c = m->critic[s];
    const float *in = m->state + (size_t)i0 * sd;
    if (ix != NULL) {
        for (int k = 0; k < B; k++)
            memcpy(m->xb + (size_t)k * sd, m->state + (size_t)ix[k] * sd, sizeof(float) * sd);
        in = m->xb;
    }
    const float *v = marl__forward(m, c, in, B);
    for (int k = 0; k < B; k++) {
        const int n = ix != NULL ? ix[k] : i0 + k;
        const double d = v[k] - m->ret[(size_t)n * S + s], w = m->weight[n];
        m->dout[k] = (float)(w * d / count);
        st->v_loss += 0.5 * w * d * d / (count * m->p.minibatches * m->p.epochs * S);
    }
    marl__backward_net(m, c, m->dout, B, NULL);
}

/* Rp epochs of each stream's critic over every environment's rollout. */
static void happo__env_critics(sched_marl *m, sched_marl_stats *st)
{
    const int R = m->p.rollout;
    const double count = (double)R * m->p.envs;
    for (int s = 0; s < m->streams; s++) {
        rl_mlp *c = m->critic[s];
        const size_t np = rl_mlp_nparams(c);
        for (int e = 0; e < m->p.epochs; e++) {
            for (int j = 0; j < m->Er; j++) {
                rl_mlp_zero_grads(c);
                happo__critic_grad(m, s, NULL, j * R, R, count, st);
                happo__put_row(m, j, rl_mlp_grads(c), np, 0);
            }
            happo__gather(m);
            happo__sum_rows(m, rl_mlp_grads(c), np, 0);
            rl_clip_step(m->copt[s], rl_mlp_params(c), rl_mlp_grads(c), m->p.max_grad_norm);
        }
        rl_mlp_zero_grads(c);
    }
}

/* Rp epochs of each stream's critic on 1/2 (V - R)^2. */
static void happo__train_critics(sched_marl *m, sched_marl_stats *st)
{
    if (m->etab != NULL) {
        happo__env_critics(m, st);
        return;
    }
    const int N = m->n, mb = m->p.minibatches, B = N / mb;
    for (int s = 0; s < m->streams; s++) {
        rl_mlp *c = m->critic[s];
        rl_mlp_zero_grads(c);
        for (int e = 0; e < m->p.epochs; e++) {
            if (mb > 1)
                happo__shuffle(m, m->idx, N, 0x8000u + (uint32_t)(s * 1000 + e));
            for (int b = 0; b < mb; b++) {
                happo__critic_grad(m, s, mb > 1 ? m->idx + (size_t)b * B : NULL, 0, B, B, st);
                rl_clip_step(m->copt[s], rl_mlp_params(c), rl_mlp_grads(c), m->p.max_grad_norm);
                rl_mlp_zero_grads(c);
            }
        }
    }
}

/* Agent u's turn: epochs e0..e1-1 weighted by the factor, then the factor
 * times its ratio at its new parameters (detached) for the next agent. */
static void happo__turn(sched_marl *m, int u, int e0, int e1, double *fsum,
                        sched_marl_stats *st)
{
    const int N = m->n;
    for (int i = 0; i < N; i++)
        *fsum += m->factor[i] / ((double)N * m->p.agents);
    happo__train_actor(m, m->ag[u].actor, &u, 1, e0, e1, st);
    happo__logp(m, &m->ag[u], m->lp_new);
    for (int i = 0; i < N; i++)
        m->factor[i] *= exp(m->lp_new[i] - m->ag[u].lp_old[i]);
    if (m->p.turn_hook != NULL)
        m->p.turn_hook(m->p.turn_ctx, m, u);
}

/* Algorithm 1 as printed (marl.order: per_epoch): every epoch a new
 * permutation and the factor from 1, each agent one epoch in turn. */
static void happo__per_epoch(sched_marl *m, int *order, double *fsum, sched_marl_stats *st)
{
    for (int e = 0; e < m->p.epochs; e++) {
        happo__shuffle(m, order, m->p.agents, 0x7F00u + (uint32_t)e);
        for (int i = 0; i < m->n; i++)
            m->factor[i] = 1.0;
        for (int k = 0; k < m->p.agents; k++)
            happo__turn(m, order[k], e, e + 1, fsum, st);
    }
    *fsum /= m->p.epochs;
}

void sched_marl_update(sched_marl *m, const float *next_state, sched_marl_stats *st)
{
    sched_marl_stats local;
    st = st != NULL ? st : &local;
    memset(st, 0, sizeof *st);
    if (m->n == 0)
        return;
    const double t0 = dtfl_now();
    const int N = m->n, A = m->p.agents;
    happo__gae(m, next_state);
    for (int a = 0; a < A; a++) /* the rollout's log-probabilities */
        happo__logp(m, &m->ag[a], m->ag[a].lp_old);
    for (int i = 0; i < N; i++)
        m->factor[i] = 1.0;
    int order[RL_MAX_CHOICES], list[RL_MAX_CHOICES];
    if (m->p.algo == SCHED_MARL_HAPPO && m->p.order == SCHED_MARL_PER_UPDATE)
        happo__shuffle(m, order, A, 0x7FFFu);
    else
        for (int a = 0; a < A; a++)
            order[a] = a;
    double fsum = 0.0;
    const int per_epoch = m->p.algo == SCHED_MARL_HAPPO && m->p.order == SCHED_MARL_PER_EPOCH;
    if (per_epoch)
        happo__per_epoch(m, order, &fsum, st);
    for (int k = 0; k < A && !per_epoch; k++) {
        const int u = order[k];
        if (m->p.algo == SCHED_MARL_HAPPO) {
            happo__turn(m, u, 0, m->p.epochs, &fsum, st);
            continue;
        }
        int n = 0; /* MAPPO: actor u's agents, once per actor */
        for (int a = 0; a < A; a++)
            if (m->ag[a].actor == u)
                list[n++] = a;
        if (n > 0)
            happo__train_actor(m, u, list, n, 0, m->p.epochs, st);
    }
    happo__train_critics(m, st);
    st->factor_mean = m->p.algo == SCHED_MARL_HAPPO ? fsum : 1.0;
    st->updates = 1;
    m->updates++;
    m->n = m->at = 0;
    st->seconds = dtfl_now() - t0;
    m->count.update_seconds += st->seconds;
    m->count.updates++;
}
