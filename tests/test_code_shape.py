"""Every function of the package stays small enough to read and change safely.

No function in aws_mfa/ is longer than 60 lines or above cyclomatic
complexity 15, as radon measures it (docs/architecture.md says why: one job
per function, one table for the settings).
"""

from __future__ import annotations

import functools
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Function

PACKAGE = Path(__file__).resolve().parent.parent / "aws_mfa"
MAX_LINES = 60
MAX_COMPLEXITY = 15


@functools.cache
def functions() -> tuple[tuple[str, int, int], ...]:
    """(module:name, lines, complexity) of every function and method in the package.

    Measured once per test process: both tests read the same package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            items = [block, *getattr(block, "methods", [])]
            for item in (item for item in items if isinstance(item, Function)):
                name = f"{path.relative_to(PACKAGE)}:{item.name}"
                found.append((name, item.endline - item.lineno + 1, item.complexity))
    return tuple(found)


def test_no_function_is_too_long() -> None:
    assert [(name, lines) for name, lines, _ in functions() if lines > MAX_LINES] == []


def test_no_function_is_too_complex() -> None:
    too_complex = [(name, cc) for name, _, cc in functions() if cc > MAX_COMPLEXITY]
    assert too_complex == []
