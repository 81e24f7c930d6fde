"""What bbdiag tells the user to do: the records remedies, doctor findings and host modules are made of.

A module of its own, importing nothing, so that host modules can build advice without
importing the remedy engine that dispatches to them.
"""

from __future__ import annotations

from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.alternatives import Alternative


class Step(NamedTuple):
    text: str
    command: str | None = None


class Remedy(NamedTuple):
    title: str
    why: str
    steps: tuple[Step, ...]
    docs: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()  # other causes the text fits, with the check that decides


class Finding(NamedTuple):
    """One thing doctor found in the setup: what will fail or harm, and the fix. Ids are a public contract."""

    id: str
    severity: str
    title: str
    detail: str
    fix: tuple[Step, ...] = ()
    remote: str | None = None


# Said under every remedy whose cause is not the credential (causes.md: auth false), in these words.
NOT_CREDENTIALS = "Your credentials are not the problem: changing a password or token will not fix this."
ACCESS_NOT_CREDENTIALS = "Your credential works; what is missing is access for this identity on the host, not a new password or token."
