/*
 * rl.h - internal to sched/: the reinforcement-learning library the learned
 * policies are built from. One MLP (on fl's dense, tanh and ReLU layers),
 * one Adam, action heads, an actor-critic core that is PPO-clip with GAE or
 * advantage actor-critic depending on its parameters, and DDPG with a replay
 * buffer and target networks.
 *
 * Defaults and names follow CleanRL's ppo.py and ddpg_continuous_action.py
 * (orthogonal initialisation with gains sqrt(2) / 0.01 / 1, Adam eps 1e-5,
 * advantage normalisation per minibatch, gradient-norm clipping, value
 * clipping, entropy bonus); every one is a parameter, none is hidden.
 *
 * Floats are float32 in networks and double in losses. Shapes in comments.
 */
#ifndef DTFL_SCHED_RL_H
#define DTFL_SCHED_RL_H

#include <stddef.h>
#include <stdint.h>

#include "sched.h"

/* ------------------------------------------------------------------------ */
/* MLP                                                                       */
/* ------------------------------------------------------------------------ */



/* Most choices (servers) of one categorical head: the heads keep one
 * group's probabilities on the stack. */
#define RL_MAX_CHOICES 1024

typedef struct rl_mlp rl_mlp;

/* nin -> hidden x layers (activation after each) -> nout (linear), for
 * batches of up to max_batch. All weights in one slab, all gradients in
 * another. */
int rl_mlp_create(rl_mlp **out, int nin, int hidden, int layers, int nout,
                  rl_act act, int max_batch, dtfl_err *err);
/* The same with per-layer widths hidden (layers), e.g. HAPPO's [128, 64];
 * 0 layers is a linear map (tabular policies in tests). */
int rl_mlp_create_sizes(rl_mlp **out, int nin, const int *hidden, int layers,
                        int nout, rl_act act, int max_batch, dtfl_err *err);
void rl_mlp_destroy(rl_mlp *m);
int rl_mlp_nin(const rl_mlp *m);
int rl_mlp_nout(const rl_mlp *m);
size_t rl_mlp_nparams(const rl_mlp *m);
float *rl_mlp_params(rl_mlp *m);
float *rl_mlp_grads(rl_mlp *m);
void rl_mlp_zero_grads(rl_mlp *m);
/* Orthogonal weights (gain `hidden_gain` on hidden layers, `out_gain` on the
 * output layer), zero biases, keyed by (seed, POLICY, entity). */
void rl_mlp_init(rl_mlp *m, double hidden_gain, double out_gain,
                 uint64_t seed, uint32_t entity);
/* x (B, nin) -> (B, nout); activations are kept for backward. */
const float *rl_mlp_forward(rl_mlp *m, const float *x, int B);
/* Gradients of the last forward: grads += from dout (B, nout); dx (B, nin)
 * receives the input gradient unless NULL. */
void rl_mlp_backward(rl_mlp *m, const float *dout, int B, float *dx);
/* A target network moved towards net: w_t = tau w + (1 - tau) w_t (the
 * same shapes; tau 1 copies). */
void rl_mlp_soft_update(rl_mlp *target, const rl_mlp *net, double tau);

/* ------------------------------------------------------------------------ */
/* GRU layer (rl_gru.c), PyTorch's nn.GRU convention                        */
/* ------------------------------------------------------------------------ */

typedef struct rl_gru rl_gru;

/* nin -> H units, batches of up to max_batch, backward through up to
 * max_steps steps. Parameters in PyTorch's order: W_ih (3H, nin), W_hh
 * (3H, H), b_ih (3H), b_hh (3H), gates [r; z; n]. */
int rl_gru_create(rl_gru **out, int nin, int H, int max_batch, int max_steps,
                  dtfl_err *err);
void rl_gru_destroy(rl_gru *g);
size_t rl_gru_nparams(const rl_gru *g);
float *rl_gru_params(rl_gru *g);
float *rl_gru_grads(rl_gru *g);
void rl_gru_zero_grads(rl_gru *g);
/* U(-1/sqrt(H), 1/sqrt(H)) keyed by (seed, POLICY, entity), as PyTorch. */
void rl_gru_init(rl_gru *g, uint64_t seed, uint32_t entity);
/* Step t (< max_steps) of a sequence: x (B, nin), h_prev (B, H) -> h
 * (B, H); what step t's backward needs is kept. */
void rl_gru_forward(rl_gru *g, int t, const float *x, const float *h_prev,
                    float *h, int B);
/* Step t's backward, latest step first: dh (B, H) is the loss gradient at
 * h_t (from above and from step t + 1); grads += dW, db; dx (B, nin)
 * receives the input gradient unless NULL; dh_prev (B, H) receives the
 * gradient at h_{t-1}. */
