"""The quick reading of common command lines agrees with argparse, or leaves them to it.

Both come from the table of aws_mfa.options; the command lines compared here
are generated from that table too, so a new option is checked as soon as it
is added.
"""

from __future__ import annotations

import argparse
import functools
import itertools

import pytest

from aws_mfa.cli import quick
from aws_mfa.cli.parser import build_parser as build_fresh_parser
from aws_mfa.settings import table as options
from aws_mfa.settings.table import COMMANDS, POSITIONAL, REST, STORE, SWITCH, TOP, Option


@functools.cache
def build_parser() -> argparse.ArgumentParser:
    """One parser for every case: parsing does not change it."""
    return build_fresh_parser()


def forms(option: Option) -> list[list[str]]:
    """Every way to give ``option`` on the command line."""
    if option.kind == SWITCH:
        return [[flag] for flag in option.flags]
    if option.kind == POSITIONAL:
        return [[option.choices[0] if option.choices else "value"]]
    if option.kind == REST:
        return [["--", "env", "-x"]]
    value = option.choices[0].lower() if option.choices else "v1"
    found = [[flag, value] for flag in option.flags]
    found += [[f"{flag}={value}"] for flag in option.flags if flag.startswith("--")]
    return found


def command_lines() -> list[list[str]]:
    """Each option of each command in each form, alone and after ``--profile``."""
    lines: list[list[str]] = [[], *([command] for command in COMMANDS)]
    for command in (TOP, *COMMANDS):
        prefix = [command] if command else []
        for option in options.options_of(command):
            for form in forms(option):
                lines.append([*prefix, *form])
                if option.kind not in (POSITIONAL, REST):
                    lines.append([*prefix, "-p", "dev", *form])
    return lines


LINES = command_lines()


@pytest.mark.parametrize("words", LINES, ids=[" ".join(line) or "(none)" for line in LINES])
def test_quick_reading_agrees_with_argparse(words: list[str]) -> None:
    expected = vars(build_parser().parse_args(words))
    read = quick.read(words)
    given = [options.BY_NAME[name] for name in expected if name in options.BY_NAME]
    if read is None:
        # Only what the quick reader does not read may be left to argparse.
        assert not all(quick.readable(option) for option in given if option.kind == STORE)
        return
    assert vars(read) == expected


def test_the_common_lines_are_read_quickly() -> None:
    for words in (
        [],
        ["-p", "dev"],
        ["--profile=dev", "--credentials-file", "~/c"],
        ["status", "--json", "--all"],
        ["export", "--format", "process", "-p", "x"],
        ["export", "-f", "env"],
        ["--force", "-c", "123456"],
    ):
        assert quick.read(words) is not None, words


def test_every_pair_of_quick_options_agrees() -> None:
    readable = [option for option in options.options_of(TOP) if quick.readable(option)]
    for first, second in itertools.combinations(readable, 2):
        words = [*forms(first)[-1], *forms(second)[0]]
        read = quick.read(words)
        assert read is not None, words
        assert vars(read) == vars(build_parser().parse_args(words)), words


@pytest.mark.parametrize(
    "words",
    [
        ["-p"],
        ["-p", "-x"],
        ["--prof", "x"],
        ["--profile="],
        ["-pdev"],
        ["-p=dev"],
        ["--force=yes"],
        ["--json"],
        ["login", "--json"],
        ["export", "--all"],
        ["status", "--format", "x"],
        ["-f", "env"],
        ["-p", "dev", "status"],
        ["login", "login"],
        ["-h"],
        ["--help"],
        ["--version"],
        ["--log-level", "DEBUG"],
        ["exec", "--", "env"],
        ["--", "x"],
        ["--token", "-"],
        ["-p", ""],
    ],
)
def test_everything_else_is_left_to_argparse(words: list[str]) -> None:
    assert quick.read(words) is None


@pytest.mark.parametrize("command", sorted(options.SUMMARIES))
def test_each_command_help_says_what_the_command_does(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        build_fresh_parser().parse_args([command, "--help"])
    assert done.value.code == 0
    summary = options.SUMMARIES[command]
    shown = " ".join(capsys.readouterr().out.split())  # argparse wraps it
    assert f"{summary[0].upper()}{summary[1:]}." in shown
