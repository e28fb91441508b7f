#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [TARGET...]: runs each fuzz target (all of
# tests/fuzz/corpus/*/ by default) for SECONDS on a copy of its corpus, one
# after the other, and prints for each the executions, the coverage (the
# edges of libFuzzer's last "cov:"), the new corpus entries and the crashes.
#
# Builds nothing: the targets come from the fuzz preset
#   cmake --preset fuzz && cmake --build --preset fuzz
# in build/fuzz/tests/fuzz (MAKEGOOD_FUZZ_BIN says otherwise). Each run's
# corpus, log and crash inputs are kept under the directory it names at the
# start (MAKEGOOD_FUZZ_OUT, else build/fuzz/runs/<UTC time>).
#
# Exit status: 0 when no target crashed, 1 when one did (a sanitizer
# report, a broken invariant, a leak, a timeout) or is not built, 2 for a
# wrong command line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

usage() {
  echo "usage: tests/fuzz/run.sh SECONDS [TARGET...]" >&2
  exit 2
}
[[ $# -ge 1 && $1 =~ ^[1-9][0-9]*$ ]] || usage
seconds=$1
shift

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for corpus in "$here"/corpus/*/; do targets+=("$(basename "$corpus")"); done
fi
for target in "${targets[@]}"; do
  if [ ! -d "$here/corpus/$target" ]; then
    echo "run.sh: no target $target (no tests/fuzz/corpus/$target)" >&2
    usage
  fi
done

bin_dir=${MAKEGOOD_FUZZ_BIN:-$repo/build/fuzz/tests/fuzz}
out_dir=${MAKEGOOD_FUZZ_OUT:-$repo/build/fuzz/runs/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out_dir"
echo "run.sh: ${#targets[@]} targets, ${seconds} s each; corpora, logs and crash inputs in $out_dir" >&2

# Stop at the first report; the gRPC library's own allocations (the plugin
# target) are not this project's leaks.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$repo/tests/sanitizers/lsan.supp:print_suppressions=0:${LSAN_OPTIONS:-}"
symbolizer=$(command -v llvm-symbolizer-14 || command -v llvm-symbolizer || true)
if [ -n "$symbolizer" ]; then export ASAN_SYMBOLIZER_PATH="$symbolizer"; fi

count_files() { find "$1" -type f | wc -l; }

failed=0
rows=()
for target in "${targets[@]}"; do
  binary=$bin_dir/$target
  if [ ! -x "$binary" ]; then
    rows+=("$(printf '%-20s %12s %9s %7s  %s' "$target" - - - "not built: $binary")")
    failed=1
    continue
  fi
  work=$out_dir/$target
  mkdir -p "$work/corpus" "$work/crashes"
  cp -R "$here/corpus/$target/." "$work/corpus/"
  seeds=$(count_files "$work/corpus")
  options=(-max_total_time="$seconds" -print_final_stats=1 -timeout=30
           -artifact_prefix="$work/crashes/")
  if [ -f "$here/dict/$target.dict" ]; then options+=(-dict="$here/dict/$target.dict"); fi
  # The plugin's target makes real gRPC calls, and gRPC's own threads
  # allocate during nearly every input. libFuzzer's leak check after each
  # input would then run it again and scan the heap, and its power
  # schedule's bookkeeping over the target's 35,000 features took half of
  # the rest: together a quarter of the speed. Its leaks are still found,
  # by LeakSanitizer when the run ends.
  if [ "$target" = plugin_c_abi ]; then options+=(-detect_leaks=0 -entropic=0); fi
  echo "run.sh: $target ..." >&2
  status=0
  "$binary" "${options[@]}" "$work/corpus" </dev/null >"$work/log" 2>&1 || status=$?

  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  coverage=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 | cut -d' ' -f2 || true)
  new=$(( $(count_files "$work/corpus") - seeds ))
  crash=$(find "$work/crashes" -type f ! -name 'slow-unit-*' | sort | head -n 1 || true)
  if [ -n "$crash" ]; then
    failed=1
  elif [ "$status" -ne 0 ]; then
    failed=1
    crash="exit $status, no input kept: see $work/log"
  else
    crash=0
  fi
  rows+=("$(printf '%-20s %12s %9s %7s  %s' "$target" "${executions:-?}" "${coverage:-?}" "$new" "$crash")")
done

printf '%-20s %12s %9s %7s  %s\n' target executions coverage new crashes
printf '%s\n' "${rows[@]}"
if [ "$failed" -ne 0 ]; then
  cat >&2 <<EOF
run.sh: a target crashed or is missing. Logs and crash inputs: $out_dir/<target>/.
Reproduce one: build/fuzz/tests/fuzz/<target> <crash file>; then keep it as
tests/fuzz/corpus/<target>/regression-<what> with a unit test (tests/fuzz/README.md).
EOF
  exit 1
fi
