"""diagnose: hits grouped into failed commands; the right cause and host for each; primary first."""

from __future__ import annotations

from bbdiag import library, pipeline
from bbdiag.diagnose import Diagnosis
from bbdiag.hosts import bitbucket_cloud


def diagnoses(text: str) -> list[Diagnosis]:
    return pipeline.diagnose_text(text, lib=library.load()).diagnoses


def causes(text: str) -> list[tuple[str, str]]:
    return [(d.cause, d.host) for d in diagnoses(text)]


def test_a_successful_push_with_remote_chatter_is_no_failure() -> None:
    text = """Enumerating objects: 5, done.
remote: Resolving deltas: 100% (1/1), completed with 1 local object.
remote:
remote: Create pull request for feature:
remote:   https://bitbucket.org/acme/widgets/pull-requests/new?source=feature
To https://bitbucket.org/acme/widgets.git
 * [new branch]      feature -> feature
"""
    assert diagnoses(text) == []


def test_the_most_specific_cause_wins_inside_one_failure() -> None:
    text = """Logon failed, use ctrl+c to cancel basic credential prompt.
remote: Bitbucket Cloud recently stopped supporting account passwords for Git authentication.
remote: See our community post for more details: https://atlassian.community/t5/x/x/ba-p/1948231
fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'
"""
    (d,) = diagnoses(text)
    assert (d.cause, d.host) == ("account-password-rejected", "bitbucket-cloud")
    assert [h.line for h in d.evidence] == [1, 2, 4]


def test_several_failures_are_each_reported_auth_first() -> None:
    text = """remote: Repository not found.
fatal: repository 'https://github.com/o/gone.git/' not found
remote: Invalid username or password.
fatal: Authentication failed for 'https://github.com/o/r.git/'
"""
    assert causes(text) == [("credentials-rejected", "github"), ("repository-not-found", "github")]


def test_a_410_is_the_app_password_only_on_bitbucket_cloud() -> None:
    assert causes("fatal: unable to access 'https://bitbucket.org/a/b.git/': The requested URL returned error: 410") == [
        ("app-password-retired", "bitbucket-cloud")
    ]
    assert causes("fatal: unable to access 'https://github.com/a/b/tree/main/': The requested URL returned error: 410") == [("remote-misconfigured", "github")]


def test_a_host_name_that_is_not_the_urls_means_a_malformed_url() -> None:
    text = "fatal: unable to access 'https://jane:@bitbucket.org/jane/r.git/': Could not resolve host: jane"
    assert causes(text) == [("remote-misconfigured", "bitbucket-cloud")]
    assert causes("fatal: unable to access 'https://bitbucket.org/jane/r.git/': Could not resolve host: bitbucket.org") == [("network", "bitbucket-cloud")]


def test_a_generic_access_denied_counts_only_inside_an_ssh_failure() -> None:
    assert diagnoses("npm ERR! Access denied") == []
    text = "Auth error: Access denied\nfatal: Could not read from remote repository.\n"
    assert causes(text) == [("ssh-key-rejected", "unknown")]


def test_the_hosts_own_text_beats_a_generic_url() -> None:
    text = "remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'http://git.internal.example/g/r.git/'"
    assert causes(text) == [("credentials-rejected", "gitlab")]


def test_a_host_named_nearby_decides_when_the_failure_names_none() -> None:
    text = """$ git clone git@bitbucket.org:acme/widgets.git
Cloning into 'widgets'...
Permission denied (publickey).
fatal: Could not read from remote repository.
"""
    (d,) = diagnoses(text)
    assert (d.cause, d.host) == ("ssh-key-rejected", "bitbucket-cloud")
    assert d.url is not None and bitbucket_cloud.slug(d.url) == ("acme", "widgets")


def test_the_same_failure_twice_is_reported_twice_earliest_first() -> None:
    line = "fatal: could not read Username for 'https://github.com': terminal prompts disabled\n"
    found = diagnoses(line + "\n" * 3 + line)
    assert [(d.cause, d.lines) for d in found] == [("credentials-missing", (1, 1)), ("credentials-missing", (5, 5))]


def test_not_credentials_when_the_branch_is_protected() -> None:
    text = """remote: error: GH006: Protected branch update failed for refs/heads/main.
remote: error: Changes must be made through a pull request.
 ! [remote rejected] main -> main (protected branch hook declined)
error: failed to push some refs to 'https://github.com/o/r.git'
"""
    (d,) = diagnoses(text)
    assert (d.cause, d.auth) == ("branch-protected", False)


def test_translated_git_lines_are_recognised() -> None:
    assert causes("Schwerwiegend: Authentifizierung fehlgeschlagen für 'https://bitbucket.org/a/b.git/'") == [("credentials-rejected", "bitbucket-cloud")]
    assert causes("git@github.com: Permission denied (publickey).\nfatal : Impossible de lire le dépôt distant.") == [("ssh-key-rejected", "github")]


def test_hints_about_keys_or_missing_credentials_never_outweigh_a_transport_failure() -> None:
    """A warning that an identity file is missing, or Jenkins' 'No credentials specified', is not
    the cause when the connection itself failed: never blame the credential then."""
    text = "Warning: Identity file /home/u/.ssh/work not accessible: No such file or directory.\nssh: connect to host github.com port 22: Connection refused\nfatal: Could not read from remote repository.\n"
    assert causes(text) == [("network", "github")]
    text = "No credentials specified\n > git fetch https://bitbucket.org/a/b.git\nfatal: unable to access 'https://bitbucket.org/a/b.git/': SSL certificate problem: unable to get local issuer certificate\n"
    (d,) = diagnoses(text)
    assert (d.cause, d.auth) == ("tls-certificate", False)
    text = "Warning: Identity file /home/u/.ssh/work not accessible: No such file or directory.\ngit@github.com: Permission denied (publickey).\n"
    assert causes(text) == [("ssh-key-rejected", "github")]


def test_a_host_named_far_away_in_a_long_log_does_not_claim_a_failure() -> None:
    """In a CI log that talks to several hosts, a URL far from a failure says nothing about it."""
    text = "Cloning https://github.com/acme/tools.git\n" + "build output\n" * 200
    text += "remote: Invalid credentials\nfatal: Authentication failed for 'https://git.corp.example/team/app.git/'\n"
    assert causes(text) == [("credentials-rejected", "generic")]
    text = (
        "Cloning https://github.com/acme/tools.git\n"
        + "build output\n" * 200
        + "Host key verification failed.\nfatal: Could not read from remote repository.\n"
    )
    assert causes(text) == [("ssh-host-key", "github")], "one host named in the whole input: that host"
    text = (
        "Cloning https://github.com/acme/tools.git\nCloning https://gitlab.com/acme/lib.git\n"
        + "x\n" * 200
        + "Host key verification failed.\nfatal: Could not read from remote repository.\n"
    )
    assert causes(text) == [("ssh-host-key", "unknown")]
