"""The read stage's fast backend: from a large log, only the lines that can hit, at grep's speed.

`read` gives the same numbered, cleaned lines as `normalise.read` for every line that can match a
pattern (and the lines near them that may name the remote), and skips the rest unread by Python.
One pass of Hyperscan over large chunks of the raw bytes decides which lines those are:

- a line the cleaning leaves as it is (ASCII, no ANSI, control bytes, tabs, `\\r`, JSON escapes or
  CI section markers) can hit only if one of the patterns' own regexes, loosened so that it can only
  match more (anchors, word boundaries and lookarounds dropped), matches the raw line;
- a line the cleaning changes can hit only if it holds one of the pattern's keywords (the line
  path's own prefilter), since its cleaned text is not in the raw bytes. Those lines (7% of the
  realistic log's bytes) are copied out of each chunk (changed_lines) and a second, smaller
  Hyperscan database looks for the keywords in that copy alone.

So a keyword that occurs in ordinary CI noise costs nothing where the cleaning does not change the
line (the test suite keeps keywords out of a noise sample anyway), and the keywords cost nothing
on the other 93% of the bytes. Lines near a candidate that
may name the remote (`://` or `@`) come along; so do the CI step markers that can name a
candidate's step, seen by `raw` like every line the line path reads, and the lines before a
candidate that a token a terminal wrapped may run from (match_lines masks its rest only after
seeing where it began), across the ends of stretches too. Memory is one reused buffer
of CHUNK bytes whatever the log's size. Without Hyperscan (not x86-64 Linux) and for UTF-16 input,
`read` is `normalise.read`.
"""

from __future__ import annotations

import bisect
import functools
import io
import itertools
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, cast

from bbdiag import normalise, sources
from bbdiag.library import PATTERNS_DIR, Library
from bbdiag.match import FOREIGN, NEAR_AFTER, NEAR_BEFORE, TYPOGRAPHIC
from bbdiag.normalise import MAX_INPUT, Line, Reading
from bbdiag.redact import MAX_WRAPPED_LINES, may_wrap_into

if TYPE_CHECKING:
    from bbdiag.library import Pattern

CHUNK = 1 << 19  # bytes scanned at once; what a stretch of hits costs in memory is bounded by it (a log of nothing but hits: ~60 MiB peak)
MAX_CONTEXT_LINE = 4096  # a context line longer than this cannot hold a URL worth reading
WRAP_LINE_BYTES = 16 << 10  # a line longer than this is no terminal's wrapped line (redact.WRAP_WIDTHS, with room for colour codes)
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
# What makes normalise.clean change a line other than by cutting it (a CI prefix, a flattened
# line split): then its cleaned text is not in the raw bytes, and keywords decide.
_CHANGING = r"(?:[\x00-\x09\x0b-\x1f\x7f-\xff]|\\n|section_)"
_CLEANING_CHANGES = re.compile(_CHANGING.encode("ascii"))

FORMAT = "5"  # of the cached database: a change to _build's expressions or result makes it new

Raw = Callable[[int, str], bool]
ChangedLines = Callable[[bytearray, int, int, bytearray], tuple[int, list[int]]]


def python_count(buf: bytearray, start: int, end: int) -> int:
    """The newlines in buf[start:end], a byte at a time: where the C extension was not built."""
    return buf.count(b"\n", start, end)


def python_changed_lines(buf: bytearray, start: int, end: int, out: bytearray) -> tuple[int, list[int]]:
    """The lines of buf[start:end] (`start` a line start) that the cleaning changes (_CHANGING),
    copied into out[:used] each ending in a newline, and where each begins in `buf`: (used, starts).
    In Python where the C extension was not built (a search stops at every byte of an ANSI code)."""
    used, starts, position = 0, [], start
    while (found := _CLEANING_CHANGES.search(buf, position, end)) is not None:
        line_start = buf.rfind(b"\n", position, found.start()) + 1 or position
        line_end = buf.find(b"\n", found.end(), end)
        line_end = end if line_end == -1 else line_end
        out[used : used + line_end - line_start] = buf[line_start:line_end]
        used += line_end - line_start + 1
        out[used - 1] = 0x0A
        starts.append(line_start)
        position = line_end + 1
    return used, starts


def _compiled() -> tuple[Callable[[bytearray, int, int], int], ChangedLines]:
    """Every newline of a log is counted (lines are numbered), and the lines the cleaning changes
    are found in every chunk: by the optional C extension, which bbdiag/_newlines.c says why, else
    the same in Python. Tests run the chunk loop with both."""
    try:
        from bbdiag._newlines import changed_lines, count
    except ImportError:  # no compiler where bbdiag was installed (or one built before changed_lines)
        return python_count, python_changed_lines
    return count, changed_lines


count_newlines, changed_lines = _compiled()


