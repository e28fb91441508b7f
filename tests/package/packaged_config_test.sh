#!/usr/bin/env bash
# ctest packaged_config: packaging/config/packaged-config.sh, which makes
# the package's /etc/makegood/makegood.yaml from the sample configuration.
# The result must be valid for the real makegoodd, keep nothing of the
# sample's demo credentials, keep everything else of the sample, and the
# derivation must refuse a sample it does not understand.
#
#   packaged_config_test.sh MAKEGOODD SOURCE_DIR
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 MAKEGOODD SOURCE_DIR" >&2
  exit 2
fi
makegoodd=$1
source_dir=$2
derive=$source_dir/packaging/config/packaged-config.sh
sample=$source_dir/packaging/config/sample.yaml

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAILED: $what" >&2
    failures=$((failures + 1))
  fi
}
not() { ! "$@"; }

sh "$derive" "$sample" "$work/makegood.yaml"
config=$work/makegood.yaml

check "makegoodd --check-config accepts it" "$makegoodd" --check-config "$config"
check "server.database is /var/lib/makegood/makegood.db" \
  grep -qx '  database: /var/lib/makegood/makegood.db' "$config"
check "its only credential is the locked owner" \
  test "$(grep -c 'token_sha256: [0-9a-f]\{64\}' "$config")" -eq 1 -a \
  "$(grep -o 'token_sha256: [0-9a-f]\{64\}' "$config")" = \
  "token_sha256: 0000000000000000000000000000000000000000000000000000000000000000"
hashes=$(grep -o 'token_sha256: [0-9a-f]\{64\}' "$sample" | cut -d' ' -f2)
check "the sample has token hashes to remove" test -n "$hashes"
for hash in $hashes; do
  check "the sample's token hash ${hash:0:12}... is gone" not grep -q "$hash" "$config"
done
check "no PIN hash is left" not grep -q 'pbkdf2-sha256\$' "$config"
check "no demo token name is left" not grep -q 'demo-' "$config"
check "it says how to make a token" grep -q 'openssl rand -hex 32' "$config"
check "it says how to hash a PIN" grep -q 'makegood pin hash' "$config"

# Everything but the header, the credentials (and the comments about them)
# and the database path is the sample's, line for line.
rest() {
  awk '/^[A-Za-z_]+:/ { block = $0; sub(/:.*/, "", block) }
       block == "" || block == "staff" || block == "devices" { next }
       /^#/ || /^$/ || /^  database: / { next }
       { print }' "$1"
}
check "the rest is the sample's" diff <(rest "$sample") <(rest "$config")

# A sample it does not understand is refused, naming the problem.
sed 's/^staff:$/staff: []/' "$sample" > "$work/no-staff.yaml"
check "a sample without a staff block is refused" \
  not sh "$derive" "$work/no-staff.yaml" "$work/out.yaml"
first_hash=$(echo "$hashes" | head -n 1)
{ cat "$sample"; printf 'kiosks:\n  - { id: k-1, token_sha256: %s }\n' "$first_hash"; } > "$work/more.yaml"
if sh "$derive" "$work/more.yaml" "$work/out.yaml" 2> "$work/error"; then
  check "a token hash outside staff and devices is refused" false
else
  check "a token hash outside staff and devices is refused, naming it" grep -q "$first_hash" "$work/error"
fi
check "a refused derivation writes no file" test ! -e "$work/out.yaml"

if [ "$failures" -ne 0 ]; then
  echo "packaged_config: $failures checks failed" >&2
  exit 1
fi
