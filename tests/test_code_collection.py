"""The code collection: exercises, correct solutions and known mistakes, through the real grader.

`tests/fixtures/code/` is a pack of code exercises (Linear, embedding, a residual block,
LayerNorm, ReLU, sigmoid, tanh, swish, MSE, softmax + cross-entropy). For each one:

* the reference's backward must pass (its file is graded as if a learner wrote it);
* every file in `correct/<exercise-id>/` (the same answer written differently) must pass;
* the starter (zeros and a TODO) must fail with cause `zero`;
* every `[[buggy]]` must fail with the diagnosis it is tagged with: a cause tag as the
  headline cause, a status as the status, and `wrong` as `failed` with no misleading named
  cause (README.md there says more).

`questionable/` holds judgement calls: they are graded and the verdict is printed, but only
"the grader copes" is asserted. A failure here is a grader bug or a collection bug; the
comment in the file, the README and the TOML's prompt say what each case probes.
"""

from __future__ import annotations

import subprocess
import sys
import types
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tutor.core.grading.grader import Grader
from tutor.core.grading.results import GradeResult
from tutor.core.model import CodeExercise, Pack
from tutor.core.packs import load_pack

COLLECTION = Path(__file__).resolve().parent / "fixtures" / "code"
CORRECT = COLLECTION / "correct"
QUESTIONABLE = COLLECTION / "questionable"

CAUSES = (
    "shape",
    "transposed",
    "sign",
    "factor",
    "batch-sum",
    "zero",
    "elements",
    "nan",
    "order",
    "inplace",
)
FAILED_STATUSES = ("error", "timeout", "memory", "output-limit", "crashed", "bad-output")
UNNAMED = "wrong"
"""Tag for a mistake with no pattern: `failed`, and no gradient claims a cause but `elements`."""
UNNAMED_ALLOWED = (None, "elements")

MIN_EXERCISES = 8
MIN_BUGGY = 24
MIN_CORRECT = 16
MIN_BUGGY_EACH = 3
MIN_CORRECT_EACH = 2


@cache
def collection() -> Pack:
    """The fixture pack, loaded once."""
    pack = load_pack(COLLECTION)
    assert isinstance(pack, Pack), "\n".join(str(problem) for problem in pack)
    return pack


@cache
def exercises() -> dict[str, CodeExercise]:
    """The pack's code exercises by id."""
    return {item.id: item for item in collection().items() if isinstance(item, CodeExercise)}


@dataclass(frozen=True)
class Case:
    """One file to grade against one exercise, and what the grader must say."""

    exercise: str
    role: str
    """`reference`, `starter`, `buggy`, `correct` or `questionable`."""
    path: Path
    expect: str
    """`passed`, a cause tag, a failed status, or `wrong` (see the module docstring)."""

    @property
    def id(self) -> str:
        return f"{self.exercise}/{self.role}/{self.path.stem}"


def _extra_files(folder: Path) -> list[tuple[str, Path]]:
    """(exercise id, file) for every `folder/<exercise-id>/*.py`."""
    return [(path.parent.name, path) for path in sorted(folder.glob("*/*.py"))]


def _cases() -> dict[str, list[Case]]:
    by_role: dict[str, list[Case]] = {role: [] for role in ("reference", "starter", "buggy")}
    for exercise in exercises().values():
        by_role["reference"].append(Case(exercise.id, "reference", exercise.reference, "passed"))
        by_role["starter"].append(Case(exercise.id, "starter", exercise.starter, "zero"))
        by_role["buggy"].extend(
            Case(exercise.id, "buggy", buggy.path, buggy.diagnosis) for buggy in exercise.buggy
        )
    by_role["correct"] = [Case(ex, "correct", path, "passed") for ex, path in _extra_files(CORRECT)]
    by_role["questionable"] = [
        Case(ex, "questionable", path, "any") for ex, path in _extra_files(QUESTIONABLE)
    ]
    return by_role


CASES = _cases()


def _ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


@pytest.fixture(scope="module")
def grader() -> Iterator[Grader]:
    """One warm grader (and sandbox worker) for the whole module."""
    with Grader() as warm:
        yield warm


