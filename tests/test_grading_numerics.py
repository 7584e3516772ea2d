"""Numerical gradients, input sets and tolerances: every correct backward passes.

The layers below are small exercises written as plain Python (forward + several correct
backward implementations in different styles). `grade` is a miniature, in-process version
of the grader's loop (input sets → learner's backward → numerical gradients → diagnosis);
the real grader runs the learner in a sandbox, which is tested elsewhere.
`tests/test_grading_diagnosis.py` reuses these layers for the buggy implementations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tutor.core.grading.diagnosis import (
    compare_directional,
    compare_gradient,
    diagnose_gradients,
    modified_inputs,
    overall,
    precheck_gradient,
)
from tutor.core.grading.inputs import (
    AVOID_MARGIN,
    batch_size,
    is_batched,
    make_input_sets,
    make_upstream,
    resolve_dims,
    upstream_rng,
)
from tutor.core.grading.numerical import (
    CHECK_BUDGET,
    DEFAULT_TOLERANCE,
    CountingForward,
    directional_check,
    numerical_gradient,
    plan_checks,
    relative_errors,
)
from tutor.core.grading.results import GradientResult
from tutor.core.model import CodeExercise, CodeInput

Backward = Callable[..., Any]
SEEDS = range(20)
LARGE_SEEDS = range(4)


# --- exercises and the in-process grader ---------------------------------------------------


def exercise(
    exercise_id: str,
    dims: dict[str, int],
    inputs: Sequence[CodeInput],
    gradients: Sequence[str],
) -> CodeExercise:
    """A code exercise as the pack loader would build it (files are not needed here)."""
    nowhere = Path("unused.py")
    return CodeExercise(
        id=exercise_id,
        title=exercise_id,
        prompt="",
        function="backward",
        signature="",
        forward="forward",
        starter=nowhere,
        reference=nowhere,
        buggy=(),
        dims=tuple(dims.items()),
        inputs=tuple(inputs),
        gradients=tuple(gradients),
        hints=(),
        solution="",
        path=nowhere,
    )


@dataclass(frozen=True)
class Layer:
    """An exercise with its reference forward."""

    exercise: CodeExercise
    forward: Callable[..., Any]


@dataclass(frozen=True)
class Outcome:
    """What the in-process grader concluded."""

    passed: bool
    cause: str | None
    headline: str
    results: tuple[GradientResult, ...]
    worst_error: float = 0.0
    forward_passes: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def ordered(layer: Layer, values: dict[str, np.ndarray]) -> list[np.ndarray]:
    return [values[spec.name] for spec in layer.exercise.inputs]


def call_backward(
    layer: Layer, backward: Backward, args: list[np.ndarray], upstream: np.ndarray
) -> tuple[list[Any], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run backward on copies, as the sandbox does; return (gradients, before, after)."""
    names = [spec.name for spec in layer.exercise.inputs] + ["grad_out"]
    passed = [np.array(a, copy=True) for a in [*args, upstream]]
    before = {n: np.array(a, copy=True) for n, a in zip(names, passed, strict=True)}
    returned = backward(*passed)
    gradients = list(returned) if isinstance(returned, tuple | list) else [returned]
    after = dict(zip(names, passed, strict=True))
    return gradients, before, after


def expected_gradients(
    layer: Layer, args: list[np.ndarray], upstream: np.ndarray
) -> list[np.ndarray]:
    position = {spec.name: i for i, spec in enumerate(layer.exercise.inputs)}
    return [
        numerical_gradient(layer.forward, args, upstream, position[name])
        for name in layer.exercise.gradients
    ]


def batch_one_flags(layer: Layer, backward: Backward, seed: int) -> list[bool] | None:
    """Per gradient: right on the batch-of-one input set? (None without a batch dimension.)"""
    if "N" not in dict(layer.exercise.dims):
        return None
    args = ordered(layer, make_input_sets(layer.exercise, seed, 1, batch_one=True)[0])
    upstream = make_upstream(np.shape(layer.forward(*args)), upstream_rng(seed, 0, batch_one=True))
    got, _, _ = call_backward(layer, backward, args, upstream)
    expected = expected_gradients(layer, args, upstream)
    return [
        compare_gradient(name, got[i] if i < len(got) else None, expected[i]).passed
        for i, name in enumerate(layer.exercise.gradients)
    ]


