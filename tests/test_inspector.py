"""inspector: real repositories and configurations in temporary directories, real git."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bbdiag import inspector
from bbdiag.hosts import bitbucket_cloud
from tests.conftest import git

APP_PASSWORD = "ATBB" + "q7Rk2Lm9Xw4Zp8Vn3Tc6Yh1Jd5Fg0Ab2"
API_TOKEN = "ATATT3xFfGF0" + "Gk8Lq2Wz5Rx7Mc9Vb3Nd6Fh1Jp4Ts0Ey"


def repo(tmp_path: Path, url: str = "https://bitbucket.org/acme/widgets.git", name: str = "r") -> Path:
    path = tmp_path / name
    git("init", "-q", "-b", "main", str(path))
    git("remote", "add", "origin", url, cwd=path)
    git("commit", "-q", "--allow-empty", "-m", "first", cwd=path)
    return path


def test_outside_any_repository(tmp_path: Path) -> None:
    setup = inspector.inspect(tmp_path)
    assert (setup.repository, setup.git_dir, setup.problem, setup.remotes) == (None, None, None, ())


def test_remote_urls_push_urls_and_rewrites(tmp_path: Path) -> None:
    path = repo(tmp_path, url="bb:acme/widgets.git")
    git("config", "--global", "url.https://bitbucket.org/.insteadOf", "bb:")
    git("config", "--global", "url.git@bitbucket.org:.pushInsteadOf", "bb:")  # applies to the URL as written
    git("remote", "add", "mirror", "https://github.com/acme/widgets.git", cwd=path)
    git("config", "remote.mirror.pushurl", "git@github.com:acme/widgets-push.git", cwd=path)
    setup = inspector.inspect(path)
    origin, mirror = setup.remote("origin"), setup.remote("mirror")
    assert origin is not None and mirror is not None
    assert origin.url is not None and origin.url.display == "https://bitbucket.org/acme/widgets.git"
    assert origin.push is not None and origin.push.display == "git@bitbucket.org:acme/widgets.git"
    assert mirror.push is not None and mirror.push.display == "git@github.com:acme/widgets-push.git"
    for remote in (origin, mirror):  # the same answer as git's own
        assert remote.url is not None and remote.push is not None
        assert git("remote", "get-url", remote.name, cwd=path).stdout.strip() == remote.url.text
        assert git("remote", "get-url", "--push", remote.name, cwd=path).stdout.strip() == remote.push.text
    assert setup.branch_remote is None


def test_worktree_bare_and_submodule(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("worktree", "add", "-q", str(tmp_path / "wt"), cwd=path)
    assert inspector.inspect(tmp_path / "wt").remote("origin") is not None
    git("clone", "-q", "--bare", str(path), str(tmp_path / "bare.git"))
    bare = inspector.inspect(tmp_path / "bare.git")
    assert bare.bare and bare.remote("origin") is not None
    sub = repo(tmp_path, url="https://github.com/acme/lib.git", name="lib")
    git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "lib", cwd=path)
    inside = inspector.inspect(path / "lib")
    assert inside.repository == (path / "lib").resolve()


def test_work_tree_found_from_a_subdirectory(tmp_path: Path) -> None:
    path = repo(tmp_path)
    (path / "src" / "deep").mkdir(parents=True)
    setup = inspector.inspect(path / "src" / "deep")
    assert setup.repository == path.resolve() and setup.git_dir == (path / ".git").resolve()
    assert setup.hooks_dir is not None and setup.hooks_dir.resolve() == (path / ".git" / "hooks").resolve()


def test_git_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo(tmp_path)
    monkeypatch.setenv("GIT_DIR", str(path / ".git"))
    assert inspector.inspect(tmp_path).remote("origin") is not None


def test_broken_config_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "store")
    with open(path / ".git" / "config", "a") as handle:
        handle.write("[core\nbroken = \n")
    setup = inspector.inspect(path)
    assert setup.repository == path and setup.problem and "bad config line" in setup.problem
    assert any(e.key == "credential.helper" for e in setup.config), "the user's own config is still read"


def test_helper_chain_levels_url_scopes_resets_and_includes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "cache")
    git("config", "--global", "--add", "credential.helper", "")  # resets: cache is gone
    git("config", "--global", "--add", "credential.helper", "store")
    included = tmp_path / "included.gitconfig"
    included.write_text('[credential "https://bitbucket.org"]\n\thelper = osxkeychain\n\tusername = jane\n')
    git("config", "--global", "include.path", str(included))
    git("config", "--global", "credential.https://github.com.helper", "wincred")  # another host: not in effect
    conditional = tmp_path / "work.gitconfig"
    conditional.write_text("[credential]\n\tuseHttpPath = true\n")
    git("config", "--global", f"includeIf.gitdir:{path}/.path", str(conditional))
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "credential.https://*.org.helper")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "manager-core")
    origin = inspector.inspect(path).remote("origin")
    assert origin is not None
    assert [h.name for h in origin.helpers] == ["store", "osxkeychain", "manager-core"]
    assert [h.scope for h in origin.helpers] == ["global", "global", "command"]
    assert origin.username == "jane" and origin.use_http_path
    assert origin.helpers[0].installed is True
    assert origin.helpers[2].installed is False


def test_command_line_config_reaches_the_inspector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'credential.helper'='!echo hi'")
    (helper,) = inspector.inspect(path).remote("origin").helpers  # type: ignore[union-attr]
    assert helper.command == "!echo hi" and helper.installed is None and helper.scope == "command"


def test_secrets_in_urls_are_found_and_not_kept(tmp_path: Path) -> None:
    path = repo(tmp_path, url=f"https://jane:{APP_PASSWORD}@bitbucket.org/acme/widgets.git")
    git("config", "remote.origin.pushurl", f"https://{API_TOKEN}@bitbucket.org/acme/widgets.git", cwd=path)
    git("config", "--global", "url.https://jane:hunter2@example.org/.insteadOf", "ex:")
    git("remote", "add", "other", "ex:o/r.git", cwd=path)
    setup = inspector.inspect(path)
    found = {(s.remote, s.where, s.kind) for s in setup.secrets_in_urls}
    assert found == {("origin", "url", "app-password"), ("origin", "pushurl", "api-token"), ("other", "insteadOf target", "password")}
    assert setup.remote("origin").url.display == "https://bitbucket.org/acme/widgets.git"  # type: ignore[union-attr]
    for secret in (APP_PASSWORD, API_TOKEN, "hunter2"):
        assert secret not in repr(setup), "the inspector keeps no secret"


def test_stored_credentials_are_classified_never_kept(tmp_path: Path, isolated: Path) -> None:
    (isolated / ".git-credentials").write_text(
        f"https://jane:{APP_PASSWORD}@bitbucket.org\nhttps://jane%40example.com:{API_TOKEN}@bitbucket.org/acme\nhttps://bob:hunter2@github.com\n"
    )
    store = tmp_path / "elsewhere"
    store.write_text("https://x-token-auth:ATCTT3xFfGN0abcdefghijklmnopqrstuvwx@bitbucket.org\n")
    git("config", "--global", "credential.helper", f"store --file={store}")
    setup = inspector.inspect(repo(tmp_path))
    kinds = {(Path(c.store).name, c.line, c.host, c.username, c.kind) for c in setup.stored}
    assert kinds == {
        ("elsewhere", 1, "bitbucket.org", "x-token-auth", "access-token"),
        (".git-credentials", 1, "bitbucket.org", "jane", "app-password"),
        (".git-credentials", 2, "bitbucket.org", "jane@example.com", "api-token"),
        (".git-credentials", 3, "github.com", "bob", "password"),
    }
    assert APP_PASSWORD not in repr(setup.stored) and "hunter2" not in repr(setup.stored)


def test_probe_stored_asks_helpers_without_prompting(tmp_path: Path, isolated: Path) -> None:
    (isolated / ".git-credentials").write_text(f"https://jane:{APP_PASSWORD}@bitbucket.org\n")
    git("config", "--global", "credential.helper", "store")
    url = inspector.inspect(repo(tmp_path)).remote("origin").push  # type: ignore[union-attr]
    assert url is not None
    probed = inspector.probe_stored(url, tmp_path)
    assert probed is not None and (probed.username, probed.kind) == ("jane", "app-password")
    (isolated / ".git-credentials").write_text("")
    assert inspector.probe_stored(url, tmp_path) is None  # no prompt, no hang: nothing stored


def test_ssh_keys_and_the_old_bitbucket_host_key(tmp_path: Path, isolated: Path) -> None:
    ssh = isolated / ".ssh"
    ssh.mkdir()
    (ssh / "id_ed25519").write_text("key")
    os.chmod(ssh / "id_ed25519", 0o644)
    (ssh / "known_hosts").write_text(
        f"github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\nbitbucket.org ssh-rsa {bitbucket_cloud.RETIRED_HOST_KEYS[0]}\n"
    )
    ssh_keys = inspector.inspect(tmp_path).ssh
    assert ssh_keys.keys == (str(ssh / "id_ed25519"),) and ssh_keys.loose_keys == ssh_keys.keys
    assert ssh_keys.retired_keys == {"bitbucket-cloud": (f"{ssh / 'known_hosts'}:2",)}


def test_environment_and_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BITBUCKET_BUILD_NUMBER", "42")
    monkeypatch.setenv("GIT_ASKPASS", "/nope/askpass")
    setup = inspector.inspect(tmp_path)
    assert setup.ci == "Bitbucket Pipelines" and setup.environment["GIT_ASKPASS"] == "/nope/askpass"
