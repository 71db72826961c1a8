#!/usr/bin/env bash
# test_policy.sh DTFL SRC - a PPO policy trained by `dtfl train` drives a
# real-mode run under mpirun: the run makes the decisions the analytic mode
# predicts for the same config (association, gamma and the model's utility,
# cost, objective and reward per slot agree exactly), and its tables carry
# the predicted utility beside the measured accuracy. With sched.learn the
# policy keeps learning online and the run still completes.
set -u
DTFL=$1 SRC=$2
. "$SRC/tests/mpi/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dtfl-policy-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CFG=("$SRC/configs/quick.yaml" sched.policy=ppo ppo.hidden=16 sched.allocation=optimal)

"$DTFL" train "${CFG[@]}" train.episodes=3 train.eval_episodes=1 out="$TMP/train" \
    >"$TMP/log0" 2>&1 && ok "train a PPO policy for the quick scenario" \
    || { bad "train"; tail -5 "$TMP/log0"; }
POL=sched.policy_file="$TMP/train/policy.bin"
"$DTFL" run "${CFG[@]}" "$POL" mode=analytic out="$TMP/analytic" >"$TMP/log1" 2>&1 \
    && ok "analytic run" || { bad "analytic run"; tail -5 "$TMP/log1"; }
$MPIRUN -np 2 "$DTFL" run "${CFG[@]}" "$POL" out="$TMP/real" >"$TMP/log2" 2>&1 \
    && ok "real run on 2 ranks with the trained policy" || { bad "real run"; tail -5 "$TMP/log2"; }

same() { # same DESC FILE_A FILE_B COLUMNS...
    local desc=$1 a=$2 b=$3; shift 3
    if cmp -s <(columns "$a" "$@") <(columns "$b" "$@"); then ok "$desc"; else
        bad "$desc"; diff <(columns "$a" "$@") <(columns "$b" "$@") | head -5; fi
}
same "real decisions = analytic decisions (server, gamma)" \
    "$TMP/analytic/twins.csv" "$TMP/real/twins.csv" slot user server gamma predicted_utility
same "real predictions = analytic predictions per slot" \
    "$TMP/analytic/slots.csv" "$TMP/real/slots.csv" slot migrations predicted_utility \
    predicted_cost predicted_objective predicted_reward violations
acc=$(columns "$TMP/real/slots.csv" mean_accuracy | tail -1)
awk -v a="$acc" 'BEGIN { exit !(a > 0.2) }' && ok "measured accuracy beside the prediction ($acc)" \
    || bad "measured accuracy '$acc'"
$MPIRUN -np 2 "$DTFL" run "${CFG[@]}" "$POL" sched.learn=true out="$TMP/learn" >"$TMP/log3" 2>&1 \
    && ok "real run learning online" || { bad "online learning run"; tail -5 "$TMP/log3"; }
[ -s "$TMP/learn/policy.bin" ] && ok "the learning run saved its policy" || bad "no policy.bin"
[ ! -e "$TMP/real/policy.bin" ] && ok "a run that does not learn saves none" || bad "policy.bin without learning"
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
