"""The pattern library: load every bbdiag/patterns/*.toml once, validate it, index it.

A pattern is data with its own examples (DESIGN.md): what it matches, what it means (cause and
host), how sure it is (role and strength), where the text comes from (references, checked) and
lines it must and must not match. `git_message` names one of git's own msgids instead of a
regex; the library expands it into every translation git ships (`_git-l10n.json`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from bbdiag.causes import CAUSES, HOSTS
from bbdiag.fields import Fields
from bbdiag.lazyre import lazy
from bbdiag.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    import regex

PATTERNS_DIR = os.path.join(os.path.dirname(__file__), "patterns")  # os.path: pathlib costs start-up time
L10N_FILE = "_git-l10n.json"
# lead: explains, comes first; final: git's last line; follow: comes after a final; success: the
# command went through (a ref updated, `Everything up-to-date`), which cancels a warning before it;
# other: the failure's reason, and none of bbdiag's causes (git not installed, a ref that does not
# exist, an archive download): it outranks a wrapper's generic line, so the failure gets no diagnosis.
ROLES = ("lead", "final", "follow", "success", "other")
STATUSES = ("stable", "retired")
# Cap on one regex search: patterns are linear, this only guards against a mistake in one.
SEARCH_TIMEOUT = 0.5
# Building the keyword automaton costs about as much as looking ~30 lines up keyword by keyword:
# explain's usual input (a few lines) never builds it; a longer input builds it at this line.
LINES_BEFORE_AUTOMATON = 32
# Until then a line's keywords are found by their first characters: each position of the line
# looks up the keywords that start with the three characters there (a tenth of testing each
# of the 1,400 keywords on each line, the most of explain's matching).
HEAD = 3

PATTERN_FIELDS = frozenset(
    {
        "id",
        "summary",
        "cause",
        "cause_by_host",
        "host",
        "host_hint",
        "role",
        "strength",
        "regex",
        "git_message",
        "git_message_groups",
        "keywords",
        "requires",
        "references",
        "checked",
        "match",
        "no_match",
        "status",
        "host_mismatch_cause",
        "ignore_case",
        "alternatives",
    }
)
_ID = lazy(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # both only when a pattern file is parsed (the cache missed)
_PLACEHOLDER = lazy(r"%(?:\.\d+)?l?[sd]")  # %s, %d, %ld, and %.4s (a length-capped string)


class LibraryError(Exception):
    """A pattern file is wrong: the message names the file and the field."""


class Pattern(NamedTuple):
    id: str
    summary: str
    cause: str | None  # None: the line shapes a failure (a final line, a host) but explains nothing
    host: str | None  # None: the host comes from the URL
    host_hint: str | None  # a weak host signal, used only when no URL names the host
    role: str  # one of ROLES
    # 0 git's generic trailer (explains only when nothing else does), 1 a guess from a generic
    # line, 2 a clear message, 3 a host's specific text
    strength: int
    regexes: tuple[str, ...]
    keywords: tuple[str, ...]  # lower-case literals: a line holding none of them is not searched
    cause_by_host: Mapping[str, str]
    host_mismatch_cause: str | None
    requires: tuple[str, ...]
    references: tuple[str, ...]
    checked: dt.date
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    status: str
    file: str
    git_message: str | None = None
    ignore_case: bool = False
    # Per regex, the keyword that must occur for it to be tried (a translation's own literal), or
    # None: so a line in English compiles and runs the English wording only.
    regex_keywords: tuple[str | None, ...] = ()
    # Other causes this text fits as well (a bare 403, git's SSH trailer): shown with the check
    # that tells them apart, never instead of the cause.
    alternatives: tuple[str, ...] = ()

    @property
    def compiled(self) -> regex.Pattern[str]:
        """Every regex of the pattern as one (the library check and the linearity tests use it)."""
        return _compile("|".join(f"(?:{r})" for r in self.regexes), self.ignore_case, self.file)

    def search(self, text: str) -> regex.Match[str] | None:
        """The first match of any of the pattern's regexes, each compiled on first use."""
        lowered = text.lower() if any(self.regex_keywords) else text
        for index, source in enumerate(self.regexes):
            keyword = self.regex_keywords[index] if index < len(self.regex_keywords) else None
            if keyword is not None and keyword not in lowered:
                continue
            part = _compile(source, self.ignore_case, self.file)
            try:
                match = part.search(text, timeout=SEARCH_TIMEOUT)
            except TimeoutError:
                continue
            if match is not None:
                return match
        return None

    def cause_for(self, host_id: str) -> str | None:
        return self.cause_by_host.get(host_id, self.cause)

    @property
    def causes(self) -> tuple[str, ...]:
        """Every cause this pattern can lead to."""
        found = [self.cause] if self.cause else []
        return tuple(found + [c for c in self.cause_by_host.values() if c not in found])


