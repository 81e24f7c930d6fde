"""Installed code found as `import` would find it, without running it, and what identifies its files.

State that an installed package computes and bbdiag stores (the engines' compiled expressions:
bbdiag.compiled_state; rich's escape codes: bbdiag.render.escape_codes) is keyed by that
package's own files, so that an upgraded, rebuilt or edited package is never answered from
another's state; and the package is found by the import system's own finders, in their order, so
that nothing from the current directory can change which package that is.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see bbdiag.records
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec


def find_spec(name: str, path: Sequence[str] | None = None) -> ModuleSpec | None:
    """What `import name` would find (`path`: a package's folders, for one of its modules), without loading it."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is not None:
            spec: ModuleSpec | None = find(name, path, None)
            if spec is not None:
                return spec
    return None


def identity(folder: str, names: Sequence[str] | None = None) -> str:
    """Path, size and mtime of each file in `folder` (`names`, or every one): what a rebuilt,
    upgraded or edited package changes."""
    entries = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_file() and (names is None or entry.name in names):
            info = entry.stat()
            entries.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(entries)
