"""sweeplib.py - what the sweeps and peers of experiments/*/ share: the mean
of a figure's points over seeds with its 95% interval (Student's t), a pool
that runs a sweep's jobs two (or --jobs) at a time with progress, running
dtfl on one BLAS thread, a peer's median timing, and the PyTorch peers'
MLP (dtfl's rl_mlp: ReLU, orthogonal init)."""
import concurrent.futures as cf
import json
import math
import os
import statistics
import subprocess
import tempfile
import time

ONE_THREAD = dict(os.environ, OPENBLAS_NUM_THREADS="1")


def t95(n):
    """The 97.5% quantile of Student's t with n - 1 degrees of freedom."""
    try:
        from scipy.stats import t
        return float(t.ppf(0.975, n - 1))
    except ImportError:
        return 1.96


def stat(values):
    """mean and half-width of its 95% interval"""
    n = len(values)
    if n == 0:
        return float("nan"), float("nan")
    m = sum(values) / n
    if n < 2:
        return m, 0.0
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
    return m, t95(n) * sd / math.sqrt(n)


def run_pool(run_one, todo, jobs, every=25):
    """run_one(*item) -> (dir, seconds, "ran" | "kept") for every item of
    todo, `jobs` at a time, a progress line every `every` runs; returns the
    wall seconds."""
    t0, done = time.time(), 0
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        for f in cf.as_completed([ex.submit(run_one, *item) for item in todo]):
            d, secs, what = f.result()
            done += 1
            if what == "ran" and (done % every == 0 or done == len(todo)):
                print(f"[{done}/{len(todo)} {time.time() - t0:5.0f} s] {d} ({secs:.1f} s)",
                      flush=True)
    return time.time() - t0


def run_dtfl(cmd):
    """Runs a dtfl command quietly on one BLAS thread; raises with its
    stderr when it fails; returns the wall seconds."""
    t0 = time.time()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       env=ONE_THREAD)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\n{r.stderr}")
    return time.time() - t0


def bench_json(dtfl, name, export=False, extra=()):
    """`dtfl bench NAME --json [EXTRA...]` on one BLAS thread: its figures,
    and with export the instance it wrote by --export (else None)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "instance.json")
        cmd = [dtfl, "bench", name, "--json"] + list(extra) + (
            ["--export", path] if export else [])
        ours = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True,
                                         env=ONE_THREAD).stdout)
        if not export:
            return ours, None
        with open(path) as f:
            return ours, json.load(f)


def timed(fn, repeats):
    """The median seconds of `repeats` calls of fn, and fn's last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def plotting(out):
    """matplotlib without a display, and save(fig, name): laid out, written
    to out/name at 120 dpi, closed."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def save(fig, name):
        import os
        fig.tight_layout()
        fig.savefig(os.path.join(out, name), dpi=120)
        plt.close(fig)
    return plt, save


def torch_mlp(nin, widths, nout, gain):
    """nin -> widths (ReLU) -> nout as dtfl's rl_mlp builds it: orthogonal
    weights (gain sqrt 2 hidden, `gain` out), zero biases (PyTorch)"""
    from torch import nn
    layers, n = [], nin
    for h in widths:
        lin = nn.Linear(n, h)
        nn.init.orthogonal_(lin.weight, 2 ** 0.5)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.ReLU()]
        n = h
    out = nn.Linear(n, nout)
    nn.init.orthogonal_(out.weight, gain)
    nn.init.zeros_(out.bias)
    return nn.Sequential(*layers, out)
