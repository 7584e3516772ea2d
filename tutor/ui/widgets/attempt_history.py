"""The learner's past attempts at an exercise, newest first."""

from __future__ import annotations

import json
from datetime import datetime

from textual.widgets import Static

from tutor.core.progress import AttemptRecord

VERDICT_MARKS = {"correct": "✓", "passed": "✓", "incorrect": "✗", "undecided": "~"}
SHOWN = 8
"""Older attempts are summarised in one line."""


class AttemptHistory(Static):
    """A few lines: when, the verdict, and what was answered."""

    DEFAULT_CSS = """
    AttemptHistory { height: auto; color: $text-muted; margin-top: 1; }
    """

    def __init__(self) -> None:
        super().__init__("", id="attempt-history", markup=False)

    def show(self, attempts: list[AttemptRecord]) -> None:
        """Replace the list with `attempts` (oldest first, as the store returns them)."""
        if not attempts:
            self.update("No attempts yet.")
            return
        lines = [f"Attempts ({len(attempts)}):"]
        for number, attempt in reversed(list(enumerate(attempts, start=1))[-SHOWN:]):
            mark = VERDICT_MARKS.get(attempt.verdict, "✗")
            lines.append(f"  {number:>3}. {_local_time(attempt.at)}  {mark} {_summary(attempt)}")
        if len(attempts) > SHOWN:
            lines.append(f"  … and {len(attempts) - SHOWN} earlier")
        self.update("\n".join(lines))


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%b %d %H:%M")
    except ValueError:
        return iso[:16]


def _summary(attempt: AttemptRecord, width: int = 50) -> str:
    """The answer in one short line: the parts' texts, a code verdict, or the option picked."""
    if attempt.kind == "derivation":
        try:
            text = " · ".join(json.loads(attempt.answer).values())
        except (ValueError, AttributeError):
            text = attempt.answer
    elif attempt.kind == "code":
        text = attempt.verdict
    else:
        text = attempt.answer
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
