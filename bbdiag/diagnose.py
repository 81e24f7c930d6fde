"""Hits in, diagnoses out: group hits into failed commands, choose each one's cause and host.

A failed git command prints explanatory lines (role `lead`: `remote:` text, ssh's message),
then git's own last line (role `final`), then lines that follow it (role `follow`: advice,
`hung up`, `failed to push some refs`). A lead or final after a final starts the next failure.
Inside one failure the strongest hit wins, then the most specific cause (causes.md); across
failures an authentication cause comes first, then an access cause, then the earliest.

A line that gives the failure's reason as none of bbdiag's causes (role `other`: git is not
installed, a ref or path that does not exist, an archive that is not git) outranks the weaker lines
of its failure (a wrapper's generic line), which then gets no diagnosis.

A failure made only of warnings (no `final` or `follow` line: GCM's `Logon failed`, GitHub's
`Bypassed rule violations`, a GH001 warning) that a success line follows (a ref updated,
`Everything up-to-date`) before any real failure was no failure: the success cancels it, however
many lines of progress, server chatter or refs lie between (git ends every failed command with a
`final` line, so a command that printed none and then a success went through).

A credential helper that could not run comes first in its failure: git asked it for the stored
credential after the host's 401, so the refusal or the not-found that follows it is its
consequence, whatever the strength of their wording (causes.md). Content and branch refusals
come after authentication succeeded, so they stay the cause.

The host of a failure, first that applies (`_host`):
  1. a wording only one host prints (the strongest such hit of the failure: its pattern's `host`);
  2. the URL git quotes on the failure's own lines (`unable to access '…'`, `Authentication
     failed for '…'`), or a URL on those lines that names a repository; when it names only a host
     that is none of the known ones, a repository URL of that same host printed nearby;
  3. a URL git quoted that does not parse whole (`https://<GHE url>/…`), or one with a placeholder
     for its host on the failure's own lines (a wrapper's `from https://<bitbucket-url>/scm/…`), if
     it names a product;
  4. the host named last in the failure's text (`ssh: Could not resolve hostname …`, `Warning:
     Permanently added '…'`), with its port: the one git was talking to when it gave up;
  5. a repository URL printed near the failure: the failing command's own line first (the last
     `git …` run before it, else a wrapper's report of it after), then the nearest other one
     (`Cloning into`, `To …`), after a clone's path laid out under a known host's name when no URL of the command names one
     (`Cloning into '…/bitbucket.org/acme/site'`);
  6. the one host the whole input names (its URLs and clone paths), when it names only one;
  7. a weak host sign of a pattern (`host_hint`); else `unknown`.
A named host that is none of the known ones is `generic` (steps 2, 3 and 5 go on looking for a
known host and fall back on the first such).
"""

from __future__ import annotations

from collections.abc import Sequence

from bbdiag import hosts, remote_urls
from bbdiag.causes import CAUSES, PRECEDENCE, urgency
from bbdiag.lazyre import lazy
from bbdiag.match import NEAR_AFTER, NEAR_BEFORE, Hit, Matches, SeenURL
from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.library import Library

GAP = 25  # lines between two hits beyond which they cannot be one failure
TRAILER_GAP = 1  # git prints its trailer on the line after the final it ends


class Diagnosis(NamedTuple):
    cause: str
    host: str
    primary: Hit  # the hit that decided the cause
    evidence: tuple[Hit, ...]
    url: remote_urls.RemoteURL | None  # the remote the failure was about, when the output shows it
    url_text: str | None  # the URL as git quoted it, when it does not parse (`.../repo.git/`)
    alternatives: tuple[str, ...] = ()  # other causes the deciding text fits as well (its pattern says which)

    @property
    def auth(self) -> bool:
        return CAUSES[self.cause].auth

    @property
    def lines(self) -> tuple[int, int]:
        return self.evidence[0].line, self.evidence[-1].line


