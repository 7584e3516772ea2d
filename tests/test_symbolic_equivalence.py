"""Equivalence of derivative expressions: equal forms, near misses, and what cannot be decided.

Every case is a real SymPy expression pair, the way the checker hands them over: in the
declared variables only (intermediates substituted), helpers like σ still in place.
"""

from __future__ import annotations

import random
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from typing import Any

import mpmath  # type: ignore[import-untyped]
import pytest
import sympy
from sympy import (
    Abs,
    Float,
    Heaviside,
    Max,
    Min,
    Piecewise,
    Rational,
    cosh,
    exp,
    log,
    sign,
    sqrt,
    tanh,
)

from tutor.core.symbolic.equivalence import (
    Comparison,
    Domain,
    Evaluator,
    compare,
    evaluate,
    sample_points,
)
from tutor.core.symbolic.functions import leaky_relu, relu, sigma, softplus, swish

# Symbols as the checker builds them: `real` unless the domain says more.
w, x, b, z, u, v = sympy.symbols("w x b z u v", real=True)
w1, b1, w2, b2 = sympy.symbols("w1 b1 w2 b2", real=True)
y, a, y1, y2, y3 = sympy.symbols("y a y1 y2 y3", real=True)
z1, z2, z3 = sympy.symbols("z1 z2 z3", real=True)
p, q = sympy.symbols("p q", positive=True)
n = sympy.Symbol("n", negative=True)
x1, x2 = sympy.symbols("x1 x2", real=True)

REAL = Domain.parse("real")
UNIT = Domain.parse("(0, 1)")
DOMAINS: dict[Any, Domain] = {
    **{s: REAL for s in (w, x, b, z, u, v, w1, b1, w2, b2, z1, z2, z3, x1, x2)},
    **{s: UNIT for s in (y, a, y1)},
    y2: Domain.parse("(0, 0.5)"),
    y3: Domain.parse("(0, 0.5)"),
    p: Domain.parse("positive"),
    q: Domain.parse("positive"),
    n: Domain.parse("negative"),
}


def on(**overrides: str) -> dict[Any, Domain]:
    """DOMAINS with some variables' domains replaced (by name)."""
    domains = dict(DOMAINS)
    for name, text in overrides.items():
        symbol = next(s for s in domains if s.name == name)
        domains[symbol] = Domain.parse(text)
    return domains


# ------------------------------------------------------------------ building blocks

S = sigma(z)
SIG_EXPLICIT = exp(-z) / (1 + exp(-z)) ** 2
# One neuron: z = w x + b, a = σ(z), MSE L = ½(a − y)².
Z = w * x + b
A = sigma(Z)
MSE = (A - y) ** 2 / 2
# Binary cross-entropy on a = σ(z).
BCE = -(y * log(A) + (1 - y) * log(1 - A))
# Softmax over two and three logits.
E1, E2, E3 = exp(z1), exp(z2), exp(z3)
S1_2, S2_2 = E1 / (E1 + E2), E2 / (E1 + E2)
CE2 = -(y1 * log(S1_2) + y2 * log(S2_2))
S1_3, S2_3, S3_3 = E1 / (E1 + E2 + E3), E2 / (E1 + E2 + E3), E3 / (E1 + E2 + E3)
CE3 = -(y1 * log(S1_3) + y2 * log(S2_3) + y3 * log(S3_3))
# Two-layer nets: h = f(w1 x + b1), ŷ = w2 h + b2, L = ½(ŷ − y)².
H1 = w1 * x + b1
TANH_NET = (w2 * tanh(H1) + b2 - y) ** 2 / 2
SIG_NET = (w2 * sigma(H1) + b2 - y) ** 2 / 2
RELU_NET = (w2 * relu(H1) + b2 - y) ** 2 / 2
YHAT_T = w2 * tanh(H1) + b2
YHAT_R = w2 * relu(H1) + b2

