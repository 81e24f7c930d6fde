"""A server's own refusal counts where git printed it, and not where a tool's API call printed the same words."""

from __future__ import annotations

import io

import pytest

from bbdiag import library, pipeline


def _primary(text: str) -> tuple[str, str] | None:
    result = pipeline.diagnose_stream(io.BytesIO(text.encode()), "t", library.load())
    if not result.diagnoses:
        return None
    first = result.diagnoses[0]
    return first.cause, first.host


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Azure DevOps: the same TF code is git's refusal beside git's failure ...
        (
            "remote: TF400813: The user 'jane@contoso.com' is not authorized to access this resource.\n"
            "fatal: Authentication failed for 'https://dev.azure.com/contoso/app/_git/app/'\n",
            ("credentials-rejected", "azure-devops"),
        ),
        (
            "remote: TF401019: The Git repository with name or identifier app does not exist or you do not have permissions for the operation you are attempting.\n"
            "fatal: repository 'https://dev.azure.com/contoso/app/_git/app/' not found\n",
            ("repository-not-found", "azure-devops"),
        ),
        # ... and a REST answer to a pipeline task or a script's API call, with no git failure at all.
        ("##[error]TF400813: The user 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa' is not authorized to access this resource.\n", None),
        (
            '##[debug]Invoke-RestMethod : {"$id":"1","innerException":null,"message":"TF401019: The Git repository with name or identifier 2180c150 does not exist or you do not have permissions for the operation you are attempting.","typeName":"Microsoft.TeamFoundation.Git.Server.GitRepositoryNotFoundException, Microsoft.TeamFoundation.Git.Server","typeKey":"GitRepositoryNotFoundException","errorCode":0,"eventId":3000}\n',
            None,
        ),
        # GitHub's REST API wording for SAML; git's own HTTPS answer is the `remote:` lines.
        ('Error: {"message":"Resource protected by organization SAML enforcement. You must grant your personal token access to this organization."}\n', None),
        (
            "remote: The `acme' organization has enabled or enforced SAML SSO. To access\n"
            "remote: this repository, you must re-authorize the OAuth Application `GitHub Desktop`.\n"
            "fatal: unable to access 'https://github.com/acme/app.git/': The requested URL returned error: 403\n",
            ("sso-authorization-required", "github"),
        ),
        # A git:// URL for github.com counts only with git's failure after it.
        (
            "$ git clone git://github.com/acme/app.git\nCloning into 'app'...\nfatal: Could not read from remote repository.\n",
            ("remote-misconfigured", "github"),
        ),
        ("url = git://github.com/acme/app.git\n", None),
        # gitlab-shell's log line names the host and the refusal that its client saw as "Access denied."
        (
            "Access denied.\nfatal: The remote end hung up unexpectedly\n"
            "W, [2014-01-23T11:54:05.518279 #26839]  WARN -- : gitlab-shell: Access denied for git command <git-upload-pack 'acme/app.git'> by user with key key-6.\n",
            ("permission-denied", "gitlab"),
        ),
        # A JGit server (Gerrit) says "non-fast forward" where git says "non-fast-forward".
        (
            " ! [remote rejected] master -> master (non-fast forward)\nerror: failed to push some refs to 'ssh://review.example.org:29418/app'\n",
            ("non-fast-forward", "generic"),
        ),
    ],
)
def test_server_wording_counts_only_where_git_printed_it(text: str, expected: tuple[str, str] | None) -> None:
    assert _primary(text) == expected
