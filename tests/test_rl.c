/*
 * test_rl.c - the RL library: finite-difference checks of the MLP (weights
 * and inputs, tanh and ReLU), of the categorical and Gaussian heads, and of
 * PPO's clipped-surrogate and value gradients against the loss written out
 * here independently; each algorithm must solve a contextual bandit whose
 * optimum is known; policy files round-trip and refuse another shape.
 *
 * Tolerances: the MLP runs in float32, so its finite differences (step 1e-2,
 * loss summed in double) agree to 2e-3 relative; heads and losses are
 * double and agree to 1e-5.
 */
#include "check.h"

#include "../sched/rl.h"

#include <cblas.h>

static double mlp_loss(rl_mlp *m, const float *x, int B, const double *R)
{
    const float *y = rl_mlp_forward(m, x, B);
    double s = 0.0;
    for (int i = 0; i < B * rl_mlp_nout(m); i++)
        s += R[i] * y[i];
    return s;
}

static void check_mlp(rl_act act)
{
    const int nin = 5, nout = 4, B = 3;
    rl_mlp *m;
    dtfl_err err;
    assert_int_equal(rl_mlp_create(&m, nin, 7, 2, nout, act, B, &err), 0);
    rl_mlp_init(m, sqrt(2.0), 1.0, 3, 1);
    float x[15];
    double R[12];
    dtfl_rng r;
    dtfl_rng_init(&r, 1, 40, (uint32_t)act, 0);
    for (int i = 0; i < 15; i++)
        x[i] = (float)dtfl_rng_range(&r, -1, 1);
    for (int i = 0; i < 12; i++)
        R[i] = dtfl_rng_range(&r, -1, 1);
    /* analytic: dL/dy = R */
    float dy[12], dx[15];
    for (int i = 0; i < 12; i++)
        dy[i] = (float)R[i];
    rl_mlp_forward(m, x, B);
    rl_mlp_zero_grads(m);
    rl_mlp_backward(m, dy, B, dx);
    size_t n = rl_mlp_nparams(m);
    double *an = malloc(sizeof(double) * (n + 15)), *fd = malloc(sizeof(double) * (n + 15));
    float *w = rl_mlp_params(m);
    const float eps = 1e-2f;
    for (size_t i = 0; i < n; i++) {
        float save = w[i];
        w[i] = save + eps;
        double lp = mlp_loss(m, x, B, R);
        w[i] = save - eps;
        double lm = mlp_loss(m, x, B, R);
        w[i] = save;
        fd[i] = (lp - lm) / (2 * eps);
        an[i] = rl_mlp_grads(m)[i];
    }
    for (int i = 0; i < 15; i++) {
        float save = x[i];
        x[i] = save + eps;
        double lp = mlp_loss(m, x, B, R);
        x[i] = save - eps;
        double lm = mlp_loss(m, x, B, R);
        x[i] = save;
        fd[n + i] = (lp - lm) / (2 * eps);
        an[n + i] = dx[i];
    }
    double rel = check_relerr(fd, an, n + 15);
    if (!(rel < 2e-3))
        fail_msg("%s MLP: finite differences vs backward: %g",
                 act == RL_ACT_TANH ? "tanh" : "relu", rel);
    /* orthogonal init: rows of the 7x5 first layer have orthonormal columns
     * scaled by the gain */
    rl_mlp_init(m, 2.0, 1.0, 9, 1);
    double dot = 0.0, nn = 0.0;
    for (int i = 0; i < 7; i++) {
        dot += w[i * 5 + 0] * w[i * 5 + 1];
        nn += w[i * 5 + 0] * w[i * 5 + 0];
    }
    check_close(dot, 0.0, 1e-5);
    check_close(nn, 4.0, 1e-4);
    free(an);
    free(fd);
    rl_mlp_destroy(m);
}

static void test_mlp(void **state)
{
    (void)state;
    check_mlp(RL_ACT_TANH);
    check_mlp(RL_ACT_RELU);
}

