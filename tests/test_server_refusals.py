"""Servers' own refusals, whole: each server's wording as git shows it (under `remote: `, in a
`[remote rejected]` reason, or on ssh's stderr) with git's own lines around it, gets the server's
cause and host, decided by the server's line rather than by git's generic `hook declined`.

The wordings come from each server's source or documentation (the patterns' `references`); these
tests check what the single-line examples in the pattern files cannot: that the server's line
wins over git's generic lines in its failure, where the host comes from, and that a refusal which
is not about the credential never blames it.
"""

from __future__ import annotations

import pytest

from bbdiag import pipeline
from bbdiag.diagnose import Diagnosis

HOOK_DECLINED = " ! [remote rejected] main -> main (pre-receive hook declined)\n"
TRAILER = "fatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n"


def _push(server_lines: str, url: str) -> str:
    return f"{server_lines}To {url}\n{HOOK_DECLINED}error: failed to push some refs to '{url}'\n"


def _gerrit(reason: str) -> str:
    url = "ssh://review.example.com:29418/tools/build"
    return f"To {url}\n ! [remote rejected] HEAD -> refs/for/master ({reason})\nerror: failed to push some refs to '{url}'\n"


GITEA = "https://git.example.com/acme/site.git"
GITLAB = "https://gitlab.example.com/acme/site.git"

CASES = [
    # Gitea / Forgejo / Gogs: the hook prints "Gitea: <message>"; HTTP refusals are text/plain bodies.
    (_push("remote: Gitea: branch main is protected from deletion\n", GITEA), "branch-protected", "gitea", "gitea-branch-protection-rules"),
    (_push("remote: Forgejo: branch main is protected from unverified commit 1a2b3c4d\n", GITEA), "branch-protected", "gitea", "gitea-branch-protection-rules"),
    (
        _push("remote: Gogs: Branch 'main' is protected and commits must be merged through pull request\n", GITEA),
        "branch-protected",
        "gitea",
        "gogs-protected-branch",
    ),
    (
        "remote: Users with two-factor authentication enabled cannot perform HTTP/HTTPS operations via plain username and password. Please create and use a personal access token on the user settings page\n"
        f"fatal: Authentication failed for '{GITEA}/'\n",
        "account-password-rejected",
        "gitea",
        "gitea-two-factor-password",
    ),
    (
        f"remote: Interacting with repositories by HTTP protocol is not allowed\nfatal: unable to access '{GITEA}/': The requested URL returned error: 403\n",
        "remote-misconfigured",
        "gitea",
        "gitea-http-git-disabled",
    ),
    ("Gogs: Repository does not exist or you do not have access\n" + TRAILER, "repository-not-found", "gitea", "gogs-repository-not-found"),
    # GitLab: Gitlab::Checks and the EE push rules, shown as "remote: GitLab: <message>".
    (
        _push("remote: GitLab: You can only delete protected branches using the web interface.\n", GITLAB),
        "branch-protected",
        "gitlab",
        "gitlab-protected-branch-rules",
    ),
    (_push("remote: GitLab: Protected tags cannot be updated.\n", GITLAB), "branch-protected", "gitlab", "gitlab-protected-tag"),
    (_push("remote: GitLab: Commit message does not follow the pattern '^(feat|fix):'\n", GITLAB), "push-rejected-by-policy", "gitlab", "gitlab-push-rules"),
    (
        _push('remote: GitLab: LFS objects are missing. Ensure LFS is properly set up or try a manual "git lfs push --all".\n', GITLAB),
        "push-rejected-by-policy",
        "gitlab",
        "gitlab-lfs-objects-missing",
    ),
    (
        f"remote: Your account is pending approval from your administrator and hence blocked.\nfatal: unable to access '{GITLAB}/': The requested URL returned error: 403\n",
        "account-locked",
        "gitlab",
        "gitlab-account-state",
    ),
    # Gerrit: the reason is the `[remote rejected]` line's own; the host is the remote's.
    (_gerrit("invalid author"), "push-rejected-by-policy", "generic", "gerrit-forged-identity"),
    (_gerrit("no new changes"), "push-rejected-by-policy", "generic", "gerrit-change-rejected"),
    (_gerrit("Upload denied for project 'tools/build'"), "permission-denied", "generic", "gerrit-upload-denied"),
    (_gerrit("Exceeding maximum number of files per change (100001 > 100000)"), "size-limit", "generic", "gerrit-too-many-files"),
    # GitHub: GH003 is a branch rule, not the generic GHxxx policy refusal.
    (
        _push("remote: error: GH003: Sorry, force-pushing to main is not allowed.\n", "https://github.com/acme/site.git"),
        "branch-protected",
        "github",
        "github-force-push-not-allowed",
    ),
    (
        "ERROR: The 'acme' organization requires SSH keys to be re-approved periodically.\n[EPOLICYKEYAGE]\n" + TRAILER,
        "ssh-key-rejected",
        "github",
        "github-ssh-key-policy",
    ),
    (
        "remote: Duplicate header: \"Authorization\"\nfatal: unable to access 'https://github.com/acme/site/': The requested URL returned error: 400\n",
        "credentials-rejected",
        "github",
        "github-duplicate-authorization-header",
    ),
    (
        "remote: Although you appear to have the correct authorization credentials,\nremote: the `acme` organization has an IP allow list enabled.\n"
        "fatal: unable to access 'https://github.com/acme/site/': The requested URL returned error: 403\n",
        "sso-authorization-required",
        "github",
        "github-ip-allow-list",
    ),
    # Azure DevOps.
    ("remote: Public key authentication failed.\n" + TRAILER, "ssh-key-rejected", "azure-devops", "azure-ssh-public-key-failed"),
    (
        "remote: VS403463: The conditional access policy defined by your Azure Active Directory administrator has failed.\n"
        "fatal: Authentication failed for 'https://dev.azure.com/acme/site/_git/site/'\n",
        "sso-authorization-required",
        "azure-devops",
        "azure-vs403463-conditional-access",
    ),
    # Bitbucket Data Center: YACC's lines and Data Center's own, with a /scm/ URL.
    (
        _push("remote: refs/heads/main: 1a2b3c4: commit message doesn't match regex: ^[A-Z]+-\\d+ .*\n", "https://bitbucket.corp.example/scm/acme/site.git"),
        "push-rejected-by-policy",
        "bitbucket-dc",
        "bitbucket-dc-yacc",
    ),
    (
        "Cloning into 'site'...\nremote: Communication breakdown with Bitbucket\nremote: aborting due to possible repository corruption on the remote side.\nfatal: fetch-pack: invalid index-pack output\n",
        "network",
        "bitbucket-dc",
        "bitbucket-dc-communication-breakdown",
    ),
    # AWS CodeCommit: the AWS CLI helper's own failure, then the 403 it causes.
    (
        "aws codecommit credential-helper $@ get: aws: command not found\n"
        "fatal: unable to access 'https://git-codecommit.us-east-2.amazonaws.com/v1/repos/MyDemoRepo/': The requested URL returned error: 403\n",
        "credential-helper-failed",
        "codecommit",
        "codecommit-aws-cli-missing",
    ),
    # git's own receive-pack on the server: a hidden ref, or the ref moved while the push was in flight.
    (
        "To https://github.com/acme/site.git\n ! [remote rejected] refs/pull/1/head -> refs/pull/1/head (deny updating a hidden ref)\n"
        "error: failed to push some refs to 'https://github.com/acme/site.git'\n",
        "push-rejected-by-policy",
        "github",
        "git-receive-pack-refusals",
    ),
    (
        f"To {GITEA}\n ! [remote rejected] main -> main (incorrect old value provided)\nerror: failed to push some refs to '{GITEA}'\n",
        "non-fast-forward",
        "generic",
        "git-receive-pack-ref-moved",
    ),
    # gitolite.
    ("FATAL: invalid repo name: 'acme site'\n" + TRAILER, "remote-misconfigured", "unknown", "gitolite-bad-request"),
]


