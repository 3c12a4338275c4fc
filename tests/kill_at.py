"""``python tests/kill_at.py STEP ARGS...``: aws-mfa's ``main(ARGS)``, killed at a rotation step.

The shipped tool reads no test hook: :class:`aws_mfa.rotation.Rotation` is given a
checkpoint (:data:`aws_mfa.rotation.Checkpoint`), which the console script leaves
empty. This program gives one that kills its own process with SIGKILL when the
rotation reaches STEP (one of :data:`aws_mfa.rotation.CHECKPOINTS`), as a crash or
a power cut would stop it, so that tests/test_rotate.py kills a real process
mid-rotation and proves that the next run converges.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable


def killed_at(step: str) -> Callable[[str], None]:
    """A checkpoint that kills this process at ``step``, and does nothing at the others."""

    def checkpoint(name: str) -> None:
        if name != step:
            return
        sys.stderr.flush()
        kill = getattr(signal, "SIGKILL", None)
        if kill is None:  # Windows: no signal, the same abrupt end
            os._exit(137)
        os.kill(os.getpid(), kill)

    return checkpoint


if __name__ == "__main__":
    from aws_mfa.cli.main import main
    from aws_mfa.rotation import CHECKPOINTS

    step, *argv = sys.argv[1:]
    if step not in CHECKPOINTS:
        sys.exit(f"kill_at.py: {step!r} is not one of {', '.join(CHECKPOINTS)}")
    sys.exit(main(argv, checkpoint=killed_at(step)))
