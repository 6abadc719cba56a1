# pair_builds.sh — sourced by fixtures.sh and fixtures_cpus.sh (after
# ../lib.sh, with $wg and $work set): a model built twice, with the
# kernel-shape passes and without them (WASMGRAPH_NO_TILE_VECTORIZE=1, read
# by the CLI), both run single-threaded on the fixture's inputs, and their
# outputs compared byte for byte.

# pair_build M ON OFF DIR COMPILE_ARGS...: compiles COMPILE_ARGS at -v twice,
# to $work/M.ON.so with the passes and $work/M.OFF.so without (logs .log),
# and runs each on DIR/inputs/*.npy into $work/M.V.out (logs .run). On a
# failure it records FAIL "M: compile (V)" or "M: run (V)" and returns 1.
pair_build() {
  local m=$1 on=$2 off=$3 dir=$4 v f start
  shift 4
  local inputs=() env
  for f in "$dir"/inputs/*.npy; do
    inputs+=(-i "$(basename "$f" .npy)=$f")
  done
  for v in "$on" "$off"; do
    env=()
    [ "$v" = "$off" ] && env=(WASMGRAPH_NO_TILE_VECTORIZE=1)
    start=$(date +%s)
    if ! env "${env[@]}" "$wg" compile -v "$@" -o "$work/$m.$v.so" >"$work/$m.$v.log" 2>&1; then
      fail "$m: compile ($v): $(tail -n 3 "$work/$m.$v.log")"
      return 1
    fi
    echo "# $m.$v.so compiled in $(( $(date +%s) - start )) s"
    mkdir -p "$work/$m.$v.out"
    if ! "$wg" run "$work/$m.$v.so" "${inputs[@]}" -o "$work/$m.$v.out" -q -t 1 \
         >"$work/$m.$v.run" 2>&1; then
      fail "$m: run ($v): $(tail -n 3 "$work/$m.$v.run")"
      return 1
    fi
  done
}

# pair_compare M ON OFF: sets n (the outputs of the build without the
# passes) and bad (how many of them differ in the build with them).
pair_compare() {
  local f
  n=0 bad=0
  for f in "$work/$1.$3.out"/*.npy; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    cmp -s "$f" "$work/$1.$2.out/$(basename "$f")" || bad=$((bad + 1))
  done
}