def diagnose(matches: Matches) -> list[Diagnosis]:
    """Every failure in the input, the one to fix first first."""
    successes = [h for h in matches.hits if h.pattern.role == "success"]
    groups = _group([h for h in matches.hits if h.pattern.role != "success"])
    failures = [g for index, g in enumerate(groups) if not _cancelled(g, successes, _next_failure(groups[index + 1 :]))]
    diagnoses = [d for group in failures if (d := _diagnose_group(group, matches.urls, matches.hosts_named, matches.clone_paths))]
    return sorted(diagnoses, key=lambda d: (urgency(d.cause), d.evidence[0].order))


# The pattern that stands for a credential git's transport erased after an HTTP 401: git reports
# that event with this line (http.c), right after the helpers' erase.
REFUSED_CREDENTIAL_PATTERN = "git-authentication-failed"
HELPER_FAILED = "credential-helper-failed"


def refused_credential(url: remote_urls.RemoteURL, lib: Library) -> Diagnosis | None:
    """The credential-helper observer's event, diagnosed like any failure: the event is the hit
    (it is what git's `Authentication failed` line reports), the host comes from its URL."""
    if REFUSED_CREDENTIAL_PATTERN not in lib:
        return None
    event = Hit(lib[REFUSED_CREDENTIAL_PATTERN], 0, 0, f"git erased the credential it sent to {url.display} after HTTP 401", {"url": url.text}, (url,))
    return _diagnose_group([event], (), set())


def succeeded(matches: Matches) -> Hit | None:
    """The last success line when nothing failed after it: the command went through."""
    last = max((h for h in matches.hits if h.pattern.role == "success"), key=lambda h: h.order, default=None)
    if last is None or any(h.order > last.order and h.pattern.role != "success" and h.pattern.cause for h in matches.hits):
        return None
    return last


def _warnings_only(group: list[Hit]) -> bool:
    return not any(h.pattern.role in ("final", "follow") for h in group)


def _next_failure(groups: Sequence[list[Hit]]) -> Hit | None:
    """The first hit of the next group that is a failure of its own (a final or follow line)."""
    return next((g[0] for g in groups if not _warnings_only(g)), None)


def _cancelled(group: list[Hit], successes: Sequence[Hit], next_failure: Hit | None) -> bool:
    """Warnings only, then a success line before the next real failure."""
    if not _warnings_only(group):
        return False
    last = group[-1]
    return any(s.order > last.order and (next_failure is None or s.order < next_failure.order) for s in successes)


def _group(hits: Sequence[Hit]) -> list[list[Hit]]:
    groups: list[list[Hit]] = []
    closed = False
    for hit in sorted(hits, key=lambda h: (h.order, h.pattern.strength)):
        current = groups[-1] if groups else None
        # git's generic trailer right under a final line is that failure's own last word.
        trailer = hit.pattern.strength == 0 and current is not None and hit.line - current[-1].line <= TRAILER_GAP
        starts_new = (
            current is None or hit.line - current[-1].line > GAP or (closed and not trailer and hit.pattern.role != "follow" and hit.order != current[-1].order)
        )
        if starts_new:
            groups.append([hit])
            closed = False
        else:
            assert current is not None
            current.append(hit)
        closed = closed or hit.pattern.role == "final"
    return groups


def _diagnose_group(group: list[Hit], seen_urls: Sequence[SeenURL], hosts_named: set[str], clone_paths: Sequence[tuple[int, str]] = ()) -> Diagnosis | None:
    present = {h.pattern.id for h in group}
    group = [h for h in group if not h.pattern.requires or present & set(h.pattern.requires)]
    if not group:
        return None
    url, url_text = _failure_url(group, seen_urls)
    host = _host(group, url, url_text, seen_urls, hosts_named, clone_paths)
    if url is not None and hosts.is_named(url.host_id) and url.host_id != host:
        url = None  # a URL of another known host was near, not this failure's remote: no command is built on it
    ranked = [(h, cause) for h in group if (cause := _cause(h, host))]
    if not ranked:
        return None
    primary, cause = min(ranked, key=lambda pair: (-pair[0].pattern.strength, PRECEDENCE[pair[1]], pair[0].order))
    if any(h.pattern.role == "other" and h.pattern.strength > primary.pattern.strength for h in group):
        return None
    helper = next((pair for pair in ranked if pair[1] == HELPER_FAILED and pair[0].order <= primary.order), None)
    if helper is not None and cause != HELPER_FAILED and (CAUSES[cause].auth or CAUSES[cause].access):
        primary, cause = helper  # what followed the helper's failure is its consequence
    alternatives = tuple(c for c in primary.pattern.alternatives if c != cause)
    return Diagnosis(cause, host, primary, tuple(group), url, url_text, alternatives)


