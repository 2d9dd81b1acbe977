#!/usr/bin/env bash
# test_data_hash.sh — what a sweep's row remembers of its data and of how
# workers got in (schema 003), and what errors about data may say:
# - a sweep stores its data's content hash as decoded; resuming after one
#   value changed exits 2 naming the database, both hashes and the file,
#   and writes nothing (the database dumps the same); the same data re-saved
#   with other spellings (0.1 → 0.10, CRLF, quoted fields) resumes;
# - a sweep without a stored hash (a database from before) records it on
#   resume, also from a real version-2 file, which `status` reads as it is;
# - `status` warns when the sweep's coordinator took workers without keys
#   (--insecure) and says so in its JSON, and not for local workers;
# - `data:` is relative to the spec's folder, from any current folder, for
#   `validate`, `run` (whose workers get the bytes) and `train --spec`;
# - a data file that is not CSV (secrets, binary) is refused by
#   file:line:col without any of its bytes in the message.
#
# usage: bash test_data_hash.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
SCHEMA=$(cd "$HERE/../../schema" && pwd)

mkdir -p "$TMP/proj/sub/dir" "$TMP/elsewhere"
SPEC_DIR=$TMP/proj/sub/dir
# spec FILE TRIALS DATA: a small logistic sweep on DATA (target label)
spec() {
    cat >"$1" <<EOF
name: hash-a
seed: 3
trials: $2
sampler: random
objective: {metric: val_loss}
data: {path: $3, target: label}
model: {type: logistic}
train: {folds: 2}
search:
  lr: {log_uniform: [1.0e-3, 0.5]}
  epochs: 5
  optimizer: {sgd: {}}
EOF
}
small_cls_csv "$SPEC_DIR/d.csv"
spec "$SPEC_DIR/s.yaml" 6 d.csv
cd "$TMP/elsewhere" || exit 1
DB=$TMP/h.db
dump() { sqlite3 "$DB" .dump | md5sum; }
# resume SPEC_TRIALS DB: runs the spec again (stderr in r.err), status in rc
resume() {
    spec "$SPEC_DIR/s.yaml" "$1" d.csv
    "$LRSWEEP" run ../proj/sub/dir/s.yaml --workers 1 --db "$2" -q >r.out 2>r.err
    rc=$?
}

# --- relative data path, from another folder --------------------------------
check
"$LRSWEEP" validate ../proj/sub/dir/s.yaml >v.out 2>v.err || fail "validate from another folder: $(cat v.err)"
check
resume 6 "$DB"
[ $rc -eq 0 ] || fail "run from another folder exited $rc: $(tail -3 r.err)"
[ "$(q "$DB" 'SELECT COUNT(*) FROM trials')" = 6 ] || fail "first run recorded $(q "$DB" 'SELECT COUNT(*) FROM trials') trials"
check
"$LRSWEEP" train --spec ../proj/sub/dir/s.yaml --trial 0 --json >t.out 2>t.err ||
    fail "train --spec from another folder: $(cat t.err)"

# --- the stored hash and transport -------------------------------------------
check
H1=$(q "$DB" 'SELECT data_hash FROM sweeps')
[[ $H1 =~ ^[0-9a-f]{16}$ ]] || fail "data_hash is '$H1', want 16 hex digits"
[ "$(q "$DB" 'SELECT transport FROM sweeps')" = local ] || fail "transport '$(q "$DB" 'SELECT transport FROM sweeps')', want local"
[ "$(q "$DB" 'PRAGMA user_version')" -ge 3 ] || fail "user_version $(q "$DB" 'PRAGMA user_version'), want 3 or later (the data hash's)"
check
"$LRSWEEP" status --db "$DB" >st.out 2>&1 || fail "status failed: $(cat st.out)"
grep -q "warning" st.out && fail "status warns for a local sweep: $(cat st.out)"
"$LRSWEEP" status --db "$DB" --json 2>/dev/null | head -1 >st.json
json_assert st.json "assert d['transport'] == 'local' and d['data_hash'] == '$H1', d" "status --json lacks transport/data_hash"

