"""`bbdiag run -- git push …`: run a command, show its output live, explain it if it fails.

This catches what no credential helper hears (HTTP 410 and 403 never reach `erase`). When
stderr is a terminal the command gets a pseudo-terminal for its stderr, so git keeps its
progress display; the output is copied through unchanged and its tail (bounded) kept for the
explanation. bbdiag exits with the command's own exit code, whatever happens to bbdiag.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO, TextIO

TAIL = 4 << 20  # the failure is at the end: keep the last 4 MiB of output


class Tail:
    """The last `limit` bytes written, in bounded memory."""

    def __init__(self, limit: int = TAIL) -> None:
        self.limit = limit
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        while self.size - len(self.chunks[0]) >= self.limit:
            self.size -= len(self.chunks.pop(0))

    def value(self) -> bytes:
        data = b"".join(self.chunks)
        return data[-self.limit :]


def run(command: Sequence[str], out: BinaryIO | None = None) -> tuple[int, bytes]:
    """Run `command` with its stderr copied to ours (through a pty on a terminal); return (code, stderr tail).

    The code is the child's own: negative when a signal ended it."""
    out = out or sys.stderr.buffer
    tail = Tail()
    use_pty = os.name == "posix" and _isatty(out)
    if use_pty:
        import pty

        master, child_side = pty.openpty()
        _copy_window_size(out, child_side)
        process = subprocess.Popen(list(command), stderr=child_side)
        os.close(child_side)
        source = master
    else:
        process = subprocess.Popen(list(command), stderr=subprocess.PIPE)
        assert process.stderr is not None
        source = process.stderr.fileno()
    try:
        while True:
            try:
                data = os.read(source, 65536)
            except OSError:  # EIO: the pty's other side closed
                break
            if not data:
                break
            out.write(data)
            out.flush()
            tail.add(data)
    except KeyboardInterrupt:
        process.wait()
        raise
    finally:
        if use_pty:
            os.close(source)
    return process.wait(), tail.value()


def _isatty(stream: BinaryIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _copy_window_size(out: BinaryIO, child_side: int) -> None:
    try:
        import fcntl
        import termios

        size = fcntl.ioctl(out.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
        fcntl.ioctl(child_side, termios.TIOCSWINSZ, size)
    except (OSError, ValueError, ImportError):
        pass


def explain_output(command: Sequence[str], output: bytes, fmt: str, out: TextIO) -> bool:
    """Explain captured output on `out`; True when something was recognised.

    The command line goes first, as line 1, as in a pasted transcript: its URL often names the host.
    """
    import shlex

    from bbdiag import library, pipeline
    from bbdiag.render import renderer, view

    label = " ".join(command[:3])
    transcript = f"$ {shlex.join(command)}\n".encode("utf-8", "surrogateescape") + output
    result = pipeline.diagnose_stream(io.BytesIO(transcript), label, library.load())
    if not result.diagnoses:
        return False
    report = view.build(label, pipeline.fitted_remedies(result.diagnoses), [])
    if fmt != "json":
        out.write("\n")  # after git's own last line
    renderer(fmt, out, "render")(report, out)
    return True


# The subcommand is the first argument that is not one of git's own options (-c k=v, -C dir, --…).
# While bbdiag is installed the function runs `bbdiag run`; once it is gone (uninstalled, its
# virtualenv deleted), plain git, exactly as without bbdiag.
SHELL_INIT = {
    "bash": """# bbdiag: explain failed git push/pull/fetch/clone.  eval "$(bbdiag shell-init bash)"
git() {
  local sub="" skip="" arg
  for arg in "$@"; do
    if [ -n "$skip" ]; then skip=""; continue; fi
    case "$arg" in
      -c|-C) skip=1 ;;
      -*) ;;
      *) sub="$arg"; break ;;
    esac
  done
  case "$sub" in
    push|pull|fetch|clone)
      if {guard}; then command {bbdiag} run -- git "$@"; else command git "$@"; fi ;;
    *) command git "$@" ;;
  esac
}
""",
    "fish": """# bbdiag: explain failed git push/pull/fetch/clone.  bbdiag shell-init fish | source
function git --wraps git
    set -l sub ""
    set -l skip 0
    for arg in $argv
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $arg
            case -c -C
                set skip 1
            case '-*'
            case '*'
                set sub $arg
                break
        end
    end
    switch $sub
        case push pull fetch clone
            if {guard}
                command {bbdiag} run -- git $argv
            else
                command git $argv
            end
        case '*'
            command git $argv
    end
end
""",
}
SHELL_INIT["zsh"] = SHELL_INIT["bash"].replace("shell-init bash", "shell-init zsh")


def shell_init(shell: str) -> str:
    """The shell snippet: this very bbdiag, isolated (`launch`), and plain git once it is gone."""
    from bbdiag import launch

    return SHELL_INIT[shell].replace("{guard}", launch.sh_guard()).replace("{bbdiag}", launch.sh_command(gone=launch.RUN_GIT))
