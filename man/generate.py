"""Write man/aws-mfa.1 from the parser itself (argparse-manpage) and man/extra.man.

Run it after changing a flag or command:  python man/generate.py
The page's date is the date of the newest release in CHANGELOG.md, so the
output is the same on every machine; between releases the version it names is
the next one's development version (``0.2.0.dev0``), so the page does not pass
for the release it is dated by; tests/test_docs.py fails when the
committed page differs from what this writes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def release_epoch() -> str:
    """SOURCE_DATE_EPOCH of the newest dated release in CHANGELOG.md."""
    found = re.search(
        r"^## \[[^\]]+\] - (\d{4}-\d{2}-\d{2})", (ROOT / "CHANGELOG.md").read_text(), re.M
    )
    if not found:
        raise SystemExit("CHANGELOG.md has no dated release")
    day = datetime.strptime(found.group(1), "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return str(int(day.timestamp()))


def roff(markdown: str) -> str:
    """A cell of docs/usage.md in roff: `code` in bold, links as their text, hyphens escaped."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", markdown).replace("\\", "\\\\")
    parts = text.split("`")
    escaped = [part.replace("-", "\\-") for part in parts]
    return "".join(f"\\fB{part}\\fR" if index % 2 else part for index, part in enumerate(escaped))


def environment() -> str:
    """The ENVIRONMENT section, from the table of docs/usage.md (said once, there)."""
    usage = (ROOT / "docs" / "usage.md").read_text()
    table = usage.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    lines = []
    for row in (line for line in table.splitlines() if line.startswith("| `")):
        names, meaning = (cell.strip() for cell in row.strip().strip("|").split("|", 1))
        lines += [".TP", ".B " + names.replace("`", "").replace("-", "\\-"), roff(meaning)]
    return "\n".join(lines)


def generate(output: Path) -> None:
    """Write the man page to ``output``."""
    import tempfile

    from aws_mfa import __version__

    extra = (ROOT / "man" / "extra.man").read_text().replace("@ENVIRONMENT@", environment())
    with tempfile.TemporaryDirectory() as folder:
        include = Path(folder) / "extra.man"
        include.write_text(extra)
        run_argparse_manpage(output, include, __version__)


def run_argparse_manpage(output: Path, include: Path, version: str) -> None:
    """argparse-manpage on the parser, with ``include`` for the sections it does not make."""

    command = [
        str(Path(sys.executable).parent / "argparse-manpage"),
        "--module",
        "aws_mfa.cli.parser",
        "--function",
        "build_parser",
        "--project-name",
        "aws-mfa",
        "--prog",
        "aws-mfa",
        "--version",
        version,
        "--description",
        "get temporary AWS credentials with an MFA code",
        "--manual-title",
        "aws-mfa manual",
        "--include",
        str(include),
        "--output",
        str(output),
    ]
    # A fixed date and width make the page the same on every machine.
    env = {**os.environ, "SOURCE_DATE_EPOCH": release_epoch(), "COLUMNS": "80"}
    subprocess.run(command, env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    generate(ROOT / "man" / "aws-mfa.1")
