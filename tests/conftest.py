"""Shared fixtures: every test runs with its own HOME, XDG dirs and git config, so a developer's
own configuration never changes a result, and with its own bbdiag cache."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import bitbucket_server as bb

if TYPE_CHECKING:
    from bbdiag.diagnose import Diagnosis

# Before any test module is imported: should one load the library at import time, outside every
# test's isolation, its cache still lands in a directory of this run, never in the user's
# ~/.cache/bbdiag (and test_isolation checks that no test module does so at all).
USER_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bbdiag"
COLLECTION_CACHE = os.environ["BBDIAG_CACHE_DIR"] = tempfile.mkdtemp(prefix="bbdiag-tests-cache-")

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"  # the shared corpus of real transcripts, labelled
EXTRA = FIXTURES / "extra"  # more transcripts written from known real wordings, labelled the same way
# Real transcripts gathered after the shared corpus, one folder per collection, labelled before
# bbdiag was run on them (tests/fixtures/wild/README.md).
WILD = FIXTURES / "wild"
CASES = CORPUS / "cases"


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(("GIT_", "GCM_", "BBDIAG_", "SSH_")) or name in (
            "NO_COLOR",
            "CI",
            "GITHUB_ACTIONS",
            "GITLAB_CI",
            "BITBUCKET_BUILD_NUMBER",
            "JENKINS_URL",
            "TF_BUILD",
        ):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.com")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.com")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("BBDIAG_AS_OF", "2026-11-28")
    yield home
    stop_credential_cache(home)


def stop_credential_cache(home: Path) -> None:
    """A test that used git's `cache` helper started a credential-cache daemon in its HOME: stop it
    (`git credential-cache exit`) rather than leave it running until its timeout."""
    for socket in (home / ".cache" / "git" / "credential" / "socket", home / ".git-credential-cache" / "socket"):
        if socket.exists():
            subprocess.run(["git", "credential-cache", "--socket", str(socket), "exit"], capture_output=True, timeout=30, check=False)


def git(*args: str, cwd: Path | None = None, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True, env=env)


def bbdiag(*args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m bbdiag ARGS` as a user runs it: a separate process, text in and out."""
    return subprocess.run(
        [sys.executable, "-m", "bbdiag", *args], input=stdin, capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=120
    )


def only_diagnosis(text: str) -> Diagnosis:
    """The one diagnosis of `text` (it must have exactly one)."""
    from bbdiag import pipeline

    (only,) = pipeline.diagnose_text(text).diagnoses
    return only


def labels(corpus: Path = CORPUS) -> list[dict[str, str]]:
    import csv

    with open(corpus / "labels.tsv", newline="", encoding="utf-8") as handle:
        return [dict(row, corpus=str(corpus)) for row in csv.DictReader(handle, delimiter="\t")]


def wild_labels() -> list[dict[str, str]]:
    """The labels of every collection under tests/fixtures/wild/."""
    return [row for collection in sorted(WILD.glob("*/labels.tsv")) for row in labels(collection.parent)]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[bb.Server]:
    """A loopback stand-in that answers like Bitbucket Cloud, serving acme/widgets (modules that
    need other hosts or repositories define their own)."""
    root = tmp_path / "server"
    root.mkdir()
    bb.make_repository(root)
    with bb.serve(root) as running:
        yield running
