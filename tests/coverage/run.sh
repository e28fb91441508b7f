#!/usr/bin/env bash
# tests/coverage/run.sh [--build-dir DIR] [--no-tests] [--html DIR]: runs the
# test suite of a coverage build, then prints the line and branch coverage of
# each component (every directory of src/, adapters, plugin) and of the whole,
# and checks the targets (README.md here).
#
# Builds nothing: the build comes from the coverage preset
#   cmake --preset coverage && cmake --build --preset coverage
# in build/coverage (--build-dir says otherwise). The tracefiles are kept in
# DIR/lcov.
#
# A failing test does not stop the report (the tests that passed still
# measured something), but the script then exits 1 all the same.
#
# Exit status: 0 when the tests passed and every target is met, 1 when a test
# failed, a target is not met or no report could be made (no lcov, not a
# coverage build, no coverage data), 2 for a wrong command line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

usage() {
  cat <<'EOF'
usage: tests/coverage/run.sh [--build-dir DIR] [--no-tests] [--html DIR]

Runs the tests of a coverage build (cmake --preset coverage) and prints the
line and branch coverage of each component, then checks the targets.

  --build-dir DIR  the coverage build (default: build/coverage)
  --no-tests       report on the .gcda data already in the build, run nothing
  --html DIR       also write genhtml's report into DIR
  --help           print this and exit

Exit status: 0 tests passed and targets met; 1 a test failed, a target is not
met or no report could be made; 2 a wrong command line.
EOF
}

bad_usage() {
  echo "run.sh: $1" >&2
  usage >&2
  exit 2
}

fail() {
  echo "run.sh: $1" >&2
  exit 1
}

