"""The credential-helper observer's silent path (git's `get` and `store`, on every fetch and push
over HTTPS) run as git runs it, against a bare interpreter start (`python -I -c pass`).
Target (issue 12): at most 2x. Run: python bench/observer.py
"""

from __future__ import annotations

import os
import sys
import tempfile

from common import compile_package, medians, run

RUNS = int(os.environ.get("BENCH_RUNS", "31"))
REQUEST = b"protocol=https\nhost=bitbucket.org\nusername=jane\npassword=an-app-password\n\n"


def main() -> int:
    compile_package()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from bbdiag.install import observer_value

    helper = observer_value()[1:]  # what `credential.helper` holds, without git's `!`
    reference = [sys.executable, "-I", "-c", "pass"]
    with tempfile.TemporaryDirectory() as cwd:
        for action in ("get", "store"):
            observer = ["sh", "-c", f"{helper} {action}"]  # git runs a `!` helper through the shell
            a, b = medians(lambda command=observer: run(command, cwd, stdin=REQUEST, check=True)[0], lambda: run(reference, cwd)[0], RUNS)
            print(f"observer `{action}` (silent): {a * 1000:.1f} ms; python -I -c pass: {b * 1000:.1f} ms; ratio {a / b:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
