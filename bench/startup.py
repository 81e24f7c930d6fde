"""Start-up cost of `bbdiag explain` on a typical 10-line transcript, as a ratio to `python -c pass`:
piped (target at most 4x), on a terminal (a pty: the terminal renderer, in colour; at most 5x) and inside a
repository (it reads the remotes and the credential configuration with pygit2; at most 5x).

Both run on the same interpreter, alternately, many times; the medians are compared. Targets
(issues 2 and 12) are for a plain `pip install .`: bench/all.py runs this in one.
Run: python bench/startup.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from common import bbdiag_command, compile_package, installation, isolated_env, medians, on_terminal, run

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
    on_a_terminal = [*bbdiag_command(), "explain"]  # auto: the terminal renderer on a terminal
    reference = [sys.executable, "-c", "pass"]
    where = installation()
    with tempfile.TemporaryDirectory() as home:
        env = isolated_env(home)
        outside_any_repository = f"{home}/outside"
        os.mkdir(outside_any_repository)
        repository = f"{home}/widgets"
        subprocess.run(["git", "init", "-q", repository], env=env, check=True)
        subprocess.run(["git", "-C", repository, "remote", "add", "origin", "https://bitbucket.org/acme/widgets.git"], env=env, check=True)
        subprocess.run(["git", "config", "--global", "credential.helper", "cache"], env=env, check=True)
        cases = [
            ("piped", 4, lambda: run(explain, outside_any_repository, env, TRANSCRIPT, check=True)[0]),
            ("on a terminal", 5, lambda: on_terminal(on_a_terminal, outside_any_repository, TRANSCRIPT, env=env)),
            ("piped, inside a repository", 5, lambda: run(explain, repository, env, TRANSCRIPT, check=True)[0]),
        ]
        for name, target, ours in cases:
            a, b = medians(ours, lambda: run(reference, outside_any_repository, env)[0], RUNS)
            print(f"bbdiag explain (10 lines), {name}: {a * 1000:.1f} ms; python -c pass: {b * 1000:.1f} ms; ratio {a / b:.2f}x (target <= {target}x; {where})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
