"""The pre-push hook as a whole has a time limit: a stuck filesystem cannot hold a push.

Each child the hook starts has its own limit, but several can wait them out in turn. Here the
repository's configuration includes a FIFO nobody writes to, so every git command the hook runs
(and anything reading the configuration) blocks on opening it, as on a hung network filesystem.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

from tests import bitbucket_server as bb
from tests.conftest import git

URL = "https://bitbucket.org/acme/widgets.git"
ZERO = "0" * 40
# The hook with its deadline shortened: the only change from what git runs.
HOOK = "import sys; from bbdiag import hooks; hooks.DEADLINE = 2.0; from bbdiag.cli import main; sys.exit(main(sys.argv[1:]))"


def repository(tmp_path: Path, *files: tuple[str, str]) -> tuple[Path, str]:
    """A repository with origin set and one commit per (name, text); its head."""
    work = tmp_path / "work"
    git("init", "-q", "-b", "main", str(work))
    git("remote", "add", "origin", URL, cwd=work)
    for name, text in files:
        (work / name).write_text(text)
        git("add", name, cwd=work)
        git("commit", "-q", "-m", name, cwd=work)
    return work, git("rev-parse", "HEAD", cwd=work).stdout.strip()


def run_hook(work: Path, head: str) -> subprocess.CompletedProcess[str]:
    """The hook as git runs it for a push of main to a new branch."""
    return subprocess.run(
        [sys.executable, "-I", "-c", HOOK, "hook", "pre-push", "origin", URL],
        input=f"refs/heads/main {head} refs/heads/main {ZERO}\n",
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,  # without the deadline a stuck hook would wait out every child's limit (minutes)
    )


def stuck_repository(tmp_path: Path) -> tuple[Path, Path, str]:
    work, head = repository(tmp_path, ("a.txt", "hello\n"))
    fifo = tmp_path / "stuck.fifo"
    os.mkfifo(fifo)
    with open(work / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(f"[include]\n\tpath = {fifo}\n")
    return work, fifo, head


def nobody_reads(fifo: Path) -> bool:
    """No process is left blocked on the FIFO (opening it to write without a reader fails)."""
    for _ in range(50):
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                return True
            raise
        time.sleep(0.1)
    return False


def test_a_stuck_hook_lets_the_push_go_on_and_leaves_nothing_running(tmp_path: Path) -> None:
    work, fifo, head = stuck_repository(tmp_path)
    done = run_hook(work, head)
    assert done.returncode == 0, done.stderr
    assert "bbdiag: pre-push check stopped after 2 s: the pushed commits were NOT checked for secrets" in done.stderr
    assert nobody_reads(fifo), "a git the hook started is still blocked"


def test_under_pre_commit_a_stuck_hook_fails_with_how_to_skip_it(tmp_path: Path) -> None:
    work, fifo, head = stuck_repository(tmp_path)
    env = {**os.environ, "PRE_COMMIT_REMOTE_NAME": "origin", "PRE_COMMIT_REMOTE_URL": URL, "PRE_COMMIT_TO_REF": head}
    done = subprocess.run(
        [sys.executable, "-I", "-c", HOOK, "hook", "pre-push", "--pre-commit"],
        stdin=subprocess.DEVNULL,
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # pre-commit shows a check that did not run as Failed, never as Passed.
    assert done.returncode == 1, done.stderr
    assert "stopped after 2 s" in done.stderr and "SKIP=bbdiag-pre-push git push" in done.stderr
    assert nobody_reads(fifo)


def test_a_quick_hook_is_not_cut_short(tmp_path: Path) -> None:
    planted = bb.APP_PASSWORD
    work, head = repository(tmp_path, ("a.txt", "hello\n"), ("b.txt", f"token = {planted}\n"))
    done = run_hook(work, head)
    # The deadline ends with the hook: its answer (a block) stands, and no late exit overrides it.
    assert "stopped after" not in done.stderr
    assert done.returncode == 99 and "BLOCKED" in done.stderr, done.stderr
    assert planted not in done.stderr
