"""One large log scanned in parts on every core (bbdiag.scan.parts_of, prefilter.read_part) gives
what one scan of the whole file gives: the same lines read, the same hits, line numbers, remotes,
CI steps and masked wrapped tokens, wherever the parts begin and end."""

from __future__ import annotations

import gzip
import io
import itertools
import random
from pathlib import Path

import pytest

from bbdiag import library, normalise, pipeline, prefilter, scan
from bbdiag.commands import scan as scan_command
from bbdiag.diagnose import Diagnosis
from bbdiag.match import match_lines
from bbdiag.normalise import Line
from bbdiag.render.view import SourceView
from tests import noise
from tests.test_hostile_wrap import LAYOUTS, SHAPES, leaked, planted, strings, wrapped
from tests.test_noise import DECORATIONS

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="parts are read only where Hyperscan is")
NEWLINE = b"\n"
CASES = sorted((Path(__file__).parent / "fixtures" / "corpus" / "cases").glob("*.txt"))


def dense_log(final_newline: bool = True) -> tuple[bytes, str]:
    """Failures close together, each in a CI step, some with a token a terminal wrapped onto its
    hit line, noise between: every line is near something a part's boundary could cut off.
    Returns the log and the planted token."""
    token = planted(SHAPES[0], random.Random(3))
    lines: list[str] = []
    for n, case in enumerate(CASES[:12]):
        lines += noise.noise_lines()[n * 7 : n * 7 + 5]
        lines.append(f"##[group]Run step {n}")
        lines += case.read_text(encoding="utf-8", errors="replace").splitlines()
        if n % 3 == 0:
            lead, trail = LAYOUTS[n % 2]
            lines += wrapped(lead, token, trail, 20 + n).splitlines()
    return ("\n".join(lines) + ("\n" if final_newline else "")).encode("utf-8"), token


def line_starts(data: bytes) -> list[int]:
    return [n + 1 for n, byte in enumerate(data) if byte == 10 and n + 1 < len(data)]


def in_parts(path: Path, cuts: list[int]) -> tuple[scan.ScanResult, list[Line]]:
    """The log scanned in parts that begin at `cuts`: the result, and the lines read."""
    bounds = [0, *cuts, path.stat().st_size]
    scans = [scan.scan_part(str(path), a, b) for a, b in itertools.pairwise(bounds)]
    return scan.joined(str(path), scans), prefilter.merge([s.part for s in scans], normalise.Reading("-"))


def whole(path: Path) -> tuple[scan.ScanResult, list[Line]]:
    """The log scanned as one: the result, and the lines read."""
    with open(path, "rb") as stream:
        lines = list(prefilter.read(stream, normalise.Reading("-"), library.load(), raw=scan._noting_steps({})))
    return scan.scan_path(path)[0], lines


def same(parts: tuple[scan.ScanResult, list[Line]], one: tuple[scan.ScanResult, list[Line]]) -> bool:
    (result, lines), (one_result, one_lines) = parts, one
    return (
        unordered(result.diagnoses) == unordered(one_result.diagnoses)
        and [result.step_of(d) for d in result.diagnoses] == [one_result.step_of(d) for d in one_result.diagnoses]
        and vars(result.reading) == vars(one_result.reading)
        and but_successes(lines) == but_successes(one_lines)
        and matched(lines) == matched(one_lines)
    )


