#!/usr/bin/env bash
# Runs the crash and fault soaks (README.md here) against the built
# makegoodd, one after the other, stopping at the first that fails.
#
#   tests/soak/run.sh [--short] [--only kill9|disconnects|diskfull|load]
#                     [--seed N] [--bin-dir DIR] [--max-rss-mib N]
#
# --short is the CI version (ctest runs it, one test per soak): 20 SIGKILLs,
# 200 cuts, 10 full disks, one minute of load. Without it: 100 SIGKILLs,
# 1,000 cuts, 50 full disks, ten minutes of load. The full-disk soak mounts
# a small tmpfs, so it needs root. --seed (or SOAK_SEED) replays a run; by
# default each run draws a fresh seed and prints it. --bin-dir is where the
# soak programs were built (default build/dev/tests/soak).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin_dir="$here/../../build/dev/tests/soak"
short=false
only=""
seed="${SOAK_SEED:-}"
max_rss_mib=64

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while [ $# -gt 0 ]; do
  case "$1" in
    --short) short=true ;;
    --only) only="${2:?--only needs kill9, disconnects, diskfull or load}"; shift ;;
    --seed) seed="${2:?--seed needs a number}"; shift ;;
    --bin-dir) bin_dir="${2:?--bin-dir needs a directory}"; shift ;;
    --max-rss-mib) max_rss_mib="${2:?--max-rss-mib needs a number}"; shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
case "$only" in
  ""|kill9|disconnects|diskfull|load) ;;
  *) echo "run.sh: --only takes kill9, disconnects, diskfull or load, not '$only'" >&2; exit 2 ;;
esac
if [ -z "$seed" ]; then
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  [ "$seed" = 0 ] && seed=1
fi

if $short; then
  # On a 2-core machine: about 15 s, 10 s, 10 s and 70 s.
  kill9_args=(--trials 20)
  disconnect_args=(--cuts 200)
  diskfull_args=(--fills 10)
  load_args=(--minutes 1 --tablets 50 --adapters 4)
else
  kill9_args=(--trials 100)
  disconnect_args=(--cuts 1000)
  diskfull_args=(--fills 50)
  load_args=(--minutes 10 --tablets 50 --adapters 4)
fi

run() {
  local name=$1 program=$2
  shift 2
  if [ -n "$only" ] && [ "$only" != "$name" ]; then return 0; fi
  if [ ! -x "$bin_dir/$program" ]; then
    echo "run.sh: $bin_dir/$program is not built (cmake --build --preset dev)" >&2
    exit 2
  fi
  echo "== soak $name, seed $seed: $program $*"
  local started=$SECONDS
  "$bin_dir/$program" "$@" --seed "$seed"
  echo "== soak $name passed in $((SECONDS - started)) s"
}

total_started=$SECONDS
run kill9 kill9_soak "${kill9_args[@]}"
run disconnects disconnect_soak "${disconnect_args[@]}"
run diskfull diskfull_soak "${diskfull_args[@]}"
run load load_soak "${load_args[@]}" --max-rss-mib "$max_rss_mib"
echo "== soaks passed in $((SECONDS - total_started)) s (seed $seed)"
