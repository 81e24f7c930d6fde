"""bbdiag.records.NamedTuple behaves as typing.NamedTuple does, for everything bbdiag's records use.

The class is what every record at run time is made with (typing's is only mypy's), so each
difference from typing's would be a bug somewhere else: the cache (`_fields`), scan's workers
(pickling), the renderers (`_asdict`, repr), `_replace` in the remedies.
"""

from __future__ import annotations

import pickle
import typing

import pytest

from bbdiag.records import NamedTuple


class Ours(NamedTuple):
    """A record with a docstring."""

    text: str
    command: str | None = None
    uses: int = 0

    @property
    def shown(self) -> str:
        return f"{self.text}: {self.command}"


class Theirs(typing.NamedTuple):
    text: str
    command: str | None = None
    uses: int = 0


def test_a_record_is_the_tuple_typing_makes() -> None:
    ours = Ours("a", uses=3)
    theirs = Theirs("a", uses=3)
    assert tuple(ours) == tuple(theirs) == ("a", None, 3)
    assert Ours("a", uses=3) == ("a", None, 3) and hash(ours) == hash(("a", None, 3))
    assert issubclass(Ours, tuple) and not hasattr(ours, "__dict__")  # __slots__ = (): no per-record dict
    assert (ours.text, ours.command, ours.uses, ours[2]) == ("a", None, 3, 3)
    assert Ours._fields == Theirs._fields == ("text", "command", "uses")
    assert Ours._field_defaults == Theirs._field_defaults == {"command": None, "uses": 0}
    assert Ours.__match_args__ == Theirs.__match_args__
    assert repr(ours) == repr(theirs).replace("Theirs", "Ours") == "Ours(text='a', command=None, uses=3)"
    assert ours._asdict() == theirs._asdict() == {"text": "a", "command": None, "uses": 3}
    assert ours._replace(command="git") == Ours("a", "git", 3) and type(ours._replace()) is Ours
    assert Ours._make(["b", "c", 1]) == Ours("b", "c", 1)
    assert ours.shown == "a: None" and Ours.__doc__ == "A record with a docstring."
    assert Ours.__module__ == __name__ and Ours.__qualname__ == "Ours"


def test_a_record_pickles_and_matches() -> None:
    """scan's workers send records between processes; `match` reads them by position and name."""
    ours = Ours("a", "b", 2)
    again = pickle.loads(pickle.dumps(ours))
    assert again == ours and type(again) is Ours
    match ours:
        case Ours(text, command, uses=n):
            assert (text, command, n) == ("a", "b", 2)
        case _:
            pytest.fail("no match")


def test_wrong_arguments_are_refused_as_typing_refuses_them() -> None:
    with pytest.raises(TypeError, match="missing required argument: 'text'"):
        Ours()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes 3 arguments but 4 were given"):
        Ours("a", "b", 1, 2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Ours("a", colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'text'"):
        Ours("a", text="b")  # type: ignore[misc]
    with pytest.raises(ValueError, match="unexpected field names"):
        Ours("a")._replace(colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="Expected 3 arguments, got 1"):
        Ours._make(["a"])


def test_a_field_without_a_default_after_one_with_is_refused() -> None:
    with pytest.raises(TypeError, match="without a default"):
        exec("class Bad(NamedTuple):\n    a: int = 0\n    b: int\n", {"NamedTuple": NamedTuple, "__name__": "x"})


def test_a_subclass_of_a_record_is_a_plain_subclass() -> None:
    class Shouting(Ours):
        __slots__ = ()

        def loud(self) -> str:
            return self.text.upper()

    assert Shouting("a").loud() == "A" and Shouting("a") == Ours("a") and Shouting._fields == Ours._fields