# (id, answer, expected, domains)
EQUAL: list[tuple[str, Any, Any, dict[Any, Domain]]] = [
    # σ' in its many forms
    ("sigma'-exp-form", S * (1 - S), SIG_EXPLICIT, DOMAINS),
    ("sigma'-expanded", S - S**2, S * (1 - S), DOMAINS),
    ("sigma'-sigma(-z)", S * sigma(-z), S * (1 - S), DOMAINS),
    ("sigma'-cosh-sum", 1 / (2 + exp(z) + exp(-z)), S * (1 - S), DOMAINS),
    ("sigma'-cosh-half", 1 / (4 * cosh(z / 2) ** 2), S * (1 - S), DOMAINS),
    ("sigma'-sympy-diff", sympy.diff(S, z), SIG_EXPLICIT, DOMAINS),
    ("1-sigma", 1 - S, sigma(-z), DOMAINS),
    ("sigma-tanh", (1 + tanh(z / 2)) / 2, S, DOMAINS),
    ("sigma-exp-over", exp(z) / (1 + exp(z)), S, DOMAINS),
    ("sigma-explicit", 1 / (1 + exp(-z)), S, DOMAINS),
    ("1-sigma-exp", exp(-z) / (1 + exp(-z)), 1 - S, DOMAINS),
    # tanh'
    ("tanh'-sech", 1 - tanh(z) ** 2, sympy.sech(z) ** 2, DOMAINS),
    ("tanh'-exp", 4 / (exp(z) + exp(-z)) ** 2, 1 - tanh(z) ** 2, DOMAINS),
    ("tanh'-cosh", 1 / cosh(z) ** 2, sympy.diff(tanh(z), z), DOMAINS),
    ("tanh'-factored", (1 - tanh(z)) * (1 + tanh(z)), 1 - tanh(z) ** 2, DOMAINS),
    ("tanh-via-sigma", 2 * sigma(2 * z) - 1, tanh(z), DOMAINS),
    # softplus, swish
    ("softplus'", sympy.diff(softplus(z), z), S, DOMAINS),
    ("softplus'-exp", exp(z) / (1 + exp(z)), sympy.diff(softplus(z), z), DOMAINS),
    ("softplus-odd-part", softplus(z) - softplus(-z), z, DOMAINS),
    ("swish'", S * (1 + z * (1 - S)), sympy.diff(swish(z), z), DOMAINS),
    ("swish", z * S, swish(z), DOMAINS),
    # MSE: ½ convention, expanded vs factored
    ("mse-w-expanded", w * x**2 + b * x - x * y, sympy.diff((Z - y) ** 2 / 2, w), DOMAINS),
    ("mse-b-negated", -(y - w * x - b), sympy.diff((Z - y) ** 2 / 2, b), DOMAINS),
    ("mse-no-half", 2 * w * x**2 + 2 * b * x - 2 * x * y, sympy.diff((Z - y) ** 2, w), DOMAINS),
    (
        "mse-two-samples",
        (w * x1 - y1) * x1 + (w * x2 - y2) * x2,
        sympy.diff(((w * x1 - y1) ** 2 + (w * x2 - y2) ** 2) / 2, w),
        DOMAINS,
    ),
    ("mse-sigmoid-w", (A - y) * A * (1 - A) * x, sympy.diff(MSE, w), DOMAINS),
    (
        "mse-sigmoid-explicit",
        (1 / (1 + exp(-Z)) - y) * exp(-Z) / (1 + exp(-Z)) ** 2 * x,
        sympy.diff(MSE, w),
        DOMAINS,
    ),
    ("mse-sigmoid-b", (A - y) * (A - A**2), sympy.diff(MSE, b), DOMAINS),
    # BCE: simplified (a − y)·x against the unsimplified chain product
    ("bce-w", (A - y) * x, sympy.diff(BCE, w), DOMAINS),
    ("bce-b", A - y, sympy.diff(BCE, b), DOMAINS),
    ("bce-dL/da", (a - y) / (a * (1 - a)), -y / a + (1 - y) / (1 - a), DOMAINS),
    (
        "bce-chain-product",
        (-y / A + (1 - y) / (1 - A)) * A * (1 - A) * x,
        (A - y) * x,
        DOMAINS,
    ),
    ("bce-logits", sympy.diff(log(1 + exp(z)) - y * z, z), S - y, DOMAINS),
    # softmax and cross-entropy (targets sum to 1: y2 = 1 − y1 substituted by the checker)
    ("softmax-ds1/dz1", S1_2 * (1 - S1_2), sympy.diff(S1_2, z1), DOMAINS),
    ("softmax-ds1/dz2", -S1_2 * S2_2, sympy.diff(S1_2, z2), DOMAINS),
    ("softmax3-ds1/dz1", S1_3 * (1 - S1_3), sympy.diff(S1_3, z1), DOMAINS),
    ("logsumexp'", sympy.diff(log(E1 + E2), z1), S1_2, DOMAINS),
    ("softmax-as-sigmoid", sigma(z1 - z2), S1_2, DOMAINS),
    # two-layer nets
    ("tanh-net-w1", (YHAT_T - y) * w2 * (1 - tanh(H1) ** 2) * x, sympy.diff(TANH_NET, w1), DOMAINS),
    ("tanh-net-w2", (YHAT_T - y) * tanh(H1), sympy.diff(TANH_NET, w2), DOMAINS),
    ("tanh-net-b1", (YHAT_T - y) * w2 / cosh(H1) ** 2, sympy.diff(TANH_NET, b1), DOMAINS),
    (
        "sigmoid-net-w1",
        (w2 * sigma(H1) + b2 - y) * w2 * sigma(H1) * (1 - sigma(H1)) * x,
        sympy.diff(SIG_NET, w1),
        DOMAINS,
    ),
    ("relu-net-w1", (YHAT_R - y) * w2 * Heaviside(H1) * x, sympy.diff(RELU_NET, w1), DOMAINS),
    (
        "relu-net-piecewise",
        (YHAT_R - y) * w2 * Piecewise((x, H1 > 0), (0, True)),
        sympy.diff(RELU_NET, w1),
        DOMAINS,
    ),
    ("relu-net-w2", (YHAT_R - y) * Max(0, H1), sympy.diff(RELU_NET, w2), DOMAINS),
    # relu, Heaviside, |x|: a point on the kink at 0 is skipped
    ("max-vs-x-step", Max(0, x), x * Heaviside(x), DOMAINS),
    ("relu-abs", (x + Abs(x)) / 2, relu(x), DOMAINS),
    ("relu'-sign", (sign(x) + 1) / 2, sympy.diff(relu(x), x), DOMAINS),
    ("relu-piecewise", Piecewise((z, z > 0), (0, True)), relu(z), DOMAINS),
    ("step-piecewise", Piecewise((1, x > 0), (0, True)), Heaviside(x), DOMAINS),
    ("relu-times-step", relu(x) * Heaviside(x), relu(x), DOMAINS),
    ("leaky-relu-max", Max(z, z / 100), leaky_relu(z), DOMAINS),
    (
        "leaky-relu'",
        Piecewise((1, z > 0), (Rational(1, 100), True)),
        sympy.diff(leaky_relu(z), z),
        DOMAINS,
    ),
    ("abs-x-sign", x * sign(x), Abs(x), DOMAINS),
    ("abs'-x-over-abs", x / Abs(x), sympy.diff(Abs(x), x), DOMAINS),
    ("relu(wx+b)'", x * Heaviside(Z), sympy.diff(relu(Z), w), DOMAINS),
    ("min-max", -Min(-x, 0), Max(x, 0), DOMAINS),
    ("step-on-positive", Heaviside(x), sympy.Integer(1), on(x="positive")),
    # roots and absolute values: the domain decides
    ("sqrt(x^2)-abs", sqrt(x**2), Abs(x), DOMAINS),
    ("sqrt(x^2)-x-positive", sqrt(x**2), x, on(x="positive")),
    ("abs-positive", Abs(x), x, on(x="(0, 3]")),
    ("x**0.5-float", x ** Float(0.5), sqrt(x), on(x="positive")),
    ("x**(1/2)", x ** Rational(1, 2), sqrt(x), on(x="positive")),
    ("sqrt'", 1 / (2 * sqrt(p)), sympy.diff(sqrt(p), p), DOMAINS),
    ("x/sqrt(x^2)", x / sqrt(x**2), sign(x), DOMAINS),
    # logarithms on positive domains
    ("log-product", log(p * q), log(p) + log(q), DOMAINS),
    ("log-power", log(x**2), 2 * log(x), on(x="positive")),
    ("log-abs", log(x**2), 2 * log(Abs(x)), DOMAINS),
    ("log'", 1 / p, sympy.diff(log(p), p), DOMAINS),
    ("log-exp", log(exp(z)), z, DOMAINS),
    ("exp-log", exp(log(p)), p, DOMAINS),
    ("log-quotient", log(p / q), log(p) - log(q), DOMAINS),
    ("log-negative-domain", log(n**2), 2 * log(-n), DOMAINS),
    # exact rational arithmetic
    ("binomial", (x + 1) ** 5, sympy.expand((x + 1) ** 5), DOMAINS),
    ("partial-fractions", 1 / (1 - x) + 1 / (1 + x), 2 / (1 - x**2), DOMAINS),
    ("float-half", Float(0.5) * x, x / 2, DOMAINS),
    ("one-third", x * Rational(1, 3), x / 3, DOMAINS),
    ("trig-identity", sympy.sin(x) ** 2 + sympy.cos(x) ** 2, sympy.Integer(1), DOMAINS),
    # values that strain precision
    ("sigma'-far-tail", S * (1 - S), SIG_EXPLICIT, on(z="(30, 60)")),
    ("tanh'-far-tail", 1 - tanh(z) ** 2, 1 / cosh(z) ** 2, on(z="(20, 40)")),
    ("huge-values", 2 * cosh(z) - exp(-z), exp(z), on(z="(300, 400)")),
    ("tiny-values", -2 * z * exp(-(z**2)), sympy.diff(exp(-(z**2)), z), on(z="(10, 20)")),
    ("1-sigma-far-tail", 1 - S, exp(-z) / (1 + exp(-z)), on(z="(100, 200)")),
    # the expected side undefined on part of a too-wide domain: judged where it exists
    ("too-wide-domain", 2 * log(sqrt(x)), log(x), DOMAINS),
]