@lru_cache(maxsize=4096)
def _compile(source: str, ignore_case: bool, file: str) -> regex.Pattern[str]:
    """Compiled on first use (a pure function of its arguments, so memoised like re's own cache),
    or made from its compiled state stored by an earlier run (bbdiag.compiled_state: a run that
    only matches never imports the regex package's Python half)."""
    from bbdiag import compiled_state

    try:
        return compiled_state.regex_pattern(source, compiled_state.IGNORECASE if ignore_case else 0)
    except Exception as exc:
        import regex  # only a pattern that does not compile gets here: the normal compile raised

        if isinstance(exc, regex.error):
            raise LibraryError(f"{file}: field 'regex': does not compile: {exc}") from exc
        raise


class Library:
    """The loaded patterns, indexed by id and by keyword.

    `record(i)` makes the i-th pattern of `ids` (every one, retired too); `active` are the
    positions in `ids` of the stable ones, which are `patterns`; `indexes(k)` are the positions
    in `patterns` of the patterns that hold the k-th of `keywords`. Loaded from bbdiag.cache, a
    pattern is decoded only when a line holds one of its keywords (or someone asks for it), and
    so are a keyword's positions: the keywords are all that explain's few lines need of the rest.
    """

    def __init__(
        self,
        ids: tuple[str, ...],
        active: tuple[int, ...],
        keywords: tuple[str, ...],
        indexes: Callable[[int], tuple[int, ...]],
        record: Callable[[int], Pattern],
    ) -> None:
        self._ids, self._active, self._keywords, self._indexes, self._record = ids, active, keywords, indexes, record
        self._position = {pattern_id: i for i, pattern_id in enumerate(ids)}
        self._made: dict[int, Pattern] = {}
        self._automaton_built: Any = None
        self._heads: tuple[dict[str, list[int]], tuple[int, ...]] | None = None
        self._lines_looked_up = 0

    def _pattern(self, index: int) -> Pattern:
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._record(index)
        return made

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        """Every stable pattern, in library order."""
        return tuple(self._pattern(i) for i in self._active)

    @property
    def every(self) -> tuple[Pattern, ...]:
        """Every pattern, retired ones too (what the cache stores)."""
        return tuple(self._pattern(i) for i in range(len(self._ids)))

    def __getitem__(self, pattern_id: str) -> Pattern:
        return self._pattern(self._position[pattern_id])

    def __contains__(self, pattern_id: object) -> bool:
        return pattern_id in self._position

    def candidates(self, lowered: str) -> list[Pattern]:
        """Patterns one of whose keywords occurs in this lower-cased line, in library order."""
        found: set[int] = set()
        if self._automaton_built is None and self._lines_looked_up < LINES_BEFORE_AUTOMATON:
            self._lines_looked_up += 1
            for position in self._keywords_in(lowered):
                found.update(self._indexes(position))
        else:
            for _, indexes in self._automaton.iter(lowered):
                found.update(indexes)
        return [self._pattern(self._active[i]) for i in sorted(found)]

    def _keywords_in(self, lowered: str) -> set[int]:
        """The positions in `keywords` of those that occur in the line, by their first characters."""
        if self._heads is None:
            heads: dict[str, list[int]] = {}
            shorter: list[int] = []
            for position, keyword in enumerate(self._keywords):
                if len(keyword) < HEAD:
                    shorter.append(position)
                else:
                    heads.setdefault(keyword[:HEAD], []).append(position)
            self._heads = heads, tuple(shorter)
        heads, short = self._heads
        keywords = self._keywords
        hit = {position for position in short if keywords[position] in lowered}
        get = heads.get
        for start in range(len(lowered) - HEAD + 1):
            starting = get(lowered[start : start + HEAD])
            if starting is not None:
                hit.update(position for position in starting if lowered.startswith(keywords[position], start))
        return hit

    @property
    def _automaton(self) -> Any:
        """Aho-Corasick over every keyword: one pass over a line, whatever the library's size."""
        if self._automaton_built is not None:
            return self._automaton_built
        import ahocorasick  # type: ignore[import-not-found]  # here: explain's few lines never build it

        automaton = ahocorasick.Automaton()
        for position, keyword in enumerate(self._keywords):
            automaton.add_word(keyword, self._indexes(position))
        automaton.make_automaton()
        self._automaton_built = automaton
        return automaton

    @property
    def keywords(self) -> tuple[str, ...]:
        return self._keywords


