"""`bbdiag fix` moves plaintext-stored credentials into an encrypted helper when one is installed
(issue 11), with backups and `--undo`, against the loopback Bitbucket stand-in.

The encrypted helper is the real one: git's own git-credential-libsecret, built from the source
git ships (contrib/credential/libsecret), talking to a gnome-keyring that runs headless on a
private D-Bus session, its keyring unlocked with a test password and kept in the test's $HOME.
.ci/run installs what it needs (libsecret-1-dev, gnome-keyring, dbus-daemon, gcc, make)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import bitbucket_server as bb
from tests.conftest import git
from tests.test_fix import SECRETS, clone, fix, nobody_types, server  # noqa: F401 (server is a fixture)

CONTRIB = Path("/usr/share/doc/git/contrib/credential/libsecret")


@pytest.fixture(scope="session")
def libsecret_helper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """git-credential-libsecret, built once from git's contrib source into a folder of its own."""
    if not (CONTRIB / "git-credential-libsecret.c").exists() or not shutil.which("make"):
        pytest.skip("git's libsecret helper source or make is missing (.ci/run installs them)")
    build = tmp_path_factory.mktemp("libsecret")
    for name in ("Makefile", "git-credential-libsecret.c"):
        shutil.copy(CONTRIB / name, build / name)
    done = subprocess.run(["make", "-C", str(build)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.skip(f"git-credential-libsecret does not build here (libsecret-1-dev): {done.stderr.strip().splitlines()[-1:]}")
    return build


@pytest.fixture
def encrypted_helper(libsecret_helper: Path, isolated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A headless, unlocked gnome-keyring on a private session bus, and libsecret's helper on PATH; the keyring folder."""
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("dbus-daemon or gnome-keyring-daemon is missing (.ci/run installs them)")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.setenv("XDG_DATA_HOME", str(isolated / ".local" / "share"))
    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"], stdout=subprocess.PIPE, text=True)
    assert bus.stdout is not None
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.stdout.readline().strip())
    keyring = subprocess.Popen(
        ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert keyring.stdin is not None
    keyring.stdin.write(b"keyring password of the test")
    keyring.stdin.close()
    monkeypatch.setenv("PATH", f"{libsecret_helper}{os.pathsep}{os.environ['PATH']}")
    probe = "protocol=https\nhost=probe.invalid\nusername=u\npassword=p\n\n"
    for _ in range(50):  # the keyring answers once it has claimed its bus name
        if subprocess.run(["git", "credential-libsecret", "store"], input=probe, text=True, capture_output=True, timeout=30).returncode == 0:
            break
    subprocess.run(["git", "credential-libsecret", "erase"], input=probe, text=True, capture_output=True, timeout=30)
    try:
        yield isolated / ".local" / "share" / "keyrings"
    finally:
        for process in (keyring, bus):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def libsecret_holds(secret: str) -> bool:
    done = subprocess.run(["git", "credential-libsecret", "get"], input="protocol=http\nhost=bitbucket.org\n\n", text=True, capture_output=True, timeout=30)
    return f"password={secret}" in done.stdout


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
    assert bb.API_TOKEN in plaintext.read_text() and not libsecret_holds(bb.API_TOKEN), "--dry-run changes nothing"

    done = fix("--yes", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert bb.API_TOKEN not in plaintext.read_text(), "the plaintext file no longer holds it"
    assert libsecret_holds(bb.API_TOKEN), "the encrypted helper does"
    keyrings = [p for p in encrypted_helper.rglob("*") if p.is_file()]
    assert keyrings and not [p for p in keyrings if bb.API_TOKEN.encode() in p.read_bytes()], "encrypted on disk"
    assert git("config", "--global", "--get-all", "credential.helper").stdout.split() == ["libsecret"]
    backups = [p for p in (isolated / ".local" / "state" / "bbdiag" / "fix").rglob("*") if p.is_file()]
    assert backups and not [p for p in backups if bb.API_TOKEN in p.read_text(errors="replace")], "no backup holds the secret"
    assert git("fetch", "-q", "origin", cwd=repo, check=False, env=nobody_types()).returncode == 0, "git works, nobody typing"

    undone = fix("--undo", cwd=repo)
    assert undone.returncode == 0, undone.stdout + undone.stderr
    assert bb.API_TOKEN in plaintext.read_text() and not libsecret_holds(bb.API_TOKEN)
    assert (isolated / ".gitconfig").read_text() == gitconfig_before
    assert git("fetch", "-q", "origin", cwd=repo, check=False, env=nobody_types()).returncode == 0


def test_without_an_encrypted_helper_nothing_is_moved(server: bb.Server, tmp_path: Path, isolated: Path) -> None:  # noqa: F811
    repo = clone(isolated, tmp_path / "widgets")
    done = fix("--dry-run", cwd=repo)
    assert done.returncode == 0 and "Nothing to fix" in done.stdout, "the in-memory cache is no place to move a credential to"
    assert subprocess.run(["git", "config", "--global", "credential.helper"], capture_output=True, text=True).stdout.strip() == "store"
