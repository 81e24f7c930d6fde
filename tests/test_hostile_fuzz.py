"""Fuzz-style (issue 14): generated hostile text, seeded and bounded in time, through every entry
point and format. Each run must: print no traceback; exit with a documented code; show no planted
secret (nor a long piece of one) on stdout, stderr or in a file it writes; put no byte on stdout
or stderr that drives a terminal; and stay under the README's memory bound (its own peak RSS,
measured in the child process).

BBDIAG_FUZZ_SEED picks the seed (a failure prints it), BBDIAG_FUZZ_CASES how many inputs.
`bbdiag run` passes the command's own output through unchanged, by design: what it adds after
that (its explanation, on stderr, stdout or in --output's file) is held to the same rules.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import git
from tests.test_hostile_memory import MEMORY_BOUND_MIB, peak_mib

SEED = int(os.environ.get("BBDIAG_FUZZ_SEED", "14"))
CASES = int(os.environ.get("BBDIAG_FUZZ_CASES", "2"))
TIME_BUDGET = 240.0  # seconds for all cases together: a slow machine runs fewer, never longer
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# What may drive a terminal: ESC, the other C0 controls but tab and newline, DEL, C1 controls
# (raw and UTF-8 encoded), bidi overrides and isolates.
_TERMINAL_BYTES = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xd8\x9c")
FAILED = 128  # what the command `bbdiag run` wraps exits with (git's own code for a fatal error)
_EXIT_CODES = {"explain": {0, 1}, "scan": {0, 1}, "doctor": {0, 1}, "patterns": {0, 1}, "observer": {0}, "hook": {0, 98, 99}, "run": {FAILED}, "fix": {0, 1}}

ESCAPES = [
    "\x1b]0;owned\x07",
    "\x1b]2;owned\x1b\\",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]52;c;ZWNobyBvd25lZA==\x07",
    "\x1b[2J",
    "\x1b[6n",
    "\x1bP+q544e\x1b\\",
    "\u009b2J",
    "\u009d0;owned\u009c",
    "\u202e",
    "\u2066",
    "\r",
    "\x08\x08\x08",
    "\x07",
    "[/bold][link=x]",
    "\ufffe\uffff",
]


class Case(NamedTuple):
    seed: int
    text: str  # a log: git failures, secrets, escapes, noise
    secrets: tuple[str, ...]  # every secret planted in the case, whole
    name: str  # a hostile name: zip members, CI steps, URL user names


def _token(rng: random.Random, prefix: str, length: int) -> str:
    return prefix + "".join(rng.choice(ALPHABET) for _ in range(length))


def generate(seed: int) -> Case:
    rng = random.Random(seed)
    tokens = [
        _token(rng, "ATBB", 32),
        _token(rng, "ATATT3", 180),
        _token(rng, "ATCTT3", 180),
        _token(rng, "BBDC-", 44),
        _token(rng, "ghp_", 36),
        _token(rng, "github_pat_", 82),
        _token(rng, "glpat-", 20),
    ]
    password = "".join(rng.choice(ALPHABET) for _ in range(12))
    hostile_passwords = [password + "'q", password[:6] + "@" + password[6:], password + ":x/y%41"]
    escape = rng.choice(ESCAPES)
    name = f"step {escape} {rng.choice(ESCAPES)} [red]x[/red]"
    lines: list[str] = []
    for _ in range(rng.randint(20, 60)):
        kind = rng.randrange(12)
        token = rng.choice(tokens)
        if kind == 0:
            lines += ["remote: Invalid credentials", f"fatal: Authentication failed for 'https://jane:{rng.choice(hostile_passwords)}@bitbucket.org/ws/r.git/'"]
        elif kind == 1:
            lines.append(
                f"fatal: unable to access 'https://x-token-auth:{token}@bitbucket.org/ws/{'a' * rng.randint(1, 400)}.git/': The requested URL returned error: 403"
            )
        elif kind == 2:  # a token wrapped by an 80-column terminal
            line = f"remote: Invalid username or token. {escape} Password authentication is not supported: {token} fatal: x"
            lines += [line[i : i + 80] for i in range(0, len(line), 80)]
        elif kind == 3:
            lines.append(f"> Authorization: {rng.choice(['Basic', 'Bearer', 'token'])} {token}")
        elif kind == 4:
            lines += [f"password={rng.choice(hostile_passwords)}", f"Password for 'https://jane@bitbucket.org': {password}"]
        elif kind == 5:
            lines.append(f"##[group]Run {name}")
        elif kind == 6:
            lines.append(f"remote: {escape}Permission to ws/r.git denied to jane{rng.choice(ESCAPES)}.")
        elif kind == 7:
            lines.append("fatal: unable to access 'https://github.com/o/r.git/': The requested URL returned error: 403")
        elif kind == 8:
            lines.append(rng.choice(ESCAPES) * rng.randint(1, 50) + " ".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 3000))))
        elif kind == 9:
            lines.append(f"git@bitbucket.org: Permission denied (publickey). {escape}")
        elif kind == 10:
            lines.append(f"2026-11-28T10:00:00.0000000Z remote: {token} is not a valid token")
        else:
            lines.append("fatal: Could not read from remote repository.")
    secrets = (*tokens, password, *hostile_passwords)
    return Case(seed, "\n".join(lines) + "\n", secrets, name)


def _leaks(data: bytes, secrets: tuple[str, ...]) -> list[str]:
    """Each planted secret found whole, or as a piece of 10 or more characters (a cut or a wrap)."""
    text = data.decode("utf-8", "replace")
    found = []
    for secret in secrets:
        pieces = {secret} | {secret[i : i + 10] for i in range(0, max(1, len(secret) - 9), 5)} if len(secret) > 12 else {secret}
        found += [piece for piece in pieces if piece in text]
    return found


def _check(case: Case, entry: str, args: list[str], cwd: Path, stdin: bytes | None = None, written: tuple[Path, ...] = (), passed_through: bytes = b"") -> None:
    """`passed_through`: what the command `bbdiag run` wraps writes to stderr, which comes first there, unchanged."""
    peak, done = peak_mib(args, cwd=cwd, stdin=stdin)
    where = f"seed {case.seed}, bbdiag {' '.join(a[:60] for a in args)}"
    assert b"Traceback" not in done.stderr, f"{where}: {done.stderr[-3000:]!r}"
    assert done.returncode in _EXIT_CODES[entry], f"{where}: exit {done.returncode}: {done.stderr[-2000:]!r}"
    assert done.stderr.startswith(passed_through), f"{where}: the command's output was not passed through unchanged"
    stderr = done.stderr[len(passed_through) :]
    for label, data in (("stdout", done.stdout), ("stderr", stderr), *((str(p), p.read_bytes()) for p in written if p.exists())):
        assert not _leaks(data, case.secrets), f"{where}: {label} shows {_leaks(data, case.secrets)[:3]}"
        if label in ("stdout", "stderr"):
            assert not _TERMINAL_BYTES.search(data.replace(b"PEAK-KIB", b"")), f"{where}: {label} holds {_TERMINAL_BYTES.search(data)!r}"
    assert peak < MEMORY_BOUND_MIB, f"{where}: {peak:.0f} MiB"


def _repository(case: Case, folder: Path, home: Path) -> Path:
    repo = folder / "repo"
    git("init", "-q", str(repo))
    user = "".join(f"%{b:02x}" for b in case.name.encode()[:40])  # a percent-encoded user name full of escapes
    git("remote", "add", "origin", f"https://{user}@bitbucket.org/ws/r.git", cwd=repo)
    git("remote", "add", "leaky", f"https://jane:{case.secrets[-1]}@bitbucket.org/ws/r.git", cwd=repo)
    git("config", "--global", "credential.helper", "store")
    git("config", "--global", "http.proxy", "http://127.0.0.1:9")  # fix tries the remotes: a closed loopback port, no network
    git("config", "credential.helper", f"nosuch-helper --token {case.secrets[6]}", cwd=repo)
    (home / ".git-credentials").write_text("".join(f"https://jane:{s}@bitbucket.org\n" for s in case.secrets))
    return repo


def test_hostile_text_through_every_entry_point(tmp_path: Path, isolated: Path) -> None:
    started = time.monotonic()
    for number in range(CASES):
        if time.monotonic() - started > TIME_BUDGET:
            break
        case = generate(SEED + number)
        folder = tmp_path / f"case{number}"
        folder.mkdir()
        log = folder / "ci.log"
        log.write_text(case.text, encoding="utf-8", errors="surrogatepass")
        archive = folder / "logs.zip"
        with zipfile.ZipFile(archive, "w") as handle:
            handle.writestr(f"job/1_{case.name}.txt", case.text)
            handle.writestr(f"{case.name}/2_[/]{case.name}.txt", case.text)
        repo = _repository(case, folder, isolated)
        for fmt in ("text", "json", "terminal"):
            _check(case, "explain", ["explain", "--format", fmt, str(log)], repo)
            _check(case, "explain", ["explain", "--format", fmt], repo, stdin=case.text.encode())
        for fmt in ("terminal", "text", "json", "jsonl", "sarif", "github", "gitlab", "junit", "bitbucket"):
            report, summary = folder / f"report.{fmt}", folder / f"summary.{fmt}.md"
            _check(case, "scan", ["scan", "--format", fmt, str(log), str(archive)], repo)
            _check(case, "scan", ["scan", "--format", fmt, "-o", str(report), "--summary", str(summary), str(archive)], repo, written=(report, summary))
        for fmt in ("text", "json", "terminal"):
            _check(case, "doctor", ["doctor", "--format", fmt], repo)
        _check(case, "patterns", ["patterns", "--test", str(log)], repo)
        erase = f"protocol=https\nhost=bitbucket.org\nusername={case.name}\npassword={case.secrets[0]}\nwwwauth[]=Basic realm={case.name}\n\n"
        observer = subprocess.run([sys.executable, "-m", "bbdiag.observer", "erase"], input=erase.encode(), capture_output=True, cwd=repo, timeout=60)
        assert b"Traceback" not in observer.stderr and not _leaks(observer.stderr + observer.stdout, case.secrets), (case.seed, observer.stderr[-2000:])
        assert not _TERMINAL_BYTES.search(observer.stderr), (case.seed, observer.stderr[-2000:])
        _check(case, "hook", ["hook", "pre-push", "leaky", f"https://jane:{case.secrets[-1]}@bitbucket.org/ws/r.git"], repo, stdin=b"")
        _check(case, "fix", ["fix", "--dry-run"], repo)
        _check(case, "fix", ["fix", "--dry-run", "--from", str(log)], repo)  # 1: a failure fix does not repair, explain's remedy said
        failing = ["sh", "-c", f'cat "$0" >&2; exit {FAILED}', str(log)]  # a git command that failed with this output
        raw = log.read_bytes()
        for fmt in ("text", "terminal"):
            _check(case, "run", ["run", "--format", fmt, "--", *failing], repo, passed_through=raw)
        report = folder / "run.json"
        _check(case, "run", ["run", "--format", "json", "--", *failing], repo, passed_through=raw)
        _check(case, "run", ["run", "--format", "json", "--output", str(report), "--", *failing], repo, passed_through=raw, written=(report,))


@pytest.mark.parametrize("seed", range(50))
def test_the_generator_plants_what_it_says(seed: int) -> None:
    """The fuzz test can fail: each case holds its secrets and escapes in the raw text."""
    case = generate(seed)
    assert any(secret in case.text for secret in case.secrets)
    assert _leaks(case.text.encode(), case.secrets)
    assert _TERMINAL_BYTES.search((case.text + case.name).encode("utf-8", "surrogatepass"))
