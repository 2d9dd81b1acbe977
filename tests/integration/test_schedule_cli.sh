#!/usr/bin/env bash
# test_schedule_cli.sh — `lrsweep schedule` as a user runs it: --help, the
# 'EPOCH LR' output for schedules simple enough to work out by hand, the
# --epochs / epochs= rule, plateau's --val-losses file, and exit status 2
# with a message naming the culprit for every kind of bad input (1 when
# stdout cannot be written).
#
# usage: bash test_schedule_cli.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

# expect_exit CODE PATTERN ARGS... : runs schedule ARGS, checks the exit
# status and that stderr contains PATTERN (a fixed string); stdout must be
# empty on a usage error (lib.sh: expect_status).
expect_exit() { expect_status schedule usage "$@"; }

# expect_output EXPECTED ARGS... : runs schedule ARGS, wants exit 0, an empty
# stderr and exactly EXPECTED (lines separated by '|') on stdout.
expect_output() {
    local want=$1
    shift
    checks=$((checks + 1))
    "$LRSWEEP" schedule "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    local text
    text=$(tr '\n' '|' <"$TMP/out")
    text=${text%|}
    if [ "$got" -ne 0 ]; then
        fail "schedule $* exited $got: $(cat "$TMP/err")"
    elif [ -s "$TMP/err" ]; then
        fail "schedule $*: unexpected stderr: $(cat "$TMP/err")"
    elif [ "$text" != "$want" ]; then
        fail "schedule $*: got '$text', want '$want'"
    fi
}

# --- help -------------------------------------------------------------------
checks=$((checks + 1))
if "$LRSWEEP" schedule --help >"$TMP/help" 2>&1; then
    for word in constant step multistep exponential cosine cosine_warm_restarts linear onecycle \
        polynomial plateau "step_size [required]" "gamma [0.1]" "T_max [epochs]" "max_lr [lr]" \
        "patience [10]" "final_div_factor [10000]" "--val-losses FILE" "--epochs N"; do
        grep -qF -- "$word" "$TMP/help" || fail "schedule --help lacks '$word'"
    done
else
    fail "schedule --help exited non-zero"
fi
checks=$((checks + 1))
"$LRSWEEP" help schedule | cmp -s - "$TMP/help" || fail "'lrsweep help schedule' differs from --help"
checks=$((checks + 1))
"$LRSWEEP" --help | grep -q '^  schedule ' || fail "lrsweep --help does not list schedule"
# --help wins over any other (even bad) argument
expect_output "$(tr '\n' '|' <"$TMP/help" | sed 's/|$//')" bogus=1 --help

# --- output ------------------------------------------------------------------
expect_output "1 0.1|2 0.1|3 0.01|4 0.01|5 0.001" scheduler=step lr=0.1 step_size=2 --epochs 5
# cosine with T_max 2: lr, midpoint, eta_min, then back up past T_max
expect_output "1 1|2 0.55|3 0.1|4 0.55|5 1" scheduler=cosine lr=1 T_max=2 eta_min=0.1 --epochs 5
expect_output "1 0.5|2 0.25|3 0.125" scheduler=exponential lr=0.5 gamma=0.5 epochs=3
# warm-up LinearLR(0.25, 1, 2): 0.25, then x(1 + 0.75/0.5); the main scheduler takes over at 3
expect_output "1 0.25|2 0.625|3 1|4 0.5" scheduler=step step_size=1 gamma=0.5 lr=1 warmup_epochs=2 \
    warmup_start_factor=0.25 --epochs=4
# %.9g: nine significant digits
expect_output "1 0.333333333|2 0.333333333" lr=0.33333333333333331 --epochs 2
# defaults: constant at 0.01 for 100 epochs
checks=$((checks + 1))
"$LRSWEEP" schedule >"$TMP/out" 2>&1 || fail "schedule with no words failed"
[ "$(wc -l <"$TMP/out")" -eq 100 ] && [ "$(sort -u -k2 "$TMP/out" | wc -l)" -eq 1 ] &&
    [ "$(head -1 "$TMP/out")" = "1 0.01" ] && [ "$(tail -1 "$TMP/out")" = "100 0.01" ] ||
    fail "default schedule is not 100 epochs at 0.01: $(head -3 "$TMP/out")"
# onecycle ignores lr: epoch 1 is max_lr / div_factor; the peak is at step
# pct_start*epochs - 1 = 1, then linear down to initial / final_div_factor
expect_output "1 0.1|2 1|3 0.50005|4 0.0001" scheduler=onecycle lr=7 max_lr=1 div_factor=10 \
    final_div_factor=1000 pct_start=0.5 anneal_strategy=linear --epochs 4
