"""inspector.remotes, explain's reading of a repository, finds what inspector.inspect finds of it.

explain fits its remedy to the remotes and the current branch's remote only, so it asks for
those alone (no stored credentials, SSH keys, known_hosts, environment): the two readings must
never differ in what they share.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bbdiag import inspector, remote_urls
from tests.conftest import git


def _repository(where: Path) -> Path:
    git("init", "-q", "-b", "main", str(where))
    git("-C", str(where), "remote", "add", "origin", "https://bitbucket.org/acme/widgets.git")
    git("-C", str(where), "remote", "add", "upstream", "git@github.com:acme/widgets.git")
    git("-C", str(where), "config", "remote.upstream.pushurl", "https://x-token:ghp_" + "a" * 36 + "@github.com/acme/widgets.git")
    git("-C", str(where), "config", "branch.main.remote", "upstream")
    git("-C", str(where), "config", "url.https://gitlab.example.com/.insteadOf", "gl:")
    git("-C", str(where), "remote", "add", "mirror", "gl:acme/widgets.git")
    git("config", "--global", "credential.helper", "cache")
    git("config", "--global", "credential.https://github.com.username", "octocat")
    git("config", "--global", "credential.https://*.example.com.helper", "store")
    git("config", "--global", "credential.https://source.example.org.helper", "gcloud")
    return where


def test_remotes_are_what_inspect_finds(tmp_path: Path) -> None:
    where = _repository(tmp_path / "widgets")
    (where / "sub").mkdir()
    for folder in (where, where / "sub"):
        setup = inspector.inspect(folder)
        found = inspector.remotes(str(folder))
        assert found == inspector.Remotes(setup.remotes, setup.branch_remote)
        assert [r.name for r in found.remotes] == ["origin", "upstream", "mirror"] and found.branch_remote == "upstream"
    upstream = found.remotes[1]
    assert upstream.push is not None and "ghp_" not in str(upstream.push)  # the token in the push URL was dropped
    assert upstream.username == "octocat" and [h.name for h in found.remotes[2].helpers] == ["cache", "store"]


def test_remotes_in_a_worktree_name_its_own_branch(tmp_path: Path) -> None:
    where = _repository(tmp_path / "widgets")
    git("-C", str(where), "commit", "-q", "--allow-empty", "-m", "one")
    git("-C", str(where), "worktree", "add", "-q", "-b", "topic", str(tmp_path / "topic"))
    git("-C", str(where), "config", "branch.topic.remote", "origin")
    setup = inspector.inspect(tmp_path / "topic")
    assert inspector.remotes(str(tmp_path / "topic")) == inspector.Remotes(setup.remotes, "origin") and setup.branch_remote == "origin"


def test_outside_a_repository_only_the_users_configuration(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    found = inspector.remotes(str(tmp_path / "plain"))
    assert found == inspector.Remotes((), None) == inspector.Remotes(inspector.inspect(tmp_path / "plain").remotes, None)


# (a credential.<url> section, its score for https://bitbucket.org/acme/widgets.git and for
# git@bitbucket.org:acme/widgets.git): what _url_match gave before it ruled on other hosts unparsed.
SECTIONS = [
    ("https://bitbucket.org", 1, 1),
    ("bitbucket.org", 1, 1),
    ("https://bitbucket.org/acme", 6, -1),
    ("https://bitbucket.org/other", -1, -1),
    ("https://*.org", 1, 1),
    ("https://", 1, 1),
    ("https:///acme", 6, -1),
    ("http://bitbucket.org", -1, -1),
    ("https://BITBUCKET.ORG", 1, 1),
    ("https://user@bitbucket.org", -1, -1),
    ("https://bitbucket.org:443", 1, 1),
    ("https://bitbucket.org:8443", -1, -1),
    ("https://notbitbucket.org", -1, -1),
    ("https://bitbucket.org.evil.com", -1, -1),
    ("https://github.com", -1, -1),
    ("https://source.example.org/path", -1, -1),
    ("https://[::1]", -1, -1),
]


@pytest.mark.parametrize(("section", "https", "scp"), SECTIONS)
def test_a_section_of_another_host_is_told_as_parsing_tells_it(section: str, https: int, scp: int) -> None:
    for text, expected in (("https://bitbucket.org/acme/widgets.git", https), ("git@bitbucket.org:acme/widgets.git", scp)):
        url = remote_urls.parse(text)
        assert url is not None
        assert inspector._url_match(section, url) == expected
