"""The scanning core: logs in (text, streams, files, folders, .gz, .zip), diagnoses out.

A plain library function, so that one log on a laptop and millions of logs on a cluster run the
same code (see `bbdiag.contrib.dask`):

    from bbdiag.scan import scan_stream, scan_text, scan_path
    result = scan_path(Path("build.log"))          # -> list[ScanResult], one per log
    for d in result[0].diagnoses: print(d.cause, d.host, d.lines)

The stages are explain's (bbdiag.pipeline), with the read stage's fast backend
(bbdiag.prefilter: one pass of Hyperscan over large chunks, only the lines that can hit reach
Python) and two things CI logs need: the CI step each failure happened in, and test output that
quotes git's messages as data left out. Inputs are bbdiag.sources'. Memory is bounded by the
chunk size whatever the log's size.
"""

from __future__ import annotations

import bisect
import functools
import io
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, cast

from bbdiag import library as library_module
from bbdiag import prefilter, sources
from bbdiag.diagnose import Diagnosis, diagnose
from bbdiag.library import Library
from bbdiag.match import Matches, match_lines, not_kept
from bbdiag.normalise import MAX_INPUT, Reading, utf16_encoding

if TYPE_CHECKING:
    from bbdiag.render.view import SourceView

_TEST_DATA = re.compile(
    r"^\s*(?:E\s{2,}|>\s{2,})"  # pytest's failure report
    r"|\b(?:AssertionError|assert(?:Equal|In|That|Contains)?\s*\(|assert\s+[\"'`]|expect\(|toContain\(|toMatch\(|toEqual\(|should\.)"
)


class ScanResult(NamedTuple):
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
    steps: dict[int, str] = {}
    lib = library or library_module.load()
    matches = match_lines(prefilter.read(stream, reading, lib, raw=_noting_steps(steps)), lib)
    # A step named by the archive (a GitHub Actions log file per step) beats the groups inside it.
    return _finish(source, matches, {0: step} if step else steps, reading)


def _noting_steps(steps: dict[int, str]) -> prefilter.Raw:
    """The read stage's `raw`: notes each CI step marker in `steps`, drops test output."""

    def raw(number: int, text: str) -> bool:
        name = step_name(text)
        if name:
            steps[number] = name
        return is_test_output(text)

    return raw


# ------------------------------------------------------------------------------ one large file on every core
PART_AFTER_BYTES = 32 << 20  # a plain log larger than this is scanned in parts on every core
# Up to this many parts per core, of at least half PART_AFTER_BYTES each: a core that a neighbour
# slows down takes fewer of them, so the others do not wait for it at the end.
PARTS_PER_CORE = 4


