#!/usr/bin/env bash
# test_diten.sh DTFL SRC - the DITEN commands end to end on a small scenario:
# `dtfl train` writes whole results (a policy file only for learning
# policies), `dtfl run` in analytic mode plays the trained policy and is
# deterministic, and a policy file for another scenario, a damaged one, or
# --resume of an analytic run each end with their status and a message.
set -u
DTFL=$1
SRC=$2
TMP_PREFIX=dtfl-diten
. "$(dirname "$0")/lib.sh"

CFG="$SRC/configs/diten-paper.yaml"
SMALL=(world.slots=30 servers.count=5 users.count=6 ppo.hidden=16 a2c.hidden=16
       ddpg.hidden=16 train.episodes=3 train.eval_episodes=2)

# ---- train: a learning policy and a fixed one ----
expect_status 0 "train ppo" "$DTFL" train "$CFG" "${SMALL[@]}" out="$TMP/ppo"
for f in config.yaml train.csv eval.csv summary.json policy.bin; do
    [ -s "$TMP/ppo/$f" ] && ok "train wrote $f" || bad "train wrote $f"
done
[ "$(lines "$TMP/ppo/train.csv")" -eq 4 ] && ok "train.csv: header + 3 episodes" || bad "train.csv rows"
[ "$(lines "$TMP/ppo/eval.csv")" -eq 3 ] && ok "eval.csv: header + 2 episodes" || bad "eval.csv rows"
grep -q '"eval_objective"' "$TMP/ppo/summary.json" && ok "summary has eval_objective" || bad "summary"
ls "$TMP/ppo" | grep -q '\.tmp\.' && bad "temporary files left" || ok "no temporary files left"
expect_status 0 "train nearest (evaluation only)" "$DTFL" train "$CFG" "${SMALL[@]}" \
    sched.policy=nearest out="$TMP/near"
[ ! -e "$TMP/near/train.csv" ] || [ "$(lines "$TMP/near/train.csv")" -le 1 ] \
    && ok "nearest trains nothing" || bad "nearest trains nothing"
[ ! -e "$TMP/near/policy.bin" ] && ok "nearest writes no policy file" || bad "nearest policy file"

# ---- analytic run of the trained policy ----
RUN=("$CFG" "${SMALL[@]}" sched.policy_file="$TMP/ppo/policy.bin")
expect_status 0 "analytic run with the trained policy" "$DTFL" run "${RUN[@]}" out="$TMP/a1"
[ "$(lines "$TMP/a1/slots.csv")" -eq 31 ] && ok "slots.csv: header + 30 slots" || bad "slots.csv rows"
[ "$(lines "$TMP/a1/twins.csv")" -eq 181 ] && ok "twins.csv: header + 30 x 6" || bad "twins.csv rows"
head -1 "$TMP/a1/slots.csv" | grep -q "predicted_utility,predicted_cost" \
    && ok "slots.csv has the predicted columns" || bad "predicted columns"
grep -q '"analytic"' "$TMP/a1/summary.json" && ok "summary says analytic" || bad "summary mode"
"$DTFL" run "${RUN[@]}" out="$TMP/a2" >/dev/null 2>&1
cmp -s "$TMP/a1/slots.csv" "$TMP/a2/slots.csv" && cmp -s "$TMP/a1/twins.csv" "$TMP/a2/twins.csv" \
    && ok "analytic runs are deterministic" || bad "analytic runs differ"
"$DTFL" run "$CFG" "${SMALL[@]}" out="$TMP/a3" >/dev/null 2>&1
cmp -s "$TMP/a1/twins.csv" "$TMP/a3/twins.csv" && bad "the policy file changed nothing" \
    || ok "the trained policy decides differently from an untrained one"

