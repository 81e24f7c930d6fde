"""`--format json`: the document of ../shared/spec/output.md (version 1)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from typing import Any, TextIO

    from bbdiag.advice import Finding, Step
    from bbdiag.render.view import DiagnosisView, ReportView, ScanView, SourceView, StepView


def diagnosis_document(d: DiagnosisView) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "cause": d.cause,
        "host": d.host,
        "auth": d.auth,
        "title": d.title,
        "why": d.why,
        "source": d.source,
        "lines": list(d.lines),
        "evidence": [{"line": e.line, "pattern": e.pattern, "text": e.text} for e in d.evidence],
        "remedy": _steps(d.remedy),
        "docs": list(d.docs),
        "alternatives": [
            {"cause": a.cause, "title": a.title, "check": {"text": a.check.text, "command": a.check.command} if a.check.command else {"text": a.check.text}}
            for a in d.alternatives
        ],
    }
    if d.remote:
        doc["remote"] = d.remote
    if d.step:
        doc["step"] = d.step
    return doc


def _steps(steps: Sequence[StepView | Step]) -> list[dict[str, str]]:
    return [{"text": s.text, "command": s.command} if s.command else {"text": s.text} for s in steps]


def render(report: ReportView, out: TextIO) -> None:
    doc = {"version": 1, "diagnoses": [diagnosis_document(d) for d in report.diagnoses], "notes": list(report.remarks)}
    json.dump(doc, out, ensure_ascii=False, indent=2)
    out.write("\n")


def render_findings(repository: str | None, findings: list[Finding], out: TextIO) -> None:
    """`bbdiag doctor --format json` (../shared/spec/output.md); findings are redacted when made."""
    doc = {
        "version": 1,
        "repository": repository,
        "findings": [_finding_document(f) for f in findings],
    }
    json.dump(doc, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _finding_document(f: Finding) -> dict[str, Any]:
    steps = _steps(f.fix)
    # The same steps under explain's name, so a tool reads remedies one way from both commands;
    # `fix` stays because output.md's contract never renames a field.
    return {
        "id": f.id,
        "severity": f.severity,
        **({"remote": f.remote} if f.remote else {}),
        "title": f.title,
        "detail": f.detail,
        "fix": steps,
        "remedy": steps,
    }


def render_scan(report: ScanView, out: TextIO) -> None:
    """`bbdiag scan --format json`: the same document as explain's, one entry per failure."""
    stream_scan(report.sources, out)


def stream_scan(sources: Iterable[SourceView], out: TextIO) -> None:
    """The document of `render_scan`, byte for byte, written as each log's report arrives: a scan
    of many files shows its failures as the files finish, and never holds the whole text."""
    out.write('{\n  "version": 1,\n  "diagnoses": [')
    flushing = _Flushing(out)
    written = 0
    seen: list[dict[str, Any]] = []
    for source in sources:
        for d in source.diagnoses:
            # json.dumps's own indentation, moved two levels in (a JSON string holds no raw newline).
            out.write(("," if written else "") + "\n    " + _indented(diagnosis_document(d), "    "))
            written += 1
        seen.append({"source": source.source, "lines": source.lines, "failures": len(source.diagnoses), "notes": list(source.remarks)})
        flushing(source)
    out.write(("\n  ]" if written else "]") + ',\n  "sources": ' + _indented(seen, "  ") + "\n}\n")


def _indented(value: object, prefix: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + prefix)


def render_scan_jsonl(report: ScanView, out: TextIO) -> None:
    """One diagnosis per line, for pipelines."""
    stream_scan_jsonl(report.sources, out)


def stream_scan_jsonl(sources: Iterable[SourceView], out: TextIO) -> None:
    """`render_scan_jsonl` as each log's report arrives."""
    flushing = _Flushing(out)
    for source in sources:
        for d in source.diagnoses:
            out.write(json.dumps(diagnosis_document(d), ensure_ascii=False) + "\n")
        flushing(source)


class _Flushing:
    """Passes on what a log's failures wrote, at most every FLUSH_EVERY seconds: a reader sees the
    first failure at once and later ones soon after, without a write to the pipe per log (2,000
    small logs made 2,000 writes, a fifth of the scan's time)."""

    FLUSH_EVERY = 0.05

    def __init__(self, out: TextIO) -> None:
        self.out, self.last = out, -self.FLUSH_EVERY

    def __call__(self, source: SourceView) -> None:
        import time

        now = time.monotonic()
        if source.diagnoses and now - self.last >= self.FLUSH_EVERY:
            self.out.flush()
            self.last = now
