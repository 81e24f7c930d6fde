"""The pre-push hook's cost for a 1-commit push into a 10,000-commit repository, as a ratio to
`bbdiag --version`. Its work grows with the pushed range, not with the history: the walk hides
everything the remote already has. Run: python bench/prepush.py
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
RUNS = int(os.environ.get("BENCH_RUNS", "15"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "10000"))


def git(*args: str, cwd: str, env: dict[str, str], stdin: bytes | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, capture_output=True, check=True).stdout.decode().strip()


def history(repository: str, env: dict[str, str], commits: int) -> None:
    """`commits` commits, each changing a file, written fast with git fast-import."""
    lines = []
    for n in range(1, commits + 1):
        content = f"line {n}\n".encode()
        lines.append(b"commit refs/heads/main\n")
        lines.append(f"committer Bench <bench@example.com> {1700000000 + n} +0000\n".encode())
        lines.append(f"data {len(f'c{n}')}\nc{n}\n".encode())
        lines.append(f"M 100644 inline file{n % 50}.txt\ndata {len(content)}\n".encode() + content + b"\n")
    git("fast-import", "--quiet", cwd=repository, env=env, stdin=b"".join(lines))


def main() -> int:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bbdiag")], env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""}, check=True)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": f"{home}/.gitconfig", "XDG_CONFIG_HOME": f"{home}/.config"}
        repository = f"{home}/repo"
        git("init", "-q", "-b", "main", repository, cwd=home, env=env)
        history(repository, env, HISTORY)
        git("remote", "add", "origin", "https://bitbucket.org/acme/widgets.git", cwd=repository, env=env)
        git("update-ref", "refs/remotes/origin/main", "main", cwd=repository, env=env)  # the remote has all of it
        git("checkout", "-q", "main", cwd=repository, env=env)
        (Path(repository) / "new.txt").write_text("one more\n")
        git("add", "new.txt", cwd=repository, env=env)
        git("-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-q", "-m", "one more", cwd=repository, env=env)
        local, remote = git("rev-parse", "main", cwd=repository, env=env), git("rev-parse", "origin/main", cwd=repository, env=env)
        update = f"refs/heads/main {local} refs/heads/main {remote}\n".encode()
        script = Path(sys.executable).parent / "bbdiag"
        bbdiag = [str(script)] if script.exists() else [sys.executable, "-m", "bbdiag"]
        hook = [*bbdiag, "hook", "pre-push", "origin", "https://bitbucket.org/acme/widgets.git"]
        version = [*bbdiag, "--version"]

        def timed(args: list[str], stdin: bytes) -> float:
            start = time.perf_counter()
            done = subprocess.run(args, cwd=repository, env=env, input=stdin, capture_output=True, check=False)
            assert done.returncode == 0, done.stderr
            return time.perf_counter() - start

        timed(hook, update)
        ours, theirs = [], []
        for _ in range(RUNS):
            ours.append(timed(hook, update))
            theirs.append(timed(version, b""))
    a, b = statistics.median(ours), statistics.median(theirs)
    print(f"pre-push hook, 1 commit pushed onto {HISTORY} commits: {a * 1000:.1f} ms; bbdiag --version: {b * 1000:.1f} ms; ratio {a / b:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
