"""A colour terminal, with rich: the same content as plain text, easier to scan."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from bbdiag.doctor import Finding
    from bbdiag.render.view import DiagnosisView, ReportView, ScanView


def render(report: ReportView, out: TextIO, width: int | None = None, color: bool = True) -> None:
    console = Console(file=out, width=width, no_color=not color, highlight=False, soft_wrap=False, emoji=False)
    for index, d in enumerate(report.diagnoses):
        console.print(_panel(d, index, len(report.diagnoses)))
    for remark in report.remarks:
        console.print(Text(f"note: {remark}", style="yellow"))


def _panel(d: DiagnosisView, index: int, total: int) -> Panel:
    parts: list[object] = []
    parts.append(Text(d.why))
    if d.remote:
        parts.append(Text.assemble(("\nRemote: ", "bold"), d.remote))
    evidence = Table.grid(padding=(0, 1))
    evidence.add_column(justify="right", style="dim")
    evidence.add_column()
    for e in d.evidence:
        evidence.add_row(str(e.line), Text(e.text, style="red"))
    where = f", {d.step}" if d.step else ""
    parts.append(Text(f"\nEvidence ({d.source}{where}):", style="bold"))
    parts.append(evidence)
    parts.append(Text("\nWhat to do:", style="bold"))
    steps = Table.grid(padding=(0, 1))
    steps.add_column(justify="right")
    steps.add_column()
    for number, step in enumerate(d.remedy, 1):
        body: list[Text | Syntax] = [Text(step.text)]
        if step.command:
            body.append(Syntax(step.command, "bash", theme="ansi_dark", background_color="default", word_wrap=True, padding=(0, 0, 0, 2)))
        steps.add_row(f"{number}.", Group(*body))
    parts.append(steps)
    for url in d.docs:
        parts.append(Text.assemble(("\nDocs: ", "bold"), (url, f"link {url}")))
    counter = f"[{index + 1}/{total}] " if total > 1 else ""
    style = "red" if d.auth else "yellow"
    title = Text.assemble((counter + d.title, f"bold {style}"), (f"  {d.cause} · {d.host}", "dim"))
    return Panel(Group(*parts), title=title, title_align="left", border_style=style)  # type: ignore[arg-type]


STYLES = {"error": ("✗", "bold red"), "warning": ("!", "bold yellow"), "info": ("i", "cyan"), "ok": ("✓", "bold green")}


def render_findings(repository: str | None, findings: list[Finding], out: TextIO, width: int | None = None, color: bool = True) -> None:
    console = Console(file=out, width=width, no_color=not color, highlight=False, emoji=False)
    console.print(Text.assemble(("bbdiag doctor: ", "bold"), repository or "not in a repository"))
    for f in findings:
        mark, style = STYLES[f.severity]
        remote = f" [{f.remote}]" if f.remote else ""
        console.print(Text.assemble((f"{mark} ", style), (f.title, style), remote, (f"  {f.id}", "dim")))
        body = Table.grid(padding=(0, 1))
        body.add_column(width=2)
        body.add_column()
        body.add_row("", Text(f.detail, style="dim" if f.severity in ("ok", "info") else ""))
        for number, step in enumerate(f.fix, 1):
            parts: list[Text | Syntax] = [Text(f"{number}. {step.text}")]
            if step.command:
                parts.append(Syntax(step.command, "bash", theme="ansi_dark", background_color="default", word_wrap=True, padding=(0, 0, 0, 3)))
            body.add_row("", Group(*parts))
        console.print(body)


def render_scan(report: ScanView, out: TextIO, width: int | None = None, color: bool = True) -> None:
    from collections import Counter

    from bbdiag.render.plain import FULL

    console = Console(file=out, width=width, no_color=not color, highlight=False, emoji=False)
    found = report.diagnoses
    failing = [s for s in report.sources if s.diagnoses]
    console.print(Text(f"bbdiag scan: {len(found)} git failure(s) in {len(failing)} of {len(report.sources)} log(s)", style="bold"))
    if found:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column("failures", justify="right")
        table.add_column("cause")
        for cause, count in Counter(d.cause for d in found).most_common():
            table.add_row(str(count), cause)
        console.print(table)
        files = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        files.add_column("failures", justify="right")
        files.add_column("log")
        for source in failing:
            files.add_row(str(len(source.diagnoses)), source.source)
        console.print(files)
    for index, d in enumerate(found):
        if index < FULL:
            console.print(_panel(d, index, len(found)))
        else:
            console.print(Text(f"[{index + 1}/{len(found)}] {d.title}  ({d.cause}, {d.host})  {d.source}:{d.lines[0]}"))
    for source in report.sources:
        for remark in source.remarks:
            console.print(Text(f"note: {source.source}: {remark}", style="yellow"))
