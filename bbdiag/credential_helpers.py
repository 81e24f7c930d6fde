"""Which credential helpers this machine has, and the one bbdiag recommends.

A module of its own, not part of the inspector: every remedy quotes the recommendation, and
explain outside a repository must not pay for importing the inspector to get it.
"""

from __future__ import annotations

import functools
import os
import sys

from bbdiag.records import NamedTuple

GIT_TIMEOUT = 20


def helper_program(name: str) -> str | None:
    """Where git finds `git-credential-<name>`: git's exec path, then PATH."""
    program = f"git-credential-{name}"
    for directory in (_exec_path(), *os.environ.get("PATH", "").split(os.pathsep)):
        if directory:
            candidate = os.path.join(directory, program)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    return None


class HelperAdvice(NamedTuple):
    """The one credential helper bbdiag recommends on this machine (every finding and remedy says the same)."""

    helper: str  # the value for credential.helper
    name: str  # for people
    encrypted: bool  # keeps secrets encrypted (False: `cache`, in memory only, never on disk)
    setup: tuple[str, ...] = ()  # further commands it needs (GCM on Linux: a credential store)


def helper_advice() -> HelperAdvice:
    """Only helpers that are installed here: Git Credential Manager when it is, else the platform's
    own store (osxkeychain ships with git on macOS, wincred on Windows, libsecret where the distribution
    built it), else `cache`, which every git has and which never writes the secret to disk."""
    if helper_program("manager"):
        # On Linux GCM has no default store and stops with "No credential store has been selected".
        setup = () if sys.platform in ("darwin", "win32") else ("git config --global credential.credentialStore secretservice",)
        return HelperAdvice("manager", "Git Credential Manager", True, setup)
    for name, people in (
        ("osxkeychain", "the macOS keychain"),
        ("wincred", "the Windows credential manager"),
        ("libsecret", "the desktop keyring (libsecret)"),
    ):
        if helper_program(name):
            return HelperAdvice(name, people, True)
    return HelperAdvice("cache --timeout=86400", "git's in-memory cache (for a day; never on disk)", False)


@functools.cache
def _exec_path() -> str:
    """`git --exec-path`, asked once per git: the answer is cached under a key that changes with
    the git that would run (its resolved path, size and modification time) and with
    GIT_EXEC_PATH, which git prints instead when it is set. Starting git (and importing
    subprocess to do it) was a tenth of explain's run."""
    git = _git_on_path()
    try:
        if git is None:  # none found as exec would find it: ask without caching
            return _ask_exec_path()
        from bbdiag import cache

        info = os.stat(git)
        key = f"{git}\n{info.st_size}:{info.st_mtime_ns}\n{os.environ.get('GIT_EXEC_PATH')}"
        return cache.keyed("git-exec-path", git, key, _ask_exec_path)
    except (OSError, _NoAnswer):  # no git, or it failed: no helper is found there (and nothing is cached)
        return ""


class _NoAnswer(Exception):
    """git did not say its exec path (it failed or timed out): nothing to cache."""


def _git_on_path() -> str | None:
    """The real path of the `git` that running "git" starts: the first executable file on PATH."""
    for directory in os.get_exec_path():
        candidate = os.path.join(directory, "git")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.realpath(candidate) if os.path.isabs(candidate) else None  # PATH's "" or ".": never cached
    return None


def _ask_exec_path() -> str:
    import subprocess

    from bbdiag import child

    try:
        done = child.run(["git", "--exec-path"], timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise _NoAnswer from exc
    if done.returncode != 0:
        raise _NoAnswer
    return done.stdout.decode().strip()