# (id, answer, expected, domains): near misses a learner could type
DIFFERENT: list[tuple[str, Any, Any, dict[Any, Domain]]] = [
    ("sign-sigma'", -S * (1 - S), S * (1 - S), DOMAINS),
    ("mse-factor-2", 2 * (Z - y) * x, (Z - y) * x, DOMAINS),
    ("mse-factor-half", (Z - y) * x / 2, (Z - y) * x, DOMAINS),
    ("mse-missing-sigma'", (A - y) * x, sympy.diff(MSE, w), DOMAINS),
    ("mse-missing-x", (A - y) * A * (1 - A), sympy.diff(MSE, w), DOMAINS),
    ("mse-extra-x", (A - y) * A * (1 - A) * x**2, sympy.diff(MSE, w), DOMAINS),
    ("mse-swapped-w-x", (Z - y) * w, (Z - y) * x, DOMAINS),
    ("mse-sign", (y - Z) * x, (Z - y) * x, DOMAINS),
    ("abs-x-real", Abs(x), x, DOMAINS),
    ("sqrt(x^2)-x-real", sqrt(x**2), x, DOMAINS),
    ("offset-1e-9-float", (Z - y) * x + Float("1e-9"), (Z - y) * x, DOMAINS),
    ("offset-1e-12-exact", x + Rational(1, 10**12), x, DOMAINS),
    ("offset-1e-30-exact", x**2 + Rational(1, 10**30), x**2, DOMAINS),
    ("offset-1e-20-exp", exp(z) + Rational(1, 10**20), exp(z), DOMAINS),
    ("sigma'-plus", S * (1 + S), S * (1 - S), DOMAINS),
    ("tanh'-plus", 1 + tanh(z) ** 2, 1 - tanh(z) ** 2, DOMAINS),
    ("tanh'-unsquared", 1 - tanh(z), 1 - tanh(z) ** 2, DOMAINS),
    ("tanh'-sech-unsquared", sympy.sech(z), 1 - tanh(z) ** 2, DOMAINS),
    ("softplus'-sigma(-z)", sigma(-z), sympy.diff(softplus(z), z), DOMAINS),
    ("softplus'-itself", softplus(z), sympy.diff(softplus(z), z), DOMAINS),
    ("swish'-missing-term", S, sympy.diff(swish(z), z), DOMAINS),
    ("bce-sign", (y - A) * x, sympy.diff(BCE, w), DOMAINS),
    ("bce-missing-x", A - y, sympy.diff(BCE, w), DOMAINS),
    ("bce-dL/da-sign", (y - a) / (a * (1 - a)), -y / a + (1 - y) / (1 - a), DOMAINS),
    ("bce-extra-sigma'", (A - y) * A * (1 - A) * x, sympy.diff(BCE, w), DOMAINS),
    ("softmax-ds1/dz2-as-dz1", S1_2 * (1 - S1_2), sympy.diff(S1_2, z2), DOMAINS),
    ("softmax-ds1/dz2-sign", S1_2 * S2_2, sympy.diff(S1_2, z2), DOMAINS),
    ("softmax3-wrong-index", S1_3 * (1 - S2_3), sympy.diff(S1_3, z1), DOMAINS),
    ("softmax-ce-needs-constraint", S1_2 - y1, sympy.diff(CE2, z1), DOMAINS),
    ("softmax-ce-wrong-target", S1_2 - y2, sympy.diff(CE2, z1).subs(y2, 1 - y1), DOMAINS),
    (
        "tanh-net-missing-w2",
        (YHAT_T - y) * (1 - tanh(H1) ** 2) * x,
        sympy.diff(TANH_NET, w1),
        DOMAINS,
    ),
    ("tanh-net-h-for-h'", (YHAT_T - y) * w2 * tanh(H1) * x, sympy.diff(TANH_NET, w1), DOMAINS),
    (
        "tanh-net-w1-for-x",
        (YHAT_T - y) * w2 * (1 - tanh(H1) ** 2) * w1,
        sympy.diff(TANH_NET, w1),
        DOMAINS,
    ),
    ("tanh-net-w2-as-w1", (YHAT_T - y) * tanh(H1), sympy.diff(TANH_NET, w1), DOMAINS),
    (
        "sigmoid-net-missing-sigma'",
        (w2 * sigma(H1) + b2 - y) * w2 * x,
        sympy.diff(SIG_NET, w1),
        DOMAINS,
    ),
    ("relu-net-relu-for-step", (YHAT_R - y) * w2 * relu(H1) * x, sympy.diff(RELU_NET, w1), DOMAINS),
    ("relu-net-missing-step", (YHAT_R - y) * w2 * x, sympy.diff(RELU_NET, w1), DOMAINS),
    ("relu'-as-relu", relu(x), Heaviside(x), DOMAINS),
    ("relu-as-identity", x, relu(x), DOMAINS),
    ("step-flipped", Heaviside(-x), Heaviside(x), DOMAINS),
    (
        "leaky-slope",
        Piecewise((1, z > 0), (Rational(1, 10), True)),
        sympy.diff(leaky_relu(z), z),
        DOMAINS,
    ),
    ("leaky-vs-relu", relu(z), leaky_relu(z), DOMAINS),
    ("sign-vs-step", sign(x), Heaviside(x), DOMAINS),
    ("max-shifted", Max(0, x - Rational(1, 2)), Max(0, x), DOMAINS),
    ("max-mirrored", Max(0, -x), Max(0, x), DOMAINS),
    ("abs-nonzero", Abs(x), x, on(x="nonzero")),
    ("x-abs-x", x * Abs(x), x**2, DOMAINS),
    ("sqrt-positive-sign", sqrt(x**2), -x, on(x="positive")),
    ("exp-chain-sign", exp(-z), sympy.diff(exp(-z), z), DOMAINS),
    ("log-chain-missing", 1 / (1 + x**2), sympy.diff(log(1 + x**2), x), DOMAINS),
    ("log-power-real", 2 * log(x), log(x**2), DOMAINS),
    ("sqrt-power-real", sqrt(x**3) / sqrt(x), x, DOMAINS),
    ("decimal-third", Float("0.33") * x, x / 3, DOMAINS),
    ("decimal-near-half", Float("0.49") * x, x / 2, DOMAINS),
    ("sigma-mirror", sigma(-z), S, DOMAINS),
    ("power-rule", x**3, x**2, DOMAINS),
    ("square-of-sum", (x + 1) ** 2, x**2 + 1, DOMAINS),
    ("inverse-square", 1 / (1 + x**2), 1 / (1 + x) ** 2, DOMAINS),
    ("cube-vs-square-root", p ** Rational(1, 3), sqrt(p), DOMAINS),
    ("softplus-vs-identity", log(1 + exp(z)), z, DOMAINS),
    ("sigma'-missing-square", exp(-z) / (1 + exp(-z)), SIG_EXPLICIT, DOMAINS),
    ("small-region", Piecewise((x + 1, (x > 2) & (x < Rational(5, 2))), (x, True)), x, DOMAINS),
    ("small-2d-region", Heaviside(w * x - 10) * x, sympy.Integer(0), DOMAINS),
    (
        "mse-mean-missing-1/N",
        (w * x1 - y1) * x1 + (w * x2 - y2) * x2,
        sympy.diff(((w * x1 - y1) ** 2 + (w * x2 - y2) ** 2) / 4, w),
        DOMAINS,
    ),
]

