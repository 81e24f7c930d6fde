"""Outside bbdiag/hosts/ no code compares against a host id, spells a token prefix, a host's domain or its own URL scheme.

What a host knows lives in its module, so keeping one host's advice right touches one file, and
"never Bitbucket advice for a GitHub failure" holds by construction. This test reads every other
module's code (not its comments or docstrings) for the four kinds of host knowledge.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import bbdiag
from bbdiag import hosts

PACKAGE = Path(bbdiag.__file__).parent
GENERAL = sorted(p for p in PACKAGE.rglob("*.py") if PACKAGE / "hosts" not in p.parents)
HOST_IDS = {host.ID for host in hosts.REGISTRY} | {hosts.UNKNOWN}
DOMAINS = {name for host in hosts.REGISTRY for name in (host.HOSTNAME, *host.DOC_HOSTS) if name}
SCHEMES = {re.sub(r"[^a-z0-9+.-].*", "", scheme) for scheme in hosts.URL_SCHEMES}  # each regex starts with the scheme's name
PREFIXES = {re.sub(r"\[(.)[^\]]*\]", r"\1", re.sub(r"\(\?:([^|)]*)[^)]*\)", r"\1", s.prefix)) for s in hosts.TOKEN_SHAPES if s.prefix}
# Left to the issue that rewrites each of these; remove a line when that lands.
NOT_YET: dict[str, str] = {}
# Not host knowledge, though the words are the same.
NOT_HOSTS = {
    ("bbdiag/commands/scan.py", "compares against the host id 'github'"): "`scan --format github` names GitHub Actions' annotation format",
    ("bbdiag/render/sarif.py", "spells the domain github.com"): "bbdiag's own home page",
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def host_knowledge(source: str) -> list[str]:
    """Each place in `source` that compares a host id, or spells a host's domain or token prefix."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                values = operand.elts if isinstance(operand, ast.Tuple | ast.Set | ast.List) else [operand]
                for value in values:
                    if isinstance(value, ast.Constant) and value.value in HOST_IDS:
                        found.append(f"line {node.lineno}: compares against the host id {value.value!r}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            for domain in DOMAINS:
                if re.search(rf"(?<![\w.-]){re.escape(domain)}(?![\w-])", node.value):
                    found.append(f"line {node.lineno}: spells the domain {domain}")
            for prefix in PREFIXES:
                if re.search(rf"\b{re.escape(prefix)}", node.value):
                    found.append(f"line {node.lineno}: spells the token prefix {prefix}")
            for scheme in SCHEMES:
                if re.search(rf"\b{re.escape(scheme)}\b", node.value):
                    found.append(f"line {node.lineno}: spells the URL scheme {scheme}")
    return found


@pytest.mark.parametrize("path", GENERAL, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_host_knowledge_outside_the_host_modules(path: Path) -> None:
    name = str(path.relative_to(PACKAGE.parent))
    found = [f for f in host_knowledge(path.read_text(encoding="utf-8")) if (name, f.split(": ", 1)[1]) not in NOT_HOSTS]
    if name in NOT_YET:
        pytest.xfail(NOT_YET[name]) if found else pytest.fail(f"{name} is clean now: remove it from NOT_YET")
    assert not found, f"{name}: move this into its host's module (bbdiag/hosts/): {found}"


def test_the_check_finds_each_kind() -> None:
    found = host_knowledge(
        '"""A docstring may name bitbucket.org."""\nif host == "github":\n    x = "ssh-keygen -R bitbucket.org"\ny = "ATBB" + z\nu = r"(https|codecommit)://"\n'
    )
    assert sorted(f.split(": ", 1)[1] for f in found) == [
        "compares against the host id 'github'",
        "spells the URL scheme codecommit",
        "spells the domain bitbucket.org",
        "spells the token prefix ATBB",
    ]
