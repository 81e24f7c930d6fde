"""Cell widths and line breaking, rich's answers: computed here for text rich counts one cell a character, by rich otherwise.

rich.cells measures a text of its single-cell characters as `len(text)`, with no table, and
crops, pads and folds it by slicing; rich._wrap.divide_line breaks a line into words. For text
whose every character is printable ASCII or one of the renderers' own glyphs (all one cell in
rich: tests/test_render_cells.py asserts it against rich.cells itself, so a rich that changes
fails there) this module computes the same answers with rich's own algorithms. Any other character
(CJK, emoji, combining marks, control codes) is rich's to measure: rich.cells and rich._wrap are
imported then, and answer. Importing them brings `typing` and rich's package, which cost more
than laying out a whole report (README, "Where start-up goes").
"""

from __future__ import annotations

from bbdiag.lazyre import lazy

# Printable ASCII, and the glyphs the renderers draw (marks, the rule, a cropped text's ellipsis).
SINGLE_CELL = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("✗✓─…")
_single_cell = SINGLE_CELL.issuperset
# rich._wrap.re_word (r"\s*\S+\s*": a word and the spaces around it) for text of SINGLE_CELL,
# whose only white space is the space.
_WORD = lazy(r" *[^ ]+ *")


def cell_len(text: str) -> int:
    """rich.cells.cell_len: the cells `text` takes on a terminal."""
    if _single_cell(text):
        return len(text)
    from rich.cells import cell_len as rich_cell_len

    return rich_cell_len(text)


def set_cell_size(text: str, total: int) -> str:
    """rich.cells.set_cell_size: `text` cropped or padded with spaces to `total` cells."""
    if _single_cell(text):
        return text + " " * (total - len(text)) if len(text) < total else text[:total]
    from rich.cells import set_cell_size as rich_set_cell_size

    return rich_set_cell_size(text, total)


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """rich._wrap.divide_line: where to break `text` so that each line fits in `width` cells.

    A word goes on the line if it fits, else on the next; a word longer than a line is folded
    over lines (`fold`), or left whole on a line of its own to be cropped."""
    if not _single_cell(text) or width < 1:
        from rich._wrap import divide_line as rich_divide_line

        return rich_divide_line(text, width, fold=fold)
    breaks: list[int] = []
    offset = 0  # cells used on the current line
    for word in _WORD.finditer(text):
        start, end = word.span()
        length = len(word.group().rstrip(" "))
        if width - offset >= length:
            offset += end - start
        elif length > width:
            if fold:  # rich.cells.chop_cells: the word in pieces of `width` characters, each on a line
                for piece in range(start, end, width):
                    if piece:
                        breaks.append(piece)
                offset = (end - start) % width or width
            else:
                if start:
                    breaks.append(start)
                offset = end - start
        elif offset and start:
            breaks.append(start)
            offset = end - start
    return breaks
