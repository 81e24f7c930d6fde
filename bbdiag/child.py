"""Every child process bbdiag starts: with a time limit, and reaped with everything it started.

`subprocess.run(timeout=...)` kills only the direct child and then waits for its pipes to close:
a credential helper that `git credential fill` started (and that hangs) keeps the pipes open, so
the wait goes on long after the limit, and the helper is left running. Here the child leads its
own process group; on the time limit (or Ctrl-C, or any error) the whole group is killed and
waited for, so nothing outlives the call.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

# Once the group is killed its pipes close at once; a grandchild that left the group (setsid)
# may hold them open, and is not waited for longer than this.
_DRAIN_SECONDS = 1.0


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
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except BaseException:  # the time limit, Ctrl-C, anything: leave nothing running
        _kill_group(process)
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


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
