"""child.capture, the child runner without subprocess: `run`'s answers and `run`'s rules.

It runs explain's gits inside a repository, so it must give what child.run gives (exit code,
stdout, stderr, killed-by-a-signal as a negative code), find the program as subprocess does (on
the given environment's PATH), and leave nothing running after its time limit, grandchildren
that hold its pipes included.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bbdiag import child
from tests.test_child import _ended_soon


def test_output_stderr_and_exit_code_as_run_gives_them() -> None:
    script = ["sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; exit 3"]
    done, ran = child.capture(script, timeout=30), child.run(script, timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (ran.returncode, ran.stdout, ran.stderr) == (3, b"out\n", b"err\n")


def test_stdin_is_empty_and_large_output_on_both_pipes_is_read_whole() -> None:
    """Both pipes are read as they fill: a child writing more than a pipe holds to each never stalls."""
    done = child.capture(["sh", "-c", "cat; head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"], timeout=30)
    assert done.returncode == 0 and done.stdout == b"\0" * 300000 and done.stderr == b"\0" * 200000


def test_a_child_killed_by_a_signal_has_a_negative_code() -> None:
    assert child.capture(["sh", "-c", "kill -TERM $$"], timeout=30).returncode == -15


def test_the_program_is_looked_up_on_the_given_path(tmp_path: Path) -> None:
    program = tmp_path / "only-here"
    program.write_text('#!/bin/sh\necho found "$@"\n')
    program.chmod(0o755)
    (tmp_path / "not-executable").write_text("#!/bin/sh\n")
    env = {**os.environ, "PATH": f"{tmp_path / 'missing'}:{tmp_path}:{os.environ['PATH']}"}
    assert child.capture(["only-here", "a b"], timeout=30, env=env).stdout == b"found a b\n"
    with pytest.raises(FileNotFoundError):
        child.capture(["only-here"], timeout=30)  # not on this process's own PATH
    with pytest.raises(FileNotFoundError):
        child.capture(["not-executable"], timeout=30, env=env)
    with pytest.raises(OSError):
        child.capture([str(tmp_path / "missing")], timeout=30)


def test_the_time_limit_kills_the_child_and_what_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        child.capture(["sh", "-c", f"sleep 300 & echo $! > {pidfile}; wait"], timeout=1)
    assert time.monotonic() - started < 10
    assert _ended_soon(int(pidfile.read_text()))


def test_no_descriptor_is_left_open(tmp_path: Path) -> None:
    before = set(os.listdir("/proc/self/fd"))
    child.capture(["true"], timeout=30)
    with pytest.raises(TimeoutError):
        child.capture(["sleep", "300"], timeout=0.5)
    assert set(os.listdir("/proc/self/fd")) <= before


def test_kill_all_ends_a_capture_in_flight(tmp_path: Path) -> None:
    """The pre-push hook's deadline kills every child before it exits: capture's too."""
    import threading

    pidfile = tmp_path / "pid"
    timer = threading.Timer(1, child.kill_all)
    timer.start()
    started = time.monotonic()
    done = child.capture(["sh", "-c", f"sleep 300 & echo $! > {pidfile}; wait"], timeout=60)
    timer.join()
    assert done.returncode == -9 and time.monotonic() - started < 30
    assert _ended_soon(int(pidfile.read_text()))


def test_without_posix_spawn_run_does_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no posix_spawn, an older macOS none that starts a session: the answers are run's."""
    script = ["sh", "-c", "printf out; printf err >&2; exit 4"]

    def no_session(*args: object, **kwargs: object) -> int:
        raise NotImplementedError("setsid")

    monkeypatch.setattr(os, "posix_spawn", no_session)
    assert child.capture(script, timeout=30) == child.Finished(4, b"out", b"err")
    with pytest.raises(TimeoutError):
        child.capture(["sleep", "300"], timeout=0.5)
    monkeypatch.delattr(os, "posix_spawn")
    assert child.capture(script, timeout=30) == child.Finished(4, b"out", b"err")
