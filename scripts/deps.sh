#!/usr/bin/env bash
# deps.sh [GROUP ...] - installs the Debian 12 packages dtfl needs when any is
# missing: with apt-get as root, otherwise it prints the exact
# `sudo apt-get install ...` line and fails. Groups: build (compile and
# test, valgrind included), data (Fashion-MNIST), plots (experiment figures), fuzz (libFuzzer
# targets), peers (PyTorch, PuLP + CBC and SciPy, for make bench-peers and bench-taco),
# sumo (SUMO to make vehicle traces, experiments/tmo/make_traces.sh).
set -eu
declare -A group=(
  [build]="gcc make cmake pkg-config libopenmpi-dev openmpi-bin libopenblas-dev libyaml-dev liblz4-dev zlib1g-dev libcjson-dev libxxhash-dev libcmocka-dev librandom123-dev libgsl-dev libglpk-dev libxml2-dev valgrind"
  [data]="dataset-fashion-mnist"
  [plots]="python3 python3-matplotlib python3-scipy"
  [fuzz]="clang-14 libfuzzer-14-dev libclang-rt-14-dev"
  [peers]="python3 python3-torch python3-numpy python3-scipy python3-pulp"
  [sumo]="sumo sumo-tools"
)
want=()
for g in "${@:-build data}"; do
  for g2 in $g; do
    [ -n "${group[$g2]+x}" ] || { echo "deps.sh: unknown group '$g2'" >&2; exit 64; }
    want+=(${group[$g2]})
  done
done
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "dtfl needs these Debian packages; install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 69
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}
