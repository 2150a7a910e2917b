"""Runs the ``celery`` command with this process's clock FAULTS_CLOCK_AHEAD seconds ahead.

A worker or beat started "later" sees the leases of work interrupted by a kill (a claimed poll,
a lost submit, an e-mail being sent) already run out, as they would after the real wait, so the
sweeps take that work back within seconds instead of minutes. Only the wall clock moves; the
process runs at normal speed."""

import os
import sys
from datetime import UTC, datetime, timedelta

import time_machine
from celery.__main__ import main

if __name__ == "__main__":
    ahead = float(os.environ.get("FAULTS_CLOCK_AHEAD", "0"))
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=ahead), tick=True):
        sys.exit(main())
