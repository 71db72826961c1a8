/*
 * rl_ac.c - the actor-critic core: PPO-clip with GAE (eqs. 32-38 of
 * 003_8fb9af7836691d5d.txt, in CleanRL's form) and, with other parameters,
 * advantage actor-critic (A2C: one epoch, one minibatch, no clipping; at
 * ratio 1 the clipped surrogate's gradient is A2C's A grad log pi).
 *
 * Rollout: obs (N, obs_dim), actions, log pi, V, rewards, dones for N steps.
 * Update: GAE advantages
 *     delta_t = r_t + gamma (1 - done_t) V(s_{t+1}) - V(s_t)        (eq. 32)
 *     A_t = delta_t + gamma lambda (1 - done_t) A_{t+1}              (eq. 33)
 * returns R_t = A_t + V(s_t); then `epochs` passes over shuffled minibatches
 * minimising, for the actor (its own Adam, lr_actor, eq. 37)
 *     max(-A r, -A clip(r, 1 - eps, 1 + eps)) - ent_coef H,  r = pi / pi_old
 * (eq. 34, advantages normalised per minibatch) and, for the critic (lr_critic,
 * eq. 38) vf_coef * 0.5 max((V - R)^2, (V_old + clip(V - V_old) - R)^2)
 * (eq. 36 with CleanRL's value clipping), each network's gradient clipped to
 * max_grad_norm.
 *
 * Heads: a factorised categorical, a diagonal Gaussian, or a mixed head of
 * blocks of either kind (rl_mixed.c: the log-probabilities of its blocks
 * summed, one ratio for the joint action). Optimiser: Adam, or RMSprop as
 * SB3's A2C uses it (p.rmsprop).
 */
#include "rl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

rl_ac_params rl_ppo_defaults(void)
{
    rl_ac_params p;
    memset(&p, 0, sizeof p);
    p.head = RL_HEAD_CATEGORICAL;
    p.hidden = 128;          /* 003: 128 neurons per hidden layer */
    p.layers = 2;
    p.act = RL_ACT_TANH;     /* CleanRL */
    p.lr_actor = 2.5e-4;     /* 003, Table II */
    p.lr_critic = 1.5e-3;    /* 003, Table II */
    p.adam_eps = 1e-5;       /* CleanRL */
    p.gamma = 0.98;          /* 003 */
    p.lambda = 0.9;          /* 003 */
    p.clip = 0.2;            /* 003 */
    p.clip_vloss = 1;        /* CleanRL */
    p.ent_coef = 0.0;        /* CleanRL (continuous), SB3 */
    p.vf_coef = 0.5;         /* CleanRL */
    p.max_grad_norm = 0.5;   /* CleanRL */
    p.norm_adv = 1;          /* CleanRL */
    p.norm_reward = 1;       /* CleanRL (continuous control) */
    p.epochs = 4;            /* CleanRL */
    p.minibatches = 1;       /* measured: see docs/diten.md */
    p.rollout = 32;          /* measured: see docs/diten.md */
    p.init_log_std = 0.0;
    p.hidden_gain = sqrt(2.0);
    p.actor_gain = 0.01;
    p.critic_gain = 1.0;
    p.seed = 1;
    return p;
}

rl_ac_params rl_a2c_defaults(void)
{
    rl_ac_params p = rl_ppo_defaults();
    /* Stable-Baselines3 A2C: 5-step rollouts, one gradient step each, no
     * clipping, no advantage normalisation, lr 7e-4, gae 1, ent 0 */
    p.lr_actor = 7e-4;
    p.lr_critic = 7e-4;
    p.lambda = 1.0;
    p.clip = 0.0;
    p.clip_vloss = 0;
    p.ent_coef = 0.0;
    p.norm_adv = 0;
    p.norm_reward = 0;
    p.epochs = 1;
    p.minibatches = 1;
    p.rollout = 5;
    return p;
}

