"""Memory stays bounded whatever the input (issue 14; the README's bound): bbdiag's own peak
resident memory, measured in a child process, stays under MEMORY_BOUND_MIB on inputs that used
to take gigabytes. (git, which doctor runs, needs for a huge config what git needs: not ours.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git

MEMORY_BOUND_MIB = 100  # the README's promise for explain, scan and doctor
# The per-stretch cost is what grew without bound (a 10 MB log of hits took 6 GB): a few chunks of
# hits show the bound as well as 10 MB does, in a fraction of the time.
# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest)
# across exec, while VmHWM belongs to the new process's own memory.
_PEAK = (
    "import re, sys\n"
    "from bbdiag.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "status = open('/proc/self/status').read()\n"
    "print('\\nPEAK-KIB', re.search(r'VmHWM:\\s*(\\d+)', status).group(1), file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def peak_mib(args: list[str], cwd: Path | None = None, stdin: bytes | None = None) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """bbdiag's own peak resident memory (its process's, not git's) for one run."""
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], input=stdin, capture_output=True, cwd=cwd, timeout=300)
    line = [raw for raw in done.stderr.decode(errors="replace").splitlines() if raw.startswith("PEAK-KIB ")]
    assert line, done.stderr[-2000:]
    return int(line[-1].split()[1]) / 1024, done


def _write_lines(path: Path, line: str, count: int) -> Path:
    path.write_text(line * count)
    return path


@pytest.fixture(scope="module")
def hostile_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("logs")
    failure = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'\n"
    return {
        "gh001 a@b on every line": _write_lines(folder / "gh001.log", "gh001 a@b\n", 200_000),
        "200,000 repeated failures": _write_lines(folder / "repeated.log", failure, 100_000),  # 9.8 MB: explain's fast path too
        "a keyword and an @ every 7 bytes": _write_lines(folder / "dense.log", "gh001@\n", 200_000),
        "one 20 MB line": _write_lines(folder / "long.log", "fatal: unable to access 'https://bitbucket.org/" + "a" * 20_000_000 + "/': 403\n", 1),
    }


EXPLAIN, SCAN = ["explain", "--no-repo", "--format", "json"], ["scan", "--format", "json"]


@pytest.mark.parametrize(
    ("log", "command"),
    [
        ("gh001 a@b on every line", SCAN),
        ("a keyword and an @ every 7 bytes", SCAN),
        ("200,000 repeated failures", EXPLAIN),
        ("200,000 repeated failures", SCAN),
        ("one 20 MB line", EXPLAIN),
        ("one 20 MB line", SCAN),
    ],
)
def test_explain_and_scan(log: str, command: list[str], hostile_logs: dict[str, Path]) -> None:
    peak, done = peak_mib([*command, str(hostile_logs[log])])
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert peak < MEMORY_BOUND_MIB, f"{peak:.0f} MiB"
    if log == "200,000 repeated failures":  # kept up to a bound, the rest counted, and said
        assert b"further matching line(s) were not kept" in done.stdout


def test_doctor_with_a_huge_config_and_credential_store(tmp_path: Path, isolated: Path) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    git("remote", "add", "origin", "https://bitbucket.org/ws/r.git", cwd=repo)
    with open(isolated / ".gitconfig", "w") as config:
        config.write("[credential]\n\thelper = store\n[alias]\n")
        config.writelines(f"\ta{i} = !echo {'x' * 20} {i}\n" for i in range(200_000))  # ~8 MB: git needs 30x that itself
        config.write("\tbig = " + "y" * 300_000 + "\n")
    with open(isolated / ".git-credentials", "w") as store:
        store.writelines(f"https://user{i}:ATBB{i:032d}@host{i % 1000}.example.com\n" for i in range(300_000))  # ~23 MB
        store.write("https://jane:ATBB" + "j" * 32 + "@bitbucket.org\n")
    peak, done = peak_mib(["doctor", "--format", "json"], cwd=repo)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert peak < MEMORY_BOUND_MIB, f"{peak:.0f} MiB"
    out = done.stdout.decode()
    assert "app-password-stored" in out  # the remote's host, found after 300,000 other lines
    assert "not-all-read" in out and "more stored credential(s) were not checked" in out
    assert os.path.getsize(isolated / ".git-credentials") > 20 << 20


def test_fix_from_a_huge_transcript(tmp_path: Path, isolated: Path) -> None:
    """`fix --from` reads the transcript as explain does: streamed, not held whole (a 40 MB one took 3x its size)."""
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    git("remote", "add", "origin", "https://bitbucket.org/ws/r.git", cwd=repo)
    git("config", "--global", "http.proxy", "http://127.0.0.1:9")  # fix tries the remote: a closed loopback port
    transcript = _write_lines(
        tmp_path / "push.log", "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'\n", 400_000
    )
    peak, done = peak_mib(["fix", "--dry-run", "--from", str(transcript)], cwd=repo)
    assert done.returncode == 0, done.stderr[-2000:]
    assert b"--dry-run: nothing was changed" in done.stdout
    assert peak < MEMORY_BOUND_MIB, f"{peak:.0f} MiB"
