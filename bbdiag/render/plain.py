"""Plain text: when stdout is not a terminal, or NO_COLOR is set. No rich import (start-up cost)."""

from __future__ import annotations

from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from typing import TextIO

    from bbdiag.advice import Finding, Step
    from bbdiag.render.view import DiagnosisView, ReportView, ScanView, StepView

WIDTH = 100


def render(report: ReportView, out: TextIO) -> None:
    for index, d in enumerate(report.diagnoses):
        if index:
            out.write("\n" + "-" * 40 + "\n\n")
        _diagnosis(d, out, index, len(report.diagnoses))
    for remark in report.remarks:
        out.write(f"\nnote: {remark}\n")


def _diagnosis(d: DiagnosisView, out: TextIO, index: int, total: int) -> None:
    counter = f"[{index + 1}/{total}] " if total > 1 else ""
    out.write(f"{counter}{d.title}  ({d.cause}, {d.host})\n\n")
    out.write(_wrap(d.why, "") + "\n")
    if d.remote:
        out.write(f"\nRemote: {d.remote}\n")
    where = f", {d.step}" if d.step else ""
    out.write(f"\nEvidence ({d.source}{where}):\n")
    width = len(str(d.evidence[-1].line)) if d.evidence else 1
    for e in d.evidence:
        out.write(f"  {e.line:>{width}} | {e.text}\n")
    out.write("\nWhat to do:\n")
    _steps(d.remedy, out)
    if d.alternatives:
        out.write("\n" + _wrap(d.or_line(), "", "    ") + "\n")
        if d.alternatives[0].check.command:
            out.write(f"       {d.alternatives[0].check.command}\n")
    for url in d.docs:
        out.write(f"\nDocs: {url}\n")


def _steps(steps: Sequence[StepView | Step], out: TextIO, margin: str = "") -> None:
    """Numbered steps, each command on its own line, unwrapped: it must copy as one line."""
    for number, step in enumerate(steps, 1):
        out.write(_wrap(step.text, f"{margin}  {number}. ", f"{margin}     ") + "\n")
        if step.command:
            out.write(f"{margin}       {step.command}\n")


def _wrap(text: str, first: str, rest: str | None = None) -> str:
    return fill(text, WIDTH, first, first if rest is None else rest)


# What textwrap turns into a space (its _whitespace): ASCII whitespace only.
_TO_SPACE = dict.fromkeys(map(ord, "\t\n\x0b\x0c\r"), " ")


def fill(text: str, width: int, first: str = "", rest: str = "") -> str:
    """textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest, break_long_words=False,
    break_on_hyphens=False), the same lines, without importing textwrap: its import compiles a large
    regular expression that these options never use (4.5M instructions of explain's start-up).
    tests/test_plain_fill.py holds the two equal."""
    if width <= 0:
        raise ValueError(f"invalid width {width!r} (must be > 0)")
    chunks = _chunks(text.expandtabs().translate(_TO_SPACE))  # words and runs of spaces, as textwrap splits them
    chunks.reverse()  # a stack: the next chunk is the last
    lines: list[str] = []
    while chunks:
        indent = rest if lines else first
        room = width - len(indent)
        if lines and chunks[-1].strip() == "":  # a line after the first starts with no space
            del chunks[-1]
        line: list[str] = []
        used = 0
        while chunks and used + len(chunks[-1]) <= room:
            used += len(chunks[-1])
            line.append(chunks.pop())
        if chunks and not line and len(chunks[-1]) > room:  # a word longer than any line: alone on its own
            line.append(chunks.pop())
        if line and line[-1].strip() == "":  # nor ends with one
            del line[-1]
        if line:
            lines.append(indent + "".join(line))
    return "\n".join(lines)


def _chunks(text: str) -> list[str]:
    """`text` (spaces its only whitespace) cut into words and the runs of spaces between them."""
    chunks: list[str] = []
    spaces = 0
    for index, piece in enumerate(text.split(" ")):
        spaces += 1 if index else 0  # the space before this piece (an empty piece: one space more)
        if piece:
            if spaces:
                chunks.append(" " * spaces)
                spaces = 0
            chunks.append(piece)
    if spaces:
        chunks.append(" " * spaces)
    return chunks


MARKS = {"error": "ERROR", "warning": "WARN ", "info": "info ", "ok": "ok   "}


def render_findings(repository: str | None, findings: list[Finding], out: TextIO) -> None:
    out.write(f"bbdiag doctor: {repository or 'not in a repository'}\n\n")
    for f in findings:
        remote = f" [{f.remote}]" if f.remote else ""
        out.write(f"{MARKS[f.severity]} {f.title}{remote}  ({f.id})\n")
        if f.severity != "ok" or not f.fix:
            out.write(_wrap(f.detail, "      ") + "\n")
        _steps(f.fix, out, margin="    ")
        out.write("\n")


FULL = 20  # diagnoses shown in full; the rest get one line each


def render_scan(report: ScanView, out: TextIO) -> None:
    out.write(summary(report))
    for index, d in enumerate(report.diagnoses):
        out.write("\n" + "-" * 40 + "\n\n")
        if index < FULL:
            _diagnosis(d, out, index, len(report.diagnoses))
        else:
            out.write(f"[{index + 1}/{len(report.diagnoses)}] {d.title}  ({d.cause}, {d.host})  {d.source}:{d.lines[0]}\n")
    for source in report.sources:
        for remark in source.remarks:
            out.write(f"\nnote: {source.source}: {remark}\n")


def summary(report: ScanView) -> str:
    from collections import Counter

    found = report.diagnoses
    failing = [s for s in report.sources if s.diagnoses]
    lines = [f"bbdiag scan: {len(found)} git failure(s) in {len(failing)} of {len(report.sources)} log(s)"]
    if found:
        lines.append("")
        for cause, count in Counter(d.cause for d in found).most_common():
            lines.append(f"  {count:>4}  {cause}")
        lines.append("")
        for source in failing:
            lines.append(f"  {len(source.diagnoses):>4}  {source.source}")
    return "\n".join(lines) + "\n"
