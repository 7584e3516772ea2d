"""What every built-in lesson's numbers are: one module per lesson, named after its file.

`content/chain-rule.md` → `tests/lesson_claims/chain_rule.py`, which defines `CLAIMS`, a
list of `claim(...)` and `given(...)` entries. `tests/test_lesson_numbers.py` checks that
each claim's text appears in the lesson, that the computed value rounds to the number the
text states, and that every number the lesson states after `=`, `≈` or `→` lies inside the
text of some claim. So a lesson cannot state a number that no test computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

NUMBER = re.compile(r"[−-]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[−-]?\d+)?")


@dataclass(frozen=True)
class Claim:
    """A passage of a lesson and, unless it only sets up the example, the value it states."""

    text: str
    """Exact text that appears in the lesson (a line, or part of one)."""
    compute: Callable[[], float] | None
    """Computes the stated number; None for a given (an input the example chooses)."""
    stated: str | None = None
    """The number as written, when it is not the last number of `text`."""


def claim(text: str, compute: Callable[[], float], stated: str | None = None) -> Claim:
    """`text` states a number (its last one, or `stated`) that `compute()` must round to."""
    return Claim(text, compute, stated)


def given(text: str) -> Claim:
    """`text` sets up the example (e.g. "x = 1"): its numbers are chosen, not computed."""
    return Claim(text, None)


def stated_number(item: Claim) -> str:
    """The number a claim asserts, as written."""
    if item.stated is not None:
        return item.stated
    numbers = NUMBER.findall(item.text)
    if not numbers:
        raise ValueError(f"claim {item.text!r} states no number")
    return str(numbers[-1])


def to_float(written: str) -> float:
    """'1,000' → 1000.0, '−0.5' → -0.5, '2e-3' → 0.002."""
    return float(written.replace(",", "").replace("−", "-"))


def rounding_tolerance(written: str) -> float:
    """Half a unit in the last digit shown: '0.005' allows ±0.0005, '20' allows ±0.5."""
    mantissa, _, exponent = written.replace("−", "-").partition("e")
    decimals = len(mantissa.partition(".")[2])
    scale = 10.0 ** int(exponent) if exponent else 1.0
    return 0.5 * 10.0**-decimals * scale
