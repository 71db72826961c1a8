#!/usr/bin/python3
"""sweep.py - reproduces Figs. 4-14 of 002_ca0ca53b36ca2425.txt (Beta-HAPPO)
with our numbers beside the paper's claims.

On configs/happo-paper.yaml (K 30 MUs, M 5 BSs, frames of 100 slots of 50
ms), each learner trained by `dtfl train` (then 10 greedy evaluation
episodes) and each heuristic run for one episode:

    curves    Figs. 4-6: beta-happo, gauss-happo, beta-mappo, maddpg, --seeds seeds:
              r_g, r_c and energy per training episode; the headline ratios
              (baseline's energy over Beta-HAPPO's; the paper: 1.254 B-MAPPO,
              1.419 G-HAPPO, 1.697 MADDPG)
    users     Figs. 7-8: energy and failure ratio at K = 10..40, retrained
              (the HAPPO family; MADDPG at K 30 only)
    servers   Fig. 9: energy at M = 3..7 and K = 25, retrained
    load      Figs. 10-11: the K 30 policies evaluated (not retrained: say
              so) at lambda 0.1..0.9 and D_max x B
    eta       Fig. 12: B-HAPPO retrained at eta = 0.7..1.3 (eta weighs
              failures in the reward only, so it takes a training each)
    outage    Figs. 13-14: energy and failures at K = 50..60, retrained
    heuristic fullpower, pathloss-pc, random at every point

The paper trains 150
episodes of 50 frames; the defaults here are --episodes 60 of --frames 10
(1000 slots: a fifth of an episode, 1/12 of the samples), and the sweeps
over K and M use --sweep-seeds 1 seed: the run takes about 25 minutes on
two cores. --episodes 150 --frames 50 is the paper's budget (hours).

A job whose summary.json exists is kept, so an interrupted sweep resumes.
Writes results/happo/fig*.png and results.md.

    experiments/happo/sweep.py                          # the defaults
    experiments/happo/sweep.py --seeds 1 --episodes 5 --frames 2 --out /tmp/h   # smoke
    experiments/happo/sweep.py --plot-only
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import plotting, run_dtfl, run_pool, stat  # noqa: E402

CFG = "configs/happo-paper.yaml"
LEARNERS = {"beta-happo": "B-HAPPO", "gauss-happo": "G-HAPPO", "beta-mappo": "B-MAPPO",
            "maddpg": "MADDPG"}
# MADDPG's update costs 8x HAPPO's here (36 critic passes of 1000 samples per
# update): it is trained at K 30, M 5 only (Figs. 4-6, 10-12)
SWEEPERS = ["beta-happo", "gauss-happo", "beta-mappo"]
HEUR = ["fullpower", "pathloss-pc", "random"]
PAPER_RATIO = {"beta-mappo": 1.254, "gauss-happo": 1.419, "maddpg": 1.697}
USERS = [10, 15, 20, 25, 30, 35, 40]
SERVERS = [3, 4, 5, 6, 7]
LAMBDAS = [0.1, 0.3, 0.5, 0.7, 0.9]
DMAX = [20, 25, 30]          # kbit (the spec's A11 reading of Fig. 11)
BANDS = [8, 10, 12]          # MHz (the paper gives no values)
ETAS = [0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]
OUTAGE = [50, 52, 54, 56, 58, 60]


def base_words(args):
    return [f"world.slots={100 * args.frames}", f"train.episodes={args.episodes}"]


def point(K=30, M=5):
    """overrides of a (K, M) point: BSs from the paper's file at M 5, else
    seeded uniform (spec 3)"""
    w = [f"users.count={K}", f"servers.count={M}"]
    if M != 5:
        w.append("servers.placement=uniform")
    return w


def jobs_of(args):
    out = []
    for s in range(1, args.seeds + 1):
        for p in LEARNERS:
            out.append((f"train-{p}-K30-M5-s{s}", ["train", f"sched.policy={p}", f"seed={s}"]
                        + point()))
    for s in range(1, args.sweep_seeds + 1):
        for K in USERS + OUTAGE:
            for p in SWEEPERS:
                if not (K == 30 and s <= args.seeds):
                    out.append((f"train-{p}-K{K}-M5-s{s}",
                                ["train", f"sched.policy={p}", f"seed={s}"] + point(K)))
        for M in SERVERS:
            for p in SWEEPERS:
                out.append((f"train-{p}-K25-M{M}-s{s}",
                            ["train", f"sched.policy={p}", f"seed={s}"] + point(25, M)))
        for v in ETAS:  # eta 1 is Table I's: the K 30 run
            if v != 1.0:
                out.append((f"train-beta-happo-eta{v:g}-s{s}",
                            ["train", "sched.policy=beta-happo", f"seed={s}",
                             f"happo.eta={v:g}"] + point()))
    for s in range(1, args.seeds + 1):
        for K in sorted(set(USERS + OUTAGE)):
            for p in HEUR:
                out.append((f"heur-{p}-K{K}-M5-s{s}", ["run", f"sched.policy={p}", f"seed={s}"]
                            + point(K)))
        for M in SERVERS:
            for p in HEUR:
                out.append((f"heur-{p}-K25-M{M}-s{s}", ["run", f"sched.policy={p}",
                                                        f"seed={s}"] + point(25, M)))
    return out


def load_points():
    """(tag, overrides) of Figs. 10-12's settings"""
    pts = [(f"lam{v:g}", [f"happo.lambda={v:g}"]) for v in LAMBDAS]
    pts += [(f"d{d}-b{b}", [f"happo.data_kbit=[{0.6 * d:g}, {d:g}]", f"happo.bandwidth_mhz={b}"])
            for d in DMAX for b in BANDS]
    return pts


