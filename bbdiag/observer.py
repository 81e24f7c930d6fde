"""`git-credential-bbdiag`: a credential helper that never supplies a credential, and speaks up
when git rejects one.

git sends `erase` to every configured helper only after an HTTP 401 that followed a credential
it sent (../shared/spec/git-messages.md): that is the moment a user wants to know why. The
observer stays silent on `get` and `store`, and on `erase` prints to the terminal (stderr, which
git passes through) the host, the user name that was sent and what kind of secret it looks like,
then what to do. The secret is classified and dropped at once; nothing is logged or kept.
It never fails git: whatever goes wrong here, it exits 0.

    git config --global --add credential.helper bbdiag     # `bbdiag install --credential-observer`
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, TextIO

if TYPE_CHECKING:
    import datetime as dt

    from bbdiag.knowledge import Knowledge

MAX_REQUEST = 64 * 1024  # git's requests are a few lines; anything longer is not git


class Rejected(NamedTuple):
    """What git told the helpers about the rejected credential, without the secret itself."""

    protocol: str
    host: str
    path: str
    username: str | None
    kind: str | None  # inspector.secret_kind of the password, None when none was sent
    www_authenticate: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"{self.protocol}://{self.host}/{self.path}".rstrip("/") + ("/" if not self.path else "")


def read_request(stream: BinaryIO) -> Rejected:
    """Parse git's key=value request; classify the password and forget it."""
    from bbdiag.inspector import secret_kind

    data = stream.read(MAX_REQUEST)
    fields: dict[str, str] = {}
    www: list[str] = []
    kind: str | None = None
    for raw in data.decode("utf-8", "replace").split("\n"):
        key, sep, value = raw.rstrip("\r").partition("=")
        if not sep:
            continue
        if key == "password":
            kind = secret_kind(value) if value else None
            continue  # never stored, not even in `fields`
        if key == "wwwauth[]":
            www.append(value)
        elif key in ("protocol", "host", "path", "username", "url"):
            fields[key] = value
    if "url" in fields and "host" not in fields:
        from urllib.parse import urlsplit

        parts = urlsplit(fields["url"])
        fields.setdefault("protocol", parts.scheme)
        fields["host"] = parts.netloc.rpartition("@")[2]
        fields.setdefault("path", parts.path.lstrip("/"))
    return Rejected(fields.get("protocol", "https"), fields.get("host", ""), fields.get("path", ""), fields.get("username") or None, kind, tuple(www))


def explain(rejected: Rejected, out: TextIO) -> None:
    from bbdiag import knowledge, library, pipeline, remedy
    from bbdiag.inspector import KIND_NAMES
    from bbdiag.redact import redact

    line = f"fatal: Authentication failed for '{rejected.protocol}://{rejected.host}/{rejected.path}'"
    result = pipeline.diagnose_text(line, "credential helper", library.load())
    if not result.diagnoses:
        return
    diagnosis = result.diagnoses[0]
    known = knowledge.load()
    today = knowledge.today()
    cause = _cause(diagnosis.host, rejected.kind, today, known)
    diagnosis = diagnosis._replace(cause=cause)
    facts = remedy.Facts()
    if pipeline.probably_in_repository():  # a fetch or push: the repository says which remote and helpers
        from bbdiag import inspector

        _, fitted = pipeline.fit([diagnosis], inspector.inspect())
        facts = fitted.get(0, facts)
    facts = facts._replace(username=rejected.username, secret_kind=rejected.kind)
    fix = remedy.build(diagnosis, facts, known, today)
    sent = KIND_NAMES.get(rejected.kind or "", "no password")
    user = f"the user name '{rejected.username}'" if rejected.username else "no user name"
    realm = next((w for w in rejected.www_authenticate if "realm=" in w), None)
    lines = [
        f"bbdiag: {rejected.host} rejected the credential git sent (HTTP 401).",
        f"  It was {sent}, sent with {user}." + (f" The server asked for: {realm}." if realm else ""),
        f"  {fix.title}: {fix.why}",
    ]
    for number, step in enumerate(fix.steps, 1):
        lines.append(f"  {number}. {step.text}")
        if step.command:
            lines.append(f"       {step.command}")
    out.write("\n".join(redact(text) for text in lines) + "\n")
    out.flush()


def _cause(host: str, kind: str | None, today: dt.date, known: Knowledge) -> str:
    """The rejected secret's kind makes the cause more specific than git's own line can."""
    if host == "bitbucket-cloud" and kind == "password":
        return "account-password-rejected"
    if host == "bitbucket-cloud" and kind == "app-password":
        return "app-password-retired" if known.in_force("bitbucket-app-passwords-removed", today) else "credentials-rejected"
    if host == "github" and kind == "password":
        return "account-password-rejected"
    return "credentials-rejected"


def main(argv: Sequence[str] | None = None, stdin: BinaryIO | None = None, stderr: TextIO | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    action = args[-1] if args else ""
    try:
        stream = stdin or sys.stdin.buffer
        if action != "erase":
            stream.read(MAX_REQUEST)  # git writes the request whatever the action: take it, say nothing
            return 0
        explain(read_request(stream), stderr or sys.stderr)
    except Exception as exc:
        from bbdiag.redact import redact

        with contextlib.suppress(Exception):
            (stderr or sys.stderr).write(f"bbdiag: could not explain the rejected credential ({type(exc).__name__}: {redact(str(exc))})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