def read(stream: BinaryIO, reading: Reading, lib: Library, limit: int = MAX_INPUT, raw: Raw | None = None) -> Iterator[Line]:
    """The lines of `stream` that can hit, numbered and cleaned as `normalise.read` gives them.

    `raw` sees each decoded line before cleaning, as in `normalise.read` (and drops it by
    returning True), and also the CI step markers that can name a candidate's step.
    """
    head = stream.read(64)  # enough for normalise to tell UTF-16 without a BOM
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and head[1:4:2] == b"\0\0")
    capacity = _capacity(stream)  # of the file itself, before `prefixed` hides it
    stream = sources.prefixed(head, stream)
    database = None if utf16 else _database_for(lib)
    if database is None:  # UTF-16, or no Hyperscan here: the line path
        return normalise.read(stream, reading, limit, raw)
    return _candidate_lines(stream, reading, database, limit, raw, capacity)


# A few lines that take the chunk loop down each of its paths (a success line checked, a line the
# cleaning changes, a CI runner's timestamp, a failure with its URL), read once by `prepare`.
_WARM_UP = (
    b"To https://bitbucket.org/acme/widgets.git\n * branch            main       -> FETCH_HEAD\n"
    b"\x1b[31mremote: Invalid credentials\x1b[0m\n"
    b"2026-11-28T10:00:00.0000000Z fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'\n"
)


def prepare(lib: Library) -> None:
    """Build or load the library's Hyperscan database now, and read a few lines, so that what the
    chunk loop compiles or imports on first use (the cleaning's regexes, the success check's modules)
    is done once before bbdiag.scan.prepare forks the workers, not in each: 0.025 s of CPU a worker."""
    if _database_for(lib) is not None:
        list(read(io.BytesIO(_WARM_UP), Reading("-"), lib))


def available() -> bool:
    try:
        import hyperscan  # type: ignore[import-not-found, import-untyped, unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------------------ the database
def loosened(source: str) -> str:
    """A regex that matches wherever `source` does, and maybe more: for a first pass over raw lines.

    Named groups become plain groups; anchors, word boundaries and lookarounds are dropped.
    """
    out: list[str] = []
    index, length = 0, len(source)
    while index < length:
        char = source[index]
        if char == "\\" and index + 1 < length:
            escape = source[index : index + 2]
            if escape not in ("\\b", "\\B", "\\A", "\\Z", "\\z", "\\G"):
                out.append(escape)
            index += 2
        elif char == "[":
            end = _class_end(source, index)
            out.append(source[index:end])
            index = end
        elif char in "^$":
            index += 1
        elif source.startswith(("(?=", "(?!", "(?<=", "(?<!"), index):
            index = _group_end(source, index)
        elif source.startswith("(?P<", index):
            out.append("(?:")
            index = source.index(">", index) + 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def trimmed(loose: str) -> str:
    """`loose` (a loosened regex) with less for Hyperscan to track, matching wherever it does:
    what may match nothing or only spaces at either end is dropped (an unanchored search finds the
    rest anyway), so are trailing runs of non-spaces (`->\\s+\\S+` reported a match at every byte
    of the ref name), so is a last short word after spaces (_short_word_at_end), bounded repeats
    lose their bound (`[0-9a-f]{7,64}` -> `{7,}`) and a repeat at the end keeps only its least
    count. On the realistic log this made the success regexes' pass a third cheaper, and then the
    loosened regexes' pass a quarter."""
    atoms = _atoms(loose)
    if any(atom == "|" for atom, _ in atoms):  # an alternation at the top: its ends are not the regex's
        return loose
    while atoms and _may_go(*atoms[0]):
        atoms.pop(0)
    while atoms and (_may_go(*atoms[-1]) or (atoms[-1][0] == "\\S" and atoms[-1][1][:1] in ("+", "*")) or _short_word_at_end(atoms)):
        atoms.pop()
    if not atoms:
        return loose
    *body, (last, quantifier) = atoms
    # At the end, a repeat needs only its least: `[0-9a-f]{7,}` reported a match at every digit past the seventh.
    return "".join(atom + _unbounded(q) for atom, q in body) + last + _least(quantifier)


def _short_word_at_end(atoms: list[tuple[str, str]]) -> bool:
    """The regex ends in a word of one or two plain characters after spaces (a ref update's `->`):
    a line holds one almost everywhere, and Hyperscan checked each (`[0-9a-f]{7,}\\.\\.\\.?[0-9a-f]{7,}\\s+\\S+\\s+->`
    was a quarter of its pass of the loosened regexes on the realistic log)."""
    word = 0
    while word < len(atoms) and not atoms[-1 - word][1] and len(atoms[-1 - word][0]) == 1 and atoms[-1 - word][0] not in ".()[]|":
        word += 1
    return 0 < word <= 2 and len(atoms) > word + 1 and atoms[-1 - word][0] in ("\\s", " ") and bool(atoms[-1 - word][1])


def _least(quantifier: str) -> str:
    """A repeat's quantifier at a regex's end, as an unanchored search needs it: its least count."""
    if quantifier[:1] == "+":
        return ""
    bounded = re.match(r"^\{(\d+)(?:,\d*)?\}", quantifier)
    return f"{{{bounded.group(1)}}}" if bounded else quantifier