struct rl_ac {
    rl_ac_params p;
    int ki, kf;              /* lengths of act_i and act_f (and log_std) */
    rl_mlp *actor, *critic;
    rl_adam *opt_actor, *opt_critic, *opt_std;
    float *log_std;          /* (kf) Gaussian values */
    float *dlog_std;         /* (kf) */
    dtfl_rng rng;            /* sampling and minibatch order */
    /* reward scaling: running mean and variance of the discounted return */
    double rn_ret, rn_mean, rn_var, rn_count;
    /* rollout of N = p.rollout steps */
    int n;                   /* steps recorded */
    int pending;             /* an action waits for its reward */
    float *obs;              /* (N, obs_dim) */
    int *act_i;              /* (N, ki) */
    float *act_f;            /* (N, kf) */
    double *logp, *value, *reward, *adv, *ret; /* (N) each */
    double *logp_k;          /* (N, K) per choice, categorical head */
    int *done;               /* (N) */
    /* minibatch scratch */
    int *perm;               /* (N) */
    float *mb_obs;           /* (mb, obs_dim) */
    double *lp;              /* (2, K*A) log-probabilities and probabilities
                                of one sample */
    double *w_k;             /* (K) gradient weight of each choice's log pi */
    float *dout;             /* (mb, K*A) */
};

void rl_ac_destroy(rl_ac *a)
{
    if (a == NULL)
        return;
    rl_mlp_destroy(a->actor);
    rl_mlp_destroy(a->critic);
    rl_adam_destroy(a->opt_actor);
    rl_adam_destroy(a->opt_critic);
    rl_adam_destroy(a->opt_std);
    free(a->log_std);
    free(a->obs);
    free(a->act_i);
    free(a->act_f);
    free(a->logp);
    free(a->done);
    free(a->perm);
    free(a->mb_obs);
    free(a->dout);
    free(a->lp);
    free(a->logp_k);
    free(a->w_k);
    free(a);
}

static int ac__nout(const rl_ac_params *p)
{
    if (p->head == RL_HEAD_MIXED)
        return rl_mix_nout(p->block, p->nblocks);
    return p->head == RL_HEAD_CATEGORICAL ? p->K * p->A : p->K;
}

/* A mixed head's blocks: 1 to RL_MAX_BLOCKS, each with choices or values. */
static int ac__blocks_ok(const rl_ac_params *p)
{
    if (p->head != RL_HEAD_MIXED)
        return 1;
    if (p->nblocks < 1 || p->nblocks > RL_MAX_BLOCKS)
        return 0;
    for (int i = 0; i < p->nblocks; i++)
        if (p->block[i].K < 1 ||
            (!p->block[i].gauss && (p->block[i].A < 2 || p->block[i].A > RL_MAX_CHOICES)))
            return 0;
    return 1;
}

/* The optimiser of n weights at learning rate lr. */
static int ac__opt(rl_adam **out, const rl_ac_params *p, size_t n, double lr,
                   dtfl_err *err)
{
    return p->rmsprop ? rl_rmsprop_create(out, n, lr, p->rms_alpha, p->adam_eps, err)
                      : rl_adam_create(out, n, lr, p->adam_eps, err);
}

