"""A colour terminal: the same content as plain text, easier to scan, rendered with rich's own answers.

rich.console costs more to import than explain's whole run (pretty printing, pagers, export
formats, a theme of ~200 styles, inspect), so this module takes from rich only what rendering
needs: its Style's escape codes (bbdiag.render.escape_codes: computed by rich.style once, then
stored), its cell widths and its line breaking (bbdiag.render.cells: rich.cells and rich._wrap
for any character whose width rich must look up). A normal report imports no rich module at all.
It lays out the few shapes the reports use (paragraphs, two-column grids, the scan's summary
tables, a rule) as rich.console and rich.table lay them out, and chooses the colour system and the
width the way rich.console.Console does. tests/terminal_reference.py keeps the layout as
rich.console renders it; tests/test_render_terminal.py compares every character and its style on
every report. What each rich module costs: README, "Where start-up goes".
"""

from __future__ import annotations

import itertools
import os
import sys

from bbdiag.lazyre import lazy
from bbdiag.records import NamedTuple  # bbdiag's records: no typing.NamedTuple compiled at import
from bbdiag.render import escape_codes

# rich.cells' widths and rich._wrap's line breaking (the word splitting rich.text.Text.wrap does;
# rich has no public equivalent short of rich.text, whose import costs more than this module's
# whole rendering): computed here for single-cell text, asked of rich for any other.
from bbdiag.render.cells import cell_len, divide_line, set_cell_size
from bbdiag.render.escape_codes import NULL, Style, link_escape, parse

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (16M instructions): see bbdiag.records
if TYPE_CHECKING:  # records only: the renderers need not load the pipeline
    from collections.abc import Iterable, Sequence
    from typing import TextIO

    from bbdiag.advice import Finding
    from bbdiag.render.view import DiagnosisView, ReportView, ScanView

Piece = tuple[str, Style]  # a run of text in one style: rich's Segment without rich.segment
Line = list[Piece]

TAB_SIZE = 8  # rich.console.Console's default tab_size
# rich.control.STRIP_CONTROL_CODES (bell, backspace, vertical tab, form feed, carriage return):
# rich.text.Text drops them from everything it is given; rich.control itself imports rich.segment.
STRIP_CONTROL = dict.fromkeys((7, 8, 11, 12, 13))
TRAILING_SPACE = lazy(r"\s+$")
DUMB_TERMINALS = ("dumb", "unknown")  # TERM values rich gives no colour and 80 columns
# TERM's last part, and the colour system rich.console gives it (named as in escape_codes.COLOR_SYSTEMS)
TERM_COLORS = {"kitty": "256", "256color": "256", "16color": "standard"}


class Screen(NamedTuple):
    """What rich.console.Console would decide about `out`: its width and colour system.

    color_system: rich.console's name for it ("standard", "256", "truecolor"), or None: no escape
    codes at all (not a terminal, TERM=dumb, a legacy Windows console); no_color: styles
    without their colours (bold, dim and links stay), as Console(no_color=True)."""

    width: int
    color_system: str | None
    no_color: bool
    legacy_windows: bool


def screen(out: TextIO, width: int | None = None, color: bool = True) -> Screen:
    """Console(file=out, width=width, no_color=not color)'s choices, from the same environment variables."""
    environ = os.environ
    windows = sys.platform == "win32"
    features = None
    if windows:  # rich.console asks the same private module; only on Windows
        from rich._windows import get_windows_console_features

        features = get_windows_console_features()
    legacy = features is not None and not features.vt
    terminal = is_terminal(out)
    dumb = terminal and environ.get("TERM", "").lower() in DUMB_TERMINALS
    columns = environ.get("COLUMNS")
    if width is None and columns is not None and columns.isdigit():
        width = int(columns) - legacy
    lines = environ.get("LINES")
    if width is not None and lines is not None and lines.isdigit():
        size = width - legacy
    elif dumb:
        size = 80
    elif width is not None:
        size = width
    else:
        size = (_terminal_width(windows) if columns is None or not columns.isdigit() else int(columns)) or 80
        size -= legacy
    if not terminal or dumb:
        system = None
    elif features is not None:
        # A legacy Windows console: rich writes through the Win32 console API there, never escape
        # codes; this renderer writes plain text instead.
        system = None if legacy else "truecolor" if features.truecolor else "256"
    elif environ.get("COLORTERM", "").strip().lower() in ("truecolor", "24bit"):
        system = "truecolor"
    else:
        system = TERM_COLORS.get(environ.get("TERM", "").strip().lower().rpartition("-")[2], "standard")
    return Screen(size, system, not color, legacy)