def eval_jobs(args):
    """the K 30 policies (and the heuristics) under Figs. 10-12's settings:
    one episode each, on the run's own users"""
    out = []
    for tag, words in load_points():
        for s in range(1, args.seeds + 1):
            for p in LEARNERS:
                pol = os.path.join(args.out, f"train-{p}-K30-M5-s{s}", "policy.bin")
                out.append((f"load-{p}-{tag}-s{s}", ["run", f"sched.policy={p}", f"seed={s}",
                                                     f"sched.policy_file={pol}"] + words))
            for p in HEUR:
                out.append((f"load-{p}-{tag}-s{s}", ["run", f"sched.policy={p}", f"seed={s}"]
                            + words))
    return out


def run_one(args, tag, words):
    d = os.path.join(args.out, tag)
    if os.path.exists(os.path.join(d, "summary.json")):
        return d, 0.0, "kept"
    cmd = [args.dtfl, words[0], CFG] + words[1:] + base_words(args) + [f"out={d}"]
    return d, run_dtfl(cmd), "ran"


def summary(args, tag):
    with open(os.path.join(args.out, tag, "summary.json")) as f:
        return json.load(f)


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def value(args, kind, p, tag_rest, seeds, key):
    """(mean, 95% half-width) over seeds of a learner's evaluation or a
    heuristic's run"""
    vals = []
    for s in range(1, seeds + 1):
        if kind == "train":
            vals.append(summary(args, f"train-{p}-{tag_rest}-s{s}")["eval_" + key])
        else:
            sm = summary(args, f"{kind}-{p}-{tag_rest}-s{s}")
            vals.append(sm["failures"] / max(sm["requests"], 1) if key == "failure_ratio"
                        else sm["mean_" + key])
    return stat(vals)


