"""`bbdiag scan`: every git failure in CI logs, in one report (text, JSON, SARIF, CI annotations).

Several files are scanned on every core: the files go to the workers in batches (a worker loads
the library once, and a folder of small logs costs per log what it costs to scan it), in order,
so the report lists them as named. What is wrong with the call (a missing input, an empty glob,
an output file that cannot be written) is said before anything is scanned; Ctrl-C stops the
workers and says so in one line.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from typing import TYPE_CHECKING, NamedTuple, TextIO, cast

from bbdiag.render import auto_format, renderer
from bbdiag.usage import UsageError

if TYPE_CHECKING:
    import multiprocessing.pool

    from bbdiag.render.view import ScanView, SourceView
    from bbdiag.scan import PartScan

EXIT_CLEAN, EXIT_GATED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
POOL_AFTER_BYTES = 4 << 20  # less than this in all is scanned here: starting workers costs more
POOL_AFTER_FILES = 32  # ... unless there are this many files
BATCH_FILES = 64  # at most this many files per batch


def run(args: argparse.Namespace) -> int:
    from bbdiag import knowledge, sources
    from bbdiag.render.view import ScanView

    try:
        knowledge.today(args.as_of)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    for option, globs in (("--include", args.include), ("--exclude", args.exclude)):
        if any(not g.strip() for g in globs):
            raise UsageError(f"{option} '': an empty pattern matches nothing; give a glob such as '*.log'")
    names = args.paths or ["-"]
    for name in names:
        if name != "-" and not os.path.exists(name):
            raise UsageError(f"{name}: no such file or directory")
    if "-" in names and (sys.stdin is None or sys.stdin.isatty()):
        raise UsageError("no input: name log files or folders, or pipe a log in")
    from pathlib import Path

    with ExitStack() as stack:
        out = _writable(args.output, stack, "w") if args.output else sys.stdout
        fmt = auto_format(args.format, out)
        summary_path = args.summary or (os.environ.get("GITHUB_STEP_SUMMARY") if fmt == "github" else None)
        summary = _writable(summary_path, stack, "a") if summary_path else None
        files = [str(p) for p in sources.files([Path(n) for n in names if n != "-"], args.include, args.exclude)]
        views: list[SourceView] = []
        if "-" in names:
            from bbdiag import scan

            views += scan.views_of([scan.scan_stream(sys.stdin.buffer, "-")], args.as_of)
        kept: list[SourceView] = []
        arriving = _kept(itertools.chain(views, scan_files(files, args.jobs, args.as_of)), kept)
        try:
            streamed = _streamed(fmt)
            if streamed is not None:  # written as the files finish
                streamed(arriving, out)
            else:
                _render(ScanView(tuple(arriving)), fmt, out)
            report = ScanView(tuple(kept))
            if summary is not None:
                from bbdiag.render import annotations

                summary.write(annotations.github_summary(report))
            out.flush()
            if summary is not None:
                summary.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            for handle in (out, summary):
                _abandon(handle)
            raise UsageError(f"cannot write the report: {exc.strerror or exc}") from exc
    found = report.diagnoses
    if (args.fail_on == "any" and found) or (args.fail_on == "auth" and any(d.auth for d in found)):
        return EXIT_GATED
    return EXIT_CLEAN


def _abandon(handle: TextIO | None) -> None:
    """Give up on a report that cannot be written: no second error when it is closed at exit."""
    if handle is None:
        return
    if handle is sys.stdout:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # what is still buffered goes nowhere, quietly
        os.close(devnull)
        return
    with suppress(OSError):
        handle.close()  # closes the file even when its last flush fails


def _writable(path: str, stack: ExitStack, mode: str) -> TextIO:
    """`path` opened for the report, or a UsageError naming why it cannot be: before any scanning."""
    if os.path.isdir(path):
        raise UsageError(f"{path}: is a directory; name a file to write the report to")
    parent = os.path.dirname(path) or "."
    if not os.path.isdir(parent):
        raise UsageError(f"{path}: no such directory: {parent}")
    try:
        handle = stack.enter_context(open(path, mode, encoding="utf-8"))  # noqa: SIM115 - the stack closes it
        return cast(TextIO, handle)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be written: {exc.strerror or exc}") from exc


def _kept(sources: Iterable[SourceView], into: list[SourceView]) -> Iterator[SourceView]:
    """`sources` as they come, each also kept in `into` (for the summary and the exit status)."""
    for source in sources:
        into.append(source)
        yield source


def _streamed(fmt: str) -> Callable[[Iterable[SourceView], TextIO], None] | None:
    """The renderer that writes the report as each log's arrives, for formats that can."""
    from bbdiag.render import json as json_renderer

    return {"json": json_renderer.stream_scan, "jsonl": json_renderer.stream_scan_jsonl}.get(fmt)


