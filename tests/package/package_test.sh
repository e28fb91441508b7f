#!/usr/bin/env bash
# ctest package_deb: the Debian package from end to end. It builds the .deb
# from this build tree with CPack (into a temporary directory), lints it
# with lintian, installs it on this machine with dpkg -i, verifies the
# installed systemd units, runs the installed programs, checks the makegood
# user and its directories, reinstalls it over a changed configuration, and
# purges it, checking that nothing of it is left. A trap purges the package
# whatever step fails.
#
#   package_test.sh CPACK BUILD_DIR SOURCE_DIR VERSION
#
# MAKEGOOD_DEB=FILE tests that .deb instead of building one. Exit 77
# (skipped) unless run as root on a machine where no makegood package is
# installed, or left configured: dpkg -i and --purge act on the machine.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 CPACK BUILD_DIR SOURCE_DIR VERSION" >&2
  exit 2
fi
cpack=$1
build_dir=$2
source_dir=$3
version=$4

step="start"
section() {
  step=$*
  echo
  echo "== $step"
}
fail() {
  echo "package_deb: FAILED: $step: $*" >&2
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then
  echo "package_deb: skipped: dpkg -i and dpkg --purge need root"
  exit 77
fi
status=$(dpkg-query -W -f='${db:Status-Status}' makegood 2>/dev/null || true)
if [ -n "$status" ] && [ "$status" != "not-installed" ]; then
  echo "package_deb: skipped: a makegood package is on this machine ($status);" \
    "this test would replace and purge it"
  exit 77
fi
for tool in lintian systemd-analyze dpkg-deb pkg-config cc; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (packaging/dev-setup.sh installs it)"
done

work=$(mktemp -d)
installed=0
cleanup() {
  local code=$?
  if [ "$installed" -eq 1 ]; then
    echo "package_deb: purging makegood after the failure above" >&2
    dpkg --purge makegood >&2 || echo "package_deb: dpkg --purge makegood failed too" >&2
  fi
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
trap 'fail "command failed (exit $?): $BASH_COMMAND"' ERR

section "build the .deb with cpack"
if [ -n "${MAKEGOOD_DEB:-}" ]; then
  deb=$MAKEGOOD_DEB
  echo "testing $deb"
else
  if ! "$cpack" -G DEB --config "$build_dir/CPackConfig.cmake" -B "$work/cpack" > "$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    fail "cpack -G DEB failed"
  fi
  shopt -s nullglob
  debs=("$work"/cpack/makegood_*.deb)
  shopt -u nullglob
  [ ${#debs[@]} -eq 1 ] || fail "expected one makegood_*.deb in $work/cpack, found ${#debs[@]}"
  deb=${debs[0]}
fi
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
[[ "$(basename "$deb")" == "makegood_${version}-"*"_${arch}.deb" ]] ||
  fail "$(basename "$deb") is not named makegood_${version}-RELEASE_${arch}.deb"
dpkg-deb --info "$deb"

section "package contents"
dpkg-deb --contents "$deb" | awk '{ print $6 }' | sed -e 's#^\./#/#' -e 's#/$##' > "$work/contents"
expected=(
  /usr/bin/makegoodd /usr/bin/makegood /usr/bin/makegood-adapter
  /usr/bin/makegood-adapter-jsonl /usr/bin/makegood-sim
  "/usr/lib/$multiarch/libmakegood_plugin.so.1.0.0"
  "/usr/lib/$multiarch/libmakegood_plugin.so.1"
  "/usr/lib/$multiarch/libmakegood_plugin.so"
  "/usr/lib/$multiarch/pkgconfig/makegood-plugin.pc"
  /usr/include/makegood/makegood_plugin.h
  /usr/share/man/man8/makegoodd.8.gz /usr/share/man/man1/makegood.1.gz
  /usr/share/man/man1/makegood-adapter.1.gz /usr/share/man/man1/makegood-adapter-jsonl.1.gz
  /usr/share/man/man1/makegood-sim.1.gz
  /lib/systemd/system/makegoodd.service /lib/systemd/system/makegood-adapter@.service
  /lib/systemd/system/makegood-adapter-jsonl@.service
  /lib/systemd/system/makegood-backup.service /lib/systemd/system/makegood-backup.timer
  /usr/lib/sysusers.d/makegood.conf /usr/lib/tmpfiles.d/makegood.conf
  /etc/makegood/makegood.yaml /etc/makegood/adapters
  /usr/share/doc/makegood/copyright /usr/share/doc/makegood/changelog.Debian.gz
  /usr/share/lintian/overrides/makegood
)
for path in "${expected[@]}"; do
  grep -qxF "$path" "$work/contents" || fail "the package has no $path"
done
dpkg-deb --info "$deb" conffiles > "$work/conffiles"
[ "$(cat "$work/conffiles")" = "/etc/makegood/makegood.yaml" ] ||
  fail "conffiles is '$(cat "$work/conffiles")', not /etc/makegood/makegood.yaml"
depends=$(dpkg-deb --field "$deb" Depends)
for dependency in libc6 libgrpc++ libprotobuf libsqlite3 tzdata init-system-helpers; do
  [[ "$depends" == *"$dependency"* ]] || fail "Depends has no $dependency (dpkg-shlibdeps?): $depends"
done
echo "contents, conffiles and Depends as expected"

section "lintian"
# Errors and warnings fail; overrides are justified in
# packaging/debian/makegood.lintian-overrides.
lintian --fail-on error,warning --display-info "$deb" ||
  fail "lintian found errors or warnings"

section "dpkg -i"
installed=1
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" ||
  fail "dpkg -i failed (missing dependencies? apt-get install ./$(basename "$deb") resolves them)"

section "systemd units"
units=(makegoodd.service makegood-backup.service makegood-backup.timer
  makegood-adapter@square.service makegood-adapter-jsonl@pos.service)
# The template units are verified through an instance, next to its template.
ln -s /lib/systemd/system/makegood-adapter@.service "$work/makegood-adapter@square.service"
ln -s /lib/systemd/system/makegood-adapter-jsonl@.service "$work/makegood-adapter-jsonl@pos.service"
verify=()
for unit in "${units[@]}"; do
  if [ -e "/lib/systemd/system/$unit" ]; then
    verify+=("/lib/systemd/system/$unit")
  else
    verify+=("$work/$unit")
  fi
done
# Also checks that every ExecStart program and Documentation man page is
# installed.
systemd-analyze verify "${verify[@]}" || fail "systemd-analyze verify found problems"
# The table is long; its last line is the score. Each threshold (tenths of
# the score) holds a unit at the exposure it has now, so that a hardening
# directive lost fails here.
for check in /lib/systemd/system/makegoodd.service:11 "$work/makegood-adapter@square.service:11" \
  /lib/systemd/system/makegood-adapter-jsonl@.service:11 /lib/systemd/system/makegood-backup.service:2; do
  path=${check%:*}
  threshold=${check##*:}
  systemd-analyze security --offline=true --threshold="$threshold" "$path" > "$work/security" ||
    { cat "$work/security"; fail "$(basename "$path"): exposure above $((threshold / 10)).$((threshold % 10))"; }
  tail -n 1 "$work/security"
done
[ -L /etc/systemd/system/multi-user.target.wants/makegoodd.service ] ||
  fail "makegoodd.service was not enabled"
[ -L /etc/systemd/system/timers.target.wants/makegood-backup.timer ] ||
  fail "makegood-backup.timer was not enabled"

section "installed programs"
[ "$(/usr/bin/makegoodd --version)" = "makegoodd $version" ] ||
  fail "makegoodd --version says '$(/usr/bin/makegoodd --version)'"
[ "$(/usr/bin/makegood --version)" = "makegood $version" ] ||
  fail "makegood --version says '$(/usr/bin/makegood --version)'"
# The adapters and the simulator have no --version: their --help shows that
# they run with the installed libraries.
for program in makegood-adapter makegood-adapter-jsonl makegood-sim; do
  "/usr/bin/$program" --help > "$work/help" || fail "$program --help failed"
  head -n 1 "$work/help"
done
man -w makegoodd >/dev/null || fail "man cannot find makegoodd(8)"

section "packaged configuration"
/usr/bin/makegoodd --check-config /etc/makegood/makegood.yaml ||
  fail "makegoodd --check-config rejects the packaged configuration"
# The daemon's user can read it; others cannot.
runuser -u makegood -- /usr/bin/makegoodd --check-config /etc/makegood/makegood.yaml >/dev/null ||
  fail "the makegood user cannot read /etc/makegood/makegood.yaml"
[ "$(stat -c '%a %U %G' /etc/makegood/makegood.yaml)" = "640 root makegood" ] ||
  fail "/etc/makegood/makegood.yaml is $(stat -c '%a %U %G' /etc/makegood/makegood.yaml)"
[ "$(stat -c '%a %U %G' /etc/makegood/adapters)" = "750 root makegood" ] ||
  fail "/etc/makegood/adapters is $(stat -c '%a %U %G' /etc/makegood/adapters)"
grep -q '^  database: /var/lib/makegood/makegood.db$' /etc/makegood/makegood.yaml ||
  fail "server.database is not /var/lib/makegood/makegood.db"
for hash in $(grep -o 'token_sha256: [0-9a-f]\{64\}' "$source_dir/packaging/config/sample.yaml" | cut -d' ' -f2); do
  if grep -q "$hash" /etc/makegood/makegood.yaml; then
    fail "the sample's demo token hash $hash is in /etc/makegood/makegood.yaml"
  fi
done

section "makegood user and directories"
IFS=: read -r _ _ _ _ _ home shell < <(getent passwd makegood) || fail "no makegood user"
[ "$home" = /var/lib/makegood ] || fail "the makegood user's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "the makegood user's shell is $shell"
for dir in /var/lib/makegood /var/backups/makegood; do
  [ "$(stat -c '%a %U %G' "$dir")" = "750 makegood makegood" ] ||
    fail "$dir is $(stat -c '%a %U %G' "$dir" 2>&1)"
done

section "the service starts with the packaged configuration"
# The unit's own ExecStart, as its user (no systemd runs here), on free
# ports: it opens /var/lib/makegood/makegood.db and answers health checks.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/makegoodd.service)
[ -n "$exec_start" ] || fail "makegoodd.service has no ExecStart"
# shellcheck disable=SC2086
# setpriv execs the daemon itself (runuser would stay its parent), so the
# stop signal reaches it and its exit status is the test's.
(cd /var/lib/makegood && exec setpriv --reuid=makegood --regid=makegood --init-groups -- $exec_start \
  --listen 127.0.0.1:0 --http 127.0.0.1:0 >"$work/service.out" 2>"$work/service.err") &
service_pid=$!
for _ in $(seq 1 200); do
  grep -q ' listening on ' "$work/service.out" 2>/dev/null && break
  kill -0 "$service_pid" 2>/dev/null || fail "makegoodd exited at start: $(cat "$work/service.err")"
  sleep 0.1  # a poll, 20 s at most
done
line=$(head -n 1 "$work/service.out")
grpc_port=$(sed -n 's/.* listening on [^:]*:\([0-9]*\).*/\1/p' <<<"$line")
http_port=$(sed -n 's/.*, http on [^:]*:\([0-9]*\).*/\1/p' <<<"$line")
[ -n "$grpc_port" ] && [ -n "$http_port" ] || fail "makegoodd did not say where it listens: '$line' $(cat "$work/service.err")"
[ "$(/usr/bin/makegood --server "127.0.0.1:$grpc_port" health)" = "SERVING" ] ||
  fail "makegood health does not say SERVING"
curl -fsS -o /dev/null "http://127.0.0.1:$http_port/" || fail "the tablet app is not served"
[ "$(stat -c '%U' /var/lib/makegood/makegood.db)" = makegood ] ||
  fail "the database is not the makegood user's"
kill -TERM "$service_pid"
wait "$service_pid" || fail "makegoodd did not stop cleanly: $(cat "$work/service.err")"
grep -q 'event=stop' "$work/service.err" || fail "makegoodd did not log its stop: $(cat "$work/service.err")"

section "plugin: header, pkg-config and library"
# The C example, built against the installed files only (pkg-config's
# flags are split into words on purpose).
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror -o "$work/flag_and_ack" "$source_dir/plugin/examples/flag_and_ack.c" \
  $(pkg-config --cflags --libs makegood-plugin) -lpthread ||
  fail "the plugin example does not build with pkg-config makegood-plugin"
# /lib is /usr/lib on Debian 12 (merged /usr), and ld.so.cache may say either.
# Read whole first: grep -q stops at the match and would cut ldd's pipe.
libraries=$(ldd "$work/flag_and_ack")
grep -Eq "libmakegood_plugin.so.1 => (/usr)?/lib/$multiarch/" <<<"$libraries" ||
  fail "the example does not load /usr/lib/$multiarch/libmakegood_plugin.so.1: $libraries"

section "reinstall keeps a changed configuration"
echo "# changed by package_deb" >> /etc/makegood/makegood.yaml
DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold "$deb" || fail "reinstalling failed"
tail -n 1 /etc/makegood/makegood.yaml | grep -qx "# changed by package_deb" ||
  fail "reinstalling replaced the changed /etc/makegood/makegood.yaml"
[ "$(stat -c '%a %U %G' /etc/makegood/makegood.yaml)" = "640 root makegood" ] ||
  fail "after reinstalling, /etc/makegood/makegood.yaml is $(stat -c '%a %U %G' /etc/makegood/makegood.yaml)"

section "dpkg --purge"
dpkg-query -L makegood | sort > "$work/installed"
dpkg --purge makegood || fail "dpkg --purge makegood failed"
installed=0
status=$(dpkg-query -W -f='${db:Status-Status}' makegood 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = "not-installed" ] || fail "after --purge makegood is $status"
left=()
while read -r path; do
  # Directories other packages share stay (/lib is a link to usr/lib).
  if [ -d "$path" ] && [[ "$path" != *makegood* ]]; then continue; fi
  if [ -e "$path" ] || [ -L "$path" ]; then left+=("$path"); fi
done < "$work/installed"
for path in /etc/makegood /var/lib/makegood /var/backups/makegood \
  /etc/systemd/system/multi-user.target.wants/makegoodd.service \
  /etc/systemd/system/timers.target.wants/makegood-backup.timer; do
  if [ -e "$path" ] || [ -L "$path" ]; then left+=("$path"); fi
done
[ ${#left[@]} -eq 0 ] || fail "left after --purge: ${left[*]}"
if dpkg-statoverride --list /etc/makegood/makegood.yaml >/dev/null; then
  fail "the dpkg-statoverride of /etc/makegood/makegood.yaml is left"
fi
echo "nothing of makegood is left"
