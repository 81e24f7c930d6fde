"""Lines in, hits out: which known messages occur on which lines.

A line is searched only by the patterns one of whose keywords it contains, so most lines of a
long log cost one pass over the keyword index. URLs are collected on the side (bounded), because
the URL that names the host is often on a line that no pattern matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from bbdiag import remote_urls
from bbdiag.library import Library, Pattern
from bbdiag.normalise import Line

MAX_HITS = 20_000  # beyond this a log is one long failure loop: the first ones say it all
MAX_URLS = 2_000


class Hit(NamedTuple):
    """A pattern matched on a line."""

    pattern: Pattern
    line: int  # line number in the original input
    order: int  # position among all cleaned lines: orders pieces of one input line
    text: str  # the cleaned line, not yet redacted
    captures: Mapping[str, str]
    urls: tuple[remote_urls.RemoteURL, ...]  # URLs on the same line


class SeenURL(NamedTuple):
    line: int
    url: remote_urls.RemoteURL
    in_message: bool  # quoted in a host's `remote:` message: a link, not the remote


class Matches:
    """Everything matched in one input (bounded: MAX_HITS, MAX_URLS)."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.urls: list[SeenURL] = []
        self.hits_dropped = 0


def match_lines(lines: Iterable[Line], library: Library) -> Matches:
    found = Matches()
    for order, line in enumerate(lines):
        text = line.text
        urls: tuple[remote_urls.RemoteURL, ...] = ()
        if "://" in text or "@" in text:
            urls = tuple(
                u for u in (*remote_urls.find(text), *remote_urls.find_ssh_commands(text), *remote_urls.find_remote_commands(text)) if not u.is_documentation
            )
            if len(found.urls) < MAX_URLS:
                in_message = text.lstrip().startswith("remote:")
                found.urls += [SeenURL(line.number, u, in_message or u.is_web_page) for u in urls]
        candidates = library.candidates(text.lower())
        for pattern in candidates:
            match = pattern.search(text)
            if match is None:
                continue
            if len(found.hits) >= MAX_HITS:
                found.hits_dropped += 1
                continue
            captures = {k: v for k, v in match.groupdict().items() if v}
            found.hits.append(Hit(pattern, line.number, order, text, captures, urls))
    return found
