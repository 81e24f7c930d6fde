"""Issue 13's diagnose mechanisms: success cancels a warning, several causes with the check that
decides, git's generic trailer explained, the host named last, a helper's own failure first."""

from __future__ import annotations

import json

from bbdiag import pipeline
from bbdiag.diagnose import Diagnosis
from tests.conftest import bbdiag

TRAILER = "fatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n"


def _diagnoses(text: str) -> list[Diagnosis]:
    return pipeline.diagnose_text(text).diagnoses


def test_a_rule_bypassed_on_a_push_that_went_through_is_no_failure() -> None:
    text = (
        "remote: Bypassed rule violations for refs/heads/main:\n"
        "remote: - Changes must be made through a pull request.\n"
        "To github.com:acme/site.git\n"
        "   3226b85..6f17547  main -> main\n"
    )
    result = pipeline.diagnose_text(text)
    assert result.diagnoses == [] and result.succeeded_at == 4
    assert any("succeeded" in r for r in result.remarks())


def test_a_large_file_warning_on_an_accepted_push_is_no_failure() -> None:
    text = (
        "remote: warning: File big.mp4 is 71.38 MB; this is larger than GitHub's recommended maximum file size of 50.00 MB\n"
        "remote: warning: GH001: Large files detected. You may want to try Git Large File Storage - https://git-lfs.github.com.\n"
        "To https://github.com/acme/site.git\n"
        " * [new branch]      main -> main\n"
    )
    assert _diagnoses(text) == []


def test_a_logon_warning_then_a_successful_push_is_no_failure() -> None:
    text = "Logon failed, use ctrl+c to cancel basic credential prompt.\nTo https://bitbucket.org/acme/site.git\n   1a2b3c4..5d6e7f8  main -> main\n"
    assert _diagnoses(text) == []


def test_success_of_one_ref_does_not_cancel_the_rejection_of_another() -> None:
    text = (
        "remote: error: GH006: Protected branch update failed for refs/heads/main.\n"
        "To github.com:acme/site.git\n"
        " ! [remote rejected] main -> main (protected branch hook declined)\n"
        "   1a2b3c4..5d6e7f8  topic -> topic\n"
        "error: failed to push some refs to 'github.com:acme/site.git'\n"
    )
    (only,) = _diagnoses(text)
    assert only.cause == "branch-protected" and only.host == "github"


def test_explain_says_plainly_that_the_command_succeeded() -> None:
    done = bbdiag("explain", "--no-repo", "--format", "json", stdin="Everything up-to-date\n")
    doc = json.loads(done.stdout)
    assert doc["diagnoses"] == [] and any("succeeded" in note for note in doc["notes"])
    plain = bbdiag("explain", "--no-repo", stdin="Everything up-to-date\n")
    assert "the command succeeded" in plain.stdout and "no git failure recognised" not in plain.stderr


def test_the_generic_trailer_alone_is_explained_with_its_alternatives_and_the_check() -> None:
    (only,) = _diagnoses(TRAILER)
    assert only.cause == "repository-not-found" and not only.auth
    assert set(only.alternatives) == {"ssh-key-rejected", "permission-denied", "network"}
    done = bbdiag("explain", "--no-repo", stdin="$ git clone ssh://git@git.example.org:7999/acme/site.git\n" + TRAILER)
    assert done.returncode == 0
    assert "Only a generic line is here (git's last line" in done.stdout
    assert "or: no SSH key the host accepts was offered (ssh-key-rejected)" in done.stdout
    assert "ssh -vT -p 7999 git@git.example.org" in done.stdout


def test_the_trailer_under_a_final_line_belongs_to_that_failure() -> None:
    (only,) = _diagnoses("fatal: 'origin' does not appear to be a git repository\n" + TRAILER)
    assert only.cause == "remote-misconfigured"


def test_alternatives_are_in_the_json_contract_and_redacted() -> None:
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    text = f"Cloning into 'site'...\nError: HttpError: HTTP Error: 401 Unauthorized for https://bob:{secret}@git.example.org/acme/site.git\n"
    done = bbdiag("explain", "--no-repo", "--format", "json", stdin=text)
    assert secret not in done.stdout
    (first,) = json.loads(done.stdout)["diagnoses"]
    assert first["cause"] == "credentials-rejected"
    causes = [a["cause"] for a in first["alternatives"]]
    assert causes == ["credentials-missing", "permission-denied"]
    check = first["alternatives"][0]["check"]
    assert check["command"].startswith("git -c credential.helper= ls-remote https://") and "git.example.org/acme/site.git" in check["command"]
    assert "bob" not in check["command"] and check["text"]


