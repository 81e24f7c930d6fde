"""Records: `class Step(NamedTuple)` as typing writes it, for mypy, and a cheaper class at run time.

typing.NamedTuple is the dearest way Python offers to say a record: importing `typing` alone is
16M instructions (explain's whole run is about 300M, a bare interpreter 38M), and each class then
compiles a ForwardRef for every annotated field and collections.namedtuple's eval'd `__new__`,
about 1M more a class; explain defines some 30. The class below reads the same class body
(annotations in order, defaults after them, methods, properties, docstrings) and makes the same
tuple subclass without compiling anything: `_fields`, `_field_defaults`, `_make`, `_replace`,
`_asdict`, the `Name(field=value)` repr, pickling and `match` all behave as namedtuple's do.
mypy is given typing.NamedTuple itself (`TYPE_CHECKING`), so the records are exactly as strict.

`TYPE_CHECKING = False` in bbdiag's modules is typing.TYPE_CHECKING without importing typing:
mypy takes any name TYPE_CHECKING for true.
"""

from __future__ import annotations

from operator import itemgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:

    class _Maker(type):
        """The metaclass of NamedTuple below: `class X(NamedTuple)` comes out a tuple subclass."""

        def __new__(mcls, name, bases, namespace):
            if bases == ():  # NamedTuple itself
                return super().__new__(mcls, name, bases, namespace)
            return _record(name, namespace)

    class NamedTuple(metaclass=_Maker):
        """Base a record class names; the class made is a plain tuple subclass (see the module)."""

    def _record(name, namespace):
        if "__annotations__" not in namespace:  # annotations not postponed (PEP 649's lazy ones): typing's own
            import types
            import typing

            return types.new_class(name, (typing.NamedTuple,), exec_body=lambda made: made.update(namespace))
        fields = tuple(namespace["__annotations__"])
        defaults = {}
        for field in fields:
            if field in namespace:
                defaults[field] = namespace.pop(field)
            elif defaults:
                raise TypeError(f"{name}: field {field} without a default follows a field with one")
            if field.startswith("_"):
                raise ValueError(f"{name}: field names cannot start with an underscore: {field!r}")
        for i, field in enumerate(fields):
            namespace[field] = property(itemgetter(i), doc=f"Alias for field number {i}")
        namespace.update(
            __slots__=(),
            _fields=fields,
            _field_defaults=defaults,
            __match_args__=fields,
            __new__=_new,
            _make=classmethod(_make),
            _replace=_replace,
            _asdict=_asdict,
            __repr__=_repr,
            __getnewargs__=_getnewargs,
        )
        namespace.setdefault("__doc__", f"{name}({', '.join(fields)})")
        return type(name, (tuple,), namespace)

    def _new(cls, *values, **named):
        fields = cls._fields
        if named or len(values) != len(fields):
            values = _bound(cls, values, named)
        return tuple.__new__(cls, values)

    def _bound(cls, values, named):
        """The positional and keyword arguments, and the defaults, in the fields' order."""
        fields = cls._fields
        if len(values) > len(fields):
            raise TypeError(f"{cls.__name__}() takes {len(fields)} arguments but {len(values)} were given")
        bound = list(values)
        for field in fields[len(values) :]:
            if field in named:
                bound.append(named.pop(field))
            elif field in cls._field_defaults:
                bound.append(cls._field_defaults[field])
            else:
                raise TypeError(f"{cls.__name__}() missing required argument: {field!r}")
        if named:
            taken = [field for field in named if field in fields]
            what = "got multiple values for argument" if taken else "got an unexpected keyword argument"
            raise TypeError(f"{cls.__name__}() {what} {(taken or list(named))[0]!r}")
        return bound

    def _make(cls, iterable):
        values = tuple(iterable)
        if len(values) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(values)}")
        return tuple.__new__(cls, values)

    def _replace(self, /, **changes):
        record = self._make(changes.pop(field, value) for field, value in zip(self._fields, self, strict=True))
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return record

    def _asdict(self):
        return dict(zip(self._fields, self, strict=True))

    def _repr(self):
        return f"{type(self).__name__}({', '.join(f'{field}={value!r}' for field, value in zip(self._fields, self, strict=True))})"

    def _getnewargs(self):
        return tuple(self)
