"""A credential git erased, as the observer (bbdiag.observer) tells it: what was sent (never the
secret itself), whether the server refused it, and what to do.

Apart from the observer's module so that its silent path (`get`, `store`: every fetch and push
over HTTPS) never imports this one, nor `typing` with it.
"""

from __future__ import annotations

import os

from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

# The processes that erase a credential because the server refused it (git's http transport,
# whose name the kernel cuts to 15 characters, and git-lfs, which runs `git credential reject`).
REFUSED_BY = ("git-remote-http", "git-lfs")


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


def read_request(data: bytes) -> Rejected:
    """Parse git's key=value request; classify the password and forget it."""
    from bbdiag.inspector import secret_kind

    fields: dict[str, str] = {}
    www: list[str] = []
    kind: str | None = None
    password = ""
    for raw in data.decode("utf-8", "replace").split("\n"):
        key, sep, value = raw.rstrip("\r").partition("=")
        if not sep:
            continue
        if key == "password":
            kind = secret_kind(value) if value else None
            password = value  # only to scrub it from the other fields below, then dropped
            continue
        if key == "wwwauth[]":
            www.append(value)
        elif key in ("protocol", "host", "path", "username", "url"):
            fields[key] = value
    fields = {key: _scrub(value, password) for key, value in fields.items()}
    www = [_scrub(value, password) for value in www]
    del password
    if "url" in fields and "host" not in fields:
        from urllib.parse import urlsplit

        parts = urlsplit(fields["url"])
        fields.setdefault("protocol", parts.scheme)
        fields["host"] = parts.netloc.rpartition("@")[2]
        fields.setdefault("path", parts.path.lstrip("/"))
    return Rejected(fields.get("protocol", "https"), fields.get("host", ""), fields.get("path", ""), fields.get("username") or None, kind, tuple(www))


def _scrub(text: str, secret: str) -> str:
    """`text` without `secret` in any spelling a URL or header gives it (as is, percent-encoded)."""
    from urllib.parse import quote

    from bbdiag.redact import MASK

    if len(secret) < 4:  # too short to find in other text without eating it; only a whole field
        return MASK if text == secret and secret else text
    for spelling in dict.fromkeys((secret, quote(secret, safe=""), quote(secret), quote(secret, safe="").lower())):
        text = text.replace(spelling, MASK)
    return text


def refused_by_git(rejected: Rejected) -> bool:
    """Is this erase git's own, after the server refused the credential it sent?

    git 2.41 and later send the server's WWW-Authenticate headers with it; on any git, the
    erase comes from its http transport (or git-lfs), a few processes up.
    """
    return bool(rejected.www_authenticate) or any(name.startswith(REFUSED_BY) for name in _ancestors(5))


def _ancestors(levels: int) -> list[str]:
    """The program names of this process's parent, grandparent, …"""
    names, pid = [], os.getppid()
    for _ in range(levels):
        if pid <= 1:
            break
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
                stat = handle.read()
            name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
            pid = int(rest[1])
        except (OSError, ValueError, IndexError):
            name, pid = _ps(pid)
        names.append(os.path.basename(name))
    return names


def _ps(pid: int) -> tuple[str, int]:
    """(name, parent pid) from ps, where there is no /proc (macOS, the BSDs)."""
    import subprocess

    from bbdiag import child

    try:
        done = child.run(["ps", "-o", "ppid=,comm=", "-p", str(pid)], timeout=5)
        parent, _, name = done.stdout.decode("utf-8", "replace").strip().partition(" ")
        return name.strip(), int(parent)
    except (OSError, ValueError, subprocess.SubprocessError):
        return "", 0


def explain(rejected: Rejected, out: TextIO) -> None:
    from bbdiag import diagnose, knowledge, library, pipeline, remedy, remote_urls
    from bbdiag.inspector import KIND_NAMES
    from bbdiag.redact import redact, visible

    url = remote_urls.parse(rejected.url)
    diagnosis = diagnose.refused_credential(url, library.load()) if url is not None else None
    if diagnosis is None:
        return
    k = knowledge.load()
    today = knowledge.today()
    situation = remedy.Situation()
    if pipeline.probably_in_repository():  # a fetch or push: the repository says which remote and helpers
        from bbdiag import inspector

        _, fitted = pipeline.fit([diagnosis], inspector.inspect())
        situation = fitted.get(0, situation)
    # What kind of secret was refused makes the remedy exact (each host's remedies read it).
    situation = situation._replace(username=rejected.username, secret_kind=rejected.kind)
    fix = remedy.build(diagnosis, situation, k, today)
    sent = KIND_NAMES.get(rejected.kind or "", "no password")
    user = f"the user name '{visible(rejected.username)}'" if rejected.username else "no user name"
    realm = next((visible(w) for w in rejected.www_authenticate if "realm=" in w), None)
    width = _width(out)
    lines = [
        _wrap(f"bbdiag: {visible(rejected.host)} rejected the credential git sent (HTTP 401).", "", "  ", width),
        _wrap(f"It was {sent}, sent with {user}." + (f" The server asked for: {realm}." if realm else ""), "  ", "  ", width),
        _wrap(f"{fix.title}: {fix.why}", "  ", "  ", width),
    ]
    for number, step in enumerate(fix.steps, 1):
        lines.append(_wrap(step.text, f"  {number}. ", "     ", width))
        if step.command:  # never wrapped: it must copy as one line
            lines.append(f"       {step.command}")
    out.write("\n".join(redact(text) for text in lines) + "\n")
    out.flush()


def _width(out: TextIO) -> int:
    """The terminal's width, as explain's renderers use it (100 columns when not a terminal)."""
    try:
        return max(40, min(os.get_terminal_size(out.fileno()).columns - 1, 120))
    except (OSError, ValueError, AttributeError):
        return 100


def _wrap(text: str, first: str, rest: str, width: int) -> str:
    import textwrap

    return textwrap.fill(text, width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False)
