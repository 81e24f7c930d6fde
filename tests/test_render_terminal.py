"""The terminal renderer is still rich's rendering: every report, both ways, character by character.

bbdiag/render/terminal.py renders with rich's escape codes (stored once rich.style has computed
them), cell widths and line breaking (its own for single-cell text, tests/test_render_cells.py)
but lays out without rich.console (start-up: its import alone cost more than explain's run). Here each report,
doctor's findings and scan's summary are rendered through it and through rich.console.Console
with the layout it had before (tests/terminal_reference.py), at widths 40, 80 and 120, with colour
and without; the text of every line and the style and link of every character must be equal.
Lines are compared whole, trailing padding included (the golden file has it); only OSC 8 link ids
differ, as they differ between two rich runs. The deliberate differences are where these renders
never go: a legacy Windows console gets plain text (rich writes through the Win32 API there), and
a link is Style(link=url), never a style string parsed from a URL (one with a space in it).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import pytest
import rich.console
import rich.control

from bbdiag import doctor, inspector, knowledge, library, pipeline, scan
from bbdiag.advice import Finding, Step
from bbdiag.render import escape_codes, terminal, view
from bbdiag.render.view import DiagnosisView, EvidenceView, ScanView, StepView
from tests import terminal_reference as reference
from tests.conftest import CASES, git
from tests.test_inspector import APP_PASSWORD, repo

if TYPE_CHECKING:
    from collections.abc import Callable

WIDTHS = (40, 80, 120)
Cells = list[list[tuple[str, str, str]]]  # lines of (character, SGR parameters in force, link)

ESCAPE = re.compile(r"\x1b\[([0-9;]*)m|\x1b\]8;[^;]*;([^\x1b]*)\x1b\\|(\n)|(.)", re.S)


def decoded(output: str) -> Cells:
    """Each character with the SGR state and OSC 8 link it is shown in (rich resets after each run)."""
    lines: Cells = [[]]
    sgr = link = ""
    for m in ESCAPE.finditer(output):
        if m.group(1) is not None:
            sgr = "" if m.group(1) in ("", "0") else m.group(1)
        elif m.group(2) is not None:
            link = m.group(2)
        elif m.group(3):
            lines.append([])
        else:
            lines[-1].append((m.group(4), sgr, link))
    return lines


def both(render: Callable[[TextIO, int, bool], None], draw: Callable[[TextIO, int, bool], None], width: int, color: bool) -> tuple[str, str]:
    ours, rich_s = io.StringIO(), io.StringIO()
    render(ours, width, color)
    draw(rich_s, width, color)
    return ours.getvalue(), rich_s.getvalue()


def assert_same(ours: str, theirs: str, what: str) -> None:
    mine, rich_s = decoded(ours), decoded(theirs)
    for number, (a, b) in enumerate(zip(mine, rich_s, strict=False), 1):
        assert a == b, f"{what}, line {number}:\n ours: {ours.splitlines()[number - 1]!r}\n rich: {theirs.splitlines()[number - 1]!r}"
    assert len(mine) == len(rich_s), what


def on_a_terminal(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    """FORCE_COLOR makes a StringIO a terminal for rich and for us alike (and nothing else may choose)."""
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    if terminal:
        monkeypatch.setenv("FORCE_COLOR", "1")


@pytest.fixture(params=["colour", "no colour on a terminal", "not a terminal"])
def environment(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """The renderer's `color` flag, on a terminal or not."""
    on_a_terminal(monkeypatch, request.param != "not a terminal")
    return bool(request.param != "no colour on a terminal")


def reports() -> list[tuple[str, view.ReportView]]:
    lib = library.load()
    out = []
    for case in sorted(CASES.glob("*.txt")):
        result = pipeline.diagnose_text(case.read_text(encoding="utf-8", errors="replace"), case.name, lib)
        out.append((case.name, view.build(case.name, pipeline.remedies(result.diagnoses), result.remarks())))
    return out


def forbidden(*args: object) -> dict[tuple[str, ...], tuple[str, str]]:
    raise AssertionError("escape codes computed by rich where stored ones were expected")


@pytest.mark.parametrize("color", [True, False], ids=["colour", "no colour"])
def test_every_corpus_report_renders_as_rich_renders_it(color: bool, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On a terminal, three ways: the escape codes computed by rich afresh (no cache), from a cache
    that gains the combinations each report adds, and from the stored codes alone (rich.style may
    not be asked). Not on a terminal, rich writes the same characters without escape codes (the
    tests below and the golden file render that case too; rich's reference is slow, the suite should not be)."""
    on_a_terminal(monkeypatch, True)
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "cache"))
    compute = escape_codes.computed_by_rich
    every = reports()
    assert len(every) > 200 and sum(bool(r.diagnoses) for _, r in every) > 180
    for name, report in every:
        for width in WIDTHS:
            theirs = io.StringIO()
            reference.render(report, theirs, width=width, color=color)
            shown = []
            for codes in ("fresh", "added", "stored"):
                if codes == "fresh":
                    monkeypatch.setenv("BBDIAG_NO_CACHE", "1")
                else:
                    monkeypatch.delenv("BBDIAG_NO_CACHE", raising=False)
                monkeypatch.setattr(escape_codes, "computed_by_rich", forbidden if codes == "stored" else compute)
                ours = io.StringIO()
                terminal.render(report, ours, width=width, color=color)
                shown.append(ours.getvalue())
            assert_same(shown[0], theirs.getvalue(), f"{name} at {width}")
            assert shown[1] == shown[0] and shown[2] == shown[0], f"{name} at {width}: the stored codes differ from rich's"
    assert list((tmp_path / "cache").glob("terminal-codes-*.json"))