def parts_of(path: Path, size: int, cores: int) -> list[tuple[int, int]] | None:
    """The ranges one large log is scanned in on `cores` cores (the pool hands each to the next free
    one), or None: a small log, one core, a .gz or a .zip, UTF-16, no Hyperscan (then scan_path
    reads it whole)."""
    size = min(size, MAX_INPUT)
    if cores < 2 or size <= PART_AFTER_BYTES or not prefilter.available() or not sources.plain(path):
        return None
    try:
        with open(path, "rb") as stream:
            if utf16_encoding(stream.read(64)) is not None:  # as the whole file's reading would decode it
                return None
            parts = min(cores * PARTS_PER_CORE, max(cores, size // (PART_AFTER_BYTES // 2)))
            # The last part of each core half as long: the cores finish closer together (measured
            # on the realistic log in 8 parts: 0.03 s apart, a part's scan being 0.1 s).
            found = prefilter.ranges(stream, size, parts, halves=cores if parts > cores else 0)
    except OSError:  # unreadable: scan_path says so in the report
        return None
    return found if len(found) > 1 else None


class PartScan(NamedTuple):
    part: prefilter.Part
    steps: dict[int, str]  # as numbered in the part


def scan_part(path: str, start: int, stop: int) -> PartScan:
    """One range of a large log (parts_of): picklable in and out, for a worker of the pool."""
    steps: dict[int, str] = {}
    with open(path, "rb", buffering=0) as stream:
        part = prefilter.read_part(cast(BinaryIO, stream), start, stop, library_module.load(), _noting_steps(steps))
    return PartScan(part, steps)


def joined(path: str, scans: list[PartScan], library: Library | None = None) -> ScanResult:
    """The parts of one log (in order, covering it) as scan_path would have scanned it whole."""
    reading = Reading(path)
    lines = prefilter.merge([s.part for s in scans], reading)
    size = sources.size(path)
    reading.took(min(size, MAX_INPUT))
    reading.stopped = size > MAX_INPUT
    steps: dict[int, str] = {}
    base = 0
    for s in scans:
        steps.update((number + base - s.part.margin, name) for number, name in s.steps.items())
        base += s.part.lines_read - s.part.margin
    return _finish(path, match_lines(lines, library or library_module.load()), steps, reading)


def is_test_output(line: str) -> bool:
    """A test that prints a git error as data (an assertion, pytest's report) is not a failed git command."""
    return bool(_TEST_DATA.search(line))


def _finish(source: str, matches: Matches, steps: dict[int, str], reading: Reading) -> ScanResult:
    diagnoses = diagnose(matches)
    reading.notes += not_kept(matches.hits_dropped)
    step_at: dict[int, str] = {}
    if steps:
        # The last step marker at or before each diagnosis: a large log has a thousand of them.
        lines = sorted(steps)
        for d in diagnoses:
            first = d.lines[0]
            index = bisect.bisect_right(lines, first)
            if index:
                step_at[first] = steps[lines[index - 1]]
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


def scan_path(path: Path, library: Library | None = None, on_read: Callable[[int], None] | None = None) -> list[ScanResult]:
    """One log file, a .gz, or a .zip of logs (a GitHub Actions run's archive: job/step files).

    `on_read` hears how many bytes of the file itself were read (a progress bar's feed).
    """
    lib = library or library_module.load()
    results = []
    with sources.logs(path, on_read) as logs:
        for log in logs:
            try:
                with log.open() as stream:
                    results.append(scan_stream(stream, log.name, lib, log.step))
            except sources.MEMBER_ERRORS as exc:
                if not log.in_archive:
                    raise  # the whole file is unreadable: the caller says so
                reading = Reading(log.name)  # a note, and the other members still count
                reading.notes.append(f"could not be read: {sources.why_unreadable(exc)}")
                results.append(ScanResult(log.name, [], {}, reading))
    return results


# ------------------------------------------------------------------------------ to views (one worker's job)
def views_of(results: Iterable[ScanResult], as_of: str | None = None) -> list[SourceView]:
    """Diagnoses with their remedies, as redacted records: what a worker process hands back."""
    from bbdiag import knowledge, pipeline
    from bbdiag.redact import redact
    from bbdiag.render.view import SourceView, diagnosis_view

    day = knowledge.today(as_of)
    views = []
    for result in results:
        helper = suggested_helper(os.environ.get("PATH", "")) if result.diagnoses else None
        pairs = pipeline.remedies(result.diagnoses, as_of=day, helper=helper)
        diagnoses = tuple(diagnosis_view(result.source, d, r, result.step_of(d)) for d, r in pairs)
        views.append(SourceView(redact(result.source), result.reading.lines, diagnoses, tuple(redact(r) for r in result.reading.remarks())))
    return views


def prepare() -> None:
    """Load what scanning any log needs (the library, its Hyperscan database, the knowledge, the
    helper to suggest), so that workers forked after this start with it."""
    from bbdiag import knowledge

    prefilter.prepare(library_module.load())
    knowledge.load()
    suggested_helper(os.environ.get("PATH", ""))


@functools.lru_cache(maxsize=4)
def suggested_helper(_search_path: str) -> str:
    """The credential helper every remedy suggests (credential_helpers.helper_advice), looked up once for
    all the logs of a scan rather than along PATH for each log; keyed by PATH, where it looks."""
    from bbdiag import credential_helpers

    return credential_helpers.helper_advice().helper


def scan_file_views(path: str, as_of: str | None = None, on_read: Callable[[int], None] | None = None) -> list[SourceView]:
    """`scan_path` then `views_of`: picklable in and out, for process pools and Dask."""
    return views_of(scan_path(Path(path), on_read=on_read), as_of)
