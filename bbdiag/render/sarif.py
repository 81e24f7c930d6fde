"""`bbdiag scan --format sarif`: SARIF 2.1.0, one rule per cause id, one result per failure."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from bbdiag import __version__
from bbdiag.causes import CAUSES

if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from bbdiag.render.view import DiagnosisView, ScanView

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP = "https://github.com/bbdiag/bbdiag#readme"


def document(report: ScanView) -> dict[str, Any]:
    used = sorted({d.cause for d in report.diagnoses}, key=list(CAUSES).index)
    rules = [
        {
            "id": cause,
            "name": "".join(w.capitalize() for w in cause.split("-")),
            "shortDescription": {"text": CAUSES[cause].title},
            "fullDescription": {
                "text": f"{CAUSES[cause].title}. " + ("The credential is the problem." if CAUSES[cause].auth else "Credentials are not the problem.")
            },
            "helpUri": HELP,
            "defaultConfiguration": {"level": _level(cause)},
            "properties": {"auth": CAUSES[cause].auth, "tags": ["git", "authentication" if CAUSES[cause].auth else "access"]},
        }
        for cause in used
    ]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "bbdiag", "version": __version__, "informationUri": HELP, "rules": rules}},
                "artifacts": [{"location": {"uri": _uri(s.source)}} for s in report.sources],
                "results": [_result(d, used.index(d.cause)) for d in report.diagnoses],
            }
        ],
    }


def _result(d: DiagnosisView, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": d.cause,
        "ruleIndex": rule_index,
        "level": _level(d.cause),
        "message": {"text": f"{d.title} ({d.host_label}). {d.why}", "markdown": f"**{d.title}** ({d.host_label})\n\n{d.why}\n\n{d.remedy_text()}"},
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
        },
    }


def _level(cause: str) -> str:
    return "error" if CAUSES[cause].auth else "warning"


def _uri(source: str) -> str:
    """A relative URI reference for a log: `a b.log` -> `a%20b.log`; `run.zip!job/1_x.txt` -> `run.zip/job/1_x.txt`."""
    from urllib.parse import quote

    return quote(source.replace("\\", "/").replace("!", "/"), safe="/:") if source != "-" else "stdin"


def render(report: ScanView, out: TextIO) -> None:
    json.dump(document(report), out, ensure_ascii=False, indent=2)
    out.write("\n")