def scan_files(files: Sequence[str], jobs: int = 0, as_of: str | None = None) -> Iterator[SourceView]:
    """Every file's report, in order, as each is ready: on every core when there is enough to do
    (small files in batches, a large log in parts), with a progress bar on a terminal."""
    from bbdiag import sources

    sizes = [sources.size(f) for f in files]
    total = sum(sizes)
    cores = jobs or os.cpu_count() or 1
    tasks = list(_tasks(files, sizes, cores)) if cores > 1 else []
    workers = min(cores, len(tasks))
    if workers > 1 and (total > POOL_AFTER_BYTES or len(files) >= POOL_AFTER_FILES):
        pool = _pool(workers)  # before the progress bar's thread starts: a forked worker copies no thread
        with _progress(total) as advance:
            for batch_views, batch_bytes in _on_every_core(pool, tasks, as_of):
                yield from batch_views
                if advance:
                    advance(batch_bytes)
    else:
        with _progress(total) as advance:
            for name in files:
                yield from scan_file(name, as_of, advance)


def _pool(workers: int) -> multiprocessing.pool.Pool:
    """The workers, started once. On Linux they are forked from this process once it has loaded
    what every log's scan needs (bbdiag.scan.prepare), so each starts with it; a spawned worker
    imports bbdiag and loads the library, the Hyperscan database and the knowledge again, which
    was most of a scan of many small logs on two cores. Elsewhere fork is not safe: spawned."""
    import multiprocessing

    if sys.platform == "linux":
        from bbdiag import scan

        scan.prepare()
        return multiprocessing.get_context("fork").Pool(workers, initializer=_worker_start)
    return multiprocessing.get_context("spawn").Pool(workers, initializer=_worker_start)


class _Part(NamedTuple):
    """A task: one range of a large log (bbdiag.scan.parts_of)."""

    name: str
    start: int
    stop: int
    last: bool  # the log's last part: then its report can be made


Task = list[str] | _Part  # a batch of files, or a part of one


def _tasks(files: Sequence[str], sizes: list[int], cores: int) -> Iterator[tuple[Task, int]]:
    """(task, bytes) in the files' order: each large log in parts, one per core; the files
    between them in batches."""
    from pathlib import Path

    from bbdiag import scan

    between: list[tuple[str, int]] = []
    for name, size in zip(files, sizes, strict=True):
        ranges = scan.parts_of(Path(name), size, cores)
        if ranges is None:
            between.append((name, size))
            continue
        if between:
            yield from _batches([n for n, _ in between], [b for _, b in between], cores)
            between = []
        for index, (start, stop) in enumerate(ranges):
            yield _Part(name, start, stop, index + 1 == len(ranges)), stop - start
    if between:
        yield from _batches([n for n, _ in between], [b for _, b in between], cores)


