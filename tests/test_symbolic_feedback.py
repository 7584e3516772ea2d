"""Diagnosing wrong derivatives: each kind of mistake, and answers that must get no diagnosis.

The exercises mirror the built-in pack: a sigmoid neuron with MSE or cross-entropy, a tanh
layer, a two-layer net. Local factors and other derivatives are labelled as the checker
labels them. The last tests check which local derivatives the checker offers as candidates
(those on a path from the part's variable to its output, never the part's own derivative).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
import sympy
from sympy import Heaviside, Rational, exp, log, tanh

from tutor.core.model import DerivationExercise, DerivationPart, Variable
from tutor.core.symbolic.checker import PreparedExercise, check_exercise
from tutor.core.symbolic.equivalence import Domain
from tutor.core.symbolic.feedback import Diagnosis, derivative_numerator, diagnose
from tutor.core.symbolic.functions import relu, sigma

w, x, b, y = sympy.symbols("w x b y", real=True)
w1, b1, w2, b2 = sympy.symbols("w1 b1 w2 b2", real=True)
z1, z2, y1 = sympy.symbols("z1 z2 y1", real=True)
p = sympy.Symbol("p", positive=True)

REAL = Domain.parse("real")
DOMAINS: dict[Any, Domain] = {
    **{s: REAL for s in (w, x, b, w1, b1, w2, b2, z1, z2)},
    y: Domain.parse("(0, 1)"),
    y1: Domain.parse("(0, 1)"),
    p: Domain.parse("positive"),
}


class Exercise:
    """One derivative asked for, with everything `diagnose` is told about its exercise."""

    def __init__(
        self,
        forward: Any,
        wrt: Any,
        label: str,
        others: dict[str, Any],
        factors: dict[str, Any],
    ) -> None:
        self.forward = forward
        self.expected = sympy.diff(forward, wrt)
        self.label = label
        self.others = others
        self.factors = factors

    def diagnose(self, answer: Any, seed: int = 0) -> Diagnosis | None:
        return diagnose(
            answer,
            self.expected,
            domains=DOMAINS,
            forward=self.forward,
            other_derivatives=self.others,
            local_factors=self.factors,
            seed=seed,
            label=self.label,
        )


# Sigmoid neuron with MSE: z = w x + b, a = σ(z), L = ½(a − y)².
Z = w * x + b
A = sigma(Z)
MSE = (A - y) ** 2 / 2
NEURON_FACTORS = {
    "∂L/∂a = a − y": A - y,
    "∂a/∂z = σ(z)(1 − σ(z))": A * (1 - A),
    "∂z/∂w = x": x,
    "∂z/∂x = w": w,
}
NEURON_W = Exercise(
    MSE,
    w,
    "∂L/∂w",
    {"∂L/∂b": sympy.diff(MSE, b), "∂L/∂x": sympy.diff(MSE, x)},
    NEURON_FACTORS,
)
NEURON_B = Exercise(
    MSE,
    b,
    "∂L/∂b",
    {"∂L/∂w": sympy.diff(MSE, w), "∂L/∂x": sympy.diff(MSE, x)},
    NEURON_FACTORS,
)
DELTA = (A - y) * A * (1 - A)  # ∂L/∂z

# Binary cross-entropy on the same neuron: ∂L/∂w = (a − y) x.
BCE = -(y * log(A) + (1 - y) * log(1 - A))
BCE_W = Exercise(
    BCE,
    w,
    "∂L/∂w",
    {"∂L/∂b": sympy.diff(BCE, b)},
    {
        "∂L/∂a = (a − y)/(a(1 − a))": (A - y) / (A * (1 - A)),
        "∂a/∂z = σ'(z)": A * (1 - A),
        "∂z/∂w = x": x,
    },
)

# Tanh layer into a linear output: h = tanh(w1 x + b1), ŷ = w2 h + b2, L = ½(ŷ − y)².
H = tanh(w1 * x + b1)
YHAT = w2 * H + b2
NET = (YHAT - y) ** 2 / 2
NET_W1 = Exercise(
    NET,
    w1,
    "∂L/∂w1",
    {"∂L/∂b1": sympy.diff(NET, b1), "∂L/∂w2": sympy.diff(NET, w2), "∂L/∂b2": sympy.diff(NET, b2)},
    {
        "∂L/∂ŷ = ŷ − y": YHAT - y,
        "∂ŷ/∂h = w2": w2,
        "∂h/∂u = 1 − tanh²(u)": 1 - H**2,
        "∂u/∂w1 = x": x,
    },
)

# ReLU unit with MSE.
R = relu(w * x + b)
RELU_MSE = (R - y) ** 2 / 2
RELU_W = Exercise(
    RELU_MSE,
    w,
    "∂L/∂w",
    {"∂L/∂b": sympy.diff(RELU_MSE, b)},
    {"∂L/∂a = a − y": R - y, "∂a/∂z = step(z)": Heaviside(w * x + b), "∂z/∂w = x": x},
)

# Softmax cross-entropy for two classes, one-hot-like targets y2 = 1 − y1 substituted.
S1 = exp(z1) / (exp(z1) + exp(z2))
CE = -(y1 * log(S1) + (1 - y1) * log(1 - S1))
CE_Z1 = Exercise(CE, z1, "∂L/∂z1", {"∂L/∂z2": sympy.diff(CE, z2)}, {})


# (id, exercise, answer, tag, words the message must contain)
DIAGNOSED: list[tuple[str, Exercise, Any, str, tuple[str, ...]]] = [
    # sign
    ("neuron-sign", NEURON_W, -DELTA * x, "sign", ("sign is flipped",)),
    ("neuron-b-sign", NEURON_B, (y - A) * A * (1 - A), "sign", ("sign",)),
    ("bce-sign", BCE_W, (y - A) * x, "sign", ("sign",)),
    ("net-sign", NET_W1, -(YHAT - y) * w2 * (1 - H**2) * x, "sign", ("sign",)),
    ("softmax-sign", CE_Z1, y1 - S1, "sign", ("sign",)),
    # constant factors
    ("neuron-factor-2", NEURON_W, 2 * DELTA * x, "factor", ("factor of 2", "½")),
    ("neuron-factor-half", NEURON_W, DELTA * x / 2, "factor", ("factor of ½",)),
    ("neuron-factor-minus-2", NEURON_W, -2 * DELTA * x, "factor", ("sign is flipped", "2")),
    ("net-factor-3", NET_W1, 3 * (YHAT - y) * w2 * (1 - H**2) * x, "factor", ("factor of 3",)),
    ("bce-factor-3/2", BCE_W, Rational(3, 2) * (A - y) * x, "factor", ("factor of 3/2",)),
    ("softmax-factor-2", CE_Z1, 2 * (S1 - y1), "factor", ("factor of 2",)),
    ("relu-factor-2", RELU_W, 2 * (R - y) * Heaviside(w * x + b) * x, "factor", ("factor of 2",)),
    # missing local derivatives
    (
        "neuron-missing-sigma'",
        NEURON_W,
        (A - y) * x,
        "missing-factor",
        ("left out", "∂a/∂z = σ(z)(1 − σ(z))", "chain rule"),
    ),
    ("neuron-missing-dL/da", NEURON_W, A * (1 - A) * x, "missing-factor", ("∂L/∂a = a − y",)),
    ("net-missing-w2", NET_W1, (YHAT - y) * (1 - H**2) * x, "missing-factor", ("∂ŷ/∂h = w2",)),
    ("net-missing-tanh'", NET_W1, (YHAT - y) * w2 * x, "missing-factor", ("∂h/∂u = 1 − tanh²(u)",)),
    (
        "net-missing-two",
        NET_W1,
        (YHAT - y) * x,
        "missing-factor",
        ("∂ŷ/∂h = w2", "∂h/∂u = 1 − tanh²(u)"),
    ),
    ("relu-missing-step", RELU_W, (R - y) * x, "missing-factor", ("∂a/∂z = step(z)",)),
    ("neuron-missing-two", NEURON_W, (A - y), "missing-factor", ("σ(z)(1 − σ(z))", "= x")),
    # extra local derivatives
    (
        "bce-extra-sigma'",
        BCE_W,
        (A - y) * A * (1 - A) * x,
        "extra-factor",
        ("extra factor", "∂a/∂z = σ'(z)"),
    ),
    ("neuron-extra-x", NEURON_W, DELTA * x**2, "extra-factor", ("∂z/∂w = x",)),
    ("net-extra-w2", NET_W1, (YHAT - y) * w2**2 * (1 - H**2) * x, "extra-factor", ("w2",)),
    # derivative by another variable
    ("neuron-b-for-w", NEURON_W, DELTA, "wrong-variable", ("That is ∂L/∂b, not ∂L/∂w",)),
    ("neuron-x-for-w", NEURON_W, DELTA * w, "wrong-variable", ("That is ∂L/∂x",)),
    ("neuron-w-for-b", NEURON_B, DELTA * x, "wrong-variable", ("That is ∂L/∂w, not ∂L/∂b",)),
    ("net-w2-for-w1", NET_W1, (YHAT - y) * H, "wrong-variable", ("∂L/∂w2",)),
    # with two classes ∂L/∂z2 = −∂L/∂z1: both stories are true, the sign is told first
    ("softmax-z2-for-z1", CE_Z1, sympy.diff(CE, z2), "sign", ("sign",)),
    # the forward value
    ("neuron-forward", NEURON_W, MSE, "forward-value", ("value of L itself",)),
    ("net-forward", NET_W1, NET, "forward-value", ("value of L itself",)),
    ("bce-forward", BCE_W, -y * log(A) - (1 - y) * log(1 - A), "forward-value", ("not its",)),
    # zero
    ("neuron-zero", NEURON_W, sympy.Integer(0), "zero", ("Your answer is 0",)),
    ("net-zero", NET_W1, sympy.Integer(0), "zero", ("0",)),
    ("zero-in-disguise", NEURON_W, A - A * 1 + x - x, "zero", ("0",)),
]


@pytest.mark.parametrize(
    ("exercise", "answer", "tag", "words"),
    [case[1:] for case in DIAGNOSED],
    ids=[case[0] for case in DIAGNOSED],
)
def test_mistakes_are_diagnosed(
    exercise: Exercise, answer: Any, tag: str, words: tuple[str, ...]
) -> None:
    diagnosis = exercise.diagnose(answer)
    assert diagnosis is not None
    assert diagnosis.tag == tag, diagnosis.message
    for word in words:
        assert word in diagnosis.message


@pytest.mark.parametrize("seed", range(5))
def test_diagnoses_do_not_depend_on_the_seed(seed: int) -> None:
    diagnosis = NEURON_W.diagnose((A - y) * x, seed=seed)
    assert diagnosis is not None and diagnosis.tag == "missing-factor"


# (id, exercise, answer): wrong answers that fit no diagnosis exactly
UNDIAGNOSED: list[tuple[str, Exercise, Any]] = [
    ("random-polynomial", NEURON_W, x + y),
    ("wrong-activation", NEURON_W, (A - y) * (1 - A) * x),
    ("sign-and-missing-factor", NEURON_W, (y - A) * x),
    ("almost-factor-2", NEURON_W, 2 * DELTA * x + Rational(1, 1000)),
    ("near-sign", NEURON_W, -DELTA * x + 10**-12 * x),
    ("squared", NEURON_W, DELTA**2 * x),
    ("tanh-for-sigmoid", NET_W1, (YHAT - y) * w2 * (1 - tanh(w1 * x) ** 2) * x),
    ("bce-wrong-form", BCE_W, (A - y) * x / (A * (1 - A)) + 1),
    ("relu-for-step", RELU_W, (R - y) * R * x),
    ("softmax-missing-target", CE_Z1, S1),
    ("exp-instead", NEURON_W, exp(-Z) * x),
    ("constant", NEURON_W, sympy.Integer(1)),
]


@pytest.mark.parametrize(
    ("exercise", "answer"),
    [case[1:] for case in UNDIAGNOSED],
    ids=[case[0] for case in UNDIAGNOSED],
)
def test_no_diagnosis_is_claimed_when_none_fits_exactly(exercise: Exercise, answer: Any) -> None:
    assert exercise.diagnose(answer) is None


def test_a_right_answer_gets_no_diagnosis() -> None:
    assert NEURON_W.diagnose(DELTA * x) is None
    assert BCE_W.diagnose((A - y) * x) is None  # equal, though written quite differently


def test_zero_is_not_claimed_when_the_derivative_is_zero_too() -> None:
    assert diagnose(sympy.Integer(0), sympy.Integer(0), domains=DOMAINS) is None


def test_the_sign_comes_before_another_variable() -> None:
    # L = ½(a − y)²: ∂L/∂y = −∂L/∂a, so y − a is both; the flipped sign is the likelier story.
    a = sympy.Symbol("a", real=True)
    loss = (a - y) ** 2 / 2
    diagnosis = diagnose(
        y - a,
        a - y,
        domains={a: REAL, y: REAL},
        other_derivatives={"∂L/∂y": sympy.diff(loss, y)},
        label="∂L/∂a",
    )
    assert diagnosis is not None and diagnosis.tag == "sign"


def test_messages_fall_back_to_generic_names_without_labels() -> None:
    forward = diagnose(MSE, sympy.diff(MSE, w), domains=DOMAINS, forward=MSE)
    assert forward is not None and "the expression itself" in forward.message
    other = diagnose(DELTA, DELTA * x, domains=DOMAINS, other_derivatives={"∂L/∂b": DELTA})
    assert other is not None and "not the derivative this part asks for" in other.message


def test_the_forward_label_is_taken_from_the_part_label() -> None:
    c = sympy.Symbol("c", real=True)
    loss = c * x**2
    diagnosis = diagnose(loss, 2 * c * x, domains={c: REAL, x: REAL}, forward=loss, label="dC/dx")
    assert diagnosis is not None and "value of C itself" in diagnosis.message


@pytest.mark.parametrize(
    "factor", [sympy.pi, sympy.Rational(76, 75), sympy.Rational(5, 7), sympy.Integer(1000)]
)
def test_a_factor_no_slip_explains_is_not_named(factor: sympy.Expr) -> None:
    # Any wrong answer of the right shape has *some* constant ratio; naming π or 76/75
    # would send the learner hunting for a ½ that was never there.
    assert NEURON_W.diagnose(factor * DELTA * x) is None


@pytest.mark.parametrize(
    ("factor", "shown"),
    [(2, "2"), (sympy.Rational(1, 2), "½"), (sympy.Rational(1, 100), "1/100"), (32, "32")],
)
def test_a_factor_a_slip_explains_is_named(factor: sympy.Expr, shown: str) -> None:
    diagnosis = NEURON_W.diagnose(factor * DELTA * x)
    assert diagnosis is not None and diagnosis.tag == "factor"
    assert f"factor of {shown}" in diagnosis.message


def test_factors_that_are_constantly_one_are_never_blamed() -> None:
    # ∂z/∂b = 1: "you left out 1" would be nonsense, and so would "an extra factor of 1".
    diagnosis = diagnose(
        DELTA * 2, DELTA, domains=DOMAINS, local_factors={"∂z/∂b = 1": sympy.Integer(1)}
    )
    assert diagnosis is not None and diagnosis.tag == "factor"


def test_points_where_an_expression_is_undefined_are_skipped() -> None:
    # log(p) exists only for p > 0, which is all the domain allows: the sign is still seen.
    diagnosis = diagnose(-1 / p, 1 / p, domains=DOMAINS, forward=log(p))
    assert diagnosis is not None and diagnosis.tag == "sign"


def test_nothing_is_claimed_for_an_answer_undefined_where_the_derivative_exists() -> None:
    # 4 log x = 2 · log x² for x > 0, but for x < 0 the answer does not exist at all.
    diagnosis = diagnose(4 * log(x), log(x**2), domains=DOMAINS)
    assert diagnosis is None
    # On a positive domain the same answer is plainly off by a factor of 2.
    on_positive = diagnose(4 * log(p), log(p**2), domains=DOMAINS)
    assert on_positive is not None and on_positive.tag == "factor"


def test_nothing_is_claimed_without_enough_points() -> None:
    # The expected derivative is undefined on the whole (negative) domain.
    n = sympy.Symbol("n", real=True)
    domains = {n: Domain.parse("negative")}
    assert diagnose(-sympy.sqrt(n), sympy.sqrt(n), domains=domains) is None


def test_extra_factors_can_differ_from_the_missing_ones() -> None:
    # ∂a/∂z is on the path (it may be missing); ∂z/∂x = w is not (it may only be extra).
    factors = {"∂a/∂z = σ(z)(1 − σ(z))": A * (1 - A)}
    extras = {**factors, "∂z/∂x = w": w}

    def check(answer: Any, extra_factors: dict[str, Any] | None) -> Diagnosis | None:
        return diagnose(
            answer, DELTA, domains=DOMAINS, local_factors=factors, extra_factors=extra_factors
        )

    extra = check(DELTA * w, extras)
    assert extra is not None and extra.tag == "extra-factor" and "∂z/∂x = w" in extra.message
    assert check(DELTA * w, factors) is None
    assert check(DELTA * w, {}) is None
    # Without `extra_factors`, the local factors are the extra candidates too.
    twice = check(DELTA * A * (1 - A), None)
    assert twice is not None and twice.tag == "extra-factor"


# ----------------------------------------------------------------------------- the checker's
# local factors: only those on a path from the part's variable to its output are offered.


def _exercise(
    variables: dict[str, str], intermediates: dict[str, str], *parts: DerivationPart
) -> DerivationExercise:
    return DerivationExercise(
        id="graph",
        title="graph",
        prompt="",
        variables=tuple(Variable(name, domain) for name, domain in variables.items()),
        intermediates=tuple(intermediates.items()),
        constraints=(),
        functions=(),
        parts=parts,
        params=(),
        hints=(),
        solution="",
        path=Path("graph.toml"),
    )


def _part(part_id: str, label: str, of: str | None, wrt: str | None) -> DerivationPart:
    expected = None if of is not None else "1"
    return DerivationPart(part_id, label, of, wrt, expected)


def _edges(factors: dict[str, Any]) -> set[str]:
    """`∂r/∂eps` from labels like `∂r/∂eps = −1/(2·(eps + v)^(3/2))`."""
    return {label.split(" = ", 1)[0] for label in factors}


# LayerNorm over two entries: y2 hangs off the path from eps (or x1) to y1.
LAYERNORM = _exercise(
    {"x1": "real", "x2": "real", "eps": "positive"},
    {
        "mu": "(x1 + x2)/2",
        "v": "((x1 - mu)^2 + (x2 - mu)^2)/2",
        "r": "1/sqrt(v + eps)",
        "y1": "(x1 - mu)*r",
        "y2": "(x2 - mu)*r",
    },
    _part("dy1-deps", "∂y1/∂eps", "y1", "eps"),
    _part("dy1-dx1", "∂y1/∂x1", "y1", "x1"),
    _part("dv-dx1", "∂v/∂x1", "v", "x1"),
    _part("explicit", "y1 + y2", None, None),
)


@pytest.mark.parametrize(
    ("part_id", "edges"),
    [
        ("dy1-deps", {"∂r/∂eps", "∂y1/∂r"}),
        # ∂mu/∂x1 = ½ is a constant (the "factor" diagnosis's job); ∂y1/∂x1 is the question.
        ("dy1-dx1", {"∂v/∂x1", "∂v/∂mu", "∂r/∂v", "∂y1/∂mu", "∂y1/∂r"}),
        ("dv-dx1", {"∂v/∂mu"}),
        ("explicit", set()),
    ],
)
def test_only_local_derivatives_on_the_path_are_candidates(part_id: str, edges: set[str]) -> None:
    prepared = PreparedExercise(LAYERNORM, {})
    part = next(part for part in LAYERNORM.parts if part.id == part_id)
    assert _edges(prepared.local_factors(part)) == edges
    assert _edges(prepared.extra_factors(part)) == edges  # eps and x1 are not computed


def test_a_missing_factor_is_one_on_the_path() -> None:
    # ∂y1/∂eps = (x1 − mu)·(−r³/2): the learner gave only ∂r/∂eps.
    verdict = check_exercise(LAYERNORM, {"dy1-deps": "-r^3/2"}).parts[0]
    assert verdict.mistake == "missing-factor", verdict.feedback
    assert "∂y1/∂r" in verdict.feedback
    # One power of r short: not "∂y1/∂x1 = r was left out" (x1 is not on the path from eps).
    short = check_exercise(LAYERNORM, {"dy1-deps": "-y1 r/2"}).parts[0]
    assert short.status == "incorrect" and short.mistake != "missing-factor", short.feedback


def test_the_derivative_asked_for_is_never_a_candidate() -> None:
    # Smooth L1: S uses r directly and through m; its edge ∂S/∂r is not dS/dr, but reads as it.
    smooth = _exercise(
        {"r": "real"},
        {"m": "min(|r|, 1/9)"},
        _part("ds-dr", "dS/dr", "9*m*(|r| - m/2)", "r"),
    )
    prepared = PreparedExercise(smooth, {})
    part = smooth.parts[0]
    assert _edges(prepared.local_factors(part)) == {"∂m/∂r", "∂S/∂m"}
    assert _edges(prepared.extra_factors(part)) == {"∂m/∂r", "∂S/∂m"}
    verdict = check_exercise(smooth, {"ds-dr": "9m"}).parts[0]
    assert verdict.status == "incorrect" and verdict.mistake != "extra-factor", verdict.feedback


def test_a_factor_past_the_variable_can_be_extra() -> None:
    # ∂L/∂a for a = tanh(u), u = w·x: multiplying by tanh'(u) goes on past a to u.
    chain = _exercise(
        {"w": "real", "x": "real", "y": "(0, 1)"},
        {"u": "w*x", "a": "tanh(u)"},
        _part("dl-da", "∂L/∂a", "(a - y)^2/2", "a"),
        _part("dl-dw", "∂L/∂w", "(a - y)^2/2", "w"),
    )
    prepared = PreparedExercise(chain, {})
    dl_da, dl_dw = chain.parts
    assert _edges(prepared.local_factors(dl_da)) == set()  # ∂L/∂a is the question itself
    assert _edges(prepared.extra_factors(dl_da)) == {"∂a/∂u", "∂u/∂w", "∂u/∂x"}
    assert _edges(prepared.local_factors(dl_dw)) == {"∂L/∂a", "∂a/∂u", "∂u/∂w"}
    assert _edges(prepared.extra_factors(dl_dw)) == {"∂L/∂a", "∂a/∂u", "∂u/∂w"}
    verdict = check_exercise(chain, {"dl-da": "(a - y)(1 - a^2)"}).parts[0]
    assert verdict.mistake == "extra-factor" and "∂a/∂u" in verdict.feedback
    # ∂u/∂x = w hangs off the path from w: it is never blamed as a missing factor.
    off_path = check_exercise(chain, {"dl-dw": "(a - y)(1 - a^2)x/w"}).parts[0]
    assert off_path.mistake != "missing-factor", off_path.feedback


@pytest.mark.parametrize(
    ("label", "numerator"),
    [
        ("∂L/∂w", "L"),
        ("dc/dx", "c"),
        ("δ1 = ∂L/∂z1", "L"),
        ("∂h3/∂w1", "h3"),
        ("dL / dw11", "L"),
        ("the update of w after one step", None),
        ("x and/or y", None),
        ("", None),
    ],
)
def test_the_derivative_in_a_label_is_found(label: str, numerator: str | None) -> None:
    assert derivative_numerator(label) == numerator


def test_feedback_names_derivatives_in_the_learners_variant() -> None:
    # Labels like "δ = ∂L/∂w" once gave "∂δ = ∂L/∂b", and a variant's {n} showed as "{n}".
    exercise = msgspec.structs.replace(
        _exercise(
            {"w": "real", "b": "real", "x": "real"},
            {"z": "w*x + b"},
            _part("dw", "g = ∂L/∂w for L = z^{n}/{n}", "z^{n}/{n}", "w"),
        ),
        params=(("n", ("2",)),),
    )
    prepared = PreparedExercise(exercise, {"n": "2"})
    assert set(prepared.other_derivatives(exercise.parts[0])) == {"∂L/∂b", "∂L/∂x"}
    assert _edges(prepared.local_factors(exercise.parts[0])) == {"∂L/∂z", "∂z/∂w"}
    verdict = check_exercise(exercise, {"dw": "z"}).parts[0]
    assert verdict.mistake == "wrong-variable", verdict.feedback
    assert "That is ∂L/∂b, not g = ∂L/∂w for L = z^2/2" in verdict.feedback
    assert verdict.label == "g = ∂L/∂w for L = z^2/2"
