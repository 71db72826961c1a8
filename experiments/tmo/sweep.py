#!/usr/bin/python3
"""sweep.py - reproduces Figs. 5-8 of 000_d85991785682630a.txt (TMO).

Every run is `dtfl run configs/tmo-paper.yaml` (I = 40 PTs, M = 10 ESs in
15 km x 18 km, T = 5000 slots of 1 s, Table 2) along SUMO cars
(experiments/tmo/make_traces.sh: 120 cars on a grid of 1-km blocks for
5400 s, made once), with the GRU predictor trained once by
`dtfl predict-train` on the cars that are never PTs (both cached in
results/tmo/). One policy, one seed and one swept setting per run:

    fig 5, 6   TMO at V = 1e2 .. 1e6 (Q(t), mean latency and energy); Fig. 5
               also from Q(0) = 2e5 J, one seed; and again with E^exe left
               out of the queue and the budget (spec E6: the 1.8 kJ a task
               no decision changes otherwise drives Q)
    fig 7      tau_k per frame of TMO at V = 1e4
    fig 8      SO, FTO, TMO over I = 10 .. 60 (the budget per PT fixed)
    ablations  at I = 40: tmo-oracle, tmo-cv, tmo-last, nearest, the literal
               frame-sum loss, AM without the local search, E^exe left out
    stress     tmo-stress.yaml (spec E7: -40 dB at 1 m, 10-s slots): SO,
               FTO, TMO and the predictor ablations

Jobs run in parallel (--jobs, default: the cores); a job whose summary.json
exists is kept, so an interrupted sweep resumes. Then it draws
results/tmo/fig*.png and rmse.png and writes results.md: every plotted
number (mean over seeds with a 95% interval), the paper's claims checked one
by one, the predictor's RMSE by horizon and the AM's speed and gap
(`dtfl bench tmo`).

    experiments/tmo/sweep.py                    # 10 seeds, about 15 min on 2 cores
    experiments/tmo/sweep.py --seeds 2 --slots 300 --out /tmp/t   # a smoke run
    experiments/tmo/sweep.py --plot-only        # redraw from results
"""
import argparse
import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import ONE_THREAD, bench_json, plotting, run_dtfl, run_pool, stat  # noqa: E402,E501

V_SWEEP = [1e2, 1e3, 1e4, 1e5, 1e6]
USERS = [10, 20, 30, 40, 50, 60]
SCHEMES = {"so": "SO", "fto": "FTO", "tmo": "TMO (proposed)"}
ABLATIONS = {
    "oracle": ("tmo-oracle", []), "cv": ("tmo-cv", []), "last": ("tmo-last", []),
    "nearest": ("nearest", []), "framesum": ("tmo", ["tmo.ucb.loss=frame_sum"]),
    "paper-am": ("tmo", ["tmo.am.variant=paper"]),
    "noexec": ("tmo", ["tmo.energy.exec=exclude"]),
}
STRESS = {"so": [], "fto": [], "tmo": [], "tmo-oracle": [], "tmo-last": []}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def job(tag, policy, sets, config="tmo-paper.yaml", trace=True, seeds=None):
    return {"tag": tag, "policy": policy, "sets": list(sets), "config": config,
            "trace": trace, "seeds": seeds}


def jobs_of(args):
    out = [job(f"V{v:g}", "tmo", [f"tmo.v={v:g}"]) for v in V_SWEEP]
    out += [job(f"V{v:g}-noexec", "tmo", [f"tmo.v={v:g}", "tmo.energy.exec=exclude"])
            for v in V_SWEEP]
    out += [job(f"V{v:g}-q0", "tmo", [f"tmo.v={v:g}", "tmo.energy.q0_j=2e5"], seeds=1)
            for v in V_SWEEP]
    out += [job(f"I{i}", p, [f"users.count={i}"]) for p in SCHEMES for i in USERS]
    out += [job(f"abl-{k}", p, s, seeds=min(args.seeds, 3)) for k, (p, s) in ABLATIONS.items()]
    out += [job("stress", p, s, "tmo-stress.yaml", False, min(args.seeds, 3))
            for p, s in STRESS.items()]
    return out


