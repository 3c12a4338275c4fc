"""The argparse parser of ``aws-mfa``, built from the table of :mod:`aws_mfa.settings.table`.

The docs, the man page and the completion scripts are made from it, and
tests check that each of its flags is documented. Its options keep aws-mfa
0.0.12's names, so scripts written for it keep working.

It is imported only when needed: :mod:`aws_mfa.cli.quick` reads the common
command lines of a valid-credentials run from the same table without
argparse, which costs more to import and build than the rest of such a run.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Collection
from typing import Any, NoReturn

from aws_mfa import __version__
from aws_mfa.errors import EXIT_USAGE
from aws_mfa.settings.table import POSITIONAL, REST, SUMMARIES, SWITCH, TOP, Option, options_of


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


PROFILE_COMPLETION = {
    "bash": "_aws_mfa_profiles",
    "zsh": "_aws_mfa_profiles",
    "fish": "(__aws_mfa_profiles)",
}
"""How each shell's completion script completes a profile name (see
:mod:`aws_mfa.commands.completion`)."""


def build_parser(wanted: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser: aws-mfa 0.0.12's flags, plus subcommands.

    ``aws-mfa [options]`` is ``aws-mfa login [options]``. An option of the
    bare command line is defined again for each subcommand with its default
    suppressed, so ``aws-mfa -p dev login`` and ``aws-mfa login -p dev`` mean
    the same.

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
    top = {option.name for option in options_of(TOP)}
    for option in options_of(TOP):
        add_option(parser, option, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, summary in SUMMARIES.items():
        command = commands.add_parser(name, help=summary)
        if wanted is None or name in wanted:
            for option in options_of(name):
                add_option(command, option, suppress=option.name in top)
    return parser


def add_option(parser: argparse.ArgumentParser, option: Option, suppress: bool) -> None:
    """Add ``option`` as its table entry says; ``suppress``: leave it out unless given."""
    kwargs: dict[str, Any] = {"help": option.help}
    if option.kind == SWITCH:
        kwargs["action"] = "store_true"
    elif option.kind == REST:
        kwargs["nargs"] = argparse.REMAINDER
    elif option.kind == POSITIONAL:
        kwargs["nargs"] = "?"
    if option.metavar:
        kwargs["metavar"] = option.metavar
    if option.choices:
        kwargs["choices"] = option.choices
        if option.any_case:
            kwargs["type"] = str.upper
    if suppress:
        kwargs["default"] = argparse.SUPPRESS
    if option.kind in (REST, POSITIONAL):
        parser.add_argument(option.name, **kwargs)
        return
    action = parser.add_argument(*option.flags, dest=option.name, **kwargs)
    if option.name == "profile":
        action.complete = PROFILE_COMPLETION  # type: ignore[attr-defined]  # read by shtab
