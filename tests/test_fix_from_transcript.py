"""`bbdiag fix --from` (issue 11): the repair for what explain finds in a failed command's real
output, against the loopback Bitbucket stand-in; a push failure is verified with a push."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests import bitbucket_server as bb
from tests.conftest import git
from tests.test_fix import SECRETS, clone, fix, nobody_types, server, store  # noqa: F401 (server is a fixture)


def transcript(tmp_path: Path, done: subprocess.CompletedProcess[str]) -> Path:
    assert done.returncode != 0
    path = tmp_path / "failed.txt"
    path.write_text(done.stdout + done.stderr)
    return path


def test_a_retired_app_password_in_a_fetch_transcript(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    repo = clone(isolated, tmp_path / "clone")
    store(isolated, bb.USER, bb.APP_PASSWORD)
    failed = transcript(tmp_path, git("fetch", "origin", cwd=repo, check=False, env=nobody_types()))
    done = fix("--from", str(failed), "--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "found: origin: the transcript says: " in done.stdout and "(app-password-retired)" in done.stdout
    assert "git ls-remote" in done.stdout, "a fetch failed: a fetch proves the fix"
    assert bb.API_TOKEN in (isolated / ".git-credentials").read_text(), "the user's own helper holds the new token"
    assert git("fetch", "origin", cwd=repo, check=False, env=nobody_types()).returncode == 0


def test_a_push_transcript_is_verified_with_a_push(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    repo = clone(isolated, tmp_path / "clone")
    store(isolated, bb.USER, bb.READ_ONLY_TOKEN)
    failed = transcript(tmp_path, git("push", "origin", "main", cwd=repo, check=False, env=nobody_types()))
    before = (isolated / ".git-credentials").read_text()
    refused = fix("--from", str(failed), "--yes", "--token-stdin", cwd=repo, token=bb.READ_ONLY_TOKEN)
    assert refused.returncode == 1 and "git push --dry-run" in refused.stdout, "a read-only token passes ls-remote: only a push proves it"
    assert "Nothing was changed" in refused.stderr and (isolated / ".git-credentials").read_text() == before
    done = fix("--from", str(failed), "--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert git("push", "-q", "origin", "main", cwd=repo, check=False, env=nobody_types()).returncode == 0


def test_a_failure_that_is_not_the_credential_changes_nothing(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    repo = clone(isolated, tmp_path / "clone")
    other = tmp_path / "other"
    git("clone", "-q", "http://bitbucket.org/acme/widgets.git", str(other))
    git("commit", "-q", "--allow-empty", "-m", "theirs", cwd=other)
    git("push", "-q", "origin", "main", cwd=other)
    failed = transcript(tmp_path, git("push", "origin", "main", cwd=repo, check=False, env=nobody_types()))
    config, stored = (repo / ".git" / "config").read_text(), (isolated / ".git-credentials").read_text()
    done = fix("--from", str(failed), "--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 1 and "bbdiag fix repairs credentials, and it is not the credential" in done.stdout
    assert "git pull" in done.stdout, "explain's remedy is shown instead"
    assert (repo / ".git" / "config").read_text() == config and (isolated / ".git-credentials").read_text() == stored


def test_usage_errors(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    repo = clone(isolated, tmp_path / "clone")
    both = subprocess.run(
        [sys.executable, "-m", "bbdiag", "fix", "--from", "-", "--token-stdin"], cwd=repo, input="x\n", capture_output=True, text=True, timeout=60
    )
    assert both.returncode == 2 and "both read standard input" in both.stderr
    missing = fix("--from", str(tmp_path / "nope.txt"), cwd=repo)
    assert missing.returncode == 2 and missing.stderr.strip() == f"bbdiag fix: --from {tmp_path / 'nope.txt'}: no such file"
    empty = tmp_path / "empty.txt"
    empty.write_text("everything fine\n")
    nothing = fix("--from", str(empty), cwd=repo)
    assert nothing.returncode == 2 and "no git failure recognised" in nothing.stderr


def test_all_tries_the_current_credential_once_per_host_and_account(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    laptop = tmp_path / "src"
    clone(isolated, laptop / "widgets")
    clone(isolated, laptop / "gadgets", "http://bitbucket.org/acme/gadgets.git")
    store(isolated, bb.USER, "ATATT3xFfGF0" + "Revoked00000000000000000000000")  # nothing offline says it is refused
    server.requests.clear()
    done = fix("--all", str(laptop), "--dry-run", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.count("replace the credential for http://bitbucket.org") == 2, done.stdout
    asked = [r for r in server.requests if "info/refs" in r]
    assert len({r.split("/info/refs")[0] for r in asked}) == 1, "the second clone reuses the first one's verdict: " + "\n".join(asked)


def test_an_api_token_sent_with_the_access_token_user_name(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    """x-token-auth is the user name of Bitbucket's access tokens; an API token with it is refused.
    The fix sends the API token's own user name instead, and git works again."""
    repo = clone(isolated, tmp_path / "clone")
    git("remote", "set-url", "origin", "http://x-token-auth@bitbucket.org/acme/widgets.git", cwd=repo)
    (isolated / ".git-credentials").write_text(f"http://x-token-auth:{bb.API_TOKEN}@bitbucket.org\n")
    failed = transcript(tmp_path, git("fetch", "origin", cwd=repo, check=False, env=nobody_types()))
    done = fix("--from", str(failed), "--yes", "--token-stdin", cwd=repo, token=bb.API_TOKEN)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Trying the new credential for x-bitbucket-api-token-auth at http://bitbucket.org" in done.stdout
    url = git("remote", "get-url", "origin", cwd=repo).stdout.strip()
    assert url == "http://x-bitbucket-api-token-auth@bitbucket.org/acme/widgets.git"
    assert git("fetch", "origin", cwd=repo, check=False, env=nobody_types()).returncode == 0
