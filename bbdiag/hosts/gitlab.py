"""GitLab (gitlab.com and self-managed): tokens with read_repository/write_repository scopes."""

from __future__ import annotations

from bbdiag.advice import Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.remedy import Context

ID = "gitlab"
NAME = "GitLab"
HOSTNAME = "gitlab.com"
SELF_HOSTED_TOO = True  # self-managed GitLab
PRODUCT_WORDS = ("gitlab",)
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS = (
    ("ED25519", "gitlab-ed25519-fingerprint"),
    ("ECDSA", "gitlab-ecdsa-fingerprint"),
    ("RSA", "gitlab-rsa-fingerprint"),
)  # the fingerprints it publishes (facts.toml), by key type
SSH_USERS: tuple[str, ...] = ()
SSH_USER = "git"  # SSH only as git: the key decides the account
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS: tuple[str, ...] = ()
TOKEN_SHAPES = (
    # Personal (glpat-), deploy (gldt-), project trigger (glptt-), runner (glrt-), CI build (glcbt-),
    # OAuth secret (gloas-), feed (glft-), incoming mail (glimt-), agent (glagent-), SCIM (glsoat-)
    # tokens (https://docs.gitlab.com/security/tokens/#token-prefixes). The random part is 20
    # characters in the oldest format and longer since.
    # Routable tokens (GitLab 17.x) add `.`-separated parts: `.` is a token character, or their
    # tail would be printed.
    TokenShape("gl(?:pat|dt|ptt|rt|cbt|oas|ft|imt|agent|soat)-", "[A-Za-z0-9_.-]", 20, "gitlab-token", "a GitLab token"),
)


def owns(hostname: str, scheme: str) -> bool:
    return hostname == HOSTNAME or hostname.endswith(".gitlab.com")


signs = base.no_signs
steps = base.no_steps
text = base.no_text


def docs(cause: str, c: Context) -> tuple[str, ...]:
    if cause == "account-password-rejected":
        return (c.fact("gitlab-token-docs"),)
    return ()


def remedy(cause: str, c: Context) -> Remedy | None:
    if cause == "credentials-rejected":
        read, write = c.fact("gitlab-read-scope"), c.fact("gitlab-write-scope")
        return c.forget_create_retry(
            "GitLab rejected the credential",
            f"GitLab refused the password or token: it is wrong, expired or lacks the {read}/{write} scope, or it is a password where GitLab needs a token (two-factor authentication).",
            Step(
                f"Create a personal access token with {read} and {write} ({c.fact('gitlab-token-docs')}); in GitLab CI use the job token or a project access token."
            ),
            "Run the command again with your GitLab user name and the token as the password.",
            c.fact("gitlab-token-docs"),
        )
    if cause == "permission-denied" and c.evidence_has("gitlab-job-token-cannot-push"):
        return _credential_cannot_push(c)
    return None


def _credential_cannot_push(c: Context) -> Remedy:
    read, write = c.fact("gitlab-read-scope"), c.fact("gitlab-write-scope")
    # lib/gitlab/git_access.rb answers `auth_upload` ("You are not allowed to upload code.") when the
    # authentication's abilities lack push: a CI job token (which never pushes), a deploy token or a
    # personal access token without write_repository.
    return Remedy(
        "This credential may not push to GitLab",
        "GitLab accepted the credential, but what it authenticates may not push: a CI job token never can, and a personal, project or "
        f"deploy token needs the {write} scope. A new password will not help; a token that may write will.",
        (
            Step(
                f"Create a personal or project access token with the scopes {read} and {write} ({c.fact('gitlab-token-docs')}); "
                "in GitLab CI keep it in a masked variable instead of the job token."
            ),
            c.erase(),
            Step("Run the command again with your GitLab user name and the new token as the password."),
            c.check(),
        ),
        (c.fact("gitlab-token-docs"),),
    )


check_https = base.no_checks
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings

git_username = base.any_username
