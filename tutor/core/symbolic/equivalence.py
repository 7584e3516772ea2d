"""Is a learner's expression equal to the expected one? Evaluation at random points.

Both expressions are evaluated at the same random points inside each variable's declared
domain and compared there. This is fast (a few milliseconds), and it is not fooled where
`simplify` gives up: σ(z)(1 − σ(z)) and e^(−z)/(1 + e^(−z))² agree at every point whether
or not SymPy can show it.

How a point is evaluated
------------------------
Points are exact rationals with about four significant decimals (readable in a reason).
Each expression is compiled once, from the trusted SymPy tree, into closures: no text, no
`sympify`, no `lambdify`. Helpers (σ, relu, softplus, swish, leaky_relu) are compiled from
their elementary definitions, the rewrite `functions.explicit` makes; a float in the tree
means the decimal it prints as (`x**0.5` is `x**(1/2)`, `0.1` is 1/10). Then

* both sides are evaluated exactly, with `Fraction`s, when both are rational functions,
  possibly with |x|, sign, step, max/min or Piecewise: equality is exact, no tolerance
  (x² + 10⁻³⁰ differs from x²);
* otherwise at 50 significant digits (mpmath, a private context per thread). Two values
  agree when |a − b| ≤ 1e-25 · max(|a|, |b|). Sums record how many leading bits cancel; a
  value that lost more than all but 100 bits (30 digits) is *imprecise*. A point where
  the values disagree, or either is imprecise, is evaluated again at 120 and then 250
  digits: it agrees once both values are precise and agree, or once their difference
  collapses with the added digits (it was rounding noise: it shrank by at least half the
  added digits); it counts as a difference only if at 250 digits both values are precise
  and reproduce the 120-digit ones to 1e-20. Otherwise the point is skipped. So lost
  precision (1 − σ(z) rounding to 0 at large z) is never read as a difference.

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
  difference is not enough (it could be a kink the sampler fell on): sampling goes on,
  and if no second difference turns up the result is "undecided".
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
Lost precision cannot fake agreement, because imprecise values are never compared at 50
digits. And `simplify` would add 0.1–5 s per check, cannot be interrupted within the time
budget, and fails to prove many true identities, which would turn correct answers into
"could not decide". Rational expressions are evaluated exactly, which is as good as a
symbolic check at those points.

The gaps, and how they are narrowed:

* Piecewise expressions (relu, |x|, max, step, Piecewise) are analytic only within
  regions, and two of them may differ in one region only. Points are drawn by Latin
  hypercube (each variable's range is cut into `points` strata with one point in each), so
  both signs of every variable are seen; then a float pre-pass evaluates 200 more random
  points, notes which branch every kink took (the point's *region*) and checks a point in
  every region not yet covered. A region smaller than about 1/200 of the sampling box can
  still be missed.
* Sampling ranges are bounded: unbounded domains are sampled within 4 of 0 or of their
  finite bound (see `Domain`). A difference that shows only beyond (e.g. `min(x, 10)`
  against `x`) is not seen.
* A relative difference below 1e-25 at every point (a learner adding 10⁻³⁰ to a
  transcendental answer) reads as equal.
* Constraints between variables (softmax targets summing to 1) are not sampled: the checker
  substitutes them (e.g. `y2 = 1 - y1`) before comparing, or passes them as
  `substitutions`, so every point satisfies them.
"""

from __future__ import annotations

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

from tutor.core.symbolic.functions import Helper

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
"""Precisions at which a disagreement is evaluated again before it counts."""
RELATIVE_TOLERANCE = 1e-25
"""Two 50-digit values agree when |a − b| ≤ this · max(|a|, |b|)."""
STABILITY_TOLERANCE = 1e-20
"""A difference counts when the 250-digit values reproduce the 120-digit ones to this."""
RESERVED_BITS = 100
"""A value is imprecise when cancellation leaves fewer than this many bits (30 digits)."""
NOTICED_LOSS_BITS = 8
"""Smaller cancellations in a sum are ignored (they cost less than 3 digits)."""
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

