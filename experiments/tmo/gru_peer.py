#!/usr/bin/python3
"""gru_peer.py - the TMO predictor's peer: the same GRU in PyTorch (Debian
python3-torch, one thread), trained as dtfl trains it (../shared/specs/tmo.md
4.4): nn.GRU(4, 30, num_layers=2, dropout=0.2) and a linear head predicting
each step's change, scheduled sampling with one draw per step shared by the
batch (the model's own output fed back, detached), MSE over every step,
backpropagation through the window, gradient-norm clipping at 1, Adam at
lr 0.05. One epoch of 10,000 windows of 30 steps in batches of 256 (the
shapes of `dtfl bench tmo`), and one inference step for 40 PTs.

It runs dtfl first (`dtfl bench tmo --json`) and prints both side by side.

    /usr/bin/python3 experiments/tmo/gru_peer.py --dtfl build/dtfl
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import bench_json  # noqa: E402

N, L, H, B, F = 10000, 30, 30, 256, 4


class Predictor(torch.nn.Module):
    def __init__(self, gain):
        super().__init__()
        self.gru = torch.nn.GRU(F, H, num_layers=2, dropout=0.2, batch_first=True)
        self.head = torch.nn.Linear(H, F)
        self.gain = gain

    def forward(self, x, h):
        out, h = self.gru(x[:, None, :], h)
        return x + self.gain * self.head(out[:, 0, :]), h


def windows(seed):
    """Cars turning at random, normalised as dtfl normalises them."""
    rng = np.random.default_rng(seed)
    w = np.zeros((N, L, F), dtype=np.float32)
    th = rng.uniform(0, 6.283, N)
    v = rng.uniform(8, 25, N)
    px, py = rng.uniform(0, 15e3, N), rng.uniform(0, 18e3, N)
    for j in range(L):
        th += 0.2 * rng.standard_normal(N)
        vx, vy = v * np.cos(th), v * np.sin(th)
        px, py = px + vx, py + vy
        w[:, j] = np.stack([px / 15e3, py / 18e3, vx / 40, vy / 40], axis=1)
    return torch.from_numpy(w)


def epoch(model, opt, data, pr, rng):
    model.train()
    order = torch.randperm(N)
    for k0 in range(0, N, B):
        x = data[order[k0:k0 + B]]
        h, y, loss = None, None, 0.0
        for j in range(L - 1):
            own = j > 0 and rng.random() < pr
            inp = y.detach() if own else x[:, j]
            y, h = model(inp, h)
            loss = loss + torch.mean((y - x[:, j + 1]) ** 2)
        loss = loss / (L - 1)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    args = ap.parse_args()
    torch.set_num_threads(1)
    ours = bench_json(args.dtfl, "tmo")[0]
    torch.manual_seed(1)
    gain = torch.tensor([40 / 15e3, 40 / 18e3, 0.1, 0.1])
    model = Predictor(gain)
    opt = torch.optim.Adam(model.parameters(), lr=0.05, eps=1e-8)
    data = windows(1)
    rng = np.random.default_rng(2)
    t0 = time.perf_counter()
    epoch(model, opt, data, 0.4, rng)
    train = time.perf_counter() - t0
    model.eval()
    x, h, times = data[:40, 0], None, []
    with torch.no_grad():
        for _ in range(2000):
            t0 = time.perf_counter()
            _, h = model(x, h)
            times.append(time.perf_counter() - t0)
    step = statistics.median(times)
    print(f"TMO's GRU (2 x {H} units, {F} features), one thread, PyTorch {torch.__version__}")
    print(f"  {'':38s} {'dtfl':>10s} {'PyTorch':>10s} {'ratio':>8s}")
    print(f"  {'epoch: 10k windows of 30, batch 256':38s} {ours['gru_epoch_s']:9.2f}s "
          f"{train:9.2f}s {train / ours['gru_epoch_s']:7.1f}x   (target >= 2x)")
    us = ours["gru_step_40_us"]
    print(f"  {'one inference step, 40 PTs':38s} {us:8.1f}us {step * 1e6:8.1f}us "
          f"{step * 1e6 / us:7.1f}x   (target < 20 us, >= 10x)")
    print(f"  dtfl's epoch at {ours['gru_epoch_gflops']:.1f} GFLOP/s, "
          f"{ours['gru_epoch_gflops'] / ours['sgemm_ceiling_gflops']:.2f} of the "
          f"{ours['sgemm_ceiling_gflops']:.0f} GFLOP/s sgemm ceiling")
    return 0


if __name__ == "__main__":
    sys.exit(main())