UNDECIDED: list[tuple[str, Any, Any, dict[Any, Domain]]] = [
    ("expected-undefined-everywhere", log(n**2) / 2, log(n), DOMAINS),
    ("sqrt-of-negative-everywhere", sqrt(-p) * 2, sqrt(-p) + sqrt(-p) / 3, DOMAINS),
    ("undeclared-symbol", x + sympy.Symbol("k"), x, DOMAINS),
    ("unsupported-integral", sympy.Integral(x**2, (x, 0, 1)) * x, x / 3, DOMAINS),
    ("complex-constant", x + sympy.I, x, DOMAINS),
    ("infinite-constant", sympy.zoo * x, x, DOMAINS),
]


@pytest.mark.parametrize(
    ("answer", "expected", "domains"), [case[1:] for case in EQUAL], ids=[case[0] for case in EQUAL]
)
def test_equal_forms(answer: Any, expected: Any, domains: dict[Any, Domain]) -> None:
    result = compare(answer, expected, domains)
    assert result.decision == "equal", result.reason


@pytest.mark.parametrize(
    ("answer", "expected", "domains"),
    [case[1:] for case in DIFFERENT],
    ids=[case[0] for case in DIFFERENT],
)
def test_near_misses(answer: Any, expected: Any, domains: dict[Any, Domain]) -> None:
    result = compare(answer, expected, domains)
    assert result.decision == "different", result.reason


