"""Dated knowledge: every fact sourced and re-checked within 12 months."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bbdiag import knowledge, library
from bbdiag.knowledge import KnowledgeError

STALE_AFTER = dt.timedelta(days=365)
TODAY = dt.date.today()  # the real date: staleness is about the calendar, not --as-of


def test_no_policy_or_fact_is_stale() -> None:
    k = knowledge.load()
    stale = [
        f"{kind} {entry.id} (checked {entry.checked}; re-check {', '.join(entry.sources)})"
        for kind, entries in (("policy", k.policies.values()), ("fact", k.facts.values()))
        for entry in entries
        if TODAY - entry.checked > STALE_AFTER
    ]
    assert not stale, "not re-checked for 12 months:\n" + "\n".join(stale)


def test_no_pattern_is_stale() -> None:
    stale = [f"{p.file} (checked {p.checked}; re-check {', '.join(p.references)})" for p in library.load().patterns if TODAY - p.checked > STALE_AFTER]
    assert not stale, "not re-checked for 12 months:\n" + "\n".join(stale)


def test_policies_are_in_force_from_start_to_end() -> None:
    k = knowledge.load()
    assert not k.in_force("bitbucket-app-password-brownouts", dt.date(2026, 6, 8))
    assert k.in_force("bitbucket-app-password-brownouts", dt.date(2026, 6, 9))
    assert k.in_force("bitbucket-app-password-brownouts", dt.date(2026, 7, 27))
    assert not k.in_force("bitbucket-app-password-brownouts", dt.date(2026, 7, 28))
    assert k.in_force("bitbucket-app-passwords-removed", dt.date(2026, 7, 28))


def test_as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(knowledge.AS_OF_VARIABLE, "2023-01-02")
    assert knowledge.today() == dt.date(2023, 1, 2)
    assert knowledge.today("2024-02-03") == dt.date(2024, 2, 3)
    with pytest.raises(ValueError, match="--as-of"):
        knowledge.today("yesterday")


def test_a_broken_entry_is_named(tmp_path: Path) -> None:
    (tmp_path / "facts.toml").write_text('[x]\nvalue = "v"\nsources = ["ftp://nope"]\nchecked = 2026-01-01\n')
    (tmp_path / "policies.toml").write_text("")
    with pytest.raises(KnowledgeError, match=r"facts.toml \[x\]: field 'sources'"):
        knowledge._parse(tmp_path)


def test_a_broken_policy_names_its_field(tmp_path: Path) -> None:
    (tmp_path / "facts.toml").write_text("")
    entry = '[p]\nhost = "{host}"\nstarts = {starts}\nsummary = "s"\nsources = ["https://example.com/"]\nchecked = 2026-01-01\n'
    (tmp_path / "policies.toml").write_text(entry.format(host="bitbucket-cloud", starts="2026-01-01T10:00:00Z"))
    with pytest.raises(KnowledgeError, match=r"policies.toml \[p\]: field 'starts': must be a date"):
        knowledge._parse(tmp_path)
    (tmp_path / "policies.toml").write_text(entry.format(host="sourceforge", starts="2026-01-01"))
    with pytest.raises(KnowledgeError, match=r"policies.toml \[p\]: field 'host': 'sourceforge' is not one of"):
        knowledge._parse(tmp_path)
    (tmp_path / "policies.toml").write_text(entry.format(host="bitbucket-cloud", starts="2026-01-01"))
    assert knowledge._parse(tmp_path).policies["p"].ends is None
