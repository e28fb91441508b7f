#!/usr/bin/env bash
# Installs the Debian 12 packages makegood builds and tests with, and the
# browser tests' npm packages (pinned by tests/browser/package-lock.json).
# Idempotent; needs root (or sudo).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  cmake ninja-build g++ pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libsqlite3-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
  libssl-dev libgtest-dev libgmock-dev tzdata
  libcurl4-openssl-dev libcpp-httplib-dev curl openssl
  golang-github-gogo-googleapis-dev
  # promtool, which checks GET /metrics and the alert rules (metrics_http_test).
  prometheus
  # The browser tests: headless Chromium driven from Node.js.
  chromium
  # The fuzz targets (tests/fuzz): clang with libFuzzer and the sanitizers.
  clang-14 libclang-rt-14-dev llvm-14
  # Line and branch coverage of the coverage preset (tests/coverage/run.sh).
  lcov
  # The Debian package: man pages from --help, CPack's DEB generator
  # (dpkg-shlibdeps, file), and its test (lintian, systemd-analyze, man).
  help2man dpkg-dev file lintian systemd man-db
)
# A Node.js from elsewhere (with its own npm) is fine; Debian's npm package
# would conflict with it, so each is added only when missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "dev-setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The browser tests' packages, again only when the lock file changed.
if [ ! "$repo/tests/browser/node_modules/.package-lock.json" -nt "$repo/tests/browser/package-lock.json" ]; then
  npm ci --prefix "$repo/tests/browser" --no-audit --no-fund
fi
