"""Is a learner's expression equal to the expected one? Evaluation at chosen points.

Both expressions are evaluated at the same points inside each variable's declared domain and
compared there. This is fast (a few milliseconds), and it is not fooled where `simplify`
gives up: σ(z)(1 − σ(z)) and e^(−z)/(1 + e^(−z))² agree at every point whether or not SymPy
can show it.

Where the points are
--------------------
Points are exact rationals with about six significant decimals (readable in a reason).

* Random points: a Latin hypercube of `points` points (each variable's range cut into
  `points` strata, one point in each). `real` and `nonzero` variables are sampled uniformly
  in [−4, 4], through 0 (never exactly 0; a point on a kink is skipped anyway); `positive`,
  `negative` and half-infinite intervals log-uniformly at 10⁻³ to 10² from their finite
  bound, so 0.001 < p < 0.01 is sampled as often as 10 < p < 100; finite intervals
  uniformly, 2 % clear of each end (see `Domain`).
* Breakpoint points: each variable that occurs in the argument of a kink (|x|, sign, step,
  max/min, a Piecewise condition, relu, leaky_relu) is scanned through its whole domain in
  floats — 4 points per decade of distance from 0 (or the finite bound) out to 100, every ½
  within ±4, the other variables held at the first random point — and wherever either
  expression switches branches (or becomes undefined) the switch is bisected. Points go on
  both sides of every breakpoint b: b ± 10⁻³·max(1, |b|), b ± 1, b ± 4, where the domain
  allows. So ReLU6's cap at 6, a clip at ±5 and the quadratic zone |r| < 1/9 of smooth L1
  are seen however far from, or close to, 0 they are.
* Tail points: `TAIL_POINTS` points with one real variable log-uniform in 4 < |x| < 50.
* Neighbours: when exactly one point differs, `NEIGHBOURS` points are drawn within 10⁻² to
  10⁻⁵ (relative) of it; a second difference there is evidence (a small region, not a fluke).

How a point is evaluated
------------------------
Each expression is compiled once, from the trusted SymPy tree, into closures: no text, no
`sympify`, no `lambdify`. Helpers (σ, relu, softplus, swish, leaky_relu) are compiled from
their elementary definitions, the rewrite `functions.explicit` makes; a float in the tree
means the decimal it prints as (`x**0.5` is `x**(1/2)`, `0.1` is 1/10). Then

* both sides are evaluated exactly, with `Fraction`s, when both are rational functions,
  possibly with |x|, sign, step, max/min or Piecewise: equality is exact, no tolerance
  (x² + 10⁻³⁰ differs from x²);
* otherwise at 50 significant digits (mpmath, a private context per thread). Sums record
  how many leading bits cancel (an estimate). Two values agree when they differ by less
  than 2^(lost + 24) units in the last place (2·10⁻⁴⁴ relative without cancellation,
  never more than 10⁻²⁵). A value that lost more than all but 100 bits is *imprecise*.
* A disagreement, an imprecise value, an undefined answer, and the first `SPOT_CHECKS`
  agreeing points are evaluated again *with error bounds* (`_BoundedCompiler`): every value
  carries an absolute bound on its error, from the rounding of its inputs and of every
  operation, passed on through sums, products, powers and functions (first order, with the
  derivative bounded over the error interval where it matters; widened 2^8 times before it
  decides anything). An absolute bound does not blow up where a sum cancels: 1 − step(z)
  for z > 0 is 0 ± 2^(2 − prec), z1 − max(z1, z2) is 0 ± a few |z1|·2^(−prec), and what
  is built from them stays precise. A kink, a max/min, a Piecewise condition, a logarithm, a
  fractional power or a division whose argument is within its bound of the switching value
  is *unresolved* at that precision.
  - Two bounded values *differ* when the gap exceeds both bounds; it counts as evidence only
    when it does so at 120 and at 250 digits and the 250-digit gap reproduces the 120-digit
    one to its bound (a true difference, however small, does not shrink with more digits;
    rounding noise does). An undefined answer counts only if undefined at 50, 120 and 250
    digits where the expected value exists.
  - They *agree* when the gap is within bounds below 2^-100 of the values (first tried at
    50 digits for an imprecise point: an exact cancellation is then usually precise), or,
    for values that are 0 in disguise (∂(p1 + p2 + p3)/∂z1 computed as 1e-121 ± 1e-118),
    when the gap collapsed with the added digits (or is exactly 0 from 120 digits on) and
    the bounds are below 10^(−digits/2).
  - Anything else skips the point: a value that cancellation left unknown even at 250
    digits (1 − σ(800)) is never evidence either way. A spot check that cannot be settled
    keeps its 50-digit agreement.

Evaluation is over the reals: a logarithm of a non-positive number, a fractional power of a
negative number, a division by zero or an inverse sine out of range is *undefined*; a point
on a kink (an argument of |x|, sign, step, max/min or a Piecewise condition within
10^(−0.6·digits) of its switching value), an overflow (e^x for x > 2300) or a failed
evaluation is *unreliable*, and is skipped.

Decision rules
--------------
* "different" when at least two points give confirmed evidence: the values differ, or the
  answer is undefined where the expected value exists (e.g. `2 log(x)` against `log(x²)`
  on a real domain: the learner's expression does not exist for x < 0). One lone
  difference is not enough (it could be a kink the sampler fell on): its neighbours are
  checked, sampling goes on, and if no second difference turns up the result is
  "undecided".
* "equal" when `points` points agree and none differs, and every region of a piecewise
  expression found by the float pre-pass (below) has an agreeing point. Points where the
  expected expression is undefined are replaced by fresh ones (up to 3 · `points`); when
  the replacements run out, half of `points` agreeing points are enough.
* "undecided" otherwise: too few comparable points (e.g. the expected expression is
  undefined on the whole domain, or every value underflows), the time budget used up,
  an undeclared symbol, or something that cannot be evaluated (an integral, `I`, `zoo`).
  Never "different" for lack of evidence, and never "equal" by default.

Why no `simplify` to confirm "equal"? Expressions built of analytic functions (polynomials,
exp, log, σ, tanh, powers of positive bases) that agree at 12 random points of a connected
domain are equal there: their difference is analytic, and a nonzero analytic function
vanishes only on a set of measure zero, which random points miss with probability one.
Lost precision cannot fake agreement: imprecise values are compared only with error bounds.
And `simplify` would add 0.1–5 s per check, cannot be interrupted within the time budget,
and fails to prove many true identities, which would turn correct answers into "could not
decide". Rational expressions are evaluated exactly, which is as good as a symbolic check at
those points.

Piecewise expressions (relu, |x|, max, step, Piecewise) are analytic only within regions,
and two of them may differ in one region only: besides the breakpoint points, a float
pre-pass evaluates 200 more random points, notes which branch every kink took (the point's
*region*) and checks a point in every region not yet covered.

What is still not seen (known gaps)
-----------------------------------
* A difference below what the spot checks resolve: one that is smaller than about 10⁻¹¹⁰
  of the values at every point (`e^z + 10⁻²⁰⁰` reads as equal), or smaller than the
  50-digit tolerance (≈ 2·10⁻⁴⁴ relative) and present only where no spot check falls.
* Values that are 0 ± ε at every precision on both sides agree: a difference below the
  error of a cancellation at 250 digits (2(1 − σ(z)) against 1 − σ(z) for z > 600, where
  both are 0 ± 10⁻²⁵⁰) is not seen.
* Narrow regions the breakpoint scan misses: two breakpoints closer than its grid spacing
  (a sliver 0.1 < x < 0.1005 that the 200 random points also miss), a region narrower than
  10⁻³·max(1, |b|) next to a breakpoint b, and kinks in several variables, which are
  scanned only along lines through one point (w·x > 20 is found, a thin band around a
  curve in the (w, x) plane may not be).
* A smooth difference confined near a point no sample comes close to, on an expression
  without a kink there: a bump e^(−10⁴(x − c)²) is invisible unless some point lands
  within ~0.1 of c (the neighbours then confirm it).
* Beyond the scanned ranges: a difference only at |x| > 100 on a real domain (the scan
  reaches 100, tail points 50), or only closer than 10⁻³ to the bound of a positive or
  half-infinite domain.
* The error rule for functions SymPy evaluates for us (no rule of their own) is a guess: at
  most 2^20 times the arguments' relative error.
* Constraints between variables (softmax targets summing to 1) are not sampled: the checker
  substitutes them (e.g. `y2 = 1 - y1`) before comparing, or passes them as
  `substitutions`, so every point satisfies them.
"""

from __future__ import annotations

import functools
import math
import random
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import mpmath  # type: ignore[import-untyped]
import sympy

from tutor.core.symbolic.functions import Helper, leaky_relu, relu

__all__ = [
    "Comparison",
    "Decision",
    "Domain",
    "Evaluator",
    "Point",
    "compare",
    "evaluate",
    "sample_points",
]

Decision = Literal["equal", "different", "undecided"]
Point = dict[Any, Fraction]
"""Values of the variables at one sample point: SymPy `Symbol` → exact rational."""

PRECISION_DIGITS = 50
"""Significant digits of the first evaluation."""
CONFIRM_DIGITS = (120, 250)
"""Precisions at which a disagreement is evaluated again, with error bounds, before it counts."""
FAST_SLACK_BITS = 24
"""At 50 digits two values agree when they differ by less than 2^(lost + 24) units in the last
place of the larger (lost: the bits the sums' cancellation cost): a 50-digit evaluation has no
error bound, so this slack absorbs the rounding of long chains (2^24 ≈ 1.7·10⁷ roundings). A
larger difference is checked again with error bounds."""
FAST_TOLERANCE_CAP = 1e-25
"""…but never more than this relative difference (heavy cancellation)."""
RESERVED_BITS = 100
"""A value is precise when at least this many bits (30 digits) of it are correct."""
NOTICED_LOSS_BITS = 8
"""Smaller cancellations in a sum are ignored (they cost less than 3 digits)."""
SAFETY_BITS = 8
"""Error bounds are widened by 2^8 before they decide anything: the first-order bounds of the
functions are not rigorous to the last bit, a factor of 256 makes them safe."""
SPOT_CHECKS = 2
"""Agreeing 50-digit points whose values are not identical that are evaluated again at 120
digits with error bounds: a difference below the 50-digit tolerance (an answer plus 10⁻⁶⁰)
shows there, rounding noise does not."""
KINK_DIGITS = Fraction(3, 5)
"""At d digits, an argument of a kink function within 10^(-0.6·d) of its switching value
(1e-30 at 50 digits) makes the point unreliable: the side it falls on is not trustworthy."""
FLOAT_KINK_TOLERANCE = 1e-9
"""The same for the float pre-pass."""
REGION_POOL = 200
"""Extra random points evaluated in floats to find the regions of piecewise expressions."""
MAX_REGIONS = 48
"""At most this many regions are checked at high precision (the most frequent first)."""
TRIES_PER_REGION = 3
"""Candidate points tried per unchecked region before the comparison gives up on it."""
EVIDENCE_NEEDED = 2
"""Points with confirmed differences needed to call two expressions different."""
NEIGHBOURS = 8
"""Points drawn close to a lone differing point before it is written off as a fluke."""
NEIGHBOUR_RADII = (Fraction(1, 10**2), Fraction(1, 10**3), Fraction(1, 10**4), Fraction(1, 10**5))
"""How far (relative to the value, or to 1/10 near 0) the neighbours move each variable."""
EVALUATOR_ABSOLUTE_ERROR = 1e-40
"""`Evaluator` also returns a value that cancellation left imprecise when its error bound is
below this absolute size (an expression that is identically 0 in disguise)."""
FALLBACK_CONDITION_BITS = 20
"""Functions evaluated by SymPy (no error rule of their own) are assumed to amplify the
relative error of their arguments at most 2^20 times."""

