"""A value too long to print (issue 14): cut after redaction, in every format, saying how much."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbdiag.redact import MAX_VALUE_CHARS, cut_long_values
from tests.conftest import bbdiag, git

PASSWORD = "hunter2" + "Qw8Zr5Xy7Vb4"


def test_a_long_value_is_cut_and_the_words_around_it_stay() -> None:
    text = "git remote set-url origin https://bitbucket.org/" + "a" * 300_000 + " then push"
    out = cut_long_values(text)
    assert out.startswith("git remote set-url origin https://bitbucket.org/aaa")
    assert out.endswith(f"…[{300_000 + len('https://bitbucket.org/') - MAX_VALUE_CHARS:,} more characters] then push")
    assert len(out) < MAX_VALUE_CHARS + 100
    assert cut_long_values("short  words\tstay\nas they are") == "short  words\tstay\nas they are"


@pytest.mark.parametrize("fmt", ["text", "terminal", "json"])
def test_doctor_cuts_a_300000_character_remote_url(fmt: str, tmp_path: Path, isolated: Path) -> None:
    git("init", "-q", str(tmp_path))
    url = f"https://jane:{PASSWORD}@bitbucket.org/ws/{'a' * 300_000}.git"
    with (tmp_path / ".git" / "config").open("a") as config:  # too long for git's command line
        config.write(f'[remote "origin"]\n\turl = {url}\n')
    done = bbdiag("doctor", "--format", fmt, cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # the secret in the URL is an error
    assert PASSWORD not in done.stdout and "Traceback" not in done.stderr
    assert "more characters]" in done.stdout
    assert len(done.stdout) < 20_000
    if fmt == "json":
        finding = next(f for f in json.loads(done.stdout)["findings"] if f["id"] == "credential-in-url")
        assert any(len(step["command"]) < MAX_VALUE_CHARS + 200 for step in finding["fix"] if step.get("command"))
