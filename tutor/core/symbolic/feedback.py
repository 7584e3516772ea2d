"""What a wrong derivative got wrong: a flipped sign, a constant factor, a missing local
derivative, the derivative by another variable, the forward value itself, or plain zero.

Every diagnosis is a relation between the answer and something known (−expected, c·expected,
expected/factor, another derivative, the forward value) checked numerically at the same
random points `equivalence` uses, at 50 digits. A diagnosis is claimed only when its
relation holds at every point where all its expressions are defined, and there are at least
`MIN_POINTS` such points: a claim is never "roughly" true. Nor is one made for an answer
that is undefined at a point where the derivative exists (`4 log x` is not "twice"
`log x²` on a real domain). When nothing fits, `diagnose` returns None and the checker
gives its generic message.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

import mpmath  # type: ignore[import-untyped]

from tutor.core.symbolic.equivalence import Domain, Evaluator, sample_points

__all__ = ["MIN_POINTS", "Diagnosis", "diagnose"]

SAMPLE_POINTS = 32
"""Points every expression is evaluated at (a relu derivative is 0 on half of them)."""
MIN_POINTS = 6
"""A relation must hold at this many points (where everything is defined) to be claimed."""
RELATIVE_TOLERANCE = 1e-20
"""Two 50-digit values count as equal within this relative error…"""
ABSOLUTE_TOLERANCE = 1e-30
"""…or this absolute one (values that should be 0 carry rounding noise)."""
MAX_DENOMINATOR = 1000
"""A constant factor is named as a fraction p/q with q up to this; else as a decimal."""


@dataclass(frozen=True)
class Diagnosis:
    """A recognised mistake, with what to tell the learner."""

    tag: str
    """Stable tag: `zero`, `sign`, `forward-value`, `wrong-variable`, `missing-factor`,
    `extra-factor` or `factor`."""
    message: str
    """One or two sentences for the learner, in terms of backprop (not of SymPy)."""


Values = list[Any]
"""One expression's 50-digit values at the sample points (None where it has none)."""


class _Samples:
    """Expressions evaluated at one shared set of points, each only once."""

    MAX_CACHED = 512
    """Answers come and go; a part's forward value, local factors and other derivatives stay.
    Past this many, the cache starts again rather than grow with every attempt."""

    def __init__(self, domains: Mapping[Any, Domain], seed: int) -> None:
        self.points = sample_points(domains, seed, SAMPLE_POINTS)
        self.cache: dict[Any, Values] = {}

    def values(self, expr: Any) -> Values:
        if expr not in self.cache:
            if len(self.cache) >= self.MAX_CACHED:
                self.cache.clear()
            try:
                evaluator = Evaluator(expr)
                self.cache[expr] = [evaluator(point) for point in self.points]
            except (ValueError, KeyError, TypeError):  # cannot evaluate, or a stray symbol
                self.cache[expr] = [None] * len(self.points)
        return self.cache[expr]


@lru_cache(maxsize=16)
def _shared_samples(domains: tuple[tuple[Any, Domain], ...], seed: int) -> _Samples:
    return _Samples(dict(domains), seed)


def _samples_for(domains: Mapping[Any, Domain], seed: int) -> _Samples:
    """The sample set for these domains and seed, shared by every diagnosis that uses them,
    so a part's own expressions are evaluated once, not at every wrong answer."""
    key = tuple(sorted(domains.items(), key=lambda item: str(item[0])))
    return _shared_samples(key, seed)


def _close(a: Any, b: Any) -> bool:
    difference = abs(a - b)
    return bool(
        difference <= ABSOLUTE_TOLERANCE or difference <= RELATIVE_TOLERANCE * max(abs(a), abs(b))
    )


def _rows(*columns: Values) -> list[tuple[Any, ...]]:
    """The points where every column has a value."""
    return [row for row in zip(*columns, strict=True) if all(v is not None for v in row)]


def _always(rows: Sequence[tuple[Any, ...]], left: int, right: Any) -> bool:
    """True when enough rows exist and in each, column `left` equals `right(row)`."""
    return len(rows) >= MIN_POINTS and all(_close(row[left], right(row)) for row in rows)


def _is_zero(values: Values) -> bool:
    present = [v for v in values if v is not None]
    return len(present) >= MIN_POINTS and all(abs(v) <= ABSOLUTE_TOLERANCE for v in present)


def _is_constant_unit(values: Values) -> bool:
    """Always 0, 1 or −1: multiplying by it explains nothing."""
    present = [v for v in values if v is not None]
    return any(all(_close(v, unit) for v in present) for unit in (0, 1, -1))


_DERIVATIVE = re.compile(r"(?:∂|(?<!\w)d)\s*([^\s/∂=()]+?)\s*/\s*(?:∂|d)")
"""`∂L/∂w` or `dc/dx`, anywhere in a label: the group is what is differentiated."""


