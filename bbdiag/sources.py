"""Where logs come from: files, folders (recursive, filtered by globs), .gz, .zip archives of a CI
run's logs (one log per member, its step named by the member's path), standard input.

Everything here hands out byte streams; reading them is the read stage's job. A file that is not
a regular file (a FIFO, a character device) is opened exactly once and read as one plain log:
looking inside it for a zip archive first would take data from its writer.
"""

from __future__ import annotations

import functools
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, cast

if TYPE_CHECKING:
    import zipfile


class Log(NamedTuple):
    name: str  # what the report calls it: the path, or `archive.zip!member`
    open: Callable[[], AbstractContextManager[BinaryIO]]
    step: str | None  # the CI step the log is of, when its name says so (GitHub Actions' archives)
    in_archive: bool  # a member: what makes it unreadable leaves the other members readable


# What an archive member can fail with when it is opened or read: encrypted (RuntimeError), a
# compression method zipfile lacks (NotImplementedError), corrupt.
MEMBER_ERRORS: tuple[type[BaseException], ...] = (RuntimeError, NotImplementedError, EOFError, OSError, ValueError)


def why_unreadable(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError):  # zipfile's only RuntimeError here: a password is needed
        return "it is encrypted (bbdiag asks for no passwords)"
    if isinstance(exc, NotImplementedError):
        return "it uses a compression method Python's zipfile does not support"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def files(paths: Iterable[Path], include: Iterable[str] = (), exclude: Iterable[str] = ()) -> Iterator[Path]:
    """Files named, and every file below folders named, filtered by glob patterns (folders only)."""
    include, exclude = list(include), list(exclude)
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                relative = PurePosixPath(child.relative_to(path).as_posix())
                if include and not any(relative.match(g) or child.match(g) for g in include):
                    continue
                if any(relative.match(g) or child.match(g) for g in exclude):
                    continue
                yield child
        else:
            yield path


@contextmanager
def logs(path: Path, on_read: Callable[[int], None] | None = None) -> Iterator[Iterator[Log]]:
    """The logs in one file: the file itself, its decompressed content (.gz), or each member (.zip).

    `on_read` hears how many bytes of the file itself were read (a progress bar's feed). Members
    of an archive are opened one at a time, as the caller asks for them.
    """
    name = str(path)
    regular = stat.S_ISREG(os.stat(path).st_mode)
    if regular and (path.suffix == ".zip" or (path.suffix not in (".gz", ".log", ".txt") and _is_zip(path))):
        import zipfile

        with zipfile.ZipFile(path) as archive:
            yield _members(archive, name)
        return
    with open(path, "rb") as raw:
        counted = cast(BinaryIO, _Counting(raw, on_read)) if on_read else raw
        if path.suffix == ".gz":
            import gzip

            with gzip.open(counted, "rb") as handle:
                yield iter([Log(name, lambda: nullcontext(cast(BinaryIO, handle)), None, False)])
            return
        yield iter([Log(name, lambda: nullcontext(counted), None, False)])


def plain(path: Path) -> bool:
    """A regular file that `logs` reads as it is (not a .gz, not a .zip)."""
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
    return regular and path.suffix not in (".gz", ".zip") and (path.suffix in (".log", ".txt") or not _is_zip(path))


def _is_zip(path: Path) -> bool:
    import zipfile

    return zipfile.is_zipfile(path)


def _members(archive: zipfile.ZipFile, name: str) -> Iterator[Log]:
    for member in archive.infolist():
        if not member.is_dir():
            opener = functools.partial(archive.open, member)
            yield Log(f"{name}!{member.filename}", cast(Callable[[], AbstractContextManager[BinaryIO]], opener), step_from_member(member.filename), True)


def step_from_member(member: str) -> str | None:
    """GitHub Actions archives: `job name/3_Push changes.txt` -> `job name / Push changes`."""
    parts = PurePosixPath(member).parts
    stem = PurePosixPath(parts[-1]).stem
    step = re.sub(r"^\d+_", "", stem)
    return f"{parts[-2]} / {step}" if len(parts) > 1 else step


def size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def prefixed(head: bytes, rest: BinaryIO) -> BinaryIO:
    """`rest` with `head` (already read from it) put back in front."""
    return cast(BinaryIO, _Prefixed(head, rest))


class _Prefixed(io.RawIOBase):
    """A stream with bytes already read put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.head:
            count = min(len(buffer), len(self.head))
            buffer[:count] = self.head[:count]
            self.head = self.head[count:]
            return count
        readinto = getattr(self.rest, "readinto", None)
        if readinto is not None:
            return int(readinto(buffer) or 0)
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0:
                data, self.head = self.head + self.rest.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            if len(data) < size:
                data += self.rest.read(size - len(data))
            return data
        return self.rest.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None else size
        if self.head:
            newline = self.head.find(b"\n")
            if newline != -1 and (limit < 0 or newline < limit):
                data, self.head = self.head[: newline + 1], self.head[newline + 1 :]
                return data
            data, self.head = self.head, b""
            more = self.rest.readline(-1 if limit < 0 else max(0, limit - len(data)))
            return data + more
        return self.rest.readline(limit)

    def peek(self, size: int = 0) -> bytes:
        return self.head


class _Counting(io.RawIOBase):
    """A file that reports how much of it has been read."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None]) -> None:
        self.raw, self.on_read = raw, on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = int(self.raw.readinto(buffer) or 0)  # type: ignore[attr-defined]
        self.on_read(count)
        return count

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.on_read(len(data))
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = self.raw.readline(-1 if size is None else size)
        self.on_read(len(data))
        return data
