#!/usr/bin/python3
"""env_lib_check.py LIB CONFIG SLOTS_CSV - the scenario through
libdtfl_env.so (app/env_lib.c, ctypes, no numpy) plays eco-local's actions
(nearest server, nothing offloaded, cached or migrated; no twins, as
eco-local) on the run's own users (episode -1) and must earn, slot by slot, the rewards `dtfl run
sched.policy=eco-local` wrote to SLOTS_CSV (relative 2e-5: the CSV's 6
digits). Exit 0 when they agree, 1 otherwise."""
import csv
import ctypes
import sys


def main():
    lib, config, slots = sys.argv[1:4]
    L = ctypes.CDLL(lib)
    L.dtfl_env_error.restype = ctypes.c_char_p
    env = ctypes.c_void_p()
    if L.dtfl_env_open(ctypes.byref(env), config.encode(), 0, None) != 0:
        print("open:", L.dtfl_env_error(env).decode())
        return 1
    L.dtfl_env_twinless(env, 1)              # eco-local runs without twins
    o, d, b = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    L.dtfl_env_sizes(env, ctypes.byref(o), ctypes.byref(d), ctypes.byref(b))
    obs = (ctypes.c_float * o.value)()
    disc = (ctypes.c_int * d.value)()        # all zeros: eco-local's actions
    box = (ctypes.c_double * b.value)()
    with open(slots) as f:
        want = [float(r["reward"]) for r in csv.DictReader(f)]
    if L.dtfl_env_reset(env, -1, obs) != 0:
        print("reset:", L.dtfl_env_error(env).decode())
        return 1
    bad = 0
    for t, w in enumerate(want):
        r, done = ctypes.c_double(), ctypes.c_int()
        if L.dtfl_env_step(env, disc, box, ctypes.byref(r), obs, ctypes.byref(done)) != 0:
            print("step:", L.dtfl_env_error(env).decode())
            return 1
        if abs(r.value - w) > 2e-5 * max(abs(w), 1e-9):
            print(f"slot {t}: {r.value:.9g} through the library, {w:.9g} in dtfl run")
            bad += 1
        if done.value != (t == len(want) - 1):
            print(f"slot {t}: done {done.value}")
            bad += 1
    L.dtfl_env_close(env)
    print(f"env_lib_check: {len(want)} slots, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
