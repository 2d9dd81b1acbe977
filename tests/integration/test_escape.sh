#!/usr/bin/env bash
# test_escape.sh — text lrsweep did not write itself reaches a terminal only
# escaped (common/textesc.h): no raw ESC, BEL, CR, C1 control or invalid
# UTF-8 byte, and the escaped form (\x1b, \x07, \x0d, \u009b, \x9b) instead.
#  1. a real sweep with a coordinator and a worker named with escape
#     sequences, the sweep's name too: the coordinator's and the worker's
#     logs; then `status`, `best` and `summary`, with a parameter value
#     holding escape sequences put into the database;
#  2. a command sweep whose program (named with escape sequences) is not
#     found: the coordinator's "trial N failed: ..." line and `run`'s table;
#  3. `train --spec` of a command that fails printing escape sequences on
#     stderr: its own output streams as it is (the user's program, on the
#     user's terminal), lrsweep's recap of it on stdout is escaped.
# JSON output stays JSON: jansson writes control characters as \u00NN.
#
# usage: bash test_escape.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# clean FILE... : one check each; FILE is valid UTF-8 with no control
# character but newline (no C0, DEL, or C1 U+0080..U+009F).
clean() {
    local f
    for f in "$@"; do
        check
        $PY - "$f" <<'EOF' || fail "$f shows raw control bytes: $(od -c "$f" | head -12)"
import re, sys
text = open(sys.argv[1], 'rb').read().decode('utf-8')   # invalid UTF-8 raises
bad = re.search('[\x00-\x09\x0b-\x1f\x7f-\x9f]', text)
assert not bad, "raw %r at %d" % (bad.group(), bad.start())
EOF
    done
}

# shows FILE TEXT : one check; FILE holds TEXT (a fixed string).
shows() {
    check
    grep -qF -- "$2" "$1" || fail "$1 lacks '$2': $(cat "$1")"
}

# --- 1. worker and sweep names from the network and a spec ------------------
# YAML's "\e" is ESC, "\a" BEL, "\r" CR, "\x9b" the C1 CSI U+009B (as UTF-8)
synthetic_spec s.yaml '"evil\e[2J\a\rname\x9b"' 3 4 20 3 1.0 ''
EP="ipc://$TMP/c.sock"
spawn cpid c.out c.err coordinator s.yaml --bind "$EP" --db e.db
# the worker's name: ESC, an OSC title, BEL, CR, a raw C1 byte (invalid UTF-8)
spawn wpid w.out w.err worker --connect "$EP" --jobs 1 --verbose --name $'w\e]0;pwned\a\r\x9b'
wait_exit "$cpid" 60 || fail "1: coordinator did not finish: $(cat c.err)"
wait_exit "$wpid" 20 || fail "1: worker did not exit 0: $(cat w.err)"
clean c.err w.err
shows c.err 'worker w\x1b]0;pwned\x07\x0d\x9b joined'
shows c.err "sweep 'evil\\x1b[2J\\x07\\x0dname\\u009b'"
shows w.err 'Z worker w\x1b]0;pwned\x07\x0d\x9b: joined sweep'
# a parameter value from a database someone else wrote: the best trial's optimizer
$PY - e.db <<'EOF' || fail "1: could not edit the database"
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
(t,) = con.execute("SELECT trial FROM trials WHERE status = 'complete' ORDER BY score LIMIT 1").fetchone()
con.execute("UPDATE trials SET params = json_set(params, '$.optimizer', ?) WHERE trial = ?",
            ("sgd\x1b[2J\x07\r\x9b", t))
con.commit()
EOF
for cmd in status best summary; do
    "$LRSWEEP" "$cmd" --db e.db >"$cmd.out" 2>"$cmd.err" || fail "1: $cmd exited $?: $(cat "$cmd.err")"
