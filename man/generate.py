"""Write man/aws-mfa.1 from the parser itself (argparse-manpage) and man/extra.man.

Run it after changing a flag or command:  python man/generate.py
The page's date is the date of the newest release in CHANGELOG.md, so the
output is the same on every machine; tests/test_docs.py fails when the
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


def generate(output: Path) -> None:
    """Write the man page to ``output``."""
    from aws_mfa import __version__

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
        __version__,
        "--description",
        "get temporary AWS credentials with an MFA code",
        "--manual-title",
        "aws-mfa manual",
        "--include",
        str(ROOT / "man" / "extra.man"),
        "--output",
        str(output),
    ]
    # A fixed date and width make the page the same on every machine.
    env = {**os.environ, "SOURCE_DATE_EPOCH": release_epoch(), "COLUMNS": "80"}
    subprocess.run(command, env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    generate(ROOT / "man" / "aws-mfa.1")