def job_dir(args, seed, j):
    return os.path.join(args.out, "runs", f"seed{seed}", j["tag"], j["policy"])


def run_one(args, seed, j):
    d = job_dir(args, seed, j)
    if os.path.exists(os.path.join(d, "summary.json")):
        return d, 0.0, "kept"
    cmd = [args.dtfl, "run", os.path.join(ROOT, "configs", j["config"]), f"out={d}",
           f"seed={seed}", f"sched.policy={j['policy']}", "run.twins_every=0",
           f"name=tmo-{j['tag']}-{j['policy']}", f"world.slots={args.slots}"]
    if j["trace"]:
        cmd += ["mobility.model=trace", "mobility.trace_format=fcd",
                f"mobility.trace={args.trace}", "tmo.predictor=gru",
                f"tmo.predictor_file={args.predictor}"]
    cmd += j["sets"]
    return d, run_dtfl(cmd), "ran"


def prepare(args):
    """The trace, the predictor and the bench, each made once."""
    if not os.path.exists(args.trace):
        os.makedirs(os.path.dirname(args.trace), exist_ok=True)
        print(f"making the SUMO trace {args.trace} ...", flush=True)
        subprocess.run([os.path.join(ROOT, "experiments/tmo/make_traces.sh"), args.trace,
                        "120", "5400"], check=True)
    pred_dir = os.path.dirname(args.predictor)
    if not os.path.exists(args.predictor):
        print(f"training the GRU into {pred_dir} ...", flush=True)
        subprocess.run([args.dtfl, "predict-train", os.path.join(ROOT, "configs/tmo-paper.yaml"),
                        f"out={pred_dir}", "mobility.model=trace", "mobility.trace_format=fcd",
                        f"mobility.trace={args.trace}", f"users.count={max(USERS)}",
                        "tmo.gru.slots=5390", f"tmo.gru.epochs={args.gru_epochs}"],
                       check=True, env=ONE_THREAD)
    bench = os.path.join(args.out, "bench.json")
    if not os.path.exists(bench):
        print("dtfl bench tmo ...", flush=True)
        with open(bench, "w") as f:
            json.dump(bench_json(args.dtfl, "tmo")[0], f)


def run_all(args):
    todo = [(s, j) for j in jobs_of(args) for s in range(1, 1 + (j["seeds"] or args.seeds))]
    todo.sort(key=lambda sj: -int(sj[1]["tag"][1:]) if sj[1]["tag"].startswith("I") else 0)
    return run_pool(run_one, [(args, s, j) for s, j in todo], args.jobs)


# ---- reading ----

def summaries(args, tag, pol, seeds=None):
    out = []
    for s in range(1, (seeds or args.seeds) + 1):
        p = os.path.join(args.out, "runs", f"seed{s}", tag, pol, "summary.json")
        if os.path.exists(p):
            with open(p) as f:
                out.append(json.load(f))
    return out


def column(args, tag, pol, seed, name):
    p = os.path.join(args.out, "runs", f"seed{seed}", tag, pol, "slots.csv")
    with open(p) as f:
        return [float(r[name]) for r in csv.DictReader(f)]


def st(args, tag, pol, key, seeds=None):
    return stat([s[key] for s in summaries(args, tag, pol, seeds)])


def fmt(ms):
    m, h = ms
    return f"{m:.4g} ± {h:.2g}"


# ---- figures ----

