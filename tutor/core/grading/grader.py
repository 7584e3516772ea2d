"""Grading a code exercise end to end: inputs → sandbox → numerical check → GradeResult.

The learner's code only ever runs in the sandbox; it hands back arrays and nothing else.
This trusted side computes the numerical gradients of L = Σ forward(inputs) · grad_out
from the exercise's reference forward and decides. Small gradients are compared entry by
entry on every input set (including a batch of one, to tell a missing batch sum); large
ones by random directions on one set, so the cost does not grow with the parameter count.

An exercise with `expected = "reference"` teaches a custom gradient that is deliberately
not the forward's derivative (a straight-through estimator, gradient clipping). There the
expected gradients are what the reference file's own backward returns, called here in the
trusted parent on the same inputs and grad_out; they are compared entry by entry on every
input set, whatever their size, since computing them costs one call.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from tutor.core.grading import runner
from tutor.core.grading.diagnosis import (
    compare_directional,
    diagnose_gradients,
    modified_inputs,
    overall,
    precheck_gradient,
)
from tutor.core.grading.inputs import (
    batch_size,
    is_batched,
    make_input_sets,
    make_upstream,
    upstream_rng,
)
from tutor.core.grading.numerical import (
    CheckPlan,
    CountingForward,
    directional_check,
    numerical_gradient,
    plan_checks,
)
from tutor.core.grading.results import GradeResult, GradientResult
from tutor.core.grading.sandbox import (
    DEFAULT_LIMITS,
    CallOutcome,
    RunOutcome,
    Sandbox,
    SandboxLimits,
)
from tutor.core.model import CodeExercise

INPUT_SETS = 3
"""Random input sets with the full batch; one more has a batch of one."""
GRADE_SEED = 20_241_122
"""Inputs are the same for every attempt, so a learner's reruns compare like with like."""

Forward = Callable[..., Any]


class AuthoringError(Exception):
    """The exercise's reference forward could not be loaded or run: a problem of the pack."""


@dataclass(frozen=True)
class Case:
    """One input set: the forward's inputs (declared order), grad_out, and its kind."""

    inputs: tuple[np.ndarray, ...]
    upstream: np.ndarray
    batch_one: bool
    output: np.ndarray
    """The reference forward's output on `inputs`."""

    def args(self) -> list[np.ndarray]:
        """What the learner's backward receives: the inputs, then grad_out."""
        return [*self.inputs, self.upstream]


@dataclass
class Prepared:
    """What grading an exercise needs that does not depend on the learner's code."""

    exercise: CodeExercise
    forward: CountingForward
    cases: list[Case]
    plans: tuple[CheckPlan, ...]
    expected: list[list[np.ndarray]]
    """Per case, per gradient: the numerical gradient, or the reference backward's for
    `expected = "reference"` (full mode only; empty otherwise)."""
    constants: list[np.ndarray]
    """The exercise's constants as 0-d arrays, passed after grad_out to backward."""

    def backward_args(self, case: Case) -> list[np.ndarray]:
        """What the learner's backward receives: inputs, grad_out, then constants."""
        return [*case.args(), *self.constants]

    def argument_names(self) -> list[str]:
        """Names of `backward_args`, to say which one was modified in place."""
        inputs = [spec.name for spec in self.exercise.inputs]
        return [*inputs, "grad_out", *(name for name, _ in self.exercise.constants)]

    @property
    def full(self) -> bool:
        """Entry-by-entry on every case, or directions on the first."""
        return all(plan.full for plan in self.plans)

    def index(self, name: str) -> int:
        """Position of input `name` among the forward's inputs."""
        return next(n for n, spec in enumerate(self.exercise.inputs) if spec.name == name)


def load_forward(exercise: CodeExercise) -> Forward:
    """The reference forward from the exercise's reference file (the pack author's code)."""
    return _load_reference(exercise, exercise.forward)


def load_backward(exercise: CodeExercise) -> Forward:
    """The reference backward (`function`) from the exercise's reference file."""
    return _load_reference(exercise, exercise.function)


def _load_reference(exercise: CodeExercise, name: str) -> Forward:
    path = exercise.reference
    return _load_function(str(path), path.stat().st_mtime_ns, name)


