"""Adding a host is one module and one registry row: proved with a throwaway host in a copy of the package.

The copy gets `bbdiag/hosts/forgeling.py` and the row `forgeling,` in the registry, nothing else,
and then bbdiag run as a user runs it recognises the host from a URL, hides its token shape,
gives its remedy and runs its doctor check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bbdiag
from tests.conftest import git

MODULE = '''"""Forgeling, a host made up for this test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bbdiag.advice import Finding, Remedy, Step
from bbdiag.hosts import base
from bbdiag.hosts.base import Checkup, TokenShape

if TYPE_CHECKING:
    from bbdiag.remedy import Context

ID = "forgeling"
NAME = "Forgeling"
HOSTNAME = "forgeling.example"
SELF_HOSTED_TOO = False
PRODUCT_WORDS: tuple[str, ...] = ()
SSH_USERS: tuple[str, ...] = ()
SSH_USER = "git"
RETIRED_HOST_KEYS: tuple[str, ...] = ()
SSH_HOST_KEY_FACTS: tuple[tuple[str, str], ...] = ()
FILE_SIZE_LIMIT = None
FILE_SIZE_WARNING = None
URL_SCHEMES: tuple[str, ...] = ()
DOC_HOSTS: tuple[str, ...] = ()
TOKEN_SHAPES = (TokenShape("fgl_", "[A-Za-z0-9]", 20, "forgeling-token", "a Forgeling token"),)


def owns(hostname: str, scheme: str) -> bool:
    return hostname == HOSTNAME or hostname.endswith("." + HOSTNAME)


def remedy(cause: str, c: Context) -> Remedy | None:
    if cause != "credentials-rejected":
        return None
    return Remedy("Forgeling rejected the token", "Forgeling tokens expire after a week.", (c.erase(), Step("Mint a new one:", "forgeling token new")))


def check_https(c: Checkup) -> Iterator[Finding]:
    yield Finding("forgeling-token-expiry", "info", "Forgeling tokens expire after a week", "Mint one per week.", (), c.remote.name)


signs = base.no_signs
steps = base.no_steps
docs = base.no_docs
text = base.no_text
check_stored = base.no_stored_checks
check_ssh = base.no_checks
push_warnings = base.no_push_warnings
git_username = base.any_username
'''
TOKEN = "fgl_" + "Zx8Kq2Lm5Nb7Vc9Xd3Fg"
FAILURE = f"remote: token {TOKEN} is not valid\nfatal: Authentication failed for 'https://git.forgeling.example/team/tool.git/'\n"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of bbdiag with the throwaway host: one new module, one new registry row."""
    root = tmp_path / "site"
    shutil.copytree(Path(bbdiag.__file__).parent, root / "bbdiag", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "bbdiag" / "hosts" / "forgeling.py").write_text(MODULE)
    registry = root / "bbdiag" / "hosts" / "__init__.py"
    source = registry.read_text()
    assert source.count("    generic,\n") == 1 and source.count("from bbdiag.hosts import ") == 1
    source = source.replace("    generic,\n", "    forgeling,\n    generic,\n")  # the registry row
    source = source.replace("from bbdiag.hosts import ", "from bbdiag.hosts import forgeling\nfrom bbdiag.hosts import ")  # and its name
    registry.write_text(source)
    return root


def run(package: Path, *args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package), "BBDIAG_NO_CACHE": "1"}
    # -P: not the current directory first on the path (the tests run from the checkout, which has bbdiag/ too).
    return subprocess.run([sys.executable, "-P", "-m", "bbdiag", *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_the_copy_is_what_runs(package: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-P", "-c", "import bbdiag; print(bbdiag.__file__)"], env={**os.environ, "PYTHONPATH": str(package)}, capture_output=True, text=True
    )
    assert done.stdout.strip() == str(package / "bbdiag" / "__init__.py")


def test_recognition_redaction_and_remedy_come_from_the_new_module(package: Path) -> None:
    done = run(package, "explain", "--no-repo", "--format", "json", "-", stdin=FAILURE)
    assert done.returncode == 0, done.stderr
    (diagnosis,) = json.loads(done.stdout)["diagnoses"]
    assert (diagnosis["cause"], diagnosis["host"]) == ("credentials-rejected", "forgeling")
    assert diagnosis["title"] == "Forgeling rejected the token"
    assert any(step.get("command") == "forgeling token new" for step in diagnosis["remedy"])
    assert TOKEN not in done.stdout
    hidden = subprocess.run(
        [sys.executable, "-P", "-c", f"from bbdiag.redact import redact; print(redact('a log line with {TOKEN} in it'))"],
        env={**os.environ, "PYTHONPATH": str(package)},
        capture_output=True,
        text=True,
    )
    assert hidden.stdout == "a log line with [redacted] in it\n", hidden.stderr


def test_its_doctor_check_runs(package: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    git("init", "-q", str(repo))
    git("remote", "add", "origin", "https://git.forgeling.example/team/tool.git", cwd=repo)
    done = run(package, "doctor", "--format", "json", cwd=repo)
    assert "forgeling-token-expiry" in [f["id"] for f in json.loads(done.stdout)["findings"]], done.stdout + done.stderr


def test_without_the_row_the_module_is_not_used(package: Path) -> None:
    registry = package / "bbdiag" / "hosts" / "__init__.py"
    registry.write_text(registry.read_text().replace("    forgeling,\n", ""))
    done = run(package, "explain", "--no-repo", "--format", "json", "-", stdin=FAILURE)
    assert json.loads(done.stdout)["diagnoses"][0]["host"] == "generic"
