"""Random input sets for a code exercise, built from its declared inputs.

Each `CodeInput` says a shape in named dimensions, a range, whether it holds integer class
labels, and values to keep away from (kinks such as ReLU's 0). This module turns that into
concrete arrays, deterministically for a seed, plus the upstream gradient `grad_out`.

Decisions:

* Floats are float64, uniform in [low, high]: central differences need float64 (see
  `numerical.py`), and uniform values in a small range keep the loss well scaled.
* Labels are **int64** in [0, ceil(high)), whatever `low` says: learners index with them
  (`probs[np.arange(N), y]`, `E[idx]`), and NumPy refuses float indices. They are never
  differentiated (`numerical.py` refuses to perturb an integer array).
* Entries closer than `AVOID_MARGIN · max(1, |a|)` to an `avoid` value `a` are redrawn. The
  numerical check moves every entry by at most ±h = 1e-5 (one coordinate at a time, or all of
  them by exactly ±h along a ±1 direction), so a margin of 1e-3 is 100× the step: no
  perturbation crosses the kink even if h is raised tenfold, and it excludes only 0.1% of a
  [-1, 1] range, so the inputs stay representative. It also keeps `x > 0` and `x >= 0` (the
  same function away from 0) from ever disagreeing. Kinks *inside* the forward (ReLU of
  `x @ W`) are not inputs and cannot be avoided this way; with continuous random inputs the
  chance that one lands within 1e-5 of a kink is about 1e-5 per hidden unit.
* Batch one: the dimension named `N` (`BATCH_DIM`) is the batch. `batch_one=True` sets it to
  1, so the grader can tell "right for one example, wrong for a batch" (a missing batch sum).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from tutor.core.model import CodeExercise, CodeInput

BATCH_DIM = "N"
"""The name of the batch dimension in `CodeExercise.dims` (by convention)."""

AVOID_MARGIN = 1e-3
"""Entries stay at least `AVOID_MARGIN · max(1, |a|)` away from each `avoid` value `a`."""

_MAX_REDRAWS = 200


def make_input_sets(
    exercise: CodeExercise,
    seed: int,
    count: int = 3,
    *,
    batch_one: bool = False,
    dims_override: Mapping[str, int] | None = None,
) -> list[dict[str, np.ndarray]]:
    """`count` input sets for `exercise`, each a dict from input name to array in declared order.

    Deterministic: set `i` depends only on (`seed`, `i`, the sizes), so asking for more sets
    does not change the first ones. `seed` must be ≥ 0. `dims_override` replaces declared
    sizes; `batch_one` then sets the batch dimension `N` to 1 (an exercise without `N` needs
    `dims_override` instead, else ValueError).
    """
    dims = resolve_dims(exercise, batch_one=batch_one, dims_override=dims_override)
    sets = []
    for index in range(count):
        rng = np.random.default_rng([seed, index, int(batch_one)])
        sets.append({spec.name: make_input(spec, dims, rng) for spec in exercise.inputs})
    return sets


def resolve_dims(
    exercise: CodeExercise,
    *,
    batch_one: bool = False,
    dims_override: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """The sizes of the named dimensions after `dims_override` and `batch_one`."""
    dims = dict(exercise.dims)
    for name, size in (dims_override or {}).items():
        if name not in dims:
            raise ValueError(f"dims_override names '{name}', which {exercise.id} does not declare")
        if size < 1:
            raise ValueError(f"dimension '{name}' must be at least 1, not {size}")
        dims[name] = size
    if batch_one:
        if BATCH_DIM in dims:
            dims[BATCH_DIM] = 1
        elif dims_override is None:
            raise ValueError(
                f"{exercise.id} has no batch dimension '{BATCH_DIM}': pass dims_override"
            )
    return dims


def batch_size(exercise: CodeExercise, dims: Mapping[str, int] | None = None) -> int | None:
    """The batch size (dimension `N`) in `dims` (default: the declared sizes), if there is one."""
    sizes = dict(exercise.dims) if dims is None else dims
    return sizes.get(BATCH_DIM)


def is_batched(spec: CodeInput) -> bool:
    """Whether the input has one row per example (its shape mentions the batch dimension)."""
    return BATCH_DIM in spec.shape


def make_input(spec: CodeInput, dims: Mapping[str, int], rng: np.random.Generator) -> np.ndarray:
    """One input array: int64 labels, or float64 in [low, high] away from `avoid` values."""
    shape = tuple(dims[dim] for dim in spec.shape)
    if spec.labels:
        classes = max(1, math.ceil(spec.high))
        return rng.integers(0, classes, size=shape, dtype=np.int64)
    values = rng.uniform(spec.low, spec.high, size=shape)
    return _away_from(values, spec, rng)


def _away_from(values: np.ndarray, spec: CodeInput, rng: np.random.Generator) -> np.ndarray:
    """Redraw the entries of `values` that sit too close to one of `spec.avoid`."""
    if not spec.avoid:
        return values
    for _ in range(_MAX_REDRAWS):
        close = _too_close(values, spec.avoid)
        count = int(close.sum())
        if count == 0:
            return values
        values[close] = rng.uniform(spec.low, spec.high, size=count)
    raise ValueError(
        f"input '{spec.name}': cannot keep values in [{spec.low}, {spec.high}] at least "
        f"{AVOID_MARGIN:g} away from {list(spec.avoid)}"
    )


def _too_close(values: np.ndarray, avoid: tuple[float, ...]) -> np.ndarray:
    close = np.zeros(values.shape, dtype=bool)
    for kink in avoid:
        close |= np.abs(values - kink) < AVOID_MARGIN * max(1.0, abs(kink))
    return close


def make_upstream(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """The upstream gradient `grad_out` (G) for a forward output of `shape`, float64.

    Uniform in [-1, 1] for arrays: varied values, so using ones, a single row, or the wrong
    axis of G shows. For a scalar output (a loss) G is in [1.5, 2.5]: far enough from 1
    that a learner who ignores grad_out ("it is always 1 for a loss") is off by a visible
    factor, and positive so it still reads as a loss scale.
    """
    if shape == ():
        return np.asarray(rng.uniform(1.5, 2.5), dtype=np.float64)
    return rng.uniform(-1.0, 1.0, size=shape)


def upstream_rng(seed: int, index: int, *, batch_one: bool = False) -> np.random.Generator:
    """A generator for the `grad_out` of input set `index`: independent of the inputs' draws."""
    return np.random.default_rng([seed, index, 2 + int(batch_one)])
