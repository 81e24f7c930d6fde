"""The escape codes stored for the terminal renderer are rich.style's, and whatever happens to the store, rich answers.

bbdiag.render.escape_codes keeps what rich writes around a text in each combination of style
definitions, per colour system, in the user's cache. Here: every combination the renderers use,
stored and read back, against rich's own answer computed in a fresh interpreter for each colour
system (rich's Style keeps the codes it first rendered on the object, so one process that renders
for several colour systems would mix them); a damaged, foreign or others-writable file, codes that
are not SGR, another rich, an unwritable cache: the same output, computed by rich.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bbdiag.render import escape_codes, terminal
from tests import test_render_terminal as rendering

if TYPE_CHECKING:
    from collections.abc import Iterable

# rich's answer in an interpreter of its own: each combination rendered around "x" for one colour system.
RICH = """
import json, sys
from rich.color import ColorSystem
from rich.style import Style
system, combinations = sys.argv[1], json.loads(sys.stdin.read())
answers = {}
for no_color in (False, True):
    for definitions in combinations:
        style = Style.combine(Style.parse(d) for d in definitions)
        style = style.without_color if no_color else style
        answers["\\n".join([str(no_color), *definitions])] = style.render("x", color_system=ColorSystem[system]).split("x")
print(json.dumps(answers))
"""


def used_combinations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, ...]]:
    """Every combination of definitions the renderers ask codes for: the corpus, the hostile
    report, doctor's findings of every severity, scan's summary."""
    seen: set[tuple[str, ...]] = set()
    real = escape_codes.codes

    def recording(combinations: Iterable[tuple[str, ...]], system: str, no_color: bool) -> dict[tuple[str, ...], tuple[str, str]]:
        combinations = set(combinations)
        seen.update(combinations)
        return real(combinations, system, no_color)

    monkeypatch.setattr(escape_codes, "codes", recording)
    rendering.on_a_terminal(monkeypatch, True)
    for _, report in rendering.reports():
        terminal.render(report, io.StringIO(), width=80)
    terminal.render(rendering.hostile(), io.StringIO(), width=40)
    for repository, found in rendering.findings(tmp_path):
        terminal.render_findings(repository, found, io.StringIO(), width=80)
    terminal.render_scan(rendering.scan_report(tmp_path), io.StringIO(), width=80)
    monkeypatch.setattr(escape_codes, "codes", real)
    return seen


def test_stored_codes_are_richs_for_every_combination_and_colour_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "cache"))
    combinations = used_combinations(tmp_path, monkeypatch)
    for style in ("bold", "bold cyan", "bold green", "bold red", "bold yellow", "cyan", "dim", "red", "yellow"):
        assert (style,) in combinations
    for system, member in escape_codes.COLOR_SYSTEMS.items():
        done = subprocess.run(
            [sys.executable, "-c", RICH, member], input=json.dumps(sorted(combinations)), capture_output=True, text=True, check=True, timeout=120
        )
        richs = json.loads(done.stdout)
        for no_color in (False, True):
            escape_codes.codes(combinations, system, no_color)  # computed (most of them) and stored
            monkeypatch.setattr(escape_codes, "computed_by_rich", rendering.forbidden)
            stored = escape_codes.codes(combinations, system, no_color)
            monkeypatch.undo()
            monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "cache"))
            for definitions in combinations:
                assert list(stored[definitions]) == richs["\n".join([str(no_color), *definitions])], (system, no_color, definitions)
    assert escape_codes.codes({("bold red",)}, "standard", False) == {("bold red",): ("\x1b[1;31m", "\x1b[0m")}
    assert escape_codes.codes({("bold red",)}, "standard", True) == {("bold red",): ("\x1b[1m", "\x1b[0m")}


def test_rich_files_are_what_rich_style_runs() -> None:
    """The key holds the files whose code computes the codes: every module `import rich.style` runs."""
    program = "import sys, rich.style, rich.color; print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.split('.')[0] == 'rich'))"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120)
    assert {os.path.basename(path) for path in done.stdout.split()} <= set(escape_codes.RICH_FILES)


def report_output(monkeypatch: pytest.MonkeyPatch) -> str:
    rendering.on_a_terminal(monkeypatch, True)
    out = io.StringIO()
    terminal.render(rendering.hostile(), out, width=80)
    return out.getvalue()


def the_store(tmp_path: Path) -> Path:
    (path,) = (tmp_path / "cache").glob("terminal-codes-*.json")
    return path


def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many combinations rich computes from now on."""
    calls: list[int] = []
    real = escape_codes.computed_by_rich

    def counting(combinations: Iterable[tuple[str, ...]], system: str, no_color: bool) -> dict[tuple[str, ...], tuple[str, str]]:
        combinations = list(combinations)
        calls.append(len(combinations))
        return real(combinations, system, no_color)

    monkeypatch.setattr(escape_codes, "computed_by_rich", counting)
    return calls