# --- one value changed: refused, nothing written -----------------------------
cp "$SPEC_DIR/d.csv" "$TMP/d.orig"
sed -i 's/^0.3,0.8,dog$/0.31,0.8,dog/' "$SPEC_DIR/d.csv"
cmp -s "$TMP/d.orig" "$SPEC_DIR/d.csv" && fail "the value was not changed"
before=$(dump)
check
resume 8 "$DB"   # a larger budget: an accepted resume would write
[ $rc -eq 2 ] || fail "resume on changed data exited $rc, want 2: $(cat r.err)"
grep -qF "$DB: sweep 'hash-a' was created with data content hash $H1; " r.err ||
    fail "refusal lacks the database or the stored hash: $(cat r.err)"
grep -qE "sub/dir/d.csv now gives [0-9a-f]{16}: resuming would mix results" r.err ||
    fail "refusal lacks the file or the new hash: $(cat r.err)"
H2=$(grep -oE "now gives [0-9a-f]{16}" r.err | cut -c11-)
[ -n "$H2" ] && [ "$H2" != "$H1" ] || fail "new hash '$H2' against the old '$H1'"
check
[ "$(dump)" = "$before" ] || fail "a refused resume changed the database"

# --- the same data, spelled otherwise: resumed --------------------------------
$PY - "$TMP/d.orig" "$SPEC_DIR/d.csv" <<'EOF'
import sys
rows = [l.split(",") for l in open(sys.argv[1]).read().split()]
out = ['"%s"' % '","'.join(rows[0])]
for r in rows[1:]:   # 0.1 -> 0.10, 1.0 -> 1, 0.8 -> 8e-1, labels quoted
    nums = ["%.2f" % float(c) if float(c) < 0.5 else "%ge0" % float(c) for c in r[:2]]
    out.append(",".join(nums + ['"%s"' % r[2]]))
open(sys.argv[2], "w", newline="").write("\r\n".join(out) + "\r\n")
EOF
check
cmp -s "$TMP/d.orig" "$SPEC_DIR/d.csv" && fail "the re-saved file is byte-identical: the test proves nothing"
resume 8 "$DB"
[ $rc -eq 0 ] || fail "resume on re-saved data exited $rc: $(cat r.err)"
[ "$(q "$DB" 'SELECT COUNT(*) FROM trials')" = 8 ] || fail "resume recorded $(q "$DB" 'SELECT COUNT(*) FROM trials') trials, want 8"
[ "$(q "$DB" 'SELECT data_hash FROM sweeps')" = "$H1" ] || fail "data_hash changed on resume"

# --- a sweep from before schema 003: the resume records the hash ---------------
check
sqlite3 "$DB" "UPDATE sweeps SET data_hash = NULL"
resume 9 "$DB"
[ $rc -eq 0 ] || fail "resume without a stored hash exited $rc: $(cat r.err)"
[ "$(q "$DB" 'SELECT data_hash FROM sweeps')" = "$H1" ] || fail "resume did not record the hash: '$(q "$DB" 'SELECT data_hash FROM sweeps')'"

# The same from a real version-2 file: readers see it unmigrated, the
# coordinator migrates it and records the hash.
check
OLD=$TMP/old.db
sqlite3 "$OLD" <"$SCHEMA/001_init.sql"
sqlite3 "$OLD" <"$SCHEMA/002_exec.sql"
sqlite3 "$OLD" "PRAGMA user_version = 2; ATTACH '$DB' AS n;
  INSERT INTO sweeps SELECT id, name, token, spec, space_hash, seed, trials, metric, goal,
                            created_at, updated_at FROM n.sweeps;
  INSERT INTO trials SELECT sweep_id, trial, status, score, score_std, params, lr, optimizer,
    scheduler, attempts, worker, seconds, diverged_epoch, error, finished_at, exit_status, signal,
    stderr_tail, log_tail, metrics FROM n.trials; INSERT INTO trial_folds SELECT * FROM n.trial_folds;
  INSERT INTO trial_epochs SELECT * FROM n.trial_epochs; INSERT INTO workers SELECT * FROM n.workers;"
