"""Facts and policies are dated data, quoted by code, never repeated as prose.

A scope, a user name, a page or a date that knowledge/*.toml holds is spelled there once; a remedy,
a finding or a check that needs it quotes it (`c.fact(...)`, `k.policies[...]`). Spelled again in
code, it would not change when the host changes it and the file is updated. This test reads every
module's string literals (not its comments or docstrings) for each fact's value, each part of a
listed value ("read:…, write:…"), and each policy's dates as ISO and as written in prose.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
from pathlib import Path

import pytest

import bbdiag
from bbdiag import knowledge
from tests.test_host_knowledge_stays_in_hosts import _docstrings

PACKAGE = Path(bbdiag.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
SHORTEST = 5  # a shorter value ("git") is a word, not a fact


def _prose(day: dt.date) -> tuple[str, ...]:
    month = day.strftime("%B")
    return (day.isoformat(), f"{month} {day.day}, {day.year}", f"{day.day} {month} {day.year}")


@functools.cache  # loaded in a test, after its isolation, never at import (test_isolation)
def quoted_values() -> dict[str, str]:
    """What code must not spell: text -> the knowledge entry that holds it."""
    k = knowledge.load()
    values: dict[str, str] = {}
    for fact in k.facts.values():
        for part in {fact.value, *(p.strip() for p in fact.value.split(","))}:
            if len(part) >= SHORTEST:
                values[part] = f"fact {fact.id}"
    for policy in k.policies.values():
        for day in (policy.starts, *([policy.ends] if policy.ends else [])):
            for text in _prose(day):
                values[text] = f"policy {policy.id}"
    return values


def repeated(source: str) -> list[str]:
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    return [
        f"line {node.lineno}: {text!r} is {entry}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
        for text, entry in quoted_values().items()
        if text in node.value
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_code_quotes_knowledge_instead_of_repeating_it(path: Path) -> None:
    found = repeated(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(PACKAGE.parent)}: quote these from bbdiag/knowledge/*.toml: {found}"


def test_the_check_finds_a_fact_and_a_date() -> None:
    fact = next(iter(knowledge.load().facts.values()))
    policy = next(iter(knowledge.load().policies.values()))
    source = f'"""{fact.value} in a docstring is fine."""\nx = "see {fact.value}"\ny = "since {_prose(policy.starts)[1]}"\n'
    assert [f.split(": ", 1)[0] for f in repeated(source)] == ["line 2", "line 3"]


def test_redaction_takes_the_token_user_names_from_the_hosts_facts() -> None:
    from bbdiag.redact import MASK, redact

    for fact_id in ("bitbucket-access-token-username", "bitbucket-api-token-git-username"):
        user = knowledge.load().fact(fact_id)
        assert redact(f"token={user}") == f"token={user}"  # a word every user of the host types
    assert redact("token=s3cr3t-value-here") == f"token={MASK}"