int rl_ac_create(rl_ac **out, const rl_ac_params *p, dtfl_err *err)
{
    *out = NULL;
    if (p->obs_dim < 1 || (p->K < 1 && p->head != RL_HEAD_MIXED) ||
        (p->head == RL_HEAD_CATEGORICAL && (p->A < 2 || p->A > RL_MAX_CHOICES)) ||
        !ac__blocks_ok(p) || p->rollout < 1 || p->minibatches < 1 ||
        p->minibatches > p->rollout || p->epochs < 1)
        return dtfl_err_set(err, DTFL_ERANGE,
                            "actor-critic: obs %d, K %d, A %d, rollout %d, "
                            "minibatches %d",
                            p->obs_dim, p->K, p->A, p->rollout, p->minibatches);
    rl_ac *a = calloc(1, sizeof *a);
    if (a == NULL)
        return dtfl_err_set(err, DTFL_ENOMEM, "actor-critic: out of memory");
    a->p = *p;
    const int mixed = p->head == RL_HEAD_MIXED;
    a->ki = mixed ? rl_mix_ncat(p->block, p->nblocks) : p->K;
    a->kf = mixed ? rl_mix_ngauss(p->block, p->nblocks) : p->K;
    const int N = p->rollout, nout = ac__nout(p), D = p->obs_dim;
    const int mb = (N + p->minibatches - 1) / p->minibatches;
    const size_t ki = (size_t)(a->ki > 0 ? a->ki : 1), kf = (size_t)(a->kf > 0 ? a->kf : 1);
    int rc;
    if ((rc = rl_mlp_create(&a->actor, D, p->hidden, p->layers, nout, p->act, mb, err)) < 0 ||
        (rc = rl_mlp_create(&a->critic, D, p->hidden, p->layers, 1, p->act, mb, err)) < 0 ||
        (rc = ac__opt(&a->opt_actor, p, rl_mlp_nparams(a->actor), p->lr_actor, err)) < 0 ||
        (rc = ac__opt(&a->opt_critic, p, rl_mlp_nparams(a->critic), p->lr_critic, err)) < 0 ||
        (rc = ac__opt(&a->opt_std, p, kf, p->lr_actor, err)) < 0)
        goto fail;
    a->log_std = calloc(2 * kf, sizeof(float));
    a->obs = calloc((size_t)N * D, sizeof(float));
    a->act_i = calloc((size_t)N * ki, sizeof(int));
    a->act_f = calloc((size_t)N * kf, sizeof(float));
    a->logp = calloc(5 * (size_t)N, sizeof(double));
    a->done = calloc((size_t)N, sizeof(int));
    a->perm = calloc((size_t)N, sizeof(int));
    a->mb_obs = calloc((size_t)mb * D, sizeof(float));
    a->dout = calloc((size_t)mb * nout, sizeof(float));
    a->lp = calloc(2 * (size_t)nout, sizeof(double));
    a->logp_k = calloc((size_t)N * ki, sizeof(double));
    a->w_k = calloc(ki, sizeof(double));
    if (a->log_std == NULL || a->obs == NULL || a->act_i == NULL ||
        a->act_f == NULL || a->logp == NULL || a->done == NULL ||
        a->perm == NULL || a->mb_obs == NULL || a->dout == NULL ||
        a->lp == NULL || a->logp_k == NULL || a->w_k == NULL) {
        rc = dtfl_err_set(err, DTFL_ENOMEM, "actor-critic: out of memory");
        goto fail;
    }
    a->dlog_std = a->log_std + kf;
    a->value = a->logp + N;
    a->reward = a->value + N;
    a->adv = a->reward + N;
    a->ret = a->adv + N;
    for (size_t k = 0; k < kf; k++)
        a->log_std[k] = (float)p->init_log_std;
    rl_mlp_init(a->actor, p->hidden_gain, p->actor_gain, p->seed, 1);
    rl_mlp_init(a->critic, p->hidden_gain, p->critic_gain, p->seed, 2);
    dtfl_rng_init(&a->rng, p->seed, DTFL_STREAM_POLICY, 3, 0);
    a->rn_var = 1.0;
    a->rn_count = 1e-4;      /* as gym's RunningMeanStd */
    *out = a;
    return 0;
fail:
    rl_ac_destroy(a);
    return rc;
}

const rl_ac_params *rl_ac_params_of(const rl_ac *a) { return &a->p; }

int rl_ac_networks(rl_ac *a, rl_mlp **actor, rl_mlp **critic, float **log_std)
{
    *actor = a->actor;
    *critic = a->critic;
    *log_std = a->log_std;
    return a->kf; /* log-std values */
}

void rl_ac_set_lr_frac(rl_ac *a, double frac)
{
    rl_adam_set_lr(a->opt_actor, a->p.lr_actor * frac);
    rl_adam_set_lr(a->opt_std, a->p.lr_actor * frac);
    rl_adam_set_lr(a->opt_critic, a->p.lr_critic * frac);
}

