"""The escape codes a style writes on a terminal: rich.style's answers, stored, so that a run need not import rich.

Importing rich.style (rich.color, its palettes, pickle, random) and `typing`, which every rich
module imports, cost more than laying out a whole report (README, "Where start-up goes"). A
piece of text is styled here by a `Style` of ours: the style definitions it combines, in order,
and its link. What rich writes before and after a text in that style for a colour system is what
`rich.style.Style.combine(Style.parse(d) for d in definitions)` (then `.without_color` for no
colour) renders around it. rich computes it the first time a combination is met, and the answer is
stored in the user's bbdiag cache (bbdiag.cache: JSON data, never code; a file another user could
write is not read), keyed by rich's identity: the name of its distribution (its version) and the
path, size and mtime of each file whose code computes the answer (`RICH_FILES`), found as `import
rich` would find them, without running rich. A combination not stored, a stored answer that is anything but SGR codes, no cache to read
or write: rich computes it, with the same result.

Links (OSC 8) are written as rich.style.Style.render writes them, each with an id of its own in
the output (rich's ids start at a random number: random's import is part of rich.style's cost).
"""

from __future__ import annotations

import os
import sys

from bbdiag.records import NamedTuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing: see bbdiag.records
if TYPE_CHECKING:
    from collections.abc import Iterable

FORMAT = 1  # bump when what is stored changes shape
CACHE_NAME = "terminal-codes"
# rich.console.Console.color_system's names for the colour systems (rich.console.COLOR_SYSTEMS),
# and the rich.color.ColorSystem member each stands for.
COLOR_SYSTEMS = {"standard": "STANDARD", "256": "EIGHT_BIT", "truecolor": "TRUECOLOR"}
# The files of rich whose code computes a style's escape codes: what `import rich.style` runs
# (tests/test_render_escape_codes.py holds the list to it).
RICH_FILES = (
    "__init__.py",
    "_extension.py",
    "_palettes.py",
    "color.py",
    "color_triplet.py",
    "errors.py",
    "palette.py",
    "repr.py",
    "style.py",
    "terminal_theme.py",
)
SGR_CHARACTERS = frozenset("\x1b[0123456789;m")  # all a stored code may hold: Select Graphic Rendition sequences
_MARK = "\x00"  # the text rich renders a style around, to take its codes apart (no code holds it)


class Style(NamedTuple):
    """A piece's style: the rich style definitions it combines, in order ("bold red", "dim", ...), and its link."""

    definitions: tuple[str, ...] = ()
    link: str = ""

    def then(self, other: Style) -> Style:
        """`other` on top of this style (rich's `self + other`): its definitions after these, its link if it has one."""
        if not other.definitions and not other.link:
            return self
        if not self.definitions and not self.link:
            return other
        return Style(self.definitions + other.definitions, other.link or self.link)


NULL = Style()


def parse(definition: str) -> Style:
    """The style a definition names (checked by rich when its codes are first computed); "" is no style."""
    return Style((definition,)) if definition else NULL


def link_escape(text: str, link: str, link_id: str) -> str:
    """`text` as a link to `link`, as rich.style.Style.render writes one (OSC 8)."""
    return f"\x1b]8;id={link_id};{link}\x1b\\{text}\x1b]8;;\x1b\\"


def codes(combinations: Iterable[tuple[str, ...]], system: str, no_color: bool) -> dict[tuple[str, ...], tuple[str, str]]:
    """What rich writes before and after a text in each combination of definitions, for the colour
    system (a name of COLOR_SYSTEMS), with colours or without: stored, else computed by rich and stored."""
    from bbdiag import cache

    rich = _rich_identity()
    stored = _valid(cache.stored(CACHE_NAME, *rich)) if rich is not None else {}
    prefix = f"{system}\n{'no colour' if no_color else 'colour'}\n"
    found: dict[tuple[str, ...], tuple[str, str]] = {}
    missing = []
    for definitions in combinations:
        entry = stored.get(prefix + "\n".join(definitions))
        if entry is None:
            missing.append(definitions)
        else:
            found[definitions] = entry
    if missing:
        computed = computed_by_rich(missing, system, no_color)
        found.update(computed)
        if rich is not None:
            stored.update((prefix + "\n".join(definitions), entry) for definitions, entry in computed.items())
            cache.store(CACHE_NAME, *rich, {key: list(entry) for key, entry in stored.items()})
    return found


def computed_by_rich(combinations: Iterable[tuple[str, ...]], system: str, no_color: bool) -> dict[tuple[str, ...], tuple[str, str]]:
    """rich.style's own answer: each combination of (one or more) definitions rendered around a text, taken apart there.

    (rich's Style keeps the codes it first rendered on the object, whatever colour system it is
    later asked for, as rich.console does too; a run of bbdiag renders for one colour system.)"""
    from rich.color import ColorSystem
    from rich.style import Style as RichStyle

    color_system = ColorSystem[COLOR_SYSTEMS[system]]
    out = {}
    for definitions in combinations:
        style = RichStyle.combine(RichStyle.parse(definition) for definition in definitions)
        if no_color:
            style = style.without_color
        before, _, after = style.render(_MARK, color_system=color_system).partition(_MARK)
        out[tuple(definitions)] = (before, after)
    return out


def _valid(data: object) -> dict[str, tuple[str, str]]:
    """The stored entries that are what `codes` stores (text keys, two strings of SGR codes each); nothing else."""
    if not isinstance(data, dict):
        return {}
    return {
        key: (entry[0], entry[1])
        for key, entry in data.items()
        if isinstance(entry, list) and len(entry) == 2 and all(isinstance(code, str) and SGR_CHARACTERS.issuperset(code) for code in entry)
    }


def _rich_identity() -> tuple[str, str] | None:
    """(rich's folder, what its answers depend on): the rich `import rich` would run, found without
    running it (the import system's own finders, as bbdiag.compiled_state finds regex), its
    distribution's name (which holds its version) and the path, size and mtime of its RICH_FILES."""
    from bbdiag import installed

    loaded = sys.modules.get("rich")
    folder = os.path.dirname(getattr(loaded, "__file__", None) or "") if loaded is not None else ""
    if not folder:
        spec = installed.find_spec("rich")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = os.path.abspath(next(iter(spec.submodule_search_locations)))
    try:
        distributions = sorted(name for name in os.listdir(os.path.dirname(folder)) if name.startswith("rich-") and name.endswith(".dist-info"))
        files = installed.identity(folder, RICH_FILES)
    except OSError:
        return None
    return folder, f"{FORMAT} rich escape codes\n" + "\n".join(distributions) + "\n" + files