def figures(args):
    plt, save = plotting(args.out)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, suffix, title in ((axes[0], "", "Q(0) = 0"), (axes[1], "-q0", "Q(0) = 2e5 J")):
        for v in V_SWEEP:
            q = column(args, f"V{v:g}{suffix}", "tmo", 1, "queue")
            ax.plot(q, label=f"V = {v:g}")
        ax.set_xlabel("slot t")
        ax.set_ylabel("Q(t) (J)")
        ax.set_title(f"Fig. 5: energy-deficit queue, {title}")
        ax.legend(fontsize=8)
    save(fig, "fig5.png")

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, key, label in ((axes[0], "mean_latency", "mean latency per task (s)"),
                           (axes[1], "mean_energy", "mean energy per PT per slot (J)"),
                           (axes[2], "mean_energy_decision", "... of it decisions change (J)")):
        for suffix, name in (("", "E^exe in the queue (paper)"),
                             ("-noexec", "E^exe left out (spec E6)")):
            if key == "mean_energy" and suffix:
                continue
            s = [st(args, f"V{v:g}{suffix}", "tmo", key) for v in V_SWEEP]
            ax.errorbar(V_SWEEP, [m for m, _ in s], yerr=[h for _, h in s], marker="o",
                        capsize=3, label=name)
        ax.set_xscale("log")
        ax.set_xlabel("V")
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    axes[0].set_title("Fig. 6: TMO over V")
    save(fig, "fig6.png")

    fig, ax = plt.subplots(figsize=(8, 3.5))
    taus = frame_taus(args, "V10000", 1)
    ax.plot(range(1, len(taus) + 1), taus, ".", markersize=3)
    ax.set_xlabel("frame k")
    ax.set_ylabel("tau_k (slots)")
    ax.set_title("Fig. 7: status-update period chosen by UCB1 (TMO, V = 1e4, seed 1)")
    save(fig, "fig7.png")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, key, label in ((axes[0], "mean_latency", "mean latency per task (s)"),
                           (axes[1], "mean_energy_decision",
                            "energy decisions change, per PT per slot (J)")):
        for pol, name in SCHEMES.items():
            s = [st(args, f"I{i}", pol, key) for i in USERS]
            ax.errorbar(USERS, [m for m, _ in s], yerr=[h for _, h in s], marker="o",
                        capsize=3, label=name)
        ax.set_xlabel("PTs I")
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    axes[0].set_title("Fig. 8a")
    axes[1].set_title("Fig. 8b (E^exe, 1.8 kJ a task, is the same for all)")
    save(fig, "fig8.png")

    rm = rmse(args)
    if rm:
        fig, ax = plt.subplots(figsize=(6, 4))
        for name in ("gru", "cv", "last"):
            ax.plot(range(1, len(rm) + 1), [r[name] for r in rm], marker="o", label=name)
        ax.set_xlabel("horizon (slots after the last status)")
        ax.set_ylabel("position RMSE (m)")
        ax.set_title("Prediction error on held-out SUMO cars")
        ax.legend()
        save(fig, "rmse.png")


def frame_taus(args, tag, seed):
    tau, up = column(args, tag, "tmo", seed, "tau"), column(args, tag, "tmo", seed, "upload")
    return [t for t, u in zip(tau, up) if u > 0]


def rmse(args):
    p = os.path.join(os.path.dirname(args.predictor), "rmse.csv")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [{"gru": float(r["gru_m"]), "cv": float(r["cv_m"]), "last": float(r["last_m"])}
                for r in csv.DictReader(f)]


# ---- results.md ----

def monotone(xs, up, tol=0.0):
    """steps against the direction, allowing tol relative"""
    bad = 0
    for a, b in zip(xs, xs[1:]):
        bad += (b < a * (1 - tol)) if up else (b > a * (1 + tol))
    return bad


