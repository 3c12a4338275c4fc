"""``aws-mfa rotate``: a new access key for the long-term section, the old one deleted.

It asks before a new rotation (``--yes`` answers for scripts), then lets
:class:`aws_mfa.rotation.Rotation` do the work, signed with the cached MFA
session; ``--keep-old`` leaves the old key inactive instead of deleting it.
A rotation a kill or an error stopped is finished by the next run, without
asking (see docs/rotation.md)::

    $ aws-mfa -p dev rotate
    Replace access key ...WXYZ of [dev-long-term] of ~/.aws/credentials with a new one? [y/N] y
    INFO - Created access key ...ABCD for user alice
    INFO - Waiting for IAM to spread the new key ...ABCD: attempt 1 not accepted yet ...
    INFO - STS accepts the new key ...ABCD
    ...

What it does not do: choose the steps (:mod:`aws_mfa.rotation` does).
"""

from __future__ import annotations

from aws_mfa import log
from aws_mfa.cli.context import Context
from aws_mfa.codes.mfa_code import no_terminal, terminal_prompter
from aws_mfa.errors import EXIT_OK
from aws_mfa.rotation import Rotation, no_checkpoint

NO_TERMINAL = no_terminal(
    "rotate asks before it replaces a key", "confirm with --yes (aws-mfa rotate --yes)"
)


def ask_on_terminal(question: str) -> bool:
    """Ask ``question`` on the terminal; true for y or yes."""
    answer = terminal_prompter(f"{question} [y/N]: ", NO_TERMINAL)
    return answer.strip().lower() in ("y", "yes")


def run(context: Context) -> int:
    flags = context.flags
    settings = context.settings()
    confirm = (lambda question: True) if flags.switch("yes") else ask_on_terminal
    rotation = Rotation(settings, confirm=confirm, checkpoint=context.checkpoint or no_checkpoint)
    done = rotation.run(keep_old=flags.switch("keep_old"))
    log.info("%s", done)
    return EXIT_OK