UNBOUNDED_SPAN = Fraction(4)
"""A real (or nonzero) variable is sampled uniformly in [−4, 4], through 0."""
LOG_NEAR, LOG_FAR = Fraction(1, 1000), Fraction(100)
"""A positive, negative or half-infinite domain is sampled log-uniformly at a distance of
10⁻³ to 10² from its finite bound (five decades)."""
TAIL_FAR = Fraction(50)
"""Tail points of real variables are log-uniform in 4 < |x| < 50."""
TAIL_POINTS = 4
"""Points per comparison with one real variable in its tail (the others as sampled)."""
INTERVAL_MARGIN = Fraction(1, 50)
"""Fraction of an interval's width kept clear at each end."""
HULL_GAP = Fraction(1, 10**6)
"""Breakpoint and neighbour points keep at least this far from a domain's finite bound."""
SIGNIFICANT_DIGITS = 6
"""Sample values have about this many significant decimals: short enough to read in a
reason, fine enough that a removable singularity or a kink (x = 1 in (x² − 1)/(x − 1))
is almost never hit exactly."""
BREAKPOINT_OFFSETS = (Fraction(1, 1000), Fraction(1), UNBOUNDED_SPAN)
"""Points are placed this far on both sides of every breakpoint (the first relative to
max(1, |b|)): just across the kink, a step further, and a span beyond."""
MAX_BREAKPOINT_POINTS = 36
"""At most this many breakpoint points per comparison (the nearest offsets first)."""
SCAN_STEPS_PER_DECADE = 4
"""The breakpoint scan's grid: four points per decade of |x| (and every 1/2 within ±4)."""
SCAN_RESOLUTION = 1e-7
"""A breakpoint is located to this relative precision (by bisection, in floats)."""
MAX_BREAKPOINTS_PER_SCAN = 16
"""A scan stops after this many breakpoints (step(sin x) has one every π)."""


# ----------------------------------------------------------------------------- domains


_INTERVAL_WORDS = {
    "real": (None, None),
    "nonzero": (None, None),
    "positive": (Fraction(0), None),
    "nonnegative": (Fraction(0), None),
    "negative": (None, Fraction(0)),
    "nonpositive": (None, Fraction(0)),
}
_BOUND = r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:inf|oo|∞))\s*"
_INTERVAL = re.compile(rf"^([\(\[]){_BOUND},{_BOUND}([\)\]])$")


@dataclass(frozen=True)
class Domain:
    """The values a variable takes, and the ranges it is sampled from.

    * `real` and `nonzero` (and `(-inf, inf)`): uniformly in [−4, 4], through 0 (a kink at 0
      is skipped by the kink tolerance, and 0 itself is never drawn), plus a few *tail*
      points at 4 < |x| < 50 (see `tails`);
    * `positive`, `negative`, `nonnegative`, `nonpositive` and half-infinite intervals like
      `(1, inf)`: log-uniformly at a distance of 10⁻³ to 10² from the finite bound, so every
      decade from 0.001 to 100 is sampled alike;
    * finite intervals: uniformly, 2 % of the width clear of each end.

    Samples are strictly inside the domain. Whether a bound is open or closed does not change
    them.
    """

    text: str
    """The domain as written: `real`, `positive`, `negative`, `nonzero`, `nonnegative`,
    `nonpositive`, or an interval like `(0, 1)`, `[-2, 2]`, `(0, inf)`."""
    ranges: tuple[tuple[Fraction, Fraction], ...]
    """Closed intervals samples are drawn from."""
    anchor: Fraction | None = None
    """None: `ranges` are sampled uniformly. Otherwise log-uniformly in the distance from
    this finite bound (0 for `positive`)."""
    tails: tuple[tuple[Fraction, Fraction], ...] = ()
    """Ranges beyond `ranges` that tail points are drawn from, log-uniformly in |x|."""
    hull: tuple[Fraction | None, Fraction | None] = (None, None)
    """Where breakpoint and neighbour points may go (None: unbounded on that side)."""
    nonzero: bool = False
    """0 is excluded (the `nonzero` domain)."""
    step: Fraction = field(init=False, repr=False, compare=False)
    """Uniform samples are multiples of this power of ten: about six significant decimals."""
    _grid: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _total: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        scale = max(max(abs(low), abs(high)) for low, high in self.ranges)
        narrowest = min(high - low for low, high in self.ranges)
        exponent = min(
            math.floor(math.log10(scale)) - SIGNIFICANT_DIGITS + 1,
            math.floor(math.log10(narrowest)) - 2,
        )
        step = Fraction(10) ** exponent
        grid = tuple((math.ceil(low / step), math.floor(high / step)) for low, high in self.ranges)
        object.__setattr__(self, "step", step)
        object.__setattr__(self, "_grid", grid)
        object.__setattr__(self, "_total", sum(high - low + 1 for low, high in grid))

    @classmethod
    def parse(cls, text: str) -> Domain:
        """The domain named by `text`; raises ValueError with a readable message."""
        word = text.strip().lower()
        if word in _INTERVAL_WORDS:
            low, high = _INTERVAL_WORDS[word]
            return _domain(text, low, high, nonzero=word == "nonzero")
        match = _INTERVAL.match(text.strip())
        if match is None:
            raise ValueError(
                f"unknown domain {text!r}: use real, positive, negative, nonzero, nonnegative "
                "or an interval like '(0, 1)'"
            )
        low, high = _bound(match.group(2)), _bound(match.group(3))
        if low is not None and high is not None and low >= high:
            raise ValueError(f"empty interval {text!r}: the lower bound must be below the upper")
        return _domain(text, low, high)

    def sample_at(self, quantile: float) -> Fraction:
        """The value at `quantile` ∈ [0, 1) of the sampling ranges."""
        if self.anchor is not None:
            ((nearest, farthest),) = self.ranges
            return _log_sample(self.anchor, nearest, farthest, quantile)
        total = self._total
        index = min(max(int(quantile * total), 0), total - 1)
        for low, high in self._grid:
            if index <= high - low:
                value = Fraction((low + index) * self.step.numerator, self.step.denominator)
                return value or self.step  # never exactly 0: through 0, not on it
            index -= high - low + 1
        raise AssertionError("unreachable: index is below the total")

    def sample(self, rng: random.Random) -> Fraction:
        """One random value strictly inside the domain, away from its bounds."""
        return self.sample_at(rng.random())

    def tail_sample(self, rng: random.Random, index: int) -> Fraction | None:
        """A value from the tails (alternating between them with `index`), or None."""
        if not self.tails:
            return None
        low, high = self.tails[index % len(self.tails)]
        return _log_sample(Fraction(0), low, high, rng.random())

    def admits(self, value: Fraction) -> bool:
        """Whether a breakpoint or neighbour point may use `value` (inside `hull`)."""
        low, high = self.hull
        if self.nonzero and value == 0:
            return False
        return (low is None or value >= low) and (high is None or value <= high)


def _relation_holds(operator: str, below: bool) -> bool:
    """A Piecewise condition's truth, given a < b; away from the boundary, < and <= agree
    (and == is false), which is why points on a boundary are never evaluated."""
    return {
        "<": below,
        "<=": below,
        ">": not below,
        ">=": not below,
        "==": False,
        "!=": True,
    }[operator]


def _domain(
    text: str, low: Fraction | None, high: Fraction | None, *, nonzero: bool = False
) -> Domain:
    """The sampling plan for the interval (low, high) (None: infinite)."""
    if low is None and high is None:
        span, far = UNBOUNDED_SPAN, TAIL_FAR
        return Domain(
            text,
            ((-span, span),),
            tails=((-far, -span), (span, far)),
            nonzero=nonzero,
        )
    if high is None:
        assert low is not None
        return Domain(
            text, ((low + LOG_NEAR, low + LOG_FAR),), anchor=low, hull=(low + HULL_GAP, None)
        )
    if low is None:
        return Domain(
            text, ((high - LOG_FAR, high - LOG_NEAR),), anchor=high, hull=(None, high - HULL_GAP)
        )
    margin = (high - low) * INTERVAL_MARGIN
    return Domain(text, ((low + margin, high - margin),), hull=(low + margin, high - margin))


def _bound(text: str) -> Fraction | None:
    cleaned = text.strip().lstrip("+")
    if cleaned.lstrip("-") in ("inf", "oo", "∞"):
        return None
    return Fraction(cleaned)


def _log_sample(anchor: Fraction, low: Fraction, high: Fraction, quantile: float) -> Fraction:
    """The value at `quantile` of [low, high], log-uniform in the distance from `anchor`."""
    near, far = sorted((abs(low - anchor), abs(high - anchor)))
    sign = 1 if low >= anchor else -1
    distance = float(near) * (float(far) / float(near)) ** min(max(quantile, 0.0), 1.0)
    value = anchor + sign * _decimal(distance)
    return min(max(value, low), high)


def _decimal(value: float, digits: int = SIGNIFICANT_DIGITS) -> Fraction:
    """`value` rounded to `digits` significant decimals, as an exact rational."""
    if value == 0 or not math.isfinite(value):
        return Fraction(0)
    exponent = math.floor(math.log10(abs(value))) - digits + 1
    if exponent >= 0:
        return Fraction(round(value / 10**exponent) * 10**exponent)
    scale = 10**-exponent
    return Fraction(round(value * scale), scale)


# ---------------------------------------------------------------------------- sampling


def _by_name(domains: Mapping[Any, Domain]) -> list[tuple[Any, Domain]]:
    return sorted(domains.items(), key=lambda item: _name(item[0]))


