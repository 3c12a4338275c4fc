"""The package's layers, and every import pointing down.

The order is written once, in docs/architecture.md ("Layers", a numbered
list from the bottom); this test reads it there, and every docstring that
speaks of layers points to it. A module may import modules of its own item
and of the items before it, never one after. Every import counts: at the top
or in a function, ``TYPE_CHECKING`` blocks, relative imports,
``importlib.import_module`` and ``__import__``. Beyond the order:

- no module of ``commands/`` imports another command (shared work has a
  home of its own);
- no cycle of imports at run time, even through an import in a function;
- ``aliases`` exists for the type checker alone: imported only under
  ``TYPE_CHECKING``, it may name anything;
- ``demo`` and ``__main__`` are programs of their own: nothing imports them;
- no module name is used twice.

Each rule is shown catching the import it is for, on small made-up modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "aws_mfa"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
TYPES_ONLY = "aws_mfa.aliases"
STANDALONE = ("aws_mfa.demo", "aws_mfa.__main__")
IMPORTERS = ("import_module", "__import__")


def module_names(root: Path = PACKAGE) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        found[".".join(("aws_mfa", *parts))] = path
    return found


def written_order(text: str) -> list[list[str]]:
    """The layers as the "Layers" section of docs/architecture.md numbers them, from the
    bottom: the backticked names before each item's colon (``files/`` is the package)."""
    section = text.split("\n## Layers\n", 1)[1].split("\n## ", 1)[0]
    items = re.findall(r"^\d+\. (.+?):", section, re.M)
    return [[name.rstrip("/") for name in re.findall(r"`([^`]+)`", item)] for item in items]


