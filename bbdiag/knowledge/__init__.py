"""Dated knowledge: host policies with the dates they take effect, and the facts remedies quote.

Both are data (policies.toml, facts.toml), each entry with its sources and the day it was last
checked, so that a remedy can be chosen by the date and anyone can see how current it is.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from bbdiag.causes import HOSTS
from bbdiag.fields import Fields
from bbdiag.records import NamedTuple

HERE = os.path.dirname(__file__)
AS_OF_VARIABLE = "BBDIAG_AS_OF"


class KnowledgeError(Exception):
    """A knowledge file is wrong: the message names the file, the entry and the field."""


class Policy(NamedTuple):
    id: str
    host: str
    starts: dt.date
    ends: dt.date | None
    summary: str
    sources: tuple[str, ...]
    checked: dt.date

    def in_force(self, day: dt.date) -> bool:
        return self.starts <= day and (self.ends is None or day < self.ends)


class Fact(NamedTuple):
    id: str
    value: str
    sources: tuple[str, ...]
    checked: dt.date


class Knowledge(NamedTuple):
    policies: Mapping[str, Policy]
    facts: Mapping[str, Fact]

    def fact(self, fact_id: str) -> str:
        return self.facts[fact_id].value

    def in_force(self, policy_id: str, day: dt.date) -> bool:
        return self.policies[policy_id].in_force(day)

    def date_of(self, policy_id: str) -> str:
        return self.policies[policy_id].starts.isoformat()


def load(directory: str | os.PathLike[str] = HERE) -> Knowledge:
    from bbdiag import cache

    return cache.memoised("knowledge", os.fspath(directory), (".toml",), lambda: _parse(directory), records=(Knowledge, Policy, Fact))


def _parse(directory: str | os.PathLike[str]) -> Knowledge:
    policies = {key: _policy(key, entry) for key, entry in _read(os.path.join(directory, "policies.toml")).items()}
    facts = {key: _fact(key, entry) for key, entry in _read(os.path.join(directory, "facts.toml")).items()}
    return Knowledge(policies, facts)


def today(as_of: str | None = None) -> dt.date:
    """ "Today" for remedies: --as-of, else $BBDIAG_AS_OF, else the real date."""
    text = as_of or os.environ.get(AS_OF_VARIABLE)
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        source = "--as-of" if as_of else AS_OF_VARIABLE
        raise ValueError(f"{source}: '{text}' is not a date (YYYY-MM-DD)") from exc


def _read(path: str) -> dict[str, dict[str, object]]:
    import tomllib

    try:
        with open(path, encoding="utf-8") as handle:
            return tomllib.loads(handle.read())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeError(f"{os.path.basename(path)}: {exc}") from exc


def _sources(entry: Fields) -> tuple[str, ...]:
    sources = entry.texts("sources")
    if not all(s.startswith("https://") for s in sources):
        raise entry.error("sources", "must list https:// addresses")
    return tuple(sources)


def _policy(key: str, data: dict[str, object]) -> Policy:
    entry = Fields(f"policies.toml [{key}]", data, KnowledgeError)
    return Policy(
        id=key,
        host=entry.choice("host", HOSTS),
        starts=entry.date("starts"),
        ends=entry.date("ends", optional=True),
        summary=entry.text("summary"),
        sources=_sources(entry),
        checked=entry.date("checked"),
    )


def _fact(key: str, data: dict[str, object]) -> Fact:
    entry = Fields(f"facts.toml [{key}]", data, KnowledgeError)
    return Fact(id=key, value=entry.text("value"), sources=_sources(entry), checked=entry.date("checked"))


def policy_table(k: Knowledge) -> str:
    """The dated policies as a Markdown table, for the README (tools/update-readme writes it)."""
    rows = ["| from | until | host | policy | source | checked |", "|---|---|---|---|---|---|"]
    for p in sorted(k.policies.values(), key=lambda p: (p.starts, p.id)):
        until = p.ends.isoformat() if p.ends else ""
        rows.append(f"| {p.starts} | {until} | {HOSTS[p.host]} | {p.summary} | {p.sources[0]} | {p.checked} |")
    return "\n".join(rows) + "\n"