def _latin_hypercube(domains: Mapping[Any, Domain], rng: random.Random, points: int) -> list[Point]:
    """`points` points; each variable takes exactly one value in each of `points` strata."""
    columns: list[tuple[Any, list[Fraction]]] = []
    for symbol, domain in _by_name(domains):
        values = [domain.sample_at((k + rng.random()) / points) for k in range(points)]
        rng.shuffle(values)
        columns.append((symbol, values))
    return [{symbol: values[n] for symbol, values in columns} for n in range(points)]


def _random_points(domains: Mapping[Any, Domain], rng: random.Random, count: int) -> list[Point]:
    ordered = _by_name(domains)
    return [{symbol: domain.sample(rng) for symbol, domain in ordered} for _ in range(count)]


def sample_points(domains: Mapping[Any, Domain], seed: int, points: int) -> list[Point]:
    """`points` sample points (Latin hypercube, reproducible from `seed`) inside the domains."""
    return _latin_hypercube(domains, random.Random(seed), points)


def _describe_point(point: Mapping[Any, Fraction]) -> str:
    return ", ".join(f"{symbol}={float(value):.6g}" for symbol, value in point.items())


# -------------------------------------------------------------------------- evaluation


class _Undefined(Exception):
    """The expression has no real value at the point (log of a negative, 1/0, …)."""


class _Unreliable(Exception):
    """No trustworthy value at the point: a kink, an overflow, a failed evaluation."""


class _Unsupported(Exception):
    """The expression contains something the evaluator cannot compute."""


class _NotExact(Exception):
    """The expression needs more than rational arithmetic."""


class _Unresolved(Exception):
    """Error bounds too wide to decide a branch or a domain check (more digits may resolve it)."""


@dataclass
class _Env:
    """What a compiled expression reads while running: variable values and the branch trace."""

    values: dict[str, Any]
    trace: list[int] = field(default_factory=list)
    lost_bits: float = 0
    """Bits of precision lost to cancellation in sums so far (an overestimate)."""


Thunk = Callable[[_Env], Any]

_contexts = threading.local()


def _mp_context(digits: int) -> Any:
    """A private mpmath context per thread and precision (the global one is shared state)."""
    cache: dict[int, Any] = _contexts.__dict__.setdefault("by_digits", {})
    if digits not in cache:
        context = mpmath.MPContext()
        context.dps = digits
        cache[digits] = context
    return cache[digits]


