#!/usr/bin/env python3
"""torch_peer.py - the PyTorch peer of `dtfl bench rl --scenario
ecoedgetwin`, side by side in one run: Stable-Baselines3's A2C as a user
would otherwise run it (SB3 itself is neither a Debian package nor
reachable here, so its policy and loss are written out in Debian's
python3-torch): separate actor and critic MLPs of three hidden ReLU layers
of 256 on the 2715-float view, orthogonal init, one mixed distribution (per
user a categorical over 5 candidates, two over {0, 1}, one Gaussian value
with a free log-std), RMSprop (alpha 0.99, eps 1e-5, lr 7e-4), one global
gradient-norm clip of 0.5 over both networks (SB3 steps one optimiser;
dtfl clips each network apart), value weight 0.5, no entropy bonus.

Timed on one thread: acting (sample the mixed action and value one random
state) and one update of a 5-step rollout. Prints dtfl's figures (from
`dtfl bench rl --scenario ecoedgetwin --json`, same run), PyTorch's and the
ratios against the issue's targets (act >= 5x, update >= 3x).

With --train N it also trains end to end: PyTorch's A2C on the C
environment through ctypes (libdtfl_env.so, app/env_lib.c: the same
scenario, config and seed, the same world draw for draw) for N episodes,
beside `dtfl train` of eco-a2c for N episodes, and prints both training
speeds and their learning curves (mean reward per slot, per tenth of the
run).

Usage: /usr/bin/python3 experiments/ecoedgetwin/torch_peer.py [--dtfl build/dtfl]
       [--train N] [--config configs/ecoedgetwin-paper.yaml] [--json]
"""
import argparse
import ctypes
import csv
import json
import os
import sys
import tempfile
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import bench_json, run_dtfl, timed, torch_mlp  # noqa: E402

U, KC, OBS, HIDDEN = 60, 5, 2715, 256
CATS = [KC, 2, 2]   # server, cache, migrate: per user
TARGETS = {"act": 5.0, "update": 3.0}



class A2C:
    def __init__(self):
        self.nout = U * sum(CATS) + U
        self.actor = torch_mlp(OBS, (HIDDEN,) * 3, self.nout, 0.01)
        self.critic = torch_mlp(OBS, (HIDDEN,) * 3, 1, 1.0)
        self.log_std = nn.Parameter(torch.zeros(U))
        params = list(self.actor.parameters()) + list(self.critic.parameters()) + [self.log_std]
        self.params = params
        self.opt = torch.optim.RMSprop(params, lr=7e-4, alpha=0.99, eps=1e-5)

    def dists(self, out):
        """the per-block distributions of a batch of actor outputs"""
        ds, at = [], 0
        for a in CATS:
            logits = out[:, at:at + U * a].reshape(-1, U, a)
            ds.append(torch.distributions.Categorical(logits=logits))
            at += U * a
        mean = out[:, at:at + U]
        ds.append(torch.distributions.Normal(mean, self.log_std.exp().expand_as(mean)))
        return ds

    def act(self, obs):
        with torch.no_grad():
            ds = self.dists(self.actor(obs))
            acts = [d.sample() for d in ds]
            logp = sum(d.log_prob(a).sum(-1) for d, a in zip(ds, acts))
            return acts, logp, self.critic(obs)

    def update(self, obs, acts, returns):
        ds = self.dists(self.actor(obs))
        logp = sum(d.log_prob(a).sum(-1) for d, a in zip(ds, acts))
        values = self.critic(obs).squeeze(-1)
        adv = (returns - values).detach()
        loss = -(adv * logp).mean() + 0.5 * ((returns - values) ** 2).mean()
        self.opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(self.params, 0.5)
        self.opt.step()


def measure(repeats):
    torch.manual_seed(1)
    torch.set_num_threads(1)
    m = A2C()
    obs1 = torch.rand(1, OBS)
    act_s, _ = timed(lambda: [m.act(obs1) for _ in range(50)], repeats)
    obs5 = torch.rand(5, OBS)
    acts = [a.squeeze(0).expand(5, *a.shape[1:]).clone() for a in m.act(obs1)[0]]
    ret = torch.rand(5)
    upd_s, _ = timed(lambda: m.update(obs5, acts, ret), repeats)
    return {"act_steps_per_second": 50 / act_s, "update_samples_per_second": 5 / upd_s}