static void test_heads(void **state)
{
    (void)state;
    const int K = 3, A = 4;
    float z[12];
    int act[3] = {2, 0, 3};
    dtfl_rng r;
    dtfl_rng_init(&r, 2, 41, 0, 0);
    for (int i = 0; i < 12; i++)
        z[i] = (float)dtfl_rng_range(&r, -2, 2);
    /* logp is a sum of log-softmaxes; entropy of three distributions */
    double lp = rl_cat_logp(z, K, A, act);
    assert_true(lp < 0);
    assert_true(rl_cat_entropy(z, K, A) > 0 && rl_cat_entropy(z, K, A) < K * log(A) + 1e-12);
    const double wl = 0.7, we = -0.3;
    float g[12] = {0};
    rl_cat_backward(z, K, A, act, wl, we, g);
    double fd[12], an[12];
    for (int i = 0; i < 12; i++) {
        float s = z[i];
        z[i] = s + 1e-3f;
        double fp = wl * rl_cat_logp(z, K, A, act) + we * rl_cat_entropy(z, K, A);
        z[i] = s - 1e-3f;
        double fm = wl * rl_cat_logp(z, K, A, act) + we * rl_cat_entropy(z, K, A);
        z[i] = s;
        fd[i] = (fp - fm) / ((double)(s + 1e-3f) - (double)(s - 1e-3f));
        an[i] = g[i];
    }
    check_lt(check_relerr(fd, an, 12), 1e-5);
    /* the one-pass versions agree with the separate ones */
    double lpbuf[24], lp1, h1;
    float g2[12] = {0};
    rl_cat_eval(z, K, A, act, lpbuf, &lp1, &h1);
    check_close(lp1, lp, 1e-6);
    check_close(h1, rl_cat_entropy(z, K, A), 1e-6);
    double wk[3] = {wl, wl, wl};
    rl_cat_backward_lp(lpbuf, K, A, act, wk, we, g2);
    for (int i = 0; i < 12; i++)
        check_close(g2[i], g[i], 1e-6);
    /* sampling follows the probabilities; the mode is the argmax */
    int counts[4] = {0}, a1[3];
    for (int i = 0; i < 20000; i++) {
        rl_cat_sample(z, K, A, &r, a1);
        counts[a1[0]]++;
    }
    double lsm[4], mx = z[0], s = 0;
    for (int i = 1; i < 4; i++)
        mx = z[i] > mx ? z[i] : mx;
    for (int i = 0; i < 4; i++)
        s += exp(z[i] - mx);
    for (int i = 0; i < 4; i++) {
        lsm[i] = exp(z[i] - mx) / s;
        check_close(counts[i] / 20000.0, lsm[i], 0.015);
    }
    /* Gaussian */
    float mean[2] = {0.3f, -1.0f}, ls[2] = {-0.5f, 0.2f}, a[2] = {0.1f, 0.4f};
    float dm[2] = {0}, dls[2] = {0};
    rl_gauss_backward(mean, ls, 2, a, wl, we, dm, dls);
    double fdg[4], ang[4] = {dm[0], dm[1], dls[0], dls[1]};
    float *vars[4] = {&mean[0], &mean[1], &ls[0], &ls[1]};
    for (int i = 0; i < 4; i++) {
        float sv = *vars[i];
        *vars[i] = sv + 1e-3f;
        double fp = wl * rl_gauss_logp(mean, ls, 2, a) + we * rl_gauss_entropy(ls, 2);
        *vars[i] = sv - 1e-3f;
        double fm = wl * rl_gauss_logp(mean, ls, 2, a) + we * rl_gauss_entropy(ls, 2);
        *vars[i] = sv;
        fdg[i] = (fp - fm) / ((double)(sv + 1e-3f) - (double)(sv - 1e-3f));
    }
    check_lt(check_relerr(fdg, ang, 4), 1e-5);
    /* log density of N(0.3, e^-1) at 0.1 by hand */
    check_close(rl_gauss_logp(mean, ls, 1, a),
                -0.5 * pow(0.2 / exp(-0.5), 2) + 0.5 - 0.5 * log(2 * M_PI), 1e-6);
}

/* PPO's update gradients against the loss written out here. One epoch,
 * one minibatch, no clipping of gradients, gamma = 0 so A = r - V(s). */
/* PPO's actor loss on the 8-step rollout of check_ppo_gradients, from
 * scratch: mean_t sum_h max(-A r, -A clip(r)) - ent_coef mean_t H, with one
 * ratio r for the joint action or one per choice h. */
