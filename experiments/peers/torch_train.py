#!/usr/bin/env python3
"""torch_train.py - the PyTorch peer of `dtfl bench train`, side by side in
one run (issue 12): the same FedAvg 2NN (784-200-200-10) and CNN
(conv5x5x32, pool, conv5x5x64, pool, 512, 10) as dtfl's fl/model.c, one SGD
step (zero grads, forward, cross-entropy, backward, update) at batch 10 and
50 on real Fashion-MNIST images, one thread (Debian's python3-torch:
oneDNN convolutions). Prints dtfl's samples/s, PyTorch's and their ratio
per model and batch, with the targets of issue 12.

Usage: /usr/bin/python3 experiments/peers/torch_train.py [--dtfl build/dtfl]
       [--data /usr/share/datasets/fashion-mnist] [--json]
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import time

import torch
from torch import nn

TARGETS = {("cnn", 50): 1.2, ("cnn", 10): 2.0, ("2nn", 10): 4.0}


def images(path, n):
    """The first n images of an IDX file, as floats in [0, 1]."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    assert raw[:4] == b"\x00\x00\x08\x03", "not an IDX images file"
    data = torch.frombuffer(bytearray(raw[16:16 + n * 784]), dtype=torch.uint8)
    return data.float().div(255.0).view(n, 1, 28, 28)


def labels(path, n):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    return torch.tensor(list(raw[8:8 + n]), dtype=torch.long)


def model_of(kind):
    if kind == "2nn":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(),
                             nn.Linear(200, 200), nn.ReLU(), nn.Linear(200, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 512), nn.ReLU(),
                         nn.Linear(512, 10))


def step_rate(kind, batch, x, y, seconds=1.0):
    """Median samples/s of one SGD step over consecutive real batches."""
    torch.manual_seed(1)
    m = model_of(kind)
    opt = torch.optim.SGD(m.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    times, start, i = [], time.perf_counter(), 0
    while len(times) < 10 or time.perf_counter() - start < seconds:
        lo = (i * batch) % (x.shape[0] - batch)
        xb, yb = x[lo:lo + batch], y[lo:lo + batch]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        loss_fn(m(xb), yb).backward()
        opt.step()
        dt = time.perf_counter() - t0
        if i >= 3:  # warm-up
            times.append(dt)
        i += 1
    return batch / statistics.median(times)


def dtfl_rates(dtfl):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([dtfl, "bench", "train", "--json"], env=env, check=True,
                         capture_output=True, text=True).stdout
    d = json.loads(out)
    return d, {(s["model"], s["batch"]): s for s in d["steps"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    x = images(os.path.join(args.data, "train-images-idx3-ubyte.gz"), 5000)
    y = labels(os.path.join(args.data, "train-labels-idx1-ubyte.gz"), 5000)
    d, ours = dtfl_rates(args.dtfl)
    rows = []
    for kind in ("2nn", "cnn"):
        for batch in (10, 50):
            peer = step_rate(kind, batch, x, y)
            mine = ours[(kind, batch)]
            rows.append({"model": kind, "batch": batch,
                         "dtfl_samples_per_second": mine["samples_per_second"],
                         "dtfl_fraction_of_peak": mine["fraction_of_peak"],
                         "torch_samples_per_second": peer,
                         "ratio": mine["samples_per_second"] / peer,
                         "target_ratio": TARGETS.get((kind, batch))})
    if args.json:
        print(json.dumps({"bench": "peers", "torch": torch.__version__,
                          "blas_core": d.get("blas_core"),
                          "sgemm_peak_gflops": d["sgemm_peak_gflops"],
                          "rows": rows}, indent=1))
        return
    print(f"one thread; dtfl on OpenBLAS {d.get('blas_core')} (ceiling "
          f"{d['sgemm_peak_gflops']:.0f} GFLOP/s), PyTorch {torch.__version__} "
          f"(oneDNN), real Fashion-MNIST batches\n")
    print(f"{'model':6} {'batch':>5} {'dtfl/s':>10} {'of peak':>8} {'torch/s':>10} "
          f"{'dtfl/torch':>10}  target")
    for r in rows:
        t = r["target_ratio"]
        verdict = "" if t is None else (f">= {t}: met" if r["ratio"] >= t else f">= {t}: missed")
        print(f"{r['model']:6} {r['batch']:5d} {r['dtfl_samples_per_second']:10.0f} "
              f"{r['dtfl_fraction_of_peak']:8.2f} {r['torch_samples_per_second']:10.0f} "
              f"{r['ratio']:10.2f}  {verdict}")


if __name__ == "__main__":
    main()
