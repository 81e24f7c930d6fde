"""The pre-push hook's cost against `git log -p` of the same pushed range, in a repository with
10,000 commits of history that the remote already has: 1 commit pushed, and 1,000. The hook's
work grows with the pushed range, not with the history (the walk hides everything the remote
has), so the ratio falls towards its floor as the push grows. Target (issue 12): at most 3x for
the large push; the 1-commit push is the interpreter's start-up, reported for what it is.
Run: python bench/prepush.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from common import compile_package, isolated_env, medians, run

RUNS = int(os.environ.get("BENCH_RUNS", "11"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "10000"))
PUSHED = (1, int(os.environ.get("BENCH_PUSHED", "1000")))


def git(*args: str, cwd: str, env: dict[str, str], stdin: bytes | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, capture_output=True, check=True).stdout.decode().strip()


def commits(repository: str, env: dict[str, str], first: int, count: int, lines: int, parent: str = "") -> None:
    """`count` commits on main after `parent`, each rewriting one of 50 files with `lines` lines, by git fast-import."""
    chunks = []
    for n in range(first, first + count):
        content = "".join(f"line {n}.{i}: some configuration value = {n * i}\n" for i in range(lines)).encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"committer Bench <bench@example.com> {1700000000 + n} +0000\n".encode())
        chunks.append(f"data {len(f'c{n}')}\nc{n}\n".encode())
        if n == first and parent:
            chunks.append(f"from {parent}\n".encode())
        chunks.append(f"M 100644 inline file{n % 50}.txt\ndata {len(content)}\n".encode() + content + b"\n")
    git("fast-import", "--quiet", "--force", cwd=repository, env=env, stdin=b"".join(chunks))


def main() -> int:
    compile_package()
    hook = [sys.executable, "-I", "-m", "bbdiag", "hook", "pre-push", "origin", "https://bitbucket.org/acme/widgets.git"]
    with tempfile.TemporaryDirectory() as home:
        env = isolated_env(home)
        repository = f"{home}/repo"
        git("init", "-q", "-b", "main", repository, cwd=home, env=env)
        commits(repository, env, 1, HISTORY, 1)
        git("remote", "add", "origin", "https://bitbucket.org/acme/widgets.git", cwd=repository, env=env)
        git("update-ref", "refs/remotes/origin/main", "main", cwd=repository, env=env)  # the remote has all of it
        remote = git("rev-parse", "main", cwd=repository, env=env)
        done = HISTORY
        for pushed in PUSHED:
            commits(repository, env, done + 1, pushed, 20, parent=remote)
            done += pushed
            local = git("rev-parse", "main", cwd=repository, env=env)
            update = f"refs/heads/main {local} refs/heads/main {remote}\n".encode()
            log = ["git", "log", "-p", f"{remote}..{local}"]
            a, b = medians(
                lambda update=update: run(hook, repository, env, update, check=True)[0], lambda log=log: run(log, repository, env, check=True)[0], RUNS
            )
            target = " (target <= 3x)" if pushed == PUSHED[-1] else " (start-up bound)"
            print(
                f"pre-push hook, {pushed} commit(s) pushed onto {HISTORY}: {a * 1000:.1f} ms; git log -p of the same range: {b * 1000:.1f} ms; "
                f"ratio {a / b:.2f}x{target}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
