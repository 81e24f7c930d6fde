"""Regular expressions made from their stored compiled state, not compiled again on every run.

Both engines compile in Python and match in C: `re` ends in `_sre.compile(pattern, flags, code,
...)`, the `regex` package in `_regex.compile(pattern, flags, code, ...)`. What a run of explain
paid for its handful of expressions was that Python half: the `regex` package's import (its parser
builds tables, enum flags, locale and threading: 63M instructions, a fifth of the run) and the
parsing of each pattern. The arguments each engine's Python layer hands to its C constructor are
plain data (ints, strings, a list of int codes), so they are recorded the first time a pattern is
compiled the normal way, and every later run makes the pattern straight from the C constructor:
`regex._regex` is loaded as `import regex` would find it (the same `sys.meta_path` and `sys.path`,
so nothing from the current directory can change what code runs) without running the `regex`
package; a later `import regex` runs it as usual and reuses that extension module.

The state is data that cannot execute (one line per pattern: the pattern's key, a checksum, and
its arguments as JSON; never pickle), in the user's bbdiag cache, one file per engine whose first line is the
engine's identity: Python's version and `_sre.MAGIC`, or the regex extension's `MAGIC` and the
path, size and mtime of every file of the `regex` package (the extension and the Python layer that
defines its version and generated the codes). Another engine, a file another user could have
written, a line that does not decode to exactly the shapes recorded, any exception: the pattern is
compiled the normal way (and recorded again), silently and with the same result.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from bbdiag import installed

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (16M instructions): see bbdiag.records
if TYPE_CHECKING:
    from typing import Any

    import regex

FORMAT = 2  # bump when what a line holds changes shape
# A file grown past this starts over (at the next pattern recorded): explain's few dozen
# patterns take about 50 KiB, every regex of the library (`bbdiag patterns --check`) 1.3 MiB.
MAX_FILE_BYTES = 256 << 10
IGNORECASE = re.IGNORECASE  # the same bit in both engines (regex.IGNORECASE == re.IGNORECASE == 2)
_capture_lock: Any = None  # made with the first capture (threading is not imported on explain's way)


class _Engine:
    """One engine's stored state: the recorded arguments by pattern, loaded on first use.

    The file is searched, not parsed: each lookup finds its pattern's last line in the file's
    bytes (every line is ASCII), so a run pays for the few patterns it makes, however many other
    runs (a `bbdiag patterns --check`, a scan) have recorded."""

    def __init__(self, name: str, decode: Callable[[str, list[Any]], tuple[Any, ...]], encode: Callable[[tuple[Any, ...]], list[Any] | None]) -> None:
        self.name, self._decode, self._encode = name, decode, encode
        self._data: bytes | None = None  # the file as read (b"" for none); None: not read yet
        self._recorded: dict[str, str] = {}  # lines this process added: key -> checksum and arguments
        self._path: str | None = None
        self._key = ""
        self._current = False  # the file on disk has this engine's key as its first line
        self.made: dict[tuple[str, int], Any] = {}

    def lookup(self, source: str, flags: int, constructor: Callable[..., Any] | None, key: Callable[[], str | None]) -> Any:
        """The pattern made from its stored state, or None (nothing stored, or it did not decode)."""
        if constructor is None:
            return None
        data = self._load(key)
        line_key = _line_key(source, flags)
        stored = self._recorded.get(line_key)
        if stored is None:
            needle = b"\n" + line_key.encode("ascii") + b"\t"
            at = data.rfind(needle)  # a key recorded twice (a line that failed to decode): the last one
            if at == -1:
                return None
            start = at + len(needle)
            end = data.find(b"\n", start)
            stored = data[start : len(data) if end == -1 else end].decode("ascii")
        check, tab, arguments = stored.partition("\t")
        if not tab or check != _check(line_key, arguments):
            return None  # damaged: a bad code given to regex's constructor crashes the process
        args = self._decode(source, json.loads(arguments))
        made = constructor(source, *args)
        if made.pattern != source:
            raise ValueError("made another pattern")
        return made

    def _load(self, key: Callable[[], str | None]) -> bytes:
        if self._data is not None:
            return self._data
        self._data = b""
        engine_key = key()
        if engine_key is None:
            return self._data
        self._key = engine_key
        self._path = _state_path(self.name, engine_key)
        data = _read_trusted(self._path)
        if data is None:
            return self._data
        if data[: data.find(b"\n")] != json.dumps(engine_key).encode("ascii"):
            return self._data  # another engine's state: started over at the next record
        self._current = True
        self._data = data
        return self._data

    def pattern(
        self,
        source: str,
        flags: int,
        constructor: Callable[[], Callable[..., Any] | None],
        key: Callable[[], str | None],
        compile_normally: Callable[[], tuple[Any, tuple[Any, ...] | None]],
    ) -> Any:
        """The pattern for (source, flags): made once per process, from the stored state when there
        is one (`constructor`: the engine's C constructor, or None), else by `compile_normally`
        (the pattern, and the arguments it passed to the constructor) and then recorded."""
        made = self.made.get((source, flags))
        if made is not None:
            return made
        try:
            made = self.lookup(source, flags, constructor(), key)
        except Exception:  # whatever the stored state did, the normal compile answers
            made = None
        if made is None:
            made, args = compile_normally()
            if args is not None:
                try:
                    self._load(key)  # the constructor may have been missing, so the file not read yet
                except Exception:  # not recorded: the next run compiles it again
                    args = None
            if args is not None:
                self.record(source, flags, args)
        self.made[(source, flags)] = made
        return made

    def record(self, source: str, flags: int, args: tuple[Any, ...]) -> None:
        """Add the arguments the engine's Python layer passed to its C constructor to the state."""
        if self._path is None or self._data is None:
            return
        try:
            data = self._encode(args)
        except (TypeError, ValueError, OverflowError):  # a code or value the stored form does not hold: compiled each time
            return
        if data is None:
            return
        line_key = _line_key(source, flags)
        arguments = json.dumps(data, separators=(",", ":"))
        stored = self._recorded[line_key] = _check(line_key, arguments) + "\t" + arguments
        line = f"{line_key}\t{stored}\n"
        try:
            if not self._current or os.path.getsize(self._path) > MAX_FILE_BYTES:
                _replace(self._path, json.dumps(self._key) + "\n" + line)
                self._current = True
            else:
                fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0))
                try:
                    os.write(fd, line.encode("ascii"))
                finally:
                    os.close(fd)
        except OSError:
            self._current = False


