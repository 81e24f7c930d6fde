"""The optional C extension (bbdiag/_newlines.c) counts newlines for the scan's chunk loop and finds
the lines the cleaning changes (where keywords decide); where it was not built, prefilter does both
in Python. Both give the same counts and lines, and so the same lines,
line numbers, URL windows, hits and redacted reports, on the corpus embedded in noise and wherever
the chunks are cut. Where a compiler is (CI installs gcc), the extension must have been built: an
optional extension that silently failed would leave every scan on the slow count."""

from __future__ import annotations

import io
import os
import platform
import random
import shutil
import sysconfig
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bbdiag import library, prefilter, scan
from bbdiag.normalise import Line, Reading
from bbdiag.render.view import SourceView
from tests import noise
from tests.test_hostile_wrap import SHAPES, planted, wrapped
from tests.test_noise import DECORATIONS

Count = Callable[[bytearray, int, int], int]
Both = tuple[Count, prefilter.ChangedLines]  # the chunk loop's two byte functions
CASES = sorted((Path(__file__).parent / "fixtures" / "corpus" / "cases").glob("*.txt"))


def compiled() -> Both | None:
    try:
        from bbdiag._newlines import changed_lines, count
    except ImportError:
        return None
    return count, changed_lines


PYTHON: Both = (prefilter.python_count, prefilter.python_changed_lines)
BOTH = [
    pytest.param(PYTHON, id="python"),
    pytest.param(compiled(), id="compiled", marks=pytest.mark.skipif(compiled() is None, reason="the extension is not built here")),
]


def test_the_extension_is_built_where_a_compiler_is() -> None:
    headers = Path(sysconfig.get_paths()["include"], "Python.h").exists()
    if platform.python_implementation() != "CPython" or not headers or not (shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")):
        pytest.skip("no C compiler or no Python headers here: bbdiag installs without its extension")
    assert compiled() is not None, (
        "bbdiag._newlines is not built: a checkout installed before it existed needs `pip install -e '.[test]'` again;"
        " otherwise the build failed (setup.py: optional=True hides the compiler's error)"
    )
    assert (prefilter.count_newlines, prefilter.changed_lines) == compiled()


@pytest.mark.skipif(compiled() is None, reason="the extension is not built here")
def test_it_counts_what_bytearray_count_counts() -> None:
    from bbdiag._newlines import count

    rng = random.Random(5)
    buffers = [
        b"",
        b"\n",
        b"\n" * 5000,  # every byte: each 8-bit lane's 255-block limit is passed many times
        bytes(rng.choice(b"ab\n\r\x00\xff") for _ in range(9000)),
        os.urandom(1 << 16),
        (b"x" * 15 + b"\n") * 300,
    ]
    for data in buffers:
        for buffer in (data, bytearray(data), memoryview(data)):
            n = len(data)
            # Around the 16-byte blocks and the 255-block runs the SSE2 loop works in, and the ends.
            edges = sorted({0, 1, 7, 8, 15, 16, 17, 31, 255 * 16 - 1, 255 * 16, 255 * 16 + 1, n - 17, n - 16, n - 1, n, n + 5})
            for start in (e for e in edges if e >= 0):
                for end in (e for e in edges if e >= 0):
                    assert count(buffer, start, end) == data.count(b"\n", start, end), (n, start, end)


@pytest.mark.skipif(compiled() is None, reason="the extension is not built here")
def test_it_refuses_what_is_not_a_buffer() -> None:
    from bbdiag._newlines import count

    with pytest.raises(TypeError):
        count("text\n", 0, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        count(b"a\n", 0)  # type: ignore[call-arg]


def read_with(functions: Both, data: bytes, chunk: int, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Line], int]:
    with monkeypatch.context() as patched:
        patched.setattr(prefilter, "count_newlines", functions[0])
        patched.setattr(prefilter, "changed_lines", functions[1])
        patched.setattr(prefilter, "CHUNK", chunk)
        reading = Reading("ci.log")
        lines = list(prefilter.read(io.BytesIO(data), reading, library.load(), raw=scan._noting_steps({})))
    return lines, reading.lines


def report_with(functions: Both, data: bytes, chunk: int, monkeypatch: pytest.MonkeyPatch) -> list[SourceView]:
    """The redacted report (hits, URLs, steps, remedies) of the log, read with `functions`."""
    with monkeypatch.context() as patched:
        patched.setattr(prefilter, "count_newlines", functions[0])
        patched.setattr(prefilter, "changed_lines", functions[1])
        patched.setattr(prefilter, "CHUNK", chunk)
        return scan.views_of([scan.scan_stream(io.BytesIO(data), "ci.log", library.load())], as_of="2026-12-01")


def corpus_in_noise(decoration: str) -> bytes:
    lines: list[str] = []
    for n, case in enumerate(CASES):
        lines += noise.noise_lines()[n % 50 : n % 50 + 30]
        lines += DECORATIONS[decoration](case.read_text(encoding="utf-8", errors="replace").splitlines())
        if n % 9 == 0:  # a token a terminal wrapped, which the redaction must mask across lines
            lines += wrapped("remote: token ", planted(SHAPES[0], random.Random(n)), " rejected", 40).splitlines()
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.skipif(compiled() is None or not prefilter.available(), reason="the extension or Hyperscan is not here")
@pytest.mark.parametrize("decoration", sorted(DECORATIONS))
def test_the_corpus_embedded_in_noise_reads_alike_with_either_count(decoration: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = corpus_in_noise(decoration)
    in_c = compiled()
    assert in_c is not None
    assert read_with(in_c, data, prefilter.CHUNK, monkeypatch) == read_with(PYTHON, data, prefilter.CHUNK, monkeypatch)
    views = report_with(in_c, data, prefilter.CHUNK, monkeypatch)
    assert sum(len(v.diagnoses) for v in views) >= 150 and views == report_with(PYTHON, data, prefilter.CHUNK, monkeypatch)


def awkward_chunks(data: bytes) -> Iterator[int]:
    """Chunk sizes that cut the log at a newline, just after one, inside a line, inside a long line."""
    yield from (64, 97, 255, 256, 4095, 4096)
    first_newline = data.index(b"\n")
    yield from (first_newline, first_newline + 1, first_newline + 2)


@pytest.mark.skipif(compiled() is None or not prefilter.available(), reason="the extension or Hyperscan is not here")
@pytest.mark.parametrize("count", BOTH)
def test_cuts_at_every_awkward_byte_read_as_one_chunk_does(count: Both, monkeypatch: pytest.MonkeyPatch) -> None:
    data = corpus_in_noise("timestamps")[:60_000]
    data = data[: data.rindex(b"\n") + 1] + b"x" * 300  # and a last line without its newline
    whole_lines, whole_count = read_with(count, data, 1 << 20, monkeypatch)
    reference = report_with(count, data, 1 << 20, monkeypatch)
    assert sum(len(v.diagnoses) for v in reference) >= 20
    for chunk in awkward_chunks(data):
        lines, counted = read_with(count, data, max(chunk, 1), monkeypatch)
        assert counted == whole_count == data.count(b"\n") + 1, chunk
        assert [line for line in lines if not succeeds(line)] == [line for line in whole_lines if not succeeds(line)], chunk
        assert report_with(count, data, max(chunk, 1), monkeypatch) == reference, chunk


def succeeds(line: Line) -> bool:
    """A success line: of a run of them, each chunk passes on its last (prefilter._runs_of_successes)."""
    return any(p.role == "success" and p.search(line.text) for p in library.load().patterns)
