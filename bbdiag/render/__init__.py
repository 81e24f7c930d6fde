"""The last stage: diagnoses and remedies as people and tools read them.

`view.build` turns them into plain records in which every string is already redacted; the
renderers only lay those records out, so no renderer can print a secret by forgetting to.
"""

# No `from __future__ import annotations` here: it would shadow the `annotations` renderer module.

import os
from collections.abc import Callable
from typing import TextIO


def auto_format(fmt: str, out: TextIO) -> str:
    """`auto`: colour on a terminal, plain text when piped or when NO_COLOR is set."""
    if fmt != "auto":
        return fmt
    return "terminal" if out.isatty() and not os.environ.get("NO_COLOR") else "text"


def renderer(fmt: str, out: TextIO, name: str) -> Callable[..., None]:
    """The function `name` (render, render_findings, render_scan) of the renderer `fmt` picks for `out`."""
    import functools
    import importlib  # only the renderer in use is loaded: start-up time

    fmt = auto_format(fmt, out)
    if fmt == "terminal":
        from bbdiag.render import terminal

        return functools.partial(getattr(terminal, name), color=not os.environ.get("NO_COLOR"))
    module = importlib.import_module("bbdiag.render.json" if fmt == "json" else "bbdiag.render.plain")
    function: Callable[..., None] = getattr(module, name)
    return function