void rl_ac_act(rl_ac *a, const float *obs, int deterministic, int *act_i,
               float *act_f)
{
    const rl_ac_params *p = &a->p;
    const float *out = rl_mlp_forward(a->actor, obs, 1);
    if (p->head == RL_HEAD_MIXED) {
        rl_mix_act(p->block, p->nblocks, out, a->log_std, deterministic ? NULL : &a->rng,
                   act_i, act_f);
    } else if (p->head == RL_HEAD_CATEGORICAL) {
        if (deterministic)
            rl_cat_mode(out, p->K, p->A, act_i);
        else
            rl_cat_sample(out, p->K, p->A, &a->rng, act_i);
    } else {
        if (deterministic)
            memcpy(act_f, out, sizeof(float) * (size_t)p->K);
        else
            rl_gauss_sample(out, a->log_std, p->K, &a->rng, act_f);
    }
    if (deterministic || a->n >= p->rollout)
        return;
    /* record the step: obs, action, log pi, V */
    int t = a->n;
    memcpy(a->obs + (size_t)t * p->obs_dim, obs, sizeof(float) * (size_t)p->obs_dim);
    if (p->head == RL_HEAD_MIXED) {
        memcpy(a->act_i + (size_t)t * a->ki, act_i, sizeof(int) * (size_t)a->ki);
        memcpy(a->act_f + (size_t)t * a->kf, act_f, sizeof(float) * (size_t)a->kf);
        a->logp[t] = rl_mix_logp(p->block, p->nblocks, out, a->log_std, act_i, act_f);
    } else if (p->head == RL_HEAD_CATEGORICAL) {
        memcpy(a->act_i + (size_t)t * p->K, act_i, sizeof(int) * (size_t)p->K);
        double h, *old = a->logp_k + (size_t)t * p->K;
        rl_cat_eval(out, p->K, p->A, act_i, a->lp, &a->logp[t], &h);
        for (int k = 0; k < p->K; k++)
            old[k] = a->lp[(size_t)k * p->A + act_i[k]];
    } else {
        memcpy(a->act_f + (size_t)t * p->K, act_f, sizeof(float) * (size_t)p->K);
        a->logp[t] = rl_gauss_logp(out, a->log_std, p->K, act_f);
    }
    a->value[t] = rl_mlp_forward(a->critic, obs, 1)[0];
    a->pending = 1;
}

/* CleanRL's reward normalisation (gym's NormalizeReward): fold the reward
 * into the discounted return, update that return's running variance
 * (Chan et al.'s parallel update with one sample) and scale the reward by
 * its standard deviation. */
static double ac__scale_reward(rl_ac *a, double r, int done)
{
    a->rn_ret = a->rn_ret * a->p.gamma + r;
    double n = a->rn_count + 1.0, d = a->rn_ret - a->rn_mean;
    a->rn_mean += d / n;
    a->rn_var = (a->rn_var * a->rn_count + d * d * a->rn_count / n) / n;
    a->rn_count = n;
    if (done)
        a->rn_ret = 0.0;
    double s = r / sqrt(a->rn_var + 1e-8);
    return s > 10.0 ? 10.0 : (s < -10.0 ? -10.0 : s);
}

double rl_ac_reward_scale(const rl_ac *a)
{
    return a->p.norm_reward ? sqrt(a->rn_var + 1e-8) : 1.0;
}

int rl_ac_observe(rl_ac *a, double reward, int done)
{
    if (!a->pending)
        return a->n >= a->p.rollout;
    if (a->p.norm_reward)
        reward = ac__scale_reward(a, reward, done);
    a->reward[a->n] = reward;
    a->done[a->n] = done;
    a->n++;
    a->pending = 0;
    return a->n >= a->p.rollout;
}

/* GAE (eqs. 32-33) over the recorded steps. */
static void ac__advantages(rl_ac *a, double last_value)
{
    const double g = a->p.gamma, l = a->p.lambda;
    double next_adv = 0.0, next_value = last_value;
    for (int t = a->n - 1; t >= 0; t--) {
        double keep = a->done[t] ? 0.0 : 1.0;
        double delta = a->reward[t] + g * keep * next_value - a->value[t];
        a->adv[t] = delta + g * l * keep * next_adv;
        a->ret[t] = a->adv[t] + a->value[t];
        next_adv = a->adv[t];
        next_value = a->value[t];
    }
}

