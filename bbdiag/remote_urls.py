"""Remote URLs in text and in configuration: find them, parse them, ask the hosts which one they name.

Used by diagnose (URLs quoted in git's output) and by the inspector (configured remotes), so the
two always agree on what a URL means. Which host a URL names is the host modules' knowledge
(`bbdiag.hosts.classify`); this module knows only URL syntax.
"""

from __future__ import annotations

import re

from bbdiag import hosts
from bbdiag.lazyre import lazy
from bbdiag.records import NamedTuple

# Linear: every repetition is a character class bounded by what may follow it.
# A host name masked in a pasted log (`***`, as CI systems print secrets) is still a host: its path
# or port may name the product (`/scm/…`, 7999).
_HOSTNAME = r"(?:\[[0-9A-Fa-f:.]+\]|\*{3,}|[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?)*)"
_URL = lazy(
    r"(?P<scheme>https?|ssh|git|git\+ssh|ssh\+git" + "".join(f"|{scheme}" for scheme in hosts.URL_SCHEMES) + r")://"
    r"(?:(?P<userinfo>[^\s/@'\"<>\[\]()]*)@)?"
    r"(?P<host>" + _HOSTNAME + r")(?::(?P<port>\d{1,5}))?"
    r"(?=[/'\"\s)\]>,;`]|$)(?P<path>/[^\s'\"<>`)\]]*)?"
)
# scp-like syntax: user@host:path (a user is required, otherwise "file.c:12" would be a URL).
_SCP = lazy(
    r"(?<![\w.@/-])(?P<userinfo>[A-Za-z0-9._-]+)@(?P<host>" + _HOSTNAME + r"):(?!//)(?!\d+\b(?![/\w]))"
    r"(?P<path>[A-Za-z0-9~._/-][^\s'\":()\[\]<>`,;]*)"
)


class RemoteURL(NamedTuple):
    """A remote URL, parsed. `text` is the URL as found; use `display` to print it."""

    text: str
    scheme: str  # https, http, ssh, git, scp, file, or a host's own (hosts.URL_SCHEMES)
    host: str  # lower-case host name, "" for local paths
    port: int | None
    path: str
    username: str | None
    has_secret: bool  # a password or token inside the URL
    named_host: str | None = None  # the host id the remote's name says (`git remote add gitlab http://10.0.0.5/…`)

    @property
    def display(self) -> str:
        """The URL with all userinfo removed: safe to print, and what git shows since 2.22."""
        # An SSH user name is not a secret (and git@ is part of how such URLs are written).
        user = f"{self.username}@" if self.username and self.is_ssh and not self.has_secret else ""
        if self.scheme == "scp":
            return f"{user}{self.host}:{self.path}"
        if self.scheme == "file" or not self.host:
            return self.text
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{user}{self.host}{port}{self.path}"

    def with_username(self, username: str | None) -> str:
        """The URL as it should be configured: https with only a username, ssh unchanged."""
        if self.scheme not in ("https", "http") or not username:
            return self.display
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{username}@{self.host}{port}{self.path}"

    @property
    def host_id(self) -> str:
        found = hosts.classify(self.host, self.path, self.port, self.username, self.scheme)
        return self.named_host if not hosts.is_named(found) and self.named_host else found

    @property
    def is_ssh(self) -> bool:
        return self.scheme in ("ssh", "scp", "git+ssh", "ssh+git")

    @property
    def is_documentation(self) -> bool:
        """A help page quoted in a host's message: it names neither the remote nor the host."""
        return self.host.startswith(_DOC_HOST_PREFIXES) or self.host in hosts.DOC_HOSTS or self.host.endswith(".blog")

    @property
    def is_web_page(self) -> bool:
        """A page on the host (settings, pull requests, docs): right host, but not the remote's URL."""
        segments = set(self.path.lower().split("/"))
        return self.is_documentation or bool(segments & _WEB_SEGMENTS) or "?" in self.path


# git's own rule (connect.c, url_is_local_not_ssh): a colon before any slash makes it ssh, so an
# ssh config alias without a dot (`work:acme/site.git`, `Host work` in ~/.ssh/config) is one too.
_SCP_NO_USER = lazy(r"(?P<host>[A-Za-z0-9_][A-Za-z0-9._-]*):(?!//)(?P<path>[A-Za-z0-9~._-][^\s'\":]*/[^\s'\":]*)")


def parse(text: str) -> RemoteURL | None:
    """Parse one URL as git accepts it in remote.<name>.url (scheme, scp-like or local path)."""
    text = text.strip()
    match = _URL.match(text)
    if match:
        return _from_match(match, match.group("scheme").split("::")[0])
    match = _SCP.match(text)
    if match:
        return _from_match(match, "scp")
    # git also takes scp syntax without a user (`bitbucket.org:acme/site.git`); only here, where
    # the text is known to be a URL, since in running text `host:12` is usually something else.
    match = _SCP_NO_USER.fullmatch(text)
    if match:
        return RemoteURL(text, "scp", match.group("host").lower(), None, match.group("path"), None, False)
    if text.startswith("file://"):
        return RemoteURL(text, "file", "", None, text[7:], None, False)
    if text and ("/" in text or text.startswith(".")):
        return RemoteURL(text, "file", "", None, text, None, False)
    return None