def fig_curves(args, plt, save, md):
    slots = 100 * args.frames
    for col, label, png in (("reward", "r_g per slot (MUs and BSs)", "fig4.png"),
                            ("reward_cc", "r_c per slot (control centre)", "fig5.png"),
                            ("energy", "energy per MU per slot, J", "fig6.png")):
        fig, ax = plt.subplots(figsize=(6, 3.6))
        for p, name in LEARNERS.items():
            cs = [[float(r[col]) for r in rows(os.path.join(args.out, f"train-{p}-K30-M5-s{s}",
                                                            "train.csv"))]
                  for s in range(1, args.seeds + 1)]
            n = min(len(c) for c in cs)
            m = [sum(c[i] for c in cs) / len(cs) for i in range(n)]
            sd = [(sum((c[i] - m[i]) ** 2 for c in cs) / max(len(cs) - 1, 1)) ** 0.5
                  for i in range(n)]
            xs = [(i + 1) * slots for i in range(n)]
            ax.plot(xs, m, label=name)
            ax.fill_between(xs, [a - b for a, b in zip(m, sd)], [a + b for a, b in zip(m, sd)],
                            alpha=0.2)
        ax.set_xlabel("time steps")
        ax.set_ylabel(label + "\n(mean, sd over seeds)", fontsize=8)
        ax.legend(fontsize=7)
        save(fig, png)
    md.append("## Figs. 4-6: after training (10 greedy episodes, K 30, M 5)\n")
    md.append("| policy | energy per MU-slot, mJ | failures per request | r_g per slot | "
              "r_c per slot | baseline / B-HAPPO energy (paper) |")
    md.append("|---|---|---|---|---|---|")
    e_bh = value(args, "train", "beta-happo", "K30-M5", args.seeds, "energy")[0]
    for p in LEARNERS:
        e = value(args, "train", p, "K30-M5", args.seeds, "energy")
        f = value(args, "train", p, "K30-M5", args.seeds, "failure_ratio")
        rg = value(args, "train", p, "K30-M5", args.seeds, "reward")
        rc = value(args, "train", p, "K30-M5", args.seeds, "reward_cc")
        ratio = "" if p == "beta-happo" else f"{e[0] / e_bh:.3f} ({PAPER_RATIO[p]})"
        md.append(f"| {p} | {1e3 * e[0]:.3f} +- {1e3 * e[1]:.3f} | {f[0]:.4f} +- {f[1]:.4f} | "
                  f"{rg[0]:.3f} | {rc[0]:.3f} | {ratio} |")
    for p in HEUR:
        e = value(args, "heur", p, "K30-M5", args.seeds, "energy")
        f = value(args, "heur", p, "K30-M5", args.seeds, "failure_ratio")
        md.append(f"| {p} (one episode) | {1e3 * e[0]:.3f} +- {1e3 * e[1]:.3f} | {f[0]:.4f} | | "
                  f"| {e[0] / e_bh:.3f} |")
    md.append("")


def fig_sweep(args, plt, save, md, xs, tag, xlabel, png, title, key="energy", seeds=None):
    seeds = seeds or args.sweep_seeds
    fig, ax = plt.subplots(figsize=(6, 3.6))
    md.append(f"## {title}\n")
    md.append(f"| {xlabel} | " + " | ".join(SWEEPERS + HEUR) + " |")
    md.append("|---" * (1 + len(SWEEPERS) + len(HEUR)) + "|")
    table = {x: [] for x in xs}
    scale = 1e3 if key == "energy" else 1.0
    for p in SWEEPERS + HEUR:
        ys = []
        for x in xs:
            kind = "train" if p in LEARNERS else "heur"
            n = seeds if kind == "train" else args.seeds
            if kind == "train" and tag(x) == "K30-M5":
                n = args.seeds
            v = value(args, kind, p, tag(x), n, key)[0] * scale
            ys.append(v)
            table[x].append(v)
        ax.plot(xs, ys, marker="o" if p in LEARNERS else ".", ls="-" if p in LEARNERS else ":",
                label=LEARNERS.get(p, p))
    for x in xs:
        md.append(f"| {x} | " + " | ".join(f"{v:.4g}" for v in table[x]) + " |")
    md.append("")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("energy per MU per slot, mJ" if key == "energy" else "failures per request")
    ax.legend(fontsize=7)
    save(fig, png)


def fig_load(args, plt, save, md):
    md.append("## Figs. 10-11: the K 30 policies evaluated under other settings (not "
              "retrained; one episode per seed)\n")
    for title, tags, png, xl in (
            ("Fig. 10: lambda", [(f"lam{v:g}", v) for v in LAMBDAS], "fig10.png", "lambda"),):
        fig, ax = plt.subplots(figsize=(6, 3.6))
        md.append(f"### {title}\n\n| {xl} | policy | energy, mJ | failures per request |")
        md.append("|---|---|---|---|")
        for p in list(LEARNERS) + HEUR:
            es = []
            for tag, x in tags:
                e = value(args, "load", p, tag, args.seeds, "energy")[0]
                f = value(args, "load", p, tag, args.seeds, "failure_ratio")[0]
                es.append(1e3 * e)
                md.append(f"| {x:g} | {p} | {1e3 * e:.4g} | {f:.4f} |")
            ax.plot([x for _, x in tags], es, marker="o", label=LEARNERS.get(p, p))
        ax.set_xlabel(xl)
        ax.set_ylabel("energy per MU per slot, mJ")
        ax.legend(fontsize=7)
        save(fig, png)
        md.append("")
    fig, ax = plt.subplots(figsize=(6, 3.6))
    md.append("### Fig. 11: D_max (kbit, D ~ U[0.6 D_max, D_max]) x B (MHz), B-HAPPO\n")
    md.append("| D_max | B | energy, mJ | failures per request |\n|---|---|---|---|")
    for b in BANDS:
        es = []
        for d in DMAX:
            e = value(args, "load", "beta-happo", f"d{d}-b{b}", args.seeds, "energy")[0]
            f = value(args, "load", "beta-happo", f"d{d}-b{b}", args.seeds, "failure_ratio")[0]
            es.append(1e3 * e)
            md.append(f"| {d} | {b} | {1e3 * e:.4g} | {f:.4f} |")
        ax.plot(DMAX, es, marker="o", label=f"B = {b} MHz")
    ax.set_xlabel("D_max, kbit")
    ax.set_ylabel("energy per MU per slot, mJ")
    ax.legend(fontsize=7)
    save(fig, "fig11.png")
    md.append("")


