"""A CI log as they really are: what npm, Maven, Gradle, pip, docker, pytest, cargo and git's own
progress print around a rare failure. The tests embed the corpus in it; bench/scan.py measures on it.

The noise comes from `fixtures/noise/ci-noise.log` (real tools' wordings); a test holds the
pattern library's keywords out of it, since every keyword that occurs in noise costs a slow-path
line per occurrence.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

NOISE_SAMPLE = Path(__file__).parent / "fixtures" / "noise" / "ci-noise.log"
ESC = "\x1b"

# What CI runners and terminals add to lines: colour, progress redrawn with \r, tabs, very long lines.
DECORATED = [
    ESC + "[32mPASS" + ESC + "[0m src/components/Button{n}.test.tsx ({n}.1 s)",
    "Receiving objects:  {n}% ({n}/100), 1.2 MiB | 3.4 MiB/s\rReceiving objects: 100% (100/100), done.",
    "remote: Resolving deltas: 100% ({n}/{n}), completed with 1 local object.",
    "##[group]Run make test-{n}",
    "##[endgroup]",
    "ok  \tgithub.com/acme/widgets/pkg/m{n}\t0.{n}s",
    '{{"level":"info","msg":"uploaded chunk {n}\\n","ts":{n}}}',
    "x" * 2000,
]
# Failures planted in the noise: (lines, cause, host). The last one names no URL of its own: the
# Maven downloads around it must not become its remote.
FAILURES: list[tuple[list[str], str, str]] = [
    (["remote: Invalid credentials", "fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'"], "credentials-rejected", "bitbucket-cloud"),
    (
        [
            "remote: Permission to acme/widgets.git denied to github-actions[bot].",
            "fatal: unable to access 'https://github.com/acme/widgets.git/': The requested URL returned error: 403",
        ],
        "permission-denied",
        "github",
    ),
    (["git@bitbucket.org: Permission denied (publickey).", "fatal: Could not read from remote repository."], "ssh-key-rejected", "bitbucket-cloud"),
]


def noise_lines() -> list[str]:
    return NOISE_SAMPLE.read_text(encoding="utf-8").splitlines()


def lines(megabytes: float, seed: int = 7, failure_rate: float = 0.05) -> Iterator[str]:
    """About `megabytes` MiB of timestamped CI log, in blocks of 2,000 lines, one in 20 blocks with a failure."""
    rng = random.Random(seed)
    sample = noise_lines()
    size, budget = 0, int(megabytes * (1 << 20))
    while size < budget:
        for _ in range(2000):
            t = f"2026-11-28T10:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 9999999):07d}Z"
            body = rng.choice(DECORATED).format(n=rng.randint(0, 99)) if rng.random() < 0.15 else rng.choice(sample)
            line = f"{t} {body}"
            size += len(line) + 1
            yield line
        if rng.random() < failure_rate:
            for failure in rng.choice(FAILURES)[0]:
                line = f"2026-11-28T10:00:00.0000000Z {failure}"
                size += len(line) + 1
                yield line


def write(path: Path, megabytes: float, seed: int = 7) -> int:
    """The log at `path`; returns how many failures it holds."""
    failures = 0
    with open(path, "w", encoding="utf-8") as out:
        for line in lines(megabytes, seed):
            failures += line.startswith("2026-11-28T10:00:00.0000000Z fatal:")
            out.write(line + "\n")
    return failures