def _check(line_key: str, arguments: str) -> str:
    """A checksum of the line: a line damaged on disk (cut short, a byte changed) is not used."""
    import zlib

    text = line_key + "\t" + arguments
    return format(zlib.crc32(text.encode("utf-8", "surrogateescape")), "08x")


def _line_key(source: str, flags: int) -> str:
    return json.dumps(f"{int(flags)}:{source}")  # ASCII, one line, no tab


def _state_path(name: str, engine_key: str) -> str:
    import zlib

    from bbdiag import cache

    # Named after the engine, so that two interpreters (or two regex installations) do not take turns.
    return os.path.join(cache.directory(), f"compiled-{name}-{zlib.crc32(engine_key.encode('utf-8', 'surrogateescape')):08x}.txt")


def _read_trusted(path: str) -> bytes | None:
    """The file's bytes, or None: absent, written by someone else, or grown past MAX_FILE_BYTES
    (lines recorded again and again, or a run that compiled every pattern: it starts over)."""
    from bbdiag import cache

    try:
        with open(path, "rb") as handle:
            if not cache.trusted(handle.fileno(), os.path.dirname(path)) or os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                return None
            return handle.read()
    except OSError:
        return None


def _replace(path: str, text: str) -> None:
    import tempfile

    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".compiled-", delete=False) as handle:
        handle.write(text)
    os.replace(handle.name, path)