def grade(grader: Grader, case: Case) -> GradeResult:
    return grader.grade(exercises()[case.exercise], case.path.read_text(encoding="utf-8"))


def describe(result: GradeResult) -> str:
    """Everything a person needs to decide whether the grader or the collection is wrong."""
    lines = [f"status={result.status} cause={result.cause} diagnosis={result.diagnosis!r}"]
    for gradient in result.gradients:
        lines.append(
            f"  d{gradient.name}: passed={gradient.passed} cause={gradient.cause} "
            f"expected={gradient.expected_shape} got={gradient.got_shape} "
            f"rel_err={gradient.relative_error} {gradient.message!r}"
        )
    if result.error:
        lines.append("error:\n" + result.error)
    if result.stdout:
        lines.append("stdout:\n" + result.stdout[:2000])
    return "\n".join(lines)


def causes_of(result: GradeResult) -> set[str | None]:
    """The headline cause and every failing gradient's cause."""
    return {result.cause} | {g.cause for g in result.gradients if not g.passed}


def matches(result: GradeResult, expect: str) -> bool:
    """Whether `result` is the verdict the tag `expect` asks for.

    A cause tag must be the headline cause (`result.cause`), not only some gradient's: each
    buggy file makes one mistake, and the headline is what the learner reads first. (A
    scalar grad_out once came back from the sandbox as shape (1,), and every loss exercise
    was headlined `inplace` while its gradients still said `factor`.)
    """
    if expect == "passed":
        return result.status == "passed"
    if expect in FAILED_STATUSES:
        return result.status == expect
    if result.status != "failed":
        return False
    if expect == UNNAMED:
        return causes_of(result) <= set(UNNAMED_ALLOWED)
    return result.cause == expect


# --- the collection itself ------------------------------------------------------------------


def test_collection_loads_as_a_valid_pack() -> None:
    pack = collection()
    assert pack.id == "code-collection"
    assert all(isinstance(item, CodeExercise) for item in pack.items())


def test_pack_validate_accepts_the_collection() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "tutor", "pack", "validate", str(COLLECTION)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_collection_is_large_enough() -> None:
    assert len(exercises()) >= MIN_EXERCISES
    assert len(CASES["buggy"]) >= MIN_BUGGY
    assert len(CASES["correct"]) >= MIN_CORRECT
    buggy = Counter(case.exercise for case in CASES["buggy"])
    correct = Counter(case.exercise for case in CASES["correct"])
    thin = [
        f"{exercise}: {buggy[exercise]} buggy, {correct[exercise]} correct"
        for exercise in exercises()
        if buggy[exercise] < MIN_BUGGY_EACH or correct[exercise] < MIN_CORRECT_EACH
    ]
    assert not thin, "\n".join(thin)


def test_extra_folders_name_exercises() -> None:
    """correct/ and questionable/ hold one folder per exercise id, and nothing else."""
    stray = [
        str(path.relative_to(COLLECTION))
        for folder in (CORRECT, QUESTIONABLE)
        for path in folder.iterdir()
        if path.is_dir() and path.name not in exercises()
    ]
    assert not stray, f"folders that name no exercise: {stray}"


def test_buggy_tags_are_known() -> None:
    known = (*CAUSES, *FAILED_STATUSES, UNNAMED)
    unknown = [f"{case.id}: {case.expect!r}" for case in CASES["buggy"] if case.expect not in known]
    assert not unknown, "\n".join(unknown)


def test_every_cause_is_exercised() -> None:
    """The collection probes each named cause except `nan` (no natural learner mistake here)."""
    tagged = {case.expect for case in CASES["buggy"]} | {"zero"}
    missing = set(CAUSES) - tagged - {"nan"}
    assert not missing, f"no buggy solution is tagged {sorted(missing)}"


# --- the references, checked without the grader ---------------------------------------------

STEP = 1e-6


def _load(path: Path, name: str) -> Callable[..., Any]:
    module = types.ModuleType(path.stem)
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    function: Callable[..., Any] = module.__dict__[name]
    return function


