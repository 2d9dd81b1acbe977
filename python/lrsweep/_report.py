"""The two calls a user's training script needs: report() prints one metric
line in the `NAME=NUMBER` form exec mode reads (docs/own-script.md,
"Reporting metrics"), and params() returns the trial's parameters that the
worker put in LRSWEEP_PARAMS.  Both work the same outside lrsweep, so a
script runs unchanged by hand."""
import json
import math
import os
import re
import sys

# exec mode's metric name: letters, digits and _ . : / -, starting with a
# letter or _, at most 63 bytes (common/metrics.h).
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]{0,62}\Z")


def _number_text(name, value):
    """The text of one value: an int as written, a float as the shortest
    text that reads back as the same double (repr), NaN and infinities as
    nan, inf and -inf, which exec mode reads as numbers (a diverged loss)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if hasattr(value, "item"):           # numpy / torch scalars
            return _number_text(name, value.item())
        raise TypeError("report(): %s=%r is not a number" % (name, value))
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def format_report(epoch=None, **metrics):
    """The line report() prints, without the newline: `epoch=E` first when
    given, then the metrics in the order passed.  Raises ValueError for a
    name exec mode would not read and TypeError for a value that is not a
    number."""
    items = ([("epoch", epoch)] if epoch is not None else []) + list(metrics.items())
    if not items:
        raise ValueError("report(): nothing to report")
    words = []
    for name, value in items:
        if not _NAME.match(name):
            raise ValueError("report(): %r is not a metric name (letters, digits and _ . : / -, "
                             "starting with a letter or _, at most 63 characters)" % name)
        words.append("%s=%s" % (name, _number_text(name, value)))
    return " ".join(words)


def report(epoch=None, file=None, **metrics):
    """Prints one metric line, e.g. report(epoch=3, val_loss=0.25,
    accuracy=0.9) prints `epoch=3 val_loss=0.25 accuracy=0.9`, and flushes
    it so lrsweep sees it at once (pruning decides on it).  A line with an
    epoch is a point of the trial's curve; the trial's value is the last
    reported value of the sweep's metric.  file: default sys.stdout."""
    out = sys.stdout if file is None else file
    out.write(format_report(epoch, **metrics) + "\n")
    out.flush()


def params(defaults=None):
    """The trial's parameters: the JSON object in LRSWEEP_PARAMS (set by the
    worker for every run of the command) over a copy of defaults, so a script
    run by hand gets its defaults.  Values keep their JSON types (float, int,
    str, bool, a list for milestones).  Raises ValueError naming the
    variable when LRSWEEP_PARAMS is not a JSON object."""
    out = dict(defaults or {})
    text = os.environ.get("LRSWEEP_PARAMS")
    if text is None:
        return out
    try:
        given = json.loads(text)
    except ValueError as e:
        raise ValueError("LRSWEEP_PARAMS is not JSON: %s" % e) from None
    if not isinstance(given, dict):
        raise ValueError("LRSWEEP_PARAMS is not a JSON object: %.80s" % text)
    out.update(given)
    return out