def load(directory: str | os.PathLike[str] = PATTERNS_DIR) -> Library:
    """Load and validate every pattern file; raise LibraryError naming the first bad file and field.

    Regexes are compiled when first needed (`Pattern.compiled`); `check` compiles them all. The
    parsed library is cached per user, keyed by the files (bbdiag.cache).
    """
    from bbdiag import cache

    return cache.memoised(
        "library", os.fspath(directory), (".toml", ".json"), lambda: _parse(directory), records=(Pattern,), to_data=_stored, from_data=_from_stored
    )


def _stored(library: Library) -> dict[str, object]:
    """The library for bbdiag.cache: ids and keywords each one text (one line each), each
    keyword's positions one word of another (`3,17`), each pattern apart (`cache.Parts`): a
    run decodes three strings, and parses the positions and patterns of the keywords its lines
    hold (`_from_stored`). Decoding them as JSON lists was most of loading the library."""
    from bbdiag import cache

    texts = (*library._ids, *library._keywords)
    if any("\n" in text for text in texts):
        raise TypeError("a line break in an id or keyword")  # not stored: parsed each time, correctly
    positions = [",".join(map(str, library._indexes(k))) for k in range(len(library._keywords))]
    return {
        "ids": "\n".join(library._ids),
        "active": library._active,
        "keywords": "\n".join(library._keywords),
        "positions": " ".join(positions),
        "records": cache.Parts(library.every),
    }


def _from_stored(data: Mapping[str, Any]) -> Library:
    from bbdiag import cache

    records: cache.Parts = data["records"]
    ids, keywords = tuple(data["ids"].split("\n")), tuple(data["keywords"].split("\n"))
    digits = data["positions"].replace(" ", "").replace(",", "")
    positions: list[str] = data["positions"].split(" ")
    if not (len(records) == len(ids) and len(positions) == len(keywords) and digits.isascii() and digits.isdigit() and isinstance(records, cache.Parts)):
        raise ValueError("not a stored library")  # the cache reads this as a miss

    def indexes(k: int) -> tuple[int, ...]:
        try:
            return tuple(map(int, positions[k].split(",")))
        except ValueError:  # `3,,4`: the file was changed after bbdiag wrote it
            raise LibraryError(f"{cache.directory()}: a cached keyword is not one; remove the folder and bbdiag rebuilds it") from None

    return Library(ids, tuple(data["active"]), keywords, indexes, lambda index: _pattern(records[index]))


def _pattern(value: object) -> Pattern:
    if not isinstance(value, Pattern):  # the file was changed after bbdiag wrote it
        from bbdiag import cache

        raise LibraryError(f"{cache.directory()}: a cached pattern is not one; remove the folder and bbdiag rebuilds it")
    return value


def _parse(directory: str | os.PathLike[str]) -> Library:
    directory = os.fspath(directory)
    translations = _load_translations(os.path.join(directory, L10N_FILE))
    files = sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(".toml"))
    patterns = [_pattern_from_file(path, translations) for path in files]
    if not patterns:
        raise LibraryError(f"{directory}: no pattern files (*.toml)")
    return _indexed(patterns)


