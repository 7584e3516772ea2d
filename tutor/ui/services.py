"""The worker processes the app's screens share: the derivation checker and the code grader.

Both own their heavy imports (SymPy; NumPy and the sandbox) in processes of their own, so
the app's process stays light and never forks while Textual's threads run. They start in
the background after the first screen is painted; a request before that simply waits.
Even their client code is imported then (by the first to ask), not on the way to the home
screen.
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.core.grading.service import GradingService
    from tutor.core.symbolic.service import SymbolicService


class Services:
    """The checker and the grader, started once and closed with the app; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checker: SymbolicService | None = None
        self._grader: GradingService | None = None
        self._closed = False

    @property
    def checker(self) -> SymbolicService:
        """Derivation checks and previews."""
        with self._lock:
            if self._checker is None:
                from tutor.core.symbolic.service import SymbolicService

                self._checker = SymbolicService()
            return self._checker

    @property
    def grader(self) -> GradingService:
        """Code grading."""
        with self._lock:
            if self._grader is None:
                from tutor.core.grading.service import GradingService

                self._grader = GradingService()
            return self._grader

    def warm_up(self) -> None:
        """Start both workers (call from a thread); a failure now is retried on first use."""
        from tutor.core.worker_process import WorkerCancelled, WorkerFailure

        for service in (self.checker, self.grader):
            if self._closed:  # the app quit while the other one started
                return
            with contextlib.suppress(WorkerFailure, WorkerCancelled, OSError):
                service.start()

    def close(self) -> None:
        """Stop the workers that were made (and the grader's sandbox); a warm-up gives up."""
        self._closed = True
        with self._lock:
            started = [s for s in (self._checker, self._grader) if s is not None]
        for service in started:
            service.close()
