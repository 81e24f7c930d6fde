"""The one place that handles strings which may hold a secret, or bytes meant for a terminal.

Everything bbdiag prints, logs or writes passes through `redact` first. It masks URL userinfo
secrets, Authorization headers, the secret fields of git's credential-helper protocol,
`password=` lines, passwords typed after git's own prompt, and strings shaped like a host's
token (the host modules' token shapes, `bbdiag.hosts`); then it shows every character that could drive a
terminal (C0 and C1 controls, escape sequences, bidi overrides) visibly escaped, the way git
quotes a path (`\\033`, `\\302\\233`).

Every expression here runs in time linear in the text: each either consumes what it scanned or
gives up within a bounded distance (a 300,000-character config value, a 1,000,000-letter URL
path), which tests/test_hostile_redact.py holds.
"""

from __future__ import annotations

import functools
import re

from bbdiag import hosts
from bbdiag.lazyre import lazy

MASK = "[redacted]"


# The token shapes are the host modules' (bbdiag/hosts/, one table); here they become one
# expression. Running text is searched for the prefixed shapes only.
_SHAPES = tuple(shape for shape in hosts.TOKEN_SHAPES if shape.in_text and shape.prefix)


@functools.cache
def _token_chars() -> str:
    """Every printable ASCII character a token's body may hold (when a line is first checked for a wrapped token)."""
    from bbdiag import compiled_state  # its stored compiled state, or re.compile

    any_body = compiled_state.re_pattern("|".join(dict.fromkeys(s.body for s in _SHAPES)))  # one expression, not one per shape
    return "".join(sorted({c for c in map(chr, range(33, 127)) if any_body.fullmatch(c)}))


_PREFIXES = "|".join(s.prefix for s in _SHAPES)
# A whole token; or a known prefix whose token runs to the end of the line: a terminal wrapped it
# (or a log cut it) there, and the part shown is a secret however short.
_TOKENS = lazy(
    r"\b(?:" + "|".join(s.pattern for s in _SHAPES) + "|" + "|".join(f"{s.prefix}{s.body}+$" for s in _SHAPES) + ")",
    re.MULTILINE,
)
_PREFIX = lazy(rf"\b(?:{_PREFIXES})")
# scheme://userinfo@host: the userinfo is everything up to the last @ before the path (a raw @ or
# a quote in a password is still the password, as git's own URL parser takes it). The scheme may
# not continue a word (keeps this linear on a line of letters).
# A raw / in a password breaks the URL for git, but not for a log that shows it: `user:` then a
# value that is not a port runs to the next @ (at most 256 characters, which keeps this linear).
_URL_USERINFO = lazy(
    r"(?<![A-Za-z0-9+.-])(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,31}://)"
    r"(?:(?P<userinfo>[^\s/?#@]*(?:@[^\s/?#@]*)*)|(?P<user>[^\s/?#@:]+):(?P<secret>(?![0-9]*[/?#\s])[^\s@]{0,256}))@"
)
# scheme://user:secret with no @ at all: a userinfo cut off (by a quote in the password, a line
# wrap, an evidence cut). What follows the colon is a port, or a secret.
_URL_CUT_USERINFO = lazy(
    r"(?<![A-Za-z0-9+.-])(?P<start>[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\s/?#@:'\"\[\]]+:)"
    r"(?![0-9]*(?:[/?#\s'\"]|$))(?P<secret>[^\s/?#@'\"]{1,256})(?=[/?#\s'\"]|$)",
    re.MULTILINE,
)
# The secret fields of git's credential-helper protocol, one per line: the value is everything after `=`.
_HELPER_FIELD = lazy(r"^(?P<key>password|credential|oauth_refresh_token)=(?P<value>.+)$", re.MULTILINE)
_AUTH_HEADER = lazy(
    r"(?P<name>(?:proxy-)?authorization|private-token|x-api-key|job-token)(?P<sep>[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(?P<scheme>basic|bearer|token|negotiate|ntlm|digest)\s+)?(?P<value>[^\s\"',;]+)",
    re.IGNORECASE,
)
_KEY_VALUE = lazy(
    r"(?P<key>\b(?:password|passwd|pass|token|secret|api_?key|access_token|private_token|oauth_refresh_token|client_secret))"
    r"(?P<sep>=[\"']?|\"?\s*:\s*\")(?P<value>[^\s&\"',;]+(?:'[^\s&\"',;]*)*)",
    re.IGNORECASE,
)
_CURL_USER = lazy(r"(?P<flag>(?:^|\s)(?:-u|--user)\s+)(?P<user>[^\s:]+):(?P<value>\S+)", re.MULTILINE)
# What a user typed after git's (or ssh's) prompt, when a terminal was copied with the answer.
_PROMPT_ANSWER = lazy(
    r"(?P<prompt>(?:Password for '[^'\n]{0,2048}'|Enter passphrase for key '[^'\n]{0,2048}'|[Pp]assword):[ \t]+)(?P<value>\S.*)$", re.MULTILINE
)
_ALREADY_MASKED = lazy(r"[*x•]+|\{[a-z_]+\}|<[^>]*>|\$\{?[A-Z_]+\}?")

