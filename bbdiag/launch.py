"""How git starts bbdiag: the command lines the hook, the credential observer and `shell-init` write.

Everything in git's path starts this very interpreter by absolute path with `-I` (isolated
mode): the current directory is not put on `sys.path`, and `PYTHONPATH`, `PYTHONSTARTUP`,
`PYTHONHOME` and the user's site directory are ignored, so a cloned repository's own `bbdiag/`
package, `sitecustomize.py` or `.pth` file can never run through bbdiag. Each entry point first
checks, with `[ -e … ]` tests that cost no process, that the interpreter and the installed
package are still there; when they are not (the package uninstalled, its virtualenv deleted),
it gets out of git's way and git runs exactly as without bbdiag.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path


def python() -> str:
    """This interpreter, by absolute path (a virtualenv's python is a link: keep the link)."""
    return os.path.abspath(sys.executable)


def required_files() -> tuple[str, ...]:
    """Files whose presence says `python -I -m bbdiag` will import this bbdiag.

    The package's own `__init__.py`, and the installed distribution's metadata folder, which
    `pip uninstall` removes even for an editable install (whose sources stay behind).
    """
    import bbdiag

    package = Path(bbdiag.__file__).resolve()
    files = [str(package)]
    for entry in sys.path:
        if not entry or not os.path.isdir(entry) or Path(entry).resolve() == package.parent.parent:
            continue  # a checkout's own folder is not an installation
        found = sorted(Path(entry).glob("bbdiag-*.dist-info"))
        if found:
            files.append(str(found[0]))
            break
    return tuple(files)


def sh_guard() -> str:
    """A shell condition, true while this bbdiag can still start."""
    tests = [f"[ -x {shlex.quote(python())} ]", *(f"[ -e {shlex.quote(path)} ]" for path in required_files())]
    return " && ".join(tests)


def sh_command(module: str = "bbdiag") -> str:
    """The shell words that run `module` of this bbdiag, isolated from the current directory and environment."""
    return f"{shlex.quote(python())} -I -m {module}"


def argv(module: str = "bbdiag") -> list[str]:
    """The same, as an argument vector."""
    return [python(), "-I", "-m", module]
