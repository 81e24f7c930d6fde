"""The credential-helper observer: a helper that never supplies a credential, and speaks up
when git rejects one.

git's transport (git-remote-http(s), or git-lfs) sends `erase` to every configured helper only
after an HTTP 401 that followed a credential it sent (../shared/spec/git-messages.md): that is
the moment a user wants to know why. Anyone else's erase (`git credential reject` from a remedy
step, a logout) is not a failure, and the observer says nothing then. It stays silent on `get`
and `store`, and on git's own erase prints to the terminal (stderr, which git passes through)
the host, the user name that was sent (escapes visible) and what kind of secret it looks like,
then what to do. The helper protocol's secret fields are secrets by position whatever their
shape: the password is classified, scrubbed from every other field, and dropped at once.
It never fails git: whatever goes wrong here, it exits 0.

    bbdiag install --credential-observer     # credential.helper, started isolated (bbdiag.launch)
"""

from __future__ import annotations

import contextlib
import sys

# Hints only, read by mypy (which takes any TYPE_CHECKING as true): importing `typing` (and `re`,
# which it imports) costs the silent path, run on every fetch and push, milliseconds it need not pay.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import BinaryIO, TextIO

MAX_REQUEST = 64 * 1024  # git's requests are a few lines; anything longer is not git


def main(argv: Sequence[str] | None = None, stdin: BinaryIO | None = None, stderr: TextIO | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    action = args[-1] if args else ""
    try:
        stream = stdin or sys.stdin.buffer
        if action != "erase":
            stream.read(MAX_REQUEST)  # git writes the request whatever the action: take it, say nothing
            return 0
        from bbdiag import rejection

        rejected = rejection.read_request(stream.read(MAX_REQUEST))
        if rejection.refused_by_git(rejected):
            rejection.explain(rejected, stderr or sys.stderr)
    except Exception as exc:
        from bbdiag.redact import redact

        with contextlib.suppress(Exception):
            (stderr or sys.stderr).write(f"bbdiag: could not explain the rejected credential ({type(exc).__name__}: {redact(str(exc))})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
