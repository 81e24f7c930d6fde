"""The standard library explain's start-up leaves unloaded, asked of an interpreter that loads nothing else.

tests/test_startup_imports.py compares against what the interpreter had loaded before bbdiag,
and under coverage or an editable install that is already typing and importlib: a top-level
`from typing import ...` coming back would pass there. Here Python starts with -S (no site, so
no .pth file runs: no editable finder, no coverage) and finds bbdiag and its dependencies
through PYTHONPATH alone, so what is loaded is what bbdiag loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import bbdiag
from tests.conftest import git

ROOT = Path(bbdiag.__file__).resolve().parent.parent
TRANSCRIPT = """$ git push origin main
remote: Invalid credentials
fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'
"""
PROGRAM = """
import json, sys
before = set(sys.modules)
from bbdiag import cli
sys.stdout = open(sys.argv[1], "w")
code = cli.main(["explain", "--format", sys.argv[3], sys.argv[2]])
sys.stdout.close()
sys.__stdout__.write(json.dumps({"code": code, "modules": sorted(set(sys.modules) - before)}))
"""
# Each is a cost explain's run does not need (instructions counted by valgrind, README "What each import costs").
NOT_LOADED = {
    "typing",  # 16M, and typing.NamedTuple's 1M a class: bbdiag.records makes the records
    "textwrap",  # 4.5M: render.plain.fill
    "argparse",  # 23M with gettext, building explain's parser and parsing: cli.plain_explain
    "gettext",
}
# Inside a repository explain reads the remotes (inspector.remotes), not all that doctor reads.
NOT_LOADED_IN_A_REPOSITORY = {
    "pathlib",  # 16M with urllib.parse, which it imports
    "urllib.parse",  # 11M: a URL without a user part holds no secret, a credential.<url> section of another host needs no parsing
    "subprocess",  # 14M with signal and selectors: child.capture starts its gits
    "signal",
}


def _loaded(where: Path, fmt: str) -> tuple[int, set[str]]:
    transcript = where / "push.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])}
    env.pop("COVERAGE_PROCESS_START", None)
    command = [sys.executable, "-S", "-c", PROGRAM, str(where / "report.txt"), str(transcript), fmt]
    for _ in range(2):  # the first run fills the cache (its misses parse TOML, which loads more)
        done = subprocess.run(command, cwd=where, env=env, capture_output=True, text=True, check=True, timeout=120)
    result = json.loads(done.stdout)
    return result["code"], set(result["modules"])


def test_explain_loads_none_of_them(tmp_path: Path) -> None:
    code, modules = _loaded(tmp_path, "text")
    assert code == 0 and "bbdiag.pipeline" in modules  # it did explain
    assert not NOT_LOADED & modules


def test_explain_as_json_loads_none_of_them(tmp_path: Path) -> None:
    code, modules = _loaded(tmp_path, "json")
    assert code == 0 and "bbdiag.render.json" in modules
    assert not NOT_LOADED & modules


def test_explain_inside_a_repository_reads_its_remotes_without_pathlib_or_urllib(tmp_path: Path) -> None:
    git("init", "-q", str(tmp_path))
    git("-C", str(tmp_path), "remote", "add", "origin", "https://bitbucket.org/acme/widgets.git")
    git("config", "--global", "credential.https://source.example.com.helper", "store")  # another host's section
    git("config", "--global", "credential.helper", "cache")
    code, modules = _loaded(tmp_path, "text")
    assert code == 0 and "bbdiag.inspector" in modules
    assert "git credential-cache exit" in (tmp_path / "report.txt").read_text(encoding="utf-8")  # the remedy was fitted to the helper
    assert not (NOT_LOADED | NOT_LOADED_IN_A_REPOSITORY) & modules
