"""redact against hostile text (issue 14): every part of a secret, in linear time, and nothing
that can drive a terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bbdiag.match import match_lines
from bbdiag.normalise import Line
from bbdiag.redact import MASK, redact, visible, wrapped_token_rest
from bbdiag.render.view import MAX_EVIDENCE_CHARS
from tests.conftest import bbdiag

API_TOKEN = "ATATT3xFfGF0" + "T9kLm2Qw8Zr5Xy7Vb4Nc1Ds6Ea3Hg0Jp"
BBDC = "BBDC-" + "NjQ2MzE0MTk1NTk1OpJ8kQ2Lw7Rz3Xy5Vb9Nc1Ds6Ea"
GLPAT_ROUTABLE = "glpat-" + "xYz12AbC34dEf56GhI78jK.01.0y1a2b3c4"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("fatal: unable to access 'https://jane:pa'ss@bitbucket.org/ws/r.git/': 403", "pa'ss"),
        ("https://jane:p@ss@bitbucket.org/ws/r.git", "p@ss"),
        ("https://jane:p@ss:w0rd@bitbucket.org/ws/r.git", "ss:w0rd"),
        ("https://jane:s3cr/et%41@bitbucket.org/ws/r.git", "s3cr"),
        ("Remote: https://jane:VhSlol6UUXap", "VhSlol6UUXap"),  # cut at the quote in the password
        ("remote: a Data Center token " + BBDC + " is set", BBDC[5:]),
        ("https://x-token-auth:" + BBDC + "@bitbucket.example.com/scm/p/r.git", BBDC[5:]),
        ("token " + GLPAT_ROUTABLE, "0y1a2b3c4"),
        ("password=a secret with spaces", "secret with spaces"),
        ("credential=Basic amFuZTpodW50ZXIy", "amFuZTpodW50ZXIy"),
        ("oauth_refresh_token=short", "short"),
        ("password='hunter2'", "hunter2"),
    ],
)
def test_every_part_of_a_secret(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out and MASK in out, out


def test_a_token_cut_at_the_end_of_a_line_is_masked_however_short() -> None:
    assert redact("remote: the token " + API_TOKEN[:12]) == "remote: the token " + MASK


def test_a_token_wrapped_by_a_terminal_is_masked_on_both_lines() -> None:
    width = 80
    line = "remote: Invalid credentials: the token you gave, " + API_TOKEN
    first, second = line[:width], line[width:]
    assert wrapped_token_rest(first, second) == len(second)
    assert wrapped_token_rest(first, "remote: Invalid credentials") == 0  # `word:` is git's prefix, not a token
    from bbdiag import library

    matches = match_lines([Line(1, first), Line(2, second + " fatal: Authentication failed")], library.load())
    kept = " ".join(h.text for h in matches.hits)
    assert API_TOKEN[len(first) - len(line) + len(API_TOKEN) :] not in kept


def test_wrapped_token_in_every_format(tmp_path: Path) -> None:
    line = "fatal: Authentication failed for 'https://x-token-auth:" + API_TOKEN + "@bitbucket.org/ws/r.git/'"
    wrapped = "\n".join(line[i : i + 80] for i in range(0, len(line), 80)) + "\n"
    log = tmp_path / "wrapped.log"
    log.write_text("remote: Invalid credentials\n" + wrapped)
    halves = [API_TOKEN[:10], API_TOKEN[-10:]]
    for fmt in ("text", "json"):
        out = bbdiag("explain", "--no-repo", "--format", fmt, str(log)).stdout
        assert not any(h in out for h in halves), out


def test_redact_then_cut(tmp_path: Path) -> None:
    """The secret sits across the evidence cut: masked before the cut, so no part of it shows."""
    prefix = "fatal: unable to access 'https://jane:"
    secret = "ATBB" + "j59pjomkeQ2w8Zr5Xy7Vb4Nc1Ds6Ea3Hg0Jp"
    url = "https://jane:" + secret + "@bitbucket.org/" + "w" * (MAX_EVIDENCE_CHARS - len(prefix) - 8)
    log = tmp_path / "cut.log"
    log.write_text(f"fatal: unable to access '{url}/r.git/': The requested URL returned error: 403\n")
    for fmt in ("text", "json"):
        out = bbdiag("explain", "--no-repo", "--format", fmt, str(log)).stdout
        assert secret[:8] not in out, out


@pytest.mark.parametrize(
    "hostile",
    [
        "a" * 1_000_000,
        "https://" + "a" * 1_000_000,
        "https://a@" * 100_000,
        "a://" * 250_000,
        "https://a:b/" * 80_000,
        "Password for '" * 70_000,
        "x:" * 500_000,
        "ghp_" * 250_000,
        "password=" * 100_000,
        "authorization: " * 60_000,
        "\x1b" * 1_000_000,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_linear_time_on_a_million_characters(hostile: str) -> None:
    """A quadratic expression takes hours on these (1e12 steps); linear ones, well under a second.
    A child process, so that a regression fails by its time limit instead of hanging the suite."""
    code = "import json, sys; from bbdiag.redact import redact; print(len(redact(json.loads(sys.stdin.read()))))"
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(hostile), capture_output=True, text=True, timeout=60, check=True)
    assert int(done.stdout) > 0


def test_a_huge_config_value_and_url_path_finish(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("fatal: unable to access 'https://bitbucket.org/" + "a" * 1_000_000 + "/': The requested URL returned error: 403\n")
    for command in (["explain", "--no-repo"], ["scan"]):
        done = subprocess.run([sys.executable, "-m", "bbdiag", *command, str(path)], capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1), done.stderr
        assert max(len(line) for line in done.stdout.splitlines()) < 10_000  # cut, and said so with an ellipsis


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;owned\x07", "\\033]0;owned\\a"),
        ("\x1b]52;c;ZWNobyBwd25k\x07", "\\033]52;c;ZWNobyBwd25k\\a"),
        ("\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\", "\\033]8;;https://evil.example/\\033\\link\\033]8;;\\033\\"),
        ("\x1b[2J\x1b[6n", "\\033[2J\\033[6n"),
        ("\x1bP+q544e\x1b\\", "\\033P+q544e\\033\\"),
        ("\u009b2J\u009d0;x\u009c", "\\302\\2332J\\302\\2350;x\\302\\234"),
        ("abc\u202edcba", "abc\\342\\200\\256dcba"),
        ("over\rwrite", "over\\rwrite"),
        ("bad \ufffe\uffff", "bad \\357\\277\\276\\357\\277\\277"),
        ("not utf-8 \udcff", "not utf-8 \\377"),
        ("tab\tand\nnewline, é and 我", "tab\tand\nnewline, é and 我"),
    ],
)
def test_escape_sequences_are_shown_escaped_as_git_quotes_paths(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert redact(raw) == shown
    assert redact(redact(raw)) == redact(raw)


def test_a_percent_encoded_user_name_stays_encoded_in_the_set_url_command(tmp_path: Path) -> None:
    from tests.conftest import git

    git("init", "-q", str(tmp_path))
    git("remote", "add", "origin", "https://%1b%5d0%3bowned%07@bitbucket.org/ws/r.git", cwd=tmp_path)
    done = bbdiag(
        "explain", "--format", "json", stdin="remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'\n", cwd=tmp_path
    )
    assert "\x1b" not in done.stdout and "\\u001b" not in done.stdout
    commands = [s["command"] for d in json.loads(done.stdout)["diagnoses"] for s in d["remedy"] if s.get("command")]
    set_url = next(c for c in commands if "set-url" in c)
    assert "%1B%5D0%3Bowned%07@bitbucket.org" in set_url, set_url


def test_doctor_never_shows_a_data_center_or_gitlab_token(tmp_path: Path, isolated: Path) -> None:
    """In a remote URL, ~/.git-credentials, a helper's command line and the environment, in every format."""
    from tests.conftest import git

    glpat = GLPAT_ROUTABLE
    git("init", "-q", str(tmp_path))
    git("remote", "add", "origin", f"https://x-token-auth:{BBDC}@bitbucket.example.com/scm/p/r.git", cwd=tmp_path)
    git("remote", "add", "gitlab", f"https://oauth2:{glpat}@gitlab.com/g/r.git", cwd=tmp_path)
    git("config", "credential.helper", f"nosuch-helper --token {glpat}", cwd=tmp_path)
    git("config", "--global", "credential.helper", "store")
    (isolated / ".git-credentials").write_text(f"https://jane:{BBDC}@bitbucket.example.com\nhttps://jane:{glpat}@gitlab.com\n")
    env = {"GIT_ASKPASS": f"/bin/echo {glpat}", "GCM_BITBUCKET_AUTHMODES": BBDC}
    for fmt in ("text", "json", "terminal"):
        done = bbdiag("doctor", "--format", fmt, cwd=tmp_path, env=env)
        assert done.returncode in (0, 1), done.stderr
        for piece in (BBDC[5:25], BBDC[-12:], glpat[6:20], glpat[-9:]):
            assert piece not in done.stdout + done.stderr, (fmt, piece)
        assert "\\-" not in done.stdout  # no regex escaping that hides a token from redaction


def test_a_300000_character_config_value_is_read_in_time(tmp_path: Path) -> None:
    """Redaction was quadratic: doctor, explain in a repository and the pre-push hook took 25-101 s."""
    from tests.conftest import git

    git("init", "-q", str(tmp_path))
    with open(tmp_path / ".git" / "config", "a") as config:  # too long for a command line
        config.write('[remote "origin"]\n\turl = https://bitbucket.org/ws/' + "r" * 300_000 + ".git\n")
        config.write("[credential]\n\thelper = !" + "a" * 300_000 + "\n")
    failure = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'\n"
    for args, stdin in ((["doctor"], None), (["explain"], failure), (["hook", "pre-push", "origin", "https://bitbucket.org/ws/r.git"], "")):
        done = subprocess.run([sys.executable, "-m", "bbdiag", *args], input=stdin, capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert "Traceback" not in done.stderr, done.stderr[-2000:]