def damage_it(path: Path, how: str) -> None:
    if how == "not JSON":
        path.write_bytes(path.read_bytes()[:40])
    elif how == "not SGR":  # a code that would do something else on the terminal (OSC 52: set the clipboard)
        document = json.loads(path.read_text(encoding="utf-8"))
        document["value"] = {key: ["\x1b]52;c;ZWNobyBoaQ==\x07", "\x1b[0m"] for key in document["value"]}
        path.write_text(json.dumps(document), encoding="utf-8")
    elif how == "another shape":
        document = json.loads(path.read_text(encoding="utf-8"))
        document["value"] = {key: "\x1b[1m" for key in document["value"]}
        path.write_text(json.dumps(document), encoding="utf-8")
    elif how == "writable by others":
        path.chmod(0o666)
    elif how == "another user's":
        os.chown(path, 4321, -1)
    elif how == "another rich":
        document = json.loads(path.read_text(encoding="utf-8"))
        document["key"] = document["key"].replace(".py:", ".py:1", 1)
        path.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize("how", ["not JSON", "not SGR", "another shape", "writable by others", "another user's", "another rich"])
def test_a_store_not_to_be_used_falls_back_to_rich_with_the_same_output(how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "another user's" and os.getuid() != 0:
        pytest.skip("only root can give a file to another user")
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "cache"))
    expected = report_output(monkeypatch)
    path = the_store(tmp_path)
    calls = counted(monkeypatch)
    assert report_output(monkeypatch) == expected and calls == []  # the stored codes, unasked
    damage_it(path, how)
    assert report_output(monkeypatch) == expected
    assert calls and calls[0] >= 5  # every combination computed by rich again
    assert "\x1b]52" not in expected


def test_a_combination_not_stored_is_computed_and_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "cache"))
    calls = counted(monkeypatch)
    assert escape_codes.codes([("bold",)], "256", False) == {("bold",): ("\x1b[1m", "\x1b[0m")}
    assert escape_codes.codes([("bold",), ("dim", "red")], "256", False) == {("bold",): ("\x1b[1m", "\x1b[0m"), ("dim", "red"): ("\x1b[2;31m", "\x1b[0m")}
    assert escape_codes.codes([("dim", "red")], "256", True) == {("dim", "red"): ("\x1b[2m", "\x1b[0m")}
    assert calls == [1, 1, 1]  # each only once, and only what was missing
    assert escape_codes.codes([("bold",), ("dim", "red")], "256", False) and calls == [1, 1, 1]
    stored = json.loads(the_store(tmp_path).read_text(encoding="utf-8"))["value"]
    assert stored == {
        "256\ncolour\nbold": ["\x1b[1m", "\x1b[0m"],
        "256\ncolour\ndim\nred": ["\x1b[2;31m", "\x1b[0m"],
        "256\nno colour\ndim\nred": ["\x1b[2m", "\x1b[0m"],
    }


@pytest.mark.parametrize("cache", ["a file", "a read-only folder", "no cache"])
def test_without_a_cache_to_write_it_renders_as_rich(cache: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "fresh"))
    expected = report_output(monkeypatch)
    where = tmp_path / "cache"
    if cache == "a file":
        where.write_text("not a folder")
    elif cache == "a read-only folder":
        if os.getuid() == 0:
            pytest.skip("root writes into a read-only folder")
        where.mkdir(mode=0o500)
    else:
        monkeypatch.setenv("BBDIAG_NO_CACHE", "1")
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(where))
    calls = counted(monkeypatch)
    for _ in range(2):
        assert report_output(monkeypatch) == expected
    assert len(calls) == 2  # computed by rich each time: nothing was stored
    assert not list(tmp_path.glob("cache/terminal-codes-*"))


def test_rich_is_found_and_keyed_without_importing_it(tmp_path: Path) -> None:
    """The rich `import rich` would run, found by the import system's finders (here one earlier on
    sys.path), its version and files in the key, and rich never run; a changed file, another key."""
    site = tmp_path / "site"
    (site / "rich").mkdir(parents=True)
    (site / "rich-99.1.dist-info").mkdir()
    for name in escape_codes.RICH_FILES:
        (site / "rich" / name).write_text("raise SystemExit('rich was run')\n")
    (site / "rich" / "console.py").write_text("")
    program = f"""
import os, sys
sys.path.insert(0, {str(site)!r})
from bbdiag.render import escape_codes
folder, key = escape_codes._rich_identity()
os.utime(os.path.join(folder, "style.py"), ns=(1, 1))
_, changed = escape_codes._rich_identity()
os.utime(os.path.join(folder, "console.py"), ns=(1, 1))
_, unchanged = escape_codes._rich_identity()
print(folder, "rich-99.1.dist-info" in key, "style.py" in key, "console.py" in key, key != changed, changed == unchanged, "rich" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.split() == [str(site / "rich"), "True", "True", "False", "True", "True", "False"]


def test_links_are_written_as_rich_writes_them_each_with_its_own_id(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from rich.style import Style as RichStyle

    output = report_output(monkeypatch)
    links = re.findall(r"\x1b\]8;id=([^;]*);([^\x1b]*)\x1b\\(.*?)\x1b\]8;;\x1b\\", output)
    assert len(links) == 4 and len({link_id for link_id, _, _ in links}) == 4
    for link_id, url, text in links:
        style = RichStyle(link=url)
        assert style.render(text).replace(f"id={style.link_id};", f"id={link_id};") == f"\x1b]8;id={link_id};{url}\x1b\\{text}\x1b]8;;\x1b\\"
    page = terminal.Page(io.StringIO(), 80, True)
    page.screen = terminal.Screen(80, "standard", False, True)  # a legacy Windows console: never a link (rich writes none there)
    page.text(("Docs: ", "bold"), ("https://example.com/a", escape_codes.Style(link="https://example.com/a")))
    page.write()
    assert page.out.getvalue() == "\x1b[1mDocs: \x1b[0mhttps://example.com/a\n"  # type: ignore[attr-defined]
