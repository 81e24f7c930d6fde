"""remedy: the advice fits the host, the cause and the date; never Bitbucket advice elsewhere."""

from __future__ import annotations

import datetime as dt

import pytest

from bbdiag import knowledge, library, pipeline, remedy, remote_urls
from bbdiag.causes import CAUSES, HOSTS
from bbdiag.diagnose import Diagnosis
from bbdiag.remedy import Remedy, Situation


def explain(text: str, day: str = "2026-11-28", situation: Situation | None = None) -> Remedy:
    (d, *_rest) = pipeline.diagnose_text(text, lib=library.load()).diagnoses
    return remedy.build(d, situation or Situation(), knowledge.load(), dt.date.fromisoformat(day))


def words(r: Remedy) -> str:
    return " ".join([r.title, r.why, *(s.text + " " + (s.command or "") for s in r.steps), *r.docs])


APP_PASSWORD_410 = """remote: CHANGE-3222 - Functionality has been deprecated
remote: App passwords are deprecated and must be replaced with API tokens.
fatal: unable to access 'https://bitbucket.org/acme/widgets.git/': The requested URL returned error: 410
"""
INVALID_CREDENTIALS = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'\n"
ACCOUNT_PASSWORD = """remote: Bitbucket Cloud recently stopped supporting account passwords for Git authentication.
remote: App passwords are recommended for most use cases and can be created in your Personal settings:
fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'
"""


def test_app_password_410_during_a_brownout_and_after_removal() -> None:
    brownout = explain(APP_PASSWORD_410, "2026-06-15")
    assert "brownout" in brownout.why and "2026-07-28" in brownout.why
    removed = explain(APP_PASSWORD_410, "2026-08-01")
    assert "brownout" not in removed.why and "removed app passwords on 2026-07-28" in removed.why


@pytest.mark.parametrize("text", [INVALID_CREDENTIALS, ACCOUNT_PASSWORD], ids=["invalid-credentials", "account-password"])
def test_bitbucket_credential_advice_follows_the_date(text: str) -> None:
    in_2023 = words(explain(text, "2023-01-15"))
    assert "app-passwords" in in_2023 and "API token" not in in_2023
    today = words(explain(text, "2026-11-28"))
    assert "API token with scopes" in today and "read:repository:bitbucket" in today
    assert "Create an app password" not in today


def test_account_password_advice_corrects_bitbuckets_outdated_message() -> None:
    assert "still recommends app passwords" in explain(ACCOUNT_PASSWORD).why
    assert "still recommends" not in explain(ACCOUNT_PASSWORD, "2024-05-01").why


def test_commands_are_filled_in_from_the_output() -> None:
    steps = explain(INVALID_CREDENTIALS).steps
    commands = [s.command for s in steps if s.command]
    assert "git remote set-url origin https://<your-bitbucket-username>@bitbucket.org/acme/widgets.git" in commands
    assert "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential reject" in commands


def test_commands_use_the_users_remote_and_helper() -> None:
    url = remote_urls.parse("https://jane@bitbucket.org/acme/widgets.git")
    r = explain(INVALID_CREDENTIALS, situation=Situation(remote="upstream", url=url, helpers=("osxkeychain",)))
    commands = [s.command for s in r.steps if s.command]
    assert "git remote set-url upstream https://jane@bitbucket.org/acme/widgets.git" in commands
    assert "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential-osxkeychain erase" in commands


def test_an_email_as_username_is_called_out() -> None:
    url = remote_urls.parse("https://jane%40example.com@bitbucket.org/acme/widgets.git")
    text = words(explain(INVALID_CREDENTIALS, situation=Situation(url=url)))
    assert "email address (jane@example.com)" in text and "x-bitbucket-api-token-auth" in text


def _diagnosis_for(cause: str, host: str) -> Diagnosis:
    base = pipeline.diagnose_text("remote: Invalid credentials\nfatal: Authentication failed for 'https://example.org/a.git/'", lib=library.load())
    return base.diagnoses[0]._replace(cause=cause, host=host, url=None)


@pytest.mark.parametrize("cause", sorted(CAUSES))
@pytest.mark.parametrize("host", sorted(set(HOSTS) - {"bitbucket-cloud", "bitbucket-dc"}))
def test_no_bitbucket_advice_for_another_host(cause: str, host: str) -> None:
    r = remedy.build(_diagnosis_for(cause, host), Situation(), knowledge.load(), dt.date(2026, 11, 28))
    assert "bitbucket" not in words(r).lower(), (cause, host)
    assert r.steps


@pytest.mark.parametrize("cause", sorted(c for c, v in CAUSES.items() if not v.auth))
def test_auth_free_causes_say_credentials_are_not_the_problem(cause: str) -> None:
    r = remedy.build(_diagnosis_for(cause, "bitbucket-cloud"), Situation(), knowledge.load(), dt.date(2026, 11, 28))
    assert "not the problem" in r.why or "not a new password" in r.why


@pytest.mark.parametrize(
    ("helpers", "command"),
    [
        ((), "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential reject"),
        (("store",), "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential reject"),
        (("manager",), "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential-manager erase"),
        (("manager-core",), "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential-manager erase"),
        (("osxkeychain",), "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential-osxkeychain erase"),
        (("wincred",), "cmdkey /delete:git:https://bitbucket.org"),
        (("libsecret",), "secret-tool clear protocol https server bitbucket.org"),
        (("cache",), "git credential-cache exit"),
        (("store", "osxkeychain"), "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential reject"),
        (("!f() { echo password=x; }; f",), "printf 'protocol=https\\nhost=bitbucket.org\\n\\n' | git credential reject"),
    ],
)
def test_the_erase_command_fits_the_helper(helpers: tuple[str, ...], command: str) -> None:
    steps = explain(INVALID_CREDENTIALS, situation=Situation(helpers=helpers)).steps
    assert command in [s.command for s in steps]


def test_a_token_pasted_into_a_url_is_named_as_the_likely_break() -> None:
    text = "fatal: unable to access 'https://bitbucket.corp.example/scm/p/r.git/': URL rejected: Port number was not a decimal number between 0 and 65535"
    dc = words(explain(text))
    assert "take it out of the URL" in dc and "Data Center" in dc
    github = words(explain("fatal: unable to access 'https://github.com/o/r.git/': URL using bad/illegal format or missing URL"))
    assert "take it out of the URL" in github and "bitbucket" not in github.lower()


GITLAB_DENIED = "remote: HTTP Basic: Access denied\nfatal: Authentication failed{url}\n"


def test_a_hosted_name_the_output_does_not_show_is_said_to_be_assumed() -> None:
    # No URL anywhere: the commands must name some server, and a self-managed GitLab is not gitlab.com.
    assumed = explain(GITLAB_DENIED.format(url=""))
    assert "host=gitlab.com" in words(assumed)
    assert "The output does not name the server, so the commands below name gitlab.com" in assumed.why
    # The URL names the server: its own name is used, and nothing is assumed.
    named = explain(GITLAB_DENIED.format(url=" for 'https://gitlab.corp.example/team/app.git/'"))
    assert "host=gitlab.corp.example" in words(named) and "does not name the server" not in named.why
    # The repository's remote names it too.
    remote = remote_urls.parse("git@gitlab.corp.example:team/app.git")
    fitted = explain(GITLAB_DENIED.format(url=""), situation=Situation(url=remote))
    assert "does not name the server" not in fitted.why
    # Bitbucket Cloud is only bitbucket.org: nothing to assume.
    assert "does not name the server" not in explain("remote: Invalid credentials\nfatal: Authentication failed\n").why
