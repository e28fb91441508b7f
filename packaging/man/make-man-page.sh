#!/bin/sh
# Writes one gzipped man page made from a program's own --help by help2man,
# with a COMMANDS section made from the --help of each of its subcommands
# (CLI11's "Subcommands:" lists, followed down), so that the installed pages
# say exactly what the binaries say and cannot drift from them.
#
#   make-man-page.sh HELP2MAN PROGRAM SECTION VERSION NAME INCLUDE OUTPUT
#
# NAME is the one-line description of the NAME section; INCLUDE a help2man
# include file with the hand-written sections (FILES, SEE ALSO); OUTPUT the
# .gz file to write (gzip -9n: no name, no timestamp, as Debian wants).
set -eu

if [ $# -ne 7 ]; then
  echo "usage: $0 HELP2MAN PROGRAM SECTION VERSION NAME INCLUDE OUTPUT" >&2
  exit 2
fi
help2man=$1
program=$2
section=$3
version=$4
name=$5
include=$6
output=$7

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Sanitizer builds run these binaries too; a leak report at exit must not
# turn --help into a failure.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export ASAN_OPTIONS

"$program" --help > "$work/top.txt" || {
  echo "$0: $program --help failed" >&2
  exit 1
}
# The top-level help's last paragraph (CLI11's footer, such as the exit
# status) is repeated by every subcommand: it is shown once, at the top.
awk 'BEGIN { n = 0 }
     /^$/ { n = 0; next }
     { para[n++] = $0 }
     END { for (i = 0; i < n; i++) if (para[i] !~ /^ / && para[i] !~ /:$/) print para[i] }' \
  "$work/top.txt" > "$work/footer.txt"

# Subcommand names listed under "Subcommands:" in a help text.
subcommands_of() {
  awk '/^Subcommands:$/ { on = 1; next }
       on && /^  [^ ]/ { print $1; next }
       on && !/^ / { on = 0 }' "$1"
}

# Turns one subcommand's help into roff: .SS with its usage line, its
# description, then its arguments and options as a .TP list (without the
# -h,--help every command has, and without the repeated footer).
to_roff() {
  awk -v footer_file="$work/footer.txt" '
    function roff(text) {
      gsub(/\\/, "\\e", text)
      gsub(/-/, "\\-", text)
      if (text ~ /^[.'\'']/) text = "\\&" text
      return text
    }
    function flush_item() {
      if (spec == "") return
      split(spec, words, " ")
      first = words[1]
      rest = substr(spec, length(first) + 2)
      font = group == "Positionals:" ? "\\fI" : "\\fB"
      print ".TP"
      print font roff(first) "\\fR" (rest == "" ? "" : " " roff(rest))
      print roff(desc)
      spec = ""
      desc = ""
    }
    BEGIN {
      while ((getline line < footer_file) > 0) footer[line] = 1
      state = "description"
    }
    state == "description" && /^Usage: / {
      usage = substr($0, 8)
      gsub(/"/, "\\(dq", usage)
      print ".SS \"" roff(usage) "\""
      if (description != "") print description
      state = "body"
      next
    }
    state == "description" {
      description = description (description == "" ? "" : "\n") roff($0)
      next
    }
    /^(Options|Positionals):$/ { flush_item(); group = $0; next }
    /^Subcommands:$/ { flush_item(); group = "skip"; next }
    /^$/ { flush_item(); next }
    $0 in footer { next }
    group == "skip" { next }
    /^  [^ ]/ {
      flush_item()
      line = substr($0, 3)
      split_at = index(line, "  ")
      if (split_at > 0) {
        spec = substr(line, 1, split_at - 1)
        desc = substr(line, split_at)
        sub(/^ +/, "", desc)
      } else {
        spec = line
        desc = ""
      }
      if (spec ~ /^-h,--help$/) { spec = ""; desc = "" }
      next
    }
    /^   +[^ ]/ && spec != "" {
      text = $0
      sub(/^ +/, "", text)
      desc = desc (desc == "" ? "" : " ") text
      next
    }
    { flush_item(); print ".PP"; print roff($0) }
    END { flush_item() }
  ' "$1"
}

# Every subcommand, depth first, as "name name ..." paths.
walk() {
  help_file=$1
  shift
  for sub in $(subcommands_of "$help_file"); do
    sub_file="$work/help.$(echo "$* $sub" | tr ' /' '__')"
    "$program" "$@" "$sub" --help > "$sub_file" || {
      echo "$0: $program $* $sub --help failed" >&2
      exit 1
    }
    to_roff "$sub_file" >> "$work/commands.roff"
    walk "$sub_file" "$@" "$sub"
  done
}
: > "$work/commands.roff"
walk "$work/top.txt"

{
  if [ -s "$work/commands.roff" ]; then
    echo "[COMMANDS]"
    cat "$work/commands.roff"
  fi
  cat "$include"
} > "$work/include.h2m"

"$help2man" --no-info --section="$section" \
  --version-string="$version" --source="makegood $version" \
  --name="$name" --include="$work/include.h2m" \
  --output="$work/page" "$program"
gzip -9n < "$work/page" > "$output.tmp"
mv "$output.tmp" "$output"
