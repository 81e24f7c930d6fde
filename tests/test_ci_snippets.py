"""Each README CI snippet's bbdiag command, run on a real log of that CI."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.conftest import bbdiag

ROOT = Path(__file__).parent.parent
CI = ROOT / "tests" / "fixtures" / "ci"
README = (ROOT / "README.md").read_text()


def snippet_command(ci: str) -> list[str]:
    section = README.split(f"**{ci}**", 1)[1].split("```", 2)[1]
    line = next(line for line in section.splitlines() if "bbdiag scan" in line)
    command = line.split("bbdiag scan", 1)[1].strip().strip("'\"")
    return shlex.split(command)


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return bbdiag("scan", *args, cwd=cwd)


def test_github_actions_snippet(tmp_path: Path) -> None:
    args = snippet_command("GitHub Actions")
    with zipfile.ZipFile(tmp_path / "logs.zip", "w") as archive:
        archive.writestr("release/3_Push release.txt", (CI / "github-actions.log").read_text())
    done = run(args, tmp_path)
    assert done.returncode == 0, "permission-denied is not a credential problem: --fail-on auth does not gate it"
    assert re.match(r"::warning file=logs.zip/release/3_Push release.txt,line=15,endLine=16,title=bbdiag%3A ", done.stdout.replace("!", "/"))


def test_gitlab_ci_snippet(tmp_path: Path) -> None:
    args = snippet_command("GitLab CI")
    (tmp_path / "git.log").write_bytes((CI / "gitlab-ci.log").read_bytes())
    assert run(args, tmp_path).returncode == 0
    (issue,) = json.loads((tmp_path / "gl-code-quality-report.json").read_text())
    assert issue["check_name"] == "bbdiag/app-password-retired" and issue["severity"] == "critical" and issue["location"]["lines"]["begin"] == 13


def test_bitbucket_pipelines_snippet(tmp_path: Path) -> None:
    args = snippet_command("Bitbucket Pipelines")
    (tmp_path / "git.log").write_bytes((CI / "bitbucket-pipelines.log").read_bytes())
    assert run(args, tmp_path).returncode == 0
    insights = json.loads((tmp_path / "insights.json").read_text())
    assert insights["report"]["result"] == "FAILED"
    (annotation,) = insights["annotations"]
    assert annotation["line"] == 9 and "token-scope-insufficient" in annotation["summary"] and annotation["severity"] == "HIGH"


def test_jenkins_snippet(tmp_path: Path) -> None:
    args = snippet_command("Jenkins")
    (tmp_path / "console.txt").write_bytes((CI / "jenkins-console.txt").read_bytes())
    assert run(args, tmp_path).returncode == 0
    suites = ElementTree.parse(tmp_path / "bbdiag.xml").getroot()
    (failure,) = suites.iter("failure")
    assert failure.get("type") == "credentials-rejected"


@pytest.mark.parametrize("ci", ["GitHub Actions", "GitLab CI", "Bitbucket Pipelines", "Jenkins"])
def test_every_snippet_has_a_command(ci: str) -> None:
    assert snippet_command(ci)
