"""The host from all the evidence (issue 13): masked names, placeholders, addresses, SSH users."""

from __future__ import annotations

import pytest

from bbdiag import pipeline


@pytest.mark.parametrize(
    ("text", "host"),
    [
        # Data Center's /scm/ path and its SSH port say the product when the name is masked.
        ("fatal: unable to access 'https://***/scm/proj/repo.git/': The requested URL returned error: 401\n", "bitbucket-dc"),
        (
            "git clone ssh://git@***:7999/proj/repo.git\ngit@***: Permission denied (publickey).\nfatal: Could not read from remote repository.\n",
            "bitbucket-dc",
        ),
        # A masked name alone, or a template's placeholder, names no host.
        ("fatal: Authentication failed for 'https://***/acme/repo.git/'\n", "unknown"),
        ("fatal: unable to access 'https://<host>/a/repo.git/': Could not resolve host: <host>\n", "unknown"),
        # A server named only by its address is some server: generic, never unknown.
        ("fatal: unable to access 'https://10.20.30.40/a/repo.git/': The requested URL returned error: 403\n", "generic"),
        ("Unable to negotiate with 88.80.190.207 port 29418: no matching host key type found. Their offer: ssh-rsa\n", "generic"),
        # The SSH user a product's installs use.
        ("$ git clone gogs@myhost:bon/testrepo.git\nCloning into 'testrepo'...\nfatal: Could not read from remote repository.\n", "gitea"),
    ],
)
def test_the_host_comes_from_all_the_evidence(text: str, host: str) -> None:
    (only,) = pipeline.diagnose_text(text).diagnoses
    assert only.host == host
