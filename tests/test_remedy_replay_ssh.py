"""Remedies replayed beyond the HTTPS auth failures (issue 11), against the loopback sshd: a key the
server does not authorise, and a remote whose path is wrong. git fails, `explain` reads its real
output inside the repository, the test runs each printed command as the user would (doing by hand
what a step says to do on the host's pages, filling in the URL only the user knows), and the
command that failed then passes.

ssh reads ~/.ssh from the account's home, not the test's $HOME, so the user's own ssh setup (their
key, their known_hosts) is an `ssh` first on PATH that passes those options: git and every printed
`ssh ...` command run it, as they would run the user's ssh with the user's ~/.ssh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git
from tests.test_ssh import SSHD, _keygen, sshd  # noqa: F401 (sshd is a fixture)

pytestmark = pytest.mark.skipif(SSHD is None, reason="no sshd on this machine")


def users_ssh(tmp_path: Path, key: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = subprocess.run(["sh", "-c", "command -v ssh"], capture_output=True, text=True, check=True).stdout.strip()
    known = tmp_path / "known_hosts"
    wrapper = bin_dir / "ssh"
    wrapper.write_text(
        f"#!/bin/sh\nexec {real} -F /dev/null -i {key} -o IdentitiesOnly=yes -o UserKnownHostsFile={known} "
        '-o StrictHostKeyChecking=accept-new -o BatchMode=yes "$@"\n'
    )
    wrapper.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}


def explain(cwd: Path, failed: subprocess.CompletedProcess[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "explain", "--format", "json", "-"], cwd=cwd, input=failed.stderr, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    diagnoses = json.loads(done.stdout)["diagnoses"]
    assert len(diagnoses) == 1, failed.stderr
    return diagnoses[0]  # type: ignore[no-any-return]


def replay(diagnosis: dict[str, object], cwd: Path, env: dict[str, str], by_hand: dict[str, object], fill: dict[str, str]) -> list[str]:
    transcript = []
    for step in diagnosis["remedy"]:  # type: ignore[attr-defined]
        for keyword, action in by_hand.items():
            if keyword in step["text"]:
                action()  # type: ignore[operator]
        command = step.get("command")
        if not command or step["text"].startswith("If you have no key yet"):  # the user has one
            continue
        for placeholder, value in fill.items():
            command = command.replace(placeholder, value)
        assert "<" not in command, f"a placeholder the user cannot fill in: {command}"
        ran = subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        transcript.append(f"$ {command}\n{ran.stdout}{ran.stderr}(exit {ran.returncode})")
    return transcript


def test_a_key_the_server_does_not_authorise(sshd: dict[str, object], tmp_path: Path) -> None:  # noqa: F811
    mine = _keygen(tmp_path / "id_ed25519")
    env = users_ssh(tmp_path, mine)
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    git("remote", "add", "origin", str(sshd["url"]), cwd=repo)
    failed = subprocess.run(["git", "fetch", "origin"], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert failed.returncode != 0 and "Permission denied (publickey" in failed.stderr
    diagnosis = explain(repo, failed, env)
    assert diagnosis["cause"] == "ssh-key-rejected"
    commands = [s.get("command") for s in diagnosis["remedy"]]  # type: ignore[attr-defined]
    user = str(sshd["url"]).split("//")[1].split("@")[0]
    assert f"ssh -T -p {sshd['port']} {user}@127.0.0.1" in commands, "the check reaches this remote: its port and its user"

    authorised = Path(str(sshd["work"])) / "authorized_keys"
    add_key = lambda: authorised.write_text(authorised.read_text() + Path(f"{mine}.pub").read_text())  # noqa: E731 (the account's SSH keys page)
    transcript = replay(diagnosis, repo, env, {"Add the public key": add_key}, {})
    again = subprocess.run(["git", "fetch", "origin"], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, "\n".join([*transcript, again.stderr])


def test_a_remote_whose_path_is_wrong(sshd: dict[str, object], tmp_path: Path) -> None:  # noqa: F811
    key = Path(str(sshd["good"]))
    env = users_ssh(tmp_path, key)
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    right = str(sshd["url"])
    git("remote", "add", "origin", right.replace("served.git", "sevred.git"), cwd=repo)
    failed = subprocess.run(["git", "fetch", "origin"], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert failed.returncode != 0
    diagnosis = explain(repo, failed, env)
    assert (diagnosis["cause"], diagnosis["auth"]) == ("remote-misconfigured", False), failed.stderr  # git: does not appear to be a git repository
    transcript = replay(diagnosis, repo, env, {}, {"<clone-url>": right})  # the user knows the right URL
    again = subprocess.run(["git", "fetch", "origin"], cwd=repo, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0, "\n".join([*transcript, again.stderr])
