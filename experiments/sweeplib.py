"""sweeplib.py - what the sweeps of experiments/*/sweep.py share: the mean
of a figure's points over seeds with its 95% interval (Student's t), and a
pool that runs a sweep's jobs two (or --jobs) at a time with progress."""
import concurrent.futures as cf
import math
import time


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