_NOT_SECRETS = frozenset({"", MASK, "***", "****", "[secure]"})


def redact(text: str) -> str:
    """`text` with every secret bbdiag can recognise replaced by `[redacted]`, and every
    character that could drive a terminal shown escaped (`visible`)."""
    if not text:
        return text
    return visible(mask_secrets(text))


def mask_secrets(text: str) -> str:
    # Each expression runs only where the text holds a literal it cannot match without: most
    # text holds none, and an expression never needed is never compiled (start-up, bbdiag.lazyre).
    # The case-insensitive ones are skipped only in ASCII text: elsewhere `(?i)` also matches the
    # Kelvin sign for k and the long s for s, which lower() does not turn into k and s.
    if "password=" in text or "credential=" in text or "oauth_refresh_token=" in text:
        text = _HELPER_FIELD.sub(lambda m: m["key"] + "=" + _mask(m["value"]), text)
    scheme = text.find("://")
    if scheme != -1:
        if text.find("@", scheme) != -1:
            text = _URL_USERINFO.sub(_mask_userinfo, text)
        if text.find(":", scheme + 3) != -1:
            text = _URL_CUT_USERINFO.sub(lambda m: m["start"] + _mask(m["secret"]), text)
    lowered = text.lower() if text.isascii() else None
    if (lowered is None or any(name in lowered for name in ("authorization", "private-token", "x-api-key", "job-token"))) and (":" in text or "=" in text):
        text = _AUTH_HEADER.sub(_mask_header, text)
    if (lowered is None or any(key in lowered for key in ("pass", "token", "secret", "api"))) and ("=" in text or '"' in text):
        text = _KEY_VALUE.sub(lambda m: m["key"] + m["sep"] + _mask(m["value"]), text)
    if "-u" in text:  # -u and --user
        text = _CURL_USER.sub(lambda m: f"{m['flag']}{m['user']}:{_mask(m['value'])}", text)
    if "assword:" in text or "Password for '" in text or "Enter passphrase for key '" in text:
        text = _PROMPT_ANSWER.sub(lambda m: m["prompt"] + _mask(m["value"]), text)
    return _TOKENS.sub(MASK, text)


MAX_VALUE_CHARS = 2048  # of one value (a URL, a path, a helper's command line) as printed: longer is no one's real setup
_BLANKS = lazy(r"(\s+)")