def _indexed(patterns: Sequence[Pattern]) -> Library:
    """The library of these patterns (every one, retired too), indexed by id and keyword."""
    by_id = {p.id: p for p in patterns}
    for p in patterns:
        for required in p.requires:
            if required not in by_id:
                raise LibraryError(f"{p.file}: field 'requires': no pattern '{required}'")
    every = tuple(by_id.values())
    active = tuple(i for i, p in enumerate(every) if p.status == "stable")
    by_keyword: dict[str, list[int]] = {}
    for position, index in enumerate(active):
        for keyword in every[index].keywords:
            by_keyword.setdefault(keyword, []).append(position)
    return Library(tuple(by_id), active, tuple(by_keyword), tuple(tuple(v) for v in by_keyword.values()).__getitem__, every.__getitem__)


def _load_translations(path: str) -> Mapping[str, Mapping[str, list[str]]]:
    import json

    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            doc = json.load(handle)
        msgids: Mapping[str, Mapping[str, list[str]]] = doc["msgids"]
    except (ValueError, KeyError, TypeError) as exc:
        raise LibraryError(f"{os.path.basename(path)}: not a translations file: {exc}") from exc
    return msgids


def _pattern_from_file(path: str, translations: Mapping[str, Mapping[str, list[str]]]) -> Pattern:
    import tomllib  # only when the cache cannot answer

    name = os.path.basename(path)
    stem = name[: -len(".toml")]
    try:
        with open(path, encoding="utf-8") as handle:
            data = tomllib.loads(handle.read())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LibraryError(f"{name}: not valid TOML: {exc}") from exc
    reader = Fields(name, data, LibraryError)
    pattern_id = reader.text("id")
    if not _ID.fullmatch(pattern_id):
        raise LibraryError(f"{name}: field 'id': '{pattern_id}' is not lower-case words joined by '-'")
    if pattern_id != stem:
        raise LibraryError(f"{name}: field 'id': '{pattern_id}' must equal the file name '{stem}'")
    cause = reader.choice("cause", CAUSES, optional=True)
    cause_by_host = reader.table("cause_by_host")
    for host_id, host_cause in cause_by_host.items():
        if host_id not in HOSTS:
            raise LibraryError(f"{name}: field 'cause_by_host': unknown host '{host_id}'")
        if host_cause not in CAUSES:
            raise LibraryError(f"{name}: field 'cause_by_host': unknown cause '{host_cause}'")
    regexes = reader.texts("regex", optional=True)
    regex_keywords: list[str | None] = [None] * len(regexes)
    git_message = reader.text("git_message", optional=True)
    keywords = [k.lower() for k in reader.texts("keywords", optional=True)]
    if git_message is not None:
        if git_message not in translations and translations:
            raise LibraryError(f"{name}: field 'git_message': not a msgid in {L10N_FILE}")
        groups = reader.texts("git_message_groups", optional=True)
        expanded, message_keywords = _expand_git_message(git_message, translations.get(git_message, {}), groups)
        regexes = expanded + regexes
        regex_keywords = list(message_keywords) + regex_keywords
        keywords += [k for k in message_keywords if k]
    if not regexes:
        raise LibraryError(f"{name}: field 'regex': a pattern needs 'regex' or 'git_message'")
    if not keywords:
        raise LibraryError(f"{name}: field 'keywords': a 'regex' pattern needs at least one keyword")
    pattern = Pattern(
        id=pattern_id,
        summary=reader.text("summary"),
        cause=cause,
        host=reader.choice("host", HOSTS, optional=True),
        host_hint=reader.choice("host_hint", HOSTS, optional=True),
        role=reader.choice("role", ROLES, optional=True) or "lead",
        strength=reader.integer("strength", 0, 3, default=2),
        regexes=tuple(regexes),
        keywords=tuple(dict.fromkeys(keywords)),
        cause_by_host=cause_by_host,
        host_mismatch_cause=reader.choice("host_mismatch_cause", CAUSES, optional=True),
        requires=tuple(reader.texts("requires", optional=True)),
        references=tuple(reader.texts("references")),
        checked=reader.date("checked"),
        examples=tuple(reader.texts("match")),
        counter_examples=tuple(reader.texts("no_match")),
        status=reader.choice("status", STATUSES, optional=True) or "stable",
        file=name,
        git_message=git_message,
        ignore_case=reader.boolean("ignore_case", default=git_message is not None),
        regex_keywords=tuple(regex_keywords),
        alternatives=tuple(reader.texts("alternatives", optional=True)),
    )
    reader.no_unknown_fields(PATTERN_FIELDS)
    for alternative in pattern.alternatives:
        if alternative not in CAUSES:
            raise LibraryError(f"{name}: field 'alternatives': unknown cause '{alternative}'")
        if alternative in pattern.causes:
            raise LibraryError(f"{name}: field 'alternatives': '{alternative}' is the pattern's own cause")
    if pattern.role in ("success", "other") and (cause or cause_by_host or pattern.alternatives):
        raise LibraryError(f"{name}: field 'role': a {pattern.role} line has no cause")
    for example in pattern.examples:
        if not any(k in example.lower() for k in pattern.keywords):
            raise LibraryError(f"{name}: field 'keywords': none occurs in the example {example!r}")
    names_host = pattern.host or pattern.host_hint or any("(?P<host>" in r or "(?P<url>" in r for r in pattern.regexes)
    if not cause and not cause_by_host and pattern.role == "lead" and not names_host:
        raise LibraryError(f"{name}: field 'cause': a lead without a cause must name a host (host, host_hint, or a 'host'/'url' group)")
    return pattern


