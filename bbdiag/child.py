"""Every child process bbdiag starts: with a time limit, and reaped with everything it started.

`subprocess.run(timeout=...)` kills only the direct child and then waits for its pipes to close:
a credential helper that `git credential fill` started (and that hangs) keeps the pipes open, so
the wait goes on long after the limit, and the helper is left running. Here the child leads its
own process group; on the time limit (or Ctrl-C, or any error) the whole group is killed and
waited for, so nothing outlives the call. `Stream` is the same for a child whose output is read
as it comes (the pre-push check's `git log -p`, which may be larger than memory).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path  # only named in hints: explain's start-up need not import pathlib

# Once the group is killed its pipes close at once; a grandchild that left the group (setsid)
# may hold them open, and is not waited for longer than this.
_DRAIN_SECONDS = 1.0

# The children still running, so that a deadline over several of them (the pre-push hook's) can
# end them all before the process exits without waiting.
_running: set[subprocess.Popen[bytes]] = set()


def kill_all() -> None:
    """Kill every child `run` or `Stream` started that is still running, with its whole group."""
    for process in list(_running):
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)


def run(
    args: Sequence[str],
    *,
    timeout: float,
    input: bytes | None = None,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    pass_fds: Sequence[int] = (),
) -> subprocess.CompletedProcess[bytes]:
    """Run `args` with stdout and stderr captured and stdin `input` (or nothing); raise
    `subprocess.TimeoutExpired` after `timeout` seconds, `OSError` when it cannot start."""
    process = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        pass_fds=tuple(pass_fds),  # a pipe for the child to read from (bbdiag fix's one-shot credential)
        start_new_session=True,  # its own process group, which _kill_group ends as one
    )
    _running.add(process)
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except BaseException:  # the time limit, Ctrl-C, anything: leave nothing running
        _kill_group(process)
        raise
    finally:
        _running.discard(process)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


class Stream:
    """A child whose stdout is read as it comes, with `run`'s time limit: when it runs out the
    whole group is killed (a read then sees the end), and `finish` says so."""

    def __init__(self, args: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, cwd: Path | str | None = None) -> None:
        self.timeout = timeout
        self.timed_out = False
        self.process = subprocess.Popen(
            list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True
        )
        _running.add(self.process)
        assert self.process.stdout is not None
        self.stdout = self.process.stdout
        self._timer = threading.Timer(timeout, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self.timed_out = True
        with contextlib.suppress(OSError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def kill(self) -> None:
        """End the child and its group now, without reading or waiting for what is left."""
        self._timer.cancel()
        _kill_group(self.process)
        _running.discard(self.process)

    def finish(self) -> tuple[int, bytes]:
        """Stop reading and wait for the child, at most until the time limit: its exit code and
        the start of its stderr. Nothing is left running."""
        self.stdout.close()  # a child still writing ends at its next write (SIGPIPE)
        try:
            assert self.process.stderr is not None
            error = self.process.stderr.read(4096)
            self.process.stderr.close()
            code = self.process.wait()
        except BaseException:
            _kill_group(self.process)
            raise
        finally:
            self._timer.cancel()
            _running.discard(self.process)
        return code, error


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):  # already gone
        os.killpg(process.pid, signal.SIGKILL)
    try:
        process.communicate(timeout=_DRAIN_SECONDS)
    except subprocess.TimeoutExpired:
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        process.wait()