@pytest.mark.parametrize(
    ("answer", "expected", "domains"),
    [case[1:] for case in UNDECIDED],
    ids=[case[0] for case in UNDECIDED],
)
def test_undecidable(answer: Any, expected: Any, domains: dict[Any, Domain]) -> None:
    result = compare(answer, expected, domains)
    assert result.decision == "undecided", result.reason


def test_tables_are_large_enough() -> None:
    assert len(EQUAL) >= 60 and len(DIFFERENT) >= 60


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(
    ("answer", "expected", "decision"),
    [
        (S * (1 - S), SIG_EXPLICIT, "equal"),
        (2 * S * (1 - S), SIG_EXPLICIT, "different"),
        (Max(0, Z) * x, relu(Z) * Heaviside(Z) * x, "equal"),
        (Heaviside(w * x - 10) * x, sympy.Integer(0), "different"),
    ],
)
def test_decisions_do_not_depend_on_the_seed(
    seed: int, answer: Any, expected: Any, decision: str
) -> None:
    assert compare(answer, expected, DOMAINS, seed=seed).decision == decision


def test_decisions_are_reproducible() -> None:
    first = compare(2 * S, S, DOMAINS, seed=3)
    assert first == compare(2 * S, S, DOMAINS, seed=3)


def test_the_swap_is_symmetric() -> None:
    assert compare(SIG_EXPLICIT, S * (1 - S), DOMAINS).decision == "equal"
    assert compare(x, Abs(x), DOMAINS).decision == "different"


# --------------------------------------------------------------- constraints and budget


def test_softmax_cross_entropy_with_the_constraint_substituted() -> None:
    expected = sympy.diff(CE2, z1)
    assert compare(S1_2 - y1, expected, DOMAINS).decision == "different"
    equal = compare(S1_2 - y1, expected, DOMAINS, substitutions={y2: 1 - y1})
    assert equal.decision == "equal", equal.reason


def test_three_class_softmax_with_targets_summing_to_one() -> None:
    expected = sympy.diff(CE3, z1)
    constraint = {y3: 1 - y1 - y2}
    domains = on(y1="(0, 0.5)")
    assert compare(S1_3 - y1, expected, domains, substitutions=constraint).decision == "equal"
    assert compare(S1_3 - y2, expected, domains, substitutions=constraint).decision == "different"


def test_an_exhausted_time_budget_is_undecided_never_different() -> None:
    result = compare(2 * S, S, DOMAINS, time_budget_s=0.0)
    assert result.decision == "undecided"
    assert "time budget" in result.reason


def test_a_single_differing_point_is_not_enough() -> None:
    # Differs only on a sliver (0.1 < x < 0.1005) that at most one sample may hit.
    sliver = Piecewise((x + 1, (x > Rational(1, 10)) & (x < Rational(201, 2000))), (x, True))
    assert compare(sliver, x, DOMAINS).decision in ("equal", "undecided")


def test_comparisons_in_threads_do_not_disturb_each_other() -> None:
    # Each thread gets its own mpmath contexts: no shared precision to trample.
    cases = [(S * (1 - S), SIG_EXPLICIT, "equal"), (2 * S, S, "different")] * 4

    def run(case: tuple[Any, Any, str]) -> bool:
        return compare(case[0], case[1], DOMAINS).decision == case[2]

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(run, cases))


def test_a_removable_singularity_is_not_a_difference() -> None:
    # (x² − 1)/(x − 1) is undefined only at x = 1, even in a domain hugging it.
    near_one = on(x="(0.999, 1.001)")
    assert compare((x**2 - 1) / (x - 1), x + 1, near_one).decision == "equal"


def test_points_must_allow_two_pieces_of_evidence() -> None:
    with pytest.raises(ValueError):
        compare(x, x, DOMAINS, points=1)


def test_text_is_never_sympified() -> None:
    result = compare("__import__('os').system('true')", x, DOMAINS)
    assert result.decision == "undecided"


# ------------------------------------------------------------- red-team regressions
# Each group pins one bug the red team found (tests/fixtures/redteam/answers.toml).

RELU6 = Min(Max(x, 0), 6)
CLIP = Max(-5, Min(x, 5))
SMOOTH_L1_SLOPE = Max(-1, Min(9 * x, 1))  # d/dr of smooth L1 with β = 1/9


