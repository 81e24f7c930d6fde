"""Gitea, Forgejo and Gogs (self-hosted, and Codeberg): access tokens for Git over HTTPS."""

from __future__ import annotations

from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.remedy import Context

ID = "gitea"
NAME = "Gitea/Forgejo"
HOSTNAME = None  # self-hosted (Codeberg is recognised by its name)
SELF_HOSTED_TOO = False
PRODUCT_WORDS = ("gitea", "forgejo", "gogs", "codeberg")  # Forgejo and Gogs share Gitea's messages; Codeberg runs Forgejo
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS: tuple[tuple[str, str], ...] = ()
SSH_USERS = ("gitea", "forgejo", "gogs")  # the service account their SSH URLs use instead of git (Gogs installs run as `gogs` too)
SSH_USER = None
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS: tuple[str, ...] = ()
TOKEN_SHAPES: tuple[TokenShape, ...] = ()  # 40 hexadecimal characters: the generic opaque shape covers them

owns = base.no_owns
signs = base.no_signs
remedy = base.no_remedy
steps = base.no_steps
text = base.no_text


def docs(cause: str, c: Context) -> tuple[str, ...]:
    if cause == "account-password-rejected":
        return (c.fact("gitea-token-docs"),)
    return ()


check_https = base.no_checks
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings

git_username = base.any_username