@lru_cache(maxsize=32)
def _load_function(path: str, mtime_ns: int, name: str) -> Forward:
    spec = importlib.util.spec_from_file_location(f"_reference_{abs(hash((path, mtime_ns)))}", path)
    if spec is None or spec.loader is None:
        raise AuthoringError(f"cannot load the reference file {path}")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise AuthoringError(f"the reference file {path} fails to load: {error}") from error
    forward = getattr(module, name, None)
    if not callable(forward):
        raise AuthoringError(f"the reference file {path} has no function {name}")
    return forward  # type: ignore[no-any-return]


def make_cases(exercise: CodeExercise, forward: Forward, seed: int = GRADE_SEED) -> list[Case]:
    """The input sets: several with the full batch, then one with a batch of one."""
    sets = [(inputs, False) for inputs in make_input_sets(exercise, seed, INPUT_SETS)]
    if batch_size(exercise) is not None:
        sets += [(inputs, True) for inputs in make_input_sets(exercise, seed, 1, batch_one=True)]
    cases = []
    for index, (inputs, batch_one) in enumerate(sets):
        ordered = tuple(inputs[spec.name] for spec in exercise.inputs)
        output = np.asarray(forward(*ordered), dtype=np.float64)
        rng = upstream_rng(seed, index, batch_one=batch_one)
        cases.append(Case(ordered, make_upstream(output.shape, rng), batch_one, output))
    return cases


def with_constants(forward: Forward, constants: Sequence[float]) -> Forward:
    """The reference forward as a function of the arrays alone (constants bound after them)."""
    if not constants:
        return forward
    return lambda *arrays: forward(*arrays, *constants)


def prepare(exercise: CodeExercise) -> Prepared:
    """Cases, check plans and (for entry-by-entry checks) the expected gradients.

    Raises AuthoringError when the reference forward (or, for `expected = "reference"`, the
    reference backward) fails: the pack is broken, not the learner's code.
    """
    try:
        return _prepare(exercise)
    except AuthoringError:
        raise
    except Exception as error:
        raise AuthoringError(
            f"the reference forward of {exercise.path.name} fails: {type(error).__name__}: {error}"
        ) from error


def _prepare(exercise: CodeExercise) -> Prepared:
    values = [value for _, value in exercise.constants]
    forward = CountingForward(with_constants(load_forward(exercise), values))
    cases = make_cases(exercise, forward)
    constants = [np.array(value, dtype=np.float64) for value in values]
    prepared = Prepared(exercise, forward, cases, (), [], constants)
    if exercise.expected == "reference":
        prepared.plans = tuple(CheckPlan(full=True) for _ in exercise.gradients)
        backward = load_backward(exercise)
        prepared.expected = [reference_gradients(prepared, backward, case) for case in cases]
        return prepared
    sizes = [int(cases[0].inputs[prepared.index(name)].size) for name in exercise.gradients]
    prepared.plans = plan_checks(sizes)
    if prepared.full:
        prepared.expected = [
            [
                numerical_gradient(forward, case.inputs, case.upstream, prepared.index(name))
                for name in exercise.gradients
            ]
            for case in cases
        ]
    else:
        prepared.cases = cases[:1]  # directions on one set keep the cost bounded
    return prepared


def reference_gradients(prepared: Prepared, backward: Forward, case: Case) -> list[np.ndarray]:
    """What the reference backward returns for `case`: the expected gradients.

    It gets copies of what the learner's backward gets, so it cannot change the case.
    Raises AuthoringError when it returns anything but one array per gradient, each with
    the shape of its input.
    """
    exercise = prepared.exercise
    args = [np.array(arg, copy=True) for arg in prepared.backward_args(case)]
    names = [f"d{name}" for name in exercise.gradients]
    who = f"the reference {exercise.function}"
    try:
        value = backward(*args)
    except Exception as error:
        raise AuthoringError(
            f"the reference backward of {exercise.path.name} fails: {type(error).__name__}: {error}"
        ) from error
    returned = runner.convert_returns(value, len(names), names, 1 << 40, who)
    if isinstance(returned, str):
        raise AuthoringError(returned)
    for name, array in zip(exercise.gradients, returned, strict=True):
        shape = case.inputs[prepared.index(name)].shape
        if array.shape != shape:
            raise AuthoringError(
                f"{who} returns d{name} with shape {array.shape}; "
                f"it must have the shape of {name}, {shape}"
            )
    return returned


