#!/usr/bin/python3
"""sweep.py - reproduces Figs. 2a, 2b, 3a and 3b of 004_f278a938a6f2a03d.txt
(EcoEdgeTwin) and adds latency per episode and the twins' gain against
their error and the load variability.

Runs, on configs/ecoedgetwin-paper.yaml (60 users, 45 servers, 60 slots an
episode) along synthetic T-Drive taxis (make_traces.py: 80 taxis, 112 h,
made once into OUT/taxis; the busiest 60 of each hour; training episode e
is hour e, evaluation the hours after, `mobility.trace_episodes`; --waypoint
keeps the preset's random waypoint), each with one seed:

    train     `dtfl train` of eco-a2c (the twins' view) and eco-a2c-nodt
              (the benchmark: the same learner without the twin layer) for
              --episodes episodes, then 10 greedy evaluation episodes
    speed     the trained eco-a2c on one more episode, twins.csv kept:
              each user's latency against its speed (Fig. 2b)
    base      eco-greedy, eco-greedy-nodt, eco-local, eco-random: one episode
    gain      eco-greedy with and without twins at load std 0, 0.15, 0.3
              and twin error 0, 0.25, 0.5, 1

A job whose summary.json exists is kept, so an interrupted sweep resumes.
Then it draws results/ecoedgetwin/fig*.png and writes results.md: every
plotted number (mean over seeds, with the spread), the spec's in-shape
criteria for Figs. 3a-b (section 5), and the paper's claims checked.

    experiments/ecoedgetwin/sweep.py                       # 3 seeds, about a minute
    experiments/ecoedgetwin/sweep.py --seeds 1 --episodes 5 --out /tmp/e   # a smoke run
    experiments/ecoedgetwin/sweep.py --plot-only
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import plotting, run_dtfl, run_pool, stat  # noqa: E402

CFG = "configs/ecoedgetwin-paper.yaml"
LEARNERS = {"eco-a2c": "EcoEdgeTwin (A2C, twins)", "eco-a2c-nodt": "benchmark (A2C, no twins)"}
BASE = ["eco-greedy", "eco-greedy-nodt", "eco-local", "eco-random"]
SIGMAS = [0.0, 0.15, 0.3]
ERRORS = [0.0, 0.25, 0.5, 1.0]


def mobility(args):
    """the overrides that put the users on the taxis (none with --waypoint)"""
    if args.waypoint:
        return []
    return ["mobility.model=trace", f"mobility.trace={os.path.join(args.out, 'taxis')}",
            "mobility.trace_format=tdrive", "mobility.trace_episodes=true"]


def make_taxis(args):
    """the taxis, once: 110 hours for 100 training and 10 evaluation episodes"""
    d = os.path.join(args.out, "taxis")
    if args.waypoint or os.path.exists(os.path.join(d, "80.txt")):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    hours = max(args.episodes + 12, 24)
    run_dtfl([sys.executable, os.path.join(here, "make_traces.py"), d, "--taxis", "80",
              "--hours", str(hours)])


def jobs_of(args):
    """(tag, command words after the config) for every run."""
    out = []
    for s in range(1, args.seeds + 1):
        for p in LEARNERS:
            out.append((f"train-{p}-s{s}", ["train", f"sched.policy={p}", f"seed={s}",
                                            f"train.episodes={args.episodes}"]))
        for p in BASE:
            out.append((f"base-{p}-s{s}", ["run", f"sched.policy={p}", f"seed={s}"]))
        for sg in SIGMAS:
            for e in ERRORS:
                for p in ("eco-greedy", "eco-greedy-nodt"):
                    out.append((f"gain-{p}-sg{sg:g}-e{e:g}-s{s}",
                                ["run", f"sched.policy={p}", f"seed={s}",
                                 f"ecoedgetwin.load_sigma={sg:g}",
                                 f"ecoedgetwin.dt_error={e:g}"]))
    return out


def run_one(args, tag, words):
    d = os.path.join(args.out, tag)
    if os.path.exists(os.path.join(d, "summary.json")):
        return d, 0.0, "kept"
    cmd = [args.dtfl, words[0], CFG] + words[1:] + mobility(args) + [f"out={d}"]
    return d, run_dtfl(cmd), "ran"


def speed_jobs(args):
    """After training: the trained eco-a2c on one episode, per seed."""
    out = []
    for s in range(1, args.seeds + 1):
        pol = os.path.join(args.out, f"train-eco-a2c-s{s}", "policy.bin")
        out.append((f"speed-s{s}", ["run", "sched.policy=eco-a2c", f"seed={s}",
                                    f"sched.policy_file={pol}"]))
    return out


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def summary(d):
    with open(os.path.join(d, "summary.json")) as f:
        return json.load(f)


def curves(args, policy, col):
    """Per seed, the column over training episodes."""
    return [[float(r[col]) for r in rows(os.path.join(args.out, f"train-{policy}-s{s}",
                                                        "train.csv"))]
            for s in range(1, args.seeds + 1)]


def mean_sd(values):
    """mean and standard deviation (the spec's spread over seeds)"""
    m = sum(values) / len(values)
    if len(values) < 2:
        return m, 0.0
    return m, (sum((v - m) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def mean_curve(cs):
    n = min(len(c) for c in cs)
    return [mean_sd([c[i] for c in cs]) for i in range(n)]


def base_mean(args, policy, key):
    return sum(summary(os.path.join(args.out, f"base-{policy}-s{s}"))[key]
               for s in range(1, args.seeds + 1)) / args.seeds


def spearman(x, y):
    try:
        from scipy.stats import spearmanr
        r = spearmanr(x, y)
        return float(r.correlation), float(r.pvalue)
    except ImportError:
        return float("nan"), float("nan")


def fig_training(args, plt, save, md):
    cols = [("reward", "reward per slot (eq. 13)", "fig2a.png", "mean_reward", False),
            ("energy_fraction", "energy / all-local energy", "fig3a.png",
             "mean_energy_fraction", True),
            ("qoe", "QoE summed over users, per slot", "fig3b.png", "mean_qoe", False),
            ("latency", "mean latency, s", "latency.png", "mean_latency", True)]
    out = {}
    for col, label, png, key, log in cols:
        fig, ax = plt.subplots(figsize=(6, 3.6))
        for p, style in (("eco-greedy", ":"), ("eco-local", "--")):
            ax.axhline(base_mean(args, p, key), color="grey", ls=style, lw=1, label=p)
        if log:
            ax.set_yscale("log")
        for p, name in LEARNERS.items():
            mc = mean_curve(curves(args, p, col))
            out[(p, col)] = mc
            xs = list(range(1, len(mc) + 1))
            m = [v[0] for v in mc]
            h = [v[1] for v in mc]
            ax.plot(xs, m, label=name)
            lo = [max(a - b, 1e-3) if log else a - b for a, b in zip(m, h)]
            ax.fill_between(xs, lo, [a + b for a, b in zip(m, h)], alpha=0.2)
        ax.set_xlabel("episode")
        ax.set_ylabel(label + "\n(mean, sd over seeds)", fontsize=8)
        ax.legend(fontsize=7)
        save(fig, png)
    return out


def in_shape(args, out, md):
    """Spec 5: in 3a the twins below the benchmark in >= 80% of the second
    half's episodes with a std not larger; in 3b above in >= 80% with a
    positive slope over all episodes."""
    n = len(out[("eco-a2c", "energy_fraction")])
    half = range(n // 2, n)
    e_dt = [out[("eco-a2c", "energy_fraction")][i][0] for i in half]
    e_no = [out[("eco-a2c-nodt", "energy_fraction")][i][0] for i in half]
    q_dt = [out[("eco-a2c", "qoe")][i][0] for i in half]
    q_no = [out[("eco-a2c-nodt", "qoe")][i][0] for i in half]
    below = sum(a < b for a, b in zip(e_dt, e_no)) / len(e_dt)
    above = sum(a > b for a, b in zip(q_dt, q_no)) / len(q_dt)
    sd = lambda v: (sum((x - sum(v) / len(v)) ** 2 for x in v) / max(len(v) - 1, 1)) ** 0.5
    qall = [v[0] for v in out[("eco-a2c", "qoe")]]
    xs = list(range(len(qall)))
    mx, my = sum(xs) / len(xs), sum(qall) / len(qall)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, qall)) / max(
        sum((x - mx) ** 2 for x in xs), 1e-12)
    md.append("## In shape? (spec section 5, episodes %d-%d)\n" % (n // 2 + 1, n))
    md.append("| criterion | ours | holds |\n|---|---|---|")
    md.append(f"| 3a: twins' energy below the benchmark's in >= 80% of episodes | "
              f"{100 * below:.0f}% | {'yes' if below >= 0.8 else 'no'} |")
    md.append(f"| 3a: std over those episodes not larger | {sd(e_dt):.3f} vs {sd(e_no):.3f} | "
              f"{'yes' if sd(e_dt) <= sd(e_no) else 'no'} |")
    md.append(f"| 3b: twins' QoE above the benchmark's in >= 80% | {100 * above:.0f}% | "
              f"{'yes' if above >= 0.8 else 'no'} |")
    md.append(f"| 3b: twins' QoE rises over the episodes | slope {slope:.4f} per episode | "
              f"{'yes' if slope > 0 else 'no'} |\n")


def fig_speed(args, plt, save, md):
    sp, lat = [], []
    for s in range(1, args.seeds + 1):
        for r in rows(os.path.join(args.out, f"speed-s{s}", "twins.csv")):
            if int(r["slot"]) > 0:
                sp.append(float(r["speed_kmh"]))
                lat.append(float(r["latency"]))
    bins = [0, 5, 10, 15, 20, 25, 100]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.scatter(sp, lat, s=2, alpha=0.3)
    md.append("## Fig. 2b: latency against speed (trained eco-a2c, one episode a seed)\n")
    md.append("| speed, km/h | points | mean latency, s | median, s |\n|---|---|---|---|")
    for lo, hi in zip(bins, bins[1:]):
        v = sorted(l for s, l in zip(sp, lat) if lo <= s < hi)
        if v:
            md.append(f"| {lo}-{hi} | {len(v)} | {sum(v) / len(v):.3f} | "
                      f"{v[len(v) // 2]:.3f} |")
    rho, p = spearman(sp, lat)
    md.append(f"\nSpearman's rho {rho:.3f} (p = {p:.2g}); the paper says latency rises "
              f"with speed.\n")
    ax.set_xlabel("speed, km/h")
    ax.set_ylabel("latency, s")
    ax.set_yscale("log")
    save(fig, "fig2b.png")


def tables(args, md):
    md.append("## Evaluation (10 greedy episodes after training) and the heuristics\n")
    md.append("| policy | reward per slot | energy / all-local | QoE per slot | latency, s |")
    md.append("|---|---|---|---|---|")
    for p in LEARNERS:
        ev = [rows(os.path.join(args.out, f"train-{p}-s{s}", "eval.csv"))
              for s in range(1, args.seeds + 1)]
        vals = {c: stat([sum(float(r[c]) for r in e) / len(e) for e in ev])
                for c in ("reward", "energy_fraction", "qoe", "latency")}
        md.append(f"| {p} | {vals['reward'][0]:.3f} +- {vals['reward'][1]:.3f} | "
                  f"{vals['energy_fraction'][0]:.3f} | {vals['qoe'][0]:.1f} | "
                  f"{vals['latency'][0]:.3f} |")
    for p in BASE:
        ss = [summary(os.path.join(args.out, f"base-{p}-s{s}")) for s in range(1, args.seeds + 1)]
        st = {k: stat([x[k] for x in ss]) for k in ("mean_reward", "mean_energy_fraction",
                                                    "mean_qoe", "mean_latency")}
        md.append(f"| {p} | {st['mean_reward'][0]:.3f} +- {st['mean_reward'][1]:.3f} | "
                  f"{st['mean_energy_fraction'][0]:.3f} | {st['mean_qoe'][0]:.1f} | "
                  f"{st['mean_latency'][0]:.3f} |")
    md.append("")


def fig_gain(args, plt, save, md):
    md.append("## The twins' gain (eco-greedy with and without twins, (no-DT - DT) / |no-DT|)\n")
    md.append("| load std | twin error | reward gain | energy gain | QoE gain (DT - no-DT) / no-DT |")
    md.append("|---|---|---|---|---|")
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for sg in SIGMAS:
        ys = []
        for e in ERRORS:
            g = {}
            for k in ("mean_reward", "mean_energy_fraction", "mean_qoe"):
                vals = []
                for s in range(1, args.seeds + 1):
                    dt = summary(os.path.join(args.out, f"gain-eco-greedy-sg{sg:g}-e{e:g}-s{s}"))[k]
                    no = summary(os.path.join(args.out,
                                              f"gain-eco-greedy-nodt-sg{sg:g}-e{e:g}-s{s}"))[k]
                    vals.append((dt - no) / abs(no) if k == "mean_reward" or k == "mean_qoe"
                                else (no - dt) / abs(no))
                g[k] = stat(vals)
            ys.append(100 * g["mean_reward"][0])
            md.append(f"| {sg:g} | {e:g} | {100 * g['mean_reward'][0]:+.1f}% | "
                      f"{100 * g['mean_energy_fraction'][0]:+.1f}% | "
                      f"{100 * g['mean_qoe'][0]:+.1f}% |")
        ax.plot(ERRORS, ys, marker="o", label=f"load std {sg:g}")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("twin error eps (over the load std)")
    ax.set_ylabel("reward gain of the twins, %")
    ax.legend()
    save(fig, "gain.png")
    md.append("")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    ap.add_argument("--out", default="results/ecoedgetwin")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--episodes", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--plot-only", action="store_true")
    ap.add_argument("--waypoint", action="store_true",
                    help="random waypoint users instead of the taxis")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if not args.plot_only:
        make_taxis(args)
        wall = run_pool(lambda t, w: run_one(args, t, w), jobs_of(args), args.jobs)
        wall += run_pool(lambda t, w: run_one(args, t, w), speed_jobs(args), args.jobs)
        print(f"runs: {wall:.0f} s")
    plt, save = plotting(args.out)
    md = ["# EcoEdgeTwin (004): our numbers\n",
          f"configs/ecoedgetwin-paper.yaml, {args.seeds} seeds, {args.episodes} training "
          f"episodes of 60 slots, users {'on random waypoints' if args.waypoint else 'on synthetic T-Drive taxis (an hour an episode)'}; tables: mean +- the 95% interval over seeds; figures: "
          "mean and standard deviation over seeds. The paper states no number: its axes "
          "are Fig. 3a energy 0.6-1.0 (\"%\"), Fig. 3b QoE 36-54.\n"]
    out = fig_training(args, plt, save, md)
    in_shape(args, out, md)
    tables(args, md)
    fig_speed(args, plt, save, md)
    fig_gain(args, plt, save, md)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"wrote {args.out}/results.md and its figures")


if __name__ == "__main__":
    main()
