"""Every child process bbdiag starts: with a time limit, and reaped with everything it started.

`subprocess.run(timeout=...)` kills only the direct child and then waits for its pipes to close:
a credential helper that `git credential fill` started (and that hangs) keeps the pipes open, so
the wait goes on long after the limit, and the helper is left running. Here the child leads its
own process group; on the time limit (or Ctrl-C, or any error) the whole group is killed and
waited for, so nothing outlives the call. `Stream` is the same for a child whose output is read
as it comes (the pre-push check's `git log -p`, which may be larger than memory); `capture`
for one that reads nothing, started without subprocess (explain's gits inside a repository).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:  # only named in hints; subprocess is imported where a child is started with it (see `capture`)
    import subprocess
    from pathlib import Path

# Once the group is killed its pipes close at once; a grandchild that left the group (setsid)
# may hold them open, and is not waited for longer than this.
_DRAIN_SECONDS = 1.0

# The children still running, so that a deadline over several of them (the pre-push hook's) can
# end them all before the process exits without waiting.
_running: set[subprocess.Popen[bytes]] = set()
_captured: set[int] = set()  # ... and `capture`'s, by process id (which is their group's)


def kill_all() -> None:
    """Kill every child `run`, `Stream` or `capture` started that is still running, with its whole group."""
    for process in list(_running):
        _kill(process.pid)
    for group in list(_captured):
        _kill(group)


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
    import subprocess

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
        import subprocess
        import threading

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
        _kill(self.process.pid)

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


class Finished(NamedTuple):
    """What `capture` hands back, as subprocess.CompletedProcess has it (returncode < 0: killed by that signal)."""

    returncode: int
    stdout: bytes
    stderr: bytes


_SIGKILL = 9  # on every POSIX system; signal.SIGKILL would import signal (3M instructions) for it


def capture(args: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None) -> Finished:
    """`run` for a child that reads nothing (stdin is /dev/null), started with os.posix_spawn: the
    subprocess module (with signal and selectors) is 14M instructions to import, a twentieth of
    explain's start-up inside a repository, where all it runs is two short gits. The rules are
    `run`'s: the program is looked up on `env`'s PATH, the child leads its own session and process
    group, and on the time limit (TimeoutError), Ctrl-C or any error the group is killed and the
    child reaped. No cwd: posix_spawn has none (git takes `-C`). Where there is no posix_spawn
    (Windows), `run` does it."""
    if not hasattr(os, "posix_spawn"):
        return _captured_by_run(args, timeout, env)
    import select
    import time

    env = os.environ if env is None else env
    program = _program(args[0], env)
    deadline = time.monotonic() + timeout
    out, out_end = os.pipe()  # both ends close on exec; the child's copies (1 and 2) stay open
    err, err_end = os.pipe()
    try:
        actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_DUP2, out_end, 1), (os.POSIX_SPAWN_DUP2, err_end, 2)]
        pid = os.posix_spawn(program, list(args), env, file_actions=actions, setsid=True)
    except BaseException as exc:
        for fd in (out, out_end, err, err_end):
            os.close(fd)
        if isinstance(exc, NotImplementedError):  # no new session from posix_spawn here (an older macOS)
            return _captured_by_run(args, timeout, env)
        raise
    os.close(out_end)
    os.close(err_end)
    _captured.add(pid)
    read: dict[int, list[bytes]] = {out: [], err: []}
    try:
        poller = select.poll()
        for fd in read:
            poller.register(fd, select.POLLIN)
        left = set(read)
        while left:  # until the child (and whatever it started) closes both
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError(f"{args[0]} did not finish in {timeout} seconds")
            for fd, _ in poller.poll(wait * 1000):
                data = os.read(fd, 1 << 16)
                if data:
                    read[fd].append(data)
                else:
                    poller.unregister(fd)
                    left.discard(fd)
        while not (ended := os.waitpid(pid, os.WNOHANG))[0]:  # its pipes closed a moment before it ends
            if time.monotonic() > deadline:
                raise TimeoutError(f"{args[0]} did not finish in {timeout} seconds")
            time.sleep(0.0005)
    except BaseException:
        _kill(pid)
        try:  # noqa: SIM105 (contextlib.suppress: its import is 3M instructions)
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        raise
    finally:
        _captured.discard(pid)
        os.close(out)
        os.close(err)
    return Finished(os.waitstatus_to_exitcode(ended[1]), b"".join(read[out]), b"".join(read[err]))


def _captured_by_run(args: Sequence[str], timeout: float, env: Mapping[str, str] | None) -> Finished:
    import subprocess

    try:
        done = run(args, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError(f"{args[0]} did not finish in {timeout} seconds") from exc
    return Finished(done.returncode, done.stdout, done.stderr)


def _program(name: str, env: Mapping[str, str]) -> str:
    """`name` found as execvpe finds it on `env`'s PATH (subprocess's rule), or FileNotFoundError."""
    if os.sep in name:
        return name
    for folder in os.get_exec_path(env):
        path = os.path.join(folder, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(2, "No such file or directory", name)


def _kill(group: int) -> None:
    """SIGKILL to the process group a child leads (when it is already gone, nothing)."""
    try:  # noqa: SIM105 (contextlib's import: 3M instructions)
        os.killpg(group, _SIGKILL)
    except OSError:
        pass


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    import subprocess

    _kill(process.pid)
    try:
        process.communicate(timeout=_DRAIN_SECONDS)
    except subprocess.TimeoutExpired:
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
        process.wait()
