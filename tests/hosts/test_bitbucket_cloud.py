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


def test_its_read_only_access_key_wording_says_the_key_may_only_read() -> None:
    from bbdiag import pipeline

    text = "repository access denied. access via a deployment key is read-only.\nfatal: Could not read from remote repository.\n"
    (result,) = pipeline.remedies(pipeline.diagnose_text(text).diagnoses)
    assert result[0].host == HOST and result[1].steps[0].text.startswith("A deploy/access key is read-only")