"$LRSWEEP" status --db "$OLD" --json >old.all 2>old.err || fail "status on a version-2 file: $(cat old.err)"
head -1 old.all >old.json
json_assert old.json "assert d['transport'] is None and d['data_hash'] is None and d['complete'] + d['failed'] + d['diverged'] == 9, d" "status of a version-2 file"
[ "$(q "$OLD" 'PRAGMA user_version')" = 2 ] || fail "status migrated the file"
resume 10 "$OLD"
[ $rc -eq 0 ] || fail "resume of a version-2 file exited $rc: $(cat r.err)"
[ "$(q "$OLD" 'SELECT data_hash, transport, trials FROM sweeps')" = "$H1|local|10" ] ||
    fail "version-2 file after resume: $(q "$OLD" 'SELECT data_hash, transport, trials FROM sweeps')"
[ "$(q "$OLD" 'SELECT COUNT(*) FROM trials')" = 10 ] || fail "version-2 resume recorded $(q "$OLD" 'SELECT COUNT(*) FROM trials') trials"

# --- --insecure: status warns ---------------------------------------------------
check
synthetic_spec "$TMP/syn.yaml" syn-i 5 4 1 3 0.5 'constant: {}'
P=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
timeout 120 "$LRSWEEP" run "$TMP/syn.yaml" --bind "tcp://0.0.0.0:$P" --insecure --workers 1 --db "$TMP/ins.db" -q >i.out 2>i.err ||
    fail "insecure run exited $?: $(tail -3 i.err)"
"$LRSWEEP" status --db "$TMP/ins.db" >st.out 2>&1 || fail "status failed: $(cat st.out)"
grep -qF "warning: this sweep's coordinator accepts workers without keys (--insecure)" st.out ||
    fail "status lacks the --insecure warning: $(cat st.out)"
"$LRSWEEP" status --db "$TMP/ins.db" --json 2>/dev/null | head -1 >st.json
json_assert st.json "assert d['transport'] == 'insecure' and d['data_hash'] is None, d" "status --json of an insecure synthetic sweep"

# --- data that is not CSV: position, never content ---------------------------
printf 'root:$6$S3CRETSALT$h4shh4sh:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n' >"$SPEC_DIR/shadow"
printf 'MAGIC\001\002\003,label\n\177ELF\000\000BYTES,x\n' >"$SPEC_DIR/blob.bin"
printf 'a,label\nTOKEN-s3cr3t,x\nTOKEN-2,y\n' >"$SPEC_DIR/cells.csv"
for f in shadow blob.bin cells.csv; do
    check
    spec "$SPEC_DIR/bad.yaml" 2 "$f"
    "$LRSWEEP" run ../proj/sub/dir/bad.yaml --workers 1 --db "$TMP/bad.db" -q >b.out 2>b.err
    rc=$?
    [ $rc -eq 2 ] || fail "$f: run exited $rc, want 2: $(cat b.err)"
    grep -qE "sub/dir/$f:[0-9]+:[0-9]+: " b.err || fail "$f: no file:line:col in: $(cat b.err)"
    grep -qaE "S3CRET|h4sh|root|daemon|MAGIC|ELF|BYTES|TOKEN|s3cr3t" b.err &&
        fail "$f: run's message echoes the file: $(cat -v b.err)"
    "$LRSWEEP" validate ../proj/sub/dir/bad.yaml >b.out 2>b.err
    grep -qaE "S3CRET|h4sh|root|daemon|MAGIC|ELF|BYTES|TOKEN|s3cr3t" b.err b.out &&
        fail "$f: validate's message echoes the file: $(cat -v b.err)"
done
check
[ -e "$TMP/bad.db" ] && [ "$(q "$TMP/bad.db" 'SELECT COUNT(*) FROM sweeps')" != 0 ] && fail "bad data created a sweep"

summary
