#!/usr/bin/env bash
# gen-man.sh — writes the lrsweep(1) man page from the program's own help:
# `lrsweep --help` gives the description and the command list, and every
# command's `--help` becomes its section, word for word, so the page cannot
# drift from the binary it is installed with.  The build runs it (CMake's
# `man` target); it needs only bash, sed and awk.
#
#   deploy/man/gen-man.sh LRSWEEP OUT      e.g. build/lrsweep build/lrsweep.1
#
# The date on the page is SOURCE_DATE_EPOCH's when that is set (reproducible
# builds), else today's.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: gen-man.sh LRSWEEP OUT" >&2
    exit 2
fi
bin=$1 out=$2

# roff: a backslash is \e, a minus is \- (so options copy as ASCII), and a
# line may not start with a control character.
roff_escape() {
    sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}

main_help=$("$bin" --help)
version=$("$bin" --version | awk 'NR == 1 { print $2 }')
commands=$(printf '%s\n' "$main_help" | awk '/^commands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }')
[ -n "$commands" ] || { echo "gen-man.sh: no commands in '$bin --help'" >&2; exit 1; }
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
    date=$(date -u +%Y-%m-%d)
fi
# the description: the paragraph between the usage line and "commands:"
description=$(printf '%s\n' "$main_help" | awk '/^usage:/ { next } /^commands:/ { exit } { print }' |
              sed '/./,$!d')
# the exit statuses: from "exit status:" to the end
exit_status=$(printf '%s\n' "$main_help" | sed -n '/^exit status: /,$p' | sed '1s/^exit status: //')

tmp=$out.tmp
{
    printf '.TH LRSWEEP 1 "%s" "lrsweep %s" "User Commands"\n' "$date" "$version"
    printf '.SH NAME\nlrsweep \\- learning-rate and schedule search, distributed\n'
    printf '.SH SYNOPSIS\n.B lrsweep\n.I COMMAND\n.RI [ ARGS ...]\n.br\n'
    printf '.B lrsweep\n.I COMMAND\n.B \\-\\-help\n.br\n.B lrsweep \\-\\-version\n'
    printf '.SH DESCRIPTION\n'
    printf '%s\n' "$description" | roff_escape
    printf '.PP\nEvery command is described below by its own \\fB\\-\\-help\\fR text.\n'
    printf '.SH COMMANDS\n'
    for c in $commands; do
        summary=$(printf '%s\n' "$main_help" | awk -v c="$c" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
        printf '.SS "%s"\n' "$c"
        printf '%s\n' "$summary" | roff_escape
        printf '.PP\n.RS 4\n.nf\n'
        "$bin" "$c" --help | roff_escape
        printf '.fi\n.RE\n'
    done
    printf '.SH EXIT STATUS\n'
    printf '%s\n' "${exit_status:-0 ok, 1 runtime failure, 2 usage or input error}" | roff_escape
    printf '.SH FILES\n'
    printf 'The README, the guides (spec, distributed sweeps, security, deployment,\n'
    printf 'the results schema) and example sweeps are installed in\n'
    printf '\\fI\\%%share/doc/lrsweep/\\fR,\n'
    printf 'under the installation prefix.\n'
} >"$tmp"
mv "$tmp" "$out"