def _ints(value: object) -> list[int]:
    if type(value) is not list or not all(type(v) is int for v in value):
        raise ValueError("not a list of ints")
    return value


def _code_text(code: Sequence[int]) -> str:
    """An engine's code (unsigned ints of the C compiler's size) as hex text of its native bytes:
    decoding a JSON list of thousands of ints cost more than the rest of making the patterns."""
    import array

    return array.array("I", code).tobytes().hex()


def _code(text: object) -> list[int]:
    if type(text) is not str:
        raise ValueError("not a code")
    return memoryview(bytes.fromhex(text)).cast("I").tolist()


# Both keys hold what the stored codes' bytes depend on: the byte order and the size of an unsigned int.
_MACHINE = f"{sys.byteorder}:{memoryview(b'').cast('I').itemsize}"


def _int(value: object) -> int:
    if type(value) is not int:
        raise ValueError("not an int")
    return value


def _names(value: object) -> dict[str, int]:
    if type(value) is not dict or not all(type(k) is str and type(v) is int for k, v in value.items()):
        raise ValueError("not a group index")
    return value


# ------------------------------------------------------------------------------ the stdlib's re
def _re_key() -> str | None:
    import _sre  # type: ignore[import-not-found]  # re's C half (no stubs)

    folder = os.path.dirname(getattr(re, "__file__", None) or "")
    if not folder:
        return None
    return (
        f"{FORMAT} re\n{sys.version}\n{sys.implementation.cache_tag}\n{_MACHINE}\n{_sre.MAGIC}:{_sre.CODESIZE}:{_sre.MAXREPEAT}:{_sre.MAXGROUPS}\n"
        + installed.identity(folder)
    )


def _re_encode(args: tuple[Any, ...]) -> list[Any] | None:
    _pattern, flags, code, groups, groupindex, indexgroup = args
    if not isinstance(_pattern, str):
        return None
    return [int(flags), _code_text(code), int(groups), {str(k): int(v) for k, v in groupindex.items()}, list(indexgroup)]


def _re_decode(source: str, data: list[Any]) -> tuple[Any, ...]:
    flags, code, groups, groupindex, indexgroup = data
    if type(indexgroup) is not list or not all(name is None or type(name) is str for name in indexgroup):
        raise ValueError("not an index of groups")
    return (_int(flags), _code(code), _int(groups), _names(groupindex), tuple(indexgroup))


_RE = _Engine("re", _re_decode, _re_encode)


