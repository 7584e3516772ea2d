"""Numerical gradients of a trusted reference forward, and the tolerances to compare them by.

The learner's backward receives the inputs and `grad_out` = G and returns ∂L/∂input for

    L(inputs) = Σ forward(inputs) · G          (a scalar, so one number per perturbation)

which is exactly what backward computes: the vector–Jacobian product Gᵀ·J. This module
estimates ∂L/∂input in float64 two ways:

* `numerical_gradient`: central differences, one entry at a time (2 forward passes per
  entry). For small inputs, and to explain failures entry by entry.
* `directional_check`: central differences along random ±1 directions v, compared with
  ⟨candidate, v⟩, plus a few single coordinates. Its cost (2 passes per direction or
  coordinate) does not depend on the number of parameters, so it grades a 1,000,000-entry
  weight matrix in well under 100 forward passes.

**Step h = 1e-5.** Central differences have truncation error h²·|f'''|/6 and rounding error
≈ ε·|L|/h (ε = 2.2e-16). For well-scaled inputs (|x| ≲ 1, G in [-1, 1]) the optimum is
h ≈ (3ε)^(1/3) ≈ 1e-5, where both are ~1e-11: relative errors of ~1e-10 on typical
entries (the tests measure ≤ 1e-8 against a hand derivative). torch.autograd.gradcheck's
eps = 1e-6 trades a smaller truncation error for 10× the rounding error; for losses summed
over thousands of outputs (|L| ~ 100) the rounding term dominates: the larger step wins.

**Element tolerance** (`Tolerance.rtol` = 1e-4, with a floor). An entry matches when

    |got − expected| ≤ rtol · max(|got|, |expected|, near_zero · max|expected|, atol / rtol)

i.e. CS231n's relative error |a − b| / max(|a|, |b|), with a floor so that entries where both
are ~0 do not blow it up: entries below 1% of the gradient's largest entry (`near_zero` =
1e-2) are compared as if they were that size — they still must agree to 1e-6 of the largest
entry, so a wrong small entry is still caught — and a gradient that is ~0 everywhere is
compared absolutely at `atol` = 1e-8 (above the ~1e-9 rounding noise for |L| ≲ 100). The 1%
floor matters for single precision: float32 rounding (6e-8 of the terms summed) in an entry
that cancels to 0.1% of the largest would reach 6e-5, too close to rtol; at 1% it is ≤ 1e-5
(measured: ≤ 8e-6 over 200 seeds of a float32 Linear backward).
rtol = 1e-4 is ≥ 10³× the error of a correct float64 solution (measured ≤ 1e-7 across the
test layers; typically 1e-10), so einsum vs matmul, sums in another order, another but
equivalent formula, and float32 arithmetic all pass; and it is 100× below the smallest
error of a realistic bug (a wrong sign, factor, transpose, missing term or wrong entry is
off by 1e-2 or, usually, by 100%). It is 10× stricter than torch.autograd.gradcheck (atol
1e-5, rtol 1e-3), which must accept nondeterministic GPU kernels; CS231n calls < 1e-4
"usually okay" with kinks and < 1e-7 "happy" — we avoid kinks, so we can sit between.

**Directional tolerance** (`Tolerance.directional_rtol` = 1e-5). For v with entries ±1,
E⟨g, v⟩² = ‖g‖², so the RMS over the directions of the numerical directional derivatives
estimates ‖g‖₂. A direction fails when |d_num − ⟨candidate, v⟩| > 1e-5 · that scale. The
numerical noise there is ~1e-10 relative (the same error analysis, since every coordinate
moves by exactly ±h), so 1e-5 leaves 10⁵× of room, still accepts float32-accurate answers,
and is as tight as it is because ‖g‖₂ grows like √n: see "detection" below.

**Detection for large gradients** (n entries, error e = candidate − g):

* For ±1 directions, ⟨e, v⟩ has variance ‖e‖². A bug that corrupts 1% of the entries by
  about their own size has ‖e‖ ≈ 0.1‖g‖, so one direction misses it only if
  |⟨e, v⟩| < 1e-5‖g‖, probability ≈ √(2/π) · 1e-5 / 0.1 ≈ 8e-5; with 12 independent
  directions the miss probability is ≈ (8e-5)¹² ≈ 1e-49. In general, one direction misses
  with probability ≈ 0.8 · 1e-5 · ‖g‖ / ‖e‖.
* A single wrong entry j gives |⟨e, v⟩| = |e_j| exactly, for every ±1 direction. It is
  caught iff |e_j| > 1e-5 · ‖g‖₂ ≈ 1e-5 · √n · rms(g): for n = 10⁶, an error of more than
  1% of a typical entry. Zeroing one entry of a 1000×1001 dW (x, G uniform in [-1, 1],
  N = 4) is caught unless that entry is itself that small: 98.9% of the time (measured
  over 2,000 random draws of inputs and entry), deterministically for given inputs.
  Smaller single-entry errors, or one wrong entry among ≳10¹⁰, slip through the directions;
  only the sampled coordinates (the first, the last, the largest |candidate| entry, and a
  few random ones) can catch them. More directions do not help here: every ±1 direction
  sees the same |e_j|. That is the honest limit of a budget independent of n.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Forward = Callable[..., Any]
"""A reference forward: `forward(*inputs)` returns an array (or a scalar for a loss)."""

DEFAULT_STEP = 1e-5
"""The central-difference step h (see the module docstring)."""

CHECK_BUDGET = 90
"""Forward passes `plan_checks` spends on one input set when it cannot afford full
differences; the grader's own forward to learn the output shape makes it 91, under the 100
the design allows for a 1,000,000-parameter exercise."""

FULL_LIMIT = 2_000
"""Up to this many differentiated entries in total, every gradient is checked entry by
entry (≤ 4,000 cheap forward passes); above it, by random directions."""


@dataclass(frozen=True)
class Tolerance:
    """When a gradient counts as right (see the module docstring for the reasoning)."""

    rtol: float = 1e-4
    """Largest relative error |a − b| / max(|a|, |b|, floor) for one entry."""
    near_zero: float = 1e-2
    """Entries below this fraction of the gradient's largest entry are compared at that size."""
    atol: float = 1e-8
    """Absolute differences this small always pass (a gradient that is ~0 everywhere)."""
    directional_rtol: float = 1e-5
    """Largest |d_num − ⟨candidate, v⟩| / `Check.scale` for one random ±1 direction v."""


