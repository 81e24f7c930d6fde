"""Issue 13's mechanisms, each tried on systematic variants of the same evidence rather than on
the one case that prompted it: the host given every way a log gives it, several hosts in one log
in either order, success after each kind of warning with each wording of success, each look-alike
next to a real git failure and alone, typographic quotes of each style."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbdiag import pipeline
from bbdiag.diagnose import Diagnosis
from tests.conftest import bbdiag

TRAILER = "fatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.\n"
REFUSED = "remote: Invalid username or password.\n"


def _diagnoses(text: str) -> list[Diagnosis]:
    return pipeline.diagnose_text(text).diagnoses


def _only(text: str) -> Diagnosis:
    found = _diagnoses(text)
    assert found, "nothing recognised"
    return found[0]


# ---------------------------------------------------------------- the host, every way a log gives it
# One failure (a refused credential over HTTPS), its host given by one kind of evidence each.
HTTPS_HOSTS = [
    # git's own line quotes the URL
    ("git-line", "fatal: Authentication failed for 'https://bitbucket.org/acme/site.git/'\n", "bitbucket-cloud"),
    ("git-line-gitlab", "fatal: Authentication failed for 'https://gitlab.example.org/acme/site.git/'\n", "gitlab"),
    # the wrapper's own line names the command's URL; git's line names none
    (
        "wrapper-line",
        "Error: Command failed: git push https://bitbucket.org/acme/site.git HEAD:main\nfatal: Authentication failed\n",
        "bitbucket-cloud",
    ),
    (
        "jenkins-line",
        " > git fetch --tags --progress -- https://github.com/acme/site.git +refs/heads/*:refs/remotes/origin/*\nfatal: Authentication failed\n",
        "github",
    ),
    # Data Center's /scm/ path, its name masked by the CI system
    ("scm-path-masked", "fatal: Authentication failed for 'https://***/scm/PROJ/site.git/'\n", "bitbucket-dc"),
    ("scm-path-named", "fatal: Authentication failed for 'https://git.corp.example/scm/PROJ/site.git/'\n", "bitbucket-dc"),
    ("scm-user-path", "fatal: Authentication failed for 'https://git.corp.example/scm/~jdoe/site.git/'\n", "bitbucket-dc"),
    # Data Center's HTTP port 7990 is no sign by itself (any server may use it); its path is
    ("dc-http-port", "fatal: Authentication failed for 'http://git.corp.example:7990/scm/proj/site.git/'\n", "bitbucket-dc"),
    # another product under /scm: SCM-Manager
    ("scm-manager-1", "fatal: Authentication failed for 'http://git.corp.example:8080/scm/git/site/'\n", "generic"),
    ("scm-manager-2", "fatal: Authentication failed for 'https://git.corp.example/scm/repo/team/site/'\n", "generic"),
    # Azure DevOps Server's _git segment under any name
    ("azure-server", "fatal: Authentication failed for 'https://tfs.corp.example:8080/tfs/DefaultCollection/Web/_git/site'\n", "azure-devops"),
    ("azure-server-plain", "fatal: Authentication failed for 'https://build01/DefaultCollection/Web/_git/site'\n", "azure-devops"),
    # a server named only by its address
    ("ipv4", "fatal: Authentication failed for 'http://10.20.30.40/acme/site.git/'\n", "generic"),
    ("ipv4-port", "fatal: Authentication failed for 'http://10.20.30.40:3000/acme/site.git/'\n", "generic"),
    ("ipv6", "fatal: Authentication failed for 'http://[fd00::12]/acme/site.git/'\n", "generic"),
    # a masked name alone, or a template's placeholder: no host can be told
    ("masked", "fatal: Authentication failed for 'https://***/acme/site.git/'\n", "unknown"),
    ("placeholder-angle", "fatal: Authentication failed for 'https://<host>/acme/site.git/'\n", "unknown"),
    ("placeholder-word", "fatal: Authentication failed for 'https://domain/acme/site.git/'\n", "unknown"),
    ("placeholder-braces", "fatal: Authentication failed for 'https://${GIT_HOST}/acme/site.git/'\n", "unknown"),
]


@pytest.mark.parametrize(("text", "host"), [pytest.param(t, h, id=i) for i, t, h in HTTPS_HOSTS])
def test_the_host_of_a_refused_credential_from_each_kind_of_evidence(text: str, host: str) -> None:
    found = _only(REFUSED + text)
    assert (found.cause, found.host) == ("credentials-rejected", host)


# The same over SSH: git's generic trailer, with the host given by the command, ssh's own line or a port.
SSH_HOSTS = [
    ("clone-url", "$ git clone git@bitbucket.org:acme/site.git\nCloning into 'site'...\n", "bitbucket-cloud"),
    ("ssh-url-port", "$ git clone ssh://git@***:7999/proj/site.git\nCloning into 'site'...\n", "bitbucket-dc"),
    ("ssh-url-port-named", "$ git clone ssh://git@code.corp.example:7999/proj/site.git\nCloning into 'site'...\n", "bitbucket-dc"),
    ("ssh-ip", "$ git clone ssh://git@192.168.2.6:2222/acme/site.git\nCloning into 'site'...\n", "generic"),
    ("ssh-placeholder", "$ git clone git@<host>:acme/site.git\nCloning into 'site'...\n", "unknown"),
    ("ssh-line", "git@gitlab.com: Permission denied (publickey).\n", "gitlab"),
    ("ssh-line-ip", "git@192.168.2.6: Permission denied (publickey).\n", "generic"),
]


@pytest.mark.parametrize(("text", "host"), [pytest.param(t, h, id=i) for i, t, h in SSH_HOSTS])
def test_the_host_of_an_ssh_failure_from_each_kind_of_evidence(text: str, host: str) -> None:
    found = _only(text + TRAILER)
    assert found.host == host


def test_a_host_only_wording_names_the_host_without_any_url() -> None:
    found = _only("remote: Bitbucket Cloud recently stopped supporting account passwords for Git authentication.\nfatal: Authentication failed\n")
    assert (found.cause, found.host) == ("account-password-rejected", "bitbucket-cloud")


def test_a_host_only_wording_beats_a_url_of_another_host_nearby() -> None:
    text = (
        "From https://github.com/acme/tools\n * branch            main       -> FETCH_HEAD\n"
        "remote: Support for password authentication was removed on August 13, 2021.\n"
        "fatal: Authentication failed for 'https://***/acme/site.git/'\n"
    )
    assert _only(text).host == "github"


# ---------------------------------------------------------------- several hosts, one failing command
GITHUB_FETCH = (
    "$ git fetch https://github.com/acme/upstream.git main\n"
    "From https://github.com/acme/upstream\n"
    " * branch            main       -> FETCH_HEAD\n"
    "   1a2b3c4..5d6e7f8  main       -> upstream/main\n"
)
BITBUCKET_PUSH_FAILS = (
    "$ git push https://bitbucket.org/acme/mirror.git main\n"
    "remote: You may not have access to this repository or it no longer exists in this workspace. If you think this repository exists and you have access, make sure you are authenticated.\n"
    "fatal: Authentication failed for 'https://bitbucket.org/acme/mirror.git/'\n"
)
BITBUCKET_PUSH_FAILS_BARE = "$ git push https://bitbucket.org/acme/mirror.git main\nremote: Invalid username or password.\nfatal: Authentication failed\n"
GITLAB_SSH_FAILS = "$ git push git@gitlab.com:acme/mirror.git main\ngit@gitlab.com: Permission denied (publickey).\n" + TRAILER
GITHUB_PUSH_OK = "$ git push origin main\nTo https://github.com/acme/site.git\n   1a2b3c4..5d6e7f8  main -> main\n"


@pytest.mark.parametrize(
    ("parts", "host"),
    [
        pytest.param((GITHUB_FETCH, BITBUCKET_PUSH_FAILS), "bitbucket-cloud", id="fetch-then-failing-push"),
        pytest.param((BITBUCKET_PUSH_FAILS, GITHUB_PUSH_OK), "bitbucket-cloud", id="failing-push-then-another-push"),
        pytest.param((GITHUB_FETCH, BITBUCKET_PUSH_FAILS_BARE), "bitbucket-cloud", id="fetch-then-failing-push-url-on-command"),
        pytest.param((BITBUCKET_PUSH_FAILS_BARE, GITHUB_PUSH_OK), "bitbucket-cloud", id="failing-push-url-on-command-then-push"),
        pytest.param((GITHUB_FETCH, GITLAB_SSH_FAILS), "gitlab", id="fetch-then-ssh-push"),
        pytest.param((GITLAB_SSH_FAILS, GITHUB_PUSH_OK), "gitlab", id="ssh-push-then-push"),
    ],
)
def test_in_a_log_of_several_hosts_the_failing_commands_host(parts: tuple[str, str], host: str) -> None:
    found = _diagnoses("".join(parts))
    assert len(found) == 1 and found[0].host == host


def test_a_submodule_on_another_host_is_reported_with_its_own_host() -> None:
    text = (
        "$ git clone --recurse-submodules https://github.com/acme/app.git\n"
        "Cloning into 'app'...\n"
        "Submodule 'vendor/lib' (https://bitbucket.org/acme/lib.git) registered for path 'vendor/lib'\n"
        "Cloning into '/build/app/vendor/lib'...\n"
        "remote: Invalid username or password.\n"
        "fatal: Authentication failed for 'https://bitbucket.org/acme/lib.git/'\n"
        "fatal: clone of 'https://bitbucket.org/acme/lib.git' into submodule path '/build/app/vendor/lib' failed\n"
    )
    assert _only(text).host == "bitbucket-cloud"


# ---------------------------------------------------------------- success after each kind of warning
WARNINGS = {
    "gcm-logon-failed": "Logon failed, use ctrl+c to cancel basic credential prompt.\n",
    "bypassed-rules": "remote: Bypassed rule violations for refs/heads/main:\nremote: \nremote: - Changes must be made through a pull request.\nremote: \n",
    "gh001": (
        "remote: warning: File big.bin is 57.81 MB; this is larger than GitHub's recommended maximum file size of 50.00 MB\n"
        "remote: warning: GH001: Large files detected. You may want to try Git Large File Storage - https://git-lfs.github.com.\n"
    ),
}
SUCCESSES = {
    "fast-forward": "To https://github.com/acme/site.git\n   3226b85..6f17547  main -> main\n",
    "new-branch": "To https://github.com/acme/site.git\n * [new branch]      main -> main\n",
    "forced": "To https://github.com/acme/site.git\n + 3226b85...6f17547 main -> main (forced update)\n",
    "new-tag": "To https://github.com/acme/site.git\n * [new tag]         v1.0 -> v1.0\n",
    "up-to-date": "Everything up-to-date\n",
    "tracking": "To https://github.com/acme/site.git\n * [new branch]      main -> main\nbranch 'main' set up to track 'origin/main'.\n",
}
PUSH_CHATTER = "Enumerating objects: 5, done.\nCounting objects: 100% (5/5), done.\nWriting objects: 100% (3/3), 355 bytes | 355.00 KiB/s, done.\n"


@pytest.mark.parametrize("warning", sorted(WARNINGS))
@pytest.mark.parametrize("success", sorted(SUCCESSES))
def test_success_after_each_kind_of_warning_is_no_failure(warning: str, success: str) -> None:
    result = pipeline.diagnose_text(PUSH_CHATTER + WARNINGS[warning] + SUCCESSES[success])
    assert result.diagnoses == [] and result.succeeded_at is not None


@pytest.mark.parametrize("warning", sorted(WARNINGS))
def test_a_long_push_between_the_warning_and_its_success_still_cancels_it(warning: str) -> None:
    # A push of many refs, a server's long banner: the success may come many lines later.
    chatter = "".join(f"remote: Processing changes: refs: {i}, done\n" for i in range(40))
    refs = "".join(f" * [new tag]         v1.{i} -> v1.{i}\n" for i in range(30))
    assert _diagnoses(WARNINGS[warning] + chatter + "To https://github.com/acme/site.git\n" + refs) == []


# The same warnings before a real failure of the same push (as hosts print them): never cancelled,
# not even by a success of an earlier command.
WARNED_FAILURES = {
    "gcm-logon-failed": (
        WARNINGS["gcm-logon-failed"] + REFUSED + "fatal: Authentication failed for 'https://github.com/acme/site.git/'\n",
        "credentials-rejected",
    ),
    "gh001": (
        WARNINGS["gh001"] + "remote: error: GH006: Protected branch update failed for refs/heads/main.\nTo https://github.com/acme/site.git\n"
        " ! [remote rejected] main -> main (protected branch hook declined)\nerror: failed to push some refs to 'https://github.com/acme/site.git'\n",
        "branch-protected",
    ),
}


@pytest.mark.parametrize("warning", sorted(WARNED_FAILURES))
@pytest.mark.parametrize("before", ["", SUCCESSES["fast-forward"]], ids=["alone", "after-a-success"])
def test_a_warning_then_a_failure_of_the_same_push_stays_a_failure(warning: str, before: str) -> None:
    text, cause = WARNED_FAILURES[warning]
    found = _diagnoses(before + PUSH_CHATTER + text)
    assert [d.cause for d in found] == [cause]


def test_two_warnings_far_apart_then_a_success_are_both_cancelled() -> None:
    chatter = "".join(f"remote: Processing changes: refs: {i}, done\n" for i in range(40))
    assert _diagnoses(WARNINGS["gh001"] + chatter + WARNINGS["bypassed-rules"] + chatter + SUCCESSES["fast-forward"]) == []


def test_a_success_does_not_cancel_a_real_failure_before_it() -> None:
    text = "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/acme/a.git/'\n" + SUCCESSES["fast-forward"]
    assert _only(text).cause == "credentials-rejected"


# ---------------------------------------------------------------- not git's: each look-alike, alone and next to git
LOOK_ALIKES = {
    "curl-410": "curl: (22) The requested URL returned error: 410\n",
    "curl-403-buildkit": "#12 0.616 curl: (22) The requested URL returned error: 403\n",
    "wget-401": "wget: server returned error: HTTP/1.1 401 Unauthorized\n",
    "npm-e401": "npm ERR! code E401\nnpm ERR! 401 Unauthorized - GET https://registry.npmjs.org/@acme%2fwidgets - authentication token not provided\n",
    "npm-error-403": "npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/@acme%2fwidgets\n",
    "pip-403": "ERROR: HTTP error 403 while getting https://pypi.example.org/simple/acme/acme-1.0.tar.gz\n",
    "docker-login": 'Error response from daemon: Get "https://registry.example.org/v2/": unauthorized: incorrect username or password\n',
    "docker-pull": "Get https://registry-1.docker.io/v2/library/node/manifests/4: unauthorized: incorrect username or password\n",
    "docker-push": "denied: requested access to the resource is denied\n",
}
GIT_FAILURE = "remote: Invalid username or password.\nfatal: Authentication failed for 'https://bitbucket.org/acme/site.git/'\n"


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
def test_a_look_alike_alone_is_no_git_failure(name: str) -> None:
    assert _diagnoses(LOOK_ALIKES[name]) == []


@pytest.mark.parametrize("name", sorted(LOOK_ALIKES))
@pytest.mark.parametrize("git_first", [True, False], ids=["git-first", "git-last"])
def test_a_look_alike_next_to_a_git_failure_leaves_gits_diagnosis_alone(name: str, git_first: bool) -> None:
    text = GIT_FAILURE + LOOK_ALIKES[name] if git_first else LOOK_ALIKES[name] + GIT_FAILURE
    found = _diagnoses(text)
    assert [(d.cause, d.host) for d in found] == [("credentials-rejected", "bitbucket-cloud")]


# ---------------------------------------------------------------- a helper's own failure first
HELPER_FAILURES = [
    "/usr/local/bin/git-credential-osxkeychain: bad interpreter: No such file or directory\n",
    "git: 'credential-manager-core' is not a git command. See 'git --help'.\n",
    "bash: git-credential-osxkeychain: command not found\n",
    "error: cannot run git-credential-manager-core: No such file or directory\n",
]
REFUSALS = [
    "remote: Invalid username or password.\nfatal: Authentication failed for 'https://github.com/acme/site.git/'\n",
    "remote: Write access to repository not granted.\nfatal: unable to access 'https://github.com/acme/site.git/': The requested URL returned error: 403\n",
    "fatal: could not read Username for 'https://github.com': terminal prompts disabled\n",
]


@pytest.mark.parametrize("helper", HELPER_FAILURES)
@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_helper_that_cannot_run_is_the_cause_before_what_follows(helper: str, refusal: str) -> None:
    found = _only(helper + refusal)
    assert (found.cause, found.host) == ("credential-helper-failed", "github")


# ---------------------------------------------------------------- quotes of every style
QUOTES = [("'", "'"), ("\u2018", "\u2019"), ("\u201c", "\u201d"), ("\u2018", "\u2018"), ("\u2019", "\u2019"), ("\u00b4", "\u00b4"), ('"', '"')]


@pytest.mark.parametrize(("left", "right"), QUOTES)
def test_a_url_in_any_quotes_is_read_like_gits_own(left: str, right: str) -> None:
    found = _only(f"fatal: unable to access {left}https://bitbucket.org/acme/site.git/{right}: The requested URL returned error: 403\n")
    assert found.host == "bitbucket-cloud" and found.url is not None and found.url.path == "/acme/site.git/"


# ---------------------------------------------------------------- alternatives, in every format, redacted
SECRET = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
AMBIGUOUS = f"$ git push https://bob:{SECRET}@git.example.org/acme/site.git\nfatal: unable to access 'https://bob:{SECRET}@git.example.org/acme/site.git/': The requested URL returned error: 403\n"


@pytest.mark.parametrize(
    ("command", "fmt"),
    [("explain", f) for f in ("text", "json")] + [("scan", f) for f in ("text", "json", "jsonl", "sarif", "github", "gitlab", "junit", "bitbucket")],
)
def test_alternatives_are_redacted_in_every_format(command: str, fmt: str, tmp_path: Path) -> None:
    log = tmp_path / "ci.log"
    log.write_text(AMBIGUOUS)
    done = bbdiag(command, "--no-repo", "--format", fmt, stdin=AMBIGUOUS) if command == "explain" else bbdiag(command, "--format", fmt, str(log))
    assert done.returncode in (0, 1), done.stderr
    assert SECRET not in done.stdout + done.stderr
    # Every format that reports the failure names the other causes and the check that decides.
    assert "credentials-rejected" in done.stdout and "ls-remote" in done.stdout


def test_a_bare_403_names_its_alternatives_and_the_check_in_json() -> None:
    done = bbdiag("explain", "--no-repo", "--format", "json", stdin=AMBIGUOUS)
    (first,) = json.loads(done.stdout)["diagnoses"]
    assert first["alternatives"], first
    for alternative in first["alternatives"]:
        assert alternative["cause"] and alternative["check"]["command"] and alternative["check"]["text"]
        assert SECRET not in alternative["check"]["command"] and "bob" not in alternative["check"]["command"]