def test_a_clear_text_has_no_alternatives() -> None:
    done = bbdiag("explain", "--no-repo", "--format", "json", stdin="remote: CHANGE-3222 - Functionality has been deprecated\n")
    (first,) = json.loads(done.stdout)["diagnoses"]
    assert first["alternatives"] == []


def test_the_terminal_renderer_shows_the_or_line_and_the_check() -> None:
    from io import StringIO

    from bbdiag.render import terminal, view

    results = pipeline.remedies(_diagnoses("stash: <class 'dulwich.errors.GitProtocolError'>: unexpected http response 401\n"))
    out = StringIO()
    terminal.render(view.build("-", results, []), out, width=200, color=False)
    assert "or: git needed a credential and could not ask for one (credentials-missing)" in out.getvalue()
    assert "git -c credential.helper= ls-remote origin" in out.getvalue()


def test_the_host_named_last_before_git_gave_up_decides() -> None:
    text = (
        "Warning: Permanently added 'github.com,140.82.112.4' (RSA) to the list of known hosts.\n"
        "Warning: Permanently added 'git.example.org,10.1.2.3' (ECDSA) to the list of known hosts.\n" + TRAILER
    )
    (only,) = _diagnoses(text)
    assert only.host == "generic"


def test_a_helper_that_cannot_run_comes_before_the_refusal_that_follows() -> None:
    text = (
        "git: 'credential-manager-core' is not a git command. See 'git --help'.\n"
        "remote: Invalid username or password.\n"
        "fatal: Authentication failed for 'https://bitbucket.org/acme/site.git/'\n"
    )
    assert _diagnoses(text)[0].cause == "credential-helper-failed"


def test_curl_of_its_own_in_a_docker_build_is_not_git() -> None:
    text = "Step 4/9 : RUN curl -fsSL https://bitbucket.org/acme/tools/downloads/x.tar.gz | tar xz\ncurl: (22) The requested URL returned error: 410\n"
    assert _diagnoses(text) == []


def test_a_registry_refusal_is_not_git_but_gits_line_inside_npm_is() -> None:
    assert _diagnoses("npm ERR! code E401\nnpm ERR! 401 Unauthorized - GET https://registry.npmjs.org/@acme%2fwidgets\n") == []
    assert _diagnoses("Error response from daemon: Get https://registry.example.org/v2/: unauthorized: authentication required\n") == []
    quoted = _diagnoses("npm ERR! fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'\n")
    assert quoted and quoted[0].cause == "credentials-rejected" and quoted[0].host == "bitbucket-cloud"


def test_explain_help_documents_alternatives() -> None:
    assert "alternatives" in bbdiag("explain", "--help").stdout


def test_typographic_quotes_around_a_url_are_read_like_gits_own() -> None:
    (only,) = _diagnoses("fatal: Authentication failed for ‘https://bitbucket.org/acme/widgets.git/’\n")
    assert only.cause == "credentials-rejected" and only.host == "bitbucket-cloud"
    assert only.url is not None and only.url.path == "/acme/widgets.git/"
    (quoted,) = _diagnoses("fatal: unable to access “https://github.com/acme/w.git/”: The requested URL returned error: 403\n")
    assert quoted.host == "github" and quoted.url is not None and quoted.url.path == "/acme/w.git/"
    # git's own Polish quotes („…”) still match as git prints them.
    (polish,) = _diagnoses("fatal: Uwierzytelnienie nie powiodło się dla „https://x.example/a.git/”\n")
    assert polish.cause == "credentials-rejected" and polish.url is not None and polish.url.host == "x.example"


def test_a_helper_with_a_bad_interpreter_is_the_cause_not_the_refusal_after_it() -> None:
    text = (
        "/usr/local/bin/git-credential-osxkeychain: bad interpreter: No such file or directory\n"
        "remote: Invalid username or password.\n"
        "fatal: Authentication failed for 'https://github.com/acme/site.git/'\n"
    )
    first = _diagnoses(text)[0]
    assert first.cause == "credential-helper-failed" and first.host == "github"