def cut_long_values(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """`text` (already redacted: a secret cut in half no longer looks like one) with every run of
    non-blank characters longer than `limit` cut there, saying how much was cut; the words around
    it stay whole."""
    if len(text) <= limit:
        return text
    return "".join(part if len(part) <= limit else f"{part[:limit]}…[{len(part) - limit:,} more characters]" for part in _BLANKS.split(text))


def _mask(value: str) -> str:
    return value if _only_masked(value) else MASK


def _only_masked(value: str) -> bool:
    """Already hidden: ***, xxxx, [secure], {password}: nothing left to protect."""
    return value in _NOT_SECRETS or (len(value) < 256 and bool(_ALREADY_MASKED.fullmatch(value))) or value in _token_user_names()


@functools.cache
def _token_user_names() -> frozenset[str]:
    """Hosts' fixed token user names (x-token-auth), where a secret may stand: words, not secrets."""
    from bbdiag import knowledge

    return hosts.token_user_names(knowledge.load())


def _mask_userinfo(match: re.Match[str]) -> str:
    user, sep, secret = match["userinfo"].partition(":") if match["userinfo"] is not None else (match["user"], ":", match["secret"])
    if sep:
        return f"{match['scheme']}{_user_or_mask(user)}:{_mask(secret)}@"
    return f"{match['scheme']}{_user_or_mask(user)}@"


def _user_or_mask(user: str) -> str:
    return MASK if hosts.looks_like_token(user) and not _only_masked(user) else user


def _mask_header(match: re.Match[str]) -> str:
    scheme = f"{match['scheme']} " if match["scheme"] else ""
    return f"{match['name']}{match['sep']}{scheme}{_mask(match['value'])}"


# ------------------------------------------------------------------------------ a token cut by a line wrap
# A terminal wraps a line at its width, wherever that falls in a token, even inside its prefix;
# a log copied from it shows the token's rest at the next line's start (and a token longer than
# the width over three lines or more). Widths outside this range are no terminal's.
WRAP_WIDTHS = range(40, 1025)
MAX_WRAPPED_LINES = 8  # lines one token can cover at the narrowest width (Atlassian's API tokens run to about 190 characters)
_LONGEST_TOKEN = 256  # characters before a wrap where a token that runs on can start
_LONGEST_PREFIX = 16  # characters: more than any prefix in the table (the tests split every shape at every position)
_RUNS = tuple(lazy(rf"\b{s.prefix}{s.body}+") for s in _SHAPES)  # a prefix and at least one character of the rest


# A URL cut inside its userinfo at the end of a line, and the userinfo's rest at the next line's start.
_USERINFO_AT_END = lazy(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://(?P<userinfo>[^\s/?#@'\"]{0,256})$")
_USERINFO_REST = lazy(r"[^\s/?#@'\"]{0,256}@")


def wrapped_token_rest(previous: str, line: str, previous_is_rest: bool = False) -> int:
    """How many characters at the start of `line` are the rest of a token, or of a URL's password,
    that a terminal wrapped at the end of `previous` (the line before it), 0 for none.
    `previous_is_rest`: `previous` was itself wholly such a rest, so the token may run on further."""
    if len(previous) not in WRAP_WIDTHS or not line:
        return 0
    token_chars = _token_chars()
    if "://" in previous[-300:]:
        started = _USERINFO_AT_END.search(previous, len(previous) - 300 if len(previous) > 300 else 0)
        ended = _USERINFO_REST.match(line) if started else None
        if started and ended and ":" in started["userinfo"] + ended[0]:  # a password: the user name's rest goes too
            return ended.end() - 1
    if previous[-1] not in token_chars or line[0] not in token_chars:
        return 0
    head = len(line) - len(line.lstrip(token_chars))
    if line.startswith(":", head):  # git's `remote:`, `fatal:` start a line of their own
        return 0
    if previous_is_rest:
        return head
    tail = previous[len(previous.rstrip(token_chars)) :][-_LONGEST_TOKEN:]
    cut = len(tail)
    near = tail + line[: min(head, _LONGEST_PREFIX)]
    if not any(m.start() < cut for m in _PREFIX.finditer(near)):  # the usual case, decided in one short search
        return 0
    joined = tail + line[:head]
    return max((m.end() - cut for run in _RUNS for m in run.finditer(joined) if m.start() < cut < m.end()), default=0)


def may_wrap_into(previous: str, line: str) -> bool:
    """A token may run from the end of `previous` into `line`: certainly, or when `previous` is
    wholly token characters, if the line before it began one (a long token over several lines)."""
    if wrapped_token_rest(previous, line):
        return True
    return not previous.strip(_token_chars()) and wrapped_token_rest(previous, line, previous_is_rest=True) > 0


def mask_wrapped_rest(line: str, rest: int) -> str:
    return MASK + line[rest:] if rest else line


# ------------------------------------------------------------------------------ terminal control characters
# C0 controls but tab and newline, DEL, C1 controls, bidi marks and overrides (Trojan Source), line
# and paragraph separators, the BOM and interlinear annotations, U+FFFE/U+FFFF (not XML
# characters), and lone surrogates (undecodable bytes of a file name).
_UNSAFE = lazy("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff]")
_NAMED = {"\a": "\\a", "\b": "\\b", "\v": "\\v", "\f": "\\f", "\r": "\\r"}


def visible(text: str) -> str:
    """`text` with every character that could drive a terminal, reorder the line or break an
    XML document shown as git's quote_c_style shows it: `\\r`, `\\033`, `\\302\\233`."""
    if text.isprintable():  # every character _UNSAFE names is one isprintable() refuses
        return text
    return _UNSAFE.sub(_escaped, text) if _UNSAFE.search(text) else text


def _escaped(match: re.Match[str]) -> str:
    char = match[0]
    if char in _NAMED:
        return _NAMED[char]
    # A lone surrogate U+DC80..U+DCFF is a byte that was not UTF-8, kept by surrogateescape.
    data = bytes([ord(char) - 0xDC00]) if "\udc80" <= char <= "\udcff" else char.encode("utf-8", "surrogatepass")
    return "".join(f"\\{byte:03o}" for byte in data)
