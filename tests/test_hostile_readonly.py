"""install and uninstall where the hooks folder cannot be written (issue 14), tested for real.

Root writes into a read-only folder anyway, so under root (CI's containers) the commands run as
an unprivileged user (`nobody`, or the one .ci/run creates) through setpriv; as any other user
they run as that user. One clear line, exit 2, and nothing lost.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.test_hostile_errors import _one_clear_line

UNPRIVILEGED = ("bbdiag-test", "nobody")  # .ci/run creates the first where it can
Run = Callable[[list[str], Path], subprocess.CompletedProcess[str]]


def _unprivileged() -> tuple[int, int] | None:
    for name in UNPRIVILEGED:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    return None


@pytest.fixture
def as_a_user() -> Iterator[tuple[Run, Path]]:
    """(run bbdiag as a user who cannot write into a read-only folder, a folder that user owns)."""
    ids = (os.getuid(), os.getgid()) if os.geteuid() != 0 else _unprivileged()
    if ids is None:
        pytest.skip(f"running as root with none of the users {', '.join(UNPRIVILEGED)} to run as")
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux) to run as another user")
        prefix = [setpriv, f"--reuid={ids[0]}", f"--regid={ids[1]}", "--clear-groups", "--"]
    # Under /tmp, not pytest's folder: that one is private to root.
    folder = Path(tempfile.mkdtemp(prefix="bbdiag-readonly-"))
    home = folder / "home"
    home.mkdir()
    # Not measured by coverage: that user cannot write its data file (and nothing else leaks in).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "GIT_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"), GIT_CONFIG_NOSYSTEM="1")

    def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)

    try:
        probe = run([sys.executable, "-c", "import bbdiag"], folder)
        if probe.returncode != 0:
            pytest.skip(f"{sys.executable} cannot run as uid {ids[0]}: {probe.stderr.strip()[:200]}")
        yield run, folder
    finally:
        for path in (folder, *folder.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)  # so that it can be removed
        shutil.rmtree(folder)


def _own(root: Path) -> None:
    """Give `root` and everything in it to the user the fixture runs as."""
    ids = (os.getuid(), os.getgid()) if os.geteuid() != 0 else _unprivileged()
    assert ids is not None
    for path in (root, *root.rglob("*")):
        os.chown(path, *ids, follow_symlinks=False)


def test_install_and_uninstall_on_a_read_only_hooks_folder(as_a_user: tuple[Run, Path]) -> None:
    run, folder = as_a_user
    repo = folder / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    hooks = repo / ".git" / "hooks"
    _own(folder)
    bbdiag = [sys.executable, "-m", "bbdiag"]

    hooks.chmod(0o555)
    line = _one_clear_line(run([*bbdiag, "install", "--hook"], repo))
    assert str(hooks) in line and "Permission denied" in line, line
    assert not (hooks / "pre-push").exists()

    hooks.chmod(0o755)
    installed = run([*bbdiag, "install", "--hook"], repo)
    assert installed.returncode == 0, installed.stderr
    hook = (hooks / "pre-push").read_bytes()

    hooks.chmod(0o555)
    line = _one_clear_line(run([*bbdiag, "uninstall", "--hook"], repo))
    assert str(hooks) in line and "Permission denied" in line, line
    assert (hooks / "pre-push").read_bytes() == hook  # nothing lost: the hook stays as it was
