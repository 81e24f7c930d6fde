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


def test_a_trimmed_regex_matches_wherever_its_pattern_does() -> None:
    # prefilter.trimmed drops the ends of a loosened regex that only cost Hyperscan time: every
    # example each pattern must match is still found by what Hyperscan runs.
    import regex

    checked = 0
    for pattern in library.load().patterns:
        for source in pattern.regexes:
            if not source.isascii():
                continue
            quick = regex.compile(prefilter.trimmed(prefilter.loosened(source)), regex.IGNORECASE if pattern.ignore_case else 0)
            for example in pattern.examples:
                if regex.search(source, example, regex.IGNORECASE if pattern.ignore_case else 0):
                    assert quick.search(example), (pattern.id, source, example)
                    checked += 1
    assert checked > 300


@pytest.mark.parametrize(
    ("loose", "trimmed"),
    [
        # The ref update's arrow after spaces goes (a short word almost every line has), so does
        # what a repeat at the end matches past its least.
        (r"\s*\+?\s*[0-9a-f]{7,64}\.\.\.?[0-9a-f]{7,64}\s+\S+\s+->\s+\S+", r"[0-9a-f]{7,}\.\.\.?[0-9a-f]{7}"),
        (r"=\s+\[up to date\]\s+\S+\s+->", r"=\s+\[up to date\]"),
        (r"deleted\s+(?:a|b)\s+->", r"deleted\s+(?:a|b)"),
        (r"\s*\*\s+(?:branch|tag)\s+\S+\s+->\s+FETCH_HEAD\s*", r"\*\s+(?:branch|tag)\s+\S+\s+->\s+FETCH_HEAD"),
        (r"TF401019: [^\n]*", r"TF401019: "),
        (r"fatal: (?:a|b)|remote: c\s*", r"fatal: (?:a|b)|remote: c\s*"),  # an alternation at the top: as it is
        (r"\x1b\[31mfatal: \d{1,3}", r"\x1b\[31mfatal: \d{1}"),
        (r"\s*", r"\s*"),  # nothing would be left: as it is (and Hyperscan refuses what matches nothing)
    ],
)
def test_what_trimming_drops(loose: str, trimmed: str) -> None:
    assert prefilter.trimmed(loose) == trimmed
