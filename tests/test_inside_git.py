"""End to end with the real git client against a loopback server that answers like Bitbucket Cloud:
`bbdiag run`, the credential-helper observer, `explain` on captured output, the pre-push hook,
and install/uninstall. No planted secret may appear in anything a user sees."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import bitbucket_server as bb
from tests.conftest import git

SECRETS = (bb.API_TOKEN, bb.READ_ONLY_TOKEN, bb.APP_PASSWORD, bb.ACCOUNT_PASSWORD)
URL = "http://bitbucket.org/acme/widgets.git"
BBDIAG = [sys.executable, "-m", "bbdiag"]


def store(home: Path, user: str, password: str, observer: bool = True) -> None:
    """A plaintext store holding one credential, and (by default) the observer after it in the chain."""
    from urllib.parse import quote

    (home / ".git-credentials").write_text(f"http://{quote(user, safe='')}:{quote(password, safe='')}@bitbucket.org\n")
    git("config", "--global", "--replace-all", "credential.helper", "store")
    if observer:
        from bbdiag.install import observer_value

        git("config", "--global", "--add", "credential.helper", observer_value())


def run_git(server: bb.Server, *args: str, cwd: Path | None = None, via_bbdiag: bool = False) -> subprocess.CompletedProcess[str]:
    command = ["git", *server.git_args(), *args]
    if via_bbdiag:
        command = [*BBDIAG, "run", "--format", "text", "--", *command]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr, "a secret reached the user's terminal"
    return done


def explain(text: str) -> str:
    done = subprocess.run([*BBDIAG, "explain", "--format", "json", "--no-repo", "-"], input=text, capture_output=True, text=True, check=True)
    import json

    return json.loads(done.stdout)["diagnoses"][0]["cause"]  # type: ignore[no-any-return]


def test_app_password_gets_410_and_run_explains_it(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.USER, bb.APP_PASSWORD)
    plain = run_git(server, "clone", URL, str(tmp_path / "a"))
    assert plain.returncode == 128 and "CHANGE-3222" in plain.stderr
    assert "bbdiag:" not in plain.stderr, "410 never reaches the helpers' erase: the observer stays silent"
    assert explain(plain.stderr) == "app-password-retired"
    wrapped = run_git(server, "clone", URL, str(tmp_path / "b"), via_bbdiag=True)
    assert wrapped.returncode == 128, "bbdiag run exits with git's own code"
    assert "(app-password-retired, bitbucket-cloud)" in wrapped.stderr
    assert "removed app passwords on 2026-07-28" in wrapped.stderr


def test_account_password_observer_speaks_at_erase(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.USER, bb.ACCOUNT_PASSWORD)
    done = run_git(server, "clone", URL, str(tmp_path / "a"))
    text = " ".join(done.stderr.split())
    assert done.returncode == 128
    assert "bbdiag: bitbucket.org rejected the credential git sent (HTTP 401)" in text
    assert "a password (probably the account password), sent with the user name 'jane-doe'" in text
    assert "Bitbucket Cloud does not accept your account password for Git" in text
    assert explain(done.stderr) == "account-password-rejected"
    assert (isolated / ".git-credentials").read_text() == "", "git told store to erase the rejected credential"


def test_observer_in_a_repository_names_its_remote(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.USER, bb.API_TOKEN)
    clone = tmp_path / "a"
    assert run_git(server, "clone", "--origin", "upstream", URL, str(clone)).returncode == 0
    store(isolated, bb.USER, bb.ACCOUNT_PASSWORD)
    done = run_git(server, "fetch", "upstream", cwd=clone)
    assert done.returncode == 128
    assert "bbdiag: bitbucket.org rejected the credential git sent (HTTP 401)" in done.stderr
    assert "git remote set-url upstream http://jane-doe@bitbucket.org/acme/widgets.git" in done.stderr, "fitted to the clone's remote"


def test_api_token_with_email_is_the_wrong_username(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.EMAIL, bb.API_TOKEN)
    done = run_git(server, "clone", URL, str(tmp_path / "a"), via_bbdiag=True)
    assert done.returncode == 128
    assert "An API token was sent with an email address as the user name" in done.stderr
    assert "x-bitbucket-api-token-auth" in done.stderr
    assert "(credentials-rejected, bitbucket-cloud)" in done.stderr


def test_read_only_token_push_is_a_scope_problem(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.USER, bb.API_TOKEN)
    clone = tmp_path / "a"
    assert run_git(server, "clone", URL, str(clone)).returncode == 0
    store(isolated, bb.USER, bb.READ_ONLY_TOKEN)
    git("commit", "-q", "--allow-empty", "-m", "change", cwd=clone)
    done = run_git(server, "push", cwd=clone, via_bbdiag=True)
    assert done.returncode == 128
    assert "(token-scope-insufficient, bitbucket-cloud)" in done.stderr
    assert "bbdiag: bitbucket.org rejected" not in done.stderr, "403 never reaches erase"


def test_the_right_token_works_and_bbdiag_stays_quiet(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.USER, bb.API_TOKEN)
    clone = tmp_path / "a"
    done = run_git(server, "clone", URL, str(clone), via_bbdiag=True)
    assert done.returncode == 0 and "bbdiag" not in done.stderr
    git("commit", "-q", "--allow-empty", "-m", "change", cwd=clone)
    pushed = run_git(server, "push", cwd=clone, via_bbdiag=True)
    assert pushed.returncode == 0 and "main -> main" in pushed.stderr


def test_no_credential_at_all(server: bb.Server, tmp_path: Path) -> None:
    done = run_git(server, "clone", URL, str(tmp_path / "a"), via_bbdiag=True)
    assert done.returncode == 128 and "(credentials-missing, bitbucket-cloud)" in done.stderr


def test_explain_inside_the_clone_is_fitted_to_it(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.USER, bb.API_TOKEN, observer=False)
    clone = tmp_path / "a"
    run_git(server, "clone", URL, str(clone))
    git("remote", "rename", "origin", "bitbucket", cwd=clone)
    store(isolated, bb.USER, bb.APP_PASSWORD, observer=False)
    failed = run_git(server, "fetch", "bitbucket", cwd=clone)
    done = subprocess.run([*BBDIAG, "explain", "--format", "text", "-"], cwd=clone, input=failed.stderr, capture_output=True, text=True)
    assert "git remote set-url bitbucket http://<your-bitbucket-username>@bitbucket.org/acme/widgets.git" in done.stdout
    assert "Remove the stored credential for bitbucket.org from your plaintext store" in done.stdout


# ------------------------------------------------------------------------------ the observer alone
def observe(request: bytes, action: str = "erase") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bbdiag.observer", action], input=request, capture_output=True, timeout=60)


def test_observer_is_silent_on_get_and_store_and_supplies_nothing() -> None:
    for action in ("get", "store"):
        done = observe(b"protocol=https\nhost=bitbucket.org\nusername=jane\npassword=" + bb.APP_PASSWORD.encode() + b"\n\n", action)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


def test_observer_uses_wwwauth_and_never_prints_the_secret() -> None:
    request = f'protocol=https\nhost=bitbucket.org\npath=acme/widgets.git\nusername=x-token-auth\npassword={bb.API_TOKEN}\nwwwauth[]=Basic realm="Bitbucket.org HTTP"\n\n'
    done = observe(request.encode())
    text = " ".join(done.stderr.decode().split())
    assert done.returncode == 0 and done.stdout == b""
    assert 'The server asked for: Basic realm="Bitbucket.org HTTP"' in text
    assert "an Atlassian API token (ATATT3…), sent with the user name 'x-token-auth'" in text
    assert bb.API_TOKEN not in text


@pytest.mark.parametrize("junk", [b"", b"\x00\xff\xfe garbage \x80\x81", b"password=" + b"x" * 5_000_000, b"host\nno equals sign\n"])
def test_observer_survives_whatever_arrives(junk: bytes) -> None:
    done = observe(junk)
    assert done.returncode == 0 and b"Traceback" not in done.stderr


def test_observer_on_github_with_a_password() -> None:
    text = " ".join(observe(b'protocol=https\nhost=github.com\nusername=octocat\npassword=hunter2\nwwwauth[]=Basic realm="GitHub"\n\n').stderr.decode().split())
    assert "GitHub does not accept account passwords for Git" in text and "hunter2" not in text and "bitbucket" not in text.lower()


# ------------------------------------------------------------------------------ the pre-push hook
def clone_with_hook(server: bb.Server, tmp_path: Path, isolated: Path, *install_args: str) -> Path:
    store(isolated, bb.USER, bb.API_TOKEN, observer=False)
    clone = tmp_path / "clone"
    assert run_git(server, "clone", URL, str(clone)).returncode == 0
    done = subprocess.run([*BBDIAG, "install", "--hook", *install_args], cwd=clone, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return clone


def remote_head(server: bb.Server) -> str:
    return git("--git-dir", str(server.root / "acme" / "widgets.git"), "rev-parse", "main").stdout.strip()


def test_hook_blocks_a_pushed_token_and_lets_a_clean_push_through(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    clone = clone_with_hook(server, tmp_path, isolated)
    before = remote_head(server)
    (clone / "settings.py").write_text(f"TOKEN = '{bb.APP_PASSWORD}'\n")
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "oops", cwd=clone)
    blocked = run_git(server, "push", cwd=clone)
    assert blocked.returncode != 0 and remote_head(server) == before
    assert "bbdiag: BLOCKED: commit" in blocked.stderr and "adds a Bitbucket app password (ATBB…) in settings.py:1" in blocked.stderr
    git("reset", "-q", "--hard", "HEAD~1", cwd=clone)
    (clone / "notes.txt").write_text("nothing secret\n")
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "clean", cwd=clone)
    clean = run_git(server, "push", cwd=clone)
    assert clean.returncode == 0 and remote_head(server) != before
    assert "BLOCKED" not in clean.stderr
    assert "keeps an Atlassian API token (ATATT3…) for bitbucket.org unencrypted" in clean.stderr, "a warning, and the push went on"


def test_hook_checks_only_the_pushed_range(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    clone = clone_with_hook(server, tmp_path, isolated)
    (clone / "old.txt").write_text(f"{bb.API_TOKEN}\n")
    git("add", ".", cwd=clone)
    git("commit", "-q", "-m", "old secret", cwd=clone)
    assert run_git(server, "push", "--no-verify", cwd=clone).returncode == 0  # already on the remote: not this push's business
    git("commit", "-q", "--allow-empty", "-m", "next", cwd=clone)
    done = run_git(server, "push", cwd=clone)
    assert done.returncode == 0 and "BLOCKED" not in done.stderr


def test_a_broken_bbdiag_never_blocks_a_push(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    from bbdiag import launch

    clone = clone_with_hook(server, tmp_path, isolated)
    hook = clone / ".git" / "hooks" / "pre-push"
    hook.write_text(hook.read_text().replace(launch.python(), "/nonexistent/python3"))
    git("commit", "-q", "--allow-empty", "-m", "x", cwd=clone)
    done = run_git(server, "push", cwd=clone)
    assert done.returncode == 0 and "pre-push check skipped: bbdiag is no longer installed for /nonexistent/python3" in done.stderr
    doctor = subprocess.run([*BBDIAG, "doctor", "--format", "json"], cwd=clone, capture_output=True, text=True)
    assert '"bbdiag-install-stale"' in doctor.stdout
    hook.chmod(0o644)
    doctor = subprocess.run([*BBDIAG, "doctor", "--format", "text"], cwd=clone, capture_output=True, text=True)
    assert "is not executable, so git skips it" in " ".join(doctor.stdout.split())


def test_strict_blocks_on_warnings(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    clone = clone_with_hook(server, tmp_path, isolated, "--strict")
    git("commit", "-q", "--allow-empty", "-m", "x", cwd=clone)
    done = run_git(server, "push", cwd=clone)
    assert done.returncode != 0 and "bbdiag: BLOCKED:" in done.stderr and "unencrypted" in done.stderr


# ------------------------------------------------------------------------------ installing
def config_list(cwd: Path) -> str:
    return git("config", "--list", "--show-origin", cwd=cwd).stdout


def repo_with_own_hook(tmp_path: Path, script: str) -> tuple[Path, Path]:
    """A repository whose user already has a pre-push hook."""
    repo_dir = tmp_path / "r"
    git("init", "-q", str(repo_dir))
    own = repo_dir / ".git" / "hooks" / "pre-push"
    own.write_text(script)
    own.chmod(0o755)
    return repo_dir, own


def test_install_keeps_an_existing_hook_and_uninstall_restores_it(tmp_path: Path) -> None:
    repo_dir, own = repo_with_own_hook(tmp_path, '#!/bin/sh\necho my-own-hook-ran "$1" >&2\ncat > /dev/null\n')
    original, config_before = own.read_bytes(), config_list(repo_dir)
    first = subprocess.run([*BBDIAG, "install"], cwd=repo_dir, capture_output=True, text=True)
    assert "kept your existing hook: moved" in first.stdout and "added credential.helper" in first.stdout
    assert (repo_dir / ".git" / "hooks" / "pre-push.bbdiag-chained").read_bytes() == original
    second = subprocess.run([*BBDIAG, "install"], cwd=repo_dir, capture_output=True, text=True)
    assert "already installed" in second.stdout and "moved" not in second.stdout
    assert git("config", "--local", "--get-all", "credential.helper", cwd=repo_dir).stdout.count("bbdiag.observer") == 1
    run = subprocess.run(["sh", str(own), "origin", "http://x"], input="", capture_output=True, text=True, cwd=repo_dir)
    assert "my-own-hook-ran origin" in run.stderr and run.returncode == 0
    removed = subprocess.run([*BBDIAG, "uninstall"], cwd=repo_dir, capture_output=True, text=True)
    assert "put your own hook back" in removed.stdout
    assert own.read_bytes() == original and config_list(repo_dir) == config_before


def test_an_existing_hook_that_fails_still_stops_the_push(tmp_path: Path) -> None:
    repo_dir, own = repo_with_own_hook(tmp_path, "#!/bin/sh\nexit 7\n")
    subprocess.run([*BBDIAG, "install", "--hook"], cwd=repo_dir, check=True, capture_output=True)
    assert subprocess.run(["sh", str(own), "origin", "x"], input="", cwd=repo_dir).returncode == 7


def test_install_from_a_worktree_uses_the_shared_hooks(tmp_path: Path) -> None:
    repo_dir = tmp_path / "r"
    git("init", "-q", str(repo_dir))
    git("commit", "-q", "--allow-empty", "-m", "x", cwd=repo_dir)
    git("worktree", "add", "-q", str(tmp_path / "wt"), cwd=repo_dir)
    done = subprocess.run([*BBDIAG, "install", "--hook"], cwd=tmp_path / "wt", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "bbdiag-hook" in (repo_dir / ".git" / "hooks" / "pre-push").read_text()


def test_install_global_keeps_every_repositorys_own_hooks(tmp_path: Path, isolated: Path) -> None:
    repo_dir = tmp_path / "r"
    git("init", "-q", str(repo_dir))
    marker = tmp_path / "pre-commit-ran"
    own = repo_dir / ".git" / "hooks" / "pre-commit"
    own.write_text(f"#!/bin/sh\ntouch {marker}\n")
    own.chmod(0o755)
    done = subprocess.run([*BBDIAG, "install", "--global"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0 and "core.hooksPath" in done.stdout
    git("commit", "-q", "--allow-empty", "-m", "x", cwd=repo_dir)
    assert marker.exists(), "the repository's own pre-commit hook still runs"
    subprocess.run([*BBDIAG, "uninstall", "--global"], cwd=tmp_path, check=True, capture_output=True)
    assert git("config", "--global", "--get", "core.hooksPath", check=False).stdout == ""
    assert "bbdiag" not in git("config", "--global", "--list", check=False).stdout


def test_install_outside_a_repository_says_so(tmp_path: Path) -> None:
    done = subprocess.run([*BBDIAG, "install", "--hook"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "not in a git repository" in done.stderr and "--global" in done.stderr


def test_shell_init_routes_push_through_bbdiag(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    store(isolated, bb.USER, bb.APP_PASSWORD, observer=False)
    script = f'eval "$({sys.executable} -m bbdiag shell-init bash)"\ngit {" ".join(server.git_args())} clone {URL} {tmp_path / "a"}\n'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 128 and "(app-password-retired, bitbucket-cloud)" in done.stderr


def test_pre_commit_manifest_declares_the_hook() -> None:
    manifest = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text()
    assert "id: bbdiag-pre-push" in manifest and "stages: [pre-push]" in manifest and "bbdiag hook pre-push --pre-commit" in manifest


def test_pre_commit_mode_reads_its_variables(tmp_path: Path) -> None:
    repo_dir = tmp_path / "r"
    git("init", "-q", "-b", "main", str(repo_dir))
    (repo_dir / "k.txt").write_text(f"{bb.READ_ONLY_TOKEN}\n")
    git("add", ".", cwd=repo_dir)
    git("commit", "-q", "-m", "k", cwd=repo_dir)
    head = git("rev-parse", "HEAD", cwd=repo_dir).stdout.strip()
    env = {**os.environ, "PRE_COMMIT_REMOTE_NAME": "origin", "PRE_COMMIT_REMOTE_URL": URL, "PRE_COMMIT_TO_REF": head, "PRE_COMMIT_FROM_REF": "0" * 40}
    done = subprocess.run([*BBDIAG, "hook", "pre-push", "--pre-commit"], cwd=repo_dir, env=env, capture_output=True, text=True)
    assert done.returncode == 1 and "an Atlassian API token (ATATT3…) in k.txt:1" in done.stderr and bb.READ_ONLY_TOKEN not in done.stderr


def test_the_shipped_hook_is_the_installed_one_with_python3() -> None:
    from bbdiag.install import render_shipped_hook

    shipped = Path(__file__).parent.parent / "hooks" / "pre-push"
    assert shipped.read_text() == render_shipped_hook() and os.access(shipped, os.X_OK)


def test_doctor_online_explains_what_the_remote_answers(server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    import json

    store(isolated, bb.USER, bb.API_TOKEN, observer=False)
    clone = tmp_path / "a"
    run_git(server, "clone", URL, str(clone))
    git("config", "http.proxy", server.proxy, cwd=clone)
    ok = subprocess.run([*BBDIAG, "doctor", "--online", "--push", "--format", "json"], cwd=clone, capture_output=True, text=True, timeout=120)
    ids = {f["id"]: f["severity"] for f in json.loads(ok.stdout)["findings"]}
    assert ids.get("online-ok") == "ok", ok.stdout
    store(isolated, bb.USER, bb.APP_PASSWORD, observer=False)
    failed = subprocess.run([*BBDIAG, "doctor", "--online", "--format", "json"], cwd=clone, capture_output=True, text=True, timeout=120)
    doc = json.loads(failed.stdout)
    assert failed.returncode == 1
    assert {f["id"] for f in doc["findings"]} >= {"online-app-password-retired", "plaintext-credential"}
    assert bb.APP_PASSWORD not in failed.stdout
    assert not (tmp_path / "a" / ".git" / "refs" / "heads" / "new").exists(), "--push is a dry run"
