"""Azure DevOps (azure-devops): recognition, its remedies (golden file) and what it specialises."""

from __future__ import annotations

import pytest

from bbdiag import hosts
from tests.hosts.remedies import check_golden, remedy_for

HOST = "azure-devops"


def test_every_remedy_is_in_the_golden_file() -> None:
    check_golden(HOST)


@pytest.mark.parametrize("name", ["dev.azure.com", "ssh.dev.azure.com", "acme.visualstudio.com", "tfs.corp.example"])
def test_its_host_names(name: str) -> None:
    assert hosts.classify(name) == "azure-devops"


def test_write_access_is_granted_in_its_repository_security() -> None:
    assert "Contribute permission" in remedy_for(HOST, "permission-denied").steps[0].text
