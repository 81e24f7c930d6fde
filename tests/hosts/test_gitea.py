"""Gitea, Forgejo and Gogs (gitea): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

import pytest

from bbdiag import hosts
from tests.hosts.remedies import check_golden

HOST = "gitea"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


@pytest.mark.parametrize("name", ["gitea.corp.example", "forgejo.example.com", "codeberg.org", "gogs.lan"])
def test_its_host_names(name: str) -> None:
    assert hosts.classify(name) == "gitea"


def test_its_ssh_users_name_it_where_the_host_name_does_not() -> None:
    assert hosts.classify("git.corp.example", user="gitea") == "gitea"
    assert hosts.classify("git.corp.example", user="git") == "generic"
