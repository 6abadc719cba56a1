#!/usr/bin/env bash
# cpu_ab.sh — A/B timing of compiled models by CPU time, for a shared,
# loaded machine where wall time is useless (other jobs kept the load at 4-11
# on 2 cores while docs/benchmarks.md's fp32 section was measured).
#
# Each round runs every build once, in the order given (A B C A B C ...), as
#   wasmgraph run X.so -i ... -q -t 1 -r 1        (load, params, warm-up, 1 run)
#   wasmgraph run X.so -i ... -q -t 1 -r (1 + N)
# under GNU time, and takes the difference of the two user+system CPU times
# divided by N: the CPU time of one run with the setup cancelled out. The
# script prints every round and, per build, the median over rounds and the
# median of its round-by-round ratios to the first build (the ratio is the
# figure to quote; absolute times drift by 10% or more with the load).
#
# usage: benchmarks/cpu_ab.sh WASMGRAPH FIXTURE_DIR ROUNDS N LABEL=X.so [LABEL=Y.so ...]
#   FIXTURE_DIR: the model's fixture folder (its inputs/*.npy are fed)
# example (exact vs --fp-contract=fast, 7 rounds of 20 runs):
#   benchmarks/cpu_ab.sh build/tools/wasmgraph ../shared/fixtures/resnet18 7 20 \
#       exact=r_exact.so fma=r_fma.so
set -eu
if [ $# -lt 5 ]; then
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
wg=$1 fixture=$2 rounds=$3 n=$4
shift 4
labels=() sos=()
for spec in "$@"; do
  labels+=("${spec%%=*}")
  sos+=("${spec#*=}")
done
inputs=()
for f in "$fixture"/inputs/*.npy; do inputs+=(-i "$(basename "$f" .npy)=$f"); done

# CPU seconds (user + system) of one `wasmgraph run` with -r $2.
tfile=$(mktemp)
trap 'rm -f "$tfile"' EXIT
cpu_of() {
  /usr/bin/time -o "$tfile" -f '%U %S' "$wg" run "$1" "${inputs[@]}" -q -t 1 -r "$2" \
    >/dev/null 2>&1 || { echo "cpu_ab.sh: $wg run $1 failed" >&2; exit 1; }
  awk '{ s = $1 + $2 } END { printf "%.3f", s }' "$tfile"
}

declare -A per_run
for r in $(seq "$rounds"); do
  line="round $r:"
  for i in "${!sos[@]}"; do
    small=$(cpu_of "${sos[$i]}" 1)
    big=$(cpu_of "${sos[$i]}" $((1 + n)))
    ms=$(awk -v a="$small" -v b="$big" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }')
    per_run[$i]="${per_run[$i]:-} $ms"
    line="$line ${labels[$i]} $ms ms"
  done
  echo "$line"
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
  if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for i in "${!sos[@]}"; do
  med=$(echo "${per_run[$i]}" | median)
  # the ratio to the first build round by round (same machine state), then its median
  ratios=$(paste -d' ' <(echo "${per_run[$i]}" | tr ' ' '\n' | grep -v '^$') \
                       <(echo "${per_run[0]}" | tr ' ' '\n' | grep -v '^$') |
           awk '{ printf " %.4f", $1 / $2 }')
  echo "${labels[$i]}: median $med ms CPU per run over $rounds rounds of $n runs;" \
       "$(echo "$ratios" | median) x ${labels[0]} (median of the per-round ratios)"
done
