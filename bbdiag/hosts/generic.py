"""Any other Git server (and `unknown`): no product of its own, so the generic remedy of each cause."""

from __future__ import annotations

from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

ID = "generic"
NAME = "the Git host"
HOSTNAME = None
SELF_HOSTED_TOO = False
PRODUCT_WORDS: tuple[str, ...] = ()
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS: tuple[tuple[str, str], ...] = ()
SSH_USERS: tuple[str, ...] = ()
SSH_USER = None
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS = ("git-scm.com",)  # git's own documentation
TOKEN_SHAPES = (
    # Slack tokens are no Git host's, but CI logs print them beside git's output: hide them the same way.
    TokenShape("xox[abprs]-", "[A-Za-z0-9-]", 10, "slack-token", "a Slack token"),
    # Any host's token without a prefix (Bitbucket Data Center, Azure DevOps, Gitea): 32 or more
    # token characters where a secret is expected, such as a URL's user part. Never looked for in
    # running text, where a 40-character commit id has the same shape.
    TokenShape("", "[A-Za-z0-9_=+/.-]", 32, "token", "a token", in_text=False),
)
# Host names in documentation and templates (`git@host:owner/repo.git`): they name no host at all.
_PLACEHOLDER_HOSTS = frozenset(
    {"host", "hostname", "server", "example", "your-host", "yourhost", "domain", "myhost", "my-host", "myserver", "my-server", "local-ip"}
)

owns = base.no_owns
signs = base.no_signs
remedy = base.no_remedy
steps = base.no_steps
docs = base.no_docs
text = base.no_text


def is_placeholder(hostname: str) -> bool:
    """A template's word, or a name masked away (`***`): it names no host."""
    bracketed = hostname.startswith(("<", "{", "$")) or hostname.endswith((">", "}"))  # <host>, {server}, ${HOST}
    return hostname in _PLACEHOLDER_HOSTS or bracketed or hostname.strip("*") == ""


check_https = base.no_checks
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings

git_username = base.any_username
