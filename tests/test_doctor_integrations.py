"""doctor checks bbdiag's own integrations (issue 11), once per configuration problem, set up with
the real `bbdiag install`: the hook missing or replaced by another where bbdiag is in use, the
observer missing, or left out of the helper chain a remote uses. A setup that never installed
either hears nothing about them."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import bbdiag
from tests.conftest import git
from tests.test_doctor import doctor, ids
from tests.test_doctor_sees_everything import findings
from tests.test_inspector import repo

README = Path(__file__).parent.parent / "README.md"


def install(*args: str, cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bbdiag", "install", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_nothing_installed_nothing_said(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "cache")
    _, doc, _ = doctor(path)
    assert not [i for i in ids(doc) if i.startswith("bbdiag-")]


def test_the_observer_without_the_hook_and_a_foreign_hook(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "cache")
    install("--credential-observer", "--global", cwd=path)
    _, doc, _ = doctor(path)
    assert ids(doc).get("bbdiag-hook-missing") == "info"
    hook = path / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\nexit 0\n")
    hook.chmod(0o755)
    _, doc, _ = doctor(path)
    assert "bbdiag-hook-missing" not in ids(doc)
    (foreign,) = findings(doc, "bbdiag-hook-foreign")
    assert str(hook) in str(foreign["detail"]) and [s.get("command") for s in foreign["fix"]] == ["bbdiag install --hook"]  # type: ignore[attr-defined]
    install("--hook", cwd=path)  # the fix: the foreign hook is kept and runs first
    _, doc, _ = doctor(path)
    assert not [i for i in ids(doc) if i.startswith("bbdiag-")], doc


def test_the_hook_without_the_observer(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("config", "--global", "credential.helper", "cache")
    install("--hook", cwd=path)
    _, doc, _ = doctor(path)
    (missing,) = findings(doc, "bbdiag-observer-missing")
    assert missing["severity"] == "info"
    install("--credential-observer", "--global", cwd=path)
    _, doc, _ = doctor(path)
    assert "bbdiag-observer-missing" not in ids(doc)


def test_an_observer_left_out_of_a_remotes_chain_is_said_once(tmp_path: Path) -> None:
    path = repo(tmp_path)
    git("remote", "add", "mirror", "https://bitbucket.org/acme/mirror.git", cwd=path)
    install("--hook", cwd=path)
    install("--credential-observer", "--global", cwd=path)
    git("config", "--global", "--add", "credential.helper", "cache")
    _, doc, _ = doctor(path)
    assert "bbdiag-observer-not-in-chain" not in ids(doc)
    git("config", "--local", "--add", "credential.helper", "", cwd=path)  # an empty value resets the list git built so far
    git("config", "--local", "--add", "credential.helper", "cache", cwd=path)
    _, doc, _ = doctor(path)
    (left_out,) = findings(doc, "bbdiag-observer-not-in-chain")
    assert left_out["severity"] == "warning" and "remote" not in left_out, "one configuration problem, said once for both remotes"
    assert str(left_out["detail"]).startswith("An empty credential.helper in .git/config resets the list"), "where the reset is (as git names it)"


def test_every_finding_id_doctor_can_report_is_in_the_readme() -> None:
    package = Path(bbdiag.__file__).parent
    found: set[str] = set()
    for source in [package / "doctor.py", *(package / "hosts").glob("*.py")]:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("_finding", "Finding") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    assert len(found) > 20
    documented = set(re.findall(r"`([a-z0-9-]+)`", README.read_text(encoding="utf-8")))
    assert sorted(found - documented) == [], "finding ids are a public contract: list each in the README's doctor section"
