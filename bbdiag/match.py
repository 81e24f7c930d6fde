"""Lines in, hits out: which known messages occur on which lines.

A line is searched only by the patterns one of whose keywords it contains, so most lines of a
long log cost one pass over the keyword index. URLs are collected on the side, because the URL
that names the host is often on a line that no pattern matches: only those near a hit (where
diagnose looks for a failure's remote) and only those that can be a git remote, so a log full of
download URLs neither crowds out the remote nor becomes it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from bbdiag import remote_urls
from bbdiag.lazyre import lazy
from bbdiag.library import Library, Pattern
from bbdiag.normalise import Line
from bbdiag.records import NamedTuple
from bbdiag.redact import mask_secrets, mask_wrapped_rest, wrapped_token_rest

# What one input may keep, whatever its size (the README's memory bound): beyond MAX_HITS a log
# is one long failure loop, and the first ones say it all; the rest is counted (hits_dropped).
MAX_HITS = 2_000
MAX_URLS = 2_000  # URLs kept near hits, over the whole input
MAX_URLS_PER_LINE = 16  # a line listing more URLs than this is a listing, not a failure's remote
MAX_HIT_TEXT = 4096  # characters of a hit's line kept, cut after its secrets are masked
NEAR_BEFORE, NEAR_AFTER = 40, 12  # lines around a hit where a URL may name that failure's remote and host

# Another tool's own error line (a curl or wget in a Docker build, npm's or pip's registry, a
# container registry): never git's, whatever status it names. Only a host's own wording (a pattern
# with `host`, such as Bitbucket's REST texts, which causes.md diagnoses like git's) counts there.
# Each alternative is the tool's own prefix, which git never prints: git says `curl 22`, never
# `curl: (22)`, and npm quotes git's lines after `npm ERR! ` without a code.
FOREIGN = lazy(
    r"^\s*(?:"
    r"curl: \(\d+\) "  # curl(1): curl: (22) The requested URL returned error: 410
    r"|wget: |ERROR \d{3}: "  # wget: ERROR 401: Unauthorized.
    r"|npm (?:ERR!|error) (?:code E\d{3}\b|\d{3} |E\d{3} )"  # npm's registry: npm ERR! code E401, npm error 403 Forbidden - PUT …
    r"|(?:yarn|pnpm)[: ]+(?:error|ERR_PNPM_\w+)\b.*\b(?:registry|Request failed \\?\"\d{3})"  # yarn/pnpm registry failures
    r"|ERROR: (?:HTTP error \d{3}|Could not install packages|Could not find a version)"  # pip
    r"|(?:Error response from daemon:|unauthorized: |denied: requested access)"  # docker and container registries
    r")"
)


class Hit(NamedTuple):
    """A pattern matched on a line."""

    pattern: Pattern
    line: int  # line number in the original input
    order: int  # position among all cleaned lines: orders pieces of one input line
    text: str  # the cleaned line, not yet redacted (but masked first when cut to MAX_HIT_TEXT)
    captures: Mapping[str, str]
    urls: tuple[remote_urls.RemoteURL, ...]  # URLs on the same line


class SeenURL(NamedTuple):
    line: int
    url: remote_urls.RemoteURL
    in_message: bool  # quoted in a host's `remote:` message: a link, not the remote
    on_command: bool = False  # on a line that runs git on it (`$ git push URL`, a wrapper's echo of its command)


# A line that runs git on a URL: a shell's or a CI's echo (`$ git clone URL`, Jenkins' ` > git
# fetch … URL`), a wrapper quoting its command (`Error: Command failed: git push URL`, Python's
# `Command '['git', 'clone', 'URL']' returned …`). Options and `-c name=value` may come between.
_GIT_COMMAND = lazy(
    r"\bgit(?:\.exe)?\b['\"]?(?:[\s,'\"]+(?:-c[\s,'\"]+\S+?|-C[\s,'\"]+\S+?|--?[\w-]+(?:=\S*)?))*[\s,'\"]+"
    r"(?:clone|fetch|pull|push|ls-remote|archive|submodule|remote\s+(?:add|set-url))\b"
)


class Matches:
    """Everything matched in one input (bounded: MAX_HITS, MAX_URLS)."""

    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.urls: list[SeenURL] = []
        self.hits_dropped = 0
        self.hosts_named: set[str] = set()  # host ids of every URL in the input, near a hit or not
        self.clone_paths: list[tuple[int, str]] = []  # (line, host id) of clones laid out under a host's name


def not_kept(hits_dropped: int) -> list[str]:
    """The remark for the matching lines beyond MAX_HITS, counted but not kept (explain and scan say it alike)."""
    return [f"{hits_dropped} further matching line(s) were not kept (the first ones say it all)"] if hits_dropped else []


def can_be_remote(url: remote_urls.RemoteURL) -> bool:
    """A URL git could fetch from or push to: not a file download (a Maven .pom, an npm .tgz), not
    scp-like text that is something else (a docker digest `python:3.12@sha256:9f8e…`)."""
    if url.scheme == "scp":
        return "/" in url.path or url.path.endswith(".git")
    if _GOPROXY_PATH.search(url.path):
        return False
    last = url.path.rstrip("/,.;:").rsplit("/", 1)[-1].lower()
    return not _ARTIFACT.search(last)


# File names that are downloads, never a repository (a repository may be called `widgets.js`).
_ARTIFACT = lazy(
    r"\.(?:pom|jar|war|aar|module|sha1|sha256|sha512|md5|asc|sig|tgz|gz|bz2|xz|zst|zip|tar|whl|egg|deb|rpm|apk|crate|gem|nupkg|"
    r"xml|json|ya?ml|html?|php|txt|md|png|svg|ico|exe|msi|dmg|pkg|iso)$"
)


# The Go module proxy and checksum database protocols (`<module>/@v/list`, `<module>/@latest`,
# `/lookup/<module>@<version>`, https://go.dev/ref/mod#goproxy-protocol): the module's own host
# is in the path, and the proxy is never the remote.
_GOPROXY_PATH = lazy(r"/@v/|/@latest\b|^/lookup/[^@\s]+@")


# Blogs and forums turn git's quotes typographic (‘…’, “…”); read them as git's own. The line
# is tried as it is first: some of git's translations quote with „…” or «…» themselves.
TYPOGRAPHIC = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00b4": "'"})


def plain_quotes(text: str) -> str:
    """`text` with typographic quotes made plain, or `text` itself (the same object) when it has none."""
    if text.isascii():
        return text
    plain = text.translate(TYPOGRAPHIC)
    return text if plain == text else plain


def match_lines(lines: Iterable[Line], library: Library) -> Matches:
    found = Matches()
    recent: deque[SeenURL] = deque()  # URLs of the last NEAR_BEFORE lines, kept if a hit follows
    keep_until = 0  # URLs up to this line follow a hit closely: kept
    # The line before (its last piece) and whether it was wholly the rest of a wrapped token: a
    # token a terminal wrapped is masked on the line it continues on (redact.wrapped_token_rest).
    # The fast read stage passes on the lines before a candidate that a token may run from.
    previous, previous_is_rest = Line(-1, ""), False
    for order, line in enumerate(lines):
        text = line.text
        rest = wrapped_token_rest(previous.text, text, previous_is_rest) if line.number == previous.number + 1 else 0
        text = mask_wrapped_rest(text, rest)
        previous, previous_is_rest = line, 0 < rest == len(line.text)
        if line.dropped:  # read for a wrapped token alone: never a hit, nor a URL of the failure
            continue
        plain = plain_quotes(text)
        urls: tuple[remote_urls.RemoteURL, ...] = ()
        if "://" in text or "@" in text:
            found_here = (*remote_urls.find(plain), *remote_urls.find_ssh_commands(plain), *remote_urls.find_remote_commands(plain))
            urls = tuple(u for u in found_here[:MAX_URLS_PER_LINE] if not u.is_documentation and can_be_remote(u))
            in_message = text.lstrip().startswith("remote:")
            on_command = bool(urls) and "git" in plain and _GIT_COMMAND.search(plain) is not None
            seen = [SeenURL(line.number, u, in_message or u.is_web_page, on_command) for u in urls]
            found.hosts_named.update(u.host_id for u in urls)
            if line.number <= keep_until:
                _keep(found, seen)
            else:
                recent.extend(seen)
        if "Cloning into" in text and len(found.clone_paths) < MAX_URLS and (host_id := remote_urls.clone_path_host(plain)):
            found.clone_paths.append((line.number, host_id))
            found.hosts_named.add(host_id)
        while recent and recent[0].line < line.number - NEAR_BEFORE:
            recent.popleft()
        candidates = library.candidates(text.lower())
        if plain is not text:
            candidates += [p for p in library.candidates(plain.lower()) if p not in candidates]
        if candidates and FOREIGN.match(text):
            candidates = [p for p in candidates if p.host]
        hit_here = False
        for pattern in candidates:
            match = pattern.search(text)
            if match is None and plain is not text:
                match = pattern.search(plain)
            if match is None:
                continue
            if pattern.role == "success":
                # A success matters only after a failure or a warning (it cancels a warning; the
                # last says the command went through), and CI logs are full of them (every fetch
                # prints `-> FETCH_HEAD`): one per run of them is kept (the last), and it keeps no
                # URLs, so successes never use up what a log may keep (MAX_HITS, MAX_URLS) for its
                # failures. prefilter's read stage gathers no URL lines around them either.
                if found.hits and found.hits[-1].pattern.role == "success":
                    found.hits.pop()
            else:
                hit_here = True
            if len(found.hits) >= MAX_HITS:
                found.hits_dropped += pattern.role != "success"  # counted are failures not kept (prefilter passes on few successes)
                continue
            captures = {k: v[:MAX_HIT_TEXT] for k, v in match.groupdict().items() if v}
            kept = text if len(text) <= MAX_HIT_TEXT else mask_secrets(text)[:MAX_HIT_TEXT] + "…"
            found.hits.append(Hit(pattern, line.number, order, kept, captures, urls))
        if hit_here:
            _keep(found, recent)
            recent.clear()
            keep_until = line.number + NEAR_AFTER
    return found


def _keep(found: Matches, urls: Iterable[SeenURL]) -> None:
    for url in urls:
        if len(found.urls) >= MAX_URLS:
            return
        found.urls.append(url)
