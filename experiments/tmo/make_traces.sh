#!/usr/bin/env bash
# make_traces.sh OUT.xml [VEHICLES] [SECONDS] [small] - vehicle traces for
# scenario tmo (000) with Debian's SUMO (sumo, sumo-tools): a grid road
# network of 1-km blocks sized to the paper's 15 km x 18 km (16 x 19
# junctions, traffic lights, 60 km/h), VEHICLES cars (default 120) that
# all enter at random places in the first seconds and drive long random
# routes (30 random waypoints each, so none leaves before SECONDS), and
# their positions every second as SUMO floating-car data:
#   sumo --fcd-output OUT.xml --fcd-output.attributes x,y --step-length 1
#        --end SECONDS (default 5400)
# The last argument `small` makes the test trace instead: 2 km x 2 km of
# 500-m blocks (tests/data/fcd/small.xml: 8 cars, 120 s, every attribute
# SUMO writes, so the reader's test sees them).
# Use: mobility: {model: trace, trace: OUT.xml, trace_format: fcd} with
# world.width/height 15000/18000 (or 2000/2000 for small).
set -eu
out=${1:?usage: make_traces.sh OUT.xml [VEHICLES] [SECONDS] [small]}
n=${2:-120}
end=${3:-5400}
size=${4:-paper}
command -v sumo >/dev/null && command -v netgenerate >/dev/null || {
  echo "make_traces.sh: needs Debian's sumo and sumo-tools (scripts/deps.sh sumo)" >&2
  exit 69
}
export SUMO_HOME=${SUMO_HOME:-/usr/share/sumo}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$size" = small ]; then
  nx=5 ny=5 block=500
else
  nx=16 ny=19 block=1000
fi
netgenerate --grid --grid.x-number "$nx" --grid.y-number "$ny" \
  --grid.x-length "$block" --grid.y-length "$block" --default.speed 16.67 \
  --default-junction-type traffic_light --no-turnarounds true \
  --seed 7 -o "$tmp/net.net.xml" >/dev/null
# n cars over the first n/20 seconds, each from a random place of its edge
/usr/bin/python3 "$SUMO_HOME/tools/randomTrips.py" -n "$tmp/net.net.xml" \
  -o "$tmp/trips.xml" -r "$tmp/routes.rou.xml" -b 0 -e "$(awk "BEGIN{print $n/20}")" \
  -p 0.05 --intermediate 30 --seed 7 \
  --trip-attributes 'departPos="random" departLane="best" departSpeed="max"' >/dev/null
# positions only (x, y): a third of the bytes, read three times as fast
attrs=(--fcd-output.attributes x,y)
[ "$size" = small ] && attrs=()  # the test trace keeps every attribute
sumo -n "$tmp/net.net.xml" -r "$tmp/routes.rou.xml" --fcd-output "$tmp/fcd.xml" \
  "${attrs[@]}" --step-length 1 --end "$end" --no-step-log --no-warnings \
  --seed 7 --time-to-teleport -1 >/dev/null
mv "$tmp/fcd.xml" "$out"
echo "make_traces.sh: $(grep -c '<vehicle' "$out") samples of $n cars over $end s in $out"