static double ppo_actor_loss(rl_mlp *actor, const rl_ac_params *p,
                             float obs[8][3], int acts[8][2],
                             double old_lp[8][2], const double *A_)
{
    double L = 0;
    for (int t = 0; t < 8; t++) {
        const float *z = rl_mlp_forward(actor, obs[t], 1);
        double lp[12], lpj, h, r[2];
        rl_cat_eval(z, 2, 3, acts[t], lp, &lpj, &h);
        int nr = p->ratio_per_head ? 2 : 1;
        if (p->ratio_per_head)
            for (int k = 0; k < 2; k++)
                r[k] = exp(lp[3 * k + acts[t][k]] - old_lp[t][k]);
        else
            r[0] = exp(lpj - old_lp[t][0] - old_lp[t][1]);
        for (int k = 0; k < nr; k++) {
            double rc = fmin(fmax(r[k], 1 - p->clip), 1 + p->clip);
            L += fmax(-A_[t] * r[k], -A_[t] * rc) / 8;
        }
        L -= p->ent_coef * h / 8;
    }
    return L;
}

static void check_ppo_gradients(int per_head)
{
    rl_ac_params p = rl_ppo_defaults();
    p.ratio_per_head = per_head;
    p.norm_reward = 0;
    p.ent_coef = 0.01;
    p.obs_dim = 3;
    p.K = 2;
    p.A = 3;
    p.hidden = 6;
    p.layers = 1;
    p.rollout = 8;
    p.epochs = 1;
    p.minibatches = 1;
    p.gamma = 0.0;
    p.max_grad_norm = 0.0;
    p.actor_gain = 1.0; /* visible gradients */
    rl_ac *a;
    dtfl_err err;
    assert_int_equal(rl_ac_create(&a, &p, &err), 0);
    rl_mlp *actor, *critic;
    float *ls;
    rl_ac_networks(a, &actor, &critic, &ls);
    float obs[8][3];
    int acts[8][2];
    double rew[8];
    dtfl_rng r;
    dtfl_rng_init(&r, 5, 42, 0, 0);
    for (int t = 0; t < 8; t++) {
        for (int i = 0; i < 3; i++)
            obs[t][i] = (float)dtfl_rng_range(&r, -1, 1);
        rl_ac_act(a, obs[t], 0, acts[t], NULL);
        rew[t] = dtfl_rng_range(&r, -1, 1);
        rl_ac_observe(a, rew[t], t == 7);
    }
    /* the loss at the current weights (before the update moves them) */
    size_t na = rl_mlp_nparams(actor), nc = rl_mlp_nparams(critic);
    float *w0 = malloc(sizeof(float) * na), *c0 = malloc(sizeof(float) * nc);
    double old_lp[8][2], V[8], adv[8], A_[8], mean = 0, var = 0;
    for (int t = 0; t < 8; t++) {
        for (int k = 0; k < 2; k++)
            old_lp[t][k] = rl_cat_logp(rl_mlp_forward(actor, obs[t], 1) + 3 * k,
                                       1, 3, &acts[t][k]);
        V[t] = rl_mlp_forward(critic, obs[t], 1)[0];
        adv[t] = rew[t] - V[t];
        mean += adv[t] / 8;
    }
    for (int t = 0; t < 8; t++)
        var += (adv[t] - mean) * (adv[t] - mean) / 7;
    for (int t = 0; t < 8; t++)
        A_[t] = (adv[t] - mean) / (sqrt(var) + 1e-8);
    /* move the actor off the rollout's policy so that ratios differ from 1,
     * per choice and jointly, and some are clipped */
    for (size_t i = 0; i < na; i++)
        rl_mlp_params(actor)[i] += (float)dtfl_rng_range(&r, -0.3, 0.3);
    memcpy(w0, rl_mlp_params(actor), sizeof(float) * na);
    memcpy(c0, rl_mlp_params(critic), sizeof(float) * nc);
    rl_stats st;
    rl_ac_update(a, NULL, &st);
    assert_true(st.clipfrac > 0.0 && st.clipfrac < 1.0);
    double *ga = malloc(sizeof(double) * na), *gc = malloc(sizeof(double) * nc);
    for (size_t i = 0; i < na; i++)
        ga[i] = rl_mlp_grads(actor)[i];
    for (size_t i = 0; i < nc; i++)
        gc[i] = rl_mlp_grads(critic)[i];
    memcpy(rl_mlp_params(actor), w0, sizeof(float) * na);
    memcpy(rl_mlp_params(critic), c0, sizeof(float) * nc);
    double fa[4096], fc[4096];
    float *w = rl_mlp_params(actor), *c = rl_mlp_params(critic);
    const float eps = 1e-2f;
    for (size_t i = 0; i < na; i++) {
        double lv[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            w[i] = w0[i] + (sgn ? -eps : eps);
            lv[sgn] = ppo_actor_loss(actor, &p, obs, acts, old_lp, A_);
        }
        w[i] = w0[i];
        fa[i] = (lv[0] - lv[1]) / (2 * eps);
    }
    for (size_t i = 0; i < nc; i++) { /* vf_coef 0.5 mean (V - R)^2, R = r */
        double lv[2];
        for (int sgn = 0; sgn < 2; sgn++) {
            c[i] = c0[i] + (sgn ? -eps : eps);
            double L = 0;
            for (int t = 0; t < 8; t++) {
                double d = rl_mlp_forward(critic, obs[t], 1)[0] - rew[t];
                L += p.vf_coef * 0.5 * d * d / 8;
            }
            lv[sgn] = L;
        }
        c[i] = c0[i];
        fc[i] = (lv[0] - lv[1]) / (2 * eps);
    }
    check_lt(check_relerr(fa, ga, na), 3e-3);
    check_lt(check_relerr(fc, gc, nc), 3e-3);
    double norm = 0;
    for (size_t i = 0; i < na; i++)
        norm += ga[i] * ga[i];
    assert_true(norm > 1e-8);
    free(w0); free(c0); free(ga); free(gc);
    rl_ac_destroy(a);
}

