"""Sweep: one sweep of a results database, read-only, as pandas DataFrames.

What a row means is decided once, in the lrsweep program: trials() reads
`lrsweep export --format jsonl` (status of running and pending trials, the
stored metrics, score_n), best() and summary() read `lrsweep best|summary
--json` (ranking, ties, bins).  The package only types the columns, by the
search space the coordinator stores as JSON (sweeps.space, schema 9), so
no YAML is parsed here.  Curves
and folds are too big for a text pipe, so curves() and folds() read the
documented view and table (docs/schema.md: trial_curves, trial_folds) in
chunks of rows, each chunk turned into columns before the next is fetched:
the peak is the DataFrame plus one chunk.

The database is opened read-only (SQLite URI mode=ro), so a sweep may be
running; its schema version (PRAGMA user_version) must be one this package
knows, else LrsweepError names the lrsweep release that wrote the file."""
import json
import os
import shutil
import sqlite3
import subprocess
import urllib.parse

# The newest schema/NNN_*.sql this package reads (tests/python checks it
# against the schema folder).
SCHEMA_VERSION = 10
DEFAULT_CHUNK = 65536
# export's per-trial keys, in the order trials() shows them (params and
# metrics are spread into columns of their own).
_HEAD = ("status", "score", "score_std", "score_n", "repeats")
_TAIL = ("attempts", "worker", "seconds", "error",
         "pruned_epoch", "prune_rule", "prune_value", "prune_threshold")


class LrsweepError(Exception):
    """A database that cannot be read, a sweep that cannot be chosen, or an
    lrsweep command that failed (the message is its error output)."""


def _pandas():
    try:
        import pandas
    except ImportError:
        raise LrsweepError("lrsweep's DataFrames need pandas (Debian: apt-get install "
                           "python3-pandas; deploy/install-deps.sh --with-reference)") from None
    return pandas


def _find_program(given=None):
    """The lrsweep program to run: given, else $LRSWEEP_BIN, else lrsweep on
    PATH; None when there is none."""
    return given or os.environ.get("LRSWEEP_BIN") or shutil.which("lrsweep")


def _program(given=None):
    """_find_program's answer, or LrsweepError saying how to give one."""
    found = _find_program(given)
    if not found:
        raise LrsweepError("the lrsweep program is not on PATH (set LRSWEEP_BIN or pass "
                           "lrsweep=)")
    return found


def open(db="lrsweep.db", sweep=None, lrsweep=None):  # noqa: A001 (lrsweep.open)
    """The sweep named sweep in database db; sweep=None picks the only one
    (LrsweepError listing the names when there are several, as the CLI's
    read commands do).  lrsweep: the program best/summary/trials run
    (default: $LRSWEEP_BIN, else lrsweep on PATH)."""
    return Sweep(db, sweep, lrsweep)


def _connect(db):
    if not os.path.isfile(db):
        raise LrsweepError("%s: no such database" % db)
    uri = "file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(db))
    try:
        con = sqlite3.connect(uri, uri=True, timeout=3.0)
        version = con.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as e:
        raise LrsweepError("%s: not an lrsweep database (%s)" % (db, e)) from None
    if version == 0:
        con.close()
        raise LrsweepError("%s: not an lrsweep database (schema version 0)" % db)
    if version > SCHEMA_VERSION:
        try:
            (writer,) = con.execute("SELECT value FROM meta WHERE key = 'written_by'").fetchone()
        except (sqlite3.Error, TypeError):
            writer = "a newer release"
        con.close()
        raise LrsweepError("%s has schema version %d, written by lrsweep %s; this package reads "
                           "versions up to %d: use the Python package of lrsweep %s or newer"
                           % (db, version, writer, SCHEMA_VERSION, writer))
    return con


