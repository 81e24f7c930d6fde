"""Every remedy for a failure a loopback stand-in can produce, replayed: git fails against the
stand-in (Bitbucket Cloud, Data Center, GitHub, GitLab), `explain` reads git's real output inside
the repository, the test runs each printed command as the user would (with the `store` helper the
test configured, typing the new credential where git asks and doing by hand what a step says to do
on the host's web pages), and then the command that failed passes, and passes again with nobody
typing anything (the helper kept the new credential)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import pytest

from tests import bitbucket_server as bb
from tests import github_server as gh
from tests import gitlab_server as gl
from tests.conftest import git

CLOUD = "http://bitbucket.org/acme/widgets.git"
DC = f"http://{bb.DC_HOST}/scm/PROJ/widgets.git"
GITHUB = "http://github.com/octo/widgets.git"
GITLAB = "http://gitlab.com/group/widgets.git"
SECRETS: tuple[str, ...] = (
    bb.API_TOKEN,
    bb.READ_ONLY_TOKEN,
    bb.APP_PASSWORD,
    bb.ACCOUNT_PASSWORD,
    bb.DC_TOKEN,
    bb.DC_PASSWORD,
    gh.TOKEN,
    gh.READ_TOKEN,
    gh.PASSWORD,
)
SECRETS += (gl.TOKEN, gl.READ_TOKEN, gl.PASSWORD)


class Case(NamedTuple):
    url: str
    stored: tuple[str, str] | None  # the (user, secret) the store helper holds when git fails
    command: tuple[str, ...]  # the failing git command, run in a clone of `url`
    cause: str  # what explain must say
    user: str  # the user's own user name: typed where git asks, filled in where a remedy has <…-username>
    new_secret: str  # the credential the user creates on the host's page and types
    pushing: bool = False
    by_hand: tuple[str, ...] = ()  # step texts that stand for something done on the host's web page


CASES = {
    "cloud-app-password": Case(CLOUD, (bb.USER, bb.APP_PASSWORD), ("fetch", "origin"), "app-password-retired", bb.USER, bb.API_TOKEN),
    "cloud-account-password": Case(CLOUD, (bb.USER, bb.ACCOUNT_PASSWORD), ("fetch", "origin"), "account-password-rejected", bb.USER, bb.API_TOKEN),
    "cloud-email-user": Case(CLOUD, (bb.EMAIL, bb.API_TOKEN), ("fetch", "origin"), "credentials-rejected", bb.USER, bb.API_TOKEN),
    "cloud-invalid": Case(
        CLOUD, (bb.USER, "ATATT3xFfGF0" + "Revoked00000000000000000000000"), ("fetch", "origin"), "credentials-rejected", bb.USER, bb.API_TOKEN
    ),
    "cloud-read-only-push": Case(CLOUD, (bb.USER, bb.READ_ONLY_TOKEN), ("push", "origin", "main"), "token-scope-insufficient", bb.USER, bb.API_TOKEN, True),
    "cloud-no-credential": Case(CLOUD, None, ("fetch", "origin"), "credentials-missing", bb.USER, bb.API_TOKEN),
    "dc-wrong-password": Case(DC, (bb.DC_USER, "not-my-password"), ("fetch", "origin"), "credentials-rejected", bb.DC_USER, bb.DC_TOKEN),
    "dc-captcha": Case(DC, (bb.DC_USER, "not-my-password"), ("fetch", "origin"), "account-locked", bb.DC_USER, bb.DC_TOKEN, by_hand=("CAPTCHA",)),
    "dc-no-credential": Case(DC, None, ("fetch", "origin"), "credentials-missing", bb.DC_USER, bb.DC_TOKEN),
    "github-password": Case(GITHUB, (gh.USER, gh.PASSWORD), ("fetch", "origin"), "account-password-rejected", gh.USER, gh.TOKEN),
    "github-invalid-token": Case(
        GITHUB, (gh.USER, "ghp_" + "Expired0000000000000000000000000000"), ("fetch", "origin"), "credentials-rejected", gh.USER, gh.TOKEN
    ),
    "github-read-only-push": Case(GITHUB, (gh.USER, gh.READ_TOKEN), ("push", "origin", "main"), "token-scope-insufficient", gh.USER, gh.TOKEN, True),
    "gitlab-wrong": Case(GITLAB, (gl.USER, gl.PASSWORD), ("fetch", "origin"), "credentials-rejected", gl.USER, gl.TOKEN),
    "gitlab-read-only-push": Case(GITLAB, (gl.USER, gl.READ_TOKEN), ("push", "origin", "main"), "permission-denied", gl.USER, gl.TOKEN, True),
    "gitlab-no-credential": Case(GITLAB, None, ("fetch", "origin"), "credentials-missing", gl.USER, gl.TOKEN),
}
# Commands a remedy offers as an alternative to a step the test does by hand; they would talk to
# the real host (never allowed in tests) or need a terminal.
ALTERNATIVES = ("gh auth login",)
ELSEWHERE = ("In CI", "In GitHub Actions", "In GitLab CI", "In Azure Pipelines")  # steps for another situation than the user's


@pytest.fixture
def server(tmp_path: Path) -> Iterator[bb.Server]:
    root = tmp_path / "server"
    root.mkdir()
    for owner in ("acme", "PROJ", "octo", "group"):
        bb.make_repository(root, owner)
    with bb.serve(root, bb.BitbucketCloud(), bb.BitbucketDataCenter(root), gh.GitHub(), gl.GitLab()) as running:
        yield running


def store(home: Path, url: str, credential: tuple[str, str] | None) -> None:
    host = url.split("/")[2]
    line = f"http://{quote(credential[0], safe='')}:{quote(credential[1], safe='')}@{host}\n" if credential else ""
    (home / ".git-credentials").write_text(line)


def askpass(directory: Path, user: str, secret: str | None) -> dict[str, str]:
    """What the user types at git's prompts (nothing at all when `secret` is None)."""
    script = directory / ("askpass-typing" if secret else "askpass-nobody")
    if secret is None:
        script.write_text("#!/bin/sh\nexit 1\n")
    else:
        script.write_text(f'#!/bin/sh\ncase "$1" in Username*) echo {shlex.quote(user)} ;; Password*) echo {shlex.quote(secret)} ;; *) exit 1 ;; esac\n')
    script.chmod(0o700)
    return {**os.environ, "GIT_ASKPASS": str(script), "GIT_TERMINAL_PROMPT": "0"}


