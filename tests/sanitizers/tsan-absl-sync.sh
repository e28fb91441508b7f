#!/usr/bin/env bash
# tests/sanitizers/tsan-absl-sync.sh [OUT_DIR]: builds abseil's
# synchronization library (absl::Mutex, CondVar, Notification, ...) and the
# few other pieces named below with ThreadSanitizer, from the Debian source
# of the installed libabsl-dev, into OUT_DIR/libabsl_synchronization_tsan.a
# (default build/tsan-absl).
#
# Why: ThreadSanitizer sees a lock only when the code taking it is built with
# it. Debian's libabsl_synchronization is not, so every access guarded by an
# absl::Mutex would look like a race. The tsan preset links this archive
# whole into each program; the program's copies of the absl::Mutex functions
# then take the place of the shared library's, for gRPC's own locks too.
# The source is the same Debian version as the installed headers, compiled
# against those headers, so the objects match the library they replace.
#
# Needs deb-src access to the Debian archive (it adds none to the system's
# sources: apt runs on a private list and cache) and dpkg-source. Nothing is
# downloaded again when OUT_DIR already holds an archive of this version.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out_dir=${1:-$repo/build/tsan-absl}
if [[ $# -gt 1 || ${1:-} == -* ]]; then
  echo "usage: tests/sanitizers/tsan-absl-sync.sh [OUT_DIR]" >&2
  exit 2
fi

version=$(dpkg-query -W -f='${Version}' libabsl-dev 2>/dev/null || true)
if [ -z "$version" ]; then
  echo "tsan-absl-sync.sh: libabsl-dev is not installed (packaging/dev-setup.sh installs it)" >&2
  exit 1
fi
# The synchronization library and the allocator its per-thread state comes from
# (low_level_alloc.cc: its arena lock, built with ThreadSanitizer, tells it
# that a thread's state carved from memory another thread mapped is not a
# race).
sources=(absl/synchronization/barrier.cc absl/synchronization/blocking_counter.cc
  absl/synchronization/mutex.cc absl/synchronization/notification.cc
  absl/synchronization/internal/create_thread_identity.cc
  absl/synchronization/internal/graphcycles.cc absl/synchronization/internal/per_thread_sem.cc
  absl/synchronization/internal/waiter.cc absl/base/internal/low_level_alloc.cc)
archive=$out_dir/libabsl_synchronization_tsan.a
stamp=$out_dir/version
if [ -f "$archive" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version ${sources[*]}" ]; then
  echo "tsan-absl-sync.sh: $archive is abseil $version already" >&2
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A private apt: the system's Debian sources as deb-src, its own lists.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/apt/sources.list.d"
for list in /etc/apt/sources.list.d/*.sources; do
  [ -f "$list" ] || continue
  sed 's/^Types:.*/Types: deb-src/' "$list" >"$work/apt/sources.list.d/$(basename "$list")"
done
apt_private=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/apt/sources.list.d"
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Sandbox::User=root")
echo "tsan-absl-sync.sh: fetching the source of abseil $version" >&2
apt-get "${apt_private[@]}" -qq update
(cd "$work" && apt-get "${apt_private[@]}" -qq source --download-only "abseil=$version")
dpkg-source --no-check -x "$work"/abseil_*.dsc "$work/src" >/dev/null

compiler=${CXX_FOR_TSAN:-clang++-14}
mkdir -p "$out_dir"
objects=()
for source in "${sources[@]}"; do
  object=$work/$(basename "$source" .cc).o
  # The installed headers, not the source tree's: they carry Debian's
  # options (its inline namespace), which the replaced library was built with.
  "$compiler" -std=c++20 -fsanitize=thread -O1 -g -fPIC -DNDEBUG -c "$work/src/$source" -o "$object"
  objects+=("$object")
done
rm -f "$archive"
ar rcs "$archive" "${objects[@]}"
echo "$version ${sources[*]}" >"$stamp"
echo "tsan-absl-sync.sh: built $archive (abseil $version, ${#objects[@]} files)" >&2
# The programs take it through their linker flags, which ninja does not
# track as a file: an existing tsan build must link again.
if [ -d "$repo/build/tsan" ]; then
  echo "tsan-absl-sync.sh: link build/tsan again: cmake --build --preset tsan --clean-first" >&2
fi
