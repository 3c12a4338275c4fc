"""The command-line parser of ``aws-mfa``: every command, option and help text.

``build_parser()`` is the one definition of the command line: the docs,
the man page and the completion scripts are made from it, and tests check
that each of its flags is documented. Its options keep aws-mfa 0.0.12's
names, so scripts written for it keep working.

It is imported only when needed: :func:`aws_mfa.cli.quick_args` reads the
common command lines of a valid-credentials run without argparse, which
costs more to import and build than the rest of such a run.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Collection

from aws_mfa import __version__, log
from aws_mfa.errors import EXIT_USAGE

TYPE_CHECKING = False  # see aws_mfa.records: typing is not imported at run time
if TYPE_CHECKING:
    from typing import Any, NoReturn

LOG_LEVELS = tuple(log.LEVELS)


class Formatter(argparse.HelpFormatter):
    """argparse's help formatter, told the terminal's width so it need not import shutil.

    argparse makes a formatter for every option it defines, and the first one
    imports shutil (and with it bz2, lzma and zlib) to learn the width: 2 ms
    on a run that prints no help at all.
    """

    def __init__(self, prog: str) -> None:
        try:
            columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(1).columns
        except (ValueError, OSError):
            columns = 80
        super().__init__(prog, width=max(columns, 40) - 2)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, like every other aws-mfa error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"ERROR - {message}; see '{self.prog} --help'\n")


def build_parser(wanted: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser: aws-mfa 0.0.12's flags, plus subcommands.

    ``aws-mfa [options]`` is ``aws-mfa login [options]``. Options are defined
    once for the bare command (with defaults) and again for each subcommand
    with defaults suppressed, so ``aws-mfa -p dev login`` and
    ``aws-mfa login -p dev`` mean the same.

    ``wanted`` names the words of the command line: only the subcommands among
    them get their options, since building all of them would cost more than
    the rest of a run that finds valid credentials. None builds everything
    (for help, docs, completion and tests).
    """
    parser = Parser(
        prog="aws-mfa",
        description=(
            "Get temporary AWS credentials with your MFA code and keep them in the "
            "AWS credentials file under the profile your tools already use. Asks for "
            "a code only when the stored credentials are missing or about to expire."
        ),
        epilog="Without a command, aws-mfa runs 'login'. Exit codes and examples: docs/usage.md.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_common_options(parser, defaults=True)
    add_login_options(parser, defaults=True)
    parser.add_argument(
        "--edit", action="store_true", help="open the AWS config file in your editor (as 'config')"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, (summary, add_options) in SUBCOMMANDS.items():
        command = commands.add_parser(name, help=summary)
        if wanted is None or name in wanted:
            add_common_options(command, defaults=False)
            add_options(command)
    return parser


def _login_options(parser: argparse.ArgumentParser) -> None:
    add_login_options(parser, defaults=False)


def _status_options(status: argparse.ArgumentParser) -> None:
    status.add_argument(
        "--all", action="store_true", help="list every session, even with $AWS_PROFILE set"
    )
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    status.add_argument(
        "--min-ttl",
        metavar="SECONDS",
        default=argparse.SUPPRESS,
        help="call a session 'expiring' when fewer seconds than this are left "
        "(default: $MFA_MIN_TTL, else 300)",
    )


def _logout_options(logout: argparse.ArgumentParser) -> None:
    logout.add_argument("--all", action="store_true", help="forget every session aws-mfa wrote")
    logout.add_argument(
        "--backup", action="store_true", default=argparse.SUPPRESS, help=BACKUP_HELP
    )


def _export_options(export: argparse.ArgumentParser) -> None:
    add_login_options(export, defaults=False)
    export.add_argument(
        "-f",
        "--format",
        default=argparse.SUPPRESS,
        metavar="FORMAT",
        help="env, env-no-export, fish, powershell, windows-cmd or process "
        "(default: the 'shell' of the YAML profile, else your $SHELL's)",
    )


def _exec_options(run: argparse.ArgumentParser) -> None:
    add_login_options(run, defaults=False)
    run.add_argument(
        "--allow-nested",
        action="store_true",
        help="run even inside another 'aws-mfa exec'",
    )
    run.add_argument(
        "program", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]", help="what to run"
    )


def _no_options(parser: argparse.ArgumentParser) -> None:
    pass


def _completion_options(completion: argparse.ArgumentParser) -> None:
    completion.add_argument("shell", nargs="?", choices=("bash", "zsh", "fish"))
    completion.add_argument(
        "--profiles",
        action="store_true",
        help="print the profile names to complete, one a line (the scripts call this)",
    )


SUBCOMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "login": ("renew the profile's credentials if needed (the default command)", _login_options),
    "status": (
        "show every stored session, or one profile's (exit code 0 when valid)",
        _status_options,
    ),
    "logout": ("forget the profile's session (STS sessions cannot be revoked)", _logout_options),
    "export": (
        "renew if needed, then print the credentials for a shell or an SDK",
        _export_options,
    ),
    "exec": (
        "renew if needed, then run COMMAND with the credentials in its environment",
        _exec_options,
    ),
    "config": ("open the AWS config file in your editor", _no_options),
    "doctor": ("check files, environment and clock for problems; change nothing", _no_options),
    "completion": (
        "print the shell completion script for bash, zsh or fish",
        _completion_options,
    ),
}
"""Each command's one-line summary, and what adds its own options."""


