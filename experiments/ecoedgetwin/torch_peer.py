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

Not here: PyTorch driving the C environment through a ctypes binding (the
end-to-end training comparison): dtfl's training steps/s are printed alone.

Usage: /usr/bin/python3 experiments/ecoedgetwin/torch_peer.py [--dtfl build/dtfl] [--json]
"""
import argparse
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import bench_json, timed  # noqa: E402

U, KC, OBS, HIDDEN = 60, 5, 2715, 256
CATS = [KC, 2, 2]   # server, cache, migrate: per user
TARGETS = {"act": 5.0, "update": 3.0}


def mlp(nin, nout, gain):
    layers, n = [], nin
    for _ in range(3):
        lin = nn.Linear(n, HIDDEN)
        nn.init.orthogonal_(lin.weight, 2 ** 0.5)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.ReLU()]
        n = HIDDEN
    out = nn.Linear(n, nout)
    nn.init.orthogonal_(out.weight, gain)
    nn.init.zeros_(out.bias)
    return nn.Sequential(*layers, out)


class A2C:
    def __init__(self):
        self.nout = U * sum(CATS) + U
        self.actor = mlp(OBS, self.nout, 0.01)
        self.critic = mlp(OBS, 1, 1.0)
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--json", action="store_true")
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


if __name__ == "__main__":
    main()
