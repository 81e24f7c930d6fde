"""The library's two ways to find a line's candidate patterns give the same patterns.

A short input is looked up by the keywords' first characters (explain's few lines never pay for
building the automaton); from `LINES_BEFORE_AUTOMATON` lines on, the Aho-Corasick automaton does
it. Which way a line went must never change what is found.
"""

from __future__ import annotations

import pytest

from bbdiag import library
from tests.conftest import CASES


def _fresh() -> library.Library:
    return library._indexed(library.load().every)  # its own automaton and count, not the process's


def _lines() -> list[str]:
    found = [text for p in library.load().every for text in (*p.examples, *p.counter_examples)]
    for case in sorted(CASES.glob("*.txt")):
        found += case.read_text(encoding="utf-8", errors="replace").splitlines()
    return found


def test_keyword_by_keyword_finds_what_the_automaton_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line.lower() for line in _lines()]
    monkeypatch.setattr(library, "LINES_BEFORE_AUTOMATON", len(lines) + 1)
    by_keyword = _fresh()
    keyword_found = [by_keyword.candidates(line) for line in lines]
    monkeypatch.setattr(library, "LINES_BEFORE_AUTOMATON", 0)
    by_automaton = _fresh()
    automaton_found = [by_automaton.candidates(line) for line in lines]
    assert by_keyword._automaton_built is None and by_automaton._automaton_built is not None  # each went its own way
    assert keyword_found == automaton_found
    assert sum(1 for found in automaton_found if found) > len(lines) // 4  # lines that hold keywords, many


def test_a_keyword_is_found_wherever_it_stands_and_however_short() -> None:
    lib = library.Library(("a", "b", "c"), (0, 1, 2), ("ab", "abc", "bcd"), ((0,), (1,), (2,)).__getitem__, library.load().every.__getitem__)
    assert lib._keywords_in("xabcd") == {0, 1, 2}
    assert lib._keywords_in("abc") == {0, 1} and lib._keywords_in("bcd") == {2} and lib._keywords_in("ab") == {0}
    assert lib._keywords_in("a") == set() and lib._keywords_in("") == set() and lib._keywords_in("xbcxd") == set()


def test_the_automaton_is_built_only_for_a_longer_input() -> None:
    lib = _fresh()
    for _ in range(library.LINES_BEFORE_AUTOMATON):
        assert lib.candidates("remote: invalid credentials")
    assert lib._automaton_built is None
    assert lib.candidates("remote: invalid credentials")
    assert lib._automaton_built is not None