UNBOUNDED_SPAN = Fraction(4)
"""How far from its bound (or from 0) an unbounded domain is sampled."""
ZERO_GAP = Fraction(1, 10)
"""How close to 0 (or to an infinite domain's finite bound) samples come."""
INTERVAL_MARGIN = Fraction(1, 50)
"""Fraction of an interval's width kept clear at each end."""
SIGNIFICANT_DIGITS = 6
"""Sample values have about this many significant decimals: short enough to read in a
reason, fine enough that a removable singularity or a kink (x = 1 in (x² − 1)/(x − 1))
is almost never hit exactly."""


# ----------------------------------------------------------------------------- domains


_WORDS: dict[str, tuple[tuple[Fraction, Fraction], ...]] = {
    "real": ((-UNBOUNDED_SPAN, -ZERO_GAP), (ZERO_GAP, UNBOUNDED_SPAN)),
    "nonzero": ((-UNBOUNDED_SPAN, -ZERO_GAP), (ZERO_GAP, UNBOUNDED_SPAN)),
    "positive": ((ZERO_GAP, UNBOUNDED_SPAN),),
    "nonnegative": ((ZERO_GAP, UNBOUNDED_SPAN),),
    "negative": ((-UNBOUNDED_SPAN, -ZERO_GAP),),
    "nonpositive": ((-UNBOUNDED_SPAN, -ZERO_GAP),),
}
_BOUND = r"\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:inf|oo|∞))\s*"
_INTERVAL = re.compile(rf"^([\(\[]){_BOUND},{_BOUND}([\)\]])$")


@dataclass(frozen=True)
class Domain:
    """The values a variable takes, and the ranges it is sampled from.

    Samples are strictly inside the domain and away from its bounds (and from 0 for `real`
    and `nonzero`), so logarithms, square roots and kinks at 0 are never evaluated on the
    edge. Whether a bound is open or closed does not change the samples.
    """

    text: str
    """The domain as written: `real`, `positive`, `negative`, `nonzero`, `nonnegative`,
    `nonpositive`, or an interval like `(0, 1)`, `[-2, 2]`, `(0, inf)`."""
    ranges: tuple[tuple[Fraction, Fraction], ...]
    """Closed intervals samples are drawn from, uniformly over their total length."""
    step: Fraction = field(init=False, repr=False, compare=False)
    """Samples are multiples of this power of ten: about four significant decimals."""
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
        if word in _WORDS:
            return cls(text, _WORDS[word])
        match = _INTERVAL.match(text.strip())
        if match is None:
            raise ValueError(
                f"unknown domain {text!r}: use real, positive, negative, nonzero, nonnegative "
                "or an interval like '(0, 1)'"
            )
        low, high = _bound(match.group(2)), _bound(match.group(3))
        if low is not None and high is not None and low >= high:
            raise ValueError(f"empty interval {text!r}: the lower bound must be below the upper")
        return cls(text, (_sampling_range(low, high),))

    def sample_at(self, quantile: float) -> Fraction:
        """The value at `quantile` ∈ [0, 1) of the sampling ranges (a multiple of `step`)."""
        total = self._total
        index = min(max(int(quantile * total), 0), total - 1)
        for low, high in self._grid:
            if index <= high - low:
                return Fraction((low + index) * self.step.numerator, self.step.denominator)
            index -= high - low + 1
        raise AssertionError("unreachable: index is below the total")

    def sample(self, rng: random.Random) -> Fraction:
        """One random value strictly inside the domain, away from its bounds."""
        return self.sample_at(rng.random())


def _bound(text: str) -> Fraction | None:
    cleaned = text.strip().lstrip("+")
    if cleaned.lstrip("-") in ("inf", "oo", "∞"):
        return None
    return Fraction(cleaned)


