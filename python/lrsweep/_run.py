"""run(): `lrsweep run` as a child process, watched from Python.

The program does the work and decides everything; this file starts it
(always --quiet, so its output is its one closing line), shows progress by
polling the database read-only (the schema's sweep_progress and
best_per_sweep views, every `poll` seconds), and turns its end into Python:
the Sweep when it exits 0, LrsweepError with its error output otherwise.

The sweep is found without reading the spec: the coordinator records its
pid in the coordinators table (schema 5) when it starts, so the row with the
child's pid names the sweep, also in a database that holds several.

The child runs in a session of its own, so a Ctrl-C in a terminal reaches
only Python; Python then sends the child one SIGINT — lrsweep's "stop
dispatching, let running trials finish, exit 130" — waits for it, and
re-raises KeyboardInterrupt.  A second interrupt while waiting sends the
second SIGINT, which makes it exit at once.  Either way every committed
trial stays and a later run() resumes the sweep."""
import os
import signal
import subprocess
import sys
import tempfile
import time

from ._sweep import LrsweepError, Sweep, _connect, _program


def _option_words(options):
    """**options as lrsweep run flags: key_name=value → --key-name VALUE,
    True → the bare flag, False or None → left out."""
    words = []
    for key, value in options.items():
        if key == "quiet":
            raise TypeError("run(): quiet is not an option (run() shows progress itself; "
                            "progress=False shows none)")
        flag = "--" + key.replace("_", "-")
        if value is True:
            words.append(flag)
        elif value is not None and value is not False:
            words += [flag, str(value)]
    return words


def _find_sweep(db, pid, since):
    """(name, metric) of the sweep the coordinator with this pid runs, or
    None while it has not started (no database, no row yet)."""
    if not os.path.isfile(db):
        return None
    try:
        con = _connect(db)
    except LrsweepError:
        return None   # created but not yet migrated
    try:
        return con.execute(
            "SELECT s.name, s.metric FROM coordinators c JOIN sweeps s ON s.id = c.sweep_id"
            " WHERE c.pid = ? AND c.started_at >= ? ORDER BY c.started_at DESC LIMIT 1",
            (pid, since)).fetchone()
    except Exception:   # noqa: BLE001 — a schema mid-migration reads as not yet
        return None
    finally:
        con.close()


def _counts(db, name):
    """(finished, total, running, best score or None) from the schema's views."""
    con = _connect(db)
    try:
        row = con.execute("SELECT total, complete + diverged + failed + pruned, running"
                          " FROM sweep_progress WHERE sweep = ?", (name,)).fetchone()
        best = con.execute("SELECT score FROM best_per_sweep WHERE sweep = ?",
                           (name,)).fetchone()
    finally:
        con.close()
    if row is None:
        return None
    return row[1], row[0], row[2], best[0] if best else None


class _Text:
    """A text progress line on file: redrawn in place on a terminal or in a
    notebook, otherwise a new line when it changes, at most every 5 s."""

    def __init__(self, file):
        self.file = file
        self.inplace = getattr(file, "isatty", lambda: False)() or "ipykernel" in sys.modules
        self.last, self.shown_at = None, 0.0

    def show(self, name, metric, done, total, running, best, final=False):
        text = "sweep %s: %d/%d trials, %d running" % (name, done, total, running)
        if best is not None:
            text += ", best %s %.6g" % (metric, best)
        now = time.monotonic()
        if text == self.last and not final:
            return
        if self.inplace:
            self.file.write("\r" + text.ljust(len(self.last or "")) + ("\n" if final else ""))
        elif final or now - self.shown_at >= 5.0:
            self.file.write(text + "\n")
        else:
            return
        self.file.flush()
        self.last, self.shown_at = text, now

    def close(self):
        if self.inplace and self.last:
            self.file.write("\n")
            self.file.flush()
            self.last = None


