"""The JSON-lines protocol between the symbolic service and its worker process.

Only plain JSON crosses the boundary (no pickle), so a worker that misbehaves can at worst
send a wrong or malformed reply, which the parent treats as "could not decide".
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from tutor.core.symbolic.results import CheckResult, PartResult


def result_to_json(result: CheckResult) -> dict[str, Any]:
    """A check result as JSON-ready data."""
    return {"parts": [asdict(part) for part in result.parts], "variant": result.variant}


def result_from_json(data: dict[str, Any]) -> CheckResult:
    """The inverse of `result_to_json`; raises KeyError/TypeError on a malformed reply."""
    parts = tuple(PartResult(**part) for part in data["parts"])
    return CheckResult(parts, {str(k): str(v) for k, v in data["variant"].items()})
