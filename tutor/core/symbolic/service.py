"""Derivation checks in a separate, warm worker process, with a hard time bound.

Parser limits stop the inputs we can foresee; this boundary stops the rest. Whatever a
check does (a SymPy call that never returns, a memory blow-up, a crash), the caller gets an
answer within `timeout_s`, and the worker is killed and replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tutor.core.model import DerivationExercise
from tutor.core.symbolic.protocol import result_from_json
from tutor.core.symbolic.results import CheckResult, PartResult
from tutor.core.worker_process import WorkerCancelled, WorkerFailure, WorkerProcess

CHECK_TIMEOUT_S = 2.0
"""The longest a learner waits for a verdict, whatever they typed."""
START_TIMEOUT_S = 30.0
"""Starting the worker imports SymPy and warms it up (about a second here; slow disks more)."""

TIMEOUT_FEEDBACK = (
    "This answer took too long to check, so it was not marked. Try writing it more simply."
)
FAILURE_FEEDBACK = "The checker could not check this answer ({reason}). It was not marked."
CANCELLED_FEEDBACK = "Checking was cancelled, so this answer was not marked."


@dataclass(frozen=True)
class Preview:
    """How an answer was read, or why it could not be."""

    parsed: str | None
    error: str | None = None
    position: int | None = None


class SymbolicService:
    """A warm worker process for derivation checks; thread-safe, restarted when needed."""

    def __init__(self, timeout_s: float = CHECK_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self.worker = WorkerProcess("tutor.core.symbolic.worker", "the checker", START_TIMEOUT_S)
        """The process that owns SymPy."""

    def start(self) -> None:
        """Start (and warm) the worker now rather than on the first check."""
        self.worker.start()

    def check(
        self, exercise: DerivationExercise, answers: Mapping[str, str], variant_key: str = ""
    ) -> CheckResult:
        """Check the answered parts; a timeout or failure marks them undecided, never wrong."""
        request = {
            "op": "check",
            "exercise": str(exercise.path),
            "answers": dict(answers),
            "variant_key": variant_key,
        }
        try:
            reply = self._ask(request)
            if "result" not in reply:
                raise WorkerFailure(str(reply.get("error", "no result")))
            return result_from_json(reply["result"])
        except TimeoutError:
            return _unmarked(exercise, answers, TIMEOUT_FEEDBACK, "timeout")
        except WorkerCancelled:
            return _unmarked(exercise, answers, CANCELLED_FEEDBACK, "cancelled")
        except (WorkerFailure, KeyError, TypeError) as failure:
            feedback = FAILURE_FEEDBACK.format(reason=failure)
            return _unmarked(exercise, answers, feedback, "checker-error")

    def preview(self, exercise: DerivationExercise, text: str, variant_key: str = "") -> Preview:
        """How `text` is read, for the "interpreted as" line."""
        request = {
            "op": "preview",
            "exercise": str(exercise.path),
            "text": text,
            "variant_key": variant_key,
        }
        try:
            reply = self._ask(request)
        except TimeoutError:
            return Preview(None, "this took too long to read; try writing it more simply")
        except WorkerCancelled:
            return Preview(None, "cancelled")
        except WorkerFailure as failure:
            return Preview(None, f"could not be read: {failure}")
        if "parsed" in reply:
            return Preview(str(reply["parsed"]))
        return Preview(None, str(reply.get("invalid") or reply.get("error")), reply.get("position"))

    def cancel(self) -> None:
        """Stop the check in progress (from any thread); it returns as undecided."""
        self.worker.cancel()

    def close(self) -> None:
        """Stop the worker."""
        self.worker.close()

    def __enter__(self) -> SymbolicService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.worker.ask(request, self.timeout_s)


def _unmarked(
    exercise: DerivationExercise, answers: Mapping[str, str], feedback: str, tag: str
) -> CheckResult:
    parts = tuple(
        PartResult(part.id, part.label, "undecided", answers[part.id], None, feedback, tag)
        for part in exercise.parts
        if part.id in answers
    )
    return CheckResult(parts)
