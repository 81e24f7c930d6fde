"""render.plain.fill lays text out exactly as textwrap.fill does with the options plain text uses.

plain.fill exists so that explain's start-up need not import textwrap; every report's paragraphs
go through it, so it must give textwrap's lines for any text: words longer than a line, runs of
spaces, tabs, newlines, other whitespace (\\v, \\f, \\r, and non-ASCII spaces that textwrap
keeps), indents longer than the width.
"""

from __future__ import annotations

import random
import textwrap

import pytest

from bbdiag.render.plain import fill

PIECES = [
    "git",
    "push",
    "origin",
    "https://bitbucket.org/acme/widgets.git",
    "a" * 120,
    "x-token-auth:",
    "-",
    "--",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\x0b",
    "\x0c",
    "\u00a0",
    "\u3000",
    "é",
    "(read:repository:bitbucket)",
    "",
]


def _expected(text: str, width: int, first: str, rest: str) -> str:
    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False)


@pytest.mark.parametrize("seed", range(40))
def test_fill_gives_textwraps_lines(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        text = "".join(rng.choice(PIECES) + rng.choice(["", " ", " ", "  "]) for _ in range(rng.randrange(0, 40)))
        width = rng.choice([1, 5, 20, 40, 78, 100])
        first, rest = rng.choice(["", "  1. ", "      ", " " * 30]), rng.choice(["", "     ", "    ", " " * 120])
        assert fill(text, width, first, rest) == _expected(text, width, first, rest), (text, width, first, rest)


def test_a_report_paragraph() -> None:
    text = (
        "Bitbucket Cloud refused the credential git sent. Since app passwords stopped working (2026-07-28) the usual reasons are: "
        "an app password still stored in the credential helper, an API token used with the email address as user name."
    )
    assert fill(text, 100, "  1. ", "     ") == _expected(text, 100, "  1. ", "     ")
    assert fill(text, 100).splitlines()[0] == "Bitbucket Cloud refused the credential git sent. Since app passwords stopped working (2026-07-28)"


def test_a_width_below_one_is_refused_as_textwrap_refuses_it() -> None:
    with pytest.raises(ValueError, match="invalid width"):
        fill("text", 0)