done
"$LRSWEEP" summary --db e.db --by optimizer >by.out 2>by.err || fail "1: summary --by optimizer exited $?"
"$LRSWEEP" sweeps --db e.db >sweeps.out 2>&1 || fail "1: sweeps exited $?"
"$LRSWEEP" status --db e.db --json >status.json 2>&1 || fail "1: status --json exited $?"
"$LRSWEEP" export --db e.db --format jsonl >export.jsonl 2>&1 || fail "1: export exited $?"
clean status.out status.err best.out best.err summary.out summary.err by.out by.err sweeps.out
shows status.out 'sweep evil\x1b[2J\x07\x0dname\u009b: 4 of 4 trials recorded'
shows status.out 'optimizer=sgd\x1b[2J\x07\x0d\u009b'
shows best.out 'optimizer=sgd\x1b[2J\x07\x0d\u009b'
shows by.out 'sgd\x1b[2J\x07\x0d\u009b'
shows sweeps.out 'evil\x1b[2J\x07\x0dname\u009b'
# machine output keeps the data, as JSON
# machine output keeps the data, as JSON (a name's bytes that are not UTF-8
# as \xNN, which JSON cannot hold raw)
check
$PY - status.json export.jsonl <<'EOF' || fail "1: JSON lost the data or wrote raw controls"
import json, sys
for name in sys.argv[1:]:
    raw = open(name, 'rb').read()
    assert b"\x1b" not in raw and b"\x07" not in raw and b"\r" not in raw, name + ": raw C0"
status = json.loads(open(sys.argv[1]).readline())
assert status["sweep"] == "evil\x1b[2J\x07\rname\x9b", status["sweep"]
rows = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == 4
assert any(r["params"]["optimizer"] == "sgd\x1b[2J\x07\r\x9b" for r in rows)
assert all(r["worker"] == "w\x1b]0;pwned\x07\r\\x9b" for r in rows), [r.get("worker") for r in rows]
EOF

# --- 2. an error text sent back by a worker ---------------------------------
cat >nf.yaml <<'EOF'
name: not-found
seed: 1
trials: 1
command: "./no\e]0;pwned\a\x9bsuch --lr {lr}"
metric: val_loss
search:
  lr: {log_uniform: [1.0e-3, 1.0]}
EOF
"$LRSWEEP" run nf.yaml --workers 1 --db nf.db >nf.out 2>nf.err
rc=$?
[ $rc -eq 0 ] || fail "2: run exited $rc: $(cat nf.err)"
clean nf.out nf.err
shows nf.err 'trial 0 failed: command not found: ./no\x1b]0;pwned\x07\u009bsuch'
check
[ "$(q nf.db "SELECT error FROM trials")" = $'command not found: ./no\e]0;pwned\a\xc2\x9bsuch' ] ||
    fail "2: the stored error is not the text as it was: $(q nf.db "SELECT error FROM trials" | od -c)"

# --- 3. a failing command's stderr, recapped by train --spec -----------------
cat >boom.sh <<'EOF'
printf 'boom\033[2J\033]0;pwned\007\rover\302\233 \377end\n' >&2
exit 3
EOF
cat >boom.yaml <<EOF
name: boom
seed: 1
trials: 1
command: sh $TMP/boom.sh
metric: val_loss
search:
  lr: {log_uniform: [1.0e-3, 1.0]}
EOF
"$LRSWEEP" train --spec boom.yaml lr=0.1 >boom.out 2>boom.err
rc=$?
[ $rc -eq 0 ] || fail "3: train --spec exited $rc: $(cat boom.err)"
clean boom.out
shows boom.out '  | boom\x1b[2J\x1b]0;pwned\x07\x0dover\u009b \xffend'
shows boom.out 'error:  exit status 3'
check   # the command's own stream is the user's: passed through untouched
grep -qF $'boom\e[2J' boom.err || fail "3: the command's stderr was not streamed as it is"
"$LRSWEEP" train --spec nf.yaml lr=0.1 >nft.out 2>nft.err
clean nft.out nft.err
shows nft.out 'error:  command not found: ./no\x1b]0;pwned\x07\u009bsuch'
shows nft.err "running './no\\x1b]0;pwned\\x07\\u009bsuch'"

summary
