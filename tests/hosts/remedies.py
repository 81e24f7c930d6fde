"""Every remedy of one host, as text for its golden file: each cause in each situation its advice depends on.

A situation is what the remedy may read: the output's evidence (a rotated host key, HTTP 413, a
bot's name), the inspector's findings (a remote over HTTPS with a helper, over SSH, what the
credential-helper observer saw) and the date (the host policies in force). Identical remedies of
one cause are written once, under every situation that gives them. UPDATE_GOLDEN=1 rewrites the
files; their diff is the change users will see.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

from bbdiag import hosts, knowledge, library, pipeline, remedy, remote_urls
from bbdiag.advice import Remedy
from bbdiag.causes import CAUSES
from bbdiag.diagnose import Diagnosis
from bbdiag.remedy import Situation

GOLDEN = Path(__file__).parent.parent / "golden" / "remedies"
TODAY = "2026-11-28"
DATES = ("2021-06-01", "2023-01-01", "2025-10-01", "2026-06-15", TODAY)  # before and after each dated policy

# Evidence a remedy looks at, per cause: one transcript per branch. Other causes: a bare diagnosis.
EVIDENCE: dict[str, dict[str, str]] = {
    "ssh-host-key": {
        "host key changed": "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.\n",
        "host key unknown": "Host key verification failed.\nfatal: Could not read from remote repository.\n",
    },
    "size-limit": {
        "HTTP 413": "error: RPC failed; HTTP 413 curl 22 The requested URL returned error: 413\n",
        "file too large": "remote: error: GH001: Large files detected. You may want to try Git Large File Storage - https://git-lfs.github.com.\n",
    },
    "credential-helper-failed": {
        "renamed helper": "git: 'credential-manager-core' is not a git command. See 'git --help'.\n",
    },
    "permission-denied": {
        "workflow bot": "remote: Permission to acme/site.git denied to github-actions[bot].\nfatal: unable to access 'https://github.com/acme/site.git/': The requested URL returned error: 403\n",
        "read-only key": "ERROR: The key you are authenticating with has been marked as read only.\nfatal: Could not read from remote repository.\n",
        "read-only access key": "repository access denied. access via a deployment key is read-only.\nfatal: Could not read from remote repository.\n",
    },
    "remote-misconfigured": {
        "malformed URL": "fatal: unable to access 'https://x/': URL using bad/illegal format or missing URL\n",
        "not a repository": "fatal: 'origin' does not appear to be a git repository\nfatal: Could not read from remote repository.\n",
    },
}
# What the credential-helper observer saw, for the causes whose advice depends on it.
OBSERVED = {
    "credentials-rejected": (
        ("an API token sent with an email address", "api-token", "jane@example.com"),
        ("an access token sent with a person's name", "access-token", "jane"),
        ("an API token sent with the right user name", "api-token", "jane"),
    )
}
_BARE = "remote: Invalid credentials\nfatal: Authentication failed for 'https://example.org/a.git/'\n"


@functools.cache
def _diagnosis(text: str) -> Diagnosis:
    return pipeline.diagnose_text(text, lib=library.load()).diagnoses[0]


def _remote_situations(host_id: str) -> list[tuple[str, Situation]]:
    host = hosts.get(host_id)
    name = host.HOSTNAME or ("bitbucket.corp.example" if host_id == "bitbucket-dc" else "git.example.net")
    path = "scm/ACME/site.git" if host_id == "bitbucket-dc" else "acme/site.git"
    https = remote_urls.parse(f"https://jane@{name}/{path}")
    ssh = remote_urls.parse(f"git@{name}:{path}")
    return [
        ("from the output alone", Situation()),
        ("an HTTPS remote with one helper (osxkeychain)", Situation(remote="origin", url=https, helpers=("osxkeychain",), username="jane")),
        ("an SSH remote", Situation(remote="upstream", url=ssh)),
    ]


def situations(host_id: str, cause: str) -> list[tuple[str, Diagnosis, Situation, dt.date]]:
    """(label, diagnosis, situation, day) for every situation the remedy of `cause` may depend on."""
    evidence = EVIDENCE.get(cause, {"": _BARE})
    found = []
    for evidence_label, text in evidence.items():
        diagnosis = _diagnosis(text)._replace(cause=cause, host=host_id, url=None)
        for remote_label, situation in _remote_situations(host_id):
            days = DATES if not situation.url else (TODAY,)
            for day in days:
                label = ", ".join(part for part in (evidence_label, remote_label, day) if part)
                found.append((label, diagnosis, situation, dt.date.fromisoformat(day)))
        for observed_label, kind, user in OBSERVED.get(cause, ()):
            situation = Situation(secret_kind=kind, username=user)
            found.append(
                (", ".join(p for p in (evidence_label, f"the observer saw {observed_label}", TODAY) if p), diagnosis, situation, dt.date.fromisoformat(TODAY))
            )
    return found


def as_text(r: Remedy) -> str:
    lines = [f"title: {r.title}", f"why: {r.why}"]
    for number, step in enumerate(r.steps, 1):
        lines.append(f"{number}. {step.text}")
        if step.command:
            lines.append(f"   $ {step.command}")
    lines += [f"docs: {d}" for d in r.docs]
    for alternative in r.alternatives:
        lines += [f"or {alternative.cause}: {alternative.title}", f"   {alternative.check.text}", f"   $ {alternative.check.command}"]
    return "\n".join(lines)


def golden_text(host_id: str) -> str:
    k = knowledge.load()
    out = [
        f"# Every remedy bbdiag gives for {host_id} ({hosts.get(host_id).NAME}), cause by cause, in each situation it depends on.",
        "# UPDATE_GOLDEN=1 rewrites this file (tests/hosts/remedies.py); its diff is what users will see change.",
    ]
    for cause in CAUSES:
        out += ["", f"== {cause}"]
        groups: dict[str, list[str]] = {}
        for label, diagnosis, situation, day in situations(host_id, cause):
            groups.setdefault(as_text(remedy.build(diagnosis, situation, k, day)), []).append(label)
        for text, labels in groups.items():
            out += [*(f"-- {label}" for label in labels), text, ""]
    return "\n".join(out).rstrip() + "\n"


def check_golden(host_id: str) -> None:
    path = GOLDEN / f"{host_id}.txt"
    actual = golden_text(host_id)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file for {host_id}: UPDATE_GOLDEN=1 writes {path}"
    assert actual == path.read_text(encoding="utf-8"), f"remedies of {host_id} changed; UPDATE_GOLDEN=1 rewrites {path.name} if that is intended"


def remedy_for(host_id: str, cause: str, url: remote_urls.RemoteURL | None = None, text: str = _BARE, day: str = TODAY) -> Remedy:
    """The remedy for `cause` on `host_id`, with the remote at `url` when given."""
    diagnosis = _diagnosis(text)._replace(cause=cause, host=host_id, url=None)
    situation = Situation(remote="origin", url=url) if url else Situation()
    return remedy.build(diagnosis, situation, knowledge.load(), dt.date.fromisoformat(day))
