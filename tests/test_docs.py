"""The documentation keeps up with the parser: every command and flag is in docs/usage.md
and in the man page, and the committed man page is what man/generate.py writes."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

import pytest

from aws_mfa.cli.parser import build_parser
from aws_mfa.errors import __doc__ as exit_codes

ROOT = Path(__file__).resolve().parent.parent
USAGE = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
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
    page = MAN_PAGE.read_text(encoding="utf-8").replace("\\-", "-")
    assert sorted(option for option in all_options() if option not in page) == []
    assert sorted(name for name in parsers() if name and f"aws-mfa {name}" not in page) == []


def test_every_exit_code_is_in_the_man_page() -> None:
    page = MAN_PAGE.read_text(encoding="utf-8")
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
    generated = (tmp_path / "aws-mfa.1").read_text(encoding="utf-8")
    assert generated == MAN_PAGE.read_text(encoding="utf-8"), "run: python man/generate.py"


def environment_variables() -> set[str]:
    """Every variable the environment table of docs/usage.md names."""
    usage = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    table = usage.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row)}


def test_every_variable_of_the_settings_table_is_documented_in_usage() -> None:
    from aws_mfa.settings.table import TABLE

    assert {name for option in TABLE for name in option.env} <= environment_variables()


def test_the_man_page_lists_every_variable_usage_md_does() -> None:
    page = MAN_PAGE.read_text(encoding="utf-8")
    environment = page.split(".SH ENVIRONMENT", 1)[1].split(".SH ", 1)[0]
    missing = [name for name in environment_variables() if name not in environment]
    assert missing == []


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation gone, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def mkdocs_slug(heading: str) -> str:
    """The anchor MkDocs (Python-Markdown's toc) gives it: runs of spaces and hyphens are one."""
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", heading).strip().lower())


def test_every_anchor_link_works_on_github_and_on_the_site() -> None:
    pages = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md")}
    pages["README.md"] = (ROOT / "README.md").read_text(encoding="utf-8")
    broken = []
    for name, text in pages.items():
        for target, anchor in re.findall(r"\]\(([\w./-]*?\.md)?#([^)]+)\)", text):
            page = pages.get(Path(target).name) if target else text
            headings = re.findall(r"^#+ (.+)$", page or "", re.M)
            if not any(github_slug(h) == anchor == mkdocs_slug(h) for h in headings):
                broken.append(f"{name}: {target}#{anchor}")
    assert broken == []
