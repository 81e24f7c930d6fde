"""Bitbucket Cloud (bitbucket-cloud): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

import pytest

from bbdiag import hosts, remote_urls
from tests.hosts.remedies import check_golden, remedy_for

HOST = "bitbucket-cloud"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


@pytest.mark.parametrize("name", ["bitbucket.org", "api.bitbucket.org", "altssh.bitbucket.org", "ws.bitbucket.org"])
def test_its_own_host_names(name: str) -> None:
    assert hosts.classify(name) == "bitbucket-cloud"


def test_a_look_alike_domain_is_not_bitbucket_cloud() -> None:
    assert hosts.classify("bitbucket.org.evil.example") != "bitbucket-cloud"


def test_an_ssh_remote_is_set_back_to_its_https_url_with_the_workspace() -> None:
    url = remote_urls.parse("git@bitbucket.org:acme/site")
    assert url is not None
    steps = remedy_for(HOST, "credentials-rejected", url).steps
    assert any(s.command == "git remote set-url origin https://<your-bitbucket-username>@bitbucket.org/acme/site.git" for s in steps)