def report(args, seconds):
    L = []
    w = L.append
    w("# TMO (000): our numbers beside the paper's claims\n")
    w(f"`experiments/tmo/sweep.py`: {args.seeds} seeds, T = {args.slots} slots, I = 40, "
      f"M = 10, along 120 SUMO cars ({args.trace}), GRU predictor "
      f"({args.predictor}); means with 95% intervals over seeds. "
      + (f"Sweep wall time {seconds:.0f} s.\n" if seconds > 0 else "Drawn from earlier runs.\n"))
    w("## Fig. 6: TMO over V\n")
    for suffix, what in (("", "E^exe in the queue and the budget (the paper)"),
                         ("-noexec", "E^exe left out of the queue and the budget "
                                     "(`tmo.energy.exec: exclude`, spec E6)")):
        w(f"{what}:\n")
        w("| V | latency per task (s) | energy per PT per slot (J) | decision energy (J) | "
          "mean Q (J) | mean tau |")
        w("|---|---|---|---|---|---|")
        lat, en = [], []
        for v in V_SWEEP:
            tag = f"V{v:g}{suffix}"
            row = [st(args, tag, "tmo", k) for k in ("mean_latency", "mean_energy",
                                                     "mean_energy_decision", "mean_queue",
                                                     "mean_tau")]
            lat.append(row[0][0]), en.append(row[2][0])
            w(f"| {v:g} | " + " | ".join(fmt(r) for r in row) + " |")
        w("")
        w(f"Claim (Fig. 6): energy rises and latency falls with V. Decision energy: "
          f"{'rises at every step' if monotone(en, True) == 0 else f'{monotone(en, True)} of 4 steps fall'}"
          f" ({en[0]:.4g} -> {en[-1]:.4g} J); latency: "
          f"{'falls at every step' if monotone(lat, False) == 0 else f'{monotone(lat, False)} of 4 steps rise'}"
          f" ({lat[0]:.4g} -> {lat[-1]:.4g} s, {100 * (lat[-1] / lat[0] - 1):+.1f}%).\n")
    w("## Fig. 5: the queue\n")
    for suffix, what in (("", "Q(0) = 0"), ("-q0", "Q(0) = 2e5 J")):
        parts = []
        for v in V_SWEEP:
            q = column(args, f"V{v:g}{suffix}", "tmo", 1, "queue")
            n = len(q)
            parts.append(f"V {v:g}: {q[n // 10]:.3g} / {q[n // 2]:.3g} / {q[-1]:.3g}")
        w(f"- {what}, Q at 10%, 50%, 100% of the run (seed 1): " + "; ".join(parts))
    w("\nClaim (Fig. 5): the backlog \"decreases and stabilises quickly\"; from Q(0) = 0 it "
      "must first rise (it is never negative), so only the Q(0) > 0 panel can show a fall.\n")
    w("## Fig. 7: tau per frame\n")
    taus = frame_taus(args, "V10000", 1)
    last = taus[-200:] if len(taus) >= 200 else taus
    mode = max(set(last), key=last.count) if last else 0
    first = taus[:50]
    w(f"TMO at V = 1e4, seed 1: {len(taus)} frames; the first 50 use {len(set(first))} "
      f"different periods; of the last {len(last)} frames {last.count(mode)} "
      f"({100 * last.count(mode) / max(len(last), 1):.0f}%) use tau = {mode}.")
    w("Claim (Fig. 7): large fluctuations while exploring, then one arm.\n")
    w("## Fig. 8: SO, FTO, TMO over I\n")
    w("| I | " + " | ".join(f"{n} latency (s)" for n in SCHEMES.values()) + " | " +
      " | ".join(f"{n} decision energy (J)" for n in SCHEMES.values()) + " |")
    w("|---|" + "---|" * 6)
    order_lat = order_en = 0
    for i in USERS:
        tag = f"I{i}"
        lats = [st(args, tag, p, "mean_latency") for p in SCHEMES]
        ens = [st(args, tag, p, "mean_energy_decision") for p in SCHEMES]
        order_lat += lats[0][0] > lats[1][0] > lats[2][0]
        order_en += ens[0][0] > ens[1][0] > ens[2][0]
        w(f"| {i} | " + " | ".join(fmt(x) for x in lats + ens) + " |")
    w("")
    w(f"Claim (Fig. 8): SO > FTO > TMO in both. Latency: the order holds at {order_lat} of "
      f"{len(USERS)} values of I; energy (the part decisions change): {order_en} of "
      f"{len(USERS)}. The total energy per PT (E^exe included) differs between policies only "
      "in its last digits.\n")
    w("## Ablations at I = 40 (3 seeds)\n")
    w("| variant | latency (s) | decision energy (J) | migrations | mean tau |")
    w("|---|---|---|---|---|")
    w(f"| tmo (GRU) | {fmt(st(args, 'I40', 'tmo', 'mean_latency', 3))} | "
      f"{fmt(st(args, 'I40', 'tmo', 'mean_energy_decision', 3))} | "
      f"{fmt(st(args, 'I40', 'tmo', 'migrations', 3))} | {fmt(st(args, 'I40', 'tmo', 'mean_tau', 3))} |")
    for k, (p, _) in ABLATIONS.items():
        tag = f"abl-{k}"
        w(f"| {k} ({p}) | {fmt(st(args, tag, p, 'mean_latency', 3))} | "
          f"{fmt(st(args, tag, p, 'mean_energy_decision', 3))} | "
          f"{fmt(st(args, tag, p, 'migrations', 3))} | {fmt(st(args, tag, p, 'mean_tau', 3))} |")
    w("\n## Stress (spec E7: -40 dB at 1 m, 10-s slots, waypoint cars, 3 seeds)\n")
    w("| policy | latency (s) | decision energy (J) | mean tau |")
    w("|---|---|---|---|")
    for p in STRESS:
        w(f"| {p} | {fmt(st(args, 'stress', p, 'mean_latency', 3))} | "
          f"{fmt(st(args, 'stress', p, 'mean_energy_decision', 3))} | "
          f"{fmt(st(args, 'stress', p, 'mean_tau', 3))} |")
    rm = rmse(args)
    if rm:
        w("\n## Predictor: position RMSE by horizon on the held-out cars (m)\n")
        w("| horizon | gru | cv | last |")
        w("|---|---|---|---|")
        for h, r in enumerate(rm, 1):
            w(f"| {h} | {r['gru']:.1f} | {r['cv']:.1f} | {r['last']:.1f} |")
        beats = [h for h, r in enumerate(rm, 1) if r["gru"] <= r["cv"]]
        w(f"\nGRU at or below CV at horizons {beats or 'none'}.")
    bench = os.path.join(args.out, "bench.json")
    if os.path.exists(bench):
        with open(bench) as f:
            b = json.load(f)
        w("\n## Speed and the AM's gap (`dtfl bench tmo`)\n")
        w(f"AM slot median {b['am_median_ms']:.2f} ms, p99 {b['am_p99_ms']:.1f} ms (without "
          f"the local search {b['am_nols_median_ms']:.2f} / {b['am_nols_p99_ms']:.1f} ms); band "
          f"split {b['band_split_us']:.2f} us; GRU epoch {b['gru_epoch_s']:.2f} s, step for 40 "
          f"PTs {b['gru_step_40_us']:.1f} us; T = 5000 run {b['run_5000_s']:.1f} s.")
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write("\n".join(L) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default=os.path.join(ROOT, "build/dtfl"))
    ap.add_argument("--out", default=os.path.join(ROOT, "results/tmo"))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--slots", type=int, default=5000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--gru-epochs", type=int, default=60)
    ap.add_argument("--trace", default=None)
    ap.add_argument("--predictor", default=None)
    ap.add_argument("--plot-only", action="store_true")
    args = ap.parse_args()
    args.trace = args.trace or os.path.join(args.out, "traces/fcd-5400.xml")
    args.predictor = args.predictor or os.path.join(args.out, "predictor/predictor.bin")
    os.makedirs(args.out, exist_ok=True)
    seconds = 0.0
    if not args.plot_only:
        prepare(args)
        seconds = run_all(args)
    figures(args)
    report(args, seconds)
    print(f"{args.out}/results.md and fig5-8.png, rmse.png ({seconds:.0f} s of runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
