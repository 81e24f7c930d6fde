"""`bbdiag scan` on a CI log as they really are (npm deprecations, Maven downloads, git's progress,
pip, Gradle, docker, pytest, cargo: tests/noise.py), against grep with the key phrases of git's
failures on the same log, in the same run. Run: python bench/scan.py   (BENCH_MB: the log's size, default 300)

Targets (issue 12): at least 0.5x grep's throughput (scan on every core, the log in parts; grep
on one, as it runs; the one-core ratio is printed too); peak memory under 100 MiB; several files on
every core faster than on one; a folder of many small logs per log as cheap as can be. Also
reported: candidate lines per MiB, the lines that reach Python's slow path (the prefilter's quality).
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from common import ROOT, compile_package, installation, run

MEGABYTES = int(os.environ.get("BENCH_MB", "300"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SMALL_LOGS = int(os.environ.get("BENCH_SMALL_LOGS", "2000"))
T = TypeVar("T")
# What a person greps a CI log for when a git command failed: git's and the hosts' key phrases.
KEY_PHRASES = [
    "fatal: ",
    "Permission denied",
    "Authentication failed",
    "Invalid credentials",
    "Invalid username or password",
    "could not read Username",
    "Repository not found",
    "returned error: [45][0-9][0-9]",
    "Host key verification failed",
    "SSL certificate problem",
    "Could not resolve host",
    "remote: .*(denied|deprecated|invalid)",
]


def timed(job: Callable[[], T]) -> tuple[T, float]:
    """What `job` returns, and the CPU seconds (user and system) of the processes it ran."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = job()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from bbdiag import library, prefilter
    from bbdiag.normalise import Reading
    from tests import noise

    compile_package()
    lib = library.load()
    with tempfile.TemporaryDirectory() as work:
        # `python -m bbdiag` puts the current directory first on sys.path: run from the checkout it
        # would measure the checkout's bbdiag (without its built extension), not the installation.
        os.chdir(work)
        log = Path(work) / "ci.log"
        failures = noise.write(log, MEGABYTES)
        size = log.stat().st_size / (1 << 20)
        phrases = Path(work) / "phrases"
        phrases.write_text("\n".join(KEY_PHRASES) + "\n", encoding="utf-8")
        grep = ["grep", "-c", "-E", "-f", str(phrases), str(log)]
        scan = [sys.executable, "-m", "bbdiag", "scan", "--format", "json", str(log)]  # every core: the log in parts
        scan_one = [*scan[:-1], "--jobs", "1", str(log)]
        # Warm the page cache and bbdiag's per-user cache, and make sure the scan works: a scan that
        # fails (bbdiag not importable by this interpreter, a broken database) is fast, and its
        # ratios would say nothing.
        warm = subprocess.run(scan, capture_output=True, check=False)
        if (working := warm.stdout.count(b'"cause":')) != failures:
            print(f"bbdiag scan found {working} of the {failures} failures planted (exit {warm.returncode}): nothing measured", file=sys.stderr)
            print(warm.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
            return 1
        ours, ours_one, theirs = [], [], []
        cpu: dict[str, list[float]] = {"every": [], "one": [], "grep": []}  # CPU seconds, the measure a busy machine leaves fair
        for _ in range(RUNS):
            (elapsed, output), spent = timed(lambda: run(scan))
            ours.append(elapsed)
            cpu["every"].append(spent)
            (elapsed, _), spent = timed(lambda: run(grep))
            theirs.append(elapsed)
            cpu["grep"].append(spent)
            (elapsed, _), spent = timed(lambda: run(scan_one))
            ours_one.append(elapsed)
            cpu["one"].append(spent)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB: the largest child so far (bbdiag; grep is far smaller)
        found = output.count(b'"cause":')
        list(prefilter.read(io.BytesIO(b"warm"), Reading("-"), lib))  # the Hyperscan database built (or loaded) before timing
        with open(log, "rb") as stream:
            started = time.perf_counter()
            read = list(prefilter.read(stream, Reading(str(log)), lib))
            in_process = time.perf_counter() - started
        candidates = len({line.number for line in read})
        # Success lines (`* branch main -> FETCH_HEAD` in every fetch) are read alone, with no
        # context around them: counted apart from the lines a possible failure brings.
        success_patterns = [p for p in lib.patterns if p.role == "success"]
        successes = len({line.number for line in read if any(p.search(line.text) for p in success_patterns)})
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
        small_one = run([sys.executable, "-m", "bbdiag", "scan", "--format", "json", "--jobs", "1", str(folder)])[0]
        small_every = run([sys.executable, "-m", "bbdiag", "scan", "--format", "json", str(folder)])[0]
        small_grep = run(["grep", "-c", "-E", "-r", "-f", str(phrases), str(folder)])[0]
    a, b, c = statistics.median(ours), statistics.median(theirs), statistics.median(ours_one)
    cores = os.cpu_count() or 1
    print(f"realistic CI log: {size:.0f} MiB, {failures} failures planted, {found} found; bbdiag from {installation()}")
    print(
        f"scan throughput on every core ({cores}): {size / a:.0f} MiB/s; grep -c -E -f ({len(KEY_PHRASES)} key phrases, one core): {size / b:.0f} MiB/s; "
        f"ratio {b / a:.2f}x of grep's (target >= 0.5x); on one core (--jobs 1) {b / c:.2f}x"
    )
    grep_cpu = min(cpu["grep"])
    print(
        f"scan by CPU time (the least of {RUNS} runs, all processes; fair where neighbours take the cores): "
        f"{grep_cpu / min(cpu['every']):.2f}x grep's on every core, {grep_cpu / min(cpu['one']):.2f}x on one; load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"scan candidate lines: {candidates / size:.1f} per MiB reach the slow path, {(candidates - successes) / size:.1f} without the success lines read alone "
        f"({size / in_process:.0f} MiB/s in process; target: about 1 per failure and its URL lines)"
    )
    print(f"scan peak memory: {peak / 1024:.0f} MiB (target < 100 MiB)")
    print(
        f"scan of 4 files x 64 MiB: one core {one_core:.2f} s, every core ({cores}) {every_core:.2f} s: {one_core / every_core:.2f}x (target > 1x with {cores} cores)"
    )
    print(
        f"scan of {SMALL_LOGS} small logs: {small_grep / small_one:.3f}x grep -r -c -E -f's throughput on one core, {small_grep / small_every:.3f}x on every core; "
        f"every core {small_one / small_every:.2f}x one (target > 1x with {cores} cores)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
