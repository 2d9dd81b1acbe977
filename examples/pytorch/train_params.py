#!/usr/bin/env python3
"""train_params.py — train.py's model and training, the lrsweep package's way.

train.py takes its parameters as command-line options (an argparse block,
`{args}` in the spec) and prints its metric lines itself.  This script
takes them from the package instead: lrsweep.params() returns the trial's
parameters from LRSWEEP_PARAMS, typed (float, int, bool, str, a list for
milestones), and lrsweep.report() prints each epoch's line as exec mode
reads it.  So the spec's command needs no placeholders
(sweep_params.yaml: `command: python3 train_params.py`), and run by hand,
outside lrsweep, it trains with the defaults:

    PYTHONPATH=../../python python3 train_params.py

The package is python/lrsweep (PYTHONPATH=python from the source tree, or
`make install`); torch as for train.py.
"""
import argparse
import sys

from lrsweep import params, report

import train


def main():
    options = vars(train.parse_args([]))   # train.py's defaults: PyTorch's own
    return train.fit(argparse.Namespace(**params(options)), report)


if __name__ == "__main__":
    sys.exit(main())
