"""No bbdiag modules import each other in a circle, counting imports inside functions.

A circle hides which stage depends on which, and an import inside a function only postpones it.
Imports under `if TYPE_CHECKING:` are not counted: they never run. Importing `a.b.c` counts as an
edge to `a.b.c` alone: that Python first runs the parent packages is how a registry package
(`bbdiag.hosts`) lists its own modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bbdiag

PACKAGE = Path(bbdiag.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, here: str) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                package = here.split(".") if MODULES.get(here, Path()).name == "__init__.py" else here.split(".")[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
        for inner in ast.iter_child_nodes(node):
            visit(inner)

    visit(tree)
    return {name for name in found if name in MODULES and name != here}


GRAPH = {name: _imports(ast.parse(path.read_text(encoding="utf-8")), name) for name, path in MODULES.items()}


def circles() -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(GRAPH):
        if node not in index:
            connect(node)
    return found


def test_the_graph_sees_imports_inside_functions() -> None:
    """A check that cannot fail is no check: the graph must hold a known function-level import."""
    assert "bbdiag.library" in GRAPH["bbdiag.doctor"]  # doctor.online_checks imports it inside the function


def test_no_import_circles() -> None:
    found = [sorted(c) for c in circles()]
    assert not found, f"modules that import each other: {found}"


def test_no_stage_imports_a_command() -> None:
    stages = [name for name in GRAPH if not name.startswith(("bbdiag.commands", "bbdiag.cli", "bbdiag.__main__"))]
    assert not [(s, sorted(t for t in GRAPH[s] if t.startswith("bbdiag.commands"))) for s in stages if any(t.startswith("bbdiag.commands") for t in GRAPH[s])]


def test_no_command_imports_the_parser() -> None:
    # cli.py loads a command by its name (importlib), which the graph cannot see as an edge, so a
    # command importing cli would be a circle that test_no_import_circles misses.
    commands = [name for name in GRAPH if name.startswith("bbdiag.commands")]
    assert commands
    assert not [name for name in commands if "bbdiag.cli" in GRAPH[name]]