static void test_ppo_gradients(void **state)
{
    (void)state;
    check_ppo_gradients(0);
}

static void test_ppo_gradients_per_head(void **state)
{
    (void)state;
    check_ppo_gradients(1);
}

/* Reward scaling divides by the running std of the discounted return:
 * with gamma 0 and done every step the return is the reward itself, so the
 * divisor is std(r); with gamma 0.5 and no end, the std of the returns
 * R_t = r_t + 0.5 R_{t-1}. */
static void test_ppo_reward_scaling(void **state)
{
    (void)state;
    rl_ac_params p = rl_ppo_defaults();
    p.obs_dim = 1;
    p.K = 1;
    p.A = 2;
    p.hidden = 4;
    p.gamma = 0.0;
    p.rollout = 4000;
    p.lr_critic = 1e-12; /* V stays put: the returns show the rewards */
    for (int g = 0; g < 2; g++) {
        p.gamma = 0.5 * g;
        rl_ac *a;
        dtfl_err err;
        assert_int_equal(rl_ac_create(&a, &p, &err), 0);
        dtfl_rng r;
        dtfl_rng_init(&r, 3, 46, 0, 0);
        float obs = 0.5f;
        int act;
        double R = 0, sum = 0, sq = 0;
        for (int t = 0; t < 4000; t++) {
            rl_ac_act(a, &obs, 0, &act, NULL);
            double rew = 50.0 + 10.0 * dtfl_rng_normal(&r);
            R = p.gamma * R + rew;
            sum += R;
            sq += R * R;
            rl_ac_observe(a, rew, g == 0);
        }
        double mean = sum / 4000, sd = sqrt(sq / 4000 - mean * mean);
        check_close(rl_ac_reward_scale(a), sd, 1e-6 * sd);
        rl_ac_destroy(a);
    }
}

/* ---- solving a contextual bandit with a known optimum ---- */

/* Four contexts (one-hot); two independent choices among three arms; the
 * best arm of choice k in context c is (c + k) % 3. Reward: the fraction of
 * choices right. Returns the greedy policy's average reward. */
static double bandit_eval_ac(rl_ac *a)
{
    double total = 0;
    for (int c = 0; c < 4; c++) {
        float obs[4] = {0};
        obs[c] = 1;
        int act[2];
        rl_ac_act(a, obs, 1, act, NULL);
        total += ((act[0] == c % 3) + (act[1] == (c + 1) % 3)) / 2.0 / 4.0;
    }
    return total;
}