DEFAULT_TOLERANCE = Tolerance()


def relative_errors(
    got: np.ndarray, expected: np.ndarray, tolerance: Tolerance = DEFAULT_TOLERANCE
) -> np.ndarray:
    """Entry-wise |got − expected| / max(|got|, |expected|, floor), same shape as the inputs.

    The floor (`near_zero` · max|expected|, and at least `atol` / `rtol`) keeps entries that
    are ~0 in both from blowing up the ratio. NaN where either side is NaN.
    """
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    floor = max(tolerance.near_zero * scale, tolerance.atol / tolerance.rtol)
    denominator = np.maximum(np.maximum(np.abs(got), np.abs(expected)), floor)
    with np.errstate(invalid="ignore", over="ignore"):
        result: np.ndarray = np.abs(got - expected) / denominator
    return result


def entries_match(
    got: np.ndarray, expected: np.ndarray, tolerance: Tolerance = DEFAULT_TOLERANCE
) -> np.ndarray:
    """A boolean array: which entries of `got` match `expected` (NaN never matches)."""
    matched: np.ndarray = relative_errors(got, expected, tolerance) <= tolerance.rtol
    return matched


def gradients_match(
    got: np.ndarray, expected: np.ndarray, tolerance: Tolerance = DEFAULT_TOLERANCE
) -> bool:
    """Whether every entry matches (shapes must be equal)."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    return got.shape == expected.shape and bool(np.all(entries_match(got, expected, tolerance)))


class CountingForward:
    """Wraps a forward and counts its calls: the grading cost the benchmark reports."""

    def __init__(self, forward: Forward) -> None:
        self.forward = forward
        self.calls = 0

    def __call__(self, *inputs: Any) -> Any:
        self.calls += 1
        return self.forward(*inputs)


def loss(forward: Forward, inputs: Sequence[Any], upstream: np.ndarray) -> float:
    """L = Σ forward(inputs) · G, in float64. ValueError if the shapes disagree."""
    output = np.asarray(forward(*inputs), dtype=np.float64)
    if output.shape != np.shape(upstream):
        raise ValueError(
            f"the forward returned shape {output.shape}, but grad_out has {np.shape(upstream)}"
        )
    return float(np.sum(output * upstream))


def numerical_gradient(
    forward: Forward,
    inputs: Sequence[np.ndarray],
    upstream: np.ndarray,
    wrt: int,
    h: float = DEFAULT_STEP,
) -> np.ndarray:
    """∂L/∂inputs[wrt] by central differences, entry by entry: 2 forward passes per entry.

    The caller's arrays are never modified. Raises ValueError for integer inputs (labels).
    """
    args = _working_copies(inputs, wrt)
    flat = args[wrt].reshape(-1)  # a view: args[wrt] is a fresh contiguous copy
    gradient = np.empty(flat.size, dtype=np.float64)
    for index in range(flat.size):
        original = flat[index]
        flat[index] = original + h
        above, plus = flat[index], loss(forward, args, upstream)
        flat[index] = original - h
        below, minus = flat[index], loss(forward, args, upstream)
        flat[index] = original
        # Divide by the step actually taken: (x + h) − (x − h) is 2h only up to rounding.
        gradient[index] = (plus - minus) / (above - below)
    return gradient.reshape(args[wrt].shape)


@dataclass(frozen=True)
class Check:
    """The outcome of `directional_check` for one gradient."""

    passed: bool
    direction_error: float
    """Worst |d_num − ⟨candidate, v⟩| / scale over the directions (inf if not finite)."""
    coordinate_error: float
    """Worst entry-wise relative error over the sampled coordinates (0 if none)."""
    scale: float
    """max(RMS of d_num, RMS of ⟨candidate, v⟩): an estimate of ‖g‖₂ for ±1 directions."""
    numerical: tuple[float, ...]
    """The directional derivatives of L along each direction, by central differences."""
    candidate: tuple[float, ...]
    """⟨candidate, v⟩ for each direction."""
    coordinates: tuple[tuple[int, ...], ...]
    """The entries checked one by one (multi-indices into the gradient)."""
    coordinate_numerical: tuple[float, ...]
    coordinate_candidate: tuple[float, ...]
    coordinate_passed: tuple[bool, ...]
    size: int
    """The number of entries in the gradient."""
    forward_passes: int

    @property
    def relative_error(self) -> float:
        """The worse of the two errors (their units differ; both are relative)."""
        return max(self.direction_error, self.coordinate_error)

    @property
    def wrong_coordinates(self) -> tuple[tuple[int, ...], ...]:
        """The sampled entries that did not match."""
        return tuple(
            c for c, ok in zip(self.coordinates, self.coordinate_passed, strict=True) if not ok
        )

    def fitted_factor(self, tolerance: Tolerance = DEFAULT_TOLERANCE) -> float | None:
        """c when ⟨candidate, v⟩ ≈ c · d_num in every direction (a sign or scale mistake)."""
        numerical = np.asarray(self.numerical)
        candidate = np.asarray(self.candidate)
        norm = float(numerical @ numerical)
        if norm == 0.0 or not np.all(np.isfinite(candidate)):
            return None
        factor = float(candidate @ numerical) / norm
        residual = np.abs(candidate - factor * numerical)
        limit = tolerance.directional_rtol * max(self.scale, abs(factor) * _rms(numerical))
        return factor if bool(np.all(residual <= limit)) else None


def directional_check(
    forward: Forward,
    inputs: Sequence[np.ndarray],
    upstream: np.ndarray,
    wrt: int,
    candidate: np.ndarray,
    rng: np.random.Generator,
    directions: int = 12,
    coordinates: int = 4,
    *,
    h: float = DEFAULT_STEP,
    tolerance: Tolerance = DEFAULT_TOLERANCE,
) -> Check:
    """Check `candidate` ≈ ∂L/∂inputs[wrt] along random ±1 directions and at a few entries.

    Costs exactly 2 · (directions + coordinates) forward passes (fewer coordinates if the
    gradient is smaller), whatever the size of the input; none if `candidate` is not finite.
    `candidate` must have the input's shape (check shapes first). The coordinates are the
    first and last entries (off-by-one loops), the entry where |candidate| is largest (a
    stray spike), then random ones. See the module docstring for what this can and cannot
    detect.
    """
    if directions < 1:
        raise ValueError("a directional check needs at least one direction")
    args = _working_copies(inputs, wrt)
    point = args[wrt]
    candidate = np.asarray(candidate, dtype=np.float64)
    if candidate.shape != point.shape:
        raise ValueError(f"candidate has shape {candidate.shape}, the input {point.shape}")
    if not np.all(np.isfinite(candidate)):
        return _non_finite_check(point.size)
    counter = CountingForward(forward)
    numerical, projected = [], []
    shifted = np.empty_like(point)  # reused: a 1,000,000-entry input is 8 MB per copy
    for _ in range(directions):
        direction = _random_signs(point.shape, rng)
        projected.append(float(np.dot(candidate.reshape(-1), direction.reshape(-1))))
        step = np.multiply(direction, h, out=direction)
        args[wrt] = np.add(point, step, out=shifted)
        plus = loss(counter, args, upstream)
        args[wrt] = np.subtract(point, step, out=shifted)
        minus = loss(counter, args, upstream)
        numerical.append((plus - minus) / (2.0 * h))
    args[wrt] = point
    d_num, d_cand = np.asarray(numerical), np.asarray(projected)
    scale = max(_rms(d_num), _rms(d_cand), np.finfo(np.float64).tiny)
    direction_error = float(np.max(np.abs(d_num - d_cand)) / scale)

    picked = _pick_coordinates(candidate, coordinates, rng)
    exact = np.array(
        [_coordinate_derivative(counter, args, upstream, wrt, index, h) for index in picked]
    )
    got = np.array([candidate[index] for index in picked])
    # Entries are compared at least at 1% of a typical entry's size: ‖g‖₂/√n ≈ rms(g).
    typical = scale / np.sqrt(max(point.size, 1))
    floor = max(tolerance.near_zero * typical, tolerance.atol / tolerance.rtol)
    errors = np.abs(got - exact) / np.maximum(np.maximum(np.abs(got), np.abs(exact)), floor)
    ok = errors <= tolerance.rtol
    coordinate_error = float(np.max(errors)) if errors.size else 0.0
    return Check(
        passed=direction_error <= tolerance.directional_rtol and bool(np.all(ok)),
        direction_error=direction_error,
        coordinate_error=coordinate_error,
        scale=float(scale),
        numerical=tuple(float(v) for v in d_num),
        candidate=tuple(float(v) for v in d_cand),
        coordinates=tuple(picked),
        coordinate_numerical=tuple(float(v) for v in exact),
        coordinate_candidate=tuple(float(v) for v in got),
        coordinate_passed=tuple(bool(v) for v in ok),
        size=int(point.size),
        forward_passes=counter.calls,
    )


@dataclass(frozen=True)
class CheckPlan:
    """How one gradient is checked: entry by entry, or by directions and coordinates."""

    full: bool
    directions: int = 0
    coordinates: int = 0
    forward_passes: int = 0
    """What the plan costs, in reference forward passes."""


def plan_checks(
    sizes: Sequence[int], budget: int = CHECK_BUDGET, full_limit: int = FULL_LIMIT
) -> tuple[CheckPlan, ...]:
    """Choose, for gradients of `sizes` entries, full differences or directional checks.

    If all of them together have at most `full_limit` entries, every one is checked entry by
    entry (exact, and the diagnosis can show which entries are wrong). Otherwise the
    `budget` of forward passes is split evenly: a gradient that fits its share is still
    done in full, the others get a quarter of their share as sampled coordinates and the
    rest as random directions. The total never exceeds `budget`. Grading several input sets
    of a large exercise? Pass `budget // sets` (or grade one set: the directions already
    average over the whole gradient).
    """
    if sum(sizes) <= full_limit:
        return tuple(CheckPlan(full=True, forward_passes=2 * size) for size in sizes)
    probes = budget // (2 * max(len(sizes), 1))
    if probes < 2:
        raise ValueError(f"a budget of {budget} passes is too small for {len(sizes)} gradients")
    plans = []
    for size in sizes:
        if size <= probes:
            plans.append(CheckPlan(full=True, forward_passes=2 * size))
        else:
            coordinates = probes // 4
            directions = probes - coordinates
            plans.append(CheckPlan(False, directions, coordinates, 2 * probes))
    return tuple(plans)


def _working_copies(inputs: Sequence[np.ndarray], wrt: int) -> list[np.ndarray]:
    """Copies of the inputs, `inputs[wrt]` as a contiguous float64 array we may perturb."""
    target = np.asarray(inputs[wrt])
    if not np.issubdtype(target.dtype, np.floating):
        raise ValueError(f"input {wrt} holds {target.dtype} values (labels?): no gradient")
    args = [np.array(value, copy=True) for value in inputs]
    args[wrt] = np.array(target, dtype=np.float64, copy=True, order="C")
    return args


def _coordinate_derivative(
    forward: Forward,
    args: list[np.ndarray],
    upstream: np.ndarray,
    wrt: int,
    index: tuple[int, ...],
    h: float,
) -> float:
    point = args[wrt]
    original = point[index]
    point[index] = original + h
    above, plus = point[index], loss(forward, args, upstream)
    point[index] = original - h
    below, minus = point[index], loss(forward, args, upstream)
    point[index] = original
    return float((plus - minus) / (above - below))


def _pick_coordinates(
    candidate: np.ndarray, count: int, rng: np.random.Generator
) -> list[tuple[int, ...]]:
    size = candidate.size
    if count <= 0 or size == 0:
        return []
    first = [0, size - 1, int(np.argmax(np.abs(candidate.reshape(-1))))]
    chosen = list(dict.fromkeys(first))[:count]
    while len(chosen) < min(count, size):
        flat = int(rng.integers(0, size))
        if flat not in chosen:
            chosen.append(flat)
    return [tuple(int(i) for i in np.unravel_index(flat, candidate.shape)) for flat in chosen]


def _non_finite_check(size: int) -> Check:
    return Check(
        passed=False,
        direction_error=float("inf"),
        coordinate_error=0.0,
        scale=0.0,
        numerical=(),
        candidate=(),
        coordinates=(),
        coordinate_numerical=(),
        coordinate_candidate=(),
        coordinate_passed=(),
        size=size,
        forward_passes=0,
    )


def _random_signs(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Independent fair ±1 entries (one random bit each: 8× faster than `integers`)."""
    count = int(np.prod(shape, dtype=np.int64))
    raw = np.frombuffer(rng.bytes((count + 7) // 8), dtype=np.uint8)
    bits = np.unpackbits(raw, count=count).reshape(shape)
    signs: np.ndarray = np.asarray(bits * 2.0 - 1.0)  # (a 0-d result would be a scalar)
    return signs


def _rms(values: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(values)))) if values.size else 0.0
