"""The start-up shortcuts change nothing: each plain string test that skips an expression says
the same as the expression, the command line built for one subcommand is that subcommand's, and
what is cached (git's exec path, the library's patterns) is never stale.

The shortcuts (bbdiag/redact.py, bbdiag/normalise.py, bbdiag/cli.py, bbdiag/credential_helpers.py,
bbdiag/library.py) keep explain's start-up short; here each is held to what it stands for.
"""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
from pathlib import Path

import pytest

from bbdiag import cache, cli, credential_helpers, library, normalise, redact
from tests.conftest import CASES, FIXTURES
from tests.test_redact import SECRETS


def _lines() -> list[str]:
    """Real text: every corpus transcript and fixture line, every pattern's examples."""
    found = [text for p in library.load().every for text in (*p.examples, *p.counter_examples)]
    for case in sorted(FIXTURES.rglob("*.txt")):
        found += case.read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(found) > 1000 and any(CASES.glob("*.txt"))
    return found


# Text that holds each kind of secret, in ASCII and beyond: `(?i)` also matches the Kelvin sign for
# k and the long s for s (which lower() leaves as it is).
PLANTED = [
    *(f"token is {secret}." for secret in SECRETS.values()),
    "password=hunter2",
    "credential=abc",
    "oauth_refresh_token=xyz",
    "api_key=s3cr3t",
    'apikey: "s3cr3t"',
    "https://jane:hunter2@bitbucket.org/ws/r.git",
    "https://jane:hunter2",
    "Authorization: Basic amFuZTpodW50ZXIy",
    "PRIVATE-TOKEN = abc",
    "X-API-KEY=s3cr3t",
    "job-to\u212aen: s3cr3t",
    "pa\u017f\u017fword=hunter2",
    '\u017fecret: "x"',
    'client_secret": "abc',
    "curl -u jane:s3cr3t https://x",
    "Password for 'https://jane@bitbucket.org': hunter2",
    "Enter passphrase for key '/home/j/.ssh/id': open sesame",
    "password: hunter2",
    "\x1b[31mremote: \u202eInvalid\x00 credentials\x07\r",
]


def _every_expression(text: str) -> str:
    """mask_secrets without its shortcuts: every expression run on every text, in its order."""
    r = redact
    text = r._HELPER_FIELD.sub(lambda m: m["key"] + "=" + r._mask(m["value"]), text)
    if "://" in text:
        text = r._URL_USERINFO.sub(r._mask_userinfo, text)
        text = r._URL_CUT_USERINFO.sub(lambda m: m["start"] + r._mask(m["secret"]), text)
    text = r._AUTH_HEADER.sub(r._mask_header, text)
    text = r._KEY_VALUE.sub(lambda m: m["key"] + m["sep"] + r._mask(m["value"]), text)
    text = r._CURL_USER.sub(lambda m: f"{m['flag']}{m['user']}:{r._mask(m['value'])}", text)
    text = r._PROMPT_ANSWER.sub(lambda m: m["prompt"] + r._mask(m["value"]), text)
    return r._TOKENS.sub(r.MASK, text)


def test_redaction_skips_only_expressions_that_could_not_match() -> None:
    texts = [*PLANTED, *_lines()]
    changed = 0
    for text in texts:
        expected = _every_expression(text)
        assert redact.mask_secrets(text) == expected, text
        assert redact.visible(text) == redact._UNSAFE.sub(redact._escaped, text), text
        changed += expected != text
    assert changed >= len(PLANTED) - 1  # the planted secrets were there to be masked (the last line holds none)


def test_every_character_visible_escapes_is_one_isprintable_refuses() -> None:
    """The shortcut in redact.visible and normalise.clean: printable text holds none of them."""
    for code in range(0x110000):
        char = chr(code)
        if redact._UNSAFE.fullmatch(char) or normalise._CONTROL.fullmatch(char):
            assert not char.isprintable(), hex(code)


def _clean_without_shortcuts(piece: str) -> str:
    piece = normalise._CONTROL.sub("", piece).replace("\t", "    ")
    return normalise._CI_PREFIX.sub("", piece, count=1)


@pytest.mark.parametrize(
    "prefix",
    ["", "2026-12-01T10:00:00.1234567Z ", "[2026-12-01 10:00:00] ", "[08:20:56] ", "08:20:56 ", "##[error]", "::error::", "[Pipeline] ", "\ufeff", "٣٣:٣٣:٣٣ "],
)
def test_the_read_stage_strips_a_ci_prefix_exactly_when_it_did(prefix: str) -> None:
    for line in [*_lines()[:3000], "\ttab\x01bell", "remote: Invalid credentials"]:
        for piece in (prefix + line, line):
            if "\r" in piece or "\\n" in piece or "\x1b" in piece or "section_" in piece:
                continue
            got = normalise.clean(piece)
            cleaned = _clean_without_shortcuts(piece)
            assert got == (normalise._FLATTENED.split(cleaned) if " fatal: " in cleaned or " remote: " in cleaned or "! [" in cleaned else [cleaned]), piece