# 1. Breakpoints beyond the sampling box: caps and clips must be seen.


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Heaviside(x), sympy.diff(RELU6, x)),  # ReLU6 without the cap: wrong for x > 6
        (sympy.diff(relu(x), x), sympy.diff(RELU6, x)),
        (Heaviside(x) * Heaviside(Rational(9, 2) - x), sympy.diff(RELU6, x)),  # cap at 4.5
        (sympy.Integer(1), sympy.diff(CLIP, x)),  # forgot the clip: wrong for |x| > 5
        (Heaviside(x + 5), sympy.diff(CLIP, x)),
        (x, Min(x, 10)),
        (3 * x * Abs(x) + Max(0, Abs(x) - Rational(9, 2)), 3 * x * Abs(x)),
        (x * (w * x - y) + Heaviside(w - Rational(9, 2)), x * (w * x - y)),  # w alone
        (Heaviside(w * x - 20) * x, sympy.Integer(0)),  # w·x ≤ 16 inside the box
        (-p + Max(p - Rational(9, 2), 0), -p),  # positive domain
    ],
    ids=[
        "relu6-step",
        "relu6-relu'",
        "relu6-cap-4.5",
        "clip-one",
        "clip-step",
        "min-x-10",
        "abs-beyond-4.5",
        "step-in-w",
        "two-variable-kink-beyond-the-box",
        "positive-beyond-4.5",
    ],
)
def test_differences_beyond_the_sampling_box_are_found(answer: Any, expected: Any) -> None:
    result = compare(answer, expected, DOMAINS)
    assert result.decision == "different", result.reason


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Heaviside(x) * Heaviside(6 - x), sympy.diff(RELU6, x)),
        (Piecewise((1, (x > 0) & (x < 6)), (0, True)), sympy.diff(RELU6, x)),
        (Heaviside(x + 5) * Heaviside(5 - x), sympy.diff(CLIP, x)),
        (Min(Max(x, -5), 5), CLIP),
        (9 * x * Heaviside(1 - 9 * Abs(x)) + sign(x) * Heaviside(9 * Abs(x) - 1), SMOOTH_L1_SLOPE),
    ],
    ids=["relu6'", "relu6'-piecewise", "clip'", "clip-reordered", "smooth-l1'"],
)
def test_points_around_breakpoints_do_not_fake_a_difference(answer: Any, expected: Any) -> None:
    for seed in range(3):
        result = compare(answer, expected, DOMAINS, seed=seed)
        assert result.decision == "equal", result.reason


def test_the_breakpoint_scan_reaches_far_beyond_the_box() -> None:
    # Differs only for x > 30 (or w > 60): the scan runs out to 100.
    assert compare(Piecewise((x + 1, x > 30), (x, True)), x, {x: REAL}).decision == "different"
    assert compare(Max(w, 60), Max(w, 70), {w: REAL}).decision == "different"
    assert compare(Max(p, 60), Max(p, 70), {p: Domain.parse("positive")}).decision == "different"


def test_real_variables_also_get_tail_points() -> None:
    domain = Domain.parse("real")
    rng = random.Random(4)
    tails = [domain.tail_sample(rng, k) for k in range(200)]
    assert all(t is not None and 4 <= abs(t) <= 50 for t in tails)
    assert any(t is not None and t < -10 for t in tails) and any(
        t is not None and t > 10 for t in tails
    )
    assert Domain.parse("positive").tail_sample(rng, 0) is None  # sampled to 100 already


# 2. Near 0, and small values on positive domains.


@pytest.mark.parametrize(
    ("answer", "expected", "domains"),
    [
        (sign(x), SMOOTH_L1_SLOPE, DOMAINS),  # the L1 gradient: no quadratic zone
        (x / Abs(x), SMOOTH_L1_SLOPE, DOMAINS),
        (1 / (1 + Abs(x)) ** 2 + exp(-10000 * x**2), 1 / (1 + Abs(x)) ** 2, DOMAINS),
        (Min(1, 10 * Abs(x)) / (1 + Abs(x)) ** 2, 1 / (1 + Abs(x)) ** 2, DOMAINS),
        (Heaviside(Abs(x) - Rational(1, 20)), sympy.Integer(1), on(x="nonzero")),
        (-p + Max(Rational(1, 20) - p, 0), -p, DOMAINS),
        (log(p) + Max(Rational(1, 500) - p, 0), log(p), DOMAINS),
    ],
    ids=[
        "smooth-l1-sign",
        "smooth-l1-r/|r|",
        "bump-at-0",
        "min-1-10|x|",
        "step-0.05",
        "positive-below-0.05",
        "positive-below-0.002",
    ],
)
def test_differences_near_zero_are_found(answer: Any, expected: Any, domains: Any) -> None:
    result = compare(answer, expected, domains)
    assert result.decision == "different", result.reason


# 3. Differences below the old 1e-25 relative tolerance.


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (exp(z) + Rational(1, 10**40), exp(z)),
        (1 - tanh(z) ** 2 + exp(-100), 1 - tanh(z) ** 2),
        (x**x * (1 + log(x)) * (1 + Rational(1, 10**30)), x**x * (1 + log(x))),
        (S * (1 - S) * (1 + Rational(1, 10**60)), SIG_EXPLICIT),  # seen at 120 digits only
        (exp(z) + Rational(1, 10**80), exp(z)),
    ],
    ids=["exp+1e-40", "tanh'+e^-100", "x^x-relative-1e-30", "sigma'-relative-1e-60", "exp+1e-80"],
)
def test_differences_below_the_old_tolerance_are_found(answer: Any, expected: Any) -> None:
    result = compare(answer, expected, on(x="positive"))
    assert result.decision == "different", result.reason
    first = result.reason.split(";")[0]
    shown_answer, shown_expected = first.split("answer ")[1].split(", expected ")
    assert shown_answer != shown_expected  # the reason shows the digits that differ


def test_rounding_noise_is_not_a_difference() -> None:
    # Forms that differ only in rounding, at every precision: still equal.
    for answer, expected in [
        (S * (1 - S), SIG_EXPLICIT),
        (1 / (4 * cosh(z / 2) ** 2), S * (1 - S)),
        ((1 - tanh(z)) * (1 + tanh(z)), 1 / cosh(z) ** 2),
    ]:
        result = compare(answer, expected, DOMAINS)
        assert result.decision == "equal", result.reason


# 4. Sums that cancel exactly to 0 are exact, not infinitely imprecise.

ELU_SLOPE = Min(1, exp(z))
STABLE_CE = Max(z1, z2) + log(exp(z1 - Max(z1, z2)) + exp(z2 - Max(z1, z2))) - z1


