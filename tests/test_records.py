"""One record style for values: a NamedTuple. A dataclass is for state that changes (a plan being
built, a probe's answers so far, a stand-in server's counters), so a frozen one is a value record in
the other style."""

from __future__ import annotations

import ast
from pathlib import Path

import bbdiag

ROOT = Path(bbdiag.__file__).parent.parent


def _frozen_dataclasses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and any(k.arg == "frozen" for k in decorator.keywords):
                    found.append(f"{path.relative_to(ROOT)}: {node.name}")
    return found


def test_value_records_are_named_tuples() -> None:
    files = [*(ROOT / "bbdiag").rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    assert len(files) > 50
    assert [found for path in files for found in _frozen_dataclasses(path)] == []