def _subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found: argparse.ArgumentParser = action.choices[name]
    return found


@pytest.mark.parametrize("name", list(cli._COMMANDS))
def test_the_parser_built_for_one_subcommand_is_that_subcommand(name: str) -> None:
    whole, alone = cli._parser(), cli._parser([name])
    assert _subcommand(alone, name).format_help() == _subcommand(whole, name).format_help()
    assert [a.option_strings for a in _subcommand(alone, name)._actions] == [a.option_strings for a in _subcommand(whole, name)._actions]
    assert list(_subcommand(alone, "explain" if name == "explain" else name)._defaults) == list(_subcommand(whole, name)._defaults)


@pytest.mark.parametrize(
    "argv",
    [
        ["explain"],
        ["explain", "-", "--format", "json", "--no-repo"],
        ["explain", "--repo", "x", "--as-of", "2026-01-01", "f"],
        ["patterns", "--host", "github"],
    ],
)
def test_a_subcommand_parses_alike_either_way(argv: list[str]) -> None:
    whole, alone = vars(cli._parser().parse_args(argv)), vars(cli._parser(argv).parse_args(argv))
    assert {k: v for k, v in whole.items() if k != "command"} == {k: v for k, v in alone.items() if k != "command"}


# ------------------------------------------------------------------------------ what is cached
def _fake_git(folder: Path, log: Path) -> Path:
    """A `git` first on PATH that notes each run and hands it to the real one."""
    real = subprocess.run(["sh", "-c", "command -v git"], capture_output=True, text=True, check=True).stdout.strip()
    folder.mkdir()
    git = folder / "git"
    git.write_text(f'#!/bin/sh\necho "$@" >> {log}\nexec {real} "$@"\n', encoding="utf-8")
    git.chmod(git.stat().st_mode | stat.S_IXUSR)
    return git


def _exec_path() -> str:
    credential_helpers._exec_path.cache_clear()  # a new process, as far as this cache goes
    return credential_helpers._exec_path()


def test_git_exec_path_is_asked_once_per_git_and_again_when_git_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.log"
    git = _fake_git(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{git.parent}{os.pathsep}{os.environ['PATH']}")
    real = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
    log.unlink()
    assert _exec_path() == real and log.read_text().splitlines() == ["--exec-path"]
    assert _exec_path() == real and len(log.read_text().splitlines()) == 1, "cached: git not started again"
    git.write_text(git.read_text() + "\n", encoding="utf-8")  # another git at the same path (an upgrade): size and mtime change
    assert _exec_path() == real and len(log.read_text().splitlines()) == 2
    monkeypatch.setenv("GIT_EXEC_PATH", str(tmp_path))  # git prints this instead
    assert _exec_path() == str(tmp_path) and len(log.read_text().splitlines()) == 3


def test_a_failing_git_leaves_nothing_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "bin"
    folder.mkdir()
    git = folder / "git"
    git.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    git.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    assert _exec_path() == ""
    assert not list(Path(cache.directory()).glob("git-exec-path-*.json")) if Path(cache.directory()).exists() else True


def test_a_stored_library_decodes_a_pattern_only_when_a_line_needs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    cache._LOADED.clear()
    library.load()  # parsed, and stored in this test's cache
    cache._LOADED.clear()
    monkeypatch.setattr(library, "_parse", lambda directory: pytest.fail("parsed instead of loaded"))
    loaded = library.load()
    assert loaded._made == {}
    found = loaded.candidates("remote: invalid credentials")
    assert found and len(loaded._made) == len(found) < len(loaded.patterns) // 4
    cache._LOADED.clear()


def test_a_library_file_cut_short_is_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """The patterns stored after the document are counted there: a file that lost some is not read."""
    cache._LOADED.clear()
    library.load()
    (stored,) = Path(cache.directory()).glob("library-*.json")
    stored.write_text(stored.read_text(encoding="utf-8")[:-10], encoding="utf-8")
    cache._LOADED.clear()
    parsed: list[str] = []
    real = library._parse

    def parse(directory: str) -> library.Library:
        parsed.append(directory)
        return real(directory)

    monkeypatch.setattr(library, "_parse", parse)
    assert library.load()["git-authentication-failed"].id == "git-authentication-failed"
    assert parsed, "a shortened file must not be used"
    cache._LOADED.clear()


def test_a_later_part_is_not_stored_inside_another() -> None:
    with pytest.raises(TypeError):
        cache._encode(cache.Parts([cache.Parts([1])]), [])