class _Arithmetic:
    """How numbers are computed: exactly, at a given mpmath precision, or in floats."""

    exact = False

    def __init__(self, context: Any, kink_tolerance: float, exp_limit: float) -> None:
        self.context = context
        self.kink_tolerance = kink_tolerance
        self.exp_limit = exp_limit
        self.is_float = context is mpmath.fp
        self.tracks_loss = context is not None and not self.is_float
        """Multiprecision sums record the bits their cancellation loses."""
        self.loss_limit_bits = int(context.prec) - RESERVED_BITS if self.tracks_loss else 0
        """More bits lost than this leaves too few correct digits to compare: imprecise."""
        self._functions: dict[str, Callable[[Any], Any]] | None = None

    @property
    def digits(self) -> int:
        """Decimal digits carried (15 for floats)."""
        return 15 if self.is_float else int(self.context.dps)

    def number(self, value: Fraction) -> Any:
        if self.is_float:
            return value.numerator / value.denominator  # correctly rounded, like float()
        return self.context.mpf(value.numerator) / value.denominator

    def constant(self, node: Any) -> Any:
        if node is sympy.pi:
            return self.context.pi
        if node is sympy.E:
            return self.context.e
        return self.number(Fraction(str(node.evalf(self.digits + 10))))

    def is_kink(self, value: Any, scale: Any = 1) -> bool:
        return bool(abs(value) <= self.kink_tolerance * max(1, abs(scale)))

    def integer_power(self, base: Any, exponent: int) -> Any:
        if exponent < 0 and base == 0:
            raise _Undefined("division by zero")
        try:
            return self.finite(base**exponent)
        except OverflowError as error:
            raise _Unreliable("overflow") from error

    def real_power(self, base: Any, exponent: Any) -> Any:
        """base ** exponent for a non-integer exponent: real only for base ≥ 0."""
        if base < 0:
            raise _Undefined("fractional power of a negative number")
        if base == 0:
            if exponent > 0:
                return self.number(Fraction(0))
            raise _Undefined("division by zero")
        if exponent == 0.5:
            return self.context.sqrt(base)
        return base**exponent

    def exp(self, value: Any) -> Any:
        if value > self.exp_limit:
            raise _Unreliable("overflow")
        return self.context.exp(value)

    def finite(self, value: Any) -> Any:
        if self.is_float and not math.isfinite(value):
            raise _Unreliable("overflow")
        return value

    def unary(self, name: str) -> Callable[[Any], Any] | None:
        """The real function `name` with its domain checks, or None if unknown."""
        if self._functions is None:
            self._functions = self._function_table()
        return self._functions.get(name)

    def _function_table(self) -> dict[str, Callable[[Any], Any]]:
        ctx = self.context

        def log(v: Any) -> Any:
            if v <= 0:
                raise _Undefined("logarithm of a non-positive number")
            return ctx.log(v)

        def guarded(function: Callable[[Any], Any], low: float, high: float) -> Any:
            def run(v: Any) -> Any:
                if not low <= v <= high:
                    raise _Undefined("argument out of range")
                return function(v)

            return run

        def reciprocal(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
            def run(v: Any) -> Any:
                value = function(v)
                if value == 0:
                    raise _Undefined("division by zero")
                return 1 / value

            return run

        def big(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
            def run(v: Any) -> Any:
                if abs(v) > self.exp_limit:
                    raise _Unreliable("overflow")
                return function(v)

            return run

        table: dict[str, Callable[[Any], Any]] = {
            "exp": self.exp,
            "log": log,
            "sin": ctx.sin,
            "cos": ctx.cos,
            "tan": ctx.tan,
            "cot": reciprocal(ctx.tan),
            "sec": reciprocal(ctx.cos),
            "csc": reciprocal(ctx.sin),
            "sinh": big(ctx.sinh),
            "cosh": big(ctx.cosh),
            "tanh": ctx.tanh,
            "coth": reciprocal(ctx.tanh),
            "sech": reciprocal(big(ctx.cosh)),
            "csch": reciprocal(big(ctx.sinh)),
            "atan": ctx.atan,
            "asin": guarded(ctx.asin, -1, 1),
            "acos": guarded(ctx.acos, -1, 1),
            "erf": ctx.erf,
        }
        if not self.is_float:
            table["asinh"] = ctx.asinh
        return table


class _Exact(_Arithmetic):
    """Rational arithmetic with `Fraction`: exact results, no tolerance anywhere."""

    exact = True

    def __init__(self) -> None:
        super().__init__(None, 0.0, math.inf)

    @property
    def digits(self) -> int:
        return 0

    def number(self, value: Fraction) -> Any:
        return value

    def constant(self, node: Any) -> Any:
        raise _NotExact

    def is_kink(self, value: Any, scale: Any = 1) -> bool:
        return bool(value == 0)

    def real_power(self, base: Any, exponent: Any) -> Any:
        raise _NotExact

    def unary(self, name: str) -> Callable[[Any], Any] | None:
        raise _NotExact


_MAX_EXACT_EXPONENT = 64
"""Larger integer powers are left to mpmath (exact rationals would grow huge)."""


def _arithmetic(kind: str) -> _Arithmetic:
    if kind == "exact":
        return _Exact()
    if kind == "float":
        return _Arithmetic(mpmath.fp, FLOAT_KINK_TOLERANCE, 700.0)
    digits = int(kind)
    return _Arithmetic(_mp_context(digits), 10.0 ** -int(digits * KINK_DIGITS), 2300.0)


def _integer_value(node: Any) -> int | None:
    """The exponent as an int when it is a whole number (2, or a float typed as 2.0)."""
    if node.is_Integer:
        return int(node)
    if node.is_Float and node.is_finite:
        value = Fraction(str(node))
        return int(value) if value.denominator == 1 else None
    return None


_DEFINITIONS: dict[str, tuple[Any, Any]] = {}


def _definition(helper: type[Helper]) -> tuple[Any, Any]:
    """A placeholder symbol and the helper's elementary definition in terms of it (cached)."""
    name = helper.__name__
    if name not in _DEFINITIONS:
        placeholder = sympy.Dummy(f"<argument of {name}>", real=True)
        _DEFINITIONS[name] = (placeholder, helper.definition(placeholder))
    return _DEFINITIONS[name]


class _Compiler:
    """Turns a SymPy tree into nested closures over one arithmetic (compiled once per side)."""

    def __init__(self, arithmetic: _Arithmetic) -> None:
        self.ar = arithmetic
        self.branchy = False
        """True once a kink node (|x|, sign, step, max/min, Piecewise) has been compiled."""

    def compile(self, node: Any) -> Thunk:
        if node.is_Symbol:
            name = node.name
            return lambda env: env.values[name]
        if node.is_Number:
            return self._number(node)
        if node.is_NumberSymbol:
            return self._constant(node)
        if node.is_Add:
            return self._sum(node.args)
        if node.is_Mul:
            return self._product(node.args)
        if node.is_Pow:
            return self._power(node)
        if node.is_Piecewise:
            return self._piecewise(node)
        if isinstance(node, Helper):
            return self._helper(node)
        for kind, method in self._SPECIAL:
            if isinstance(node, kind):
                return getattr(self, method)(node)  # type: ignore[no-any-return]
        if isinstance(node, sympy.log) and len(node.args) == 1 and self.ar.tracks_loss:
            return self._tracked_log(node)
        if isinstance(node, sympy.Function) and len(node.args) == 1:
            function = self.ar.unary(type(node).__name__)
            if function is not None:
                return self._apply(type(node).__name__, function, self.compile(node.args[0]))
        return self._fallback(node)

    # -- numbers and arithmetic

    def _number(self, node: Any) -> Thunk:
        if node.is_Rational:
            value = self.ar.number(Fraction(int(node.p), int(node.q)))
        elif node.is_Float and node.is_finite:
            # A float means the decimal it prints as: 0.5 is 1/2, 1e-9 is 10^-9.
            value = self.ar.number(Fraction(str(node)))
        else:  # nan, zoo, oo, I: nothing real to compute
            raise _Unsupported(f"the number {node}")
        return lambda env: value

    def _constant(self, node: Any) -> Thunk:
        value = self.ar.constant(node)
        return lambda env: value

    def _sum(self, args: Sequence[Any]) -> Thunk:
        if self.ar.tracks_loss:
            return self._tracked_sum(args)
        first, *rest = [self.compile(arg) for arg in args]
        if len(rest) == 1:
            second = rest[0]
            return lambda env: first(env) + second(env)

        def run(env: _Env) -> Any:
            total = first(env)
            for part in rest:
                total += part(env)
            return total

        return run

    def _tracked_sum(self, args: Sequence[Any]) -> Thunk:
        """A sum that notes how many leading bits cancel (1 − σ(20) loses about 29).

        This is only the 50-digit pass's cheap estimate. A sum that cancels to exactly 0
        (1 − step(z) for z > 0) counts as all bits lost here, which makes the value
        imprecise: `_Session` then evaluates the point with error bounds, where such a sum
        is 0 ± a tiny absolute error and what is built from it stays precise.
        """
        parts = [self.compile(arg) for arg in args]
        magnitude = self.ar.context.mag

        def run(env: _Env) -> Any:
            values = [part(env) for part in parts]
            total = values[0]
            for value in values[1:]:
                total += value
            biggest = max(magnitude(value) for value in values)
            if biggest != -math.inf:  # some term is not zero
                lost = biggest - magnitude(total) if total else math.inf
                if lost > NOTICED_LOSS_BITS:
                    env.lost_bits += lost
            return total

        return run

    def _tracked_log(self, node: Any) -> Thunk:
        """log, noting the bits lost near 1: log(1 + 10⁻⁶⁰) is 0 at 50 digits."""
        argument = self.compile(node.args[0])
        log, magnitude = self.ar.unary("log"), self.ar.context.mag
        assert log is not None

        def run(env: _Env) -> Any:
            value = log(argument(env))
            lost = -magnitude(value) if value else math.inf
            if lost > NOTICED_LOSS_BITS:
                env.lost_bits += lost
            return value

        return run

    def _product(self, args: Sequence[Any]) -> Thunk:
        first, *rest = [self.compile(arg) for arg in args]
        if len(rest) == 1:
            second = rest[0]
            return lambda env: first(env) * second(env)

        def run(env: _Env) -> Any:
            total = first(env)
            for part in rest:
                total *= part(env)
            return total

        return run

    def _power(self, node: Any) -> Thunk:
        base_node, exponent_node = node.args
        base = self.compile(base_node)
        ar = self.ar
        integer = _integer_value(exponent_node)
        if integer is not None and (not ar.exact or abs(integer) <= _MAX_EXACT_EXPONENT):
            return lambda env: ar.integer_power(base(env), integer)
        if ar.exact:
            raise _NotExact
        exponent = self.compile(exponent_node)

        def run(env: _Env) -> Any:
            return ar.real_power(base(env), exponent(env))

        return run

    def _apply(self, name: str, function: Callable[[Any], Any], argument: Thunk) -> Thunk:
        finite = self.ar.finite

        def run(env: _Env) -> Any:
            try:
                return finite(function(argument(env)))
            except OverflowError as error:
                raise _Unreliable("overflow") from error
            except ValueError as error:  # math domain error (float pre-pass)
                raise _Undefined(str(error)) from error

        return run

    def _helper(self, node: Helper) -> Thunk:
        """σ, relu, …: their elementary definition, the rewrite `functions.explicit` makes.

        The definition is built once per helper on a placeholder and compiled here with the
        argument bound to it, so no SymPy `Max`/`exp` tree is rebuilt per expression
        (building `Max(0, x)` costs SymPy several milliseconds).
        """
        placeholder, definition = _definition(type(node))
        argument = self.compile(node.args[0])
        body = self.compile(definition)
        name = placeholder.name

        def run(env: _Env) -> Any:
            env.values[name] = argument(env)  # the argument is complete before the body runs
            return body(env)

        return run

    # -- kinks: each records which side it took, so points can be grouped by region

    def _kinked(self, node: Any, pick: Callable[[Any], Any], *, keeps_error: bool = False) -> Thunk:
        """A function of one argument with a kink at 0: |x|, sign, step, DiracDelta.

        `keeps_error`: the result is as uncertain as the argument (|x|); otherwise it is
        exact once the side of the kink is known.
        """
        self.branchy = True
        argument = self.compile(node.args[0])
        ar = self.ar

        def run(env: _Env) -> Any:
            value = argument(env)
            if ar.is_kink(value):
                raise _Unreliable(f"on the kink of {type(node).__name__}")
            env.trace.append(1 if value > 0 else -1)
            return pick(value)

        return run

    def _abs(self, node: Any) -> Thunk:
        return self._kinked(node, abs, keeps_error=True)

    def _sign(self, node: Any) -> Thunk:
        one, minus_one = self.ar.number(Fraction(1)), self.ar.number(Fraction(-1))
        return self._kinked(node, lambda v: one if v > 0 else minus_one)

    def _heaviside(self, node: Any) -> Thunk:
        one, zero = self.ar.number(Fraction(1)), self.ar.number(Fraction(0))
        return self._kinked(node, lambda v: one if v > 0 else zero)

    def _dirac(self, node: Any) -> Thunk:
        if len(node.args) != 1:
            raise _Unsupported("a derivative of DiracDelta")
        zero = self.ar.number(Fraction(0))
        return self._kinked(node, lambda v: zero)

    def _extremum(self, node: Any) -> Thunk:
        self.branchy = True
        arguments = [self.compile(arg) for arg in node.args]
        ar = self.ar
        is_max = isinstance(node, sympy.Max)

        def run(env: _Env) -> Any:
            values = [argument(env) for argument in arguments]
            order = sorted(range(len(values)), key=values.__getitem__, reverse=is_max)
            best, runner_up = values[order[0]], values[order[1]]
            if ar.is_kink(best - runner_up, best):
                raise _Unreliable("on a tie of max/min")
            env.trace.append(order[0])
            return best

        return run

    def _piecewise(self, node: Any) -> Thunk:
        self.branchy = True
        branches = [(self.compile(e), self._condition(c)) for e, c in node.args]

        def run(env: _Env) -> Any:
            for index, (value, condition) in enumerate(branches):
                if condition(env):
                    env.trace.append(index)
                    return value(env)
            raise _Undefined("no piece of the Piecewise applies")

        return run

    def _condition(self, node: Any) -> Callable[[_Env], bool]:
        if node is sympy.true:
            return lambda env: True
        if node is sympy.false:
            return lambda env: False
        if isinstance(node, (sympy.And, sympy.Or)):
            parts = [self._condition(arg) for arg in node.args]
            combine = all if isinstance(node, sympy.And) else any
            return lambda env: combine(part(env) for part in parts)
        if isinstance(node, sympy.Not):
            inner = self._condition(node.args[0])
            return lambda env: not inner(env)
        if isinstance(node, sympy.core.relational.Relational):
            return self._relation(node)
        raise _Unsupported(f"the condition {node}")

    def _relation(self, node: Any) -> Callable[[_Env], bool]:
        left, right = self.compile(node.lhs), self.compile(node.rhs)
        ar, operator = self.ar, node.rel_op

        def run(env: _Env) -> bool:
            a, b = left(env), right(env)
            if ar.is_kink(a - b, max(abs(a), abs(b))):
                raise _Unreliable("on the boundary of a Piecewise condition")
            below = bool(a < b)
            return _relation_holds(operator, below)

        return run

    # -- anything else: SymPy's own evalf, on the numeric arguments (floats only)

    def _fallback(self, node: Any) -> Thunk:
        arguments = self._fallback_arguments(node)
        evaluate = self._evalf(node)

        def run(env: _Env) -> Any:
            return evaluate([argument(env) for argument in arguments])

        return run

    def _fallback_arguments(self, node: Any) -> list[Thunk]:
        if self.ar.exact:
            raise _NotExact
        if not isinstance(node, sympy.Function) or not all(
            isinstance(arg, sympy.Expr) for arg in node.args
        ):
            raise _Unsupported(f"{type(node).__name__}")
        return [self.compile(arg) for arg in node.args]

    def _evalf(self, node: Any) -> Callable[[list[Any]], Any]:
        ar, function = self.ar, node.func

        def run(arguments: list[Any]) -> Any:
            values = [sympy.Float(str(value), ar.digits) for value in arguments]
            try:
                result = function(*values).evalf(ar.digits)
            except Exception as error:  # SymPy may raise anything on odd input
                raise _Unreliable(f"{function} failed") from error
            if not result.is_Number:
                raise _Unreliable(f"{function} has no numeric value")
            if not (result.is_real and result.is_finite):
                raise _Undefined(f"{function} has no real value")
            return ar.number(Fraction(str(result)))

        return run

    _SPECIAL: tuple[tuple[type, str], ...] = (
        (sympy.Abs, "_abs"),
        (sympy.sign, "_sign"),
        (sympy.Heaviside, "_heaviside"),
        (sympy.DiracDelta, "_dirac"),
        (sympy.Max, "_extremum"),
        (sympy.Min, "_extremum"),
    )
    """Node types with a method of their own (looked up by name: subclasses override them)."""


# ------------------------------------------------------------- evaluation with error bounds

_EXACT = -math.inf
"""The error bound of an exact value: log2 of 0."""
_LOG2_E = 1 / math.log(2)


def _log2_abs(value: Any) -> float:
    """log2 |value| for an mpmath number (−inf for 0); an infinity is an overflow."""
    _, mantissa, exponent, _ = value._mpf_
    if mantissa:
        return math.log2(mantissa) + exponent  # type: ignore[no-any-return]
    if value == 0:
        return _EXACT
    raise _Unreliable("overflow")


def _plus(a: float, b: float) -> float:
    """log2(2^a + 2^b): the bound of a sum of two errors given as log2 bounds."""
    if a < b:
        a, b = b, a
    if b == _EXACT:
        return a
    return a + math.log2(1.0 + math.exp2(b - a))


def _below(size: float, error: float) -> float:
    """log2(|v| − ε) for log2 |v| = size and log2 ε = error < size − 1."""
    return size + math.log2(1.0 - math.exp2(error - size))


def _certain_sign(value: Any, error: float, what: str) -> None:
    """Raise `_Unresolved` unless |value| is well beyond its error bound (its sign is known)."""
    if error != _EXACT and _log2_abs(value) <= error + SAFETY_BITS:
        raise _Unresolved(f"{what} is lost in rounding")


_LIPSCHITZ = frozenset({"sin", "cos", "tanh", "atan", "erf", "asinh", "sech"})
"""|f'| ≤ 2/√π < 1.13 everywhere: the error of the argument passes on (times 2^0.2)."""
_GROWING = frozenset({"sinh", "cosh"})
"""|f'| ≤ cosh(|x| + ε): bounded by the value itself."""
_POLES = frozenset({"tan", "cot", "sec", "csc", "coth", "csch"})
"""|f'| ≤ 2·max(1, f²) away from the poles; near one the point is unresolved."""
_ARCS = frozenset({"asin", "acos"})
"""|f'| = 1/√(1 − x²): finite inside (−1, 1) only."""


class _BoundedCompiler(_Compiler):
    """Closures that return (value, error): the value and log2 of a bound on its error.

    The bound is an absolute one, so a sum that cancels to 0 is not "infinitely imprecise":
    1 − step(z) for z > 0 is 0 ± 2^(2 − prec), z1 − max(z1, z2) is 0 ± a few |z1|·2^(−prec),
    and a value that depends on them stays precise. Inputs carry their rounding; every operation
    adds its own and passes on its arguments' errors (first order, with the derivative
    bounded over the argument's error interval where it matters: powers, exp, log). A branch
    (a kink, max/min, a Piecewise condition) or a domain check (log, a fractional power, a
    division) whose argument is within its error bound of the switching value raises
    `_Unresolved`: more digits may tell which side it is on.
    """

    def __init__(self, arithmetic: _Arithmetic) -> None:
        super().__init__(arithmetic)
        self.rounding = 1.0 - int(arithmetic.context.prec)
        """log2 of the relative error of one correctly rounded operation (generously)."""
        self.function_rounding = self.rounding + 2
        """The same for mpmath's functions (exp, log, …: a few units in the last place)."""

    def input_error(self, exact: Fraction, value: Any) -> float:
        """The error of `exact` rounded to `value` (0 for a short dyadic rational)."""
        denominator = exact.denominator
        if denominator & (denominator - 1) == 0 and (
            abs(exact.numerator).bit_length() <= int(self.ar.context.prec)
        ):
            return _EXACT
        return _log2_abs(value) + self.rounding

    # -- numbers and arithmetic

    def _number(self, node: Any) -> Thunk:
        if node.is_Rational:
            exact = Fraction(int(node.p), int(node.q))
        elif node.is_Float and node.is_finite:
            exact = Fraction(str(node))
        else:
            raise _Unsupported(f"the number {node}")
        pair = (value := self.ar.number(exact), self.input_error(exact, value))
        return lambda env: pair

    def _constant(self, node: Any) -> Thunk:
        value = +self.ar.constant(node)  # a number at the context's precision
        pair = (value, _log2_abs(value) + self.rounding)
        return lambda env: pair

    def _sum(self, args: Sequence[Any]) -> Thunk:
        parts = [self.compile(arg) for arg in args]
        count = len(parts)
        # (n − 1) roundings, each at most 2^rounding · Σ|terms| ≤ 2^rounding · n · max|term|
        extra = math.log2(count) + math.log2(count - 1) + self.rounding

        def run(env: _Env) -> Any:
            total: Any = None
            error, biggest = _EXACT, _EXACT
            for part in parts:
                value, part_error = part(env)
                total = value if total is None else total + value
                error = _plus(error, part_error)
                size = _log2_abs(value)
                if size > biggest:
                    biggest = size
            return total, _plus(error, biggest + extra)

        return run

    def _product(self, args: Sequence[Any]) -> Thunk:
        parts = [self.compile(arg) for arg in args]
        extra = math.log2(len(parts) - 1) + self.rounding

        def run(env: _Env) -> Any:
            pairs = [part(env) for part in parts]
            product = pairs[0][0]
            for value, _ in pairs[1:]:
                product *= value
            # |Π(v + δ) − Π v| ≤ Σ_i ε_i · Π_{j≠i} (|v_j| + ε_j)
            sizes = [_plus(_log2_abs(value), error) for value, error in pairs]
            if _EXACT in sizes:  # an exact 0 factor: the product is exactly 0
                return product, _EXACT
            total = math.fsum(sizes)
            error = _EXACT
            for (_, factor_error), size in zip(pairs, sizes, strict=True):
                if factor_error != _EXACT:
                    error = _plus(error, factor_error + total - size)
            return product, _plus(error, _log2_abs(product) + extra)

        return run

    def _power(self, node: Any) -> Thunk:
        base_node, exponent_node = node.args
        base = self.compile(base_node)
        integer = _integer_value(exponent_node)
        if integer is not None:
            return self._integer_power(base, integer)
        return self._real_power(base, self.compile(exponent_node))

    def _integer_power(self, base: Thunk, exponent: int) -> Thunk:
        ar = self.ar
        magnitude = abs(exponent)
        rounding = math.log2(magnitude + 1) + self.rounding
        log_magnitude = math.log2(magnitude) if magnitude else 0.0

        def run(env: _Env) -> Any:
            value, error = base(env)
            if exponent < 0:
                _certain_sign(value, error, "a divisor")
            result = ar.integer_power(value, exponent)
            if exponent == 0:
                return result, _EXACT
            bound = _log2_abs(result) + rounding
            if error != _EXACT:
                size = _log2_abs(value)
                if exponent > 0:  # n·ε·(|v| + ε)^(n−1)
                    spread = log_magnitude + error + (exponent - 1) * _plus(size, error)
                else:  # m·ε/(|v| − ε)^(m+1)
                    spread = log_magnitude + error - (magnitude + 1) * _below(size, error)
                bound = _plus(bound, spread)
            return result, bound

        return run

    def _real_power(self, base: Thunk, exponent: Thunk) -> Thunk:
        ar = self.ar
        function_rounding = self.function_rounding

        def run(env: _Env) -> Any:
            (value, error), (power, power_error) = base(env), exponent(env)
            _certain_sign(value, error, "the base of a power")
            if value == 0:
                _certain_sign(power, power_error, "the exponent of 0")
                return ar.real_power(value, power), _EXACT
            result = ar.real_power(value, power)  # undefined for a (certainly) negative base
            size, result_size = _log2_abs(value), _log2_abs(result)
            bound = result_size + function_rounding
            slope = float(power)
            if error != _EXACT and slope != 0:
                # |y|·ε·t^(y−1) at the worse end t of [v − ε, v + ε]
                edge = _plus(size, error) if slope >= 1 else _below(size, error)
                bound = _plus(bound, math.log2(abs(slope)) + error + (slope - 1) * edge)
            if power_error != _EXACT:
                # |r|·|ln v|·ε·v^ε for an error ε in the exponent
                log_value = abs(size) / _LOG2_E
                stretch = math.exp2(power_error) * log_value
                if stretch > 16:
                    raise _Unresolved("the exponent of a power is lost in rounding")
                if log_value > 0:
                    spread = power_error + result_size + math.log2(log_value)
                    bound = _plus(bound, spread + stretch * _LOG2_E)
            return result, bound

        return run

    def _apply(self, name: str, function: Callable[[Any], Any], argument: Thunk) -> Thunk:
        function_rounding = self.function_rounding

        def run(env: _Env) -> Any:
            value, error = argument(env)
            if name == "log":
                _certain_sign(value, error, "the argument of a logarithm")
            elif name in _ARCS and error != _EXACT:
                distance = abs(abs(value) - 1)
                _certain_sign(distance, error, f"the argument of {name} near ±1")
            try:
                result = function(value)
            except _Undefined:
                if error != _EXACT and name not in ("log", *_ARCS):
                    raise _Unresolved(f"the argument of {name} is lost in rounding") from None
                raise
            except ValueError as error_:  # pragma: no cover - mpmath raises no ValueError here
                raise _Undefined(str(error_)) from error_
            result_size = _log2_abs(result)
            bound = result_size + function_rounding
            if error != _EXACT:
                bound = _plus(bound, _function_spread(name, value, error, result_size))
            return result, bound

        return run

    # -- kinks: the side must be certain

    def _kinked(self, node: Any, pick: Callable[[Any], Any], *, keeps_error: bool = False) -> Thunk:
        self.branchy = True
        argument = self.compile(node.args[0])
        ar, what = self.ar, f"the argument of {type(node).__name__}"

        def run(env: _Env) -> Any:
            value, error = argument(env)
            if ar.is_kink(value):
                raise _Unreliable(f"on the kink of {type(node).__name__}")
            _certain_sign(value, error, what)
            env.trace.append(1 if value > 0 else -1)
            return pick(value), (error if keeps_error else _EXACT)

        return run

    def _extremum(self, node: Any) -> Thunk:
        self.branchy = True
        arguments = [self.compile(arg) for arg in node.args]
        ar = self.ar
        is_max = isinstance(node, sympy.Max)

        def run(env: _Env) -> Any:
            pairs = [argument(env) for argument in arguments]
            order = sorted(range(len(pairs)), key=lambda i: pairs[i][0], reverse=is_max)
            (best, error), (runner_up, runner_error) = pairs[order[0]], pairs[order[1]]
            gap = best - runner_up
            if ar.is_kink(gap, best):
                raise _Unreliable("on a tie of max/min")
            _certain_sign(gap, _plus(error, runner_error), "the gap between max/min arguments")
            env.trace.append(order[0])
            return best, error

        return run

    def _relation(self, node: Any) -> Callable[[_Env], bool]:
        left, right = self.compile(node.lhs), self.compile(node.rhs)
        ar, operator = self.ar, node.rel_op

        def run(env: _Env) -> bool:
            (a, a_error), (b, b_error) = left(env), right(env)
            if ar.is_kink(a - b, max(abs(a), abs(b))):
                raise _Unreliable("on the boundary of a Piecewise condition")
            _certain_sign(a - b, _plus(a_error, b_error), "a Piecewise condition")
            below = bool(a < b)
            return _relation_holds(operator, below)

        return run

    def _fallback(self, node: Any) -> Thunk:
        """SymPy's evalf; its error rule is a guess: at most 2^20 times the arguments'."""
        arguments = self._fallback_arguments(node)
        evaluate = self._evalf(node)
        rounding, name = self.rounding, type(node).__name__

        def run(env: _Env) -> Any:
            pairs = [argument(env) for argument in arguments]
            relative = rounding
            for value, error in pairs:
                if error != _EXACT:
                    _certain_sign(value, error, f"an argument of {name}")
                    relative = max(relative, error - _log2_abs(value))
            result = evaluate([value for value, _ in pairs])
            scale = max(_log2_abs(result), 0.0)
            return result, scale + relative + FALLBACK_CONDITION_BITS

        return run

    def _tracked_log(self, node: Any) -> Thunk:
        log = self.ar.unary("log")
        assert log is not None
        return self._apply("log", log, self.compile(node.args[0]))


def _function_spread(name: str, value: Any, error: float, result_size: float) -> float:
    """log2 of the error a function passes on from an argument error 2^error."""
    if name == "exp":  # e^v·ε·e^ε
        if error > 4:
            raise _Unresolved("the argument of exp is lost in rounding")
        return result_size + error + math.exp2(error) * _LOG2_E
    if name == "log":  # ε/(v − ε)
        return error - _below(_log2_abs(value), error)
    if name in _LIPSCHITZ:
        return error + 0.2
    if name in _GROWING:  # cosh(|v| + ε) ≤ 2·max(1, |f(v)|)·e^ε
        if error > 4:
            raise _Unresolved(f"the argument of {name} is lost in rounding")
        return error + max(result_size, 0.0) + 1 + math.exp2(error) * _LOG2_E
    if name in _POLES:  # 2·max(1, f²), valid while ε·f² is far below the distance to a pole
        growth = 2 * max(result_size, 0.0) + 1
        if error + growth > max(result_size, 0.0) - 10:
            raise _Unresolved(f"the argument of {name} is too close to a pole")
        return error + growth + 0.1
    if name in _ARCS:  # 1/√(1 − (|v| + ε)²)
        edge = min(float(abs(value)) + math.exp2(error), 1.0)
        if edge >= 1.0:
            raise _Unresolved(f"the argument of {name} is too close to ±1")
        return error - 0.5 * math.log2(1.0 - edge * edge)
    raise _Unresolved(f"no error rule for {name}")  # pragma: no cover - every name has one


Outcome = Literal["value", "imprecise", "unresolved", "undefined", "unreliable"]
"""`imprecise`: a 50-digit value was computed, but cancellation left too few correct digits.
`unresolved`: an evaluation with error bounds could not tell which side of a kink or of a
domain check the point is on."""

_UNDEFINED_STATE = (-2000,)
"""The breakpoint scan's state of a point where the expression is undefined."""


@dataclass(frozen=True)
class _Result:
    """One evaluation: the value (when there is one) and the branches taken on the way."""

    outcome: Outcome
    value: Any = None
    trace: tuple[int, ...] = ()
    why: str = ""
    lost_bits: float = 0.0
    """50-digit evaluation: bits the sums' cancellation cost (an estimate, no bound)."""
    error: float = _EXACT
    """Evaluation with error bounds: log2 of a bound on the value's absolute error."""


class _Compiled:
    """One expression compiled for one arithmetic (with error bounds if `bounded`)."""

    def __init__(self, expr: Any, arithmetic: _Arithmetic, *, bounded: bool = False) -> None:
        compiler = _BoundedCompiler(arithmetic) if bounded else _Compiler(arithmetic)
        self.thunk = compiler.compile(expr)
        self.branchy = compiler.branchy
        self.arithmetic = arithmetic
        self.bounded = bounded
        self._input_error = compiler.input_error if isinstance(compiler, _BoundedCompiler) else None

    def run(self, values: Mapping[str, Fraction]) -> _Result:
        """Evaluate at exact rational values of the variables (by name)."""
        number = self.arithmetic.number
        if self._input_error is not None:
            errors = self._input_error
            env = _Env({})
            for name, exact in values.items():
                value = number(exact)
                env.values[name] = (value, errors(exact, value))
        else:
            env = _Env({name: number(value) for name, value in values.items()})
        limit = self.arithmetic.loss_limit_bits
        tracks_loss = self.arithmetic.tracks_loss and not self.bounded
        try:
            value = self.thunk(env)
        except _Undefined as error:
            if tracks_loss and env.lost_bits > limit:
                return _Result("imprecise", why=f"{error} after cancellation")
            return _Result("undefined", why=str(error))
        except ZeroDivisionError:
            return _Result("undefined", why="division by zero")
        except _Unresolved as error:
            return _Result("unresolved", why=str(error))
        except _Unreliable as error:
            return _Result("unreliable", why=str(error))
        except (OverflowError, RecursionError, MemoryError) as error:
            return _Result("unreliable", why=type(error).__name__)
        if self.bounded:
            value, bound = value
            if not bound < math.inf:  # inf or nan: no usable bound
                return _Result("unresolved", why="error bound overflow")
            return _Result("value", value, tuple(env.trace), error=bound)
        if self.arithmetic.is_float and not math.isfinite(value):
            return _Result("unreliable", why="overflow")
        if tracks_loss and env.lost_bits > limit:
            return _Result("imprecise", value, tuple(env.trace), "cancellation", env.lost_bits)
        return _Result("value", value, tuple(env.trace), lost_bits=env.lost_bits)

    def state_at(self, values: dict[str, float]) -> tuple[int, ...] | None:
        """The branches taken at float values (float arithmetic only), `_UNDEFINED_STATE`
        where the expression is undefined, None where no state is trustworthy."""
        env = _Env(values)
        try:
            self.thunk(env)
        except (_Undefined, ZeroDivisionError):
            return _UNDEFINED_STATE
        except (_Unreliable, _Unresolved, OverflowError, RecursionError, MemoryError, ValueError):
            return None
        return tuple(env.trace)


def _prepare(expr: Any) -> Any:
    """A SymPy expression; plain numbers become SymPy numbers.

    Text is refused: `sympify` on a string executes code, and expressions come from our parser.
    """
    if isinstance(expr, str):
        raise TypeError("expressions must be SymPy objects, not text")
    return expr if isinstance(expr, sympy.Basic) else sympy.sympify(expr)


def _name(symbol: Any) -> str:
    return symbol.name if isinstance(symbol, sympy.Symbol) else str(symbol)


def _names(point: Mapping[Any, Fraction | int | float | str]) -> dict[str, Fraction]:
    return {
        _name(symbol): value if isinstance(value, Fraction) else Fraction(value)
        for symbol, value in point.items()
    }


def _precise(result: _Result) -> bool:
    """A bounded value with at least `RESERVED_BITS` correct bits (or exact)."""
    return result.error <= _log2_abs(result.value) - RESERVED_BITS


_EVALUATOR_ABSOLUTE_BITS = math.log2(EVALUATOR_ABSOLUTE_ERROR)


class Evaluator:
    """An expression compiled once for high-precision evaluation at many points."""

    def __init__(self, expr: Any, digits: int = PRECISION_DIGITS) -> None:
        """Compile `expr` (a trusted SymPy expression); raises ValueError if it cannot be."""
        prepared = _prepare(expr)
        try:
            self._compiled = _Compiled(prepared, _arithmetic(str(digits)))
        except _Unsupported as error:
            raise ValueError(f"cannot evaluate {expr}: {error}") from error
        self._expr, self._digits = prepared, digits
        self._bounded: _Compiled | None = None
        self.symbols = frozenset(str(s) for s in prepared.free_symbols)
        """Names of the free symbols, each of which a point must give a value for."""

    def __call__(self, point: Mapping[Any, Fraction | int | float | str]) -> Any:
        """The value (an mpmath number) at `point`; None where undefined, unreliable or imprecise.

        Undefined: log of a non-positive number, 1/0, a complex value. Unreliable: on a kink,
        overflow. Imprecise: cancellation left fewer than 30 correct digits, and an evaluation
        with error bounds does not pin the value down to 10⁻⁴⁰ either (an expression that is 0
        in disguise, like p1 + p2 − 1 with p1 + p2 = 1, does get its tiny value). A float in
        `point` is taken exactly (use Fractions for exact decimals). The number belongs to a
        private mpmath context: `float()`, comparisons and arithmetic work on it.
        Raises KeyError when `point` lacks one of the expression's symbols.
        """
        values = _names(point)
        result = self._compiled.run(values)
        if result.outcome == "value":
            return result.value
        if result.outcome != "imprecise":
            return None
        if self._bounded is None:
            arithmetic = _arithmetic(str(self._digits))
            self._bounded = _Compiled(self._expr, arithmetic, bounded=True)
        bounded = self._bounded.run(values)
        if bounded.outcome != "value":
            return None
        if _precise(bounded) or bounded.error <= _EVALUATOR_ABSOLUTE_BITS:
            return bounded.value
        return None


def evaluate(expr: Any, point: Mapping[Any, Fraction | int | float | str]) -> Any:
    """The 50-digit value of `expr` at `point` (an mpmath number), or None where it has none.

    None when the expression is undefined there (log of a non-positive number, division by
    zero, a complex value), on a kink, overflowing, or cannot be evaluated at all.
    """
    try:
        evaluator = Evaluator(expr)
    except ValueError:
        return None
    return evaluator(point)


# ------------------------------------------------------------------------- breakpoints

_KINK_TYPES = (
    sympy.Abs,
    sympy.sign,
    sympy.Heaviside,
    sympy.DiracDelta,
    sympy.Max,
    sympy.Min,
    relu,
    leaky_relu,
)


@functools.lru_cache(maxsize=1024)
def _variables(expr: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The names of `expr`'s free symbols, and of those inside a kink's argument."""
    inside: set[str] = set()
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, _KINK_TYPES):
            inside.update(_name(symbol) for symbol in node.free_symbols)
        elif isinstance(node, sympy.Piecewise):
            for _, condition in node.args:
                inside.update(_name(symbol) for symbol in condition.free_symbols)
    return frozenset(_name(symbol) for symbol in expr.free_symbols), frozenset(inside)


@functools.lru_cache(maxsize=256)
def _float_compiled(expr: Any) -> _Compiled | None:
    try:
        return _Compiled(expr, _arithmetic("float"))
    except (_Unsupported, _NotExact):
        return None


@functools.lru_cache(maxsize=64)
def _scan_grid(domain: Domain) -> tuple[float, ...]:
    """Where the breakpoint scan looks: 4 points per decade of the distance from 0 (or from
    the finite bound), every 1/2 within ±4, and a uniform grid on a finite interval."""
    values: set[float] = set()
    if domain.anchor is None and not domain.tails:  # a finite interval
        ((low, high),) = domain.ranges
        width = float(high - low)
        values.update(float(low) + width * k / 32 for k in range(33))
        for k in range(SCAN_STEPS_PER_DECADE * 3):
            distance = width / 2 * 10.0 ** (-k / SCAN_STEPS_PER_DECADE)
            values.update((float(low) + distance, float(high) - distance))
        return tuple(sorted(values))
    anchor = float(domain.anchor or 0)
    near, far = float(LOG_NEAR), float(LOG_FAR)
    sides = (
        [-1.0, 1.0] if domain.anchor is None else [1.0 if domain.ranges[0][0] > anchor else -1.0]
    )
    decades = math.log10(far / near)
    for side in sides:
        steps = round(decades * SCAN_STEPS_PER_DECADE)
        values.update(
            anchor + side * near * 10.0 ** (k / SCAN_STEPS_PER_DECADE) for k in range(steps + 1)
        )
        values.update(anchor + side * k / 2 for k in range(1, 2 * int(UNBOUNDED_SPAN) + 1))
    return tuple(sorted(values))


@functools.lru_cache(maxsize=1024)
def _breakpoints(
    expr: Any, name: str, domain: Domain, others: tuple[tuple[str, Fraction], ...]
) -> tuple[float, ...]:
    """Where `expr` switches branches (or becomes undefined) as `name` runs through its domain,
    the other variables held at `others`: scanned on a grid in floats, then bisected."""
    compiled = _float_compiled(expr)
    if compiled is None or not compiled.branchy:
        return ()
    fixed = {other: float(value) for other, value in others}

    def state(t: float) -> tuple[int, ...] | None:
        return compiled.state_at({**fixed, name: t})

    found: list[float] = []
    previous: tuple[float, tuple[int, ...]] | None = None
    for t in _scan_grid(domain):
        current = state(t)
        if current is None:
            continue
        if previous is not None and current != previous[1]:
            found.append(_bisect(state, previous[0], previous[1], t))
            if len(found) >= MAX_BREAKPOINTS_PER_SCAN:
                break
        previous = (t, current)
    return tuple(found)


def _bisect(
    state: Callable[[float], tuple[int, ...] | None],
    low: float,
    low_state: tuple[int, ...],
    high: float,
) -> float:
    """A point where `state` changes between `low` and `high` (to `SCAN_RESOLUTION`)."""
    for _ in range(64):
        if high - low <= SCAN_RESOLUTION * max(1.0, abs(low)):
            break
        middle = (low + high) / 2
        current = state(middle)
        if current is None:  # on a kink in floats: look a little aside
            middle = low + (high - low) * 0.375
            current = state(middle)
            if current is None:
                break
        if current == low_state:
            low = middle
        else:
            high = middle
    return (low + high) / 2


# -------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Comparison:
    """The verdict of `compare`, with the reason (for logs and tests, not for learners)."""

    decision: Decision
    reason: str
    """E.g. "differs at w=0.37, x=-1.2: answer 0.52, expected 0.13"."""


Verdict = Literal["agree", "differ", "answer-undefined", "skip"]
Judgement = Literal["agree", "differ", "within"]


class _Pair:
    """The answer and the expected expression, compiled together for one arithmetic."""

    def __init__(self, answer: Any, expected: Any, kind: str, *, bounded: bool = False) -> None:
        arithmetic = _arithmetic(kind)
        self.kind = kind
        self.answer = _Compiled(answer, arithmetic, bounded=bounded)
        self.expected = _Compiled(expected, arithmetic, bounded=bounded)
        self.branchy = self.answer.branchy or self.expected.branchy

    def run(self, values: Mapping[str, Fraction]) -> tuple[_Result, _Result]:
        return self.answer.run(values), self.expected.run(values)


_COMPUTED = ("value", "imprecise")
_LOG2_10 = math.log2(10)


def _judge(a: _Result, b: _Result) -> Judgement:
    """Two values with error bounds: different, the same, or the same within wide bounds.

    They differ when the gap exceeds both bounds (times 2^`SAFETY_BITS`). They agree when the
    gap is within the bounds and the bounds are below 2^-100 of the larger value. Otherwise
    (`within`) the gap is within bounds that are large for the values: both may be 0 in
    disguise, or one may be too small to see (`_Session._confirm_point` decides).
    """
    bound = _plus(a.error, b.error) + SAFETY_BITS
    gap = abs(a.value - b.value)
    if gap != 0 and _log2_abs(gap) > bound:
        return "differ"
    if bound <= max(_log2_abs(a.value), _log2_abs(b.value)) - RESERVED_BITS:
        return "agree"
    return "within"


def _tiny_bound(a: _Result, b: _Result, digits: int) -> bool:
    """Both bounds below 10^(-digits/2) (of the larger value when that is above 1)."""
    scale = max(_log2_abs(a.value), _log2_abs(b.value), 0.0)
    return _plus(a.error, b.error) + SAFETY_BITS <= scale - digits * _LOG2_10 / 2


def _reproduced(before: tuple[_Result, _Result], after: tuple[_Result, _Result]) -> bool:
    """The difference seen at the higher precision is the one seen before, to the lower
    precision's error bound: it is real (rounding noise would have shrunk with the digits)."""
    first = before[0].value - before[1].value
    second = after[0].value - after[1].value
    change = abs(second - first)
    return change == 0 or _log2_abs(change) <= _plus(before[0].error, before[1].error) + SAFETY_BITS


def _collapsed(before: Any, after: Any, added_digits: int) -> bool:
    """The gap shrank by at least half the added digits: it was rounding noise."""
    if before == 0:
        return bool(after == 0)
    return bool(after <= before * 10.0 ** -(added_digits // 2))


def _region(a: _Result, b: _Result) -> tuple[int, ...]:
    """Which branches both sides took: points with the same region share one formula."""
    return (*a.trace, -1000, *b.trace)


class _Session:
    """One comparison: draws points, evaluates both sides, collects the evidence."""

    def __init__(
        self,
        answer: Any,
        expected: Any,
        domains: Mapping[Any, Domain],
        seed: int,
        points: int,
        deadline: float,
    ) -> None:
        self.answer, self.expected = answer, expected
        self.domains = domains
        self.points, self.deadline = points, deadline
        try:
            self.main = _Pair(answer, expected, "exact")
        except _NotExact:
            self.main = _Pair(answer, expected, str(PRECISION_DIGITS))
        self._bounded_pairs: dict[int, _Pair] = {}
        self.rng = random.Random(seed)
        self.queue = _latin_hypercube(domains, self.rng, points)
        self._pool: list[Point] | None = None
        self.extra_rng = random.Random(seed + 0x5EED)
        """Tail and neighbour points draw from this, so the pool is the same either way."""
        self.agreeing = 0
        self.confirmed = 0
        """Agreeing points that were settled only by an evaluation with error bounds."""
        self.evidence: list[str] = []
        """Confirmed differences."""
        self.undefined: list[str] = []
        """Points where the answer is undefined and the expected value exists."""
        self.evidence_points: list[Point] = []
        """The points of `evidence` and `undefined`, in the order found."""
        self.checked = 0
        self.covered: set[tuple[int, ...]] = set()
        self.seen: set[int] = set()
        self.spot_checks = 0 if self.main.kind == "exact" else SPOT_CHECKS
        if self.main.kind == "exact":
            self.fast_tolerance = 0.0
        else:
            precision = int(self.main.answer.arithmetic.context.prec)
            self.fast_tolerance = math.exp2(FAST_SLACK_BITS - precision)

    @property
    def pool(self) -> list[Point]:
        """Random points for the region pre-pass and as replacements (drawn when first needed:
        most comparisons never need them)."""
        if self._pool is None:
            size = max(3 * self.points, REGION_POOL if self.main.branchy else 0)
            self._pool = _random_points(self.domains, self.rng, size)
        return self._pool

    # -- one point

    def check(self, point: Point) -> Verdict:
        if id(point) in self.seen:
            return "skip"
        self.seen.add(id(point))
        self.checked += 1
        values = _names(point)
        a, b = self.main.run(values)
        if a.outcome == "value" and b.outcome == "value":
            if self._close(a, b):
                if self.spot_checks:
                    self.spot_checks -= 1
                    return self._confirm_point(point, values, a, b, spot=True)
                return self._agreed(a, b)
            return self._confirm_point(point, values, a, b)
        if b.outcome in _COMPUTED and a.outcome in ("undefined", *_COMPUTED):
            return self._confirm_point(point, values, a, b)
        return "skip"

    def _close(self, a: _Result, b: _Result) -> bool:
        """Exactly equal, or (50 digits) within 2^(lost + 24) units in the last place (at most
        1e-25 relative)."""
        if not self.fast_tolerance:
            return bool(a.value == b.value)
        lost = max(a.lost_bits, b.lost_bits)
        tolerance = min(self.fast_tolerance * math.exp2(lost), FAST_TOLERANCE_CAP)
        return bool(abs(a.value - b.value) <= tolerance * max(abs(a.value), abs(b.value)))

    def _agreed(self, a: _Result, b: _Result, *, confirmed: bool = False) -> Verdict:
        self.agreeing += 1
        self.confirmed += confirmed
        self.covered.add(_region(a, b))
        return "agree"

    def _bounded(self, digits: int) -> _Pair:
        if digits not in self._bounded_pairs:
            self._bounded_pairs[digits] = _Pair(
                self.answer, self.expected, str(digits), bounded=True
            )
        return self._bounded_pairs[digits]

    def _confirm_point(
        self,
        point: Point,
        values: Mapping[str, Fraction],
        a: _Result,
        b: _Result,
        *,
        spot: bool = False,
    ) -> Verdict:
        """A disagreement counts only once evaluations with error bounds confirm it.

        Both sides are evaluated again with error bounds (`_judge`) at 120 and then 250
        digits (first at 50 digits when cancellation left a 50-digit value imprecise: the
        bounds often show it is precise after all). The point agrees as soon as the values
        agree within bounds below 2^-100 of them. Values that are 0 in disguise (the gap is
        within bounds that are large for the values) agree only if the gap collapsed with
        the added digits (or is exactly 0 from 120 digits on) and the bounds are below
        10^(-digits/2): an answer 0 against ∂(p1 + p2 + p3)/∂z1. A gap that stays put inside
        the bounds (1 − σ(600) = 0 ± 10⁻²⁵⁰ against e⁻⁶⁰⁰) is no evidence either way.

        The point is a difference only if at 120 and at 250 digits the gap exceeds the
        bounds and the 250-digit gap reproduces the 120-digit one (rounding noise would have
        shrunk). An undefined answer counts only if it is undefined at every precision, where
        the expected value exists. Otherwise the point is skipped. A `spot` check (the
        50-digit values agreed) that cannot be settled keeps the 50-digit agreement.
        """
        where = _describe_point(point)
        if self.main.kind == "exact":  # exact values need no confirmation
            return self._disagreement(point, where, a, b)
        imprecise = "imprecise" in (a.outcome, b.outcome)
        levels = (PRECISION_DIGITS, *CONFIRM_DIGITS) if imprecise else CONFIRM_DIGITS
        undefined = a.outcome == "undefined"
        before: tuple[_Result, _Result] | None = None  # the last level's pair, if it differed
        within: tuple[int, Any] | None = None  # the last level and gap, if within wide bounds
        for digits in levels:
            a2, b2 = self._bounded(digits).run(values)
            last = digits == levels[-1]
            if b2.outcome != "value":
                if digits == PRECISION_DIGITS:
                    continue  # more digits may resolve it
                break
            if a2.outcome == "undefined" and undefined:
                if last:
                    return self._disagreement(point, where, a2, b2)
                continue
            undefined = False
            if a2.outcome != "value":
                before = within = None
                continue
            judgement = _judge(a2, b2)
            if judgement == "agree":
                return self._agreed(a2, b2, confirmed=not spot)
            if judgement == "differ":
                if last and before is not None and _reproduced(before, (a2, b2)):
                    return self._disagreement(point, where, a2, b2)
                before, within = (a2, b2), None
                continue
            gap = abs(a2.value - b2.value)
            if _tiny_bound(a2, b2, digits) and (
                (gap == 0 and digits >= CONFIRM_DIGITS[0])
                or (within is not None and _collapsed(within[1], gap, digits - within[0]))
            ):
                return self._agreed(a2, b2, confirmed=not spot)
            before, within = None, (digits, gap)
        return self._agreed(a, b) if spot else "skip"

    def _disagreement(self, point: Point, where: str, a: _Result, b: _Result) -> Verdict:
        self.evidence_points.append(point)
        if a.outcome == "undefined":
            expected = _digits(b.value, 6)
            detail = f"the answer is undefined at {where} ({a.why}); expected {expected}"
            self.undefined.append(detail)
            return "answer-undefined"
        answer, expected = _show_pair(a.value, b.value)
        detail = f"differs at {where}: answer {answer}, expected {expected}"
        self.evidence.append(detail)
        return "differ"

    # -- where to look

    def _breakpoint_points(self) -> list[Point]:
        """Points on both sides of, and beyond, every breakpoint of either expression.

        A breakpoint is where an expression switches branches (a kink of |x|, step, max/min,
        a Piecewise condition, relu) or becomes undefined, found by scanning each variable
        that occurs in a kink's argument through its whole domain (to 100 from 0 or from the
        finite bound), the other variables held at the first sample point.
        """
        if not self.main.branchy or not self.queue:
            return []
        base = self.queue[0]
        at_base = _names(base)
        found: dict[tuple[str, float], tuple[Any, Domain]] = {}
        for expr, compiled in (
            (self.answer, self.main.answer),
            (self.expected, self.main.expected),
        ):
            if not compiled.branchy:
                continue
            names, in_kinks = _variables(expr)
            for symbol, domain in _by_name(self.domains):
                name = _name(symbol)
                if name not in in_kinks:
                    continue
                others = tuple(
                    sorted((n, v) for n, v in at_base.items() if n in names and n != name)
                )
                for breakpoint_ in _breakpoints(expr, name, domain, others):
                    found.setdefault((name, round(breakpoint_, 6)), (symbol, domain))
        points: list[Point] = []
        for index, offset in enumerate(BREAKPOINT_OFFSETS):
            for (_, breakpoint_), (symbol, domain) in found.items():
                at = _decimal(breakpoint_, SIGNIFICANT_DIGITS + 1)
                step = offset * max(Fraction(1), abs(at)) if index == 0 else offset
                for side in (-1, 1):
                    value = at + side * step
                    if domain.admits(value):
                        points.append({**base, symbol: value})
        return points[:MAX_BREAKPOINT_POINTS]

    def _tail_points(self) -> list[Point]:
        """`TAIL_POINTS` points with one real variable at 4 < |x| < 50 (alternating sides)."""
        tailed = [(symbol, domain) for symbol, domain in _by_name(self.domains) if domain.tails]
        if not tailed or not self.queue:
            return []
        points: list[Point] = []
        for k in range(TAIL_POINTS):
            symbol, domain = tailed[k % len(tailed)]
            value = domain.tail_sample(self.extra_rng, k // len(tailed))
            if value is not None:
                points.append({**self.queue[k % len(self.queue)], symbol: value})
        return points

    def _neighbours(self, point: Point) -> list[Point]:
        """`NEIGHBOURS` points close to `point`: every variable moved by 10⁻² down to 10⁻⁵ of
        its size, in a random direction."""
        points: list[Point] = []
        for k in range(NEIGHBOURS):
            radius = NEIGHBOUR_RADII[k % len(NEIGHBOUR_RADII)]
            moved: Point = {}
            for symbol, value in point.items():
                domain = self.domains[symbol]
                scale = (
                    abs(value) if domain.anchor is not None else max(abs(value), Fraction(1, 10))
                )
                step = radius * scale * self.extra_rng.choice((-1, 1))
                for candidate in (value + step, value - step, value):
                    rounded = _decimal(float(candidate), SIGNIFICANT_DIGITS + 4)
                    if domain.admits(rounded):
                        moved[symbol] = rounded
                        break
                else:
                    moved[symbol] = value
            points.append(moved)
        return points

    # -- the whole comparison

    def run(self) -> Comparison:
        stages: tuple[Callable[[], list[Point]], ...] = (
            lambda: self.queue,
            self._breakpoint_points,
            self._tail_points,
        )
        for stage in stages:
            if (stop := self._check_all(stage())) is not None:
                return stop
        regions = self._regions() if self.main.branchy else {}
        for region, candidates in regions.items():
            for point in candidates[:TRIES_PER_REGION]:
                if region in self.covered:
                    break
                if (stop := self._stop()) is not None:
                    return stop
                self.check(point)
        replacements = iter(range(3 * self.points))
        while not self._enough_points() and (index := next(replacements, None)) is not None:
            if (stop := self._stop()) is not None:
                return stop
            self.check(self.pool[index])
        # One lone difference: a fluke on a kink, or a small region? Look around it.
        lone = self.evidence_points and len(self._all_evidence) < EVIDENCE_NEEDED
        if lone and (stop := self._check_all(self._neighbours(self.evidence_points[0]))):
            return stop
        return self._decide(regions)

    def _enough_points(self) -> bool:
        return self.agreeing >= self.points and not self.evidence and not self.undefined

    def _check_all(self, points: Sequence[Point]) -> Comparison | None:
        for point in points:
            if (stop := self._stop()) is not None:
                return stop
            self.check(point)
        return None

    @property
    def _all_evidence(self) -> list[str]:
        """Differences, and undefined points unless there is only one.

        A single point where the answer alone is undefined is a removable singularity the
        sampler happened to hit ((x² − 1)/(x − 1) at x = 1), not a difference.
        """
        return self.evidence + (self.undefined if len(self.undefined) > 1 else [])

    def _stop(self) -> Comparison | None:
        if len(evidence := self._all_evidence) >= EVIDENCE_NEEDED:
            return Comparison("different", "; ".join(evidence[:EVIDENCE_NEEDED]))
        if time.perf_counter() > self.deadline:
            return Comparison(
                "undecided",
                f"time budget used up after {self.checked} points ({self.agreeing} agreeing)",
            )
        return None

    def _decide(self, regions: Mapping[tuple[int, ...], list[Point]]) -> Comparison:
        if (stop := self._stop()) is not None:
            return stop
        if self.evidence:
            return Comparison(
                "undecided",
                f"only one point differs ({self.evidence[0]}), its neighbours do not; "
                f"{self.agreeing} agree",
            )
        # Reached only when `points` points agree or every replacement has been tried.
        if self.agreeing < (self.points + 1) // 2:
            return Comparison(
                "undecided",
                f"only {self.agreeing} of {self.checked} points could be compared "
                "(the expressions are undefined, unreliable or too imprecise at the others)",
            )
        unchecked = [region for region in regions if region not in self.covered]
        if unchecked:
            return Comparison(
                "undecided",
                f"{len(unchecked)} region(s) of the piecewise expressions could not be checked",
            )
        how = "exact rational" if self.main.kind == "exact" else f"{PRECISION_DIGITS}-digit"
        how += " arithmetic"
        if self.confirmed:
            how += f"; {self.confirmed} checked again with error bounds"
        where = f" in {len(self.covered)} region(s)" if self.main.branchy else ""
        return Comparison("equal", f"equal at {self.agreeing} points{where} ({how})")

    def _regions(self) -> dict[tuple[int, ...], list[Point]]:
        """Regions of the piecewise expressions found by a float pre-pass, with their points.

        Regions are keyed by the branches both expressions take; only those where both sides
        have a float value are kept, the most frequent first, at most `MAX_REGIONS`.
        """
        try:
            floats = _Pair(self.answer, self.expected, "float")
        except _Unsupported:
            return {}
        found: dict[tuple[int, ...], list[Point]] = {}
        for point in self.pool:
            if time.perf_counter() > self.deadline:
                break  # run() notices the deadline next
            a, b = floats.run(_names(point))
            if a.outcome == "value" and b.outcome == "value":
                found.setdefault(_region(a, b), []).append(point)
        ranked = sorted(found.items(), key=lambda item: -len(item[1]))[:MAX_REGIONS]
        return dict(ranked)


def _digits(value: Any, digits: int) -> str:
    if isinstance(value, Fraction):
        value = _mp_context(CONFIRM_DIGITS[0]).mpf(value.numerator) / value.denominator
    return str(mpmath.nstr(value, digits))


def _show_pair(a: Any, b: Any) -> tuple[str, str]:
    """Both values with just enough digits to tell them apart (6 to 120)."""
    for digits in (6, 12, 20, 30, 40, 60, 90, 120):
        shown = _digits(a, digits), _digits(b, digits)
        if shown[0] != shown[1]:
            break
    return shown


def compare(
    answer: Any,
    expected: Any,
    domains: Mapping[Any, Domain],
    *,
    seed: int = 0,
    points: int = 12,
    time_budget_s: float = 0.5,
    substitutions: Mapping[Any, Any] | None = None,
) -> Comparison:
    """Whether `answer` equals `expected` at every point of the domains (see module docs).

    `answer` and `expected` are trusted SymPy expressions in the variables of `domains`
    (symbols are matched by name). `substitutions` (symbol → expression) is applied to both
    first: constraints such as `{y2: 1 - y1}` for softmax targets that sum to 1. The time
    budget is checked between points; running out gives "undecided", never "different".
    """
    if points < EVIDENCE_NEEDED:
        raise ValueError(f"points must be at least {EVIDENCE_NEEDED}")
    deadline = time.perf_counter() + time_budget_s
    try:
        answer, expected = _prepare(answer), _prepare(expected)
    except (sympy.SympifyError, TypeError) as error:
        return Comparison("undecided", f"not an expression: {error}")
    if substitutions:
        answer = _prepare(answer.subs(dict(substitutions)))
        expected = _prepare(expected.subs(dict(substitutions)))
    if answer == expected:
        return Comparison("equal", "identical expressions")
    free = {_name(symbol) for symbol in answer.free_symbols | expected.free_symbols}
    used = {symbol: domain for symbol, domain in domains.items() if _name(symbol) in free}
    if undeclared := sorted(free - {_name(symbol) for symbol in used}):
        return Comparison("undecided", f"no domain for {', '.join(undeclared)}")
    domains = used  # sampling a variable neither side uses would only cost time
    try:
        session = _Session(answer, expected, domains, seed, points, deadline)
    except _Unsupported as error:
        return Comparison("undecided", f"cannot evaluate {error}")
    return session.run()