# ---- policy files that do not fit ----
expect_status 65 "policy for 5 servers on 6" "$DTFL" run "${RUN[@]}" servers.count=6 out="$TMP/b1"
expect_err "trained for servers (choices) 5, this run has 6" "server count mismatch explained"
expect_status 65 "a2c loading a ppo policy" "$DTFL" run "${RUN[@]}" sched.policy=a2c out="$TMP/b2"
expect_err "a ppo policy, not a2c" "algorithm mismatch explained"
cp "$TMP/ppo/policy.bin" "$TMP/flip.bin"
printf '\x55' | dd of="$TMP/flip.bin" bs=1 seek=200 conv=notrunc 2>/dev/null
expect_status 65 "a damaged policy file" "$DTFL" run "$CFG" "${SMALL[@]}" \
    sched.policy_file="$TMP/flip.bin" out="$TMP/b3"
expect_err "checksum mismatch" "damage explained"
expect_status 66 "a missing policy file" "$DTFL" run "$CFG" "${SMALL[@]}" \
    sched.policy_file="$TMP/none.bin" out="$TMP/b4"
expect_status 64 "--resume of an analytic run" "$DTFL" run --resume "$TMP/a1"
expect_err "analytic runs keep no checkpoints" "resume refusal explained"

# ---- utility.fit: a measured curve replaces a1..a6, checked before use ----
printf '{"a": [0.5, 2.0, 0.001, 0.8, 0.1, 0.7], "r2": 0.99}\n' >"$TMP/fit.json"
expect_status 0 "validate with utility.fit" "$DTFL" validate "$CFG" utility.fit="$TMP/fit.json"
grep -q "^  a5: 0.1$" "$TMP/out" && ok "the fit's a5 replaces diten.a5" || bad "a5 from the fit"
expect_status 0 "analytic run on the fitted curve" "$DTFL" run "$CFG" "${SMALL[@]}" \
    sched.policy=nearest utility.fit="$TMP/fit.json" out="$TMP/f1"
u_fit=$(sed -n 's/.*"mean_predicted_utility":[[:space:]]*\([0-9.e+-]*\).*/\1/p' "$TMP/f1/summary.json")
expect_status 0 "the same on the paper's curve" "$DTFL" run "$CFG" "${SMALL[@]}" \
    sched.policy=nearest out="$TMP/f2"
u_pap=$(sed -n 's/.*"mean_predicted_utility":[[:space:]]*\([0-9.e+-]*\).*/\1/p' "$TMP/f2/summary.json")
[ -n "$u_fit" ] && [ "$u_fit" != "$u_pap" ] && ok "the fitted curve changes the predicted utility ($u_fit vs $u_pap)" \
    || bad "utility with the fit ($u_fit) vs without ($u_pap)"
printf '{"a": [0.5, -2.0, 0.001, 0.8, 0.1, 0.7]}' >"$TMP/neg.json"
expect_status 65 "a fit with a negative a2" "$DTFL" validate "$CFG" utility.fit="$TMP/neg.json"
expect_err "a2 must be a positive number" "negative a2 explained"
printf '{"a": [0.5, 2.0' >"$TMP/cut.json"
expect_status 65 "a truncated fit file" "$DTFL" validate "$CFG" utility.fit="$TMP/cut.json"
expect_err "not JSON" "truncation explained"
expect_status 66 "a missing fit file" "$DTFL" validate "$CFG" utility.fit="$TMP/none.json"

# ---- users along T-Drive taxi traces (twin/tdrive.c) ----
TD=(world.slots=10 users.count=3 world.width=3000 world.height=3000 mobility.model=trace
    mobility.trace_format=tdrive mobility.tdrive_lon=116.3 mobility.tdrive_lat=39.9
    sched.policy=nearest)
expect_status 0 "an analytic run along three T-Drive taxis" "$DTFL" run "$CFG" "${TD[@]}" \
    mobility.trace="$SRC/tests/data/tdrive" out="$TMP/td"
[ "$(lines "$TMP/td/twins.csv")" -eq 31 ] && ok "twins.csv: 10 slots x 3 taxis" || bad "tdrive rows"
expect_status 65 "a malformed T-Drive line" "$DTFL" run "$CFG" "${TD[@]}" \
    mobility.trace="$SRC/tests/data/tdrive-bad" out="$TMP/td2"
expect_err "tdrive-bad/4.txt:3: expected a valid date and time" "the file and line named"
expect_status 78 "a trace format that does not exist" "$DTFL" validate "$CFG" \
    mobility.trace_format=gpx

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
