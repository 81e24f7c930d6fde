"""Cause and host ids: the public contract of ../shared/spec/causes.md.

JSON output, CI annotations and the corpus labels use these ids. Never rename or reuse one;
retire it instead.
"""

from __future__ import annotations

from bbdiag import hosts
from bbdiag.records import NamedTuple


class Cause(NamedTuple):
    id: str
    auth: bool  # is the user's credential (or its absence) the problem
    title: str  # one line for people, host-neutral
    access: bool = False  # about access on the host, not a wrong credential


# Order is precedence inside one failure when two hits are equally strong: the most specific
# cause first (causes.md, "Choosing the primary diagnosis").
CAUSES: dict[str, Cause] = {
    c.id: c
    for c in (
        Cause("app-password-retired", True, "App passwords no longer work"),
        Cause("account-password-rejected", True, "Account passwords are not accepted for Git"),
        Cause("sso-authorization-required", True, "The token is not authorised for the organisation's SSO"),
        Cause("token-scope-insufficient", True, "The token lacks a required scope"),
        Cause("account-locked", True, "The account is locked"),
        Cause("proxy-auth-required", True, "The proxy wants credentials"),
        Cause("credential-helper-failed", True, "The credential helper failed"),
        Cause("credentials-rejected", True, "The credential was rejected"),
        Cause("credentials-missing", True, "Git needed a credential and could not ask for one"),
        Cause("ssh-key-rejected", True, "No SSH key the host accepts was offered"),
        Cause("size-limit", False, "A size or quota limit refused the push"),
        Cause("branch-protected", False, "A branch rule refused the update"),
        Cause("push-rejected-by-policy", False, "A server policy refused the push"),
        Cause("non-fast-forward", False, "The remote has commits you do not have"),
        Cause("ssh-host-key", False, "SSH does not trust the server's host key"),
        Cause("tls-certificate", False, "The HTTPS certificate could not be verified"),
        Cause("permission-denied", False, "This identity may not do this to the repository", access=True),
        Cause("repository-not-found", False, "The repository does not exist or is hidden from you", access=True),
        Cause("remote-misconfigured", False, "The remote itself is wrong"),
        Cause("network", False, "The host could not be reached or the transfer broke"),
    )
}

PRECEDENCE: dict[str, int] = {cause_id: rank for rank, cause_id in enumerate(CAUSES)}

# Host ids and their names for people: one module per host (bbdiag/hosts/), plus `unknown`.
HOSTS: dict[str, str] = hosts.NAMES


def urgency(cause_id: str) -> int:
    """Which failure the user must fix first: authentication, then access, then anything else."""
    cause = CAUSES[cause_id]
    if cause.auth:
        return 0
    if cause.access:
        return 1
    return 2
