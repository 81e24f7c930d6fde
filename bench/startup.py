"""Start-up cost of `bbdiag explain` on a typical 10-line transcript, as a ratio to `python -c pass`.

Both run on the same interpreter, alternately, many times; the medians are compared. Target
(issue 2): at most 4x. Run: python bench/startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPT = b"""$ git push origin main
Enumerating objects: 5, done.
Counting objects: 100% (5/5), done.
remote: Invalid credentials
remote: You may not have access to this repository or it no longer exists in this workspace.
fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'
$ git remote -v
origin  https://bitbucket.org/acme/widgets.git (fetch)
origin  https://bitbucket.org/acme/widgets.git (push)
$
"""
RUNS = int(os.environ.get("BENCH_RUNS", "31"))


def timed(args: list[str], stdin: bytes, cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(args, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, check=False)
    return time.perf_counter() - start


def main() -> int:
    # Installed packages are byte-compiled; a checkout under PYTHONDONTWRITEBYTECODE is not.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bbdiag")], env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""}, check=True)
    # The `bbdiag` command as installed beside this interpreter (what users run), else `python -m bbdiag`.
    script = Path(sys.executable).parent / "bbdiag"
    explain = [str(script) if script.exists() else sys.executable, *([] if script.exists() else ["-m", "bbdiag"]), "explain", "--format", "text"]
    reference = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as outside_any_repository:
        timed(explain, TRANSCRIPT, outside_any_repository)  # fills the per-user cache, as any first run does
        ours, theirs = [], []
        for _ in range(RUNS):
            ours.append(timed(explain, TRANSCRIPT, outside_any_repository))
            theirs.append(timed(reference, b"", outside_any_repository))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"bbdiag explain (10 lines): {a * 1000:.1f} ms; python -c pass: {b * 1000:.1f} ms; ratio {a / b:.2f}x (target <= 4x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