def _sampling_range(low: Fraction | None, high: Fraction | None) -> tuple[Fraction, Fraction]:
    if low is None and high is None:
        return (-UNBOUNDED_SPAN, UNBOUNDED_SPAN)
    if high is None:
        assert low is not None
        return (low + ZERO_GAP, low + UNBOUNDED_SPAN)
    if low is None:
        return (high - UNBOUNDED_SPAN, high - ZERO_GAP)
    margin = (high - low) * INTERVAL_MARGIN
    return (low + margin, high - margin)


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
            value = self.ar.constant(node)
            return lambda env: value
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
                return method(self, node)
        if isinstance(node, sympy.log) and len(node.args) == 1 and self.ar.tracks_loss:
            return self._tracked_log(node)
        if isinstance(node, sympy.Function) and len(node.args) == 1:
            function = self.ar.unary(type(node).__name__)
            if function is not None:
                return self._apply(function, self.compile(node.args[0]))
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
        """A sum that notes how many leading bits cancel (1 − σ(20) loses about 29)."""
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

    def _apply(self, function: Callable[[Any], Any], argument: Thunk) -> Thunk:
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

    def _kinked(self, node: Any, pick: Callable[[Any], Any]) -> Thunk:
        """A function of one argument with a kink at 0: |x|, sign, step, DiracDelta."""
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
        return self._kinked(node, abs)

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
            below = bool(a < b)  # away from the boundary, < and <= agree (and == is False)
            return {
                "<": below,
                "<=": below,
                ">": not below,
                ">=": not below,
                "==": False,
                "!=": True,
            }[operator]

        return run

    # -- anything else: SymPy's own evalf, on the numeric arguments (floats only)

    def _fallback(self, node: Any) -> Thunk:
        if self.ar.exact:
            raise _NotExact
        if not isinstance(node, sympy.Function) or not all(
            isinstance(arg, sympy.Expr) for arg in node.args
        ):
            raise _Unsupported(f"{type(node).__name__}")
        arguments = [self.compile(arg) for arg in node.args]
        ar, function = self.ar, node.func

        def run(env: _Env) -> Any:
            values = [sympy.Float(str(argument(env)), ar.digits) for argument in arguments]
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

    _SPECIAL: tuple[tuple[type, Callable[[_Compiler, Any], Thunk]], ...] = (
        (sympy.Abs, _abs),
        (sympy.sign, _sign),
        (sympy.Heaviside, _heaviside),
        (sympy.DiracDelta, _dirac),
        (sympy.Max, _extremum),
        (sympy.Min, _extremum),
    )


Outcome = Literal["value", "imprecise", "undefined", "unreliable"]
"""`imprecise`: a value was computed, but cancellation left too few correct digits."""


@dataclass(frozen=True)
class _Result:
    """One evaluation: the value (when there is one) and the branches taken on the way."""

    outcome: Outcome
    value: Any = None
    trace: tuple[int, ...] = ()
    why: str = ""


class _Compiled:
    """One expression compiled for one arithmetic."""

    def __init__(self, expr: Any, arithmetic: _Arithmetic) -> None:
        compiler = _Compiler(arithmetic)
        self.thunk = compiler.compile(expr)
        self.branchy = compiler.branchy
        self.arithmetic = arithmetic

    def run(self, values: Mapping[str, Fraction]) -> _Result:
        """Evaluate at exact rational values of the variables (by name)."""
        number = self.arithmetic.number
        env = _Env({name: number(value) for name, value in values.items()})
        limit = self.arithmetic.loss_limit_bits
        try:
            value = self.thunk(env)
        except _Undefined as error:
            if self.arithmetic.tracks_loss and env.lost_bits > limit:
                return _Result("imprecise", why=f"{error} after cancellation")
            return _Result("undefined", why=str(error))
        except ZeroDivisionError:
            return _Result("undefined", why="division by zero")
        except _Unreliable as error:
            return _Result("unreliable", why=str(error))
        except (OverflowError, RecursionError, MemoryError) as error:
            return _Result("unreliable", why=type(error).__name__)
        if self.arithmetic.is_float and not math.isfinite(value):
            return _Result("unreliable", why="overflow")
        if self.arithmetic.tracks_loss and env.lost_bits > limit:
            return _Result("imprecise", value, tuple(env.trace), "cancellation")
        return _Result("value", value, tuple(env.trace))


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