def _cause(hit: Hit, host: str) -> str | None:
    pattern = hit.pattern
    cause = pattern.cause_for(host)
    named_host = hit.captures.get("host")
    # curl could not resolve a name that is not the URL's host: the URL itself is malformed.
    if pattern.host_mismatch_cause and named_host and hit.urls and all(u.host != named_host.lower() for u in hit.urls):
        return pattern.host_mismatch_cause
    return cause


def _failure_url(group: list[Hit], seen_urls: Sequence[SeenURL]) -> tuple[remote_urls.RemoteURL | None, str | None]:
    """The URL the failed command was about: the one git quotes in its own line first."""
    unparsed: str | None = None
    for hit in sorted(group, key=lambda h: (h.pattern.role != "final", h.order)):
        quoted = hit.captures.get("url")
        if quoted:
            url = remote_urls.parse(quoted)
            # Only a URL parsed whole counts: 'https://bitbucket.org/<FOLDER>/<REPO>.git/' is a placeholder.
            if url is not None and url.host and url.text.rstrip("/") == quoted.strip().rstrip("/"):
                return url, None
            unparsed = unparsed or quoted
    unparsed = unparsed or _placeholder_url(group)
    for hit in group:
        remotes = [u for u in hit.urls if _names_repository(u)]
        if remotes and not hit.text.lstrip().startswith("remote:"):
            return remotes[0], unparsed
    first, last = group[0].line, group[-1].line
    near = [s for s in seen_urls if first - NEAR_BEFORE <= s.line <= last + NEAR_AFTER and not s.in_message and _names_repository(s.url)]
    # A failure that names its host itself (`git@bitbucket.org: Permission denied`) was about no
    # URL of another host, however near: a `From https://github.com/…` fetched earlier, an apt mirror.
    named = {h.captures["host"].lower() for h in group if h.captures.get("host")}
    own = {h.pattern.host for h in group if h.pattern.host}
    if named or own:
        near = [s for s in near if s.url.host in named or s.url.host_id in own]
    # The command that failed, where the log shows it, names its remote: the last one run before
    # the failure, else a wrapper's report of it after (Python's `Command '['git', …]' returned`);
    # only then any other URL nearby, such as a `From …` of an earlier fetch that went through.
    first_line = group[0].line
    commands_before = [s for s in near if s.on_command and s.line <= first_line]
    commands_after = [s for s in near if s.on_command and s.line > first_line]
    before = [s for s in near if s.line <= last]
    if commands_before:
        return commands_before[-1].url, unparsed
    if commands_after:
        return commands_after[0].url, unparsed
    if before:
        return before[-1].url, unparsed
    if near:
        return near[0].url, unparsed
    return None, unparsed


_SCHEME_URL = lazy(r"\b(?:https?|ssh)://[^\s'\"`]+")


def _placeholder_url(group: list[Hit]) -> str | None:
    """A URL on the failure's own lines whose host is a placeholder (`https://<self-hosted-url>/scm/p/r.git`)."""
    for hit in group:
        for found in _SCHEME_URL.finditer(hit.text):
            url = remote_urls.parse(found.group(0))
            if url is None or not url.host:
                return found.group(0)
    return None


