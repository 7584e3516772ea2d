"""The status marks shown before each item in the app."""

from __future__ import annotations

from tutor.core.curriculum import ItemEntry
from tutor.core.progress import ItemStatus

STATUS_MARKS: dict[ItemStatus, str] = {"not_started": "·", "in_progress": "◐", "done": "✓"}
UNKNOWN_MARK = "?"
"""Shown when progress could not be read."""


def mark_of(entry: ItemEntry) -> str:
    """The mark for an item's status."""
    return UNKNOWN_MARK if entry.status is None else STATUS_MARKS[entry.status]


def bar(done: int, total: int, width: int = 10) -> str:
    """A text progress bar: ███░░░░░░░."""
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)
