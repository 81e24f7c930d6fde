"""Every child bbdiag starts has a time limit and is reaped with what it started (issue 14)."""

from __future__ import annotations

import ast
import io
import os
from pathlib import Path

import pytest

import bbdiag
from bbdiag import child, hooks, inspector, install
from tests.test_child import _ended_soon

PACKAGE = Path(bbdiag.__file__).parent
# The one child that has no time limit: the command `bbdiag run` wraps (a push may take as long as it takes,
# and it owns the terminal), run and waited for by bbdiag/run.py.
UNLIMITED = {"run.py"}
STARTERS = {("subprocess", name) for name in ("run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput")}
STARTERS |= {("os", name) for name in ("system", "popen", "spawnv", "spawnvp", "execv", "execvp", "fork", "posix_spawn")}


def test_no_child_is_started_but_through_child() -> None:
    starts = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "child.py" or path.relative_to(PACKAGE).as_posix() in UNLIMITED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (node.value.id, node.attr) in STARTERS:
                starts.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not starts, "\n".join(starts)


def test_a_stream_is_cut_at_its_time_limit_with_what_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    stream = child.Stream(["sh", "-c", f"echo first; sleep 300 & echo $! > {pidfile}; wait"], timeout=1)
    assert stream.stdout.read() == b"first\n"  # the end comes when the limit kills the group
    code, _ = stream.finish()
    assert stream.timed_out and code != 0
    assert _ended_soon(int(pidfile.read_text()))


def test_a_stream_read_in_full_is_not_timed_out() -> None:
    stream = child.Stream(["sh", "-c", "echo out; echo err >&2; exit 4"], timeout=30)
    assert stream.stdout.read() == b"out\n"
    assert stream.finish() == (4, b"err\n")
    assert not stream.timed_out


def test_a_stream_left_early_ends_its_child() -> None:
    stream = child.Stream(["sh", "-c", "yes"], timeout=30)
    stream.stdout.read(10)
    code, _ = stream.finish()  # yes gets SIGPIPE at its next write
    assert code != 0 and not stream.timed_out


def _stuck_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`git` on PATH that never answers (a lock, a hung network filesystem)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "git").write_text("#!/bin/sh\nexec sleep 300\n")
    (folder / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_install_says_when_git_does_not_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _stuck_git(tmp_path, monkeypatch)
    monkeypatch.setattr(install, "GIT_TIMEOUT", 1)
    with pytest.raises(install.InstallError, match=r"^git config did not finish in 1 s$"):
        install._git(["config", "--get", "core.hooksPath"])


def test_the_pre_push_check_goes_on_when_git_does_not_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated: Path) -> None:
    """The push is let through, and the content is said to be unchecked, never passed off as checked."""
    _stuck_git(tmp_path, monkeypatch)
    monkeypatch.setattr(hooks, "GIT_TIMEOUT", 1)
    monkeypatch.setattr(inspector, "GIT_TIMEOUT", 1)  # the setup check's own git calls
    monkeypatch.chdir(tmp_path)
    push = hooks.Push("origin", "https://bitbucket.org/ws/r.git", ("a" * 40,), ())
    out = io.StringIO()
    assert hooks.pre_push(push, strict=False, out=out) == hooks.UNCHECKED
    assert "NOT checked for secrets: git log did not finish in 1 s" in out.getvalue()
