"""GitHub (github): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

import pytest

from bbdiag import hosts, remote_urls
from tests.hosts.remedies import check_golden, remedy_for

HOST = "github"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


@pytest.mark.parametrize("name", ["github.com", "api.github.com", "acme.ghe.com", "raw.githubusercontent.com", "ghe.corp.example"])
def test_its_host_names(name: str) -> None:
    assert hosts.classify(name) == "github"


def test_ssh_over_port_443_names_its_own_host() -> None:
    url = remote_urls.parse("git@github.com:acme/site.git")
    steps = remedy_for(HOST, "network", url).steps
    assert steps[-1].command == "ssh -T -p 443 git@ssh.github.com"