def is_terminal(out: TextIO) -> bool:
    """rich's answer: TTY_COMPATIBLE, then FORCE_COLOR (https://force-color.org/), then isatty().
    (rich's Jupyter case does not arise in a command-line tool.)"""
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):  # IDLE claims a tty but shows no escape codes
        return False
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    isatty = getattr(out, "isatty", None)
    try:
        return False if isatty is None else bool(isatty())
    except ValueError:  # closed
        return False


def _terminal_width(windows: bool) -> int:
    """The first of stdin, stdout, stderr (stdout, stderr on Windows) that is a terminal, as rich asks."""
    for stream in (sys.__stdout__, sys.__stderr__) if windows else (sys.__stdin__, sys.__stdout__, sys.__stderr__):
        try:
            return os.get_terminal_size(stream.fileno() if stream is not None else -1).columns
        except (AttributeError, ValueError, OSError):  # not a terminal
            continue
    return 0


# Pieces of text: what rich.text.Text does to its characters.


def _plain(line: Line) -> str:
    return "".join(text for text, _ in line)


def _cells(line: Line) -> int:
    return sum(cell_len(text) for text, _ in line)


def _slice(line: Line, start: int, end: int) -> Line:
    """The characters start:end, each in its style."""
    out: Line = []
    position = 0
    for text, style in line:
        low, high = max(start - position, 0), min(end - position, len(text))
        if low < high:
            out.append((text[low:high], style))
        position += len(text)
    return out


def _replace(line: Line, plain: str) -> Line:
    """`plain` (no longer than the line) in the line's styles, position by position, as Text.plain = ... does."""
    out: Line = []
    position = 0
    for text, style in line:
        part = plain[position : position + len(text)]
        if part:
            out.append((part, style))
        position += len(text)
    return out


def _crop(line: Line, width: int, ellipsis: bool = False) -> Line:
    """At most `width` cells (rich's set_cell_size: half a wide character becomes a space), the
    last one "…" if `ellipsis` (Text.truncate)."""
    if _cells(line) <= width:
        return line
    return _replace(line, set_cell_size(_plain(line), width - 1) + "…" if ellipsis else set_cell_size(_plain(line), width))


def _expand_tabs(line: Line) -> Line:
    """Each tab to the next multiple of 8 cells, in the style of the run it is in (Text.expand_tabs)."""
    if not any("\t" in text for text, _ in line):
        return line
    out: Line = []
    position = 0
    for text, style in line:
        *tabbed, rest = text.split("\t")
        expanded = []
        for part in tabbed:
            position += cell_len(part) + 1
            spaces = -position % TAB_SIZE
            position += spaces
            expanded.append(part + " " * (1 + spaces))
        position += cell_len(rest)
        out.append(("".join(expanded) + rest, style))
    return out


def _wrap(pieces: Iterable[tuple[str, Style]], width: int, justify: str = "default", base: Style = NULL, wrap: bool = True, fold: bool = True) -> list[Line]:
    """rich.text.Text(...) wrapped to `width` and justified: what Text.__rich_console__ renders.

    Each piece's style is combined with the text's own (`base`), which alone styles the padding.
    A word longer than the line is folded onto the next (`fold`, rich's overflow="fold") or cut
    with an ellipsis ("ellipsis", a table column's default)."""
    line: Line = [(text.translate(STRIP_CONTROL), base.then(style)) for text, style in pieces]
    paragraphs: list[Line] = [[]]
    for text, style in line:
        first, *others = text.split("\n")
        if first:
            paragraphs[-1].append((first, style))
        paragraphs.extend([(other, style)] if other else [] for other in others)
    lines: list[Line] = []
    for paragraph in map(_expand_tabs, paragraphs):
        if not wrap:  # soft wrap: the terminal wraps it, so it copies as one line
            lines.append(paragraph)
            continue
        plain = _plain(paragraph)
        bounds = [0, *divide_line(plain, width, fold=fold), len(plain)]
        for start, end in itertools.pairwise(bounds):
            part = _slice(paragraph, start, end)
            excess = end - start - width  # Text.rstrip_end: characters compared with cells, as rich does
            if excess > 0 and (space := TRAILING_SPACE.search(plain, start, end)):
                part = _slice(part, 0, end - start - min(len(space.group(0)), excess))
            lines.append(_justify(part, width, justify, base, not fold))
    return lines


