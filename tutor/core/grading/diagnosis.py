"""Say what is wrong with a learner's gradients: one named cause per gradient, and a headline.

`compare_gradient` checks one returned gradient against the numerical one and names the
cause of a mismatch only when it is exactly true (checked, not guessed):

  shape       the shape differs (with a hint when an axis is kept or it is another's shape)
  transposed  the shape is reversed, or (square) got.T is the answer
  batch-sum   one row per example came back where the rows should be summed; a mean where
              the contributions add up; or right for a batch of one but not for a batch
  sign        got ≈ −expected
  factor      got ≈ c · expected: 2, ½, N (the batch size), 1/N, 1/grad_out, or another c
  zero        all zeros where the answer is not
  nan         NaN or ±inf in it
  elements    some entries right, others wrong: with a ✗/· map (or a count and indices)
  precision   every entry within 1 % but not within tolerance (float32, a large step)
  None        wrong, and none of the above fits

`diagnose_gradients` adds what needs all gradients at once: `order` (the returned arrays
are a permutation of the expected ones) and `inplace` (backward modified one of its input
arrays). `overall` picks the headline. For gradients too large for entry-wise differences,
`precheck_gradient` and `compare_directional` do the same from a `numerical.Check`.

How the grader uses it, per input set: expected = numerical gradients of the reference
forward; got = the learner's arrays; before/after = copies of the arrays passed to backward
(inputs and grad_out) taken before and after the call; batch_one_ok = which gradients
matched on the `batch_one=True` input set. Then

    results = diagnose_gradients(exercise.gradients, got, expected, batch_size=N,
                                 batched=[...], batch_one_ok=..., upstream=grad_out,
                                 args_before=before, args_after=after)
    cause, headline = overall(results, modified=modified_inputs(before, after))

Every message names the gradient as the learner does (`dW` for input `W`) and contains the
plain word for its cause ("shape", "transposed", "batch", "sign", "factor", "zeros", "NaN"
or "infinite", "entries … wrong", "order", "in place"), or "wrong" when no cause fits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tutor.core.grading.numerical import (
    DEFAULT_TOLERANCE,
    Check,
    Tolerance,
    gradients_match,
    relative_errors,
)
from tutor.core.grading.results import GradientResult

MAP_LIMIT = 12
"""Mismatch maps are drawn for 1-D gradients up to this length and 2-D up to this square."""

CAUSE_PRIORITY = (
    "inplace",
    "order",
    "nan",
    "shape",
    "transposed",
    "batch-sum",
    "sign",
    "factor",
    "zero",
    "elements",
    "precision",
)
"""Which failing gradient the headline is about: the first cause in this list wins."""

_RETURNED = re.compile(r"you returned (\S+?):")
_FACTOR_MATCH = 1e-6  # a fitted c is "2" when |c / 2 − 1| ≤ this (true factors fit to ~1e-12)


def compare_gradient(
    name: str,
    got: Any,
    expected: np.ndarray,
    *,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    batch_size: int | None = None,
    batched: bool = False,
    batch_one_ok: bool | None = None,
    upstream: np.ndarray | None = None,
    other_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> GradientResult:
    """Check one returned gradient (of input `name`) against the numerical `expected`.

    `batch_size` is N for this input set and `batched` whether the input has one row per
    example (both only sharpen factor and batch messages). `batch_one_ok` says whether this
    gradient matched on the grader's batch-of-one input set. `upstream` is grad_out (a
    scalar one lets us spot "forgot to multiply by grad_out"). `other_shapes` maps the other
    inputs' names to their shapes, to spot a gradient returned in another's place.
    """
    expected = np.asarray(expected, dtype=np.float64)
    array = _as_array(got)
    if array is None:
        return _missing(name, expected.shape, got)
    if array.shape != expected.shape:
        return _shape_result(
            name, array, expected.shape, expected, batch_size, other_shapes or {}, tolerance
        )
    if not np.all(np.isfinite(array)):
        return _nan_result(name, array, expected.shape)
    errors = relative_errors(array, expected, tolerance)
    error = float(np.max(errors)) if errors.size else 0.0
    if error <= tolerance.rtol:
        return GradientResult(name, expected.shape, array.shape, error, passed=True)
    cause, message, mismatch_map = _value_cause(
        name, array, expected, tolerance, batch_size, batched, batch_one_ok, upstream
    )
    return GradientResult(
        name, expected.shape, array.shape, error, False, cause, message, mismatch_map
    )


def diagnose_gradients(
    names: Sequence[str],
    got: Sequence[Any],
    expected: Sequence[np.ndarray],
    *,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    batch_size: int | None = None,
    batched: Sequence[bool] | None = None,
    batch_one_ok: bool | Sequence[bool | None] | None = None,
    upstream: np.ndarray | None = None,
    args_before: Mapping[str, np.ndarray] | None = None,
    args_after: Mapping[str, np.ndarray] | None = None,
) -> tuple[GradientResult, ...]:
    """Check every returned gradient (in `names` order); then look for `order` and `inplace`.

    `got` may be shorter or longer than `names` (missing ones count as nothing returned).
    `batched[i]` says whether input `names[i]` has a batch axis; `batch_one_ok` is one flag
    for all or one per gradient. `args_before`/`args_after` map the names of the arrays
    passed to backward (inputs and `grad_out`) to copies taken before and after the call.
    """
    got_list = [got[i] if i < len(got) else None for i in range(len(names))]
    shapes = {name: np.shape(e) for name, e in zip(names, expected, strict=True)}
    results = []
    for index, name in enumerate(names):
        others = {n: s for n, s in shapes.items() if n != name}
        results.append(
            compare_gradient(
                name,
                got_list[index],
                expected[index],
                tolerance=tolerance,
                batch_size=batch_size,
                batched=bool(batched[index]) if batched is not None else False,
                batch_one_ok=_pick(batch_one_ok, index),
                upstream=upstream,
                other_shapes=others,
            )
        )
    if not all(r.passed for r in results):
        results = _with_order(results, names, got_list, expected, tolerance)
    modified = modified_inputs(args_before or {}, args_after or {})
    if modified:
        results = [_with_inplace(r, modified) for r in results]
    return tuple(results)


def modified_inputs(before: Mapping[str, np.ndarray], after: Mapping[str, np.ndarray]) -> list[str]:
    """Names of the arrays that backward changed (values, shape or dtype), in `before` order."""
    changed = []
    for name, old in before.items():
        new = after.get(name)
        old_array, new_array = np.asarray(old), np.asarray(new)
        same = (
            new is not None
            and old_array.shape == new_array.shape
            and old_array.dtype == new_array.dtype
            and bool(np.array_equal(old_array, new_array, equal_nan=_floating(old_array)))
        )
        if not same:
            changed.append(name)
    return changed


def overall(
    results: Sequence[GradientResult], *, modified: Sequence[str] = ()
) -> tuple[str | None, str]:
    """The main cause's tag and the headline for the learner; (None, "") when all passed.

    The headline is about the failing gradient whose cause comes first in CAUSE_PRIORITY
    (then the first in return order), and names the other failing gradients. `modified`
    (from `modified_inputs`) makes the cause `inplace` even if no gradient was marked.
    """
    failing = [r for r in results if not r.passed]
    if modified:
        return "inplace", _inplace_message(list(modified))
    if not failing:
        return None, ""
    rank = {cause: position for position, cause in enumerate(CAUSE_PRIORITY)}
    main = min(failing, key=lambda r: rank.get(r.cause or "", len(rank)))
    if main.cause == "order":
        return "order", _order_headline(results)
    if main.cause == "inplace":
        return "inplace", main.message
    others = [_d(r.name) for r in failing if r is not main]
    also = f" Also wrong: {', '.join(others)}." if others else ""
    return main.cause, main.message + also


def precheck_gradient(
    name: str,
    got: Any,
    expected_shape: tuple[int, ...],
    *,
    batch_size: int | None = None,
    other_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> GradientResult | None:
    """For a gradient checked by directions: a failing result if it is missing, has the
    wrong shape or is not finite (no forward pass needed), else None: run the check."""
    array = _as_array(got)
    if array is None:
        return _missing(name, expected_shape, got)
    if array.shape != expected_shape:
        return _shape_result(
            name, array, expected_shape, None, batch_size, other_shapes or {}, DEFAULT_TOLERANCE
        )
    if not np.all(np.isfinite(array)):
        return _nan_result(name, array, expected_shape)
    return None


def compare_directional(
    name: str,
    got: Any,
    check: Check,
    *,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
    batch_size: int | None = None,
    batched: bool = False,
    batch_one_ok: bool | None = None,
    upstream: np.ndarray | None = None,
) -> GradientResult:
    """The result for a gradient graded by `numerical.directional_check` (after the precheck).

    Sign and factor come from ⟨got, v⟩ ≈ c · d_num in every direction; `elements` when some
    sampled entries are right but the gradient is not.
    """
    array = np.asarray(got, dtype=np.float64)
    shape = array.shape
    error = check.relative_error
    if check.passed:
        return GradientResult(name, shape, shape, error, passed=True)
    if not np.any(array) and check.scale > 0 and _rms(np.asarray(check.numerical)) > 0:
        return GradientResult(name, shape, shape, error, False, "zero", _zero_message(name))
    factor = check.fitted_factor(tolerance)
    named = None
    if factor is not None and abs(factor - 1.0) > _FACTOR_MATCH:
        named = _factor_cause(name, factor, batch_size, batched, upstream)
    if named is not None:
        return GradientResult(name, shape, shape, error, False, named[0], named[1])
    right = [c for c, ok in zip(check.coordinates, check.coordinate_passed, strict=True) if ok]
    if right:
        message = _sampled_elements_message(name, check, len(right))
        return GradientResult(name, shape, shape, error, False, "elements", message)
    if batch_one_ok:
        return GradientResult(
            name,
            shape,
            shape,
            error,
            False,
            "batch-sum",
            _batch_one_message(name, batch_size, batched),
        )
    message = (
        f"{_d(name)} is wrong: it disagrees with the numerical gradient along random "
        "directions, and no single simple mistake (sign, factor, transpose, batch sum) "
        "explains it. Check the derivative step by step."
    )
    return GradientResult(name, shape, shape, error, False, None, message)


def mismatch_map(wrong: np.ndarray) -> str | None:
    """A ✗/· picture of which entries are wrong, for 1-D and 2-D arrays up to MAP_LIMIT."""
    if wrong.ndim == 1 and wrong.size <= MAP_LIMIT:
        return " ".join("✗" if w else "·" for w in wrong)
    if wrong.ndim == 2 and max(wrong.shape) <= MAP_LIMIT:
        return "\n".join(" ".join("✗" if w else "·" for w in row) for row in wrong)
    return None


# --- one gradient: values -------------------------------------------------------------


def _value_cause(
    name: str,
    got: np.ndarray,
    expected: np.ndarray,
    tolerance: Tolerance,
    batch_size: int | None,
    batched: bool,
    batch_one_ok: bool | None,
    upstream: np.ndarray | None,
) -> tuple[str | None, str, str | None]:
    """The cause of a same-shape, finite mismatch, tried from the most specific down."""
    label = _d(name)
    expected_is_zero = gradients_match(np.zeros_like(expected), expected, tolerance)
    if not np.any(got) and not expected_is_zero:
        return "zero", _zero_message(name), None
    square = got.ndim == 2 and got.shape[0] == got.shape[1] > 1
    if square and gradients_match(got.T, expected, tolerance):
        return "transposed", _square_transposed_message(name), None
    if not expected_is_zero and gradients_match(-got, expected, tolerance):
        return "sign", _sign_message(name), None
    factor = _fitted_factor(got, expected)
    if factor is not None and gradients_match(got, factor * expected, tolerance):
        named = _factor_cause(name, factor, batch_size, batched, upstream, expected.size == 1)
        if named is not None:
            return named[0], named[1], None
    # Some entries right (structural zeros included: rows of E nobody looked up, inputs a
    # ReLU cut off), others wrong: say which. A smooth error (a missing small term) can
    # bring a stray entry within tolerance by coincidence, and "masks, loop bounds" would
    # mislead there; entries that are right by structure are right to rounding error.
    errors = relative_errors(got, expected, tolerance)
    matched = errors <= tolerance.rtol
    exact = errors <= EXACT_ENTRY
    if np.any(exact) or int(matched.sum()) >= MIN_RIGHT_SHARE * matched.size > 0:
        wrong = ~matched
        return "elements", _elements_message(name, wrong), mismatch_map(wrong)
    # Right on a batch of one is weak evidence alone (a wrong entry may happen to be 0 there),
    # so it names the cause only when no entry of the full batch is right.
    if batch_one_ok:
        return "batch-sum", _batch_one_message(name, batch_size, batched), None
    worst = float(np.max(relative_errors(got, expected, tolerance)))
    if worst < PRECISION_LIMIT:
        return "precision", _precision_message(name, worst), None
    message = (
        f"{label} is wrong (largest relative error {worst:.2g}), and no single simple "
        "mistake (sign, factor, transpose, batch sum) explains it. Check the derivative "
        "step by step, on paper with a batch of one first."
    )
    return None, message, None


PRECISION_LIMIT = 1e-2
"""Every entry within 1 % but not within tolerance: arithmetic precision, not a wrong formula."""


def _precision_message(name: str, worst: float) -> str:
    return (
        f"{_d(name)} is close everywhere but not close enough (largest relative error "
        f"{worst:.2g}): that is a precision problem, not a wrong formula. Compute in float64, "
        "and if you difference numerically, use a central difference with a small step "
        "(h ≈ 1e-5)."
    )


def _fitted_factor(got: np.ndarray, expected: np.ndarray) -> float | None:
    """The least-squares c in got ≈ c · expected (None if expected is all zeros)."""
    norm = float(np.vdot(expected, expected))
    if norm == 0.0:
        return None
    factor = float(np.vdot(got, expected)) / norm
    return factor if factor != 0.0 else None


def _factor_cause(
    name: str,
    factor: float,
    batch_size: int | None,
    batched: bool,
    upstream: np.ndarray | None,
    single_number: bool = False,
) -> tuple[str, str] | None:
    """Name a constant factor: sign, 1/grad_out, N, 1/N (batch-sum if not batched), 2, ½.

    Any wrong single number is *some* multiple of the right one, so for a gradient with one
    entry only the named factors count as evidence (None otherwise).
    """
    label = _d(name)
    if abs(factor + 1.0) <= _FACTOR_MATCH:
        return "sign", _sign_message(name)
    if upstream is not None and np.size(upstream) == 1:
        scalar = float(np.asarray(upstream).reshape(-1)[0])
        if scalar not in (0.0, 1.0) and _near(factor * scalar, 1.0):
            return "factor", (
                f"{label} is off by a constant factor of 1/grad_out: grad_out (here "
                f"{scalar:.3g}) was never multiplied in. Even for a loss, backward must "
                "scale by the gradient that arrives from above (chain rule)."
            )
    size = batch_size if batch_size is not None and batch_size > 1 else None
    flip = " and has the wrong sign" if factor < 0 else ""
    magnitude = abs(factor)
    if size is not None and _near(magnitude, size):
        also = " (N is 2 here: a term counted twice fits too)" if size == 2 else ""
        return "factor", (
            f"{label} is N = {size} times too large{flip}, where N is the batch size{also}: "
            "summed where the loss averages? The loss is a mean over the batch, so each "
            "example's gradient carries a 1/N."
        )
    if size is not None and _near(magnitude, 1.0 / size):
        if not batched and factor > 0:
            return "batch-sum", (
                f"{label} is 1/N of what it should be (N = {size}, the batch size): a mean "
                "over the batch where the examples' contributions must be summed. Every "
                "example adds its own share; any 1/N of a mean loss is already in grad_out."
            )
        return "factor", (
            f"{label} is 1/N of what it should be{flip} (N = {size}, the batch size): "
            "averaged over the batch twice? If grad_out already carries the 1/N of a mean "
            "loss, do not divide again."
        )
    if _near(magnitude, 2.0):
        return "factor", (
            f"{label} is twice what it should be{flip}: off by a factor of 2. Is a term "
            "counted twice, or a 2 left in that the derivative does not have?"
        )
    if _near(magnitude, 0.5):
        return "factor", (
            f"{label} is half what it should be{flip}: off by a factor of ½. Did a 2 go "
            "missing, as in d(x²)/dx = 2x?"
        )
    if single_number:
        return None
    return "factor", (
        f"{label} is off by a constant factor of {factor:.4g}: every entry has this ratio "
        "to the right answer, so the pattern is right and a scale is wrong."
    )


def _near(value: float, target: float) -> bool:
    return abs(value / target - 1.0) <= _FACTOR_MATCH


# --- one gradient: shapes, missing, NaN -------------------------------------------------


def _shape_result(
    name: str,
    got: np.ndarray,
    want: tuple[int, ...],
    expected: np.ndarray | None,
    batch_size: int | None,
    other_shapes: Mapping[str, tuple[int, ...]],
    tolerance: Tolerance,
) -> GradientResult:
    """A gradient of the wrong shape: transposed, one row per example, an extra axis, …

    `expected` (the values) is None when only the shape is known (directional grading).
    """
    label, have = _d(name), got.shape
    head = f"{label} has shape {have} but {name} has shape {want}"
    comparable = expected is not None and bool(np.all(np.isfinite(got)))
    if len(want) >= 2 and have == want[::-1]:
        if comparable and expected is not None and gradients_match(got.T, expected, tolerance):
            what = f"{head}: it is transposed (exactly the transpose of the right answer)."
        else:
            what = f"{head}: it is transposed."
        message = (
            f"{what} Each gradient has the shape of what it is the gradient of: order the "
            "product so the shapes come out right ((A @ B).T = B.T @ A.T)."
        )
        return GradientResult(name, want, have, None, False, "transposed", message)
    one_row_each = batch_size is not None and have == (batch_size, *want)
    if (
        comparable
        and expected is not None
        and one_row_each
        and gradients_match(got.sum(axis=0), expected, tolerance)
    ):
        message = (
            f"{head}: one row per example of the batch. {name} is shared by every "
            "example, so their contributions add up: sum over the batch axis (axis 0)."
        )
        return GradientResult(name, want, have, None, False, "batch-sum", message)
    message = f"{head}. Each gradient has the shape of what it is the gradient of."
    if tuple(d for d in have if d != 1) == tuple(d for d in want if d != 1):
        message += (
            " Only axes of length 1 differ: drop the extra one (no keepdims=True, or "
            f"reshape to {name}.shape)."
        )
    elif batch_size is not None and have[:1] == (batch_size,) and want[:1] != (batch_size,):
        message += (
            f" It has one entry per example (N = {batch_size}): did you sum over the wrong "
            "axis? Sum over the batch axis."
        )
    same = [other for other, shape in other_shapes.items() if shape == have]
    if same:
        message += (
            f" That is the shape of {same[0]}: are the gradients returned in the right order?"
        )
    return GradientResult(name, want, have, None, False, "shape", message)


def _missing(name: str, shape: tuple[int, ...], got: Any) -> GradientResult:
    what = "nothing" if got is None else f"a {type(got).__name__}, not an array of numbers"
    message = (
        f"{_d(name)} is missing: backward gave {what} in its place. Return one array per "
        "gradient, in the order asked for."
    )
    return GradientResult(name, shape, None, None, False, None, message)


def _nan_result(name: str, got: np.ndarray, shape: tuple[int, ...]) -> GradientResult:
    nans = int(np.isnan(got).sum())
    infs = int(np.isinf(got).sum())
    parts = [f"{nans} NaN"] if nans else []
    parts += [f"{infs} infinite"] if infs else []
    message = (
        f"{_d(name)} contains {' and '.join(parts)} entr{'y' if nans + infs == 1 else 'ies'}: "
        "typically a log(0), a division by zero, or an exp that overflowed. Use a numerically "
        "stable form: subtract the row maximum before exp, and do not divide by values that "
        "can be 0."
    )
    return GradientResult(name, shape, got.shape, None, False, "nan", message)


# --- one gradient: messages --------------------------------------------------------------


def _zero_message(name: str) -> str:
    return (
        f"{_d(name)} is all zeros, but the gradient is not. Is this still the starter code, "
        "or is the result never written into the array you return?"
    )


def _sign_message(name: str) -> str:
    return (
        f"{_d(name)} has the right magnitude but the opposite sign everywhere: a minus sign "
        "slipped in. (The minus of gradient descent belongs in the update, not in backward.)"
    )


def _square_transposed_message(name: str) -> str:
    return (
        f"{_d(name)} has the right shape, but its values are the transpose of the right "
        f"answer: {name} is square, so the shapes cannot tell you the order of the product. "
        "Swap its factors ((A @ B).T = B.T @ A.T)."
    )


def _batch_one_message(name: str, batch_size: int | None, batched: bool = False) -> str:
    batch = f"a batch of {batch_size}" if batch_size else "a larger batch"
    if batched:  # one row per example: the rows must not depend on each other
        return (
            f"{_d(name)} is right for a batch of one example but wrong for {batch}: each "
            f"example's row of {_d(name)} must depend on that example alone. A sum, mean or "
            "norm over the whole batch, where one per row is needed, mixes the examples."
        )
    return (
        f"{_d(name)} is right for a batch of one example but wrong for {batch}: every "
        "example of the batch contributes, so the batch needs summing (over axis 0) where "
        "a single row or example is used now."
    )


EXACT_ENTRY = 1e-7
"""Relative error of an entry computed by the right formula (central differences: ~1e-10)."""
MIN_RIGHT_SHARE = 0.25
"""Without an exactly right entry, `elements` needs this share of entries within tolerance."""


def _elements_message(name: str, wrong: np.ndarray) -> str:
    count, total = int(wrong.sum()), wrong.size
    text = f"{count} of {total} entries of {_d(name)} are wrong; the others are right."
    pattern = _pattern(wrong)
    if pattern:
        text += f" {pattern}"
    if mismatch_map(wrong) is None:
        where = ", ".join(str(tuple(int(i) for i in index)) for index in np.argwhere(wrong)[:4])
        text += f" For example at {where}."
    return text + " Look at how those entries are computed (masks, loop bounds, indexing)."


def _pattern(wrong: np.ndarray) -> str:
    """Where the wrong entries are, in words: which rows or columns hold all of them."""
    if wrong.ndim != 2 or not wrong.any():
        return ""
    rows = [int(i) for i in np.flatnonzero(wrong.any(axis=1))]
    columns = [int(j) for j in np.flatnonzero(wrong.any(axis=0))]
    row_share = len(rows) / wrong.shape[0]
    column_share = len(columns) / wrong.shape[1]
    if min(row_share, column_share) == 1.0:
        return ""
    if column_share <= row_share:
        which = f"column(s) {', '.join(map(str, columns))}"
        whole = bool(wrong[:, columns].all())
    else:
        which = f"row(s) {', '.join(map(str, rows))}"
        whole = bool(wrong[rows, :].all())
    every = " (every entry of them)" if whole else ""
    return f"All the wrong entries are in {which}{every}."


def _sampled_elements_message(name: str, check: Check, right: int) -> str:
    label = _d(name)
    wrong = check.wrong_coordinates
    sampled = len(check.coordinates)
    if wrong:
        where = ", ".join(str(c) for c in wrong[:4])
        return (
            f"{label} is wrong in some entries: of {sampled} entries checked one by one, "
            f"{len(wrong)} are wrong (at {where}) and {right} are right. Look at how those "
            "entries are computed (masks, loop bounds, indexing)."
        )
    return (
        f"{label} is wrong in some entries: the {sampled} entries checked one by one are "
        f"right, but random combinations of all {check.size:,} entries are not, so a few "
        "entries somewhere are wrong. Look for a loop bound or index that skips or repeats "
        "some rows or columns."
    )


# --- several gradients: order and in-place -------------------------------------------------


def _with_order(
    results: list[GradientResult],
    names: Sequence[str],
    got: Sequence[Any],
    expected: Sequence[np.ndarray],
    tolerance: Tolerance,
) -> list[GradientResult]:
    """Mark slots as `order` when the returned arrays are a non-identity permutation."""
    arrays = [_as_array(g) for g in got]
    if any(a is None for a in arrays):
        return results
    count = len(names)
    # fits[slot][source]: the array returned in `slot` is the gradient of names[source].
    fits = [
        [_fits(arrays[slot], expected[source], tolerance) for source in range(count)]
        for slot in range(count)
    ]
    assignment = _permutation(fits)
    if assignment is None or assignment == list(range(count)):
        return results
    updated = list(results)
    for slot, source in enumerate(assignment):
        if slot != source:
            message = (
                f"In the place of {_d(names[slot])} you returned {_d(names[source])}: the "
                f"gradients are in the wrong order. Return them as "
                f"({', '.join(_d(n) for n in names)})."
            )
            shape = np.shape(expected[slot])
            array = arrays[slot]
            got_shape = array.shape if array is not None else None
            updated[slot] = GradientResult(
                names[slot], shape, got_shape, None, False, "order", message
            )
    return updated


def _fits(array: np.ndarray | None, expected: np.ndarray, tolerance: Tolerance) -> bool:
    return (
        array is not None
        and array.shape == np.shape(expected)
        and bool(np.all(np.isfinite(array)))
        and gradients_match(array, expected, tolerance)
    )


def _permutation(fits: list[list[bool]]) -> list[int] | None:
    """A perfect matching slot → source, preferring each slot's own source (backtracking)."""
    count = len(fits)
    chosen: list[int] = []

    def extend(slot: int) -> bool:
        if slot == count:
            return True
        options = sorted(range(count), key=lambda s: s != slot)
        for source in options:
            if fits[slot][source] and source not in chosen:
                chosen.append(source)
                if extend(slot + 1):
                    return True
                chosen.pop()
        return False

    return list(chosen) if extend(0) else None


