"""Diagnoses + remedies -> redacted records for the renderers (the only way to them)."""

from __future__ import annotations

from bbdiag.causes import HOSTS
from bbdiag.records import NamedTuple
from bbdiag.redact import redact

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.advice import Remedy
    from bbdiag.diagnose import Diagnosis

MAX_EVIDENCE_CHARS = 300  # a 50 MB line is evidence too; show its start (cut after redaction: a cut secret no longer looks like one)


class EvidenceView(NamedTuple):
    line: int
    pattern: str
    text: str


class StepView(NamedTuple):
    text: str
    command: str | None


class AlternativeView(NamedTuple):
    """Another cause the text fits, and the check that tells it from the primary one."""

    cause: str
    title: str
    check: StepView


class DiagnosisView(NamedTuple):
    cause: str
    host: str
    host_label: str
    auth: bool
    title: str
    why: str
    source: str
    lines: tuple[int, int]
    evidence: tuple[EvidenceView, ...]
    remote: str | None
    remedy: tuple[StepView, ...]
    docs: tuple[str, ...]
    step: str | None = None  # scan: the CI step or job the failure happened in
    alternatives: tuple[AlternativeView, ...] = ()  # [] when the text is clear
    references: tuple[str, ...] = ()  # where the deciding pattern's wording comes from (its `references`)

    def remedy_text(self) -> str:
        """The steps as numbered plain text, each command indented on its own line (CI reports),
        then the "or:" line and its check when the text fits other causes too."""
        steps = "\n".join(f"{n}. {s.text}" + (f"\n   {s.command}" if s.command else "") for n, s in enumerate(self.remedy, 1))
        if not self.alternatives:
            return steps
        command = self.alternatives[0].check.command
        return f"{steps}\n{self.or_line()}" + (f"\n   {command}" if command else "")

    def or_line(self) -> str:
        """The one "or:" line: the other causes the text fits, and how to tell (the command follows it)."""
        others = "; or: ".join(f"{a.title[:1].lower()}{a.title[1:]} ({a.cause})" for a in self.alternatives)
        return f"or: {others}. To tell them apart: {self.alternatives[0].check.text}"


class ReportView(NamedTuple):
    source: str
    diagnoses: tuple[DiagnosisView, ...]
    remarks: tuple[str, ...]  # what could not be read as it was


def build(source: str, results: list[tuple[Diagnosis, Remedy]], remarks: list[str]) -> ReportView:
    return ReportView(
        source=redact(source),
        diagnoses=tuple(diagnosis_view(source, d, r) for d, r in results),
        remarks=tuple(redact(r) for r in remarks),
    )


def diagnosis_view(source: str, d: Diagnosis, r: Remedy, step: str | None = None) -> DiagnosisView:
    seen: set[tuple[int, str]] = set()
    evidence = []
    for hit in d.evidence:
        key = (hit.line, hit.text)
        if key in seen:
            continue
        seen.add(key)
        evidence.append(EvidenceView(hit.line, hit.pattern.id, shorten(redact(hit.text.strip()), MAX_EVIDENCE_CHARS)))
    remote = d.url.display if d.url else (d.url_text if d.url_text and "://" in d.url_text else None)
    return DiagnosisView(
        cause=d.cause,
        host=d.host,
        host_label=HOSTS[d.host],
        auth=d.auth,
        title=redact(r.title),
        why=redact(r.why),
        source=redact(source),
        lines=d.lines,
        evidence=tuple(evidence),
        remote=redact(remote) if remote else None,
        remedy=tuple(StepView(redact(s.text), redact(s.command) if s.command else None) for s in r.steps),
        docs=tuple(redact(u) for u in r.docs),
        step=redact(step) if step else None,
        alternatives=tuple(AlternativeView(a.cause, redact(a.title), StepView(redact(a.check.text), redact(a.check.command))) for a in r.alternatives),
        references=d.primary.pattern.references,
    )


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SourceView(NamedTuple):
    """One scanned log: what was read, and the failures in it."""

    source: str
    lines: int
    diagnoses: tuple[DiagnosisView, ...]
    remarks: tuple[str, ...]


class ScanView(NamedTuple):
    sources: tuple[SourceView, ...]

    @property
    def diagnoses(self) -> tuple[DiagnosisView, ...]:
        return tuple(d for s in self.sources for d in s.diagnoses)
