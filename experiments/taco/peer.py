#!/usr/bin/python3
"""peer.py - the TACO engine's peer: the problems of `dtfl bench taco`, at
I = 40 PTs, M = 10 ESs, solved as a Python user would (../shared/specs/taco.md
section 9): P4's assignment with PuLP + CBC (Debian python3-pulp), and each
ES's bandwidth block (min sum w_i / r_i(b_i), sum b = 1) and CPU block
(min sum c_i / f_i, sum f = 1) with SciPy's SLSQP. It runs dtfl first
(`dtfl bench taco --json --export FILE`), solves the exported instance of
frame 50, checks that both reach the same objective values, and prints the
times side by side with the ratios.

    /usr/bin/python3 experiments/taco/peer.py --dtfl build/dtfl

A slot of the peer's BCD is timed as dtfl's BCD iterations times one SLSQP
solve of the b and f blocks of every ES (the y, z and x blocks are closed
forms in both); P4 includes building the PuLP model, as a user's loop would.
"""
import argparse
import os
import sys
import warnings

import numpy as np
import pulp
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sweeplib import bench_json, timed  # noqa: E402

REPEATS = 7
# SLSQP steps outside the bounds and clips, which it reports as a warning
warnings.filterwarnings("ignore", message="Values in x were outside bounds")


def rate(b, snr, bw):
    b = np.maximum(b, 1e-12)
    return b * bw * np.log2(1.0 + snr / b)


def solve_p4(inst):
    I, M, seats = inst["I"], inst["M"], inst["seats"]
    cost = np.array(inst["p4_cost"]).reshape(I, M)
    least = cost.min(axis=1, keepdims=True)
    scaled = (cost - least) / max((cost - least).max(), 1e-300)
    prob = pulp.LpProblem("p4", pulp.LpMinimize)
    a = [[pulp.LpVariable(f"a_{i}_{m}", cat="Binary") for m in range(M)] for i in range(I)]
    prob += pulp.lpSum(scaled[i][m] * a[i][m] for i in range(I) for m in range(M))
    for i in range(I):
        prob += pulp.lpSum(a[i]) == 1
    for m in range(M):
        prob += pulp.lpSum(a[i][m] for i in range(I)) <= seats
    prob.solve(pulp.COIN_CMD(msg=0))
    access = [max(range(M), key=lambda m: a[i][m].value()) for i in range(I)]
    return float(sum(cost[i][access[i]] for i in range(I)))


def solve_block(n, objective):
    x0 = np.full(n, 1.0 / n)
    res = minimize(objective, x0, method="SLSQP", bounds=[(1e-9, 1.0)] * n,
                   constraints=[{"type": "eq", "fun": lambda x: x.sum() - 1.0}],
                   options={"ftol": 1e-12, "maxiter": 200})
    return res.x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtfl", default="build/dtfl")
    args = ap.parse_args()
    ours, inst = bench_json(args.dtfl, "taco", export=True)
    bw, I, M = inst["bandwidth_hz"], inst["I"], inst["M"]
    cost = np.array(inst["p4_cost"]).reshape(I, M)
    dtfl_p4 = float(sum(cost[i][a] for i, a in enumerate(inst["dtfl_access"])))
    t_p4, peer_p4 = timed(lambda: solve_p4(inst), REPEATS)
    t_blocks, worst = 0.0, 0.0
    for es in inst["es"]:
        w, snr, c = np.array(es["w"]), np.array(es["snr"]), np.array(es["c"])
        n = len(w)
        if n < 2:
            continue
        fb = lambda b: float(np.sum(w / rate(b, snr, bw)))
        ff = lambda f: float(np.sum(c / np.maximum(f, 1e-12)))
        tb, b = timed(lambda: solve_block(n, fb), REPEATS)
        tf, f = timed(lambda: solve_block(n, ff), REPEATS)
        t_blocks += tb + tf
        worst = max(worst, (fb(np.array(es["dtfl_b"])) - fb(b)) / fb(b),
                    (ff(np.array(es["dtfl_f"])) - ff(f)) / ff(f))
    t_slot = inst["bcd_iterations"] * t_blocks
    print(f"TACO engine, I = {I}, M = {M}: dtfl vs the Python peer (PuLP {pulp.__version__}"
          f" + CBC, SciPy SLSQP), one core, medians\n")
    print(f"  {'':34} {'dtfl':>12} {'peer':>12} {'dtfl speed-up':>14}")
    print(f"  {'P4 exact, one solve':34} {ours['p4_exact_s'] * 1e3:9.3f} ms {t_p4 * 1e3:9.1f} ms"
          f" {t_p4 / ours['p4_exact_s']:13.0f}x  (target >= 45x)")
    print(f"  {'BCD, one slot':34} {ours['bcd_slot_s'] * 1e6:9.1f} us {t_slot * 1e3:9.1f} ms"
          f" {t_slot / ours['bcd_slot_s']:13.0f}x  (target >= 100x)")
    print(f"\n  P4 objective: dtfl {dtfl_p4:.10g}, peer {peer_p4:.10g} "
          f"(relative difference {abs(dtfl_p4 - peer_p4) / abs(peer_p4):.1e})")
    print(f"  b and f blocks: dtfl's objective at most {worst:+.1e} relative to SLSQP's "
          f"(negative: dtfl lower)")
    print(f"  whole runs (dtfl only): taco {ours['run_taco_s']:.2f} s, lot {ours['run_lot_s']:.2f} s,"
          f" cro {ours['run_cro_s']:.2f} s for 200 frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