def run(args: list[str] | str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        shell=isinstance(args, str),
        executable="/bin/bash" if isinstance(args, str) else None,
        capture_output=True,
        text=True,
        timeout=120,
    )
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr, "a secret reached the user's terminal"
    return done


def fill_in(command: str, case: Case) -> str:
    """The user replaces a remedy's <your-…-username> with their own user name; nothing else is left to guess."""
    command = re.sub(r"<your-[a-z-]*username>", case.user, command)
    assert "<" not in command.replace("<<<", ""), f"a placeholder the user cannot fill in: {command}"
    return command


def by_hand(server: bb.Server) -> dict[str, Callable[[], None]]:
    dc = server.stand_ins[bb.DC_HOST]
    assert isinstance(dc, bb.BitbucketDataCenter)
    return {"CAPTCHA": dc.unlock}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_remedy_works(name: str, server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    case = CASES[name]
    git("config", "--global", "http.proxy", server.proxy)
    git("config", "--global", "credential.helper", "store")
    clone = tmp_path / "clone"
    store(isolated, case.url, (case.user, case.new_secret))
    assert run(["git", "clone", "-q", case.url, str(clone)], tmp_path).returncode == 0
    (isolated / ".git-credentials").write_text("")
    if case.pushing:
        git("commit", "-q", "--allow-empty", "-m", "change", cwd=clone)
    store(isolated, case.url, case.stored)
    nobody = askpass(tmp_path, case.user, None)
    if case.cause == "account-locked":  # the wrong password again and again (git erases it after each 401)
        for _ in range(bb.DC_LOCK_AFTER):
            run(["git", *case.command], clone, nobody)
            store(isolated, case.url, case.stored)

    failed = run(["git", *case.command], clone, nobody)
    assert failed.returncode != 0, failed.stderr

    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "explain", "--format", "json", "-"], cwd=clone, input=failed.stderr, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    diagnoses = json.loads(done.stdout)["diagnoses"]
    assert [d["cause"] for d in diagnoses] == [case.cause], "one failure, one diagnosis:\n" + failed.stderr
    diagnosis = diagnoses[0]

    typing = askpass(tmp_path, case.user, case.new_secret)
    manual = by_hand(server)
    transcript = []
    for step in diagnosis["remedy"]:
        for keyword, action in manual.items():
            if keyword in step["text"] and keyword in case.by_hand:
                action()
        command = step.get("command")
        if not command or command in ALTERNATIVES or step["text"].startswith(ELSEWHERE):
            continue
        ran = run(fill_in(command, case), clone, typing)
        transcript.append(f"$ {command}\n{ran.stdout}{ran.stderr}(exit {ran.returncode})")
    again = run(["git", *case.command], clone, typing)
    assert again.returncode == 0, "\n".join([*transcript, again.stderr])
    if case.pushing:
        git("commit", "-q", "--allow-empty", "-m", "another change", cwd=clone)
    kept = run(["git", *case.command], clone, nobody)
    assert kept.returncode == 0, "the helper did not keep the new credential:\n" + "\n".join([*transcript, kept.stderr])


# Failures whose remedy is access granted on the host (not something a command can do): git's real
# output must still be diagnosed as access, not credentials.
ACCESS = {
    "dc-repository-not-found": (DC.replace("widgets", "gadgets"), (bb.DC_USER, bb.DC_TOKEN), "ls-remote", "repository-not-found", "bitbucket-dc"),
    "github-no-write-access": (GITHUB, (gh.OTHER_USER, gh.OTHER_TOKEN), "push", "permission-denied", "github"),
    "gitlab-reporter-push": (GITLAB, (gl.USER, gl.REPORTER_TOKEN), "push", "permission-denied", "gitlab"),
}


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_access_failures_are_not_blamed_on_the_credential(name: str, server: bb.Server, tmp_path: Path, isolated: Path) -> None:
    url, credential, command, cause, host = ACCESS[name]
    git("config", "--global", "http.proxy", server.proxy)
    git("config", "--global", "credential.helper", "store")
    store(isolated, url, credential)
    if command == "push":
        clone = tmp_path / "clone"
        assert run(["git", "clone", "-q", url, str(clone)], tmp_path).returncode == 0
        git("commit", "-q", "--allow-empty", "-m", "change", cwd=clone)
        failed = run(["git", "push", "origin", "main"], clone)
    else:
        failed = run(["git", "ls-remote", url], tmp_path)
    assert failed.returncode != 0
    done = subprocess.run(
        [sys.executable, "-m", "bbdiag", "explain", "--format", "json", "--no-repo", "-"], input=failed.stderr, capture_output=True, text=True, timeout=120
    )
    diagnosis = json.loads(done.stdout)["diagnoses"][0]
    assert (diagnosis["cause"], diagnosis["host"], diagnosis["auth"]) == (cause, host, False), failed.stderr
