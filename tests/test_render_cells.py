"""bbdiag.render.cells answers as rich.cells and rich._wrap answer, and lets rich answer for any character it must look up.

Each comparison is with rich itself, on seeded random texts: a rich whose widths or line breaking
change fails here, as does a change to the module's own algorithm."""

from __future__ import annotations

import random

import pytest
import rich._wrap
import rich.cells

from bbdiag.render import cells

# Of every kind: words, runs of spaces, the glyphs, punctuation; weighted so that lines break often.
ALPHABET = "abcdefghij" * 3 + "ABC0123-./:'\"()[]<>{}=_@" + " " * 25 + "✗✓─…"
OTHERS = ("认证", "請", "ﾊﾝ", "e\u0301", "👩\u200d💻", "\u200b", "\x1b", "\t", "\u00e9", "\u2028", "\ufe0f")


def random_text(rng: random.Random, alphabet: str = ALPHABET) -> str:
    length = rng.choice((0, 1, 2, 5, 10, 30, 80, 200))
    text = "".join(rng.choice(alphabet) for _ in range(length))
    if rng.random() < 0.2:  # a long word
        at = rng.randrange(len(text) + 1)
        text = text[:at] + "x" * rng.randrange(1, 150) + text[at:]
    return text


def test_the_characters_measured_here_are_one_cell_in_rich() -> None:
    for character in cells.SINGLE_CELL:
        assert rich.cells.cell_len(character) == 1, repr(character)
        assert rich.cells.set_cell_size(character * 3, 2) == character * 2, repr(character)
    assert rich.cells.cell_len("".join(sorted(cells.SINGLE_CELL))) == len(cells.SINGLE_CELL)
    assert {"✗", "✓", "─", "…", "!", "i", " "} <= cells.SINGLE_CELL
    assert not {"\t", "\n", "\r", "\x1b", "\x7f"} & cells.SINGLE_CELL


@pytest.mark.parametrize("fold", [True, False], ids=["fold", "crop"])
def test_line_breaking_is_richs_on_single_cell_text(fold: bool) -> None:
    rng = random.Random(12)
    for _ in range(4000):
        text = random_text(rng)
        width = rng.choice((1, 2, 3, 5, 8, 13, 20, 40, 80))
        assert cells.divide_line(text, width, fold=fold) == rich._wrap.divide_line(text, width, fold=fold), (text, width)


def test_widths_and_crops_are_richs_on_any_text() -> None:
    rng = random.Random(7)
    for index in range(3000):
        text = random_text(rng, ALPHABET + "".join(OTHERS) if index % 2 else ALPHABET)
        total = rng.randrange(0, 100)
        assert cells.cell_len(text) == rich.cells.cell_len(text), text
        assert cells.set_cell_size(text, total) == rich.cells.set_cell_size(text, total), (text, total)


def test_other_characters_take_richs_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide, combining, zero-width and control characters are rich's to measure and break: asked
    of rich for them, never for single-cell text (which is the saving)."""
    asked: list[str] = []

    def spy(name: str, real: object) -> object:
        def call(text: str, *args: object, **kwargs: object) -> object:
            asked.append(name)
            return real(text, *args, **kwargs)  # type: ignore[operator]

        return call

    monkeypatch.setattr(rich.cells, "cell_len", spy("cell_len", rich.cells.cell_len))
    monkeypatch.setattr(rich.cells, "set_cell_size", spy("set_cell_size", rich.cells.set_cell_size))
    monkeypatch.setattr(rich._wrap, "divide_line", spy("divide_line", rich._wrap.divide_line))
    plain = "fatal: Authentication failed ✗ ✓ ─ … " * 3
    cells.cell_len(plain), cells.set_cell_size(plain, 10), cells.divide_line(plain, 20)
    assert asked == []
    for other in OTHERS:
        text = f"remote: {other} word"
        asked.clear()
        cells.cell_len(text), cells.set_cell_size(text, 10), cells.divide_line(text, 20)
        assert {"cell_len", "set_cell_size", "divide_line"} <= set(asked), repr(other)  # (rich asks itself too)
    asked.clear()
    with pytest.raises(ValueError):  # no width at all: rich's own answer for it (it cannot fold into none)
        cells.divide_line(plain, 0)
    assert asked == ["divide_line"]