def _choose(con, db, name):
    """(id, name) of the sweep; the CLI's rule and wording (coordinator/query.c)."""
    if name is not None:
        row = con.execute("SELECT id, name FROM sweeps WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise LrsweepError("%s: no sweep named '%s' (`lrsweep sweeps --db %s` lists them)"
                               % (db, name, db))
        return row
    rows = con.execute("SELECT id, name FROM sweeps ORDER BY id").fetchall()
    if not rows:
        raise LrsweepError("%s: the database holds no sweep yet" % db)
    if len(rows) > 1:
        raise LrsweepError("%s holds %d sweeps; name one: %s"
                           % (db, len(rows), ", ".join("'%s'" % r[1] for r in rows)))
    return rows[0]


def _typed(pd, name, values, index):
    """A column with the dtype its values share: nullable Int64 or boolean,
    float64 (NaN where missing), category for choices, object otherwise."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        dtype = "boolean"
    elif kinds == {int}:
        dtype = "Int64"
    elif kinds and kinds <= {int, float}:
        return pd.Series([float("nan") if v is None else float(v) for v in values],
                         index=index, name=name, dtype="float64")
    elif kinds == {str}:
        dtype = "category"
    else:
        dtype = object
    return pd.Series(values, index=index, name=name, dtype=dtype)


# A stored parameter type (sweeps.space, common/space_json.h) as a dtype.
_SPACE_DTYPES = {"float": "float64", "int": "Int64", "bool": "boolean", "int_list": object}


def _space_typed(pd, name, entries, values, index):
    """A parameter's column typed by its entries in the stored search space:
    float64, Int64, boolean, object for milestone lists, and category for
    choices and a script's texts with the values the space can give as its
    categories (in the space's order; a stored value outside them, which a
    space never gives, is added rather than lost)."""
    kind = entries[0]["type"]
    if kind in ("choice", "string"):
        cats = []
        for e in entries:
            for v in e.get("values", ()):
                if v not in cats:
                    cats.append(v)
        cats += sorted({v for v in values if v is not None and v not in cats}, key=str)
        return pd.Series(pd.Categorical(values, categories=cats), index=index, name=name)
    if kind == "float":
        return pd.Series([float("nan") if v is None else float(v) for v in values],
                         index=index, name=name, dtype="float64")
    return pd.Series(values, index=index, name=name, dtype=_SPACE_DTYPES.get(kind, object))


def _frame(pd, rows, head, tail, index_name, space=None):
    """rows (export / best JSON objects) as a DataFrame: head keys, then every
    metric, then tail keys, then every parameter (those of the stored search
    space, typed by it, in its order; then any other a row holds, typed by
    its values).  A metric whose name is another column's is metrics.NAME,
    as in export's CSV."""
    params, metrics, declared = {}, {}, {}
    for e in space or ():
        declared.setdefault(e["name"], []).append(e)
        params.setdefault(e["name"], None)
    for r in rows:
        for k in r.get("params") or {}:
            params.setdefault(k, None)
        for k in r.get("metrics") or {}:
            metrics.setdefault(k, None)
    index = pd.Index([r[index_name] for r in rows], name=index_name)
    present = [k for k in head + tail if any(k in r for r in rows)] if rows else list(head + tail)
    taken = set(present) | set(params) | {index_name}
    cols = {}
    for k in [k for k in head if k in present]:
        cols[k] = _typed(pd, k, [r.get(k) for r in rows], index)
    for k in sorted(metrics):
        col = "metrics." + k if k in taken else k
        cols[col] = _typed(pd, col, [(r.get("metrics") or {}).get(k) for r in rows], index)
        if cols[col].dtype == "Int64":
            cols[col] = cols[col].astype("float64")
    for k in [k for k in tail if k in present]:
        cols[k] = _typed(pd, k, [r.get(k) for r in rows], index)
    for k in params:
        values = [(r.get("params") or {}).get(k) for r in rows]
        cols[k] = (_space_typed(pd, k, declared[k], values, index) if k in declared
                   else _typed(pd, k, values, index))
    return pd.DataFrame(cols, index=index)


