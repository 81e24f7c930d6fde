"""The scanning core: logs in (text, streams, files, folders, .gz, .zip), diagnoses out.

A plain library function, so that one log on a laptop and millions of logs on a cluster run the
same code (see `bbdiag.contrib.dask`):

    from bbdiag.scan import scan_stream, scan_text, scan_path
    result = scan_path(Path("build.log"))          # -> list[ScanResult], one per log
    for d in result[0].diagnoses: print(d.cause, d.host, d.lines)

Speed comes from one pass over large chunks with every keyword of the library at once
(Hyperscan where it is installed, case-insensitive, GB/s); only the few lines that hold a
keyword go through normalise, match and diagnose, with the lines around them for URLs and CI
step markers. Memory is bounded by the chunk size whatever the log's size; lines of any length
are read in pieces. Without Hyperscan (not x86-64) the same result comes from the line-by-line
path that `explain` uses.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, cast

from bbdiag import library as library_module
from bbdiag import normalise
from bbdiag.diagnose import Diagnosis, diagnose
from bbdiag.library import Library
from bbdiag.match import Matches, match_lines
from bbdiag.normalise import Line, Reading

if TYPE_CHECKING:
    from bbdiag.render.view import SourceView

CHUNK = (
    1 << 18
)  # bytes scanned at once: what a stretch of hits costs in memory is bounded by it (a log of nothing but hits peaks under 100 MiB; 1 MiB chunks were ~10% faster and 40% larger)
CONTEXT_BEFORE, CONTEXT_AFTER = 40, 12  # lines around a hit searched for URLs (diagnose.NEAR_*)
MAX_CONTEXT_LINE = 4096  # a context line longer than this cannot hold a URL worth reading
# CI systems' step and job markers, so each failure can say where in the run it happened.
STEP_MARKERS = (
    "##[group]",  # GitHub Actions
    "section_start:",  # GitLab CI
    "##[section]starting:",  # Azure Pipelines
    "[pipeline] stage",  # Jenkins declarative
    "[pipeline] { (",  # Jenkins stage block
    "##teamcity[blockopened",  # TeamCity
    "##teamcity[progressstart",
)
_TEST_DATA = re.compile(
    r"^\s*(?:E\s{2,}|>\s{2,})"  # pytest's failure report
    r"|\b(?:AssertionError|assert(?:Equal|In|That|Contains)?\s*\(|assert\s+[\"'`]|expect\(|toContain\(|toMatch\(|toEqual\(|should\.)"
)


@dataclass
class ScanResult:
    source: str
    diagnoses: list[Diagnosis]
    steps: dict[int, str]  # first evidence line of a diagnosis -> the CI step it happened in
    reading: Reading

    def step_of(self, diagnosis: Diagnosis) -> str | None:
        return self.steps.get(diagnosis.lines[0])


def scan_text(text: str, source: str = "-", library: Library | None = None) -> ScanResult:
    return scan_stream(io.BytesIO(text.encode("utf-8")), source, library)


def scan_stream(stream: BinaryIO, source: str = "-", library: Library | None = None, step: str | None = None) -> ScanResult:
    """Every git failure in one log, in bounded memory."""
    reading = Reading(source)
    matches, steps = match_stream(stream, reading, library or library_module.load(), step)
    # A step named by the archive (a GitHub Actions log file per step) beats the groups inside it.
    return _finish(source, matches, {0: step} if step else steps, reading)


def match_stream(
    stream: BinaryIO, reading: Reading, lib: Library, step: str | None = None, limit: int = 1 << 62, drop_test_output: bool = True
) -> tuple[Matches, dict[int, str]]:
    """The hits of one log and its CI step markers, reading at most `limit` bytes.

    `explain` uses this too for large input (same hits as its own line-by-line path, tested),
    keeping test output that quotes git: a person who pastes it means it.
    """
    head = stream.read(4)
    stream = prefixed(head, stream)
    steps: dict[int, str] = {}
    if step:
        steps[0] = step
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) == 4 and head[1::2] == b"\0\0")
    prefilter = None if utf16 else _prefilter(lib)
    if prefilter is None:  # UTF-16, or no Hyperscan here: the line-by-line path of explain

        def raw(number: int, text: str) -> bool:
            name = step_name(text)
            if name:
                steps[number] = name
            return drop_test_output and is_test_output(text)

        return match_lines(normalise.read(stream, reading, limit=limit, raw=raw), lib), steps
    return match_lines(_candidate_lines(stream, reading, prefilter, steps, limit, drop_test_output), lib), steps


def is_test_output(line: str) -> bool:
    """A test that prints a git error as data (an assertion, pytest's report) is not a failed git command."""
    return bool(_TEST_DATA.search(line))


def _finish(source: str, matches: Matches, steps: dict[int, str], reading: Reading) -> ScanResult:
    diagnoses = diagnose(matches)
    if matches.hits_dropped:
        reading.notes.append(f"{matches.hits_dropped} further matching line(s) were not kept (the first ones say it all)")
    step_at: dict[int, str] = {}
    if steps:
        marks = sorted(steps.items())
        for d in diagnoses:
            before = [name for line, name in marks if line <= d.lines[0]]
            if before:
                step_at[d.lines[0]] = before[-1]
    return ScanResult(source, diagnoses, step_at, reading)


_STEP_NAME = re.compile(
    r"##\[group\](?P<gh>.+)|section_start:\d+:(?P<gl>[\w.-]+)|##\[section\]Starting: (?P<az>.+)|\[Pipeline\] \{ \((?P<jk>[^)]+)\)"
    r"|##teamcity\[(?:blockOpened|progressStart) (?:name=)?'(?P<tc>[^']+)'",
    re.IGNORECASE,
)


def step_name(text: str) -> str | None:
    match = _STEP_NAME.search(text)
    if not match:
        return None
    return next(v for v in match.groupdict().values() if v).strip()


# ------------------------------------------------------------------------------ the fast path
class _Prefilter:
    """Hyperscan over every keyword and step marker: match end offsets of a whole chunk.

    The compiled database is kept in the per-user cache beside the library (compiling it costs
    tens of milliseconds; loading it, microseconds).
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        import hyperscan  # type: ignore[import-not-found, import-untyped, unused-ignore]

        from bbdiag import cache

        literals = sorted({variant for k in keywords for variant in _variants(k)})
        self.markers = len(literals)  # ids from here on are CI step markers, not keywords
        literals += STEP_MARKERS
        serialized = cache.memoised(
            "hyperscan", library_module.PATTERNS_DIR, (".toml", ".json"), lambda: _compile_database(literals), extra="\n".join(literals)
        )
        self.database = hyperscan.loadb(serialized, mode=hyperscan.HS_MODE_BLOCK)
        self.database.scratch = hyperscan.Scratch(self.database)

    def offsets(self, chunk: bytes | memoryview) -> tuple[list[int], list[int]]:
        """End offsets of keyword matches, and of CI step markers."""
        found: list[int] = []
        markers: list[int] = []
        first_marker = self.markers

        def on_match(pattern: int, _start: int, end: int, _flags: int, _context: object) -> None:
            (markers if pattern >= first_marker else found).append(end)

        self.database.scan(cast(bytes, chunk), match_event_handler=on_match)  # any buffer works: no copy
        return found, markers


def _compile_database(literals: list[str]) -> bytes:
    import hyperscan

    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[re.escape(k).encode("utf-8") for k in literals],
        ids=list(range(len(literals))),
        elements=len(literals),
        # Caseless costs Hyperscan dearly on non-ASCII bytes: those literals come in all three
        # casings instead (_variants), matched exactly.
        flags=[hyperscan.HS_FLAG_CASELESS if literal.isascii() else 0 for literal in literals],
    )
    return bytes(hyperscan.dumpb(database))


def _variants(keyword: str) -> set[str]:
    """Hyperscan's caseless is ASCII-only: give non-ASCII keywords their capitalised forms too."""
    if keyword.isascii():
        return {keyword}
    return {keyword, keyword.capitalize(), keyword.upper()}


def _prefilter(lib: Library) -> _Prefilter | None:
    return _prefilter_for(lib.keywords)


@functools.lru_cache(maxsize=4)
def _prefilter_for(keywords: tuple[str, ...]) -> _Prefilter | None:
    """One per keyword set (a pure function of it), None where Hyperscan is not installed."""
    try:
        return _Prefilter(keywords)
    except ImportError:
        return None


def _candidate_lines(
    stream: BinaryIO, reading: Reading, prefilter: _Prefilter, steps: dict[int, str], limit: int = 1 << 62, drop_test_output: bool = True
) -> Iterator[Line]:
    """The lines that hold a keyword, plus URL-bearing lines near them, numbered as in the input.

    Chunks are scanned in place (offsets into the block read, no copies); only the partial line
    at a chunk's end is carried over, and a line longer than MAX_LINE is read in pieces.
    """
    carry = b""
    line_base = 0  # complete lines before the current position
    context = _Context(drop_test_output)  # what one stretch leaves for the next
    while True:
        if reading.bytes_read >= limit:
            reading.stopped = bool(stream.read(1))
            block = b""
        else:
            block = stream.read(min(CHUNK, limit - reading.bytes_read))
        reading.bytes_read += len(block)
        if not block:
            if carry:
                lines, _ = _lines_of_chunk(carry, 0, len(carry), line_base, prefilter, context, steps)
                yield from lines
                line_base += 1
            break
        position = 0
        if carry:
            first = block.find(b"\n")
            if first == -1:
                carry += block
                if len(carry) >= normalise.MAX_LINE:  # one enormous line: read it in pieces
                    reading.long_lines += 1
                    lines, _ = _lines_of_chunk(carry, 0, len(carry), line_base, prefilter, context, steps)
                    yield from lines
                    carry = b""
                continue
            head = carry + block[: first + 1]
            lines, count = _lines_of_chunk(head, 0, len(head), line_base, prefilter, context, steps)
            yield from lines
            line_base += count
            position = first + 1
        last = block.rfind(b"\n")
        if last >= position:
            lines, count = _lines_of_chunk(block, position, last + 1, line_base, prefilter, context, steps)
            yield from lines
            line_base += count
            carry = block[last + 1 :]
        else:
            carry = block[position:]
    reading.lines = line_base


class _Context:
    """What one stretch of a log leaves for the next: URL lines not yet emitted, and how far
    after the last hit URL lines are still wanted."""

    def __init__(self, drop_test_output: bool = True) -> None:
        self.recent: list[tuple[int, bytes]] = []
        self.after_until = 0  # line number
        self.drop_test_output = drop_test_output


def _lines_of_chunk(
    buf: bytes, start: int, end: int, line_base: int, prefilter: _Prefilter, context: _Context, steps: dict[int, str]
) -> tuple[list[Line], int]:
    """Candidate lines of buf[start:end] (whole lines) and the number of newlines in it."""
    ends, marker_ends = prefilter.offsets(memoryview(buf)[start:end])
    line_starts = {max(start, buf.rfind(b"\n", start, start + e) + 1) for e in ends}
    # Only the step markers that can name a failure's step: the last before each hit, and the
    # last of the stretch (for hits in the next one). A log with a marker every few lines stays fast.
    all_markers = sorted(start + e for e in marker_ends)
    chosen = {all_markers[i - 1] for i in (bisect.bisect_left(all_markers, h) for h in line_starts) if i} | set(all_markers[-1:])
    marker_starts = {max(start, buf.rfind(b"\n", start, m) + 1) for m in chosen} - line_starts
    hits: list[tuple[int, int]] = []  # (offset, line number)
    counted_to, newlines = start, 0
    for offset in sorted(line_starts | marker_starts):
        newlines += buf.count(b"\n", counted_to, offset)
        counted_to = offset
        if offset in marker_starts:  # a step marker: note the step, cheaply
            line_end = buf.find(b"\n", offset, end)
            name = step_name(buf[offset : line_end if line_end != -1 else end][:MAX_CONTEXT_LINE].decode("utf-8", "replace"))
            if name:
                steps[line_base + newlines + 1] = name
        else:
            hits.append((offset, line_base + newlines + 1))
    newlines += buf.count(b"\n", counted_to, end)
    wanted: dict[int, int] = dict(hits)  # line start offset -> line number
    url_lines: list[tuple[int, int, int]] = []  # (start, end, number) of lines near a hit, which may name the remote
    # URL lines right after a hit at the end of the previous stretch.
    url_lines += _lines_from(buf, start, end, line_base + 1, context.after_until - line_base)
    if hits:
        context.after_until = hits[-1][1] + CONTEXT_AFTER
    # URL-bearing lines around each hit: the remote is often named there. Each hit looks only as
    # far as its neighbours (their lines are wanted anyway), so a log where every line is a hit
    # costs its lines once, not CONTEXT_BEFORE + CONTEXT_AFTER times.
    for index, (offset, number) in enumerate(hits):
        url_lines += _lines_before(buf, hits[index - 1][0] if index else start, offset, number - 1, CONTEXT_BEFORE)
        newline = buf.find(b"\n", offset, end)
        if newline != -1:
            url_lines += _lines_from(buf, newline + 1, hits[index + 1][0] if index + 1 < len(hits) else end, number + 1, CONTEXT_AFTER)
    for line_start, line_end, number in url_lines:
        if _may_hold_url(buf, line_start, line_end):
            wanted.setdefault(line_start, number)
    lines: list[Line] = []
    if hits:  # the host may be named in URL lines just before this stretch, not emitted yet
        first = hits[0][1]
        lines += [line for n, raw in context.recent if first - CONTEXT_BEFORE <= n for line in _to_lines(raw, n, steps, context.drop_test_output)]
        context.recent.clear()
    for offset in sorted(wanted):
        line_end = buf.find(b"\n", offset, end)
        lines += _to_lines(buf[offset : line_end if line_end != -1 else end], wanted[offset], steps, context.drop_test_output)
    # Remember the URL lines at the end of this stretch (not emitted) for a hit early in the next.
    tail = [
        (number, buf[line_start:line_end])
        for line_start, line_end, number in _lines_before(buf, start, end, line_base + newlines, CONTEXT_BEFORE)
        if line_start not in wanted and _may_hold_url(buf, line_start, line_end)
    ][::-1]
    context.recent = [(m, raw) for m, raw in [*context.recent, *tail] if m > line_base + newlines - CONTEXT_BEFORE]
    return lines, newlines


def _lines_before(buf: bytes, start: int, position: int, number: int, count: int) -> Iterator[tuple[int, int, int]]:
    """Up to `count` lines ending at `position`, nearest first, not before `start`: (line start, line end, number)."""
    for _ in range(count):
        if position <= start:
            return
        previous = max(start, buf.rfind(b"\n", start, position - 1) + 1)
        yield previous, position, number
        number -= 1
        position = previous


def _lines_from(buf: bytes, position: int, end: int, number: int, count: int) -> Iterator[tuple[int, int, int]]:
    """Up to `count` lines starting at `position` (a line start), before `end`: (line start, line end, number)."""
    for _ in range(count):
        if position >= end:
            return
        following = buf.find(b"\n", position, end) + 1 or end
        yield position, following, number
        number += 1
        position = following


def _may_hold_url(body: bytes, start: int, end: int) -> bool:
    if end - start > MAX_CONTEXT_LINE:
        return False
    return body.find(b"://", start, end) != -1 or body.find(b"@", start, end) != -1


def _to_lines(raw: bytes, number: int, steps: dict[int, str], drop_test_output: bool = True) -> Iterator[Line]:
    text = normalise.decode_line(raw)  # not counted in Reading: only candidate lines pass here
    if drop_test_output and is_test_output(text):
        return
    name = step_name(text)
    if name:
        steps[number] = name
    for piece in normalise.clean(text):
        yield Line(number, piece)


def prefixed(head: bytes, rest: BinaryIO) -> BinaryIO:
    """`rest` with `head` (already read from it) put back in front."""
    return cast(BinaryIO, _Prefixed(head, rest))


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0:
                data, self.head = self.head + self.rest.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            if len(data) < size:
                data += self.rest.read(size - len(data))
            return data
        return self.rest.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None else size
        if self.head:
            newline = self.head.find(b"\n")
            if newline != -1 and (limit < 0 or newline < limit):
                data, self.head = self.head[: newline + 1], self.head[newline + 1 :]
                return data
            data, self.head = self.head, b""
            more = self.rest.readline(-1 if limit < 0 else max(0, limit - len(data)))
            return data + more
        return self.rest.readline(limit)

    def peek(self, size: int = 0) -> bytes:
        return self.head


# ------------------------------------------------------------------------------ files, folders, archives
def iter_sources(paths: Iterable[Path], include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Iterator[Path]:
    """Files named, and every file below folders named, filtered by glob patterns."""
    include, exclude = list(include), list(exclude)
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = PurePosixPath(child.relative_to(path).as_posix())
                if include and not any(relative.match(g) or child.match(g) for g in include):
                    continue
                if any(relative.match(g) or child.match(g) for g in exclude):
                    continue
                yield child
        else:
            yield path


def scan_path(path: Path, library: Library | None = None, on_read: Callable[[int], None] | None = None) -> list[ScanResult]:
    """One log file, a .gz, or a .zip of logs (a GitHub Actions run's archive: job/step files).

    `on_read` hears how many bytes of the file itself were read (a progress bar's feed).
    """
    lib = library or library_module.load()
    name = str(path)
    if path.suffix == ".zip" or (path.suffix not in (".gz", ".log", ".txt") and zipfile.is_zipfile(path)):
        results = []
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if member.is_dir():
                    continue
                step = _step_from_member(member.filename)
                source = f"{name}!{member.filename}"
                try:
                    with archive.open(member) as handle:
                        results.append(scan_stream(handle, source, lib, step))  # type: ignore[arg-type]
                except (RuntimeError, NotImplementedError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                    # An encrypted member (RuntimeError), a compression method zipfile lacks
                    # (NotImplementedError), a corrupt one: a note, and the other members still count.
                    reading = Reading(source)
                    reading.notes.append(f"could not be read: {_why_unreadable(exc)}")
                    results.append(ScanResult(source, [], {}, reading))
        return results
    with open(path, "rb") as raw:
        counted = cast(BinaryIO, _Counting(raw, on_read)) if on_read else raw
        if path.suffix == ".gz":
            with gzip.open(counted, "rb") as handle:
                return [scan_stream(handle, name, lib)]  # type: ignore[arg-type]
        return [scan_stream(counted, name, lib)]


def _why_unreadable(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError):  # zipfile's only RuntimeError here: a password is needed
        return "it is encrypted (bbdiag asks for no passwords)"
    if isinstance(exc, NotImplementedError):
        return "it uses a compression method Python's zipfile does not support"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


class _Counting(io.RawIOBase):
    """A file that reports how much of it has been read."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None]) -> None:
        self.raw, self.on_read = raw, on_read

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.on_read(len(data))
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = self.raw.readline(-1 if size is None else size)
        self.on_read(len(data))
        return data


def _step_from_member(member: str) -> str | None:
    """GitHub Actions archives: `job name/3_Push changes.txt` -> `job name / Push changes`."""
    parts = PurePosixPath(member).parts
    stem = PurePosixPath(parts[-1]).stem
    step = re.sub(r"^\d+_", "", stem)
    return f"{parts[-2]} / {step}" if len(parts) > 1 else step


# ------------------------------------------------------------------------------ to views (one worker's job)
def views_of(results: Iterable[ScanResult], as_of: str | None = None) -> list[SourceView]:
    """Diagnoses with their remedies, as redacted records: what a worker process hands back."""
    from bbdiag import knowledge, pipeline
    from bbdiag.redact import redact
    from bbdiag.render.view import SourceView, diagnosis_view

    day = knowledge.today(as_of)
    views = []
    for result in results:
        pairs = pipeline.remedies(result.diagnoses, as_of=day)
        diagnoses = tuple(diagnosis_view(result.source, d, r, result.step_of(d)) for d, r in pairs)
        views.append(SourceView(redact(result.source), result.reading.lines, diagnoses, tuple(redact(r) for r in result.reading.remarks())))
    return views


def scan_file_views(path: str, as_of: str | None = None, on_read: Callable[[int], None] | None = None) -> list[SourceView]:
    """`scan_path` then `views_of`: picklable in and out, for process pools and Dask."""
    return views_of(scan_path(Path(path), on_read=on_read), as_of)
