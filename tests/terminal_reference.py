"""The terminal layout as rich.console rendered it: the reference tests/test_render_terminal.py holds bbdiag/render/terminal.py to (this was that module before it stopped importing rich.console)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from bbdiag.advice import Finding
    from bbdiag.render.view import DiagnosisView, ReportView, ScanView


def _console(out: TextIO, width: int | None, color: bool) -> Console:
    return Console(file=out, width=width, no_color=not color, highlight=False, emoji=False)


def _step(console: Console, number: int, text: str, command: str | None, indent: int = 0) -> None:
    line = Table.grid(padding=(0, 1))
    line.add_column(justify="right", width=indent + 3)
    line.add_column()
    line.add_row(f"{number}.", Text(text, overflow="fold"))
    console.print(line)
    if command:  # soft-wrapped by the terminal, never by rich: it copies as one line
        console.print(Text(" " * (indent + 6) + command, style="bold cyan"), soft_wrap=True)


def render(report: ReportView, out: TextIO, width: int | None = None, color: bool = True) -> None:
    console = _console(out, width, color)
    for index, d in enumerate(report.diagnoses):
        _diagnosis(console, d, index, len(report.diagnoses))
    for remark in report.remarks:
        console.print(Text(f"note: {remark}", style="yellow"))


def _diagnosis(console: Console, d: DiagnosisView, index: int, total: int) -> None:
    """No box around it: a command must copy cleanly, and is never cut or wrapped by us."""
    style = "red" if d.auth else "yellow"
    counter = f"[{index + 1}/{total}] " if total > 1 else ""
    if index:
        console.rule(style="dim")
    console.print(Text.assemble(("✗ " if d.auth else "! ", f"bold {style}"), (counter + d.title, f"bold {style}"), (f"  ({d.cause}, {d.host})", "dim")))
    console.print(Text(d.why))
    if d.remote:
        console.print(Text.assemble(("Remote: ", "bold"), d.remote))
    where = f", {d.step}" if d.step else ""
    console.print(Text(f"\nEvidence ({d.source}{where}):", style="bold"))
    evidence = Table.grid(padding=(0, 1))
    evidence.add_column(justify="right", style="dim")
    evidence.add_column()
    for e in d.evidence:
        evidence.add_row(str(e.line), Text(e.text, style=style, overflow="fold"))
    console.print(evidence)
    console.print(Text("\nWhat to do:", style="bold"))
    for number, step in enumerate(d.remedy, 1):
        _step(console, number, step.text, step.command)
    if d.alternatives:
        console.print(Text("\n" + d.or_line(), style="yellow"))
        if d.alternatives[0].check.command:
            console.print(Text("      " + d.alternatives[0].check.command, style="bold cyan"), soft_wrap=True)
    for url in d.docs:
        console.print(Text.assemble(("\nDocs: ", "bold"), (url, f"link {url}")), soft_wrap=True)


STYLES = {"error": ("✗", "bold red"), "warning": ("!", "bold yellow"), "info": ("i", "cyan"), "ok": ("✓", "bold green")}


def render_findings(repository: str | None, findings: list[Finding], out: TextIO, width: int | None = None, color: bool = True) -> None:
    console = _console(out, width, color)
    console.print(Text.assemble(("bbdiag doctor: ", "bold"), repository or "not in a repository"))
    for f in findings:
        console.print()
        mark, style = STYLES[f.severity]
        remote = f" [{f.remote}]" if f.remote else ""
        console.print(Text.assemble((f"{mark} ", style), (f.title, style), remote, (f"  {f.id}", "dim")))
        body = Table.grid(padding=(0, 1))
        body.add_column(width=2)
        body.add_column()
        body.add_row("", Text(f.detail, style="dim" if f.severity in ("ok", "info") else ""))
        console.print(body)
        for number, step in enumerate(f.fix, 1):
            _step(console, number, step.text, step.command, indent=3)


def render_scan(report: ScanView, out: TextIO, width: int | None = None, color: bool = True) -> None:
    from collections import Counter

    from bbdiag.render.plain import FULL

    console = _console(out, width, color)
    found = report.diagnoses
    failing = [s for s in report.sources if s.diagnoses]
    console.print(Text(f"bbdiag scan: {len(found)} git failure(s) in {len(failing)} of {len(report.sources)} log(s)", style="bold"))
    if found:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column("failures", justify="right")
        table.add_column("cause")
        for cause, count in Counter(d.cause for d in found).most_common():
            table.add_row(str(count), Text(cause))
        console.print(table)
        files = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        files.add_column("failures", justify="right")
        files.add_column("log")
        for source in failing:
            files.add_row(str(len(source.diagnoses)), Text(source.source))  # Text: a file name is never markup
        console.print(files)
    for index, d in enumerate(found):
        if index < FULL:
            _diagnosis(console, d, index, len(found))
        else:
            console.print(Text(f"[{index + 1}/{len(found)}] {d.title}  ({d.cause}, {d.host})  {d.source}:{d.lines[0]}"))
    for source in report.sources:
        for remark in source.remarks:
            console.print(Text(f"note: {source.source}: {remark}", style="yellow"))