def unit(module: str) -> str:
    """What the order names a module by: its top-level module or package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


class Import(ast.NodeVisitor):
    """Every aws_mfa import of one module: (target, only for the type checker, line)."""

    def __init__(self, module: str, is_package: bool, known: set[str]) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.known = known
        self.found: list[tuple[str, bool, int]] = []
        self.unreadable: list[int] = []
        self.typing_only = False

    def add(self, target: str, line: int) -> None:
        if target.split(".")[0] == "aws_mfa":
            self.found.append((target, self.typing_only, line))

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            before, self.typing_only = self.typing_only, True
            for child in node.body:
                self.visit(child)
            self.typing_only = before
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            anchor = self.package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:  # "from aws_mfa.files import ini" names a module
            submodule = f"{base}.{alias.name}"
            self.add(submodule if submodule in self.known else base, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in IMPORTERS and node.args:
            target = literal_prefix(node.args[0])
            if target is None:
                self.unreadable.append(node.lineno)
            elif target.startswith("."):
                package = next((k.value for k in node.keywords if k.arg == "package"), None)
                self.add(f"{package}{target}" if isinstance(package, str) else target, node.lineno)
            else:
                self.add(target, node.lineno)
        self.generic_visit(node)


def literal_prefix(node: ast.expr) -> str | None:
    """The module a dynamic import names: a string, or the package an f-string begins with
    (``f"aws_mfa.commands.{name}"`` imports a module of ``aws_mfa.commands``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and str(first.value).endswith("."):
            return str(first.value).rstrip(".")
    return None


def imports_of(sources: dict[str, tuple[str, bool]]) -> dict[str, Import]:
    """Each module's imports; ``sources`` maps a module to its text and whether it is a
    package's ``__init__``."""
    known = set(sources)
    found = {}
    for module, (text, is_package) in sources.items():
        visitor = Import(module, is_package, known)
        visitor.visit(ast.parse(text))
        found[module] = visitor
    return found


def problems(sources: dict[str, tuple[str, bool]], order: list[list[str]]) -> list[str]:
    """Every import that breaks a rule of the module's docstring, as ``module:line: why``."""
    rank = {name: index for index, names in enumerate(order) for name in names}
    found = imports_of(sources)
    wrong = []
    for module, visitor in found.items():
        wrong += [
            f"{module}:{line}: an import this test cannot read" for line in visitor.unreadable
        ]
        for target, typing_only, line in visitor.found:
            why = wrong_import(module, target, typing_only, rank)
            if why:
                wrong.append(f"{module}:{line}: {why}")
    return wrong + [f"cycle: {' -> '.join(cycle)}" for cycle in cycles(found)]


def wrong_import(module: str, target: str, typing_only: bool, rank: dict[str, int]) -> str | None:
    """Why ``module`` may not import ``target``; None when it may."""
    if module == TYPES_ONLY:
        return None
    if target == TYPES_ONLY:
        return None if typing_only else "aliases imported at run time"
    if target in STANDALONE:
        return f"imports {target}, a program of its own"
    if module.startswith("aws_mfa.commands.") and target.startswith("aws_mfa.commands."):
        return None if target == module else f"a command imports another command, {target}"
    source, goal = rank.get(unit(module)), rank.get(unit(target))
    if source is None or goal is None:
        return f"{unit(module) if source is None else unit(target)} is in no layer"
    if goal > source:
        return f"imports {target}, which comes later in the order"
    return None


def cycles(found: dict[str, Import]) -> list[list[str]]:
    """The cycles of imports made at run time (a type checker's import runs nothing)."""
    graph = {
        module: sorted({t for t, typing_only, _ in visitor.found if not typing_only and t in found})
        for module, visitor in found.items()
    }
    seen: set[str] = set()
    loops: list[list[str]] = []

    def walk(module: str, path: list[str]) -> None:
        if module in path:
            loops.append([*path[path.index(module) :], module])
            return
        if module in seen:
            return
        seen.add(module)
        for target in graph[module]:
            walk(target, [*path, module])

    for module in graph:
        walk(module, [])
    return loops


def real_sources() -> dict[str, tuple[str, bool]]:
    return {
        module: (path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for module, path in module_names().items()
    }


ORDER = written_order(ARCHITECTURE.read_text(encoding="utf-8"))


def test_the_order_is_written_and_names_every_module_once() -> None:
    listed = [name for names in ORDER for name in names]
    assert len(listed) == len(set(listed))
    units = {unit(module) for module in module_names()} - {unit(TYPES_ONLY)}
    assert set(listed) == units


def test_every_import_follows_the_rules() -> None:
    assert problems(real_sources(), ORDER) == []


def test_no_module_name_is_used_twice() -> None:
    names: dict[str, list[str]] = {}
    for module, path in module_names().items():
        if module != "aws_mfa" and path.name != "__main__.py":
            names.setdefault(module.rpartition(".")[2], []).append(module)
    assert {name: found for name, found in names.items() if len(found) > 1} == {}


def test_each_package_points_to_the_written_order() -> None:
    for path in sorted(PACKAGE.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, path
        assert "docs/architecture.md" in docstring, path
        assert "tests/test_layers.py" in docstring, path


# Each rule catches what it is for, on made-up modules.

SMALL_ORDER = [["aws_mfa", "errors"], ["files"], ["expiry"], ["server"], ["cli", "commands"]]


def made_up(**modules: str) -> dict[str, tuple[str, bool]]:
    """Modules by dotted name after ``aws_mfa`` (``files__ini`` is ``aws_mfa.files.ini``)."""
    sources = {"aws_mfa": ("", True)}
    for name, text in modules.items():
        dotted = "aws_mfa." + name.replace("__", ".")
        sources[dotted] = (text, False)
        parent = dotted.rpartition(".")[0]
        while parent not in sources:
            sources[parent] = ("", True)
            parent = parent.rpartition(".")[0]
    return sources


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("from aws_mfa import server", "comes later"),
        ("import aws_mfa.server", "comes later"),
        ("def f():\n    from aws_mfa.server import x", "comes later"),
        ("if TYPE_CHECKING:\n    from aws_mfa.server import X", "comes later"),
        ("from . import server", "comes later"),
        ("from .server import serve", "comes later"),
        ("import importlib\nimportlib.import_module('aws_mfa.server')", "comes later"),
        ("from importlib import import_module\nimport_module('aws_mfa.server')", "comes later"),
        ("__import__('aws_mfa.server')", "comes later"),
        ("__import__(f'aws_mfa.cli.{name}')", "comes later"),
        ("import importlib\nimportlib.import_module(name)", "cannot read"),
        ("import aws_mfa.aliases", "aliases imported at run time"),
        ("import aws_mfa.demo", "a program of its own"),
        ("import aws_mfa.nowhere", "in no layer"),
    ],
)
def test_an_import_that_breaks_the_order_is_seen(text: str, why: str) -> None:
    sources = made_up(expiry=text, server="", cli__main="", aliases="", demo="", nowhere="")
    found = problems(sources, [*SMALL_ORDER, ["demo"]])
    assert len(found) == 1
    assert why in found[0]
    assert found[0].startswith("aws_mfa.expiry:")


def test_the_order_among_top_level_modules_is_seen() -> None:
    sources = made_up(expiry="", server="from aws_mfa import expiry")
    assert problems(sources, SMALL_ORDER) == []
    assert problems(sources, [["aws_mfa"], ["server"], ["expiry"]]) != []


def test_a_command_importing_another_is_seen() -> None:
    sources = made_up(
        commands__login="from aws_mfa.cli import main",
        commands__export="from aws_mfa.commands.login import prepare",
        cli__main="__import__(f'aws_mfa.commands.{name}')",
    )
    found = problems(sources, SMALL_ORDER)
    assert len(found) == 1
    assert "aws_mfa.commands.export:1: a command imports another command" in found[0]


def test_a_cycle_through_a_function_level_import_is_seen() -> None:
    sources = made_up(
        files__a="from aws_mfa.files import b",
        files__b="def later():\n    from aws_mfa.files import a",
        files__c="if TYPE_CHECKING:\n    from aws_mfa.files import a\n",
    )
    assert problems(sources, SMALL_ORDER) == [
        "cycle: aws_mfa.files.a -> aws_mfa.files.b -> aws_mfa.files.a"
    ]


def test_the_module_map_of_docs_matches_the_tree() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    tree = text.split("\n## Module map\n", 1)[1].split("```text\n", 1)[1].split("\n```", 1)[0]
    shown = set(re.findall(r"[├└]── ([\w.]+/?)", tree))
    files = {
        path.relative_to(PACKAGE).parts[-1] if path.name != "__init__.py" else None
        for path in PACKAGE.rglob("*.py")
    } - {None}
    folders = {f"{path.name}/" for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    assert shown == files | folders | {"__init__.py"}


def test_at_most_twenty_modules_at_the_top() -> None:
    top = [
        path.name
        for path in PACKAGE.glob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    ]
    assert len(top) <= 20, sorted(top)