build_dir="$repo/build/coverage"
run_tests=1
html_dir=""
while [ $# -gt 0 ]; do
  case $1 in
    --help | -h)
      usage
      exit 0
      ;;
    --build-dir)
      [[ $# -ge 2 && -n $2 ]] || bad_usage "--build-dir needs a directory"
      build_dir=$2
      shift 2
      ;;
    --build-dir=*)
      build_dir=${1#--build-dir=}
      [ -n "$build_dir" ] || bad_usage "--build-dir needs a directory"
      shift
      ;;
    --html)
      [[ $# -ge 2 && -n $2 ]] || bad_usage "--html needs a directory"
      html_dir=$2
      shift 2
      ;;
    --html=*)
      html_dir=${1#--html=}
      [ -n "$html_dir" ] || bad_usage "--html needs a directory"
      shift
      ;;
    --no-tests)
      run_tests=0
      shift
      ;;
    *)
      bad_usage "unknown argument '$1'"
      ;;
  esac
done

command -v lcov >/dev/null 2>&1 ||
  fail "lcov is not installed (apt-get install lcov; packaging/dev-setup.sh installs it)"
[ -x "$here/gcov-no-exception-branches" ] || fail "$here/gcov-no-exception-branches is not executable"
if [ -n "$html_dir" ]; then
  command -v genhtml >/dev/null 2>&1 || fail "genhtml is not installed (it comes with lcov)"
fi
[ -d "$build_dir" ] || fail "no build directory $build_dir (cmake --preset coverage && cmake --build --preset coverage)"
build_dir="$(cd "$build_dir" && pwd)"
[ -f "$build_dir/CMakeCache.txt" ] || fail "$build_dir is not a CMake build directory"
if [ -z "$(find "$build_dir" -name '*.gcno' -print -quit)" ]; then
  fail "$build_dir has no .gcno files, so it was not built with --coverage (cmake --preset coverage && cmake --build --preset coverage)"
fi

work="$build_dir/lcov"
mkdir -p "$work"

# Every lcov step that rewrites a tracefile drops the branch records unless
# branch coverage is on for that step too.
lcov_rc=(--quiet --rc lcov_branch_coverage=1)

tests_passed=1
if [ "$run_tests" -eq 1 ]; then
  lcov "${lcov_rc[@]}" --zerocounters --directory "$build_dir"
  if [ "$build_dir" = "$repo/build/coverage" ]; then
    echo "run.sh: ctest --preset coverage" >&2
    (cd "$repo" && ctest --preset coverage) || tests_passed=0
  else
    # CMake 3.25's ctest cannot point a test preset at another build tree,
    # so this spells out the coverage test preset's settings.
    echo "run.sh: ctest --test-dir $build_dir (the coverage test preset's settings)" >&2
    ctest --test-dir "$build_dir" --output-on-failure --parallel 2 --timeout 900 \
      --label-exclude package || tests_passed=0
  fi
  if [ "$tests_passed" -eq 0 ]; then
    echo "run.sh: some tests failed; reporting the coverage of the rest" >&2
  fi
fi

if [ -z "$(find "$build_dir" -name '*.gcda' -print -quit)" ]; then
  fail "$build_dir has no .gcda files: no instrumented program ran (run without --no-tests)"
fi

# Only the branches the code itself makes are counted, not the edge GCC adds
# for every call that may throw: gcov-no-exception-branches drops those, as
# Debian 12's lcov does not for its own geninfo_no_exception_branch setting
# (the comment there says why).
echo "run.sh: capturing the coverage data of $build_dir" >&2
lcov "${lcov_rc[@]}" --gcov-tool "$here/gcov-no-exception-branches" \
  --capture --directory "$build_dir" --output-file "$work/capture.info"

# Only the project's own code counts: not the system headers and libraries,
# not the code generated into the build tree (protoc's *.pb.cc and
# *.grpc.pb.cc, generated/), not the tests.
lcov "${lcov_rc[@]}" --remove "$work/capture.info" \
  '/usr/*' "$build_dir/*" '*.pb.cc' '*.pb.h' '*/generated/*' "$repo/tests/*" \
  --output-file "$work/project.info"

# Prints "LF LH BRF BRH" of a tracefile: its lines and branches, found and
# hit. They are counted from its DA and BRDA records rather than its
# LF/LH/BRF/BRH summaries, each source line and branch once even where a file
# has several records (geninfo writes one per object that compiled a header),
# so the figures do not depend on lcov having merged them.
summarize() {
  awk -F'[:,]' '
    /^SF:/ { file = substr($0, 4); next }
    /^DA:/ {
      key = file SUBSEP $2
      if (!(key in line_hit)) { line_hit[key] = 0; lines++ }
      if ($3 + 0 > 0 && !line_hit[key]) { line_hit[key] = 1; lines_hit++ }
      next
    }
    /^BRDA:/ {
      key = file SUBSEP $2 SUBSEP $3 SUBSEP $4
      if (!(key in branch_hit)) { branch_hit[key] = 0; branches++ }
      if ($5 != "-" && $5 + 0 > 0 && !branch_hit[key]) { branch_hit[key] = 1; branches_hit++ }
      next
    }
    END { printf "%d %d %d %d\n", lines, lines_hit, branches, branches_hit }
  ' "$1"
}

# "hit/total" and its percentage, truncated (not rounded) to one decimal so
# that a figure shown as 90.0% has met a 90% target.
percent() {
  local hit=$1 total=$2
  if [ "$total" -eq 0 ]; then
    echo "-"
  else
    awk -v h="$hit" -v t="$total" 'BEGIN { printf "%.1f%%", int(1000 * h / t) / 10 }'
  fi
}

components=()
for dir in "$repo"/src/*/; do components+=("src/$(basename "$dir")"); done
components+=(adapters plugin)

declare -A lines lines_hit branches branches_hit
for component in "${components[@]}" overall; do
  if [ "$component" = overall ]; then
    info="$work/project.info"
  else
    info="$work/component-${component//\//-}.info"
    # lcov refuses to write an empty tracefile: a component none of whose
    # code was compiled (src/web holds the browser's files) has no data.
    if ! grep -qF "SF:$repo/$component/" "$work/project.info"; then
      : >"$info"
    else
      lcov "${lcov_rc[@]}" --extract "$work/project.info" "$repo/$component/*" --output-file "$info"
    fi
  fi
  read -r lf lh brf brh < <(summarize "$info")
  lines[$component]=$lf lines_hit[$component]=$lh
  branches[$component]=$brf branches_hit[$component]=$brh
done

printf '\n%-16s %17s %7s %17s %7s\n' component "lines hit/all" "%" "branches hit/all" "%"
for component in "${components[@]}" overall; do
  printf '%-16s %17s %7s %17s %7s\n' "$component" \
    "${lines_hit[$component]}/${lines[$component]}" \
    "$(percent "${lines_hit[$component]}" "${lines[$component]}")" \
    "${branches_hit[$component]}/${branches[$component]}" \
    "$(percent "${branches_hit[$component]}" "${branches[$component]}")"
done

# The targets: component, what, minimum percentage. A component with no
# line data meets none (nothing of it was measured); one with lines but no
# branches meets its branch target (there is nothing to take).
targets=(
  "src/core lines 90"
  "src/core branches 75"
  "src/store lines 90"
  "src/store branches 75"
  "overall lines 80"
)
targets_met=1
echo
for target in "${targets[@]}"; do
  read -r component what minimum <<<"$target"
  if [ "$what" = lines ]; then
    hit=${lines_hit[$component]:-0} total=${lines[$component]:-0}
  else
    hit=${branches_hit[$component]:-0} total=${branches[$component]:-0}
  fi
  measured=${lines[$component]:-0}
  if [ "$measured" -gt 0 ] && [ $((hit * 100)) -ge $((minimum * total)) ]; then
    verdict=met
  else
    verdict="NOT met"
    targets_met=0
  fi
  printf '%-9s %-8s >= %s%%: %7s  %s\n' "$component" "$what" "$minimum" \
    "$(percent "$hit" "$total")" "$verdict"
done

if [ -n "$html_dir" ]; then
  genhtml --quiet --branch-coverage --demangle-cpp --legend --title makegood \
    --prefix "$repo" --output-directory "$html_dir" "$work/project.info"
  echo "run.sh: HTML report in $html_dir/index.html" >&2
fi

if [ "$tests_passed" -eq 0 ]; then
  echo "run.sh: tests failed" >&2
  exit 1
fi
if [ "$targets_met" -eq 0 ]; then
  echo "run.sh: coverage targets not met" >&2
  exit 1
fi