def grade(layer: Layer, backward: Backward, seed: int, sets: int = 3) -> Outcome:
    """Grade `backward` on `sets` input sets (+ a batch of one), stopping at the first failure."""
    ex = layer.exercise
    specs = {spec.name: spec for spec in ex.inputs}
    flags = batch_one_flags(layer, backward, seed)
    worst = 0.0
    for index, values in enumerate(make_input_sets(ex, seed, sets)):
        args = ordered(layer, values)
        upstream = make_upstream(np.shape(layer.forward(*args)), upstream_rng(seed, index))
        got, before, after = call_backward(layer, backward, args, upstream)
        results = diagnose_gradients(
            ex.gradients,
            got,
            expected_gradients(layer, args, upstream),
            batch_size=batch_size(ex),
            batched=[is_batched(specs[name]) for name in ex.gradients],
            batch_one_ok=flags,
            upstream=upstream,
            args_before=before,
            args_after=after,
        )
        cause, headline = overall(results, modified=modified_inputs(before, after))
        worst = max([worst, *(r.relative_error or 0.0 for r in results)])
        if cause is not None or not all(r.passed for r in results):
            return Outcome(False, cause, headline, results, worst)
    return Outcome(True, None, "", results, worst)


def grade_large(layer: Layer, backward: Backward, seed: int) -> Outcome:
    """The grader's path for big inputs: one input set, directional checks, counted passes."""
    ex = layer.exercise
    counter = CountingForward(layer.forward)
    args = ordered(layer, make_input_sets(ex, seed, 1)[0])
    upstream = make_upstream(np.shape(counter(*args)), upstream_rng(seed, 0))
    got, _, _ = call_backward(layer, backward, args, upstream)
    position = {spec.name: i for i, spec in enumerate(ex.inputs)}
    sizes = [args[position[name]].size for name in ex.gradients]
    rng = np.random.default_rng([seed, 7])
    results, checks = [], {}
    for slot, (name, plan) in enumerate(zip(ex.gradients, plan_checks(sizes), strict=True)):
        wrt = position[name]
        shape = args[wrt].shape
        candidate = got[slot]
        early = precheck_gradient(name, candidate, shape, batch_size=batch_size(ex))
        if early is not None:
            results.append(early)
        elif plan.full:
            expected = numerical_gradient(counter, args, upstream, wrt)
            results.append(compare_gradient(name, candidate, expected, batch_size=batch_size(ex)))
        else:
            check = directional_check(
                counter, args, upstream, wrt, candidate, rng, plan.directions, plan.coordinates
            )
            checks[name] = check
            results.append(compare_directional(name, candidate, check, batch_size=batch_size(ex)))
    cause, headline = overall(results)
    passed = all(r.passed for r in results)
    return Outcome(passed, cause, headline, tuple(results), 0.0, counter.calls, checks)


# --- the layers -----------------------------------------------------------------------------


def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> Any:
    return x @ W + b


def relu_forward(x: np.ndarray) -> Any:
    return np.maximum(x, 0.0)


def sigmoid_forward(x: np.ndarray) -> Any:
    return 1.0 / (1.0 + np.exp(-x))


def tanh_forward(x: np.ndarray) -> Any:
    return np.tanh(x)


def mse_forward(pred: np.ndarray, target: np.ndarray) -> Any:
    """Squared error summed over features, averaged over the batch: a scalar."""
    return np.sum((pred - target) ** 2) / pred.shape[0]


