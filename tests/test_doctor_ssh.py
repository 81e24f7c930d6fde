"""doctor sees SSH as ssh sees it (issue 11): the effective configuration from real `ssh -G`
(Include, Match, HostName, User, IdentityFile, IdentitiesOnly), known_hosts entries found by
`ssh-keygen -F` (hashed ones, `[address]:port` ones), the published fingerprints of the hosts
bbdiag knows quoted in the step that compares them, and that step replayed against a loopback sshd."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bbdiag import knowledge, ssh_setup
from tests.conftest import git
from tests.test_doctor import doctor, ids
from tests.test_doctor_sees_everything import findings
from tests.test_inspector import repo
from tests.test_ssh import SSHD, _keygen, sshd  # noqa: F401 (sshd is a fixture)

GITHUB_ED25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"  # from GitHub's page of its keys


def ssh_dir(home: Path) -> Path:
    path = home / ".ssh"
    path.mkdir(exist_ok=True, mode=0o700)
    return path


def key(path: Path) -> Path:
    path.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    path.chmod(0o600)
    return path


def test_published_fingerprints_are_what_ssh_computes_from_the_published_keys() -> None:
    k = knowledge.load()
    assert ssh_setup.fingerprint(GITHUB_ED25519) == k.fact("github-ed25519-fingerprint")
    bitbucket_ed25519 = "AAAAC3NzaC1lZDI1NTE5AAAAIIazEu89wgQZ4bqs3d63QSMzYVa0MuJ2e2gKTKqu+UUO"  # https://bitbucket.org/site/ssh
    assert ssh_setup.fingerprint(bitbucket_ed25519) == k.fact("bitbucket-ed25519-fingerprint")
    done = subprocess.run(["ssh-keygen", "-lf", "-"], input=f"github.com ssh-ed25519 {GITHUB_ED25519}\n", capture_output=True, text=True, check=True)
    assert done.stdout.split()[1] == ssh_setup.fingerprint(GITHUB_ED25519), "the same as ssh-keygen's"


def test_include_hostname_user_and_identitiesonly_come_from_ssh_itself(tmp_path: Path, isolated: Path) -> None:
    ssh = ssh_dir(isolated)
    (ssh / "conf.d").mkdir()
    (ssh / "config").write_text(f"Include {ssh}/conf.d/*\n")  # ssh's ~ is the account's home, not the test's $HOME
    (ssh / "conf.d" / "work").write_text("Host work\n  HostName bitbucket.org\n  User jane\n  IdentityFile ~/.ssh/work_key\n  IdentitiesOnly yes\n")
    key(ssh / "id_ed25519")  # there, but IdentitiesOnly keeps ssh from offering it
    path = repo(tmp_path, url="work:acme/widgets.git")
    code, doc, _ = doctor(path)
    assert code == 1
    (user,) = findings(doc, "ssh-wrong-user")
    assert user["title"] == "origin connects over SSH as 'jane', not 'git'", "the alias is Bitbucket Cloud, which takes git only"
    assert "ssh configuration sets this User" in str(user["detail"])
    assert [s.get("command") for s in user["fix"]] == ["git remote set-url origin git@work:acme/widgets.git"]  # type: ignore[attr-defined]
    (missing,) = findings(doc, "ssh-identity-missing")
    assert missing["severity"] == "error" and str(ssh / "work_key") in str(missing["title"])
    assert ids(doc)["ssh-no-key"] == "warning"
    key(ssh / "work_key")
    git("remote", "set-url", "origin", "git@work:acme/widgets.git", cwd=path)
    _, doc, _ = doctor(path)
    assert not {"ssh-wrong-user", "ssh-identity-missing", "ssh-no-key"} & set(ids(doc))


def test_a_match_block_is_applied(tmp_path: Path, isolated: Path) -> None:
    ssh = ssh_dir(isolated)
    (ssh / "config").write_text("Match host github.com\n  IdentityFile ~/.ssh/github_key\n  IdentitiesOnly yes\n")
    path = repo(tmp_path, url="git@github.com:octo/widgets.git")
    _, doc, _ = doctor(path)
    (missing,) = findings(doc, "ssh-identity-missing")
    assert str(ssh / "github_key") in str(missing["title"]), "the hand parser skipped Match blocks; ssh -G applies them"
    git("remote", "set-url", "origin", "git@gitlab.com:group/widgets.git", cwd=path)
    _, doc, _ = doctor(path)
    assert "ssh-identity-missing" not in ids(doc), "the Match block is for github.com only"


def test_a_hashed_entry_with_a_key_the_host_does_not_publish(tmp_path: Path, isolated: Path) -> None:
    ssh = ssh_dir(isolated)
    key(ssh / "id_ed25519")
    impostor = _keygen(tmp_path / "impostor")
    (ssh / "known_hosts").write_text(
        f"github.com {Path(str(impostor) + '.pub').read_text().split(' ', 2)[0]} {Path(str(impostor) + '.pub').read_text().split()[1]}\n"
    )
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(ssh / "known_hosts")], check=True, capture_output=True)
    assert (ssh / "known_hosts").read_text().startswith("|1|"), "the entry is hashed: no name to grep for"
    path = repo(tmp_path, url="git@github.com:octo/widgets.git")
    code, doc, _ = doctor(path)
    assert code == 1
    (pinned,) = findings(doc, "ssh-host-key-unpublished")
    assert "a hashed entry" in str(pinned["detail"]) and f"{ssh / 'known_hosts'}:1" in str(pinned["detail"])
    steps = [str(s["text"]) for s in pinned["fix"]]  # type: ignore[attr-defined]
    k = knowledge.load()
    compare = next(s for s in steps if s.startswith("Compare"))
    for fact in ("github-ed25519-fingerprint", "github-ecdsa-fingerprint", "github-rsa-fingerprint"):
        assert k.fact(fact) in compare
    assert k.facts["github-ed25519-fingerprint"].sources[0] in compare
    (ssh / "known_hosts").write_text(f"github.com ssh-ed25519 {GITHUB_ED25519}\n")
    subprocess.run(["ssh-keygen", "-q", "-H", "-f", str(ssh / "known_hosts")], check=True, capture_output=True)
    _, doc, _ = doctor(path)
    assert not {"ssh-host-key-unpublished", "ssh-host-key-unknown"} & set(ids(doc)), "the published key, hashed, is found and accepted"


def test_a_self_hosted_github_is_not_compared_with_githubs_keys(tmp_path: Path, isolated: Path) -> None:
    ssh = ssh_dir(isolated)
    key(ssh / "id_ed25519")
    impostor = _keygen(tmp_path / "own")
    (ssh / "known_hosts").write_text(f"github.example.com {Path(str(impostor) + '.pub').read_text()}")
    path = repo(tmp_path, url="git@github.example.com:octo/widgets.git")
    _, doc, _ = doctor(path)
    assert "ssh-host-key-unpublished" not in ids(doc) and "ssh-host-key-unknown" not in ids(doc)


@pytest.mark.skipif(SSHD is None, reason="no sshd on this machine")
def test_an_address_and_port_entry_and_the_compare_step_replayed(sshd: dict[str, object], tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    ssh = ssh_dir(isolated)
    identity = ssh / "id_ed25519"
    identity.write_bytes(Path(str(sshd["good"])).read_bytes())
    identity.chmod(0o600)
    known = ssh / "known_hosts"
    command = f"ssh -F {ssh / 'config'} -i {identity} -o UserKnownHostsFile={known} -o BatchMode=yes -o StrictHostKeyChecking=yes"
    (ssh / "config").write_text("")
    git("config", "--global", "core.sshCommand", command)
    path = tmp_path / "clone"
    git("init", "-q", "-b", "main", str(path))
    git("remote", "add", "origin", str(sshd["url"]), cwd=path)
    _, doc, _ = doctor(path)
    (unknown,) = findings(doc, "ssh-host-key-unknown")
    assert unknown["severity"] == "warning", "BatchMode yes: ssh will stop at the unknown host key"
    assert unknown["title"] == f"known_hosts has no host key for [127.0.0.1]:{sshd['port']}"
    assert git("ls-remote", "origin", cwd=path, check=False).returncode != 0

    steps = {str(s["text"]): str(s.get("command")) for s in unknown["fix"]}  # type: ignore[attr-defined]
    presented = subprocess.run(steps["See the fingerprints the host presents:"], shell=True, capture_output=True, text=True, timeout=60)
    host_key = subprocess.run(["ssh-keygen", "-lf", f"{sshd['host_key']}.pub"], capture_output=True, text=True, check=True).stdout.split()[1]
    assert host_key in presented.stdout, "the printed command shows the server's own fingerprint"
    subprocess.run(steps["Only if one matches, trust the host's keys:"], shell=True, check=True, capture_output=True, timeout=60)
    assert known.read_text().startswith(f"[127.0.0.1]:{sshd['port']} "), "found again by address and port"
    _, doc, _ = doctor(path)
    assert "ssh-host-key-unknown" not in ids(doc)
    assert git("ls-remote", "origin", cwd=path, check=False).returncode == 0, "the remedy works: git connects"


def test_ssh_options_follow_the_command_git_runs() -> None:
    assert ssh_setup.ssh_options({}) == []
    assert ssh_setup.ssh_options({"GIT_SSH_COMMAND": "ssh -i ~/k -o IdentitiesOnly=yes"}) == ["-i", "~/k", "-o", "IdentitiesOnly=yes"]
    assert ssh_setup.ssh_options({"core.sshcommand": "/usr/bin/ssh -F /dev/null"}) == ["-F", "/dev/null"]
    assert ssh_setup.ssh_options({"GIT_SSH_COMMAND": "plink -batch"}) is None, "another program: its configuration is not ssh's"
    assert ssh_setup.ssh_options({"GIT_SSH": "/usr/bin/ssh"}) == []
    assert os.environ.get("GIT_SSH_COMMAND") is None
