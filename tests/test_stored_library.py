"""The library as bbdiag.cache stores it: ids and keywords as text, a keyword's positions parsed
only when a line holds that keyword, each pattern decoded only when asked for; loaded, it is the
parsed library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bbdiag import cache, library


def _stored_and_loaded() -> tuple[library.Library, dict[str, object]]:
    parsed = library._parse(library.PATTERNS_DIR)
    tail: list[bytes] = []
    data = json.loads(json.dumps(cache._encode(library._stored(parsed), tail)))  # as written: JSON
    whole = [b"".join(tail)]
    decoded = json.loads(json.dumps(data), object_hook=lambda obj: cache._decode(obj, {"Pattern": library.Pattern}, whole))
    return parsed, decoded


def test_the_stored_library_loads_back_as_the_parsed_one() -> None:
    parsed, data = _stored_and_loaded()
    loaded = library._from_stored(data)
    assert loaded.keywords == parsed.keywords and loaded._ids == parsed._ids and loaded._active == parsed._active
    assert [loaded._indexes(k) for k in range(len(loaded.keywords))] == [parsed._indexes(k) for k in range(len(parsed.keywords))]
    assert loaded.every == parsed.every


def test_a_keywords_positions_are_parsed_only_when_a_line_holds_it() -> None:
    parsed, data = _stored_and_loaded()
    positions = str(data["positions"]).split(" ")
    damaged = parsed.keywords.index("invalid credentials")
    positions[damaged] = positions[damaged] + ",,1"  # digits still: the load cannot tell
    loaded = library._from_stored({**data, "positions": " ".join(positions)})
    assert loaded.candidates("fatal: authentication failed for 'https://bitbucket.org/a/b.git/'")  # other keywords: parsed, fine
    with pytest.raises(library.LibraryError, match="a cached keyword is not one"):
        loaded.candidates("remote: invalid credentials")


@pytest.mark.parametrize("damage", [{"positions": "1,x"}, {"positions": "1"}, {"ids": "one"}, {"records": []}])
def test_a_stored_library_of_another_shape_is_a_miss(damage: dict[str, object]) -> None:
    _, data = _stored_and_loaded()
    with pytest.raises(ValueError, match="not a stored library"):
        library._from_stored({**data, **damage})


def test_a_keyword_with_a_line_break_is_not_stored_and_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BBDIAG_CACHE_DIR", str(tmp_path / "cache"))
    parsed = library._parse(library.PATTERNS_DIR)
    odd = library.Library(parsed._ids, parsed._active, ("two\nlines",), ((0,),).__getitem__, parsed.every.__getitem__)
    with pytest.raises(TypeError):
        library._stored(odd)
    assert cache.keyed("odd", str(tmp_path), "key", lambda: odd, to_data=library._stored).keywords == ("two\nlines",)
    assert not list((tmp_path / "cache").glob("odd-*"))  # nothing written