def _may_go(atom: str, quantifier: str) -> bool:
    """An atom at an end of a regex that an unanchored search can do without."""
    return quantifier[:1] in ("*", "?") or quantifier.startswith("{0") or (atom in ("\\s", " ") and bool(quantifier))


def _unbounded(quantifier: str) -> str:
    return re.sub(r"^\{(\d+),\d+\}", r"{\1,}", quantifier)


def _atoms(source: str) -> list[tuple[str, str]]:
    """(atom, its quantifier) at the top level of `source`: an escape, a class, a group, a character, or `|`."""
    atoms: list[tuple[str, str]] = []
    index, length = 0, len(source)
    while index < length:
        char = source[index]
        if char == "\\":
            end = index + (4 if source.startswith("\\x", index) else 2)
        elif char == "[":
            end = _class_end(source, index)
        elif char == "(":
            end = _group_end(source, index)
        else:
            end = index + 1
        atom, index = source[index:end], end
        quantifier = re.match(r"(?:[*+?]|\{\d*(?:,\d*)?\})[?+]?", source[index:]) if atom != "|" else None
        atoms.append((atom, quantifier.group() if quantifier else ""))
        index += len(atoms[-1][1])
    return atoms


def _class_end(source: str, start: int) -> int:
    """The index after the `]` that closes the character class opened at `start`."""
    index = start + 1
    if index < len(source) and source[index] == "^":
        index += 1
    if index < len(source) and source[index] == "]":
        index += 1
    while index < len(source) and source[index] != "]":
        index += 2 if source[index] == "\\" else 1
    return index + 1


def _group_end(source: str, start: int) -> int:
    """The index after the `)` that closes the group opened at `start`."""
    depth, index = 0, start
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(source, index)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index


class _Database:
    """Hyperscan over the loosened regexes and the step markers (every byte), and over the keywords
    (the lines the cleaning changes), compiled once per library and kept in the per-user cache
    (compiling costs tens of milliseconds; loading, microseconds)."""

    def __init__(self, lib: Library) -> None:
        import hyperscan

        from bbdiag import cache

        built = cache.memoised("hyperscan", PATTERNS_DIR, (".toml", ".json"), lambda: _build(lib), extra=f"{FORMAT}\n" + "\n".join(lib.keywords))
        main, keywords, self.first_regex, self.first_marker = built
        self.library = lib  # a success line's own check (_surely_succeeds)
        self.database: Any = hyperscan.loadb(main, mode=hyperscan.HS_MODE_BLOCK)
        self.database.scratch = hyperscan.Scratch(self.database)
        self.keywords: Any = hyperscan.loadb(keywords, mode=hyperscan.HS_MODE_BLOCK)
        self.keywords.scratch = hyperscan.Scratch(self.keywords)

    def scan(self, buf: bytearray, start: int, end: int, changed: bytearray) -> tuple[list[int], list[int], list[int], list[int]]:
        """In buf[start:end] (whole lines): the end offsets (from `start`) of success regex matches,
        of other regex matches and keywords that decide everywhere, of step markers; and the starts
        (in `buf`) of the lines the cleaning changes that hold a keyword. `changed` is scratch
        space of at least end - start + 1 bytes."""
        success: list[int] = []
        regex: list[int] = []
        markers: list[int] = []
        first_regex, first_marker = self.first_regex, self.first_marker

        def on_match(pattern: int, _start: int, end: int, _flags: int, _context: object) -> None:
            if pattern < first_regex:
                success.append(end)
            elif pattern < first_marker:
                regex.append(end)
            else:
                markers.append(end)

        with memoryview(buf)[start:end] as chunk:
            self.database.scan(chunk, match_event_handler=on_match)  # any buffer works: no copy
        used, line_starts = changed_lines(buf, start, end, changed)
        held: set[int] = set()  # indexes into line_starts
        if used:
            counted = [0, 0]  # bytes of `changed` counted so far, and the newlines in them

            def on_keyword(_pattern: int, _start: int, end: int, _flags: int, _context: object) -> None:
                # A keyword holds no newline: its line's index is the newlines before its end.
                # Hyperscan reports matches by increasing end, so each byte is counted once (a
                # count from 0 at each match made a log of keyword lines quadratic).
                upto, lines = counted
                if end < upto:  # not in order after all: count from the start
                    upto = lines = 0
                lines += count_newlines(changed, upto, end)
                counted[:] = end, lines
                held.add(lines)

            with memoryview(changed)[:used] as lines:
                self.keywords.scan(lines, match_event_handler=on_keyword)
        return success, regex, markers, [line_starts[i] for i in sorted(held)]


