"""A token a terminal wrapped (issue 14): both halves masked, in every format of scan and explain,
on the line path and on the fast read stage, wherever the wrap falls in the token and wherever the
stretches the fast path reads end."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bbdiag import hosts, library, normalise, pipeline, prefilter, scan
from bbdiag.commands import scan as scan_command
from bbdiag.hosts.base import TokenShape
from bbdiag.match import match_lines
from bbdiag.normalise import Line
from bbdiag.redact import MASK, may_wrap_into, wrapped_token_rest
from bbdiag.render import renderer, view
from bbdiag.render.view import ScanView
from tests.conftest import bbdiag

WIDTH = 80
SHAPES = [shape for shape in hosts.TOKEN_SHAPES if shape.in_text and shape.prefix]
# One literal start for each prefix of the token table (a shape added there fails
# test_every_shape_has_a_sample until it gets one here).
SAMPLE_PREFIXES = ("ATBB", "ATATT3", "ATCTT3", "BBDC-", "glpat-", "ghp_", "github_pat_", "AKIA", "xoxb-")
# Where the token sits, and a hit on the line its rest wraps onto. The first line holds no
# keyword and no URL, so the fast path would not read it for itself.
LAYOUTS = (
    ("note: the credential in use is ", "' Authentication failed for 'https://bitbucket.org/ws/r.git/'"),
    ("POST https://x-token-auth:", "@bitbucket.org/ws/r.git/': The requested URL returned error: 403"),
)
SCAN_FORMATS = ("terminal", "text", "json", "jsonl", "sarif", "github", "gitlab", "junit", "bitbucket")
NO_EVIDENCE = ("github", "gitlab", "bitbucket")  # formats that quote no log line (an annotation per failure, at its line)
FRAGMENT = 6  # characters of a token's secret part that must not show anywhere


def sample_prefix(shape: TokenShape) -> str:
    return next(p for p in SAMPLE_PREFIXES if re.fullmatch(shape.prefix, p))


def planted(shape: TokenShape, rng: random.Random) -> str:
    """A token of this shape with a random secret part; Atlassian's API tokens run to about 190 characters."""
    chars = [c for c in map(chr, range(48, 123)) if c.isalnum() and re.fullmatch(shape.body, c)]
    length = shape.max_length or (186 if shape.prefix == "ATATT3" else max(shape.min_length + 8, 48))
    return sample_prefix(shape) + "".join(rng.choice(chars) for _ in range(length))


def wrapped(lead: str, token: str, trail: str, cut: int) -> str:
    """The line `lead + token + trail` as a terminal WIDTH columns wide shows it, placed so that
    a wrap falls `cut` characters into the token (and every WIDTH characters after); `trail`
    stays on the token's last line, so that line is a hit."""
    start = -cut % WIDTH
    while start < len(lead):
        start += WIDTH
    line = "~" * (start - len(lead)) + lead + token
    return "".join(line[i : i + WIDTH] + "\n" for i in range(0, len(line), WIDTH))[:-1] + trail + "\n"


def fragments(token: str, shape: TokenShape) -> set[str]:
    secret = token[len(sample_prefix(shape)) :]
    return {secret[i : i + FRAGMENT] for i in range(len(secret) - FRAGMENT + 1)}


def strings(record: object) -> Iterator[str]:
    """Every string in a view record, however nested: what every renderer lays out."""
    if isinstance(record, str):
        yield record
    elif isinstance(record, tuple | list):
        for item in record:
            yield from strings(item)


def leaked(shown: str, token: str, shape: TokenShape) -> list[str]:
    return sorted(f for f in fragments(token, shape) if f in shown)


def test_every_shape_has_a_sample() -> None:
    for shape in SHAPES:
        assert any(re.fullmatch(shape.prefix, p) for p in SAMPLE_PREFIXES), shape.prefix


def cases() -> Iterator[tuple[TokenShape, str, str, str, int]]:
    rng = random.Random(14)
    for shape in SHAPES:
        token = planted(shape, rng)
        for lead, trail in LAYOUTS:
            for cut in range(1, len(token)):
                yield shape, token, lead, trail, cut