void rl_gru_backward(rl_gru *g, int t, const float *dh, float *dx,
                     float *dh_prev, int B);

/* ------------------------------------------------------------------------ */
/* Adam and gradient clipping                                               */
/* ------------------------------------------------------------------------ */

typedef struct rl_adam rl_adam;

int rl_adam_create(rl_adam **out, size_t n, double lr, double eps,
                   dtfl_err *err);
/* RMSprop in PyTorch's form (SB3's A2C): v = alpha v + (1 - alpha) g^2,
 * w -= lr g / (sqrt(v) + eps); stepped by rl_adam_step. */
int rl_rmsprop_create(rl_adam **out, size_t n, double lr, double alpha,
                      double eps, dtfl_err *err);
void rl_adam_destroy(rl_adam *a);
void rl_adam_set_lr(rl_adam *a, double lr);
/* w -= lr m_hat / (sqrt(v_hat) + eps), betas 0.9 and 0.999. */
void rl_adam_step(rl_adam *a, float *w, const float *g);
/* One step with g scaled so its L2 norm is at most max (none when max <=
 * 0), in one pass over the weights (g is left as it is); returns the norm
 * before. The same numbers as rl_clip_grad_norm then rl_adam_step. */
double rl_clip_step(rl_adam *a, float *w, const float *g, double max);
/* Scales g so its L2 norm is at most max (no-op when max <= 0); returns the
 * norm before. */
double rl_clip_grad_norm(float *g, size_t n, double max);

/* ------------------------------------------------------------------------ */
/* Action heads (one sample at a time, double arithmetic)                   */
/* ------------------------------------------------------------------------ */

/* Factorised categorical: K independent choices among A, logits (K*A). The
 * log-probability of an action (K,) is the sum over the K choices. */
double rl_cat_logp(const float *logits, int K, int A, const int *act);
double rl_cat_entropy(const float *logits, int K, int A);
void rl_cat_sample(const float *logits, int K, int A, dtfl_rng *r, int *act);
void rl_cat_mode(const float *logits, int K, int A, int *act);
/* dlogits (K*A) += w_lp d logp / d logits + w_ent d entropy / d logits */
void rl_cat_backward(const float *logits, int K, int A, const int *act,
                     double w_lp, double w_ent, float *dlogits);
/* The same three from one log-softmax pass: lp (2*K*A) receives the
 * log-probabilities then the probabilities, *logp and *entropy the sums;
 * rl_cat_backward_lp then needs no exp of the logits again and weighs each
 * choice's log-probability by its own w_lp[k] (K). */
void rl_cat_eval(const float *logits, int K, int A, const int *act,
                 double *lp, double *logp, double *entropy);
void rl_cat_backward_lp(const double *lp, int K, int A, const int *act,
                        const double *w_lp, double w_ent, float *dlogits);

/* Diagonal Gaussian: mean (D) from the network, log_std (D) a free
 * parameter. */
double rl_gauss_logp(const float *mean, const float *log_std, int D,
                     const float *a);
double rl_gauss_entropy(const float *log_std, int D);
void rl_gauss_sample(const float *mean, const float *log_std, int D,
                     dtfl_rng *r, float *a);
/* dmean, dlog_std (D) += w_lp d logp + w_ent d entropy */
void rl_gauss_backward(const float *mean, const float *log_std, int D,
                       const float *a, double w_lp, double w_ent,
                       float *dmean, float *dlog_std);

/* Mixed (rl_mixed.c): n blocks on consecutive slices of out; categorical
 * choices consecutive in act_i, Gaussian values (and their log_std) in
 * act_f, block by block; sums over the blocks. act with r NULL: the mode. */
int rl_mix_nout(const rl_block *b, int n);
int rl_mix_ncat(const rl_block *b, int n);
int rl_mix_ngauss(const rl_block *b, int n);
double rl_mix_logp(const rl_block *b, int n, const float *out,
                   const float *log_std, const int *act_i, const float *act_f);
double rl_mix_entropy(const rl_block *b, int n, const float *out,
                      const float *log_std);
void rl_mix_act(const rl_block *b, int n, const float *out, const float *log_std,
                dtfl_rng *r, int *act_i, float *act_f);
/* dout (nout), dlog_std (ngauss) += w_lp d logp + w_ent d H */
void rl_mix_backward(const rl_block *b, int n, const float *out,
                     const float *log_std, const int *act_i, const float *act_f,
                     double w_lp, double w_ent, float *dout, float *dlog_std);

/* Beta: D values in (0, 1), outputs z (2D) interleaved (z_a, z_b) per
 * value, a = 1 + softplus(z_a), b = 1 + softplus(z_b) (rl_beta.c). mask (D,
 * or NULL for all) leaves values out of logp, H and their gradients;
 * actions x are doubles. */