def hostile() -> view.ReportView:
    """What the corpus lacks: wide and combining characters, emoji with joiners, tabs, control
    characters rich drops, words longer than any line, a long line number, blank lines, a step
    without a command and the "or:" line."""
    wide = "认证失败 請重新登錄 ﾊﾝｶｸ e\u0301 👩\u200d💻 ✓"
    long_word = "https://bitbucket.org/" + "x" * 130 + "/repo.git"
    d = DiagnosisView(
        cause="credentials-rejected",
        host="bitbucket-cloud",
        host_label="Bitbucket Cloud",
        auth=True,
        title=f"Rejected {wide}",
        why=f"Tabs\there\tand\x07 bells\x08, a\rcarriage return and \x0bvertical tab; {long_word} {wide * 3}\n\nA second paragraph.",
        source="ci/log\twith tab.txt",
        lines=(1, 123456),
        evidence=(EvidenceView(7, "p", f"remote: {wide}\t{long_word}"), EvidenceView(123456, "q", "fatal: " + "word " * 40)),
        remote=long_word,
        remedy=(StepView(f"{wide} " * 6, "git config --global credential.helper\tcache"), StepView("No command" + " here" * 20, None)),
        docs=(long_word, "https://example.com/a"),
        step="build\tstep",
        alternatives=(view.AlternativeView("token-expired", "The token expired", StepView(f"Check {wide}", "git ls-remote origin")),),
    )
    return view.ReportView("-", (d, d._replace(auth=False, alternatives=())), ("a remark\twith a tab", wide))


def test_hostile_text_renders_as_rich_renders_it(environment: bool) -> None:
    report = hostile()
    for width in (*WIDTHS, 9, 17):

        def ours(out: TextIO, width: int, color: bool) -> None:
            terminal.render(report, out, width=width, color=color)

        def theirs(out: TextIO, width: int, color: bool) -> None:
            reference.render(report, out, width=width, color=color)

        assert_same(*both(ours, theirs, width, environment), f"hostile at {width}")


def findings(tmp_path: Path) -> list[tuple[str | None, list[Finding]]]:
    """doctor's own findings on real repositories, and every severity with long and wide text."""
    k = knowledge.load()
    import datetime as dt

    today = dt.date(2026, 12, 1)
    cases: list[tuple[str | None, list[Finding]]] = []
    git("config", "--global", "credential.helper", "store")
    for name, url in (
        ("secret", f"https://jane:{APP_PASSWORD}@bitbucket.org/acme/widgets.git"),
        ("ssh", "git@bitbucket.org:acme/widgets.git"),
        ("github", "https://github.com/acme/widgets.git"),
    ):
        path = repo(tmp_path, url=url, name=name)
        cases.append((str(path), doctor.check(inspector.inspect(path), k, today)))
    cases.append((None, doctor.check(inspector.inspect(tmp_path), k, today)))
    wide = "认证失败 請重新登錄 e\u0301 👩\u200d💻"
    made = [
        Finding(
            f"made-{severity}",
            severity,
            f"{severity} {wide}",
            f"{wide} detail\twith a tab " * 5,
            (Step("Do " + "this " * 30), Step(wide, "git remote -v")),
            "origin",
        )
        for severity in ("error", "warning", "info", "ok")
    ]
    cases.append(("/tmp/a path/" + "x" * 90, made))
    assert {f.severity for _, fs in cases for f in fs} == {"error", "warning", "info", "ok"}
    return cases


def test_doctor_findings_render_as_rich_renders_them(tmp_path: Path, environment: bool) -> None:
    for repository, found in findings(tmp_path):
        for width in WIDTHS:

            def ours(out: TextIO, width: int, color: bool, repository: str | None = repository, found: list[Finding] = found) -> None:
                terminal.render_findings(repository, found, out, width=width, color=color)

            def theirs(out: TextIO, width: int, color: bool, repository: str | None = repository, found: list[Finding] = found) -> None:
                reference.render_findings(repository, found, out, width=width, color=color)

            assert_same(*both(ours, theirs, width, environment), f"doctor {repository} at {width}")


