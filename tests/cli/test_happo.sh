#!/usr/bin/env bash
# test_happo.sh DTFL SRC - the happo scenario's learners end to end on
# configs/happo-ci.yaml (spec 8, "Scenario"): after 30 episodes of
# training, Beta-HAPPO's greedy energy per MU is below fullpower's with a
# failure ratio at most epsilon (0.2); train.csv, eval.csv and the policy
# file are written, `dtfl run` takes the policy file, and a policy for
# another K, widths or head is refused with EX_DATAERR naming the
# difference; the same
# seed trains to the same file; per_epoch, td0 and categorical blocks train
# to other weights; G-HAPPO, B-MAPPO and MADDPG train too; MADDPG refuses
# categorical blocks.
set -u
DTFL=$1
SRC=$2
TMP_PREFIX=dtfl-happo
. "$(dirname "$0")/lib.sh"

CFG="$SRC/configs/happo-ci.yaml"
num() { sed -n "s/.*\"$2\":[[:space:]]*\([-0-9.e+]*\).*/\1/p" "$1/summary.json"; }

expect_status 0 "train beta-happo" "$DTFL" train "$CFG" sched.policy=beta-happo \
    train.episodes=30 out="$TMP/bh"
for f in train.csv eval.csv policy.bin summary.json; do
    [ -s "$TMP/bh/$f" ] && ok "wrote $f" || bad "wrote $f"
done
[ "$(lines "$TMP/bh/train.csv")" -eq 31 ] && ok "train.csv: 30 episodes" || bad "train.csv rows"
expect_status 0 "fullpower" "$DTFL" train "$CFG" sched.policy=fullpower train.episodes=1 \
    out="$TMP/fp"
E_BH=$(num "$TMP/bh" eval_energy)
E_FP=$(num "$TMP/fp" eval_energy)
F_BH=$(num "$TMP/bh" eval_failure_ratio)
awk -v a="$E_BH" -v b="$E_FP" -v f="$F_BH" 'BEGIN { exit !(a < b && f <= 0.2) }' \
    && ok "beta-happo: energy $E_BH J < fullpower's $E_FP J, failures $F_BH <= 0.2" \
    || bad "beta-happo: energy $E_BH J (fullpower $E_FP J), failures $F_BH"

expect_status 0 "same seed again" "$DTFL" train "$CFG" sched.policy=beta-happo \
    train.episodes=30 out="$TMP/bh2"
cmp -s "$TMP/bh/policy.bin" "$TMP/bh2/policy.bin" && ok "same seed, same policy file" \
    || bad "same seed gave another policy"

expect_status 0 "run beta-happo from its policy file" "$DTFL" run "$CFG" \
    sched.policy=beta-happo sched.policy_file="$TMP/bh/policy.bin" out="$TMP/run"
expect_status 65 "a policy for another K is refused" "$DTFL" run "$CFG" users.count=7 \
    sched.policy=beta-happo sched.policy_file="$TMP/bh/policy.bin" out="$TMP/bad"
expect_err "agent count 9, this policy has 10" "... naming the difference (9 agents, not 10)"
expect_status 65 "a policy of other widths is refused" "$DTFL" run "$CFG" \
    sched.policy=beta-happo sched.policy_file="$TMP/bh/policy.bin" marl.hidden=32 out="$TMP/bad2"
expect_err "hidden width" "... naming the width"

# the literal forms of the learner: Algorithm 1's per-epoch order and eq.
# 32's TD(0) critic target train, to other weights than the defaults
for v in marl.order=per_epoch marl.critic_target=td0 marl.discrete=categorical; do
    expect_status 0 "train beta-happo with $v" "$DTFL" train "$CFG" sched.policy=beta-happo \
        train.episodes=3 "$v" out="$TMP/lit-$v"
    "$DTFL" train "$CFG" sched.policy=beta-happo train.episodes=3 out="$TMP/lit-def" >/dev/null 2>&1
    cmp -s "$TMP/lit-$v/policy.bin" "$TMP/lit-def/policy.bin" \
        && bad "$v changed nothing" || ok "$v trains other weights"
done

for p in gauss-happo beta-mappo maddpg; do
    expect_status 0 "train $p" "$DTFL" train "$CFG" sched.policy=$p train.episodes=5 \
        out="$TMP/$p"
done

expect_status 65 "a G-HAPPO file is refused by beta-happo" "$DTFL" run "$CFG" \
    sched.policy=beta-happo sched.policy_file="$TMP/gauss-happo/policy.bin" out="$TMP/bad3"
expect_err "gaussian heads" "... naming the heads"
expect_status 65 "a quantised file is refused with categorical blocks" "$DTFL" run "$CFG" \
    sched.policy=beta-happo sched.policy_file="$TMP/bh/policy.bin" marl.discrete=categorical \
    out="$TMP/bad4"
expect_err "not beta with categorical blocks" "... naming the heads"
expect_status 78 "maddpg refuses categorical blocks" "$DTFL" train "$CFG" sched.policy=maddpg \
    marl.discrete=categorical train.episodes=1 out="$TMP/bad5"
expect_err "categorical blocks (marl.discrete) are HAPPO's" "... saying whose they are"

# a server file that cannot be read (the paper preset's path is relative to
# the repository) stops training with its name, not with empty episodes
(cd "$TMP" && "$DTFL" train "$SRC/configs/happo-paper.yaml" sched.policy=beta-happo \
    train.episodes=1 out="$TMP/nofile" >"$TMP/nofile.log" 2>&1); st=$?
[ $st -eq 66 ] && grep -q "happo-bs5.csv: cannot open" "$TMP/nofile.log" \
    && ok "a missing server file stops dtfl train (66)" || bad "missing server file: status $st"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