PROFILE_COMPLETION = {
    "bash": "_aws_mfa_profiles",
    "zsh": "_aws_mfa_profiles",
    "fish": "(__aws_mfa_profiles)",
}
"""How each shell's completion script completes a profile name (see aws_mfa.completion)."""


BACKUP_HELP = "copy the credentials file to credentials_backup/ before writing (newest 10 kept)"


def _adder(parser: argparse.ArgumentParser, defaults: bool) -> Callable[..., argparse.Action]:
    """``parser.add_argument``, with defaults suppressed when ``defaults`` is false."""

    def add(*names: str, **kwargs: Any) -> argparse.Action:
        if not defaults:
            kwargs["default"] = argparse.SUPPRESS
        return parser.add_argument(*names, **kwargs)

    return add


def add_common_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """Options every command takes: which profile, which file, how much to log."""
    add = _adder(parser, defaults)
    profile = add("-p", "--profile", help="profile to use (default: $AWS_PROFILE, else 'default')")
    profile.complete = PROFILE_COMPLETION  # type: ignore[attr-defined]  # read by shtab
    add(
        "--credentials-file",
        metavar="PATH",
        help="credentials file to use "
        "(default: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials)",
    )
    add(
        "--long-term-suffix",
        "--long-suffix",
        dest="long_term_suffix",
        metavar="SUFFIX",
        help="long-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: long-term)",
    )
    add(
        "--short-term-suffix",
        "--short-suffix",
        dest="short_term_suffix",
        metavar="SUFFIX",
        help="short-term section is [PROFILE-SUFFIX], or [PROFILE] when 'none' (default: none)",
    )
    add(
        "--long-term-section",
        metavar="NAME",
        help="the section holding the long-term keys, whatever its name (overrides the suffix)",
    )
    add(
        "--short-term-section",
        metavar="NAME",
        help="the section to write the session to, whatever its name (overrides the suffix)",
    )
    add(
        "--log-level",
        type=str.upper,
        choices=LOG_LEVELS,
        help="how much to log on stderr (default: INFO)",
    )


def add_login_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The options of a login (the default command)."""
    add = _adder(parser, defaults)
    add(
        "--device",
        metavar="ARN",
        help="MFA device ARN, like arn:aws:iam::123456789012:mfa/alice "
        "(default: $MFA_DEVICE, else aws_mfa_device in the long-term section, "
        "else mfa_serial in the config file)",
    )
    add(
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
    add(
        "-d",
        "--duration",
        "--duration-seconds",
        dest="duration",
        metavar="SECONDS",
        help="how long the credentials last, 900 to 129600 (at most 43200 with a "
        "role) (default: $MFA_STS_DURATION, else 43200, or 3600 with a role)",
    )
    add(
        "--assume-role",
        "--assume",
        dest="assume_role",
        metavar="ARN",
        help="role to assume, like arn:aws:iam::123456789012:role/Admin "
        "(default: $MFA_ASSUME_ROLE, else assume_role in the long-term section)",
    )
    add(
        "--role-session-name",
        metavar="NAME",
        help="session name when assuming a role (default: your user name)",
    )
    add("--external-id", metavar="ID", help="external id to pass to AssumeRole")
    add("--force", action="store_true", help="renew even if the stored credentials are still valid")
    add(
        "--min-ttl",
        metavar="SECONDS",
        help="renew when fewer seconds than this are left (default: $MFA_MIN_TTL, else 300)",
    )
    add(
        "--region",
        help="use this region's STS endpoint "
        "(default: $AWS_REGION, else $AWS_DEFAULT_REGION, else region in the config file, "
        "else the global endpoint)",
    )
    add(
        "--token-command",
        metavar="COMMAND",
        help="a shell command that prints the MFA code, like 'ykman oath accounts code "
        "--single aws' (default: mfa_process in the YAML or config profile)",
    )
    add("--backup", action="store_true", help=BACKUP_HELP)
    add("--pick", action="store_true", help="choose the profile from a list, on the terminal")
    add(
        "--setup",
        action="store_true",
        help="add a long-term section with your access keys, interactively",
    )
