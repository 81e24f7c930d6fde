"""A per-user cache of parsed data files, keyed by the files' names, sizes and mtimes.

Parsing ~120 TOML pattern files costs more than the rest of `bbdiag explain` together; the
parsed result, stored as JSON, loads in a few milliseconds. The key is stored with the value and
compared on every load, so a stale entry is never used and nothing ever needs clearing. When the
cache directory cannot be written, bbdiag simply parses (once per process: what a process has
loaded, it keeps).

The cache is data that cannot execute: JSON, decoded into the few record types its caller names
(never pickle, whose loading runs whatever the file says: a file planted in ~/.cache/bbdiag would
run as the user). A file that another user could have written is not read at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable, Mapping

from bbdiag import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")
FORMAT = 7  # bump when the stored records change shape
# What this process has loaded already: (key, value) by (name, source_dir, extra). A scan of
# thousands of logs asks for the library once per log; decoding it (and rebuilding its keyword
# automaton) each time cost more than the scanning.
_LOADED: dict[tuple[str, str, str], tuple[str, object]] = {}
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def directory() -> str:
    explicit = os.environ.get("BBDIAG_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bbdiag")


def memoised(
    name: str,
    source_dir: str,
    suffixes: tuple[str, ...],
    build: Callable[[], T],
    extra: str = "",
    *,
    records: Iterable[type] = (),
    to_data: Callable[[T], object] = lambda value: value,
    from_data: Callable[[Any], T] = lambda data: data,
) -> T:
    """`build()`, or its result from the cache when no file in `source_dir` (nor `extra`) has changed since.

    The value is stored as `to_data(value)`: JSON types, dates, bytes, and the NamedTuple
    `records` named here, the only classes that loading it can make (a sequence in a record comes
    back a tuple, elsewhere a list).
    """
    if os.environ.get("BBDIAG_NO_CACHE"):
        return build()
    own = (name, source_dir, extra)
    loaded = _LOADED.get(own)
    if loaded is not None and os.path.abspath(source_dir).startswith(PACKAGE_DIR + os.sep):
        # bbdiag's own data files do not change under a running process (an upgrade reaches the
        # next one): once loaded, they are not fingerprinted again.
        return loaded[1]  # type: ignore[return-value]
    try:
        key = fingerprint(source_dir, suffixes) + "\n" + extra
    except OSError:
        return build()
    if loaded is not None and loaded[0] == key:
        return loaded[1]  # type: ignore[return-value]
    # Named after the installation, so that two installations do not take turns.
    value = keyed(name, source_dir, key, build, records=records, to_data=to_data, from_data=from_data)
    _LOADED[own] = (key, value)
    return value


def keyed(
    name: str,
    where: str,
    key: str,
    build: Callable[[], T],
    *,
    records: Iterable[type] = (),
    to_data: Callable[[T], object] = lambda value: value,
    from_data: Callable[[Any], T] = lambda data: data,
) -> T:
    """`build()`, or its result stored for `where` (a path the entry is named after) when it was
    built under this very `key` (which must hold everything the result depends on)."""
    if os.environ.get("BBDIAG_NO_CACHE"):
        return build()
    import zlib  # cheap

    path = os.path.join(directory(), f"{name}-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}.json")
    kinds = {kind.__name__: kind for kind in records}
    value = _load(path, key, kinds, from_data)
    if value is _MISSING:
        value = build()
        _store(path, key, to_data(value))
    return value  # type: ignore[return-value]


_MISSING = object()


class Later:
    """A part of a stored value kept as JSON text after the cache file's document, and decoded
    only when `value()` is asked for: the library keeps each pattern so, and a run parses and
    decodes only the patterns its lines need (explain's few lines: a handful of hundreds)."""

    __slots__ = ("_load", "_value")

    def __init__(self, value: object, load: Callable[[], object] | None = None) -> None:
        self._value, self._load = value, load

    def value(self) -> Any:
        if self._load is not None:
            self._value, self._load = self._load(), None
        return self._value


def _load(path: str, key: str, kinds: Mapping[str, type], from_data: Callable[[Any], T]) -> T | object:
    """The stored value, or _MISSING when there is none, it is stale, or it is not to be trusted."""
    try:
        with open(path, "rb") as handle:
            if not trusted(handle.fileno(), os.path.dirname(path)):
                return _MISSING
            text = handle.read().decode("utf-8")
        tail: list[str] = []  # the text after the document, once it is known
        document, end = json.JSONDecoder(object_hook=lambda obj: _decode(obj, kinds, tail)).raw_decode(text)
        if not isinstance(document, dict) or document.get("key") != key or len(text) - end != document.get("tail", 0):
            return _MISSING
        tail.append(text[end:])
        return from_data(document["value"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # absent, not JSON, another shape
        return _MISSING


def trusted(fd: int, folder: str) -> bool:
    """Written by this user alone: owned by them, and neither it nor its folder writable by others."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: no owners to compare; the folder is the user's profile
        return True
    mine = getuid()
    info, parent = os.fstat(fd), os.stat(folder)
    return info.st_uid == mine and parent.st_uid == mine and not (info.st_mode | parent.st_mode) & 0o022


def _encode(value: object, tail: list[str] | None) -> object:
    """`value` as JSON data; each `Later` in it goes to `tail` as JSON text, and stands as where it is there."""
    if isinstance(value, Later):
        if tail is None:
            raise TypeError("a Later inside a Later is not stored")
        text = json.dumps(_encode(value.value(), None), ensure_ascii=False, separators=(",", ":"))
        start = sum(map(len, tail))
        tail.append(text)
        return {"$later": [start, start + len(text)]}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return {"$record": type(value).__name__, "fields": [_encode(v, tail) for v in value]}
    if isinstance(value, tuple | list):  # a list in a record's fields comes back a tuple (records hold tuples)
        return [_encode(v, tail) for v in value]
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) and not k.startswith("$") for k in value):
            raise TypeError("only text keys are stored")
        return {k: _encode(v, tail) for k, v in value.items()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        import base64  # here: explain's records hold no bytes

        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"{type(value).__name__} is not stored in the cache")


def _decode(obj: dict[str, Any], kinds: Mapping[str, type], tail: list[str]) -> object:
    if "$later" in obj:  # decoded from the text after the document (`tail[0]` by then) when it is asked for
        start, end = obj["$later"]
        return Later(None, lambda: json.loads(tail[0][start:end], object_hook=lambda inner: _decode(inner, kinds, tail)))
    if "$record" in obj:  # KeyError: a class the caller did not name
        return kinds[obj["$record"]](*(tuple(v) if isinstance(v, list) else v for v in obj["fields"]))
    if "$date" in obj:
        return dt.date.fromisoformat(obj["$date"])
    if "$bytes" in obj:
        import base64

        return base64.b64decode(obj["$bytes"])
    return obj


def fingerprint(source_dir: str, suffixes: tuple[str, ...]) -> str:
    entries = sorted(f"{entry.name}:{entry.stat().st_size}:{entry.stat().st_mtime_ns}" for entry in os.scandir(source_dir) if entry.name.endswith(suffixes))
    return f"{FORMAT}:{__version__}:{source_dir}\n" + "\n".join(entries)


def _store(path: str, key: str, data: object) -> None:
    import tempfile

    try:
        tail: list[str] = []
        value = _encode(data, tail)
        after = "".join(tail)
        text = json.dumps({"key": key, "tail": len(after), "value": value}, ensure_ascii=False, separators=(",", ":")) + after
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=os.path.dirname(path), prefix=".cache-", delete=False) as handle:
            handle.write(text)
        os.replace(handle.name, path)
    except (OSError, TypeError, ValueError):
        pass