static double train_bandit_ac(rl_ac_params p, int steps)
{
    p.obs_dim = 4;
    p.K = 2;
    p.A = 3;
    p.hidden = 32;
    rl_ac *a;
    dtfl_err err;
    assert_int_equal(rl_ac_create(&a, &p, &err), 0);
    dtfl_rng r;
    dtfl_rng_init(&r, 9, 43, 0, 0);
    for (int s = 0; s < steps; s++) {
        int c = (int)dtfl_rng_below(&r, 4);
        float obs[4] = {0};
        obs[c] = 1;
        int act[2];
        rl_ac_act(a, obs, 0, act, NULL);
        double rew = ((act[0] == c % 3) + (act[1] == (c + 1) % 3)) / 2.0;
        if (rl_ac_observe(a, rew, 1)) {
            rl_stats st;
            rl_ac_update(a, NULL, &st);
        }
    }
    double v = bandit_eval_ac(a);
    rl_ac_destroy(a);
    return v;
}

static void test_ppo_solves_bandit(void **state)
{
    (void)state;
    rl_ac_params p = rl_ppo_defaults();
    p.rollout = 64;
    p.lr_actor = 3e-3;
    double v = train_bandit_ac(p, 6000);
    if (!(v > 0.99))
        fail_msg("PPO bandit: greedy reward %.3f", v);
}

static void test_a2c_solves_bandit(void **state)
{
    (void)state;
    rl_ac_params p = rl_a2c_defaults();
    double v = train_bandit_ac(p, 8000);
    if (!(v > 0.99))
        fail_msg("A2C bandit: greedy reward %.3f", v);
}

static void test_ppo_gaussian_bandit(void **state)
{
    (void)state;
    /* two contexts, one continuous action; reward -(a - target)^2 */
    rl_ac_params p = rl_ppo_defaults();
    p.head = RL_HEAD_GAUSSIAN;
    p.obs_dim = 2;
    p.K = 1;
    p.hidden = 32;
    p.rollout = 64;
    p.lr_actor = 1e-3; /* 3e-3 collapses the std, then the mean jitters */
    p.actor_gain = 0.01;
    rl_ac *a;
    dtfl_err err;
    assert_int_equal(rl_ac_create(&a, &p, &err), 0);
    const float target[2] = {-0.5f, 0.8f};
    dtfl_rng r;
    dtfl_rng_init(&r, 10, 44, 0, 0);
    for (int s = 0; s < 12000; s++) {
        int c = (int)dtfl_rng_below(&r, 2);
        float obs[2] = {0}, act;
        obs[c] = 1;
        rl_ac_act(a, obs, 0, NULL, &act);
        if (rl_ac_observe(a, -(act - target[c]) * (act - target[c]), 1)) {
            rl_stats st;
            rl_ac_update(a, NULL, &st);
        }
    }
    for (int c = 0; c < 2; c++) {
        float obs[2] = {0}, act;
        obs[c] = 1;
        rl_ac_act(a, obs, 1, NULL, &act);
        check_close(act, target[c], 0.1);
    }
    rl_ac_destroy(a);
}

static void test_ddpg_solves_bandit(void **state)
{
    (void)state;
    /* four contexts, three arms; the arm is the argmax of DDPG's three
     * scores; the best arm of context c is c % 3 */
    rl_ddpg_params p = rl_ddpg_defaults();
    p.obs_dim = 4;
    p.D = 3;
    p.hidden = 32;
    p.batch = 64;
    p.buffer = 4000;
    p.learning_starts = 300;
    p.lr_actor = 1e-3;
    p.lr_critic = 1e-3;
    p.noise = 0.3;
    rl_ddpg *d;
    dtfl_err err;
    assert_int_equal(rl_ddpg_create(&d, &p, &err), 0);
    dtfl_rng r;
    dtfl_rng_init(&r, 12, 45, 0, 0);
    for (int s = 0; s < 3000; s++) {
        int c = (int)dtfl_rng_below(&r, 4);
        float obs[4] = {0}, a[3];
        obs[c] = 1;
        rl_ddpg_act(d, obs, 1, a);
        int arm = a[1] > a[0] ? (a[2] > a[1] ? 2 : 1) : (a[2] > a[0] ? 2 : 0);
        rl_stats st = {0};
        rl_ddpg_observe(d, obs, a, arm == c % 3, obs, 1, &st);
    }
    int right = 0;
    for (int c = 0; c < 4; c++) {
        float obs[4] = {0}, a[3];
        obs[c] = 1;
        rl_ddpg_act(d, obs, 0, a);
        int arm = a[1] > a[0] ? (a[2] > a[1] ? 2 : 1) : (a[2] > a[0] ? 2 : 0);
        right += arm == c % 3;
    }
    assert_int_equal(right, 4);
    rl_ddpg_destroy(d);
}

