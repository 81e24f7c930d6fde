"""`bbdiag explain [FILE]`: what went wrong in one failed git command's output, and what to type to fix it."""

from __future__ import annotations

import os
import sys

from bbdiag.render import renderer
from bbdiag.usage import EXIT_EXPLAINED, EXIT_NOTHING, UsageError, as_of, repo_path

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import BinaryIO


def run(args: argparse.Namespace) -> int:
    from bbdiag import library, normalise, pipeline
    from bbdiag.render import view

    today = as_of(args.as_of)
    limit = _max_input(normalise.MAX_INPUT)
    stream, source = _open_input(args.file)
    try:  # not contextlib.ExitStack: its import is 3M instructions, a hundredth of the run
        result = pipeline.diagnose_stream(stream, source, library.load(), limit)
    finally:
        if source != "-":  # the file explain opened; standard input is not its to close
            stream.close()
    repo = repo_path(args.repo)
    diagnoses = result.diagnoses
    results = pipeline.remedies(diagnoses, as_of=today) if args.no_repo else pipeline.fitted_remedies(diagnoses, repo, today)
    report = view.build(source, results, result.remarks())
    renderer(args.format, sys.stdout, "render")(report, sys.stdout)
    if not report.diagnoses:
        if args.format != "json":
            _say_nothing_found(result.reading.lines, source, result.patterns_seen, result.succeeded_at)
        return EXIT_NOTHING
    return EXIT_EXPLAINED


def _max_input(default: int) -> int:
    """BBDIAG_MAX_INPUT: bytes read from one input."""
    value = os.environ.get("BBDIAG_MAX_INPUT", "").strip()
    if not value:
        return default
    if not value.isdecimal() or int(value) < 1:
        raise UsageError(f"BBDIAG_MAX_INPUT={value}: not a number of bytes (such as 1073741824)")
    return int(value)


def _say_nothing_found(lines: int, source: str, seen: frozenset[str], succeeded_at: int | None = None) -> None:
    where = "standard input" if source == "-" else source
    if lines == 0:
        print(f"bbdiag explain: {where} was empty: nothing to explain.", file=sys.stderr)
        return
    if succeeded_at is not None:
        return  # the report's own note says the command succeeded
    print(f"bbdiag explain: no git failure recognised in {lines} line(s) of {where}.", file=sys.stderr)
    if "git-unable-to-access" in seen or "git-remote-error" in seen:
        print("git's own failure line is there, but its reason is one bbdiag does not know yet.", file=sys.stderr)
    print(
        "Send the complete output of the failing command, with its remote: and fatal: lines, e.g.\n  git push 2>&1 | bbdiag explain",
        file=sys.stderr,
    )


def _open_input(name: str) -> tuple[BinaryIO, str]:
    if name == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("no input: pipe git's output in (git push 2>&1 | bbdiag explain) or name a file")
        return sys.stdin.buffer, "-"
    if os.path.isdir(name):
        raise UsageError(f"{name}: is a directory (explain reads one file; bbdiag scan reads directories)")
    try:
        return open(name, "rb"), name  # closed by run
    except FileNotFoundError as exc:
        raise UsageError(f"{name}: no such file") from exc
    except PermissionError as exc:
        raise UsageError(f"{name}: permission denied") from exc
    except OSError as exc:
        raise UsageError(f"{name}: cannot be read: {exc.strerror or exc}") from exc