def test_both_halves_are_masked_wherever_the_wrap_falls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shape, cut at every position: the line path, and the fast path with stretches that
    end between any two lines (a chunk of 64 bytes holds one or two wrapped lines)."""
    lib = library.load()
    failures: list[str] = []
    for shape, token, lead, trail, cut in cases():
        log = ("~" * 30 + "\n") * 3 + wrapped(lead, token, trail, cut)
        data = log.encode()
        reading = normalise.Reading("-")
        line_path = pipeline.diagnose_lines(normalise.read(io.BufferedReader(io.BytesIO(data)), reading), reading, lib)
        results = [("line path", line_path.diagnoses)]
        for chunk in (64, 128 + cut % 61, prefilter.CHUNK):
            monkeypatch.setattr(prefilter, "CHUNK", chunk)
            results.append((f"fast path, chunk {chunk}", scan.scan_stream(io.BytesIO(data), "-", lib).diagnoses))
        for path, diagnoses in results:
            assert diagnoses, (path, log)
            pairs = pipeline.remedies(diagnoses)
            shown = "\n".join(strings([view.diagnosis_view("-", d, r) for d, r in pairs]))
            if leaked(shown, token, shape):
                failures.append(f"{shape.prefix} cut at {cut}, {path}: {leaked(shown, token, shape)[:3]}")
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} in all)"


def test_explain_on_the_fast_path_masks_both_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    """explain reads a large input through the fast path too (pipeline.FAST_AFTER)."""
    monkeypatch.setattr(pipeline, "FAST_AFTER", 256)
    monkeypatch.setattr(prefilter, "CHUNK", 128)
    lib = library.load()
    rng = random.Random(9)
    for shape in SHAPES:
        token = planted(shape, rng)
        lead, trail = LAYOUTS[0]
        log = "~" * 400 + "\n" + wrapped(lead, token, trail, len(token) // 2)
        result = pipeline.diagnose_stream(io.BytesIO(log.encode()), "-", lib)
        assert result.diagnoses
        report = view.build("-", pipeline.remedies(result.diagnoses), result.remarks())
        assert not leaked("\n".join(strings(report)), token, shape), shape.prefix


def test_every_format_of_scan_and_explain(tmp_path: Path) -> None:
    """The records above are all any renderer sees; this holds every renderer to them, and the
    two commands end to end."""
    rng = random.Random(5)
    log = tmp_path / "wrapped.log"
    tokens = [(shape, planted(shape, rng)) for shape in SHAPES]
    lead, trail = LAYOUTS[0]
    log.write_text("".join(wrapped(lead, token, trail, 1 + i * 7 % 30) + "~\n" * 50 for i, (_, token) in enumerate(tokens)))
    outputs: dict[str, str] = {}
    report = ScanView(tuple(scan.scan_file_views(str(log))))
    for fmt in SCAN_FORMATS:
        out = io.StringIO()
        scan_command._render(report, fmt, out)
        outputs[f"scan --format {fmt}"] = out.getvalue()
    result = pipeline.diagnose_stream(io.BytesIO(log.read_bytes()), str(log), library.load())
    explained = view.build(str(log), pipeline.remedies(result.diagnoses), result.remarks())
    for fmt in ("terminal", "text", "json"):
        out = io.StringIO()
        renderer(fmt, out, "render")(explained, out)
        outputs[f"explain --format {fmt}"] = out.getvalue()
    outputs["bbdiag scan"] = bbdiag("scan", "--format", "text", str(log)).stdout
    outputs["bbdiag explain"] = bbdiag("explain", "--no-repo", "--format", "text", str(log)).stdout
    for name, shown in outputs.items():
        assert MASK in shown or name.endswith(NO_EVIDENCE), name
        for shape, token in tokens:
            assert not leaked(shown, token, shape), (name, shape.prefix)


def test_a_token_over_three_lines_needs_the_lines_before() -> None:
    """The middle line is all token: only the line the token began on says it is one."""
    token = planted(SHAPES[[s.prefix for s in SHAPES].index("ATATT3")], random.Random(3))
    first, middle, last = wrapped("note: the credential in use is ", token, " is rejected", 60).splitlines()[-3:]
    assert wrapped_token_rest(first, middle) == WIDTH
    assert wrapped_token_rest(middle, last) == 0  # alone, a line of letters says nothing
    assert may_wrap_into(middle, last)
    assert wrapped_token_rest(middle, last, previous_is_rest=True) == len(last) - len(" is rejected")


def test_what_is_not_a_wrapped_token_is_left_alone() -> None:
    lib = library.load()
    long = "remote: see the build log, then retry the push with the token named ATBB"
    assert wrapped_token_rest(long, "remote: Invalid credentials") == 0  # `word:` starts a line of git's
    assert wrapped_token_rest("short line ATBBxyz", "abc def") == 0  # no terminal is that narrow
    assert wrapped_token_rest("~" * 60 + " the tokens were fine", "Permission denied (publickey).") == 0
    matches = match_lines([Line(1, "~" * 70 + " ghp_"), Line(2, "fatal: Authentication failed for 'https://github.com/o/r.git/'")], lib)
    assert [h.text for h in matches.hits] == ["fatal: Authentication failed for 'https://github.com/o/r.git/'"]


def test_pieces_of_one_line_are_not_taken_for_a_wrap() -> None:
    """Only the first piece of the next line continues the line before (normalise splits a line at ` fatal: `)."""
    lib = library.load()
    token = "ATBB" + "Q2w8Zr5Xy7Vb4Nc1Ds6Ea3Hg0Jp"
    first = ("~" * WIDTH + "note: the credential in use is " + token)[-WIDTH:]
    second = "Q2w8 fatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'"
    matches = match_lines([Line(1, first), *(Line(2, p) for p in normalise.clean(second))], lib)
    assert [h.text for h in matches.hits] == ["fatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'"]


def test_a_url_password_wrapped_anywhere_in_its_userinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a token's shape, but the password of a URL: masked on the line it wraps onto, wherever
    the wrap falls from the scheme's `://` to the `@`."""
    lib = library.load()
    password = "hunter2" + "Qw8Zr5Xy7Vb4Nc1Ds6Ea"
    lead = "~" * 20 + "POST https://"
    line = lead + "jane:" + password + "@bitbucket.org/ws/r.git/': The requested URL returned error: 403"
    failures = []
    for cut in range(len(lead), len(lead) + len("jane:" + password) + 1):
        data = ("~" * 30 + "\n" + line[:cut].rjust(WIDTH, "~") + "\n" + line[cut:] + "\n").encode()
        reading = normalise.Reading("-")
        runs = [pipeline.diagnose_lines(normalise.read(io.BufferedReader(io.BytesIO(data)), reading), reading, lib).diagnoses]
        for chunk in (64, prefilter.CHUNK):
            monkeypatch.setattr(prefilter, "CHUNK", chunk)
            runs.append(scan.scan_stream(io.BytesIO(data), "-", lib).diagnoses)
        for diagnoses in runs:
            assert diagnoses
            shown = "\n".join(strings([view.diagnosis_view("-", d, r) for d, r in pipeline.remedies(diagnoses)]))
            failures += [f"cut at {cut}: {piece}" for piece in {password[i : i + FRAGMENT] for i in range(len(password) - FRAGMENT + 1)} if piece in shown]
    assert not failures, failures[:10]