def softmax_ce_forward(logits: np.ndarray, y: np.ndarray) -> Any:
    """Mean cross-entropy of softmax(logits) against integer labels y: a scalar."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(y)), y].mean()


EPS = 1e-5


def layernorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> Any:
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * gamma + beta


def mlp_forward(
    x: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> Any:
    return np.maximum(x @ W1 + b1, 0.0) @ W2 + b2


def floats(name: str, *shape: str, low: float = -1.0, high: float = 1.0) -> CodeInput:
    return CodeInput(name, tuple(shape), low, high)


LINEAR = Layer(
    exercise(
        "linear",
        {"N": 4, "D_in": 3, "D_out": 5},
        [floats("x", "N", "D_in"), floats("W", "D_in", "D_out"), floats("b", "D_out")],
        ["x", "W", "b"],
    ),
    linear_forward,
)
SQUARE_LINEAR = Layer(
    exercise(
        "square-linear",
        {"N": 4, "D": 3},
        [floats("x", "N", "D"), floats("W", "D", "D"), floats("b", "D")],
        ["x", "W", "b"],
    ),
    linear_forward,
)
RELU = Layer(
    exercise("relu", {"N": 4, "D": 6}, [CodeInput("x", ("N", "D"), avoid=(0.0,))], ["x"]),
    relu_forward,
)
SIGMOID = Layer(
    exercise("sigmoid", {"N": 4, "D": 5}, [floats("x", "N", "D", low=-4, high=4)], ["x"]),
    sigmoid_forward,
)
TANH = Layer(
    exercise("tanh", {"N": 4, "D": 5}, [floats("x", "N", "D", low=-3, high=3)], ["x"]),
    tanh_forward,
)
MSE = Layer(
    exercise(
        "mse",
        {"N": 4, "D": 3},
        [floats("pred", "N", "D", low=-2, high=2), floats("target", "N", "D", low=-2, high=2)],
        ["pred", "target"],
    ),
    mse_forward,
)
SOFTMAX_CE = Layer(
    exercise(
        "softmax-ce",
        {"N": 5, "C": 4},
        [floats("logits", "N", "C", low=-3, high=3), CodeInput("y", ("N",), high=4, labels=True)],
        ["logits"],
    ),
    softmax_ce_forward,
)
LAYERNORM = Layer(
    exercise(
        "layernorm",
        {"N": 4, "D": 5},
        [
            floats("x", "N", "D", low=-2, high=2),
            floats("gamma", "D", low=0.5, high=1.5),
            floats("beta", "D"),
        ],
        ["x", "gamma", "beta"],
    ),
    layernorm_forward,
)
MLP = Layer(
    exercise(
        "mlp",
        {"N": 4, "D_in": 3, "H": 6, "D_out": 2},
        [
            floats("x", "N", "D_in"),
            floats("W1", "D_in", "H"),
            floats("b1", "H"),
            floats("W2", "H", "D_out"),
            floats("b2", "D_out"),
        ],
        ["x", "W1", "b1", "W2", "b2"],
    ),
    mlp_forward,
)
# W is 1000 × 1001 = 1,001,000 parameters; D_in ≠ D_out so a transposed dW shows in its shape.
LARGE_LINEAR = Layer(
    exercise(
        "large-linear",
        {"N": 4, "D_in": 1000, "D_out": 1001},
        [floats("x", "N", "D_in"), floats("W", "D_in", "D_out"), floats("b", "D_out")],
        ["x", "W", "b"],
    ),
    linear_forward,
)


# --- correct backward implementations, several styles each ----------------------------------


def linear_matmul(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)


def linear_einsum(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    dx = np.einsum("nj,ij->ni", grad_out, W)
    dW = np.einsum("ni,nj->ij", x, grad_out)
    db = np.einsum("nj->j", grad_out)
    return dx, dW, db


def linear_loops(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    """Per-example outer products, summed in batch order; db as ones @ grad_out."""
    dW = np.zeros_like(W)
    for n in range(len(x)):
        dW += np.outer(x[n], grad_out[n])
    return (W @ grad_out.T).T, dW, np.ones(len(x)) @ grad_out


def linear_float32(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    """Correct maths in float32: the tolerance accepts single precision (~1e-7)."""
    x32, W32, g32 = (a.astype(np.float32) for a in (x, W, grad_out))
    return tuple(a.astype(np.float64) for a in (g32 @ W32.T, x32.T @ g32, g32.sum(axis=0)))


def relu_mask(x: Any, grad_out: Any) -> Any:
    return grad_out * (x > 0)


def relu_where_ge(x: Any, grad_out: Any) -> Any:
    # `>=` differs from `>` only at 0, and the inputs keep away from 0: not a bug.
    return np.where(x >= 0, grad_out, 0.0)


def relu_heaviside(x: Any, grad_out: Any) -> Any:
    return grad_out * np.heaviside(x, 0.5)


def relu_from_output(x: Any, grad_out: Any) -> Any:
    out = np.maximum(x, 0)
    dx = grad_out.copy()
    dx[out == 0] = 0.0
    return dx


def sigmoid_from_output(x: Any, grad_out: Any) -> Any:
    s = 1 / (1 + np.exp(-x))
    return grad_out * s * (1 - s)


def sigmoid_via_tanh(x: Any, grad_out: Any) -> Any:
    return grad_out * 0.25 * (1 - np.tanh(x / 2) ** 2)


def sigmoid_via_exp(x: Any, grad_out: Any) -> Any:
    e = np.exp(-x)
    return grad_out * e / (1 + e) ** 2


def tanh_from_output(x: Any, grad_out: Any) -> Any:
    return grad_out * (1 - np.tanh(x) ** 2)


def tanh_via_cosh(x: Any, grad_out: Any) -> Any:
    return grad_out / np.cosh(x) ** 2


def tanh_factored(x: Any, grad_out: Any) -> Any:
    t = np.tanh(x)
    return (1 - t) * (1 + t) * grad_out


def mse_vector(pred: Any, target: Any, grad_out: Any) -> Any:
    dpred = 2 * (pred - target) / len(pred) * grad_out
    return dpred, -dpred


def mse_rows(pred: Any, target: Any, grad_out: Any) -> Any:
    dpred = np.empty_like(pred)
    for n in range(len(pred)):
        diff = pred[n] - target[n]
        dpred[n] = (diff + diff) * (grad_out / len(pred))
    return dpred, np.negative(dpred)


def softmax_ce_onehot(logits: Any, y: Any, grad_out: Any) -> Any:
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    onehot = np.eye(logits.shape[1])[y]
    return (p - onehot) / len(y) * grad_out


def softmax_ce_index(logits: Any, y: Any, grad_out: Any) -> Any:
    n = len(y)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(n), y] -= 1
    return p * (grad_out / n)


def softmax_ce_logsumexp(logits: Any, y: Any, grad_out: Any) -> Any:
    top = logits.max(axis=1, keepdims=True)
    log_p = logits - (top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True)))
    dlogits = np.exp(log_p)
    np.subtract.at(dlogits, (np.arange(len(y)), y), 1.0)
    return grad_out * dlogits / len(y)


def layernorm_compact(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    mu = x.mean(axis=1, keepdims=True)
    std = np.sqrt(x.var(axis=1, keepdims=True) + EPS)
    xhat = (x - mu) / std
    dxhat = grad_out * gamma
    dx = (
        dxhat
        - dxhat.mean(axis=1, keepdims=True)
        - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)
    ) / std
    return dx, (grad_out * xhat).sum(axis=0), grad_out.sum(axis=0)


def layernorm_graph(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    """Node by node through the computational graph (mean, centre, var, inverse std)."""
    d = x.shape[1]
    mu = np.sum(x, axis=1, keepdims=True) / d
    xc = x - mu
    var = np.sum(xc**2, axis=1, keepdims=True) / d
    inv = 1.0 / np.sqrt(var + EPS)
    xhat = xc * inv
    dgamma = np.einsum("nd,nd->d", grad_out, xhat)
    dbeta = np.einsum("nd->d", grad_out)
    dxhat = grad_out * gamma
    dinv = np.sum(dxhat * xc, axis=1, keepdims=True)
    dvar = dinv * -0.5 * (var + EPS) ** -1.5
    dxc = dxhat * inv + dvar * 2 * xc / d
    dmu = -np.sum(dxc, axis=1, keepdims=True)
    dx = dxc + dmu / d
    return dx, dgamma, dbeta


def mlp_standard(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, grad_out: Any) -> Any:
    z = x @ W1 + b1
    h = np.maximum(z, 0)
    dh = grad_out @ W2.T
    dz = dh * (z > 0)
    return dz @ W1.T, x.T @ dz, dz.sum(axis=0), h.T @ grad_out, grad_out.sum(axis=0)


def mlp_einsum(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, grad_out: Any) -> Any:
    h = np.maximum(np.einsum("ni,ih->nh", x, W1) + b1, 0)
    dz = np.where(h > 0, np.einsum("no,ho->nh", grad_out, W2), 0.0)
    dW2 = np.einsum("nh,no->ho", h, grad_out)
    return (
        np.einsum("nh,ih->ni", dz, W1),
        np.einsum("ni,nh->ih", x, dz),
        dz.sum(0),
        dW2,
        grad_out.sum(0),
    )


CORRECT: list[tuple[Layer, Backward]] = [
    (LINEAR, linear_matmul),
    (LINEAR, linear_einsum),
    (LINEAR, linear_loops),
    (LINEAR, linear_float32),
    (SQUARE_LINEAR, linear_matmul),
    (SQUARE_LINEAR, linear_einsum),
    (RELU, relu_mask),
    (RELU, relu_where_ge),
    (RELU, relu_heaviside),
    (RELU, relu_from_output),
    (SIGMOID, sigmoid_from_output),
    (SIGMOID, sigmoid_via_tanh),
    (SIGMOID, sigmoid_via_exp),
    (TANH, tanh_from_output),
    (TANH, tanh_via_cosh),
    (TANH, tanh_factored),
    (MSE, mse_vector),
    (MSE, mse_rows),
    (SOFTMAX_CE, softmax_ce_onehot),
    (SOFTMAX_CE, softmax_ce_index),
    (SOFTMAX_CE, softmax_ce_logsumexp),
    (LAYERNORM, layernorm_compact),
    (LAYERNORM, layernorm_graph),
    (MLP, mlp_standard),
    (MLP, mlp_einsum),
]


def case_id(case: tuple[Layer, Backward]) -> str:
    return f"{case[0].exercise.id}-{case[1].__name__}"


# --- correct solutions are never rejected ----------------------------------------------------


@pytest.mark.parametrize("case", CORRECT, ids=[case_id(c) for c in CORRECT])
def test_correct_backward_passes_for_every_seed(case: tuple[Layer, Backward]) -> None:
    layer, backward = case
    for seed in SEEDS:
        outcome = grade(layer, backward, seed)
        assert outcome.passed, f"seed {seed}: {outcome.headline}"
        # Margin: the worst entry is far inside the 1e-4 tolerance (float32 ~1e-6 at most).
        limit = 1e-5 if backward is linear_float32 else 1e-7
        assert outcome.worst_error < limit, f"seed {seed}: {outcome.worst_error:.2e}"


def test_numerical_gradient_matches_a_hand_derivative_closely() -> None:
    layer = LAYERNORM
    args = ordered(layer, make_input_sets(layer.exercise, 3, 1)[0])
    upstream = make_upstream((4, 5), upstream_rng(3, 0))
    analytic = layernorm_compact(args[0], args[1], args[2], upstream)
    for wrt in range(3):
        numeric = numerical_gradient(layer.forward, args, upstream, wrt)
        assert np.max(relative_errors(numeric, analytic[wrt])) < 1e-8


def test_numerical_gradient_does_not_touch_the_callers_arrays() -> None:
    args = ordered(LINEAR, make_input_sets(LINEAR.exercise, 0, 1)[0])
    copies = [a.copy() for a in args]
    numerical_gradient(linear_forward, args, np.ones((4, 5)), 1)
    for original, copy in zip(args, copies, strict=True):
        assert np.array_equal(original, copy)


def test_labels_are_never_differentiated() -> None:
    args = ordered(SOFTMAX_CE, make_input_sets(SOFTMAX_CE.exercise, 0, 1)[0])
    with pytest.raises(ValueError, match="labels"):
        numerical_gradient(softmax_ce_forward, args, np.asarray(1.0), 1)


def test_forward_output_must_match_grad_out() -> None:
    args = ordered(LINEAR, make_input_sets(LINEAR.exercise, 0, 1)[0])
    with pytest.raises(ValueError, match="grad_out"):
        numerical_gradient(linear_forward, args, np.ones((5, 4)), 0)


def test_counting_forward_counts_each_call() -> None:
    counter = CountingForward(linear_forward)
    args = ordered(LINEAR, make_input_sets(LINEAR.exercise, 0, 1)[0])
    numerical_gradient(counter, args, np.ones((4, 5)), 2)
    assert counter.calls == 2 * 5  # two passes per entry of b


# --- input sets ----------------------------------------------------------------------------


def test_input_sets_follow_the_declared_shapes_and_ranges() -> None:
    sets = make_input_sets(LAYERNORM.exercise, seed=5, count=4)
    assert len(sets) == 4
    for values in sets:
        assert list(values) == ["x", "gamma", "beta"]
        assert values["x"].shape == (4, 5) and values["x"].dtype == np.float64
        assert values["gamma"].shape == (5,)
        assert np.all((values["x"] >= -2) & (values["x"] <= 2))
        assert np.all((values["gamma"] >= 0.5) & (values["gamma"] <= 1.5))


def test_input_sets_are_deterministic_and_independent_of_count() -> None:
    first = make_input_sets(MLP.exercise, seed=11, count=2)
    again = make_input_sets(MLP.exercise, seed=11, count=5)
    other = make_input_sets(MLP.exercise, seed=12, count=2)
    for a, b in zip(first, again[:2], strict=True):
        assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(first[0]["x"], other[0]["x"])
    assert not np.array_equal(first[0]["x"], first[1]["x"])


def test_labels_are_int64_classes_below_high() -> None:
    values = make_input_sets(SOFTMAX_CE.exercise, seed=0, count=50)
    labels = np.concatenate([v["y"] for v in values])
    assert labels.dtype == np.int64
    assert set(labels.tolist()) == {0, 1, 2, 3}


def test_inputs_keep_away_from_kinks() -> None:
    tight = exercise(
        "tight", {"N": 50, "D": 40}, [CodeInput("x", ("N", "D"), -0.01, 0.01, avoid=(0.0,))], ["x"]
    )
    for values in make_input_sets(tight, seed=1, count=5):
        assert np.min(np.abs(values["x"])) >= AVOID_MARGIN
    scaled = exercise(
        "scaled", {"N": 100}, [CodeInput("x", ("N",), 9.9, 10.1, avoid=(10.0,))], ["x"]
    )
    (values,) = make_input_sets(scaled, seed=1, count=1)
    assert np.min(np.abs(values["x"] - 10.0)) >= AVOID_MARGIN * 10


def test_an_impossible_avoid_range_is_reported() -> None:
    stuck = exercise("stuck", {"N": 3}, [CodeInput("x", ("N",), -1e-4, 1e-4, avoid=(0.0,))], ["x"])
    with pytest.raises(ValueError, match="away from"):
        make_input_sets(stuck, seed=0)


def test_batch_one_sets_the_batch_dimension_to_one() -> None:
    (values,) = make_input_sets(MLP.exercise, seed=0, count=1, batch_one=True)
    assert values["x"].shape == (1, 3) and values["W1"].shape == (3, 6)
    assert resolve_dims(MLP.exercise, batch_one=True)["N"] == 1


def test_dims_override_replaces_sizes() -> None:
    (values,) = make_input_sets(LINEAR.exercise, 0, 1, dims_override={"N": 7, "D_out": 2})
    assert values["x"].shape == (7, 3) and values["W"].shape == (3, 2)
    with pytest.raises(ValueError, match="does not declare"):
        make_input_sets(LINEAR.exercise, 0, 1, dims_override={"M": 2})


def test_batch_one_needs_a_batch_dimension() -> None:
    no_batch = exercise("no-batch", {"D": 3}, [floats("x", "D")], ["x"])
    with pytest.raises(ValueError, match="batch dimension"):
        make_input_sets(no_batch, 0, 1, batch_one=True)
    (values,) = make_input_sets(no_batch, 0, 1, batch_one=True, dims_override={"D": 1})
    assert values["x"].shape == (1,)


def test_upstream_gradient_shapes_and_scalar_range() -> None:
    rng = np.random.default_rng(0)
    assert make_upstream((4, 5), rng).shape == (4, 5)
    scalars = [float(make_upstream((), rng)) for _ in range(200)]
    assert all(1.5 <= s <= 2.5 for s in scalars)
    a = make_upstream((3,), upstream_rng(1, 0))
    assert np.array_equal(a, make_upstream((3,), upstream_rng(1, 0)))
    assert not np.array_equal(a, make_upstream((3,), upstream_rng(1, 1)))


# --- directional checks and the forward-pass budget ----------------------------------------


def test_plan_checks_uses_full_differences_for_small_exercises() -> None:
    plans = plan_checks([12, 15, 5])
    assert all(p.full for p in plans)
    assert sum(p.forward_passes for p in plans) == 2 * 32


def test_plan_checks_stays_within_budget_for_large_exercises() -> None:
    plans = plan_checks([4_000, 1_001_000, 1_001])
    assert not any(p.full for p in plans)
    assert sum(p.forward_passes for p in plans) <= CHECK_BUDGET
    assert all(p.directions >= 8 and p.coordinates >= 2 for p in plans)
    mixed = plan_checks([5, 1_000_000])
    assert mixed[0].full and not mixed[1].full
    assert sum(p.forward_passes for p in mixed) <= CHECK_BUDGET


def test_directional_check_costs_the_same_whatever_the_size() -> None:
    for size in (10, 100_000):
        x = np.random.default_rng(0).uniform(-1, 1, size)
        check = directional_check(
            np.sin, [x], np.ones(size), 0, np.cos(x), np.random.default_rng(1), 10, 3
        )
        assert check.passed and check.forward_passes == 2 * (10 + 3)


@pytest.mark.parametrize("backward", [linear_matmul, linear_einsum], ids=lambda f: f.__name__)
def test_large_linear_correct_passes_within_100_forward_passes(backward: Backward) -> None:
    for seed in LARGE_SEEDS:
        outcome = grade_large(LARGE_LINEAR, backward, seed)
        assert outcome.passed, outcome.headline
        assert outcome.forward_passes <= 100
        check = outcome.details["W"]
        assert check.size >= 1_000_000
        # 10⁵× inside the directional tolerance: the noise is ~1e-10.
        assert check.direction_error < DEFAULT_TOLERANCE.directional_rtol / 1e3


def test_large_linear_catches_a_bug_in_one_percent_of_the_entries() -> None:
    # dW wrong in 10 of its 1000 rows (1%, away from the first and last entries, so the
    # sampled coordinates are unlikely to see it): the directions must. ‖e‖ ≈ 0.1‖g‖, so one
    # ±1 direction misses it with probability ≈ 0.8 · 1e-5 / 0.1 ≈ 8e-5, and all 12 ≈ 1e-49.
    def one_percent(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
        dW = x.T @ grad_out
        dW[500:510] = 0.0  # a loop over row blocks that skips one
        return grad_out @ W.T, dW, grad_out.sum(axis=0)

    for seed in LARGE_SEEDS:
        outcome = grade_large(LARGE_LINEAR, one_percent, seed)
        assert not outcome.passed and outcome.forward_passes <= 100
        check = outcome.details["W"]
        assert check.direction_error > 100 * DEFAULT_TOLERANCE.directional_rtol
        assert outcome.cause == "elements"
        assert [r.passed for r in outcome.results] == [True, False, True]


def test_large_linear_single_entry_bug_is_caught_exactly_when_big_enough() -> None:
    # With ±1 directions a single wrong entry j shifts every directional derivative by exactly
    # |e_j|: it is caught iff |e_j| > 1e-5 · ‖g‖₂ (≈ 0.007 here, ‖g‖₂ ≈ 670), for every seed.
    j = (321, 654)

    def zeroed(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
        dW = x.T @ grad_out
        dW[j] = 0.0
        return grad_out @ W.T, dW, grad_out.sum(axis=0)

    caught = 0
    for seed in range(6):
        args = ordered(LARGE_LINEAR, make_input_sets(LARGE_LINEAR.exercise, seed, 1)[0])
        upstream = make_upstream((4, 1001), upstream_rng(seed, 0))
        g = args[0].T @ upstream
        predicted = abs(g[j]) > 1.05 * DEFAULT_TOLERANCE.directional_rtol * np.linalg.norm(g)
        borderline = abs(g[j]) < 0.95 * DEFAULT_TOLERANCE.directional_rtol * np.linalg.norm(g)
        outcome = grade_large(LARGE_LINEAR, zeroed, seed)
        assert outcome.forward_passes <= 100
        if predicted or borderline:
            assert outcome.passed != predicted, f"seed {seed}: |g_j| = {abs(g[j]):.3g}"
        caught += not outcome.passed
    assert caught >= 5  # |g_j| is below 1% of a typical entry only ~1% of the time


def test_large_linear_misses_a_tiny_single_entry_error_as_documented() -> None:
    # The honest limit: one entry off by 0.1% of a typical entry (≈ 1e-6 ‖g‖₂) is invisible
    # to every ±1 direction, and sampled coordinates find it only with probability ~ k/n.
    j = (400, 400)

    def tiny(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
        dW = x.T @ grad_out
        dW[j] += 1e-3 * np.sqrt(np.mean(dW**2))
        return grad_out @ W.T, dW, grad_out.sum(axis=0)

    outcome = grade_large(LARGE_LINEAR, tiny, 0)
    assert outcome.passed
    assert j not in outcome.details["W"].coordinates


def test_large_linear_names_sign_factor_and_transpose() -> None:
    def sign(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
        return grad_out @ W.T, -(x.T @ grad_out), grad_out.sum(axis=0)

    def doubled(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
        return grad_out @ W.T, 2 * (x.T @ grad_out), grad_out.sum(axis=0)

    def transposed(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
        return grad_out @ W.T, grad_out.T @ x, grad_out.sum(axis=0)

    def zeros(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
        return grad_out @ W.T, np.zeros_like(W), grad_out.sum(axis=0)

    for backward, cause, word in [
        (sign, "sign", "sign"),
        (doubled, "factor", "twice"),
        (transposed, "transposed", "transposed"),
        (zeros, "zero", "zeros"),
    ]:
        outcome = grade_large(LARGE_LINEAR, backward, 1)
        assert (outcome.cause, outcome.forward_passes <= 100) == (cause, True), outcome.headline
        assert word in outcome.headline and outcome.headline.startswith("dW")


def test_a_scalar_input_is_checked_too() -> None:
    def scale(a: Any, k: Any) -> Any:
        return a * np.arange(3.0) * k

    args = [np.asarray(2.0), np.asarray(3)]
    assert float(numerical_gradient(scale, args, np.ones(3), 0)) == pytest.approx(9.0)
    right = directional_check(scale, args, np.ones(3), 0, np.asarray(9.0), np.random.default_rng(0))
    assert right.passed and right.coordinates == ((),)
    wrong = directional_check(
        scale, args, np.ones(3), 0, np.asarray(-9.0), np.random.default_rng(0)
    )
    assert not wrong.passed and wrong.fitted_factor() == pytest.approx(-1.0)