def _only(text: str) -> Diagnosis:
    (only,) = pipeline.diagnose_text(text).diagnoses
    return only


@pytest.mark.parametrize(("text", "cause", "host", "pattern_id"), CASES, ids=[c[3] for c in CASES])
def test_the_servers_own_line_decides_cause_and_host(text: str, cause: str, host: str, pattern_id: str) -> None:
    only = _only(text)
    assert (only.cause, only.host) == (cause, host)
    assert pattern_id in {h.pattern.id for h in only.evidence}


def test_a_hook_plugins_weak_host_sign_yields_to_the_remotes_url() -> None:
    # YACC runs on Bitbucket Data Center, but the remote named here is GitHub's: the URL decides.
    only = _only(
        _push("remote: refs/heads/main: 1a2b3c4: expected author email 'jane@corp.com' but found 'jane@home.net'\n", "https://github.com/acme/site.git")
    )
    assert (only.cause, only.host) == ("push-rejected-by-policy", "github")


@pytest.mark.parametrize(
    "text",
    [
        # Data Center words the refs it manages "credentials"; YACC's Jira link "an authentication failure".
        _push(
            "remote: You are trying to update credentials reserved for Bitbucket's pull request functionality. Bitbucket manages these references automatically and may not be updated by users.\n",
            "https://bitbucket.corp.example/scm/acme/site.git",
        ),
        _push(
            "remote: refs/heads/main: 1a2b3c4: ABC-12: Unable to validate JIRA issue because there was an authentication failure when communicating with JIRA.\n",
            "https://bitbucket.corp.example/scm/acme/site.git",
        ),
    ],
    ids=["dc-reserved-refs", "yacc-jira-link"],
)
def test_a_refusal_that_speaks_of_credentials_but_is_about_the_push_never_blames_them(text: str) -> None:
    only = _only(text)
    assert only.cause == "push-rejected-by-policy" and not only.auth


def test_the_same_refusal_from_a_rest_api_is_no_git_failure() -> None:
    # An action calling GitHub's API prints the IP allow list sentence without git's `remote: `.
    text = (
        "Run docker/metadata-action@v4\n"
        "Error: Although you appear to have the correct authorization credentials, the `acme` organization has an IP allow list enabled, "
        "and your IP address is not permitted to access this resource.\n"
    )
    assert pipeline.diagnose_text(text).diagnoses == []