void rl_beta_ab(const float *z, int d, double *a, double *b);
double rl_beta_logp(const float *z, int D, const uint8_t *mask, const double *x);
double rl_beta_entropy(const float *z, int D, const uint8_t *mask);
/* dz (2D) += w_lp d logp / dz + w_ent d H / dz */
void rl_beta_backward(const float *z, int D, const uint8_t *mask,
                      const double *x, double w_lp, double w_ent, float *dz);
void rl_beta_sample(const float *z, int D, dtfl_rng *r, double *x);
/* The greedy action: each value's mean a / (a + b). */
void rl_beta_mean(const float *z, int D, double *x);
/* One value at (a, b) in double, x clamped as above: t = (logp, H,
 * dlogp/da, dlogp/db, dH/da, dH/db); what the head above chains to z. */
void rl_beta_terms(double a, double b, double x, double t[6]);
/* digamma and trigamma for x > 0 (rl_beta.c; within 1e-14 of GSL's). */
double rl_digamma(double x);
double rl_trigamma(double x);

/* ------------------------------------------------------------------------ */
/* Actor-critic: PPO-clip with GAE, or A2C                                   */
/* ------------------------------------------------------------------------ */

typedef struct rl_stats {
    double pg_loss, v_loss, entropy, approx_kl, clipfrac;
    double grad_norm_actor, grad_norm_critic;
    int updates;
} rl_stats;

typedef struct rl_ac rl_ac;

int rl_ac_create(rl_ac **out, const rl_ac_params *p, dtfl_err *err);
void rl_ac_destroy(rl_ac *a);
const rl_ac_params *rl_ac_params_of(const rl_ac *a);
/* Acts on obs (obs_dim): an action sampled from the policy, or its mode
 * when deterministic. act_i (K) for the categorical head, act_f (K) for the
 * Gaussian one; a mixed head's choices in act_i, values in act_f. While training (not deterministic) the step is recorded. */
void rl_ac_act(rl_ac *a, const float *obs, int deterministic, int *act_i,
               float *act_f);
/* The reward of the last recorded step; returns 1 when the rollout is full
 * and rl_ac_update is due. */
int rl_ac_observe(rl_ac *a, double reward, int done);
/* What rewards are divided by with norm_reward: the running std of the
 * discounted return (1 without norm_reward). */
double rl_ac_reward_scale(const rl_ac *a);
/* Updates from the rollout. next_obs (obs_dim) bootstraps the value when the
 * last step did not end an episode; may be NULL otherwise. */
void rl_ac_update(rl_ac *a, const float *next_obs, rl_stats *st);
/* Scales the learning rates (annealing): lr = base * frac. */
void rl_ac_set_lr_frac(rl_ac *a, double frac);

/* ------------------------------------------------------------------------ */
/* DDPG                                                                      */
/* ------------------------------------------------------------------------ */

typedef struct rl_ddpg rl_ddpg;

int rl_ddpg_create(rl_ddpg **out, const rl_ddpg_params *p, dtfl_err *err);
void rl_ddpg_destroy(rl_ddpg *d);
const rl_ddpg_params *rl_ddpg_params_of(const rl_ddpg *d);
/* Scores a (D) for obs: the actor's, plus noise (and uniform before
 * learning_starts) when exploring. */
void rl_ddpg_act(rl_ddpg *d, const float *obs, int explore, float *a);
/* Stores a transition and trains when due. */
void rl_ddpg_observe(rl_ddpg *d, const float *obs, const float *a,
                     double reward, const float *next_obs, int done,
                     rl_stats *st);

/* ------------------------------------------------------------------------ */
/* Policy files (rl_io.c)                                                   */
/* ------------------------------------------------------------------------ */

/* A policy file holds the algorithm's name, the sizes it was made for and
 * every network's weights, with magic, version and CRC. Loading checks each
 * against the policy it loads into and names what differs. */
int rl_ac_save(const rl_ac *a, const char *algo, uint8_t **buf, size_t *len,
               dtfl_err *err);
int rl_ac_load(rl_ac *a, const char *algo, const uint8_t *buf, size_t len,
               const char *name, dtfl_err *err);
int rl_ddpg_save(const rl_ddpg *d, uint8_t **buf, size_t *len, dtfl_err *err);
int rl_ddpg_load(rl_ddpg *d, const uint8_t *buf, size_t len, const char *name,
                 dtfl_err *err);

/* The networks of a policy, for policy files and tests; rl_ac_networks
 * returns how many log-std values there are. */
int rl_ac_networks(rl_ac *a, rl_mlp **actor, rl_mlp **critic, float **log_std);
int rl_ddpg_networks(rl_ddpg *d, rl_mlp **net, int max);

#endif /* DTFL_SCHED_RL_H */
