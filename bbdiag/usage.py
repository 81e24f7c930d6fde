"""What every command shares: its exit codes, the one error it raises for a mistake in how bbdiag was
called or what it was given, and the options whose checking that error reports."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # imported where used: start-up time matters
    import datetime as dt
    from pathlib import Path

# The codes cli.EXIT_CODES_HELP documents (scan, fix and run say their own in their --help).
EXIT_EXPLAINED = 0  # explain: a failure was explained; doctor: no error finding
EXIT_NOTHING = 1  # explain: nothing recognised; doctor: an error finding
EXIT_USAGE = 2
EXIT_INTERNAL = 3


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


def as_of(value: str | None) -> dt.date:
    """The day remedies and findings are judged on: --as-of, $BBDIAG_AS_OF, or today."""
    from bbdiag import knowledge

    try:
        return knowledge.today(value)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
