#!/usr/bin/python3
"""sweep.py - reproduces Figs. 4-10 of 003_8fb9af7836691d5d.txt (DITEN).

For every seed, server count S (9, 11, ..., 21) and EMD phi (0, 0.2, 0.4,
0.6) it trains and evaluates the five policies of the paper with
`dtfl train` on configs/diten-paper.yaml (analytic mode, U = 20, T = 750,
Table II):

    ppo        the paper (PPO association, optimal gamma of eq. 26)
    a2c        baseline 1 (actor-critic association, optimal gamma)
    nearest    baseline 2 (nearest feasible server, optimal gamma)
    random     baseline 3 (nearest feasible server, random gamma)
    ddpg       baseline 4 (DDPG association, optimal gamma)

Jobs run in parallel processes (--jobs, default: the number of cores); a
job whose summary.json exists is skipped, so an interrupted sweep resumes.
Then it draws the figures as PNG into --out (means over seeds, with their
95% intervals), writes ratios.md (PPO's average objective over each
baseline next to the paper's 0.1022, 0.5070, 0.6842, 1.5025) and
results.md (every number the figures show with its interval, PPO against
A2C and DDPG seed by seed, and whether the paper's qualitative claims hold
here).

    experiments/diten/sweep.py                  # the full sweep, 3 seeds
    experiments/diten/sweep.py --seeds 1        # one seed (a third of the time)
    experiments/diten/sweep.py --sensitivity    # the unit-reading figure
    experiments/diten/sweep.py --variants       # PPO's design choices
    experiments/diten/sweep.py --fit results/utility-cnn/fit.json
                                                # PPO on a measured curve
    experiments/diten/sweep.py --plot-only      # redraw from results
"""
import argparse
import concurrent.futures as cf
import csv
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import stat  # noqa: E402

POLICIES = {  # name: (sched.policy, sched.allocation, label)
    "ppo": ("ppo", "optimal", "PPO (proposed)"),
    "a2c": ("a2c", "optimal", "Baseline 1 (A2C)"),
    "nearest": ("nearest", "optimal", "Baseline 2 (nearest)"),
    "random": ("nearest", "random", "Baseline 3 (nearest, random gamma)"),
    "ddpg": ("ddpg", "optimal", "Baseline 4 (DDPG)"),
}
# PPO's design choices (docs/diten.md), compared by --variants
VARIANTS = {  # name: (label, overrides beside sched.policy=ppo)
    "ppo": ("default: rollout 32, 4 epochs x 1 minibatch, entropy 0", []),
    "ppo-alg1": ("Algorithm 1 literally: one update per 750-slot episode, "
                 "4 epochs x 4 minibatches",
                 ["ppo.rollout=0", "ppo.minibatches=4"]),
    "ppo-cleanrl": ("CleanRL's Atari defaults: rollout 128, 4 x 4, entropy 0.01",
                    ["ppo.rollout=128", "ppo.minibatches=4", "ppo.ent_coef=0.01"]),
    "ppo-ent": ("default with entropy bonus 0.01", ["ppo.ent_coef=0.01"]),
    "ppo-peruser": ("default with a ratio and clip per user",
                    ["ppo.ratio=per_user"]),
    "ppo-f1000": ("default trained with barrier coefficient f = 1000 "
                  "(eq. 24; Table II: 10)", ["diten.barrier_f=1000"]),
}
BASELINES = ["a2c", "nearest", "random", "ddpg"]
PAPER_RATIO = {"a2c": 0.1022, "nearest": 0.5070, "random": 0.6842, "ddpg": 1.5025}
UNITS = ["bit", "kbit", "sample"]


def job_dir(out, seed, S, phi, pol, unit="bit"):
    tag = "" if unit == "bit" else f"-{unit}"
    return os.path.join(out, f"seed{seed}", f"S{S}-phi{phi:.1f}{tag}", pol)


def run_job(args, seed, S, phi, pol, unit="bit"):
    d = job_dir(args.out, seed, S, phi, pol, unit)
    if os.path.exists(os.path.join(d, "summary.json")):
        return d, 0.0, "kept"
    extra = []
    if unit == "fit":  # the paper's units, the measured utility curve
        unit, extra = "bit", [f"utility.fit={args.fit}"]
    if pol in POLICIES:
        policy, alloc, _ = POLICIES[pol]
    else:
        policy, alloc = "ppo", "optimal"
        extra += VARIANTS[pol][1]
    cmd = [args.dtfl, "train", args.config, f"out={d}", f"seed={seed}",
           f"servers.count={S}", f"users.phi={phi}", f"sched.policy={policy}",
           f"sched.allocation={alloc}", f"train.episodes={args.episodes}",
           f"train.eval_episodes={args.eval_episodes}", f"diten.unit={unit}",
           f"name=diten-S{S}-phi{phi}-{pol}"] + extra
    t0 = time.time()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\n{r.stderr}")
    return d, time.time() - t0, "ran"