# optimizer words are accepted (and do not change the schedule)
expect_output "1 0.1|2 0.1" lr=0.1 optimizer=adam beta1=0.8 --epochs 2
# epochs given both ways must agree
expect_output "1 0.1|2 0.1" lr=0.1 epochs=2 --epochs 2

# --- plateau -----------------------------------------------------------------
printf '1.0\n1.0\n1.0\n1.0\n' >"$TMP/flat.txt"
# patience 1: best after epoch 1, bad after 2 and 3 → cut after epoch 3
expect_output "1 1|2 1|3 1|4 0.5|5 0.5" scheduler=plateau lr=1 patience=1 factor=0.5 \
    --val-losses "$TMP/flat.txt" --epochs 5
printf '  3\r\n2.5 \n2\n1\n9\n9\n' >"$TMP/falling.txt"
expect_output "1 1|2 1|3 1|4 1" scheduler=plateau lr=1 patience=0 --val-losses "$TMP/falling.txt" --epochs 4
expect_output "1 1|2 1|3 1|4 1|5 1|6 0.1|7 0.01" scheduler=plateau lr=1 patience=0 \
    --val-losses "$TMP/falling.txt" --epochs 7
printf '1\nnan\n' >"$TMP/nan.txt"
expect_output "1 1|2 1|3 0.5" scheduler=plateau lr=1 patience=0 factor=0.5 --val-losses="$TMP/nan.txt" --epochs 3

# --- errors ------------------------------------------------------------------
expect_exit 2 "unknown parameter 'foo'" foo=1
expect_exit 2 "scheduler=bogus: expected one of constant, step" scheduler=bogus
expect_exit 2 "scheduler step requires step_size" scheduler=step
expect_exit 2 "scheduler exponential requires gamma" scheduler=exponential
expect_exit 2 "T_max does not apply to scheduler step" scheduler=step step_size=2 T_max=3
expect_exit 2 "momentum does not apply to optimizer adam" optimizer=adam momentum=0.9
expect_exit 2 "lr=abc: expected a number" lr=abc
expect_exit 2 "lr=0 is out of range" lr=0
expect_exit 2 "milestones=3,2: must be strictly increasing" scheduler=multistep milestones=3,2
expect_exit 2 "lr is given twice" lr=0.1 lr=0.2
expect_exit 2 "'word': expected PARAM=VALUE" word
expect_exit 2 "unknown option '--bogus'" --bogus
expect_exit 2 "--epochs needs a value" --epochs
expect_exit 2 "--epochs: epochs=0 is out of range" --epochs 0
expect_exit 2 "--epochs: epochs=x: expected an integer" --epochs x
expect_exit 2 "--epochs 6 and epochs=5 disagree" epochs=5 --epochs 6
expect_exit 2 "warmup_epochs=5 must be less than epochs=5" warmup_epochs=5 --epochs 5
expect_exit 2 "warmup_epochs does not combine with scheduler plateau" scheduler=plateau warmup_epochs=2 \
    --val-losses "$TMP/flat.txt" --epochs 5
expect_exit 2 "onecycle: pct_start=0.1 with epochs=10" scheduler=onecycle pct_start=0.1 --epochs 10
expect_exit 2 "scheduler plateau needs --val-losses FILE" scheduler=plateau --epochs 3
expect_exit 2 "--val-losses applies only to scheduler=plateau" scheduler=cosine --val-losses "$TMP/flat.txt"
expect_exit 2 "$TMP/flat.txt: has 4 losses, 10 epochs need 9" scheduler=plateau --val-losses "$TMP/flat.txt" \
    --epochs 10
printf '1\n0.5\n0.4x\n' >"$TMP/bad.txt"
expect_exit 2 "$TMP/bad.txt:3:4: expected one loss (a number) per line, got '0.4x'" scheduler=plateau \
    --val-losses "$TMP/bad.txt" --epochs 3
printf '1\n\n2\n' >"$TMP/blank.txt"
expect_exit 2 "$TMP/blank.txt:2:1:" scheduler=plateau --val-losses "$TMP/blank.txt" --epochs 2
expect_exit 2 "$TMP/missing.txt: cannot open" scheduler=plateau --val-losses "$TMP/missing.txt" --epochs 2

# --- a failed write is a runtime failure --------------------------------------
if [ -w /dev/full ]; then
    checks=$((checks + 1))
    "$LRSWEEP" schedule --epochs 100000 >/dev/full 2>"$TMP/err"
    got=$?
    [ "$got" -eq 1 ] && grep -q "writing output failed" "$TMP/err" ||
        fail "writing to /dev/full exited $got: $(cat "$TMP/err")"
fi

summary
