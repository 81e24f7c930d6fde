"""Regular expressions (the stdlib's `re`) compiled on first use rather than at import.

bbdiag runs in git's path (`git push 2>&1 | bbdiag explain`), where start-up is the user's wait:
compiling every module's expressions at import cost about a third of explain's run, most of them
for input that run never sees (a CI prefix, a wrapped token, an scp-like URL). `lazy(source)`
stands where `re.compile(source)` stood and compiles when a method is first called.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator


class LazyRegex:
    """The parts of `re.Pattern[str]` bbdiag uses, compiled when one of them is first called."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            from bbdiag import compiled_state  # its stored state, or re.compile

            self._compiled = compiled_state.re_pattern(self.pattern, self.flags)
        return self._compiled

    @property
    def is_compiled(self) -> bool:
        """Whether any call has needed it yet (tests/test_startup_imports.py asks)."""
        return self._compiled is not None

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.search(string, pos, endpos)

    def match(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.match(string, pos, endpos)

    def fullmatch(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        return self.compiled.fullmatch(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string, pos, endpos)

    def findall(self, string: str, pos: int = 0, endpos: int = sys.maxsize) -> list[str]:
        return self.compiled.findall(string, pos, endpos)

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        return self.compiled.split(string, maxsplit)

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled.sub(repl, string, count)


def lazy(pattern: str, flags: int = 0) -> LazyRegex:
    """`re.compile(pattern, flags)`, done when the expression is first used."""
    return LazyRegex(pattern, flags)
