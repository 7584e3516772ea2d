"""A small checker for TOML tables that reports problems an author can act on.

tomllib gives dictionaries without positions, so a field's line is found by looking for
`key =` or `[key]` in the source text: good enough to point an author at the right place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.core.model import Problem

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
ID_RULE = "use 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit"

_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


@dataclass(frozen=True)
class Field:
    """How one key of a table must look."""

    expected: type
    required: bool = False
    items: type | None = None
    """For lists: the type every element must have."""


Spec = Mapping[str, Field]


def _is_type(value: object, expected: type) -> bool:
    # TOML booleans are ints in Python, and an integer is a fine number.
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


class TableReader:
    """Checks tables from one file against specs, collecting problems instead of raising."""

    def __init__(self, file: Path, text: str) -> None:
        self.file = file
        self._lines = text.splitlines()
        self.problems: list[Problem] = []

    def line_of(self, field: str) -> int | None:
        """The first line that assigns or opens the last component of a dotted field."""
        key = re.sub(r"\[\d+\]", "", field).rsplit(".", 1)[-1]
        pattern = re.compile(rf'^\s*(\[\[?\s*)?("?){re.escape(key)}\2\s*(=|\]|\.)')
        return next((n for n, line in enumerate(self._lines, 1) if pattern.match(line)), None)

    def problem(self, message: str, field: str | None = None) -> None:
        """Record a problem, locating `field` in the file when possible."""
        line = self.line_of(field) if field else None
        self.problems.append(Problem(self.file, message, field, line))

    def check(self, table: Mapping[str, Any], spec: Spec, prefix: str = "") -> bool:
        """Report unknown, missing and mistyped keys; True when the table is usable."""
        before = len(self.problems)
        for key in table:
            if key not in spec:
                known = ", ".join(sorted(spec))
                self.problem(f"unknown field '{key}' (known fields: {known})", prefix + key)
        for key, rule in spec.items():
            if key not in table:
                if rule.required:
                    self.problem(f"missing required field '{key}'", prefix + key or None)
                continue
            self._check_type(table[key], rule, prefix + key)
        return len(self.problems) == before

    def _check_type(self, value: object, rule: Field, name: str) -> None:
        if not _is_type(value, rule.expected):
            got = type(value).__name__
            self.problem(f"must be {_TYPE_NAMES[rule.expected]}, not {got} {value!r:.40}", name)
        elif rule.items is not None and isinstance(value, list):
            for index, element in enumerate(value):
                if not _is_type(element, rule.items):
                    expected = _TYPE_NAMES[rule.items]
                    self.problem(f"element {index} must be {expected}, got {element!r:.40}", name)

    def check_id(self, value: object, field: str) -> bool:
        """True when `value` is a valid id; otherwise records why not."""
        if isinstance(value, str) and ID_PATTERN.match(value):
            return True
        self.problem(f"invalid id {value!r}: {ID_RULE}", field)
        return False
