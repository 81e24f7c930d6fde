"""`bbdiag scan --format json` throughput as a ratio to `grep -E -c -i` with the library's literal
keywords on the same generated CI log, in the same run; peak memory; and several files on every
core against one. Targets (issue 5): at least 0.5x grep on one core, peak memory under 100 MiB
whatever the log's size. Run: python bench/scan.py   (BENCH_MB sets the log's size, default 300)
"""

from __future__ import annotations

import os
import random
import re
import resource
import statistics
import sys
import tempfile
from pathlib import Path

from common import ROOT, compile_package, run

MEGABYTES = int(os.environ.get("BENCH_MB", "300"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SMALL_LOGS = int(os.environ.get("BENCH_SMALL_LOGS", "1000"))
ESC = "\x1b"

NOISE = [
    "{t} npm info it worked if it ends with ok",
    "{t} " + ESC + "[32mPASS" + ESC + "[0m src/components/Button{n}.test.tsx ({n}.1 s)",
    "{t} Downloading https://registry.npmjs.org/lodash/-/lodash-4.17.{n}.tgz",
    "{t}   ✓ renders the header without crashing ({n}ms)",
    "{t} [INFO] Building module core-{n} ... done",
    "{t} Receiving objects:  {n}% ({n}/100), 1.2 MiB | 3.4 MiB/s\rReceiving objects: 100% (100/100), done.",
    "{t} ERROR: test_widget_{n} failed: AssertionError: expected 3 got 4",
    "{t} remote: Resolving deltas: 100% ({n}/{n}), completed with 1 local object.",
    "{t} ##[group]Run make test-{n}",
    "{t} " + "x" * 2000,
]
FAILURES = [
    ["{t} remote: Invalid credentials", "{t} fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'"],
    [
        "{t} remote: Permission to acme/widgets.git denied to github-actions[bot].",
        "{t} fatal: unable to access 'https://github.com/acme/widgets.git/': The requested URL returned error: 403",
    ],
    ["{t} git@bitbucket.org: Permission denied (publickey).", "{t} fatal: Could not read from remote repository."],
]


def generate(path: Path, megabytes: int) -> int:
    rng = random.Random(7)
    failures = 0
    with open(path, "w", encoding="utf-8") as out:
        while out.tell() < megabytes << 20:
            lines = []
            for _ in range(2000):
                t = f"2026-11-28T10:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.1234567Z"
                lines.append(rng.choice(NOISE).format(t=t, n=rng.randint(0, 99)))
            if rng.random() < 0.05:
                lines += [line.format(t="2026-11-28T10:00:00.0000000Z") for line in rng.choice(FAILURES)]
                failures += 1
            out.write("\n".join(lines) + "\n")
    return failures


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from bbdiag import library

    compile_package()
    keywords = library.load().keywords
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "ci.log"
        failures = generate(log, MEGABYTES)
        pattern_file = Path(work) / "keywords"
        pattern_file.write_text("\n".join(re.escape(k) for k in keywords) + "\n", encoding="utf-8")
        grep = ["grep", "-E", "-c", "-i", "-f", str(pattern_file), str(log)]
        scan = [sys.executable, "-m", "bbdiag", "scan", "--format", "json", "--jobs", "1", str(log)]
        run(scan)  # warm the page cache and bbdiag's per-user cache
        ours, theirs = [], []
        for _ in range(RUNS):
            elapsed, output = run(scan)
            ours.append(elapsed)
            theirs.append(run(grep)[0])
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB: the largest child so far (bbdiag; grep is far smaller)
        found = output.count(b'"cause":')
        copies = [Path(work) / f"copy{n}.log" for n in range(4)]
        for copy in copies:
            copy.write_bytes(log.read_bytes()[: 64 << 20])
        one_core = run([sys.executable, "-m", "bbdiag", "scan", "--format", "json", "--jobs", "1", *map(str, copies)])[0]
        every_core = run([sys.executable, "-m", "bbdiag", "scan", "--format", "json", *map(str, copies)])[0]
        # A folder of many small logs (a CI system's archive): per-log costs must not add up.
        folder = Path(work) / "many"
        folder.mkdir()
        cases = sorted((ROOT / "tests" / "fixtures" / "corpus" / "cases").glob("*.txt"))
        for n in range(SMALL_LOGS):
            (folder / f"{n}.log").write_bytes(cases[n % len(cases)].read_bytes())
        small_ours = run([sys.executable, "-m", "bbdiag", "scan", "--format", "json", "--jobs", "1", str(folder)])[0]
        small_grep = run(["grep", "-E", "-c", "-i", "-r", "-f", str(pattern_file), str(folder)])[0]
    size = MEGABYTES
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"log: {size} MiB, {failures} failures planted, {found} found")
    print(
        f"bbdiag scan --format json: {size / a:.0f} MiB/s; grep -E -c -i ({len(keywords)} keywords): {size / b:.0f} MiB/s; ratio {b / a:.2f}x of grep's throughput (target >= 0.5x)"
    )
    print(f"peak memory of bbdiag scan: {peak / 1024:.0f} MiB (target < 100 MiB)")
    print(f"{SMALL_LOGS} small logs in a folder: {small_grep / small_ours:.2f}x of grep -r's speed ({small_ours / SMALL_LOGS * 1000:.1f} ms a log)")
    print(f"4 files x 64 MiB: one core {one_core:.2f}s, every core ({os.cpu_count()}) {every_core:.2f}s: {one_core / every_core:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
