"""`bbdiag scan` as a command: what is wrong with the call is one line and exit 2 before anything
is scanned; a FIFO is read once; Ctrl-C stops every worker with one line and exit 130."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bbdiag.commands import scan as scan_command
from tests.conftest import FIXTURES, bbdiag

LOG = FIXTURES / "ci" / "jenkins-console.txt"


def one_clear_line(done: subprocess.CompletedProcess[str], says: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and says in done.stderr and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("option", ["--include", "--exclude"])
def test_an_empty_glob_is_a_usage_error(option: str, tmp_path: Path) -> None:
    one_clear_line(bbdiag("scan", option, "", str(tmp_path)), "empty pattern")


def test_an_output_that_cannot_be_written_is_said_before_scanning(tmp_path: Path) -> None:
    one_clear_line(bbdiag("scan", "-o", str(tmp_path / "missing" / "report.json"), str(LOG)), "no such directory")
    one_clear_line(bbdiag("scan", "-o", str(tmp_path), str(LOG)), "is a directory")
    one_clear_line(bbdiag("scan", "--format", "github", "--summary", str(tmp_path), str(LOG)), "is a directory")
    # Said before the scan: a folder that would take long to scan is not read at all.
    started = time.monotonic()
    one_clear_line(bbdiag("scan", "-o", str(tmp_path / "missing" / "r.json"), "/usr"), "no such directory")
    assert time.monotonic() - started < 20


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_one_line() -> None:
    one_clear_line(bbdiag("scan", "--format", "json", "-o", "/dev/full", str(LOG)), "No space left on device")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_with_a_writer_is_read_once_and_ends(tmp_path: Path) -> None:
    for attempt in range(5):  # the race it had hit about one run in three
        fifo = tmp_path / f"pipe{attempt}"
        os.mkfifo(fifo)

        def write(path: Path = fifo) -> None:
            with open(path, "wb") as handle:
                handle.write(LOG.read_bytes())

        writer = threading.Thread(target=write)
        writer.start()
        done = bbdiag("scan", "--format", "json", str(fifo))
        writer.join(timeout=10)
        assert done.returncode == 0, done.stderr
        assert [d["cause"] for d in json.loads(done.stdout)["diagnoses"]] == ["credentials-rejected"]


def interrupt_scan(*args: str) -> None:
    """Ctrl-C two seconds into `bbdiag scan ARGS`: one line, exit 130, and no worker left running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bbdiag", "scan", "--format", "json", "--jobs", "2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C reaches bbdiag and its workers, as on a terminal
    )
    time.sleep(2)
    assert process.poll() is None, "still scanning when interrupted"
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err == "bbdiag scan: interrupted\n", err
    for _ in range(50):  # the workers are in the group: once they are gone, nothing answers
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("a scan worker outlived the interrupted scan")


def test_ctrl_c_during_a_scan_of_several_files_is_one_line_and_130(tmp_path: Path) -> None:
    logs = []
    for n in range(8):
        log = tmp_path / f"{n}.log"
        log.write_bytes(b"remote: Invalid credentials\n" * 100_000)  # every line a hit: seconds a file
        logs.append(str(log))
    interrupt_scan(*logs)


def test_ctrl_c_during_a_scan_of_one_log_in_parts_is_one_line_and_130(tmp_path: Path) -> None:
    from bbdiag import scan

    log = tmp_path / "big.log"
    line = b"remote: Invalid credentials\n"
    log.write_bytes(line * (scan.PART_AFTER_BYTES // len(line) + 100_000))  # split across the workers
    assert scan.parts_of(log, log.stat().st_size, 2), "scanned in parts"
    interrupt_scan(str(log))


def test_files_go_to_the_workers_in_batches_in_order() -> None:
    names = [f"{n}.log" for n in range(300)]
    batches = list(scan_command._batches(names, [1000] * 300, 2))
    assert [n for batch, _ in batches for n in batch] == names
    assert all(len(batch) <= scan_command.BATCH_FILES for batch, _ in batches) and len(batches) >= 8
    big = list(scan_command._batches(["a", "b", "c"], [10 << 20, 1, 10 << 20], 2))
    assert [batch for batch, _ in big] == [["a"], ["b", "c"]]
