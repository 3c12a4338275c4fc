"""The documentation keeps up with the parser: every command and flag is in docs/usage.md
and in the man page, and the committed man page is what man/generate.py writes."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pytest

from aws_mfa.cli.parser import build_parser
from aws_mfa.errors import __doc__ as exit_codes

ROOT = Path(__file__).resolve().parent.parent
USAGE = (ROOT / "docs" / "usage.md").read_text()
MAN_PAGE = ROOT / "man" / "aws-mfa.1"


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


def all_options() -> set[str]:
    return {
        option
        for parser in parsers().values()
        for action in parser._actions
        for option in action.option_strings
    }


def test_every_flag_and_command_is_in_the_man_page() -> None:
    page = MAN_PAGE.read_text().replace("\\-", "-")
    assert sorted(option for option in all_options() if option not in page) == []
    assert sorted(name for name in parsers() if name and f"aws-mfa {name}" not in page) == []


def test_every_exit_code_is_in_the_man_page() -> None:
    page = MAN_PAGE.read_text()
    codes = [line.split()[0] for line in (exit_codes or "").splitlines() if line[:1].isdigit()]
    for code in codes:
        assert f".B {code}" in page or f", {code}\n" in page, code


@pytest.mark.e2e  # man/generate.py runs argparse-manpage in a process
def test_the_committed_man_page_is_up_to_date(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "man" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.generate(tmp_path / "aws-mfa.1")
    assert (tmp_path / "aws-mfa.1").read_text() == MAN_PAGE.read_text(), (
        "run: python man/generate.py"
    )
