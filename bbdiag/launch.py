"""How git starts bbdiag: the command lines the hook, the credential observer and `shell-init` write.

Everything in git's path starts this very interpreter by absolute path with `-I` (isolated
mode): the current directory is not put on `sys.path`, and `PYTHONPATH`, `PYTHONSTARTUP`,
`PYTHONHOME` and the user's site directory are ignored, so a cloned repository's own `bbdiag/`
package, `sitecustomize.py` or `.pth` file can never run through bbdiag.

Each entry point gets out of git's way once bbdiag is gone, and stays working across upgrades:
the shell checks with `[ -x … ]` (no process) that the interpreter is still there (a deleted
virtualenv), and the few statements given to `python -I -c` look bbdiag up before importing it
(`pip uninstall`, editable installs included), doing what git would have done without bbdiag
when it is not there: nothing (the observer), one line (the hook), or running git itself with
the very same arguments (`shell-init`).
"""

from __future__ import annotations

import os
import shlex
import sys

# What each entry point does when the interpreter runs but bbdiag cannot be found (a Python expression).
SILENT = "0"
HOOK_GONE = 'print("bbdiag: pre-push check skipped: bbdiag is no longer installed for "+sys.executable+" (bbdiag install --hook again, or remove the hook)",file=sys.stderr) or 0'
RUN_GIT = '__import__("os").execvp(sys.argv[sys.argv.index("--")+1],sys.argv[sys.argv.index("--")+1:])'  # `run -- git …`: git itself


def python() -> str:
    """This interpreter, by absolute path (a virtualenv's python is a link: keep the link)."""
    return os.path.abspath(sys.executable)


def sh_guard() -> str:
    """A shell condition, true while the interpreter bbdiag was installed for is still there."""
    return f"[ -x {shlex.quote(python())} ]"


def sh_command(module: str = "bbdiag.cli", gone: str = SILENT) -> str:
    """Shell words that run `module`'s main(argv) of this bbdiag, isolated; `gone` when bbdiag is not installed."""
    package, _, name = module.partition(".")
    code = f'import sys,importlib.util as u;sys.exit(__import__("{module}").{name}.main(sys.argv[1:]) if u.find_spec("{package}") else {gone})'
    return f"{shlex.quote(python())} -I -c {shlex.quote(code)}"
