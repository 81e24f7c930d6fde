"""The flow end to end, as library functions: bytes or text in, diagnoses (and remedies) out.

    normalise -> match -> diagnose -> (inspect) -> remedy -> render

`diagnose_stream` is the scanning core that `explain`, `scan`, `run` and the hooks share; it
reads in bounded memory whatever the input's size.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable

from bbdiag import hosts, knowledge, library, normalise, remedy
from bbdiag.diagnose import Diagnosis, diagnose, succeeded
from bbdiag.match import Matches, match_lines, not_kept
from bbdiag.normalise import MAX_INPUT, Line, Reading
from bbdiag.records import NamedTuple
from bbdiag.remedy import Remedy, Situation
from bbdiag.remote_urls import RemoteURL

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

    from bbdiag.inspector import Remote, Remotes, Setup


class Result(NamedTuple):
    reading: Reading
    diagnoses: list[Diagnosis]
    hits: int
    hits_dropped: int
    patterns_seen: frozenset[str] = frozenset()  # ids of patterns that matched, explained or not
    succeeded_at: int | None = None  # the line saying the command went through, when nothing failed after it

    def remarks(self) -> list[str]:
        said = self.reading.remarks() + not_kept(self.hits_dropped)
        if self.succeeded_at is not None and not self.diagnoses:
            said.append(f"the command succeeded (line {self.succeeded_at} says so): nothing failed, so there is nothing to fix")
        return said


def diagnose_lines(lines: Iterable[Line], reading: Reading, lib: library.Library) -> Result:
    return _result(reading, match_lines(lines, lib))


def _result(reading: Reading, matches: Matches) -> Result:
    seen = frozenset(h.pattern.id for h in matches.hits)
    success = succeeded(matches)
    return Result(reading, diagnose(matches), len(matches.hits), matches.hits_dropped, seen, success.line if success else None)


FAST_AFTER = 8 << 20  # input larger than this goes through the read stage's fast backend (bbdiag.prefilter)


def diagnose_stream(stream: BinaryIO, source: str, lib: library.Library, limit: int = MAX_INPUT) -> Result:
    """Small input line by line; large input (a whole CI log, gigabytes on stdin) through the
    prefilter, which finds the same hits at grep's speed (tests hold the two backends equal)."""
    reading = Reading(source)
    head = stream.read(min(FAST_AFTER, limit))
    if len(head) < FAST_AFTER or limit <= FAST_AFTER:
        small = io.BufferedReader(io.BytesIO(head))  # BufferedReader: normalise peeks for a BOM
        result = diagnose_lines(normalise.read(small, reading, limit), reading, lib)
        reading.room(stream, limit)  # at the limit, `stopped` says whether the input held more than `small`
        return result
    from bbdiag import prefilter, sources  # here: a short transcript, explain's usual input, never needs them

    return diagnose_lines(prefilter.read(sources.prefixed(head, stream), reading, lib, limit), reading, lib)


def diagnose_text(text: str, source: str = "-", lib: library.Library | None = None) -> Result:
    """Convenience for callers holding text (tests, hooks, the credential-helper observer)."""
    return diagnose_stream(io.BytesIO(text.encode("utf-8")), source, lib or library.load())


def probably_in_repository(where: str | os.PathLike[str] | None = None) -> bool:
    """A look without starting git, so that outside a repository nobody pays for the inspector."""
    if os.environ.get("GIT_DIR"):
        return True
    directory = os.path.abspath(where or os.getcwd())
    while True:
        if os.path.exists(os.path.join(directory, ".git")) or (
            os.path.isfile(os.path.join(directory, "HEAD")) and os.path.isdir(os.path.join(directory, "objects"))
        ):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent


def fit(diagnoses: list[Diagnosis], setup: Setup | Remotes) -> tuple[list[Diagnosis], dict[int, Situation]]:
    """Join each diagnosis with the repository's remote it is about (issue 3: explain, fitted).

    The remote is the one whose URL the output names, else one named in the output
    (`git push upstream`), else the current branch's remote, else origin, else the only one. A
    failure about another host (a submodule, another clone) is left alone. When the output does
    not name the host, the remote's URL decides (causes.md).
    """
    fitted: list[Diagnosis] = []
    situations: dict[int, Situation] = {}
    for index, diagnosis in enumerate(diagnoses):
        remote = _remote_for(diagnosis, setup)
        if remote is None or remote.push is None:
            fitted.append(diagnosis)
            continue
        if not hosts.is_named(diagnosis.host) and hosts.is_named(remote.push.host_id):
            diagnosis = diagnosis._replace(host=remote.push.host_id)
        fitted.append(diagnosis)
        situations[index] = situation_for(setup, remote)
    return fitted, situations


def situation_for(setup: Setup | Remotes, remote: Remote) -> Situation:
    """What a remedy may quote about the remote: its name, push URL, helpers that store credentials, user name."""
    return Situation(remote=remote.name, url=remote.push, helpers=tuple(h.name for h in remote.helpers if h.stores_credentials), username=remote.username)


def _remote_for(diagnosis: Diagnosis, setup: Setup | Remotes) -> Remote | None:
    if not setup.remotes:
        return None
    url = diagnosis.url
    if url is not None and url.host:
        # Only a remote with that very URL: another repository on the same host is another remote's
        # business. A URL without a path (a credential helper hears only protocol and host) names the host.
        def same(u: RemoteURL | None) -> bool:
            path = _repository_path(url)
            return u is not None and u.host == url.host and u.port == url.port and path in ("", _repository_path(u))

        return next((r for r in setup.remotes if same(r.url) or same(r.push_url)), None)
    text = " ".join(h.text for h in diagnosis.evidence)
    named = [r for r in setup.remotes if f" {r.name} " in f" {text} " or f"'{r.name}'" in text]
    if named:
        return named[0]
    by_name = {r.name: r for r in setup.remotes}
    for name in (setup.branch_remote, "origin"):
        if name in by_name:
            return by_name[name]
    return setup.remotes[0] if len(setup.remotes) == 1 else None


def _repository_path(url: RemoteURL) -> str:
    return url.path.strip("/").removesuffix(".git").lower()


def fitted_remedies(diagnoses: list[Diagnosis], where: str | os.PathLike[str] | None = None, as_of: dt.date | None = None) -> list[tuple[Diagnosis, Remedy]]:
    """Each diagnosis with its remedy, fitted to the repository at `where` (default: here) when there is one."""
    situations: dict[int, Situation] = {}
    if diagnoses and probably_in_repository(where):
        from bbdiag import inspector

        diagnoses, situations = fit(diagnoses, inspector.remotes(os.fspath(where) if where else None))
    return remedies(diagnoses, situations, as_of)


def remedies(
    diagnoses: list[Diagnosis], situations: dict[int, Situation] | None = None, as_of: dt.date | None = None, helper: str | None = None
) -> list[tuple[Diagnosis, Remedy]]:
    """`helper`: the credential helper to suggest, when the caller has already asked (scan, once for many logs)."""
    k = knowledge.load()
    day = as_of or knowledge.today()
    situations = situations or {}
    if not diagnoses:
        return []
    if helper is None:
        from bbdiag import credential_helpers  # not the inspector: outside a repository explain never imports it

        # One recommendation per report, and only a helper installed on this machine.
        helper = credential_helpers.helper_advice().helper
    return [(d, remedy.build(d, situations.get(i, Situation())._replace(suggested_helper=helper), k, day)) for i, d in enumerate(diagnoses)]
