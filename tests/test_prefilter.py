"""The prefilter's two ways through a large log (Hyperscan on a thread of its own while the lines
are counted, or both on one thread) find the same lines as the line path, however it is chunked."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bbdiag import library, prefilter, scan
from bbdiag.normalise import Reading
from tests import noise


def summary(result: scan.ScanResult) -> list[tuple[str, str, tuple[int, int], str | None]]:
    return [(d.cause, d.host, d.lines, result.step_of(d)) for d in result.diagnoses]


@pytest.mark.parametrize("cores", [1, 2])
@pytest.mark.parametrize("chunk", [4096, prefilter.CHUNK])
def test_with_and_without_a_thread_for_hyperscan(cores: int, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    data = ("\n".join(noise.lines(2, seed=5, failure_rate=0.5)) + "\n").encode("utf-8")
    with monkeypatch.context() as patched:
        patched.setattr(prefilter, "_database_for", lambda lib: None)
        slow = scan.scan_stream(io.BytesIO(data), "ci.log", library.load())
    monkeypatch.setattr(prefilter, "_cores", lambda: cores)
    monkeypatch.setattr(prefilter, "CHUNK", chunk)
    fast = scan.scan_stream(io.BytesIO(data), "ci.log", library.load())
    assert len(fast.diagnoses) >= 3 and summary(fast) == summary(slow)
    assert fast.reading.lines == slow.reading.lines == data.count(b"\n")


def test_a_thread_only_for_a_log_of_more_than_one_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures

    started: list[int] = []

    class Counted(concurrent.futures.ThreadPoolExecutor):
        def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
            started.append(1)
            super().__init__(max_workers, thread_name_prefix)

    monkeypatch.setattr(concurrent.futures, "ThreadPoolExecutor", Counted)
    monkeypatch.setattr(prefilter, "_cores", lambda: 2)
    monkeypatch.setattr(prefilter, "CHUNK", 4096)
    failure = b"remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n"
    # A log of one chunk never starts a thread: a folder of small logs pays nothing for it.
    assert [line.number for line in prefilter.read(io.BytesIO(failure), Reading("-"), library.load())] == [1, 2]
    assert started == []
    large = b"x" * 100 + b"\n"
    numbers = [line.number for line in prefilter.read(io.BytesIO(large * 200 + failure), Reading("-"), library.load())]
    assert numbers == [201, 202] and started == [1]


def test_a_small_file_that_grows_while_it_is_read(tmp_path: Path) -> None:
    # The buffer is sized to the file when it is opened; a log still being written outgrows it.
    log = tmp_path / "ci.log"
    log.write_bytes(b"starting\n")
    failure = b"remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n"
    with open(log, "rb") as stream:
        assert prefilter._capacity(stream) == len(b"starting\n") + 1
        with open(log, "ab") as writer:
            writer.write(b"x" * 3000 + b"\n" + failure)
        reading = Reading(str(log))
        numbers = [line.number for line in prefilter.read(stream, reading, library.load())]
    assert numbers == [3, 4] and reading.lines == 4


def _executors_started_in_a_worker(data: bytes) -> int:
    """Runs in a worker process of a pool, as `scan` of several files runs there."""
    import concurrent.futures

    started: list[int] = []

    class Counted(concurrent.futures.ThreadPoolExecutor):
        def __init__(self, max_workers: int, thread_name_prefix: str) -> None:
            started.append(1)
            super().__init__(max_workers, thread_name_prefix)

    concurrent.futures.ThreadPoolExecutor = Counted  # type: ignore[misc, assignment]  # this worker's own copy of the module
    prefilter._cores = lambda: 2  # as on any machine with a second core
    list(prefilter.read(io.BytesIO(data), Reading("-"), library.load()))
    return len(started)


def test_no_thread_for_hyperscan_in_a_worker_of_the_pool() -> None:
    # The pool already puts a worker on every core: a second thread in each would take turns with them.
    import multiprocessing

    data = (b"x" * 100 + b"\n") * (3 * prefilter.CHUNK // 100)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_executors_started_in_a_worker, (data,)) == 0