class Grader:
    """Grades code exercises with one warm sandbox; start it before the UI starts threads."""

    def __init__(self, sandbox: Sandbox | None = None, limits: SandboxLimits = DEFAULT_LIMITS):
        self.sandbox = sandbox if sandbox is not None else Sandbox(limits)
        self._prepared: dict[tuple[CodeExercise, int], Prepared] = {}

    def start(self) -> None:
        """Start the sandbox's warm worker now rather than at the first grade."""
        self.sandbox.start()

    def close(self) -> None:
        """Stop the sandbox."""
        self.sandbox.close()

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def prepared(self, exercise: CodeExercise) -> Prepared:
        """The exercise's preparation, computed once (until its reference file changes)."""
        key = (exercise, exercise.reference.stat().st_mtime_ns)
        if key not in self._prepared:
            self._prepared[key] = prepare(exercise)
        return self._prepared[key]

    def grade(self, exercise: CodeExercise, code: str) -> GradeResult:
        """Run `code`'s backward in the sandbox and grade what it returns.

        Raises AuthoringError when the exercise's own reference is broken.
        """
        prepared = self.prepared(exercise)
        if exercise.learner_forward is not None:
            failure = self._check_forward(prepared, exercise.learner_forward, code)
            if failure is not None:
                return failure
        outcome = self.sandbox.run(
            code,
            exercise.function,
            [prepared.backward_args(case) for case in prepared.cases],
            expected_returns=len(exercise.gradients),
            return_names=[f"d{name}" for name in exercise.gradients],
        )
        if outcome.status != "ok":
            return _not_graded(outcome)
        if prepared.full:
            return _grade_full(prepared, outcome)
        return _grade_directional(prepared, outcome)

    def _check_forward(self, prepared: Prepared, name: str, code: str) -> GradeResult | None:
        """The learner's own forward against the reference's outputs; None when it matches."""
        outcome = self.sandbox.run(
            code,
            name,
            [[*case.inputs, *prepared.constants] for case in prepared.cases],
            expected_returns=1,
            return_names=["out"],
        )
        if outcome.status != "ok":
            return _not_graded(outcome)
        for case, call in zip(prepared.cases, outcome.calls, strict=True):
            problem = _forward_problem(name, _returned(call), case.output)
            if problem is not None:
                return replace(
                    _result("failed", (), outcome, []), diagnosis=problem, cause="forward"
                )
        return None


def _forward_problem(name: str, returned: list[Any], expected: np.ndarray) -> str | None:
    """Why the learner's forward output is wrong, or None when it matches."""
    if not returned:
        return f"Your {name} returned nothing usable."
    got = np.asarray(returned[0])
    if got.shape != expected.shape:
        return (
            f"Your {name} returns shape {got.shape}; the output should have shape {expected.shape}."
        )
    if not np.allclose(got, expected, rtol=1e-6, atol=1e-9, equal_nan=False):
        error = float(np.max(np.abs(got - expected)))
        return (
            f"Your {name} computes different values (largest difference {error:.3g}). "
            "Backward is only as right as the forward it differentiates: fix the forward first."
        )
    return None


def _not_graded(outcome: RunOutcome) -> GradeResult:
    headline = _headline(outcome)
    status = "crashed" if outcome.status == "ok" else outcome.status
    return GradeResult(
        status=status,
        gradients=(),
        diagnosis=headline,
        cause=status,
        stdout=outcome.output,
        stdout_truncated=outcome.output_truncated,
        error=outcome.message if outcome.status == "error" else None,
        sandbox=outcome.mode,
    )


def _headline(outcome: RunOutcome) -> str:
    """One line on why the code was not graded: for a traceback, the exception itself."""
    lines = [line for line in outcome.message.strip().splitlines() if line.strip()]
    if not lines:
        return outcome.status
    if outcome.status == "error" and lines[0].startswith("Traceback"):
        unindented = [line for line in lines[1:] if not line[0].isspace()]
        return unindented[-1] if unindented else lines[-1]
    return lines[0]