def fig_eta(args, plt, save, md):
    """Fig. 12: B-HAPPO retrained per eta; energy and failures on two axes"""
    tags = [("K30-M5" if v == 1.0 else f"eta{v:g}", v) for v in ETAS]
    md.append("## Fig. 12: B-HAPPO retrained at each eta (the paper: energy rises and "
              "failures fall with eta)\n")
    md.append("| eta | energy, mJ | failures per request |\n|---|---|---|")
    es, fs = [], []
    for tag, v in tags:
        e = value(args, "train", "beta-happo", tag, args.sweep_seeds, "energy")[0]
        f = value(args, "train", "beta-happo", tag, args.sweep_seeds, "failure_ratio")[0]
        es.append(1e3 * e)
        fs.append(f)
        md.append(f"| {v:g} | {1e3 * e:.4g} | {f:.4f} |")
    md.append("")
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(ETAS, es, marker="o", color="C0", label="energy")
    ax.set_xlabel("eta")
    ax.set_ylabel("energy per MU per slot, mJ", color="C0")
    ax2 = ax.twinx()
    ax2.plot(ETAS, fs, marker="s", color="C3", label="failures")
    ax2.set_ylabel("failures per request", color="C3")
    save(fig, "fig12.png")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    ap.add_argument("--out", default="results/happo")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--sweep-seeds", type=int, default=1)
    ap.add_argument("--episodes", type=int, default=60)
    ap.add_argument("--frames", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--plot-only", action="store_true")
    args = ap.parse_args()
    args.sweep_seeds = min(args.sweep_seeds, args.seeds)
    os.makedirs(args.out, exist_ok=True)
    if not args.plot_only:
        wall = run_pool(lambda t, w: run_one(args, t, w), jobs_of(args), args.jobs)
        wall += run_pool(lambda t, w: run_one(args, t, w), eval_jobs(args), args.jobs)
        print(f"runs: {wall:.0f} s")
    plt, save = plotting(args.out)
    md = ["# Beta-HAPPO (002): our numbers\n",
          f"configs/happo-paper.yaml; {args.episodes} training episodes of {args.frames} "
          f"frames ({100 * args.frames} slots; the paper: 150 of 50 frames), 10 greedy "
          f"evaluation episodes; {args.seeds} seeds at K 30, M 5 and {args.sweep_seeds} in "
          "the K and M sweeps (MADDPG at K 30 only); tables: mean +- the 95% interval "
          "over seeds.\n"]
    fig_curves(args, plt, save, md)
    t = lambda K: f"K{K}-M5"  # noqa: E731
    fig_sweep(args, plt, save, md, USERS, t, "K", "fig7.png", "Fig. 7: energy against K")
    fig_sweep(args, plt, save, md, USERS, t, "K", "fig8.png",
              "Fig. 8: failures per request against K (the paper: 0 up to K = 25)",
              key="failure_ratio")
    fig_sweep(args, plt, save, md, SERVERS, lambda M: f"K25-M{M}", "M", "fig9.png",
              "Fig. 9: energy against M at K = 25 (M = 5: the paper preset's BSs from "
              "configs/happo-bs5.csv; other M: seeded uniform, spec 3)")
    fig_load(args, plt, save, md)
    fig_eta(args, plt, save, md)
    fig_sweep(args, plt, save, md, OUTAGE, t, "K", "fig13.png", "Fig. 13: energy at K = 50..60")
    fig_sweep(args, plt, save, md, OUTAGE, t, "K", "fig14.png",
              "Fig. 14: failures per request at K = 50..60 (the paper: 100% at 58)",
              key="failure_ratio")
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"wrote {args.out}/results.md and its figures")


if __name__ == "__main__":
    main()
