"""GitLab (gitlab.com and self-managed): tokens with read_repository/write_repository scopes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bbdiag.advice import Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

if TYPE_CHECKING:
    from bbdiag.remedy import Context

ID = "gitlab"
NAME = "GitLab"
HOSTNAME = "gitlab.com"
PRODUCT_WORDS = ("gitlab",)
SSH_USERS: tuple[str, ...] = ()
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
    if cause != "credentials-rejected":
        return None
    return c.forget_create_retry(
        "GitLab rejected the credential",
        "GitLab refused the password or token: it is wrong, expired or lacks the read_repository/write_repository scope, or it is a password where GitLab needs a token (two-factor authentication).",
        Step(
            f"Create a personal access token with read_repository and write_repository ({c.fact('gitlab-token-docs')}); in GitLab CI use the job token or a project access token."
        ),
        "Run the command again with your GitLab user name and the token as the password.",
        c.fact("gitlab-token-docs"),
    )
