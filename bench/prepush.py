"""The pre-push hook's cost for a 1-commit push into a 10,000-commit repository, as a ratio to
`bbdiag --version`. Its work grows with the pushed range, not with the history: the walk hides
everything the remote already has. Run: python bench/prepush.py
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from common import bbdiag_command, compile_package, isolated_env, medians, run

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
    compile_package()
    with tempfile.TemporaryDirectory() as home:
        env = isolated_env(home)
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
        hook = [*bbdiag_command(), "hook", "pre-push", "origin", "https://bitbucket.org/acme/widgets.git"]
        version = [*bbdiag_command(), "--version"]
        a, b = medians(lambda: run(hook, repository, env, update, check=True)[0], lambda: run(version, repository, env)[0], RUNS)
    print(f"pre-push hook, 1 commit pushed onto {HISTORY} commits: {a * 1000:.1f} ms; bbdiag --version: {b * 1000:.1f} ms; ratio {a / b:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