class CEnv:
    """the scenario of a config through libdtfl_env.so"""

    def __init__(self, lib, config, overrides=()):
        self.lib = ctypes.CDLL(lib)
        L = self.lib
        L.dtfl_env_open.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_char_p,
                                    ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
        L.dtfl_env_error.restype = ctypes.c_char_p
        L.dtfl_env_error.argtypes = [ctypes.c_void_p]
        L.dtfl_env_sizes.argtypes = [ctypes.c_void_p] + [ctypes.POINTER(ctypes.c_int)] * 3
        L.dtfl_env_reset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        L.dtfl_env_step.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                    ctypes.POINTER(ctypes.c_double), ctypes.c_void_p,
                                    ctypes.POINTER(ctypes.c_int)]
        L.dtfl_env_close.argtypes = [ctypes.c_void_p]
        self.env = ctypes.c_void_p()
        ov = (ctypes.c_char_p * max(len(overrides), 1))(*[o.encode() for o in overrides])
        if L.dtfl_env_open(ctypes.byref(self.env), config.encode(), len(overrides), ov) != 0:
            raise RuntimeError(L.dtfl_env_error(self.env).decode())
        o, d, b = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        L.dtfl_env_sizes(self.env, ctypes.byref(o), ctypes.byref(d), ctypes.byref(b))
        self.obs_dim, self.nd, self.nb = o.value, d.value, b.value
        self.obs = torch.zeros(self.obs_dim, dtype=torch.float32)

    def reset(self, episode):
        if self.lib.dtfl_env_reset(self.env, episode, self.obs.data_ptr()) != 0:
            raise RuntimeError(self.lib.dtfl_env_error(self.env).decode())
        return self.obs.clone()

    def step(self, disc, box):
        d = disc.to(torch.int32).contiguous()
        b = box.to(torch.float64).contiguous()
        r, done = ctypes.c_double(), ctypes.c_int()
        if self.lib.dtfl_env_step(self.env, d.data_ptr(), b.data_ptr(), ctypes.byref(r),
                                  self.obs.data_ptr(), ctypes.byref(done)) != 0:
            raise RuntimeError(self.lib.dtfl_env_error(self.env).decode())
        return self.obs.clone(), r.value, bool(done.value)


def train_torch(env, episodes, gamma=0.99, rollout=5):
    """SB3's A2C loop on the C environment; per-episode mean reward, steps/s"""
    torch.manual_seed(1)
    torch.set_num_threads(1)
    m = A2C()
    curve, steps, t0 = [], 0, time.perf_counter()
    for ep in range(episodes):
        obs, done, total, n = env.reset(ep), False, 0.0, 0
        while not done:
            buf = []
            for _ in range(rollout):
                acts, _, _ = m.act(obs.unsqueeze(0))
                disc = torch.cat([a.reshape(-1) for a in acts[:3]])
                beta = (acts[3].reshape(-1).clamp(-1, 1) + 1) / 2
                nxt, r, done = env.step(disc, beta)
                buf.append((obs, acts, r))
                obs, total, n, steps = nxt, total + r, n + 1, steps + 1
                if done:
                    break
            with torch.no_grad():
                ret = 0.0 if done else float(m.critic(obs.unsqueeze(0)))
            rets = []
            for _, _, r in reversed(buf):
                ret = r + gamma * ret
                rets.append(ret)
            rets.reverse()
            o = torch.stack([b[0] for b in buf])
            a = [torch.cat([b[1][k] for b in buf]) for k in range(4)]
            m.update(o, a, torch.tensor(rets, dtype=torch.float32))
        curve.append(total / n)
    return curve, steps / (time.perf_counter() - t0)


def train_dtfl(dtfl, config, episodes):
    """`dtfl train` of eco-a2c: per-episode mean reward, steps/s"""
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        run_dtfl([dtfl, "train", config, "sched.policy=eco-a2c",
                  f"train.episodes={episodes}", "train.eval_episodes=0", f"out={d}"])
        secs = time.perf_counter() - t0
        with open(os.path.join(d, "train.csv")) as f:
            curve = [float(r["reward"]) for r in csv.DictReader(f)]
    return curve, 60 * episodes / secs


def tenths(c):
    n = max(len(c) // 10, 1)
    return [sum(c[i:i + n]) / len(c[i:i + n]) for i in range(0, len(c), n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--train", type=int, default=0)
    ap.add_argument("--config", default="configs/ecoedgetwin-paper.yaml")
    args = ap.parse_args()
    ours, _ = bench_json(args.dtfl, "rl", extra=("--scenario", "ecoedgetwin"))
    theirs = measure(args.repeats)
    rows = [("act", ours["act_steps_per_second"], theirs["act_steps_per_second"], "steps/s"),
            ("update", ours["update_samples_per_second"], theirs["update_samples_per_second"],
             "samples/s")]
    if args.json:
        print(json.dumps({"dtfl": ours, "torch": theirs}, indent=1))
        return
    print(f"eco-a2c, U = {U}, view {OBS}, 3 x {HIDDEN} ReLU, one thread; PyTorch "
          f"{torch.__version__}")
    print(f"{'':8} {'dtfl':>12} {'PyTorch':>12} {'ratio':>7} {'target':>7}")
    for name, a, b, unit in rows:
        print(f"{name:8} {a:12.0f} {b:12.0f} {a / b:6.1f}x {TARGETS[name]:6.1f}x  {unit}")
    print(f"dtfl analytic training: {ours['train_steps_per_second']:.0f} steps/s (target 1000)")
    if args.train > 0:
        lib = os.path.join(os.path.dirname(os.path.abspath(args.dtfl)), "libdtfl_env.so")
        tc, tsps = train_torch(CEnv(lib, args.config), args.train)
        dc, dsps = train_dtfl(args.dtfl, args.config, args.train)
        print(f"\nend to end, {args.train} episodes on {args.config}: dtfl {dsps:.0f} steps/s, "
              f"PyTorch on the C environment (ctypes) {tsps:.0f} steps/s: {dsps / tsps:.1f}x")
        print("mean reward per slot, per tenth of the run:")
        print("  dtfl    " + " ".join(f"{v:7.3f}" for v in tenths(dc)))
        print("  PyTorch " + " ".join(f"{v:7.3f}" for v in tenths(tc)))


if __name__ == "__main__":
    main()