def _build(lib: Library) -> tuple[bytes, bytes, int, int]:
    """The compiled databases (the one over every byte, the keywords'), and where the first's other
    regexes (after the success patterns') and its step markers start."""
    successes, always = _regexes([p for p in lib.patterns if p.role == "success"])
    others, always_too = _regexes([p for p in lib.patterns if p.role != "success"])
    regexes = successes + others
    # Keywords of patterns left without a loosened regex (Hyperscan did not take it) decide on
    # every line; every keyword decides on the lines the cleaning changes.
    everywhere = sorted({variant for k in always | always_too for variant in _variants(k)})
    first_marker = len(regexes) + len(everywhere)
    expressions = [r for r, _ in regexes] + [re.escape(k) for k in everywhere] + [re.escape(k) for k in STEP_MARKERS]
    flags = [f for _, f in regexes] + [_literal_flags(k) for k in [*everywhere, *STEP_MARKERS]]
    # Typographic quotes (a blog's `‘…’`) are read as git's own (match.TYPOGRAPHIC): a line with
    # one may hold a keyword only once they are made plain, so it is a candidate by itself.
    quotes = {chr(c) for c in TYPOGRAPHIC}
    keywords = sorted({variant for k in lib.keywords for variant in _variants(k)} | quotes)
    main = _compile(expressions, flags)
    return main, _compile([re.escape(k) for k in keywords], [_literal_flags(k) for k in keywords]), len(successes), first_marker


def _literal_flags(literal: str) -> int:
    """Caseless costs Hyperscan dearly on non-ASCII bytes: those literals come in all three casings
    instead (_variants), matched exactly."""
    import hyperscan

    return int(hyperscan.HS_FLAG_CASELESS) if literal.isascii() else 0


def _regexes(patterns: Sequence[Pattern]) -> tuple[list[tuple[str, int]], set[str]]:
    """(loosened regex, Hyperscan flags) for every ASCII regex Hyperscan takes, and the keywords of
    patterns left without one. Non-ASCII regexes (git's translations) can only match lines the
    cleaning changes, where keywords decide."""
    import hyperscan

    found: list[tuple[str, int]] = []
    always: set[str] = set()
    for pattern in patterns:
        flags = hyperscan.HS_FLAG_CASELESS if pattern.ignore_case else 0
        # Prefilter mode: whatever of a regex Hyperscan cannot do exactly (backreferences,
        # bounded repeats it would blow up) it approximates by something that matches more.
        flags |= hyperscan.HS_FLAG_PREFILTER
        taken = [(loose, flags) for source in pattern.regexes if source.isascii() and _compiles(loose := trimmed(loosened(source)), flags)]
        if len(taken) < sum(source.isascii() for source in pattern.regexes):
            always.update(pattern.keywords)
        found += taken
    return found, always


def _compiles(expression: str, flags: int) -> bool:
    """Hyperscan takes it, and it cannot match an empty string (which would make every line a candidate)."""
    import hyperscan

    try:
        hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK).compile(expressions=[expression.encode("utf-8")], ids=[0], elements=1, flags=[flags])
    except hyperscan.error:
        return False
    return True


def _compile(expressions: list[str], flags: list[int]) -> bytes:
    import hyperscan

    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    encoded = [e.encode("utf-8") for e in expressions]
    database.compile(expressions=encoded, ids=list(range(len(encoded))), elements=len(encoded), flags=flags)
    return bytes(hyperscan.dumpb(database))


def _variants(keyword: str) -> set[str]:
    """Hyperscan's caseless is ASCII-only: give non-ASCII keywords their capitalised forms too."""
    if keyword.isascii():
        return {keyword}
    return {keyword, keyword.capitalize(), keyword.upper()}


@functools.lru_cache(maxsize=4)
def _database_for(lib: Library) -> _Database | None:
    """One per library (the cache holds the library, so another one never takes its place), None without Hyperscan."""
    if not available():
        return None
    return _Database(lib)


# ------------------------------------------------------------------------------ one large file on every core
MARGIN_LINES = NEAR_BEFORE + MAX_WRAPPED_LINES  # read before a part: a hit's URL lines, and the wrapped token one of them may end


class Part(NamedTuple):
    """What the scan of one range of a file found: its candidate lines, numbered from the first
    line of the margin read before it (the lines a hit early in the range looks back on)."""

    lines: list[Line]
    margin: int  # lines of the margin: the range's first line is number margin + 1
    lines_read: int  # lines of the margin and the range
    long_lines: int  # lines over MAX_LINE in the range itself (not its margin)


