"""The documentation keeps up with the parser: every command and flag is in docs/usage.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from aws_mfa.cli import build_parser
from aws_mfa.errors import __doc__ as exit_codes

ROOT = Path(__file__).resolve().parent.parent
USAGE = (ROOT / "docs" / "usage.md").read_text()


def parsers() -> dict[str, argparse.ArgumentParser]:
    """The bare command's parser and every subcommand's, by name."""
    top = build_parser()
    found = {"": top}
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def test_every_command_has_a_heading() -> None:
    for name in parsers():
        if name:
            assert f"## `aws-mfa {name}`" in USAGE, name


def test_every_flag_is_in_the_usage_page() -> None:
    missing = sorted(
        {
            option
            for parser in parsers().values()
            for action in parser._actions
            for option in action.option_strings
            if f"`{option}`" not in USAGE and f"`{option} " not in USAGE
        }
    )
    assert missing == []


def test_every_exit_code_is_in_the_usage_page() -> None:
    codes = [line.split()[0] for line in (exit_codes or "").splitlines() if line[:1].isdigit()]
    assert codes
    for code in codes:
        assert f"| {code} |" in USAGE, code