class Evaluator:
    """An expression compiled once for high-precision evaluation at many points."""

    def __init__(self, expr: Any, digits: int = PRECISION_DIGITS) -> None:
        """Compile `expr` (a trusted SymPy expression); raises ValueError if it cannot be."""
        try:
            self._compiled = _Compiled(_prepare(expr), _arithmetic(str(digits)))
        except _Unsupported as error:
            raise ValueError(f"cannot evaluate {expr}: {error}") from error
        self.symbols = frozenset(str(s) for s in _prepare(expr).free_symbols)
        """Names of the free symbols, each of which a point must give a value for."""

    def __call__(self, point: Mapping[Any, Fraction | int | float | str]) -> Any:
        """The value (an mpmath number) at `point`; None where undefined, unreliable or imprecise.

        Undefined: log of a non-positive number, 1/0, a complex value. Unreliable: on a kink,
        overflow. Imprecise: cancellation left fewer than 30 correct digits. A float in
        `point` is taken exactly (use Fractions for exact decimals). The number belongs to a
        private 50-digit mpmath context: `float()`, comparisons and arithmetic work on it.
        Raises KeyError when `point` lacks one of the expression's symbols.
        """
        result = self._compiled.run(_names(point))
        return result.value if result.outcome == "value" else None


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


def _agree(a: Any, b: Any, tolerance: float) -> bool:
    """|a − b| ≤ tolerance · max(|a|, |b|) (exactly equal when the tolerance is 0)."""
    return bool(abs(a - b) <= tolerance * max(abs(a), abs(b))) if tolerance else bool(a == b)


# -------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Comparison:
    """The verdict of `compare`, with the reason (for logs and tests, not for learners)."""

    decision: Decision
    reason: str
    """E.g. "differs at w=0.37, x=-1.2: answer 0.52, expected 0.13"."""


Verdict = Literal["agree", "differ", "answer-undefined", "skip"]


class _Pair:
    """The answer and the expected expression, compiled together for one arithmetic."""

    def __init__(self, answer: Any, expected: Any, kind: str) -> None:
        arithmetic = _arithmetic(kind)
        self.kind = kind
        self.answer = _Compiled(answer, arithmetic)
        self.expected = _Compiled(expected, arithmetic)
        self.branchy = self.answer.branchy or self.expected.branchy

    def run(self, values: Mapping[str, Fraction]) -> tuple[_Result, _Result]:
        return self.answer.run(values), self.expected.run(values)


_COMPUTED = ("value", "imprecise")


def _stable(before: _Result, after: _Result) -> bool:
    """The higher precision reproduced the lower one's value: it was computed accurately."""
    if before.value is None or after.value is None:
        return False
    return _agree(before.value, after.value, STABILITY_TOLERANCE)