def ranges(stream: BinaryIO, size: int, parts: int, halves: int = 0) -> list[tuple[int, int]]:
    """About `parts` ranges [start, stop) that cover the first `size` bytes of `stream`, each
    starting at the start of a line (the last one may end mid-line: at `size`); the last `halves`
    of them half as long as the others."""
    weights = [2] * (parts - halves) + [1] * halves
    bounds = list(itertools.accumulate(weights, initial=0))
    cuts = [0]
    for k in range(1, parts):
        cut = _line_start_after(stream, max(size * bounds[k] // bounds[-1], cuts[-1] + 1) - 1, size)
        if cut >= size:
            break
        cuts.append(cut)
    return list(zip(cuts, [*cuts[1:], size], strict=True))


def _line_start_after(stream: BinaryIO, position: int, size: int) -> int:
    """The offset just after the first newline at or after `position`, or `size` when there is none."""
    stream.seek(position)
    while position < size:
        block = stream.read(min(1 << 16, size - position))
        if not block:
            break
        newline = block.find(b"\n")
        if newline != -1:
            return position + newline + 1
        position += len(block)
    return size


def read_part(stream: BinaryIO, start: int, stop: int, lib: Library, raw: Raw | None = None) -> Part:
    """The candidate lines of stream[start:stop] (`start` a line start), as `read` gives them for
    the whole file, renumbered (`merge`). The part's scan starts MARGIN_LINES lines earlier, so
    that a hit near its start finds the URL lines and the wrapped token's start before it as a
    scan of the whole file does; a line read twice, by this part and the one before, counts once."""
    database = _database_for(lib)
    assert database is not None, "a part is read only where Hyperscan is"
    begin, margin, margin_long = _margin(stream, start)
    stream.seek(begin)
    reading = Reading("")
    window = cast(BinaryIO, _Window(stream, stop - begin))
    lines = list(_candidate_lines(window, reading, database, stop - begin, raw, min(CHUNK + normalise.MAX_LINE, stop - begin + 1)))
    return Part(lines, margin, reading.lines, reading.long_lines - margin_long)


def merge(parts: list[Part], reading: Reading) -> list[Line]:
    """The parts' lines as one scan of the whole file gives them (in order, each line once), with
    what was read counted in `reading`."""
    out: dict[int, list[Line]] = {}
    base = 0  # lines of the file before the part's range
    for part in parts:
        shift = base - part.margin
        mine: dict[int, list[Line]] = {}
        for line in part.lines:
            mine.setdefault(line.number + shift, []).append(line._replace(number=line.number + shift))
        for number, pieces in mine.items():
            out.setdefault(number, pieces)  # a margin's line, read by the part before too: the same pieces
        base += part.lines_read - part.margin
        reading.long_lines += part.long_lines
    reading.lines = base
    return [line for number in sorted(out) for line in out[number]]


def _margin(stream: BinaryIO, start: int) -> tuple[int, int, int]:
    """Where the MARGIN_LINES lines before `start` (a line start) begin, how many lines there are
    (fewer at the start of the file), and how many of them are over MAX_LINE."""
    newlines: list[int] = []  # offsets of the newlines before `start`, nearest first
    position = start
    while position > 0 and len(newlines) <= MARGIN_LINES:
        block_start = max(0, position - (1 << 16))
        stream.seek(block_start)
        block = stream.read(position - block_start)
        index = len(block)
        while len(newlines) <= MARGIN_LINES and (index := block.rfind(b"\n", 0, index)) != -1:
            newlines.append(block_start + index)
        position = block_start
    count = min(len(newlines), MARGIN_LINES)
    begins = [newline + 1 for newline in newlines[1:]] + [0]  # where the line ending at each newline begins
    long_lines = sum(newlines[k] - begins[k] >= normalise.MAX_LINE for k in range(count))
    return (begins[count - 1] if count else start), count, long_lines


class _Window(io.RawIOBase):
    """The next `size` bytes of a stream, then its end."""

    def __init__(self, stream: BinaryIO, size: int) -> None:
        super().__init__()
        self._stream, self._left = stream, size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        with memoryview(buffer) as view:
            got = self._stream.readinto(view[: self._left]) if self._left else 0  # type: ignore[attr-defined]
        self._left -= got or 0
        return got or 0

    def read(self, size: int = -1) -> bytes:
        block = self._stream.read(self._left if size < 0 else min(size, self._left)) if self._left else b""
        self._left -= len(block)
        return block


# ------------------------------------------------------------------------------ the chunk loop
def _capacity(stream: BinaryIO) -> int:
    """The buffer a log needs: the whole of a small file (most logs in a folder are small, and
    zeroing a full buffer for each costs more than scanning it), else a chunk and a long line."""
    full = CHUNK + normalise.MAX_LINE
    try:
        status = os.fstat(stream.fileno()) if isinstance(stream, io.BufferedReader | io.FileIO) else None
    except (OSError, ValueError):
        return full
    if status is None or not stat.S_ISREG(status.st_mode):
        return full
    return min(full, status.st_size + 1)  # one byte more: the read that finds the end has room


def _candidate_lines(stream: BinaryIO, reading: Reading, database: _Database, limit: int, raw: Raw | None, capacity: int) -> Iterator[Line]:
    """Candidate lines and the URL lines near them, numbered as in the input.

    Blocks are read into one reused buffer and scanned in place; only the partial line at a
    block's end is carried to the buffer's front, and a line longer than MAX_LINE is read in pieces.
    """
    buffer = bytearray(capacity)
    readinto = getattr(stream, "readinto", None)
    carry = 0  # bytes of an unfinished line at the buffer's front (fewer than MAX_LINE)
    line_base = 0  # complete lines before the buffer's front
    continued = False  # the buffer's front continues a line already passed on in pieces
    context = _Context(raw, capacity)
    while True:
        if carry == len(buffer):  # a file that grew while it was read: the full buffer after all
            buffer += bytes(CHUNK + normalise.MAX_LINE - len(buffer))
        want = min(CHUNK, reading.room(stream, limit), len(buffer) - carry)
        if not want:
            got = 0
        elif readinto is not None:
            with memoryview(buffer) as view:
                got = readinto(view[carry : carry + want]) or 0
        else:
            block = stream.read(want)
            got = len(block)
            buffer[carry : carry + got] = block
        reading.took(got)
        end = carry + got
        if not got:
            if carry:
                yield from _lines_of_chunk(buffer, 0, carry, line_base, database, context)
            line_base += carry > 0 or continued  # a last line without a newline, perhaps passed on in pieces
            break
        rest = buffer.rfind(b"\n", carry, end) + 1
        if rest:
            # A line the line path reads in pieces (MAX_LINE bytes without a newline) can only
            # be the one the carried bytes begin: any other is within one block, shorter than CHUNK.
            if not continued and buffer.find(b"\n", carry, normalise.MAX_LINE) == -1:
                reading.cut(continued)
            yield from _lines_of_chunk(buffer, 0, rest, line_base, database, context)
            line_base += context.newlines
            continued = False
        carry = end - rest
        if carry >= normalise.MAX_LINE:  # one enormous line: passed on in pieces, as the line path does
            reading.cut(continued)
            continued = True
            yield from _lines_of_chunk(buffer, rest, end, line_base, database, context)
            carry = 0
        elif rest:
            buffer[:carry] = buffer[rest:end]
    reading.lines = line_base


class _Tail(NamedTuple):
    """The last lines of a stretch, as read."""

    first: int  # the number of its first line
    last: int
    text: bytes  # whole lines
    emitted: frozenset[int]  # numbers of its lines already passed on


class _Context:
    """What one stretch of a log leaves for the next: its last lines as they are (a hit early in the
    next stretch takes its URL lines from them), how far after the last candidate URL lines are
    still wanted, and how many lines the last stretch had."""

    def __init__(self, raw: Raw | None, capacity: int) -> None:
        self.changed = bytearray(capacity + 1)  # where the lines the cleaning changes are copied, a chunk at a time (_Database.scan)
        self.tails: list[_Tail] = []
        self.after_until = 0  # line number
        self.raw = raw
        self.newlines = 0
        self.wrap_tail: list[tuple[int, bytes]] = []  # the last lines of the stretch (oldest first), which a wrapped token may run from


def _lines_of_chunk(buf: bytearray, start: int, end: int, line_base: int, database: _Database, context: _Context) -> list[Line]:
    """Candidate lines of buf[start:end] (whole lines); the number of newlines in it goes to context.newlines."""
    if len(context.changed) < end - start + 1:  # a file that grew while it was read: a larger buffer
        context.changed = bytearray(end - start + 1)
    success_ends, regex_ends, marker_ends, keyword_lines = database.scan(buf, start, end, context.changed)
    # A match's line is the one holding its last byte: a loosened regex's `\s*` may end past a newline.
    line_starts = {max(start, buf.rfind(b"\n", start, start + e - 1) + 1) for e in regex_ends}
    line_starts.update(keyword_lines)  # a keyword decides only where the cleaning changes the line
    # A success line is read, but gathers no URL lines or step around it (match keeps none for it).
    success_starts = {max(start, buf.rfind(b"\n", start, start + e - 1) + 1) for e in success_ends} - line_starts
    # Only the step markers that can name a failure's step: the last before each candidate, and
    # the last of the stretch (for candidates in the next one). A marker every few lines stays fast.
    all_markers = sorted(start + e for e in marker_ends)
    chosen = {all_markers[i - 1] for i in (bisect.bisect_left(all_markers, h) for h in line_starts) if i} | set(all_markers[-1:])
    marker_starts = {max(start, buf.rfind(b"\n", start, m) + 1) for m in chosen} - line_starts
    hits: list[tuple[int, int]] = []  # (offset, line number)
    successes: list[tuple[int, int]] = []
    counted_to, newlines = start, 0
    lines: list[Line] = []
    for offset in sorted(line_starts | marker_starts | success_starts):
        newlines += count_newlines(buf, counted_to, offset)
        counted_to = offset
        if offset in success_starts:
            successes.append((offset, line_base + newlines + 1))
        if offset in marker_starts:  # a step marker: `raw` notes the step
            line_end = buf.find(b"\n", offset, end)
            if context.raw is not None:
                context.raw(line_base + newlines + 1, normalise.decode_line(bytes(buf[offset : line_end if line_end != -1 else end][:MAX_CONTEXT_LINE])))
        elif offset not in success_starts:
            hits.append((offset, line_base + newlines + 1))
    # Each byte is counted once: up to the candidates as they are numbered, then the rest.
    newlines = context.newlines = newlines + count_newlines(buf, counted_to, end)
    successes = _runs_of_successes(buf, start, end, hits, successes, database.library, context)
    wanted: dict[int, int] = dict(hits)  # line start offset -> line number
    url_lines: list[tuple[int, int, int]] = []  # (start, end, number) of lines near a hit, which may name the remote
    # URL lines right after a hit at the end of the previous stretch.
    url_lines += _lines_from(buf, start, end, line_base + 1, context.after_until - line_base)
    if hits:
        context.after_until = hits[-1][1] + NEAR_AFTER
    # URL-bearing lines around each hit: the remote is often named there. Each hit looks only as
    # far as its neighbours (their lines are wanted anyway), so a log where every line is a hit
    # costs its lines once, not NEAR_BEFORE + NEAR_AFTER times.
    for index, (offset, number) in enumerate(hits):
        url_lines += _lines_before(buf, hits[index - 1][0] if index else start, offset, number - 1, NEAR_BEFORE)
        newline = buf.find(b"\n", offset, end)
        if newline != -1:
            url_lines += _lines_from(buf, newline + 1, hits[index + 1][0] if index + 1 < len(hits) else end, number + 1, NEAR_AFTER)
    for line_start, line_end, number in url_lines:
        if _may_hold_url(buf, line_start, line_end):
            wanted.setdefault(line_start, number)
    for offset, number in successes:
        wanted.setdefault(offset, number)
    earlier = dict(_lines_a_wrap_needs(buf, start, wanted, context))  # line number -> bytes, of the stretch before
    if hits:  # the host may be named in URL lines just before this stretch, not emitted yet
        first = hits[0][1]
        for tail in context.tails:
            for line_start, line_end, number in _lines_from(tail.text, 0, len(tail.text), tail.first, NEAR_BEFORE):
                if number >= first - NEAR_BEFORE and number not in tail.emitted and _may_hold_url(tail.text, line_start, line_end):
                    earlier[number] = tail.text[line_start:line_end]
        context.tails.clear()
    lines += [line for n in sorted(earlier) for line in _to_lines(earlier[n], n, context.raw)]
    for offset in sorted(wanted):
        line_end = buf.find(b"\n", offset, end)
        lines += _to_lines(bytes(buf[offset : line_end if line_end != -1 else end]), wanted[offset], context.raw)
    # Keep the last NEAR_BEFORE lines of this stretch as they are, for a hit early in the next:
    # most stretches are followed by none, so their lines are never looked at one by one.
    last = line_base + newlines
    tail_start, count = end, 0
    while count < NEAR_BEFORE and tail_start > start:
        tail_start = max(start, buf.rfind(b"\n", start, tail_start - 1) + 1)
        count += 1
    if count:
        emitted = frozenset(number for offset, number in wanted.items() if offset >= tail_start)
        context.tails.append(_Tail(last - count + 1, last, bytes(buf[tail_start:end]), emitted))
    context.tails = [tail for tail in context.tails if tail.last > last - NEAR_BEFORE]
    context.wrap_tail = _wrap_tail(buf, start, end, last, context.wrap_tail)
    return lines


# ------------------------------------------------------------------------------ success lines
def _runs_of_successes(
    buf: bytearray, start: int, end: int, hits: list[tuple[int, int]], successes: list[tuple[int, int]], lib: Library, context: _Context
) -> list[tuple[int, int]]:
    """The success lines of buf[start:end] that can change what match_lines keeps.

    CI logs print a success line in every fetch (`* branch main -> FETCH_HEAD`: 39 a MiB in the
    realistic log), and match_lines keeps only the last of each run of them (no failure between);
    reading each one in Python was 40% of a scan. So, walking back from the end of each run of
    this stretch (a candidate line ends one), its lines are passed on up to the first that surely
    is a success hit (_surely_succeeds): the earlier ones could only be replaced by it, and only
    those that may name a URL still go. A run that goes on over several stretches passes on one
    line in each, so that every line stays in order.
    """
    hit_offsets = [offset for offset, _ in hits]
    runs: dict[int, list[tuple[int, int]]] = {}  # the index of the candidate after the run -> its successes
    for success in successes:
        runs.setdefault(bisect.bisect_left(hit_offsets, success[0]), []).append(success)
    kept: list[tuple[int, int]] = []
    for run in runs.values():
        for index in range(len(run) - 1, -1, -1):
            offset, number = run[index]
            kept.append((offset, number))
            line_end = buf.find(b"\n", offset, end)
            text = bytes(buf[offset : line_end if line_end != -1 else end])
            if _surely_succeeds(text, _previous_line(buf, start, offset, number, context), number, lib, context.raw):
                # Of the earlier ones, those that may name a URL still go: match_lines notes the hosts named.
                kept += [(o, n) for o, n in run[:index] if _may_hold_url(buf, o, buf.find(b"\n", o, end) + 1 or end)]
                break
    return kept


def _previous_line(buf: bytearray, start: int, offset: int, number: int, context: _Context) -> bytes | None:
    """The line before the one at `offset` (numbered `number`), as a wrapped token may run from it:
    b"" for none (the log's first line, or one too long to be a terminal's wrapped line), None when
    this stretch no longer has it."""
    if offset > start:
        line_start = max(start, buf.rfind(b"\n", start, offset - 1) + 1)
        return b"" if offset - line_start > WRAP_LINE_BYTES else bytes(buf[line_start:offset])
    if number == 1:
        return b""
    if context.wrap_tail and context.wrap_tail[-1][0] == number - 1:
        return context.wrap_tail[-1][1]
    return None


def _surely_succeeds(text: bytes, previous: bytes | None, number: int, lib: Library, raw: Raw | None) -> bool:
    """match_lines surely reads this line as a success and nothing else: what it does for one line,
    where any doubt (a URL that it would note, a token wrapped from the line before that it would
    mask, a line cleaned into pieces, typographic quotes, a foreign tool's line) says no."""
    if previous is None or _may_hold_url(text, 0, len(text)):
        return False
    decoded = normalise.decode_line(text)
    if raw is not None and raw(number, decoded):
        return False
    pieces = normalise.clean(decoded)
    if len(pieces) != 1 or not pieces[0].isascii() or FOREIGN.match(pieces[0]):
        return False
    line = pieces[0]
    if previous and may_wrap_into(normalise.clean(normalise.decode_line(previous))[-1], line):
        return False
    return any(p.role == "success" and p.search(line) for p in lib.candidates(line.lower()))


# ------------------------------------------------------------------------------ tokens a terminal wrapped
def _lines_a_wrap_needs(buf: bytearray, start: int, wanted: dict[int, int], context: _Context) -> list[tuple[int, bytes]]:
    """The lines before wanted ones that a token a terminal wrapped may run from (match_lines
    masks the token's rest only after it has seen where the token began): those of this stretch
    are added to `wanted`, those of the stretch before (context.wrap_tail) are returned."""
    earlier: list[tuple[int, bytes]] = []
    numbers = set(wanted.values())
    for offset, number in list(wanted.items()):
        line_end = buf.find(b"\n", offset, offset + 1024)
        following = normalise.clean(normalise.decode_line(bytes(buf[offset : line_end if line_end != -1 else offset + 1024])))[0]
        position, carried = offset, len(context.wrap_tail)
        for _ in range(MAX_WRAPPED_LINES):
            number -= 1
            if number in numbers:
                break
            if position > start:
                line_start = max(start, buf.rfind(b"\n", start, position - 1) + 1)
                if position - line_start > WRAP_LINE_BYTES:
                    break
                text = bytes(buf[line_start:position])
            elif carried and context.wrap_tail[carried - 1][0] == number:
                carried -= 1
                line_start, text = position, context.wrap_tail[carried][1]
            else:
                break
            pieces = normalise.clean(normalise.decode_line(text))
            if not may_wrap_into(pieces[-1], following):
                break
            numbers.add(number)
            if position > start:
                wanted[line_start] = number
            else:
                earlier.append((number, text))
            following, position = pieces[0], line_start
    return earlier


def _wrap_tail(buf: bytearray, start: int, end: int, last: int, before: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """The last MAX_WRAPPED_LINES lines up to buf[end] (numbered up to `last`), oldest first, no
    longer than a wrapped line can be; with those of the stretches before when this one has fewer."""
    tail: list[tuple[int, bytes]] = []
    for line_start, line_end, number in _lines_before(buf, start, end, last, MAX_WRAPPED_LINES):
        if line_end - line_start > WRAP_LINE_BYTES:
            return tail[::-1]
        tail.append((number, bytes(buf[line_start:line_end])))
    return [*before, *tail[::-1]][-MAX_WRAPPED_LINES:]


def _lines_before(buf: bytearray, start: int, position: int, number: int, count: int) -> Iterator[tuple[int, int, int]]:
    """Up to `count` lines ending at `position`, nearest first, not before `start`: (line start, line end, number)."""
    for _ in range(count):
        if position <= start:
            return
        previous = max(start, buf.rfind(b"\n", start, position - 1) + 1)
        yield previous, position, number
        number -= 1
        position = previous


def _lines_from(buf: bytes | bytearray, position: int, end: int, number: int, count: int) -> Iterator[tuple[int, int, int]]:
    """Up to `count` lines starting at `position` (a line start), before `end`: (line start, line end, number)."""
    for _ in range(count):
        if position >= end:
            return
        following = buf.find(b"\n", position, end) + 1 or end
        yield position, following, number
        number += 1
        position = following


def _may_hold_url(body: bytes | bytearray, start: int, end: int) -> bool:
    if end - start > MAX_CONTEXT_LINE:
        return False
    # git's `Cloning into '…'`: a clone's path may name its host (remote_urls.clone_path_host).
    return body.find(b"://", start, end) != -1 or body.find(b"@", start, end) != -1 or body.find(b"Cloning into ", start, end) != -1


def _to_lines(raw_bytes: bytes, number: int, raw: Raw | None) -> Iterator[Line]:
    text = normalise.decode_line(raw_bytes)  # not counted in Reading: only candidate lines pass here
    if raw is not None and raw(number, text):
        yield normalise.dropped_line(number, text)
        return
    for piece in normalise.clean(text):
        yield Line(number, piece)