@pytest.mark.parametrize(
    ("answer", "expected", "decision"),
    [
        (Heaviside(z) + exp(z) * (1 - Heaviside(z)), ELU_SLOPE, "equal"),
        (
            x * (Heaviside(Z) + exp(Z) * (1 - Heaviside(Z))),
            sympy.diff(Z, w) * ELU_SLOPE.subs(z, Z),
            "equal",
        ),
        (Heaviside(z) + exp(z) * (1 - Heaviside(z)) + Heaviside(z), ELU_SLOPE, "different"),
        (exp(z) * (1 - Heaviside(z)), ELU_SLOPE, "different"),
        (sigma(z1 - z2) - 1, sympy.diff(STABLE_CE, z1), "equal"),
        (-sigma(z2 - z1), sympy.diff(STABLE_CE, z1), "equal"),
        (sigma(z2 - z1), sympy.diff(STABLE_CE, z1), "different"),
        (S1_2, sympy.diff(STABLE_CE, z1), "different"),
        (1 - sigma(z1 - z2), sympy.diff(STABLE_CE, z2), "equal"),
        (-sigma(z2 - z1), sympy.diff(STABLE_CE, z2), "different"),
    ],
    ids=[
        "elu'",
        "elu'-times-x",
        "elu'-extra-step",
        "elu'-negative-side-only",
        "stable-ce-z1",
        "stable-ce-z1-mirrored",
        "stable-ce-z1-sign",
        "stable-ce-z1-forgot-minus-1",
        "stable-ce-z2",
        "stable-ce-z2-sign",
    ],
)
def test_exact_cancellation_is_exact(answer: Any, expected: Any, decision: str) -> None:
    result = compare(answer, expected, DOMAINS)
    assert result.decision == decision, result.reason


def test_lost_precision_still_never_counts_as_a_difference() -> None:
    # 1 − σ(z) is 0 ± 10^-250 at z ≈ 600 even at 250 digits; e^-z is not: no evidence either way.
    far = on(z="(550, 650)")
    assert compare(1 - S, exp(-z), far).decision == "undecided"
    assert compare(2 * (1 - S), exp(-z), far).decision == "undecided"


# 5. An expected value that is identically 0, but not literally 0.

SOFTMAX_SUM_SLOPE = sympy.diff(S1_3 + S2_3 + S3_3, z1)  # 0, written as a sum of terms


def test_the_expected_zero_in_disguise_is_not_literally_zero() -> None:
    assert SOFTMAX_SUM_SLOPE != 0


@pytest.mark.parametrize(
    ("answer", "decision"),
    [
        (sympy.Integer(0), "equal"),
        (S1_3 - S1_3 * (S1_3 + S2_3 + S3_3), "equal"),  # 0 in disguise too
        (S1_3 * (1 - S1_3), "different"),
        (sympy.Integer(1), "different"),
        (S1_3, "different"),
        (-S1_3 * S2_3 - S1_3 * S3_3, "different"),
        (Rational(1, 10**30), "different"),
    ],
    ids=["zero", "zero-in-disguise", "diagonal-only", "one", "p1", "off-diagonal-only", "1e-30"],
)
def test_an_expected_zero_in_disguise(answer: Any, decision: str) -> None:
    result = compare(answer, SOFTMAX_SUM_SLOPE, DOMAINS)
    assert result.decision == decision, result.reason


def test_a_zero_in_disguise_has_a_value_for_feedback() -> None:
    # feedback's "your answer is 0" needs the value of an answer that is 0 in disguise
    evaluator = Evaluator(S1_3 + S2_3 + S3_3 - 1)
    value = evaluator({z1: Fraction(1, 3), z2: Fraction(-2), z3: Fraction(7, 5)})
    assert value is not None and abs(value) < 1e-40
    # …but never a value cancellation has destroyed: (1 − σ(800))·e^800 = 1 reads as 0 ± 10^298
    assert evaluate((1 - S) * exp(z), {z: 800}) is None


# 6. A lone differing point in a small region: its neighbourhood is searched.


def test_a_lone_difference_is_confirmed_by_its_neighbours() -> None:
    # A bump of width 10^-4 around one sample point, with no kink to point at it: only that
    # point sees it, and then the points drawn close to it.
    centre = sample_points({x: REAL}, seed=0, points=12)[0][x]
    answer = x + exp(-((10**4 * (x - centre)) ** 2))
    result = compare(answer, x, {x: REAL})
    assert result.decision == "different", result.reason
    assert f"x={float(centre):.6g}" in result.reason


def test_a_removable_singularity_stays_harmless_with_its_neighbours() -> None:
    # The answer is undefined at x = 1 only: the neighbours of that point are fine.
    domain = on(x="(0.5, 1.5)")
    for seed in range(4):
        assert compare((x**2 - 1) / (x - 1), x + 1, domain, seed=seed).decision == "equal"


# ------------------------------------------------------------------------- reasons


def test_reasons_name_the_point_and_both_values() -> None:
    result = compare(2 * x, x, DOMAINS)
    assert result.decision == "different"
    assert result.reason.startswith("differs at x=")
    assert "answer" in result.reason and "expected" in result.reason


def test_reasons_show_enough_digits_to_see_a_tiny_difference() -> None:
    result = compare(x + Float("1e-9"), x, DOMAINS)
    first = result.reason.split(";")[0]
    answer, expected = first.split("answer ")[1].split(", expected ")
    assert answer != expected


def test_an_answer_undefined_where_the_expected_value_exists_is_explained() -> None:
    result = compare(2 * log(x), log(x**2), DOMAINS)
    assert "undefined" in result.reason and "logarithm" in result.reason


def test_equal_reasons_say_how() -> None:
    assert "exact rational" in compare((x + 1) ** 2, x**2 + 2 * x + 1, DOMAINS).reason
    assert "50-digit" in compare(S * (1 - S), SIG_EXPLICIT, DOMAINS).reason
    assert "region" in compare(Max(0, x), x * Heaviside(x), DOMAINS).reason