def _justify(line: Line, width: int, justify: str, base: Style, ellipsis: bool) -> Line:
    if justify == "left":
        length = _cells(line)
        line = _crop(line, width, ellipsis)
        return [*line, (" " * (width - length), base)] if length < width else line
    if justify == "right":
        line = _crop(_replace(line, _plain(line).rstrip()), width, ellipsis)
        return [(" " * (width - _cells(line)), base), *line] if _cells(line) < width else line
    return _crop(line, width, ellipsis)


def _longest(pieces: Sequence[tuple[str, Style]], width: int) -> int:
    """The widest a text can be given `width` cells (Text.__rich_measure__'s maximum, clamped by
    Measurement.get): its longest line, at most `width`, 0 when nothing is left."""
    plain = "".join(text for text, _ in pieces).translate(STRIP_CONTROL)
    return min(max(map(cell_len, plain.splitlines()), default=0), width) if width >= 1 else 0


# Tables: what rich.table.Table lays out, for the tables these reports use (no box, no vertical padding).


class Column(NamedTuple):
    """justify: "left" or "right"; width: fixed, or None: measured from its cells; style: every
    character of its cells, padding included; header: its title when the table has a header row."""

    justify: str = "left"
    width: int | None = None
    style: Style = NULL
    header: str = ""


class Cell:
    """A text in a column; a word too long for the column is folded (`fold`) or cut with "…"
    (rich.table.Column's default overflow)."""

    __slots__ = ("base", "fold", "pieces")

    def __init__(self, text: str, base: Style = NULL, fold: bool = False) -> None:
        self.pieces, self.base, self.fold = ((text, NULL),), base, fold


class Table(NamedTuple):
    """padding: cells left and right of each column; collapse: a grid's (Table.grid: the padding
    collapsed between columns, none at the edges, no header); header: a header row in this style."""

    columns: tuple[Column, ...]
    rows: Sequence[tuple[Cell, ...]]
    padding: int = 1
    collapse: bool = True
    header: Style | None = None

    def sides(self, index: int) -> tuple[int, int]:
        """The padding left and right of column `index`: a grid pads only between its columns."""
        if not self.collapse:
            return self.padding, self.padding
        return 0, 0 if index == len(self.columns) - 1 else self.padding

    def all_rows(self) -> list[tuple[tuple[Cell, ...], bool]]:
        head = [(tuple(Cell(c.header) for c in self.columns), True)] if self.header is not None else []
        return head + [(row, False) for row in self.rows]

    def measure(self, index: int, width: int) -> int:
        """The width rich gives column `index` when `width` cells are left for it: its widest cell."""
        if width < 1:
            return 0
        left, right = self.sides(index)
        column = self.columns[index]
        if column.width is not None:
            return min(column.width + left + right, width)
        inner = width - left - right  # the cell's text, inside its padding
        if inner < 1:
            return width
        return min(max(_longest(row[index].pieces, inner) for row, _ in self.all_rows()) + left + right, width)

    def widths(self, width: int) -> list[int]:
        """Table._calculate_column_widths for a table that does not expand."""
        widths = [self.measure(i, width) or 1 for i in range(len(self.columns))]
        if sum(widths) <= width:
            return widths
        wrapable = [c.width is None for c in self.columns]
        excess = sum(widths) - width
        while excess > 0 and any(wrapable):  # narrow the widest wrapable columns to the next widest
            widest = max(w for w, can in zip(widths, wrapable, strict=True) if can)
            next_widest = max((w for w, can in zip(widths, wrapable, strict=True) if can and w != widest), default=0)
            if not widest - next_widest:
                break
            shares = [1 if can and w == widest else 0 for w, can in zip(widths, wrapable, strict=True)]
            widths = _reduce(excess, shares, [min(excess, widest - next_widest)] * len(widths), widths)
            excess = sum(widths) - width
        if excess > 0:  # then all of them alike
            widths = _reduce(excess, [1] * len(widths), widths, widths)
        return [self.measure(i, w) for i, w in enumerate(widths)]

    def render(self, width: int) -> list[Line]:
        widths = self.widths(width)
        lines: list[Line] = []
        for row, is_header in self.all_rows():
            cells = []
            for index, (column, content, cell_width) in enumerate(zip(self.columns, row, widths, strict=True)):
                style = (self.header or NULL) if is_header else column.style
                left, right = self.sides(index)
                inner = cell_width - left - right
                rendered = _wrap(content.pieces, inner, column.justify, content.base, fold=content.fold) if inner >= 1 else []
                cell_lines = [[(text, style.then(piece)) for text, piece in _padded(_fit(line, inner), left, right)] for line in rendered]
                cells.append((cell_lines, style, cell_width))
            height = max(len(c) for c, _, _ in cells)
            shaped = []
            for cell_lines, style, cell_width in cells:
                blank: list[Line] = [[(" " * cell_width, style)]] * (height - len(cell_lines))
                shaped.append([_fit(line, cell_width) for line in (blank + cell_lines if is_header else cell_lines + blank)])
            lines.extend([piece for cell_lines in shaped for piece in cell_lines[i]] for i in range(height))
        return lines


