"""Real CI noise: no keyword of the library occurs in it, it is never diagnosed, it never becomes a
failure's remote, and the fast path finds in it exactly what the line path finds."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bbdiag import library, pipeline, prefilter, scan
from bbdiag.normalise import Reading
from tests import noise
from tests.conftest import CORPUS, EXTRA, bbdiag

CASES = sorted((CORPUS / "cases").glob("*.txt")) + sorted((EXTRA / "cases").glob("*.txt"))


# Keywords that cannot be avoided: the message has no other literal. Each costs a line of the line
# path per occurrence; the fast path lets such lines through only where the cleaning changes them.
UNAVOIDABLE = {
    ("git-ref-updated", "->"): "a ref update (`3226b85..6f17547  main -> main`) has no other literal",
}


def test_no_keyword_occurs_in_common_ci_noise() -> None:
    # Each keyword in noise sends a line down the slow path; npm's "This module is not supported"
    # once sent one line in 13 of a Node.js build there.
    found = [
        f"{p.file}: keyword {k!r} occurs in CI noise: {line!r}"
        for line in noise.noise_lines()
        for p in library.load().patterns
        for k in p.keywords
        if k in line.lower() and (p.id, k) not in UNAVOIDABLE
    ]
    assert not found, "\n".join(found)
    assert all(pattern_id in library.load() for pattern_id, _ in UNAVOIDABLE), "an exception for a pattern that is gone"


def test_noise_is_not_a_failure() -> None:
    text = "\n".join(noise.noise_lines()) + "\n"
    assert scan.scan_text(text, "noise.log", library.load()).diagnoses == []
    assert pipeline.diagnose_text(text, "noise.log", library.load()).diagnoses == []


def test_a_download_url_is_never_the_remote(tmp_path: Path) -> None:
    maven = [line for line in noise.noise_lines() if "repo.maven.apache.org" in line]
    log = tmp_path / "build.log"
    log.write_text("\n".join([*maven, "git@bitbucket.org: Permission denied (publickey).", "fatal: Could not read from remote repository.", *maven]) + "\n")
    doc = json.loads(bbdiag("scan", "--format", "json", str(log)).stdout)
    (found,) = doc["diagnoses"]
    assert found["cause"] == "ssh-key-rejected" and found["host"] == "bitbucket-cloud"
    assert "maven" not in json.dumps(found), "a Maven download is not the remote"


def test_urls_early_in_a_log_do_not_crowd_out_the_remote() -> None:
    early = "".join(f"From https://github.com/acme/mirror{n}\n" for n in range(5000))
    failure = "To https://bitbucket.org/acme/widgets.git\n remote: Invalid credentials\nfatal: Authentication failed\n"
    (found,) = scan.scan_text(early + "x\n" * 100 + failure, "ci.log", library.load()).diagnoses
    assert found.url is not None and found.url.display == "https://bitbucket.org/acme/widgets.git"


def summary(diagnoses: Sequence[object]) -> list[tuple[str, str, tuple[int, int]]]:
    return [(d.cause, d.host, d.lines) for d in diagnoses]  # type: ignore[attr-defined]


# What CI runners and tools do to git's lines, each applied to a whole transcript.
DECORATIONS: dict[str, Callable[[list[str]], list[str]]] = {
    "timestamps": lambda lines: [f"2026-11-28T10:11:{n % 60:02d}.1234567Z {line}" for n, line in enumerate(lines)],
    "ansi": lambda lines: [f"\x1b[31;1m{line}\x1b[0m" for line in lines],
    "tabs": lambda lines: [line.replace(" ", "\t", 1) for line in lines],
    "carriage-returns": lambda lines: [f"Writing objects:  50% (1/2)\r{line}" for line in lines],
    "json-escapes": lambda lines: ['{"log":"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '\\n"}'],
    "section-markers": lambda lines: ["section_start:1732788000:step_script\r\x1b[0K" + lines[0], *lines[1:]] if lines else [],
    "non-ascii": lambda lines: [f"▶ {line}" for line in lines],
    "typographic-quotes": lambda lines: [line.replace("'", "\u2019") for line in lines],
}


@pytest.mark.parametrize("decoration", sorted(DECORATIONS))
def test_the_fast_path_finds_what_the_line_path_finds_in_noise(decoration: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before, after = noise.noise_lines()[:120], noise.noise_lines()[120:]
    for case in CASES:
        lines = case.read_text(encoding="utf-8", errors="replace").splitlines()
        data = ("\n".join([*before, *DECORATIONS[decoration](lines), *after]) + "\n").encode("utf-8")
        fast = scan.scan_stream(io.BytesIO(data), case.name, library.load()).diagnoses
        with monkeypatch.context() as patched:
            patched.setattr(prefilter, "_database_for", lambda lib: None)
            slow = scan.scan_stream(io.BytesIO(data), case.name, library.load()).diagnoses
        assert summary(fast) == summary(slow), f"{case.name} with {decoration}"


def test_the_fast_path_finds_what_the_line_path_finds_on_the_realistic_log(monkeypatch: pytest.MonkeyPatch) -> None:
    data = ("\n".join(noise.lines(3, seed=11, failure_rate=0.5)) + "\n").encode("utf-8")
    fast = scan.scan_stream(io.BytesIO(data), "ci.log", library.load()).diagnoses
    monkeypatch.setattr(prefilter, "_database_for", lambda lib: None)
    slow = scan.scan_stream(io.BytesIO(data), "ci.log", library.load()).diagnoses
    assert len(fast) >= 3 and summary(fast) == summary(slow)
    assert all(d.url is None or "maven" not in d.url.host for d in fast)


def test_a_keyword_alone_is_a_candidate_only_where_the_cleaning_changes_the_line() -> None:
    plain = []
    for keyword in sorted(set(library.load().keywords)):
        line = f"2026-11-28T10:00:00.0000000Z npm WARN something {keyword} else"
        if keyword.isascii() and "\\" not in keyword and not any(p.search(line) for p in library.load().candidates(line.lower())):
            plain.append(line)
    assert len(plain) > 100

    def candidates(lines: list[str]) -> set[int]:
        data = ("\n".join(lines) + "\n").encode("utf-8")
        return {line.number for line in prefilter.read(io.BytesIO(data), Reading("-"), library.load())}

    # No pattern matches these lines; only a regex loosened past its anchors or lookarounds may let one through.
    assert len(candidates(plain)) <= len(plain) // 20, "the loosened regexes decide on lines the cleaning leaves alone, not keywords"
    coloured = [f"\x1b[33m{line}\x1b[0m" for line in plain]
    assert candidates(coloured) == set(range(1, len(plain) + 1)), "where the cleaning changes a line, keywords decide"