def _order_headline(results: Sequence[GradientResult]) -> str:
    names = [r.name for r in results]
    returned = list(names)
    for index, result in enumerate(results):
        if result.cause == "order":
            found = _RETURNED.search(result.message)
            returned[index] = found.group(1) if found else "?"
        else:
            returned[index] = _d(result.name)
    expected = ", ".join(_d(n) for n in names)
    return (
        f"The gradients are returned in the wrong order: you returned ({', '.join(returned)}), "
        f"expected ({expected}). Return one gradient per input, in the order asked for."
    )


def _with_inplace(result: GradientResult, modified: list[str]) -> GradientResult:
    if result.passed:
        message = f"{_d(result.name)} has the right values, but y" + _inplace_message(modified)[1:]
        return GradientResult(
            result.name,
            result.expected_shape,
            result.got_shape,
            result.relative_error,
            False,
            "inplace",
            message,
        )
    return result


def _inplace_message(modified: list[str]) -> str:
    what = ", ".join(modified)
    return (
        f"Your backward changed {what} in place (with *=, +=, or an assignment into it). "
        "Backward must leave its inputs untouched: other layers still use them. Work on a "
        "copy (e.g. grad_out.copy()) or build new arrays."
    )


# --- helpers ---------------------------------------------------------------------------------


def _d(name: str) -> str:
    """How a gradient is named to the learner: `dW` for input `W`."""
    return f"d{name}"


def _as_array(value: Any) -> np.ndarray | None:
    """`value` as a float64 array, or None if it is nothing or not numbers."""
    if value is None:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def _pick(flag: bool | Sequence[bool | None] | None, index: int) -> bool | None:
    if flag is None or isinstance(flag, bool):
        return flag
    return flag[index] if index < len(flag) else None


def _floating(array: np.ndarray) -> bool:
    return bool(np.issubdtype(array.dtype, np.inexact))


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values)))) if values.size else 0.0