def run_all(args, jobs):
    # the longest first, so the last job to finish is a short one
    cost = {"ddpg": 3, "ppo": 2, "a2c": 2, "nearest": 0, "random": 0}
    jobs = sorted(jobs, key=lambda j: -cost.get(j[3], 2))
    t0 = time.time()
    done = 0
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_job, args, *j) for j in jobs]
        for f in cf.as_completed(futs):
            d, secs, what = f.result()
            done += 1
            print(f"[{done}/{len(jobs)} {time.time() - t0:6.0f} s] {what} {d} "
                  f"({secs:.0f} s)", flush=True)
    return time.time() - t0


def read_summary(d):
    with open(os.path.join(d, "summary.json")) as f:
        return json.load(f)


def read_train(d):
    p = os.path.join(d, "train.csv")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return list(csv.DictReader(f))


def smooth(v, k=10):
    out, acc = [], 0.0
    for i, x in enumerate(v):
        acc += x
        if i >= k:
            acc -= v[i - k]
        out.append(acc / min(i + 1, k))
    return out


def mean(v):
    return sum(v) / len(v) if v else float("nan")


def collect(args):
    """eval[(pol, S, phi)] -> list over seeds of summary dicts (with "seed")"""
    ev = {}
    for seed in range(1, args.seeds + 1):
        for S in args.servers:
            for phi in args.phis:
                for pol in POLICIES:
                    d = job_dir(args.out, seed, S, phi, pol)
                    if os.path.exists(os.path.join(d, "summary.json")):
                        ev.setdefault((pol, S, phi), []).append(
                            dict(read_summary(d), seed=seed))
    return ev


