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
from collections.abc import Callable, Iterable, Mapping, Sequence

from bbdiag import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")
FORMAT = 8  # bump when how values are stored changes (a record's fields are in the key by themselves)
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
    path = _path(name, where)
    kinds = {kind.__name__: kind for kind in records}
    # Each record's fields belong to the key: a record given a field, or fields in another order,
    # never loads what an older bbdiag stored under the same version (no number to bump by hand).
    key += "\nrecords: " + " ".join(f"{name}({','.join(getattr(kind, '_fields', ()))})" for name, kind in sorted(kinds.items()))
    value = _load(path, key, kinds, from_data)
    if value is _MISSING:
        value = build()
        try:
            data = to_data(value)
        except (TypeError, ValueError):  # a value the stored form does not hold: built again next time
            return value
        _store(path, key, data)
    return value  # type: ignore[return-value]


def stored(name: str, where: str, key: str) -> object:
    """What `store` last stored for `where` under this very `key`, as JSON data; None when there is
    none (absent, stale, written by another user, damaged). For a value that a run adds to."""
    if os.environ.get("BBDIAG_NO_CACHE"):
        return None
    value = _load(_path(name, where), key, {}, lambda data: data)
    return None if value is _MISSING else value


def store(name: str, where: str, key: str, data: object) -> None:
    """Store JSON data for `where` under `key` (what `stored` answers), or nothing when it cannot be written."""
    if not os.environ.get("BBDIAG_NO_CACHE"):
        _store(_path(name, where), key, data)


def _path(name: str, where: str) -> str:
    import zlib  # cheap

    return os.path.join(directory(), f"{name}-{zlib.crc32(where.encode('utf-8', 'surrogateescape')):08x}.json")


_MISSING = object()


class Parts:
    """A list kept as JSON texts one after another after the cache file's document, each decoded
    only when it is asked for (`parts[i]`): the library keeps its patterns so, and a run parses
    and decodes only the patterns its lines need (explain's few lines: a handful of hundreds).
    What follows the document is not even decoded from UTF-8 until a part of it is asked for, and
    the document holds only where each part ends."""

    __slots__ = ("_decode", "_values")

    def __init__(self, values: Sequence[object], decode: Callable[[int], object] | None = None) -> None:
        self._values, self._decode = list(values), decode

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: int) -> Any:
        value = self._values[index]
        if value is _UNDECODED and self._decode is not None:
            value = self._values[index] = self._decode(index)
        return value


_UNDECODED = object()


def _load(path: str, key: str, kinds: Mapping[str, type], from_data: Callable[[Any], T]) -> T | object:
    """The stored value, or _MISSING when there is none, it is stale, or it is not to be trusted."""
    try:
        with open(path, "rb") as handle:
            if not trusted(handle.fileno(), os.path.dirname(path)):
                return _MISSING
            data = handle.read()
        # The document is the first line (JSON text holds no raw line break); the parts after it
        # are decoded one by one, when they are asked for (`Later`).
        end = data.find(b"\n")
        end = len(data) if end == -1 else end
        tail: list[bytes] = [data[end + 1 :]]
        document = json.JSONDecoder(object_hook=lambda obj: _decode(obj, kinds, tail)).decode(data[:end].decode("utf-8"))
        if not isinstance(document, dict) or document.get("key") != key or len(tail[0]) != document.get("tail", 0):
            return _MISSING
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


def _encode(value: object, tail: list[bytes] | None) -> object:
    """`value` as JSON data; each item of `Parts` in it goes to `tail` as JSON text (UTF-8), and
    the parts stand as where each begins there, and where the last ends."""
    if isinstance(value, Parts):
        if tail is None:
            raise TypeError("Parts inside Parts are not stored")
        bounds = [sum(map(len, tail))]
        for index in range(len(value)):
            tail.append(json.dumps(_encode(value[index], None), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            bounds.append(bounds[-1] + len(tail[-1]))
        return {"$parts": bounds}
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


def _decode(obj: dict[str, Any], kinds: Mapping[str, type], tail: list[bytes]) -> object:
    if "$parts" in obj:  # each decoded from the bytes after the document (`tail[0]`) when it is asked for
        bounds: list[int] = obj["$parts"]

        def part(index: int) -> object:
            return json.loads(tail[0][bounds[index] : bounds[index + 1]], object_hook=lambda inner: _decode(inner, kinds, tail))

        return Parts([_UNDECODED] * (len(bounds) - 1), part)
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
        tail: list[bytes] = []
        value = _encode(data, tail)
        after = b"".join(tail)
        document = json.dumps({"key": key, "tail": len(after), "value": value}, ensure_ascii=False, separators=(",", ":"))
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=os.path.dirname(path), prefix=".cache-", delete=False) as handle:
            handle.write(document.encode("utf-8") + b"\n" + after)
        os.replace(handle.name, path)
    except (OSError, TypeError, ValueError):
        pass
