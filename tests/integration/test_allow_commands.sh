#!/usr/bin/env bash
# test_allow_commands.sh — a worker runs a sweep's own command only when it
# was started with --allow-commands: one without it says so, the
# coordinator (told in HELLO) sends it no trial and logs why, and no command
# ever starts (and `status` says why it gets nothing); a worker with it
# then runs the whole sweep.  `run`'s own
# local workers are allowed (the spec is the user's, on their machine).
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
mkdir marks
cat >cmd.yaml <<EOF2
name: cmds
seed: 4
trials: 6
command: "touch $TMP/marks/ran-\$LRSWEEP_TRIAL; echo epoch=1 val_loss={lr}"
shell: true
metric: {name: val_loss, goal: minimize}
search:
  lr: {log_uniform: [0.01, 0.1]}
EOF2
EP="ipc://$TMP/c.sock"
spawn cpid c.out c.err coordinator cmd.yaml --bind "$EP" --db c.db
spawn npid n.out n.err worker --connect "$EP" --name plain
sleep 2.5
check
grep -q "worker plain was started without --allow-commands: it gets no trials" c.err ||
    fail "the coordinator did not say why the worker gets nothing: $(cat c.err)"
grep -q "takes none of its trials" n.err || fail "the worker did not say it takes none: $(cat n.err)"
[ -z "$(ls marks)" ] || fail "a command ran on a worker without --allow-commands: $(ls marks)"
r=$(q c.db "SELECT (SELECT COUNT(*) FROM leases) + (SELECT COUNT(*) FROM trials)")
[ "$r" = 0 ] || fail "$r trials were leased to or recorded from the worker without --allow-commands"
check
"$LRSWEEP" status --db c.db >st.out 2>st.err || fail "status failed: $(cat st.err)"
grep -q "worker plain gets no trials: started without --allow-commands" st.out ||
    fail "status does not say why the worker gets nothing: $(cat st.out)"
"$LRSWEEP" status --db c.db --json >st.json 2>st.err || fail "status --json failed: $(cat st.err)"
$PY -c 'import json, sys; d = json.loads(open(sys.argv[1]).read().splitlines()[0]); w = d["idle_workers"]
assert [x["name"] for x in w] == ["plain"] and "--allow-commands" in w[0]["reason"], w' st.json ||
    fail "status --json lacks the idle worker: $(cat st.json)"
check
spawn apid a.out a.err worker --connect "$EP" --name allowed --allow-commands
wait_exit "$cpid" 60 || fail "the coordinator did not finish: $(tail -3 c.err)"
r=$(q c.db "SELECT COUNT(*), group_concat(DISTINCT worker) FROM trials")
[ "$r" = "6|allowed" ] || fail "trials: $r, want 6|allowed"
[ "$(ls marks | wc -l)" = 6 ] || fail "the allowed worker ran $(ls marks | wc -l) commands, want 6"
check
rm -f marks/*
run run cmd.yaml --db r.db --workers 1 --quiet
[ $rc -eq 0 ] || fail "run of a command sweep exited $rc: $(cat "$TMP/err")"
[ "$(ls marks | wc -l)" = 6 ] || fail "run's local worker ran $(ls marks | wc -l) commands, want 6"
summary
