"""`bbdiag scan --format sarif`: SARIF 2.1.0, one rule per cause id, one result per failure."""

from __future__ import annotations

import json

from bbdiag import __version__
from bbdiag.causes import CAUSES

TYPE_CHECKING = False
if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from typing import Any, TextIO

    from bbdiag.render.view import DiagnosisView, ScanView

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP = "https://github.com/bbdiag/bbdiag#readme"


def document(report: ScanView) -> dict[str, Any]:
    used = sorted({d.cause for d in report.diagnoses}, key=list(CAUSES).index)
    first = {d.cause: d for d in reversed(report.diagnoses)}  # the first failure of each cause
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "bbdiag", "version": __version__, "informationUri": HELP, "rules": [_rule(c, first[c]) for c in used]}},
                "artifacts": [{"location": {"uri": _uri(s.source)}} for s in report.sources],
                "results": [_result(d, used.index(d.cause)) for d in report.diagnoses],
            }
        ],
    }


def _rule(cause: str, example: DiagnosisView) -> dict[str, Any]:
    """One rule per cause id: what it means, and where the wording that decided it comes from."""
    about = CAUSES[cause]
    blame = "The credential is the problem." if about.auth else "Credentials are not the problem."
    sources = _help_uris(example.references)
    text = f"{about.title}. {blame} Each result gives the steps for its own host and remote, with the exact commands."
    markdown = f"**{about.title}.** {blame}\n\nEach result gives the steps for its own host and remote, with the exact commands."
    if sources:
        text += " The wording is documented at: " + ", ".join(sources)
        markdown += "\n\nThe wording is documented at:\n\n" + "\n".join(f"- <{uri}>" for uri in sources)
    return {
        "id": cause,
        "name": "".join(w.capitalize() for w in cause.split("-")),
        "shortDescription": {"text": about.title},
        "fullDescription": {"text": f"{about.title}. {blame}"},
        "help": {"text": text, "markdown": markdown},
        "helpUri": sources[0] if sources else HELP,
        "defaultConfiguration": {"level": _level(cause)},
        "properties": {"auth": about.auth, "tags": ["git", "authentication" if about.auth else "access"]},
    }


def _help_uris(references: tuple[str, ...]) -> list[str]:
    """A pattern's references that are web pages, documentation before a program's source file."""
    pages = [r for r in references if r.startswith("https://")]
    return sorted(pages, key=lambda r: "/blob/" in r or "/tree/" in r)


def _result(d: DiagnosisView, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": d.cause,
        "ruleIndex": rule_index,
        "level": _level(d.cause),
        "message": {"text": f"{d.title} ({d.host_label}). {d.why}", "markdown": f"**{d.title}** ({d.host_label})\n\n{d.why}\n\n{_steps_markdown(d)}"},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": _uri(d.source)}, "region": {"startLine": max(1, d.lines[0]), "endLine": max(1, d.lines[1])}},
                **({"logicalLocations": [{"name": d.step, "kind": "module"}]} if d.step else {}),
            }
        ],
        "partialFingerprints": {"bbdiag/v1": f"{d.cause}:{d.host}:{d.source}:{d.lines[0]}"},
        "properties": {
            "host": d.host,
            "auth": d.auth,
            "evidence": [e.text for e in d.evidence],
            "remedy": [{"text": s.text, "command": s.command} for s in d.remedy],
            "alternatives": [{"cause": a.cause, "check": {"text": a.check.text, "command": a.check.command}} for a in d.alternatives],
        },
    }


def _steps_markdown(d: DiagnosisView) -> str:
    """The remedy as a numbered list, each command a code block (copied exactly, never re-flowed)."""
    lines = []
    for number, step in enumerate(d.remedy, 1):
        lines.append(f"{number}. {step.text}")
        if step.command:
            fence = "~~~~" if "```" in step.command else "```"
            lines += ["", f"   {fence}sh", *(f"   {line}" for line in step.command.splitlines()), f"   {fence}", ""]
    return "\n".join(lines)


def _level(cause: str) -> str:
    return "error" if CAUSES[cause].auth else "warning"


def _uri(source: str) -> str:
    """A log as GitHub locates it: relative to the current directory (the checkout) where it is below
    it, else a file URI: `a b.log` -> `a%20b.log`; `run.zip!job/1_x.txt` -> `run.zip/job/1_x.txt`."""
    import os
    from urllib.parse import quote

    if source == "-":
        return "stdin"
    path = source.replace("!", "/")
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if relative.startswith(".."):
            return "file://" + quote(path.replace("\\", "/"), safe="/:")
        path = relative
    return quote(path.replace("\\", "/"), safe="/:")


def render(report: ScanView, out: TextIO) -> None:
    out.write(json.dumps(document(report), ensure_ascii=False, indent=2))  # one write: json.dump makes one per token
    out.write("\n")
