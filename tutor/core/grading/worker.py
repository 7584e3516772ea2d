"""The worker process that owns NumPy and the sandbox: `python -m tutor.core.grading.worker`.

The app talks to it through `GradingService`, so the app's own process never imports NumPy
and never forks while Textual's threads run. Requests name the exercise by its file; the
worker loads it itself (pack files are trusted, learner code only runs in the sandbox).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tutor.core.grading.grader import AuthoringError, Grader
from tutor.core.grading.protocol import grade_to_json
from tutor.core.model import CodeExercise
from tutor.core.packs.exercises import load_exercise
from tutor.core.worker_process import serve

_grader = Grader()


def _handle(request: dict[str, Any]) -> dict[str, Any]:
    path = Path(request["exercise"])
    exercise = load_exercise(path, Path(request["pack_root"]))
    if not isinstance(exercise, CodeExercise):
        problems = "; ".join(str(p) for p in exercise) if isinstance(exercise, list) else ""
        return {"error": f"not a code exercise: {path} {problems}".strip()}
    try:
        return {"result": grade_to_json(_grader.grade(exercise, str(request["code"])))}
    except AuthoringError as error:
        return {"authoring_error": str(error)}


def main() -> None:
    """Start the sandbox's zygote, then serve requests until stdin closes."""
    serve(_handle, _grader.start)


if __name__ == "__main__":
    main()
