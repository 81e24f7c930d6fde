"""remote_urls: URLs in output and config, and the host id each one names."""

from __future__ import annotations

import pytest

from bbdiag import remote_urls
from bbdiag.hosts import bitbucket_cloud


@pytest.mark.parametrize(
    ("text", "host_id"),
    [
        ("https://bitbucket.org/ws/repo.git", "bitbucket-cloud"),
        ("git@bitbucket.org:ws/repo.git", "bitbucket-cloud"),
        ("ssh://git@altssh.bitbucket.org:443/ws/repo.git", "bitbucket-cloud"),
        ("https://git.corp.example/scm/PROJ/repo.git", "bitbucket-dc"),
        ("ssh://git@server:7999/proj/repo.git", "bitbucket-dc"),
        ("https://bitbucket.corp.example/projects/x", "bitbucket-dc"),
        ("https://github.com/o/r.git", "github"),
        ("git@github.com:o/r.git", "github"),
        ("https://ghe.corp.example/o/r.git", "github"),
        ("https://gitlab.com/g/r.git", "gitlab"),
        ("https://gitlab.corp.example/g/r.git", "gitlab"),
        ("https://dev.azure.com/org/p/_git/r", "azure-devops"),
        ("https://org.visualstudio.com/p/_git/r", "azure-devops"),
        ("https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/r", "codecommit"),
        ("https://forgejo.example.com/o/r", "gitea"),
        ("https://codeberg.org/o/r.git", "gitea"),
        ("https://git.example.org/o/r.git", "generic"),
        ("http://10.0.0.5:22827/o/r.git", "generic"),
    ],
)
def test_classify(text: str, host_id: str) -> None:
    url = remote_urls.parse(text)
    assert url is not None and url.host_id == host_id


def test_find_urls_in_a_line_without_leaking_userinfo() -> None:
    (url,) = remote_urls.find("fatal: unable to access 'https://user:s3cret@bitbucket.org/ws/repo.git/': x")
    assert url.username == "user" and url.has_secret
    assert url.display == "https://bitbucket.org/ws/repo.git/"
    assert "s3cret" not in url.display


def test_a_placeholder_port_is_not_a_url() -> None:
    assert remote_urls.find("Username for 'http://host:port': username") == []


def test_scp_syntax_needs_a_user() -> None:
    assert [u.display for u in remote_urls.find("Submodule 'x' (git@github.com:o/r.git) registered")] == ["git@github.com:o/r.git"]
    assert remote_urls.find("error: src/main.c:12: warning") == []


def test_ssh_commands_name_a_host() -> None:
    (url,) = remote_urls.find_ssh_commands("$ ssh -T git@bitbucket.org")
    assert url.host_id == "bitbucket-cloud"


def test_loose_classification_of_unparseable_urls() -> None:
    assert remote_urls.classify_loose("https://<GHE url where clone fails>") == "github"
    assert remote_urls.classify_loose("'.../my-repo.git/'") is None


def test_bitbucket_slug() -> None:
    assert bitbucket_cloud.slug(remote_urls.parse("https://bitbucket.org/acme/widgets.git")) == ("acme", "widgets")  # type: ignore[arg-type]
    assert bitbucket_cloud.slug(remote_urls.parse("https://bb.corp/scm/PROJ/repo.git")) == ("PROJ", "repo")  # type: ignore[arg-type]
    assert bitbucket_cloud.slug(remote_urls.parse("git@bitbucket.org:acme/widgets.git")) == ("acme", "widgets")  # type: ignore[arg-type]


def test_scp_syntax_without_a_user_where_the_text_is_a_url() -> None:
    url = remote_urls.parse("bitbucket.org:acme/site.git")
    assert url is not None and (url.scheme, url.host_id, bitbucket_cloud.slug(url)) == ("scp", "bitbucket-cloud", ("acme", "site"))
    assert remote_urls.parse("host:12") is None
    assert remote_urls.find("see config.py:12 and bitbucket.org:acme/site.git") == []  # in running text: not a URL
