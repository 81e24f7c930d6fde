"""The pattern library: every pattern's own examples, validation that names file and field,
and linear behaviour on long adversarial lines."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bbdiag import library
from bbdiag.causes import CAUSES, HOSTS
from bbdiag.library import LibraryError
from tests.conftest import FIXTURES

# The files, not the loaded library: collecting the suite reads no pattern, so one broken file
# fails its own tests (with the file and field named) and every other test still runs.
FILES = sorted(Path(library.PATTERNS_DIR).glob("*.toml"))


def _stem(path: Path) -> str:
    return path.stem


@pytest.mark.parametrize("path", FILES, ids=_stem)
def test_pattern_matches_its_examples(path: Path) -> None:
    pattern = library.read(path)
    for example in pattern.examples:
        assert pattern.search(example), f"{pattern.file}: does not match {example!r}"
        assert any(k in example.lower() for k in pattern.keywords), f"{pattern.file}: keywords do not select {example!r}"


@pytest.mark.parametrize("path", FILES, ids=_stem)
def test_pattern_rejects_its_counter_examples(path: Path) -> None:
    pattern = library.read(path)
    for example in pattern.counter_examples:
        assert not pattern.search(example), f"{pattern.file}: matches the near miss {example!r}"


@pytest.mark.parametrize("path", FILES, ids=_stem)
def test_pattern_is_linear_on_long_adversarial_lines(path: Path) -> None:
    pattern = library.read(path)
    # Keywords and example fragments repeated without the rest of the message: a backtracking
    # regex explodes here. The regex module's own timeout turns an explosion into a failure.
    fragments = [*pattern.keywords, *(e[: len(e) // 2] for e in pattern.examples), "'", " ", "@", ":"]
    line = "".join(fragments) * (20_000 // max(1, len("".join(fragments))) + 1)
    pattern.compiled.search(line, timeout=2.0)


def test_every_cause_and_every_bitbucket_message_is_covered() -> None:
    causes = {c for p in library.load().patterns for c in p.causes}
    assert causes == set(CAUSES)
    for text in [
        "remote: CHANGE-3222 - Functionality has been deprecated",
        "remote: App passwords are deprecated and must be replaced with API tokens.",
        "remote: Bitbucket Cloud recently stopped supporting account passwords for Git authentication.",
        "remote: Invalid username or password. If you log in via a third party service you must ensure you have an account password set in your account profile.",
        "remote: Invalid username or password",
        "remote: Invalid credentials",
        "remote: Login failed due to incorrect login credentials or method.",
        "remote: You may not have access to this repository or it no longer exists in this workspace. If you think this repository exists and you have access, make sure you are authenticated.",
        "remote: Because you enabled two-step verification for your Atlassian account, you'll need to authenticate with an app password.",
        "remote: Your credentials lack one or more required privilege scopes.",
        "git@bitbucket.org: Permission denied (publickey).",
        "conq: repository access denied. access via a deployment key is read-only.",
        "conq: repository does not exist.",
        "fatal: remote error: CAPTCHA required",
        "The requested repository does not exist, or you do not have permission to",
        "remote: Permission denied to update branch main.",
        "remote: Branch refs/heads/main can only be modified through pull requests.",
        "remote: repository is in read only mode (over 2 GB size limit).",
        "This workspace is over the 1 GB size limit.",
        "conq: invalid command syntax.",
    ]:
        assert any(p.search(text) for p in library.load().candidates(text.lower())), text


def test_ids_hosts_and_references_are_sound() -> None:
    for p in library.load().patterns:
        assert p.host is None or p.host in HOSTS
        assert all(r.startswith("https://") or r.startswith("shared/spec/") for r in p.references), p.file
        assert p.checked <= dt.date.today()


def test_git_messages_are_expanded_into_every_translation() -> None:
    pattern = library.load()["git-authentication-failed"]
    for line in [
        "fatal: Authentication failed for 'https://x.example/a.git/'",
        "Schwerwiegend: Authentifizierung fehlgeschlagen für 'https://x.example/a.git/'",
        "致命错误：'https://x.example/a.git/' 鉴权失败",
        "fatal : Échec d'authentification pour 'https://x.example/a.git/'",
        "fatal: Uwierzytelnienie nie powiodło się dla „https://x.example/a.git/”",
    ]:
        match = pattern.search(line)
        assert match and match.group("url") == "https://x.example/a.git/", line


INVALID = sorted((FIXTURES / "invalid-patterns").iterdir())


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.name)
def test_a_broken_pattern_file_is_named_with_its_field(case: Path, tmp_path: Path) -> None:
    directory = tmp_path / "patterns"
    shutil.copytree(case, directory)
    shutil.copy(Path(library.PATTERNS_DIR) / library.L10N_FILE, directory)
    with pytest.raises(LibraryError) as error:
        library.check(library._parse(directory))
    (broken,) = list(case.glob("*.toml"))
    message = str(error.value)
    assert message.startswith(broken.name + ":"), message
    assert "field '" in message or "not valid TOML" in message, message


def test_the_cache_never_serves_a_changed_library(tmp_path: Path) -> None:
    directory = tmp_path / "patterns"
    shutil.copytree(Path(library.PATTERNS_DIR), directory)
    first = library.load(directory)
    target = directory / "remote-unauthorized.toml"
    target.write_text(target.read_text().replace("strength = 2", "strength = 3"))
    second = library.load(directory)
    assert first["remote-unauthorized"].strength == 2
    assert second["remote-unauthorized"].strength == 3


def test_one_process_loads_the_library_once(monkeypatch: pytest.MonkeyPatch) -> None:
    first = library.load()
    first.candidates("remote: invalid credentials")  # the per-process state a lookup builds (the keyword automaton after LINES_BEFORE_AUTOMATON lines)
    monkeypatch.setattr(library, "_parse", lambda directory: pytest.fail("parsed again"))
    monkeypatch.setattr("pickle.load", lambda handle: pytest.fail("unpickled again"))
    monkeypatch.setattr("bbdiag.cache.fingerprint", lambda *args: pytest.fail("bbdiag's own files fingerprinted again"))
    assert library.load() is first, "a scan of many logs asks once per log: same object, its lookup state kept"


def test_the_vendored_translations_are_in_step_with_the_spec() -> None:
    import subprocess
    import sys

    root = Path(__file__).parent.parent
    spec = root.parent / "shared" / "spec" / "git-l10n.json"
    if not spec.exists():
        pytest.skip("../shared is not beside this checkout")
    done = subprocess.run([sys.executable, str(root / "tools" / "import-l10n"), "--check", str(spec)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_broken_pattern_file_fails_its_own_test_and_the_rest_still_run(tmp_path: Path) -> None:
    """Run this module's per-file tests against a copy of bbdiag with one broken pattern file."""
    import os
    import subprocess
    import sys

    import bbdiag

    site = tmp_path / "site"
    shutil.copytree(Path(bbdiag.__file__).parent, site / "bbdiag", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "bbdiag" / "patterns" / "zz-broken.toml").write_text('id = "zz-broken"\ncause = \n')
    root = Path(__file__).parent.parent
    done = subprocess.run(
        [
            sys.executable,
            "-P",
            "-m",
            "pytest",
            "-v",  # with the -q of pyproject.toml: the summary line that counts passed and failed
            "-p",
            "no:cacheprovider",
            f"{Path(__file__)}::test_pattern_matches_its_examples[zz-broken]",
            f"{Path(__file__)}::test_pattern_matches_its_examples[git-authentication-failed]",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(root)])},
        timeout=300,
    )
    summary = done.stdout.strip().splitlines()[-1]
    assert "1 failed" in summary and "1 passed" in summary and "error" not in summary, done.stdout + done.stderr
    assert "zz-broken.toml: not valid TOML" in done.stdout
