"""The command line as people use it: formats, exit codes, bad input, golden output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bbdiag import usage
from tests.conftest import CASES

GOLDEN = Path(__file__).parent / "golden"


def run(args: list[str], stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bbdiag", *args], input=stdin, capture_output=True, env={**os.environ, **(env or {})}, timeout=120)


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"output changed; UPDATE_GOLDEN=1 rewrites {path.name} if that is intended"


def test_explain_from_stdin_plain_text_golden() -> None:
    done = run(["explain", "--no-repo"], stdin=(CASES / "p001.txt").read_bytes())
    assert done.returncode == usage.EXIT_EXPLAINED
    golden("p001.txt", done.stdout.decode())


def test_explain_terminal_golden(capsys: pytest.CaptureFixture[str]) -> None:
    from bbdiag import library, pipeline
    from bbdiag.render import terminal, view

    result = pipeline.diagnose_text((CASES / "p028.txt").read_text(), "p028.txt", library.load())
    out = io.StringIO()
    terminal.render(view.build("p028.txt", pipeline.remedies(result.diagnoses), []), out, width=100, color=False)
    golden("p028-terminal.txt", out.getvalue())


def test_json_output_follows_the_contract() -> None:
    done = run(["explain", "--format", "json", "--no-repo", str(CASES / "p040.txt")])
    doc = json.loads(done.stdout)
    assert doc["version"] == 1
    first, second = doc["diagnoses"]
    assert (first["cause"], first["host"], first["auth"]) == ("account-password-rejected", "github", True)
    assert second["cause"] == "repository-not-found"
    assert first["lines"] == [1, 3] and first["source"].endswith("p040.txt")
    assert first["evidence"][0] == {
        "line": 1,
        "pattern": "github-password-auth-removed",
        "text": "remote: Support for password authentication was removed on August 13, 2021. Please use a personal access token instead.",
    }
    assert all(set(step) <= {"text", "command"} for step in first["remedy"])
    assert first["remote"] == "https://github.com/tmhedberg/SimplyFold.git/"


def test_nothing_recognised_exits_1_and_says_what_to_send() -> None:
    done = run(["explain", "--no-repo", "-"], stdin=b"Enumerating objects: 4, done.\nnpm ERR! code E401\n")
    assert done.returncode == usage.EXIT_NOTHING
    assert b"no git failure recognised in 2 line(s)" in done.stderr
    # A push that went through is not "nothing recognised" (issue 12): explain says it succeeded.
    done = run(["explain", "--no-repo", str(CASES / "p119.txt")])
    assert done.returncode == usage.EXIT_NOTHING and b"the command succeeded (line 16" in done.stdout and not done.stderr
    done = run(["explain", "--format", "json", "--no-repo", "-"], stdin=b"")
    assert done.returncode == usage.EXIT_NOTHING and json.loads(done.stdout)["diagnoses"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "/no/such/file"], b"/no/such/file: no such file"),
        (["explain", "/"], b"/: is a directory"),
        (["explain", "--as-of", "soon", "-"], b"--as-of: 'soon' is not a date"),
        (["explain", "--format", "xml"], b"invalid choice: 'xml'"),
        (["frobnicate"], b"invalid choice: 'frobnicate'"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_clear_line(args: list[str], message: bytes) -> None:
    done = run(args, stdin=b"x")
    assert done.returncode == usage.EXIT_USAGE
    assert message in done.stderr
    assert b"Traceback" not in done.stderr


def test_an_unreadable_file(tmp_path: Path) -> None:
    target = tmp_path / "secret.log"
    target.write_text("x")
    target.chmod(0)
    if os.access(target, os.R_OK):
        pytest.skip("running as a user who can read anything (root)")
    assert run(["explain", str(target)]).returncode == usage.EXIT_USAGE


def test_binary_and_invalid_utf8_never_crash() -> None:
    done = run(
        ["explain", "--no-repo"],
        stdin=bytes(range(256)) * 100 + b"\nremote: Invalid credentials\n\xff\xfe fatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n",
    )
    assert done.returncode == usage.EXIT_EXPLAINED, done.stderr
    assert b"NUL byte(s) were dropped" in done.stdout


def test_help_documents_exit_codes() -> None:
    done = run(["explain", "--help"])
    assert b"exit codes:" in done.stdout and b"nothing recognised" in done.stdout


def test_patterns_lists_and_tests() -> None:
    listing = run(["patterns"]).stdout.decode()
    assert "bitbucket-change-3222" in listing and "app-password-retired" in listing and "2026-" in listing
    tested = run(["patterns", "--test", str(CASES / "p001.txt")]).stdout.decode()
    assert "bitbucket-change-3222" in tested and "http-410" in tested
    assert run(["patterns", "--check"]).returncode == 0
    everything = run(["patterns", "--sources"]).stdout.decode()
    assert "      https://developer.atlassian.com/cloud/bitbucket/changelog#CHANGE-3222\n      https://community.atlassian.com" in everything


SECRET_TRANSCRIPT = """$ git push https://jane:Sup3rS3cret!@bitbucket.org/acme/widgets.git
password=ATBBa1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6
> Authorization: Basic amFuZTpTdXAzclMzY3JldCE=
remote: CHANGE-3222 - Functionality has been deprecated
remote: App passwords are deprecated and must be replaced with API tokens.
fatal: unable to access 'https://jane:ATBBa1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6@bitbucket.org/acme/widgets.git/': The requested URL returned error: 410
"""
SECRETS = [b"Sup3rS3cret", b"ATBBa1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6", b"amFuZTpTdXAzclMzY3JldCE="]


@pytest.mark.parametrize("fmt", ["text", "json", "terminal"])
def test_planted_secrets_never_come_out(fmt: str) -> None:
    done = run(["explain", "--format", fmt, "--no-repo"], stdin=SECRET_TRANSCRIPT.encode())
    assert done.returncode == usage.EXIT_EXPLAINED
    for secret in SECRETS:
        assert secret not in done.stdout and secret not in done.stderr
    assert b"app-password-retired" in done.stdout or b"App passwords" in done.stdout


def test_patterns_test_redacts_too(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_text(SECRET_TRANSCRIPT)
    done = run(["patterns", "--test", str(log)])
    for secret in SECRETS:
        assert secret not in done.stdout


def test_gigabytes_on_stdin_in_bounded_memory() -> None:
    """An endless stream: explain reads up to its limit in well under 400 MiB, then says what it skipped."""
    import resource

    limit = 400 << 20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    script = (
        "import sys\n"
        "line = b'2026-11-28T10:00:00.0000000Z ' + b'x' * 200 + b'\\n'\n"
        "sys.stdout.buffer.write(b\"remote: Invalid credentials\\nfatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\\n\")\n"
        "block = line * 5000\n"
        "try:\n"
        "    while True: sys.stdout.buffer.write(block)\n"
        "except BrokenPipeError: pass\n"
    )
    producer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    env = {**os.environ, "BBDIAG_MAX_INPUT": str(300 << 20)}
    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "explain", "--no-repo", "--format", "json"],
        stdin=producer.stdout,
        capture_output=True,
        preexec_fn=cap,
        env=env,
        timeout=600,
    )
    producer.kill()
    producer.wait()
    assert done.returncode == usage.EXIT_EXPLAINED, done.stderr[-500:]
    doc = json.loads(done.stdout)
    assert doc["diagnoses"][0]["cause"] == "credentials-rejected"
    assert any("the rest was left unread" in note for note in doc["notes"])


def test_run_keeps_a_terminal_for_git_and_its_exit_code() -> None:
    """On a terminal, the command gets a pty for stderr (git keeps its progress display)."""
    import pty

    probe = "import os, sys; sys.stderr.write('stderr is a tty\\n' if os.isatty(2) else 'stderr is a pipe\\n'); sys.exit(3)"
    pid, fd = pty.fork()
    if pid == 0:  # the child: bbdiag run on a terminal
        os.execv(sys.executable, [sys.executable, "-m", "bbdiag", "run", "--", sys.executable, "-c", probe])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert b"stderr is a tty" in output
    assert os.waitstatus_to_exitcode(status) == 3
    piped = run(["run", "--", sys.executable, "-c", probe])
    assert b"stderr is a pipe" in piped.stderr and piped.returncode == 3
