#!/usr/bin/env bash
# Writes backaid's man page (gzip'ed) from its own --help: help2man over
# `backaid --help`, plus a COMMANDS section with each subcommand's --help.
# Usage: manpage.sh BACKAID OUT.1.gz
set -euo pipefail
bin=$1 out=$2
mkdir -p "$(dirname "$out")"
include=$(mktemp)
trap 'rm -f "$include"' EXIT
# roff-safe verbatim block: escape backslashes, protect leading dots/quotes.
verbatim() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
# The subcommands as --help lists them (CLI11: a 'SUBCOMMANDS:' block).
mapfile -t commands < <("$bin" --help | awk '
  toupper($0) ~ /^SUBCOMMANDS:/ {in_list = 1; next}
  in_list && /^[^ ]/ {in_list = 0}
  in_list && NF {print $1}')
((${#commands[@]})) || { echo "manpage.sh: no subcommands in --help" >&2; exit 1; }
{
  echo "[COMMANDS]"
  for c in "${commands[@]}"; do
    echo ".SS \"backaid $c\""
    echo ".nf"
    "$bin" "$c" --help | sed "s#$bin#backaid#g" | verbatim
    echo ".fi"
  done
  echo "[FILES]"
  echo ".TP"
  echo ".I /etc/backaid/backaid.conf"
  echo "Options of \\fBbackaid serve\\fR for the packaged service (\\fB--config\\fR)."
  echo ".TP"
  echo ".I /var/lib/backaid/backaid.sqlite"
  echo "The service's SQLite database (assessments and diaries)."
  echo ".TP"
  echo ".I /usr/share/backaid/web"
  echo "The web page served with \\fB--web\\fR."
} >"$include"
help2man --no-info --section=1 --name="back spasm assessment, triage and self-care guidance" \
  --include="$include" "$bin" | gzip -9n >"$out"
