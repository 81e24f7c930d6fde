"""`bbdiag fix` moves plaintext-stored credentials into an encrypted helper when one is installed
(issue 11), with backups and `--undo`, against the loopback Bitbucket stand-in.

No encrypted helper runs headless here: git-credential-libsecret needs a Secret Service on a
desktop D-Bus session, and Git Credential Manager, osxkeychain and wincred are not on this machine.
So the encrypted helper is a stand-in: a `git-credential-libsecret` on PATH that speaks git's helper
protocol (get, store, erase) over its own file and records every operation it was asked for. Git
and bbdiag find it exactly as they would find the real one (git's exec path, then PATH)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import bitbucket_server as bb
from tests.conftest import git
from tests.test_fix import SECRETS, clone, fix, nobody_types, server  # noqa: F401 (server is a fixture)

STAND_IN = '''#!{python}
"""A stand-in for git-credential-libsecret: git's helper protocol over a file (one credential a line)."""
import json, os, sys
keyring = os.environ["STAND_IN_KEYRING"]
entries = json.load(open(keyring)) if os.path.exists(keyring) else []
request = dict(l.split("=", 1) for l in sys.stdin.read().splitlines() if "=" in l)
operation = sys.argv[1]
with open(keyring + ".log", "a") as log:
    log.write(operation + " " + request.get("protocol", "") + "://" + request.get("host", "") + "\\n")
def same(e):
    return all(e.get(k) == request[k] for k in ("protocol", "host", "username") if k in request)
if operation == "get":
    for e in entries:
        if same(e):
            print("username=" + e["username"]); print("password=" + e["password"]); break
elif operation == "store":
    entries = [e for e in entries if not same(e)] + [request]
elif operation == "erase":
    entries = [e for e in entries if not same(e)]
json.dump(entries, open(keyring, "w"))
'''


@pytest.fixture
def encrypted_helper(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "git-credential-libsecret"
    helper.write_text(STAND_IN.replace("{python}", sys.executable))
    helper.chmod(0o755)
    keyring = tmp_path / "keyring.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STAND_IN_KEYRING", str(keyring))
    return keyring


def test_a_plaintext_credential_moves_into_the_encrypted_helper_and_back(
    server: bb.Server,  # noqa: F811
    encrypted_helper: Path,
    tmp_path: Path,
    isolated: Path,
) -> None:
    repo = clone(isolated, tmp_path / "widgets")  # the store helper holds a working API token
    plaintext = isolated / ".git-credentials"
    assert bb.API_TOKEN in plaintext.read_text()
    gitconfig_before = (isolated / ".gitconfig").read_text()

    plan = fix("--dry-run", cwd=repo)
    assert plan.returncode == 0 and f"out of the plaintext {plaintext} into libsecret" in plan.stdout, plan.stdout
    assert bb.API_TOKEN in plaintext.read_text() and not encrypted_helper.exists(), "--dry-run changes nothing"

    done = fix("--yes", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert bb.API_TOKEN not in plaintext.read_text(), "the plaintext file no longer holds it"
    assert bb.API_TOKEN in encrypted_helper.read_text(), "the encrypted helper does"
    assert git("config", "--global", "--get-all", "credential.helper").stdout.split() == ["libsecret"]
    backups = [p for p in (isolated / ".local" / "state" / "bbdiag" / "fix").rglob("*") if p.is_file()]
    assert backups and not [p for p in backups if bb.API_TOKEN in p.read_text(errors="replace")], "no backup holds the secret"
    assert git("fetch", "-q", "origin", cwd=repo, check=False, env=nobody_types()).returncode == 0, "git works, nobody typing"
    assert "get http://bitbucket.org" in Path(str(encrypted_helper) + ".log").read_text(), "git asked the encrypted helper"

    undone = fix("--undo", cwd=repo)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert bb.API_TOKEN in plaintext.read_text() and bb.API_TOKEN not in encrypted_helper.read_text()
    assert (isolated / ".gitconfig").read_text() == gitconfig_before
    assert git("fetch", "-q", "origin", cwd=repo, check=False, env=nobody_types()).returncode == 0


def test_without_an_encrypted_helper_nothing_is_moved(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    repo = clone(isolated, tmp_path / "widgets")
    done = fix("--dry-run", cwd=repo)
    assert done.returncode == 0 and "Nothing to fix" in done.stdout, "the in-memory cache is no place to move a credential to"
    assert subprocess.run(["git", "config", "--global", "credential.helper"], capture_output=True, text=True).stdout.strip() == "store"
