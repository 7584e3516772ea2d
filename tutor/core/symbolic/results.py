"""What a derivation check returns: plain data, shared by the checker, the CLI and the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PartStatus = Literal["correct", "incorrect", "invalid", "undecided"]
"""`invalid`: the text could not be read (not counted as an attempt); `undecided`: the checker
could not decide in time or at all — never reported as wrong."""


@dataclass(frozen=True)
class PartResult:
    """The verdict on one part of a derivation exercise."""

    part_id: str
    label: str
    """How the part is shown, e.g. `∂L/∂w`."""
    status: PartStatus
    answer: str
    """The text the learner typed."""
    parsed: str | None
    """How the answer was read, pretty-printed in Unicode; None when it could not be read."""
    feedback: str
    """One or two sentences for the learner; empty when correct."""
    mistake: str | None = None
    """A stable tag for the recognised mistake: `sign`, `factor`, `missing-factor`,
    `wrong-variable`, `forward-value`, `known`, `parse`, `timeout`, … (None when correct)."""
    position: int | None = None
    """For `invalid`: the 0-based character offset the message points at, when known."""

    @property
    def correct(self) -> bool:
        """True only for a decided, correct answer."""
        return self.status == "correct"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on every part the learner answered."""

    parts: tuple[PartResult, ...]
    variant: dict[str, str] = field(default_factory=dict)
    """The randomised parameter values this learner's exercise used."""

    @property
    def correct(self) -> bool:
        """All parts correct."""
        return bool(self.parts) and all(part.correct for part in self.parts)

    @property
    def invalid(self) -> bool:
        """Some part could not be read: the attempt should not be counted."""
        return any(part.status == "invalid" for part in self.parts)

    @property
    def score(self) -> float:
        """Fraction of parts correct."""
        return sum(part.correct for part in self.parts) / len(self.parts) if self.parts else 0.0
