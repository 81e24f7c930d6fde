"""Bad input and odd setups get one clear line and exit 2, never "internal error" (issue 14);
setups git itself accepts never crash doctor or explain."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import bbdiag, git

FAILURE = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'\n"


def _one_clear_line(done: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_max_input_that_is_not_a_number() -> None:
    line = _one_clear_line(bbdiag("explain", "--no-repo", stdin=FAILURE, env={"BBDIAG_MAX_INPUT": "abc"}))
    assert "BBDIAG_MAX_INPUT=abc" in line


@pytest.mark.parametrize("command", [["explain", "--no-repo"], ["explain", "--no-repo", "--format", "json"], ["scan", "--format", "junit"], ["patterns"]])
def test_output_on_a_full_disk(command: list[str], tmp_path: Path) -> None:
    log = tmp_path / "git.log"
    log.write_text(FAILURE)
    args = [*command, str(log)] if command[0] != "patterns" else command
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "bbdiag", *args], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert "No space left" in _one_clear_line(done)


def _zip_with(path: Path, patch: str) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("job/1_Push.txt", FAILURE)
        archive.writestr("job/2_Push again.txt", FAILURE)
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    if patch == "encrypted":  # general purpose flag bit 0, in the local header and the central directory
        data[6] |= 1
        data[central + 8] |= 1
    else:  # compression method 98 (PPMd), which zipfile does not implement
        data[8:10] = struct.pack("<H", 98)
        data[central + 10 : central + 12] = struct.pack("<H", 98)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("patch", ["encrypted", "unsupported-method"])
def test_a_zip_member_that_cannot_be_read_is_a_note_and_the_others_still_count(patch: str, tmp_path: Path) -> None:
    archive = tmp_path / "logs.zip"
    _zip_with(archive, patch)
    done = bbdiag("scan", "--format", "json", str(archive))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    report = json.loads(done.stdout)
    notes = [n for s in report["sources"] for n in s["notes"]]
    assert any("could not be read" in n for n in notes), notes
    assert len(report["diagnoses"]) == 1  # the second member, read as usual


ODD_NAMES = [b"bad\xffname.log", b"new\nline.log", b"[bold red]markup[blink].log", b"esc\x1b]0;title\x07.log", b"rtl\xe2\x80\xaeevil.log"]


@pytest.mark.parametrize("fmt", ["terminal", "text", "json", "github", "junit", "sarif", "gitlab", "bitbucket"])
def test_odd_file_names(fmt: str, tmp_path: Path) -> None:
    paths = [os.path.join(os.fsencode(tmp_path), name) for name in ODD_NAMES]
    for path in paths:
        with open(path, "wb") as handle:
            handle.write(FAILURE.encode())
    done = subprocess.run([sys.executable, "-m", "bbdiag", "scan", "--format", fmt, *paths], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert b"\x1b" not in done.stdout and b"\xe2\x80\xae" not in done.stdout and b"\xff" not in done.stdout
    if fmt == "junit":
        from xml.etree import ElementTree

        ElementTree.fromstring(done.stdout)


HOSTILE_MEMBER_NAMES = [
    "job/[/bold]markup.txt",
    "job/1_\x1b]0;title\x07.txt",
    "job/2_\x1b]52;c;ZWNobw==\x07.txt",
    "job/3_\u009b6n\u202e.txt",
    "job/4_\ufffe\x01.txt",
]


@pytest.mark.parametrize("fmt", ["terminal", "text", "json", "github", "junit", "sarif", "gitlab", "bitbucket"])
def test_hostile_zip_member_names_and_ci_step_names(fmt: str, tmp_path: Path) -> None:
    archive = tmp_path / "logs.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for name in HOSTILE_MEMBER_NAMES:
            handle.writestr(name, "##[group]Run \x1b]8;;https://evil.example/\x1b\\push\u202e\n" + FAILURE)
    done = subprocess.run([sys.executable, "-m", "bbdiag", "scan", "--format", fmt, str(archive)], capture_output=True, timeout=60)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    for raw in (b"\x1b", b"\xc2\x9b", b"\xe2\x80\xae", b"\xef\xbf\xbe", b"\x01", b"\x07"):
        assert raw not in done.stdout, (raw, done.stdout[:2000])
    if fmt == "junit":
        from xml.etree import ElementTree

        ElementTree.fromstring(done.stdout)


def test_install_hook_with_hooks_turned_off(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    git("config", "core.hooksPath", "/dev/null", cwd=repo)
    assert "not a folder" in _one_clear_line(bbdiag("install", "--hook", cwd=repo))
    plain = tmp_path / "a-file"
    plain.write_text("")
    git("config", "core.hooksPath", str(plain), cwd=repo)
    assert "not a folder" in _one_clear_line(bbdiag("install", "--hook", cwd=repo))
    assert bbdiag("uninstall", cwd=repo).returncode == 0


def test_install_where_the_hook_cannot_be_written(tmp_path: Path) -> None:
    """A read-only hooks folder (root writes anyway, so the hook's own name is a folder here: the
    same OSError from the same write)."""
    git("init", "-q", str(tmp_path))
    (tmp_path / ".git" / "hooks" / "pre-push").mkdir(parents=True)
    (tmp_path / ".git" / "hooks" / "pre-push" / "x").write_text("")
    done = bbdiag("install", "--hook", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr


SETUPS_GIT_ACCEPTS = {
    "credential URL with a port that is not one": ("credential.https://bitbucket.org:notaport.helper", "store"),
    "remote with port 99999": ("remote.origin.url", "https://bitbucket.org:99999/ws/r.git"),
    "remote with an unclosed [": ("remote.origin.url", "https://[bitbucket.org/ws/r.git"),
    "credential URL with an unclosed [": ("credential.https://[x.helper", "store"),
    "insteadOf with an unclosed [": ("url.https://[.insteadOf", "https://bitbucket.org/"),
    "username for port 99999": ("credential.https://bitbucket.org:99999.username", "jane"),
}


@pytest.mark.parametrize("how", ["config file", "GIT_CONFIG_COUNT"])
@pytest.mark.parametrize("setup", SETUPS_GIT_ACCEPTS)
def test_setups_git_accepts_never_crash(setup: str, how: str, tmp_path: Path) -> None:
    key, value = SETUPS_GIT_ACCEPTS[setup]
    git("init", "-q", str(tmp_path))
    env: dict[str, str] = {}
    if how == "config file":
        git("config", key, value, cwd=tmp_path)
    else:
        env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": key, "GIT_CONFIG_VALUE_0": value}
    _never_crash(tmp_path, env)


def _never_crash(repo: Path, env: dict[str, str] | None = None) -> None:
    for args, stdin in ((["doctor"], None), (["explain"], FAILURE)):
        done = subprocess.run(
            [sys.executable, "-m", "bbdiag", *args],
            input=stdin.encode() if stdin else None,
            capture_output=True,
            cwd=repo,
            env={**os.environ, **(env or {})},
            timeout=60,
        )
        assert done.returncode in (0, 1), (args, done.stderr)
        assert b"Traceback" not in done.stderr and b"\x1b" not in done.stdout


def test_head_naming_a_ref_that_is_not_utf8(tmp_path: Path) -> None:
    git("init", "-q", str(tmp_path))
    (tmp_path / ".git" / "HEAD").write_bytes(b"ref: refs/heads/\xffbad\n")
    _never_crash(tmp_path)


def test_remote_url_and_repository_path_that_are_not_utf8(tmp_path: Path) -> None:
    repo = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"r\xff\x1b]0;title\x07")))
    subprocess.run(["git", "init", "-q", os.fsencode(repo)], check=True)
    subprocess.run(["git", "remote", "add", "origin", b"https://bitbucket.org/ws/\xff.git"], cwd=os.fsencode(repo), check=True)
    _never_crash(repo)
