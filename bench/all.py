"""Every benchmark in bench/, one after another, in a plain `pip install .` of this checkout (the
installation users get, made once in a temporary directory): each prints its ratios with their
targets. Run: python bench/all.py   (the README's performance section quotes what it printed)

BENCH_INSTALLED=/path/to/python runs them with that interpreter's installation instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import plain_install

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    with tempfile.TemporaryDirectory() as directory:
        given = os.environ.get("BENCH_INSTALLED")
        python = Path(given) if given else plain_install(Path(directory) / "venv")
        for script in sorted(HERE.glob("*.py")):
            if script.name in ("all.py", "common.py"):
                continue
            print(f"== {script.name}", flush=True)
            if subprocess.run([str(python), str(script)], cwd=HERE, check=False).returncode != 0:
                failed.append(script.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
