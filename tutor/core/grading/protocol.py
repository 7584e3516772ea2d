"""The JSON-lines protocol between the grading service and its worker process.

A grade crosses the boundary as plain JSON (shapes as lists), never as a pickle.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tutor.core.grading.results import GradeResult, GradientResult


def grade_to_json(result: GradeResult) -> dict[str, Any]:
    """A grade as JSON-ready data (also what `check --json` prints and attempts store)."""
    data = asdict(result)
    data["passed"] = result.passed
    return data


def grade_from_json(data: dict[str, Any]) -> GradeResult:
    """The inverse of `grade_to_json`; raises KeyError/TypeError/ValueError when malformed."""
    gradients = tuple(
        GradientResult(
            **{
                **gradient,
                "expected_shape": tuple(gradient["expected_shape"]),
                "got_shape": None
                if gradient["got_shape"] is None
                else tuple(gradient["got_shape"]),
            }
        )
        for gradient in data["gradients"]
    )
    fields = {key: value for key, value in data.items() if key not in ("passed", "gradients")}
    return GradeResult(gradients=gradients, **fields)
