"""What a host module provides (the `Host` protocol), and the records it is written with.

A host module is a plain module that satisfies `Host`: the registry in `bbdiag.hosts` lists
the modules, and mypy checks each against this protocol. Host modules import only this module
and `bbdiag.advice` at run time, so the remedy engine, the inspector and doctor can import the
registry without an import circle; what they pass in is typed under TYPE_CHECKING.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bbdiag.advice import Finding, Remedy, Step
from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from bbdiag.inspector import Remote, Setup, StoredCredential
    from bbdiag.knowledge import Knowledge
    from bbdiag.remedy import Context
    from bbdiag.remote_urls import RemoteURL
else:
    Protocol = object  # `Host` is for mypy to check the host modules against: at run time a plain class, typing unloaded


class TokenShape(NamedTuple):
    """A credential's shape, the one table that redaction, the inspector and the pre-push check read."""

    prefix: str  # a regular expression for the literal start of the token (`gh[pousr]_`), "" for none
    body: str  # a character class for the rest
    min_length: int  # of the rest: anything shorter is not taken for this token
    kind: str  # the word the inspector and the observer use for it (`secret_kind`)
    name: str  # for people, in a sentence: "a GitHub token"
    in_text: bool = True  # looked for in running text; False: only where a secret is expected (a URL's user part)
    max_length: int | None = None  # of the rest, for fixed-length formats

    @property
    def pattern(self) -> str:
        """The regular expression of one such token (without anchors)."""
        most = "" if self.max_length is None else str(self.max_length)
        return f"{self.prefix}{self.body}{{{self.min_length},{most}}}"


class Checkup(NamedTuple):
    """What a host's doctor checks may read about one remote (doctor redacts what they return)."""

    setup: Setup
    remote: Remote
    url: RemoteURL  # the push URL
    k: Knowledge
    today: dt.date


class Host(Protocol):
    """One host id of ../shared/spec/causes.md: how it is recognised and what it knows."""

    # Read-only (properties), so that a module's narrower constants satisfy them.
    @property
    def ID(self) -> str:
        """The host id (causes.md); never renamed."""
        ...

    @property
    def NAME(self) -> str:
        """For people: "Bitbucket Cloud"."""
        ...

    @property
    def HOSTNAME(self) -> str | None:
        """The hosted service's host name, for a remedy when the remote's URL is not known."""
        ...

    @property
    def SELF_HOSTED_TOO(self) -> bool:
        """The product also runs on people's own servers under their own names (GitHub Enterprise
        Server, self-managed GitLab): a remedy that had to assume HOSTNAME says so."""
        ...

    @property
    def PRODUCT_WORDS(self) -> tuple[str, ...]:
        """Words naming the product in a self-hosted instance's host name ("gitlab.corp.example")."""
        ...

    @property
    def SSH_USERS(self) -> tuple[str, ...]:
        """SSH user names only this product uses (`gitea@host`)."""
        ...

    @property
    def TOKEN_SHAPES(self) -> tuple[TokenShape, ...]: ...

    @property
    def URL_SCHEMES(self) -> tuple[str, ...]:
        """Regular expressions of the URL schemes only its own remote helper reads (`codecommit://`),
        besides git's own (https, ssh, git)."""
        ...

    @property
    def DOC_HOSTS(self) -> tuple[str, ...]:
        """Host names of the help pages its messages quote: they name no remote."""
        ...

    @property
    def FILE_SIZE_LIMIT(self) -> int | None:
        """Bytes: a pushed file larger than this is refused (the pre-push check blocks it first)."""
        ...

    @property
    def FILE_SIZE_WARNING(self) -> int | None:
        """Bytes: a pushed file larger than this draws the host's warning."""
        ...

    @property
    def RETIRED_HOST_KEYS(self) -> tuple[str, ...]:
        """Public SSH host keys (base64) the host no longer uses: a known_hosts entry with one fails."""
        ...

    @property
    def SSH_HOST_KEY_FACTS(self) -> tuple[tuple[str, str], ...]:
        """(key type as ssh names it, fact id) of each SSH host-key fingerprint the host publishes."""
        ...

    @property
    def SSH_USER(self) -> str | None:
        """The only SSH user the host accepts (the key decides the account), or None when any may be right."""
        ...

    def owns(self, hostname: str, scheme: str) -> bool:
        """The host name (lower-case, no port) or the URL scheme is this host's own: the surest sign."""
        ...

    def signs(self, path: str, port: int | None) -> bool:
        """Where the name says nothing: a path or port only this product uses."""
        ...

    def remedy(self, cause: str, c: Context) -> Remedy | None:
        """This host's own remedy for `cause`, or None for the generic one."""
        ...

    def steps(self, cause: str, c: Context) -> tuple[Step, ...]:
        """Steps this host adds to the generic remedy for `cause` (the generic remedy says where)."""
        ...

    def docs(self, cause: str, c: Context) -> tuple[str, ...]:
        """This host's documentation for `cause` under the generic remedy."""
        ...

    def check_https(self, c: Checkup) -> Iterator[Finding]:
        """doctor: this host's own checks of a remote it serves over HTTPS."""
        ...

    def check_stored(self, c: Checkup, credential: StoredCredential, where: str) -> Iterator[Finding]:
        """doctor: this host's own checks of a credential stored for it (`where`: file:line or the helper)."""
        ...

    def check_ssh(self, c: Checkup) -> Iterator[Finding]:
        """doctor: this host's own checks of a remote it serves over SSH."""
        ...

    def push_warnings(self, setup: Setup, url: RemoteURL) -> tuple[str, ...]:
        """The pre-push check: what in the setup will make a push to this host fail."""
        ...

    def text(self, slot: str, c: Context) -> str | None:
        """This host's text for one slot of a shared step (`https-url`, `ssh-keys-page`, `ssh-over-443`, `url-token-note`)."""
        ...

    def git_username(self, kind: str, known: str | None, k: Knowledge) -> str | None:
        """The user name git must send with a secret of `kind` (`inspector.secret_kind`), given the one the
        setup knows (`known`); None when only the user can say (`bbdiag fix` asks)."""
        ...


# Defaults a host module assigns for what it does not specialise (`steps = base.no_steps`).
def no_remedy(cause: str, c: Context) -> Remedy | None:
    return None


def no_steps(cause: str, c: Context) -> tuple[Step, ...]:
    return ()


def no_docs(cause: str, c: Context) -> tuple[str, ...]:
    return ()


def no_text(slot: str, c: Context) -> str | None:
    return None


def no_signs(path: str, port: int | None) -> bool:
    return False


def no_owns(hostname: str, scheme: str) -> bool:
    return False


def no_checks(c: Checkup) -> Iterator[Finding]:
    yield from ()


def no_stored_checks(c: Checkup, credential: StoredCredential, where: str) -> Iterator[Finding]:
    yield from ()


def no_push_warnings(setup: Setup, url: RemoteURL) -> tuple[str, ...]:
    return ()


def any_username(kind: str, known: str | None, k: Knowledge) -> str | None:
    """A host that takes a token with the account's user name (or any): the one the setup knows."""
    return known
