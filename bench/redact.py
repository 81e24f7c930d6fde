"""Redaction in linear time (issue 14): for each hostile shape, redact() on ten times the text,
as a ratio to the text itself, in the same process. Linear time gives about 10x; the quadratic
expressions this replaced gave about 100x (a 1,000,000-letter URL path never finished).
Target: at most 20x for every shape. Run: python bench/redact.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from common import ROOT, medians

sys.path.insert(0, str(ROOT))

from bbdiag.redact import redact  # after the path to this checkout

SMALL = 30_000  # characters; ten times this is the 300,000-character config value of the issue
TARGET = 20.0
SHAPES: dict[str, Callable[[int], str]] = {
    "letters": lambda n: "a" * n,
    "a URL path": lambda n: "https://bitbucket.org/" + "a" * n,
    "user@ again and again": lambda n: "https://a@" * (n // 10),
    "scheme:// again and again": lambda n: "a://" * (n // 4),
    "user:pass/ again and again": lambda n: "https://a:b/" * (n // 12),
    "Password for ' again and again": lambda n: "Password for '" * (n // 14),
    "token prefixes": lambda n: "ghp_" * (n // 4),
    "escape bytes": lambda n: "\x1b" * n,
}


def _timed(text: str) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        redact(text)
        return time.perf_counter() - start

    return run


def main() -> int:
    worst = 0.0
    for name, make in SHAPES.items():
        large, small = medians(_timed(make(SMALL * 10)), _timed(make(SMALL)), runs=5)
        ratio = large / small
        worst = max(worst, ratio)
        print(f"redact, {name}: 10x the text takes {ratio:.1f}x the time (target: at most {TARGET:.0f}x)")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
