"""Bitbucket Data Center (bitbucket-dc): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

import pytest

from bbdiag import hosts, remote_urls
from tests.hosts.remedies import check_golden, remedy_for

HOST = "bitbucket-dc"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


@pytest.mark.parametrize(
    ("name", "path", "port"),
    [("git.corp.example", "/scm/PROJ/repo.git", None), ("git.corp.example", "/proj/repo.git", 7999), ("stash.corp.example", "", None)],
)
def test_its_signs(name: str, path: str, port: int | None) -> None:
    assert hosts.classify(name, path, port) == "bitbucket-dc"


def test_a_token_pasted_into_the_url_is_named_for_data_center() -> None:
    text = "fatal: unable to access 'https://bb.corp/scm/p/r.git/': URL using bad/illegal format or missing URL\n"
    steps = remedy_for(HOST, "remote-misconfigured", remote_urls.parse("https://bb.corp/scm/p/r.git"), text).steps
    assert any("Data Center's HTTP access tokens often hold '/'" in s.text for s in steps)
