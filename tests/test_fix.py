"""`bbdiag fix` end to end against the loopback Bitbucket stand-in: the plan, a refused token that
changes nothing, a good token stored by the user's own helper with the user name the host needs,
git working again, `--undo`, `--all`; and no planted secret anywhere but the helper."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests import bitbucket_server as bb
from tests.conftest import git

URL = "http://bitbucket.org/acme/widgets.git"
SECRETS = (bb.API_TOKEN, bb.READ_ONLY_TOKEN, bb.APP_PASSWORD, bb.ACCOUNT_PASSWORD)


@pytest.fixture
def server(tmp_path: Path, isolated: Path) -> Iterator[bb.Server]:
    root = tmp_path / "server"
    root.mkdir()
    bb.make_repository(root)
    bb.make_repository(root, "acme", "gadgets")
    with bb.serve(root) as running:
        git("config", "--global", "http.proxy", running.proxy)
        git("config", "--global", "credential.helper", "store")
        yield running


def store(home: Path, user: str, secret: str) -> None:
    (home / ".git-credentials").write_text(f"http://{quote(user, safe='')}:{quote(secret, safe='')}@bitbucket.org\n")


def clone(home: Path, where: Path, url: str = URL) -> Path:
    """A clone made while the credential still worked, with a commit to push."""
    store(home, bb.USER, bb.API_TOKEN)
    git("clone", "-q", url, str(where))
    git("commit", "-q", "--allow-empty", "-m", "change", cwd=where)
    return where


def fix(*args: str, cwd: Path, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """bbdiag fix as a user runs it, without a controlling terminal (so it can never prompt)."""
    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "fix", *args],
        input=None if token is None else token + "\n",
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        start_new_session=True,
        stdin=subprocess.DEVNULL if token is None else None,
    )
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr, "a secret reached the terminal"
    if os.environ.get("PEEK"):
        print("=== fix", args, done.returncode, done.stdout, done.stderr, sep="\n")
    return done


def snapshot(*files: Path) -> dict[Path, bytes | None]:
    return {f: f.read_bytes() if f.exists() else None for f in files}


def holding(secret: str, *roots: Path) -> list[Path]:
    """Every file under `roots` that holds `secret`."""
    found = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and secret.encode() in path.read_bytes():
                found.append(path)
    return found


def nobody_types() -> dict[str, str]:
    return {**os.environ, "GIT_ASKPASS": "false", "GIT_TERMINAL_PROMPT": "0"}


def test_the_app_password_case_plan_refusal_success_undo(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    repo = clone(isolated, tmp_path / "widgets")
    store(isolated, bb.USER, bb.APP_PASSWORD)
    files = (isolated / ".gitconfig", isolated / ".git-credentials", repo / ".git" / "config")
    before = snapshot(*files)

    planned = fix("--dry-run", cwd=repo)
    assert planned.returncode == 0, planned.stderr
    assert "The stored app password stopped working on 2026-07-28" in planned.stdout
    assert "replace the credential for http://bitbucket.org (origin)" in planned.stdout
    assert "git credential reject" in planned.stdout and "--dry-run: nothing was changed." in planned.stdout
    assert snapshot(*files) == before

    asked = fix(cwd=repo)
    assert asked.returncode == 2 and "no terminal to ask for consent" in asked.stderr
    assert snapshot(*files) == before

    refused = fix("--yes", "--token-stdin", cwd=repo, token=bb.READ_ONLY_TOKEN)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "refused the new credential" in refused.stderr and "token-scope-insufficient" in refused.stderr
    assert "Nothing was changed." in refused.stderr
    assert snapshot(*files) == before

    done = fix("--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "check: git push --dry-run origin works again" in done.stdout
    assert (isolated / ".git-credentials").read_text() == f"http://{bb.USER}:{bb.API_TOKEN}@bitbucket.org\n", "the user's own helper holds the token"
    assert holding(bb.API_TOKEN, isolated, repo, tmp_path / "widgets") == [isolated / ".git-credentials"], "the token is nowhere but the helper"
    assert holding(bb.APP_PASSWORD, isolated, repo) == []
    assert git("push", "-q", "origin", "main", cwd=repo, env=nobody_types()).returncode == 0, "git works again, nobody typing"
    assert git("config", "remote.origin.url", cwd=repo).stdout.strip() == f"http://{bb.USER}@bitbucket.org/acme/widgets.git"

    undone = fix("--undo", cwd=repo)
    assert undone.returncode == 0, undone.stderr
    assert bb.API_TOKEN not in (isolated / ".git-credentials").read_text(), "the credential the fix stored is erased"
    assert git("config", "remote.origin.url", cwd=repo).stdout.strip() == URL
    assert fix("--undo", cwd=repo).returncode == 1, "only the last fix is undone, once"


def test_an_api_token_never_goes_with_the_email(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    repo = clone(isolated, tmp_path / "widgets")
    store(isolated, bb.EMAIL, bb.API_TOKEN)
    git("remote", "set-url", "origin", f"http://{quote(bb.EMAIL)}@bitbucket.org/acme/widgets.git", cwd=repo)
    done = fix("--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert git("config", "remote.origin.url", cwd=repo).stdout.strip() == "http://x-bitbucket-api-token-auth@bitbucket.org/acme/widgets.git"
    assert f"x-bitbucket-api-token-auth:{bb.API_TOKEN}@bitbucket.org" in (isolated / ".git-credentials").read_text()
    assert bb.EMAIL.split("@")[0] not in (isolated / ".git-credentials").read_text()
    assert git("fetch", "-q", "origin", cwd=repo, env=nobody_types()).returncode == 0


def test_trying_the_new_token_runs_none_of_the_users_hooks(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    """fix verifies with `git push --dry-run`, which runs pre-push hooks unless told not to."""
    repo = clone(isolated, tmp_path / "widgets")
    store(isolated, bb.USER, bb.APP_PASSWORD)
    ran = tmp_path / "hook-ran"
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text(f"#!/bin/sh\ntouch '{ran}'\n")
    hook.chmod(0o755)
    done = fix("--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not ran.exists(), "fix ran the user's pre-push hook"


def test_secrets_leave_urls_and_insteadof_rules(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    repo = clone(isolated, tmp_path / "widgets")
    (isolated / ".git-credentials").write_text("")
    git("remote", "set-url", "origin", f"http://{bb.USER}:{bb.APP_PASSWORD}@bitbucket.org/acme/widgets.git", cwd=repo)
    git("config", "--global", f"url.http://{bb.USER}:{bb.APP_PASSWORD}@bitbucket.org/.insteadOf", "bb:")
    git("remote", "add", "short", "bb:acme/gadgets.git", cwd=repo)
    done = fix("--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert holding(bb.APP_PASSWORD, isolated, repo) == [], "the secret is out of every config file, and no backup holds it"
    rules = git("config", "--global", "--get-regexp", "insteadof").stdout
    assert rules.strip() == f"url.http://{bb.USER}@bitbucket.org/.insteadof bb:"
    assert holding(bb.API_TOKEN, isolated, repo) == [isolated / ".git-credentials"]
    assert git("fetch", "-q", "short", cwd=repo, env=nobody_types()).returncode == 0
    assert git("remote", "get-url", "short", cwd=repo).stdout.strip() == f"http://{bb.USER}@bitbucket.org/acme/gadgets.git", "still gadgets"


def test_all_fixes_every_clone_with_one_token(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    laptop = tmp_path / "src"
    first = clone(isolated, laptop / "widgets")
    second = clone(isolated, laptop / "nested" / "gadgets", URL.replace("widgets", "gadgets"))
    store(isolated, bb.USER, bb.APP_PASSWORD)
    done = fix("--all", str(laptop), "--yes", "--token-stdin", cwd=tmp_path, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Trying the new credential") == 1, "one token for one host and account"
    assert done.stdout.count("works again") == 2
    for repo in (first, second):
        assert git("push", "-q", "origin", "main", cwd=repo, env=nobody_types()).returncode == 0


def test_nothing_to_fix_and_bad_input(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    repo = clone(isolated, tmp_path / "widgets")
    ok = fix("--yes", cwd=repo)
    assert ok.returncode == 0 and "Nothing to fix" in ok.stdout
    outside = fix("--dry-run", cwd=tmp_path)
    assert outside.returncode == 2 and "not inside a git repository" in outside.stderr
    store(isolated, bb.USER, bb.APP_PASSWORD)
    empty = fix("--yes", "--token-stdin", cwd=repo, token="")
    assert empty.returncode == 2 and "no token was given" in empty.stderr
    no_tty = fix("--yes", cwd=repo)
    assert no_tty.returncode == 2 and "--token-stdin" in no_tty.stderr