class Sweep:
    """One sweep of a database; see lrsweep.open."""

    def __init__(self, db="lrsweep.db", sweep=None, lrsweep=None):
        self.db = db
        self._con = _connect(db)
        try:
            self.id, self.name = _choose(self._con, db, sweep)
        except LrsweepError:
            self._con.close()
            raise
        self._bin = _find_program(lrsweep)

    def space(self):
        """The sweep's search space as stored (sweeps.space, schema 9): a list
        of one dict per parameter node — name, kind ("lrsweep" or "user"),
        type, distribution, log, low/high or values, choices, grid, and
        branch (the choices above it) — or None for a sweep created before
        version 9 that no coordinator has opened since."""
        try:
            (text,) = self._con.execute("SELECT space FROM sweeps WHERE id = ?",
                                        (self.id,)).fetchone()
        except sqlite3.OperationalError:   # before version 9: no such column
            return None
        return None if text is None else json.loads(text)["parameters"]

    def __repr__(self):
        return "<lrsweep.Sweep %r in %s>" % (self.name, self.db)

    def close(self):
        """Closes the database; the Sweep is unusable afterwards."""
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- what the lrsweep program decides -------------------------------------

    def _json_lines(self, command, *args):
        """The JSON objects `lrsweep COMMAND NAME --db DB ARGS` prints, one a
        line, read as they come; LrsweepError with its stderr if it fails."""
        argv = [_program(self._bin), command, self.name, "--db", self.db] + list(args)
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL) as p:
            rows = [json.loads(line) for line in p.stdout]
            err = p.stderr.read().decode("utf-8", "replace").strip()
        if p.returncode != 0:
            raise LrsweepError(err or "%s exited %d" % (" ".join(argv), p.returncode))
        return rows

    def trials(self):
        """One row per trial (index trial), as `lrsweep export` lists them,
        pending and running ones too: status, score, score_std, score_n,
        repeats, every stored metric, attempts, worker, seconds, error, the
        pruning columns of a sweep that prunes, then one column per parameter
        of the search space (float64, nullable Int64/boolean, category for
        choices, typed by the stored space even where no trial took the
        parameter; missing where it is inactive in the trial's branch)."""
        pd = _pandas()
        return _frame(pd, self._json_lines("export", "--format", "jsonl"), _HEAD, _TAIL, "trial",
                      self.space())

    def best(self, k=5):
        """The k best trials as `lrsweep best --top k` ranks them (index rank):
        trial, score, score_std, metrics, attempts, worker, seconds, params."""
        pd = _pandas()
        rows = [r for r in self._json_lines("best", "--json", "--top", str(int(k)))
                if "confirmed" not in r]
        return _frame(pd, rows, ("trial", "score", "score_std"), _TAIL, "rank", self.space())

    def confirmed(self, k=5):
        """best's table of confirmed configs (a sweep with confirm:), index
        rank: trial, the search score and the confirmation's status, mean,
        std, n, low, high and apart_from_next."""
        pd = _pandas()
        rows = []
        for r in self._json_lines("best", "--json", "--top", str(int(k))):
            if "confirmed" in r:
                r = dict(r)
                r.update(r.pop("confirmed"))
                rows.append(r)
        head = ("trial", "score", "status", "mean", "std", "n", "low", "high", "apart_from_next")
        return _frame(pd, rows, head, (), "rank")

    def summary(self, by="scheduler", bins=None):
        """`lrsweep summary --by BY [--bins N] --json` as a DataFrame, one row
        per group in the program's order (numeric bins with low and high)."""
        pd = _pandas()
        args = ["--json", "--by", by] + (["--bins", str(int(bins))] if bins is not None else [])
        rows = self._json_lines("summary", *args)
        frame = pd.DataFrame(rows)
        return frame

    # -- curves and folds: read from the documented view and table ------------

    def _read(self, select, where, order, args, kinds, chunk, json_column=None):
        """A DataFrame of the rows of SELECT select WHERE where ORDER BY order, fetched chunk
        rows at a time into arrays sized by a COUNT(*) of the same snapshot
        (one read transaction), so the peak is the frame plus one chunk.
        kinds: (column, "int" | "nullable" | "float") for the first columns;
        a last column json_column holds a JSON object of other numbers,
        each spread into a float column (metrics.NAME when NAME is taken)."""
        pd = _pandas()
        import numpy as np   # pandas needs it, so it is there

        con = self._con
        con.execute("BEGIN")
        try:
            (total,) = con.execute("SELECT COUNT(*) FROM %s WHERE %s" % (select[1], where),
                                   args).fetchone()
            arrays = {c: np.zeros(total, "int64" if k != "float" else "float64")
                      for c, k in kinds}
            masks = {c: np.zeros(total, bool) for c, k in kinds if k == "nullable"}
            extra = {}
            cur = con.execute("SELECT %s FROM %s WHERE %s ORDER BY %s"
                              % (select[0], select[1], where, order), args)
            n = 0
            while True:
                rows = cur.fetchmany(chunk)
                if not rows:
                    break
                m = len(rows)
                assert n + m <= total, "one snapshot: no rows beyond its count"
                for j, (c, k) in enumerate(kinds):
                    values = [r[j] for r in rows]
                    if k == "nullable":
                        masks[c][n:n + m] = [v is None for v in values]
                        values = [0 if v is None else v for v in values]
                    arrays[c][n:n + m] = np.array(values, dtype=arrays[c].dtype)
                if json_column:
                    j = len(kinds)
                    for i, r in enumerate(rows):
                        if r[j] is None:
                            continue
                        for name, v in json.loads(r[j]).items():
                            if name not in extra:
                                extra[name] = np.full(total, np.nan)
                            extra[name][n + i] = np.nan if v is None else float(v)
                n += m
                del rows
            cur.close()
        finally:
            con.execute("COMMIT")
        taken = {c for c, _ in kinds}
        frame = pd.DataFrame(index=pd.RangeIndex(total))
        for c, k in kinds:
            frame[c] = (pd.arrays.IntegerArray(arrays.pop(c), masks.pop(c)) if k == "nullable"
                        else arrays.pop(c))
        for name in sorted(extra):
            frame["metrics." + name if name in taken else name] = extra.pop(name)
        return frame

    def _trial_filter(self, trials):
        if trials is None:
            return "", ()
        if isinstance(trials, int):
            trials = [trials]
        trials = [int(t) for t in trials]
        return " AND trial IN (SELECT value FROM json_each(?))", (json.dumps(trials),)

    def curves(self, trials=None, chunk=DEFAULT_CHUNK):
        """One row per epoch of every trial (or of the trials given: an int
        or a list), ordered by trial, repeat, fold, epoch, from the schema's
        trial_curves view: trial, repeat, fold (nullable Int64: the fold of
        a user's command's row, missing for the built-in engine's fold
        means), epoch, lr, train_loss, val_loss, then one float column per
        other metric a command reported.  Read chunk rows at a time."""
        where, args = self._trial_filter(trials)
        select = ("trial, repeat, fold, epoch, lr, train_loss, val_loss, metrics",
                  "trial_curves")
        kinds = (("trial", "int"), ("repeat", "int"), ("fold", "nullable"), ("epoch", "int"),
                 ("lr", "float"), ("train_loss", "float"), ("val_loss", "float"))
        return self._read(select, "sweep_id = ?" + where, "trial, repeat, fold, epoch",
                          (self.id,) + args, kinds, chunk, "metrics")

    def folds(self, trials=None, chunk=DEFAULT_CHUNK):
        """One row per fold of every finished trial (trial_folds): trial,
        repeat, fold, train_loss, val_loss, accuracy (NaN unless
        classification), ordered by trial, repeat, fold."""
        where, args = self._trial_filter(trials)
        select = ("trial, repeat, fold, train_loss, val_loss, accuracy", "trial_folds")
        kinds = (("trial", "int"), ("repeat", "int"), ("fold", "int"), ("train_loss", "float"),
                 ("val_loss", "float"), ("accuracy", "float"))
        return self._read(select, "sweep_id = ?" + where, "trial, repeat, fold",
                          (self.id,) + args, kinds, chunk)
