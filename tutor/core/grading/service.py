"""Code grading in a separate, warm worker process that can be cancelled.

The app uses this instead of `Grader` so that NumPy and the sandbox's zygote live in the
worker, not in the UI's process (lighter, and no fork from a process running threads).
"""

from __future__ import annotations

from pathlib import Path

from tutor.core.grading.protocol import grade_from_json
from tutor.core.grading.results import GradeResult
from tutor.core.model import CodeExercise
from tutor.core.worker_process import WorkerCancelled, WorkerFailure, WorkerProcess

GRADE_TIMEOUT_S = 120.0
"""A backstop only: the sandbox bounds the learner's code (seconds); the rest is ours."""
START_TIMEOUT_S = 60.0
"""Starting imports NumPy and starts the sandbox's zygote."""


class GradingUnavailable(Exception):
    """The exercise could not be graded (a broken exercise, or the grader failed)."""


class GradingService:
    """Grades code exercises in a warm worker process; thread-safe."""

    def __init__(self, timeout_s: float = GRADE_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self.worker = WorkerProcess("tutor.core.grading.worker", "the grader", START_TIMEOUT_S)
        """The process that owns NumPy and the sandbox."""

    def start(self) -> None:
        """Start (and warm) the worker now rather than on the first grade."""
        self.worker.start()

    def grade(self, exercise: CodeExercise, pack_root: Path, code: str) -> GradeResult:
        """Grade `code` for `exercise` of the pack at `pack_root`.

        Raises WorkerCancelled when `cancel()` stopped it, GradingUnavailable otherwise.
        """
        request = {"exercise": str(exercise.path), "pack_root": str(pack_root), "code": code}
        try:
            reply = self.worker.ask(request, self.timeout_s)
        except TimeoutError:
            raise GradingUnavailable("grading took too long and was stopped") from None
        except WorkerFailure as failure:
            raise GradingUnavailable(str(failure)) from None
        if "authoring_error" in reply:
            raise GradingUnavailable(f"the exercise is broken: {reply['authoring_error']}")
        if "error" in reply:
            raise GradingUnavailable(str(reply["error"]))
        try:
            return grade_from_json(reply["result"])
        except (KeyError, TypeError, ValueError) as error:
            raise GradingUnavailable(f"the grader sent no usable result ({error})") from None

    def cancel(self) -> None:
        """Stop the grading in progress (from any thread)."""
        self.worker.cancel()

    def close(self) -> None:
        """Stop the worker and its sandbox."""
        self.worker.close()

    def __enter__(self) -> GradingService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


__all__ = ["GradingService", "GradingUnavailable", "WorkerCancelled"]
