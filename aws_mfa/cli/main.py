"""The ``aws-mfa`` command: ``main``, the one place where errors become messages and exit codes.

``main(argv)`` reads the command line (:mod:`aws_mfa.cli.quick` for the common
forms, else the argparse parser of :mod:`aws_mfa.cli.parser`; both from the
table of :mod:`aws_mfa.settings.table`), sets the log level (stderr,
``LEVEL - message``; stdout is kept for machine-readable output), runs the
command of :mod:`aws_mfa.commands` and turns an
:class:`~aws_mfa.errors.AwsMfaError` into one line on stderr and its exit
code. Nothing else in the package prints an error or exits. The error's
cause, when it has one, is logged at DEBUG.

Flags and environment variables keep aws-mfa 0.0.12's names, so scripts
written for it keep working.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence

from aws_mfa import log
from aws_mfa.cli import quick
from aws_mfa.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    AwsMfaError,
)

QUIET_COMMANDS = ("export", "exec")
"""Commands whose output is read by a shell or an SDK: they log only warnings by default."""


def entry() -> int:
    """``aws-mfa`` and ``python -m aws_mfa``: :func:`main`, in a process that ends with it.

    A run lasts milliseconds, so collecting reference cycles only costs time:
    the collector is off until a renewal or a server turns it back on
    (:mod:`aws_mfa.collector`), and what the run built is frozen before the
    interpreter's last collection at exit, which then skips it.
    """
    import gc

    gc.disable()
    try:
        return main()
    finally:
        gc.freeze()


def parse(words: Sequence[str]) -> dict[str, object]:
    """The command line as argparse reads it, by option name."""
    args = quick.read(words)
    if args is not None:
        return vars(args)
    from aws_mfa.cli.parser import build_parser

    return vars(build_parser(set(words)).parse_args(words))


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    checkpoint: Callable[[str], None] | None = None,
) -> int:
    """Run aws-mfa with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    ``checkpoint`` is told each step a rotation passes (tests/kill_at.py kills the
    process at one); the console script gives none."""
    given = parse(sys.argv[1:] if argv is None else argv)
    env = os.environ if environ is None else environ
    command = str(given["command"] or default_command(given))
    if not set_log_level(given.get("log_level"), env, command):
        return EXIT_USAGE
    try:
        return run(command, given, env, checkpoint)
    except AwsMfaError as err:
        if err.__cause__ is not None:
            log.debug("Caused by %s", describe_cause(err.__cause__))
        print(f"ERROR - {log.one_line(err.message)}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("\nERROR - interrupted; the credentials file was not changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # aws-mfa status | head -1: the reader had enough
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), sys.stdout.fileno())
        return EXIT_OK
    except Exception as err:  # a bug: say where, without a message that could hold a secret
        import traceback

        where = traceback.extract_tb(err.__traceback__)[-1]
        print(
            f"ERROR - internal error {type(err).__name__} at "
            f"{os.path.basename(where.filename)}:{where.lineno}; please report it "
            "(--log-level DEBUG shows where it happened)",
            file=sys.stderr,
        )
        for line in "".join(traceback.format_tb(err.__traceback__)).splitlines():
            log.debug("Traceback: %s", line)
        return EXIT_INTERNAL


def default_command(given: Mapping[str, object]) -> str:
    """The command of a command line that names none: ``--edit`` is ``config``, ``--setup``
    is ``setup``, anything else ``login``."""
    if given.get("edit"):
        return "config"
    return "setup" if given.get("setup") else "login"


def set_log_level(flag: object, environ: Mapping[str, str], command: str) -> bool:
    """``--log-level``, else ``MFA_LOG_LEVEL``, else by command; False when the variable is wrong.

    The variable is checked here rather than with the other settings because
    everything after this logs.
    """
    level = str(flag or environ.get("MFA_LOG_LEVEL", "")).upper()
    if level and level not in log.LEVELS:
        wrong, choices = environ["MFA_LOG_LEVEL"], ", ".join(log.LEVELS)
        print(f"ERROR - MFA_LOG_LEVEL: {wrong!r} is not one of {choices}", file=sys.stderr)
        return False
    log.set_level(level or ("WARNING" if command in QUIET_COMMANDS else "INFO"))
    return True


def describe_cause(cause: BaseException) -> str:
    """The type of an error's cause and where it was raised; never its message.

    A cause's message may hold what a library was given (a request body, a
    line of a file), so only its type, its OS error text and the place show.
    """
    import traceback

    frames = traceback.extract_tb(cause.__traceback__)
    where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
    strerror = getattr(cause, "strerror", None)
    return f"{type(cause).__module__}.{type(cause).__qualname__}{where}" + (
        f" ({strerror})" if isinstance(strerror, str) else ""
    )


def run(
    command: str,
    given: Mapping[str, object],
    environ: Mapping[str, str],
    checkpoint: Callable[[str], None] | None = None,
) -> int:
    """Run ``aws_mfa.commands.COMMAND``; return its exit code."""
    from aws_mfa.cli.context import Context
    from aws_mfa.settings.resolve import Flags

    module = __import__(f"aws_mfa.commands.{command}", fromlist=["run"])
    code: int = module.run(Context(Flags(given), environ, command, checkpoint))
    return code
