"""`bbdiag patterns`: the pattern library listed (80 columns, or JSON), filtered by host or cause,
checked, or tried on a file line by line."""

from __future__ import annotations

import argparse
import json
import sys

from bbdiag.usage import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from bbdiag.library import Library, Pattern

WIDTH = 80


def run(args: argparse.Namespace) -> int:
    from bbdiag import library
    from bbdiag.causes import CAUSES, HOSTS

    if args.host and args.host not in HOSTS:
        raise UsageError(f"--host {args.host}: not a host id (one of: {', '.join(HOSTS)})")
    if args.cause and args.cause not in CAUSES:
        raise UsageError(f"--cause {args.cause}: not a cause id (bbdiag patterns --format json lists each pattern's)")
    try:
        lib = library.load()
        if args.check:
            library.check(lib)
    except library.LibraryError as exc:
        raise UsageError(str(exc)) from exc
    out = sys.stdout
    if args.test:
        _test(lib, args.test, out)
        return 0
    chosen = [p for p in sorted(lib.patterns, key=lambda p: p.id) if _fits(p, args.host, args.cause)]
    if args.format == "json":
        json.dump({"patterns": [_document(p) for p in chosen]}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        _list(chosen, args.sources, out)
    if args.check and args.format != "json":
        out.write(f"\n{len(lib.patterns)} patterns: every regex compiles, every example matches as it should.\n")
    return 0


def _fits(pattern: Pattern, host: str | None, cause: str | None) -> bool:
    """A pattern for this host (its own wording, its hint, or a cause it has there), leading to this cause."""
    if host and host not in (pattern.host, pattern.host_hint) and host not in pattern.cause_by_host:
        return False
    return not cause or cause in pattern.causes


def _cause_text(pattern: Pattern) -> str:
    return pattern.cause or ("/".join(sorted(set(pattern.cause_by_host.values()))) if pattern.cause_by_host else "-")


def _cut(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrapped(text: str, indent: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent, break_on_hyphens=False)) + "\n"


def _list(patterns: list[Pattern], all_sources: bool, out: TextIO) -> None:
    """Each pattern within 80 columns: id and cause, then host, role, date and summary."""
    out.write(f"{'PATTERN':<45}CAUSE\n    host, role, checked: summary\n\n")
    for p in patterns:
        out.write(_cut(f"{p.id:<45}{_cause_text(p)}") + "\n")
        out.write(_wrapped(f"{p.host or 'host from URL'}, {p.role}, {p.checked}: {p.summary}", "    "))
        for reference in p.references if all_sources else ():
            out.write(f"      {reference}\n")  # a URL is not cut: it would no longer lead anywhere
    out.write(f"\n{len(patterns)} pattern(s); --sources: where each wording is from; --format json: all\n")


def _document(p: Pattern) -> dict[str, Any]:
    return {
        "id": p.id,
        "summary": p.summary,
        "cause": p.cause,
        "cause_by_host": dict(p.cause_by_host),
        "causes": list(p.causes),
        "host": p.host,
        "host_hint": p.host_hint,
        "role": p.role,
        "strength": p.strength,
        "checked": p.checked.isoformat(),
        "references": list(p.references),
        "keywords": list(p.keywords),
        "file": p.file,
    }


def _test(lib: Library, name: str, out: TextIO) -> None:
    """For each line of the file, the patterns that match it: the line, then one line a pattern."""
    import os

    from bbdiag.normalise import Reading, read
    from bbdiag.redact import redact

    if os.path.isdir(name):
        raise UsageError(f"--test {name}: is a directory; name one file")
    try:
        stream = open(name, "rb")  # noqa: SIM115 - closed below, after the reading generator is done
    except OSError as exc:
        raise UsageError(f"--test {name}: cannot be read: {exc.strerror or exc}") from exc
    with stream:
        for line in read(stream, Reading(name)):
            found = [p for p in lib.candidates(line.text.lower()) if p.search(line.text)]
            if found:
                out.write(f"{line.number:>6}" + _wrapped(redact(line.text.strip()), "        ")[6:])
                for pattern in found:
                    out.write(_cut(f"          {pattern.id}  ({pattern.cause or '-'})") + "\n")
