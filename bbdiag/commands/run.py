"""`bbdiag run -- COMMAND`: run it with its output live; explain it if it fails.

bbdiag ends as the command ended: with its exit code, or, when it was killed by a signal
(Ctrl-C at git's prompt), by that same signal, so a shell loop around it stops as it would for
git. The explanation goes to stderr after git's own output; `--format json` goes to stdout (or
`--output FILE`) so that it is never interleaved with git's stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from contextlib import ExitStack, suppress


def run(args: argparse.Namespace) -> int:
    from bbdiag import run as runner
    from bbdiag.usage import UsageError

    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise UsageError("no command: bbdiag run -- git push")
    try:
        code, output = runner.run(argv)
    except FileNotFoundError:
        print(f"bbdiag run: {argv[0]}: command not found", file=sys.stderr)
        return 127
    except PermissionError:
        print(f"bbdiag run: {argv[0]}: permission denied", file=sys.stderr)
        return 126
    except KeyboardInterrupt:
        die_by(signal.SIGINT)
    if code < 0:
        die_by(signal.Signals(-code))
    if code != 0:
        _explain(argv, output, args)
    return code


def _explain(argv: list[str], output: bytes, args: argparse.Namespace) -> None:
    from bbdiag import run as runner
    from bbdiag.redact import redact

    try:
        with ExitStack() as stack:
            console = sys.stdout if args.format == "json" else sys.stderr
            out = stack.enter_context(open(args.output, "w", encoding="utf-8")) if args.output else console
            runner.explain_output(argv, output, args.format, out)
    except OSError as exc:
        print(f"bbdiag run: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
    except Exception as exc:
        print(f"bbdiag run: could not explain the failure ({type(exc).__name__}: {redact(str(exc))})", file=sys.stderr)


def die_by(signum: signal.Signals) -> None:
    """End this process by `signum`, as the command ended (a shell sees WIFSIGNALED, not an exit code)."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    raise SystemExit(128 + signum)  # a signal that cannot end us (ignored by the parent): the shell's convention