# -------------------------------------------------------------------------- domains


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("real", -4, 4),
        ("positive", 0, 101),
        ("nonnegative", 0, 101),
        ("negative", -101, 0),
        ("nonzero", -4, 4),
        ("(0, 1)", 0, 1),
        ("[-2, 2]", -2, 2),
        ("(0, 5]", 0, 5),
        ("(0.25, 0.5)", 0.25, 0.5),
        ("(1, inf)", 1, 102),
        ("(-inf, 0)", -101, 0),
    ],
)
def test_domains_sample_strictly_inside(text: str, low: float, high: float) -> None:
    domain = Domain.parse(text)
    rng = random.Random(1)
    samples = [domain.sample(rng) for _ in range(500)]
    assert all(isinstance(s, Fraction) for s in samples)
    assert all(low < s < high for s in samples)
    if text in ("real", "nonzero"):
        assert 0 not in samples
        assert min(samples) < -1 and max(samples) > 1


@pytest.mark.parametrize("text", ["real", "nonzero"])
def test_real_domains_are_sampled_through_zero(text: str) -> None:
    # (-0.1, 0.1) was never sampled: smooth L1's quadratic zone |r| < 1/9 went unseen.
    domain = Domain.parse(text)
    rng = random.Random(2)
    samples = [domain.sample(rng) for _ in range(500)]
    assert any(abs(s) < Fraction(1, 10) for s in samples)
    assert domain.tails, "real domains also get tail points beyond ±4"


@pytest.mark.parametrize("text", ["positive", "nonnegative", "negative", "(1, inf)"])
def test_half_lines_are_sampled_log_uniformly_over_five_decades(text: str) -> None:
    domain = Domain.parse(text)
    rng = random.Random(3)
    bound = Fraction(1) if text == "(1, inf)" else Fraction(0)
    distances = sorted(abs(domain.sample(rng) - bound) for _ in range(500))
    assert distances[0] > 0
    # every decade from 10^-3 to 10^2 gets about a fifth of the samples
    for decade in range(-3, 2):
        share = sum(10**decade <= d < 10 ** (decade + 1) for d in distances) / len(distances)
        assert 0.1 < share < 0.3, (decade, share)


@pytest.mark.parametrize("text", ["(0, 1)", "[-2, 2]", "(0.001, 0.002)", "positive"])
def test_samples_keep_clear_of_interval_bounds(text: str) -> None:
    domain = Domain.parse(text)
    ((low, high),) = domain.ranges
    assert domain.sample_at(0.0) >= low and domain.sample_at(0.999999) <= high
    assert domain.sample_at(0.5) != domain.sample_at(0.51)


@pytest.mark.parametrize("text", ["reals", "(1, 0)", "(1, 1)", "[0 1]", "", "(a, b)"])
def test_bad_domains_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Domain.parse(text)


def test_sample_points_form_a_latin_hypercube() -> None:
    points = sample_points({x: REAL, y: UNIT}, seed=5, points=12)
    assert len(points) == 12
    xs = sorted(float(point[x]) for point in points)
    # one value in each of the 12 strata of [-4, 4]: both signs well covered
    assert sum(value < 0 for value in xs) == 6
    assert sample_points({x: REAL, y: UNIT}, seed=5, points=12) == points


# -------------------------------------------------------------------------- evaluation


def test_evaluate_is_high_precision() -> None:
    value = evaluate(sigma(z), {z: Fraction(1, 3)})
    assert value is not None
    exact = 1 / (1 + sympy.exp(-Rational(1, 3)))
    assert abs(value - sympy.N(exact, 60)) < 1e-45


@pytest.mark.parametrize(
    ("expr", "point"),
    [
        (log(x), {x: -1}),
        (1 / x, {x: 0}),
        (sqrt(x), {x: Fraction(-1, 2)}),
        (x ** Rational(1, 3), {x: -8}),
        (sympy.asin(x), {x: 2}),
        (Heaviside(x), {x: 0}),  # on the kink: H(0) = 1/2 but relu'(0) is a convention
        (Abs(x - 1), {x: 1}),
    ],
)
def test_evaluate_returns_none_where_undefined_or_on_a_kink(expr: Any, point: Any) -> None:
    assert evaluate(expr, point) is None


def test_evaluate_handles_huge_and_tiny_values() -> None:
    huge = evaluate(exp(x), {x: 1000})
    tiny = evaluate(exp(-x), {x: 1000})
    assert huge is not None and huge > 10**434
    assert tiny is not None and 0 < tiny < mpmath.mpf(10) ** -434
    assert evaluate(exp(exp(x)), {x: 100}) is None  # overflow: no trustworthy value


def test_an_evaluator_is_compiled_once_and_reused() -> None:
    evaluator = Evaluator(S * (1 - S))
    values = [evaluator({z: value}) for value in (Fraction(-1), Fraction(0), Fraction(2))]
    assert all(value is not None for value in values)
    assert abs(values[1] - Fraction(1, 4)) < 1e-45


# ---------------------------------------------------------------------------- speed

TYPICAL = [
    (case[1], case[2], case[3])
    for case in EQUAL + DIFFERENT
    if case[0].startswith(
        ("mse", "bce", "softmax", "tanh-net", "sigmoid-net", "relu-net", "sigma'")
    )
]


def test_typical_comparisons_are_fast() -> None:
    compare(S, S * 1, DOMAINS)  # warm up SymPy's caches
    timings = []
    for answer, expected, domains in TYPICAL:
        start = time.perf_counter()
        result: Comparison = compare(answer, expected, domains)
        timings.append(time.perf_counter() - start)
        assert result.decision != "undecided"
    # The target is a median of ≤ 10 ms; the bound here leaves room for slow CI machines.
    assert statistics.median(timings) < 0.05
