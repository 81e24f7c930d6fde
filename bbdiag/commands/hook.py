"""`bbdiag hook pre-push`: the preflight git (or the pre-commit framework) runs before a push."""

from __future__ import annotations

import argparse
import os
import sys


def run(args: argparse.Namespace) -> int:
    from bbdiag import hooks

    # What git (or pre-commit) is told when the check did not run: git's push goes on; under
    # pre-commit a check that did not run must not show as Passed.
    unchecked_exit = 1 if args.pre_commit else 0
    skip_once = "bbdiag: skip it once with: SKIP=bbdiag-pre-push git push\n" if args.pre_commit else ""
    stopped = f"bbdiag: pre-push check stopped after {hooks.DEADLINE:g} s: the pushed commits were NOT checked for secrets\n"
    with hooks.deadline(hooks.DEADLINE, sys.stderr, stopped + skip_once, unchecked_exit):
        code = _check(args)
    if code == hooks.UNCHECKED:
        sys.stderr.write(skip_once)
        return unchecked_exit
    return 1 if args.pre_commit and code != 0 else code


def _check(args: argparse.Namespace) -> int:
    from bbdiag import hooks
    from bbdiag.redact import redact

    try:
        if args.pre_commit:
            push = hooks.push_from_pre_commit(os.environ)
        else:
            data = sys.stdin.buffer.read(1 << 20) if sys.stdin is not None and not sys.stdin.isatty() else b""
            push = hooks.push_from_git(args.remote, args.url, data.decode("utf-8", "replace").splitlines())
    except hooks.Unchecked as exc:
        print(f"bbdiag: the pushed commits were NOT checked for secrets: {redact(str(exc))}", file=sys.stderr)
        return hooks.UNCHECKED
    except (OSError, ValueError) as exc:
        print(f"bbdiag: the pushed commits were NOT checked for secrets: cannot read git's input ({redact(str(exc))})", file=sys.stderr)
        return hooks.UNCHECKED
    return hooks.pre_push(push, args.strict, sys.stderr)
