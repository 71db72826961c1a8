#!/usr/bin/python3
"""fig3.py - draws Fig. 3 of 003_8fb9af7836691d5d.txt from `dtfl utility-fit`.

    experiments/utility/fig3.py RESULTS_DIR

Reads RESULTS_DIR/points.csv and fit.json and writes RESULTS_DIR/fig3.png:
left, the global model's test accuracy (the paper's) against each user's
sample count, one colour per EMD phi: measured points (every seed), the
fitted eqs. 11-12 (solid) and the paper's a1..a6 (dashed); right, the same
for the fine-tuned twins' accuracy on their users' own-mix splits. Also
writes fig3.md: the fitted parameters next to the paper's, and whether
accuracy rises with n for every phi and falls with phi for every n.
"""
import csv
import json
import math
import os
import sys


def rho(a, n, phi):
    v = a[3] * math.exp(-((a[4] + phi) / a[5]) ** 2)
    return v - a[0] * math.exp(-a[1] * (a[2] * n) ** v)


def monotone(points, col):
    """violations of 'rises with n' and 'falls with phi' on seed means"""
    means = {}
    for p in points:
        means.setdefault((p["n"], p["phi"]), []).append(p[col])
    m = {k: sum(v) / len(v) for k, v in means.items()}
    ns = sorted({k[0] for k in m})
    phis = sorted({k[1] for k in m})
    up = [(phi, a, b, m[(a, phi)], m[(b, phi)]) for phi in phis
          for a, b in zip(ns, ns[1:]) if not m[(b, phi)] > m[(a, phi)]]
    down = [(n, a, b, m[(n, a)], m[(n, b)]) for n in ns
            for a, b in zip(phis, phis[1:]) if not m[(n, b)] < m[(n, a)]]
    return m, ns, phis, up, down


def fmt(x, spec):
    return "at bound" if x is None else format(x, spec)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "results/utility-cnn"
    with open(os.path.join(d, "points.csv")) as f:
        points = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]
    with open(os.path.join(d, "fit.json")) as f:
        fit = json.load(f)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True)
    lines = [f"# Fig. 3 of 003 measured: {fit['model_kind']}, {fit['points']} points", ""]
    for ax, col, a, title in ((axes[0], "accuracy", fit["a"], "global model, test images (the paper's)"),
                              (axes[1], "personal_accuracy", fit["personal"]["a"],
                               "fine-tuned twins, own-mix splits")):
        m, ns, phis, up, down = monotone(points, col)
        grid = [ns[0] + (ns[-1] - ns[0]) * i / 100 for i in range(101)]
        for k, phi in enumerate(phis):
            c = f"C{k}"
            xs = [p["n"] for p in points if p["phi"] == phi]
            ys = [p[col] for p in points if p["phi"] == phi]
            ax.plot(xs, ys, "o", color=c, alpha=0.5, ms=4)
            ax.plot(grid, [rho(a, n, phi) for n in grid], "-", color=c, label=f"phi = {phi:g}, fit")
            ax.plot(grid, [rho(fit["paper_a"], n, phi) for n in grid], "--", color=c,
                    alpha=0.6, label=f"phi = {phi:g}, paper's a1..a6")
        ax.set_title(title)
        ax.set_xlabel("samples per user n")
        ax.grid(alpha=0.3)
        lines += [f"## {col}", "",
                  "| rises with n for every phi | falls with phi for every n |", "|---|---|",
                  f"| {'yes' if not up else f'no: {len(up)} exceptions'} | "
                  f"{'yes' if not down else f'no: {len(down)} exceptions'} |", ""]
        for phi, a_, b_, ya, yb in up:
            lines.append(f"- phi {phi:g}: n {a_:g} -> {b_:g}: {ya:.4f} -> {yb:.4f}")
        for n, a_, b_, ya, yb in down:
            lines.append(f"- n {n:g}: phi {a_:g} -> {b_:g}: {ya:.4f} -> {yb:.4f}")
        lines.append("")
    axes[0].set_ylabel("accuracy")
    axes[0].legend(fontsize=7, ncol=2)
    fig.suptitle(f"Fig. 3: data utility vs samples and EMD, measured with the {fit['model_kind']} "
                 f"(R^2 {fit['r2']:.3f}) against the paper's curve")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "fig3.png"), dpi=110)
    lines += ["## Fitted parameters", "", "| | global fit | se | personal fit | se | paper |",
              "|---|---|---|---|---|---|"]
    for k in range(6):
        lines.append(f"| a{k + 1} | {fit['a'][k]:.4g} | {fmt(fit['se'][k], '.3g')} | "
                     f"{fit['personal']['a'][k]:.4g} | {fmt(fit['personal']['se'][k], '.3g')} | "
                     f"{fit['paper_a'][k]:g} |")
    lines += ["", f"R^2 over the seed means {fit['r2']:.4f} (personal "
                  f"{fit['personal']['r2']:.4f}), over every point {fit['r2_points']:.4f} "
                  f"(personal {fit['personal']['r2_points']:.4f}); RMSE of the means "
                  f"{fit['rmse']:.4f} (personal {fit['personal']['rmse']:.4f})"]
    with open(os.path.join(d, "fig3.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
