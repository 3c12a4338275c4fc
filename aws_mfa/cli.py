"""The ``aws-mfa`` command: its parser, and ``main``, the one place errors are handled.

``build_parser()`` is importable so that the docs and tests can check every
flag is documented. ``main(argv)`` parses, sets up logging (stderr,
``LEVEL - message``; stdout is kept for machine-readable output), runs the
command and turns an :class:`~aws_mfa.errors.AwsMfaError` into one line on
stderr and its exit code. Nothing else in the package prints an error or
exits.

Flags and environment variables keep aws-mfa 0.0.12's names, so scripts
written for it keep working.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from aws_mfa import __version__
from aws_mfa.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    AwsMfaError,
)

log = logging.getLogger("aws_mfa")

LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG", "NOTSET")


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other aws-mfa error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"ERROR - {message}; see '{self.prog} --help'\n")


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser; its flags are aws-mfa 0.0.12's, plus a few."""
    parser = Parser(
        prog="aws-mfa",
        description=(
            "Get temporary AWS credentials with your MFA code and keep them in the "
            "AWS credentials file under the profile your tools already use. Asks for "
            "a code only when the stored credentials are missing or about to expire."
        ),
        epilog="Exit codes and examples: see docs/usage.md.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_login_options(parser)
    return parser


def add_login_options(parser: argparse.ArgumentParser) -> None:
    """The options of a login (the default command)."""
    parser.add_argument(
        "-p",
        "--profile",
        help="profile to refresh (default: $AWS_PROFILE, else 'default')",
    )
    parser.add_argument(
        "--device",
        metavar="ARN",
        help="MFA device ARN, like arn:aws:iam::123456789012:mfa/alice "
        "(default: $MFA_DEVICE, else aws_mfa_device in the long-term section)",
    )
    parser.add_argument(
        "-c",
        "-m",
        "--token",
        "--mfa-token",
        "--mfa-code",
        "--token-code",
        dest="token",
        metavar="CODE",
        help="the six-digit MFA code; '-' reads it from stdin "
        "(default: ask on the terminal, only when a renewal is needed)",
    )
    parser.add_argument(
        "-d",
        "--duration",
        metavar="SECONDS",
        help="how long the credentials last, 900 to 129600 (at most 43200 with a "
        "role) (default: $MFA_STS_DURATION, else 43200, or 3600 with a role)",
    )
    parser.add_argument(
        "--assume-role",
        "--assume",
        dest="assume_role",
        metavar="ARN",
        help="role to assume, like arn:aws:iam::123456789012:role/Admin "
        "(default: $MFA_ASSUME_ROLE, else assume_role in the long-term section)",
    )
    parser.add_argument(
        "--role-session-name",
        metavar="NAME",
        help="session name when assuming a role (default: your user name)",
    )
    parser.add_argument(
        "--long-term-suffix",
        "--long-suffix",
        dest="long_term_suffix",
        metavar="SUFFIX",
        help="long-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: long-term)",
    )
    parser.add_argument(
        "--short-term-suffix",
        "--short-suffix",
        dest="short_term_suffix",
        metavar="SUFFIX",
        help="short-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: none)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="renew even if the stored credentials are still valid",
    )
    parser.add_argument(
        "--min-ttl",
        metavar="SECONDS",
        help="renew when fewer seconds than this are left (default: $MFA_MIN_TTL, else 300)",
    )
    parser.add_argument(
        "--region",
        help="use this region's STS endpoint "
        "(default: $AWS_REGION, else $AWS_DEFAULT_REGION, else the global endpoint)",
    )
    parser.add_argument(
        "--credentials-file",
        metavar="PATH",
        help="credentials file to use "
        "(default: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)",
    )
    parser.add_argument(
        "--setup",
        action="store_true",
        help="add a long-term section with your access keys, interactively",
    )
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        default="INFO",
        help="how much to log on stderr (default: INFO)",
    )


def setup_logging(level: str) -> None:
    """Log aws-mfa's own messages to stderr as ``LEVEL - message``.

    Only the ``aws_mfa`` logger gets a handler. botocore's DEBUG logs hold
    request and response bodies (MFA codes, secret keys), so they are never
    shown.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s - %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(getattr(logging, level))
    log.propagate = False


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run aws-mfa with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    try:
        run(args, os.environ if environ is None else environ)
    except AwsMfaError as err:
        print(f"ERROR - {err.message}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("\nERROR - interrupted; the credentials file was not changed", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # a bug: say where, without a message that could hold a secret
        import traceback

        where = traceback.extract_tb(err.__traceback__)[-1]
        print(
            f"ERROR - internal error {type(err).__name__} at "
            f"{os.path.basename(where.filename)}:{where.lineno}; please report it "
            "(--log-level DEBUG shows where it happened)",
            file=sys.stderr,
        )
        log.debug("Traceback:\n%s", "".join(traceback.format_tb(err.__traceback__)))
        return EXIT_INTERNAL
    return EXIT_OK


def run(args: argparse.Namespace, environ: Mapping[str, str]) -> None:
    """Dispatch to the command ``args`` asks for."""
    from aws_mfa import credentials_file, settings

    given: dict[str, Any] = {
        name: getattr(args, name, None) for name in settings.Flags.__dataclass_fields__
    }
    flags = settings.Flags(**given)
    if args.setup:
        from aws_mfa.setup_keys import setup

        path = settings.credentials_path(flags, environ)
        setup(path, flags, settings.profile_name(flags, environ))
        return
    from aws_mfa.login import login

    path = settings.credentials_path(flags, environ)
    document = credentials_file.read_text_file(path)
    login(settings.resolve(flags, environ, document), document)
