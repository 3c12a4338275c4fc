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
import sys
from collections.abc import Collection, Sequence
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
    """An ArgumentParser whose errors are one line, like every other aws-mfa error.

    Options are never abbreviated (``--assume-rol`` is no ``--assume-role``),
    and an error on a command line that holds an unknown option names that
    option first, with the closest known one: argparse alone would blame what
    follows it (``--profle dev``: "invalid choice: 'dev'").
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.words: list[str] = []

    def parse_known_args(  # type: ignore[override]  # the same call, remembering the words
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self.words = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        message = self.unknown_option() or with_close_choice(message)
        self.exit(EXIT_USAGE, f"ERROR - {message}; see '{self.prog} --help'\n")

    def option_strings(self) -> list[str]:
        """Every option this parser and its commands know."""
        known = list(self._option_string_actions)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for command in action.choices.values():
                    known += command._option_string_actions
        return known

    def unknown_option(self) -> str | None:
        """The first option on the command line that no command knows, and the closest one."""
        import difflib

        known = set(self.option_strings())
        for word in self.words:
            if word == "--":
                break
            flag = word.partition("=")[0]
            if len(flag) > 1 and flag.startswith("-") and flag not in known:
                close = difflib.get_close_matches(flag, sorted(known), n=1, cutoff=0.7)
                return f"unknown option {flag}" + (f": did you mean {close[0]}?" if close else "")
        return None


def with_close_choice(message: str) -> str:
    """argparse's "invalid choice: 'statu' (choose from ...)", with the closest choice first:
    "unknown command statu: did you mean status?"."""
    import difflib
    import re

    found = re.search(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if found is None:
        return message
    what, given, listed = found.groups()
    choices = re.findall(r"'([^']*)'", listed) or [word.strip() for word in listed.split(",")]
    close = difflib.get_close_matches(given, choices, n=1, cutoff=0.6)
    kind = "command" if what == "COMMAND" else f"{what} value"
    if close:
        return f"unknown {kind} {given}: did you mean {close[0]}?"
    return f"unknown {kind} {given}; choose from {', '.join(choices)}"


PROFILE_COMPLETION = {
    "bash": "_aws_mfa_profiles",
    "zsh": "_aws_mfa_profiles",
    "fish": "(__aws_mfa_profiles)",
    "powershell": "_aws_mfa_profiles",
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
        epilog=(
            "Without a command, aws-mfa runs 'login'. Environment variables, exit codes and "
            "examples: man aws-mfa."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    top = {option.name for option in options_of(TOP)}
    for option in options_of(TOP):
        add_option(parser, option, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, summary in SUMMARIES.items():
        description = f"{summary[0].upper()}{summary[1:]}."  # its own --help says it too
        command = commands.add_parser(name, help=summary, description=description)
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
