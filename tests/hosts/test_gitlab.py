"""GitLab (gitlab): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

import pytest

from bbdiag import hosts, knowledge
from tests.hosts.remedies import check_golden, remedy_for

HOST = "gitlab"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


@pytest.mark.parametrize("name", ["gitlab.com", "eu.gitlab.com", "gitlab.corp.example", "mygitlab.corp.example"])
def test_its_host_names(name: str) -> None:
    assert hosts.classify(name) == "gitlab"


def test_an_account_password_gets_its_token_documentation() -> None:
    assert remedy_for(HOST, "account-password-rejected").docs == (knowledge.load().fact("gitlab-token-docs"),)
