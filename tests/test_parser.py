"""The quick reading of common command lines agrees with argparse, or leaves them to it."""

from __future__ import annotations

import pytest

from aws_mfa.cli import quick_args
from aws_mfa.parser import build_parser
from aws_mfa.settings import Flags

READ = (*Flags._fields, "command", "edit", "setup", "pick", "json", "all", "log_level")
"""Every attribute of the parsed arguments the program reads."""


def view(args: object) -> dict[str, object]:
    return {name: getattr(args, name, None) for name in READ}


@pytest.mark.parametrize(
    "words",
    [
        [],
        ["login"],
        ["status"],
        ["export"],
        ["-p", "dev"],
        ["--profile", "dev"],
        ["--profile=dev"],
        ["-p", "a", "-p", "b"],
        ["-p", "login"],
        ["--profile", "a=b"],
        ["--credentials-file", "/tmp/c", "-p", "y"],
        ["login", "--profile=z", "--credentials-file=/c"],
        ["status", "--json", "-p", "x"],
        ["status", "--all"],
        ["status", "--json", "--all", "--credentials-file", "~/c"],
        ["export", "--format", "process", "--profile", "dev"],
        ["export", "-f", "env", "-p", "x"],
        ["export", "--format=process"],
    ],
)
def test_quick_reading_agrees_with_argparse(words: list[str]) -> None:
    quick = quick_args(words)
    assert quick is not None
    assert view(quick) == view(build_parser().parse_args(words))


@pytest.mark.parametrize(
    "words",
    [
        ["-p"],
        ["-p", "-x"],
        ["--prof", "x"],
        ["--profile="],
        ["-pdev"],
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
        ["--force"],
        ["-c", "123456"],
        ["--log-level", "DEBUG"],
        ["logout"],
        ["exec", "--", "env"],
        ["--", "x"],
    ],
)
def test_everything_else_is_left_to_argparse(words: list[str]) -> None:
    assert quick_args(words) is None