def derivative_numerator(label: str | None) -> str | None:
    """`L` from labels like `∂L/∂w`, `dc/dx` or `δ1 = ∂L/∂z1` (the last derivative written);
    None when the label writes no derivative ("the update of w after one step")."""
    found = _DERIVATIVE.findall(label or "")
    return found[-1] if found else None


def _constant_ratio(answer: Values, expected: Values) -> Any:
    """c when answer = c · expected at every point (enough points with expected ≠ 0)."""
    rows = _rows(answer, expected)
    if len(rows) < MIN_POINTS:
        return None
    ratios = []
    for a, e in rows:
        if abs(e) <= ABSOLUTE_TOLERANCE:
            if abs(a) > ABSOLUTE_TOLERANCE:
                return None  # expected is 0 here, the answer is not: no constant factor
            continue
        ratios.append(a / e)
    if len(ratios) < MIN_POINTS or not all(_close(r, ratios[0]) for r in ratios):
        return None
    return ratios[0]


def _as_fraction(value: Any) -> Fraction | None:
    """The simple fraction `value` is (to 50 digits), or None."""
    candidate = Fraction(str(value)).limit_denominator(MAX_DENOMINATOR)
    with mpmath.workdps(60):  # the global 15 digits would make 1/100 "not a fraction"
        exact = mpmath.mpf(candidate.numerator) / candidate.denominator
        return candidate if _close(value, exact) else None


_NAMED = {Fraction(1, 2): "½", Fraction(1, 3): "⅓", Fraction(1, 4): "¼", Fraction(2, 3): "⅔"}


def _show_factor(value: Any) -> str:
    fraction = _as_fraction(abs(value))
    if fraction is None:
        return f"about {mpmath.nstr(abs(value), 6)}"
    if fraction in _NAMED:
        return _NAMED[fraction]
    return str(fraction)


def _factor_message(ratio: Any) -> str:
    size = _as_fraction(abs(ratio))
    shown = _show_factor(ratio)
    if ratio < 0:
        return (
            f"The sign is flipped and the size is off by a factor of {shown}. Check each "
            "minus sign on the path and the constants: the exponent the power rule brings "
            "down, and any ½ or 1/N in front of the loss."
        )
    if size == 2:
        return (
            "Off by a factor of 2: your answer is twice the derivative. A ½ in front of a "
            "square, as in L = ½(y − a)², cancels the 2 the power rule brings down: was it "
            "dropped? Or was a path counted twice?"
        )
    if size == Fraction(1, 2):
        return (
            "Off by a factor of ½: your answer is half the derivative. Did you forget the 2 "
            "the power rule brings down from a square, or keep a ½ it had already cancelled?"
        )
    return (
        f"Off by a factor of {shown}: the shape is right but a constant is wrong. Check the "
        "exponent the power rule brings down, any ½ or 1/N in front of the loss, and "
        "whether a path was counted more than once."
    )


def _joined(labels: Iterable[str]) -> str:
    return " and ".join(labels)


def diagnose(
    answer: Any,
    expected: Any,
    *,
    domains: Mapping[Any, Domain],
    forward: Any | None = None,
    other_derivatives: Mapping[str, Any] | None = None,
    local_factors: Mapping[str, Any] | None = None,
    extra_factors: Mapping[str, Any] | None = None,
    seed: int = 0,
    label: str | None = None,
    forward_label: str | None = None,
) -> Diagnosis | None:
    """The recognised mistake in a wrong `answer`, or None when no diagnosis fits exactly.

    `answer` and `expected` are SymPy expressions in the variables of `domains` (as given to
    `equivalence.compare`). `forward` is the value being differentiated; `other_derivatives`
    maps labels like `∂L/∂b` to derivatives by the other variables; `local_factors` maps
    labels like `∂a/∂z = σ(z)(1 − σ(z))` to the local derivatives on the path, the ones an
    answer may lack; `extra_factors` (default: `local_factors`) to those an answer may have
    multiplied in by mistake. `label` (e.g.
    `∂L/∂w`) and `forward_label` (e.g. `L`, taken from `label` if not given) only make the
    messages more specific. Checked in this order, the first that holds wins: zero, sign,
    forward value, wrong variable, one or two missing local factors, an extra local factor,
    a constant factor.
    """
    samples = _samples_for(domains, seed)
    a, e = samples.values(answer), samples.values(expected)
    both = _rows(a, e)
    if len(both) < MIN_POINTS or _always(both, 0, lambda row: row[1]):
        return None  # not enough to go on, or not wrong at all
    if any(value is None and wanted is not None for value, wanted in zip(a, e, strict=True)):
        return None  # the answer does not exist everywhere the derivative does
    checks: tuple[Callable[[], Diagnosis | None], ...] = (
        lambda: _zero(a, e),
        lambda: _sign(both),
        lambda: _forward(samples, a, e, forward, forward_label or derivative_numerator(label)),
        lambda: _wrong_variable(samples, a, e, other_derivatives or {}, label),
        lambda: _missing(samples, a, e, local_factors or {}),
        lambda: _extra(
            samples, a, e, (local_factors or {}) if extra_factors is None else extra_factors
        ),
        lambda: _factor(a, e),
    )
    for check in checks:
        if (found := check()) is not None:
            return found
    return None


