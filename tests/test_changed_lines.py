"""prefilter.changed_lines: the lines of a chunk that the cleaning changes, where the keywords
decide (the loosened regexes decide on the others, in the raw bytes). Missing one would lose its
hit, so both versions (the C extension's, the Python fallback) are held to the definition,
prefilter._CHANGING searched line by line, at every offset the C version's 16- and 64-byte blocks
and its look-behind for `section_` can be cut at."""

from __future__ import annotations

import random

import pytest

from bbdiag import normalise, prefilter
from tests.test_newlines_extension import BOTH, Both, compiled


def expected(data: bytes, start: int, end: int) -> tuple[bytes, list[int]]:
    """The definition: each line of data[start:end] that _CHANGING finds, with a newline after it."""
    copied, starts, position = b"", [], start
    while position < end:
        line_end = data.find(b"\n", position, end)
        line_end = end if line_end == -1 else line_end
        if prefilter._CLEANING_CHANGES.search(data, position, line_end):
            copied += data[position:line_end] + b"\n"
            starts.append(position)
        position = line_end + 1
    return copied, starts


def line_starts(data: bytes) -> list[int]:
    return [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A]


# What changes a line (and what only looks like it): every kind at every position of a block.
PIECES = [b"\x1b[31m", b"\t", b"\r", b"\x00", b"\x7f", b"\xc3\xa9", b"\\n", b"\\", b"\\x", b"n", b"section_", b"section", b"_", b"sectio_", b"s", b"\n"]


@pytest.mark.parametrize("functions", BOTH)
def test_every_changing_byte_and_sequence_at_every_offset_of_a_block(functions: Both) -> None:
    changed_lines = functions[1]
    for piece in PIECES:
        for offset in range(0, 80):
            for tail in (b"", b"x" * 20, b"\n" + b"y" * 70 + b"\n"):
                data = bytearray(b"a" * offset + piece + tail)
                out = bytearray(len(data) + 1)
                used, starts = changed_lines(data, 0, len(data), out)
                assert (bytes(out[:used]), starts) == expected(bytes(data), 0, len(data)), (piece, offset, tail)


@pytest.mark.parametrize("functions", BOTH)
def test_random_logs_cut_anywhere_a_line_starts(functions: Both) -> None:
    changed_lines = functions[1]
    rng = random.Random(12)
    alphabet = [b"a", b"b", b" ", b"_", b"s", b"\\", b"n", b"\n", b"\n", b"section_", b"\x1b", b"\t", b"\xe2\x80\x99", b"\r"]
    for size in (1, 15, 16, 17, 63, 64, 65, 200, 3000):
        for _ in range(20):
            data = bytes(b"".join(rng.choice(alphabet[:7] * 20 + alphabet) for _ in range(size)))[:size]
            starts = line_starts(data)
            for start in rng.sample(starts, min(5, len(starts))):
                for end in {len(data), *[s for s in starts if s > start][:3]}:
                    out = bytearray(len(data) + 1)
                    used, found = changed_lines(bytearray(data), start, end, out)
                    assert (bytes(out[:used]), found) == expected(data, start, end), (data, start, end)


@pytest.mark.parametrize("functions", BOTH)
def test_the_realistic_noise_and_its_decorations(functions: Both) -> None:
    from tests import noise

    data = ("\n".join(noise.noise_lines()) + "\n").encode("utf-8")
    out = bytearray(len(data) + 1)
    used, starts = functions[1](bytearray(data), 0, len(data), out)
    assert (bytes(out[:used]), starts) == expected(data, 0, len(data))
    assert starts, "the noise sample has ANSI colour and progress lines"
    # The invariant the fast path rests on: a line whose cleaned text is not in its raw bytes
    # (anything but cuts) is one that is copied, so that its keywords are looked for.
    copied = set(starts)
    for start, line in zip(line_starts(data), data.split(b"\n"), strict=False):
        text = normalise.decode_line(line)
        if any(piece not in text for piece in normalise.clean(text)):
            assert start in copied, text


@pytest.mark.skipif(compiled() is None, reason="the extension is not built here")
def test_the_extension_refuses_a_copy_too_small_and_what_is_not_a_buffer() -> None:
    from bbdiag._newlines import changed_lines

    with pytest.raises(ValueError, match="too small"):
        changed_lines(b"\x1b[0m\n", 0, 5, bytearray(5))
    with pytest.raises(BufferError):
        changed_lines(b"a\n", 0, 2, b"read-only")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        changed_lines("text", 0, 4, bytearray(5))  # type: ignore[arg-type]
    assert changed_lines(b"\x1b[0m\n", 3, 3, bytearray(0)) == (0, [])


@pytest.mark.skipif(not prefilter.available(), reason="no Hyperscan here")
def test_no_keyword_is_looked_for_in_every_byte() -> None:
    """The saving this module guards: the pass over every byte holds the loosened regexes and the
    step markers only (keywords of a pattern without a regex Hyperscan takes would join them; the
    library has none), and the keywords are in the database of the changed lines."""
    from bbdiag import library

    lib = library.load()
    _main, keywords, first_regex, first_marker = prefilter._build(lib)
    regexes = prefilter._regexes([p for p in lib.patterns if p.role == "success"])
    others = prefilter._regexes([p for p in lib.patterns if p.role != "success"])
    assert not regexes[1] and not others[1]
    assert (first_regex, first_marker) == (len(regexes[0]), len(regexes[0]) + len(others[0]))
    assert keywords


@pytest.mark.skipif(not prefilter.available(), reason="no Hyperscan here")
def test_a_log_of_keyword_lines_is_counted_once_per_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each keyword found in the changed lines is placed on its line by the newlines before it;
    counted from the start at every match, a log whose every line is coloured and holds a keyword
    was quadratic (a third of its scan on 8 MiB). Counted as the matches come, each byte once: the
    bytes counted stay within a few times the log's, and every line is still a candidate."""
    import io

    from bbdiag import library
    from bbdiag.normalise import Reading

    line = b"\x1b[31mremote: Invalid credentials\x1b[0m and a few more words on the line\n"
    data = line * 20_000  # 1.4 MiB: more than one chunk
    counted = [0]
    real = prefilter.count_newlines

    def counting(buf: bytearray, start: int, end: int) -> int:
        counted[0] += end - start
        return real(buf, start, end)

    monkeypatch.setattr(prefilter, "count_newlines", counting)
    read = list(prefilter.read(io.BytesIO(data), Reading("-"), library.load()))
    assert len({r.number for r in read}) == 20_000
    assert counted[0] <= 4 * len(data)