def _on_every_core(pool: multiprocessing.pool.Pool, tasks: list[tuple[Task, int]], as_of: str | None) -> Iterator[tuple[list[SourceView], int]]:
    """(views, bytes) per task, in the files' order (a log in parts when its last part is in),
    each task one of `pool`'s (closed at the end)."""
    parts: list[PartScan | list[SourceView]] = []
    try:
        for result, (task, task_bytes) in zip(pool.imap(_scan_task, [(task, as_of) for task, _ in tasks]), tasks, strict=True):
            if not isinstance(task, _Part):
                yield cast("list[SourceView]", result), task_bytes
                continue
            parts.append(result)
            if task.last:
                yield _joined(task.name, parts, as_of), task_bytes
                parts = []
            else:
                yield [], task_bytes
        pool.close()
    except BaseException:
        pool.terminate()  # Ctrl-C, a broken pipe: the workers stop now, not after their batch
        raise
    finally:
        pool.join()


def _joined(name: str, parts: list[PartScan | list[SourceView]], as_of: str | None) -> list[SourceView]:
    """The views of a log scanned in parts; a part that could not be read is the log's note."""
    from bbdiag import scan

    unreadable = [p for p in parts if isinstance(p, list)]
    if unreadable:
        return unreadable[0]
    return scan.views_of([scan.joined(name, cast("list[PartScan]", parts))], as_of)


def _batches(files: list[str], sizes: list[int], workers: int) -> Iterator[tuple[list[str], int]]:
    """Consecutive files in batches of about a quarter of each worker's share (so both cores stay
    busy to the end), at most BATCH_FILES files each."""
    share = max(1, sum(sizes) // (workers * 4))
    batch: list[str] = []
    batch_bytes = 0
    for name, size in zip(files, sizes, strict=True):
        batch.append(name)
        batch_bytes += size
        if batch_bytes >= share or len(batch) >= BATCH_FILES:
            yield batch, batch_bytes
            batch, batch_bytes = [], 0
    if batch:
        yield batch, batch_bytes


def _worker_start() -> None:
    """A worker leaves Ctrl-C to the parent, which stops it (no traceback from every worker)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _scan_task(job: tuple[Task, str | None]) -> list[SourceView] | PartScan:
    task, as_of = job
    if isinstance(task, _Part):
        try:
            from bbdiag import scan

            return scan.scan_part(task.name, task.start, task.stop)
        except OSError as exc:
            return _unreadable(task.name, exc)
    return [view for name in task for view in scan_file(name, as_of)]


def scan_file(name: str, as_of: str | None = None, advance: Callable[[int], None] | None = None) -> list[SourceView]:
    """One file's views; a file that cannot be read is a note in the report, not the end of the scan."""
    import zipfile
    import zlib

    from bbdiag import scan

    try:
        return scan.scan_file_views(name, as_of, advance)
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error) as exc:  # unreadable, corrupt .gz or .zip
        return _unreadable(name, exc)


def _unreadable(name: str, exc: Exception) -> list[SourceView]:
    from bbdiag.render.view import SourceView

    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return [SourceView(name, 0, (), (f"could not be read: {reason}",))]


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar's `advance(bytes)` while a large scan runs on a terminal; None otherwise."""
    if not (sys.stderr.isatty() and total > 32 << 20):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

    columns = ("scanning", BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn())
    # On stderr, never stdout: stdout may be the report a tool reads.
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("scan", total=total)
        yield lambda count: bar.update(task, advance=count)


def _render(report: ScanView, fmt: str, out: TextIO) -> None:
    from bbdiag.render import annotations, sarif
    from bbdiag.render import json as json_renderer

    ci_formats: dict[str, Callable[[ScanView, TextIO], None]] = {
        "jsonl": json_renderer.render_scan_jsonl,
        "sarif": sarif.render,
        "github": annotations.github,
        "gitlab": annotations.gitlab,
        "junit": annotations.junit,
        "bitbucket": annotations.bitbucket,
    }
    (ci_formats.get(fmt) or renderer(fmt, out, "render_scan"))(report, out)