def unordered(diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """The diagnoses but their hits' position among the lines read (Hit.order: only ever compared within one read)."""
    return [d._replace(primary=d.primary._replace(order=0), evidence=tuple(h._replace(order=0) for h in d.evidence)) for d in diagnoses]


def but_successes(lines: list[Line]) -> list[Line]:
    """The lines read but the success lines: of a run of them, each stretch of the read (and so
    each part) passes on its last (prefilter._runs_of_successes), which match_lines keeps alike."""
    lib = library.load()
    return [line for line in lines if not any(p.role == "success" and p.search(line.text) for p in lib.patterns)]


def matched(lines: list[Line]) -> tuple[object, ...]:
    """What match_lines makes of the lines: every hit (success lines too) but its position among them, the URLs, the hosts."""
    found = match_lines(lines, library.load())
    hits = [(h.pattern.id, h.line, h.text, dict(h.captures), h.urls) for h in found.hits]
    return hits, found.urls, found.hits_dropped, found.hosts_named, found.clone_paths


@pytest.mark.parametrize("final_newline", [True, False])
def test_two_parts_cut_at_every_line_equal_the_whole(tmp_path: Path, final_newline: bool) -> None:
    data, token = dense_log(final_newline)
    log = tmp_path / "ci.log"
    log.write_bytes(data)
    one = whole(log)
    reading = normalise.Reading(str(log))
    line_path = pipeline.diagnose_lines(normalise.read(io.BufferedReader(io.BytesIO(data)), reading), reading, library.load())
    assert len(one[0].diagnoses) >= 10 and [d.lines for d in one[0].diagnoses] == [d.lines for d in line_path.diagnoses]
    assert any(one[0].step_of(d) for d in one[0].diagnoses)
    starts = line_starts(data)
    cuts = starts if final_newline else starts[::5] + starts[-prefilter.MARGIN_LINES :]  # the end: a last line without a newline
    wrong = [cut for cut in cuts if not same(in_parts(log, [cut]), one)]
    assert not wrong, f"cut at line {data[: wrong[0]].count(NEWLINE) + 1} (and {len(wrong) - 1} more)"
    shown = "\n".join(strings([scan.views_of([in_parts(log, [cut])[0]]) for cut in cuts[::7]]))
    assert not leaked(shown, token, SHAPES[0])


def test_three_parts_around_a_line_over_max_line(tmp_path: Path) -> None:
    data, _ = dense_log()
    middle = data.index(b"\n", len(data) // 2) + 1
    data = data[:middle] + b"y" * (normalise.MAX_LINE + 5000) + b"\n" + data[middle:]
    log = tmp_path / "ci.log"
    log.write_bytes(data)
    one = whole(log)
    assert one[0].reading.long_lines == 1
    starts = line_starts(data)
    at = starts.index(middle)  # the long line's start; the part after it begins at `at + 1`
    near = [starts[at + k] for k in (-prefilter.MARGIN_LINES - 1, -2, 0, 1, 2, prefilter.MARGIN_LINES, prefilter.MARGIN_LINES + 1)]
    rng = random.Random(12)
    pairs = [(a, b) for a in near for b in near if a < b] + [(min(p), max(p)) for p in (rng.sample(starts, 2) for _ in range(6))]
    wrong = [(a, b) for a, b in pairs if not same(in_parts(log, [a, b]), one)]
    assert not wrong, wrong[:3]


def test_the_realistic_log_in_parts(tmp_path: Path) -> None:
    log = tmp_path / "ci.log"
    log.write_bytes(("\n".join(noise.lines(3, seed=11, failure_rate=0.5)) + "\n").encode("utf-8"))
    one = whole(log)
    with open(log, "rb") as stream:
        ranges = prefilter.ranges(stream, log.stat().st_size, 3)
    cuts = [start for start, _ in ranges[1:]]
    assert len(cuts) == 2 and len(one[0].diagnoses) >= 3
    assert same(in_parts(log, cuts), one)


def test_ranges_start_at_lines_and_cover_the_file() -> None:
    data = b"a" * 10 + b"\n" + b"b" * 100 + b"\n" + b"c\n" * 50 + b"tail without newline"
    for parts in range(1, 8):
        found = prefilter.ranges(io.BytesIO(data), len(data), parts)
        assert found[0][0] == 0 and found[-1][1] == len(data) and 1 <= len(found) <= parts
        assert all(stop == start for (_, stop), (start, _) in itertools.pairwise(found))
        assert all(data[start - 1 : start] == b"\n" for start, _ in found[1:])
    assert prefilter.ranges(io.BytesIO(b"x" * 1000), 1000, 4) == [(0, 1000)]  # one line: one part


def test_the_last_part_of_each_core_is_half_as_long() -> None:
    """So that the cores finish close together: the one that takes the last part waits least."""
    data = b"0123456789abcde\n" * 6000
    found = prefilter.ranges(io.BytesIO(data), len(data), 8, halves=2)
    sizes = [stop - start for start, stop in found]
    assert len(sizes) == 8 and sum(sizes) == len(data)
    assert all(abs(size - len(data) // 7) <= 16 for size in sizes[:6]) and all(abs(size - len(data) // 14) <= 16 for size in sizes[6:])


def test_which_logs_are_scanned_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "PART_AFTER_BYTES", 1000)
    body = b"noise line\n" * 500
    plain, small, zipped, utf16 = tmp_path / "a.log", tmp_path / "b.log", tmp_path / "c.log.gz", tmp_path / "d.log"
    plain.write_bytes(body)
    small.write_bytes(body[:900])
    zipped.write_bytes(gzip.compress(body))
    utf16.write_bytes(body.decode().encode("utf-16"))
    size = len(body)
    parts = scan.parts_of(plain, size, 2)
    assert parts is not None and len(parts) == 2 * scan.PARTS_PER_CORE  # so that a slowed core takes fewer
    assert parts[0][0] == 0 and parts[-1][1] == size and all(body[start - 1 : start] == b"\n" for start, _ in parts[1:])
    assert parts[-1][1] - parts[-1][0] < (parts[0][1] - parts[0][0]) * 2 // 3  # each core's last part is shorter
    assert scan.parts_of(plain, 1100, 2) == [(0, 550), (550, 1100)]  # at least half PART_AFTER_BYTES each
    assert scan.parts_of(plain, size, 1) is None  # one core
    assert scan.parts_of(small, 900, 2) is None
    assert scan.parts_of(zipped, zipped.stat().st_size, 2) is None
    assert scan.parts_of(utf16, utf16.stat().st_size, 2) is None
    # UTF-16 without a BOM, as the whole file's reading tells it (normalise), even when its first
    # character is not ASCII (the euro sign's second byte is no NUL): never cut into byte ranges.
    bare = tmp_path / "e.log"
    bare.write_bytes(("€ " + body.decode()).encode("utf-16-le"))
    assert scan.parts_of(bare, bare.stat().st_size, 2) is None


def test_the_command_on_every_core_reports_what_one_core_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large log among small ones: its parts go to the workers between the small files' batches,
    and the report lists every log in the order given."""
    monkeypatch.setattr(scan, "PART_AFTER_BYTES", 4096)
    monkeypatch.setattr(scan_command, "POOL_AFTER_BYTES", 0)
    data, _ = dense_log()
    names = []
    for n in range(5):
        path = tmp_path / f"{n}.log"
        path.write_bytes(data if n in (1, 3) else CASES[n].read_bytes())
        names.append(str(path))
    tasks = list(scan_command._tasks(names, [len(Path(n).read_bytes()) for n in names], 3))
    kinds = [("last part" if t.last else "part") if isinstance(t, scan_command._Part) else "batch" for t, _ in tasks]
    assert kinds.count("last part") == 2 and kinds.count("part") >= 4 and kinds[-2] == "last part" and kinds[-1] == "batch"

    def report(jobs: int) -> list[SourceView]:
        return list(scan_command.scan_files(names, jobs))

    every, one = report(3), report(1)
    assert [v.source for v in every] == names and every == one
    assert sum(len(v.diagnoses) for v in every) >= 20


@pytest.mark.parametrize("decoration", sorted(DECORATIONS))
def test_the_corpus_embedded_in_noise_in_parts(decoration: str, tmp_path: Path) -> None:
    """Every corpus case, decorated as CI runners do, between noise: in seven parts as in one."""
    lines: list[str] = []
    for n, case in enumerate(CASES):
        lines += noise.noise_lines()[n % 50 : n % 50 + 30]
        lines += DECORATIONS[decoration](case.read_text(encoding="utf-8", errors="replace").splitlines())
    log = tmp_path / "ci.log"
    log.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    one = whole(log)
    with open(log, "rb") as stream:
        cuts = [start for start, _ in prefilter.ranges(stream, log.stat().st_size, 7)[1:]]
    assert len(cuts) == 6 and len(one[0].diagnoses) >= 150
    assert same(in_parts(log, cuts), one)


def test_a_large_log_that_cannot_be_read_is_left_to_the_whole_file_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unreadable when it is split (permissions, a disk error): no parts, and scan_path says why in the report."""
    monkeypatch.setattr(scan, "PART_AFTER_BYTES", 1000)
    log = tmp_path / "ci.log"
    log.write_bytes(b"noise line\n" * 500)

    def unreadable(stream: object, size: int, parts: int, halves: int = 0) -> list[tuple[int, int]]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(prefilter, "ranges", unreadable)
    assert scan.parts_of(log, 5500, 2) is None
