"""Patterns made from their stored compiled state (bbdiag.compiled_state) are the patterns the
engines compile: the same pattern, flags and groups, the same matches on every transcript the
tests hold; and whatever is wrong with the state (another engine, a damaged line, no extension, a
file others could write), the pattern is compiled the normal way with the same result."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import regex

import bbdiag
from bbdiag import compiled_state, library
from bbdiag.lazyre import LazyRegex
from tests.conftest import FIXTURES

TRANSCRIPT = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'\n"


def _lines() -> list[str]:
    """Every line of every transcript: the shared corpus, the extra cases, the wild collections."""
    found: list[str] = []
    for path in sorted(FIXTURES.glob("**/cases/*.txt")):
        found += path.read_text(encoding="utf-8", errors="replace").splitlines()
    return found


LINES = _lines()


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of its own, and both engines' state forgotten by this process before and after."""
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path))
    _forget()
    yield tmp_path
    _forget()


def _forget() -> None:
    for engine in (compiled_state._RE, compiled_state._REGEX):
        engine.made.clear()
        engine._data, engine._path, engine._current = None, None, False
        engine._recorded.clear()


def _from_state_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on a normal compile fails the test: what is made, the stored state made."""

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"compiled the normal way: {args[0]!r}")

    monkeypatch.setattr(regex, "compile", refused)
    monkeypatch.setattr(re, "compile", refused)


def _outcome(match: Any) -> object:
    return None if match is None else (match.span(), match.groups(), match.groupdict())


def _same(made: Any, normal: Any, lines: list[str]) -> None:
    assert (made.pattern, made.flags, made.groupindex, made.groups) == (normal.pattern, normal.flags, normal.groupindex, normal.groups)
    for line in lines:
        assert _outcome(made.search(line)) == _outcome(normal.search(line)), (made.pattern, line)


def _library_regexes() -> list[tuple[str, int, list[str]]]:
    """Every regex of every pattern (retired ones too), with its flags and the lines to try it on:
    its examples and counter-examples, and every transcript line that holds one of its keywords."""
    loaded = library.load()
    found = []
    lowered = [(line, line.lower()) for line in LINES]
    for pattern in loaded.every:
        flags = compiled_state.IGNORECASE if pattern.ignore_case else 0
        tried = [*pattern.examples, *pattern.counter_examples]
        tried += [line for line, low in lowered if any(k in low for k in pattern.keywords)][:200]
        found += [(source, flags, tried) for source in pattern.regexes]
    return found


def test_every_library_regex_made_from_its_state_is_the_compiled_one(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert int(regex.IGNORECASE) == int(re.IGNORECASE) == compiled_state.IGNORECASE
    monkeypatch.setattr(compiled_state, "MAX_FILE_BYTES", 64 << 20)  # every regex of the library: more than a run keeps
    regexes = _library_regexes()
    normal = [regex.compile(source, flags) for source, flags, _ in regexes]
    for source, flags, _ in regexes:
        compiled_state.regex_pattern(source, flags)  # records the state
    assert list(state_dir.glob("compiled-regex-*.txt"))
    _forget()
    _from_state_only(monkeypatch)
    for (source, flags, tried), compiled in zip(regexes, normal, strict=True):
        made = compiled_state.regex_pattern(source, flags)
        _same(made, compiled, tried)
        assert made.search("x" * 1000, timeout=0.5) is compiled.search("x" * 1000)  # the timeout argument is the C matcher's


def _lazy_expressions() -> list[LazyRegex]:
    """Every LazyRegex bbdiag's modules hold (bbdiag.redact's token shapes one by one too)."""
    found: dict[int, LazyRegex] = {}
    for module_info in pkgutil.walk_packages(bbdiag.__path__, "bbdiag."):
        if module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            for item in value if isinstance(value, tuple) else (value,):
                if isinstance(item, LazyRegex):
                    found[id(item)] = item
    return list(found.values())


def test_every_lazy_expression_made_from_its_state_is_the_compiled_one(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expressions = _lazy_expressions()
    assert len(expressions) > 30 and any("ATBB" in e.pattern for e in expressions)
    normal = [re.compile(e.pattern, e.flags) for e in expressions]  # in re's own cache: recording empties it
    for expression in expressions:
        compiled_state.re_pattern(expression.pattern, expression.flags)
    _forget()
    _from_state_only(monkeypatch)
    lines = [*LINES[::7], "https://user:ATBB" + "a" * 30 + "@bitbucket.org/a/b.git", "Authorization: Bearer abc", "password=hunter2"]
    for expression, compiled in zip(expressions, normal, strict=True):
        _same(compiled_state.re_pattern(expression.pattern, expression.flags), compiled, lines)


def _record(source: str) -> regex.Pattern[str]:
    compiled_state.regex_pattern(source)
    _forget()
    return regex.compile(source)


SOURCE = r"Authentication failed for '(?P<url>[^\n]*?)'"
LINE = "fatal: Authentication failed for 'https://bitbucket.org/acme/widgets.git/'"


def test_another_engine_is_compiled_the_normal_way_and_starts_the_state_over(state_dir: Path) -> None:
    _record(SOURCE)
    (path,) = state_dir.glob("compiled-regex-*.txt")
    header, _, body = path.read_text(encoding="utf-8").partition("\n")
    other = json.dumps(json.loads(header).replace("regex", "regex 0.0", 1))
    path.write_text(other + "\n" + body, encoding="utf-8")  # the same lines, recorded by another regex
    made = compiled_state.regex_pattern(SOURCE)
    _same(made, regex.compile(SOURCE), [LINE])
    assert path.read_text(encoding="utf-8").partition("\n")[0] == header  # recorded again, under this engine


DAMAGES = [
    ("[1,2", True),  # cut short, and its checksum made to fit
    ('["a"]', True),  # another shape
    ('[8224,"x",{},[],0,null,0,0,0]', True),
    ("", True),
    ('[8224,"ffffff3b",{},[],0,null,0,1]', False),  # a code regex's constructor would crash on: the checksum catches it
    ('[8224,"010000000200000003000000",{},[],0,null,0,1]', False),
]


@pytest.mark.parametrize(("damage", "fitted"), DAMAGES)
def test_a_damaged_line_is_compiled_the_normal_way(state_dir: Path, damage: str, fitted: bool) -> None:
    _record(SOURCE)
    (path,) = state_dir.glob("compiled-regex-*.txt")
    header, _, body = path.read_text(encoding="utf-8").partition("\n")
    key, _, rest = body.partition("\t")
    check = compiled_state._check(key, damage) if fitted else rest.partition("\t")[0]
    path.write_text(f"{header}\n{key}\t{check}\t{damage}\n", encoding="utf-8")
    made = compiled_state.regex_pattern(SOURCE)
    assert made.groupindex == {"url": 1} and made.search(LINE)["url"] == "https://bitbucket.org/acme/widgets.git/"  # type: ignore[index]
    _forget()
    again = compiled_state.regex_pattern(SOURCE)  # the line recorded again after it is the one used
    _same(again, regex.compile(SOURCE), [LINE])
    assert path.read_text(encoding="utf-8").count("\n") == 3


def test_a_file_grown_too_large_is_not_read_and_starts_over(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _record(SOURCE)
    (path,) = state_dir.glob("compiled-regex-*.txt")
    monkeypatch.setattr(compiled_state, "MAX_FILE_BYTES", path.stat().st_size - 1)
    other = r"Authentication failed for '(?P<url>[^\n]*?)'\.?"
    _same(compiled_state.regex_pattern(other), regex.compile(other), [LINE])  # the file not read: this one recorded anew
    _same(compiled_state.regex_pattern(SOURCE), regex.compile(SOURCE), [LINE])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.dumps(f"0:{SOURCE}") == lines[1].partition("\t")[0]  # started over (at each record, past the limit)


def test_no_extension_found_is_compiled_the_normal_way(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _record(SOURCE)
    monkeypatch.setattr(compiled_state, "regex_extension", lambda: None)
    _same(compiled_state.regex_pattern(SOURCE), regex.compile(SOURCE), [LINE])


def test_a_state_file_others_could_write_is_not_read(state_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, "getuid"):
        pytest.skip("no file owners on this system")
    _record(SOURCE)
    (path,) = state_dir.glob("compiled-regex-*.txt")
    path.chmod(0o666)
    compiled: list[str] = []
    real = regex.compile

    def counting(source: str, *args: Any, **kwargs: Any) -> regex.Pattern[str]:
        compiled.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(regex, "compile", counting)
    _same(compiled_state.regex_pattern(SOURCE), regex.compile(SOURCE), [LINE])
    assert SOURCE in compiled


def test_a_pattern_that_does_not_compile_still_names_its_file(state_dir: Path) -> None:
    with pytest.raises(library.LibraryError, match=r"broken\.toml: field 'regex': does not compile"):
        library._compile("(unclosed", False, "broken.toml")


# Explains in-process, then reports what it loaded, and whether `import regex` afterwards works on the same extension.
PROGRAM = """
import json, sys
from bbdiag import cli
sys.stdout = open(sys.argv[1], "w")
code = cli.main(["explain", "--format", "text", sys.argv[2]])
sys.stdout.close()
modules = sorted(sys.modules)
extension = sys.modules.get("regex._regex")
import regex
import regex._regex as bound
same = extension is not None and regex._main._regex is extension and regex._regex_core._regex is extension and bound is extension
works = regex.compile("a(?P<b>b+)").search("xabb")["b"] == "bb"
sys.__stdout__.write(json.dumps({"code": code, "modules": modules, "same": same, "works": works}))
"""


def _explain(where: Path, transcript: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(where / "report.txt"), str(transcript)], cwd=where, capture_output=True, text=True, check=True, timeout=120
    )
    result: dict[str, Any] = json.loads(done.stdout)
    result["report"] = (where / "report.txt").read_text(encoding="utf-8")
    return result


def test_explain_matches_from_the_stored_state_without_the_regex_package(tmp_path: Path) -> None:
    transcript = tmp_path / "push.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    first = _explain(tmp_path, transcript)  # compiles the normal way, and records
    assert "regex._regex_core" in first["modules"]
    second = _explain(tmp_path, transcript)
    assert second["code"] == first["code"] == 0 and second["report"] == first["report"] and "credentials-rejected" in second["report"]
    assert "regex._regex" in second["modules"] and not {"regex._regex_core", "regex._main", "regex"} & set(second["modules"])
    assert second["same"] and second["works"]  # a later import regex runs the package on the extension already loaded