def _grade_full(prepared: Prepared, outcome: RunOutcome) -> GradeResult:
    exercise = prepared.exercise
    names = prepared.argument_names()
    batch_one_ok = _batch_one_flags(prepared, outcome)
    shown: tuple[GradientResult, ...] = ()
    for case, call, wanted in zip(prepared.cases, outcome.calls, prepared.expected, strict=True):
        if case.batch_one:
            continue
        before = dict(zip(names, prepared.backward_args(case), strict=True))
        after = dict(zip(names, call.args_after, strict=True)) if call.args_after else None
        results = diagnose_gradients(
            exercise.gradients,
            _returned(call),
            wanted,
            batch_size=batch_size(exercise),
            batched=[is_batched(exercise.inputs[prepared.index(n)]) for n in exercise.gradients],
            batch_one_ok=batch_one_ok,
            upstream=case.upstream,
            args_before=before,
            args_after=after,
        )
        modified = modified_inputs(before, after) if after else []
        if modified or not all(result.passed for result in results):
            return _result("failed", results, outcome, modified)
        shown = shown or results
    return _batch_one_failure(prepared, outcome) or _result("passed", shown, outcome, [])


def _batch_one_failure(prepared: Prepared, outcome: RunOutcome) -> GradeResult | None:
    """Right on every full batch, the code must be right for a batch of one too: a batch size
    written into the code, a squeeze or an `if N > 1` show only there."""
    for case, call, wanted in zip(prepared.cases, outcome.calls, prepared.expected, strict=True):
        if not case.batch_one:
            continue
        results = diagnose_gradients(prepared.exercise.gradients, _returned(call), wanted)
        if not all(result.passed for result in results):
            prefix = "With a batch of one (N = 1), though right for larger batches: "
            return _result(
                "failed",
                [r if r.passed else replace(r, message=prefix + r.message) for r in results],
                outcome,
                [],
            )
    return None


def _returned(call: CallOutcome) -> list[Any]:
    return list(call.returned) if call.returned is not None else []


def _batch_one_flags(prepared: Prepared, outcome: RunOutcome) -> list[bool | None]:
    """Per gradient: did it match on the batch-of-one set (None when there is none)?"""
    for case, call, wanted in zip(prepared.cases, outcome.calls, prepared.expected, strict=True):
        if case.batch_one:
            results = diagnose_gradients(prepared.exercise.gradients, _returned(call), wanted)
            return [result.passed for result in results]
    return [None] * len(prepared.exercise.gradients)


def _grade_directional(prepared: Prepared, outcome: RunOutcome) -> GradeResult:
    exercise, case = prepared.exercise, prepared.cases[0]
    returned = _returned(outcome.calls[0])
    shapes = {spec.name: case.inputs[n].shape for n, spec in enumerate(exercise.inputs)}
    rng = np.random.default_rng(GRADE_SEED)
    passes_before = prepared.forward.calls
    results = []
    for position, (name, plan) in enumerate(zip(exercise.gradients, prepared.plans, strict=True)):
        got = returned[position] if position < len(returned) else None
        wrt = prepared.index(name)
        early = precheck_gradient(
            name, got, case.inputs[wrt].shape, batch_size=batch_size(exercise), other_shapes=shapes
        )
        if early is not None:
            results.append(early)
            continue
        check = directional_check(
            prepared.forward,
            case.inputs,
            case.upstream,
            wrt,
            np.asarray(got),
            rng,
            plan.directions,
            plan.coordinates,
        )
        results.append(
            compare_directional(
                name,
                got,
                check,
                batch_size=batch_size(exercise),
                batched=is_batched(exercise.inputs[wrt]),
                upstream=case.upstream,
            )
        )
    passed = all(result.passed for result in results)
    result = _result("passed" if passed else "failed", results, outcome, [])
    return _with_passes(result, prepared.forward.calls - passes_before)


def _with_passes(result: GradeResult, passes: int) -> GradeResult:
    return replace(result, forward_passes=passes)


def _result(
    status: Literal["passed", "failed"],
    results: Sequence[GradientResult],
    outcome: RunOutcome,
    modified: Sequence[str],
) -> GradeResult:
    cause, headline = overall(results, modified=modified) if status == "failed" else (None, "")
    return GradeResult(
        status=status,
        gradients=tuple(results),
        diagnosis=headline,
        cause=cause,
        stdout=outcome.output,
        stdout_truncated=outcome.output_truncated,
        error=None,
        sandbox=outcome.mode,
    )