/* The clipped surrogate of eq. 34 for one ratio exp(logr) and normalised
 * advantage adv: adds its loss (over B) and clip statistics to st and
 * returns d loss / d log pi. The unclipped term carries the gradient unless
 * the clipped one is larger (then the loss is flat in the parameters). */
static double ac__surrogate(double adv, double logr, double clip, int B,
                            double scale, rl_stats *st)
{
    double ratio = exp(logr), l1 = -adv * ratio, l2 = l1;
    int clipped = 0;
    if (clip > 0) {
        double rc = ratio < 1 - clip ? 1 - clip : (ratio > 1 + clip ? 1 + clip : ratio);
        l2 = -adv * rc;
        clipped = l2 > l1;
    }
    st->pg_loss += (clipped ? l2 : l1) / B;
    st->approx_kl += ((ratio - 1.0) - logr) / B;
    st->clipfrac += scale * (clip > 0 && fabs(ratio - 1.0) > clip) / (double)B;
    return clipped ? 0.0 : -adv * ratio / B;
}

/* The actor's loss gradient for sample t of the minibatch, whose network
 * outputs are o, into dout (nout). */
static void ac__actor_sample(rl_ac *a, int t, const float *o, double adv, int B,
                             float *dout, rl_stats *st)
{
    const rl_ac_params *p = &a->p;
    double w_ent = -p->ent_coef / B; /* d/d H */
    if (p->head == RL_HEAD_MIXED) {
        const int *ai = a->act_i + (size_t)t * a->ki;
        const float *af = a->act_f + (size_t)t * a->kf;
        double lp = rl_mix_logp(p->block, p->nblocks, o, a->log_std, ai, af);
        st->entropy += rl_mix_entropy(p->block, p->nblocks, o, a->log_std) / B;
        double w = ac__surrogate(adv, lp - a->logp[t], p->clip, B, 1.0, st);
        rl_mix_backward(p->block, p->nblocks, o, a->log_std, ai, af, w, w_ent, dout,
                        a->dlog_std);
        return;
    }
    if (p->head == RL_HEAD_GAUSSIAN) {
        const float *act = a->act_f + (size_t)t * p->K;
        double lp = rl_gauss_logp(o, a->log_std, p->K, act);
        st->entropy += rl_gauss_entropy(a->log_std, p->K) / B;
        double w = ac__surrogate(adv, lp - a->logp[t], p->clip, B, 1.0, st);
        rl_gauss_backward(o, a->log_std, p->K, act, w, w_ent, dout, a->dlog_std);
        return;
    }
    const int *act = a->act_i + (size_t)t * p->K;
    double lp, h;
    rl_cat_eval(o, p->K, p->A, act, a->lp, &lp, &h);
    st->entropy += h / B;
    if (p->ratio_per_head) {
        const double *old = a->logp_k + (size_t)t * p->K;
        for (int k = 0; k < p->K; k++)
            a->w_k[k] = ac__surrogate(adv, a->lp[(size_t)k * p->A + act[k]] - old[k],
                                      p->clip, B, 1.0 / p->K, st);
    } else {
        double w = ac__surrogate(adv, lp - a->logp[t], p->clip, B, 1.0, st);
        for (int k = 0; k < p->K; k++)
            a->w_k[k] = w;
    }
    rl_cat_backward_lp(a->lp, p->K, p->A, act, a->w_k, w_ent, dout);
}

