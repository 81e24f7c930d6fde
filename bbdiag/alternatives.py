"""When the text fits several causes: the others, and the one check that tells them apart.

A bare 403, git's generic SSH trailer, a 401 that may be a missing or a refused credential: the
pattern that decided the cause lists the other causes its text fits (`alternatives` in its TOML
file, from what the program that prints it means by it). The diagnosis keeps its most likely
cause; this module adds the others, each with the check that decides between them, built for the
user's remote (scheme, host, port, SSH user) when the output or the repository shows it.
"""

from __future__ import annotations

from bbdiag.causes import CAUSES
from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.diagnose import Diagnosis
    from bbdiag.remote_urls import RemoteURL

SSH_CAUSES = frozenset({"ssh-key-rejected", "ssh-host-key"})
CONNECTION_CAUSES = frozenset({"tls-certificate", "network"})


class Check(NamedTuple):
    """What to run, and how to read its answer."""

    text: str
    command: str


class Alternative(NamedTuple):
    cause: str
    title: str
    check: Check


def build(diagnosis: Diagnosis, configured: RemoteURL | None = None, remote: str | None = None) -> tuple[Alternative, ...]:
    """The diagnosis's other causes, each with the check that tells it from the primary one."""
    if not diagnosis.alternatives:
        return ()
    url = configured or diagnosis.url
    check = telling_apart({diagnosis.cause, *diagnosis.alternatives}, url, remote or "origin")
    return tuple(Alternative(c, CAUSES[c].title, check) for c in diagnosis.alternatives)


def telling_apart(causes: set[str], url: RemoteURL | None, remote: str) -> Check:
    """One check whose answer names the cause: SSH's own greeting, a fresh credential, or curl's error."""
    host = url.host if url is not None and url.host else "<host>"
    over_ssh = url.is_ssh if url is not None and url.host else bool(causes & SSH_CAUSES)
    if causes <= CONNECTION_CAUSES and not over_ssh:
        return Check(
            "See what the connection itself says: a certificate complaint (`SSL certificate problem`, "
            "`unable to get local issuer certificate`) means the certificate; a refused, reset or timed-out "
            "connection means the network or a proxy.",
            f"curl -sSI https://{host}{_port(url)}/",
        )
    if over_ssh:
        user = url.username if url is not None and url.username else "git"
        port = f"-p {url.port} " if url is not None and url.port else ""
        return Check(
            "Ask the host who your key is: a greeting that names an account means the key works, so the "
            "repository's path or that account's access is the problem; `Permission denied (publickey)` "
            "means no key it accepts was offered (the -v lines show which were); a timeout or refusal means the network.",
            f"ssh -vT {port}{user}@{host}",
        )
    target = url.display if url is not None and url.host else remote
    return Check(
        "Try the remote once with a credential typed fresh, bypassing every stored one: if it works, the stored "
        "credential was stale or missing; if it is refused again, the credential itself is wrong; if it is "
        "accepted but the repository is not found or the push still refused, this identity lacks access to it.",
        f"git -c credential.helper= ls-remote {target}",
    )


def _port(url: RemoteURL | None) -> str:
    return f":{url.port}" if url is not None and url.port and not url.is_ssh else ""
