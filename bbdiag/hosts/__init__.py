"""Hosts: one module per host id of ../shared/spec/causes.md, listed in one literal registry.

Everything bbdiag knows about one host lives in that host's module: how it recognises itself
(host names, URL paths, ports, SSH users, the words of a self-hosted instance's name), its token
shapes, the remedies it specialises and its doctor checks. General code asks the registry and
never compares host ids or spells a domain or token prefix itself. Adding a host is one module
and one row below (README, "Contributing").
"""

from __future__ import annotations

from bbdiag.hosts import azure_devops, bitbucket_cloud, bitbucket_dc, codecommit, generic, gitea, github, gitlab
from bbdiag.hosts.base import Host, TokenShape
from bbdiag.lazyre import LazyRegex, lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from bbdiag.knowledge import Knowledge

# The order is the order of the weak signs: the first host whose product word a host name holds
# wins ("bitbucket-gitlab-mirror.corp" is Bitbucket). The strong signs (own domains) never overlap.
REGISTRY: tuple[Host, ...] = (
    bitbucket_cloud,
    bitbucket_dc,
    gitlab,
    github,
    gitea,
    azure_devops,
    codecommit,
    generic,
)

# The two ids that name no product: some other server (a module), and no host known (none).
GENERIC = generic.ID
UNKNOWN = "unknown"  # no host can be told from the input: generic's advice applies
_BY_ID: dict[str, Host] = {host.ID: host for host in REGISTRY}
NAMES: dict[str, str] = {**{host.ID: host.NAME for host in REGISTRY}, UNKNOWN: generic.NAME}


def get(host_id: str) -> Host:
    """The module for a host id; `unknown` (and an id no module has) gets the generic host."""
    return _BY_ID.get(host_id, generic)


def is_named(host_id: str) -> bool:
    """A product bbdiag knows by name, rather than `generic` (some other server) or `unknown`."""
    return host_id in _BY_ID and host_id != generic.ID


# ------------------------------------------------------------------------------ recognition
_PRODUCT_WORDS: tuple[tuple[str, str], ...] = tuple((word, host.ID) for host in REGISTRY for word in host.PRODUCT_WORDS)


def product_words() -> tuple[tuple[str, str], ...]:
    """(word, host id) for every product word, in registry order."""
    return _PRODUCT_WORDS


_BRACKETED = lazy(r"\[([^\]]+)\](?::(\d+))?")


def classify(host: str, path: str = "", port: int | None = None, user: str | None = None, scheme: str = "") -> str:
    """The host id for a host name and, where the name says nothing, its path, port and SSH user."""
    bracketed = _BRACKETED.fullmatch(host) if host.startswith("[") else None  # ssh writes [host]:port
    if bracketed:
        host, port = bracketed.group(1), int(bracketed.group(2)) if bracketed.group(2) else port
    host = host.lower().rstrip(".")
    if not host:
        return UNKNOWN
    for candidate in REGISTRY:
        if candidate.owns(host, scheme):
            return candidate.ID
    for candidate in REGISTRY:
        if candidate.signs(path, port):
            return candidate.ID
    labels = host.replace("-", ".").split(".")  # its labels and their hyphenated parts
    for word, host_id in _PRODUCT_WORDS:
        # A short word must be a whole label ("ghe.corp"); a long one may be part of one ("mygitlab").
        if word in labels or (len(word) > 4 and any(word in label for label in labels)):
            return host_id
    for candidate in REGISTRY:
        if user in candidate.SSH_USERS:
            return candidate.ID
    first_segment = path.strip("/").split("/", 1)[0].lower()
    for word, host_id in _PRODUCT_WORDS:
        if len(word) > 4 and first_segment == word:
            return host_id
    return UNKNOWN if generic.is_placeholder(host) else generic.ID


DOC_HOSTS: frozenset[str] = frozenset(name for host in REGISTRY for name in host.DOC_HOSTS)
URL_SCHEMES: tuple[str, ...] = tuple(scheme for host in REGISTRY for scheme in host.URL_SCHEMES)


# ------------------------------------------------------------------------------ token shapes
TOKEN_SHAPES: tuple[TokenShape, ...] = tuple(shape for host in REGISTRY for shape in host.TOKEN_SHAPES)
_WHOLE = [(lazy(shape.pattern), shape) for shape in TOKEN_SHAPES]
# In running text only the prefixed shapes: an opaque 40-character string is as often a commit id.
_IN_TEXT = lazy("|".join(f"(?P<t{i}>\\b{shape.pattern})" for i, shape in enumerate(TOKEN_SHAPES) if shape.in_text))
KIND_NAMES: dict[str, str] = {}
for _shape in TOKEN_SHAPES:
    KIND_NAMES.setdefault(_shape.kind, _shape.name)


def token_kind(secret: str) -> str | None:
    """The kind of token `secret` is by its shape (never its value), or None when it has no token's shape."""
    # A shape's rest alone is min_length characters: a shorter secret is not tried (nor compiled).
    return next((shape.kind for pattern, shape in _WHOLE if len(secret) >= shape.min_length and pattern.fullmatch(secret)), None)


def looks_like_token(value: str) -> bool:
    """The whole of `value` has a token's shape (a URL's user part that is really a secret)."""
    return token_kind(value) is not None


def tokens_in_text() -> LazyRegex:
    """One pattern for every token shape worth finding in running text; group `t<i>` names the shape."""
    return _IN_TEXT


def token_names_in_text(text: str) -> list[str]:
    """For each token in `text`, in order, the name of its shape (never the token)."""
    return [TOKEN_SHAPES[int(name[1:])].name for m in _IN_TEXT.finditer(text) for name, value in m.groupdict().items() if value]


def token_user_names(k: Knowledge) -> frozenset[str]:
    """The fixed user names hosts take with a token of some kind (Bitbucket's access tokens have one):
    words every user of that host types, never a secret."""
    return frozenset(name for host in REGISTRY for shape in host.TOKEN_SHAPES if (name := host.git_username(shape.kind, None, k)))
