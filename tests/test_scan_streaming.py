"""`bbdiag scan` writes each log's failures as the log is done, in the order the logs were named,
on one core or many: a report that a pipeline reads line by line does not wait for the last log."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bbdiag import library, scan
from bbdiag.render import json as json_renderer
from bbdiag.render.view import ScanView
from tests.conftest import FIXTURES

LOGS = sorted((FIXTURES / "ci").iterdir())


def reports() -> list[ScanView]:
    views = scan.views_of([scan.scan_path(log, library.load())[0] for log in LOGS])
    return [ScanView(tuple(views)), ScanView(tuple(v for v in views if not v.diagnoses)), ScanView(())]


@pytest.mark.parametrize("report", reports(), ids=["failures", "none", "no-logs"])
def test_the_streamed_document_is_json_dumps_byte_for_byte(report: ScanView) -> None:
    out = io.StringIO()
    json_renderer.stream_scan(iter(report.sources), out)
    doc = {
        "version": 1,
        "diagnoses": [json_renderer.diagnosis_document(d) for d in report.diagnoses],
        "sources": [{"source": s.source, "lines": s.lines, "failures": len(s.diagnoses), "notes": list(s.remarks)} for s in report.sources],
    }
    assert out.getvalue() == json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def first_line_while_the_last_log_is_unwritten(tmp_path: Path, logs: list[Path], jobs: str, fmt: str) -> tuple[str, str]:
    """The first line of the report, read while the last log (a FIFO) has no writer yet; then the rest."""
    fifo = tmp_path / "last.log"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "bbdiag", "scan", "--format", fmt, "--jobs", jobs, *map(str, logs), str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    lines: list[bytes] = []
    first_arrived = threading.Event()

    def read() -> None:  # all of it, so that bbdiag never waits on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            first_arrived.set()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        # A guard against a hang, not a speed test: the FIFO stays unwritten until the first line is out.
        assert first_arrived.wait(120), "nothing was written before the last log could be read"
        first = lines[0].decode()
        with open(fifo, "wb") as writer:
            writer.write(b"remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/acme/last.git/'\n")
        assert process.wait(timeout=120) == 0
        reader.join(timeout=60)
    finally:
        process.kill()
        process.wait()
    return first, b"".join(lines[1:]).decode()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_failures_are_written_as_the_logs_finish(tmp_path: Path, jobs: str) -> None:
    failing = FIXTURES / "ci" / "jenkins-console.txt"
    # Enough logs that two workers get them in several batches (commands.scan.POOL_AFTER_FILES).
    logs = [tmp_path / f"{n:02d}.log" for n in range(40)]
    for log in logs:
        log.write_bytes(failing.read_bytes())
    first, rest = first_line_while_the_last_log_is_unwritten(tmp_path, logs, jobs, "jsonl")
    lines = [first, *rest.splitlines()]
    assert [json.loads(line)["source"] for line in lines] == [*map(str, logs), str(tmp_path / "last.log")], "in the order named"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_the_json_document_streams_too(tmp_path: Path) -> None:
    log = tmp_path / "first.log"
    log.write_bytes((FIXTURES / "ci" / "jenkins-console.txt").read_bytes())
    first, rest = first_line_while_the_last_log_is_unwritten(tmp_path, [log], "1", "json")
    doc = json.loads(first + rest)
    assert [d["source"] for d in doc["diagnoses"]] == [str(log), str(tmp_path / "last.log")]


def test_a_write_to_the_pipe_per_burst_not_per_log() -> None:
    # 2,000 small logs flushed one by one spent a fifth of the scan in writes to the pipe.
    class Counting(io.StringIO):
        flushes = 0

        def flush(self) -> None:
            self.flushes += 1
            super().flush()

    (failing,) = [v for v in reports()[0].sources if v.diagnoses][:1]
    out = Counting()
    json_renderer.stream_scan_jsonl(iter([failing] * 500), out)
    assert out.getvalue().count("\n") == 500 * len(failing.diagnoses)
    assert 1 <= out.flushes < 50, "the first failure at once, the rest in bursts"