def _same_host_nearby(url: remote_urls.RemoteURL, group: list[Hit], seen_urls: Sequence[SeenURL]) -> str:
    """git quotes only the host (`could not read Username for 'http://git.corp'`): the repository URL
    of that host printed near the failure (`git remote add origin http://git.corp/scm/p/r.git`) can
    say more (Data Center's `/scm/` path)."""
    first, last = group[0].line, group[-1].line
    for seen in seen_urls:
        if first - NEAR_BEFORE <= seen.line <= last + NEAR_AFTER and seen.url.host == url.host and hosts.is_named(seen.url.host_id):
            return seen.url.host_id
    return url.host_id


def _names_repository(url: remote_urls.RemoteURL) -> bool:
    """A URL that can be a remote: not a web page, and with a path (or scp/ssh syntax)."""
    return not url.is_web_page and bool(url.path.strip("/") or url.is_ssh)


def _host(
    group: list[Hit],
    url: remote_urls.RemoteURL | None,
    url_text: str | None,
    seen_urls: Sequence[SeenURL],
    hosts_named: set[str],
    clone_paths: Sequence[tuple[int, str]] = (),
) -> str:
    """The host id: the host's own message text, else the URL, else names seen nearby (the
    steps of the module's docstring, numbered the same below)."""
    # 1. a wording only one host prints
    strong = [h for h in group if h.pattern.host]
    if strong:
        best = min(strong, key=lambda h: (-h.pattern.strength, h.order))
        return best.pattern.host or hosts.UNKNOWN
    # 2. the URL git quotes on the failure's own lines
    on_lines = any(url is not None and url in h.urls for h in group) or any(h.captures.get("url") for h in group)
    # A masked or template name on git's line (`https://***/…`, `<host>`) names no host: the other
    # evidence below decides, and only when none does is it `unknown`.
    if url is not None and on_lines and url.host_id != hosts.UNKNOWN:
        return url.host_id if hosts.is_named(url.host_id) or url.path.strip("/") else _same_host_nearby(url, group, seen_urls)
    # 3. a quoted URL that does not parse whole, or has a placeholder for its host
    fallback: str | None = None  # steps 3 and 5: the first host found that is none of the known ones
    if url_text:
        loose = remote_urls.classify_loose(url_text)
        if loose and loose != hosts.GENERIC:
            return loose
        fallback = loose
    # 4. the host named last in the failure's text
    for hit in reversed(group):  # the host named last before git gave up is the one it was talking to
        named = hit.captures.get("host")
        if named:
            host_id = hosts.classify(named, port=int(hit.captures["port"]) if hit.captures.get("port") else None)
            if host_id != hosts.UNKNOWN:
                return host_id
    # 5. a repository URL, or a clone's path, printed near the failure
    first, last = group[0].line, group[-1].line
    # No URL of the failing command names a host: git's `Cloning into '…/bitbucket.org/acme/site'`
    # of this clone does (the nearest before the failure first), before any other URL nearby.
    from_command = url is not None and any(s.on_command and s.url == url for s in seen_urls)
    if url is None or url.host_id == hosts.UNKNOWN or not from_command:
        paths = sorted((p for p in clone_paths if first - NEAR_BEFORE <= p[0] <= last + NEAR_AFTER), key=lambda p: (p[0] > first, abs(first - p[0])))
        if paths:
            return paths[0][1]
    near = [s.url for s in seen_urls if first - NEAR_BEFORE <= s.line <= last + NEAR_AFTER]
    for candidate in ([url] if url else []) + near:
        host_id = candidate.host_id
        if hosts.is_named(host_id):
            return host_id
        fallback = fallback or host_id
    if fallback and fallback != hosts.UNKNOWN:
        return fallback
    # 6. far from the failure, a URL says something only when the whole input names one host
    named_hosts = {host_id for host_id in hosts_named if hosts.is_named(host_id)}
    if len(named_hosts) == 1:
        return named_hosts.pop()
    # 7. a weak host sign of a pattern
    hints = [h.pattern.host_hint for h in group if h.pattern.host_hint]
    return hints[0] if hints else hosts.UNKNOWN