def _collapsed(a: _Result, b: _Result, a2: _Result, b2: _Result, added_digits: int) -> bool:
    """The difference shrank by half the added digits or more: it was rounding noise.

    (A true difference, however small, stays put once the precision suffices to see it.)
    """
    if any(r.value is None for r in (a, b, a2, b2)):
        return False
    before = abs(a.value - b.value)
    return bool(before != 0 and abs(a2.value - b2.value) <= 10.0 ** -(added_digits // 2) * before)


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
        self.points, self.deadline = points, deadline
        try:
            self.main = _Pair(answer, expected, "exact")
        except _NotExact:
            self.main = _Pair(answer, expected, str(PRECISION_DIGITS))
        self._confirm: dict[int, _Pair] = {}
        rng = random.Random(seed)
        self.queue = _latin_hypercube(domains, rng, points)
        pool_size = max(3 * points, REGION_POOL if self.main.branchy else 0)
        self.pool = _random_points(domains, rng, pool_size)
        self.agreeing = 0
        self.confirmed = 0
        """Agreeing points that needed a higher precision first."""
        self.evidence: list[str] = []
        """Confirmed differences."""
        self.undefined: list[str] = []
        """Points where the answer is undefined and the expected value exists."""
        self.checked = 0
        self.covered: set[tuple[int, ...]] = set()
        self.seen: set[int] = set()

    # -- one point

    def check(self, point: Point) -> Verdict:
        if id(point) in self.seen:
            return "skip"
        self.seen.add(id(point))
        self.checked += 1
        values = _names(point)
        a, b = self.main.run(values)
        if a.outcome == "value" and b.outcome == "value":
            if _agree(a.value, b.value, self._tolerance):
                return self._agreed(a, b)
            return self._confirm_point(point, values, a, b)
        if b.outcome in _COMPUTED and a.outcome in ("undefined", *_COMPUTED):
            return self._confirm_point(point, values, a, b)
        return "skip"

    @property
    def _tolerance(self) -> float:
        return 0.0 if self.main.kind == "exact" else RELATIVE_TOLERANCE

    def _agreed(self, a: _Result, b: _Result, *, confirmed: bool = False) -> Verdict:
        self.agreeing += 1
        self.confirmed += confirmed
        self.covered.add(_region(a, b))
        return "agree"

    def _confirm_point(
        self, point: Point, values: Mapping[str, Fraction], a: _Result, b: _Result
    ) -> Verdict:
        """A disagreement counts only once the two highest precisions reproduce both values.

        At each higher precision the point agrees if both values are precise and agree
        (relative tolerance), or if their difference collapsed (it was rounding noise: it
        shrank by at least half the added digits). At the highest precision, a difference
        counts only if both values are precise and the previous precision gave the same
        values (to 1e-20), and an undefined answer only if it was undefined there too.
        Otherwise the point is skipped: a value that underflows to 0, like 1 − σ(800) even
        at 250 digits, never becomes evidence.
        """
        where = _describe_point(point)
        if self.main.kind == "exact":  # exact values need no confirmation
            return self._disagreement(where, a, b)
        digits_before = PRECISION_DIGITS
        for digits in CONFIRM_DIGITS:
            if digits not in self._confirm:
                self._confirm[digits] = _Pair(self.answer, self.expected, str(digits))
            a2, b2 = self._confirm[digits].run(values)
            last = digits == CONFIRM_DIGITS[-1]
            if b2.outcome not in _COMPUTED:
                return "skip"
            precise = a2.outcome == b2.outcome == "value"
            if precise and _agree(a2.value, b2.value, RELATIVE_TOLERANCE):
                return self._agreed(a2, b2, confirmed=True)
            if _collapsed(a, b, a2, b2, digits - digits_before):
                return self._agreed(a2, b2, confirmed=True)
            if last and precise and _stable(a, a2) and _stable(b, b2):
                return self._disagreement(where, a2, b2)
            if last and a.outcome == a2.outcome == "undefined":
                return self._disagreement(where, a2, b2)
            a, b, digits_before = a2, b2, digits
        return "skip"

    def _disagreement(self, where: str, a: _Result, b: _Result) -> Verdict:
        if a.outcome == "undefined":
            expected = _digits(b.value, 6)
            detail = f"the answer is undefined at {where} ({a.why}); expected {expected}"
            self.undefined.append(detail)
            return "answer-undefined"
        answer, expected = _show_pair(a.value, b.value)
        detail = f"differs at {where}: answer {answer}, expected {expected}"
        self.evidence.append(detail)
        return "differ"

    # -- the whole comparison

    def run(self) -> Comparison:
        for point in self.queue:
            if (stop := self._stop()) is not None:
                return stop
            self.check(point)
        regions = self._regions() if self.main.branchy else {}
        for region, candidates in regions.items():
            for point in candidates[:TRIES_PER_REGION]:
                if region in self.covered:
                    break
                if (stop := self._stop()) is not None:
                    return stop
                self.check(point)
        for point in self.pool[: 3 * self.points]:
            if self.agreeing >= self.points and not self.evidence and not self.undefined:
                break
            if (stop := self._stop()) is not None:
                return stop
            self.check(point)
        return self._decide(regions)

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
                "undecided", f"only one point differs ({self.evidence[0]}); {self.agreeing} agree"
            )
        # Reached only when `points` points agree or every replacement has been tried.
        if self.agreeing < (self.points + 1) // 2:
            return Comparison(
                "undecided",
                f"only {self.agreeing} of {self.checked} points could be compared "
                "(the expressions are undefined or unreliable at the others)",
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
            how += f"; {self.confirmed} needed more digits"
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
    """Both values with just enough digits to tell them apart (6 to 40)."""
    for digits in (6, 12, 20, 30, 40):
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
