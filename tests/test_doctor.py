"""doctor: findings on real repositories and configurations; exit codes; no secret in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bbdiag.hosts import bitbucket_cloud
from tests.conftest import git
from tests.test_inspector import API_TOKEN, APP_PASSWORD, repo


def doctor(path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, object], str]:
    environment = {k: v for k, v in os.environ.items() if k != "GIT_TERMINAL_PROMPT"} | (env or {})

    def run(fmt: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bbdiag", "doctor", "--format", fmt, *args], cwd=path, capture_output=True, text=True, env=environment, timeout=120
        )

    as_json, as_text = run("json"), run("text")
    assert as_json.returncode == as_text.returncode
    assert "Traceback" not in as_json.stderr + as_text.stderr
    return as_json.returncode, json.loads(as_json.stdout), as_text.stdout


def ids(doc: dict[str, object]) -> dict[str, str]:
    return {f["id"]: f["severity"] for f in doc["findings"]}  # type: ignore[attr-defined]


def test_a_healthy_repository_says_so_in_one_short_screen(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "cache")
    code, doc, text = doctor(path)
    assert code == 0 and ids(doc) == {"no-problem": "ok"}
    assert doc["repository"] == str(path) and doc["version"] == 1
    assert len(text.splitlines()) <= 6 and "No problems found" in text


def test_outside_a_repository(tmp_path: Path) -> None:
    code, doc, _ = doctor(tmp_path)
    assert code == 0 and doc["repository"] is None and "not-a-repository" in ids(doc)


def test_credential_in_url_is_an_error_and_never_printed(tmp_path: Path) -> None:
    path = repo(tmp_path, url=f"https://jane:{APP_PASSWORD}@bitbucket.org/acme/widgets.git")
    code, doc, text = doctor(path)
    assert code == 1 and ids(doc)["credential-in-url"] == "error"
    finding = next(f for f in doc["findings"] if f["id"] == "credential-in-url")  # type: ignore[attr-defined]
    assert "git remote set-url origin https://jane@bitbucket.org/acme/widgets.git" in [s.get("command") for s in finding["fix"]]
    assert APP_PASSWORD not in json.dumps(doc) and APP_PASSWORD not in text


def test_findings_carry_their_steps_under_explains_name_too(tmp_path: Path) -> None:
    # explain says `remedy`; output.md named doctor's steps `fix` and never renames a field: both hold them.
    path = repo(tmp_path, url=f"https://jane:{APP_PASSWORD}@bitbucket.org/acme/widgets.git")
    _, doc, _ = doctor(path)
    findings = doc["findings"]
    assert isinstance(findings, list) and findings
    for finding in findings:
        assert finding["remedy"] == finding["fix"]
    assert any(finding["remedy"] for finding in findings)


def test_stored_app_password_before_and_after_the_cutover(tmp_path: Path, isolated: Path) -> None:
    (isolated / ".git-credentials").write_text(f"https://jane:{APP_PASSWORD}@bitbucket.org\n")
    git("config", "--global", "credential.helper", "store")
    path = repo(tmp_path)
    code, doc, text = doctor(path, "--as-of", "2026-05-01")
    assert ids(doc)["app-password-stored"] == "warning" and code == 0
    assert "stops working on 2026-07-28" in text
    code, doc, text = doctor(path, "--as-of", "2026-06-20")
    assert "brownouts" in text
    code, doc, text = doctor(path, "--as-of", "2026-11-28")
    assert ids(doc)["app-password-stored"] == "error" and code == 1
    assert "stopped working on 2026-07-28" in text
    assert ids(doc)["plaintext-credential"] == "warning"
    assert APP_PASSWORD not in text and APP_PASSWORD not in json.dumps(doc)


def test_stored_account_password_and_email_with_api_token(tmp_path: Path, isolated: Path) -> None:
    (isolated / ".git-credentials").write_text(f"https://jane:hunter2@bitbucket.org\nhttps://jane%40example.com:{API_TOKEN}@bitbucket.org\n")
    git("config", "--global", "credential.helper", "store")
    _, doc, text = doctor(repo(tmp_path))
    assert ids(doc)["account-password-stored"] == "error" and ids(doc)["email-username"] == "error"
    assert "hunter2" not in text and API_TOKEN not in text


def test_email_username_in_the_url(tmp_path: Path) -> None:
    code, doc, _ = doctor(repo(tmp_path, url="https://jane%40example.com@bitbucket.org/acme/widgets.git"))
    assert code == 1 and ids(doc)["email-username"] == "error"


def test_helpers_missing_renamed_and_several(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "manager-core")
    git("config", "--global", "--add", "credential.helper", "store")
    git("config", "credential.https://bitbucket.org.helper", "cache", cwd=path)
    code, doc, text = doctor(path)
    assert code == 1
    assert ids(doc)["helper-not-installed"] == "error" and ids(doc)["several-helpers"] == "warning"
    text = " ".join(text.split())
    assert "renamed manager-core to manager" in text
    assert "git config --global --replace-all credential.helper manager '^manager-core$'" in text
    assert "3 credential helpers are in effect for bitbucket.org: manager-core, store, cache" in text


def test_old_bitbucket_host_key_and_ssh_key_problems(tmp_path: Path, isolated: Path) -> None:
    path = repo(tmp_path, url="git@bitbucket.org:acme/widgets.git")
    ssh = isolated / ".ssh"
    ssh.mkdir()
    (ssh / "known_hosts").write_text(f"bitbucket.org ssh-rsa {bitbucket_cloud.RETIRED_HOST_KEYS[0]}\n")
    code, doc, _ = doctor(path)
    assert code == 1 and ids(doc)["old-ssh-host-key"] == "error" and ids(doc)["ssh-no-key"] == "warning"
    (ssh / "id_ed25519").write_text("k")
    os.chmod(ssh / "id_ed25519", 0o640)
    _, doc, _ = doctor(path)
    assert "ssh-no-key" not in ids(doc) and ids(doc)["ssh-key-permissions"] == "warning"


def test_broken_repository_is_reported_not_crashed(tmp_path: Path) -> None:
    path = repo(tmp_path)
    with open(path / ".git" / "config", "a") as handle:
        handle.write('[remote "x\n')
    code, doc, text = doctor(path)
    assert code == 1 and ids(doc)["repository-unreadable"] == "error" and "bad config line" in text


def test_only_the_named_remote(tmp_path: Path) -> None:
    path = repo(tmp_path, url=f"https://jane:{APP_PASSWORD}@bitbucket.org/acme/widgets.git")
    git("remote", "add", "clean", "https://github.com/acme/widgets.git", cwd=path)
    code, doc, _ = doctor(path, "--remote", "clean")
    assert code == 0 and "credential-in-url" not in ids(doc)
    code, doc, _ = doctor(path, "--remote", "nope")
    assert code == 1 and "no-such-remote" in ids(doc)


@pytest.mark.parametrize("args", [["--push"], ["--as-of", "later"], ["--repo", "/no/such/dir"]])
def test_usage_errors(tmp_path: Path, args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "bbdiag", "doctor", *args], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr and done.stderr.startswith("bbdiag doctor:")


def test_ssh_as_another_user_and_an_unreachable_agent(tmp_path: Path, isolated: Path) -> None:
    path = repo(tmp_path, url="ssh://jane@bitbucket.org/acme/widgets.git")
    ssh = isolated / ".ssh"
    ssh.mkdir()
    (ssh / "id_ed25519").write_text("k")
    os.chmod(ssh / "id_ed25519", 0o600)
    code, doc, text = doctor(path, env={"SSH_AUTH_SOCK": str(tmp_path / "no-agent.sock")})
    assert code == 1 and ids(doc)["ssh-wrong-user"] == "error" and ids(doc)["ssh-agent-unreachable"] == "warning"
    assert "git remote set-url origin git@bitbucket.org:acme/widgets.git" in text


def test_git_credential_manager_on_bitbucket_says_how_it_signs_in(tmp_path: Path) -> None:
    path = repo(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "git-credential-manager").write_text("#!/bin/sh\nexit 0\n")
    (bin_dir / "git-credential-manager").chmod(0o755)
    git("config", "--global", "credential.helper", "manager")
    git("config", "--global", "credential.bitbucketAuthModes", "basic")
    _, doc, text = doctor(path, env={"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert ids(doc)["gcm-bitbucket-auth-modes"] == "info" and "signs in to Bitbucket with: basic" in " ".join(text.split())


def test_no_sign_in_note_for_a_gcm_that_is_not_installed(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "manager-core")
    _, doc, _ = doctor(path)
    assert "gcm-bitbucket-auth-modes" not in ids(doc) and ids(doc)["helper-not-installed"] == "error"
