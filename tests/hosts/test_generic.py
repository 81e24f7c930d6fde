"""any other server (generic): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

import pytest

from bbdiag import hosts, remote_urls
from tests.hosts.remedies import check_golden, remedy_for

HOST = "generic"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


@pytest.mark.parametrize("name", ["git.example.org", "10.0.0.5", "localhost", "buildserver"])
def test_any_other_server_is_generic(name: str) -> None:
    assert hosts.classify(name) == "generic"


def test_its_remedies_name_the_server_by_its_host_name() -> None:
    r = remedy_for(HOST, "credentials-rejected", remote_urls.parse("https://git.example.org/a/b.git"))
    assert r.title == "Git.example.org rejected the credential"
