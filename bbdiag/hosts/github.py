"""GitHub (github.com, GitHub Enterprise): tokens only over HTTPS, SAML SSO, workflow permissions."""

from __future__ import annotations

from collections.abc import Callable

from bbdiag.advice import Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.remedy import Context

ID = "github"
NAME = "GitHub"
HOSTNAME = "github.com"
SELF_HOSTED_TOO = True  # GitHub Enterprise Server
PRODUCT_WORDS = ("github", "ghe")  # "ghe.corp.example": GitHub Enterprise Server
# GitHub refuses files over 100 MB (GH001) and warns from 50 MB
# (https://docs.github.com/en/repositories/working-with-files/managing-large-files/about-large-files-on-github).
FILE_SIZE_LIMIT = 100 * 1000 * 1000
FILE_SIZE_WARNING = 50 * 1000 * 1000
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS = (
    ("ED25519", "github-ed25519-fingerprint"),
    ("ECDSA", "github-ecdsa-fingerprint"),
    ("RSA", "github-rsa-fingerprint"),
)  # the fingerprints it publishes (facts.toml), by key type
SSH_USERS: tuple[str, ...] = ()
SSH_USER = "git"  # SSH only as git: the key decides the account
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS = ("gh.io", "github.blog")
TOKEN_SHAPES = (
    # ghp_ (classic), gho_ (OAuth), ghu_/ghs_ (app user/server), ghr_ (refresh): 36 characters after
    # the prefix, always (https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/).
    TokenShape("gh[pousr]_", "[A-Za-z0-9]", 36, "github-token", "a GitHub token"),
    # Fine-grained tokens have 82 characters after github_pat_; 40 catches one cut short in a log.
    TokenShape("github_pat_", "[A-Za-z0-9_]", 40, "github-token", "a GitHub fine-grained token"),
)
_OWN_SUFFIXES = (".github.com", ".ghe.com", ".githubusercontent.com")


def owns(hostname: str, scheme: str) -> bool:
    return hostname == HOSTNAME or hostname.endswith(_OWN_SUFFIXES)


signs = base.no_signs
docs = base.no_docs


def text(slot: str, c: Context) -> str | None:
    if slot == "ssh-keys-page":
        return c.fact("github-ssh-keys-page")
    if slot == "ssh-over-443":
        return "ssh.github.com"
    return None


def steps(cause: str, c: Context) -> tuple[Step, ...]:
    if cause == "credentials-missing":
        return (
            Step(
                "In GitHub Actions, check out with a token that can reach this repository (actions/checkout `token:`), or log in once on a workstation:",
                "gh auth login",
            ),
        )
    if cause == "permission-denied" and "github-actions" in c.d.primary.captures.get("who", ""):  # the workflow's GITHUB_TOKEN
        return (
            Step(
                f"Give the workflow's token write access: add `{c.fact('github-actions-push-permission')}` to the job (and allow it in the repository's Actions settings)."
            ),
        )
    if cause == "permission-denied" and c.primary_is("github-key-read-only", "github-write-access-not-granted"):
        return (c.read_only_key(),)
    return ()


def remedy(cause: str, c: Context) -> Remedy | None:
    build = _REMEDIES.get(cause)
    return build(c) if build else None


def _account_password_rejected(c: Context) -> Remedy:
    return Remedy(
        "GitHub does not accept account passwords for Git",
        f"GitHub has refused account passwords for Git over HTTPS since {c.policy_date('github-password-auth-removed')}.",
        (
            Step(
                f"Create a fine-grained personal access token at {c.fact('github-token-page')} with {c.fact('github-push-permission')} on this repository, or let the GitHub CLI set one up:",
                "gh auth login",
            ),
            c.erase(),
            Step("Run the command again and give the token as the password (the user name is your GitHub login)."),
            c.check(),
        ),
        (c.fact("github-auth-docs"),),
    )


def _credentials_rejected(c: Context) -> Remedy:
    if c.situation.secret_kind == "password":  # the observer saw what was sent: GitHub takes no passwords
        return _account_password_rejected(c)
    return c.forget_create_retry(
        "GitHub rejected the credential",
        "GitHub refused the token git sent: wrong, expired or revoked, or a password (GitHub takes tokens only).",
        Step(f"Create a new personal access token at {c.fact('github-token-page')}, or let the GitHub CLI store one:", "gh auth login"),
        "Run the command again with your GitHub login as the user name and the token as the password.",
        c.fact("github-auth-docs"),
    )


def _token_scope(c: Context) -> Remedy:
    # Over HTTPS `remote: Write access to repository not granted.` is a token without write permission.
    return Remedy(
        "The GitHub token may not push to this repository",
        "The token authenticated, but its permissions do not include writing: a fine-grained personal access token needs the "
        f"repository permission {c.fact('github-push-permission')} (and {c.fact('github-workflow-permission')} to change .github/workflows); in GitHub "
        f"Actions the GITHUB_TOKEN needs `{c.fact('github-actions-push-permission')}`. A fine-grained token's permissions can be edited on its settings page.",
        (
            Step(
                f"Give the token {c.fact('github-push-permission')} for this repository at {c.fact('github-token-page')}, or create one that has it. "
                f"In a workflow, add `{c.fact('github-actions-push-permission')}` to the job instead."
            ),
            c.erase(),
            Step("Run the command again with your GitHub login as the user name and the token as the password."),
            c.check(),
        ),
        (c.fact("github-auth-docs"),),
    )


def _sso(c: Context) -> Remedy:
    return Remedy(
        "The token is not authorised for the organisation's SAML SSO",
        "The organisation enforces SAML single sign-on; each token, SSH key or OAuth app must be authorised for it once.",
        (
            Step(
                f"Open {c.fact('github-token-page')} (or {c.fact('github-ssh-keys-page')} for an SSH key), choose Configure SSO next to the token and authorise the organisation."
            ),
            Step("For the GitHub CLI, refresh its authorisation:", "gh auth refresh"),
            c.check(),
        ),
        (c.fact("github-sso-docs"),),
    )


def _ssh_host_key(c: Context) -> Remedy | None:
    if not c.evidence_has("ssh-host-key-changed"):
        return None
    return c.host_key_rotated(
        "github-rsa-host-key-rotated",
        "github-rsa-fingerprint",
        f"ssh-keyscan {HOSTNAME} >> ~/.ssh/known_hosts",
        Step("Check that it works:", f"ssh -T git@{HOSTNAME}"),
    )


_REMEDIES: dict[str, Callable[[Context], Remedy | None]] = {
    "account-password-rejected": _account_password_rejected,
    "credentials-rejected": _credentials_rejected,
    "token-scope-insufficient": _token_scope,
    "sso-authorization-required": _sso,
    "ssh-host-key": _ssh_host_key,
}

check_https = base.no_checks
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings


git_username = base.any_username
