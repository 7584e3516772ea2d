"""The worker process that owns SymPy: `python -m tutor.core.symbolic.worker`.

Reads one JSON request per line on stdin and answers one JSON line on stdout. It limits its
own memory, warms SymPy up before saying it is ready, and never exits on a bad request.
The parent enforces the wall-clock bound by killing it.
"""

from __future__ import annotations

import contextlib
import gc
import resource
from pathlib import Path
from typing import Any

from tutor.core.worker_process import serve

MEMORY_LIMIT_BYTES = 2 * 1024**3
"""Address space for the worker: far above SymPy's needs, far below the machine's."""


def _limit_memory() -> None:
    # A lower hard limit may already be in force: then keep it.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))


def _handle(request: dict[str, Any]) -> dict[str, Any]:
    from tutor.core.model import DerivationExercise
    from tutor.core.packs.exercises import load_exercise
    from tutor.core.symbolic.checker import check_exercise, preview
    from tutor.core.symbolic.parser import ParseError
    from tutor.core.symbolic.protocol import result_to_json

    path = Path(request["exercise"])
    exercise = load_exercise(path, path.parent)
    if not isinstance(exercise, DerivationExercise):
        problems = "; ".join(str(p) for p in exercise) if isinstance(exercise, list) else ""
        return {"error": f"not a derivation exercise: {path} {problems}".strip()}
    variant_key = str(request.get("variant_key", ""))
    if request["op"] == "preview":
        try:
            return {"parsed": preview(exercise, str(request["text"]), variant_key)}
        except ParseError as error:
            return {"invalid": error.message, "position": error.position}
    answers = {str(k): str(v) for k, v in request["answers"].items()}
    return {"result": result_to_json(check_exercise(exercise, answers, variant_key))}


def warm_up() -> None:
    """Make the first real check as fast as the next ones.

    The first SymPy check in a fresh process is several times slower than later ones; and
    freezing what import and warm-up allocated keeps the garbage collector from rescanning
    SymPy's caches during checks (its full collections were the slowest checks' cause).
    """
    import sympy

    from tutor.core.symbolic.parser import Vocabulary, parse

    x = sympy.Symbol("x", real=True)
    expr = parse("x^2 + 2x", Vocabulary(symbols={"x": x}))
    sympy.diff(expr, x).evalf(subs={x: 0.5})
    gc.collect()
    gc.freeze()


def main() -> None:
    """Serve requests until stdin closes."""
    _limit_memory()
    serve(_handle, warm_up)


if __name__ == "__main__":
    main()