def re_pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(source, flags)`, made from the stored state when there is one."""
    import _sre

    made = _RE.pattern(source, flags, lambda: _sre.compile, _re_key, lambda: _captured(_sre, lambda: re.compile(source, flags), source, re.purge))
    return made  # type: ignore[no-any-return]


# ------------------------------------------------------------------------------ the regex package
def regex_extension() -> ModuleType | None:
    """`regex._regex`, the regex package's C half, loaded without running the package (None: not found)."""
    loaded = sys.modules.get("regex._regex")
    if loaded is not None:
        return loaded
    if "regex" in sys.modules:  # the package ran without it: not the regex bbdiag knows
        return None
    import importlib.machinery  # not importlib.util, which imports contextlib (3 million instructions)

    spec = installed.find_spec("regex")
    if spec is None or not spec.submodule_search_locations:
        return None
    extension = installed.find_spec("regex._regex", spec.submodule_search_locations)
    if extension is None or not isinstance(extension.loader, importlib.machinery.ExtensionFileLoader):
        return None
    # What importlib.util.module_from_spec does for an extension: the loader makes the module
    # (its __file__ set), and the import system's attributes are the spec's.
    module = extension.loader.create_module(extension)
    module.__spec__, module.__loader__, module.__package__ = extension, extension.loader, extension.parent
    sys.modules["regex._regex"] = module
    try:
        extension.loader.exec_module(module)
    except BaseException:
        del sys.modules["regex._regex"]
        raise
    return module


def _regex_key() -> str | None:
    extension = regex_extension()
    package = sys.modules.get("regex")
    if extension is None or (package is not None and getattr(package, "DEFAULT_VERSION", None) != getattr(package, "VERSION0", None)):
        return None  # a process that changed regex's default syntax compiles the normal way
    where = getattr(extension, "__file__", None)
    if not where:
        return None
    folder = os.path.dirname(where)
    names = [name for name in os.listdir(folder) if name.endswith(".py") or name == os.path.basename(where)]
    return f"{FORMAT} regex\n{sys.version}\n{_MACHINE}\n{extension.MAGIC}:{extension.CODE_SIZE}\n" + installed.identity(folder, names)


def _regex_encode(args: tuple[Any, ...]) -> list[Any] | None:
    _pattern, flags, code, group_index, index_group, named_lists, named_list_indexes, req_offset, req_chars, req_flags, group_count = args
    if named_lists or named_list_indexes or not isinstance(_pattern, str):
        return None  # named lists are sets of the caller's values: none of bbdiag's patterns uses them
    return [
        int(flags),
        _code_text(code),
        {str(k): int(v) for k, v in group_index.items()},
        [[int(k), str(v)] for k, v in index_group.items()],
        int(req_offset),
        None if req_chars is None else [int(c) for c in req_chars],
        int(req_flags),
        int(group_count),
    ]


def _regex_decode(source: str, data: list[Any]) -> tuple[Any, ...]:
    flags, code, group_index, index_group, req_offset, req_chars, req_flags, group_count = data
    if type(index_group) is not list or not all(type(p) is list and len(p) == 2 and type(p[0]) is int and type(p[1]) is str for p in index_group):
        raise ValueError("not an index of groups")
    chars = None if req_chars is None else tuple(_ints(req_chars))
    return (_int(flags), _code(code), _names(group_index), {k: v for k, v in index_group}, {}, [], _int(req_offset), chars, _int(req_flags), _int(group_count))


_REGEX = _Engine("regex", _regex_decode, _regex_encode)


def regex_pattern(source: str, flags: int = 0) -> regex.Pattern[str]:
    """`regex.compile(source, flags)`, made from the stored state when there is one (flags: 0 or IGNORECASE)."""

    def constructor() -> Callable[..., Any] | None:
        extension = regex_extension()
        return None if extension is None else extension.compile

    def compile_normally() -> tuple[Any, tuple[Any, ...] | None]:
        import regex

        extension = sys.modules["regex._regex"]
        if getattr(regex, "_regex", None) is not extension:  # what its import binds, had it loaded the extension itself
            regex._regex = extension
        return _captured(extension, lambda: regex.compile(source, flags), source, regex.purge)

    made = _REGEX.pattern(source, flags, constructor, _regex_key, compile_normally)
    return made  # type: ignore[no-any-return]


def _captured(extension: Any, compile_normally: Callable[[], Any], source: str, purge: Callable[[], None]) -> tuple[Any, tuple[Any, ...] | None]:
    """`compile_normally()`, and the arguments it passed to `extension.compile` for `source` (None:
    it did not call it once). When the engine's own cache answered, that cache is emptied (`purge`,
    the engine's public way) and the pattern compiled once more, so that it is recorded."""
    seen: list[tuple[Any, ...]] = []
    constructor = extension.compile

    def recording(*args: Any, **kwargs: Any) -> Any:
        if args and args[0] == source and not kwargs:
            seen.append(args)
        return constructor(*args, **kwargs)

    global _capture_lock
    if _capture_lock is None:
        import threading

        _capture_lock = threading.Lock()
    with _capture_lock:
        extension.compile = recording
        try:
            made = compile_normally()
            if not seen:
                purge()
                made = compile_normally()
        finally:
            extension.compile = constructor
    return made, seen[-1] if len(seen) == 1 else None
