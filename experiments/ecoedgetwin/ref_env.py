#!/usr/bin/python3
"""ref_env.py RUN_DIR - a numpy port of the ecoedgetwin models (spec 2: eqs.
3, 7, 8, 10, 11, 13 as the spec reads them; scen/eco_model.c is the C
side), written apart from it, checking an analytic run of dtfl.

twins.csv carries what the C models took for each user and slot (data
bits, cycles, the rate to the server picked, the CPUs real and as viewed,
the tasks sharing the processing server, the backhaul hops) beside what
they gave (latency, its estimate, energy, QoE). This port recomputes those
from the inputs and each slot's reward from its users, and fails when any
differs by more than the CSV's 6 significant digits allow (relative 2e-5).
The world's draws and the resolve rules (hit, migrate, forward) are taken
from the run; the run must use the preset's default model constants.

Exit 0: every row agrees; 1: a difference (printed); 77: numpy missing.
"""
import csv
import os
import sys

try:
    import numpy as np
except ImportError:
    print("ref_env.py: numpy is not installed; skipped")
    sys.exit(77)

# the defaults of configs/ecoedgetwin-paper.yaml (spec 3), SI units
TAU, RBH, OUT, Q = 2e-3, 1e9, 0.05, 0.0
LMIN, LMAX, WB, LAMW, PSI, CF = 0.150, 0.250, 0.0, 0.7, 1e-9, 1e-7
ESRV, EDEV, PTX, PRX, EBH, EDT = 5.0, 1.0, 1.0, 0.1, 5e-9, 5e-3
RTOL = 2e-5


def table(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def port(t):
    """latency, its estimate, energy, all-local energy, QoE of every row"""
    beta, hit = t["beta"], t["hit"] > 0
    D, C, R = t["data_bits"], t["cycles"], t["rate_bps"]
    edge = beta > 0
    work = edge & ~hit
    alpha = np.where(edge & hit, 0.0, 1.0 - beta)
    out = OUT * D / R
    bits, lam = beta * D, beta * C
    share = np.where(t["n_proc"] > 1, t["n_proc"], 1.0)
    moved = t["migrated"] > 0
    fwd = work & ~moved & (t["processed_at"] != t["server"])
    hops = t["hops"]
    bh = np.where(moved, hops * TAU + (bits + Q) / RBH,
                  np.where(fwd, 2 * hops * TAU + bits / RBH, 0.0))
    fixed = bits / R + TAU + bh + out
    l_edge = np.where(work, fixed + share * lam / t["f_proc"],
                      np.where(edge, TAU + out, 0.0))
    l_edge_est = np.where(work, fixed + share * lam / t["f_proc_view"],
                          np.where(edge, TAU + out, 0.0))
    latency = alpha * C / t["f_dev"] + l_edge                      # eq. 7, summed
    latency_est = alpha * C / t["f_dev_view"] + l_edge_est
    energy = (EDEV * alpha * C / t["f_dev"]                        # eq. 8
              + np.where(work, t["power_w"] * bits / R + ESRV * lam / t["f_proc"]
                         + EBH * np.where(moved, bits + Q, bits) * hops, 0.0)
              + np.where(edge, (PRX + PTX) * out, 0.0))
    e_local = EDEV * C / t["f_dev"]
    cost = np.where(moved, (bits + Q) * CF, 0.0)                   # eq. 3
    w = np.where(latency <= LMIN, 1.0,                             # eq. 11
                 np.where(latency < LMAX, (LMAX - latency) / (LMAX - LMIN), WB))
    qoe = LAMW * w + (1 - LAMW) * (t["budget"] - np.where(work, PSI * lam, 0.0) - cost) \
        / t["budget"]                                              # eq. 10
    return latency, latency_est, energy, e_local, qoe, cost


def close(a, b):
    return np.abs(a - b) <= RTOL * np.maximum(np.abs(b), 1e-9)


def main():
    run = sys.argv[1]
    tw = table(os.path.join(run, "twins.csv"))
    sl = table(os.path.join(run, "slots.csv"))
    lat, lat_est, en, el, qoe, cost = port(tw)
    bad = 0
    for name, mine in (("latency", lat), ("latency_est", lat_est), ("energy", en),
                       ("qoe", qoe), ("cost_mig", cost)):
        ok = close(mine, tw[name])
        if not ok.all():
            i = int(np.argmin(ok))
            print(f"{name}: {int((~ok).sum())} rows differ; slot {int(tw['slot'][i])} "
                  f"user {int(tw['user'][i])}: port {mine[i]:.9g}, dtfl {tw[name][i]:.9g}")
            bad += 1
    U = int(tw["user"].max()) + 1
    for k, s in enumerate(sl["slot"].astype(int)):
        m = tw["slot"] == s
        e = en[m].sum() + sl["energy_twins"][k]                     # the twins' energy
        r = -lat[m].sum() / (U * LMAX) - e / el[m].sum() + qoe[m].sum() / U  # eq. 13
        if not close(np.array([r]), np.array([sl["reward"][k]]))[0]:
            print(f"slot {s}: reward port {r:.9g}, dtfl {sl['reward'][k]:.9g}")
            bad += 1
    rows = len(tw["slot"])
    print(f"ref_env.py: {rows} user-slots and {len(sl['slot'])} slots checked, "
          f"{'all agree' if bad == 0 else f'{bad} disagreements'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