def _zero(answer: Values, expected: Values) -> Diagnosis | None:
    if not _is_zero(answer) or _is_zero(expected):
        return None
    return Diagnosis(
        "zero",
        "Your answer is 0, but this derivative is not: the variable does reach the output. "
        "Follow the path from the output back to it and multiply the local derivatives on it.",
    )


def _sign(rows: Sequence[tuple[Any, ...]]) -> Diagnosis | None:
    if not _always(rows, 0, lambda row: -row[1]):
        return None
    return Diagnosis(
        "sign",
        "The sign is flipped: your answer is exactly the negative of the derivative. Look "
        "for a local derivative with a minus sign, such as ∂(y − a)/∂a = −1 or the −z "
        "inside e^(−z), that was dropped or counted twice.",
    )


def _forward(
    samples: _Samples, answer: Values, expected: Values, forward: Any, name: str | None
) -> Diagnosis | None:
    if forward is None:
        return None
    rows = _rows(answer, expected, samples.values(forward))
    if not _always(rows, 0, lambda row: row[2]) or _always(rows, 1, lambda row: row[2]):
        return None
    what = f"{name} itself" if name else "the expression itself"
    return Diagnosis(
        "forward-value",
        f"That is the value of {what}, not its derivative. Differentiate it: multiply the "
        "local derivatives on the path back to the variable.",
    )


def _wrong_variable(
    samples: _Samples,
    answer: Values,
    expected: Values,
    others: Mapping[str, Any],
    label: str | None,
) -> Diagnosis | None:
    for other_label, other in others.items():
        rows = _rows(answer, expected, samples.values(other))
        if _always(rows, 0, lambda row: row[2]) and not _always(rows, 1, lambda row: row[2]):
            asked = label or "the derivative this part asks for"
            return Diagnosis(
                "wrong-variable",
                f"That is {other_label}, not {asked}: the last step of the chain should "
                "differentiate by the variable this part asks about.",
            )
    return None


def _useful_factors(samples: _Samples, factors: Mapping[str, Any]) -> list[tuple[str, Values]]:
    useful = []
    for factor_label, factor in factors.items():
        values = samples.values(factor)
        if not _is_constant_unit(values):
            useful.append((factor_label, values))
    return useful


def _missing(
    samples: _Samples, answer: Values, expected: Values, factors: Mapping[str, Any]
) -> Diagnosis | None:
    if _is_constant(answer):
        return None  # "1 is missing ∂a/∂z" only restates the question
    useful = _useful_factors(samples, factors)
    for size in (1, 2):
        for chosen in itertools.combinations(useful, size):
            rows = _rows(answer, expected, *(values for _, values in chosen))
            if _always(rows, 1, lambda row: _product(row[0], row[2:])):
                labels = [factor_label for factor_label, _ in chosen]
                what = "the local derivative" if size == 1 else "the local derivatives"
                return Diagnosis(
                    "missing-factor",
                    f"You left out {what} {_joined(labels)}: the chain rule multiplies by "
                    "every local derivative on the path.",
                )
    return None


def _extra(
    samples: _Samples, answer: Values, expected: Values, factors: Mapping[str, Any]
) -> Diagnosis | None:
    for factor_label, values in _useful_factors(samples, factors):
        rows = _rows(answer, expected, values)
        if _always(rows, 0, lambda row: row[1] * row[2]):
            return Diagnosis(
                "extra-factor",
                f"Your answer has an extra factor {factor_label}: multiply only the local "
                "derivatives on the path from the output to this variable, each once.",
            )
    return None


def _product(first: Any, rest: Sequence[Any]) -> Any:
    for value in rest:
        first = first * value
    return first


SIMPLE_FACTOR_TERMS = (4, 128)
"""A constant factor is named only when it is a fraction whose smaller term is at most 4 and
larger at most 128 (2, ½, ¾, 1/32, 1/100): the slips a learner makes are a dropped ½, an
extra 2, a batch size, a slope; 76/75 or π is just a different number."""


def _factor(answer: Values, expected: Values) -> Diagnosis | None:
    ratio = _constant_ratio(answer, expected)
    if ratio is None or _close(ratio, 0) or _close(ratio, 1) or _close(ratio, -1):
        return None
    fraction = _as_fraction(abs(ratio))
    if fraction is None:
        return None
    small, large = sorted((fraction.numerator, fraction.denominator))
    if small > SIMPLE_FACTOR_TERMS[0] or large > SIMPLE_FACTOR_TERMS[1]:
        return None
    return Diagnosis("factor", _factor_message(ratio))


def _is_constant(values: Values) -> bool:
    present = [value for value in values if value is not None]
    return bool(present) and all(_close(value, present[0]) for value in present)