def test_a_token_wrapped_out_of_test_output_is_masked_on_the_line_it_runs_onto(monkeypatch: pytest.MonkeyPatch) -> None:
    """scan drops what a test printed as data (pytest's `E   ` report) from the evidence; a token a
    terminal wrapped out of such a line still runs onto the next one, and its rest is masked there."""
    lib = library.load()
    rng = random.Random(21)
    failures: list[str] = []
    for shape in SHAPES:
        token = planted(shape, rng)
        for cut in (1, len(token) // 2, len(token) - 1):
            log = ("~" * 30 + "\n") * 3 + wrapped("E       AssertionError: the token in use is ", token, LAYOUTS[0][1], cut)
            for path, chunk in (("line path", 0), ("fast path", 64), ("fast path", prefilter.CHUNK)):
                with monkeypatch.context() as m:
                    if chunk:
                        m.setattr(prefilter, "CHUNK", chunk)
                    else:  # scan as it reads where Hyperscan is missing
                        m.setattr(prefilter, "_database_for", lambda _lib: None)
                    diagnoses = scan.scan_stream(io.BytesIO(log.encode()), "-", lib).diagnoses
                shown = "\n".join(strings([view.diagnosis_view("-", d, r) for d, r in pipeline.remedies(diagnoses)]))
                assert diagnoses, (path, log)
                assert "AssertionError" not in shown, "test output is still no evidence"
                if leaked(shown, token, shape):
                    failures.append(f"{shape.prefix} cut at {cut}, {path}, chunk {chunk}")
    assert not failures, "\n".join(failures[:20]) + f"\n({len(failures)} in all)"