class _Tqdm:
    """A tqdm bar: finished trials of the budget, best score as postfix."""

    def __init__(self, tqdm, file):
        self.tqdm, self.file, self.bar = tqdm, file, None

    def show(self, name, metric, done, total, running, best, final=False):
        if self.bar is None:
            self.bar = self.tqdm(total=total, initial=done, desc="sweep " + name, unit="trial",
                                 file=self.file)
        if total != self.bar.total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)
        post = "%d running" % running
        if best is not None:
            post += ", best %s %.6g" % (metric, best)
        self.bar.set_postfix_str(post, refresh=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _progress(kind, file):
    """The display for progress= : True (tqdm when importable, else text),
    "tqdm", "text", or False (none)."""
    if kind is False or kind is None:
        return None
    if kind in (True, "tqdm"):
        try:
            try:   # a notebook's widget bar needs ipywidgets, else tqdm.auto fails
                import ipywidgets  # noqa: F401
                from tqdm.auto import tqdm
            except ImportError:
                from tqdm import tqdm
            return _Tqdm(tqdm, file)
        except ImportError:
            if kind == "tqdm":
                raise LrsweepError("run(progress='tqdm'): tqdm is not importable (Debian: "
                                   "apt-get install python3-tqdm)") from None
    elif kind != "text":
        raise ValueError("run(): progress must be True, False, 'tqdm' or 'text', not %r" % kind)
    return _Text(file)


def run(spec, db="lrsweep.db", workers=None, progress=True, poll=0.25, lrsweep=None,
        file=None, **options):
    """Runs `lrsweep run SPEC --db DB [--workers N] --quiet [options]` and
    returns the Sweep when it completes (exit 0).  progress: True (a tqdm
    bar when tqdm is importable, a text line otherwise), "tqdm", "text" or
    False, drawn on file (default sys.stderr) from the database every poll
    seconds.  options: more `lrsweep run` flags (bind="tcp://…",
    heartbeat_ms=500, insecure=True).  A run that fails raises LrsweepError
    with the program's error output; KeyboardInterrupt stops the sweep
    cleanly (exit 130, resumable by the next run()) and is re-raised."""
    program = _program(lrsweep)
    file = sys.stderr if file is None else file
    argv = [program, "run", os.fspath(spec), "--db", os.fspath(db)]
    if workers is not None:
        argv += ["--workers", str(int(workers))]
    argv += _option_words(options) + ["--quiet"]
    show = _progress(progress, file)
    db = os.fspath(db)
    since = time.time() - 1.0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        found, interrupted = None, False
        try:
            try:
                while child.poll() is None:
                    found = found or _find_sweep(db, child.pid, since)
                    if found and show:
                        counts = _counts(db, found[0])
                        if counts:
                            show.show(found[0], found[1], *counts)
                    time.sleep(poll)
            except KeyboardInterrupt:
                interrupted = True
                child.send_signal(signal.SIGINT)
                try:
                    child.wait()
                except KeyboardInterrupt:
                    child.send_signal(signal.SIGINT)   # lrsweep's second Ctrl-C: at once
                    child.wait()
            found = found or _find_sweep(db, child.pid, since)
            if found and show:
                counts = _counts(db, found[0])
                if counts:
                    show.show(found[0], found[1], *counts, final=True)
        finally:
            if child.poll() is None:   # an error of ours: leave no sweep running
                child.send_signal(signal.SIGINT)
                child.wait()
            if show:
                show.close()
        err.seek(0)
        text = err.read().decode("utf-8", "replace").strip()
    if interrupted:
        name = found[0] if found else os.fspath(spec)
        file.write("lrsweep.run: sweep %s stopped (exit %d); run it again to resume\n"
                   % (name, child.returncode))
        file.flush()
        raise KeyboardInterrupt
    if child.returncode != 0:
        raise LrsweepError(text or "%s exited %d" % (" ".join(argv), child.returncode))
    if text:
        file.write(text + "\n")   # the program's warnings (spec notes)
    if not found:
        raise LrsweepError("%s: lrsweep run exited 0 but recorded no coordinator" % db)
    return Sweep(db, found[0], program)
