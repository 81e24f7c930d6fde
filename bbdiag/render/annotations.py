"""Where CI users look: GitHub workflow commands and job summary, GitLab Code Quality, JUnit XML,
and Bitbucket Code Insights. Each within its host's documented limits."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from xml.etree import ElementTree

from bbdiag.causes import CAUSES
from bbdiag.render.view import shorten

TYPE_CHECKING = False
if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from typing import TextIO

    from bbdiag.render.view import DiagnosisView, ScanView

# GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job).
GITHUB_PER_STEP = 10
# Bitbucket Code Insights: summary <= 450 chars, details <= 2000 (the annotation counts a request
# and a report may hold are dated facts: knowledge/facts.toml).
BITBUCKET_SUMMARY, BITBUCKET_DETAILS = 450, 2000


# ------------------------------------------------------------------------------ GitHub Actions
def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(report: ScanView, out: TextIO) -> None:
    """`::error`/`::warning` workflow commands: credential causes as errors, the rest as warnings."""
    for level, auth in (("error", True), ("warning", False)):
        chosen = [d for d in report.diagnoses if d.auth == auth]
        shown = chosen if len(chosen) <= GITHUB_PER_STEP else chosen[: GITHUB_PER_STEP - 1]
        for d in shown:
            props = f"file={_escape_property(d.source)},line={d.lines[0]},endLine={d.lines[1]},title={_escape_property('bbdiag: ' + d.title)}"
            message = f"{d.cause} ({d.host_label}){' in ' + d.step if d.step else ''}: {d.why}\n{d.remedy_text()}"
            out.write(f"::{level} {props}::{_escape_data(message)}\n")
        if len(chosen) > len(shown):
            rest = len(chosen) - len(shown)
            out.write(f"::{level} title=bbdiag::{_escape_data(f'{rest} more git failure(s) of this kind: see the job summary or bbdiag scan --format json')}\n")


def github_summary(report: ScanView) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY."""
    lines = [f"## bbdiag: {len(report.diagnoses)} git failure(s) in {len(report.sources)} log(s)", ""]
    if not report.diagnoses:
        return "\n".join([*lines, "No git failure found."]) + "\n"
    lines += ["| cause | host | where | what |", "|---|---|---|---|"]
    for d in report.diagnoses:
        where = f"{d.source}:{d.lines[0]}" + (f" ({d.step})" if d.step else "")
        lines.append(f"| `{d.cause}` | {d.host_label} | {where.replace('|', '/')} | {d.title.replace('|', '/')} |")
    for d in report.diagnoses:
        lines += ["", f"### {d.title} ({d.host_label})", "", d.why, ""]
        fence = "```"
        lines += [f"{fence}text", *(f"{e.line:>5} | " + e.text.replace(fence, "'") for e in d.evidence), fence, ""]
        for n, s in enumerate(d.remedy, 1):
            lines.append(f"{n}. {s.text}")
            if s.command:
                lines += ["   ```sh", f"   {s.command}", "   ```"]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ GitLab
def gitlab(report: ScanView, out: TextIO) -> None:
    """A Code Quality report (artifacts:reports:codequality)."""
    severity = {True: "critical", False: "minor"}
    issues = [
        {
            "description": f"{d.title} ({d.host_label}): {d.why}",
            "check_name": f"bbdiag/{d.cause}",
            "fingerprint": _fingerprint(d),
            "severity": "major" if CAUSES[d.cause].access else severity[d.auth],
            "location": {"path": d.source, "lines": {"begin": d.lines[0], "end": d.lines[1]}},
            "categories": ["Security" if d.auth else "Bug Risk"],
            "content": {"body": d.remedy_text()},
        }
        for d in report.diagnoses
    ]
    json.dump(issues, out, ensure_ascii=False, indent=2)
    out.write("\n")


def _fingerprint(d: DiagnosisView) -> str:
    return hashlib.sha256(f"{d.cause}\0{d.host}\0{d.source}\0{d.lines[0]}".encode()).hexdigest()[:40]


# ------------------------------------------------------------------------------ JUnit
def junit(report: ScanView, out: TextIO) -> None:
    """One test case per failure, and one passing case per clean log."""
    suites = ElementTree.Element(
        "testsuites", name="bbdiag", tests=str(len(report.diagnoses) + sum(1 for s in report.sources if not s.diagnoses)), failures=str(len(report.diagnoses))
    )
    for source in report.sources:
        suite = ElementTree.SubElement(suites, "testsuite", name=source.source, tests=str(max(1, len(source.diagnoses))), failures=str(len(source.diagnoses)))
        if not source.diagnoses:
            ElementTree.SubElement(suite, "testcase", classname="bbdiag", name="no git failure")
        for d in source.diagnoses:
            case = ElementTree.SubElement(suite, "testcase", classname=f"bbdiag.{d.cause}", name=f"{d.source}:{d.lines[0]} {d.title}")
            failure = ElementTree.SubElement(case, "failure", type=d.cause, message=f"{d.title} ({d.host_label})")
            evidence = "\n".join(f"{e.line}: {e.text}" for e in d.evidence)
            failure.text = f"{d.why}\n\n{evidence}\n\n{d.remedy_text()}"
    ElementTree.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n")


# ------------------------------------------------------------------------------ Bitbucket Code Insights
def bitbucket(report: ScanView, out: TextIO) -> None:
    """A Code Insights report and its annotations, ready for the Reports API: `report` for the PUT,
    `batches` for the POSTs (each within what one request may carry), `annotations` all of them
    (within what one report may hold; the rest are counted in the report's details)."""
    from bbdiag import knowledge

    k = knowledge.load()
    per_request = int(k.fact("bitbucket-insights-annotations-per-request"))
    per_report = int(k.fact("bitbucket-insights-annotations-per-report"))
    causes = Counter(d.cause for d in report.diagnoses)
    auth = sum(1 for d in report.diagnoses if d.auth)
    document = {
        "report": {
            "title": "bbdiag: git failures",
            "details": (
                f"{len(report.diagnoses)} git failure(s) in {len(report.sources)} log(s): "
                + ", ".join(f"{c} x{n}" for c, n in causes.most_common())
                + (f"; annotations for the first {per_report}" if len(report.diagnoses) > per_report else "")
                if report.diagnoses
                else "No git failure found."
            )[:BITBUCKET_DETAILS],
            "report_type": "BUG",
            "reporter": "bbdiag",
            "result": "FAILED" if report.diagnoses else "PASSED",
            "data": [
                {"title": "Git failures", "type": "NUMBER", "value": len(report.diagnoses)},
                {"title": "Credential problems", "type": "NUMBER", "value": auth},
                {"title": "Logs scanned", "type": "NUMBER", "value": len(report.sources)},
            ],
        },
        "annotations": [
            {
                "external_id": f"bbdiag-{_fingerprint(d)[:32]}",
                "annotation_type": "VULNERABILITY" if d.auth else "BUG",
                "summary": shorten(f"{d.title} ({d.host_label}, {d.cause})", BITBUCKET_SUMMARY),
                "details": shorten(f"{d.why}\n{d.remedy_text()}", BITBUCKET_DETAILS),
                "path": d.source,
                "line": d.lines[0],
                "severity": "HIGH" if d.auth else "MEDIUM",
                "result": "FAILED",
            }
            for d in report.diagnoses[:per_report]
        ],
    }
    annotations = document["annotations"]
    assert isinstance(annotations, list)
    document["batches"] = [annotations[start : start + per_request] for start in range(0, len(annotations), per_request)]
    json.dump(document, out, ensure_ascii=False, indent=2)
    out.write("\n")
