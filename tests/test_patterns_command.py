"""`bbdiag patterns`: the library listed within 80 columns, as JSON, filtered by host and cause."""

from __future__ import annotations

import json

import pytest

from bbdiag import library
from bbdiag.causes import CAUSES, HOSTS
from tests.conftest import CASES, bbdiag


@pytest.mark.parametrize("options", [[], ["--check"], ["--host", "bitbucket-cloud"], ["--test", str(CASES / "p001.txt")]])
def test_the_listing_fits_80_columns(options: list[str]) -> None:
    done = bbdiag("patterns", *options)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) > 5
    too_long = [line for line in lines if len(line) > 80]
    assert not too_long, too_long[:3]


def test_json_lists_every_pattern_with_its_fields() -> None:
    doc = json.loads(bbdiag("patterns", "--format", "json").stdout)
    assert len(doc["patterns"]) == len(library.load().patterns)
    first = doc["patterns"][0]
    assert {"id", "summary", "cause", "causes", "host", "role", "strength", "checked", "references", "keywords"} <= set(first)
    assert all(set(p["causes"]) <= set(CAUSES) and (p["host"] is None or p["host"] in HOSTS) for p in doc["patterns"])


def test_filters_by_host_and_cause() -> None:
    ids = {p["id"] for p in json.loads(bbdiag("patterns", "--format", "json", "--host", "bitbucket-cloud").stdout)["patterns"]}
    expected = {p.id for p in library.load().patterns if "bitbucket-cloud" in (p.host, p.host_hint) or "bitbucket-cloud" in p.cause_by_host}
    assert ids == expected and "bitbucket-change-3222" in ids
    both = json.loads(bbdiag("patterns", "--format", "json", "--host", "bitbucket-cloud", "--cause", "app-password-retired").stdout)["patterns"]
    assert both and all("app-password-retired" in p["causes"] and p["id"] in ids for p in both)
    assert len(both) < len(ids)


@pytest.mark.parametrize("option", ["--host", "--cause"])
def test_an_unknown_id_is_a_usage_error(option: str) -> None:
    done = bbdiag("patterns", option, "nonsense")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not a" in done.stderr
