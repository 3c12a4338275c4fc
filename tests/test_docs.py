"""The documentation keeps up with the parser: every flag is in docs/usage.md."""

from __future__ import annotations

from pathlib import Path

from aws_mfa.cli import build_parser
from aws_mfa.errors import __doc__ as exit_codes

ROOT = Path(__file__).resolve().parent.parent


def option_strings() -> set[str]:
    return {option for action in build_parser()._actions for option in action.option_strings}


def test_every_flag_is_in_the_usage_page() -> None:
    usage = (ROOT / "docs" / "usage.md").read_text()
    missing = sorted(
        option
        for option in option_strings()
        if f"`{option}" not in usage and f" {option}`" not in usage and f"{option}`" not in usage
    )
    assert missing == []


def test_every_exit_code_is_in_the_usage_page() -> None:
    usage = (ROOT / "docs" / "usage.md").read_text()
    codes = [line.split()[0] for line in (exit_codes or "").splitlines() if line[:1].isdigit()]
    assert codes
    for code in codes:
        assert f"| {code} |" in usage, code
