"""The cyclic garbage collector, back on for renewals and servers.

A run that finds its session still valid lasts milliseconds and builds little
that forms cycles, so :func:`aws_mfa.cli.main.entry` turns the collector off and
freezes the heap before exit, which saves 2 to 4 ms with a credentials file
of a thousand profiles (docs/performance.md). This module is imported only
once a run goes further.

A renewal imports botocore and builds and drops many cyclic objects (its
loaders, configparser's readers), and ``exec --server`` runs for hours: they
call :func:`resume`. Without it a renewal of a 10,000-profile file kept about
45 MiB of garbage it could never free.
"""

from __future__ import annotations

import gc


def resume() -> None:
    """Collect cycles again, skipping what the run has built so far (it stays alive)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
