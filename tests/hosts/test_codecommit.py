"""AWS CodeCommit (codecommit): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

from bbdiag import hosts
from tests.hosts.remedies import check_golden, remedy_for

HOST = "codecommit"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


def test_its_host_names_and_scheme() -> None:
    assert hosts.classify("git-codecommit.eu-west-1.amazonaws.com") == "codecommit"
    assert hosts.classify("eu-west-1", scheme="codecommit") == "codecommit"


def test_a_failed_helper_brings_its_remote_helper() -> None:
    assert remedy_for(HOST, "credential-helper-failed").steps[0].command == "pip install git-remote-codecommit"