def per_episode_figure(args, column, servers, ylabel, title, name):
    """PPO's train.csv column per episode, one panel per phi, a curve per S."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    for ax, phi in zip(axes.flat, args.phis):
        for S in servers:  # the mean over seeds, and its 95% band
            curves = [smooth([float(r[column]) for r in rows])
                      for rows in (read_train(job_dir(args.out, s, S, phi, "ppo"))
                                   for s in range(1, args.seeds + 1)) if rows]
            if not curves:
                continue
            n = min(len(c) for c in curves)
            st = [stat([c[i] for c in curves]) for i in range(n)]
            line, = ax.plot([m for m, _ in st], label=f"S = {S}")
            ax.fill_between(range(n), [m - h for m, h in st], [m + h for m, h in st],
                            color=line.get_color(), alpha=0.2)
        ax.set_title(f"phi = {phi}")
        ax.set_xlabel("episode")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, name), dpi=110)
    plt.close(fig)


def figures(args, ev):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    colors = {"ppo": "C3", "a2c": "C0", "nearest": "C2", "random": "C1", "ddpg": "C4"}
    # Fig. 4: PPO training reward per episode, one curve per S
    per_episode_figure(args, "reward", args.servers,
                       "reward per slot (eq. 25), moving mean of 10",
                       "Fig. 4: convergence of PPO, U = 20", "fig4_reward.png")
    # Fig. 5: objective vs S
    fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
    for ax, phi in zip(axes.flat, args.phis):
        for pol, (_, _, label) in POLICIES.items():
            st = [stat([s["eval_objective"] for s in ev.get((pol, S, phi), [])])
                  for S in args.servers]
            ax.errorbar(args.servers, [m for m, _ in st], yerr=[h for _, h in st], fmt="o-",
                        color=colors[pol], label=label, capsize=3)
        ax.set_title(f"phi = {phi}")
        ax.set_xlabel("edge servers S")
        ax.set_ylabel("objective per slot (eq. 22)")
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"Fig. 5: objective vs edge servers, U = 20 (mean and 95% interval over "
                 f"{args.seeds} seeds)")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "fig5_objective.png"), dpi=110)
    plt.close(fig)
    # Figs. 6-9: utility (dashed, left) and cost (solid, right) vs S
    for k, phi in enumerate(args.phis):
        fig, ax = plt.subplots(figsize=(8, 5.5))
        ax2 = ax.twinx()
        for pol, (_, _, label) in POLICIES.items():
            u = [stat([s["eval_utility"] for s in ev.get((pol, S, phi), [])]) for S in args.servers]
            c = [stat([s["eval_cost"] for s in ev.get((pol, S, phi), [])]) for S in args.servers]
            ax.errorbar(args.servers, [m for m, _ in u], yerr=[h for _, h in u], fmt="--o",
                        color=colors[pol], label=label, capsize=3)
            ax2.errorbar(args.servers, [m for m, _ in c], yerr=[h for _, h in c], fmt="-s",
                         color=colors[pol], capsize=3)
        ax.set_xlabel("edge servers S")
        ax.set_ylabel("data utility (eq. 11), dashed")
        ax2.set_ylabel("total cost per slot (eq. 21), solid")
        ax.legend(fontsize=8, loc="lower right")
        ax.grid(alpha=0.3)
        ax.set_title(f"Fig. {6 + k}: data utility and energy cost, phi = {phi}")
        fig.tight_layout()
        fig.savefig(os.path.join(args.out, f"fig{6 + k}_utility_cost_phi{phi:.1f}.png"), dpi=110)
        plt.close(fig)
    # Fig. 10: PPO utility per episode for the larger S
    per_episode_figure(args, "utility", [S for S in args.servers if S >= 15],
                       "data utility (eq. 11), moving mean of 10",
                       "Fig. 10: data utility of PPO, U = 20", "fig10_utility.png")

def ratio(a, b):
    """How much higher a is than b, as in 'x times higher': (a - b) / |b|."""
    return (a - b) / abs(b) if b != 0 else float("nan")


def train_mean(args, pol, S, phi, ev):
    """Mean objective per slot over the training episodes, over seeds; the
    evaluation objective for a policy that does not learn."""
    if pol in ("nearest", "random"):
        return mean([s["eval_objective"] for s in ev.get((pol, S, phi), [])])
    per_seed = []
    for seed in range(1, args.seeds + 1):
        rows = read_train(job_dir(args.out, seed, S, phi, pol))
        if rows:
            per_seed.append(mean([float(r["objective"]) for r in rows]))
    return mean(per_seed)


def converged_by(rows, episode, window=50):
    """The reward curve has converged by `episode` (the run's own episode
    count) when the mean of the `window` episodes before it is within 5% of
    the reward's range of the mean of the window before that (the curve
    stopped climbing). With fewer than two windows of episodes it cannot be
    judged: (None, nan)."""
    window = min(window, episode // 2)
    r = [float(x["reward"]) for x in rows[:episode]]
    if window < 5 or len(r) < 2 * window:
        return None, float("nan")
    last, before = mean(r[-window:]), mean(r[-2 * window:-window])
    span = max(r) - min(r)
    change = (last - before) / span if span > 0 else 0.0
    return abs(change) < 0.05, change


def job_seconds(ev):
    return sum(s["seconds"] for runs in ev.values() for s in runs)


def seed_by_seed(args, ev):
    """PPO against A2C and DDPG: per (S, phi) cell the difference of the
    evaluation objectives seed by seed (the same seed, the same users), its
    mean and 95% interval, and in how many cells it is below 0, above 0 or
    within noise."""
    out = ["", "## PPO against A2C and DDPG, seed by seed", "",
           "Per (S, phi) cell, e_PPO - e_B on each seed (the same users), its mean "
           "and 95% interval over seeds; a cell counts as below or above when the "
           "interval excludes 0.", "",
           "| baseline | cells below | within noise | above | mean difference | "
           "mean half-width |", "|---|---|---|---|---|---|"]
    for b in ("a2c", "ddpg"):
        below = above = noise = 0
        ds, hs = [], []
        for phi in args.phis:
            for S in args.servers:
                p = {s["seed"]: s["eval_objective"] for s in ev.get(("ppo", S, phi), [])}
                q = {s["seed"]: s["eval_objective"] for s in ev.get((b, S, phi), [])}
                diff = [p[k] - q[k] for k in sorted(set(p) & set(q))]
                if len(diff) < 2:
                    continue
                m, h = stat(diff)
                ds.append(m)
                hs.append(h)
                below += m + h < 0
                above += m - h > 0
                noise += m - h <= 0 <= m + h
        out.append(f"| {b} | {below} | {noise} | {above} | {mean(ds):.4f} | {mean(hs):.4f} |")
    return out


def report(args, ev, wall):
    lines = ["# DITEN sweep (003, Figs. 4-10)", "",
             f"U = 20, T = {args.t} slots, {args.episodes} training episodes, "
             f"{args.eval_episodes} evaluation episodes on unseen users, "
             f"{args.seeds} seed(s), S = {args.servers}, phi = {args.phis}.",
             f"Wall time of this sweep: {wall / 60:.1f} min with {args.jobs} "
             f"parallel jobs (jobs already done were not rerun)." if wall else "",
             f"Sum of the jobs' own times: {job_seconds(ev) / 60:.1f} min, so "
             f"{job_seconds(ev) / 60 / args.jobs:.1f} min at best on {args.jobs} cores.",
             "", "## Objective per slot (eq. 22), mean over evaluation episodes and seeds",
             "", "Each cell: the mean over seeds +- the half-width of its 95% interval "
             "(t distribution).", ""]
    head = "| phi | policy | " + " | ".join(f"S={S}" for S in args.servers) + " | mean | violations/slot |"
    lines += [head, "|" + "---|" * (len(args.servers) + 4)]
    avg = {}
    for phi in args.phis:
        for pol in POLICIES:
            st = [stat([s["eval_objective"] for s in ev.get((pol, S, phi), [])])
                  for S in args.servers]
            viol = mean([mean([s["eval_violations"] for s in ev.get((pol, S, phi), [])]) for S in args.servers])
            avg[(pol, phi)] = mean([m for m, _ in st])
            lines.append(f"| {phi} | {pol} | " + " | ".join(f"{m:.4f} +- {h:.4f}" for m, h in st) +
                         f" | {avg[(pol, phi)]:.4f} | {viol:.3f} |")
    lines += seed_by_seed(args, ev)
    lines += ["", "## PPO's objective over each baseline", "",
              "Ratio (e_PPO - e_B) / |e_B| per (S, phi), averaged; the paper "
              "reports PPO 'on average 0.1022, 0.5070, 0.6842, 1.5025 times "
              "higher' than baselines 1-4.", "",
              "| baseline | measured mean ratio | paper | PPO above it in (S, phi) cells |",
              "|---|---|---|---|"]
    ratios = {}
    for b in BASELINES:
        rs, wins, n = [], 0, 0
        for phi in args.phis:
            for S in args.servers:
                p = mean([s["eval_objective"] for s in ev.get(("ppo", S, phi), [])])
                q = mean([s["eval_objective"] for s in ev.get((b, S, phi), [])])
                rs.append(ratio(p, q))
                wins += p > q
                n += 1
        ratios[b] = mean(rs)
        lines.append(f"| {POLICIES[b][2]} | {ratios[b]:.4f} | {PAPER_RATIO[b]} | {wins} of {n} |")
    # the paper's other reading: "average performance" over the training
    # episodes (its Baseline 4 "needs more episodes to converge, thereby
    # decreasing its average performance"); policies that do not learn
    # score their evaluation objective
    lines += ["", "Averaged over the training episodes instead (the paper's "
              "'average performance' reading; learning included):", "",
              "| baseline | measured mean ratio | paper | PPO above it in (S, phi) cells |",
              "|---|---|---|---|"]
    for b in BASELINES:
        rs, wins, n = [], 0, 0
        for phi in args.phis:
            for S in args.servers:
                p = train_mean(args, "ppo", S, phi, ev)
                q = train_mean(args, b, S, phi, ev)
                rs.append(ratio(p, q))
                wins += p > q
                n += 1
        lines.append(f"| {POLICIES[b][2]} | {mean(rs):.4f} | {PAPER_RATIO[b]} | {wins} of {n} |")
    with open(os.path.join(args.out, "ratios.md"), "w") as f:
        f.write("\n".join(lines[lines.index("## PPO's objective over each baseline"):]) + "\n")
    # the paper's qualitative claims, checked
    lines += ["", "## The paper's claims, checked here", ""]
    for phi in args.phis:
        above = [b for b in BASELINES if avg[("ppo", phi)] > avg[(b, phi)]]
        lines.append(f"- phi = {phi}: PPO's mean objective over S ({avg[('ppo', phi)]:.4f}) "
                     f"is above {len(above)} of 4 baselines "
                     f"({', '.join(f'{b} {avg[(b, phi)]:.4f}' for b in BASELINES)}).")
    rew = {(S, phi): mean([s["eval_reward"] for s in ev.get(("ppo", S, phi), [])])
           for S in args.servers for phi in args.phis}
    for phi in args.phis:
        seq = [rew[(S, phi)] for S in args.servers]
        up = all(b >= a - 1e-9 for a, b in zip(seq, seq[1:]))
        lines.append(f"- phi = {phi}: PPO's evaluation reward vs S "
                     f"{'rises' if up else 'does not rise monotonically'}: "
                     + ", ".join(f"{v:.3f}" for v in seq))
    for S in args.servers:
        seq = [rew[(S, phi)] for phi in args.phis]
        down = all(b <= a + 1e-9 for a, b in zip(seq, seq[1:]))
        lines.append(f"- S = {S}: PPO's evaluation reward vs phi "
                     f"{'falls' if down else 'does not fall monotonically'}: "
                     + ", ".join(f"{v:.3f}" for v in seq))
    conv = []
    for phi in args.phis:
        for S in args.servers:
            ok, ch = converged_by(read_train(job_dir(args.out, 1, S, phi, "ppo")),
                                  args.episodes)
            conv.append((S, phi, ok, ch))
    E, w = args.episodes, min(50, args.episodes // 2)
    judged = [c for c in conv if c[2] is not None]
    if not judged:
        lines.append(f"- PPO's convergence cannot be judged from {E} episodes "
                     f"(two windows of at least 5 episodes are needed).")
    else:
        nconv = sum(1 for c in judged if c[2])
        lines.append(f"- PPO's training reward has converged by episode {E} (mean of "
                     f"episodes {E - w + 1}-{E} within 5% of the reward range of "
                     f"{E - 2 * w + 1}-{E - w}) in {nconv} of {len(judged)} settings; "
                     "not converged: "
                     + (", ".join(f"S={S} phi={phi} ({ch:+.3f})"
                                  for S, phi, ok, ch in judged if not ok) or "none"))
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def sensitivity(args):
    """The unit reading of the costs (DESIGN.md section 4): objective,
    utility and cost vs S for each reading, PPO and the nearest baseline."""
    servers = [9, 15, 21]
    jobs = [(1, S, 0.2, pol, unit) for unit in UNITS for S in servers
            for pol in ("ppo", "nearest")]
    run_all(args, jobs)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for unit, ls in zip(UNITS, ["-", "--", ":"]):
        for pol, color in (("ppo", "C3"), ("nearest", "C2")):
            s = [read_summary(job_dir(args.out, 1, S, 0.2, pol, unit)) for S in servers]
            for ax, key in zip(axes, ["eval_objective", "eval_utility", "eval_cost_norm"]):
                ax.plot(servers, [x[key] for x in s], ls, marker="o", color=color,
                        label=f"{pol}, data in {unit}s")
    for ax, t in zip(axes, ["objective (eq. 22)", "data utility (eq. 11)",
                            "mean Norm(C_s) (eq. 22)"]):
        ax.set_xlabel("edge servers S")
        ax.set_title(t)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Sensitivity to the unit in which data enters the costs, phi = 0.2")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "sensitivity_units.png"), dpi=110)
    plt.close(fig)


def variants(args):
    """PPO's design choices at phi = 0.2: training curves at S = 15 and the
    evaluation objective and convergence for S = 9, 15, 21, with A2C for
    reference."""
    servers = [9, 15, 21]
    names = list(VARIANTS) + ["a2c"]
    run_all(args, [(1, S, 0.2, v) for S in servers for v in names])
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for v in names:
        rows = read_train(job_dir(args.out, 1, 15, 0.2, v))
        label = VARIANTS[v][0] if v in VARIANTS else "A2C (baseline 1)"
        ax.plot(smooth([float(r["reward"]) for r in rows]), label=f"{v}: {label}")
    ax.set_xlabel("episode (750 slots)")
    ax.set_ylabel("training reward per slot, moving mean of 10")
    ax.set_title("PPO design choices, S = 15, phi = 0.2")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "ppo_variants.png"), dpi=110)
    plt.close(fig)
    lines = ["| variant | " + " | ".join(f"S={S} eval objective" for S in servers) +
             " | S=15 eval reward (eq. 25) | first episode within 1% of the final reward (S=9, 15, 21) |",
             "|---|" + "---|" * (len(servers) + 2)]
    for v in names:
        obj, first = [], []
        for S in servers:
            d = job_dir(args.out, 1, S, 0.2, v)
            obj.append(read_summary(d)["eval_objective"])
            r = smooth([float(x["reward"]) for x in read_train(d)])
            fin = mean(r[-20:])
            first.append(next((i for i, x in enumerate(r)
                               if abs(x - fin) <= 0.01 * abs(fin)), len(r)))
        rew = read_summary(job_dir(args.out, 1, 15, 0.2, v))["eval_reward"]
        lines.append(f"| {v} | " + " | ".join(f"{x:.4f}" for x in obj) +
                     f" | {rew:.3f} | " + ", ".join(str(x) for x in first) + " |")
    with open(os.path.join(args.out, "ppo_variants.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def fit_compare(args):
    """PPO (and the nearest baseline) on the paper's utility curve and on a
    measured one (utility.fit), objective and utility vs S."""
    phis = [0.2, 0.6]
    jobs = [(1, S, phi, pol, unit) for unit in ("bit", "fit") for S in args.servers
            for phi in phis for pol in ("ppo", "nearest")]
    run_all(args, jobs)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
    lines = ["| phi | policy | curve | " + " | ".join(f"S={S}" for S in args.servers) + " |",
             "|---|---|---|" + "---|" * len(args.servers)]
    for phi, ls in zip(phis, ["-", "--"]):
        for pol, color in (("ppo", "C3"), ("nearest", "C2")):
            for unit, mk, name in (("bit", "o", "paper's a1..a6"), ("fit", "s", "measured fit")):
                s = [read_summary(job_dir(args.out, 1, S, phi, pol, unit)) for S in args.servers]
                for ax, key in zip(axes, ["eval_objective", "eval_utility"]):
                    ax.plot(args.servers, [x[key] for x in s], ls, marker=mk,
                            color=color, alpha=1.0 if unit == "fit" else 0.5,
                            label=f"{pol}, phi {phi}, {name}")
                lines.append(f"| {phi} | {pol} | {name} | " +
                             " | ".join(f"{x['eval_objective']:.4f}" for x in s) + " |")
    for ax, t in zip(axes, ["objective per slot (eq. 22)", "data utility (eq. 11)"]):
        ax.set_xlabel("edge servers S")
        ax.set_title(t)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"PPO on the paper's utility curve and on the measured one ({args.fit})")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "fit_compare.png"), dpi=110)
    plt.close(fig)
    with open(os.path.join(args.out, "fit_compare.md"), "w") as f:
        f.write("Objective per slot (eq. 22)\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    ap.add_argument("--config", default="configs/diten-paper.yaml")
    ap.add_argument("--out", default="results/diten")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--episodes", type=int, default=300)
    ap.add_argument("--eval-episodes", type=int, default=5)
    ap.add_argument("--servers", default="9,11,13,15,17,19,21")
    ap.add_argument("--phis", default="0,0.2,0.4,0.6")
    ap.add_argument("--plot-only", action="store_true")
    ap.add_argument("--sensitivity", action="store_true")
    ap.add_argument("--variants", action="store_true")
    ap.add_argument("--fit", help="a fit.json of dtfl utility-fit: PPO and "
                    "nearest under it and under the paper's curve")
    args = ap.parse_args()
    args.servers = [int(x) for x in args.servers.split(",")]
    args.phis = [float(x) for x in args.phis.split(",")]
    args.t = 750
    os.makedirs(args.out, exist_ok=True)
    if args.sensitivity:
        sensitivity(args)
        return
    if args.variants:
        variants(args)
        return
    if args.fit:
        fit_compare(args)
        return
    wall = 0.0
    if not args.plot_only:
        jobs = [(seed, S, phi, pol) for seed in range(1, args.seeds + 1)
                for S in args.servers for phi in args.phis for pol in POLICIES]
        wall = run_all(args, jobs)
        with open(os.path.join(args.out, "timing.json"), "w") as f:
            json.dump({"wall_seconds": wall, "jobs": len(jobs), "parallel": args.jobs}, f)
    elif os.path.exists(os.path.join(args.out, "timing.json")):
        with open(os.path.join(args.out, "timing.json")) as f:
            wall = json.load(f)["wall_seconds"]
    ev = collect(args)
    figures(args, ev)
    report(args, ev, wall)


if __name__ == "__main__":
    sys.exit(main())