def _expand_git_message(msgid: str, per_language: Mapping[str, list[str]], groups: list[str]) -> tuple[list[str], list[str | None]]:
    """One regex per distinct wording of a git message (English and every translation).

    Placeholders become captures named by `groups` in order (the rest match any text); a group
    that is not a plain name is the placeholder's own regex, so the message counts only for those
    arguments (git's "'%s' is not a git command" only for `credential-…`). Only the first line of a
    multi-line message is used, since that is the line that names the failure.
    """
    wordings = [msgid] + [text for texts in per_language.values() for text in texts]
    regexes: list[str] = []
    keywords: list[str | None] = []  # one per regex: its own literal, or None when it has none long enough
    for wording in dict.fromkeys(w.split("\n", 1)[0] for w in wordings):
        pieces = _PLACEHOLDER.split(wording)
        parts = [re.escape(pieces[0])]
        for index, piece in enumerate(pieces[1:]):
            group = groups[index] if index < len(groups) else None
            # A quoted argument stops at the closing quote; a trailing one takes the rest.
            body = r"[^\n]*?" if piece.strip() else r"[^\n]*"
            if group is not None and not group.isidentifier():
                parts.append(f"(?:{group})")  # the argument's own regex (`credential-(?P<helper>…)`): only those
            else:
                parts.append(f"(?P<{group}>{body})" if group else f"(?:{body})")
            parts.append(re.escape(piece))
        regexes.append("".join(parts))
        literal = _findable(max((p.strip() for p in pieces), key=len)).lower()
        keywords.append(literal if len(literal) >= 4 else None)
    return regexes, keywords


def _findable(literal: str) -> str:
    """The literal up to its first capital after the first letter, when it is not ASCII.

    The fast path (bbdiag.prefilter) matches a non-ASCII keyword only lower-case, capitalised or
    upper-case as a whole; a translation that capitalises a word inside (German nouns: `…weil das
    Remote-Repository Commits enthält`) would never be found there, so its keyword stops before.
    """
    if literal.isascii():
        return literal
    for index, char in enumerate(literal[1:], 1):
        if char.isupper():
            head = literal[:index].rstrip()
            return head if len(head) >= 4 else literal
    return literal


def check(library: Library) -> None:
    """Compile every regex and run every example: what the tests and `bbdiag patterns --check` do."""
    for pattern in library.patterns:
        pattern.compiled  # noqa: B018 - raises LibraryError naming the file
        for example in pattern.examples:
            if pattern.search(example) is None:
                raise LibraryError(f"{pattern.file}: field 'match': does not match {example!r}")
        for example in pattern.counter_examples:
            if pattern.search(example) is not None:
                raise LibraryError(f"{pattern.file}: field 'no_match': matches {example!r}")


def read(path: str | os.PathLike[str]) -> Pattern:
    """One pattern file, validated alone: a broken file fails its own test, not the loading of all."""
    path = os.fspath(path)
    return _pattern_from_file(path, _translations_in(os.path.dirname(path)))


@lru_cache(maxsize=4)
def _translations_in(directory: str) -> Mapping[str, Mapping[str, list[str]]]:
    return _load_translations(os.path.join(directory, L10N_FILE))
