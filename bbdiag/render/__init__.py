"""The last stage: diagnoses and remedies as people and tools read them.

`view.build` turns them into plain records in which every string is already redacted; the
renderers only lay those records out, so no renderer can print a secret by forgetting to.
"""

# No `from __future__ import annotations` here: it would shadow the `annotations` renderer module.

import os
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO


def auto_format(fmt: str, out: "TextIO") -> str:
    """`auto`: colour on a terminal, plain text when piped or when NO_COLOR is set."""
    if fmt != "auto":
        return fmt
    return "terminal" if out.isatty() and not os.environ.get("NO_COLOR") else "text"


def renderer(fmt: str, out: "TextIO", name: str) -> Callable[..., None]:
    """The function `name` (render, render_findings, render_scan) of the renderer `fmt` picks for `out`."""
    import functools

    fmt = auto_format(fmt, out)
    if fmt == "terminal":
        from bbdiag.render import terminal

        return functools.partial(getattr(terminal, name), color=not os.environ.get("NO_COLOR"))
    # Only the renderer in use is loaded (start-up time); __import__ rather than importlib, whose import is 1.7M instructions.
    module = __import__("bbdiag.render.json" if fmt == "json" else "bbdiag.render.plain", fromlist=[name])
    function: Callable[..., None] = getattr(module, name)
    return function
