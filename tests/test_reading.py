"""The read stage's two backends keep one bookkeeping: `Reading` counts the same whichever read the input.

`normalise.read` reads line by line, `prefilter.read` chunk by chunk and skips what cannot hit; what
each says about the input (its lines, its long lines, whether the limit left some unread, and so the
remarks the user sees) must not depend on which one ran. NUL bytes and invalid UTF-8 are counted only
on the lines the fast backend decodes, by design, so the inputs here have none.
"""

from __future__ import annotations

import io

import pytest

from bbdiag import library, normalise, prefilter
from bbdiag.normalise import MAX_LINE, Reading

FAST = pytest.mark.skipif(not prefilter.available(), reason="the fast backend needs Hyperscan")

FAILURE = b"fatal: Authentication failed for 'https://bitbucket.org/team/repo.git/'\n"
INPUTS = {
    "empty": (b"", 1 << 30),
    "no final newline": (b"ok\n" * 10 + FAILURE.rstrip(b"\n"), 1 << 30),
    "a long line in pieces": (b"ok\n" + b"z" * (2 * MAX_LINE + 17) + b"\n" + FAILURE, 1 << 30),
    "a long line at the end": (FAILURE + b"y" * (MAX_LINE + 5), 1 << 30),
    "a line just over the cut, within two blocks": (b"ok\n" * 100 + b"c" * (MAX_LINE + 100) + b"\n" + FAILURE, 1 << 30),
    "a line of exactly the cut": (b"a" * MAX_LINE + b"\n" + FAILURE, 1 << 30),
    "a line one short of the cut": (b"a" * (MAX_LINE - 1) + b"\n" + FAILURE, 1 << 30),
    "two long lines": (b"a" * MAX_LINE + b"\n" + b"b" * (3 * MAX_LINE) + b"\n" + FAILURE, 1 << 30),
    "the limit on a line end": (b"line\n" * 1000 + FAILURE, 100),
    "the limit at the input's end": (b"line\n" * 20, 100),
    "the limit past the input's end": (b"line\n" * 20, 101),
}


def counts(reading: Reading) -> tuple[object, ...]:
    return (reading.bytes_read, reading.lines, reading.long_lines, reading.stopped, reading.remarks())


@FAST
@pytest.mark.parametrize("chunk", [997, prefilter.CHUNK])
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_both_backends_count_the_same(name: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefilter, "CHUNK", chunk)
    data, limit = INPUTS[name]
    line_by_line, fast = Reading("-"), Reading("-")
    slow_lines = list(normalise.read(io.BufferedReader(io.BytesIO(data)), line_by_line, limit))
    fast_lines = list(prefilter.read(io.BytesIO(data), fast, library.load(), limit))
    assert counts(fast) == counts(line_by_line)
    assert {line for line in fast_lines if "fatal:" in line.text} == {line for line in slow_lines if "fatal:" in line.text}


def test_the_limit_is_noted_once_and_only_when_more_was_there() -> None:
    stream = io.BytesIO(b"x" * 10)
    reading = Reading("-")
    assert reading.room(stream, 4) == 4
    reading.took(4)
    assert reading.room(stream, 4) == 0 and reading.stopped
    assert stream.tell() == 1  # one byte read to tell, and not again
    assert reading.room(stream, 4) == 0 and stream.tell() == 1
    ended = Reading("-")
    ended.took(10)
    assert ended.room(io.BytesIO(b""), 10) == 0 and not ended.stopped


def test_a_long_line_counts_once_however_many_pieces() -> None:
    reading = Reading("-")
    for continued in (False, True, True, False):
        reading.cut(continued)
    assert reading.long_lines == 2


def test_explain_and_scan_say_alike_what_was_matched_but_not_kept() -> None:
    from bbdiag import match, pipeline, scan

    text = "remote: Invalid credentials\n" * (match.MAX_HITS + 3)
    explained = pipeline.diagnose_text(text, lib=library.load()).remarks()
    scanned = scan.scan_text(text, library=library.load()).reading.remarks()
    assert match.not_kept(3)[0] in explained and match.not_kept(3)[0] in scanned
