"""child.run: a time limit, and nothing left running after it (grandchildren included)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from bbdiag import child


def _ended_soon(pid: int) -> bool:
    """The kernel closes a killed process's pipes a moment before it shows it as ended, so the
    check after the call waits that moment out (bounded) instead of racing it."""
    deadline = time.monotonic() + 5
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended, whoever reaps it


def test_output_input_and_exit_code() -> None:
    done = child.run(["sh", "-c", "cat; echo err >&2; exit 3"], input=b"in\n", timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (3, b"in\n", b"err\n")


def test_no_input_is_an_empty_stdin() -> None:
    assert child.run(["cat"], timeout=30).stdout == b""


def test_time_limit_kills_the_child_and_what_it_started(tmp_path: Path) -> None:
    # The grandchild holds stdout and stderr open: subprocess.run would wait for it after the
    # limit (it kills the direct child only) and leave it running.
    pidfile = tmp_path / "pid"
    script = f"sleep 300 & echo $! > {pidfile}; wait"
    with pytest.raises(subprocess.TimeoutExpired):
        child.run(["sh", "-c", script], timeout=1)
    assert _ended_soon(int(pidfile.read_text()))


def test_a_program_that_does_not_exist_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        child.run([str(tmp_path / "missing")], timeout=5)


def test_a_hanging_credential_helper_is_reaped(tmp_path: Path, isolated: Path) -> None:
    """What --probe-stored does: git credential fill with a helper that never answers."""
    pidfile = tmp_path / "helper-pid"
    helper = tmp_path / "helper"
    helper.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 300\n")
    helper.chmod(0o755)
    env = {**os.environ, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "credential.helper", "GIT_CONFIG_VALUE_0": str(helper)}
    with pytest.raises(subprocess.TimeoutExpired):
        child.run(["git", "credential", "fill"], input=b"protocol=https\nhost=example.com\n\n", env=env, timeout=2)
    assert _ended_soon(int(pidfile.read_text()))
