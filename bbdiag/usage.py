"""The one error a command raises for a mistake in how bbdiag was called or what it was given."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: start-up time matters
    from pathlib import Path


class UsageError(Exception):
    """A mistake in how bbdiag was called or what it was given: one clear line, exit 2."""


def repo_path(repo: str | None) -> Path | None:
    """`--repo DIR` as a path, or None when it was not given; a missing folder is a usage error."""
    if repo is None:
        return None
    from pathlib import Path

    path = Path(repo)
    if not path.is_dir():
        raise UsageError(f"--repo {repo}: no such directory")
    return path
