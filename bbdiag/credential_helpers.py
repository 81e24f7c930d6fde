"""Which credential helpers this machine has, and the one bbdiag recommends.

A module of its own, not part of the inspector: every remedy quotes the recommendation, and
explain outside a repository must not pay for importing the inspector to get it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import NamedTuple

from bbdiag import child

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


_EXEC_PATH: list[str] = []


def _exec_path() -> str:
    if not _EXEC_PATH:
        try:
            done: subprocess.CompletedProcess[bytes] | None = child.run(["git", "--exec-path"], timeout=GIT_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            done = None
        _EXEC_PATH.append(done.stdout.decode().strip() if done and done.returncode == 0 else "")
    return _EXEC_PATH[0]
