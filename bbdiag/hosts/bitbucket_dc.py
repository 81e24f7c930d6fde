"""Bitbucket Data Center / Server (self-hosted): `/scm/PROJECT/repo.git`, SSH on 7999, CAPTCHA lockout."""

from __future__ import annotations

from collections.abc import Callable

from bbdiag.advice import Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import TokenShape

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.knowledge import Knowledge
    from bbdiag.remedy import Context

ID = "bitbucket-dc"
NAME = "Bitbucket Data Center"
HOSTNAME = None  # self-hosted: only the remote's URL names the server
SELF_HOSTED_TOO = False  # no hosted service to assume
PRODUCT_WORDS = ("bitbucket", "stash")  # Stash is the product's name before 2015, kept in many host names
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS: tuple[tuple[str, str], ...] = ()
SSH_USERS: tuple[str, ...] = ()
SSH_USER = None
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS: tuple[str, ...] = ()
TOKEN_SHAPES: tuple[TokenShape, ...] = (
    # The `BBDC-` prefix is unconfirmed by Atlassian: its HTTP access token pages (8.5, 8.16, 9.1,
    # read 2026-12-01) say nothing of a token's format, and older tokens are 44 characters of
    # base64 with no prefix (the generic opaque shape covers those where a secret is expected).
    # Secret scanners match it as Data Center's: TruffleHog's detector (trufflesecurity/trufflehog
    # #4883, merged 2026-04-13: `BBDC-` then 40 to 50 of [A-Za-z0-9+/@_-]) and betterleaks'
    # (betterleaks/betterleaks #346, 2026-09-09), while GitGuardian's lists the token as not
    # prefixed. Matched anyway: a false match costs a masked word, a miss a printed token. 20
    # characters is far below the 40 those scanners see.
    TokenShape("BBDC-", "[A-Za-z0-9_=+/-]", 20, "bitbucket-dc-token", "a Bitbucket Data Center HTTP access token (BBDC-…)"),
)
SSH_PORT = 7999  # the default SSH port of Bitbucket Data Center
# SCM-Manager also serves repositories under its `/scm` context, with the repository type or
# `repo` next: `/scm/git/<name>` in 1.x (GitServletModule.PATTERN_GIT = "/git/*", scm-manager/
# scm-manager scm-plugins/scm-git-plugin/src/main/java/sonia/scm/web/GitServletModule.java),
# `/scm/repo/<namespace>/<name>` in 2.x (jenkinsci/scm-manager-plugin's tests). Such a path is
# no sign of Bitbucket: its project keys are what follows `/scm/`, and no project is called so
# by Bitbucket itself. Giving Bitbucket's advice to SCM-Manager's users would be wrong advice.
_OTHER_SCM_SEGMENTS = frozenset({"git", "hg", "svn", "repo"})


def owns(hostname: str, scheme: str) -> bool:
    return False  # no domain of its own


def signs(path: str, port: int | None) -> bool:
    if port == SSH_PORT:
        return True
    lowered = path.lower()
    return lowered.startswith("/scm/") and lowered[5:].split("/", 1)[0] not in _OTHER_SCM_SEGMENTS


steps = base.no_steps
docs = base.no_docs


def text(slot: str, c: Context) -> str | None:
    if slot == "url-token-note":
        return "Bitbucket Data Center's HTTP access tokens often hold '/'"
    return None


def remedy(cause: str, c: Context) -> Remedy | None:
    build = _REMEDIES.get(cause)
    return build(c) if build else None


def _credentials_rejected(c: Context) -> Remedy:
    return c.forget_create_retry(
        "Bitbucket Data Center rejected the credential",
        "The server refused the user name and password or HTTP access token. Repeated failures lock the account behind a CAPTCHA, so fix the stored credential first.",
        Step("Create an HTTP access token in your Bitbucket profile (Manage account > HTTP access tokens) with repository read and write."),
        "Run the command again with your own Bitbucket user name (not the token's name) and the token as the password. "
        "A project or repository token works only as a Bearer header, not as a password.",
        c.fact("bitbucket-dc-access-tokens-docs"),
    )


def _account_locked(c: Context) -> Remedy:
    return Remedy(
        "Your Bitbucket account is locked behind a CAPTCHA",
        "Too many failed logins locked the account: even the right password fails until the CAPTCHA is solved.",
        (
            Step("Log out of Bitbucket in a browser, log in again and solve the CAPTCHA (or ask an administrator to clear it)."),
            Step("Then fix the credential that kept failing, or it locks the account again:"),
            c.erase(),
            c.check(),
        ),
        (c.fact("bitbucket-dc-captcha-docs"),),
    )


_REMEDIES: dict[str, Callable[[Context], Remedy]] = {
    "credentials-rejected": _credentials_rejected,
    "account-locked": _account_locked,
}

check_https = base.no_checks
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings


def git_username(kind: str, known: str | None, k: Knowledge) -> str | None:
    """HTTP access tokens go with the user's own user name (not the token's name, not an email)."""
    return known if known and "@" not in known else None