/* One minibatch: gradients of the actor's and the critic's losses. */
static void ac__minibatch(rl_ac *a, const int *idx, int B, rl_stats *st)
{
    const rl_ac_params *p = &a->p;
    const int D = p->obs_dim, nout = ac__nout(p);
    for (int b = 0; b < B; b++)
        memcpy(a->mb_obs + (size_t)b * D, a->obs + (size_t)idx[b] * D,
               sizeof(float) * (size_t)D);
    double mean = 0.0, var = 0.0;
    for (int b = 0; b < B; b++)
        mean += a->adv[idx[b]];
    mean /= B;
    for (int b = 0; b < B; b++)
        var += (a->adv[idx[b]] - mean) * (a->adv[idx[b]] - mean);
    double sd = B > 1 ? sqrt(var / (B - 1)) : 1.0;
    /* actor */
    const float *out = rl_mlp_forward(a->actor, a->mb_obs, B);
    memset(a->dout, 0, sizeof(float) * (size_t)B * nout);
    memset(a->dlog_std, 0, sizeof(float) * (size_t)(a->kf > 0 ? a->kf : 1));
    for (int b = 0; b < B; b++) {
        int t = idx[b];
        double adv = p->norm_adv ? (a->adv[t] - mean) / (sd + 1e-8) : a->adv[t];
        ac__actor_sample(a, t, out + (size_t)b * nout, adv, B,
                         a->dout + (size_t)b * nout, st);
    }
    rl_mlp_zero_grads(a->actor);
    rl_mlp_backward(a->actor, a->dout, B, NULL);
    st->grad_norm_actor = rl_clip_step(a->opt_actor, rl_mlp_params(a->actor),
                                       rl_mlp_grads(a->actor), p->max_grad_norm);
    if (p->head != RL_HEAD_CATEGORICAL && a->kf > 0) {
        rl_clip_grad_norm(a->dlog_std, (size_t)a->kf, p->max_grad_norm);
        rl_adam_step(a->opt_std, a->log_std, a->dlog_std);
    }
    /* critic */
    const float *v = rl_mlp_forward(a->critic, a->mb_obs, B);
    for (int b = 0; b < B; b++) {
        int t = idx[b];
        double d = v[b] - a->ret[t], grad = d;
        double loss = 0.5 * d * d;
        if (p->clip_vloss && p->clip > 0) {
            double dv = v[b] - a->value[t];
            double vc = a->value[t] + (dv < -p->clip ? -p->clip : (dv > p->clip ? p->clip : dv));
            double dc = vc - a->ret[t], lc = 0.5 * dc * dc;
            if (lc > loss) { /* the clipped loss is flat in v when clipped */
                loss = lc;
                grad = fabs(dv) > p->clip ? 0.0 : dc;
            }
        }
        st->v_loss += loss / B;
        a->dout[b] = (float)(p->vf_coef * grad / B);
    }
    rl_mlp_zero_grads(a->critic);
    rl_mlp_backward(a->critic, a->dout, B, NULL);
    st->grad_norm_critic = rl_clip_step(a->opt_critic, rl_mlp_params(a->critic),
                                        rl_mlp_grads(a->critic), p->max_grad_norm);
}

void rl_ac_update(rl_ac *a, const float *next_obs, rl_stats *st)
{
    memset(st, 0, sizeof *st);
    if (a->n == 0)
        return;
    const rl_ac_params *p = &a->p;
    double last = 0.0;
    if (!a->done[a->n - 1] && next_obs != NULL)
        last = rl_mlp_forward(a->critic, next_obs, 1)[0];
    ac__advantages(a, last);
    const int N = a->n, mb = (N + p->minibatches - 1) / p->minibatches;
    for (int e = 0; e < p->epochs; e++) {
        for (int i = 0; i < N; i++)
            a->perm[i] = i;
        for (int i = N - 1; i > 0; i--) {
            int j = (int)dtfl_rng_below(&a->rng, (uint32_t)i + 1), x = a->perm[i];
            a->perm[i] = a->perm[j];
            a->perm[j] = x;
        }
        for (int start = 0; start < N; start += mb) {
            int B = N - start < mb ? N - start : mb;
            ac__minibatch(a, a->perm + start, B, st);
            st->updates++;
        }
    }
    /* losses and statistics as means over minibatches */
    st->pg_loss /= st->updates;
    st->v_loss /= st->updates;
    st->entropy /= st->updates;
    st->approx_kl /= st->updates;
    st->clipfrac /= st->updates;
    a->n = 0;
    a->pending = 0;
}