def _padded(line: Line, left: int, right: int) -> Line:
    """rich.padding.Padding around a cell's line: spaces in no style of their own."""
    return [(" " * left, NULL)] * bool(left) + line + [(" " * right, NULL)] * bool(right)


def _fit(line: Line, width: int, pad: Style = NULL) -> Line:
    """Segment.adjust_line_length: cropped or padded to exactly `width` cells."""
    length = _cells(line)
    if length < width:
        return [*line, (" " * (width - length), pad)]
    if length == width:
        return line
    out: Line = []
    used = 0
    for text, style in line:
        size = cell_len(text)
        if used + size < width:
            out.append((text, style))
            used += size
        else:
            out.append((set_cell_size(text, width - used), style))
            break
    return out


def _reduce(total: int, shares: list[int], limits: list[int], values: list[int]) -> list[int]:
    """Take `total` from `values` in proportion to `shares`, at most `limits` each, rounding as rich does."""
    shares = [share if limit else 0 for share, limit in zip(shares, limits, strict=True)]
    remaining_shares = sum(shares)
    out = []
    for share, limit, value in zip(shares, limits, values, strict=True):
        if share and remaining_shares > 0:
            taken = min(limit, round(share * total / remaining_shares))
            out.append(value - taken)
            total -= taken
            remaining_shares -= share
        else:
            out.append(value)
    return out


# Output.


class Page:
    """What Console.print would write, line by line: pieces, then escape codes once at the end."""

    def __init__(self, out: TextIO, width: int | None, color: bool) -> None:
        self.out = out
        self.screen = screen(out, width, color)
        # A width no line fits in (COLUMNS=0), where rich's own line breaking fails: rich's width
        # for a terminal whose size it does not know.
        self.width = self.screen.width if self.screen.width >= 1 else 80
        self.lines: list[Line] = []

    def text(self, *pieces: tuple[str, str | Style], style: str = "", soft_wrap: bool = False) -> None:
        """console.print(Text.assemble(*pieces, style=style)); soft-wrapped: never cut or wrapped."""
        lines = _wrap([(text, _style(s)) for text, s in pieces], self.width, base=_style(style), wrap=not soft_wrap)
        self.lines.extend(lines if soft_wrap else [_fit_within(line, self.width) for line in lines])

    def blank(self) -> None:
        self.lines.append([])

    def rule(self) -> None:
        """console.rule(style="dim"): rich draws it in "─" whatever the encoding (rich.rule picks "-"
        for an ASCII-only one, then draws with its own characters anyway)."""
        self.text(("─" * self.width, ""), style="dim")

    def table(self, table: Table) -> None:
        self.lines.extend(_fit_within(line, self.width) for line in table.render(self.width))

    def write(self) -> None:
        """Each piece between the codes rich writes for its style (escape_codes), in a link if it
        has one (each with an id of its own; never on a legacy Windows console, as rich)."""
        screen = self.screen
        system = screen.color_system
        parts: list[str] = []
        if system is None:
            for line in self.lines:
                parts.extend(text for text, _ in line)
                parts.append("\n")
        else:
            styled = {style.definitions for line in self.lines for text, style in line if text and style.definitions}
            around = escape_codes.codes(styled, system, screen.no_color) if styled else {}
            links = 0
            for line in self.lines:
                for text, style in line:
                    if text and style.definitions:
                        before, after = around[style.definitions]
                        text = before + text + after
                    if text and style.link and not screen.legacy_windows:
                        links += 1
                        text = link_escape(text, style.link, f"{os.getpid()}-{links}")
                    parts.append(text)
                parts.append("\n")
        self.out.write("".join(parts))
        self.out.flush()


def _fit_within(line: Line, width: int) -> Line:
    """Console.print crops what it prints to the console's width (and pads nothing)."""
    return _fit(line, width) if _cells(line) > width else line


def _style(name: str | Style) -> Style:
    return name if isinstance(name, Style) else parse(name)


# The reports.


