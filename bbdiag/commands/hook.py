"""`bbdiag hook pre-push`: the preflight git (or the pre-commit framework) runs before a push."""

from __future__ import annotations

import argparse
import os
import sys


def run(args: argparse.Namespace) -> int:
    from bbdiag import hooks
    from bbdiag.redact import redact

    try:
        if args.pre_commit:
            push = hooks.push_from_pre_commit(os.environ)
        else:
            data = sys.stdin.buffer.read(1 << 20) if sys.stdin is not None and not sys.stdin.isatty() else b""
            push = hooks.push_from_git(args.remote, args.url, data.decode("utf-8", "replace").splitlines())
    except hooks.Unchecked as exc:
        code = hooks.UNCHECKED
        print(f"bbdiag: the pushed commits were NOT checked for secrets: {redact(str(exc))}", file=sys.stderr)
    except (OSError, ValueError) as exc:
        code = hooks.UNCHECKED
        print(f"bbdiag: the pushed commits were NOT checked for secrets: cannot read git's input ({redact(str(exc))})", file=sys.stderr)
    else:
        code = hooks.pre_push(push, args.strict, sys.stderr)
    if args.pre_commit:  # pre-commit knows pass and fail; a check that did not run must not pass
        if code == hooks.UNCHECKED:
            print("bbdiag: skip it once with: SKIP=bbdiag-pre-push git push", file=sys.stderr)
        return 0 if code == 0 else 1
    return 0 if code == hooks.UNCHECKED else code
