"""What every benchmark does: byte-compile bbdiag as an installation would, find the `bbdiag`
users run, isolate git's configuration, and compare medians of alternating runs (alternating, so
that a noisy neighbour slows both sides alike)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_package() -> None:
    """Installed packages are byte-compiled; a checkout under PYTHONDONTWRITEBYTECODE is not."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bbdiag")], env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""}, check=True)


def bbdiag_command() -> list[str]:
    """The `bbdiag` script installed beside this interpreter (what users run), else `python -m bbdiag`."""
    script = Path(sys.executable).parent / "bbdiag"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bbdiag"]


def isolated_env(home: str) -> dict[str, str]:
    """The environment with a fresh HOME and no system or user git configuration."""
    return {**os.environ, "HOME": home, "XDG_CONFIG_HOME": f"{home}/.config", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": f"{home}/.gitconfig"}


def run(args: list[str], cwd: str | None = None, env: dict[str, str] | None = None, stdin: bytes = b"", check: bool = False) -> tuple[float, bytes]:
    """(seconds, stdout) of one run; `check`: it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    assert not check or done.returncode == 0, done.stderr
    return elapsed, done.stdout


def medians(ours: Callable[[], float], theirs: Callable[[], float], runs: int) -> tuple[float, float]:
    """Median seconds of each, run alternately after one warm-up run of ours (it fills bbdiag's cache)."""
    ours()
    mine, reference = [], []
    for _ in range(runs):
        mine.append(ours())
        reference.append(theirs())
    return statistics.median(mine), statistics.median(reference)