def _step(page: Page, number: int, text: str, command: str | None, indent: int = 0) -> None:
    page.table(Table((Column("right", indent + 3), Column()), [(Cell(f"{number}."), Cell(text, fold=True))]))
    if command:  # soft-wrapped by the terminal, never by us: it copies as one line
        page.text((" " * (indent + 6) + command, ""), style="bold cyan", soft_wrap=True)


def render(report: ReportView, out: TextIO, width: int | None = None, color: bool = True) -> None:
    page = Page(out, width, color)
    for index, d in enumerate(report.diagnoses):
        _diagnosis(page, d, index, len(report.diagnoses))
    for remark in report.remarks:
        page.text((f"note: {remark}", ""), style="yellow")
    page.write()


def _diagnosis(page: Page, d: DiagnosisView, index: int, total: int) -> None:
    """No box around it: a command must copy cleanly, and is never cut or wrapped by us."""
    style = "red" if d.auth else "yellow"
    counter = f"[{index + 1}/{total}] " if total > 1 else ""
    if index:
        page.rule()
    page.text(("✗ " if d.auth else "! ", f"bold {style}"), (counter + d.title, f"bold {style}"), (f"  ({d.cause}, {d.host})", "dim"))
    page.text((d.why, ""))
    if d.remote:
        page.text(("Remote: ", "bold"), (d.remote, ""))
    where = f", {d.step}" if d.step else ""
    page.text((f"\nEvidence ({d.source}{where}):", ""), style="bold")
    evidence = [(Cell(str(e.line)), Cell(e.text, _style(style), fold=True)) for e in d.evidence]
    page.table(Table((Column("right", style=_style("dim")), Column()), evidence))
    page.text(("\nWhat to do:", ""), style="bold")
    for number, step in enumerate(d.remedy, 1):
        _step(page, number, step.text, step.command)
    if d.alternatives:
        page.text(("\n" + d.or_line(), ""), style="yellow")
        if d.alternatives[0].check.command:
            page.text(("      " + d.alternatives[0].check.command, ""), style="bold cyan", soft_wrap=True)
    for url in d.docs:
        # Style(link=url), not a definition f"link {url}": the same link, and a URL is never parsed as a style
        page.text(("\nDocs: ", "bold"), (url, Style(link=url)), soft_wrap=True)


STYLES = {"error": ("✗", "bold red"), "warning": ("!", "bold yellow"), "info": ("i", "cyan"), "ok": ("✓", "bold green")}


def render_findings(repository: str | None, findings: list[Finding], out: TextIO, width: int | None = None, color: bool = True) -> None:
    page = Page(out, width, color)
    page.text(("bbdiag doctor: ", "bold"), (repository or "not in a repository", ""))
    for f in findings:
        page.blank()
        mark, style = STYLES[f.severity]
        remote = f" [{f.remote}]" if f.remote else ""
        page.text((f"{mark} ", style), (f.title, style), (remote, ""), (f"  {f.id}", "dim"))
        detail = Cell(f.detail, _style("dim" if f.severity in ("ok", "info") else ""))
        page.table(Table((Column(width=2), Column()), [(Cell(""), detail)]))
        for number, step in enumerate(f.fix, 1):
            _step(page, number, step.text, step.command, indent=3)
    page.write()


def render_scan(report: ScanView, out: TextIO, width: int | None = None, color: bool = True) -> None:
    from collections import Counter

    from bbdiag.render.plain import FULL

    page = Page(out, width, color)
    found = report.diagnoses
    failing = [s for s in report.sources if s.diagnoses]
    page.text((f"bbdiag scan: {len(found)} git failure(s) in {len(failing)} of {len(report.sources)} log(s)", ""), style="bold")
    if found:
        bold = _style("bold")
        causes = [(Cell(str(count)), Cell(cause)) for cause, count in Counter(d.cause for d in found).most_common()]
        page.table(Table((Column("right", header="failures"), Column(header="cause")), causes, padding=2, collapse=False, header=bold))
        logs = [(Cell(str(len(source.diagnoses))), Cell(source.source)) for source in failing]
        page.table(Table((Column("right", header="failures"), Column(header="log")), logs, padding=2, collapse=False, header=bold))
    for index, d in enumerate(found):
        if index < FULL:
            _diagnosis(page, d, index, len(found))
        else:
            page.text((f"[{index + 1}/{len(found)}] {d.title}  ({d.cause}, {d.host})  {d.source}:{d.lines[0]}", ""))
    for source in report.sources:
        for remark in source.remarks:
            page.text((f"note: {source.source}: {remark}", ""), style="yellow")
    page.write()
