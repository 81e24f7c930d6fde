"""`doctor --online` checks what pushing needs (issue 11): `git push --dry-run`, not only `git
ls-remote`, which a read-only token passes. Against the loopback Bitbucket Cloud stand-in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import bitbucket_server as bb
from tests.conftest import git
from tests.test_fix import URL, store

SECRETS = (bb.API_TOKEN, bb.READ_ONLY_TOKEN)


def online(path: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "doctor", "--online", *args, "--format", "json"], cwd=path, capture_output=True, text=True, timeout=180
    )
    assert "Traceback" not in done.stderr
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)["findings"]


def clone(server: bb.Server, home: Path, where: Path) -> Path:
    git("config", "--global", "http.proxy", server.proxy)
    git("config", "--global", "credential.helper", "store")
    store(home, bb.USER, bb.API_TOKEN)
    git("clone", "-q", URL, str(where))
    git("commit", "-q", "--allow-empty", "-m", "not pushed", cwd=where)
    return where


def test_a_read_only_token_passes_ls_remote_and_fails_the_push_check(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    path = clone(server, isolated, tmp_path / "clone")
    store(isolated, bb.USER, bb.READ_ONLY_TOKEN)
    assert git("ls-remote", "origin", cwd=path, check=False).returncode == 0, "ls-remote alone says all is well"
    code, found = online(path)
    titles = {str(f["title"]): f for f in found}
    assert "git ls-remote --heads origin works" in titles
    (push,) = [f for f in found if str(f["title"]).startswith("git push --dry-run")]
    assert code == 1 and push["id"] == "online-token-scope-insufficient" and push["severity"] == "error", found
    assert git("rev-parse", "origin/main", cwd=path).stdout != git("rev-parse", "main", cwd=path).stdout
    remote_head = git("ls-remote", "origin", "main", cwd=path).stdout.split()[0]
    assert remote_head == git("rev-parse", "origin/main", cwd=path).stdout.strip(), "the dry run pushed nothing"

    code, found = online(path, "--fetch-only")
    assert code == 0 and not any(str(f["title"]).startswith("git push") for f in found), "a clone never pushed from: fetching only"

    store(isolated, bb.USER, bb.API_TOKEN)
    code, found = online(path)
    assert code == 0 and {str(f["title"]) for f in found if f["id"] == "online-ok"} == {
        "git ls-remote --heads origin works",
        "git push --dry-run --no-verify --porcelain origin HEAD:refs/heads/main works",
    }


def test_the_push_check_runs_none_of_the_users_hooks(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    """A dry run still runs pre-push hooks unless told not to; a check must not start the user's
    test suite or scanner (or bbdiag's own hook)."""
    path = clone(server, isolated, tmp_path / "clone")
    ran = tmp_path / "hook-ran"
    hook = path / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\ntouch '{ran}'\n")
    hook.chmod(0o755)
    git("push", "--dry-run", "origin", "HEAD:refs/heads/main", cwd=path)
    assert ran.exists(), "git runs the hook on a dry run"
    ran.unlink()
    code, found = online(path)
    assert code == 0 and any(str(f["title"]).startswith("git push --dry-run") and f["id"] == "online-ok" for f in found), found
    assert not ran.exists(), "doctor --online ran the user's pre-push hook"


def test_without_a_commit_pushing_is_said_to_be_unchecked(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    git("config", "--global", "http.proxy", server.proxy)
    git("config", "--global", "credential.helper", "store")
    store(isolated, bb.USER, bb.API_TOKEN)
    path = tmp_path / "new"
    git("init", "-q", str(path))
    git("remote", "add", "origin", URL, cwd=path)
    code, found = online(path)
    assert code == 0 and "online-push-unchecked" in {f["id"] for f in found}


def test_fetch_only_goes_with_online(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bbdiag", "doctor", "--fetch-only"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.strip() == "bbdiag doctor: --fetch-only goes with --online"
