"""The one place that handles strings which may hold a secret.

Everything bbdiag prints, logs or writes passes through `redact` first: URL userinfo secrets,
Authorization headers, credential-helper `password=` lines, passwords typed after git's own
prompt, and strings shaped like a host's token (the host modules' token shapes, `bbdiag.hosts`).
"""

from __future__ import annotations

import re

from bbdiag import hosts

MASK = "[redacted]"

# Token shapes come from the host modules: one table for redaction, the inspector and the pre-push check.
_TOKENS = hosts.tokens_in_text()
# scheme://user:password@host or scheme://TOKEN@host: keep the user name, mask the secret.
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s/@:'\"<>]*)(?::(?P<secret>[^\s/@'\"<>]*))?@")
_AUTH_HEADER = re.compile(
    r"(?P<name>(?:proxy-)?authorization|private-token|x-api-key|job-token)(?P<sep>[\"']?\s*[:=]\s*[\"']?)"
    r"(?:(?P<scheme>basic|bearer|token|negotiate|ntlm|digest)\s+)?(?P<value>[^\s\"',;]+)",
    re.IGNORECASE,
)
_KEY_VALUE = re.compile(
    r"(?P<key>\b(?:password|passwd|pass|token|secret|api_?key|access_token|private_token|oauth_refresh_token|client_secret))"
    r"(?P<sep>=|\"?\s*:\s*\")(?P<value>[^\s&\"',;]+)",
    re.IGNORECASE,
)
_CURL_USER = re.compile(r"(?P<flag>(?:^|\s)(?:-u|--user)\s+)(?P<user>[^\s:]+):(?P<value>\S+)")
# What a user typed after git's (or ssh's) prompt, when a terminal was copied with the answer.
_PROMPT_ANSWER = re.compile(r"(?P<prompt>(?:Password for '[^']*'|Enter passphrase for key '[^']*'|[Pp]assword):[ \t]+)(?P<value>\S.*)$")

_NOT_SECRETS = frozenset({"", MASK, "***", "****", "[secure]", "x-token-auth", "x-bitbucket-api-token-auth"})


def redact(text: str) -> str:
    """Return `text` with every secret bbdiag can recognise replaced by `[redacted]`."""
    if not text:
        return text
    text = _URL_USERINFO.sub(_mask_userinfo, text)
    text = _AUTH_HEADER.sub(_mask_header, text)
    text = _KEY_VALUE.sub(lambda m: m["key"] + m["sep"] + _mask(m["value"]), text)
    text = _CURL_USER.sub(lambda m: f"{m['flag']}{m['user']}:{_mask(m['value'])}", text)
    text = _PROMPT_ANSWER.sub(lambda m: m["prompt"] + _mask(m["value"]), text)
    return _TOKENS.sub(MASK, text)


def _mask(value: str) -> str:
    return value if _only_masked(value) else MASK


def _only_masked(value: str) -> bool:
    """Already hidden: ***, xxxx, [secure], {password}: nothing left to protect."""
    return value in _NOT_SECRETS or bool(re.fullmatch(r"[*x•]+|\{[a-z_]+\}|<[^>]*>|\$\{?[A-Z_]+\}?", value))


def _mask_userinfo(match: re.Match[str]) -> str:
    user, secret = match["user"], match["secret"]
    if secret is not None:
        return f"{match['scheme']}{_user_or_mask(user)}:{_mask(secret)}@"
    return f"{match['scheme']}{_user_or_mask(user)}@"


def _user_or_mask(user: str) -> str:
    return MASK if hosts.looks_like_token(user) and not _only_masked(user) else user


def _mask_header(match: re.Match[str]) -> str:
    scheme = f"{match['scheme']} " if match["scheme"] else ""
    return f"{match['name']}{match['sep']}{scheme}{_mask(match['value'])}"
