"""The package's folders are its layers, and every import points down.

From the bottom: the foundation modules at the top of the package (errors,
log, records, clock, keys, collector), ``files/`` (bytes on disk), ``aws/``
(what AWS tools read and do), ``settings/``, the domain modules at the top of
the package, and the command line (``cli/`` with ``commands/``). A module may
import its own layer and the layers below, never one above: the test reads
every import statement, in functions and ``TYPE_CHECKING`` blocks too.
``aliases`` exists for the type checker alone: it is imported only under
``TYPE_CHECKING`` and may name anything. docs/architecture.md shows the tree.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "aws_mfa"

FOUNDATION = {"aws_mfa", "errors", "log", "records", "clock", "keys", "collector", "system"}
LAYERS = {"foundation": 0, "files": 1, "aws": 2, "settings": 3, "domain": 4, "cli": 5}
PACKAGES = {"files": "files", "aws": "aws", "settings": "settings", "cli": "cli", "commands": "cli"}
STANDALONE = {"demo", "__main__"}
"""Programs of their own beside the command: they sit on top, and nothing imports them."""


def module_names() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        found[".".join(("aws_mfa", *parts))] = path
    return found


MODULES = module_names()


def layer(module: str) -> str:
    parts = module.split(".")[1:]
    if not parts or (len(parts) == 1 and parts[0] in FOUNDATION):
        return "foundation"
    if parts[0] in PACKAGES:
        return PACKAGES[parts[0]]
    if parts[0] in STANDALONE:
        return "cli"
    return "domain"


def is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def imports(tree: ast.AST) -> list[tuple[str, bool, int]]:
    """(imported module, whether only for the type checker, line) of every aws_mfa import."""
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, typing_only, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:  # "from aws_mfa.files import ini" names a module
                submodule = f"{node.module}.{alias.name}"
                target = submodule if submodule in MODULES else node.module
                found.append((target, typing_only, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(tree, False)
    return [item for item in found if item[0].split(".")[0] == "aws_mfa"]


def all_imports() -> list[tuple[str, str, bool, int]]:
    return [
        (module, target, typing_only, line)
        for module, path in MODULES.items()
        for target, typing_only, line in imports(ast.parse(path.read_text(encoding="utf-8")))
    ]


def test_every_module_is_in_a_layer() -> None:
    assert {layer(module) for module in MODULES} <= set(LAYERS)
    assert "aws_mfa.aliases" in MODULES


def test_every_import_points_down() -> None:
    upward = [
        f"{module}:{line} imports {target} ({layer(module)} -> {layer(target)})"
        for module, target, _, line in all_imports()
        if module != "aws_mfa.aliases"
        and target != "aws_mfa.aliases"
        and LAYERS[layer(target)] > LAYERS[layer(module)]
    ]
    assert upward == []


def test_aliases_are_for_the_type_checker_only() -> None:
    at_run_time = [
        f"{module}:{line}"
        for module, target, typing_only, line in all_imports()
        if target == "aws_mfa.aliases" and not typing_only
    ]
    assert at_run_time == []


def test_nothing_imports_the_standalone_programs() -> None:
    users = [
        f"{module}:{line} imports {target}"
        for module, target, _, line in all_imports()
        if target.split(".")[1:2] and target.split(".")[1] in STANDALONE
    ]
    assert users == []


def test_no_module_name_is_used_twice() -> None:
    names: dict[str, list[str]] = {}
    for module, path in MODULES.items():
        if path.name not in ("__init__.py", "__main__.py"):
            names.setdefault(path.stem, []).append(module)
    for package in ("files", "aws", "settings", "cli", "commands"):
        names.setdefault(package, []).append(f"aws_mfa.{package}")
    assert {name: found for name, found in names.items() if len(found) > 1} == {}


@pytest.mark.parametrize("package", ["files", "aws", "settings", "cli", "commands"])
def test_each_package_says_what_it_may_import(package: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text()))
    assert docstring
    assert "import" in docstring
    assert "tests/test_layers.py" in docstring


def test_the_test_sees_an_import_that_points_up() -> None:
    tree = ast.parse(
        "if TYPE_CHECKING:\n    from aws_mfa.aliases import StrPath\n"
        "def f():\n    from aws_mfa.files import ini\n    import aws_mfa.sessions.renewal\n"
    )
    assert imports(tree) == [
        ("aws_mfa.aliases", True, 2),
        ("aws_mfa.files.ini", False, 4),
        ("aws_mfa.sessions.renewal", False, 5),
    ]
    assert LAYERS[layer("aws_mfa.sessions.renewal")] > LAYERS[layer("aws_mfa.files.ini")]
