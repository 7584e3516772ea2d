"""Checking a concept check: the options picked, or the number typed."""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from fractions import Fraction

from tutor.core.model import ChoiceExercise

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FRACTION = re.compile(r"([+-]?\d{1,300})\s*/\s*(\d{1,300})")  # so the quotient fits a float


@dataclass(frozen=True)
class ChoiceResult:
    """The verdict on a concept check."""

    correct: bool
    answer: str
    """What was answered, as stored: option numbers (1-based, e.g. "2,3") or the number."""
    feedback: str
    """What was right or wrong about it, in a sentence; the explanation is shown as well."""


class NumberError(ValueError):
    """The text is not a number; the message says what to type."""


def parse_number(text: str) -> float:
    """'0.25', '−1e-3', '1/4' → float; anything else raises NumberError."""
    cleaned = text.strip().replace("−", "-").replace("\u2009", "").replace(" ", "")
    if _NUMBER.fullmatch(cleaned):
        value = float(cleaned)
    elif (fraction := _FRACTION.fullmatch(cleaned)) and int(fraction.group(2)) != 0:
        value = float(Fraction(int(fraction.group(1)), int(fraction.group(2))))
    else:
        raise NumberError("type a number, such as 0.25, -3, 1e-3 or 1/4")
    if not math.isfinite(value):
        raise NumberError("type a finite number")
    return value


def check_number(exercise: ChoiceExercise, text: str) -> ChoiceResult:
    """A numeric answer, right within the exercise's relative tolerance."""
    assert exercise.numeric_answer is not None
    value = parse_number(text)
    expected = exercise.numeric_answer
    # The 1e-12 forgives float rounding at the boundary (0.251 vs 0.25 ± 0.001).
    bound = exercise.tolerance * max(1.0, abs(expected)) * (1 + 1e-12) + 1e-15
    correct = abs(value - expected) <= bound
    shown = f"{value:.12g}"
    feedback = "Right." if correct else f"Not quite: {shown} is not the value asked for."
    return ChoiceResult(correct, shown, feedback)


def check_options(exercise: ChoiceExercise, picked: Collection[int]) -> ChoiceResult:
    """Options picked (0-based); every right option and no wrong one is needed."""
    chosen, right = set(picked), set(exercise.correct)
    answer = ",".join(str(index + 1) for index in sorted(chosen))
    if chosen == right:
        return ChoiceResult(True, answer, "Right.")
    if len(right) == 1:
        return ChoiceResult(False, answer, "Not this one.")
    wrong, missed = len(chosen - right), len(right - chosen)
    details = []
    if wrong:
        details.append(f"{wrong} of your choices {'is' if wrong == 1 else 'are'} not true")
    if missed:
        details.append(f"{missed} true statement{'' if missed == 1 else 's'} not picked")
    return ChoiceResult(False, answer, f"Not quite: {' and '.join(details)}.")