def _inputs(exercise: CodeExercise, rng: np.random.Generator) -> list[np.ndarray]:
    sizes = dict(exercise.dims)
    arrays = []
    for spec in exercise.inputs:
        shape = tuple(sizes[dim] for dim in spec.shape)
        if spec.labels:
            arrays.append(rng.integers(0, int(spec.high), size=shape))
            continue
        values = rng.uniform(spec.low, spec.high, size=shape)
        for kink in spec.avoid:  # push values within 0.05 of a kink out to 0.05
            near = np.abs(values - kink) < 0.05
            values[near] = kink + np.where(values[near] >= kink, 0.05, -0.05)
        arrays.append(values)
    return arrays


def _central_difference(
    forward: Callable[..., Any], args: list[np.ndarray], upstream: np.ndarray, index: int
) -> np.ndarray:
    """∂/∂args[index] of Σ forward(args) · upstream, one entry at a time."""
    x = args[index]
    gradient = np.zeros_like(x)
    for entry in np.ndindex(x.shape):
        saved = x[entry]
        x[entry] = saved + STEP
        plus = np.sum(np.asarray(forward(*args)) * upstream)
        x[entry] = saved - STEP
        minus = np.sum(np.asarray(forward(*args)) * upstream)
        x[entry] = saved
        gradient[entry] = (plus - minus) / (2 * STEP)
    return gradient


@pytest.mark.parametrize("case", CASES["reference"], ids=_ids(CASES["reference"]))
def test_reference_matches_central_differences(case: Case) -> None:
    """A wrong reference would poison every other case: check it independently first."""
    exercise = exercises()[case.exercise]
    forward = _load(exercise.reference, exercise.forward)
    backward = _load(exercise.reference, exercise.function)
    names = [spec.name for spec in exercise.inputs]
    rng = np.random.default_rng(20240607)
    args = _inputs(exercise, rng)
    out_shape = np.shape(forward(*args))
    upstream = rng.uniform(-1.0, 1.0, size=out_shape) if out_shape else np.asarray(1.7)
    got = backward(*[a.copy() for a in args], upstream.copy())
    got = [got] if len(exercise.gradients) == 1 else list(got)
    for name, gradient in zip(exercise.gradients, got, strict=True):
        expected = _central_difference(forward, args, upstream, names.index(name))
        np.testing.assert_allclose(gradient, expected, rtol=1e-6, atol=1e-8, err_msg=f"d{name}")


# --- through the grader ---------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES["reference"], ids=_ids(CASES["reference"]))
def test_reference_passes(grader: Grader, case: Case) -> None:
    result = grade(grader, case)
    assert result.status == "passed", describe(result)


@pytest.mark.parametrize("case", CASES["correct"], ids=_ids(CASES["correct"]))
def test_correct_alternative_passes(grader: Grader, case: Case) -> None:
    result = grade(grader, case)
    assert result.status == "passed", describe(result)


@pytest.mark.parametrize("case", CASES["starter"], ids=_ids(CASES["starter"]))
def test_starter_fails_with_zero(grader: Grader, case: Case) -> None:
    result = grade(grader, case)
    assert result.status == "failed", describe(result)
    assert result.cause == "zero", describe(result)


@pytest.mark.parametrize("case", CASES["buggy"], ids=_ids(CASES["buggy"]))
def test_buggy_gets_its_diagnosis(grader: Grader, case: Case) -> None:
    result = grade(grader, case)
    assert result.status != "passed", describe(result)
    assert matches(result, case.expect), f"expected {case.expect}\n" + describe(result)
    if result.status == "failed":
        assert result.diagnosis, "a failed verdict needs a headline for the learner"


@pytest.mark.parametrize("case", CASES["questionable"], ids=_ids(CASES["questionable"]))
def test_questionable_is_handled(grader: Grader, case: Case) -> None:
    """Not a verdict: see questionable/NOTES.md. Run with -rP to read what the grader said."""
    result = grade(grader, case)
    print(f"{case.id}: " + describe(result))
    assert result.status in ("passed", "failed", "bad-output"), describe(result)
