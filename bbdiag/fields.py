"""Typed access to one entry of a TOML data file (a pattern, a policy, a fact).

Every error names the entry and the field, so whoever edits the data sees at once what to fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Fields:
    def __init__(self, name: str, data: Mapping[str, Any], error: type[Exception]) -> None:
        self.name, self.data, self._error_type = name, data, error

    def error(self, key: str, problem: str) -> Exception:
        return self._error_type(f"{self.name}: field '{key}': {problem}")

    def _get(self, key: str, optional: bool) -> Any:
        if key not in self.data:
            if optional:
                return None
            raise self.error(key, "missing")
        return self.data[key]

    def text(self, key: str, optional: bool = False) -> Any:
        value = self._get(key, optional)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.error(key, "must be a non-empty string")
        return value

    def texts(self, key: str, optional: bool = False) -> list[str]:
        value = self._get(key, optional)
        if value is None:
            return []
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a non-empty list of non-empty strings")
        return value

    def choice(self, key: str, allowed: Iterable[str], optional: bool = False) -> Any:
        value = self.text(key, optional)
        if value is not None and value not in allowed:
            raise self.error(key, f"'{value}' is not one of: {', '.join(allowed)}")
        return value

    def integer(self, key: str, low: int, high: int, default: int) -> int:
        value = self._get(key, optional=True)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.error(key, f"must be a whole number from {low} to {high}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, optional=True)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def date(self, key: str, optional: bool = False) -> Any:
        value = self._get(key, optional)
        if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
            raise self.error(key, "must be a date (YYYY-MM-DD, unquoted)")
        return value

    def table(self, key: str) -> dict[str, str]:
        value = self._get(key, optional=True)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.error(key, "must be a table of strings")
        return value

    def no_unknown_fields(self, known: frozenset[str]) -> None:
        unknown = sorted(set(self.data) - known)
        if unknown:
            raise self.error(unknown[0], "unknown field (a typo?)")
