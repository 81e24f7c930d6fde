"""The prefilter finds the same lines as the line path, however the log is chunked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bbdiag import library, prefilter, scan
from bbdiag.normalise import Reading
from tests import noise


def summary(result: scan.ScanResult) -> list[tuple[str, str, tuple[int, int], str | None]]:
    return [(d.cause, d.host, d.lines, result.step_of(d)) for d in result.diagnoses]


@pytest.mark.parametrize("chunk", [4096, prefilter.CHUNK])
def test_the_line_path_and_the_fast_path_however_it_is_chunked(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data = ("\n".join(noise.lines(2, seed=5, failure_rate=0.5)) + "\n").encode("utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(prefilter, "_database_for", lambda lib: None)
        slow = scan.scan_stream(io.BytesIO(data), "ci.log", library.load())
    monkeypatch.setattr(prefilter, "CHUNK", chunk)
    fast = scan.scan_stream(io.BytesIO(data), "ci.log", library.load())
    assert len(fast.diagnoses) >= 3 and summary(fast) == summary(slow)
    assert fast.reading.lines == slow.reading.lines == data.count(b"\n")


def test_lines_are_numbered_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "CHUNK", 4096)
    failure = b"remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n"
    assert [line.number for line in prefilter.read(io.BytesIO(failure), Reading("-"), library.load())] == [1, 2]
    large = b"x" * 100 + b"\n"
    reading = Reading("-")
    numbers = [line.number for line in prefilter.read(io.BytesIO(large * 200 + failure + large * 100), reading, library.load())]
    assert numbers == [201, 202] and reading.lines == 302


def test_a_small_file_that_grows_while_it_is_read(tmp_path: Path) -> None:
    # The buffer is sized to the file when it is opened; a log still being written outgrows it.
    log = tmp_path / "ci.log"
    log.write_bytes(b"starting\n")
    failure = b"remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n"
    with open(log, "rb") as stream:
        assert prefilter._capacity(stream) == len(b"starting\n") + 1
        with open(log, "ab") as writer:
            writer.write(b"x" * 3000 + b"\n" + failure)
        reading = Reading(str(log))
        numbers = [line.number for line in prefilter.read(stream, reading, library.load())]
    assert numbers == [3, 4] and reading.lines == 4
