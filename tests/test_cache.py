"""The per-user cache is data that cannot execute (issue 14): JSON decoded into named records only,
and never read when someone else could have written it."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from bbdiag import cache, knowledge, library

FAILURE = "remote: Invalid credentials\nfatal: Authentication failed for 'https://bitbucket.org/ws/r.git/'\n"


def _explain(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bbdiag", "explain", "--no-repo"], input=FAILURE, capture_output=True, text=True, env={**os.environ, **env}, timeout=60
    )


def test_what_is_stored_loads_back_equal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path))
    parsed_library = library._parse(library.PATTERNS_DIR)
    parsed_knowledge = knowledge._parse(knowledge.HERE)
    assert _explain({"BBDIAG_CACHE_DIR": str(tmp_path)}).returncode == 0  # writes the cache
    files = sorted(p.name for p in tmp_path.iterdir())
    assert any(name.startswith("library-") and name.endswith(".json") for name in files), files
    cache._LOADED.clear()
    try:
        loaded = library.load()
        assert loaded.patterns == parsed_library.patterns and loaded.keywords == parsed_library.keywords
        assert knowledge.load() == parsed_knowledge
    finally:
        cache._LOADED.clear()


def _cache_files(folder: Path) -> list[Path]:
    assert _explain({"BBDIAG_CACHE_DIR": str(folder)}).returncode == 0
    return sorted(folder.glob("*.json"))


def test_a_planted_pickle_never_runs(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    for path in _cache_files(folder):  # the same names with a pickle's suffix, and the JSON names holding a pickle
        path.with_suffix(".pickle").write_bytes(pickle.dumps(("key", Payload())))
        path.write_bytes(pickle.dumps(("key", Payload())))
    done = _explain({"BBDIAG_CACHE_DIR": str(folder)})
    assert done.returncode == 0 and not marker.exists(), done.stderr


def test_a_stored_record_of_a_class_not_named_is_not_made(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    for path in _cache_files(folder):
        document, _ = json.JSONDecoder().raw_decode(path.read_text())  # the document; the parts stored after it dropped
        document["value"], document["tail"] = {"$record": "Popen", "fields": [["touch", str(tmp_path / "ran")]]}, 0
        path.write_text(json.dumps(document))
    done = _explain({"BBDIAG_CACHE_DIR": str(folder)})
    assert done.returncode == 0 and not (tmp_path / "ran").exists(), done.stderr


def test_a_record_whose_fields_changed_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record's fields are part of the key: an entry stored with other fields under the same
    class name (an older bbdiag of the same version) is never decoded into the new record."""
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "cache"))

    class Shape(NamedTuple):
        name: str
        size: int

    class Changed(NamedTuple):
        size: int
        name: str

    Changed.__name__ = "Shape"
    built: list[str] = []

    def build(kind: type) -> Callable[[], object]:
        def make() -> object:
            built.append(kind.__qualname__)
            return kind(*(("a", 1) if kind is Shape else (1, "a")))

        return make

    assert cache.keyed("shapes", str(tmp_path), "key", build(Shape), records=(Shape,)) == Shape("a", 1)
    assert cache.keyed("shapes", str(tmp_path), "key", build(Shape), records=(Shape,)) == Shape("a", 1)
    assert built == ["test_a_record_whose_fields_changed_is_built_again.<locals>.Shape"]  # the second from the cache
    assert cache.keyed("shapes", str(tmp_path), "key", build(Changed), records=(Changed,)) == Changed(1, "a")
    assert len(built) == 2  # not Changed("a", 1) decoded from Shape's entry


def test_a_cache_others_can_write_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(folder))
    calls: list[int] = []

    def build() -> tuple[str, ...]:
        calls.append(1)
        return ("value",)

    source = tmp_path / "data"
    source.mkdir()
    (source / "a.toml").write_text("")
    for expected_calls, mode in ((1, 0o700), (1, 0o700), (2, 0o777)):
        cache._LOADED.clear()
        folder.chmod(mode)
        assert list(cache.memoised("test", str(source), (".toml",), build)) == ["value"]
        assert len(calls) == expected_calls, mode
    cache._LOADED.clear()