def find(text: str) -> list[RemoteURL]:
    """Every remote URL in a line of output, in order."""
    if "://" not in text and "@" not in text:
        return []
    found = [(m.start(), _from_match(m, m.group("scheme").split("::")[0])) for m in _URL.finditer(text)]
    if "@" in text:
        found += [(m.start(), _from_match(m, "scp")) for m in _SCP.finditer(text)]
    found.sort(key=lambda pair: pair[0])
    return [url for _, url in found]


_SSH_COMMAND = lazy(r"(?:^|[\s$>])ssh(?:\s+-[A-Za-z]+(?:\s+(?!-)[^\s@]+)?)*\s+(?P<userinfo>[A-Za-z0-9._-]+)@(?P<host>" + _HOSTNAME + r")(?=\s|$)")


def find_ssh_commands(text: str) -> list[RemoteURL]:
    """`ssh -T git@bitbucket.org` typed in a transcript names the host as well as a URL does."""
    if "ssh" not in text:
        return []
    return [RemoteURL(m.group(0).strip(), "ssh", m.group("host").lower(), None, "", m.group("userinfo"), False) for m in _SSH_COMMAND.finditer(text)]


_REMOTE_ADD = lazy(r"\bgit remote (?:add|set-url)\s+(?:-\S+\s+)*(?P<name>[\w.-]+)\s+(?P<url>\S+)")


def find_remote_commands(text: str) -> list[RemoteURL]:
    """`git remote add gitlab http://10.0.0.5/…` in a transcript: a remote named after its product."""
    if "git remote" not in text:
        return []
    found = []
    for match in _REMOTE_ADD.finditer(text):
        url = parse(match.group("url"))
        if url is not None and url.host:
            named = next((host_id for word, host_id in hosts.product_words() if len(word) > 4 and word in match.group("name").lower()), None)
            found.append(url._replace(named_host=named))
    return found


# git's own line before a clone (builtin/clone.c: "Cloning into '%s'...", "Cloning into bare
# repository '%s'..."): CI systems and tools (Go's GOPATH, ghq, Jenkins' workspaces) lay clones
# out as …/<host>/<owner>/<repository>, so the path names the host when no URL is printed.
_CLONING_INTO = lazy(r"Cloning into (?:bare repository )?'(?P<path>[^']+)'")
_DOMAIN = lazy(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}")


def clone_path_host(text: str) -> str | None:
    """The known host a clone's destination path is laid out under (`…/bitbucket.org/acme/site`), if any."""
    if "Cloning into" not in text:
        return None
    match = _CLONING_INTO.search(text)
    if match is None:
        return None
    segments = re.split(r"[\\/]+", match.group("path").lower())
    for segment in segments[:-2]:  # <host>/<owner>/<repository>: two segments at least after it
        if _DOMAIN.fullmatch(segment):
            host_id = hosts.classify(segment)
            if hosts.is_named(host_id):
                return host_id
    return None


def classify_loose(text: str) -> str | None:
    """A host id from a URL that does not parse (`https://<GHE url>`, `'.../repo.git/'`), if it names one."""
    url = parse(text)
    if url is not None and url.host:
        return url.host_id
    words = set(re.split(r"[^a-z0-9]+", text.lower()))
    for word, host_id in hosts.product_words():
        if word in words:
            return host_id
    return None


def _from_match(match: re.Match[str], scheme: str) -> RemoteURL:
    userinfo = match.group("userinfo")
    username: str | None = None
    has_secret = False
    if userinfo:
        user, sep, password = userinfo.partition(":")
        username = _unquoted(user) or None
        has_secret = bool(sep and password)
        # A token alone in the user part (https://TOKEN@host) is a secret too.
        if not has_secret and username and hosts.looks_like_token(username):
            has_secret = True
    port = match.group("port") if scheme != "scp" else None
    return RemoteURL(
        text=match.group(0),
        scheme=scheme,
        host=match.group("host").lower().strip("[]"),
        port=int(port) if port else None,
        path=match.group("path") or "",
        username=username,
        has_secret=has_secret,
    )


_DOC_HOST_PREFIXES = ("docs.", "support.", "help.", "developer.", "community.", "confluence.", "learn.", "git-lfs.")
_WEB_SEGMENTS = frozenset({"help", "docs", "blog", "settings", "account", "pull-requests", "merge_requests", "pull", "changelog", "rules", "-"})


def _unquoted(text: str) -> str:
    if "%" not in text:  # what unquote() returns unchanged: no import (urllib.parse with ipaddress, 3 ms of start-up)
        return text
    from urllib.parse import unquote

    return unquote(text)
