"""`--format json`: the document of ../shared/spec/output.md (version 1)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from bbdiag.advice import Finding, Step
    from bbdiag.render.view import DiagnosisView, ReportView, ScanView, StepView


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
        "findings": [
            {
                "id": f.id,
                "severity": f.severity,
                **({"remote": f.remote} if f.remote else {}),
                "title": f.title,
                "detail": f.detail,
                "fix": _steps(f.fix),
            }
            for f in findings
        ],
    }
    json.dump(doc, out, ensure_ascii=False, indent=2)
    out.write("\n")


def render_scan(report: ScanView, out: TextIO) -> None:
    """`bbdiag scan --format json`: the same document as explain's, one entry per failure."""
    doc = {
        "version": 1,
        "diagnoses": [diagnosis_document(d) for d in report.diagnoses],
        "sources": [{"source": s.source, "lines": s.lines, "failures": len(s.diagnoses), "notes": list(s.remarks)} for s in report.sources],
    }
    out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")  # one write: json.dump makes one per token


def render_scan_jsonl(report: ScanView, out: TextIO) -> None:
    """One diagnosis per line, for pipelines."""
    for d in report.diagnoses:
        out.write(json.dumps(diagnosis_document(d), ensure_ascii=False) + "\n")
