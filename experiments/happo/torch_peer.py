#!/usr/bin/env python3
"""torch_peer.py - the PyTorch peer of `dtfl bench happo`: Beta-HAPPO as a
user would otherwise write it, HARL's HAPPO update (on_policy_ha_runner,
happo.py) in Debian's python3-torch with the paper's Beta heads, on the
same C environment through ctypes (libdtfl_env.so, app/env_lib.c: the same
scenario, config, seed and world, draw for draw) and the same settings:

  per agent an actor MLP [128, 64] ReLU (orthogonal init, gains sqrt 2 and
  0.01) with a Beta head (alpha, beta = 1 + softplus), one critic per reward
  stream on the state (team r_g, control centre r_c), Adam (lr 1e-4, eps
  1e-5), gamma 0.9, GAE 0.95, advantages normalised per stream, 25 epochs
  of one 5000-slot batch an episode, clip 0.2, entropy 0.01, grad-norm 10,
  a random agent order per update and the factor (the product of the
  ratios of the agents before), values that did not act masked out, the
  control centre's discrete choices quantised.

It trains N episodes with PyTorch (one thread) and with `dtfl train` of
beta-happo (one thread) on the same config, and prints seconds per episode
at equal samples, their ratio (the issue's target: dtfl >= 5x) and both
learning curves (mean r_g per slot, per episode). The samples differ (two
RNGs), so the curves are alike in shape, not equal.

Usage: /usr/bin/python3 experiments/happo/torch_peer.py [--dtfl build/dtfl]
       [--config configs/happo-paper.yaml] [--episodes 2] [--json] [KEY=VALUE...]
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
from sweeplib import run_dtfl, torch_mlp  # noqa: E402

P = ctypes.POINTER
HIDDEN = (128, 64)  # Table I
I32, F64 = ctypes.c_int, ctypes.c_double


class CEnv:
    """a multi-agent scenario of a config through libdtfl_env.so"""

    def __init__(self, lib, config, overrides=()):
        L = self.lib = ctypes.CDLL(lib)
        L.dtfl_env_open.argtypes = [P(ctypes.c_void_p), ctypes.c_char_p, I32, P(ctypes.c_char_p)]
        L.dtfl_env_error.restype = ctypes.c_char_p
        L.dtfl_env_error.argtypes = [ctypes.c_void_p]
        L.dtfl_env_sizes.argtypes = [ctypes.c_void_p] + [P(I32)] * 3
        L.dtfl_env_reset.argtypes = [ctypes.c_void_p, I32, ctypes.c_void_p]
        L.dtfl_env_agents.argtypes = [ctypes.c_void_p, P(I32)]
        L.dtfl_env_agent.argtypes = [ctypes.c_void_p, I32] + [P(I32)] * 4 + [P(F64)] * 2 + [P(I32)]
        L.dtfl_env_agent_obs.argtypes = [ctypes.c_void_p, I32, ctypes.c_void_p]
        L.dtfl_env_state.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        L.dtfl_env_mask.argtypes = [ctypes.c_void_p, I32, ctypes.c_void_p]
        L.dtfl_env_step_all.argtypes = [ctypes.c_void_p] + [ctypes.c_void_p] * 3 + [P(I32)]
        L.dtfl_env_close.argtypes = [ctypes.c_void_p]
        self.env = ctypes.c_void_p()
        ov = (ctypes.c_char_p * max(len(overrides), 1))(*[o.encode() for o in overrides])
        if L.dtfl_env_open(ctypes.byref(self.env), config.encode(), len(overrides), ov) != 0:
            raise RuntimeError(L.dtfl_env_error(self.env).decode())
        o, d, b, sd = I32(), I32(), I32(), I32()
        L.dtfl_env_sizes(self.env, ctypes.byref(o), ctypes.byref(d), ctypes.byref(b))
        self.nd, self.nb = d.value, b.value
        self.n = L.dtfl_env_agents(self.env, ctypes.byref(sd))
        self.state_dim = sd.value
        self.agents = []
        for a in range(self.n):
            v = [I32() for _ in range(4)] + [F64(), F64(), I32()]
            L.dtfl_env_agent(self.env, a, *[ctypes.byref(x) for x in v])
            self.agents.append(dict(obs=v[0].value, blocks=v[1].value, choices=v[2].value,
                                    box=v[3].value, lo=v[4].value, hi=v[5].value,
                                    stream=v[6].value))
        self.streams = 1 + max(g["stream"] for g in self.agents)

    def check(self, rc):
        if rc != 0:
            raise RuntimeError(self.lib.dtfl_env_error(self.env).decode())

    def reset(self, episode):
        o0 = torch.zeros(self.agents[0]["obs"], dtype=torch.float32)  # agent 0's, unused
        self.check(self.lib.dtfl_env_reset(self.env, episode, o0.data_ptr()))

    def obs(self, a):
        x = torch.empty(self.agents[a]["obs"], dtype=torch.float32)
        self.lib.dtfl_env_agent_obs(self.env, a, x.data_ptr())
        return x

    def state(self):
        x = torch.empty(self.state_dim, dtype=torch.float32)
        self.lib.dtfl_env_state(self.env, x.data_ptr())
        return x

    def mask(self, a):
        g = self.agents[a]
        m = torch.ones(g["blocks"] + g["box"], dtype=torch.uint8)
        self.lib.dtfl_env_mask(self.env, a, m.data_ptr())
        return m.bool()

    def step(self, disc, box):
        d = disc.to(torch.int32).contiguous()
        b = box.to(torch.float64).contiguous()
        r = torch.zeros(self.n, dtype=torch.float64)
        done = I32()
        self.check(self.lib.dtfl_env_step_all(self.env, d.data_ptr(), b.data_ptr(),
                                              r.data_ptr(), ctypes.byref(done)))
        return r, bool(done.value)



def beta(out):
    z = out.reshape(out.shape[0], -1, 2)
    sp = nn.functional.softplus
    return torch.distributions.Beta(1 + sp(z[..., 0]).double(), 1 + sp(z[..., 1]).double())


class HAPPO:
    def __init__(self, env, clip=0.2, ent=0.01, epochs=25, gamma=0.9, lam=0.95, lr=1e-4):
        self.env, self.clip, self.ent, self.epochs = env, clip, ent, epochs
        self.gamma, self.lam = gamma, lam
        self.D = [g["blocks"] + g["box"] for g in env.agents]
        self.actors = [torch_mlp(g["obs"], HIDDEN, 2 * d, 0.01)
                       for g, d in zip(env.agents, self.D)]
        self.critics = [torch_mlp(env.state_dim, HIDDEN, 1, 1.0) for _ in range(env.streams)]
        self.aopt = [torch.optim.Adam(a.parameters(), lr=lr, eps=1e-5) for a in self.actors]
        self.copt = [torch.optim.Adam(c.parameters(), lr=lr, eps=1e-5) for c in self.critics]

    def act(self, a, obs):
        with torch.no_grad():
            x = beta(self.actors[a](obs.unsqueeze(0))).sample()[0].clamp(1e-6, 1 - 1e-6)
        return x

    def to_env(self, xs):
        disc, box = [], []
        for g, x in zip(self.env.agents, xs):
            for k in range(g["blocks"]):
                disc.append(min(int(x[k] * g["choices"]), g["choices"] - 1))
            box.append(g["lo"] + (g["hi"] - g["lo"]) * x[g["blocks"]:])
        return torch.tensor(disc, dtype=torch.int32), torch.cat(box)

    def logp(self, a, obs, x, mask, entropy=False):
        d = beta(self.actors[a](obs))
        lp = (d.log_prob(x) * mask).sum(-1)
        return (lp, (d.entropy() * mask).sum(-1)) if entropy else lp

    def update(self, buf):
        S, obs, xs, masks, rew, done = buf
        n = rew.shape[0]
        with torch.no_grad():
            adv = torch.zeros(n, self.env.streams, dtype=torch.float64)
            ret = torch.zeros_like(adv)
            for s, c in enumerate(self.critics):
                v = c(S).squeeze(-1).double()
                last = 0.0
                for i in reversed(range(n)):
                    go = 0.0 if done[i] else 1.0
                    vn = v[i + 1] if i + 1 < n else 0.0
                    delta = rew[i, s] + self.gamma * vn * go - v[i]
                    last = delta + self.gamma * self.lam * go * last
                    adv[i, s] = last
                ret[:, s] = adv[:, s] + v
                adv[:, s] = (adv[:, s] - adv[:, s].mean()) / (adv[:, s].std() + 1e-8)
            old = [self.logp(a, obs[a], xs[a], masks[a]) for a in range(self.env.n)]
        factor = torch.ones(n, dtype=torch.float64)
        for a in torch.randperm(self.env.n).tolist():
            A = adv[:, self.env.agents[a]["stream"]]
            for _ in range(self.epochs):
                lp, H = self.logp(a, obs[a], xs[a], masks[a], entropy=True)
                r = torch.exp(lp - old[a])
                loss = -(factor * torch.min(r * A, r.clamp(1 - self.clip, 1 + self.clip) * A)).mean() \
                    - self.ent * H.mean()
                self.aopt[a].zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.actors[a].parameters(), 10.0)
                self.aopt[a].step()
            with torch.no_grad():
                factor = factor * torch.exp(self.logp(a, obs[a], xs[a], masks[a]) - old[a])
        for s, c in enumerate(self.critics):
            for _ in range(self.epochs):
                loss = 0.5 * ((c(S).squeeze(-1).double() - ret[:, s]) ** 2).mean()
                self.copt[s].zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(c.parameters(), 10.0)
                self.copt[s].step()


def train_torch(env, episodes):
    torch.manual_seed(1)
    torch.set_num_threads(1)
    m = HAPPO(env)
    first = [next(i for i, g in enumerate(env.agents) if g["stream"] == s)
             for s in range(env.streams)]
    curve, secs = [], []
    for ep in range(episodes):
        t0 = time.perf_counter()
        env.reset(ep)
        S, obs, xs, masks, rew, dn = [], [[] for _ in range(env.n)], [[] for _ in range(env.n)], \
            [[] for _ in range(env.n)], [], []
        done = False
        while not done:
            S.append(env.state())
            cur = []
            for a in range(env.n):
                o = env.obs(a)
                x = m.act(a, o)
                obs[a].append(o)
                xs[a].append(x)
                cur.append(x)
            disc, box = m.to_env(cur)
            r, done = env.step(disc, box)
            for a in range(env.n):
                masks[a].append(env.mask(a))
            rew.append(torch.tensor([float(r[i]) for i in first], dtype=torch.float64))
            dn.append(done)
        buf = (torch.stack(S), [torch.stack(o) for o in obs], [torch.stack(x) for x in xs],
               [torch.stack(k).double() for k in masks], torch.stack(rew), dn)
        curve.append(float(buf[4][:, 0].mean()))
        m.update(buf)
        secs.append(time.perf_counter() - t0)
    return curve, secs


def train_dtfl(dtfl, config, episodes, overrides):
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        run_dtfl([dtfl, "train", config, "sched.policy=beta-happo", f"train.episodes={episodes}",
                  "train.eval_episodes=0", f"out={d}"] + overrides)
        wall = time.perf_counter() - t0
        with open(os.path.join(d, "train.csv")) as f:
            rows = list(csv.DictReader(f))
    return [float(r["reward"]) for r in rows], [float(r["seconds"]) for r in rows], wall


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    ap.add_argument("--config", default="configs/happo-paper.yaml")
    ap.add_argument("--episodes", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("overrides", nargs="*")
    args = ap.parse_args()
    lib = os.path.join(os.path.dirname(os.path.abspath(args.dtfl)), "libdtfl_env.so")
    env = CEnv(lib, args.config, args.overrides)
    c_dtfl, s_dtfl, _ = train_dtfl(args.dtfl, args.config, args.episodes, args.overrides)
    c_torch, s_torch = train_torch(env, args.episodes)
    med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    out = {"config": args.config, "episodes": args.episodes, "agents": env.n,
           "dtfl_seconds_per_episode": med(s_dtfl), "torch_seconds_per_episode": med(s_torch),
           "ratio": med(s_torch) / med(s_dtfl), "target_ratio": 5.0,
           "dtfl_curve": c_dtfl, "torch_curve": c_torch}
    if args.json:
        print(json.dumps(out, indent=1))
        return
    print(f"Beta-HAPPO, {args.config} {' '.join(args.overrides)}: {env.n} agents, "
          f"{args.episodes} episodes, one thread each")
    print(f"  dtfl    {out['dtfl_seconds_per_episode']:8.2f} s an episode")
    print(f"  PyTorch {out['torch_seconds_per_episode']:8.2f} s an episode")
    print(f"  dtfl is {out['ratio']:.1f}x faster (target 5x)")
    print("  mean r_g per slot by episode (dtfl | PyTorch):")
    for i, (a, b) in enumerate(zip(c_dtfl, c_torch)):
        print(f"    {i + 1:4d}  {a:9.4f} | {b:9.4f}")


if __name__ == "__main__":
    main()
