"""A per-user cache of parsed data files, keyed by the files' names, sizes and mtimes.

Parsing ~120 TOML pattern files costs more than the rest of `bbdiag explain` together; a pickle
of the result loads in a millisecond. The key is stored with the value and compared on every
load, so a stale entry is never used and nothing ever needs clearing. When the cache directory
cannot be written, bbdiag simply parses (once per process: what a process has loaded, it keeps).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TypeVar

from bbdiag import __version__

T = TypeVar("T")
FORMAT = 4  # bump when the pickled classes change shape
# What this process has loaded already: (key, value) by (name, source_dir, extra). A scan of
# thousands of logs asks for the library once per log; unpickling it (and rebuilding its keyword
# automaton) each time cost more than the scanning.
_LOADED: dict[tuple[str, str, str], tuple[str, object]] = {}
PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def directory() -> str:
    explicit = os.environ.get("BBDIAG_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "bbdiag")


def memoised(name: str, source_dir: str, suffixes: tuple[str, ...], build: Callable[[], T], extra: str = "") -> T:
    """`build()`, or its result from the cache when no file in `source_dir` (nor `extra`) has changed since."""
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
    import zlib  # cheap; names the entry after the installation, so two installations do not take turns

    path = os.path.join(directory(), f"{name}-{zlib.crc32(source_dir.encode('utf-8', 'surrogateescape')):08x}.pickle")
    value = _load_or_build(path, key, build)
    _LOADED[own] = (key, value)
    return value


def _load_or_build(path: str, key: str, build: Callable[[], T]) -> T:
    try:
        with open(path, "rb") as handle:
            stored_key, value = pickle.load(handle)
        if stored_key == key:
            return value  # type: ignore[no-any-return]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        pass
    value = build()
    _store(path, (key, value))
    return value


def fingerprint(source_dir: str, suffixes: tuple[str, ...]) -> str:
    entries = sorted(f"{entry.name}:{entry.stat().st_size}:{entry.stat().st_mtime_ns}" for entry in os.scandir(source_dir) if entry.name.endswith(suffixes))
    return f"{FORMAT}:{__version__}:{source_dir}\n" + "\n".join(entries)


def _store(path: str, value: object) -> None:
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=os.path.dirname(path), prefix=".cache-", delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except (OSError, pickle.PicklingError):
        pass
