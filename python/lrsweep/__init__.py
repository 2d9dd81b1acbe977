"""lrsweep — read a sweep's results as pandas DataFrames, and report metrics
from a training script that lrsweep runs.

    import lrsweep
    sweep = lrsweep.open("lrsweep.db")      # the only sweep, or sweep="NAME"
    sweep.trials()                          # one row per recorded trial
    sweep.curves()                          # one row per epoch (trial_curves)
    sweep.best(5); sweep.summary(by="lr")   # what `lrsweep best/summary` show
    sweep = lrsweep.run("sweep.yaml", db="lrsweep.db", workers=2)   # with progress

    from lrsweep import report, params      # inside a training script
    p = params({"lr": 0.01})                # LRSWEEP_PARAMS over defaults
    report(epoch=3, val_loss=0.25)          # prints: epoch=3 val_loss=0.25

report() and params() need only the standard library; the readers import
pandas when they are first called.  best(), summary() and trials() run the
lrsweep program (its --json and export output), so ranking, binning and the
trials' status and metrics are decided in one place, the program; curves()
and folds() read the database's documented tables and views directly.
"""
from ._report import params, report
from ._run import run
from ._sweep import SCHEMA_VERSION, LrsweepError, Sweep, open  # noqa: A004

__all__ = ["open", "run", "Sweep", "LrsweepError", "report", "params", "SCHEMA_VERSION"]
__version__ = "0.3.0"