static void test_policy_files(void **state)
{
    (void)state;
    rl_ac_params p = rl_ppo_defaults();
    p.obs_dim = 10;
    p.K = 4;
    p.A = 5;
    rl_ac *a, *b, *c;
    dtfl_err err;
    assert_int_equal(rl_ac_create(&a, &p, &err), 0);
    p.seed = 2;
    assert_int_equal(rl_ac_create(&b, &p, &err), 0);
    uint8_t *buf;
    size_t len;
    assert_int_equal(rl_ac_save(a, "ppo", &buf, &len, &err), 0);
    assert_int_equal(rl_ac_load(b, "ppo", buf, len, "f", &err), 0);
    rl_mlp *aa, *ac_, *ba, *bc;
    float *l1, *l2;
    rl_ac_networks(a, &aa, &ac_, &l1);
    rl_ac_networks(b, &ba, &bc, &l2);
    assert_memory_equal(rl_mlp_params(aa), rl_mlp_params(ba), 4 * rl_mlp_nparams(aa));
    assert_memory_equal(rl_mlp_params(ac_), rl_mlp_params(bc), 4 * rl_mlp_nparams(ac_));
    /* another algorithm, another shape, a damaged or future file */
    assert_int_equal(rl_ac_load(b, "a2c", buf, len, "f", &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "a ppo policy, not a2c"));
    p.A = 6;
    assert_int_equal(rl_ac_create(&c, &p, &err), 0);
    assert_int_equal(rl_ac_load(c, "ppo", buf, len, "f", &err), DTFL_EDATA);
    assert_non_null(strstr(err.msg, "servers (choices) 5, this run has 6"));
    rl_ac_destroy(c);
    buf[100] ^= 1;
    assert_int_equal(rl_ac_load(b, "ppo", buf, len, "f", &err), DTFL_ECORRUPT);
    buf[100] ^= 1;
    dtfl_put_u32(buf + 8, 7);
    assert_int_equal(rl_ac_load(b, "ppo", buf, len, "f", &err), DTFL_EVERSION);
    free(buf);
    rl_ac_destroy(a);
    rl_ac_destroy(b);
    /* DDPG round trip */
    rl_ddpg_params q = rl_ddpg_defaults();
    q.obs_dim = 6;
    q.D = 4;
    q.buffer = 300;
    rl_ddpg *d1, *d2;
    assert_int_equal(rl_ddpg_create(&d1, &q, &err), 0);
    q.seed = 3;
    assert_int_equal(rl_ddpg_create(&d2, &q, &err), 0);
    assert_int_equal(rl_ddpg_save(d1, &buf, &len, &err), 0);
    assert_int_equal(rl_ddpg_load(d2, buf, len, "f", &err), 0);
    rl_mlp *n1[4], *n2[4];
    rl_ddpg_networks(d1, n1, 4);
    rl_ddpg_networks(d2, n2, 4);
    for (int i = 0; i < 4; i++)
        assert_memory_equal(rl_mlp_params(n1[i]), rl_mlp_params(n2[i]),
                            4 * rl_mlp_nparams(n1[i]));
    free(buf);
    rl_ddpg_destroy(d1);
    rl_ddpg_destroy(d2);
}

int main(void)
{
    openblas_set_num_threads(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mlp),
        cmocka_unit_test(test_heads),
        cmocka_unit_test(test_ppo_gradients),
        cmocka_unit_test(test_ppo_gradients_per_head),
        cmocka_unit_test(test_ppo_reward_scaling),
        cmocka_unit_test(test_ppo_solves_bandit),
        cmocka_unit_test(test_a2c_solves_bandit),
        cmocka_unit_test(test_ppo_gaussian_bandit),
        cmocka_unit_test(test_ddpg_solves_bandit),
        cmocka_unit_test(test_policy_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