def scan_report(tmp_path: Path) -> ScanView:
    """A scan of many logs: the summary tables (a log name longer than any width), more failures
    than are shown in full, a log that fails nothing and one with a remark."""
    logs = tmp_path / ("logs-" + "n" * 60)
    logs.mkdir()
    cases = sorted(CASES.glob("*.txt"))[:30]
    for index, case in enumerate(cases):
        (logs / f"{index:02d}-{case.name}").write_bytes(case.read_bytes())
    (logs / "nothing.txt").write_text("all is well\n")
    (logs / "binary.log").write_bytes(b"\xff\xfe\x00fatal: Authentication failed for 'https://bitbucket.org/a/b.git/'\n")
    report = ScanView(tuple(v for path in sorted(logs.iterdir()) for v in scan.scan_file_views(str(path))))
    assert len(report.diagnoses) > 20 and any(not s.diagnoses for s in report.sources)
    return report


def test_scan_summary_renders_as_rich_renders_it(tmp_path: Path, environment: bool) -> None:
    report = scan_report(tmp_path)
    empty = ScanView(())
    for shown in (report, empty):
        for width in WIDTHS:

            def ours(out: TextIO, width: int, color: bool, shown: ScanView = shown) -> None:
                terminal.render_scan(shown, out, width=width, color=color)

            def theirs(out: TextIO, width: int, color: bool, shown: ScanView = shown) -> None:
                reference.render_scan(shown, out, width=width, color=color)

            assert_same(*both(ours, theirs, width, environment), f"scan at {width}")


class FakeTerminal(io.StringIO):
    """A file that says it is a terminal (or not), in an encoding."""

    def __init__(self, tty: bool, encoding: str = "utf-8") -> None:
        super().__init__()
        self.tty, self._encoding = tty, encoding

    def isatty(self) -> bool:
        return self.tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


ENVIRONMENTS = [
    {},
    {"TERM": "xterm-256color"},
    {"TERM": "xterm-kitty"},
    {"TERM": "rxvt-16color"},
    {"TERM": "dumb"},
    {"TERM": "unknown", "COLUMNS": "50"},
    {"COLORTERM": "truecolor"},
    {"COLORTERM": " 24BIT "},
    {"FORCE_COLOR": ""},
    {"FORCE_COLOR": "1"},
    {"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"},
    {"TTY_COMPATIBLE": "1"},
    {"COLUMNS": "63"},
    {"COLUMNS": "63", "LINES": "20"},
    {"COLUMNS": "wide"},
    {"LINES": "20"},
    {"NO_COLOR": "1"},
]


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=lambda e: " ".join(f"{k}={v}" for k, v in e.items()) or "empty")
@pytest.mark.parametrize("tty", [True, False])
@pytest.mark.parametrize("width", [None, 72])
def test_colour_system_and_width_are_chosen_as_rich_chooses_them(env: dict[str, str], tty: bool, width: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TERM", "COLORTERM", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for out in (FakeTerminal(tty), FakeTerminal(tty, "latin-1")):
        console = rich.console.Console(file=out, width=width, no_color=False, highlight=False, emoji=False)
        seen = terminal.screen(out, width, color=True)
        assert (seen.width, seen.color_system, seen.legacy_windows) == (console.width, console.color_system, console.legacy_windows)


def test_the_control_characters_dropped_are_richs() -> None:
    assert set(terminal.STRIP_CONTROL) == set(rich.control.STRIP_CONTROL_CODES)


def test_on_a_real_terminal_it_takes_the_terminals_width(tmp_path: Path) -> None:
    """bbdiag explain in a pty 57 columns wide, no COLUMNS: rich's width and colours, from the terminal itself."""
    import fcntl
    import pty
    import struct
    import termios

    controller, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 57, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLORTERM")}
    env["TERM"] = "xterm"
    process = subprocess.Popen(
        [sys.executable, "-m", "bbdiag", "explain", "--no-repo", str(CASES / "p028.txt")], stdin=child, stdout=child, stderr=child, env=env
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 1 << 16)
        except OSError:  # EIO: the child has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(controller)
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    assert "\x1b[1;31m" in shown
    source = str(CASES / "p028.txt")
    result = pipeline.diagnose_text(Path(source).read_text(encoding="utf-8"), source, library.load())
    report = view.build(source, pipeline.remedies(result.diagnoses), result.remarks())
    expected = FakeTerminal(True)
    os.environ["FORCE_COLOR"] = "1"
    try:
        reference.render(report, expected, width=57)
    finally:
        del os.environ["FORCE_COLOR"]
    assert_same(shown, expected.getvalue(), "on a pty")


def test_a_width_no_line_fits_in_is_taken_as_an_unknown_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    """COLUMNS=0: rich.console chooses a width of 0, and its line breaking then fails (chop_cells
    cannot fold into no cells); the report is laid out at the width rich gives an unknown terminal."""
    on_a_terminal(monkeypatch, True)
    monkeypatch.setenv("COLUMNS", "0")
    report = hostile()
    assert terminal.screen(io.StringIO(), None).width == 0
    shown, expected = io.StringIO(), io.StringIO()
    terminal.render(report, shown)
    terminal.render(report, expected, width=80)
    assert shown.getvalue() == expected.getvalue() and len(decoded(shown.getvalue())) > 20
