#!/bin/sh
# Derives the packaged /etc/makegood/makegood.yaml from the sample
# configuration, so that the two cannot drift apart:
#
#   packaged-config.sh SAMPLE OUTPUT
#
# - the sample's header (about its published demo tokens and PINs) becomes
#   one that says how to add real credentials;
# - its staff and devices, every one of them a demo credential, become a
#   single locked owner credential (the file must name at least one staff
#   member to be valid), with commented examples;
# - server.database becomes /var/lib/makegood/makegood.db, the only place
#   the packaged service may write;
# - everything else (location, authority, categories, remedies, policy,
#   follow-up) is the sample's, for the operator to adapt.
#
# It fails when the sample no longer has the shape it expects, and when any
# token hash or PIN hash of the sample is left in the output.
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 SAMPLE OUTPUT" >&2
  exit 2
fi
sample=$1
output=$2
database=/var/lib/makegood/makegood.db
# The hash of no token: SHA-256 has no known input giving all zeros, so the
# shipped owner credential cannot be used until it is replaced.
locked_hash=0000000000000000000000000000000000000000000000000000000000000000

fail() {
  echo "$0: $sample: $*" >&2
  exit 1
}

header=$(cat <<'EOF'
# makegood configuration: /etc/makegood/makegood.yaml, read by makegoodd.service.
# Schema: makegood.v1.Config (its comments document every field). Made from
# makegood's sample configuration without its demo credentials: the location,
# authority limits, categories, remedies and policy below are the sample
# restaurant's; make them yours.
#
# Check a change, then apply it (the reload checks the file again first and
# keeps the running configuration when it is not valid):
#   makegoodd --check-config /etc/makegood/makegood.yaml
#   systemctl reload makegoodd
#
# Keep this file readable by root and the makegood group only (the package
# sets mode 0640, root:makegood): it holds token and PIN hashes.
EOF
)

credentials=$(cat <<EOF
# Staff and devices. Each one calls makegoodd with its own bearer token, and
# only the token's SHA-256 is written here. Add a credential:
#   token=\$(openssl rand -hex 32)      # give the token to the person or device, once
#   printf %s "\$token" | sha256sum    # its 64 hex digits are the token_sha256
# A staff member who signs in on a shared tablet also gets a PIN:
#   makegood pin hash                  # reads the PIN, prints the pin_pbkdf2 line
# Staff are people (SERVER, MANAGER, ADMIN); devices are programs and shared
# tablets (ADAPTER, REPORTER, TABLET, ...): makegood.v1.Role in common.proto.
#
# The owner credential below is locked: its token_sha256 is the hash of no
# token, so nobody can use it until you replace it with a real one. At least
# one staff member is required.
staff:
  - { id: owner, name: Owner, role: ADMIN, token_sha256: $locked_hash }
  # - { id: s-1, name: Dana, role: SERVER, token_sha256: <sha256sum of Dana's token>,
  #     pin_pbkdf2: "<the line makegood pin hash printed>" }
  # - { id: m-1, name: Lee, role: MANAGER, token_sha256: <sha256sum of Lee's token> }

# devices:
#   - { id: pos-adapter-1, name: POS adapter, role: ADAPTER, token_sha256: <sha256sum of its token> }
#   - { id: office-screen, name: Back-office report screen, role: REPORTER, token_sha256: <...> }
#   - { id: tablet-1, name: Floor tablet, role: TABLET, token_sha256: <...> }
EOF
)

[ -r "$sample" ] || fail "cannot read it"
grep -q '^staff:$' "$sample" || fail "no top-level 'staff:' block"
grep -q '^devices:$' "$sample" || fail "no top-level 'devices:' block"
grep -q '^server:$' "$sample" || fail "no top-level 'server:' block"
[ "$(grep -c '^  database: ' "$sample")" -eq 1 ] ||
  fail "expected exactly one 'server.database' line"

tmp="$output.tmp"
HEADER=$header CREDENTIALS=$credentials awk -v database="$database" '
  BEGIN { in_header = 1; block = "" }
  # The header: the comment lines and blank lines before the first key.
  in_header && (/^#/ || /^$/) { next }
  in_header { in_header = 0; print ENVIRON["HEADER"]; print "" }
  # A top-level key starts a block.
  /^[A-Za-z_]+:/ {
    key = $0
    sub(/:.*/, "", key)
    skipped = block == "staff" || block == "devices"
    if (skipped && key != "staff" && key != "devices") print ""
    block = key
    if (block == "staff") print ENVIRON["CREDENTIALS"]
  }
  block == "staff" || block == "devices" { next }
  block == "server" && /^  database: / { print "  database: " database; next }
  { print }
' "$sample" > "$tmp"

# Nothing of the sample's credentials may be left.
for hash in $(grep -o 'token_sha256: [0-9a-f]\{64\}' "$sample" | cut -d' ' -f2); do
  if grep -q "$hash" "$tmp"; then
    rm -f "$tmp"
    fail "its token hash $hash is still in the packaged configuration"
  fi
done
if grep -v '^ *#' "$tmp" | grep -q 'pin_pbkdf2:'; then
  rm -f "$tmp"
  fail "a pin_pbkdf2 value is still in the packaged configuration"
fi
if grep -q 'demo-' "$tmp"; then
  rm -f "$tmp"
  fail "a demo token name is still in the packaged configuration"
fi
[ "$(grep -c "^  database: $database\$" "$tmp")" -eq 1 ] || {
  rm -f "$tmp"
  fail "server.database was not set to $database"
}
mv "$tmp" "$output"
