"""Diagnosis: realistic buggy backward implementations fail, with the cause that is true.

The layers and the in-process grader come from test_grading_numerics.py (tests/ is on
sys.path under pytest's default import mode). Each buggy implementation is graded on many
seeds; the cause must be the same every time, and the headline must say it in words.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_grading_numerics import (
    LAYERNORM,
    LINEAR,
    MLP,
    MSE,
    RELU,
    SIGMOID,
    SOFTMAX_CE,
    SQUARE_LINEAR,
    TANH,
    Backward,
    Layer,
    exercise,
    grade,
    layernorm_compact,
    linear_matmul,
    mlp_standard,
    mse_vector,
    softmax_ce_forward,
    softmax_ce_onehot,
)

from tutor.core.grading.diagnosis import (
    compare_gradient,
    diagnose_gradients,
    mismatch_map,
    modified_inputs,
    overall,
)
from tutor.core.grading.results import GradientResult
from tutor.core.model import CodeInput

BUG_SEEDS = range(10)


# --- buggy implementations -------------------------------------------------------------------


def linear_transposed_dW(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, grad_out.T @ x, grad_out.sum(axis=0)


def linear_db_first_row(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, x.T @ grad_out, grad_out[0]


def linear_db_not_summed(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, x.T @ grad_out, grad_out


def linear_db_keepdims(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0, keepdims=True)


def linear_db_mean(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, x.T @ grad_out, grad_out.mean(axis=0)


def linear_dW_mean(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, x.T @ grad_out / len(x), grad_out.sum(axis=0)


def linear_descent_sign(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return -(grad_out @ W.T), -(x.T @ grad_out), -grad_out.sum(axis=0)


def linear_dW_doubled(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, 2 * x.T @ grad_out, grad_out.sum(axis=0)


def linear_dW_halved(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T, 0.5 * x.T @ grad_out, grad_out.sum(axis=0)


def linear_dx_averaged(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return grad_out @ W.T / len(x), x.T @ grad_out, grad_out.sum(axis=0)


def linear_params_first(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return x.T @ grad_out, grad_out @ W.T, grad_out.sum(axis=0)


def linear_starter(x: Any, W: Any, b: Any, grad_out: Any) -> Any:
    return np.zeros_like(x), np.zeros_like(W), np.zeros_like(b)


def relu_loop_skips_last_column(x: Any, grad_out: Any) -> Any:
    dx = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1] - 1):  # off by one
            dx[i, j] = grad_out[i, j] if x[i, j] > 0 else 0.0
    return dx


def relu_mask_shifted(x: Any, grad_out: Any) -> Any:
    mask = np.zeros_like(x, dtype=bool)
    mask[:, 1:] = x[:, :-1] > 0  # mask built one column off
    return grad_out * mask


def relu_inplace(x: Any, grad_out: Any) -> Any:
    grad_out[x <= 0] = 0.0  # right values, but grad_out belongs to the caller
    return grad_out


def relu_starter(x: Any, grad_out: Any) -> Any:
    return np.zeros_like(x)


def sigmoid_flipped(x: Any, grad_out: Any) -> Any:
    s = 1 / (1 + np.exp(-x))
    return grad_out * s * (s - 1)


def sigmoid_of_input(x: Any, grad_out: Any) -> Any:
    return grad_out * x * (1 - x)  # σ'(x) = σ(1 − σ), applied to x instead of σ(x)


def tanh_plus(x: Any, grad_out: Any) -> Any:
    return grad_out * (1 + np.tanh(x) ** 2)


def tanh_doubled(x: Any, grad_out: Any) -> Any:
    return grad_out * 2 * (1 - np.tanh(x) ** 2)


def mse_no_two(pred: Any, target: Any, grad_out: Any) -> Any:
    d = (pred - target) / len(pred) * grad_out
    return d, -d


def mse_summed(pred: Any, target: Any, grad_out: Any) -> Any:
    d = 2 * (pred - target) * grad_out
    return d, -d


def mse_averaged_twice(pred: Any, target: Any, grad_out: Any) -> Any:
    d = 2 * (pred - target) / len(pred) / len(pred) * grad_out
    return d, -d


def mse_no_grad_out(pred: Any, target: Any, grad_out: Any) -> Any:
    d = 2 * (pred - target) / len(pred)
    return d, -d


def mse_target_sign(pred: Any, target: Any, grad_out: Any) -> Any:
    d = 2 * (pred - target) / len(pred) * grad_out
    return d, d


def mse_swapped(pred: Any, target: Any, grad_out: Any) -> Any:
    d = 2 * (pred - target) / len(pred) * grad_out
    return -d, d


def softmax_ce_no_mean(logits: Any, y: Any, grad_out: Any) -> Any:
    return softmax_ce_onehot(logits, y, grad_out) * len(y)


def softmax_ce_column_index(logits: Any, y: Any, grad_out: Any) -> Any:
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[:, y] -= 1  # should be p[np.arange(N), y]: this hits whole columns
    return p / len(y) * grad_out


def softmax_ce_unstable(logits: Any, y: Any, grad_out: Any) -> Any:
    with np.errstate(over="ignore", invalid="ignore"):  # (the sandbox would show warnings)
        e = np.exp(logits)  # no max subtracted: overflows to inf for large logits
        p = e / e.sum(axis=1, keepdims=True)
    return (p - np.eye(logits.shape[1])[y]) / len(y) * grad_out


def layernorm_dgamma_not_summed(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    dx, _, dbeta = layernorm_compact(x, gamma, beta, grad_out)
    xhat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    return dx, grad_out * xhat, dbeta


def layernorm_dbeta_first_row(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    dx, dgamma, _ = layernorm_compact(x, gamma, beta, grad_out)
    return dx, dgamma, grad_out[0]


def layernorm_wrong_axis(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    dx, _, _ = layernorm_compact(x, gamma, beta, grad_out)
    xhat = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    return dx, (grad_out * xhat).sum(axis=1), grad_out.sum(axis=1)


def layernorm_swapped(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    dx, dgamma, dbeta = layernorm_compact(x, gamma, beta, grad_out)
    return dx, dbeta, dgamma


def layernorm_inplace(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    dx, dgamma, dbeta = layernorm_compact(x, gamma, beta, grad_out.copy())
    grad_out *= gamma  # "saves memory"
    return dx, dgamma, dbeta


def layernorm_constants(x: Any, gamma: Any, beta: Any, grad_out: Any) -> Any:
    _, dgamma, dbeta = layernorm_compact(x, gamma, beta, grad_out)
    std = np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)
    return grad_out * gamma / std, dgamma, dbeta  # treats mean and var as constants


def mlp_order(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, grad_out: Any) -> Any:
    dx, dW1, db1, dW2, db2 = mlp_standard(x, W1, b1, W2, b2, grad_out)
    return dW1, db1, dW2, db2, dx


def mlp_transposed_dW1(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, grad_out: Any) -> Any:
    dx, dW1, db1, dW2, db2 = mlp_standard(x, W1, b1, W2, b2, grad_out)
    return dx, dW1.T, db1, dW2, db2


def mlp_db2_mean(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, grad_out: Any) -> Any:
    dx, dW1, db1, dW2, _ = mlp_standard(x, W1, b1, W2, b2, grad_out)
    return dx, dW1, db1, dW2, grad_out.mean(axis=0)


def mlp_no_relu_mask(x: Any, W1: Any, b1: Any, W2: Any, b2: Any, grad_out: Any) -> Any:
    h = np.maximum(x @ W1 + b1, 0)
    dz = grad_out @ W2.T  # forgot the ReLU's mask
    return dz @ W1.T, x.T @ dz, dz.sum(axis=0), h.T @ grad_out, grad_out.sum(axis=0)


# A softmax-CE exercise with logits large enough to overflow exp() without the max trick.
SOFTMAX_CE_WIDE = Layer(
    exercise(
        "softmax-ce-wide",
        {"N": 5, "C": 4},
        [
            CodeInput("logits", ("N", "C"), -1000.0, 1000.0),
            CodeInput("y", ("N",), high=4, labels=True),
        ],
        ["logits"],
    ),
    softmax_ce_forward,
)

# (layer, buggy backward, expected cause, words the headline must contain)
BUGS: list[tuple[Layer, Backward, str | None, tuple[str, ...]]] = [
    (LINEAR, linear_transposed_dW, "transposed", ("dW", "transposed", "(5, 3)", "(3, 5)")),
    (SQUARE_LINEAR, linear_transposed_dW, "transposed", ("dW", "transpose", "square")),
    (LINEAR, linear_db_first_row, "batch-sum", ("db", "batch of one", "batch of 4")),
    (LINEAR, linear_db_not_summed, "batch-sum", ("db", "(4, 5)", "sum over the batch")),
    (LINEAR, linear_db_keepdims, "shape", ("db", "(1, 5)", "keepdims")),
    (LINEAR, linear_db_mean, "batch-sum", ("db", "1/N", "summed")),
    (LINEAR, linear_dW_mean, "batch-sum", ("dW", "1/N", "summed")),
    (LINEAR, linear_descent_sign, "sign", ("dx", "sign")),
    (LINEAR, linear_dW_doubled, "factor", ("dW", "twice", "factor of 2")),
    (LINEAR, linear_dW_halved, "factor", ("dW", "half", "½")),
    (LINEAR, linear_dx_averaged, "factor", ("dx", "1/N", "averaged over the batch twice")),
    (LINEAR, linear_params_first, "order", ("wrong order", "(dW, dx, db)", "(dx, dW, db)")),
    (LINEAR, linear_starter, "zero", ("dx", "all zeros", "starter")),
    (RELU, relu_loop_skips_last_column, "elements", ("dx", "wrong", "column(s) 5")),
    (RELU, relu_mask_shifted, "elements", ("dx", "entries", "wrong")),
    (RELU, relu_inplace, "inplace", ("grad_out", "in place")),
    (RELU, relu_starter, "zero", ("dx", "zeros")),
    (SIGMOID, sigmoid_flipped, "sign", ("dx", "opposite sign")),
    (SIGMOID, sigmoid_of_input, None, ("dx", "wrong", "step by step")),
    (TANH, tanh_plus, None, ("dx", "wrong")),
    (TANH, tanh_doubled, "factor", ("dx", "twice")),
    (MSE, mse_no_two, "factor", ("dpred", "half", "2x")),
    (MSE, mse_summed, "factor", ("dpred", "N = 4 times", "averages")),
    (MSE, mse_averaged_twice, "factor", ("dpred", "1/N", "twice")),
    (MSE, mse_no_grad_out, "factor", ("dpred", "1/grad_out", "chain rule")),
    (MSE, mse_target_sign, "sign", ("dtarget", "sign")),
    (MSE, mse_swapped, "order", ("wrong order", "(dtarget, dpred)", "(dpred, dtarget)")),
    (SOFTMAX_CE, softmax_ce_no_mean, "factor", ("dlogits", "N = 5 times", "averages")),
    (SOFTMAX_CE, softmax_ce_column_index, "elements", ("dlogits", "entries", "wrong")),
    (SOFTMAX_CE_WIDE, softmax_ce_unstable, "nan", ("dlogits", "NaN", "maximum")),
    (LAYERNORM, layernorm_dgamma_not_summed, "batch-sum", ("dgamma", "(4, 5)", "axis 0")),
    (LAYERNORM, layernorm_dbeta_first_row, "batch-sum", ("dbeta", "batch of one")),
    (LAYERNORM, layernorm_wrong_axis, "shape", ("dgamma", "(4,)", "(5,)", "wrong axis")),
    (LAYERNORM, layernorm_swapped, "order", ("(dx, dbeta, dgamma)", "(dx, dgamma, dbeta)")),
    (LAYERNORM, layernorm_inplace, "inplace", ("grad_out", "in place")),
    (LAYERNORM, layernorm_constants, None, ("dx", "wrong")),
    (MLP, mlp_order, "order", ("wrong order", "(dx, dW1, db1, dW2, db2)")),
    (MLP, mlp_transposed_dW1, "transposed", ("dW1", "(6, 3)", "transposed")),
    (MLP, mlp_db2_mean, "batch-sum", ("db2", "1/N")),
]


@pytest.mark.parametrize(
    "bug", BUGS, ids=[f"{layer.exercise.id}-{fn.__name__}" for layer, fn, _, _ in BUGS]
)
def test_buggy_backward_fails_with_the_true_cause(
    bug: tuple[Layer, Backward, str | None, tuple[str, ...]],
) -> None:
    layer, backward, cause, words = bug
    for seed in BUG_SEEDS:
        outcome = grade(layer, backward, seed)
        assert not outcome.passed, f"seed {seed}: accepted"
        assert outcome.cause == cause, f"seed {seed}: {outcome.headline}"
        for word in words:
            assert word in outcome.headline, f"seed {seed}: {word!r} not in {outcome.headline!r}"


def test_the_correct_solutions_of_these_exercises_pass() -> None:
    # The bug table's exercises are graded fairly: their reference solutions pass.
    fair: list[tuple[Layer, Backward]] = [
        (LINEAR, linear_matmul),
        (SQUARE_LINEAR, linear_matmul),
        (MSE, mse_vector),
        (SOFTMAX_CE_WIDE, softmax_ce_onehot),
        (LAYERNORM, layernorm_compact),
        (MLP, mlp_standard),
    ]
    for layer, backward in fair:
        for seed in BUG_SEEDS:
            assert grade(layer, backward, seed).passed


def test_a_missing_relu_mask_fails_and_points_at_hidden_units() -> None:
    # Hidden units active for every example have right columns in dW1: then the true cause
    # is `elements` (whole columns wrong); otherwise no single cause fits.
    causes = set()
    for seed in BUG_SEEDS:
        outcome = grade(MLP, mlp_no_relu_mask, seed)
        assert not outcome.passed and "wrong" in outcome.headline
        causes.add(outcome.cause)
        if outcome.cause == "elements":
            assert "column(s)" in outcome.headline and "of dW1" in outcome.headline
    assert causes <= {None, "elements"}


def test_elements_map_marks_the_wrong_column() -> None:
    outcome = grade(RELU, relu_loop_skips_last_column, 0)
    (result,) = outcome.results
    assert result.mismatch_map is not None
    rows = [row.split() for row in result.mismatch_map.splitlines()]
    assert len(rows) == 4 and all(row[:5] == ["·"] * 5 for row in rows)
    assert "✗" in [row[5] for row in rows]  # where x > 0; where x < 0 both are 0, and right


# --- compare_gradient on hand-made arrays ---------------------------------------------------

RNG = np.random.default_rng(123)
G = RNG.uniform(-1, 1, (4, 3))


def check(got: Any, expected: np.ndarray = G, **options: Any) -> GradientResult:
    return compare_gradient("W", got, expected, **options)


def test_a_match_passes_and_reports_its_error() -> None:
    result = check(G * (1 + 1e-9))
    assert result.passed and result.cause is None and result.message == ""
    assert result.relative_error is not None and result.relative_error < 1e-8


def test_entries_that_are_zero_on_both_sides_do_not_blow_up() -> None:
    expected = G.copy()
    expected[0] = [0.0, 1e-13, -1e-12]
    got = expected.copy()
    got[0] = [1e-12, 0.0, 1e-13]
    result = check(got, expected)
    assert result.passed and result.relative_error is not None and result.relative_error < 1e-9
    assert compare_gradient("b", np.zeros(3), np.full(3, 1e-11)).passed


def test_a_wrong_small_entry_is_still_caught() -> None:
    expected = G.copy()
    expected[1, 1] = 1e-3  # 0.1% of the largest entry: below the near-zero floor
    got = expected.copy()
    got[1, 1] = 0.0
    result = check(got, expected)
    assert not result.passed and result.cause == "elements"


@pytest.mark.parametrize(
    ("got", "options", "cause", "words"),
    [
        (G.T, {}, "transposed", ("(3, 4)", "(4, 3)", "exactly the transpose")),
        (G.T + 1.0, {}, "transposed", ("transposed",)),
        (G.reshape(1, 4, 3), {}, "shape", ("axes of length 1",)),
        (G[:2], {}, "shape", ("(2, 3)",)),
        (np.stack([G / 4] * 4), {"batch_size": 4}, "batch-sum", ("one row per example",)),
        (-G, {}, "sign", ("opposite sign",)),
        (2 * G, {}, "factor", ("twice",)),
        (-2 * G, {}, "factor", ("twice", "wrong sign")),
        (0.5 * G, {}, "factor", ("half",)),
        (4 * G, {"batch_size": 4}, "factor", ("N = 4 times",)),
        (G / 4, {"batch_size": 4}, "batch-sum", ("1/N", "summed")),
        (G / 4, {"batch_size": 4, "batched": True}, "factor", ("averaged over the batch twice",)),
        (2 * G, {"batch_size": 2}, "factor", ("N = 2", "counted twice")),
        (3.7 * G, {}, "factor", ("3.7",)),
        (G / 1.8, {"upstream": np.asarray(1.8)}, "factor", ("1/grad_out",)),
        (np.zeros_like(G), {}, "zero", ("all zeros",)),
        (np.where(G > 0, np.nan, G), {}, "nan", ("NaN",)),
        (np.where(G > 0, np.inf, G), {}, "nan", ("infinite",)),
        (np.where(np.abs(G) < 0.2, -G, G), {}, "elements", ("entries of dW are wrong",)),
        (G + 0.5, {}, None, ("wrong",)),
        (G, {"batch_one_ok": True}, None, ()),
        (G + 0.5, {"batch_one_ok": True}, "batch-sum", ("batch of one", "needs summing")),
        # One row per example (dx): the rows got mixed, e.g. one norm over the whole batch.
        (
            G + 0.5,
            {"batch_one_ok": True, "batched": True},
            "batch-sum",
            ("batch of one", "depend on that example alone"),
        ),
        (None, {}, None, ("missing", "nothing")),
        ("text", {}, None, ("missing", "str")),
    ],
)
def test_compare_gradient_names_the_cause(
    got: Any, options: dict[str, Any], cause: str | None, words: tuple[str, ...]
) -> None:
    result = check(got, **options)
    if not words:
        assert result.passed
        return
    assert not result.passed
    assert result.cause == cause, result.message
    for word in words:
        assert word in result.message


def test_nan_from_log_of_zero() -> None:
    # Entropy Σ p·log p has gradient log p + 1: at p = 0 the learner's code gives -inf.
    p = np.array([0.0, 0.25, 0.75])
    with np.errstate(divide="ignore"):
        got = np.log(p) + 1
    result = compare_gradient("p", got, np.array([-5.0, np.log(0.25) + 1, np.log(0.75) + 1]))
    assert result.cause == "nan"


def test_square_transpose_is_found_from_values() -> None:
    square = RNG.uniform(-1, 1, (3, 3))
    result = compare_gradient("W", square.T, square)
    assert result.cause == "transposed" and "square" in result.message


def test_a_symmetric_gradient_is_not_called_transposed() -> None:
    square = RNG.uniform(-1, 1, (3, 3))
    symmetric = square + square.T
    result = compare_gradient("W", 2 * symmetric, symmetric)
    assert result.cause == "factor"


def test_large_gradients_list_the_wrong_entries_instead_of_a_map() -> None:
    expected = RNG.uniform(-1, 1, (20, 30))
    got = expected.copy()
    got[3, 7] = 0.0
    got[11, 2] *= 3
    result = compare_gradient("W", got, expected)
    assert result.cause == "elements" and result.mismatch_map is None
    assert "2 of 600" in result.message and "(3, 7)" in result.message


def test_mismatch_map_shapes() -> None:
    assert mismatch_map(np.array([True, False, False])) == "✗ · ·"
    assert mismatch_map(np.array([[False, True], [False, False]])) == "· ✗\n· ·"
    assert mismatch_map(np.zeros((13, 2), dtype=bool)) is None
    assert mismatch_map(np.zeros((2, 2, 2), dtype=bool)) is None


def test_shape_of_another_gradient_suggests_the_order() -> None:
    results = diagnose_gradients(
        ["x", "W"], [np.ones((2, 7)), np.ones((3, 3))], [np.ones((3, 3)), np.ones((2, 7)) * 2]
    )
    assert results[0].cause == "shape" and "shape of W" in results[0].message


# --- several gradients: order, in-place, headline ---------------------------------------------


def test_order_needs_every_gradient_to_match_somewhere() -> None:
    a, b = RNG.uniform(-1, 1, 5), RNG.uniform(-1, 1, 5)
    swapped = diagnose_gradients(["gamma", "beta"], [b, a], [a, b])
    assert [r.cause for r in swapped] == ["order", "order"]
    assert overall(swapped)[0] == "order"
    half = diagnose_gradients(["gamma", "beta"], [b, a + 1], [a, b])
    assert "order" not in [r.cause for r in half]


def test_identical_gradients_are_not_called_out_of_order() -> None:
    a = RNG.uniform(-1, 1, 5)
    results = diagnose_gradients(["p", "q"], [a, a], [a, a])
    assert all(r.passed for r in results)
    assert overall(results) == (None, "")


def test_modified_inputs_compares_values_shapes_and_nans() -> None:
    before = {"x": np.array([1.0, np.nan]), "y": np.array([1, 2]), "g": np.ones(3)}
    after = {"x": np.array([1.0, np.nan]), "y": np.array([1, 3]), "g": np.ones((3, 1))}
    assert modified_inputs(before, after) == ["y", "g"]
    assert modified_inputs(before, {"x": before["x"]}) == ["y", "g"]


def test_inplace_marks_otherwise_right_gradients_and_leads_the_headline() -> None:
    before = {"x": G.copy(), "grad_out": G.copy()}
    after = {"x": G.copy(), "grad_out": G * 0}
    results = diagnose_gradients(["x"], [G], [G], args_before=before, args_after=after)
    assert results[0].cause == "inplace" and "right values" in results[0].message
    cause, headline = overall(results, modified=["grad_out"])
    assert cause == "inplace" and "grad_out" in headline
    # A gradient that is also wrong keeps its own cause; the headline still leads with in-place.
    wrong = diagnose_gradients(["x"], [-G], [G], args_before=before, args_after=after)
    assert wrong[0].cause == "sign"
    assert overall(wrong, modified=["grad_out"])[0] == "inplace"


def test_headline_prefers_a_named_cause_and_lists_the_others() -> None:
    x_expected, w_expected = RNG.uniform(-1, 1, (4, 3)), RNG.uniform(-1, 1, (3, 3))
    results = diagnose_gradients(
        ["x", "W"], [x_expected + 1.0, -w_expected], [x_expected, w_expected]
    )
    assert [r.cause for r in results] == [None, "sign"]
    cause, headline = overall(results)
    assert cause == "sign" and headline.startswith("dW") and "Also wrong: dx." in headline


def test_missing_gradients_are_reported() -> None:
    results = diagnose_gradients(["x", "W"], [G], [G, G])
    assert results[0].passed and not results[1].passed
    assert results[1].got_shape is None and "missing" in results[1].message


# --- this session's rules: precision, lone matches, single numbers, and `wrong` ---------------

RNG = np.random.default_rng(7)
EXPECTED = RNG.uniform(0.5, 2.0, size=(4, 6)) * RNG.choice([-1.0, 1.0], size=(4, 6))


def test_close_everywhere_but_not_within_tolerance_is_precision() -> None:
    float32_like = EXPECTED * (1 + RNG.uniform(2e-4, 3e-3, size=EXPECTED.shape))
    result = compare_gradient("x", float32_like, EXPECTED)
    assert not result.passed and result.cause == "precision"
    assert "float64" in result.message


def test_right_to_rounding_is_still_right() -> None:
    assert compare_gradient("x", EXPECTED * (1 + 1e-9), EXPECTED).passed


def test_one_entry_near_by_coincidence_is_not_an_elements_pattern() -> None:
    smooth_error = EXPECTED + 0.3 * np.abs(EXPECTED)  # wrong everywhere by a smooth term
    smooth_error[0, 0] = EXPECTED[0, 0] * (1 + 5e-5)  # one entry lands within tolerance
    result = compare_gradient("x", smooth_error, EXPECTED)
    assert not result.passed and result.cause != "elements"


def test_exactly_right_entries_among_wrong_ones_are_elements() -> None:
    overwritten = EXPECTED * 3.7 + 1.0
    overwritten[:, 0] = EXPECTED[:, 0]  # computed by the right formula: right to rounding
    result = compare_gradient("x", overwritten, EXPECTED)
    assert result.cause == "elements" and result.mismatch_map


def test_a_wrong_single_number_is_not_an_arbitrary_factor() -> None:
    result = compare_gradient("b", np.array(-6.176), np.array(1.0), batch_size=5)
    assert not result.passed and result.cause is None


def test_a_single_number_twice_too_large_is_still_named() -> None:
    result = compare_gradient("b", np.array(2.0 * 0.8), np.array(0.8))
    assert result.cause == "factor" and "twice" in result.message
