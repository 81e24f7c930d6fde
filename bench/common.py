"""What every benchmark does: byte-compile bbdiag as an installation would, find the `bbdiag`
users run, isolate git's configuration, and compare medians of alternating runs (alternating, so
that a noisy neighbour slows both sides alike). `plain_install` makes the installation users get
(`pip install .`, not editable), which bench/all.py runs every benchmark in."""

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


def plain_install(directory: Path) -> Path:
    """A virtual environment in `directory` with `pip install .` of this checkout (not editable:
    no import hook, every module byte-compiled), and its dependencies from the index or pip's
    cache. Returns its interpreter."""
    import venv

    venv.create(directory, with_pip=True)
    python = directory / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},  # pip byte-compiles what it installs, as for a user
        check=True,
    )
    return python


def installation() -> str:
    """What the ratios are measured in, for the line a benchmark prints: where this interpreter's
    `import bbdiag` comes from, asked outside the checkout."""
    found = subprocess.run([sys.executable, "-c", "import bbdiag; print(bbdiag.__file__)"], cwd="/", capture_output=True, text=True, check=False)
    if found.returncode == 0 and not found.stdout.startswith(str(ROOT)):
        return "plain `pip install .`"
    return "this checkout, not a plain install (bench/all.py makes one)"


def bbdiag_command() -> list[str]:
    """The `bbdiag` script installed beside this interpreter (what users run), else `python -m bbdiag`."""
    script = Path(sys.executable).parent / "bbdiag"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bbdiag"]


def isolated_env(home: str) -> dict[str, str]:
    """The environment with a fresh HOME and no system or user git configuration."""
    return {**os.environ, "HOME": home, "XDG_CONFIG_HOME": f"{home}/.config", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": f"{home}/.gitconfig"}


def on_terminal(args: list[str], cwd: str | None = None, stdin: bytes = b"", columns: int = 100, env: dict[str, str] | None = None) -> float:
    """Seconds of one run with its stdout and stderr a terminal (a pty `columns` wide), as when a
    person runs it; stdin a pipe. The output is read as it comes, so a full pty never stalls it."""
    import fcntl
    import pty
    import struct
    import termios

    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=terminal, stderr=terminal)
    os.close(terminal)
    assert process.stdin is not None
    process.stdin.write(stdin)
    process.stdin.close()
    while True:
        try:
            if not os.read(controller, 1 << 16):
                break
        except OSError:  # EIO: the terminal's last writer has gone
            break
    process.wait()
    elapsed = time.perf_counter() - start
    os.close(controller)
    return elapsed


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
