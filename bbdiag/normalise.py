"""Bytes in, numbered lines out: decode safely, strip what tools wrap around git's lines.

Input may be anything: empty, binary, NUL bytes, invalid UTF-8, UTF-16 with a BOM (PowerShell's
`>`), CRLF, `\\r` progress, ANSI colour, CI timestamps and markers, one 50 MB line, an endless
stream. Nothing here raises on content; what could not be read as it was is counted in `Reading`
so the user is told. Every `Line` keeps the number of the input line it came from.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator

from bbdiag.lazyre import lazy
from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO

MAX_LINE = 1 << 20  # longer lines are read in pieces of this many bytes
MAX_INPUT = 1 << 30  # explain reads at most this much, then says what it left unread


class Line(NamedTuple):
    number: int  # 1-based line of the original input
    text: str
    # A line `raw` dropped (a test printing git's text as data): never evidence, but a token a
    # terminal wrapped out of it runs onto the next line, which must be masked (match.match_lines).
    dropped: bool = False


class Reading:
    """What was read, and everything that could not be read as it was.

    The one bookkeeping of the read stage: both of its backends (`read` here, line by line, and
    `bbdiag.prefilter.read`, chunk by chunk) count through these methods, so the input limit and
    a long line are counted the same way whichever one read the input.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.encoding = "utf-8"
        self.bytes_read = 0
        self.lines = 0
        self.not_utf8 = 0  # lines decoded as Windows-1252 instead
        self.nul_bytes = 0
        self.long_lines = 0  # lines over MAX_LINE, read in pieces
        self.stopped = False  # the input limit was reached, the rest left unread
        self.notes: list[str] = []

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reading) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]

    def room(self, stream: BinaryIO, limit: int) -> int:
        """How many more bytes may be read before `limit`. At the limit, whether `stream` held more
        is noted (`stopped`), by reading one byte of it."""
        left = limit - self.bytes_read
        if left <= 0 and not self.stopped:
            self.stopped = bool(stream.read(1))
        return max(left, 0)

    def took(self, size: int) -> None:
        """`size` more bytes were read from the input."""
        self.bytes_read += size

    def cut(self, continued: bool) -> None:
        """A line longer than MAX_LINE was passed on in a piece; `continued`: not its first one.
        The line counts once, however many pieces it takes."""
        if not continued:
            self.long_lines += 1

    def remarks(self) -> list[str]:
        """Sentences for the user about what was not read as it was."""
        said = list(self.notes)
        if self.encoding != "utf-8":
            said.append(f"the input was {self.encoding.upper()}; read as such")
        if self.not_utf8:
            said.append(f"{self.not_utf8} line(s) were not valid UTF-8 and were read as Windows-1252")
        if self.nul_bytes:
            said.append(f"{self.nul_bytes} NUL byte(s) were dropped (binary input?)")
        if self.long_lines:
            said.append(f"{self.long_lines} line(s) longer than {MAX_LINE >> 20} MiB were read in pieces")
        if self.stopped:
            said.append(f"only the first {self.bytes_read >> 20} MiB were read; the rest was left unread")
        return said


def read(stream: BinaryIO, reading: Reading, limit: int = MAX_INPUT, raw: Callable[[int, str], bool] | None = None) -> Iterator[Line]:
    """Numbered, cleaned lines from a byte stream, in bounded memory whatever its size.

    `raw` sees each decoded line before cleaning (scan reads CI step markers there) and drops it
    by returning True (scan drops test output that quotes git's messages): it then comes as a
    `dropped` line, for the wrapped-token check alone.
    """
    for number, text in _decoded_lines(stream, reading, limit):
        if raw is not None and raw(number, text):
            yield dropped_line(number, text)
            continue
        for piece in clean(text):
            yield Line(number, piece)


def dropped_line(number: int, text: str) -> Line:
    """What is kept of a line `raw` dropped: its last piece, which a wrapped token may run from."""
    return Line(number, clean(text)[-1], dropped=True)


def _decoded_lines(stream: BinaryIO, reading: Reading, limit: int) -> Iterator[tuple[int, str]]:
    head = _peek(stream)
    utf16 = utf16_encoding(head)
    if utf16:
        reading.encoding = utf16
        yield from _utf16_lines(stream, reading, utf16, limit)
        return
    number = 0
    continued = False  # the previous piece was cut at MAX_LINE: this one is the same line
    while reading.room(stream, limit):
        raw = stream.readline(MAX_LINE)
        if not raw:
            return
        reading.took(len(raw))
        if not continued:
            number += 1
            reading.lines = number
        ended = raw.endswith(b"\n")
        if not ended and len(raw) >= MAX_LINE:
            reading.cut(continued)
            continued = True
        else:
            continued = False
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        yield number, decode_line(raw, reading)


def decode_line(raw: bytes, reading: Reading | None = None) -> str:
    """One line's bytes as text, never failing: NUL bytes dropped, invalid UTF-8 read as
    Windows-1252 (the usual other encoding of a Windows console), the line end removed.
    `reading` counts what was not read as it was."""
    if b"\0" in raw:
        if reading is not None:
            reading.nul_bytes += raw.count(b"\0")
        raw = raw.replace(b"\0", b"")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        if reading is not None:
            reading.not_utf8 += 1
        text = raw.decode("cp1252", errors="replace")
    return text.rstrip("\r\n")


