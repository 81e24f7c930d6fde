"""`bbdiag doctor` on a repository without problems, as a ratio to `bbdiag --version`.

Target (issue 3): under 3x. Both run on the same interpreter, alternately; medians compared.
Run: python bench/doctor.py
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
RUNS = int(os.environ.get("BENCH_RUNS", "21"))


def timed(args: list[str], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bbdiag")], env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""}, check=True)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "XDG_CONFIG_HOME": f"{home}/.config", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": f"{home}/.gitconfig"}
        repository = f"{home}/repo"
        subprocess.run(["git", "init", "-q", repository], env=env, check=True)
        subprocess.run(["git", "-C", repository, "remote", "add", "origin", "https://bitbucket.org/acme/widgets.git"], env=env, check=True)
        subprocess.run(["git", "config", "--global", "credential.helper", "cache"], env=env, check=True)
        script = Path(sys.executable).parent / "bbdiag"
        bbdiag = [str(script)] if script.exists() else [sys.executable, "-m", "bbdiag"]
        doctor = [*bbdiag, "doctor", "--format", "text"]
        version = [*bbdiag, "--version"]
        timed(doctor, repository, env)
        ours, theirs = [], []
        for _ in range(RUNS):
            ours.append(timed(doctor, repository, env))
            theirs.append(timed(version, repository, env))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"bbdiag doctor (healthy repository): {a * 1000:.1f} ms; bbdiag --version: {b * 1000:.1f} ms; ratio {a / b:.2f}x (target < 3x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
