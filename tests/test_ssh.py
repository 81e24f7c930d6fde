"""The SSH path against a loopback sshd (127.0.0.1, ephemeral port), where the machine has one."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import git

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
pytestmark = pytest.mark.skipif(SSHD is None, reason="no sshd on this machine (Debian: apt-get install openssh-server)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[dict[str, object]]:
    work = tmp_path / "sshd"
    work.mkdir()
    host_key = _keygen(work / "host_key")
    good = _keygen(work / "good_key")
    bad = _keygen(work / "bad_key")
    (work / "authorized_keys").write_text((work / "good_key.pub").read_text())
    os.chmod(work / "authorized_keys", 0o600)
    port = _free_port()
    (work / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {host_key}\nPidFile {work / 'pid'}\nAuthorizedKeysFile {work / 'authorized_keys'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
        "StrictModes no\nUsePAM no\nLogLevel ERROR\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True) if os.geteuid() == 0 else None
    process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(work / "sshd_config")], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.skip("sshd did not start here")
    repository = tmp_path / "served.git"
    git("init", "-q", "--bare", str(repository))
    user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    try:
        yield {"port": port, "good": good, "bad": bad, "host_key": host_key, "url": f"ssh://{user}@127.0.0.1:{port}{repository}", "work": work}
    finally:
        process.terminate()
        process.wait(timeout=10)


def clone(server: dict[str, object], key: Path, known_hosts: Path, strict: str, target: Path) -> subprocess.CompletedProcess[str]:
    command = f"ssh -F /dev/null -o BatchMode=yes -o IdentitiesOnly=yes -i {key} -o UserKnownHostsFile={known_hosts} -o StrictHostKeyChecking={strict}"
    return subprocess.run(
        [sys.executable, "-m", "bbdiag", "run", "--format", "text", "--", "git", "clone", str(server["url"]), str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_SSH_COMMAND": command},
        timeout=120,
    )


def test_right_key_works(sshd: dict[str, object], tmp_path: Path) -> None:
    done = clone(sshd, sshd["good"], tmp_path / "kh", "accept-new", tmp_path / "a")  # type: ignore[arg-type]
    assert done.returncode == 0, done.stderr


def test_wrong_key_is_ssh_key_rejected(sshd: dict[str, object], tmp_path: Path) -> None:
    done = clone(sshd, sshd["bad"], tmp_path / "kh", "accept-new", tmp_path / "a")  # type: ignore[arg-type]
    assert done.returncode == 128 and "Permission denied (publickey" in done.stderr
    assert "(ssh-key-rejected, generic)" in done.stderr


def test_unknown_host_key_in_a_batch_run(sshd: dict[str, object], tmp_path: Path) -> None:
    done = clone(sshd, sshd["good"], tmp_path / "kh", "yes", tmp_path / "a")  # type: ignore[arg-type]
    assert done.returncode == 128 and "Host key verification failed" in done.stderr
    assert "(ssh-host-key, generic)" in done.stderr and "not the problem" in done.stderr


def test_changed_host_key(sshd: dict[str, object], tmp_path: Path) -> None:
    other = _keygen(tmp_path / "other_host_key")
    known = tmp_path / "kh"
    known.write_text(f"[127.0.0.1]:{sshd['port']} {(Path(str(other) + '.pub')).read_text()}")
    done = clone(sshd, sshd["good"], known, "yes", tmp_path / "a")  # type: ignore[arg-type]
    assert done.returncode == 128 and "REMOTE HOST IDENTIFICATION HAS CHANGED" in done.stderr
    assert "(ssh-host-key, generic)" in done.stderr