def _peek(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is None:
        return b""
    try:
        head: bytes = peek(64)
    except (OSError, ValueError):
        return b""
    return head[:64]


def utf16_encoding(head: bytes) -> str | None:
    """The UTF-16 codec the first 64 bytes of a stream show it is in, or None."""
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    # Without a BOM: ASCII text in UTF-16-LE has a NUL after nearly every byte.
    if len(head) >= 16 and head[1::2].count(0) >= len(head) // 2 * 0.9 and head[0::2].count(0) == 0:
        return "utf-16-le"
    return None


def _utf16_lines(stream: BinaryIO, reading: Reading, encoding: str, limit: int) -> Iterator[tuple[int, str]]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    number = 0
    while room := reading.room(stream, limit):
        chunk = stream.read(min(1 << 16, room))
        final = not chunk
        reading.took(len(chunk))
        pending += decoder.decode(chunk, final=final)
        *complete, pending = pending.split("\n")
        if len(pending) > MAX_LINE:
            reading.cut(False)  # each piece here is a line of its own
            complete.append(pending)
            pending = ""
        for text in complete:
            number += 1
            reading.lines = number
            yield number, text.replace("\0", "").rstrip("\r").lstrip("\ufeff")
        if final:
            if pending:
                number += 1
                reading.lines = number
                yield number, pending.rstrip("\r")
            return


_ANSI = lazy(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\^_])")
_CONTROL = lazy(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GITLAB_SECTION = lazy(r"section_(?:start|end):\d+:[A-Za-z0-9_.-]+(?:\[[^\]\n]*\])?")
# What CI systems put before each line: timestamps, log markers. Removed from the front only.
_CI_PREFIX = lazy(
    r"^(?:\ufeff"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s(?:\d\d[OE]\+?\s)?"  # GitHub, Azure, GitLab
    r"|\[\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]\s?"  # Jenkins timestamper
    r"|\[\d\d:\d\d:\d\d(?:[.,]\d+)?\](?:[A-Za-z]:)?\s?"  # TeamCity [08:20:56]
    r"|\d\d:\d\d:\d\d(?:[.,]\d+)?\s+"  # Jenkins elapsed / plain times
    r"|##\[(?:error|warning|debug|command|section|group|endgroup|info|notice)\]"  # GitHub Actions, Azure
    r"|::(?:error|warning|notice|debug)(?:\s[^:]*)?::"
    r"|\[Pipeline\]\s"
    # BuildKit's plain progress (`docker build --progress=plain`, CI logs): each log line of step
    # N as `#N <seconds, 5 characters> ` (moby/buildkit util/progress/progressui/display.go:
    # fmt.Sprintf("#%d %s %s", v.index, fmt.Sprintf("%#.4g", ts.Seconds())[:5], dt)).
    r"|#\d+ [0-9.]{5} "
    r")+"
)
_CI_PREFIX_STARTS = frozenset("\ufeff[#:")  # the first character of each alternative above that is not a digit
# Lines flattened into one by a forum, a GUI or a tool's log: split before git's own prefixes.
_FLATTENED = lazy(r"(?<=\S)\s+(?=(?:fatal|remote): |! \[(?:remote )?rejected\] )")
_PROGRESS_KEY = lazy(r"^[^\d]*")


def clean(text: str) -> list[str]:
    """One decoded input line -> the lines git wrote (usually one)."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "section_" in text:
        text = _GITLAB_SECTION.sub("", text)
    pieces = _fold_carriage_returns(text) if "\r" in text else [text]
    out: list[str] = []
    for piece in pieces:
        if "\\n" in piece:  # a message JSON-escaped or quoted inside a tool's own log line
            out += [_unescape(p) for p in piece.split("\\n")]
        else:
            out.append(piece)
    result: list[str] = []
    for piece in out:
        if not piece.isprintable():  # every character _CONTROL names is one isprintable() refuses
            piece = _CONTROL.sub("", piece).replace("\t", "    ")
        if piece[:1] in _CI_PREFIX_STARTS or piece[:1].isdecimal():  # \d is isdecimal()
            piece = _CI_PREFIX.sub("", piece, count=1)
        if " fatal: " in piece or " remote: " in piece or "! [" in piece:
            result += _FLATTENED.split(piece)
        else:
            result.append(piece)
    return result or [""]


def _fold_carriage_returns(text: str) -> list[str]:
    """`\\r` overwrote a line on the terminal: keep what was last shown of each progress run."""
    segments = [s for s in text.split("\r") if s.strip()]
    if not segments:
        return [""]
    kept = [s for s, following in zip(segments, [*segments[1:], ""], strict=True) if not _superseded(s, following)]
    return kept or [""]


def _superseded(segment: str, following: str) -> bool:
    """A progress segment ("Receiving objects:  10% …") that the next one redraws."""
    if not following or not any(c.isdigit() for c in segment):
        return False
    key = _PROGRESS_KEY.match(segment)
    next_key = _PROGRESS_KEY.match(following)
    return bool(key and next_key and key[0].strip() == next_key[0].strip())


def _unescape(text: str) -> str:
    return text.replace("\\t", "    ").replace('\\"', '"').replace("\\'", "'").replace("\\\\", "\\")
