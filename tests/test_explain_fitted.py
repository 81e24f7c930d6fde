"""explain inside a repository: the remedy names this user's remote, URL and credential helper."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CASES, bbdiag, git
from tests.test_inspector import repo


def explain(path: Path, text: str, *args: str) -> dict[str, object]:
    done = bbdiag("explain", "--format", "json", *args, "-", stdin=text, cwd=path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def commands(doc: dict[str, object]) -> list[str]:
    return [s["command"] for s in doc["diagnoses"][0]["remedy"] if "command" in s]  # type: ignore[index]


INVALID = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'\n"


def test_the_remote_and_helper_of_this_repository(tmp_path: Path) -> None:
    path = repo(tmp_path, url="https://jane@bitbucket.org/acme/widgets.git")
    git("remote", "rename", "origin", "upstream", cwd=path)
    git("config", "--global", "credential.helper", "osxkeychain")
    got = commands(explain(path, INVALID))
    assert "git remote set-url upstream https://jane@bitbucket.org/acme/widgets.git" in got
    assert "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential-osxkeychain erase" in got
    assert "git ls-remote upstream" in got


def test_no_repo_gives_the_generic_remedy(tmp_path: Path) -> None:
    path = repo(tmp_path, url="https://jane@bitbucket.org/acme/widgets.git")
    git("config", "--global", "credential.helper", "osxkeychain")
    got = commands(explain(path, INVALID, "--no-repo"))
    assert "git remote set-url origin https://<your-bitbucket-username>@bitbucket.org/acme/widgets.git" in got
    assert "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential reject" in got


def test_the_remote_decides_the_host_when_the_output_does_not(tmp_path: Path) -> None:
    path = repo(tmp_path, url="git@bitbucket.org:acme/widgets.git")
    doc = explain(path, (CASES / "p050.txt").read_text())
    first = doc["diagnoses"][0]  # type: ignore[index]
    assert (first["cause"], first["host"]) == ("ssh-key-rejected", "bitbucket-cloud")
    assert any("https://bitbucket.org/account/settings/ssh-keys/" in s["text"] for s in first["remedy"])


def test_a_failure_about_another_host_is_not_fitted_to_this_remote(tmp_path: Path) -> None:
    path = repo(tmp_path, url="https://bitbucket.org/acme/widgets.git")
    doc = explain(path, "remote: Repository not found.\nfatal: repository 'https://github.com/acme/lib.git/' not found\n")
    first = doc["diagnoses"][0]  # type: ignore[index]
    assert first["host"] == "github" and "bitbucket" not in json.dumps(first["remedy"]).lower()


def test_explain_with_a_broken_repository_still_explains(tmp_path: Path) -> None:
    path = repo(tmp_path)
    with open(path / ".git" / "config", "a") as handle:
        handle.write("[broken\n")
    assert explain(path, INVALID)["diagnoses"][0]["cause"] == "credentials-rejected"  # type: ignore[index]


def test_another_repository_on_the_same_host_is_not_fitted_to_this_remote(tmp_path: Path) -> None:
    path = repo(tmp_path, url="https://jane@bitbucket.org/acme/widgets.git")
    other = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/acme/gadgets.git/'\n"
    assert not any(c.startswith("git remote set-url origin https://jane@") for c in commands(explain(path, other)))
    same = commands(explain(path, INVALID.replace("widgets.git/", "Widgets/")))
    assert "git remote set-url origin https://jane@bitbucket.org/acme/widgets.git" in same, "the same repository, as git quotes it"
