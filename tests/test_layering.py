"""The package is laid out as its data flows (see README, "How it fits together"): each layer imports only the
layers below it, and the applications never import each other. An AST walk over every import, including the
ones inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "phraselint"

# Lower rank: lower layer. A module may import its own layer and those of lower rank only.
RANK = {
    "errors": 0,
    "model": 0,
    "data": 1,
    "engine": 2,
    "read": 3,
    "check": 4,
    "output": 5,
    "command_line": 6,
    "cli": 7,
    "report": 7,
    "quiz": 7,
    "service": 7,
    "lsp": 7,
    "spark": 7,
    "__main__": 8,  # `python -m phraselint`: the command line's entry point, above everything
}
APPLICATIONS = {"cli", "report", "quiz", "service", "lsp", "spark"}
# The one import upward, on purpose: the catalogue's self-tests (data/rule_tests.py) run each rule's examples
# through the engine before the catalogue is trusted.
ALLOWED = {("phraselint.data.rule_tests", "engine")}


def _layer(module: str) -> str | None:
    """The layer of ``phraselint.x.y``; None for the package itself (its public API) and non-phraselint."""
    parts = module.split(".")
    if parts[0] != "phraselint" or len(parts) == 1:
        return None
    return parts[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            if not node.module:  # from . import x: x is a module, or a name of the package (__version__)
                found += [
                    (node.lineno, f"{target}.{a.name}") for a in node.names if not a.name.startswith("_")
                ]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_module_is_in_a_layer() -> None:
    assert {_layer(_module_name(p)) for p in MODULES} <= set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_imports_only_its_own_layer_and_those_below(path: Path) -> None:
    own = _layer(_module_name(path))
    assert own is not None
    wrong = []
    for line, target in _imports(path):
        layer = _layer(target)
        if layer is None or layer == own or (_module_name(path), layer) in ALLOWED:
            continue
        if RANK[layer] > RANK[own] or (layer in APPLICATIONS and own in APPLICATIONS):
            wrong.append(f"{path.relative_to(PACKAGE)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_engine_and_read_import_nothing_above_them() -> None:
    above = {"check", "output", "command_line", *APPLICATIONS}
    for path in MODULES:
        if _layer(_module_name(path)) in {"engine", "read"}:
            assert not [t for _, t in _imports(path) if _layer(t) in above], path
