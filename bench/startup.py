"""Start-up cost of `bbdiag explain` on a typical 10-line transcript, as a ratio to `python -c pass`.

Both run on the same interpreter, alternately, many times; the medians are compared. Target
(issue 2): at most 4x. Run: python bench/startup.py
"""

from __future__ import annotations

import os
import sys
import tempfile

from common import bbdiag_command, compile_package, medians, run

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


def main() -> int:
    compile_package()
    explain = [*bbdiag_command(), "explain", "--format", "text"]
    reference = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as outside_any_repository:
        a, b = medians(
            lambda: run(explain, outside_any_repository, stdin=TRANSCRIPT)[0],
            lambda: run(reference, outside_any_repository)[0],
            RUNS,
        )
    print(f"bbdiag explain (10 lines): {a * 1000:.1f} ms; python -c pass: {b * 1000:.1f} ms; ratio {a / b:.2f}x (target <= 4x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
