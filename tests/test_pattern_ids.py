"""Every pattern id the code names exists: renaming a pattern cannot silently switch a remedy's branch off.

Remedies branch on the evidence (`c.evidence_has("ssh-host-key-changed")`, `c.primary_is(...)`);
an id that no pattern has any more makes that branch dead without any other test noticing
(a rename of `read-only-key` once dropped the deploy-key step this way).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bbdiag
from bbdiag import library

PACKAGE = Path(bbdiag.__file__).parent
CHECKS = {"evidence_has", "primary_is"}


def named_ids(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CHECKS:
            found += [(node.lineno, arg.value) for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_pattern_id_the_code_names_exists(path: Path) -> None:
    lib = library.load()
    missing = [f"line {line}: {pattern_id}" for line, pattern_id in named_ids(path.read_text(encoding="utf-8")) if pattern_id not in lib]
    assert not missing, f"{path.name} names patterns that do not exist: {missing}"


def test_the_check_reads_the_calls() -> None:
    assert named_ids('c.evidence_has("a", "b")\nif c.primary_is("c"): pass\n') == [(1, "a"), (1, "b"), (2, "c")]
    assert sum(len(named_ids(p.read_text(encoding="utf-8"))) for p in PACKAGE.rglob("*.py")) >= 5
