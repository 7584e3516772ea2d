"""A small checker for TOML tables that reports problems an author can act on.

tomllib gives dictionaries without positions, so a field's line is found by looking for
`key =` or `[key]` in the source text: good enough to point an author at the right place.
"""

from __future__ import annotations

import difflib
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


_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(#.*)?$")
_INDEXED = re.compile(r"^(.*)\[(\d+)\]$")


def _statement_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of every line not inside a multi-line string (a prompt, say)."""
    statements = []
    open_quote: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if open_quote is None:
            statements.append((number, line))
        for quote in ('"""', "'''"):
            if open_quote in (None, quote) and line.count(quote) % 2:
                open_quote = None if open_quote else quote
    return statements


def _split_index(part: str) -> tuple[str, int]:
    """`parts[2]` → ("parts", 2); a name without an index is its first (only) table."""
    indexed = _INDEXED.match(part)
    return (indexed.group(1), int(indexed.group(2))) if indexed else (part, 0)


def _is_type(value: object, expected: type) -> bool:
    # TOML booleans are ints in Python, and an integer is a fine number.
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _unknown_field_message(key: str, spec: Spec) -> str:
    close = difflib.get_close_matches(key, list(spec), n=1)
    if close:
        return f"unknown field '{key}': did you mean '{close[0]}'?"
    return f"unknown field '{key}' (known fields: {', '.join(sorted(spec))})"


class TableReader:
    """Checks tables from one file against specs, collecting problems instead of raising."""

    def __init__(self, file: Path, text: str) -> None:
        self.file = file
        self._statements = _statement_lines(text)
        self.problems: list[Problem] = []

    def line_of(self, field: str) -> int | None:
        """The line of a dotted field such as `parts[1].wrt`; None when it is not in the file.

        `name[n]` leads to the n-th `[[name]]` table and each step searches only the table
        reached so far, so `units[1].id` is the second unit's id, not the pack's, and a
        missing top-level key is not confused with a same-named key inside a table.
        """
        *tables, last = field.split(".")
        scope, start = "", 0
        for part in tables:
            name, index = _split_index(part)
            full = f"{scope}.{name}" if scope else name
            header = self._header(full, index, start, scope)
            if header is None:  # an inline table or array: its key is the best we know
                return self._key(name, start)
            scope, start = full, header + 1
        key = _split_index(last)[0]
        found = self._key(key, start)
        if found is None:  # the field may be a table of its own, e.g. `[variables]`
            header = self._header(f"{scope}.{key}" if scope else key, 0, start, scope)
            found = None if header is None else self._statements[header][0]
        return found

    def _key(self, key: str, start: int) -> int | None:
        """The line assigning `key` among the keys that follow statement `start`."""
        pattern = re.compile(rf'^\s*(["\']?){re.escape(key)}\1\s*[=.]')
        for number, line in self._statements[start:]:
            if _HEADER.match(line):
                return None
            if pattern.match(line):
                return number
        return None

    def _header(self, name: str, index: int, start: int, scope: str) -> int | None:
        """The statement opening the `index`-th table `name`, without leaving table `scope`."""
        seen = 0
        for position in range(start, len(self._statements)):
            header = _HEADER.match(self._statements[position][1])
            if header is None:
                continue
            opened = ".".join(p.strip().strip("\"'") for p in header.group(1).split("."))
            if scope and (opened == scope or not opened.startswith(scope + ".")):
                return None
            if opened == name:
                if seen == index:
                    return position
                seen += 1
        return None

    def problem(self, message: str, field: str | None = None) -> None:
        """Record a problem, locating `field` in the file when possible."""
        line = self.line_of(field) if field else None
        self.problems.append(Problem(self.file, message, field, line))

    def check(self, table: Mapping[str, Any], spec: Spec, prefix: str = "") -> bool:
        """Report unknown, missing and mistyped keys; True when the table is usable."""
        before = len(self.problems)
        for key in table:
            if key not in spec:
                self.problem(_unknown_field_message(key, spec), prefix + key)
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
