"""The flow end to end, as library functions: bytes or text in, diagnoses (and remedies) out.

    normalise -> match -> diagnose -> (inspect) -> remedy -> render

`diagnose_stream` is the scanning core that `explain`, `scan`, `run` and the hooks share; it
reads in bounded memory whatever the input's size.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from bbdiag import knowledge, library, normalise, remedy
from bbdiag.diagnose import Diagnosis, diagnose
from bbdiag.match import match_lines
from bbdiag.normalise import MAX_INPUT, Line, Reading
from bbdiag.remedy import Facts, Remedy


@dataclass(frozen=True)
class Result:
    reading: Reading
    diagnoses: list[Diagnosis]
    hits: int
    hits_dropped: int

    def remarks(self) -> list[str]:
        said = self.reading.remarks()
        if self.hits_dropped:
            said.append(f"{self.hits_dropped} further matching line(s) were not kept (the first ones say it all)")
        return said


def diagnose_lines(lines: Iterable[Line], reading: Reading, lib: library.Library) -> Result:
    matches = match_lines(lines, lib)
    return Result(reading, diagnose(matches), len(matches.hits), matches.hits_dropped)


def diagnose_stream(stream: BinaryIO, source: str, lib: library.Library, limit: int = MAX_INPUT) -> Result:
    reading = Reading(source)
    return diagnose_lines(normalise.read(stream, reading, limit), reading, lib)


def diagnose_text(text: str, source: str = "-", lib: library.Library | None = None) -> Result:
    """Convenience for callers holding text (tests, hooks, the credential-helper observer)."""
    return diagnose_stream(io.BytesIO(text.encode("utf-8")), source, lib or library.load())


def remedies(diagnoses: list[Diagnosis], facts_for: dict[int, Facts] | None = None, as_of: dt.date | None = None) -> list[tuple[Diagnosis, Remedy]]:
    known = knowledge.load()
    day = as_of or knowledge.today()
    facts_for = facts_for or {}
    return [(d, remedy.build(d, facts_for.get(i, Facts()), known, day)) for i, d in enumerate(diagnoses)]
